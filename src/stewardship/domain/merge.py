"""Three-way merge of one record, field by field, against the last-synced copy.

Fields changed on one side only merge by themselves. A field changed on both
sides to different values is a conflict. Deleting a record on one side while
the other side edited it is a conflict on ``deleted``: never a silent
resurrection, never a silent loss.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Fields that describe a write, not the record: never merged, never in conflict.
BOOKKEEPING = frozenset({"id", "version", "modified_at", "modified_by"})


@dataclass(frozen=True)
class FieldConflict:
    field: str
    base: Any
    mine: Any
    theirs: Any


@dataclass(frozen=True)
class MergeResult:
    #: The merged field values; for fields in conflict, "mine" until resolved.
    merged: dict[str, Any]
    conflicts: list[FieldConflict] = field(default_factory=list)
    #: Fields taken from the other side.
    from_theirs: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.conflicts


def _changed(base: dict[str, Any], side: dict[str, Any], name: str) -> bool:
    return side.get(name) != base.get(name)


def three_way_merge(
    base: dict[str, Any] | None, mine: dict[str, Any], theirs: dict[str, Any]
) -> MergeResult:
    """Merge ``mine`` and ``theirs`` (dicts of field values) against ``base``.

    With no base (the record was never synced here), every field where the
    two sides differ is a conflict.
    """
    base = base or {}
    names = [n for n in dict.fromkeys([*mine, *theirs]) if n not in BOOKKEEPING]
    merged: dict[str, Any] = {}
    conflicts: list[FieldConflict] = []
    from_theirs: list[str] = []
    for name in names:
        m, t = mine.get(name), theirs.get(name)
        if m == t:
            merged[name] = m
        elif not base or (_changed(base, mine, name) and _changed(base, theirs, name)):
            merged[name] = m
            conflicts.append(FieldConflict(name, base.get(name), m, t))
        elif _changed(base, theirs, name):
            merged[name] = t
            from_theirs.append(name)
        else:
            merged[name] = m

    # A delete against an edit: the "deleted" flag alone would merge cleanly
    # and lose the edit (or resurrect the record). Make it a conflict instead.
    if bool(mine.get("deleted")) != bool(theirs.get("deleted")) and base:
        editor = theirs if mine.get("deleted") else mine
        edited = [n for n in names if n != "deleted" and _changed(base, editor, n)]
        if edited and not any(c.field == "deleted" for c in conflicts):
            conflicts.append(
                FieldConflict(
                    "deleted", base.get("deleted"), mine.get("deleted"), theirs.get("deleted")
                )
            )
            merged["deleted"] = mine.get("deleted")
            from_theirs = [n for n in from_theirs if n != "deleted"]
    return MergeResult(merged, conflicts, from_theirs)
