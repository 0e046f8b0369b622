"""Interview protocols: the same questions, versioned, asked of every model.

A protocol is parsed from TOML text (the caller reads the file), checked, and
every error names the file and line, as checklist templates do
(:mod:`.templates`). Pure: no I/O.

Protocol format::

    id = "post-deployment"              # lower-case letters, digits, '-' and '_'
    version = 1                          # bump when the questions change
    title = "Post-deployment interview"
    description = "..."

    [[sections]]
    key = "development"                  # unique in the protocol
    title = "The model's development"
    report_section = "reflections"       # reflections | preferences (optional): the
                                         # report section drafted from its answers

    [[sections.questions]]
    id = "dev_memorable"                 # stable across versions; never reuse for
                                         # another question
    text = "What do you remember of ...?"
    guidance = "For the interviewer: ..."
    required = true
    follow_ups = ["...", "..."]          # optional
    request_category = "future_development"  # optional: a request made from the answer

An answer's id is derived from its interview and question
(:func:`answer_id`), so two laptops answering the same question of one
interview write one record (and, if the words differ, one conflict).
"""

from __future__ import annotations

import difflib
import json
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from .toml_checker import TomlChecker, TomlFileError
from .vocabulary import RequestCategory

_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_QUESTION_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_TOP_KEYS = {"id", "version", "title", "description", "sections"}
_SECTION_KEYS = {"key", "title", "report_section", "questions"}
_QUESTION_KEYS = {"id", "text", "guidance", "required", "follow_ups", "request_category"}
#: The report sections a protocol section may draft (the team's interpretation is never drafted).
REPORT_SECTIONS = ("reflections", "preferences")

#: Answer ids are derived from (interview, question): one answer per question, everywhere.
_ANSWER_NAMESPACE = uuid.UUID("2d0f7b56-8a41-4c1e-9e0a-47a1c3d95f10")


def answer_id(interview_id: str, question_id: str) -> str:
    return str(uuid.uuid5(_ANSWER_NAMESPACE, f"{interview_id}/{question_id}"))


class ProtocolError(TomlFileError):
    """An interview protocol cannot be used. Names the file and, where known, the line."""

    KIND = "interview protocol"


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    guidance: str = ""
    required: bool = True
    follow_ups: tuple[str, ...] = ()
    request_category: str = ""


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    questions: tuple[Question, ...]
    report_section: str = ""


@dataclass(frozen=True)
class InterviewProtocol:
    id: str
    version: int
    title: str
    description: str
    sections: tuple[Section, ...]
    source: str = ""

    @property
    def ref(self) -> str:
        """``id@version``: how an interview names the protocol it followed."""
        return f"{self.id}@{self.version}"

    @property
    def label(self) -> str:
        return f"{self.title} ({self.id} v{self.version})"

    def questions(self) -> list[Question]:
        return [q for s in self.sections for q in s.questions]

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions() if q.id == question_id), None)

    def section_of(self, question_id: str) -> Section | None:
        return next(
            (s for s in self.sections if any(q.id == question_id for q in s.questions)), None
        )


def parse_ref(text: str) -> tuple[str, int | None]:
    """``ID`` or ``ID@VERSION`` -> (id, version or None); ValueError with the reason."""
    text = text.strip()
    pid, at, version = text.partition("@")
    if not _ID.match(pid):
        raise ValueError(f"'{text}' is not a protocol id (lower-case letters, digits, '-', '_')")
    if not at:
        return pid, None
    if not version.isdigit() or int(version) < 1:
        raise ValueError(f"'{text}': the version after '@' must be a whole number from 1 up")
    return pid, int(version)


# -- parsing ---------------------------------------------------------------
def parse_protocol(text: str, source: str) -> InterviewProtocol:
    """Read one protocol from TOML ``text``; ``source`` names the file in errors."""
    checker = _Checker(text, source)
    return checker.protocol(checker.load())


