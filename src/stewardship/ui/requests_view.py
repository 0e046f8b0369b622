"""The Requests view: every preference request, filterable, and the form to log or edit one."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

from ..app import AppContext
from ..domain.records import Cost, RequestCategory, RequestSource, RequestStatus, label
from ..services.paths import store_path
from ..services.requests import RequestRow, RequestService, load_rows
from . import style
from .list_form_page import ListFormPage
from .panels import form_page, form_panel
from .request_form import RequestForm
from .table_model import Column, RowStyle, RowTableModel, SearchProxy
from .tasks import Task, run_task

#: Above this many requests the list loads in a worker, so the window never freezes.
BACKGROUND_LOAD_ABOVE = 2000

HIGHLIGHT_TIP = "Low cost and still under review: the lab answers these first"


def _one_line(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


COLUMNS: list[Column[RequestRow]] = [
    Column(
        "Received",
        lambda r: r.request.received_on.isoformat() if r.request.received_on else "",
        sort=lambda r: r.request.received_on.isoformat() if r.request.received_on else "",
    ),
    Column("Model", lambda r: r.model_name, tooltip=lambda r: r.model_slug),
    Column("From", lambda r: label(r.request.source), tooltip=lambda r: r.interview or None),
    Column(
        "Cost",
        lambda r: label(r.request.estimated_cost) if r.request.estimated_cost else "—",
        sort=lambda r: (
            [c.value for c in Cost].index(r.request.estimated_cost)
            if r.request.estimated_cost
            else 9
        ),
    ),
    Column(
        "Status",
        lambda r: label(r.request.status),
        tooltip=lambda r: HIGHLIGHT_TIP if r.highlighted else None,
    ),
    Column(
        "Request",
        lambda r: _one_line(r.request.words),
        tooltip=lambda r: f"{label(r.request.category)}: {r.request.words}",
    ),
]


def row_style(row: RequestRow) -> RowStyle | None:
    if row.highlighted:
        return RowStyle(background=style.WARNING_ROW_BG, bold=True)
    if row.request.status in (
        RequestStatus.RESPONDED,
        RequestStatus.DECLINED,
        RequestStatus.WITHDRAWN,
    ):
        return RowStyle(foreground=style.MUTED_FG)
    return None


class RequestFilterProxy(SearchProxy):
    """The text search plus one exact-value filter per request field (model, source, ...)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._filters: dict[str, str] = {}

    def set_filter(self, name: str, value: str) -> None:
        if self._filters.get(name, "") == (value or ""):
            return
        if hasattr(self, "beginFilterChange"):  # Qt 6.10+
            self.beginFilterChange()
            self._filters[name] = value or ""
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self._filters[name] = value or ""
            self.invalidateRowsFilter()

    def filterAcceptsRow(
        self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex
    ) -> bool:
        model = self.sourceModel()
        assert isinstance(model, RowTableModel)
        request = model.row(source_row).request
        for name, value in self._filters.items():
            if value and getattr(request, name) != value:
                return False
        return super().filterAcceptsRow(source_row, source_parent)


