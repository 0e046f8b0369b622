"""Running work off the GUI thread: a QRunnable with signals, progress and cancel."""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


class WorkerSignals(QObject):
    progress = Signal(str, int, int)  # what, done, total
    succeeded = Signal(object)
    failed = Signal(object)  # the exception
    finished = Signal()


class Worker(QRunnable):
    """Runs ``fn(progress=..., cancelled=...)`` in the global thread pool.

    ``fn`` gets a progress callback ``(what, done, total)`` and a ``cancelled()``
    check; it must open its own SQLite connection. Results and errors come
    back through :attr:`signals`, delivered on the GUI thread.
    """

    def __init__(self, fn: Callable[..., Any]) -> None:
        super().__init__()
        self.fn = fn
        self.signals = WorkerSignals()
        self._cancel = threading.Event()
        self.setAutoDelete(True)

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    def run(self) -> None:
        try:
            result = self.fn(progress=self.signals.progress.emit, cancelled=self._cancel.is_set)
        except Exception as exc:
            exc.__traceback_text__ = traceback.format_exc()  # type: ignore[attr-defined]
            self.signals.failed.emit(exc)
        else:
            self.signals.succeeded.emit(result)
        finally:
            self.signals.finished.emit()


def start(worker: Worker) -> Worker:
    QThreadPool.globalInstance().start(worker)
    return worker
