"""A model's post-deployment report as a document: gathered once, rendered to Markdown or HTML.

The PDF is drawn by Qt from the HTML (``ui/report_pdf.py``); this module has
no Qt. Everything a steward or a requester typed is escaped: the HTML
carries no markup from the data, and Markdown table cells cannot break
their table.
"""

from __future__ import annotations

import html
import uuid
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from .. import __version__
from ..domain.edits import REPORT_SECTIONS
from ..domain.lifecycle import LifecycleState
from ..domain.protocols import InterviewProtocol
from ..domain.records import (
    Checklist,
    Interview,
    InterviewAnswer,
    ItemStatus,
    Model,
    PreferenceRequest,
    Report,
    label,
)
from ..store import Store
from ..store.queries_checklists import status_counts
from .files import publish
from .interviews import transcript_is_present
from .protocols import ProtocolLibrary, load_protocols
from .reports import report_status_text

FORMATS = ("md", "html", "pdf")
NOT_WRITTEN = "Not written yet."
NOT_ANSWERED = "Not answered."
APPENDIX_TITLE = "Appendix: interview questions and answers"


@dataclass(frozen=True)
class Retention:
    """Progress of the model's weight-retention checklist."""

    done: int
    total: int
    not_applicable: int = 0

    @property
    def text(self) -> str:
        if not self.total:
            return "no weight-retention checklist"
        text = f"{self.done} of {self.total} weight-retention items done"
        if self.not_applicable:
            text += f" ({self.not_applicable} not applicable)"
        return text


@dataclass(frozen=True)
class InterviewLine:
    interview: Interview
    present: bool

    @property
    def text(self) -> str:
        i = self.interview
        parts = [i.held_on.isoformat() if i.held_on else "undated"]
        if i.interviewers:
            parts.append(f"with {i.interviewers}")
        if i.protocol_version:
            parts.append(f"protocol {i.protocol_version}")
        return ", ".join(parts)

    @property
    def digest_text(self) -> str:
        sha = self.interview.transcript_sha256
        if not sha:
            return "no transcript"
        return sha if self.present else f"{sha} (file not in this data folder)"


@dataclass(frozen=True)
class AppendixAnswer:
    question_id: str
    question: str
    answer: str
    notes: str = ""


@dataclass(frozen=True)
class AppendixSection:
    title: str
    answers: list[AppendixAnswer]


@dataclass(frozen=True)
class AppendixInterview:
    """One interview held with a protocol: its questions and the model's answers."""

    line: InterviewLine
    protocol: str
    protocol_version: int
    sections: list[AppendixSection]

    @property
    def protocol_text(self) -> str:
        return f"{self.protocol} v{self.protocol_version}"

    @property
    def heading(self) -> str:
        return f"Interview of {self.line.text.split(', ')[0]}, protocol {self.protocol_text}"


@dataclass(frozen=True)
class ReportDocument:
    model: Model
    report: Report
    generated_on: date
    retention: Retention
    interviews: list[InterviewLine] = field(default_factory=list)
    requests: list[PreferenceRequest] = field(default_factory=list)
    report_started: bool = True
    author: str = ""
    replacement_name: str = ""
    #: interviews held with a protocol, with their questions and answers (the appendix)
    appendix: list[AppendixInterview] = field(default_factory=list)

    @property
    def protocols_text(self) -> str:
        """The protocols (id and version) the interviews followed."""
        return ", ".join(dict.fromkeys(a.protocol_text for a in self.appendix))

    @property
    def title(self) -> str:
        return f"Post-deployment report: {self.model.display_name}"

    def header(self) -> list[tuple[str, str]]:
        """(label, value) pairs of the header, in order."""
        m = self.model
        if m.retirement_on:
            retirement = f"{m.retirement_on.isoformat()} (confirmed)"
        elif m.retirement_not_before:
            retirement = f"not before {m.retirement_not_before.isoformat()} (tentative)"
        else:
            retirement = "not set"
        rows = [
            ("Model", f"{m.display_name} ({m.slug})"),
            ("Provider", m.provider),
            ("Lifecycle", LifecycleState(m.state).label),
            ("Released", _d(m.released_on)),
            ("Deprecation announced", _d(m.deprecation_announced_on)),
            ("Retirement", retirement),
            ("Retired on", _d(m.retired_on)),
            ("Replacement", self._replacement()),
            ("Retention status", self.retention.text),
            *([("Interview protocol", self.protocols_text)] if self.appendix else []),
            ("Report status", self.status_text),
            ("Reviewers", self.report.reviewers or "none named"),
            ("Generated", f"{self.generated_on.isoformat()} by {self.generator}"),
        ]
        return rows

    def _replacement(self) -> str:
        slug = self.model.replacement
        if not slug:
            return "none recommended"
        return f"{self.replacement_name} ({slug})" if self.replacement_name else slug

    @property
    def started(self) -> bool:
        """False when the model has no report yet (the document shows an empty one)."""
        return self.report_started

    @property
    def status_text(self) -> str:
        """The report's status as the window's report list shows it."""
        return report_status_text(self.report if self.started else None)

    @property
    def generator(self) -> str:
        return f"Stewardship Console {__version__}"

    @property
    def subject(self) -> str:
        """One line for the PDF's subject metadata."""
        m = self.model
        return f"Post-deployment report on {m.display_name} ({m.slug}) by {m.provider}"