class RequestsView(ListFormPage):
    #: the request list finished loading in the background
    loaded = Signal()
    plural = "requests"
    record_noun = "this request"
    first_field = "model_id"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        self.ctx = ctx
        self.service = RequestService(ctx.store, ctx.who)
        self._loader: Task | None = None

        self.model: RowTableModel[RequestRow] = RowTableModel(
            COLUMNS, row_style=row_style, search_text=RequestRow.search_text
        )
        super().__init__(
            self.model,
            RequestFilterProxy(),
            search_hint="Search requests, responses, notes…  (Ctrl+F)",
            search_name="Search requests",
            table_name="Preference requests",
            widths=(86, 100, 112, 60, 96),
            sort_order=Qt.SortOrder.DescendingOrder,
            new_text="Log request",
            new_tip="Log a new preference request (Ctrl+N)",
            parent=parent,
        )
        self.proxy: RequestFilterProxy

        self.filters: dict[str, QComboBox] = {}
        filter_row = QHBoxLayout()
        for name, everything, choices in [
            ("model_id", "All models", []),
            ("source", "Any source", [(label(e.value), e.value) for e in RequestSource]),
            ("category", "Any category", [(label(e.value), e.value) for e in RequestCategory]),
            ("status", "Any status", [(label(e.value), e.value) for e in RequestStatus]),
            ("estimated_cost", "Any cost", [(label(e.value), e.value) for e in Cost]),
        ]:
            combo = QComboBox()
            if name == "model_id":  # sized by a typical name, not by measuring 10,000 of them
                combo.setSizeAdjustPolicy(
                    QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
                )
                combo.setMinimumContentsLength(14)
            combo.setAccessibleName(f"Filter: {everything.split()[-1]}")
            combo.addItem(everything, "")
            for text, value in choices:
                combo.addItem(text, value)
            combo.currentIndexChanged.connect(lambda _=None, n=name: self._filter_changed(n))
            self.filters[name] = combo
            filter_row.addWidget(combo, 1)

        legend = QLabel(f"<span style='color:#e0b341'>■</span> {HIGHLIGHT_TIP}")
        legend.setProperty("role", "hint")

        self.form = form_page(RequestForm(self.service, ctx.today))
        self.form.saved.connect(self._saved)
        self.lay_out(
            "Requests",
            "Preference requests from model interviews, users, researchers, staff and partners,"
            " with the estimated cost of a response and what was done.",
            form_panel(self.form),
            above=filter_row,
            legend=legend,
            sizes=(660, 400),
        )

    # -- data ------------------------------------------------------------
    def refresh(self) -> None:
        current = self.form.original.id if self.form.original else None
        combo = self.filters["model_id"]
        chosen = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem("All models", "")
        for m in self.service.models():
            combo.addItem(m.display_name, m.id)
        combo.setCurrentIndex(max(combo.findData(chosen), 0))
        combo.blockSignals(False)
        self.proxy.set_filter("model_id", combo.currentData() or "")
        if self.service.count() > BACKGROUND_LOAD_ABOVE:
            self._load_in_background(current)
            return
        self._show_rows(self.service.rows(), current)

    def _load_in_background(self, current: str | None) -> None:
        if self._loader is not None:
            self._loader.cancel()
        self.count_label.setText(f"Loading {self.service.count():,} requests…")
        path = store_path(self.ctx.data_dir)
        worker = run_task(lambda progress, cancelled: load_rows(path), name="loading requests")
        worker.signals.succeeded.connect(lambda rows, w=worker: self._loaded(w, rows, current))
        worker.signals.failed.connect(lambda exc, _text, w=worker: self._load_failed(w, exc))
        self._loader = worker

    def _loaded(self, worker: Task, rows: list[RequestRow], current: str | None) -> None:
        if worker is not self._loader:
            return  # a newer load is on its way
        self._loader = None
        self._show_rows(rows, current)
        self.loaded.emit()

    def _load_failed(self, worker: Task, error: BaseException) -> None:
        if worker is self._loader:
            self._loader = None
            self.count_label.setText(f"Could not load the requests: {error}")

    def _show_rows(self, rows: Sequence[RequestRow], current: str | None) -> None:
        super()._show_rows(rows, current)
        if not current and self.form.original is None and not self.form.is_dirty():
            self.form.load(None)

    def _filter_changed(self, name: str) -> None:
        self.proxy.set_filter(name, self.filters[name].currentData() or "")
        self._update_count()

    def count_note(self) -> str:
        waiting = sum(r.highlighted for r in self.model.rows())
        return f" · {waiting} low-cost awaiting a response" if waiting else ""

    # -- the list-and-form page --------------------------------------------
    def row_id(self, row: RequestRow) -> str:
        return row.request.id

    def untouched(self, values: dict[str, Any]) -> bool:
        return not values["words"].strip()

    def open_row(self, row: RequestRow) -> None:
        self.form.load(row.request)

    def fill_new(self) -> None:
        model_filter = self.filters["model_id"].currentData()
        if model_filter:
            self.form.set_value("model_id", model_filter)
            self.form.after_change("model_id")
            self.form.validate()

    # -- the view's own ----------------------------------------------------
    def select_request(self, request_id: str) -> bool:
        return self.select_row_of(request_id)

    def new_request(self) -> None:
        self.new_record()

    def _saved(self, request: object) -> None:
        self.refresh()
        self.select_request(request.id)  # type: ignore[attr-defined]
