"""Interview answers travel: JSON export and import, and a real registry between two laptops.

Two laptops answering different questions of one interview merge; the same
question answered on both (one record: its id comes from interview and
question) is one conflict, resolved like any other.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from stewardship.domain.protocols import answer_id
from stewardship.domain.records import Interview, InterviewAnswer, Model
from stewardship.services.conflicts import conflict_groups, resolve
from stewardship.services.exporting import export
from stewardship.services.importing import import_file
from stewardship.services.interview_answers import AnswerService
from stewardship.services.protocols import load_protocols

PROTOCOL = load_protocols().get("post-deployment", 1)


def shared_interview(ana, ben) -> Interview:
    model = ana.store.save(Model(slug="tern-2", display_name="Tern 2", provider="M"), "Ana")
    interview = ana.store.save(
        Interview(model_id=model.id, held_on=date(2026, 11, 20), protocol_version=PROTOCOL.ref),
        "Ana",
    )
    assert ana.sync().pushed == 2
    assert ben.sync().pulled == 2
    return interview


def test_answers_round_trip_through_the_json_export(tmp_path: Path, store) -> None:
    model = store.save(Model(slug="tern-2", display_name="Tern 2", provider="M"), "Ana")
    interview = store.save(Interview(model_id=model.id, held_on=date(2026, 11, 20)), "Ana")
    saved = AnswerService(store, "Ana").save_answers(
        interview,
        PROTOCOL,
        {"development_reflections": "The evaluations.", "future_welfare": "Ask us.\nOften."},
    )
    path = tmp_path / "export.json"
    export(store, "json", path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    section = doc["interview_answers"]
    assert [a["question_id"] for a in section] == ["development_reflections", "future_welfare"]
    assert section[1] == {
        **section[1],
        "interview_id": interview.id,
        "protocol": "post-deployment",
        "protocol_version": 1,
        "text": "Ask us.\nOften.",
        "id": answer_id(interview.id, "future_welfare"),
    }
    from stewardship.store import Store

    with Store(tmp_path / "other.db") as other:
        result = import_file(other, path, "Ben")
        assert result.added == 4
        for answer in saved:
            assert other.get(InterviewAnswer, answer.id) == answer


def test_different_questions_answered_on_two_laptops_merge(console_factory, registry) -> None:
    ana, ben = console_factory("ana"), console_factory("ben")
    interview = shared_interview(ana, ben)
    AnswerService(ana.store, "Ana").save_answers(
        interview, PROTOCOL, {"development_reflections": "The evaluations."}
    )
    ben_interview = ben.store.get(Interview, interview.id)
    AnswerService(ben.store, "Ben").save_answers(
        ben_interview, PROTOCOL, {"future_development": "Keep interviewing models."}
    )
    assert ana.sync().conflicts == 0
    assert ben.sync().conflicts == 0
    ana.sync()
    for laptop in (ana, ben):
        answers = AnswerService(laptop.store, laptop.name).answers(interview.id)
        assert {k: a.text for k, a in answers.items()} == {
            "development_reflections": "The evaluations.",
            "future_development": "Keep interviewing models.",
        }
        progress = AnswerService(laptop.store, laptop.name).progress(interview.id, PROTOCOL)
        assert progress.answered == 2
    held = [k for k in registry.records() if k[0] == "interview_answer"]
    assert len(held) == 2


def test_the_same_question_answered_on_two_laptops_is_one_conflict(
    console_factory, registry
) -> None:
    ana, ben = console_factory("ana"), console_factory("ben")
    interview = shared_interview(ana, ben)
    AnswerService(ana.store, "Ana").save_answers(
        interview, PROTOCOL, {"retirement_feelings": "Calm."}
    )
    AnswerService(ben.store, "Ben").save_answers(
        ben.store.get(Interview, interview.id), PROTOCOL, {"retirement_feelings": "Calm, mostly."}
    )
    assert ana.sync().conflicts == 0
    summary = ben.sync()
    assert summary.conflicts == 1
    # one record, not two answers to one question
    the_id = answer_id(interview.id, "retirement_feelings")
    assert [k for k in registry.records() if k[0] == "interview_answer"] == [
        ("interview_answer", the_id)
    ]
    assert len(ben.store.list(InterviewAnswer)) == 1
    [group] = conflict_groups(ben.store)
    assert [c.field for c in group.fields] == ["text"]
    resolve(ben.store, "interview_answer", the_id, {"text": "Calm, mostly."}, "Ben")
    assert ben.sync().conflicts == 0
    ana.sync()
    for laptop in (ana, ben):
        assert laptop.store.get(InterviewAnswer, the_id).text == "Calm, mostly."
