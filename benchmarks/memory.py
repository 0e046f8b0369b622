"""Memory: peak resident set size with the large store open, against a bare window.

    .venv/bin/python benchmarks/memory.py [--models 10000] [--runs 3]

Each run is a fresh process that opens the console on a generated large
store, waits for the dashboard to paint with data, then opens every view
(Models, Requests, Reports, ...) and reports its peak RSS (``ru_maxrss``).
The floor is the same figure for a bare PySide6 window showing one label.
Target: the console's peak under 250 MB.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from _common import bare_argv, bench_env, console_argv, large_store, median, run_child, verdict

TARGET_MB = 250.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", type=int, default=10_000, help="models in the large store")
    parser.add_argument("--runs", type=int, default=3, help="runs of each (median taken)")
    args = parser.parse_args(argv)
    from stewardship.ui.main_window import VIEW_KEYS

    with tempfile.TemporaryDirectory(prefix="stewardship-bench-") as tmp:
        data_dir = large_store(Path(tmp) / "large", args.models)
        base = bench_env(STEWARDSHIP_BENCH_EXIT_AFTER_PAINT="1")
        every_view = bench_env(
            STEWARDSHIP_BENCH_EXIT_AFTER_PAINT="1",
            STEWARDSHIP_BENCH_VISIT=",".join(VIEW_KEYS[1:] + VIEW_KEYS[:1]),
        )
        bare, dashboard, everything = [], [], []
        for _ in range(args.runs):
            bare.append(run_child(bare_argv(), base).peak_rss_mb)
            dashboard.append(run_child(console_argv(data_dir), base).peak_rss_mb)
            everything.append(run_child(console_argv(data_dir), every_view).peak_rss_mb)
    floor = median(bare)
    print(f"peak RSS, median of {args.runs} runs:")
    print(f"  bare window (floor):                 {floor:6.0f} MB")
    ok = True
    for label, values in (
        (f"large store ({args.models} models), dashboard:", dashboard),
        ("large store, after opening every view:", everything),
    ):
        value = median(values)
        met = value < TARGET_MB
        ok &= met
        print(
            f"  {label:38} {value:6.0f} MB  = {value / floor:.2f}x the bare window,"
            f" +{value - floor:.0f} MB  (target < {TARGET_MB:.0f} MB: {verdict(met)})"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
