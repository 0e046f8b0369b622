"""Import and export off the GUI thread: a QRunnable with progress, cancel and its own store."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..services.file_problems import Cancelled, FileProblem, Progress
from ..store import Store

#: The work a job runs: given its own store, a progress callback and a cancel check.
Work = Callable[[Store, Progress, Cancelled], Any]


class JobSignals(QObject):
    progress = Signal(int, int)
    succeeded = Signal(object)
    failed = Signal(object)


class FileJob(QRunnable):
    """Runs ``work`` on a pool thread with a connection of its own (DESIGN section 7)."""

    def __init__(self, db_path: Path, work: Work) -> None:
        super().__init__()
        self.setAutoDelete(False)
        self.db_path = db_path
        self.work = work
        self.signals = JobSignals()
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def run(self) -> None:
        try:
            store = Store(self.db_path)
            try:
                result = self.work(store, self.signals.progress.emit, self._cancel.is_set)
            finally:
                store.close()
        except Exception as exc:  # reported to the steward by the GUI thread
            self.signals.failed.emit(exc)
        else:
            self.signals.succeeded.emit(result)


class ProblemsDialog(QDialog):
    """A refused file: the headline and every problem, readable and copyable."""

    def __init__(
        self, title: str, headline: str, problems: list[FileProblem], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(720, 420)
        layout = QVBoxLayout(self)
        heading = QLabel(headline)
        heading.setWordWrap(True)
        heading.setObjectName("problemsHeadline")
        heading.setStyleSheet("font-weight: 600;")
        layout.addWidget(heading)
        hint = QLabel("Nothing was imported. Fix these in the file and import it again:")
        layout.addWidget(hint)
        self.text = QPlainTextEdit("\n".join(str(p) for p in problems))
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.text.setAccessibleName("Problems")
        layout.addWidget(self.text, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        copy = QPushButton("Copy problems")
        copy.clicked.connect(
            lambda: QGuiApplication.clipboard().setText(headline + "\n" + self.text.toPlainText())
        )
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
