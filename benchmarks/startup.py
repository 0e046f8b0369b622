"""Start-up: process start to the dashboard painted with data, against a bare window.

    .venv/bin/python benchmarks/startup.py [--models 10000] [--runs 7]

Runs, in turn and several times each, a bare PySide6 window showing one
label (the floor), the console on the demo store and the console on a
generated large store, each in a fresh process (offscreen unless
QT_QPA_PLATFORM says otherwise). A run ends when the process prints the
moment of its first paint with data (``STEWARDSHIP_BENCH_EXIT_AFTER_PAINT``).
Prints the median of each and its ratio to the bare window's median.
Targets: demo within 1.5x, large store within 2x.

A second floor is measured beside it: ``table_window.py``, the least a
PySide6 program does to show the same store's models in a table (stdlib
sqlite3, one minimal table model, the console's style sheet). The console's
ratio to it is its own cost over the toolkit's.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from _common import (
    HERE,
    bare_argv,
    bench_env,
    console_argv,
    demo_store,
    large_store,
    median,
    run_child,
    verdict,
)

TARGETS = {"demo": 1.5, "large": 2.0}


def table_argv(data_dir: Path) -> list[str]:
    return [sys.executable, str(HERE / "table_window.py"), str(data_dir)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", type=int, default=10_000, help="models in the large store")
    parser.add_argument("--runs", type=int, default=7, help="timed runs of each (median taken)")
    args = parser.parse_args(argv)
    env = bench_env(STEWARDSHIP_BENCH_EXIT_AFTER_PAINT="1")
    with tempfile.TemporaryDirectory(prefix="stewardship-bench-") as tmp:
        demo_dir = demo_store(Path(tmp) / "demo")
        large_dir = large_store(Path(tmp) / "large", args.models)
        subjects = {
            "bare": bare_argv(),
            "table demo": table_argv(demo_dir),
            "demo": console_argv(demo_dir),
            "table large": table_argv(large_dir),
            "large": console_argv(large_dir),
        }
        for argv_ in subjects.values():  # warm the page cache and the bytecode
            run_child(argv_, env)
        times: dict[str, list[float]] = {name: [] for name in subjects}
        for _ in range(args.runs):
            for name, argv_ in subjects.items():
                times[name].append(run_child(argv_, env).seconds_to_paint)
    floor = median(times["bare"])
    print(f"start-up to first paint, median of {args.runs} runs:")
    print(f"  bare window (floor): {floor * 1000:7.0f} ms")
    ok = True
    for name, label in (("demo", "demo store"), ("large", f"large store ({args.models} models)")):
        value = median(times[name])
        table = median(times[f"table {name}"])
        ratio = value / floor
        met = ratio <= TARGETS[name]
        ok &= met
        print(
            f"  {label + ':':32} {value * 1000:7.0f} ms  = {ratio:.2f}x the bare window"
            f"  (target {TARGETS[name]}x: {verdict(met)})"
        )
        print(
            f"    {'minimal table window, same store:':30} {table * 1000:7.0f} ms"
            f"  = {table / floor:.2f}x the bare window; the console is {value / table:.2f}x it"
        )
    fastest = {name: min(values) for name, values in times.items()}
    print(
        f"  fastest runs (least disturbed by other work on the machine): bare"
        f" {fastest['bare'] * 1000:.0f} ms, demo {fastest['demo'] / fastest['bare']:.2f}x,"
        f" large {fastest['large'] / fastest['bare']:.2f}x"
    )
    for name, values in times.items():
        print(f"  runs {name}: " + ", ".join(f"{v * 1000:.0f}" for v in values) + " ms")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
