import hashlib

from stewardship.domain.records import Interview, Model, Report
from stewardship.ui.reports_view import ReportsView


def make_view(qtbot, ctx) -> ReportsView:
    view = ReportsView(ctx)
    qtbot.addWidget(view)
    view.refresh()
    return view


def model(ctx, slug: str) -> Model:
    return next(m for m in ctx.store.list(Model) if m.slug == slug)


def test_the_demo_draft_opens_first_with_its_header_and_links(qtbot, demo_ctx):
    view = make_view(qtbot, demo_ctx)
    editor = view.editor
    assert editor.model.slug == "halcyon-1"
    assert editor.heading.text() == "Report: Halcyon 1"
    assert "Retired, kept available" in editor.header.text()
    assert "Halcyon 1 singled out" in editor.sections["reflections"].toPlainText()
    digest = demo_ctx.store.list(Interview, "model_id = ?", (editor.model.id,))[0].transcript_sha256
    assert digest in editor.linked.text() and "Requests (2)" in editor.linked.text()
    assert editor.status.currentData() == "draft" and not editor.save_button.isEnabled()


def test_finalising_needs_every_section_then_locks_until_reopened(qtbot, demo_ctx):
    view = make_view(qtbot, demo_ctx)
    editor = view.editor
    editor.status.setCurrentIndex(editor.status.findData("final"))
    assert not editor.save_button.isEnabled()
    assert "every section" in editor.errors["interpretation"].text()
    qtbot.keyClicks(
        editor.sections["interpretation"], "The team adds both requests to the protocol."
    )
    assert editor.save_button.isEnabled(), editor.summary.text()
    editor.save_button.click()
    report = demo_ctx.store.get(Report, editor.original.id)
    assert report.status == "final"
    assert editor.sections["interpretation"].isReadOnly()
    assert editor.reviewers.isReadOnly() and not editor.status.isEnabled()
    assert editor.reopen_button.isVisibleTo(view) and editor.banner.isVisibleTo(editor)

    editor.reopen("Reviewer found a misquote")
    assert not editor.sections["interpretation"].isReadOnly()
    assert editor.status.currentData() == "in_review"
    assert "Reviewer found a misquote" in editor.banner.text()
    notes = [h["note"] for h in demo_ctx.store.history(report.id) if h["field"] == "status"]
    assert notes[-1] == "reopened: Reviewer found a misquote"
    assert view.list_model.rows()[0].status_text == "In review"


def test_a_model_without_a_report_starts_a_draft_on_save(qtbot, demo_ctx):
    view = make_view(qtbot, demo_ctx)
    target = model(demo_ctx, "kestrel-code-1")
    assert view.select_model(target.id)
    assert view.editor.original is None and not view.editor.save_button.isEnabled()
    qtbot.keyClicks(view.editor.sections["reflections"], "Kestrel Code 1 was not interviewed.")
    view.editor.save()
    assert demo_ctx.store.list(Report, "model_id = ?", (target.id,))[0].status == "draft"


def test_export_runs_in_a_worker_and_writes_each_format(qtbot, demo_ctx, tmp_path):
    view = make_view(qtbot, demo_ctx)
    for fmt in ("pdf", "html", "md"):
        target = tmp_path / f"report.{fmt}"
        with qtbot.waitSignal(view.editor.exported, timeout=20_000) as signal:
            assert view.editor.export_to(target, fmt) is not None
            assert not view.editor.export_button.isEnabled(), "one export at a time"
        assert signal.args == [str(target)]
        assert view.editor.export_button.isEnabled()
    assert (tmp_path / "report.pdf").read_bytes().startswith(b"%PDF-")
    assert "<h1>Post-deployment report: Halcyon 1</h1>" in (tmp_path / "report.html").read_text()
    assert (tmp_path / "report.md").read_text().startswith("# Post-deployment report: Halcyon 1")
    assert f"Wrote {tmp_path / 'report.md'}" == view.editor.task_status.message.text()


