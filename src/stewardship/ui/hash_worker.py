"""Hash a file on a QThreadPool thread, reporting progress, and stop when asked."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QObject, QRunnable, Signal

from ..services.hashing import HashCancelled, hash_file


class HashSignals(QObject):
    #: percent done (0..100)
    progress = Signal(int)
    #: path, hex digest
    finished = Signal(str, str)
    #: path, reason
    failed = Signal(str, str)
    #: path
    cancelled = Signal(str)


class HashJob(QRunnable):
    """Computes a file's SHA-256 off the GUI thread. Connect to ``signals`` before starting.

    Connect the signals to methods of objects living in the GUI thread (not
    to lambdas), so Qt delivers them there.
    """

    def __init__(self, path: str | Path) -> None:
        super().__init__()
        self.setAutoDelete(False)
        self.path = str(path)
        self.signals = HashSignals()
        self._stop = threading.Event()
        self._last_percent = -1

    def cancel(self) -> None:
        self._stop.set()

    @property
    def is_cancelled(self) -> bool:
        return self._stop.is_set()

    def _progress(self, done: int, total: int) -> None:
        percent = 100 if total == 0 else done * 100 // total
        if percent != self._last_percent:
            self._last_percent = percent
            self.signals.progress.emit(percent)

    def run(self) -> None:
        try:
            digest = hash_file(self.path, self._progress, self._stop.is_set)
        except HashCancelled:
            self.signals.cancelled.emit(self.path)
        except OSError as exc:
            self.signals.failed.emit(self.path, exc.strerror or str(exc))
        else:
            self.signals.finished.emit(self.path, digest)
