"""A view's background task in a line: a message, a progress bar and Cancel.

The task itself is a :class:`~stewardship.ui.tasks.Task` (see ``ui/tasks.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from .tasks import Task, TaskFunction, run_task


class TaskStatus(QWidget):
    """What a view's background task is doing: a message, a progress bar and Cancel."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.task: Task | None = None
        self._succeeded: Callable[[Any], object] = lambda _result: None
        self._failed: Callable[[BaseException, str], object] = lambda _error, _text: None
        self._cancelled: Callable[[], object] = lambda: None
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
        fn: TaskFunction,
        *,
        succeeded: Callable[[Any], object],
        failed: Callable[[BaseException, str], object],
        cancelled: Callable[[], object] | None = None,
    ) -> Task:
        """Run ``fn`` as a task; the callbacks are called on the GUI thread."""
        self.message.setText(message)
        self.bar.setRange(0, 0)
        self.bar.show()
        self.cancel_button.show()
        self.cancel_button.setEnabled(True)
        self._succeeded, self._failed = succeeded, failed
        self._cancelled = cancelled or (lambda: None)
        self.task = run_task(
            fn,
            succeeded=self._on_succeeded,
            failed=self._on_failed,
            cancelled=self._on_cancelled,
            progress=self._progress,
        )
        return self.task

    def show_message(self, text: str) -> None:
        self.message.setText(text)

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.cancel_button.setEnabled(False)
            self.message.setText("Cancelling…")

    def _progress(self, _what: str, done: int, total: int) -> None:
        if total > 0:
            self.bar.setRange(0, 1000)
            self.bar.setValue(int(1000 * done / total))

    def _on_succeeded(self, result: object) -> None:
        self._finish("")
        self._succeeded(result)

    def _on_failed(self, error: BaseException, traceback_text: str) -> None:
        self._finish("")
        self._failed(error, traceback_text)

    def _on_cancelled(self) -> None:
        self._finish("Cancelled; nothing was kept.")
        self._cancelled()

    def _finish(self, message: str) -> None:
        self.task = None
        self.bar.hide()
        self.cancel_button.hide()
        self.message.setText(message)
