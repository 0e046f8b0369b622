from PySide6.QtCore import Qt

from stewardship.ui.dashboard_view import DashboardView
from stewardship.ui.table_model import ROW_ROLE


def visible_names(view: DashboardView) -> list[str]:
    return [view.proxy.index(r, 0).data() for r in range(view.proxy.rowCount())]


def test_dashboard_shows_cards_rows_and_marks_overdue(qtbot, demo_ctx):
    view = DashboardView(demo_ctx)
    qtbot.addWidget(view)
    view.refresh()
    assert view.cards["retiring_30"].value == "2"
    assert view.cards["notice_violations"].value == "1"
    names = visible_names(view)
    assert "Kestrel Code 1" in names and "Halcyon 2" in names
    assert "Halcyon 3" not in names, "active models with no date are not on the dashboard"
    row = names.index("Kestrel Code 1")
    days = view.proxy.index(row, 3)
    assert days.data() == "6 days overdue"
    assert days.data(Qt.ItemDataRole.BackgroundRole) is not None, "overdue rows are marked"
    soon = view.proxy.index(names.index("Halcyon 2"), 3)
    assert soon.data() == "in 12 days"
    assert soon.data(Qt.ItemDataRole.BackgroundRole) is None


def test_filter_as_you_type_narrows_the_table(qtbot, demo_ctx):
    view = DashboardView(demo_ctx)
    qtbot.addWidget(view)
    view.refresh()
    total = view.proxy.rowCount()
    qtbot.keyClicks(view.filter_edit, "orrery")
    assert visible_names(view) == ["Orrery Vision 1"]
    view.filter_edit.clear()
    qtbot.keyClicks(view.filter_edit, "halcyon 3")  # every word must match; replacements count
    assert set(visible_names(view)) == {
        "Halcyon 1",
        "Halcyon 2",
        "Halcyon 2 Mini",
        "Lyra 1 (partner-hosted)",
    }
    view.filter_edit.clear()
    qtbot.keyClicks(view.filter_edit, "overdue")
    assert visible_names(view) == ["Kestrel Code 1"]
    assert view.count_label.text() == f"1 of {total} shown"


def test_enter_on_a_row_opens_the_model(qtbot, demo_ctx):
    view = DashboardView(demo_ctx)
    qtbot.addWidget(view)
    view.refresh()
    view.show()
    view.table.setFocus()
    view.table.selectRow(0)
    expected = view.proxy.index(0, 0).data(ROW_ROLE).model.id
    with qtbot.waitSignal(view.model_activated) as signal:
        qtbot.keyClick(view.table, Qt.Key.Key_Return)
    assert signal.args == [expected]


def test_a_card_turns_red_when_it_needs_attention_and_back(qtbot):
    from PySide6.QtGui import QPalette

    from stewardship.ui.style import DANGER, STYLE_SHEET
    from stewardship.ui.widgets import Card

    card = Card("overdue checklist items")
    card.setStyleSheet(STYLE_SHEET)
    qtbot.addWidget(card)
    card.show()

    def colour() -> str:
        return card.value_label.palette().color(QPalette.ColorRole.WindowText).name()

    card.set_value(0)
    calm = colour()
    assert calm != DANGER
    card.set_value(3, alert=True)
    assert (card.value, colour()) == ("3", DANGER)
    card.set_value(3, alert=True)  # unchanged: stays red
    assert colour() == DANGER
    card.set_value(0)
    assert colour() == calm
