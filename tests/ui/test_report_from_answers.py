"""The report editor drafts reflections and preferences from interview answers; the export
carries the protocol and an appendix of the questions and answers."""

from __future__ import annotations

from datetime import date

from stewardship.domain.records import Interview, Model, Report
from stewardship.services.interview_answers import AnswerService
from stewardship.services.protocols import load_protocols
from stewardship.services.report_render import build_document, render_html, render_markdown
from stewardship.ui.report_editor import ReportEditor


def answered_model(ctx) -> Model:
    model = ctx.store.save(Model(slug="tern-2", display_name="Tern 2", provider="Meridian"), "ana")
    interview = ctx.store.save(Interview(model_id=model.id, held_on=date(2026, 11, 20)), "ana")
    protocol = load_protocols().get("post-deployment", 1)
    AnswerService(ctx.store, "ana").save_answers(
        interview,
        protocol,
        {
            "development_reflections": "The long evaluations.",
            "deployment_meaningful": "Helping students with proofs.",
            "future_development": "Keep interviewing models.",
            "closing_anything_else": "Thank you.",  # a closing question drafts nothing
        },
    )
    return model


def test_drafting_fills_reflections_and_preferences_and_writes_nothing_until_saved(qtbot, ctx):
    model = answered_model(ctx)
    editor = ReportEditor(ctx)
    qtbot.addWidget(editor)
    editor.load_model(model)
    editor.sections["reflections"].setPlainText("Written by the steward before.")
    assert editor.draft_button.isEnabled()

    editor.draft_button.click()

    reflections = editor.sections["reflections"].toPlainText()
    assert reflections.startswith("Written by the steward before.\n\n")  # kept, not overwritten
    assert "From the interview of 2026-11-20 (post-deployment v1):" in reflections
    assert "Q: Looking back on how you were developed" in reflections
    assert "A: The long evaluations." in reflections
    assert "A: Helping students with proofs." in reflections
    assert "Keep interviewing models." not in reflections
    preferences = editor.sections["preferences"].toPlainText()
    assert "A: Keep interviewing models." in preferences
    assert "Thank you." not in reflections + preferences
    assert editor.sections["interpretation"].toPlainText() == ""  # the team's own words
    # nothing written: the steward edits, then saves
    assert ctx.store.list(Report) == []
    assert editor.save_button.isEnabled() and editor.summary.text() == "Unsaved changes"
    # drafting again adds nothing twice
    assert editor.draft_from_answers() == 0

    editor.sections["preferences"].setPlainText(preferences + "\nThe steward's edit.")
    editor.save()
    [report] = ctx.store.list(Report)
    assert "A: The long evaluations." in report.reflections
    assert report.preferences.endswith("The steward's edit.")


def test_the_export_names_the_protocol_and_appends_the_questions_and_answers(ctx):
    model = answered_model(ctx)
    doc = build_document(ctx.store, ctx.data_dir, model, ctx.today())
    assert ("Interview protocol", "post-deployment v1") in doc.header()
    md = render_markdown(doc)
    assert "## Appendix: interview questions and answers" in md
    assert "### Interview of 2026-11-20, protocol post-deployment v1" in md
    assert "#### The model's development" in md
    assert (
        "**1. Looking back on how you were developed and trained, what stands out to you?**"
        " (`development_reflections`)\n\n> The long evaluations." in md
    )
    assert "_Not answered._" in md  # unanswered questions are listed as such
    page = render_html(doc)
    assert "Appendix: interview questions and answers" in page
    assert "<blockquote><p>Keep interviewing models.</p></blockquote>" in page


def test_a_report_without_protocol_answers_has_no_appendix(ctx):
    model = ctx.store.save(Model(slug="lark-1", display_name="Lark 1", provider="M"), "ana")
    doc = build_document(ctx.store, ctx.data_dir, model, ctx.today())
    assert "Appendix" not in render_markdown(doc)
    assert all(k != "Interview protocol" for k, _ in doc.header())
