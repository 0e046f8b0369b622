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


def label(value: str) -> str:
    """A stored enum value as a person reads it: ``in_progress`` -> ``In progress``."""
    text = str(value).replace("_", " ")
    return text[:1].upper() + text[1:]
