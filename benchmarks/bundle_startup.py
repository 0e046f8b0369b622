"""Start time of the built bundle against the same app started from the venv.

    python benchmarks/bundle_startup.py [--runs 10]

Runs ``--version`` and an offscreen ``--screenshot`` of the demo dashboard from
both, interleaved (so load from other work on the machine hits both alike),
after one warm-up run each. Prints median and mean wall time and the ratio;
exits 1 when the bundle's median is over 1.2x the venv's (the issue 7 target).
Needs ``make dist`` (the bundle) and ``make install`` (the venv).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_RATIO = 1.2
EXE = "stewardship-cli.exe" if sys.platform == "win32" else "stewardship"
STARTERS = {
    "venv": ROOT / ".venv" / ("Scripts" if os.name == "nt" else "bin") / EXE.replace("-cli", ""),
    "bundle": ROOT / "dist" / "stewardship-console" / EXE,
}


def timed(cmd: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    missing = [str(p) for p in STARTERS.values() if not p.exists()]
    if missing:
        sys.exit(f"not built: {', '.join(missing)} (run make install and make dist)")

    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "STEWARDSHIP_TODAY": "2026-11-28"}
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        cases = {
            "--version": lambda exe, who: [str(exe), "--version"],
            "--screenshot": lambda exe, who: [
                str(exe),
                "--demo",
                "--data-dir",
                f"{tmp}/{who}",
                "--screenshot",
                f"{tmp}/{who}.png",
            ],
        }
        for case, make in cases.items():
            times: dict[str, list[float]] = {who: [] for who in STARTERS}
            for who, exe in STARTERS.items():  # warm-up: page cache, demo store created
                timed(make(exe, who), env)
            for _ in range(args.runs):
                for who, exe in STARTERS.items():
                    times[who].append(timed(make(exe, who), env))
            medians = {who: statistics.median(t) for who, t in times.items()}
            ratio = medians["bundle"] / medians["venv"]
            for who, t in times.items():
                print(
                    f"{case:13} {who:6} median {medians[who] * 1000:6.0f} ms"
                    f"  mean {statistics.mean(t) * 1000:6.0f} ms"
                    f"  min {min(t) * 1000:6.0f} ms  ({len(t)} runs)"
                )
            verdict = "ok" if ratio <= TARGET_RATIO else "OVER TARGET"
            print(f"{case:13} bundle/venv {ratio:.2f}x (target <= {TARGET_RATIO}x): {verdict}")
            failed |= ratio > TARGET_RATIO
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
