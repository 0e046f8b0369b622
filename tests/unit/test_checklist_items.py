from datetime import date

import pytest

from stewardship.domain.checklists import RetirementGateError, progress
from stewardship.domain.errors import ValidationError
from stewardship.domain.records import ChecklistItem, Model
from stewardship.services.checklists import ChecklistService
from stewardship.services.dashboard import build_dashboard
from stewardship.services.models import GATE_OVERRIDE_FIELD, ModelService

DIGEST = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"


def item(**kw) -> ChecklistItem:
    return ChecklistItem(model_id="m1", title="Restore test done", **kw)


def fields(it: ChecklistItem) -> dict[str, str]:
    return {p.field: p.reason for p in it.problems()}


def test_not_applicable_needs_a_reason():
    assert "not_applicable_reason" in fields(item(status="not_applicable"))
    assert fields(item(status="not_applicable", not_applicable_reason="internal only")) == {}


def test_sign_off_needs_done_and_evidence_where_the_template_asks():
    signed = {"signed_off_by": "Ana", "signed_off_at": "2026-11-20T10:00:00Z"}
    assert "only a done item" in fields(item(status="in_progress", **signed))["signed_off_by"]
    needs = item(status="done", evidence_required=True, **signed)
    assert "needs evidence before sign-off" in fields(needs)["signed_off_by"]
    for proof in (
        {"evidence": "restored on 20 Nov"},
        {"evidence_url": "https://x.example/r"},
        {"evidence_sha256": DIGEST},
    ):
        assert fields(needs.replace(**proof)) == {}, proof
    assert fields(item(status="done", evidence_required=False, **signed)) == {}
    assert "signed_off_at" in fields(item(status="done", signed_off_by="Ana"))
    assert (
        "not a time"
        in fields(item(status="done", signed_off_by="Ana", signed_off_at="yesterday"))[
            "signed_off_at"
        ]
    )


@pytest.mark.parametrize(
    ("digest", "ok"),
    [
        (DIGEST, True),
        (DIGEST.upper(), True),
        (DIGEST[:-1], False),
        (DIGEST + "0", False),
        (DIGEST[:-1] + "g", False),
        ("", True),
    ],
)
def test_digest_must_be_64_hex_characters(digest, ok):
    problems = fields(item(evidence_sha256=digest))
    assert ("evidence_sha256" not in problems) is ok
    if not ok:
        assert "64 hexadecimal characters" in problems["evidence_sha256"]


def test_evidence_file_needs_its_digest_and_urls_need_a_scheme():
    assert (
        "digest has not been computed" in fields(item(evidence_file="/tmp/x.bin"))["evidence_file"]
    )
    assert "scheme" in fields(item(evidence_url="weights bucket"))["evidence_url"]
    assert fields(item(evidence_url="s3://bucket/halcyon-1/")) == {}


def new_model(ctx, **kw) -> Model:
    data = {
        "slug": "kestrel-4",
        "display_name": "Kestrel 4",
        "provider": "Meridian",
        "state": "deprecated",
        "deprecation_announced_on": "2026-09-01",
        "retirement_on": "2026-12-31",
    }
    data.update(kw)
    return ModelService(ctx.store, ctx.who).save(Model.from_dict(data))


def test_a_new_model_gets_its_checklists_once(ctx):
    model = new_model(ctx)
    service = ChecklistService(ctx.store, ctx.who)
    items = service.items(model.id)
    assert len(items) == 22
    assert {i.checklist for i in items} == {
        "weight_retention",
        "post_deployment_report",
        "user_migration",
        "availability",
    }
    restore = next(i for i in items if i.template_key == "weight_retention.restore_test_done")
    assert restore.due_date == date(2026, 12, 28) and restore.required and restore.evidence_required
    assert service.ensure(model) == []
    assert len(service.groups(model, date(2026, 11, 28))) == 4
    assert ctx.store.count(ChecklistItem) == 22, "reopening adds nothing"


def test_opening_a_model_without_items_creates_them(ctx):
    model = ctx.store.save(Model(slug="old", display_name="Old", provider="P"), "t")
    service = ChecklistService(ctx.store, ctx.who)
    assert service.items(model.id) == []
    groups = service.groups(model, date(2026, 11, 28))
    assert [g.progress.total for g in groups] == [7, 8, 5, 2]
    service.groups(model, date(2026, 11, 28))
    assert ctx.store.count(ChecklistItem) == 22


def test_due_dates_follow_the_model_unless_set_by_hand(ctx):
    model = new_model(ctx, state="active", deprecation_announced_on="", retirement_on="")
    service = ChecklistService(ctx.store, ctx.who)
    by_key = {i.template_key: i for i in service.items(model.id)}
    assert by_key["availability.access_request_channel"].due_date is None
    hand = service.save(
        by_key["availability.limited_availability_decision"].replace(due_date=date(2026, 12, 1))
    )
    ModelService(ctx.store, ctx.who).save(
        model.replace(
            state="deprecated",
            deprecation_announced_on=date(2026, 11, 1),
            retirement_on=date(2027, 2, 1),
        )
    )
    by_key = {i.template_key: i for i in service.items(model.id)}
    assert by_key["availability.access_request_channel"].due_date == date(2027, 1, 2)
    assert by_key["availability.limited_availability_decision"].due_date == hand.due_date


