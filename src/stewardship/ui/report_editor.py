"""The post-deployment report editor of one model: header, three sections, status, export."""

from __future__ import annotations

import html
from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ..app import AppContext
from ..domain.edits import REPORT_SECTIONS
from ..domain.errors import Problem, ValidationError
from ..domain.records import Model, Report, ReportStatus, label
from ..domain.tasks import CancelCheck, Cancelled, Progress
from ..services.interview_answers import AnswerService
from ..services.own_store import with_own_store
from ..services.protocols import load_protocols
from ..services.report_render import ReportDocument, build_document, document_for, format_for_path
from ..services.reports import ReportService
from .panels import form_page
from .report_pdf import write_report
from .task_status import TaskStatus
from .tasks import Task, TaskFunction
from .widgets import error_label, repolish

EXPORT_FILTERS = "PDF (*.pdf);;HTML (*.html);;Markdown (*.md)"
SECTION_HINTS = {
    "reflections": "What the model said about its development and deployment, in its interviews",
    "preferences": "What the model said it would prefer for future models",
    "interpretation": "How the team reads this, and what it concludes",
}


def export_job(
    store_path: Path,
    data_dir: Path,
    model_id: str,
    today: date,
    fmt: str,
    target: Path,
    author: str = "",
) -> TaskFunction:
    """A task: read with its own connection, render, write atomically."""

    def run(progress: Progress, cancelled: CancelCheck) -> Path:
        doc = with_own_store(
            store_path, lambda store: document_for(store, data_dir, model_id, today, author)
        )
        if cancelled():
            raise Cancelled(f"export to {target.name} cancelled; no file was written")
        progress(f"Writing {target.name}", 1, 2)
        return write_report(doc, fmt, target)

    return run


