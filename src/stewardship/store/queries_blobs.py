"""What the console knows of files referenced by records: which records name which digest,
and what the registry said about each digest at the last sync (table ``blob_remote``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..domain.dates import utc_now
from .database import Store

AUTO_FETCH_KEY = "files.auto_fetch_mb"
DEFAULT_AUTO_FETCH_MB = 50


@dataclass(frozen=True)
class FileReference:
    """A record that names a file: an interview's transcript, an item's evidence file."""

    sha256: str
    kind: str  # "transcripts" | "evidence": the data folder it belongs in
    record_type: str
    record_id: str
    name: str
    attached_by: str


@dataclass(frozen=True)
class RemoteState:
    sha256: str
    in_registry: bool
    size: int | None
    #: why the file cannot be used, when it was found damaged (empty otherwise)
    damaged: str
    checked_at: str


_REFERENCES = (
    "SELECT transcript_sha256, 'transcripts', 'interview', id, transcript_name, modified_by"
    " FROM interviews WHERE deleted = 0 AND transcript_sha256 != ''"
    " UNION ALL"
    " SELECT evidence_sha256, 'evidence', 'checklist_item', id, evidence_file, modified_by"
    " FROM checklist_items WHERE deleted = 0 AND evidence_file != '' AND evidence_sha256 != ''"
)


def file_references(store: Store) -> list[FileReference]:
    """Every live record that names a file, in a stable order."""
    rows = store.conn.execute(_REFERENCES + " ORDER BY 1, 3, 4").fetchall()
    return [FileReference(*(str(v or "") for v in row)) for row in rows]


def references_to(store: Store, sha256: str) -> list[FileReference]:
    rows = store.conn.execute(
        f"SELECT * FROM ({_REFERENCES}) WHERE transcript_sha256 = ? ORDER BY 3, 4", (sha256,)
    ).fetchall()
    return [FileReference(*(str(v or "") for v in row)) for row in rows]


def remote_states(store: Store, digests: Iterable[str] | None = None) -> dict[str, RemoteState]:
    if digests is None:
        rows = store.conn.execute(
            "SELECT sha256, in_registry, size, damaged, checked_at FROM blob_remote"
        ).fetchall()
    else:
        wanted = list(dict.fromkeys(digests))
        rows = []
        for start in range(0, len(wanted), 500):
            part = wanted[start : start + 500]
            rows += store.conn.execute(
                "SELECT sha256, in_registry, size, damaged, checked_at FROM blob_remote"
                f" WHERE sha256 IN ({','.join('?' * len(part))})",
                part,
            ).fetchall()
    return {r[0]: RemoteState(r[0], bool(r[1]), r[2], r[3] or "", r[4] or "") for r in rows}


def note_remote(
    store: Store, sha256: str, *, in_registry: bool, size: int | None = None, damaged: str = ""
) -> None:
    """Record what the registry said about a digest (joins an open transaction)."""
    with store.transaction():
        store.conn.execute(
            "INSERT INTO blob_remote (sha256, in_registry, size, damaged, checked_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT(sha256) DO UPDATE SET"
            " in_registry = excluded.in_registry, size = coalesce(excluded.size, size),"
            " damaged = excluded.damaged, checked_at = excluded.checked_at",
            (sha256, int(in_registry), size, damaged, utc_now()),
        )


def auto_fetch_bytes(store: Store) -> int:
    """Files up to this size are fetched by every sync; larger ones on demand (Settings)."""
    text = store.get_setting(AUTO_FETCH_KEY)
    try:
        mb = float(text) if text else DEFAULT_AUTO_FETCH_MB
    except ValueError:
        mb = DEFAULT_AUTO_FETCH_MB
    return int(max(0.0, mb) * 1_000_000)


def auto_fetch_mb(store: Store) -> float:
    return auto_fetch_bytes(store) / 1_000_000


def set_auto_fetch_mb(store: Store, mb: float) -> None:
    with store.transaction():
        store.set_setting(AUTO_FETCH_KEY, f"{mb:g}")
