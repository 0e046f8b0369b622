"""A read-only table model over a list of row objects, and a fast filter proxy.

Views describe their columns with :class:`Column`; sorting uses each
column's sort key, and filtering matches a per-row search text that is
computed once per row, so a keystroke costs one substring test per row.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor

T = TypeVar("T")

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
ROW_ROLE = Qt.ItemDataRole.UserRole + 2
#: A value a delegate paints (e.g. a fraction for a progress bar).
VALUE_ROLE = Qt.ItemDataRole.UserRole + 3

AnyIndex = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Column(Generic[T]):
    header: str
    display: Callable[[T], str]
    sort: Callable[[T], Any] | None = None
    tooltip: Callable[[T], str] | None = None
    value: Callable[[T], Any] | None = None
    align_right: bool = False
    width: int | None = None


@dataclass(frozen=True)
class RowStyle:
    foreground: QColor | None = None
    background: QColor | None = None
    bold: bool = False


class RowTableModel(QAbstractTableModel, Generic[T]):
    def __init__(
        self,
        columns: Sequence[Column[T]],
        *,
        row_style: Callable[[T], RowStyle | None] | None = None,
        search_text: Callable[[T], str] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.columns = list(columns)
        self._rows: list[T] = []
        self._search: list[str] = []
        self._row_style = row_style
        self._search_text = search_text

    # -- data ------------------------------------------------------------
    def set_rows(self, rows: Sequence[T]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        if self._search_text:
            self._search = [self._search_text(r).lower() for r in self._rows]
        else:
            self._search = [
                " ".join(c.display(r) for c in self.columns).lower() for r in self._rows
            ]
        self.endResetModel()

    def rows(self) -> list[T]:
        return list(self._rows)

    def row(self, i: int) -> T:
        return self._rows[i]

    def search_text(self, i: int) -> str:
        return self._search[i]

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        col = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return col.display(row)
        if role == SORT_ROLE:
            return col.sort(row) if col.sort else col.display(row).lower()
        if role == ROW_ROLE:
            return row
        if role == VALUE_ROLE:
            return col.value(row) if col.value else None
        if role == Qt.ItemDataRole.ToolTipRole:
            return col.tooltip(row) if col.tooltip else None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            horizontal = (
                Qt.AlignmentFlag.AlignRight if col.align_right else Qt.AlignmentFlag.AlignLeft
            )
            return int(horizontal | Qt.AlignmentFlag.AlignVCenter)
        if role in (Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.BackgroundRole,
                    Qt.ItemDataRole.FontRole) and self._row_style:
            style = self._row_style(row)
            if style is None:
                return None
            if role == Qt.ItemDataRole.ForegroundRole:
                return style.foreground
            if role == Qt.ItemDataRole.BackgroundRole:
                return style.background
            if style.bold:
                from PySide6.QtGui import QFont

                font = QFont()
                font.setBold(True)
                return font
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section].header
        return None


class SearchProxy(QSortFilterProxyModel):
    """Sorts by :data:`SORT_ROLE`; keeps rows whose search text holds every typed word."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.setDynamicSortFilter(True)
        self._words: list[str] = []

    def set_search(self, text: str) -> None:
        words = text.lower().split()
        if words == self._words:
            return
        if hasattr(self, "beginFilterChange"):  # Qt 6.10+
            self.beginFilterChange()
            self._words = words
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self._words = words
            self.invalidateRowsFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:
        if not self._words:
            return True
        model = self.sourceModel()
        assert isinstance(model, RowTableModel)
        haystack = model.search_text(source_row)
        return all(w in haystack for w in self._words)