class ReportEditor(QWidget):
    saved = Signal(object)  # Report
    exported = Signal(str)  # path written

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.service = ReportService(ctx.store, ctx.who)
        self.model: Model | None = None
        self.original: Report | None = None
        self._base = Report()
        self._loading = False
        self.last_export_error = ""

        self.heading = QLabel("Choose a model")
        self.heading.setObjectName("pageTitle")
        self.header = QLabel()
        self.header.setWordWrap(True)
        self.header.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(
            "background:#e8f1fa; border:1px solid #b7cde3; border-radius:4px;"
            " padding:6px 10px; color:#1c2733;"
        )
        self.banner.hide()

        self.status = QComboBox()
        self.status.setAccessibleName("Report status")
        for s in ReportStatus:
            self.status.addItem(label(s.value), s.value)
        self.status.currentIndexChanged.connect(self._changed)
        self.reviewers = QLineEdit()
        self.reviewers.setPlaceholderText("Who reviews this report, e.g. M. Haddad, R. Singh")
        self.reviewers.setAccessibleName("Reviewers")
        self.reviewers.textEdited.connect(self._changed)
        self.errors: dict[str, QLabel] = {}
        top = QGridLayout()
        top.addWidget(QLabel("Status:"), 0, 0)
        top.addWidget(self.status, 0, 1)
        top.addWidget(QLabel("Reviewers:"), 0, 2)
        top.addWidget(self.reviewers, 0, 3)
        top.setColumnStretch(3, 1)
        top.addWidget(self._error_label("reviewers"), 1, 3)

        self.sections: dict[str, QPlainTextEdit] = {}
        body = QVBoxLayout()
        for name, heading in REPORT_SECTIONS:
            edit = QPlainTextEdit()
            edit.setPlaceholderText(SECTION_HINTS[name])
            edit.setAccessibleName(heading)
            edit.setObjectName(f"section_{name}")
            edit.setTabChangesFocus(True)
            edit.setMinimumHeight(80)
            edit.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Ignored)
            edit.textChanged.connect(self._changed)
            self.sections[name] = edit
            title = QLabel(f"<b>{html.escape(heading)}</b>")
            title.setBuddy(edit)
            body.addWidget(title)
            body.addWidget(edit, 1)
            body.addWidget(self._error_label(name))

        self.linked = QLabel()
        self.linked.setWordWrap(True)
        self.linked.setTextFormat(Qt.TextFormat.RichText)

        self.summary = QLabel()
        self.summary.setProperty("role", "hint")
        self.summary.setWordWrap(True)
        self.save_button = QPushButton("Save")
        self.save_button.setProperty("primary", "true")
        self.save_button.setToolTip("Save the report (Ctrl+S)")
        self.save_button.clicked.connect(self.save)
        self.revert_button = QPushButton("Revert")
        self.revert_button.clicked.connect(self.revert)
        self.reopen_button = QPushButton("Reopen…")
        self.reopen_button.setToolTip("Make a final report editable again; the reason is audited")
        self.reopen_button.clicked.connect(self._ask_reopen)
        self.draft_button = QPushButton("Draft from interview answers")
        self.draft_button.setToolTip(
            "Put the model's answers to the protocol's questions into the reflections and"
            " preferences sections, for you to edit; nothing is saved until you save"
        )
        self.draft_button.clicked.connect(self.draft_from_answers)
        self.export_button = QPushButton("Export…")
        self.export_button.setToolTip("Write the saved report as PDF, HTML or Markdown (Ctrl+E)")
        self.export_button.clicked.connect(self._ask_export)
        # The actions sit under the scrolling form, always in sight (a short screen
        # scrolls the sections, not the buttons away): the Reports view places them.
        self.action_bar = form_page(QWidget())
        buttons = QHBoxLayout(self.action_bar)
        buttons.setContentsMargins(16, 6, 16, 10)
        buttons.addWidget(self.summary, 1)
        for b in (
            self.draft_button,
            self.export_button,
            self.reopen_button,
            self.revert_button,
            self.save_button,
        ):
            buttons.addWidget(b)
        self.task_status = TaskStatus()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(self.heading)
        layout.addWidget(self.header)
        layout.addWidget(self.banner)
        layout.addLayout(top)
        layout.addLayout(body, 1)
        layout.addWidget(self.linked)
        layout.addWidget(self.task_status)

        QShortcut(QKeySequence.StandardKey.Save, self, self.save)
        QShortcut(QKeySequence("Ctrl+E"), self, self._ask_export)
        self.load_model(None)

    def _error_label(self, name: str) -> QLabel:
        error = self.errors[name] = error_label()
        return error

    # -- loading ---------------------------------------------------------
    def load_model(self, model: Model | None) -> None:
        """Show ``model``'s report (a new draft if it has none yet)."""
        self.model = model
        report = self.service.for_model(model.id) if model else None
        self._load(report)

    def _load(self, report: Report | None) -> None:
        self._loading = True
        self.original = report
        self._base = report or Report(model_id=self.model.id if self.model else "")
        self.status.setCurrentIndex(self.status.findData(self._base.status))
        self.reviewers.setText(self._base.reviewers)
        for name, edit in self.sections.items():
            edit.setPlainText(getattr(self._base, name))
        self._loading = False
        self.refresh_header()
        self._apply_mode()
        self.validate()

    def refresh_header(self) -> None:
        if self.model is None:
            self.heading.setText("Choose a model")
            self.header.setText("Pick a model on the left to write or review its report.")
            self.linked.setText("")
            return
        doc = build_document(self.ctx.store, self.ctx.data_dir, self.model, self.ctx.today())
        self.heading.setText(f"Report: {self.model.display_name}")
        self.header.setText(_header_html(doc))
        self.linked.setText(_linked_html(doc))

    def _apply_mode(self) -> None:
        final = self.original is not None and self.original.status == ReportStatus.FINAL
        has_model = self.model is not None
        for edit in self.sections.values():
            edit.setReadOnly(final or not has_model)
        self.reviewers.setReadOnly(final or not has_model)
        self.status.setEnabled(has_model and not final)
        self.reopen_button.setVisible(final)
        self.export_button.setEnabled(has_model)
        self.draft_button.setEnabled(has_model and not final)
        if final:
            self.banner.setText(
                "This report is final and read-only. Reopen it, with a reason,"
                " to edit it; the reason goes into its history."
            )
        elif self.original is not None and self.original.reopen_reason:
            self.banner.setText(f"Reopened: {self.original.reopen_reason}")
        else:
            self.banner.setText("")
        self.banner.setVisible(bool(self.banner.text()))

    # -- editing ---------------------------------------------------------
    def candidate(self) -> Report:
        changes = {name: edit.toPlainText() for name, edit in self.sections.items()}
        return self._base.replace(
            status=self.status.currentData(), reviewers=self.reviewers.text().strip(), **changes
        )

    def is_dirty(self) -> bool:
        if self.model is None:
            return False
        report = self.candidate()
        if self.original is None:
            return report != self._base
        return report != self.original

    def _changed(self, *_args: object) -> None:
        if not self._loading:
            self.validate()

    def problems(self) -> list[Problem]:
        return self.service.problems(self.candidate()) if self.model else []

    def validate(self) -> list[Problem]:
        problems = self.problems()
        by_field: dict[str, list[str]] = {}
        for p in problems:
            by_field.setdefault(p.field, []).append(p.reason)
        for name, error in self.errors.items():
            reasons = by_field.get(name, [])
            error.setText("; ".join(reasons))
            error.setVisible(bool(reasons))
            widget = self.sections.get(name) or self.reviewers
            widget.setProperty("invalid", "true" if reasons else "false")
            repolish(widget)
        dirty = self.is_dirty()
        self.save_button.setEnabled(dirty and not problems)
        self.revert_button.setEnabled(dirty)
        if problems:
            self.summary.setText("To save: " + "; ".join(str(p) for p in problems[:2]))
        elif dirty:
            self.summary.setText("Unsaved changes")
        elif self.original is None:
            self.summary.setText("Not started: write a section and save to start the draft")
        else:
            self.summary.setText(f"Saved · {label(self.original.status)}")
        return problems

    def save(self) -> Report | None:
        if self.validate() or not self.save_button.isEnabled():
            return None
        try:
            saved = self.service.save(self.candidate())
        except ValidationError as exc:
            QMessageBox.warning(self, "Cannot save the report", str(exc))
            return None
        self._load(saved)
        self.saved.emit(saved)
        return saved

    def draft_from_answers(self) -> int:
        """Draft reflections and preferences from the interview answers; returns sections drafted.

        The draft goes into the editor, below what is already written (never
        over it), and is saved only when the steward saves. The team's
        interpretation is never drafted.
        """
        if self.model is None or (
            self.original is not None and self.original.status == ReportStatus.FINAL
        ):
            return 0
        drafts = AnswerService(self.ctx.store, self.ctx.who).draft_sections(
            self.model.id, load_protocols()
        )
        drafted = 0
        for name, text in drafts.items():
            edit = self.sections[name]
            current = edit.toPlainText()
            if not text or text in current:
                continue
            edit.setPlainText(f"{current.rstrip()}\n\n{text}" if current.strip() else text)
            drafted += 1
        if drafted:
            self.task_status.show_message(
                "Drafted from the interview answers: edit the draft, then save."
            )
        else:
            self.task_status.show_message(
                "Nothing to draft: no answers to a protocol's reflection or preference questions,"
                " or they are already in the report."
            )
        return drafted

    def revert(self) -> None:
        self._load(self.original)

    def reopen(self, reason: str) -> Report | None:
        if self.original is None:
            return None
        try:
            reopened = self.service.reopen(self.original.id, reason)
        except ValidationError as exc:
            QMessageBox.warning(self, "Cannot reopen the report", str(exc))
            return None
        self._load(reopened)
        self.saved.emit(reopened)
        return reopened

    def _ask_reopen(self) -> None:
        reason, ok = QInputDialog.getText(
            self, "Reopen the final report", "Why does the final report need changing?"
        )
        if ok:
            self.reopen(reason)

    # -- export ----------------------------------------------------------
    def _ask_export(self) -> None:
        if self.model is None or self.task_status.busy():
            return
        if self.is_dirty():
            QMessageBox.information(
                self, "Unsaved changes", "Export writes the saved report. Save or revert first."
            )
            return
        name = str(Path.home() / f"{self.model.slug}-post-deployment-report.pdf")
        path, chosen = QFileDialog.getSaveFileName(self, "Export report", name, EXPORT_FILTERS)
        if not path:
            return
        target = Path(path)
        fmt = format_for_path(target)
        if fmt is None:
            fmt = {"PDF": "pdf", "HTML": "html", "Markdown": "md"}[chosen.split()[0]]
            target = target.with_suffix("." + fmt)
        self.export_to(target, fmt)

    def export_to(self, target: Path, fmt: str) -> Task | None:
        """Write the saved report to ``target`` in a worker; emits ``exported`` when done."""
        if self.model is None or self.task_status.busy():
            return None
        self.export_button.setEnabled(False)
        job = export_job(
            self.ctx.store.path,
            self.ctx.data_dir,
            self.model.id,
            self.ctx.today(),
            fmt,
            target,
            self.ctx.who,
        )
        return self.task_status.start(
            f"Writing {target.name}…",
            job,
            succeeded=self._exported,
            failed=self._export_failed,
            cancelled=lambda: self.export_button.setEnabled(True),
        )

    def _exported(self, path: object) -> None:
        self.export_button.setEnabled(self.model is not None)
        self.task_status.show_message(f"Wrote {path}")
        self.exported.emit(str(path))

    def _export_failed(self, exc: BaseException, _traceback: str) -> None:
        self.export_button.setEnabled(self.model is not None)
        self.last_export_error = error = str(exc) or type(exc).__name__
        self.task_status.show_message(f"Export failed: {error}")


