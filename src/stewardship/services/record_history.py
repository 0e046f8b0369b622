"""A record's history as the History tab shows it: this console's audit, merged with the
registry's history of the record (``GET /v1/records/{type}/{id}/history``) when online.

The registry keeps every accepted write, from every console; this console's audit
keeps what happened here (its own edits, and what it pulled). Both become the same
rows (``at``, ``who``, ``field``, ``old``, ``new``, ``note``), newest first; a change
that both hold (an edit made here and pushed, or pulled from there) shows once, as
this console's row. Offline, or with no registry set up, the rows are this console's
alone and :attr:`RecordHistory.registry_note` says so.

:func:`record_history` talks to the network: run it off the GUI thread (``ui/tasks.py``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..domain.records import RECORD_TYPES
from ..domain.tasks import CancelCheck, Progress, never_cancelled, no_progress
from ..store import Store
from ..store.audit import audit_changes, audit_text
from ..sync.credentials import load_token
from ..sync.errors import NotConfigured, SyncError
from .sync_service import make_client, registry_settings

log = logging.getLogger(__name__)

#: The most registry entries fetched for one record (pages of 100).
MAX_ENTRIES = 500


@dataclass(frozen=True)
class RecordHistory:
    rows: list[dict[str, Any]]  # newest first
    online: bool  # True: the registry's history is included
    registry_note: str  # what the rows hold, in a steward's words


def local_rows(store: Store, record_id: str) -> list[dict[str, Any]]:
    """This console's audit of the record, newest first."""
    return [dict(row, source="here") for row in reversed(store.history(record_id))]


def registry_rows(record_type: str, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The registry's writes (newest first, as it sends them) as audit rows, newest first."""
    cls = RECORD_TYPES[record_type]
    rows: list[dict[str, Any]] = []
    previous = None
    for entry in reversed(entries):  # oldest first, so each write is diffed with the one before
        note = f"registry version {entry['version']}, written by '{entry['written_by']}'"
        base = {"who": entry["modified_by"], "at": entry["modified_at"], "note": note}
        if entry["deleted"] or entry["data"] is None:
            rows.append({**base, "field": "deleted", "old": "false", "new": "true"})
            previous = None
            continue
        try:
            record = cls.from_dict(entry["data"])
        except Exception:  # a field this console does not know: show the write, not its diff
            rows.append({**base, "field": "(changed)", "old": None, "new": None})
            continue
        for field, old, new in audit_changes(previous, record):
            rows.append({**base, "field": field, "old": audit_text(old), "new": audit_text(new)})
        previous = record
    return [dict(row, source="registry") for row in reversed(rows)]


def merge_rows(local: list[dict[str, Any]], remote: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Both histories, newest first; a change in both (same field, old and new) shows once."""
    known = {(r["field"], r["old"], r["new"]) for r in local}
    extra = [r for r in remote if (r["field"], r["old"], r["new"]) not in known]
    return sorted(local + extra, key=lambda r: r["at"] or "", reverse=True)


def fetch_registry_entries(
    store: Store,
    record_type: str,
    record_id: str,
    *,
    token: str | None = None,
    cancelled: CancelCheck = never_cancelled,
    client_options: dict[str, float] | None = None,
) -> list[dict[str, Any]]:
    """Every write the registry kept of the record, newest first (raises SyncError)."""
    settings = registry_settings(store)
    if settings.configured and not token:
        token = load_token(settings.url)
    client = make_client(settings, token, **(client_options or {}))
    entries: list[dict[str, Any]] = []
    try:
        before = None
        while len(entries) < MAX_ENTRIES:
            page = client.history(record_type, record_id, before=before)
            if page is None:  # the registry never had it (not pushed yet)
                return []
            entries += page["history"]
            if not page.get("has_more") or cancelled():
                break
            before = page["next_before"]
    finally:
        client.close()
    return entries


def record_history(
    store_file: Path,
    record_type: str,
    record_id: str,
    *,
    token: str | None = None,
    progress: Progress = no_progress,
    cancelled: CancelCheck = never_cancelled,
    client_options: dict[str, float] | None = None,
) -> RecordHistory:
    """The record's history: merged with the registry's when it answers (own store connection)."""
    store = Store(store_file)
    try:
        local = local_rows(store, record_id)
        progress("Asking the registry for this record's history", 0, 0)
        try:
            entries = fetch_registry_entries(
                store,
                record_type,
                record_id,
                token=token,
                cancelled=cancelled,
                client_options=client_options,
            )
        except NotConfigured as exc:
            return RecordHistory(local, False, f"This console's audit only: {exc}.")
        except SyncError as exc:
            log.info("registry history of %s %s: %s", record_type, record_id, exc)
            return RecordHistory(local, False, f"Offline: this console's audit only ({exc}).")
        remote = registry_rows(record_type, entries)
        return RecordHistory(
            merge_rows(local, remote),
            True,
            f"With the registry's history ({len(entries)} write"
            f"{'s' if len(entries) != 1 else ''} there).",
        )
    finally:
        store.close()
