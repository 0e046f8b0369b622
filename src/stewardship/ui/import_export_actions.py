"""File menu: Import schedules…, Import bundled public schedules ▸, Export…

Each runs as a task (``ui/tasks.py``) with its own connection to the store,
one at a time, with a progress dialog that can cancel; the views are
refreshed after an import.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QThreadPool, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressDialog,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from ..app import AppContext
from ..domain.tasks import CancelCheck, Progress
from ..services.file_problems import ImportRefused
from ..services.own_store import with_own_store
from ..services.schedules import bundled_schedules, import_bundled
from .problems_dialog import ProblemsDialog
from .tasks import Task, run_task

if TYPE_CHECKING:
    from ..services.own_store import Store

#: The work of an import or export: given its own store, a progress callback and a cancel check.
Work = Callable[["Store", Progress, CancelCheck], Any]

#: (label, format, table, file suffix, file filter)
EXPORT_CHOICES = [
    ("Everything, one JSON document", "json", None, ".json", "JSON (*.json)"),
    ("Models, CSV (re-importable schedule)", "csv", "models", ".csv", "CSV (*.csv)"),
    ("Checklist items, CSV", "csv", "checklist-items", ".csv", "CSV (*.csv)"),
    ("Preference requests, CSV", "csv", "requests", ".csv", "CSV (*.csv)"),
    ("Retirement and due dates, iCalendar", "ics", None, ".ics", "iCalendar (*.ics)"),
]


class ExportDialog(QDialog):
    """Choose what to export."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("What do you want to export?"))
        self.group = QButtonGroup(self)
        for number, (label, *_rest) in enumerate(EXPORT_CHOICES):
            button = QRadioButton(label)
            self.group.addButton(button, number)
            layout.addWidget(button)
        self.group.button(0).setChecked(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Choose file…")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def choice(self) -> tuple[str, str, str | None, str, str]:
        return EXPORT_CHOICES[self.group.checkedId()]


class ImportExportActions(QObject):
    """Adds the import and export actions to ``menu`` and runs them as tasks."""

    def __init__(self, window: QMainWindow, ctx: AppContext, menu: QMenu) -> None:
        super().__init__(window)
        self.window = window
        self.ctx = ctx
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self.job: Task | None = None
        self.progress: QProgressDialog | None = None
        self.dialog: QDialog | None = None
        self.last_message = ""
        self._on_success: Callable[[Any], None] = lambda _result: None

        menu.addSeparator()
        self.import_action = QAction("&Import schedules…", window, shortcut=QKeySequence("Ctrl+I"))
        self.import_action.setStatusTip("Import a CSV of model schedules or a JSON export")
        self.import_action.triggered.connect(self.choose_import)
        menu.addAction(self.import_action)
        self.bundled_menu = menu.addMenu("Import &bundled public schedules")
        for schedule in bundled_schedules():
            action = self.bundled_menu.addAction(schedule.title)
            action.setStatusTip(f"Import the public deprecation schedule of {schedule.title}")
            action.triggered.connect(lambda _=False, key=schedule.key: self.start_bundled(key))
        self.export_action = QAction("&Export…", window, shortcut=QKeySequence("Ctrl+Shift+E"))
        self.export_action.triggered.connect(self.choose_export)
        menu.addAction(self.export_action)

    # -- entry points ----------------------------------------------------
    def choose_import(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self.window,
            "Import schedules",
            str(Path.home()),
            "Schedules and exports (*.csv *.json);;All files (*)",
        )
        if name:
            self.start_import(Path(name))

    def start_import(self, path: Path) -> None:
        from ..services.importing import import_file  # loaded on first use, not at start-up

        who = self.ctx.who
        self._start(
            lambda store, progress, cancelled: import_file(
                store, path, who, progress=progress, cancelled=cancelled
            ),
            f"Importing {path.name}…",
            path.name,
            self._imported,
        )

    def start_bundled(self, key: str) -> None:
        who = self.ctx.who
        self._start(
            lambda store, progress, cancelled: import_bundled(
                store, key, who, progress=progress, cancelled=cancelled
            ),
            f"Importing the {key} public schedule…",
            f"{key}.csv",
            self._imported,
        )

    def choose_export(self) -> None:
        dialog = ExportDialog(self.window)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        label, fmt, table, suffix, filter_ = dialog.choice()
        stem = f"stewardship-{table or fmt}" if fmt != "ics" else "stewardship-dates"
        name, _ = QFileDialog.getSaveFileName(
            self.window, label, str(Path.home() / f"{stem}{suffix}"), filter_
        )
        if name:
            self.start_export(fmt, table, Path(name))

    def start_export(self, fmt: str, table: str | None, path: Path) -> None:
        from ..services.exporting import export  # loaded on first use, not at start-up

        self._start(
            lambda store, progress, cancelled: export(
                store, fmt, path, table=table, progress=progress, cancelled=cancelled
            ),
            f"Exporting to {path.name}…",
            path.name,
            self._exported,
        )

    # -- running ---------------------------------------------------------
    def _start(self, work: Work, label: str, name: str, on_success: Callable[[Any], None]) -> None:
        if self.job is not None:
            QMessageBox.information(self.window, "Busy", "An import or export is still running.")
            return
        path = self.ctx.store.path

        def run(progress: Progress, cancelled: CancelCheck) -> Any:
            return with_own_store(path, lambda store: work(store, progress, cancelled))

        self._name = name
        self._on_success = on_success
        self.job = run_task(
            run,
            succeeded=self._succeeded,
            failed=self._failed,
            cancelled=self._cancelled,
            progress=self._progressed,
            name=label,
            pool=self.pool,
        )
        self.progress = QProgressDialog(label, "Cancel", 0, 0, self.window)
        self.progress.setWindowTitle("Stewardship Console")
        self.progress.setWindowModality(Qt.WindowModality.WindowModal)
        self.progress.setMinimumDuration(400)
        self.progress.canceled.connect(self.job.cancel)

    @Slot(str, int, int)
    def _progressed(self, _what: str, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress.setMaximum(max(total, 1))
            self.progress.setValue(done)

    def _finish(self) -> None:
        if self.progress is not None:
            self.progress.reset()
            self.progress.deleteLater()
            self.progress = None
        self.job = None

    @Slot(object)
    def _succeeded(self, result: Any) -> None:
        self._finish()
        self._on_success(result)

    @Slot()
    def _cancelled(self) -> None:
        message = self.job.cancel_message if self.job is not None else "cancelled"
        self._finish()
        self._say(message)

    @Slot(object, str)
    def _failed(self, error: BaseException, _traceback: str) -> None:
        self._finish()
        if isinstance(error, ImportRefused):
            self.dialog = ProblemsDialog("Import refused", str(error), error.problems, self.window)
            self.dialog.open()
            self._say(str(error))
        else:
            self._say(f"{self._name}: {error}")
            box = QMessageBox(
                QMessageBox.Icon.Warning,
                "Stewardship Console",
                f"{self._name} could not be processed.",
                parent=self.window,
            )
            box.setInformativeText(str(error))
            self.dialog = box
            box.open()

    def _imported(self, result: Any) -> None:
        refresh = getattr(self.window, "refresh", None)
        if refresh is not None:
            refresh()
        self._say(f"{self._name}: {result.summary()}")

    def _exported(self, result: Any) -> None:
        self._say(result.summary()[:1].upper() + result.summary()[1:])

    def _say(self, message: str) -> None:
        self.last_message = message
        self.window.statusBar().showMessage(message, 10_000)
