"""A registry database for the benchmarks: an SQLite file, or a database of a throwaway
PostgreSQL cluster (tests/pg_cluster.py) started with its durability on (fsync and
synchronous commit, as a real server runs: SQLite's side runs with synchronous=FULL)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

BACKENDS = ("sqlite", "postgresql")

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))


@contextmanager
def pg_cluster() -> Iterator[object]:
    from pg_cluster import PgCluster, find_bin

    bin_dir = find_bin()
    if bin_dir is None:
        raise SystemExit("PostgreSQL 15 is not installed (Debian: postgresql-15)")
    cluster = PgCluster(bin_dir).start(durable=True)
    try:
        yield cluster
    finally:
        cluster.stop()


@contextmanager
def registry_database(kind: str, folder: Path, name: str = "registry") -> Iterator[str]:
    """A new, empty registry database of ``kind``: its path or URL."""
    if kind == "sqlite":
        yield str(folder / f"{name}.db")
        return
    with pg_cluster() as cluster:
        yield cluster.new_database()  # type: ignore[attr-defined]
