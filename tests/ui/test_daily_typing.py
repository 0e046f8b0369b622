"""Typing, drop-downs and focus in daily use (issue 13 items 1 and 2), with real key events."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit
from test_checklists_ui import shown_view
from ui_keys import press, type_text

from stewardship.ui.application import make_application


def owner_field(qtbot, demo_ctx) -> tuple[object, QLineEdit]:
    make_application()  # the console's style sheet
    view = shown_view(qtbot, demo_ctx)
    owner = view.editor.widgets["owner"]
    assert isinstance(owner, QLineEdit)
    return view, owner


def test_typing_a_new_owner_keeps_every_key_while_suggestions_show(qtbot, demo_ctx):
    view, owner = owner_field(qtbot, demo_ctx)
    owner.setFocus()
    qtbot.waitUntil(owner.hasFocus)
    owner.selectAll()
    type_text("A")
    popup = view.editor.owners.popup()
    assert popup.isVisible(), "'A' matches an owner in the store: suggestions show"
    type_text("da Steward")
    assert owner.text() == "Ada Steward"
    assert not popup.isVisible()


def test_esc_closes_the_suggestions_and_typing_goes_on(qtbot, demo_ctx):
    view, owner = owner_field(qtbot, demo_ctx)
    owner.setFocus()
    qtbot.waitUntil(owner.hasFocus)
    owner.selectAll()
    type_text("A")
    popup = view.editor.owners.popup()
    assert popup.isVisible()
    press(Qt.Key.Key_Escape)
    assert not popup.isVisible()
    assert owner.hasFocus(), "Esc closes the popup, it does not leave the field"
    type_text("da")
    assert owner.text() == "Ada"


def test_a_mouse_user_clicks_into_the_field_and_types(qtbot, demo_ctx):
    view, owner = owner_field(qtbot, demo_ctx)
    qtbot.mouseClick(owner, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(owner.hasFocus)
    owner.selectAll()
    type_text("Ravi Mx")
    assert owner.text() == "Ravi Mx"
    assert view.editor.save_button.isEnabled()


def _row_colour(combo: QComboBox) -> QColor:
    view = combo.view()
    rect = view.visualRect(view.currentIndex())
    image = view.viewport().grab().toImage()
    # the left edge of the row, clear of its text
    return image.pixelColor(QPoint(rect.left() + 3, rect.center().y()))


def test_alt_down_shows_the_highlighted_entry_of_a_drop_down(qtbot, demo_ctx):
    view, _owner = owner_field(qtbot, demo_ctx)
    status = view.editor.widgets["status"]
    assert isinstance(status, QComboBox)
    status.setFocus()
    qtbot.waitUntil(status.hasFocus)
    press(Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: status.view().isVisible())
    press(Qt.Key.Key_Down)
    highlighted = _row_colour(status)
    other_row = status.view().visualRect(status.model().index(0, 0))
    image = status.view().viewport().grab().toImage()
    plain = image.pixelColor(QPoint(other_row.left() + 3, other_row.center().y()))
    assert highlighted != plain, "the highlighted entry must look different from the others"
    assert abs(highlighted.lightness() - plain.lightness()) > 25, (
        f"highlight {highlighted.name()} is too close to the list's {plain.name()}"
    )
    press(Qt.Key.Key_Escape)
    QApplication.processEvents()
