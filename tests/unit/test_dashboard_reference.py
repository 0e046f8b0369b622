"""The dashboard, read from a few columns for speed, agrees with the domain's own reading.

``build_dashboard`` decides from stored text and light summaries; the reference
here reads full, validated ``Model`` records and applies the rules as written
(retirement date, 90-day window, notice policy per provider, late items).
"""

from __future__ import annotations

from datetime import date, timedelta

import hypothesis.strategies as st
from hypothesis import HealthCheck, given, settings

from stewardship.domain.lifecycle import RETIRED_STATES
from stewardship.domain.policy import NoticePolicy, assess_notice
from stewardship.domain.records import ChecklistItem, Model
from stewardship.services.dashboard import RECENT_DAYS, build_dashboard

TODAY = date(2026, 11, 28)
#: Dates around "today", with the edges of the rules (30, 90 days; the 90-day window) often.
offsets = st.one_of(
    st.integers(-400, 400),
    st.sampled_from([-RECENT_DAYS - 1, -RECENT_DAYS, -1, 0, 1, 30, 31, 90, 91]),
)
days = st.one_of(st.none(), offsets.map(lambda n: TODAY + timedelta(days=n)))


@st.composite
def a_model(draw: st.DrawFn, n: int) -> tuple[dict, list[tuple[int, str]]]:
    announced = draw(days)
    fields = {
        "slug": f"m{n}",
        "display_name": draw(st.sampled_from(["Alpha", "beta", "Gamma"])) + f" {n}",
        "provider": draw(st.sampled_from(["Meridian", "meridian ", "Orrery", "Tern"])),
        "state": draw(
            st.sampled_from(["active", "legacy", "deprecated", "retired", "retained_available"])
        ),
        "retirement_on": draw(days),
        "retirement_not_before": draw(days),
        "retired_on": draw(days),
        # another model's slug (perhaps a deleted one), or a slug no model has
        "replacement": draw(
            st.sampled_from(["", "m0", "m1", "m2", "elsewhere"]).filter(
                lambda slug: slug != f"m{n}"  # (a model cannot replace itself)
            )
        ),
    }
    if announced is not None:  # the record refuses a retirement before its announcement
        dates = [
            d
            for d in (
                fields["retirement_on"],
                fields["retirement_not_before"],
                fields["retired_on"],
            )
            if d is not None
        ]
        fields["deprecation_announced_on"] = min([announced, *dates])
    items = draw(
        st.lists(
            st.tuples(
                st.integers(-60, 60), st.sampled_from(["todo", "done", "blocked", "not_applicable"])
            ),
            max_size=4,
        )
    )
    return fields, items, draw(st.booleans().map(lambda b: b and n % 3 == 0))


def reference(store, today: date, policy: NoticePolicy) -> dict:
    models = store.list(Model)  # live models only; a deleted one's items count nowhere
    live = {m.id for m in models}
    items = [i for i in store.list(ChecklistItem) if i.model_id in live]
    names = {m.slug: m.display_name for m in models}
    rows = {}
    for m in models:
        retired = m.lifecycle in RETIRED_STATES
        when = (m.retired_on or m.planned_retirement) if retired else m.planned_retirement
        if when is None:
            continue
        left = (when - today).days
        if retired and left < -RECENT_DAYS:
            continue
        mine = [i for i in items if i.model_id == m.id]
        late = sum(1 for i in mine if not i.complete and i.due_date and i.due_date < today)
        notice = assess_notice(m, policy)
        rows[m.id] = (
            when,
            left,
            left < 0 and not retired,
            notice.shortfall_days,
            len(mine),
            sum(i.complete for i in mine),
            late,
            names.get(m.replacement, m.replacement),
        )
    open_dated = [m for m in models if m.lifecycle not in RETIRED_STATES and m.planned_retirement]
    return {
        "rows": rows,
        "retiring_30": sum(0 <= (m.planned_retirement - today).days <= 30 for m in open_dated),
        "retiring_90": sum(0 <= (m.planned_retirement - today).days <= 90 for m in open_dated),
        "violations": sum(assess_notice(m, policy).violates_policy for m in open_dated),
        "late": sum(1 for i in items if not i.complete and i.due_date and i.due_date < today),
        "total": len(models),
    }


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_dashboard_matches_the_domain_reading(store, data):
    store.conn.execute("DELETE FROM checklist_items")
    store.conn.execute("DELETE FROM models")
    store.conn.execute("DELETE FROM checklist_totals")
    for n in range(data.draw(st.integers(0, 12))):
        fields, items, deleted = data.draw(a_model(n))
        model = store.save(Model.from_dict(fields), "t")
        for k, (due, status) in enumerate(items):
            store.save(
                ChecklistItem(
                    model_id=model.id,
                    template_key=f"k{k}",
                    title="x",
                    due_date=TODAY + timedelta(days=due),
                    status=status,
                    not_applicable_reason="n/a",
                ),
                "t",
            )
        if deleted:
            store.delete(Model, model.id, "t")
    policy = NoticePolicy(default_days=60, per_provider={"MERIDIAN": 90, "Tern": 14})

    got = build_dashboard(store, TODAY, policy)
    want = reference(store, TODAY, policy)
    assert {
        r.model.id: (
            r.retirement,
            r.days_left,
            r.overdue,
            r.notice_shortfall,
            r.progress.total,
            r.progress.complete,
            r.progress.overdue,
            r.replacement_name,
        )
        for r in got.rows
    } == want["rows"]
    assert (
        got.retiring_30,
        got.retiring_90,
        got.notice_violations,
        got.overdue_items,
        got.models_total,
    ) == (want["retiring_30"], want["retiring_90"], want["violations"], want["late"], want["total"])
    assert [r.retirement for r in got.rows] == sorted(r.retirement for r in got.rows)