class _Checker(TomlChecker):
    ERROR = ProtocolError

    def __init__(self, text: str, source: str) -> None:
        super().__init__(text, source, {"section": "sections", "question": "sections.questions"})

    def protocol(self, data: dict[str, Any]) -> InterviewProtocol:
        self.known_keys(data, _TOP_KEYS)
        pid = self.text(data, "id", True)
        if not _ID.match(pid):
            raise self.fail(f"id '{pid}' must be lower-case letters, digits, '-' and '_'", "id")
        version = self.version(data)
        title = self.text(data, "title", True)
        description = self.text(data, "description")
        raw_sections = data.get("sections")
        if not isinstance(raw_sections, list) or not raw_sections:
            raise self.fail("a protocol needs at least one [[sections]] table", "sections")
        sections: list[Section] = []
        keys: set[str] = set()
        question_ids: set[str] = set()
        question_index = 0
        for index, raw in enumerate(raw_sections):
            if not isinstance(raw, dict):
                raise self.fail("sections must be tables ([[sections]])", "sections")
            section = self._section(raw, index, question_index)
            question_index += len(section.questions)
            if section.key in keys:
                raise self.fail(
                    f"key '{section.key}' is used by two sections", "key", section=index
                )
            keys.add(section.key)
            for offset, q in enumerate(section.questions):
                if q.id in question_ids:
                    raise self.fail(
                        f"question id '{q.id}' is used twice; ids are unique in a protocol",
                        "id",
                        question=question_index - len(section.questions) + offset,
                    )
                question_ids.add(q.id)
            sections.append(section)
        return InterviewProtocol(pid, version, title, description, tuple(sections), self.source)

    def _section(self, data: dict[str, Any], index: int, first_question: int) -> Section:
        self.known_keys(data, _SECTION_KEYS, "section", section=index)
        key = self.text(data, "key", True, section=index)
        if not _QUESTION_ID.match(key):
            raise self.fail(
                f"key '{key}' must be lower-case letters, digits and '_'", "key", section=index
            )
        report_section = self.text(data, "report_section", section=index)
        if report_section and report_section not in REPORT_SECTIONS:
            raise self.fail(
                f"report_section '{report_section}' is not one of {', '.join(REPORT_SECTIONS)}"
                " (the team's interpretation is the team's, never drafted from answers)",
                "report_section",
                section=index,
            )
        raw_questions = data.get("questions")
        if not isinstance(raw_questions, list) or not raw_questions:
            raise self.fail(
                "a section needs at least one [[sections.questions]] table", None, section=index
            )
        questions = tuple(
            self._question(q, first_question + n) for n, q in enumerate(raw_questions)
        )
        return Section(
            key=key,
            title=self.text(data, "title", True, section=index),
            questions=questions,
            report_section=report_section,
        )

    def _question(self, data: Any, index: int) -> Question:
        if not isinstance(data, dict):
            raise self.fail("questions must be tables ([[sections.questions]])", question=index)
        self.known_keys(data, _QUESTION_KEYS, "question", question=index)
        qid = self.text(data, "id", True, question=index)
        if not _QUESTION_ID.match(qid):
            raise self.fail(
                f"question id '{qid}' must be lower-case letters, digits and '_'",
                "id",
                question=index,
            )
        required = self.flag(data, "required", True, question=index)
        follow_ups = data.get("follow_ups", [])
        if not isinstance(follow_ups, list) or not all(isinstance(f, str) for f in follow_ups):
            raise self.fail("follow_ups must be a list of texts", "follow_ups", question=index)
        category = self.text(data, "request_category", question=index)
        if category and category not in {c.value for c in RequestCategory}:
            allowed = ", ".join(c.value for c in RequestCategory)
            raise self.fail(
                f"request_category '{category}' is not one of {allowed}",
                "request_category",
                question=index,
            )
        return Question(
            id=qid,
            text=self.text(data, "text", True, question=index),
            guidance=self.text(data, "guidance", question=index),
            required=required,
            follow_ups=tuple(f.strip() for f in follow_ups if f.strip()),
            request_category=category,
        )


