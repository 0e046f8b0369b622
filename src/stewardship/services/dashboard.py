"""What the dashboard shows: upcoming and recent retirements, and the summary cards.

The dashboard is what start-up paints first, so it reads from SQLite only the
columns it shows and builds a light :class:`ModelSummary` only for the models
it shows or counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from ..domain.lifecycle import RETIRED_STATES, LifecycleState
from ..domain.policy import NoticePolicy, assess_notice
from ..domain.progress import Progress as ChecklistProgress
from ..domain.weights import DEFAULT_VERIFY_EVERY_DAYS
from ..store import Store
from ..store.queries_checklists import overdue_by_model, totals_by_model
from ..store.queries_weights import copy_rows
from .model_summary import ModelSummary, name_replacements, summary_rows

#: Retired models stay on the dashboard this long after their retirement.
RECENT_DAYS = 90

_RETIRED_VALUES = frozenset(state.value for state in RETIRED_STATES)


@dataclass(slots=True)
class DashboardRow:
    model: ModelSummary
    retirement: date | None
    days_left: int | None
    overdue: bool
    notice_given: int | None
    notice_required: int
    notice_shortfall: int
    progress: ChecklistProgress
    #: "failed" or "overdue" when an archive copy's verification failed or is overdue
    weights: str = ""

    @property
    def alert(self) -> bool:
        """Shown in red: retirement date passed unretired, or the weights are not proven."""
        return self.overdue or bool(self.weights)

    @property
    def weights_text(self) -> str:
        return f"weights verification {self.weights}" if self.weights else ""

    @property
    def countdown(self) -> str:
        return countdown_text(self.days_left, self.model.lifecycle)

    @property
    def notice_text(self) -> str:
        if self.notice_given is None:
            return "not announced" if self.model.deprecation_announced_on is None else "no date"
        text = f"{self.notice_given} days"
        if self.notice_shortfall:
            text += f" ({self.notice_shortfall} short of {self.notice_required})"
        return text


@dataclass(frozen=True)
class Dashboard:
    today: date
    rows: list[DashboardRow]
    retiring_30: int
    retiring_90: int
    overdue_items: int
    notice_violations: int
    models_total: int
    #: models with an archive copy whose verification failed or is overdue
    weights_alerts: int = 0


def countdown_text(days_left: int | None, state: LifecycleState) -> str:
    if days_left is None:
        return "no date"
    retired = state in RETIRED_STATES
    if days_left > 1:
        return f"in {days_left} days"
    if days_left == 1:
        return "tomorrow"
    if days_left == 0:
        return "retired today" if retired else "today"
    ago = -days_left
    unit = "day" if ago == 1 else "days"
    return f"retired {ago} {unit} ago" if retired else f"{ago} {unit} overdue"


def checklist_counts(
    store: Store, today: date
) -> tuple[dict[str, tuple[int, int]], dict[str, int]]:
    """Per model: (items in total, complete) and items overdue, as the store counts them.

    Totals come from ``checklist_totals`` (kept by triggers); overdue items are
    counted through the partial index of open items with a due date.
    """
    return totals_by_model(store), overdue_by_model(store, today)


def weights_alerts(store: Store, today: date, every_days: int) -> dict[str, str]:
    """Model id -> "failed" or "overdue" for models whose copies are not proven.

    The rule of :func:`~stewardship.domain.weights.copy_status`, on the stored
    ISO text (dates sort as text), so 20,000 copies cost a few tens of ms.
    """
    found: dict[str, str] = {}
    today_text = today.isoformat()
    passed_before = (today - timedelta(days=every_days)).isoformat()
    for row in copy_rows(store):
        if row.last_outcome == "failed":
            found[row.model_id] = "failed"
        elif row.last_outcome == "passed":
            if row.last_at[:10] < passed_before:
                found.setdefault(row.model_id, "overdue")
        elif row.added_at[:10] < today_text:  # never verified: due the day it was added
            found.setdefault(row.model_id, "overdue")
    return found


def build_dashboard(
    store: Store,
    today: date,
    policy: NoticePolicy,
    *,
    verify_every_days: int = DEFAULT_VERIFY_EVERY_DAYS,
) -> Dashboard:
    stored = summary_rows(store)
    weights = weights_alerts(store, today, verify_every_days)
    totals, overdue_by_model = checklist_counts(store, today)
    long_ago = (today - timedelta(days=RECENT_DAYS)).isoformat()
    rows: list[DashboardRow] = []
    within_30 = within_90 = violations = 0
    for row in stored:
        # Decided on the stored text first (ISO dates sort as text), so that models
        # with no date, or retired long ago, cost no summary (half of a large store).
        retired = row[5] in _RETIRED_VALUES
        planned_text = row[8] or row[7]
        when_text = (row[9] or planned_text) if retired else planned_text
        alert = weights.get(row[0], "")
        if not alert and (not when_text or (retired and when_text < long_ago)):
            continue  # not shown; not counted; no notice to measure
        model = ModelSummary(row)
        when = date.fromisoformat(when_text) if when_text else None
        days = (when - today).days if when else None
        notice = assess_notice(model, policy)
        if days is not None and not retired:  # (a row shown for its weights alone has no date)
            within_30 += 0 <= days <= 30
            within_90 += 0 <= days <= 90
            violations += notice.violates_policy
        rows.append(
            DashboardRow(
                model=model,
                retirement=when,
                days_left=days,
                overdue=days is not None and days < 0 and not retired,
                notice_given=notice.given_days,
                notice_required=notice.required_days,
                notice_shortfall=notice.shortfall_days,
                progress=ChecklistProgress(
                    *totals.get(model.id, (0, 0)), overdue_by_model.get(model.id, 0)
                ),
                weights=alert,
            )
        )
    name_replacements([r.model for r in rows], {row[1]: row[2] for row in stored})
    rows.sort(key=lambda r: (r.retirement or date.max, r.model.display_name.lower()))
    return Dashboard(
        today=today,
        rows=rows,
        retiring_30=within_30,
        retiring_90=within_90,
        overdue_items=sum(overdue_by_model.get(row[0], 0) for row in stored),
        notice_violations=violations,
        models_total=len(stored),
        weights_alerts=len(weights),
    )
