"""Lookups over archive copies, manifests and verifications read as rows, not records.

The dashboard reads one row per live copy with its latest verification (through
the index on ``weight_verifications (copy_id, deleted, finished_at)``); a
manifest's files are read as plain tuples because a manifest may list thousands.
"""

from __future__ import annotations

from typing import NamedTuple

from .database import Store


class CopyRow(NamedTuple):
    model_id: str
    copy_id: str
    added_at: str
    last_outcome: str
    last_at: str


# The latest run of each copy, read from the covering index on weight_verifications
# (copy_id, deleted, finished_at, outcome): one index seek per copy, no table row.
_COPY_ROWS = (
    "SELECT c.model_id, c.id, c.added_at, ("
    "  SELECT w.outcome || char(31) || w.finished_at FROM weight_verifications w"
    "  WHERE w.copy_id = c.id AND w.deleted = 0 ORDER BY w.finished_at DESC LIMIT 1)"
    " FROM archive_copies c WHERE c.deleted = 0"
)


def _row(model_id: str, copy_id: str, added_at: str | None, last: str | None) -> CopyRow:
    outcome, _, at = (last or "").partition("\x1f")
    return CopyRow(model_id, copy_id, added_at or "", outcome, at)


def copy_rows(store: Store, model_id: str | None = None) -> list[CopyRow]:
    """Every live copy (of one model, if given) with the outcome and time of its latest run."""
    if model_id is None:
        cur = store.conn.execute(_COPY_ROWS)
    else:
        cur = store.conn.execute(_COPY_ROWS + " AND c.model_id = ?", (model_id,))
    return [_row(*row) for row in cur]


def manifest_files(store: Store, manifest_id: str) -> list[tuple[str, int, str]]:
    """A manifest's live files as (path, size, sha256), sorted by path."""
    cur = store.conn.execute(
        "SELECT path, size, sha256 FROM weight_manifest_files"
        " WHERE manifest_id = ? AND deleted = 0 ORDER BY path",
        (manifest_id,),
    )
    return [(str(p), int(s if s is not None else -1), str(d)) for p, s, d in cur]
