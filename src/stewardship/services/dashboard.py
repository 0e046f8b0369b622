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
from ..store import Store
from ..store.queries_checklists import overdue_by_model, totals_by_model
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


def build_dashboard(store: Store, today: date, policy: NoticePolicy) -> Dashboard:
    stored = summary_rows(store)
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
        if not when_text or (retired and when_text < long_ago):
            continue  # not shown; not counted; no notice to measure
        model = ModelSummary(row)
        when = date.fromisoformat(when_text)
        days = (when - today).days
        notice = assess_notice(model, policy)
        if not retired:
            within_30 += 0 <= days <= 30
            within_90 += 0 <= days <= 90
            violations += notice.violates_policy
        rows.append(
            DashboardRow(
                model=model,
                retirement=when,
                days_left=days,
                overdue=days < 0 and not retired,
                notice_given=notice.given_days,
                notice_required=notice.required_days,
                notice_shortfall=notice.shortfall_days,
                progress=ChecklistProgress(
                    *totals.get(model.id, (0, 0)), overdue_by_model.get(model.id, 0)
                ),
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
    )
