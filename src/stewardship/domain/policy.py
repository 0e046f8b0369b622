"""Organisation policies: how much warning users get before a model retires, and how
often an archive copy of a model's weights must be verified."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Protocol

DEFAULT_NOTICE_DAYS = 60

#: The default number of days between verifications of a weights copy (organisation
#: defaults can change it).
DEFAULT_VERIFY_EVERY_DAYS = 365


@dataclass(frozen=True)
class NoticePolicy:
    """Minimum notice, in days, per provider (case-insensitive), else the default."""

    default_days: int = DEFAULT_NOTICE_DAYS
    per_provider: dict[str, int] = field(default_factory=dict)

    def required_days(self, provider: str) -> int:
        return self._by_provider.get(provider.strip().lower(), self.default_days)

    @cached_property
    def _by_provider(self) -> dict[str, int]:
        """``per_provider`` keyed by the trimmed, lower-cased name (the first entry wins)."""
        keyed: dict[str, int] = {}
        for name, days in self.per_provider.items():
            keyed.setdefault(name.strip().lower(), days)
        return keyed


class NoticeSubject(Protocol):
    """What notice is measured on: a model record, or the dashboard's summary of one."""

    provider: str
    deprecation_announced_on: date | None

    @property
    def planned_retirement(self) -> date | None: ...


@dataclass(frozen=True)
class NoticeAssessment:
    """Whether a model's announced notice meets the policy.

    ``given_days`` is None when there is nothing to measure yet (no
    announcement or no retirement date); such a model neither meets nor
    breaks the policy.
    """

    required_days: int
    given_days: int | None

    @property
    def measurable(self) -> bool:
        return self.given_days is not None

    @property
    def shortfall_days(self) -> int:
        if self.given_days is None:
            return 0
        return max(0, self.required_days - self.given_days)

    @property
    def meets_policy(self) -> bool:
        return self.measurable and self.shortfall_days == 0

    @property
    def violates_policy(self) -> bool:
        return self.shortfall_days > 0


def assess_notice(model: NoticeSubject, policy: NoticePolicy) -> NoticeAssessment:
    """Days from the deprecation announcement to the planned retirement, against policy."""
    required = policy.required_days(model.provider)
    retirement = model.planned_retirement
    if model.deprecation_announced_on is None or retirement is None:
        return NoticeAssessment(required, None)
    return NoticeAssessment(required, (retirement - model.deprecation_announced_on).days)
