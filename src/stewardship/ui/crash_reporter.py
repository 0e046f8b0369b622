"""An unexpected error in the window: logged, then shown in plain words; the window stays open.

:func:`install_crash_reporter` replaces ``sys.excepthook``, which is where Python
sends an exception nothing caught, and where PySide6 sends one raised in a slot
or a virtual method (``paintEvent``...). The error goes to the log file with its
traceback, and a :class:`~.crash_dialog.CrashDialog` says what happened and where
the log file is. The dialog's module is imported at the first error, not at start-up.
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from ..domain.redaction import redact
from ..services.logs import configure_logging, known_secrets, log_file

if TYPE_CHECKING:
    from .crash_dialog import CrashDialog

log = logging.getLogger(__name__)

ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], object]


def one_line(error: BaseException) -> str:
    """``Type: first line of the message``: what the dialog says happened."""
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0]}" if text else type(error).__name__


class CrashReporter(QObject):
    """Owns the excepthook and the crash dialog; errors from any thread reach the GUI thread."""

    reported = Signal(str, str)  # one line, traceback (both already free of secrets)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.dialog: CrashDialog | None = None
        self._previous: ExceptHook | None = None
        self.reported.connect(self._show)

    def install(self) -> CrashReporter:
        if self._previous is None:
            self._previous = sys.excepthook
            sys.excepthook = self.excepthook
        return self

    def uninstall(self) -> None:
        if self._previous is not None:
            sys.excepthook = self._previous
            self._previous = None

    def excepthook(
        self, kind: type[BaseException], error: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(kind, KeyboardInterrupt) and self._previous is not None:
            self._previous(kind, error, tb)
            return
        configure_logging()  # if the error came before the first paint opened the file
        log.critical("unexpected error in the window", exc_info=(kind, error, tb))
        secrets = known_secrets()
        details = redact("".join(traceback.format_exception(kind, error, tb)), secrets)
        # Raised off the GUI thread, the signal is queued to it: widgets live on that thread only.
        self.reported.emit(redact(one_line(error), secrets), details)

    def _show(self, summary: str, details: str) -> None:
        from .crash_dialog import CrashDialog

        if self.dialog is None or not self.dialog.isVisible():
            if self.dialog is not None:
                self.dialog.deleteLater()
            owner = self.parent()  # the main window: the dialog lives no longer than it
            self.dialog = CrashDialog(
                log_file_or_none(), owner if isinstance(owner, QWidget) else None
            )
        self.dialog.add_error(summary, details)
        self.dialog.show()
        self.dialog.raise_()


def log_file_or_none() -> Path | None:
    """The log file, if one is being written."""
    path = log_file()
    return path if path.exists() else None


def install_crash_reporter(parent: QObject | None = None) -> CrashReporter:
    """Route every unexpected error in the window to the log and the crash dialog."""
    return CrashReporter(parent).install()
