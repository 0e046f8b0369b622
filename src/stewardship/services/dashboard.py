"""What the dashboard shows: upcoming and recent retirements, and the summary cards."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..domain.checklists import Progress as ChecklistProgress
from ..domain.lifecycle import RETIRED_STATES, LifecycleState
from ..domain.policy import NoticePolicy, assess_notice
from ..domain.records import Model
from ..store import Store

#: Retired models stay on the dashboard this long after their retirement.
RECENT_DAYS = 90


@dataclass(frozen=True)
class DashboardRow:
    model: Model
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


def checklist_progress(store: Store, today: date) -> dict[str, ChecklistProgress]:
    """Per model: items in total, complete (done or not applicable), and overdue.

    Totals come from ``checklist_totals`` (kept by triggers); overdue items are
    counted through the partial index of open items with a due date.
    """
    conn = store.db.conn
    late = dict(conn.execute(
        """
        SELECT model_id, count(*) FROM checklist_items
        WHERE deleted = 0 AND status NOT IN ('done', 'not_applicable')
          AND due_date < ? AND due_date IS NOT NULL AND due_date != ''
        GROUP BY model_id
        """,
        (today.isoformat(),),
    ).fetchall())
    return {
        mid: ChecklistProgress(total, complete, late.get(mid, 0))
        for mid, total, complete in conn.execute(
            "SELECT model_id, total, complete FROM checklist_totals WHERE total > 0")
    }


def build_dashboard(store: Store, today: date, policy: NoticePolicy) -> Dashboard:
    models = store.list(Model)
    progress = checklist_progress(store, today)
    rows: list[DashboardRow] = []
    within_30 = within_90 = violations = 0
    for model in models:
        notice = assess_notice(model, policy)
        retired = model.lifecycle in RETIRED_STATES
        when = (model.retired_on or model.planned_retirement) if retired else model.planned_retirement
        days = (when - today).days if when else None
        if notice.violates_policy and not retired:
            violations += 1
        if days is not None and not retired:
            within_30 += 0 <= days <= 30
            within_90 += 0 <= days <= 90
        recent = days is not None and days >= -RECENT_DAYS
        late = days is not None and days < 0 and not retired
        if when is None or not (recent or late):
            continue
        rows.append(
            DashboardRow(
                model=model,
                retirement=when,
                days_left=days,
                overdue=late,
                notice_given=notice.given_days,
                notice_required=notice.required_days,
                notice_shortfall=notice.shortfall_days,
                progress=progress.get(model.id, ChecklistProgress()),
            )
        )
    rows.sort(key=lambda r: (r.retirement or date.max, r.model.display_name.lower()))
    return Dashboard(
        today=today,
        rows=rows,
        retiring_30=within_30,
        retiring_90=within_90,
        overdue_items=sum(progress[m.id].overdue for m in models if m.id in progress),
        notice_violations=violations,
        models_total=len(models),
    )