def _d(value: date | None) -> str:
    return value.isoformat() if value else "not set"


def _model_name(store: Store, slug: str) -> str:
    if not slug:
        return ""
    found = store.list(Model, "slug = ?", (slug,))
    return found[0].display_name if found else ""


def retention_status(store: Store, model_id: str) -> Retention:
    total, done, not_applicable = status_counts(
        store,
        model_id,
        Checklist.WEIGHT_RETENTION.value,
        ItemStatus.DONE.value,
        ItemStatus.NOT_APPLICABLE.value,
    )
    return Retention(done=done, total=total, not_applicable=not_applicable)


def _appendix_sections(
    protocol: InterviewProtocol | None, answers: dict[str, InterviewAnswer]
) -> list[AppendixSection]:
    if protocol is None:  # a protocol this laptop does not have: the answers by question id
        return [
            AppendixSection(
                "Answers",
                [AppendixAnswer(q, q, a.text, a.notes) for q, a in sorted(answers.items())],
            )
        ]
    sections = []
    for section in protocol.sections:
        rows = []
        for q in section.questions:
            a = answers.get(q.id)
            rows.append(AppendixAnswer(q.id, q.text, a.text if a else "", a.notes if a else ""))
        sections.append(AppendixSection(section.title, rows))
    return sections


def _appendix(
    store: Store, lines: list[InterviewLine], library: ProtocolLibrary
) -> list[AppendixInterview]:
    out = []
    for line in lines:
        found = store.list(InterviewAnswer, "interview_id = ?", (line.interview.id,))
        answers = {a.question_id: a for a in found if a.text.strip() or a.notes.strip()}
        if not answers:
            continue
        first = next(iter(answers.values()))
        protocol = library.get(first.protocol, first.protocol_version)
        out.append(
            AppendixInterview(
                line, first.protocol, first.protocol_version, _appendix_sections(protocol, answers)
            )
        )
    return out


def build_document(
    store: Store,
    data_dir: Path,
    model: Model,
    today: date,
    author: str = "",
    library: ProtocolLibrary | None = None,
) -> ReportDocument:
    """Everything the report shows about ``model``, read in one go; ``author`` writes it."""
    reports = store.list(Report, "model_id = ?", (model.id,), order_by="modified_at DESC")
    # Same day: in the order logged here (rowid), so every store shows one order, not the ids'.
    interviews = store.list(Interview, "model_id = ?", (model.id,), order_by="held_on, rowid")
    requests = store.list(
        PreferenceRequest, "model_id = ?", (model.id,), order_by="received_on, rowid"
    )
    lines = [
        InterviewLine(i, transcript_is_present(data_dir, i.transcript_sha256)) for i in interviews
    ]
    return ReportDocument(
        model=model,
        report=reports[0] if reports else Report(model_id=model.id),
        generated_on=today,
        retention=retention_status(store, model.id),
        interviews=lines,
        requests=requests,
        report_started=bool(reports),
        author=author,
        replacement_name=_model_name(store, model.replacement),
        appendix=_appendix(store, lines, library or load_protocols()),
    )


def document_for(
    store: Store, data_dir: Path, model_id: str, today: date, author: str = ""
) -> ReportDocument:
    """:func:`build_document` for the model with ``model_id``; ValueError if it is gone."""
    model = store.get(Model, model_id)
    if model is None:
        raise ValueError("the model is no longer in this store")
    return build_document(store, data_dir, model, today, author)


