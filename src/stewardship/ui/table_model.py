"""A read-only table model over a list of row objects, and a fast filter proxy.

Views describe their columns with :class:`Column`. Sorting happens in the
source model, in Python, on each column's sort key computed once per row
(Qt's own proxy sort would call back into Python for every comparison).
Filtering matches a per-row search text computed once per row; the proxy
works out the visible rows in one pass of Python, so a keystroke costs one
substring test per row and no call from C++ per row (tens of thousands of
rows stay within a frame).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractProxyModel,
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
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
    tooltip: Callable[[T], str | None] | None = None
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
        self._search: list[str] | None = []
        self._row_style = row_style
        self._search_text = search_text
        self._sort: tuple[int, Qt.SortOrder] | None = None

    # -- data ------------------------------------------------------------
    def set_rows(self, rows: Sequence[T]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._search = None  # built when a filter first needs it, not on every load
        if self._sort is not None:
            order = self._sorted_order(*self._sort)
            self._rows = [self._rows[i] for i in order]
        self.endResetModel()

    def search_texts(self) -> list[str]:
        """The lower-cased search text of every row, in row order (do not change it)."""
        if self._search is None:
            if self._search_text:
                self._search = [self._search_text(r).lower() for r in self._rows]
            else:
                self._search = [
                    " ".join(c.display(r) for c in self.columns).lower() for r in self._rows
                ]
        return self._search

    # -- sorting ---------------------------------------------------------
    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self.columns):
            return
        self._sort = (column, order)
        if not self._rows:
            return
        self.layoutAboutToBeChanged.emit()
        new_order = self._sorted_order(column, order)
        self._rows = [self._rows[i] for i in new_order]
        if self._search is not None:
            self._search = [self._search[i] for i in new_order]
        position = [0] * len(new_order)
        for new, old in enumerate(new_order):
            position[old] = new
        before = self.persistentIndexList()
        self.changePersistentIndexList(
            before, [self.index(position[i.row()], i.column()) for i in before]
        )
        self.layoutChanged.emit()

    def _sorted_order(self, column: int, order: Qt.SortOrder) -> list[int]:
        col = self.columns[column]
        keys = [col.sort(r) if col.sort else col.display(r).lower() for r in self._rows]
        descending = order == Qt.SortOrder.DescendingOrder
        try:
            return sorted(range(len(keys)), key=keys.__getitem__, reverse=descending)
        except TypeError:  # keys of mixed types: compare their text
            text = [str(k) for k in keys]
            return sorted(range(len(keys)), key=text.__getitem__, reverse=descending)

    def rows(self) -> list[T]:
        return list(self._rows)

    def row(self, i: int) -> T:
        return self._rows[i]

    def search_text(self, i: int) -> str:
        return self.search_texts()[i]

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        return self.cell(index.row(), index.column(), role)

    def cell(self, row_number: int, column: int, role: int) -> Any:
        """What :meth:`data` gives for ``role`` at a row and column."""
        row = self._rows[row_number]
        col = self.columns[column]
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
        if (
            role
            in (
                Qt.ItemDataRole.ForegroundRole,
                Qt.ItemDataRole.BackgroundRole,
                Qt.ItemDataRole.FontRole,
            )
            and self._row_style
        ):
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


class SearchProxy(QAbstractProxyModel):
    """Keeps the rows whose search text holds every typed word; sorting is the source's.

    Offers the filter-proxy calls views use (``setSourceModel``, ``rowCount``,
    ``index``, ``invalidateRowsFilter``, ``beginFilterChange``/``endFilterChange``).
    A subclass may override :meth:`filterAcceptsRow` to add conditions (call
    the base for the text search); the words alone are matched in one pass.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._words: list[str] = []
        self._source: RowTableModel | None = None
        self._map: list[int] = []  # proxy row -> source row
        self._back: list[int] = []  # source row -> proxy row, or -1
        self._saved: list[tuple[QPersistentModelIndex, QPersistentModelIndex]] = []
        self._held: list[tuple[QPersistentModelIndex, int]] = []

    # -- source ----------------------------------------------------------
    def setSourceModel(self, model: QAbstractTableModel) -> None:  # type: ignore[override]
        assert isinstance(model, RowTableModel)
        self.beginResetModel()
        if self._source is not None:
            for signal in (
                self._source.modelAboutToBeReset,
                self._source.modelReset,
                self._source.layoutAboutToBeChanged,
                self._source.layoutChanged,
                self._source.dataChanged,
                self._source.headerDataChanged,
            ):
                signal.disconnect(self)
        super().setSourceModel(model)
        self._source = model
        model.modelAboutToBeReset.connect(self.beginResetModel)
        model.modelReset.connect(self._source_reset)
        model.layoutAboutToBeChanged.connect(self._source_layout_about)
        model.layoutChanged.connect(self._source_layout_changed)
        model.dataChanged.connect(self._source_data_changed)
        model.headerDataChanged.connect(self.headerDataChanged)
        self._rebuild()
        self.endResetModel()

    def _source_reset(self) -> None:
        self._rebuild()
        self.endResetModel()

    def _source_layout_about(self) -> None:
        self.layoutAboutToBeChanged.emit()
        self._saved = [
            (QPersistentModelIndex(p), QPersistentModelIndex(self.mapToSource(p)))
            for p in self.persistentIndexList()
        ]

    def _source_layout_changed(self) -> None:
        self._rebuild()
        saved, self._saved = self._saved, []
        self.changePersistentIndexList(
            [_plain(old) for old, _ in saved],
            [self.mapFromSource(_plain(src)) for _, src in saved],
        )
        self.layoutChanged.emit()

    def _source_data_changed(
        self,
        top_left: QModelIndex,
        bottom_right: QModelIndex,
        roles: list[int] = [],  # noqa: B006
    ) -> None:
        if self._map:
            self.dataChanged.emit(
                self.index(0, top_left.column()),
                self.index(len(self._map) - 1, bottom_right.column()),
                roles,
            )

    # -- filtering -------------------------------------------------------
    def set_search(self, text: str) -> None:
        words = text.lower().split()
        if words == self._words:
            return
        self.beginFilterChange()
        self._words = words
        self.endFilterChange()

    def beginFilterChange(self) -> None:
        self.layoutAboutToBeChanged.emit()
        self._held = [
            (QPersistentModelIndex(p), self._map[p.row()])
            for p in self.persistentIndexList()
            if 0 <= p.row() < len(self._map)
        ]

    def endFilterChange(self, direction: object = None) -> None:
        self._rebuild()
        held, self._held = self._held, []
        self.changePersistentIndexList(
            [_plain(p) for p, _ in held],
            [
                self.index(self._back[src], p.column()) if self._back[src] >= 0 else QModelIndex()
                for p, src in held
            ],
        )
        self.layoutChanged.emit()

    def invalidateRowsFilter(self) -> None:
        self.beginFilterChange()
        self.endFilterChange()

    invalidateFilter = invalidateRowsFilter

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:
        if not self._words:
            return True
        assert self._source is not None
        haystack = self._source.search_text(source_row)
        return all(w in haystack for w in self._words)

    def _rebuild(self) -> None:
        model = self._source
        if model is None:
            self._map, self._back = [], []
            return
        count = model.rowCount()
        words = self._words
        if type(self).filterAcceptsRow is not SearchProxy.filterAcceptsRow:
            root = QModelIndex()
            keep = [i for i in range(count) if self.filterAcceptsRow(i, root)]
        elif not words:  # no filter: the search texts are not needed (nor built)
            keep = list(range(count))
        elif len(words) == 1:
            word = words[0]
            keep = [i for i, text in enumerate(model.search_texts()) if word in text]
        else:
            keep = [
                i for i, text in enumerate(model.search_texts()) if all(w in text for w in words)
            ]
        back = [-1] * count
        for proxy_row, source_row in enumerate(keep):
            back[source_row] = proxy_row
        self._map, self._back = keep, back

    # -- the proxy model -------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._map)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() or self._source is None:
            return 0
        return len(self._source.columns)

    def index(self, row: int, column: int, parent: AnyIndex = QModelIndex()) -> QModelIndex:  # noqa: B008
        if (
            parent.isValid()
            or not (0 <= row < len(self._map))
            or not (0 <= column < self.columnCount())
        ):
            return QModelIndex()
        return self.createIndex(row, column)

    def parent(self, index: AnyIndex = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        return QModelIndex()

    def sibling(self, row: int, column: int, index: AnyIndex) -> QModelIndex:
        return self.index(row, column)

    def mapToSource(self, proxy_index: AnyIndex) -> QModelIndex:
        if not proxy_index.isValid() or self._source is None or proxy_index.row() >= len(self._map):
            return QModelIndex()
        return self._source.index(self._map[proxy_index.row()], proxy_index.column())

    def mapFromSource(self, source_index: AnyIndex) -> QModelIndex:
        if not source_index.isValid() or source_index.row() >= len(self._back):
            return QModelIndex()
        row = self._back[source_index.row()]
        return self.index(row, source_index.column()) if row >= 0 else QModelIndex()

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self._source is None or index.row() >= len(self._map):
            return None
        return self._source.cell(self._map[index.row()], index.column(), role)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if self._source is None:
            return None
        if orientation == Qt.Orientation.Vertical:
            if not 0 <= section < len(self._map):
                return None
            section = self._map[section]
        return self._source.headerData(section, orientation, role)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if self._source is not None:
            self._source.sort(column, order)


def _plain(index: QPersistentModelIndex) -> QModelIndex:
    """A plain index for a persistent one (PySide6 converts; its type stubs omit the overload)."""
    return QModelIndex(index)  # type: ignore[call-overload]
