"""``POST /v1/batch``: validate each operation, then apply them in one transaction.

Validation uses the console's own domain (``RECORD_TYPES[type].from_dict(data,
strict=True)`` and ``problems()``) on the fields the type declares, so the
registry refuses exactly what the console would. Fields it does not declare
(a newer console's) are kept unchanged within the bounds of
:mod:`stewardship.domain.wire`. The version checks, the reference checks, the
writes and the stored idempotent reply share one write transaction: a replay
can never apply anything twice. All of this works on any :class:`Storage`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from typing import Any

from stewardship.domain.errors import Problem, ValidationError
from stewardship.domain.records import RECORD_TYPES
from stewardship.domain.wire import (
    EXTRA_FIELD_NAME,
    MAX_EXTRA_BYTES,
    MAX_EXTRA_FIELDS,
    extra_fields_size,
    lone_surrogate_path,
)

from .problems import ProblemError, problem_dict
from .schemas import BatchRequest, Operation
from .storage import Principal, Storage, StoredRecord, StoredReply

#: Fields of a record's data that the server sets itself.
SERVER_FIELDS = ("id", "version", "modified_at", "modified_by", "deleted")


def envelope(record: StoredRecord) -> dict[str, Any]:
    return dataclasses.asdict(record)


def request_hash(body: BatchRequest) -> str:
    """A fingerprint of what the request asks for (key order and spacing do not matter)."""
    try:
        canonical = json.dumps(
            body.model_dump(),
            sort_keys=True,
            allow_nan=False,
            separators=(",", ":"),
            ensure_ascii=False,
        )
    except ValueError:
        raise ProblemError(
            422,
            "validation",
            "Numbers must be finite: NaN and Infinity are not JSON.",
            errors=[{"field": "operations", "reason": "contains NaN or Infinity"}],
        ) from None
    # surrogatepass: a lone surrogate (refused per operation later) must not crash the hash;
    # every valid string encodes exactly as before, so stored fingerprints still match
    payload = ("POST /v1/batch\n" + canonical).encode("utf-8", "surrogatepass")
    return hashlib.sha256(payload).hexdigest()


@dataclasses.dataclass
class _Prepared:
    data: dict[str, Any] | None = None
    modified_by: str = ""
    problems: list[Problem] = dataclasses.field(default_factory=list)


def _extra_problems(extras: dict[str, Any]) -> list[Problem]:
    """What is wrong with the fields the type does not declare (kept when within bounds)."""
    found = [
        Problem(
            name.encode("utf-8", "backslashreplace").decode(),
            "is not a field of this type, and a kept unknown field needs a name of lower-case "
            "letters, digits and '_' (at most 64)",
        )
        for name in extras
        if not EXTRA_FIELD_NAME.fullmatch(name)
    ]
    if len(extras) > MAX_EXTRA_FIELDS:
        found.append(
            Problem(
                "data",
                f"has {len(extras)} fields this registry does not know; at most "
                f"{MAX_EXTRA_FIELDS} are kept",
            )
        )
    elif not found and extra_fields_size(extras) > MAX_EXTRA_BYTES:
        found.append(
            Problem(
                "data",
                f"the fields this registry does not know take more than {MAX_EXTRA_BYTES} "
                "bytes; they are kept only up to that size",
            )
        )
    return found


def prepare(op: Operation, principal: Principal) -> _Prepared:
    """Check one operation's data with the domain; no storage involved."""
    given = (op.modified_by or "").strip()
    if op.deleted:
        return _Prepared(data=None, modified_by=given or principal.name)
    assert op.data is not None
    cls = RECORD_TYPES[op.type]
    found: list[Problem] = []
    bad_text = lone_surrogate_path(op.data)
    if bad_text is not None:
        return _Prepared(
            problems=[
                Problem(
                    bad_text,
                    "holds a lone UTF-16 surrogate (\\ud800 to \\udfff), which is not text; "
                    "send valid Unicode",
                )
            ]
        )
    if "id" in op.data and op.data["id"] != op.id:
        found.append(Problem("id", f"the data's id does not match the operation's id '{op.id}'"))
    kinds = cls.field_kinds()
    known = {k: v for k, v in op.data.items() if k in kinds}
    extras = {k: v for k, v in op.data.items() if k not in kinds}
    found.extend(_extra_problems(extras))
    try:
        record = cls.from_dict(known, strict=True)
    except ValidationError as exc:
        return _Prepared(problems=found + exc.problems)
    except Exception:  # the domain must never turn bad input into a server error
        return _Prepared(problems=[*found, Problem("data", f"could not be read as a {op.type}")])
    if record.deleted:
        found.append(
            Problem("deleted", 'delete with the operation\'s "deleted": true, not in data')
        )
    try:
        found.extend(record.problems())
    except Exception:
        found.append(Problem("data", f"could not be checked as a {op.type}"))
    if found:
        return _Prepared(problems=found)
    data = {
        **extras,
        **{k: v for k, v in record.to_dict().items() if k not in SERVER_FIELDS},
    }
    return _Prepared(data=data, modified_by=given or record.modified_by.strip() or principal.name)