# -- Markdown ------------------------------------------------------------
def _md_inline(text: str) -> str:
    """One line of data text that cannot open HTML or break a table cell."""
    text = " ".join(text.split())
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def _request_cells(r: PreferenceRequest) -> list[str]:
    response = r.response
    if r.rationale:
        response = f"{response} (rationale: {r.rationale})" if response else r.rationale
    if r.responded_on:
        response = (
            f"{response}, {r.responded_on.isoformat()}" if response else r.responded_on.isoformat()
        )
    return [
        _d(r.received_on),
        label(r.source),
        label(r.category),
        r.words,
        label(r.estimated_cost) if r.estimated_cost else "not estimated",
        label(r.status),
        response or "none yet",
    ]


REQUEST_HEADINGS = ["Received", "From", "Category", "Request", "Cost", "Status", "Response"]
#: The HTML (and so the PDF) puts the category under the source, to leave room for the words.
HTML_HEADINGS = ["Received", "From, category", "Request", "Cost", "Status", "Response"]


def render_markdown(doc: ReportDocument) -> str:
    out = [f"# {_md_inline(doc.title)}", ""]
    for name, value in doc.header():
        out.append(f"- **{name}:** {_md_inline(value)}")
    out += ["", "## Interviews", ""]
    if not doc.interviews:
        out.append("No interviews recorded.")
    for line in doc.interviews:
        out.append(f"- {_md_inline(line.text)}: transcript SHA-256 `{line.digest_text}`")
    for name, heading in REPORT_SECTIONS:
        text = getattr(doc.report, name).strip()
        out += ["", f"## {heading}", "", text or f"_{NOT_WRITTEN}_"]
    out += ["", "## Preference requests", ""]
    if not doc.requests:
        out.append("No preference requests recorded.")
    else:
        out.append("| " + " | ".join(REQUEST_HEADINGS) + " |")
        out.append("|" + "---|" * len(REQUEST_HEADINGS))
        for r in doc.requests:
            out.append("| " + " | ".join(_md_inline(c) for c in _request_cells(r)) + " |")
    if doc.appendix:
        out += ["", f"## {APPENDIX_TITLE}"]
        for interview in doc.appendix:
            out += ["", f"### {_md_inline(interview.heading)}"]
            number = 0
            for section in interview.sections:
                out += ["", f"#### {_md_inline(section.title)}"]
                for a in section.answers:
                    number += 1
                    out += ["", f"**{number}. {_md_inline(a.question)}** (`{a.question_id}`)", ""]
                    out.append(_md_block(a.answer) if a.answer.strip() else f"_{NOT_ANSWERED}_")
                    if a.notes.strip():
                        out += ["", f"_Interviewer's notes:_ {_md_inline(a.notes)}"]
    return "\n".join(out) + "\n"


def _md_block(text: str) -> str:
    """A multi-line answer as quoted Markdown paragraphs that cannot open HTML."""
    lines = [_md_inline(line) if line.strip() else "" for line in text.strip().splitlines()]
    return "\n".join(f"> {line}" if line else ">" for line in lines)


# -- HTML ----------------------------------------------------------------
# Tables take the full width and size their columns to their content; dates
# and digests never wrap (a digest is one monospaced word on its own line).
_SCREEN_CSS = "body { max-width: 60em; margin: 2em auto; }"
_CSS = """
body { font-family: sans-serif; color: #1c2733; }
h1 { font-size: 20pt; } h2 { font-size: 14pt; margin-top: 1.4em; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #c5cdd6; padding: 4px 6px; vertical-align: top; text-align: left; }
table.meta th { background: #eef1f4; white-space: nowrap; }
table.requests th, table.requests td { font-size: 9pt; }
code { font-family: monospace; font-size: 9pt; white-space: nowrap; }
.nowrap { white-space: nowrap; }
p.empty { color: #5f6b7a; font-style: italic; }
"""
_TABLE = 'border="1" cellspacing="0" cellpadding="4" width="100%"'
_NOWRAP = 'class="nowrap" nowrap'


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _paragraphs(text: str) -> str:
    blocks = [b.strip() for b in text.strip().split("\n\n") if b.strip()]
    if not blocks:
        return f'<p class="empty">{NOT_WRITTEN}</p>'
    return "\n".join(
        "<p>" + "<br>".join(_e(line) for line in b.splitlines()) + "</p>" for b in blocks
    )


