"""Every input has an accessible name and shows when it has the focus, in every view."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible, QImage
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from stewardship.ui.application import make_application
from stewardship.ui.main_window import VIEW_KEYS, MainWindow

INPUTS = (QLineEdit, QComboBox, QPlainTextEdit, QTextEdit, QAbstractSpinBox, QAbstractItemView)


@pytest.fixture
def window(qtbot, demo_ctx) -> MainWindow:
    make_application()
    win = MainWindow(demo_ctx)
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.finish_start()
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)
    return win


def _shown(window: MainWindow, view: str) -> list[QWidget]:
    window.show_view(view)
    for _ in range(3):
        QApplication.processEvents()
    return [w for w in window.findChildren(QWidget) if w.isVisible()]


def _describe(widget: QWidget) -> str:
    return f"{type(widget).__name__} {widget.objectName()!r} in {widget.parentWidget()!r}"


def accessible_name(widget: QWidget) -> str:
    """The name a screen reader announces (own name, a buddy label's text, a button's text)."""
    interface = QAccessible.queryAccessibleInterface(widget)
    return interface.text(QAccessible.Text.Name).strip() if interface is not None else ""


@pytest.mark.parametrize("view", VIEW_KEYS)
def test_every_input_has_an_accessible_name(window, view):
    nameless = [
        _describe(w)
        for w in _shown(window, view)
        if isinstance(w, (*INPUTS, QAbstractButton))
        and w.focusPolicy() != Qt.FocusPolicy.NoFocus
        and not isinstance(w.parentWidget(), (QComboBox, QAbstractSpinBox))
        and not accessible_name(w)
    ]
    assert nameless == []


def _picture(widget: QWidget) -> QImage:
    QApplication.processEvents()
    return widget.grab().toImage()


def _focusable(widget: QWidget) -> bool:
    return (
        widget.isEnabled()
        and bool(widget.focusPolicy() & Qt.FocusPolicy.TabFocus)
        and widget.isVisibleTo(widget.window())
        and widget.width() > 0
        and not isinstance(widget.parentWidget(), (QComboBox, QAbstractSpinBox))
        and type(widget).__name__ not in {"QScrollArea", "QWidget"}
    )


@pytest.mark.parametrize("view", VIEW_KEYS)
def test_the_focus_is_always_visible(qtbot, window, view):
    widgets = [w for w in _shown(window, view) if _focusable(w) and w is not window.sidebar]
    assert widgets or view == "conflicts", "the view has controls (Conflicts may have none)"
    # park the focus on the sidebar (not part of the page), then visit each control
    unseen = []
    for widget in widgets:
        window.sidebar.setFocus()
        qtbot.waitUntil(window.sidebar.hasFocus)
        before = _picture(widget)
        widget.setFocus(Qt.FocusReason.TabFocusReason)
        if not widget.hasFocus():
            continue  # took it elsewhere (a focus proxy): that one is checked itself
        after = _picture(widget)
        if before == after:
            unseen.append(_describe(widget))
    assert unseen == [], "no visible change when these have the keyboard focus"


def test_the_sidebar_shows_its_focus(qtbot, window):
    page = window.pages["dashboard"]
    page.filter_edit.setFocus()
    qtbot.waitUntil(page.filter_edit.hasFocus)
    before = _picture(window.sidebar)
    window.sidebar.setFocus()
    qtbot.waitUntil(window.sidebar.hasFocus)
    assert _picture(window.sidebar) != before
