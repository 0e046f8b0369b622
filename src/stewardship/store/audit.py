"""What the audit trail says about a change: which fields moved, and how a value is written.

The store's own saves, and records written as the registry has them (one at a
time or a page at a time), all audit a change the same way: a new record is
one "(created)" row naming it, a changed one a row per field that moved.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..domain.records import Record

#: Fields that describe a write rather than the record; they never count as a change.
BOOKKEEPING = frozenset({"version", "modified_at", "modified_by"})

CREATED = "(created)"


def diff_records(old: Record | None, new: Record) -> dict[str, tuple[Any, Any]]:
    """Fields whose values differ, as ``{field: (old, new)}`` of JSON-friendly values."""
    after = new.to_dict()
    if old is None:
        return {k: (None, v) for k, v in after.items() if k not in BOOKKEEPING}
    before = old.to_dict()
    return {
        k: (before[k], after[k]) for k in after if k not in BOOKKEEPING and before[k] != after[k]
    }


def record_summary(record: Record) -> str:
    """A record's name for the "(created)" audit row: its display name, title or slug."""
    for name in ("display_name", "title", "slug"):
        value = getattr(record, name, "")
        if value:
            return str(value)
    return record.TYPE


def audit_changes(
    old: Record | None, new: Record, changes: dict[str, tuple[Any, Any]] | None = None
) -> list[tuple[str, Any, Any]]:
    """The audit rows, as (field, old, new), for ``old`` becoming ``new``.

    ``changes`` is ``diff_records(old, new)`` when the caller has it already.
    """
    if old is None:
        return [(CREATED, None, record_summary(new))]
    if changes is None:
        changes = diff_records(old, new)
    return [(field, before, after) for field, (before, after) in changes.items()]


def audit_text(value: object) -> str | None:
    """A value as the audit table stores it (JSON for lists and objects)."""
    if value is None:
        return None
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
