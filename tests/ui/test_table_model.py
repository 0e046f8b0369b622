"""The shared table model and its search proxy: filter, sort, selection, at scale."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QTableView

from stewardship.ui.table_model import ROW_ROLE, Column, RowTableModel, SearchProxy

COLUMNS = [
    Column("Name", lambda r: r["name"]),
    Column("Size", lambda r: str(r["size"]), sort=lambda r: r["size"]),
]


def _table(qtbot, rows):
    model = RowTableModel(COLUMNS)
    proxy = SearchProxy()
    proxy.setSourceModel(model)
    view = QTableView()
    view.setModel(proxy)
    view.setSortingEnabled(True)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    qtbot.addWidget(view)
    model.set_rows(rows)
    return model, proxy, view


def _names(proxy):
    return [proxy.index(r, 0).data() for r in range(proxy.rowCount())]


ROWS = [
    {"name": "gamma lab", "size": 3},
    {"name": "alpha lab", "size": 10},
    {"name": "beta cloud", "size": 2},
]


def test_typing_keeps_rows_holding_every_word_and_erasing_brings_them_back(qtbot) -> None:
    _model, proxy, view = _table(qtbot, ROWS)
    view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    proxy.set_search("lab")
    assert _names(proxy) == ["alpha lab", "gamma lab"]
    proxy.set_search("LAB gam")
    assert _names(proxy) == ["gamma lab"]
    proxy.set_search("nothing matches")
    assert proxy.rowCount() == 0
    assert proxy.headerData(0, Qt.Orientation.Horizontal) == "Name"  # header survives no rows
    proxy.set_search("")
    assert _names(proxy) == ["alpha lab", "beta cloud", "gamma lab"]


def test_sorting_uses_the_columns_sort_key_both_ways_and_survives_new_rows(qtbot) -> None:
    model, proxy, view = _table(qtbot, ROWS)
    view.sortByColumn(1, Qt.SortOrder.AscendingOrder)  # numeric, not text: 2 < 3 < 10
    assert _names(proxy) == ["beta cloud", "gamma lab", "alpha lab"]
    view.sortByColumn(1, Qt.SortOrder.DescendingOrder)
    assert _names(proxy) == ["alpha lab", "gamma lab", "beta cloud"]
    model.set_rows([*ROWS, {"name": "delta", "size": 5}])
    assert _names(proxy) == ["alpha lab", "delta", "gamma lab", "beta cloud"]


def test_the_selected_row_stays_selected_through_filtering_and_sorting(qtbot) -> None:
    _model, proxy, view = _table(qtbot, ROWS)
    view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    view.selectRow(2)  # gamma lab
    proxy.set_search("lab")
    assert view.currentIndex().data(ROW_ROLE)["name"] == "gamma lab"
    view.sortByColumn(1, Qt.SortOrder.DescendingOrder)
    assert view.currentIndex().data(ROW_ROLE)["name"] == "gamma lab"
    assert [i.data() for i in view.selectionModel().selectedRows()] == ["gamma lab"]
    proxy.set_search("cloud")  # the selected row is filtered out: nothing stays selected
    assert not view.selectionModel().selectedRows()


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None and True are immortal from 3.12")
def test_the_qt_binding_keeps_none_and_true_alive_through_many_keystrokes(qtbot) -> None:
    # PySide6 6.12.0 on Python 3.11 dropped a reference per void call / signal
    # emit, and the console aborted after a few hundred keystrokes.
    _model, proxy, view = _table(qtbot, ROWS * 50)
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    for i in range(300):
        proxy.set_search("lab" if i % 2 else "")
        view.sortByColumn(i % 2, Qt.SortOrder.AscendingOrder)
    assert abs(sys.getrefcount(None) - none_before) < 50
    assert abs(sys.getrefcount(True) - true_before) < 50
