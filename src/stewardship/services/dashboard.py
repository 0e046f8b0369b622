"""What the dashboard shows: upcoming and recent retirements, and the summary cards.

The dashboard is what start-up paints first, so it reads from SQLite only the
columns it shows and builds a light :class:`ModelSummary` only for the models
it shows or counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from ..domain.lifecycle import RETIRED_STATES, LifecycleState
from ..domain.policy import DEFAULT_VERIFY_EVERY_DAYS, NoticePolicy, assess_notice
from ..domain.progress import Progress as ChecklistProgress
from ..store import Store
from ..store.queries_checklists import overdue_count, overdue_of_model
from ..store.queries_models import (
    dashboard_rows,
    live_model_count,
    live_name,
    live_names,
)
from ..store.queries_weights import copy_rows
from .model_summary import SUMMARY_COLUMNS, SUMMARY_WIDTH, ModelSummary

#: Retired models stay on the dashboard this long after their retirement.
RECENT_DAYS = 90

_RETIRED_VALUES = frozenset(state.value for state in RETIRED_STATES)


class LateItems:
    """Each model's open checklist items past their due date, counted when first asked.

    The dashboard paints a screenful of rows, and a row's late items show only in its
    Checklists cell: counting them for every model at once cost 25-45 ms of start-up on
    10,000 models, one model's costs a few microseconds (an index of items by model).
    """

    def __init__(self, store: Store, today: date) -> None:
        self._store = store
        self._today = today
        self._counted: dict[str, int] = {}

    def __call__(self, model_id: str) -> int:
        found = self._counted.get(model_id)
        if found is None:
            found = self._counted[model_id] = overdue_of_model(self._store, model_id, self._today)
        return found


class ModelNames:
    """Live models' display names by slug, for naming a row's replacement.

    Read a slug at a time while only the rows on screen ask (reading every model's
    name cost 10-15 ms of start-up on 10,000 models), then all at once when a whole
    list asks (a filter's search texts).
    """

    #: single reads before the rest are read at once
    ONE_BY_ONE = 64

    def __init__(self, store: Store) -> None:
        self._store = store
        self._names: dict[str, str] = {}
        self._asked = 0
        self._all = False

    def __call__(self, slug: str) -> str:
        """The name of the model ``slug`` names, else the slug as typed."""
        if not slug:
            return ""
        name = self._names.get(slug)
        if name is None and not self._all:
            self._asked += 1
            if self._asked > self.ONE_BY_ONE:
                self._names.update(live_names(self._store))
                self._all = True
                name = self._names.get(slug)
            else:
                name = self._names[slug] = live_name(self._store, slug) or ""
        return name or slug


@dataclass(slots=True)
class DashboardRow:
    model: ModelSummary
    retirement: date | None
    days_left: int | None
    overdue: bool
    notice_given: int | None
    notice_required: int
    notice_shortfall: int
    #: checklist items in total, and complete (done or not applicable)
    checklist_total: int
    checklist_complete: int
    late_items: LateItems
    names: ModelNames
    #: "failed" or "overdue" when an archive copy's verification failed or is overdue
    weights: str = ""

    @property
    def replacement_name(self) -> str:
        """The replacement as the dashboard shows it: its model's name, or the slug as typed."""
        return self.names(self.model.replacement)

    @property
    def progress(self) -> ChecklistProgress:
        """Items in total, complete, and late (counted for this row when first asked)."""
        total, complete = self.checklist_total, self.checklist_complete
        late = self.late_items(self.model.id) if complete < total else 0
        return ChecklistProgress(total, complete, late)

    @property
    def checklist_fraction(self) -> float | None:
        """Items complete of those in total; None when the model has no checklist items."""
        total = self.checklist_total
        return self.checklist_complete / total if total else None

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
    weights = weights_alerts(store, today, verify_every_days)
    # The store picks the models shown (a date, and not retired long ago; or a weights
    # alert), so that the other half of a large store is never read into Python.
    listed = dashboard_rows(
        store,
        SUMMARY_COLUMNS,
        retired_states=sorted(_RETIRED_VALUES),
        retired_since=(today - timedelta(days=RECENT_DAYS)).isoformat(),
        also_ids=list(weights),
    )
    late = LateItems(store, today)
    names = ModelNames(store)
    rows: list[DashboardRow] = []
    add = rows.append
    within_30 = within_90 = violations = 0
    for row in listed:
        model = ModelSummary(row[:SUMMARY_WIDTH])
        retired = row[5] in _RETIRED_VALUES
        planned = model.retirement_on or model.retirement_not_before
        when = (model.retired_on or planned) if retired else planned
        days = (when - today).days if when else None
        notice = assess_notice(model, policy)
        shortfall = notice.shortfall_days
        if days is not None and not retired:  # (a row shown for its weights alone has no date)
            within_30 += 0 <= days <= 30
            within_90 += 0 <= days <= 90
            violations += shortfall > 0
        # Positional, in field order: keywords cost 3 us a row here (15 ms on 4,839 rows).
        add(
            DashboardRow(
                model,
                when,  # retirement
                days,  # days_left
                days is not None and days < 0 and not retired,  # overdue
                notice.given_days,
                notice.required_days,
                shortfall,
                row[SUMMARY_WIDTH],  # checklist_total
                row[SUMMARY_WIDTH + 1],  # checklist_complete
                late,
                names,
                weights.get(model.id, ""),
            )
        )
    rows.sort(key=lambda r: (r.retirement or date.max, r.model.display_name.lower()))
    return Dashboard(
        today=today,
        rows=rows,
        retiring_30=within_30,
        retiring_90=within_90,
        overdue_items=overdue_count(store, today),
        notice_violations=violations,
        models_total=live_model_count(store),
        weights_alerts=len(weights),
    )
