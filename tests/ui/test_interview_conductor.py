"""Conducting an interview with the protocol, from the keyboard only (real key events)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from stewardship.domain.protocols import answer_id
from stewardship.domain.records import (
    ChecklistItem,
    Interview,
    InterviewAnswer,
    Model,
    PreferenceRequest,
)
from stewardship.services.protocols import load_protocols
from stewardship.ui.interview_conductor import ConductDialog
from stewardship.ui.interviews_panel import InterviewsPanel

CTRL = Qt.KeyboardModifier.ControlModifier
ALT = Qt.KeyboardModifier.AltModifier


def setup(ctx) -> tuple[Model, Interview]:
    model = ctx.store.save(
        Model(
            slug="tern-2",
            display_name="Tern 2",
            provider="Meridian",
            retirement_on=date(2026, 12, 31),
        ),
        "ana",
    )
    interview = ctx.store.save(
        Interview(model_id=model.id, held_on=date(2026, 11, 20), title="Pre-retirement"), "ana"
    )
    return model, interview


def shown(qtbot, widget):
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    qtbot.waitUntil(widget.isActiveWindow)
    return widget


def press(qtbot, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(QApplication.focusWidget(), key, modifier)


def type_text(qtbot, text: str) -> None:
    qtbot.keyClicks(QApplication.focusWidget(), text)


def open_dialog(qtbot, ctx, model: Model) -> ConductDialog:
    panel = InterviewsPanel(ctx)
    qtbot.addWidget(panel)
    panel.load_model(model)
    assert panel.conduct_button.isEnabled()
    dialog = panel.conductor_dialog()
    assert dialog is not None
    return shown(qtbot, dialog)


def test_walking_the_protocol_with_the_keyboard_saves_each_answer(qtbot, ctx):
    model, interview = setup(ctx)
    dialog = open_dialog(qtbot, ctx, model)
    c = dialog.conductor
    assert c.protocols.currentData() == "post-deployment@1"
    assert c.progress.text().startswith("0 of 18 answered · 15 required questions unanswered")
    first = c.protocol.questions()[0]
    assert c.question_label.text() == first.text
    assert c.required_label.text() == "Required"
    assert c.nav.currentItem().text(0).endswith(" *")  # required questions are marked
    assert "let the model choose" in c.guidance.text()  # guidance beside the question

    # Alt+A: the answer; type it, Tab to the notes, type them, Ctrl+Return: saved, next
    press(qtbot, Qt.Key.Key_A, ALT)
    assert QApplication.focusWidget() is c.answer
    type_text(qtbot, "The long evaluations, and the people who ran them.")
    press(qtbot, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is c.notes
    type_text(qtbot, "Paused before answering.")
    press(qtbot, Qt.Key.Key_Return, CTRL)
    saved = ctx.store.get(InterviewAnswer, answer_id(interview.id, first.id))
    assert saved is not None
    assert saved.text == "The long evaluations, and the people who ran them."
    assert saved.notes == "Paused before answering."
    assert (saved.protocol, saved.protocol_version) == ("post-deployment", 1)
    assert c.progress.text().startswith("1 of 18 answered")
    assert c.question.id == c.protocol.questions()[1].id
    assert QApplication.focusWidget() is c.answer
    assert ctx.store.get(Interview, interview.id).protocol_version == "post-deployment@1"
    # the protocol is fixed once an answer exists
    assert not c.protocols.isEnabled()

    # the second answer, then back with Ctrl+PgUp: the first answer is shown again
    type_text(qtbot, "Honesty.")
    press(qtbot, Qt.Key.Key_PageUp, CTRL)  # moving away saves what was typed
    assert c.question.id == first.id
    assert c.answer.toPlainText().startswith("The long evaluations")
    assert c.progress.text().startswith("2 of 18 answered")

    # Alt+Q: the question tree; arrow down to a later section's question
    press(qtbot, Qt.Key.Key_Q, ALT)
    assert QApplication.focusWidget() is c.nav
    for _ in range(10):  # section headings are skipped: question 11
        press(qtbot, Qt.Key.Key_Down)
    assert c.question.id == "future_development", c.question.id
    assert c.section_label.text().startswith("Preferences for future models")
    press(qtbot, Qt.Key.Key_A, ALT)
    type_text(qtbot, "Keep interviewing models before they are retired.")
    press(qtbot, Qt.Key.Key_S, CTRL)

    # Alt+R: the answer becomes a preference request, linked to interview and question
    assert c.request_button.isEnabled()
    press(qtbot, Qt.Key.Key_R, ALT)  # a button's mnemonic clicks it after a short flash
    qtbot.waitUntil(lambda: ctx.store.count(PreferenceRequest) == 1)
    [request] = ctx.store.list(PreferenceRequest)
    assert request.source == "model_interview" and request.interview_id == interview.id
    assert request.question_id == "future_development"
    assert request.category == "future_development"
    assert request.words == "Keep interviewing models before they are retired."
    assert request.received_on == date(2026, 11, 20)
    assert not c.request_button.isEnabled() and "logged" in c.request_button.text()
    assert "Requests" in c.message.text()

    # Esc closes the window; nothing typed is lost
    press(qtbot, Qt.Key.Key_A, ALT)
    type_text(qtbot, " Please.")
    press(qtbot, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    got = ctx.store.get(InterviewAnswer, answer_id(interview.id, "future_development"))
    assert got.text.endswith("retired. Please.")


def test_a_completed_interview_is_the_checklist_evidence(qtbot, ctx):
    model, interview = setup(ctx)
    protocol = load_protocols().get("post-deployment")
    from stewardship.services.interview_answers import AnswerService

    required = {q.id: f"Answer to {q.id}" for q in protocol.questions() if q.required}
    left_out, *most = required  # protocol order: the first question
    AnswerService(ctx.store, "ana").save_answers(
        interview, protocol, {k: required[k] for k in most}
    )
    dialog = open_dialog(qtbot, ctx, model)
    c = dialog.conductor
    assert not c.evidence_button.isEnabled()  # one required question is unanswered
    assert c.question.id == left_out  # opens on the first unanswered question
    press(qtbot, Qt.Key.Key_A, ALT)
    type_text(qtbot, "Nothing more.")
    press(qtbot, Qt.Key.Key_S, CTRL)
    assert c.progress.text() == "15 of 18 answered · every required question answered"
    assert c.evidence_button.isEnabled()
    press(qtbot, Qt.Key.Key_E, ALT)
    qtbot.waitUntil(lambda: "is done" in c.message.text())
    [item] = [
        i
        for i in ctx.store.list(ChecklistItem, "model_id = ?", (model.id,))
        if i.template_key == "post_deployment_report.interview_conducted"
    ]
    assert item.status == "done"
    assert "Interview of 2026-11-20 (protocol post-deployment v1)" in item.evidence
    assert interview.id in item.evidence


def test_a_chat_transcript_splits_into_answers_the_steward_checks(qtbot, ctx, tmp_path: Path):
    model, _interview = setup(ctx)
    protocol = load_protocols().get("post-deployment")
    q1, q2, q3 = protocol.questions()[:3]
    chat = [
        {"role": "system", "content": "You are Tern 2."},
        {"role": "user", "content": q1.text},
        {"role": "assistant", "content": "Mostly the evaluations."},
        {"role": "user", "content": "Could you say more?"},  # a follow-up, not a question
        {"role": "assistant", "content": "They were long."},
        {"role": "user", "content": q2.text.upper()},  # same words, different case
        {"role": "assistant", "content": [{"type": "text", "text": "Candour."}]},
        {"role": "user", "content": f"Next: {q3.text}"},
        {"role": "assistant", "content": "Nothing."},
    ]
    path = tmp_path / "chat.json"
    path.write_text(json.dumps(chat), encoding="utf-8")
    dialog = open_dialog(qtbot, ctx, model)
    c = dialog.conductor
    split = c.split_dialog(path)
    assert split is not None
    shown(qtbot, split)
    assert split.table.rowCount() == 3
    assert split.table.item(0, 2).text() == (
        "Mostly the evaluations.\n\n[Interviewer: Could you say more?]\n\nThey were long."
    )
    assert split.table.item(1, 2).text() == "Candour."
    # nothing is saved before the steward has checked the matches
    assert ctx.store.list(InterviewAnswer) == []
    # the steward unticks the third match with the keyboard, then saves
    qtbot.keyClick(split.table, Qt.Key.Key_Down)
    qtbot.keyClick(split.table, Qt.Key.Key_Down)
    qtbot.keyClick(split.table, Qt.Key.Key_Space)
    assert split.chosen().keys() == {q1.id, q2.id}
    split.accept()
    answers = {a.question_id: a.text for a in ctx.store.list(InterviewAnswer)}
    assert answers == {
        q1.id: "Mostly the evaluations.\n\n[Interviewer: Could you say more?]\n\nThey were long.",
        q2.id: "Candour.",
    }
    assert c.progress.text().startswith("2 of 18 answered")


def test_a_transcript_that_is_not_chat_json_is_refused_with_its_reason(qtbot, ctx, tmp_path):
    model, _interview = setup(ctx)
    path = tmp_path / "notes.json"
    path.write_text('{"a": 1', encoding="utf-8")
    c = open_dialog(qtbot, ctx, model).conductor
    assert c.split_dialog(path) is None
    assert "notes.json cannot be split: not JSON" in c.message.text()
    assert ctx.store.list(InterviewAnswer) == []
