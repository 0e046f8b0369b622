"""Hash a large file with the console's hash_file and with sha256sum; print the ratio.

Target (issue 3): hashing a 1 GiB file within 1.5x of sha256sum on the same file.

    .venv/bin/python benchmarks/hash_file.py              # 1 GiB in /tmp
    .venv/bin/python benchmarks/hash_file.py --size-mib 64

The file is written once with random data, each tool runs after a warm-up read
(so both hash from the page cache) and the best of --runs is kept. The file is
deleted afterwards.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from stewardship.services.hashing import hash_file

TARGET_RATIO = 1.5


def make_file(folder: str, size_mib: int) -> Path:
    fd, name = tempfile.mkstemp(prefix="stewardship-hash-", suffix=".bin", dir=folder)
    chunk = os.urandom(1 << 20)
    with os.fdopen(fd, "wb") as handle:
        for i in range(size_mib):
            # vary every MiB so nothing can shortcut repeated blocks
            handle.write(i.to_bytes(8, "little") + chunk[8:])
    return Path(name)


def best_of(runs: int, fn) -> tuple[float, str]:
    best, result = float("inf"), ""
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--dir", default="/tmp")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    tool = shutil.which("sha256sum")
    if tool is None:
        print("sha256sum not found; cannot compare", file=sys.stderr)
        return 2
    path = make_file(args.dir, args.size_mib)
    try:
        path.read_bytes() if args.size_mib <= 64 else hash_file(path)  # warm the page cache
        ours, ours_digest = best_of(args.runs, lambda: hash_file(path))
        theirs, line = best_of(
            args.runs,
            lambda: (
                subprocess.run([tool, str(path)], capture_output=True, text=True, check=True).stdout
            ),
        )
        theirs_digest = line.split()[0]
    finally:
        path.unlink()
    if ours_digest != theirs_digest:
        print(f"digests differ: {ours_digest} vs {theirs_digest}", file=sys.stderr)
        return 1
    mib = args.size_mib
    ratio = ours / theirs
    print(f"file: {mib} MiB, digests match")
    print(f"hash_file: {ours:.3f} s ({mib / ours:.0f} MiB/s)")
    print(f"sha256sum: {theirs:.3f} s ({mib / theirs:.0f} MiB/s)")
    verdict = "within" if ratio <= TARGET_RATIO else "OUTSIDE"
    print(f"ratio hash_file/sha256sum: {ratio:.2f} ({verdict} the {TARGET_RATIO}x target)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
