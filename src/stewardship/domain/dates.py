"""Strict date handling: ISO 8601 calendar dates and UTC timestamps."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime

from .errors import Problem, ValidationError

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

Today = Callable[[], date]


def parse_date(value: object, field: str) -> date | None:
    """Read a ``YYYY-MM-DD`` date; ``None`` or an empty string mean no date.

    Anything else raises :class:`ValidationError` naming ``field``.
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        if _ISO_DATE.match(text):
            try:
                return date.fromisoformat(text)
            except ValueError:
                pass
        raise ValidationError(
            Problem(field, f"'{value}' is not a date; use YYYY-MM-DD, e.g. 2026-03-31")
        )
    raise ValidationError(Problem(field, f"expected a date, got {type(value).__name__}"))


def format_date(value: date | None) -> str:
    return value.isoformat() if value else ""


def utc_now() -> str:
    """Now, in UTC, as an ISO 8601 timestamp with seconds and a Z."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def system_today() -> date:
    """The local calendar date (a steward's "today" is local, not UTC)."""
    return date.today()
