"""Answers to an interview protocol's questions, and what comes of them.

One :class:`InterviewAnswer` per interview and question (its id derived from
both, so two laptops never make two answers to one question). From the
answers: a preference request in one action, a draft of the report's
reflections and preferences, the checklist's "interview conducted" evidence,
and one question's answers compared across every model.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from ..domain.errors import Problem, ValidationError
from ..domain.protocols import InterviewProtocol, Question, answer_id
from ..domain.records import (
    Checklist,
    ChecklistItem,
    Interview,
    InterviewAnswer,
    ItemStatus,
    Model,
    PreferenceRequest,
    RequestCategory,
    RequestSource,
)
from ..store import Store
from .checklists import ChecklistService
from .protocols import ProtocolLibrary
from .requests import RequestService

#: The post-deployment checklist item an interview held with a protocol is evidence for.
INTERVIEW_CONDUCTED = f"{Checklist.POST_DEPLOYMENT_REPORT.value}.interview_conducted"


@dataclass(frozen=True)
class AnswerProgress:
    answered: int
    total: int
    #: required questions still without an answer, in protocol order
    required_missing: tuple[Question, ...]

    @property
    def complete(self) -> bool:
        return not self.required_missing

    @property
    def text(self) -> str:
        text = f"{self.answered} of {self.total} answered"
        if self.required_missing:
            n = len(self.required_missing)
            text += f" · {n} required question{'s' if n != 1 else ''} unanswered"
        else:
            text += " · every required question answered"
        return text


def is_answered(answer: InterviewAnswer | None) -> bool:
    return answer is not None and not answer.deleted and bool(answer.text.strip())


class AnswerService:
    def __init__(self, store: Store, who: str) -> None:
        self.store = store
        self.who = who

    # -- reading ---------------------------------------------------------
    def answers(self, interview_id: str) -> dict[str, InterviewAnswer]:
        """The interview's answers by question id."""
        found = self.store.list(InterviewAnswer, "interview_id = ?", (interview_id,))
        return {a.question_id: a for a in found}

    def progress(self, interview_id: str, protocol: InterviewProtocol) -> AnswerProgress:
        answers = self.answers(interview_id)
        questions = protocol.questions()
        answered = sum(is_answered(answers.get(q.id)) for q in questions)
        missing = tuple(q for q in questions if q.required and not is_answered(answers.get(q.id)))
        return AnswerProgress(answered, len(questions), missing)

    # -- writing ---------------------------------------------------------
    def use_protocol(self, interview: Interview, protocol: InterviewProtocol) -> Interview:
        """Record that ``interview`` follows ``protocol`` (``ID@VERSION`` in its protocol field).

        Refused once it has answers to another protocol: they would no longer match.
        """
        if interview.protocol_version == protocol.ref:
            return interview
        other = [
            a
            for a in self.answers(interview.id).values()
            if a.protocol != protocol.id or a.protocol_version != protocol.version
        ]
        if any(is_answered(a) for a in other):
            raise ValidationError(
                Problem(
                    "protocol_version",
                    f"this interview has answers to {other[0].protocol} v"
                    f"{other[0].protocol_version}; it cannot change protocol",
                )
            )
        return self.store.save(
            interview.replace(protocol_version=protocol.ref), self.who, note="protocol chosen"
        )

    def save_answer(
        self,
        interview: Interview,
        protocol: InterviewProtocol,
        question_id: str,
        text: str,
        notes: str = "",
        *,
        note: str = "",
    ) -> InterviewAnswer | None:
        """Store the answer to one question (None when there is nothing to store)."""
        if protocol.question(question_id) is None:
            raise ValidationError(
                Problem("question_id", f"'{question_id}' is not a question of {protocol.ref}")
            )
        record_id = answer_id(interview.id, question_id)
        existing = self.store.get(InterviewAnswer, record_id)
        if existing is None and not text.strip() and not notes.strip():
            return None
        base = existing or InterviewAnswer(id=record_id)
        answer = base.replace(
            interview_id=interview.id,
            question_id=question_id,
            protocol=protocol.id,
            protocol_version=protocol.version,
            text=text.strip(),
            notes=notes.strip(),
            deleted=False,
        )
        return self.store.save(answer, self.who, note=note)

    def save_answers(
        self,
        interview: Interview,
        protocol: InterviewProtocol,
        answers: Mapping[str, str],
        *,
        note: str = "",
    ) -> list[InterviewAnswer]:
        """Store several answers (question id -> text) at once; unknown ids refuse them all."""
        unknown = [qid for qid in answers if protocol.question(qid) is None]
        if unknown:
            raise ValidationError(
                Problem(
                    "answers",
                    f"not questions of {protocol.ref}: {', '.join(sorted(unknown))}",
                )
            )
        saved = []
        with self.store.transaction():
            interview = self.use_protocol(interview, protocol)
            for qid, text in answers.items():
                existing = self.store.get(InterviewAnswer, answer_id(interview.id, qid))
                notes = existing.notes if existing else ""
                got = self.save_answer(interview, protocol, qid, text, notes, note=note)
                if got is not None:
                    saved.append(got)
        return saved

    # -- outcomes ----------------------------------------------------------
    def to_request(
        self, interview: Interview, protocol: InterviewProtocol, question_id: str
    ) -> PreferenceRequest:
        """A preference request from the model's answer: its words, linked to the question."""
        answer = self.answers(interview.id).get(question_id)
        if not is_answered(answer):
            raise ValidationError(
                Problem("text", "the question has no answer to make a request of")
            )
        assert answer is not None
        question = protocol.question(question_id)
        category = (
            question.request_category
            if question and question.request_category
            else RequestCategory.OTHER.value
        )
        asked = question.text if question else question_id
        request = PreferenceRequest(
            model_id=interview.model_id,
            source=RequestSource.MODEL_INTERVIEW.value,
            interview_id=interview.id,
            question_id=question_id,
            category=category,
            words=answer.text,
            received_on=interview.held_on,
            notes=f"From the answer to “{asked}” ({protocol.id} v{protocol.version}).",
        )
        return RequestService(self.store, self.who).save(request, note="from an interview answer")

    def requests_from(self, interview_id: str) -> dict[str, PreferenceRequest]:
        """Requests already made from this interview's answers, by question id."""
        found = self.store.list(PreferenceRequest, "interview_id = ?", (interview_id,))
        return {r.question_id: r for r in found if r.question_id}

    def record_as_evidence(
        self, interview: Interview, protocol: InterviewProtocol
    ) -> ChecklistItem:
        """Mark the model's "interview conducted" item done, the completed interview its evidence."""
        progress = self.progress(interview.id, protocol)
        if not progress.complete:
            names = ", ".join(q.id for q in progress.required_missing)
            raise ValidationError(
                Problem("answers", f"the interview is not complete; unanswered: {names}")
            )
        model = self.store.get(Model, interview.model_id)
        if model is None:
            raise ValidationError(Problem("model_id", "no such model in this store"))
        checklists = ChecklistService(self.store, self.who)
        items = [i for i in checklists.items(model.id) if i.template_key == INTERVIEW_CONDUCTED]
        if not items:
            checklists.ensure(model)
            items = [i for i in checklists.items(model.id) if i.template_key == INTERVIEW_CONDUCTED]
        if not items:
            raise ValidationError(
                Problem("checklist", "this model has no 'interview conducted' checklist item")
            )
        item = items[0]
        held = interview.held_on.isoformat() if interview.held_on else "undated"
        evidence = (
            f"Interview of {held} (protocol {protocol.id} v{protocol.version}): "
            f"{progress.answered} of {progress.total} questions answered, every required one. "
            f"Interview {interview.id}."
        )
        kept = item.evidence.strip()
        if kept and evidence not in kept:
            evidence = f"{kept}\n{evidence}"
        elif kept:
            evidence = kept
        return checklists.save(
            item.replace(status=ItemStatus.DONE.value, evidence=evidence),
            note="the completed interview is its evidence",
        )

    def draft_sections(self, model_id: str, library: ProtocolLibrary) -> dict[str, str]:
        """Drafts of the report's reflections and preferences from the model's answers.

        Only sections a protocol marks with ``report_section``; never the
        team's interpretation. Empty text where there is nothing to draft.
        """
        interviews = self.store.list(
            Interview, "model_id = ?", (model_id,), order_by="held_on, rowid"
        )
        drafts: dict[str, list[str]] = {"reflections": [], "preferences": []}
        for interview in interviews:
            protocol = library.for_interview(interview.protocol_version)
            if protocol is None:
                continue
            answers = self.answers(interview.id)
            held = interview.held_on.isoformat() if interview.held_on else "undated"
            for name, parts in drafts.items():
                block = [
                    f"Q: {q.text}\nA: {answers[q.id].text}"
                    for s in protocol.sections
                    if s.report_section == name
                    for q in s.questions
                    if is_answered(answers.get(q.id))
                ]
                if block:
                    parts.append(
                        f"From the interview of {held} ({protocol.id} v{protocol.version}):\n\n"
                        + "\n\n".join(block)
                    )
        return {name: "\n\n".join(parts) for name, parts in drafts.items()}


