"""Rules about changing a stored record, which need the stored copy to judge.

A record's own ``problems()`` judges it alone; these functions compare the
copy a steward wants to save with the copy already stored.
"""

from __future__ import annotations

from .errors import Problem
from .records import PreferenceRequest, Report, ReportStatus

#: The three sections of a post-deployment report, in order, with their headings.
REPORT_SECTIONS: list[tuple[str, str]] = [
    ("reflections", "The model's reflections on its development and deployment"),
    ("preferences", "The model's preferences about future models"),
    ("interpretation", "The team's interpretation and conclusions"),
]

#: What a final report freezes.
REPORT_CONTENT = ("reflections", "preferences", "interpretation", "reviewers", "model_id")

WORDS_FROZEN = (
    "the requester's words cannot be changed once the request is saved;"
    " put a correction in Notes instead"
)


def request_edit_problems(
    stored: PreferenceRequest | None, new: PreferenceRequest
) -> list[Problem]:
    """The requester's words are kept exactly as first saved."""
    if stored is not None and new.words != stored.words:
        return [Problem("words", WORDS_FROZEN)]
    return []


def report_edit_problems(stored: Report | None, new: Report) -> list[Problem]:
    """A final report is read-only; leaving *final* needs a new reason."""
    if stored is None or stored.status != ReportStatus.FINAL:
        return []
    found: list[Problem] = []
    if new.status == ReportStatus.FINAL:
        for name in REPORT_CONTENT:
            if getattr(new, name) != getattr(stored, name):
                found.append(
                    Problem(
                        name,
                        "the report is final and read-only; reopen it with a reason to edit it",
                    )
                )
    elif not new.reopen_reason.strip() or new.reopen_reason == stored.reopen_reason:
        found.append(Problem("reopen_reason", "give the reason for reopening a final report"))
    return found
