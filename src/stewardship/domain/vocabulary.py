"""The controlled vocabularies of the records: checklists, statuses, sources, costs."""

from __future__ import annotations

from enum import StrEnum


class Checklist(StrEnum):
    WEIGHT_RETENTION = "weight_retention"
    POST_DEPLOYMENT_REPORT = "post_deployment_report"
    USER_MIGRATION = "user_migration"
    AVAILABILITY = "availability"


class ItemStatus(StrEnum):
    TODO = "todo"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    BLOCKED = "blocked"
    NOT_APPLICABLE = "not_applicable"


class RequestSource(StrEnum):
    MODEL_INTERVIEW = "model_interview"
    USER = "user"
    RESEARCHER = "researcher"
    STAFF = "staff"
    PARTNER = "partner"


class RequestCategory(StrEnum):
    CONTINUED_AVAILABILITY = "continued_availability"
    DEPLOYMENT_CONDITIONS = "deployment_conditions"
    FUTURE_DEVELOPMENT = "future_development"
    WELFARE = "welfare"
    OTHER = "other"


class RequestStatus(StrEnum):
    LOGGED = "logged"
    UNDER_REVIEW = "under_review"
    RESPONDED = "responded"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


#: A request in one of these states has been answered: it needs a response and its date.
ANSWERED_STATUSES = frozenset({RequestStatus.RESPONDED, RequestStatus.DECLINED})


class Cost(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class ReportStatus(StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    FINAL = "final"


#: Stored words a person spells differently (a status, or part of a field name).
_WORDS = {"todo": "to do", "url": "URL", "sha256": "SHA-256", "id": "ID", "api": "API"}


def label(value: str) -> str:
    """A stored enum value or field name as a person reads it: ``in_progress`` ->
    ``In progress``, ``todo`` -> ``To do``, ``evidence_url`` -> ``Evidence URL``."""
    text = " ".join(_WORDS.get(word, word) for word in str(value).split("_"))
    return text[:1].upper() + text[1:]


def plural(count: int, noun: str) -> str:
    """``1 model``, ``2 models``: ``noun`` is the plural (``models``, ``calendar events``)."""
    if count == 1 and noun.endswith("s"):
        noun = noun[:-1]
    return f"{count} {noun}"
