"""The record shapes of the registry protocol: what a batch operation holds,
and how a record the registry sends becomes a domain record (docs/registry-protocol.md)."""

from __future__ import annotations

from typing import Any

from ..domain.errors import ValidationError
from ..domain.merge import BOOKKEEPING
from ..domain.records import RECORD_TYPES, Record
from .errors import RegistryProtocolError


def record_payload(record: Record) -> dict[str, Any]:
    """The fields a record syncs with: its data, without the write bookkeeping."""
    return {k: v for k, v in record.to_dict().items() if k not in BOOKKEEPING}


def operation(record: Record, extras: dict[str, Any] | None = None) -> dict[str, Any]:
    """The batch operation that sends ``record``, with the newer console's fields it
    carries (``extras``) sent back unchanged."""
    op: dict[str, Any] = {"type": record.TYPE, "id": record.id, "base_version": record.version}
    if record.deleted:
        op["deleted"] = True
    else:
        op["data"] = {**(extras or {}), **record_payload(record), "modified_by": record.modified_by}
    return op


def remote_extras(entry: dict[str, Any]) -> dict[str, Any] | None:
    """The fields of a registry record that this console's type does not declare.

    None for a tombstone (it carries no data: whatever was kept stays kept).
    """
    raw = entry.get("data")
    if not isinstance(raw, dict):
        return None
    kinds = RECORD_TYPES[entry["type"]].field_kinds()
    return {k: v for k, v in raw.items() if k not in kinds}


def parse_remote(entry: dict[str, Any], local: Record | None = None) -> Record:
    """A record from the registry (feed entry or conflict reply) as a domain record.

    A tombstone carries no data: it is the local copy (if any) marked deleted.
    """
    try:
        cls = RECORD_TYPES[entry["type"]]
        raw = entry.get("data")
        if raw is None and entry.get("deleted") and local is not None:
            raw = {k: v for k, v in local.to_dict().items() if k not in BOOKKEEPING}
        data = dict(raw or {})
        data["id"] = entry["id"]
        data["version"] = int(entry["version"])
        data["deleted"] = bool(entry.get("deleted", False))
        if entry.get("modified_at"):
            data["modified_at"] = entry["modified_at"]
        if entry.get("modified_by"):
            data["modified_by"] = entry["modified_by"]
        return cls.from_dict(data)
    except (KeyError, TypeError, ValueError) as exc:
        what = exc.args[0] if isinstance(exc, KeyError) else exc
        if isinstance(exc, ValidationError):
            what = str(exc)
        raise RegistryProtocolError(
            f"the registry sent a record the console cannot read ({what}); nothing was changed"
        ) from exc
