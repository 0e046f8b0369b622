"""The keyboard between controls and into records (issue 13 item 3), with real key events."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from ui_keys import press, type_text

from stewardship.ui.application import make_application
from stewardship.ui.main_window import MainWindow
from stewardship.ui.table_model import ROW_ROLE

LIST_VIEWS = ["models", "requests", "reports"]


@pytest.fixture
def window(qtbot, demo_ctx) -> MainWindow:
    make_application()
    win = MainWindow(demo_ctx)
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow)
    return win


def focused() -> QWidget | None:
    return QApplication.focusWidget()


@pytest.mark.parametrize("key", [*LIST_VIEWS, "dashboard"])
def test_tab_leaves_the_table(qtbot, window, key):
    window.show_view(key)
    page = window.pages[key]
    page.table.setFocus()
    qtbot.waitUntil(page.table.hasFocus)
    press(Qt.Key.Key_Tab)
    assert not page.table.hasFocus(), "Tab moves on to the next control"
    press(Qt.Key.Key_Backtab)
    assert page.table.hasFocus(), "Shift+Tab comes back"


def test_tab_leaves_the_item_history(qtbot, window):
    window.show_view("checklists")
    page = window.pages["checklists"]
    page.tabs.setCurrentIndex(1)
    page.history.setFocus()
    qtbot.waitUntil(page.history.hasFocus)
    assert page.history.rowCount() >= 1
    press(Qt.Key.Key_Tab)
    assert not page.history.hasFocus()


@pytest.mark.parametrize("key", LIST_VIEWS)
def test_down_in_the_search_box_then_enter_opens_the_row(qtbot, window, key):
    window.show_view(key)
    page = window.pages[key]
    page.search.setFocus()
    qtbot.waitUntil(page.search.hasFocus)
    press(Qt.Key.Key_Down)
    assert page.table.hasFocus(), "Down in the search box moves into its table"
    assert page.table.currentIndex().isValid()
    press(Qt.Key.Key_Down)
    row = page.table.currentIndex().row()
    wanted = page.row_id(page.proxy.index(row, 0).data(ROW_ROLE))
    press(Qt.Key.Key_Return)
    assert page.editing_id() == wanted, "Enter opens the row under the cursor"
    widget = focused()
    assert widget is not None and page.editor_pane.isAncestorOf(widget), (
        f"Enter puts the keyboard in the editor, not on {widget!r}"
    )


def test_dashboard_filter_down_and_enter(qtbot, window, demo_ctx):
    page = window.pages["dashboard"]
    page.filter_edit.setFocus()
    qtbot.waitUntil(page.filter_edit.hasFocus)
    press(Qt.Key.Key_Down)
    assert page.table.hasFocus()
    page.filter_edit.setFocus()
    qtbot.waitUntil(page.filter_edit.hasFocus)
    type_text("halcyon")
    assert page.proxy.rowCount() >= 1
    first = page.proxy.index(0, 0).data(ROW_ROLE).model
    press(Qt.Key.Key_Return)
    assert window.current_view() == "checklists", "Enter in the filter opens the first match"
    assert window.pages["checklists"].model.id == first.id
