"""The Requests view: every preference request, filterable, and the form to log or edit one."""

from __future__ import annotations

from PySide6.QtCore import (
    QItemSelection,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
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
from ..domain.records import Cost, RequestCategory, RequestSource, RequestStatus, label
from ..services.paths import store_path
from ..services.requests import RequestRow, RequestService, load_rows
from . import style
from .panels import form_page, panel, scrolling
from .request_form import RequestForm
from .table_model import ROW_ROLE, Column, RowStyle, RowTableModel, SearchProxy
from .tasks import Task, run_task
from .widgets import confirm_discard, page_subtitle, page_title, row_table

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


class RequestsView(QWidget):
    #: the request list finished loading in the background
    loaded = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page")
        self.ctx = ctx
        self.service = RequestService(ctx.store, ctx.who)
        self._loader: Task | None = None

        self.model = RowTableModel(
            COLUMNS, row_style=row_style, search_text=RequestRow.search_text, parent=self
        )
        self.proxy = RequestFilterProxy(self)
        self.proxy.setSourceModel(self.model)

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

        self.search = QLineEdit()
        self.search.setPlaceholderText("Search requests, responses, notes…  (Ctrl+F)")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search requests")
        self.search.textChanged.connect(self.proxy.set_search)
        self.search.textChanged.connect(self._update_count)
        self.new_button = QPushButton("Log request")
        self.new_button.setToolTip("Log a new preference request (Ctrl+N)")
        self.new_button.clicked.connect(self.new_request)

        self.table = row_table(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for col, width in enumerate((86, 100, 112, 60, 96)):
            self.table.setColumnWidth(col, width)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.table.setAccessibleName("Preference requests")

        self.count_label = QLabel()
        self.count_label.setProperty("role", "hint")
        legend = QLabel(f"<span style='color:#e0b341'>■</span> {HIGHLIGHT_TIP}")
        legend.setProperty("role", "hint")

        self.form = form_page(RequestForm(self.service, ctx.today))
        self.form.saved.connect(self._saved)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(filter_row)
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.new_button)
        left_layout.addLayout(top)
        left_layout.addWidget(self.table, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(legend, 1)
        bottom.addWidget(self.count_label)
        left_layout.addLayout(bottom)

        self.splitter = QSplitter()
        self.splitter.addWidget(left)
        self.splitter.addWidget(panel(scrolling(self.form, sideways=False)))
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([660, 400])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.addWidget(page_title("Requests"))
        layout.addWidget(
            page_subtitle(
                "Preference requests from model interviews, users, researchers, staff and partners,"
                " with the estimated cost of a response and what was done."
            )
        )
        layout.addWidget(self.splitter, 1)

        QShortcut(QKeySequence.StandardKey.Find, self, self.focus_search)
        QShortcut(QKeySequence.StandardKey.New, self, self.new_request)

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

    def _show_rows(self, rows: list[RequestRow], current: str | None) -> None:
        self.model.set_rows(rows)
        self._update_count()
        if current:
            self.select_request(current)
        elif self.form.original is None and not self.form.is_dirty():
            self.form.load(None)

    def _filter_changed(self, name: str) -> None:
        self.proxy.set_filter(name, self.filters[name].currentData() or "")
        self._update_count()

    def _update_count(self) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        waiting = sum(r.highlighted for r in self.model.rows())
        text = f"{shown} of {total} requests" if shown != total else f"{total} requests"
        if waiting:
            text += f" · {waiting} low-cost awaiting a response"
        self.count_label.setText(text)

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def select_request(self, request_id: str) -> bool:
        for row in range(self.proxy.rowCount()):
            index = self.proxy.index(row, 0)
            if index.data(ROW_ROLE).request.id == request_id:
                self.table.selectRow(row)
                self.table.scrollTo(index)
                return True
        return False

    # -- editing ---------------------------------------------------------
    def _confirm_discard(self) -> bool:
        untouched_new = self.form.original is None and not self.form.values()["words"].strip()
        if untouched_new or not self.form.is_dirty():
            return True
        return confirm_discard(self, "this request")

    def _selection_changed(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        indexes = selected.indexes()
        if not indexes:
            return
        request = indexes[0].data(ROW_ROLE).request
        if self.form.original is not None and request.id == self.form.original.id:
            return
        if not self._confirm_discard():
            return
        self.form.load(request)

    def new_request(self) -> None:
        if not self._confirm_discard():
            return
        self.table.clearSelection()
        self.form.load(None)
        model_filter = self.filters["model_id"].currentData()
        if model_filter:
            self.form.set_value("model_id", model_filter)
            self.form.after_change("model_id")
            self.form.validate()
        self.form.widgets["model_id"].setFocus()

    def _saved(self, request: object) -> None:
        self.refresh()
        self.select_request(request.id)  # type: ignore[attr-defined]