def _rejected(index: int, op: Operation, problems: list[Problem]) -> dict[str, Any]:
    errors = [
        {"field": p.field, "reason": p.reason, "pointer": f"/operations/{index}/data/{p.field}"}
        for p in problems
    ]
    detail = "; ".join(str(p) for p in problems)
    return {
        "status": "rejected",
        "type": op.type,
        "id": op.id,
        "problem": problem_dict(422, "record-rejected", detail, errors=errors),
    }


def _conflict(op: Operation, current: StoredRecord | None, detail: str) -> dict[str, Any]:
    return {
        "status": "conflict",
        "type": op.type,
        "id": op.id,
        "current": envelope(current) if current else None,
        "detail": detail,
    }


def _missing_references(op: Operation, prep: _Prepared, tx: Any) -> list[Problem]:
    """A reference (``model_id``, ...) to a record the registry has never had is refused.

    A tombstone counts as had: a steward who added an item offline while
    someone else deleted its model keeps the item (docs/registry-protocol.md,
    "References"). A record written earlier in the same batch counts too.
    """
    assert prep.data is not None
    found = []
    for name, target in RECORD_TYPES[op.type].REFERENCES.items():
        value = prep.data.get(name)
        if isinstance(value, str) and value and tx.get(target, value) is None:
            found.append(
                Problem(
                    name,
                    f"names no {target} this registry has ('{value}'); send the {target} "
                    "first, in an earlier batch or earlier in this one",
                )
            )
    return found


def _apply(
    index: int, op: Operation, prep: _Prepared, tx: Any, principal: Principal
) -> dict[str, Any]:
    if prep.problems:
        return _rejected(index, op, prep.problems)
    current = tx.get(op.type, op.id)
    if op.base_version == 0 and current is not None:
        state = "a tombstone" if current.deleted else "a record"
        return _conflict(
            op,
            current,
            f"The registry already has {state} with this id (version {current.version}).",
        )
    if op.base_version != 0 and current is None:
        return _conflict(
            op,
            None,
            f"The registry has no record with this id, but the operation's "
            f"base_version is {op.base_version}.",
        )
    if current is not None and current.version != op.base_version:
        return _conflict(
            op,
            current,
            f"The record changed since version {op.base_version}; "
            f"the registry has version {current.version}.",
        )
    if op.deleted and current is None:
        return _rejected(index, op, [Problem("base_version", "there is no record to delete")])
    if not op.deleted:
        missing = _missing_references(op, prep, tx)
        if missing:
            return _rejected(index, op, missing)
    written = tx.put(
        op.type,
        op.id,
        deleted=op.deleted,
        data=prep.data,
        modified_by=prep.modified_by,
        written_by=principal.name,
    )
    return {
        "status": "applied",
        "type": op.type,
        "id": op.id,
        "version": written.version,
        "record": envelope(written),
    }


def run_batch(
    storage: Storage, principal: Principal, key: str, body: BatchRequest
) -> tuple[dict[str, Any], bool]:
    """Apply a batch, or replay its stored reply. Returns the reply and whether it was replayed."""
    fingerprint = request_hash(body)
    prepared = [prepare(op, principal) for op in body.operations]
    with storage.write() as tx:
        stored = tx.reply_for(principal, key)
        if stored is not None:
            if stored.request_hash != fingerprint:
                raise ProblemError(
                    422,
                    "idempotency-key-reused",
                    "This Idempotency-Key was already used by this token for a different batch; "
                    "use a new key for a new batch.",
                )
            return stored.body, True
        results = [
            _apply(i, op, prep, tx, principal)
            for i, (op, prep) in enumerate(zip(body.operations, prepared, strict=True))
        ]
        reply = {"results": results}
        tx.store_reply(principal, key, StoredReply(fingerprint, 200, reply))
    return reply, False
