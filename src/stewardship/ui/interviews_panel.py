"""A model's interviews: the list, the form, and attaching a transcript (hashed in a worker)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QItemSelection, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..app import AppContext
from ..domain.errors import Problem
from ..domain.records import Interview, Model, Record
from ..domain.tasks import CancelCheck, Progress
from ..services.attached_files import FileState, FileWhere, fetch_file, file_state
from ..services.interviews import InterviewService, StoredTranscript, store_transcript
from ..services.own_store import with_own_store
from .interview_conductor import ConductDialog
from .record_form import DATE_HINT, FieldSpec, RecordForm
from .table_model import ROW_ROLE, Column, RowTableModel
from .task_status import TaskStatus
from .tasks import Task, TaskFunction
from .widgets import repolish, row_table

FIELDS = [
    FieldSpec("held_on", "Held on", "date", DATE_HINT),
    FieldSpec("title", "Title", "text", "e.g. Pre-retirement interview"),
    FieldSpec("interviewers", "Interviewers", "text", "e.g. A. Okafor, J. Lindqvist"),
    FieldSpec(
        "protocol_version",
        "Protocol",
        "text",
        "set by Conduct (e.g. post-deployment@1), or free text such as v2",
    ),
    FieldSpec("summary", "Summary", "multiline", "What was discussed; requests go in Requests", 72),
]


def short_digest(sha: str) -> str:
    return f"{sha[:12]}…" if sha else "no transcript"


COLUMNS: list[Column[Interview]] = [
    Column("Held on", lambda i: i.held_on.isoformat() if i.held_on else ""),
    Column("Interviewers", lambda i: i.interviewers),
    Column("Protocol", lambda i: i.protocol_version),
    Column(
        "Transcript SHA-256",
        lambda i: short_digest(i.transcript_sha256),
        tooltip=lambda i: i.transcript_sha256 or None,
    ),
]


def transcript_job(store_path: Path, data_dir: Path, source: Path) -> TaskFunction:
    """A task: copy and hash the file, record it with the task's own connection."""

    def run(progress: Progress, cancelled: CancelCheck) -> StoredTranscript:
        return with_own_store(
            store_path,
            lambda store: store_transcript(
                store, data_dir, source, progress=progress, cancelled=cancelled
            ),
        )

    return run


class InterviewForm(RecordForm):
    noun = "interview"

    def __init__(self, service: InterviewService, parent: QWidget | None = None) -> None:
        super().__init__(Interview, FIELDS, parent)
        self.service = service
        self.model_id = ""
        self.transcript = QLabel()
        self.transcript.setWordWrap(True)
        self.transcript.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.attach_button = QPushButton("Attach transcript…")
        self.attach_button.setToolTip("Copy a transcript file into the data folder, by its SHA-256")
        self.fetch_button = QPushButton("Fetch")
        self.fetch_button.setToolTip("Bring the transcript from the registry to this laptop")
        self.fetch_button.hide()
        #: where the shown transcript is (None: no transcript)
        self.file_state: FileState | None = None
        buttons = QHBoxLayout()
        buttons.addWidget(self.attach_button)
        buttons.addWidget(self.fetch_button)
        buttons.addStretch(1)
        row = QVBoxLayout()
        row.addWidget(self.transcript)
        row.addLayout(buttons)
        self.form_layout.addRow(QLabel("Transcript:"), row)
        self.load(None)

    def blank(self) -> Record:
        return Interview(model_id=self.model_id)

    def title_for(self, record: Record | None) -> str:
        return "Edit interview" if record else "Record an interview"

    def fill_choices(self, record: Record) -> None:
        assert isinstance(record, Interview)
        self._show_transcript(record)

    def check(self, record: Record) -> list[Problem]:
        assert isinstance(record, Interview)
        return self.service.problems(record)

    def persist(self, record: Record) -> Record:
        assert isinstance(record, Interview)
        return self.service.save(record)

    def set_transcript(self, stored: StoredTranscript) -> None:
        """Attach a stored transcript to the interview being edited (saved with it)."""
        self._base = self._base.replace(
            transcript_name=stored.original_name, transcript_sha256=stored.sha256
        )
        self._show_transcript(self._base)
        self.validate()

    def _show_transcript(self, record: Record) -> None:
        assert isinstance(record, Interview)
        self.file_state = None
        self.fetch_button.hide()
        self.transcript.setProperty("role", "")
        if not record.transcript_sha256:
            self.transcript.setText("No transcript attached.")
            repolish(self.transcript)
            return
        state = self.file_state = file_state(
            self.service.store,
            self.service.data_dir,
            record.transcript_sha256,
            record.modified_by,
        )
        self.transcript.setText(
            f"{record.transcript_name or 'transcript'} · {state.text}\n"
            f"SHA-256 {record.transcript_sha256}"
        )
        self.fetch_button.setVisible(state.can_fetch)
        if state.where in (FileWhere.MISSING, FileWhere.DAMAGED):
            self.transcript.setProperty("role", "error")
        repolish(self.transcript)


