"""The Reports view: models and their report status; the report editor and the interviews."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget

from ..app import AppContext
from ..domain.records import Model
from ..services.reports import ReportListRow, ReportService
from . import style
from .compare_answers_view import CompareAnswersView
from .interviews_panel import InterviewsPanel
from .list_form_page import ListFormPage
from .panels import form_page, scrolling
from .report_editor import ReportEditor
from .table_model import Column, RowStyle, RowTableModel, SearchProxy

COLUMNS: list[Column[ReportListRow]] = [
    Column("Model", lambda r: r.model.display_name, tooltip=lambda r: r.model.slug),
    Column("Lifecycle", lambda r: r.model.lifecycle.label),
    Column("Report", lambda r: r.status_text),
]


def row_style(row: ReportListRow) -> RowStyle | None:
    return RowStyle(foreground=style.MUTED_FG) if row.report is None else None


class ReportsView(ListFormPage):
    record_noun = "this report"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        self.ctx = ctx
        self.service = ReportService(ctx.store, ctx.who)
        super().__init__(
            RowTableModel(
                COLUMNS,
                row_style=row_style,
                search_text=lambda r: f"{r.model.display_name} {r.model.slug} {r.status_text}",
            ),
            SearchProxy(),
            search_hint="Find a model…  (Ctrl+F)",
            search_name="Find a model",
            table_name="Models and their reports",
            widths=(128, 110),  # kept in the service's order: models with a report first
            parent=parent,
        )

        self.editor = form_page(ReportEditor(ctx))
        self.editor.saved.connect(lambda _r: self._reload_list())
        self.interviews = InterviewsPanel(ctx)
        self.interviews.changed.connect(self.editor.refresh_header)
        self.tabs = QTabWidget()
        report_tab = QWidget()
        report_layout = QVBoxLayout(report_tab)
        report_layout.setContentsMargins(0, 0, 0, 0)
        report_layout.setSpacing(0)
        report_layout.addWidget(scrolling(self.editor, sideways=False), 1)
        report_layout.addWidget(self.editor.action_bar)
        self.tabs.addTab(report_tab, "Report")
        self.tabs.setMinimumWidth(self.editor.minimumSizeHint().width() + 24)
        self.tabs.addTab(scrolling(self.interviews, sideways=False), "Interviews")
        self.compare = CompareAnswersView(ctx)
        self.interviews.changed.connect(self.compare.refresh)
        self.tabs.addTab(scrolling(self.compare), "Compare answers")  # a wide table scrolls

        hint = QLabel("Ctrl+S saves · Ctrl+E exports the saved report as PDF, HTML or Markdown")
        hint.setProperty("role", "hint")
        self.lay_out(
            "Reports",
            "Post-deployment reports: the model's reflections, its preferences about future"
            " models and the team's interpretation, with the interviews they draw on.",
            self.tabs,
            footer=hint,
            stretch=(1, 3),
            list_min_width=330,
        )

    # -- data ------------------------------------------------------------
    def refresh(self) -> None:
        current = self.editing_id()
        self._reload_list()
        if current and self.select_row_of(current, quietly=True):
            model = self.service.store.get(Model, current)
            if not self.editor.is_dirty():
                self.editor.load_model(model)
            if not self._interview_unsaved():
                self.interviews.load_model(model)
        elif self.proxy.rowCount():
            self.table.selectRow(0)

    def _reload_list(self) -> None:
        self.table.selectionModel().blockSignals(True)
        self.list_model.set_rows(self.service.rows())
        self.table.selectionModel().blockSignals(False)
        selected = self.editing_id()
        if selected:
            self.select_row_of(selected, quietly=True)

    def focus_search(self) -> None:
        self.search.setFocus()

    def select_model(self, model_id: str) -> bool:
        return self.select_row_of(model_id)

    def _interview_unsaved(self) -> bool:
        return self.interviews.form.original is not None and self.interviews.form.is_dirty()

    # -- the list-and-form page --------------------------------------------
    def row_id(self, row: ReportListRow) -> str:
        return row.model.id

    def editing_id(self) -> str | None:
        return self.editor.model.id if self.editor.model else None

    def has_unsaved(self) -> bool:
        return self.editor.is_dirty() or self._interview_unsaved()

    def discard_refused(self) -> None:
        current = self.editing_id()
        if current:
            self.select_row_of(current, quietly=True)

    def open_row(self, row: ReportListRow) -> None:
        model = self.ctx.store.get(Model, row.model.id)  # the list holds summaries
        if model is None:  # deleted since the list was read
            self.refresh()
            return
        self.editor.load_model(model)
        self.interviews.load_model(model)
