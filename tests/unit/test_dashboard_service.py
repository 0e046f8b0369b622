from datetime import date

from stewardship.domain.policy import NoticePolicy
from stewardship.domain.records import ChecklistItem, Model
from stewardship.services.dashboard import build_dashboard, countdown_text
from stewardship.services.demo import demo_models


def add(store, **kw) -> Model:
    base = {"slug": kw["display_name"].lower().replace(" ", "-"), "provider": "Meridian"}
    base.update(kw)
    return store.save(Model.from_dict(base), "t")


def test_rows_countdowns_and_overdue_against_a_fixed_today(store, today):
    add(
        store,
        display_name="Soon",
        state="deprecated",
        deprecation_announced_on="2026-10-01",
        retirement_on="2026-12-08",
    )
    add(
        store,
        display_name="Slipped",
        state="deprecated",
        deprecation_announced_on="2026-06-01",
        retirement_on="2026-11-25",
    )
    add(
        store,
        display_name="Gone",
        state="retired",
        deprecation_announced_on="2026-06-01",
        retirement_on="2026-10-29",
        retired_on="2026-10-29",
    )
    add(
        store,
        display_name="Long ago",
        state="retired",
        deprecation_announced_on="2024-01-01",
        retirement_on="2024-06-01",
        retired_on="2024-06-01",
    )
    add(store, display_name="Undated", state="active")

    d = build_dashboard(store, today, NoticePolicy())
    by_name = {r.model.display_name: r for r in d.rows}
    assert [r.model.display_name for r in d.rows] == ["Gone", "Slipped", "Soon"], "sorted by date"
    assert by_name["Soon"].days_left == 10 and by_name["Soon"].countdown == "in 10 days"
    assert by_name["Slipped"].overdue and by_name["Slipped"].countdown == "3 days overdue"
    assert not by_name["Gone"].overdue and by_name["Gone"].countdown == "retired 30 days ago"
    assert d.retiring_30 == 1 and d.retiring_90 == 1
    assert d.models_total == 5


def test_countdown_wording():
    from stewardship.domain.lifecycle import LifecycleState as S

    assert countdown_text(1, S.DEPRECATED) == "tomorrow"
    assert countdown_text(0, S.DEPRECATED) == "today"
    assert countdown_text(-1, S.DEPRECATED) == "1 day overdue"
    assert countdown_text(None, S.ACTIVE) == "no date"


def test_notice_violations_and_overdue_items_are_counted(store, today):
    short = add(
        store,
        display_name="Short",
        state="deprecated",
        deprecation_announced_on="2026-11-01",
        retirement_on="2026-12-01",
    )
    add(
        store,
        display_name="Fine",
        state="deprecated",
        deprecation_announced_on="2026-09-01",
        retirement_on="2026-12-01",
    )
    for key, due, status in [
        ("a", "2026-11-01", "todo"),
        ("b", "2026-11-01", "done"),
        ("c", "2026-12-30", "todo"),
        ("d", "2026-11-27", "blocked"),
    ]:
        store.save(
            ChecklistItem(
                model_id=short.id,
                template_key=key,
                title=key,
                due_date=date.fromisoformat(due),
                status=status,
            ),
            "t",
        )
    d = build_dashboard(store, today, NoticePolicy())
    assert d.notice_violations == 1
    assert d.overdue_items == 2
    row = next(r for r in d.rows if r.model.id == short.id)
    assert (row.progress.total, row.progress.complete, row.progress.overdue) == (4, 1, 2)
    assert row.notice_shortfall == 30 and "30 short of 60" in row.notice_text


def test_demo_dates_are_relative_to_today(today):
    models = {m.slug: m for m in demo_models(today)}
    assert models["halcyon-2"].retirement_on == date(2026, 12, 10)
    later = {m.slug: m for m in demo_models(date(2027, 1, 1))}
    assert later["halcyon-2"].retirement_on == date(2027, 1, 13)


def test_the_recent_window_edge_and_what_still_counts_off_the_table(store, today):
    add(
        store,
        display_name="Ninety",
        state="retired",
        retirement_on="2026-08-30",
        retired_on="2026-08-30",
    )  # 90 days before 2026-11-28: still shown
    old = add(
        store,
        display_name="Ninety-one",
        state="retired",
        retirement_on="2026-08-29",
        retired_on="2026-08-29",
    )
    add(store, display_name="Year late", state="deprecated", retirement_on="2025-11-28")
    add(
        store,
        display_name="Tentative",
        state="deprecated",
        deprecation_announced_on="2026-11-01",
        retirement_not_before="2026-12-20",
    )
    store.save(
        ChecklistItem(
            model_id=old.id, template_key="k", title="k", due_date=date(2026, 9, 1), status="todo"
        ),
        "t",
    )

    d = build_dashboard(store, today, NoticePolicy())
    by_name = {r.model.display_name: r for r in d.rows}
    assert set(by_name) == {"Ninety", "Year late", "Tentative"}
    assert by_name["Ninety"].countdown == "retired 90 days ago"
    assert by_name["Year late"].overdue and by_name["Year late"].countdown == "365 days overdue"
    assert by_name["Tentative"].days_left == 22 and by_name["Tentative"].notice_shortfall == 11
    assert d.notice_violations == 1 and d.retiring_30 == 1
    assert d.overdue_items == 1, "a model off the table still has its late items counted"
    assert d.models_total == 4


def test_replacements_are_named_whether_read_one_by_one_or_all_at_once(store, today):
    """A row's replacement shows its model's name: read a slug at a time for the rows on
    screen, then every name at once when a whole list asks (a filter's search texts)."""
    from stewardship.services.dashboard import ModelNames

    count = ModelNames.ONE_BY_ONE + 20
    for n in range(count):
        add(store, slug=f"new-{n}", display_name=f"New {n}")
        add(
            store,
            slug=f"old-{n}",
            display_name=f"Old {n}",
            state="deprecated",
            retirement_on="2027-01-15",
            replacement=f"new-{n}" if n % 10 else "nowhere",  # every tenth names no model
        )
    gone = add(store, slug="gone", display_name="Gone")
    store.delete(Model, gone.id, "t")
    add(store, display_name="Last", retirement_on="2027-02-01", replacement="gone")

    rows = build_dashboard(store, today, NoticePolicy()).rows
    shown = {r.model.slug: r.replacement_name for r in rows}  # every row asks: both paths
    want = {f"old-{n}": f"New {n}" if n % 10 else "nowhere" for n in range(count)}
    want["last"] = "gone"  # a deleted model is not named: the slug as typed
    assert shown == want
