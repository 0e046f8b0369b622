"""The Reports view: models and their report status; the report editor and the interviews."""

from __future__ import annotations

from PySide6.QtCore import QItemSelection
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QLineEdit,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..app import AppContext
from ..domain.records import Model
from ..services.reports import ReportListRow, ReportService
from . import style
from .interviews_panel import InterviewsPanel
from .panels import form_page, scrolling
from .report_editor import ReportEditor
from .table_model import ROW_ROLE, Column, RowStyle, RowTableModel, SearchProxy
from .widgets import confirm_discard, page_subtitle, page_title, row_table

COLUMNS: list[Column[ReportListRow]] = [
    Column("Model", lambda r: r.model.display_name, tooltip=lambda r: r.model.slug),
    Column("Lifecycle", lambda r: r.model.lifecycle.label),
    Column("Report", lambda r: r.status_text),
]


def row_style(row: ReportListRow) -> RowStyle | None:
    return RowStyle(foreground=style.MUTED_FG) if row.report is None else None


class ReportsView(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page")
        self.ctx = ctx
        self.service = ReportService(ctx.store, ctx.who)

        self.search = QLineEdit()
        self.search.setPlaceholderText("Find a model…  (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Find a model")
        self.list_model = RowTableModel(
            COLUMNS,
            row_style=row_style,
            search_text=lambda r: f"{r.model.display_name} {r.model.slug} {r.status_text}",
            parent=self,
        )
        self.proxy = SearchProxy(self)
        self.proxy.setSourceModel(self.list_model)
        self.search.textChanged.connect(self.proxy.set_search)
        self.table = row_table(self.proxy)
        # Kept in the service's order: models with a report first, then by name.
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.table.setColumnWidth(0, 128)
        self.table.setColumnWidth(1, 110)
        self.table.setAccessibleName("Models and their reports")
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)

        left = QWidget()
        left.setMinimumWidth(330)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.search)
        left_layout.addWidget(self.table, 1)

        self.editor = form_page(ReportEditor(ctx))
        self.editor.saved.connect(lambda _r: self._reload_list())
        self.interviews = InterviewsPanel(ctx)
        self.interviews.changed.connect(self.editor.refresh_header)
        self.tabs = QTabWidget()
        self.tabs.addTab(scrolling(self.editor), "Report")
        self.tabs.addTab(self.interviews, "Interviews")

        self.splitter = QSplitter()
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.tabs)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.addWidget(page_title("Reports"))
        layout.addWidget(
            page_subtitle(
                "Post-deployment reports: the model's reflections, its preferences about future"
                " models and the team's interpretation, with the interviews they draw on."
            )
        )
        layout.addWidget(self.splitter, 1)
        hint = QLabel("Ctrl+S saves · Ctrl+E exports the saved report as PDF, HTML or Markdown")
        hint.setProperty("role", "hint")
        layout.addWidget(hint)

        QShortcut(QKeySequence.StandardKey.Find, self, self.search.setFocus)

    # -- data ------------------------------------------------------------
    def refresh(self) -> None:
        current = self.editor.model.id if self.editor.model else None
        self._reload_list()
        if current and self._select_row_of(current):
            model = self.service.store.get(Model, current)
            if not self.editor.is_dirty():
                self.editor.load_model(model)
            if not (self.interviews.form.original is not None and self.interviews.form.is_dirty()):
                self.interviews.load_model(model)
        elif self.proxy.rowCount():
            self.table.selectRow(0)

    def _reload_list(self) -> None:
        selected = self.editor.model.id if self.editor.model else None
        self.table.selectionModel().blockSignals(True)
        self.list_model.set_rows(self.service.rows())
        self.table.selectionModel().blockSignals(False)
        if selected:
            self._select_row_of(selected)

    def _select_row_of(self, model_id: str) -> bool:
        for row in range(self.proxy.rowCount()):
            if self.proxy.index(row, 0).data(ROW_ROLE).model.id == model_id:
                self.table.selectionModel().blockSignals(True)
                self.table.selectRow(row)
                self.table.selectionModel().blockSignals(False)
                return True
        return False

    def select_model(self, model_id: str) -> bool:
        for row in range(self.proxy.rowCount()):
            if self.proxy.index(row, 0).data(ROW_ROLE).model.id == model_id:
                self.table.selectRow(row)
                return True
        return False

    def _selection_changed(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        indexes = selected.indexes()
        if not indexes:
            return
        row: ReportListRow = indexes[0].data(ROW_ROLE)
        if self.editor.model is not None and row.model.id == self.editor.model.id:
            return
        dirty = self.editor.is_dirty() or (
            self.interviews.form.original is not None and self.interviews.form.is_dirty()
        )
        if dirty and not confirm_discard(self, "this report"):
            if self.editor.model is not None:
                self._select_row_of(self.editor.model.id)
            return
        model = self.ctx.store.get(Model, row.model.id)  # the list holds summaries
        if model is None:  # deleted since the list was read
            self.refresh()
            return
        self.editor.load_model(model)
        self.interviews.load_model(model)
