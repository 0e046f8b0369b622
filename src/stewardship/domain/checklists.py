"""Checklist rules that span items: progress per checklist and the retirement gate.

The rules for one item (not applicable needs a reason, sign-off needs done
and evidence, digests are 64 hex characters) live in
:meth:`ChecklistItem.problems`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from .errors import Problem, ValidationError
from .lifecycle import RETIRED_STATES, LifecycleState, parse_state
from .progress import Progress
from .records import Checklist, ChecklistItem, label

CHECKLIST_TITLES = {
    Checklist.WEIGHT_RETENTION: "Weight retention",
    Checklist.POST_DEPLOYMENT_REPORT: "Post-deployment report",
    Checklist.USER_MIGRATION: "User migration",
    Checklist.AVAILABILITY: "Availability",
}


def checklist_title(value: str) -> str:
    try:
        return CHECKLIST_TITLES[Checklist(value)]
    except ValueError:
        return label(value)


def progress(items: Iterable[ChecklistItem], today: date) -> Progress:
    total = complete = overdue = 0
    for item in items:
        if item.deleted:
            continue
        total += 1
        complete += item.complete
        overdue += item.is_overdue(today)
    return Progress(total, complete, overdue)


def by_checklist(items: Iterable[ChecklistItem]) -> dict[Checklist, list[ChecklistItem]]:
    """Items grouped per checklist in the checklists' fixed order, each sorted by position."""
    groups: dict[Checklist, list[ChecklistItem]] = {c: [] for c in Checklist}
    for item in items:
        if not item.deleted:
            groups[Checklist(item.checklist)].append(item)
    for group in groups.values():
        group.sort(key=lambda i: (i.position, i.title))
    return {c: g for c, g in groups.items() if g}


# -- the retirement gate ----------------------------------------------------
def is_retirement(old: LifecycleState | str | None, new: LifecycleState | str) -> bool:
    """True when a model moves from a live state into a retired one."""
    new_s = parse_state(new)
    if new_s not in RETIRED_STATES:
        return False
    return old is None or parse_state(old) not in RETIRED_STATES


def open_required(items: Iterable[ChecklistItem]) -> list[ChecklistItem]:
    """Required items that are neither done nor marked not applicable."""
    return [i for i in items if i.required and not i.complete and not i.deleted]


class RetirementGateError(ValidationError):
    """A model may not retire while required checklist items are open."""

    def __init__(self, open_items: list[ChecklistItem]) -> None:
        self.open_items = list(open_items)
        names = "; ".join(describe(i) for i in self.open_items)
        super().__init__(
            Problem(
                "state",
                f"{len(self.open_items)} required checklist item"
                f"{'' if len(self.open_items) == 1 else 's'} not done: {names}",
            )
        )


def describe(item: ChecklistItem) -> str:
    return f"{checklist_title(item.checklist)}: {item.title} ({label(item.status).lower()})"