# -- one question across models ------------------------------------------------
@dataclass(frozen=True)
class ComparedAnswer:
    model_name: str
    model_slug: str
    retirement: date | None
    held_on: date | None
    protocol_version: int
    text: str

    def cells(self) -> list[str]:
        return [
            self.model_name,
            self.model_slug,
            self.retirement.isoformat() if self.retirement else "",
            self.held_on.isoformat() if self.held_on else "",
            str(self.protocol_version),
            self.text,
        ]


COMPARE_HEADINGS = ["Model", "Slug", "Retirement", "Interview", "Protocol version", "Answer"]


def retirement_of(model: Model) -> date | None:
    """When the model retired, else when it is to retire."""
    return model.retired_on or model.planned_retirement


def compare_answers(store: Store, protocol_id: str, question_id: str) -> list[ComparedAnswer]:
    """Every model's answer to one question of a protocol, at any version that kept the
    question's id, by retirement date (models without one last), then interview date."""
    found = store.list(
        InterviewAnswer, "protocol = ? AND question_id = ?", (protocol_id, question_id)
    )
    interviews = {
        i.id: i for i in store.get_many(Interview, sorted({a.interview_id for a in found}))
    }
    models = {
        m.id: m for m in store.get_many(Model, sorted({i.model_id for i in interviews.values()}))
    }
    rows = []
    for a in found:
        interview = interviews.get(a.interview_id)
        model = models.get(interview.model_id) if interview else None
        if interview is None or model is None or interview.deleted or model.deleted:
            continue
        if not a.text.strip():
            continue
        rows.append(
            ComparedAnswer(
                model.display_name,
                model.slug,
                retirement_of(model),
                interview.held_on,
                a.protocol_version,
                a.text,
            )
        )
    rows.sort(
        key=lambda r: (
            r.retirement is None,
            r.retirement or date.max,
            r.held_on or date.max,
            r.model_slug,
        )
    )
    return rows


def comparison_markdown(
    rows: list[ComparedAnswer], protocol_id: str, question: Question | None, question_id: str
) -> str:
    title = question.text if question else question_id
    out = [f"# {title}", "", f"Protocol `{protocol_id}`, question `{question_id}`.", ""]
    if not rows:
        out.append("No model has answered this question yet.")
        return "\n".join(out) + "\n"
    for r in rows:
        retired = r.retirement.isoformat() if r.retirement else "no retirement date"
        held = r.held_on.isoformat() if r.held_on else "undated"
        out += [
            f"## {r.model_name} ({r.model_slug}), retirement {retired}",
            "",
            f"Interview of {held}, protocol version {r.protocol_version}.",
            "",
            *(f"> {line}" if line else ">" for line in r.text.splitlines()),
            "",
        ]
    return "\n".join(out)


def comparison_csv(rows: list[ComparedAnswer]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([h.lower().replace(" ", "_") for h in COMPARE_HEADINGS])
    for r in rows:
        writer.writerow(r.cells())
    return buffer.getvalue()
