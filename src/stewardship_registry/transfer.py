"""Copy a whole registry between databases: ``copy``, ``backup`` and ``restore``.

Everything moves: tokens (their hashes), records, every write's history, the
stored idempotent replies, the version counter and the registry identity. The
source is read from one consistent snapshot (:meth:`Storage.snapshot`), so a
copy or backup taken while the server runs is a registry as it was at one
moment. The destination must be empty; it is filled in one transaction, then
read back: the row count of every table and a SHA-256 digest over every row
(in key order) must equal the source's, or the copy is reported as failed.

A backup is a copy into a new SQLite file. ``restore`` copies a backup into an
empty database and gives it a **new identity**: every console's cursor then
names another registry, so its next pull is answered ``409 cursor-reset`` and
it pulls from the start and re-sends what the restored registry lacks
(docs/registry-protocol.md, "GET /v1/changes").
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .storage import TABLES, Snapshot, Storage


class TransferError(Exception):
    """The copy cannot start (destination not empty) or did not come out identical."""


@dataclass
class Summary:
    """What a copy holds: identity, counter, each table's row count and the digest."""

    registry_id: str
    version: int
    counts: dict[str, int] = field(default_factory=dict)
    digest: str = ""

    def describe(self) -> str:
        counts = ", ".join(f"{n} {t.replace('_', ' ')}" for t, n in self.counts.items())
        return f"version {self.version}; {counts}; sha256 {self.digest}"


class _Digest:
    """Counts and hashes rows as they stream past."""

    def __init__(self, version: int) -> None:
        self.hash = hashlib.sha256(f"version {version}\n".encode())
        self.counts: dict[str, int] = {}

    def watch(self, table: str, rows: Iterator[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
        self.hash.update(f"table {table}\n".encode())
        n = 0
        for row in rows:
            self.hash.update(json.dumps(row, ensure_ascii=False).encode())
            self.hash.update(b"\n")
            n += 1
            yield row
        self.counts[table] = n


def summarise(snapshot: Snapshot) -> Summary:
    """Read every row of a snapshot: its counts and digest."""
    digest = _Digest(snapshot.version)
    for table in TABLES:
        for _ in digest.watch(table, snapshot.rows(table)):
            pass
    return Summary(snapshot.registry_id, snapshot.version, digest.counts, digest.hash.hexdigest())


def copy_registry(source: Storage, destination: Storage, *, new_identity: bool = False) -> Summary:
    """Copy everything from ``source`` into the empty ``destination``, then verify it."""
    if not destination.is_empty():
        raise TransferError(
            "the destination already holds a registry (records, tokens or a version above 0); "
            "copy into a new, empty database"
        )
    with source.snapshot() as snap:
        digest = _Digest(snap.version)
        registry_id = uuid.uuid4().hex if new_identity else snap.registry_id
        destination.load(
            registry_id,
            snap.version,
            {table: digest.watch(table, snap.rows(table)) for table in TABLES},
        )
        copied = Summary(registry_id, snap.version, digest.counts, digest.hash.hexdigest())
    with destination.snapshot() as written:
        check = summarise(written)
    if (check.version, check.counts, check.digest) != (
        copied.version,
        copied.counts,
        copied.digest,
    ):
        raise TransferError(
            f"the copy differs from its source: source {copied.describe()}; "
            f"destination {check.describe()}"
        )
    if check.registry_id != registry_id:
        raise TransferError("the destination did not take the registry identity")
    return check