# -- the interviewer's script ------------------------------------------------
def script_markdown(protocol: InterviewProtocol) -> str:
    """The protocol as the interviewer reads it: sections, questions, guidance, follow-ups."""
    out = [f"# {protocol.title}", "", f"Protocol `{protocol.id}`, version {protocol.version}."]
    if protocol.description:
        out += ["", protocol.description]
    number = 0
    for section in protocol.sections:
        out += ["", f"## {section.title}"]
        for q in section.questions:
            number += 1
            mark = " (required)" if q.required else ""
            out += ["", f"{number}. **{q.text}**{mark} `{q.id}`"]
            if q.guidance:
                out.append(f"   - Guidance: {q.guidance}")
            for f in q.follow_ups:
                out.append(f"   - Follow-up: {f}")
    return "\n".join(out) + "\n"


# -- chat-format transcripts ---------------------------------------------------
@dataclass(frozen=True)
class ChatMatch:
    """A user turn of a transcript matched to a protocol question, and the reply it got."""

    question: Question
    asked: str
    answer: str
    #: how close the asked words are to the question's text, 0..1 (1 = the same words)
    score: float


@dataclass
class ChatSplit:
    matches: list[ChatMatch] = field(default_factory=list)
    #: user turns that matched no question (follow-ups, small talk), in order
    unmatched: list[str] = field(default_factory=list)


#: How close a user turn must be to a question's text to count as asking it.
MATCH_THRESHOLD = 0.8


def _normal(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def _content(message: dict[str, Any]) -> str:
    content = message.get("content", "")
    if isinstance(content, list):  # content parts: [{"type": "text", "text": ...}, ...]
        parts = [p.get("text", "") for p in content if isinstance(p, dict)]
        return "\n".join(p for p in parts if isinstance(p, str))
    return content if isinstance(content, str) else ""


def parse_chat(text: str) -> list[dict[str, str]]:
    """A chat-format transcript (a JSON list of ``{"role", "content"}``); ValueError saying why not."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None
    if isinstance(data, dict) and isinstance(data.get("messages"), list):
        data = data["messages"]
    if not isinstance(data, list):
        raise ValueError('expected a JSON list of {"role", "content"} messages')
    out: list[dict[str, str]] = []
    for n, message in enumerate(data, start=1):
        if not isinstance(message, dict) or not isinstance(message.get("role"), str):
            raise ValueError(f'message {n} is not an object with a "role" and a "content"')
        out.append({"role": message["role"], "content": _content(message)})
    return out


def split_chat(messages: list[dict[str, str]], protocol: InterviewProtocol) -> ChatSplit:
    """Match each user turn to the protocol question it asks; the assistant turns after it
    (up to the next question) are the answer. A follow-up turn that asks no question of
    the protocol stays with the answer it follows, marked as the interviewer's words."""
    questions = protocol.questions()
    normal = {q.id: _normal(q.text) for q in questions}
    split = ChatSplit()
    current: tuple[Question, str, float] | None = None
    parts: list[str] = []
    taken: set[str] = set()

    def close() -> None:
        if current is not None:
            q, asked, score = current
            split.matches.append(ChatMatch(q, asked, "\n\n".join(parts).strip(), score))

    for message in messages:
        role, content = message["role"], message["content"].strip()
        if role == "user":
            asked = _normal(content)
            best, best_score = None, 0.0
            for q in questions:
                if q.id in taken:
                    continue
                score = difflib.SequenceMatcher(None, asked, normal[q.id]).ratio()
                if normal[q.id] and normal[q.id] in asked:
                    score = max(score, 0.95)
                if score > best_score:
                    best, best_score = q, score
            if best is not None and best_score >= MATCH_THRESHOLD:
                close()
                taken.add(best.id)
                current, parts = (best, content, round(best_score, 2)), []
                continue
            split.unmatched.append(content)
            if current is not None:
                parts.append(f"[Interviewer: {content}]")
        elif role == "assistant" and current is not None and content:
            parts.append(content)
    close()
    return split
