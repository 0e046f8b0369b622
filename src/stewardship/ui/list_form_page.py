"""The page of a list-and-form view: a searchable table of rows beside the editor of one.

The Models, Requests and Reports views are each one: a title and subtitle, a
search box (Ctrl+F) over a read-only table on the left, the editor on the
right of a splitter, and under the table how many rows are shown. Choosing a
row opens its record in the editor, asking first whether to throw away
unsaved changes; *New* (Ctrl+N) starts a blank record the same way; a
refresh (the window refreshes only the page in view, see ``page_stack``)
reloads the rows and keeps the record being edited selected.

A view says what its rows are (:meth:`ListFormPage.load_rows`,
:meth:`ListFormPage.row_id`) and how to open a row; where the editor is one
:class:`RecordForm` (``form``), the page knows the rest from it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QItemSelection, QModelIndex, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLayout,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QTabBar,
    QVBoxLayout,
    QWidget,
)

from ..domain.vocabulary import plural
from .adaptive_splitter import AdaptiveSplitter
from .record_form import RecordForm
from .table_model import ROW_ROLE, RowTableModel, SearchProxy
from .widgets import confirm_discard, lead_into, page_subtitle, page_title, row_table


class ListFormPage(QWidget):
    """A searchable table of rows (``list_model`` through ``proxy``) beside an editor."""

    #: the rows' name in the count under the table ("3 of 12 models"); empty: no count
    plural = ""
    #: what the question about unsaved changes names ("this model")
    record_noun = "this record"
    #: the editor, where it is one record form
    form: RecordForm
    #: the form's field that a new record starts in
    first_field = ""

    def __init__(
        self,
        list_model: RowTableModel[Any],
        proxy: SearchProxy,
        *,
        search_hint: str,
        search_name: str,
        table_name: str,
        widths: Sequence[int],
        sort_order: Qt.SortOrder | None = None,
        new_text: str = "",
        new_tip: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("page")
        self.list_model = list_model
        self.proxy = proxy
        list_model.setParent(self)
        proxy.setParent(self)
        proxy.setSourceModel(list_model)

        self.search = QLineEdit()
        self.search.setPlaceholderText(search_hint)
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName(search_name)
        self.search.textChanged.connect(self.proxy.set_search)
        self.new_button: QPushButton | None = None
        if new_text:
            self.new_button = QPushButton(new_text)
            self.new_button.setToolTip(new_tip)
            self.new_button.clicked.connect(self.new_record)

        self.table = row_table(self.proxy, accessible_name=table_name)
        if sort_order is not None:  # sorted by the first column until the steward picks one
            self.table.setSortingEnabled(True)
            self.table.sortByColumn(0, sort_order)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for col, width in enumerate(widths):
            self.table.setColumnWidth(col, width)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.table.activated.connect(self._row_activated)  # Enter, or a double click
        lead_into(self.search, self.table)
        self.editor_pane: QWidget | None = None  #: the right-hand side (lay_out)

        self.count_label = QLabel()
        self.count_label.setProperty("role", "hint")
        if self.plural:
            self.search.textChanged.connect(self._update_count)
        self.splitter = AdaptiveSplitter()

    def lay_out(
        self,
        title: str,
        subtitle: str,
        editor: QWidget,
        *,
        above: QLayout | None = None,
        legend: QWidget | None = None,
        footer: QWidget | None = None,
        stretch: tuple[int, int] = (3, 2),
        sizes: Sequence[int] = (),
        stacked_sizes: Sequence[int] = (260, 400),
        list_min_width: int = 0,
    ) -> None:
        """Place the parts: ``above`` the search box (filters), ``legend`` beside the
        count, the ``editor`` right of the table (under it, ``stacked_sizes``, where the
        page is too narrow for both), ``footer`` under the page."""
        left = QWidget()
        if list_min_width:
            left.setMinimumWidth(list_min_width)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        if above is not None:
            left_layout.addLayout(above)
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        if self.new_button is not None:
            top.addWidget(self.new_button)
        left_layout.addLayout(top)
        left_layout.addWidget(self.table, 1)
        if legend is not None:
            bottom = QHBoxLayout()
            bottom.addWidget(legend, 1)
            bottom.addWidget(self.count_label)
            left_layout.addLayout(bottom)
        elif self.plural:
            left_layout.addWidget(self.count_label)

        self.editor_pane = editor
        self.splitter.addWidget(left)
        self.splitter.addWidget(editor)
        self.splitter.setStretchFactor(0, stretch[0])
        self.splitter.setStretchFactor(1, stretch[1])
        self.splitter.set_sizes(sizes, stacked_sizes)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.addWidget(page_title(title))
        layout.addWidget(page_subtitle(subtitle))
        layout.addWidget(self.splitter, 1)
        if footer is not None:
            layout.addWidget(footer)

        QShortcut(QKeySequence.StandardKey.Find, self, self.focus_search)
        if self.new_button is not None:
            QShortcut(QKeySequence.StandardKey.New, self, self.new_record)

    # -- what a view says --------------------------------------------------
    def load_rows(self) -> Sequence[Any]:
        """The rows of the table, read from the store."""
        raise NotImplementedError

    def row_id(self, row: Any) -> str:
        """The id of the record a row stands for."""
        raise NotImplementedError

    def open_row(self, row: Any) -> None:
        """Show the record of ``row`` in the editor."""
        raise NotImplementedError

    def editing_id(self) -> str | None:
        """The id of the record in the editor (None: a new one, or nothing)."""
        return self.form.original.id if self.form.original else None

    def has_unsaved(self) -> bool:
        """Whether leaving the record in the editor would lose a change worth asking about."""
        untouched_new = self.form.original is None and self.untouched(self.form.values())
        return self.form.is_dirty() and not untouched_new

    def untouched(self, values: dict[str, Any]) -> bool:
        """Whether a new record's ``values`` are still as the blank form had them."""
        return False

    def start_new(self) -> None:
        """Show a blank record in the editor, the first field focused."""
        self.form.load(None)
        self.fill_new()
        self.form.widgets[self.first_field].setFocus()

    def fill_new(self) -> None:
        """Put what the page already knows (e.g. a filter's choice) into a new record."""

    def discard_refused(self) -> None:
        """The steward kept the unsaved changes instead of opening another row."""

    # -- data --------------------------------------------------------------
    def refresh(self) -> None:
        self._show_rows(self.load_rows(), self.editing_id())

    def _show_rows(self, rows: Sequence[Any], current: str | None) -> None:
        self.list_model.set_rows(rows)
        self._update_count()
        if current:
            self.select_row_of(current)

    def _update_count(self) -> None:
        if not self.plural:
            return
        shown, total = self.proxy.rowCount(), self.list_model.rowCount()
        text = (
            f"{shown} of {plural(total, self.plural)}"
            if shown != total
            else plural(total, self.plural)
        )
        self.count_label.setText(text + self.count_note())

    def count_note(self) -> str:
        """Said after the count (e.g. how many rows need attention)."""
        return ""

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def select_row_of(self, record_id: str, *, quietly: bool = False) -> bool:
        """Select the row of ``record_id`` (``quietly``: without opening it); False if hidden."""
        for row in range(self.proxy.rowCount()):
            index = self.proxy.index(row, 0)
            if self.row_id(index.data(ROW_ROLE)) != record_id:
                continue
            if quietly:
                self.table.selectionModel().blockSignals(True)
                self.table.selectRow(row)
                self.table.selectionModel().blockSignals(False)
            else:
                self.table.selectRow(row)
                self.table.scrollTo(index)
            return True
        return False

    # -- editing -----------------------------------------------------------
    def _confirm_discard(self) -> bool:
        return not self.has_unsaved() or confirm_discard(self, self.record_noun)

    def _selection_changed(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        indexes = selected.indexes()
        if not indexes:
            return
        row = indexes[0].data(ROW_ROLE)
        if self.row_id(row) == self.editing_id():
            return
        if not self._confirm_discard():
            self.discard_refused()
            return
        self.open_row(row)

    def _row_activated(self, index: QModelIndex) -> None:
        """Enter on a row: its record is in the editor (selecting opened it); go there."""
        if self.row_id(index.data(ROW_ROLE)) != self.editing_id():
            return  # the steward kept unsaved changes to another record
        self.focus_editor()

    def focus_editor(self) -> None:
        """Put the keyboard on the editor's first field that takes it."""
        pane = self.editor_pane
        if pane is None:
            return
        widget: QWidget | None = pane.nextInFocusChain()
        while widget is not None and widget is not pane:  # the focus chain is a ring
            if (
                pane.isAncestorOf(widget)
                and widget.isVisible()
                and widget.isEnabled()
                and widget.focusPolicy() & Qt.FocusPolicy.TabFocus
                and not isinstance(widget, (QScrollArea, QTabBar))
            ):
                widget.setFocus(Qt.FocusReason.TabFocusReason)
                return
            widget = widget.nextInFocusChain()

    def new_record(self) -> None:
        if not self._confirm_discard():
            return
        self.table.clearSelection()
        self.start_new()
