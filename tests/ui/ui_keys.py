"""Keys as a person types them: to the window that has the keyboard focus.

``qtbot.keyClicks(widget, ...)`` hands the events straight to ``widget``, past
whatever would have received them on a real screen: an open suggestion popup,
a drop-down list, a shortcut. These go through the focused window, as the
windowing system delivers them, so what takes them first is what a steward's
keyboard would reach.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication


def _window():  # type: ignore[no-untyped-def]
    window = QApplication.focusWindow()
    if window is None:  # offscreen: a closed popup hands the focus window back to no one
        widget = QApplication.focusWidget()
        assert widget is not None, "no window has the keyboard focus"
        window = widget.window().windowHandle()
    return window


def type_text(text: str) -> None:
    """Type ``text`` one key at a time."""
    for char in text:
        QTest.keyClick(_window(), char)


def press(key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    QTest.keyClick(_window(), key, modifier)
