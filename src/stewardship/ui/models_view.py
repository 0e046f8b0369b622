"""The Models view: every model in a searchable table, and the form to edit one."""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, QModelIndex, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ..app import AppContext
from ..domain.records import Model
from ..services.model_summary import ModelSummary
from ..services.models import ModelService
from .model_form import ModelForm
from .panels import form_page, panel, scrolling
from .table_model import ROW_ROLE, Column, RowTableModel, SearchProxy
from .widgets import confirm_discard, page_subtitle, page_title, row_table


def _date(value: object) -> str:
    return value.isoformat() if value else ""  # type: ignore[attr-defined]


COLUMNS: list[Column[ModelSummary]] = [
    Column("Model", lambda m: m.display_name),
    Column("Slug", lambda m: m.slug),
    Column("Provider", lambda m: m.provider),
    Column("State", lambda m: m.lifecycle.label),
    Column(
        "Retires",
        lambda m: _date(m.retired_on or m.planned_retirement),
        sort=lambda m: _date(m.retired_on or m.planned_retirement) or "9999",
    ),
    Column("Replacement", lambda m: m.replacement),
]


class ModelsView(QWidget):
    models_changed = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page")
        self.ctx = ctx
        self.service = ModelService(ctx.store, ctx.who)

        self.search = QLineEdit()
        self.search.setPlaceholderText("Search models…  (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search models")
        self.new_button = QPushButton("New model")
        self.new_button.setToolTip("Add a model (Ctrl+N)")
        self.new_button.clicked.connect(self.new_model)

        self.model = RowTableModel(
            COLUMNS,
            search_text=lambda m: " ".join(
                [m.display_name, m.slug, m.provider, m.family, m.lifecycle.label, m.replacement]
            ),
            parent=self,
        )
        self.proxy = SearchProxy(self)
        self.proxy.setSourceModel(self.model)
        self.search.textChanged.connect(self.proxy.set_search)
        self.search.textChanged.connect(self._update_count)

        self.table = row_table(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for col, width in enumerate((190, 150, 150, 110, 100)):
            self.table.setColumnWidth(col, width)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.table.setAccessibleName("Models")

        self.count_label = QLabel()
        self.count_label.setProperty("role", "hint")

        self.form = ModelForm(self.service)
        self.form.saved.connect(self._saved)
        form_panel = panel(scrolling(form_page(self.form), sideways=False))
        form_panel.setMinimumWidth(self.form.minimumSizeHint().width() + 24)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.new_button)
        left_layout.addLayout(top)
        left_layout.addWidget(self.table, 1)
        left_layout.addWidget(self.count_label)

        self.splitter = QSplitter()
        self.splitter.addWidget(left)
        self.splitter.addWidget(form_panel)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([560, 500])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.addWidget(page_title("Models"))
        layout.addWidget(page_subtitle("Every model this store knows, with its lifecycle dates."))
        layout.addWidget(self.splitter, 1)

        QShortcut(QKeySequence.StandardKey.Find, self, self.focus_search)
        QShortcut(QKeySequence.StandardKey.New, self, self.new_model)

    # -- data ------------------------------------------------------------
    def refresh(self) -> None:
        current = self.form.original.id if self.form.original else None
        self.model.set_rows(self.service.summaries())
        self._update_count()
        if current:
            self.select_model(current)

    def _update_count(self) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        self.count_label.setText(
            f"{shown} of {total} models" if shown != total else f"{total} models"
        )

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def select_model(self, model_id: str) -> bool:
        for row in range(self.proxy.rowCount()):
            index = self.proxy.index(row, 0)
            if index.data(ROW_ROLE).id == model_id:
                self.table.selectRow(row)
                self.table.scrollTo(index)
                return True
        return False

    # -- editing ---------------------------------------------------------
    def _confirm_discard(self) -> bool:
        if not self.form.is_dirty() or (
            self.form.original is None
            and not any(
                v for k, v in self.form.values().items() if k not in {"state", "internal_only"}
            )
        ):
            return True
        return confirm_discard(self, "this model")

    def _selection_changed(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        indexes = selected.indexes()
        if not indexes:
            return
        summary = indexes[0].data(ROW_ROLE)
        if self.form.original is not None and summary.id == self.form.original.id:
            return
        if not self._confirm_discard():
            return
        model = self.service.get(summary.id)  # the list holds summaries; the form the record
        if model is None:  # deleted since the list was read (a sync, another window)
            self.refresh()
            return
        self.form.load(model)

    def new_model(self) -> None:
        if not self._confirm_discard():
            return
        self.table.clearSelection()
        self.form.load(None)
        self.form.widgets["display_name"].setFocus()

    def _saved(self, model: Model) -> None:
        self.refresh()
        self.select_model(model.id)
        self.models_changed.emit()

    def current_index(self) -> QModelIndex:
        return self.table.currentIndex()
