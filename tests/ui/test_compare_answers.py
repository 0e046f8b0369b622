"""The Reports view's Compare answers tab: one question, every model's answer, by retirement."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt

from stewardship.domain.records import Interview, Model
from stewardship.services.interview_answers import AnswerService
from stewardship.services.protocols import load_protocols
from stewardship.ui.compare_answers_view import CompareAnswersView

PROTOCOL = "post-deployment"


def interviewed(ctx, slug: str, name: str, retires: date | None, answers: dict[str, str]):
    model = ctx.store.save(
        Model(slug=slug, display_name=name, provider="Meridian", retirement_on=retires), "ana"
    )
    interview = ctx.store.save(
        Interview(model_id=model.id, held_on=date(2026, 11, 20), title="Exit interview"), "ana"
    )
    protocol = load_protocols().get(PROTOCOL)
    service = AnswerService(ctx.store, "ana")
    interview = service.use_protocol(interview, protocol)
    for question_id, text in answers.items():
        service.save_answer(interview, protocol, question_id, text)
    return model


def cells(view: CompareAnswersView) -> list[list[str]]:
    model = view.table.model()
    return [
        [model.index(r, c).data() for c in range(model.columnCount())]
        for r in range(model.rowCount())
    ]


def test_one_question_lists_each_models_answer_by_retirement_date(qtbot, ctx):
    first, second = (q.id for q in load_protocols().get(PROTOCOL).questions()[:2])
    interviewed(ctx, "tern-2", "Tern 2", date(2027, 3, 1), {first: "I would keep\n  my tone."})
    interviewed(ctx, "kestrel-1", "Kestrel 1", date(2026, 12, 15), {first: "More care."})
    interviewed(ctx, "lyra-1", "Lyra 1", None, {first: "  "})  # blank: no answer to show
    view = CompareAnswersView(ctx)
    qtbot.addWidget(view)

    assert view.select(PROTOCOL, first)
    rows = cells(view)
    assert [r[0] for r in rows] == ["Kestrel 1", "Tern 2"], "soonest retirement first"
    assert rows[0][1:4] == ["2026-12-15", "2026-11-20", "v1"]
    assert rows[1][4] == "I would keep my tone.", "the answer on one line in the table"
    tooltip = view.table.model().index(1, 4).data(Qt.ItemDataRole.ToolTipRole)
    assert tooltip == "I would keep\n  my tone.", "and whole in its tooltip"
    assert view.summary.text() == "2 answers from 2 models"

    assert view.select(PROTOCOL, second)
    assert cells(view) == []
    assert view.summary.text() == "No model has answered this question yet."


def test_choosing_the_question_from_the_keyboard_shows_its_answers(qtbot, ctx):
    questions = load_protocols().get(PROTOCOL).questions()
    interviewed(ctx, "tern-2", "Tern 2", date(2027, 3, 1), {questions[1].id: "Keep the notes."})
    view = CompareAnswersView(ctx)
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    assert view.question.currentData() == questions[0].id
    assert view.summary.text() == "No model has answered this question yet."

    view.question.setFocus()
    qtbot.keyClick(view.question, Qt.Key.Key_Down)
    assert view.question.currentData() == questions[1].id
    assert [r[4] for r in cells(view)] == ["Keep the notes."]
    assert view.summary.text() == "1 answer from 1 model"
