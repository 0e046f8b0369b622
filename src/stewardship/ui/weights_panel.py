"""The Weights tab of the Checklists view: a model's archive copies, its manifest, verification.

Lists each copy with its last verification and when the next is due (failed or
overdue in red); records a copy, imports the manifest from a ``SHA256SUMS`` file
or builds it from a copy (saying that copy is then trusted), and verifies a copy
or all of them as a task (``ui/tasks.py``) with progress and Cancel, showing a
result for every file.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QGridLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..app import AppContext
from ..domain.errors import ValidationError
from ..domain.records import Model
from ..domain.tasks import CancelCheck, Progress
from ..domain.weights import ArchiveCopy, FileResult, size_text
from ..services.own_store import Store, with_own_store
from ..services.weights import CopyOverview, CopyUnreachable, VerificationRun, WeightsService
from . import style

COPY_COLUMNS = ["Copy", "URI", "Provider", "Region", "Last verified", "Next due", "State"]
RESULT_COLUMNS = ["Copy", "File", "Result", "Detail"]


def _cell(text: str) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setToolTip(text)
    return item


def _table(columns: list[str], name: str) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setHorizontalHeaderLabels(columns)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    table.horizontalHeader().setStretchLastSection(True)
    table.setAccessibleName(name)
    return table


class WeightsPanel(QWidget):
    """A model's archive copies and their verification (see the module)."""

    #: copies, the manifest or a verification changed (the checklist items did too)
    changed = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from .task_status import TaskStatus

        self.ctx = ctx
        self.model: Model | None = None
        self.overview: list[CopyOverview] = []
        #: the per-file results of the last run started here
        self.results: list[tuple[str, FileResult]] = []

        self.manifest_label = QLabel()
        self.manifest_label.setWordWrap(True)
        self.manifest_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.copies = _table(COPY_COLUMNS, "Archive copies")
        for col, width in enumerate((110, 220, 80, 80, 95, 85)):
            self.copies.setColumnWidth(col, width)
        self.copies.itemSelectionChanged.connect(self._update_buttons)

        self.add_button = QPushButton("Add copy…")
        self.add_button.clicked.connect(self._ask_add_copy)
        self.import_button = QPushButton("Import SHA256SUMS…")
        self.import_button.setToolTip("Record the manifest from sha256sum output (once per model)")
        self.import_button.clicked.connect(self._ask_import)
        self.build_button = QPushButton("Build manifest…")
        self.build_button.setToolTip(
            "Hash every file of the chosen copy into the manifest: that copy is then trusted"
        )
        self.build_button.clicked.connect(self._ask_build)
        self.verify_button = QPushButton("Verify copy")
        self.verify_button.clicked.connect(self.verify_selected)
        self.verify_all_button = QPushButton("Verify all")
        self.verify_all_button.clicked.connect(self.verify_all)
        # Two to a row: the tab shares the Checklists view's width with the item tree.
        buttons = QGridLayout()
        for n, button in enumerate(
            (
                self.add_button,
                self.import_button,
                self.build_button,
                self.verify_button,
                self.verify_all_button,
            )
        ):
            buttons.addWidget(button, n // 2, n % 2)
        buttons.setColumnStretch(2, 1)

        self.task_status = TaskStatus()
        self.result_table = _table(RESULT_COLUMNS, "Verification results")
        for col, width in enumerate((120, 220, 110)):
            self.result_table.setColumnWidth(col, width)
        self.result_label = QLabel()
        self.result_label.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.manifest_label)
        layout.addWidget(self.copies, 2)
        layout.addLayout(buttons)
        layout.addWidget(self.task_status)
        layout.addWidget(self.result_label)
        layout.addWidget(self.result_table, 3)
        self._pending: list[ArchiveCopy] = []

    # -- data ------------------------------------------------------------------
    def service(self, store: Store | None = None) -> WeightsService:
        settings = self.ctx.settings
        every = settings.verify_every_days.value if settings else 365
        return WeightsService(store or self.ctx.store, self.ctx.who, verify_every_days=every)

    def set_model(self, model: Model | None) -> None:
        if self.model is None or model is None or model.id != self.model.id:
            self.results = []
            self._show_results("")
        self.model = model
        self.refresh()

    def refresh(self) -> None:
        model = self.model
        service = self.service()
        self.overview = service.overview(model.id, self.ctx.today()) if model else []
        manifest = service.manifest(model.id) if model else None
        if model is None:
            text = ""
        elif manifest is None:
            text = (
                "<b>No manifest yet.</b> Import the weights' SHA256SUMS, or build the manifest"
                " from a copy (that copy is then trusted). Copies are checked against it."
            )
        else:
            size = f", {size_text(manifest.total_bytes)}" if manifest.total_bytes > 0 else ""
            text = (
                f"<b>Manifest:</b> {manifest.file_count} files{size}, {escape(manifest.source)};"
                f" recorded by {escape(manifest.recorded_by)} on {manifest.recorded_at[:10]}."
                f" SHA-256 <code>{manifest.sha256}</code>"
            )
        self.manifest_label.setText(text)
        self.copies.setRowCount(len(self.overview))
        for r, entry in enumerate(self.overview):
            copy, status = entry.copy, entry.status
            last = entry.last
            values = [
                copy.name,
                copy.uri,
                copy.provider or "unknown",
                copy.region or "unknown",
                f"{last.finished_at[:10]} ({last.outcome})" if last else "never",
                status.due.isoformat() if status.due else "",
                status.state.value,
            ]
            for c, value in enumerate(values):
                cell = _cell(value)
                if status.alert:
                    cell.setForeground(QBrush(style.OVERDUE_FG))
                    cell.setBackground(QBrush(style.OVERDUE_BG))
                self.copies.setItem(r, c, cell)
        if self.overview and not self.copies.selectedItems():
            self.copies.selectRow(0)
        self._update_buttons()

    def selected_copy(self) -> ArchiveCopy | None:
        row = self.copies.currentRow()
        return self.overview[row].copy if 0 <= row < len(self.overview) else None

    def _update_buttons(self) -> None:
        busy = self.task_status.busy()
        has_model = self.model is not None
        has_copy = self.selected_copy() is not None
        has_manifest = has_model and self.service().manifest(self.model.id) is not None  # type: ignore[union-attr]
        self.add_button.setEnabled(has_model and not busy)
        self.import_button.setEnabled(has_model and not has_manifest and not busy)
        self.build_button.setEnabled(has_copy and not has_manifest and not busy)
        self.verify_button.setEnabled(has_copy and has_manifest and not busy)
        self.verify_all_button.setEnabled(bool(self.overview) and has_manifest and not busy)

    def _refuse(self, title: str, error: Exception) -> None:
        QMessageBox.warning(self, title, str(error))

    # -- copies and the manifest -------------------------------------------------
    def _ask_add_copy(self) -> None:
        uri, ok = QInputDialog.getText(
            self, "Add archive copy", "URI (file:///path/to/folder or s3://bucket/prefix):"
        )
        if not ok or not uri.strip():
            return
        label, _ok = QInputDialog.getText(self, "Add archive copy", "Label (optional):")
        self.add_copy(uri, label)

    def add_copy(self, uri: str, label: str = "") -> ArchiveCopy | None:
        if self.model is None:
            return None
        try:
            copy = self.service().add_copy(self.model, uri, label=label)
        except ValidationError as exc:
            self._refuse("Copy not added", exc)
            return None
        self.refresh()
        self.changed.emit()
        return copy

    def _ask_import(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Import SHA256SUMS", "", "All files (*)")
        if name:
            self.import_manifest(Path(name))

    def import_manifest(self, path: Path) -> bool:
        """Record the manifest from ``path`` as a task (a manifest may list thousands of files)."""
        model = self.model
        if model is None or self.task_status.busy():
            return False
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            self._refuse("Manifest not recorded", exc)
            return False
        store_path = self.ctx.store.path

        def work(_progress: Progress, _cancelled: CancelCheck) -> object:
            return with_own_store(
                store_path,
                lambda store: self.service(store).import_manifest(model, text, path.name),
            )

        self.task_status.start(
            f"Recording the manifest from {path.name}…",
            work,
            succeeded=lambda _m: self._done("Manifest recorded."),
            failed=self._failed,
        )
        self._update_buttons()
        return True

    def _ask_build(self) -> None:
        copy = self.selected_copy()
        if copy is None:
            return
        answer = QMessageBox.question(
            self,
            "Build the manifest from this copy?",
            f"Every file of {copy.name} will be hashed into the model's manifest. That copy is"
            " then trusted as it is today: a file already damaged there goes unnoticed. Import"
            " the SHA256SUMS written when the weights were made instead, if there is one.",
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.build_manifest(copy)

    def build_manifest(self, copy: ArchiveCopy) -> None:
        model = self.model
        if model is None:
            return
        path = self.ctx.store.path

        def work(progress: Progress, cancelled: CancelCheck) -> object:
            return with_own_store(
                path,
                lambda store: self.service(store).build_manifest(model, copy, progress, cancelled),
            )

        self.task_status.start(
            f"Building the manifest from {copy.name}…",
            work,
            succeeded=lambda _m: self._done("Manifest recorded."),
            failed=self._failed,
            cancelled=self._update_buttons,
        )
        self._update_buttons()

    # -- verification --------------------------------------------------------------
    def verify_selected(self) -> None:
        copy = self.selected_copy()
        if copy is not None:
            self._verify([copy])

    def verify_all(self) -> None:
        self._verify([entry.copy for entry in self.overview])

    def _verify(self, copies: list[ArchiveCopy]) -> None:
        if not copies or self.task_status.busy():
            return
        path = self.ctx.store.path
        self.results = []
        self._show_results("")

        def work(progress: Progress, cancelled: CancelCheck) -> list[VerificationRun | str]:
            def run(store: Store) -> list[VerificationRun | str]:
                service = self.service(store)
                out: list[VerificationRun | str] = []
                for copy in copies:
                    try:
                        out.append(service.verify(copy, progress, cancelled))
                    except (CopyUnreachable, ValidationError) as exc:
                        out.append(f"{copy.name}: {exc}")
                return out

            return with_own_store(path, run)

        names = copies[0].name if len(copies) == 1 else f"{len(copies)} copies"
        self.task_status.start(
            f"Verifying {names}…",
            work,
            succeeded=self._verified,
            failed=self._failed,
            cancelled=self._update_buttons,
        )
        self._update_buttons()

    def _verified(self, runs: list[VerificationRun | str]) -> None:
        lines = []
        for run in runs:
            if isinstance(run, str):
                lines.append(f"<span style='color:{style.DANGER}'>{escape(run)}</span>")
                continue
            record = run.record
            self.results += [(run.copy.name, r) for r in run.results]
            text = (
                f"{escape(run.copy.name)}: <b>{record.outcome}</b>, {record.files_checked} files,"
                f" {record.failures_total} missing or differing, {record.extra_total} extra,"
                f" {size_text(record.bytes_read)} read"
            )
            if not record.passed:
                text = f"<span style='color:{style.DANGER}'>{text}</span>"
            lines.append(text)
        self._done("")
        self._show_results("<br>".join(lines))

    def _show_results(self, summary: str) -> None:
        self.result_label.setText(summary)
        # Problems first: a person looks for them.
        ordered = sorted(self.results, key=lambda pair: pair[1].ok)
        self.result_table.setRowCount(len(ordered))
        for r, (copy_name, result) in enumerate(ordered):
            what = result.problem.value if result.problem else f"ok ({result.method})"
            for c, value in enumerate((copy_name, result.path, what, result.detail)):
                cell = _cell(value)
                if result.fails:
                    cell.setForeground(QBrush(style.OVERDUE_FG))
                self.result_table.setItem(r, c, cell)

    def _done(self, message: str) -> None:
        self.task_status.show_message(message)
        self.refresh()
        self.changed.emit()

    def _failed(self, error: BaseException, _traceback: str) -> None:
        self.task_status.show_message(f"Failed: {error}")
        self._update_buttons()
