"""Run work just after a widget's first paint, so start-up shows the window first.

The console paints its window and dashboard before building what the first
frame does not show (menu entries, the sync controller and its status, timers);
those follow on the next turn of the event loop, a few milliseconds later.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer


class _FirstPaint(QObject):
    def __init__(self, watched: QObject, callback: Callable[[], None]) -> None:
        super().__init__(watched)
        self._callback = callback
        self._paint = QEvent.Type.Paint
        watched.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == self._paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self._callback)
            self.deleteLater()
        return False


def call_after_first_paint(widget: QObject, callback: Callable[[], None]) -> None:
    """Call ``callback`` once, on the event loop turn after ``widget`` first paints."""
    _FirstPaint(widget, callback)
