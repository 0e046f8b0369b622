"""Shared pieces of the benchmark scripts: child processes, statistics, stores, output."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
BARE_WINDOW = HERE / "bare_window.py"
TODAY = "2026-11-28"


def compile_sources() -> None:
    """Byte-compile the console's sources, as any install (pip, the bundle) has them.

    This machine sets PYTHONDONTWRITEBYTECODE=1, which would otherwise make every
    timed start compile ~50 modules from source: a cost no steward ever pays.
    """
    import compileall

    compileall.compile_dir(str(HERE.parent / "src"), quiet=1)


def bench_env(**extra: str) -> dict[str, str]:
    compile_sources()
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # use the compiled bytecode (see compile_sources)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env.setdefault("STEWARDSHIP_TODAY", TODAY)
    # A steward who has given their name: the first-start question would wait for ever.
    env.setdefault("STEWARDSHIP_STEWARD", "Benchmark Steward")
    env.update(extra)
    return env


@dataclass(frozen=True)
class ChildRun:
    seconds_to_paint: float
    peak_rss_mb: float
    lines: list[str]


def run_child(argv: list[str], env: dict[str, str], timeout: float = 300) -> ChildRun:
    """Start ``argv``; time from just before the start to the child's painted stamp.

    The peak resident set size comes from the kernel's account of the child
    (``wait4``), so it covers the whole life of the process.
    """
    started = time.time()
    proc = subprocess.Popen(
        argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise RuntimeError(f"{argv} did not finish in {timeout} s") from None
    lines = out.splitlines()
    painted = [
        float(line.split()[-1]) for line in lines if line.startswith("STEWARDSHIP_BENCH painted")
    ]
    if proc.returncode != 0 or not painted:
        raise RuntimeError(f"{argv} failed (exit {proc.returncode}):\n{out}\n{err}")
    peaks = [
        float(line.split()[-1])
        for line in lines
        if line.startswith("STEWARDSHIP_BENCH peak_rss_mb")
    ]
    return ChildRun(painted[0] - started, peaks[0] if peaks else float("nan"), lines)


def median(values: list[float]) -> float:
    return statistics.median(values)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def verdict(ok: bool) -> str:
    return "meets target" if ok else "MISSES target"


def console_argv(data_dir: Path) -> list[str]:
    return [sys.executable, "-m", "stewardship", "--data-dir", str(data_dir)]


def bare_argv() -> list[str]:
    return [sys.executable, str(BARE_WINDOW)]


def demo_store(data_dir: Path) -> Path:
    """A data folder holding the demo organisation (as ``stewardship --demo`` loads it)."""
    from datetime import date

    from stewardship.services.demo import load_demo
    from stewardship.store import Store
    from stewardship.store.database import DB_FILENAME

    data_dir.mkdir(parents=True, exist_ok=True)
    with Store(data_dir / DB_FILENAME) as store:
        load_demo(store, date.fromisoformat(TODAY))
    return data_dir


def large_store(data_dir: Path, models: int) -> Path:
    from generate import generate_store

    started = time.perf_counter()
    generate_store(data_dir, models)
    print(
        f"(generated a store of {models} models in {time.perf_counter() - started:.1f} s)",
        flush=True,
    )
    return data_dir