def test_retirement_is_refused_while_required_items_are_open(ctx):
    model = new_model(ctx)
    models = ModelService(ctx.store, ctx.who)
    with pytest.raises(RetirementGateError) as caught:
        models.save(model.replace(state="retired", retired_on=date(2026, 12, 31)))
    assert len(caught.value.open_items) == 19, "the report write-up is not a gate"
    assert "Weight retention: Restore test done (to do)" in str(caught.value)
    assert models.get(model.id).state == "deprecated", "nothing was saved"

    service = ChecklistService(ctx.store, ctx.who)
    for it in service.items(model.id):
        if it.required:
            status = "not_applicable" if it.checklist == "availability" else "done"
            service.save(it.replace(status=status, not_applicable_reason="internal model"))
    retired = models.save(model.replace(state="retired", retired_on=date(2026, 12, 31)))
    assert retired.state == "retired"
    assert not any(h["field"] == GATE_OVERRIDE_FIELD for h in ctx.store.history(model.id))


def test_an_override_reason_retires_anyway_and_is_audited(ctx):
    model = new_model(ctx)
    models = ModelService(ctx.store, ctx.who)
    with pytest.raises(RetirementGateError):
        models.save(model.replace(state="retired"), override_reason="   ")
    saved = models.save(
        model.replace(state="retired"),
        override_reason="Legal deadline; restore test booked for 5 Jan",
    )
    assert saved.state == "retired"
    entry = next(h for h in ctx.store.history(model.id) if h["field"] == GATE_OVERRIDE_FIELD)
    assert entry["new"] == "Legal deadline; restore test booked for 5 Jan"
    assert entry["who"] == "Test Steward"
    assert "Restore test done" in entry["old"] and "19 required" in entry["note"]
    # moving between the retired states is not a new retirement
    assert models.save(saved.replace(state="retained_available")).state == "retained_available"


def test_item_history_shows_who_changed_what(ctx):
    model = new_model(ctx)
    service = ChecklistService(ctx.store, ctx.who)
    it = next(
        i for i in service.items(model.id) if i.template_key == "weight_retention.digests_recorded"
    )
    it = service.save(it.replace(status="done", evidence_sha256=DIGEST.upper()))
    assert it.evidence_sha256 == DIGEST, "digests are stored in lower case"
    service.sign_off(it)
    history = service.history(it.id)
    assert history[0]["field"] in {"signed_off_by", "signed_off_at"}
    assert history[0]["note"] == "signed off"
    status = next(h for h in history if h["field"] == "status")
    assert (status["old"], status["new"], status["who"]) == ("todo", "done", "Test Steward")
    assert history[-1]["field"] == "(created)"
    with pytest.raises(ValidationError, match="only a done item"):
        service.save(
            service.items(model.id)[0].replace(
                signed_off_by="x", signed_off_at="2026-11-28T10:00:00Z"
            )
        )


def test_dashboard_progress_and_overdue_with_real_items(ctx, today):
    model = new_model(ctx)  # retires 2026-12-31
    service = ChecklistService(ctx.store, ctx.who)
    items = {i.template_key: i for i in service.items(model.id)}
    # due 2026-11-01 (-60): one done, one late; due 2026-11-16 (-45): not applicable
    service.save(items["user_migration.notice_published"].replace(status="done"))
    service.save(
        items["user_migration.migration_guide_published"].replace(
            status="not_applicable", not_applicable_reason="API unchanged"
        )
    )
    d = build_dashboard(ctx.store, today, ctx.policy)
    row = next(r for r in d.rows if r.model.id == model.id)
    # overdue on 2026-11-28: partners_notified (11-01), timetable (11-16), interviews (11-16)
    assert (row.progress.total, row.progress.complete, row.progress.overdue) == (22, 2, 3)
    assert d.overdue_items == 3
    assert progress(service.items(model.id), today).overdue == 3
    assert build_dashboard(ctx.store, date(2026, 11, 1), ctx.policy).overdue_items == 0
    ctx.store.delete(Model, model.id, "t")
    assert build_dashboard(ctx.store, today, ctx.policy).overdue_items == 0, (
        "items of a deleted model do not count"
    )


def test_demo_models_have_realistic_checklist_progress(demo_ctx, today):
    d = build_dashboard(demo_ctx.store, today, demo_ctx.policy)
    progress_of = {r.model.slug: r.progress for r in d.rows}
    assert progress_of["tern-small-0.9"].complete == progress_of["tern-small-0.9"].total == 22
    assert progress_of["kestrel-code-1"].overdue == 10, "the slipped retirement has overdue items"
    assert 0 < progress_of["halcyon-2"].complete < 22
    assert d.overdue_items == 21
    items = demo_ctx.store.list(ChecklistItem)
    assert len(items) == 12 * 22
    signed = [i for i in items if i.signed_off]
    assert signed and all(i.status == "done" for i in signed)
    assert all(i.has_evidence() for i in signed if i.evidence_required)
    assert any(i.evidence_sha256 for i in signed)
    assert not any(i.problems() for i in items)
