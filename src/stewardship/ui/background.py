"""Work off the GUI thread: a cancellable task on the global thread pool, and its status bar.

A task's function gets the :class:`Task` itself, to report progress and to
ask whether the steward cancelled. Results and errors come back to the GUI
thread through queued signals. A function that touches the database opens
its own ``Store(path)``: a connection is never shared between threads.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget


class TaskSignals(QObject):
    progress = Signal(int, int)  # done, total (total 0: unknown)
    finished = Signal(object)
    failed = Signal(str)
    cancelled = Signal()


class Task(QRunnable):
    def __init__(self, fn: Callable[[Task], Any]) -> None:
        super().__init__()
        self.setAutoDelete(False)
        self.fn = fn
        self.signals = TaskSignals()
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    def report(self, done: int, total: int) -> None:
        self.signals.progress.emit(done, total)

    def run(self) -> None:
        try:
            result = self.fn(self)
        except Exception as exc:
            if self.is_cancelled():
                self.signals.cancelled.emit()
            else:
                self.signals.failed.emit(str(exc) or type(exc).__name__)
            return
        if self.is_cancelled():
            self.signals.cancelled.emit()
        else:
            self.signals.finished.emit(result)


class TaskStatus(QWidget):
    """What a view's background task is doing: a message, a progress bar and Cancel."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.task: Task | None = None
        self._done: Callable[[Any], None] = lambda _result: None
        self._failed: Callable[[str], None] = lambda _error: None
        self._cancelled: Callable[[], None] = lambda: None
        self.message = QLabel()
        self.message.setProperty("role", "hint")
        self.bar = QProgressBar()
        self.bar.setMaximumWidth(180)
        self.bar.setTextVisible(False)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop this task; nothing half-done is kept")
        self.cancel_button.clicked.connect(self.cancel)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.message, 1)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel_button)
        self.bar.hide()
        self.cancel_button.hide()

    def busy(self) -> bool:
        return self.task is not None

    def start(
        self,
        message: str,
        fn: Callable[[Task], Any],
        *,
        done: Callable[[Any], None],
        failed: Callable[[str], None],
        cancelled: Callable[[], None] | None = None,
    ) -> Task:
        """Run ``fn`` in the thread pool; the callbacks are called on the GUI thread."""
        task = Task(fn)
        self.task = task
        self.message.setText(message)
        self.bar.setRange(0, 0)
        self.bar.show()
        self.cancel_button.show()
        self.cancel_button.setEnabled(True)
        self._done, self._failed = done, failed
        self._cancelled = cancelled or (lambda: None)
        # Bound methods of this GUI-thread widget: Qt queues the calls onto the GUI thread.
        task.signals.progress.connect(self._progress)
        task.signals.finished.connect(self._on_finished)
        task.signals.failed.connect(self._on_failed)
        task.signals.cancelled.connect(self._on_cancelled)
        QThreadPool.globalInstance().start(task)
        return task

    def show_message(self, text: str) -> None:
        self.message.setText(text)

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.cancel_button.setEnabled(False)
            self.message.setText("Cancelling…")

    def _progress(self, done: int, total: int) -> None:
        if total > 0:
            self.bar.setRange(0, 1000)
            self.bar.setValue(int(1000 * done / total))

    def _on_finished(self, result: object) -> None:
        self._finish("")
        self._done(result)

    def _on_failed(self, error: str) -> None:
        self._finish("")
        self._failed(error)

    def _on_cancelled(self) -> None:
        self._finish("Cancelled; nothing was kept.")
        self._cancelled()

    def _finish(self, message: str) -> None:
        self.task = None
        self.bar.hide()
        self.cancel_button.hide()
        self.message.setText(message)