def _header_html(doc: ReportDocument) -> str:
    e = html.escape
    skip = {"Model", "Report status", "Reviewers", "Generated", "Provider"}
    pairs = [(k, v) for k, v in doc.header() if k not in skip]
    cells = []
    for i in range(0, len(pairs), 2):
        row = "".join(
            f"<td style='color:#5f6b7a; padding-right:8px'>{e(k)}</td>"
            f"<td style='padding-right:24px'>{e(v)}</td>"
            for k, v in pairs[i : i + 2]
        )
        cells.append(f"<tr>{row}</tr>")
    return f"<table cellspacing='0' cellpadding='1'>{''.join(cells)}</table>"


def _linked_html(doc: ReportDocument) -> str:
    e = html.escape
    parts = [f"<b>Interviews ({len(doc.interviews)})</b>"]
    if not doc.interviews:
        parts.append("<br><span style='color:#5f6b7a'>none recorded</span>")
    for line in doc.interviews:
        parts.append(f"<br>{e(line.text)} · transcript <code>{e(line.digest_text)}</code>")
    parts.append(f"<br><b>Requests ({len(doc.requests)})</b>")
    if not doc.requests:
        parts.append("<br><span style='color:#5f6b7a'>none recorded</span>")
    for r in doc.requests:
        words = " ".join(r.words.split())
        words = words if len(words) <= 90 else words[:89] + "…"
        parts.append(f"<br>{e(label(r.status))} · {e(label(r.source))} · “{e(words)}”")
    return "".join(parts)