class InterviewsPanel(QWidget):
    changed = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.service = InterviewService(ctx.store, ctx.who, ctx.data_dir)
        self.model: Model | None = None
        self.last_error = ""

        self.table_model = RowTableModel(COLUMNS, parent=self)
        self.table = row_table(self.table_model, row_height=None, accessible_name="Interviews")
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.setColumnWidth(1, 200)
        self.table.setMaximumHeight(150)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.new_button = QPushButton("New interview")
        self.new_button.clicked.connect(self.new_interview)
        self.conduct_button = QPushButton("Conduct with a protocol…")
        self.conduct_button.setToolTip(
            "Walk the saved interview through a protocol's questions, answer by answer (Ctrl+I)"
        )
        self.conduct_button.clicked.connect(self.open_conductor)
        self.conduct_button.setEnabled(False)
        QShortcut(QKeySequence("Ctrl+I"), self, self.open_conductor)

        self.form = InterviewForm(self.service)
        self.form.saved.connect(self._saved)
        self.form.attach_button.clicked.connect(self._ask_transcript)
        self.form.fetch_button.clicked.connect(self.fetch_transcript)
        self.task_status = TaskStatus()

        top = QHBoxLayout()
        top.addWidget(QLabel("<b>Interviews with this model</b>"), 1)
        top.addWidget(self.conduct_button)
        top.addWidget(self.new_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(top)
        layout.addWidget(self.table)
        layout.addWidget(self.form, 1)
        layout.addWidget(self.task_status)

    def load_model(self, model: Model | None) -> None:
        self.model = model
        self.form.model_id = model.id if model else ""
        self.table_model.set_rows(self.service.for_model(model.id) if model else [])
        self.new_button.setEnabled(model is not None)
        rows = self.table_model.rows()
        if rows:
            self.table.selectRow(0)
        else:
            self.form.load(None)
        self.conduct_button.setEnabled(bool(rows))
        self.form.setEnabled(model is not None)

    def selected_interview(self) -> Interview | None:
        """The saved interview the form shows (None for a new, unsaved one)."""
        record = self.form._base
        if not isinstance(record, Interview) or self.service.get(record.id) is None:
            return None
        return self.service.get(record.id)

    def conductor_dialog(self) -> ConductDialog | None:
        interview = self.selected_interview()
        if interview is None:
            return None
        dialog = ConductDialog(self.ctx, interview, parent=self)
        dialog.conductor.changed.connect(self.changed.emit)
        dialog.finished.connect(lambda _r: self._saved(self.service.get(interview.id)))
        return dialog

    def open_conductor(self) -> None:
        dialog = self.conductor_dialog()
        if dialog is not None:
            dialog.exec()

    def new_interview(self) -> None:
        self.table.clearSelection()
        self.form.load(None)
        self.form.widgets["held_on"].setFocus()

    def _selection_changed(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        indexes = selected.indexes()
        if indexes:
            self.form.load(indexes[0].data(ROW_ROLE))
        self.conduct_button.setEnabled(bool(indexes))

    def _saved(self, interview: object) -> None:
        assert isinstance(interview, Interview)
        self.table_model.set_rows(self.service.for_model(interview.model_id))
        for row, item in enumerate(self.table_model.rows()):
            if item.id == interview.id:
                self.table.selectRow(row)
        self.changed.emit()

    # -- transcripts -----------------------------------------------------
    def _ask_transcript(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            "Attach a transcript",
            str(Path.home()),
            "Transcripts (*.txt *.md *.json *.pdf);;All files (*)",
        )
        if path:
            self.attach_file(Path(path))

    def attach_file(self, source: Path) -> Task | None:
        """Copy and hash ``source`` in a worker, then attach it to the interview in the form."""
        if self.task_status.busy():
            return None
        self.form.attach_button.setEnabled(False)
        job = transcript_job(self.ctx.store.path, self.ctx.data_dir, source)
        return self.task_status.start(
            f"Copying and hashing {source.name}…",
            job,
            succeeded=self._transcript_stored,
            failed=self._transcript_failed,
            cancelled=lambda: self.form.attach_button.setEnabled(True),
        )

    def _transcript_stored(self, stored: object) -> None:
        assert isinstance(stored, StoredTranscript)
        self.form.attach_button.setEnabled(True)
        self.form.set_transcript(stored)
        note = (
            "already in the data folder: kept once"
            if stored.already_stored
            else "copied into the data folder"
        )
        self.task_status.show_message(
            f"{stored.original_name}: {note}. Save the interview to keep the link."
        )

    def fetch_transcript(self) -> Task | None:
        """Bring the shown transcript from the registry, checked, with progress and Cancel."""
        record = self.form._base
        assert isinstance(record, Interview)
        sha = record.transcript_sha256
        if not sha or self.task_status.busy():
            return None
        name = record.transcript_name or "the transcript"
        store_file = self.ctx.store.path
        self.form.fetch_button.setEnabled(False)

        def fetch(progress: Progress, cancelled: CancelCheck) -> Path:
            return fetch_file(store_file, sha, progress=progress, cancelled=cancelled)

        def done(message: str) -> None:
            self.form.fetch_button.setEnabled(True)
            self.form._show_transcript(self.form._base)
            self.task_status.show_message(message)

        def failed(exc: BaseException, _traceback: str) -> None:
            self.last_error = str(exc) or type(exc).__name__
            done(f"{name} not fetched: {self.last_error}")

        return self.task_status.start(
            f"Fetching {name}…",
            fetch,
            succeeded=lambda _path: done(f"{name} fetched and checked against its SHA-256."),
            failed=failed,
            cancelled=lambda: done(f"Fetching {name} cancelled; it resumes where it stopped."),
        )

    def _transcript_failed(self, exc: BaseException, _traceback: str) -> None:
        self.form.attach_button.setEnabled(True)
        self.last_error = error = str(exc) or type(exc).__name__
        self.task_status.show_message(f"Transcript not attached: {error}")