def _interview_item(line: InterviewLine) -> str:
    sha = line.interview.transcript_sha256
    if not sha:
        return f"<li>{_e(line.text)}: no transcript</li>"
    where = "" if line.present else " (file not in this data folder)"
    return f"<li>{_e(line.text)}: transcript SHA-256{where}<br><code>{_e(sha)}</code></li>"


def _requests_table(doc: ReportDocument) -> list[str]:
    parts = [f'<table class="requests" {_TABLE}>', "<thead><tr>"]
    parts += [f"<th>{_e(h)}</th>" for h in HTML_HEADINGS]
    parts.append("</tr></thead>")
    for r in doc.requests:
        received, source, category, words, cost, status, response = _request_cells(r)
        parts.append(
            "<tr>"
            f"<td {_NOWRAP}>{_e(received)}</td>"
            f"<td>{_e(source)}<br>{_e(category)}</td>"
            f"<td>{_e(words)}</td><td>{_e(cost)}</td><td>{_e(status)}</td>"
            f"<td>{_e(response)}</td>"
            "</tr>"
        )
    parts.append("</table>")
    return parts


def _appendix_html(doc: ReportDocument) -> list[str]:
    parts = [f'<h2 id="appendix">{_e(APPENDIX_TITLE)}</h2>']
    for interview in doc.appendix:
        parts.append(f"<h3>{_e(interview.heading)}</h3>")
        number = 0
        for section in interview.sections:
            parts.append(f"<h4>{_e(section.title)}</h4>")
            for a in section.answers:
                number += 1
                parts.append(
                    f"<p><b>{number}. {_e(a.question)}</b> <code>{_e(a.question_id)}</code></p>"
                )
                if a.answer.strip():
                    parts.append(f"<blockquote>{_paragraphs(a.answer)}</blockquote>")
                else:
                    parts.append(f'<p class="empty">{NOT_ANSWERED}</p>')
                if a.notes.strip():
                    parts.append(f"<p><i>Interviewer's notes:</i> {_e(a.notes)}</p>")
    return parts


def render_html(doc: ReportDocument, *, for_print: bool = False) -> str:
    """The report as one HTML page; ``for_print`` leaves the page's margins to the printer."""
    css = _CSS if for_print else _SCREEN_CSS + _CSS
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{_e(doc.title)}</title>",
        f"<style>{css}</style></head><body>",
        f"<h1>{_e(doc.title)}</h1>",
        f'<table class="meta" {_TABLE}>',
    ]
    parts += [f"<tr><th {_NOWRAP}>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in doc.header()]
    parts += ["</table>", "<h2>Interviews</h2>"]
    if doc.interviews:
        parts += ["<ul>", *map(_interview_item, doc.interviews), "</ul>"]
    else:
        parts.append('<p class="empty">No interviews recorded.</p>')
    for name, heading in REPORT_SECTIONS:
        parts += [f'<h2 id="{name}">{_e(heading)}</h2>', _paragraphs(getattr(doc.report, name))]
    parts.append("<h2>Preference requests</h2>")
    if doc.requests:
        parts += _requests_table(doc)
    else:
        parts.append('<p class="empty">No preference requests recorded.</p>')
    if doc.appendix:
        parts += _appendix_html(doc)
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def render_text(doc: ReportDocument, fmt: str) -> str:
    if fmt == "md":
        return render_markdown(doc)
    if fmt == "html":
        return render_html(doc)
    raise ValueError(f"'{fmt}' is not a text format; use md or html")


def format_for_path(path: Path) -> str | None:
    """The export format a file name asks for, from its extension."""
    suffix = path.suffix.lower().lstrip(".")
    return {"md": "md", "markdown": "md", "html": "html", "htm": "html", "pdf": "pdf"}.get(suffix)


def temp_beside(target: Path) -> Path:
    """A free file name in ``target``'s folder, to be moved onto ``target`` when complete."""
    target.parent.mkdir(parents=True, exist_ok=True)
    return target.with_name(f".{target.name}.{uuid.uuid4().hex[:12]}.part")


def write_text_report(doc: ReportDocument, fmt: str, target: Path) -> Path:
    """Write the Markdown or HTML report; a failure never leaves half a file at ``target``."""
    target = Path(target)
    content = render_text(doc, fmt)
    tmp = temp_beside(target)
    try:
        with tmp.open("x", encoding="utf-8", newline="\n") as out:
            out.write(content)
        publish(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target
