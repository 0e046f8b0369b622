"""Resolving sync conflicts: the steward chooses, field by field, and the result syncs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..domain.errors import Problem, ValidationError
from ..domain.records import RECORD_TYPES, Record
from ..store import Store
from ..store.sync_state import StoredConflict, SyncState

__all__ = ["ConflictGroup", "StoredConflict", "conflict_groups", "dismiss_rejection", "resolve"]


@dataclass(frozen=True)
class ConflictGroup:
    """Everything to decide about one record."""

    record_type: str
    record_id: str
    title: str
    record: Record | None
    fields: list[StoredConflict]
    rejected: list[StoredConflict]


def _title(record: Record | None, record_type: str, record_id: str) -> str:
    if record is None:
        return f"{record_type} {record_id[:8]}"
    for name in ("display_name", "title", "slug"):
        value = getattr(record, name, "")
        if value:
            return f"{value}"
    return f"{record_type.replace('_', ' ')} {record_id[:8]}"


def conflict_groups(store: Store) -> list[ConflictGroup]:
    groups: dict[tuple[str, str], list[StoredConflict]] = {}
    for conflict in SyncState(store).conflicts():
        groups.setdefault((conflict.record_type, conflict.record_id), []).append(conflict)
    out = []
    for (record_type, record_id), items in groups.items():
        record = store.get(RECORD_TYPES[record_type], record_id)
        out.append(
            ConflictGroup(
                record_type,
                record_id,
                _title(record, record_type, record_id),
                record,
                [c for c in items if c.kind == "field"],
                [c for c in items if c.kind == "rejected"],
            )
        )
    return out


def resolve(
    store: Store, record_type: str, record_id: str, values: dict[str, Any], who: str
) -> Record:
    """Apply the steward's chosen value for every conflicting field; the record then syncs.

    ``values`` must name every field in conflict for the record. The audit log
    keeps the decision; the record's outbox entry is released for the next push.
    """
    state = SyncState(store)
    cls = RECORD_TYPES[record_type]
    with store.transaction():
        pending = [
            c
            for c in state.conflicts()
            if (c.record_type, c.record_id) == (record_type, record_id) and c.kind == "field"
        ]
        missing = {c.field for c in pending} - values.keys()
        if missing:
            raise ValidationError(
                [Problem(f, "choose a value for this field") for f in sorted(missing)]
            )
        record = store.get(cls, record_id)
        if record is None:
            raise ValidationError(Problem("id", "the record no longer exists"))
        data = record.to_dict()
        data.update(values)
        resolved = cls.from_dict(data)
        saved = store.save(resolved, who, note="conflict resolved")
        if saved is record or saved == record:
            # nothing changed locally: still send it, so the registry gets the decision
            state.queue(saved)
        state.clear_conflicts(record_type, record_id)
    return saved


def dismiss_rejection(store: Store, record_type: str, record_id: str, who: str) -> None:
    """Accept that the registry refused a change: drop it from the queue, keep the local copy."""
    state = SyncState(store)
    record = store.get(RECORD_TYPES[record_type], record_id)
    with store.transaction():
        state.forget_outbox(record_type, record_id)
        state.clear_conflicts(record_type, record_id)
        if record is not None:
            store._audit(record, "(sync)", None, "registry refusal dismissed", who, "")
