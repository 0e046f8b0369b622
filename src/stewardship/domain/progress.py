"""How far a checklist has got: items in total, complete, overdue.

Its own module so that the dashboard, painted at start-up, can count progress
without loading the record types.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Progress:
    """Items in a checklist: in total, complete (done or not applicable), overdue."""

    total: int = 0
    complete: int = 0
    overdue: int = 0

    @property
    def fraction(self) -> float:
        return self.complete / self.total if self.total else 0.0

    @property
    def text(self) -> str:
        out = f"{self.complete}/{self.total}"
        if self.overdue:
            out += f" · {self.overdue} overdue"
        return out
