"""The transcripts table (files kept in the data folder, by SHA-256) and interviews' digests."""

from __future__ import annotations

from ..domain.dates import utc_now
from .database import Store


def add_transcript(store: Store, sha256: str, original_name: str, size: int) -> None:
    """Note a stored transcript file (a file already noted is left as it is)."""
    with store.transaction():
        store.conn.execute(
            "INSERT OR IGNORE INTO transcripts (sha256, original_name, size, stored_at)"
            " VALUES (?, ?, ?, ?)",
            (sha256, original_name, size, utc_now()),
        )


def transcript_count(store: Store) -> int:
    return int(store.conn.execute("SELECT count(*) FROM transcripts").fetchone()[0])


def interview_digests(store: Store, model_id: str) -> list[str]:
    """The distinct transcript digests of a model's live interviews, oldest interview first."""
    rows = store.conn.execute(
        "SELECT DISTINCT transcript_sha256 FROM interviews WHERE model_id = ? AND deleted = 0"
        " AND transcript_sha256 != '' ORDER BY held_on",
        (model_id,),
    )
    return [r[0] for r in rows]
