"""Move the large registry (360,000 records) SQLite -> PostgreSQL -> SQLite, timed.

    .venv/bin/python benchmarks/registry_copy.py [--models 10000]

Fills an SQLite registry with the synthetic records (generate.py), copies it
with ``stewardship-registry copy`` into a throwaway PostgreSQL cluster (fsync
on), and from there into a new SQLite file. Each copy checks its own counts
and digest; this script also checks that the first and last SQLite files
hold the same rows, table by table, and prints the times.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _registry_db import registry_database


def copy(source: str, target: str) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "stewardship_registry", "copy", source, target],
        capture_output=True,
        text=True,
    )
    took = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"copy failed: {done.stderr}")
    return took, done.stderr.strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", type=int, default=10_000)
    args = parser.parse_args(argv)
    from generate import generate_registry

    from stewardship_registry.backends import open_storage
    from stewardship_registry.storage import TABLES

    with (
        tempfile.TemporaryDirectory(prefix="stewardship-bench-") as tmp,
        registry_database("postgresql", Path(tmp)) as pg,
    ):
        first, last = str(Path(tmp) / "first.db"), str(Path(tmp) / "last.db")
        started = time.perf_counter()
        generate_registry(Path(first), args.models)
        print(f"(filled the SQLite registry in {time.perf_counter() - started:.1f} s)")
        there, line = copy(first, pg)
        print(f"SQLite -> PostgreSQL: {there:6.1f} s  ({line})")
        back, line = copy(pg, last)
        print(f"PostgreSQL -> SQLite: {back:6.1f} s  ({line})")
        same = True
        stores = [open_storage(first, create=False), open_storage(last, create=False)]
        try:
            with stores[0].snapshot() as a, stores[1].snapshot() as b:
                for table in TABLES:
                    if list(a.rows(table)) != list(b.rows(table)):
                        same = False
                        print(f"{table}: differs")
                same = same and (a.registry_id, a.version) == (b.registry_id, b.version)
                records = a.count("records")
        finally:
            for s in stores:
                s.close()
    print(
        f"{records} records: the SQLite file after the round trip is "
        f"{'identical, row by row' if same else 'DIFFERENT'}"
    )
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
