"""Work off the GUI thread: the window's one task class, and :func:`run_task` to start one.

A task runs ``fn(progress, cancelled)`` on a thread pool, ``fn`` following the
protocol of ``domain/tasks.py``: it reports ``progress(what, done, total)``,
polls ``cancelled()`` and raises :class:`~stewardship.domain.tasks.Cancelled`
to stop. Whatever touches the database opens its own connection
(``services/own_store.py``): a connection is never shared between threads.

Every task ends with exactly one of its signals, always delivered on the GUI
thread and never before :func:`run_task` has returned (so a caller, or a test
with ``qtbot.waitSignal``, can connect after starting it):

- ``succeeded(result)``: ``fn`` returned ``result``;
- ``failed(exception, traceback_text)``: ``fn`` raised; the failure is also
  logged, with its traceback, through :mod:`logging`;
- ``cancelled()``: ``fn`` raised ``Cancelled``; its message, which says what
  was kept, is the task's :attr:`~Task.cancel_message`.

``progress(what, done, total)`` may come before the end, never after it.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QMetaMethod, QObject, QRunnable, Qt, QThreadPool, Signal

from ..domain.tasks import CancelCheck, Cancelled, Progress

log = logging.getLogger(__name__)

#: What a task runs: given a progress callback and a cancel check, returns the result.
TaskFunction = Callable[[Progress, CancelCheck], Any]

_SUCCEEDED, _FAILED, _CANCELLED = "succeeded", "failed", "cancelled"

#: Tasks started and not yet ended: kept alive until their last signal is delivered.
_running: set[Task] = set()


class TaskSignals(QObject):
    """A task's signals. Lives on the GUI thread; the pool thread reaches it through queues."""

    succeeded = Signal(object)
    failed = Signal(object, str)  # the exception, its traceback as text
    cancelled = Signal()
    progress = Signal(str, int, int)  # what, done, total (0: not known)

    # Emitted on the pool thread, delivered here on the GUI thread.
    _progressed = Signal(str, int, int)
    _ended = Signal(str, object, str)

    def __init__(self, task: Task) -> None:
        super().__init__()
        self._task: Task | None = task
        queued = Qt.ConnectionType.QueuedConnection
        self._progressed.connect(self._deliver_progress, queued)
        self._ended.connect(self._deliver_end, queued)

    def _deliver_progress(self, what: str, done: int, total: int) -> None:
        if self._task is not None:
            self.progress.emit(what, done, total)

    def _deliver_end(self, outcome: str, value: object, traceback_text: str) -> None:
        task, self._task = self._task, None
        if task is None:
            return
        task.ended = True
        _running.discard(task)
        if outcome == _SUCCEEDED:
            self.succeeded.emit(value)
        elif outcome == _CANCELLED:
            self.cancelled.emit()
        elif self.isSignalConnected(QMetaMethod.fromSignal(self.failed)):
            self.failed.emit(value, traceback_text)
        else:
            _unhandled(value)


class Task(QRunnable):
    """Runs ``fn(progress, cancelled)`` once on a pool thread (see the module)."""

    def __init__(self, fn: TaskFunction, name: str = "") -> None:
        super().__init__()
        self.setAutoDelete(False)  # Python owns it; _running keeps it until it ended
        self.fn = fn
        self.name = name or getattr(fn, "__qualname__", "task")
        self.signals = TaskSignals(self)
        #: True once its last signal was delivered (on the GUI thread).
        self.ended = False
        #: What ``Cancelled`` said (what was kept), once the task was cancelled.
        self.cancel_message = ""
        self._cancel = threading.Event()

    def cancel(self) -> None:
        """Ask ``fn`` to stop; it ends with ``cancelled`` when it sees the request."""
        self._cancel.set()

    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    def run(self) -> None:
        signals = self.signals
        try:
            result = self.fn(signals._progressed.emit, self._cancel.is_set)
        except Cancelled as exc:
            self.cancel_message = str(exc) or "cancelled"
            signals._ended.emit(_CANCELLED, exc, "")
        except Exception as exc:
            log.error("Background task %s failed", self.name, exc_info=exc)
            signals._ended.emit(_FAILED, exc, traceback.format_exc())
        else:
            signals._ended.emit(_SUCCEEDED, result, "")


def run_task(
    fn: TaskFunction,
    *,
    succeeded: Callable[[Any], object] | None = None,
    failed: Callable[[BaseException, str], object] | None = None,
    cancelled: Callable[[], object] | None = None,
    progress: Callable[[str, int, int], object] | None = None,
    name: str = "",
    pool: QThreadPool | None = None,
) -> Task:
    """Start ``fn`` as a :class:`Task` on ``pool`` (the global one by default).

    The callbacks are connected to the task's signals, so they run on the GUI
    thread; a failure is logged whether or not ``failed`` is given. A failure
    nobody listens for (no receiver of ``failed`` when it ends) is an unexpected
    error: it goes to ``sys.excepthook``, which in the window opens the crash dialog.
    """
    task = Task(fn, name)
    signals = task.signals
    if succeeded is not None:
        signals.succeeded.connect(succeeded)
    if failed is not None:
        signals.failed.connect(failed)
    if cancelled is not None:
        signals.cancelled.connect(cancelled)
    if progress is not None:
        signals.progress.connect(progress)
    _running.add(task)
    (pool or QThreadPool.globalInstance()).start(task)
    return task


def _unhandled(error: object) -> None:
    """A failed task no caller handles: report it like any unexpected error in the window."""
    assert isinstance(error, BaseException)
    sys.excepthook(type(error), error, error.__traceback__)