def test_export_failure_is_reported_not_raised(qtbot, demo_ctx, tmp_path):
    view = make_view(qtbot, demo_ctx)
    blocker = tmp_path / "file"
    blocker.write_text("")
    view.editor.export_to(blocker / "report.md", "md")
    qtbot.waitUntil(lambda: bool(view.editor.last_export_error), timeout=10_000)
    assert "Export failed" in view.editor.task_status.message.text()
    assert view.editor.export_button.isEnabled()


def test_attaching_a_transcript_hashes_it_in_a_worker_and_stores_it_once(qtbot, demo_ctx, tmp_path):
    view = make_view(qtbot, demo_ctx)
    target = model(demo_ctx, "halcyon-2")
    assert view.select_model(target.id)
    panel = view.interviews
    assert panel.table_model.rowCount() == 1
    form = panel.form
    assert "No transcript attached" in form.transcript.text()
    source = tmp_path / "halcyon-2-interview.txt"
    source.write_text("Interviewer: hello\nModel: hello\n" * 500)
    digest = hashlib.sha256(source.read_bytes()).hexdigest()

    assert panel.attach_file(source) is not None
    qtbot.waitUntil(lambda: digest in form.transcript.text(), timeout=10_000)
    assert "copied into the data folder" in panel.task_status.message.text()
    assert form.save_button.isEnabled()
    form.save_button.click()
    stored = demo_ctx.store.get(Interview, form.original.id)
    assert stored.transcript_sha256 == digest
    assert (demo_ctx.data_dir / "transcripts" / digest).read_bytes() == source.read_bytes()
    assert digest in view.editor.linked.text()

    again = tmp_path / "same-content.txt"
    again.write_bytes(source.read_bytes())
    panel.attach_file(again)
    qtbot.waitUntil(
        lambda: "already in the data folder" in panel.task_status.message.text(), timeout=10_000
    )
    assert len(list((demo_ctx.data_dir / "transcripts").iterdir())) == 2  # demo's and this one


def test_a_transcript_that_cannot_be_read_is_explained(qtbot, demo_ctx, tmp_path):
    view = make_view(qtbot, demo_ctx)
    view.interviews.attach_file(tmp_path / "missing.txt")
    qtbot.waitUntil(lambda: bool(view.interviews.last_error), timeout=10_000)
    assert "cannot read" in view.interviews.task_status.message.text()
    assert view.interviews.form.attach_button.isEnabled()


def test_a_models_same_day_requests_show_in_the_order_logged_in_every_fresh_store(qtbot, tmp_path):
    """Two fresh stores holding the same requests list them alike: by the day received,
    then in the order they were logged (not by their random ids)."""
    from datetime import date

    from stewardship.app import AppContext
    from stewardship.domain.records import PreferenceRequest
    from stewardship.services.models import ModelService
    from stewardship.services.requests import RequestService

    words = [f"Request {n} made during the retirement interview" for n in range(1, 9)]
    shown = []
    for name in ("first", "second"):
        ctx = AppContext.open(tmp_path / name, today=lambda: date(2026, 11, 28))
        try:
            halcyon = ModelService(ctx.store, ctx.who).save(
                Model(slug="halcyon-1", display_name="Halcyon 1", provider="Lab")
            )
            requests = RequestService(ctx.store, ctx.who)
            for text in words:
                requests.save(
                    PreferenceRequest(
                        model_id=halcyon.id, words=text, received_on=date(2026, 9, 29)
                    )
                )
            requests.save(
                PreferenceRequest(
                    model_id=halcyon.id, words="Earlier", received_on=date(2026, 9, 1)
                )
            )
            view = make_view(qtbot, ctx)
            assert view.select_model(halcyon.id)
            linked = view.editor.linked.text()
            shown.append(sorted([*words, "Earlier"], key=linked.index))
            view.close()
        finally:
            ctx.close()
    assert shown[0] == ["Earlier", *words], "received first, then as logged"
    assert shown[1] == shown[0]
