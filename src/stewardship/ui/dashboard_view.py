"""The dashboard: summary cards and the table of upcoming and recent retirements."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from datetime import date

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QFontMetrics, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ..app import AppContext
from ..domain.vocabulary import plural
from ..services.dashboard import Dashboard, DashboardRow, build_dashboard
from . import style
from .table_model import ROW_ROLE, Column, RowStyle, RowTableModel, SearchProxy
from .widgets import Card, ProgressDelegate, lead_into, page_subtitle, page_title, row_table


def _date_key(row: DashboardRow) -> date:
    return row.retirement or date.max


def _progress_text(row: DashboardRow) -> str:
    p = row.progress
    if not p.total:
        return f"no checklists · weights {row.weights}" if row.weights else "no checklists"
    text = f"{p.complete}/{p.total}"
    if p.overdue:
        text += f" · {p.overdue} late"
    if row.weights:
        text += f" · weights {row.weights}"
    return text


COLUMNS: list[Column[DashboardRow]] = [
    Column(
        "Model",
        lambda r: r.model.display_name,
        tooltip=lambda r: f"{r.model.slug}: {r.weights_text}" if r.weights else r.model.slug,
    ),
    Column("State", lambda r: r.model.lifecycle.label),
    Column(
        "Retires",
        lambda r: r.retirement.strftime("%a %d %b %Y") if r.retirement else "",
        sort=_date_key,
        tooltip=lambda r: "confirmed" if r.model.retirement_on else "tentative (not before)",
    ),
    Column(
        "Days left",
        lambda r: r.countdown,
        sort=lambda r: r.days_left if r.days_left is not None else 10**6,
        align_right=True,
    ),
    Column(
        "Notice given",
        lambda r: r.notice_text,
        sort=lambda r: r.notice_given if r.notice_given is not None else -1,
        tooltip=lambda r: f"Policy for {r.model.provider}: {r.notice_required} days",
    ),
    Column(
        "Checklists",
        _progress_text,
        tooltip=lambda r: (
            f"An archive copy's {r.weights_text}: see the model's checklists" if r.weights else None
        ),
        sort=lambda r: -1.0 if r.checklist_fraction is None else r.checklist_fraction,
        value=lambda r: r.checklist_fraction,
    ),
    Column("Replacement", lambda r: r.replacement_name or "—"),
]


#: starting widths (the Model column stretches); Days left and Notice given grow to fit
COLUMN_WIDTHS = (0, 145, 130, 125, 160, 175, 120)
#: The columns that grow to fit, each with what its text depends on: rows with the same
#: key show the same text, so each text is made and measured once, not once per row.
FIT_COLUMNS: dict[int, Callable[[DashboardRow], Hashable]] = {
    3: lambda r: (r.days_left, r.model.lifecycle),
    4: lambda r: (
        r.notice_given,
        r.notice_shortfall,
        r.notice_required,
        r.model.deprecation_announced_on is None,
    ),
}


def row_style(row: DashboardRow) -> RowStyle | None:
    if row.alert:
        return RowStyle(foreground=style.OVERDUE_FG, background=style.OVERDUE_BG, bold=True)
    if row.notice_shortfall:
        return RowStyle(background=style.WARNING_ROW_BG)
    return None


class DashboardView(QWidget):
    """Cards and the retirement table. Emits ``model_activated(model_id)`` on Enter/double-click."""

    model_activated = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page")
        self.ctx = ctx
        self.dashboard: Dashboard | None = None

        self.subtitle = page_subtitle("")
        self.cards = {
            "retiring_30": Card(
                "retiring within 30 days",
                "Models not yet retired whose retirement date is in the next 30 days",
            ),
            "retiring_90": Card(
                "retiring within 90 days",
                "Models not yet retired whose retirement date is in the next 90 days",
            ),
            "overdue_items": Card(
                "overdue checklist items",
                "Checklist items whose due date has passed and that are not done",
            ),
            "notice_violations": Card(
                "notice-policy violations",
                "Models whose announced notice is shorter than the policy",
            ),
            "weights_alerts": Card(
                "weights not proven",
                "Models with an archive copy of their weights whose last verification failed,"
                " or whose verification is overdue",
            ),
        }
        cards = QHBoxLayout()
        cards.setSpacing(12)
        for card in self.cards.values():
            cards.addWidget(card)

        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText(
            "Filter by model, state, provider, replacement…  (Ctrl+F)"
        )
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setAccessibleName("Filter retirements")

        self.model = RowTableModel(
            COLUMNS,
            row_style=row_style,
            search_text=lambda r: " ".join(
                [
                    r.model.display_name,
                    r.model.slug,
                    r.model.provider,
                    r.model.family,
                    r.model.lifecycle.label,
                    r.model.replacement,
                    r.replacement_name,
                    r.countdown,
                    "overdue" if r.overdue else "",
                    r.weights_text,
                ]
            ),
            parent=self,
        )
        self.proxy = SearchProxy(self)
        self.proxy.setSourceModel(self.model)
        self.filter_edit.textChanged.connect(self.proxy.set_search)
        self.filter_edit.textChanged.connect(self._update_count)

        self.table = row_table(self.proxy, row_height=30)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(2, Qt.SortOrder.AscendingOrder)
        self.table.setItemDelegateForColumn(5, ProgressDelegate(self.table))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        for col, width in enumerate(COLUMN_WIDTHS):
            if width:
                self.table.setColumnWidth(col, width)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(self._activate)
        self.table.activated.connect(self._activate)
        self.table.setAccessibleName("Upcoming and recent retirements")
        lead_into(self.filter_edit, self.table)
        self.filter_edit.returnPressed.connect(self.open_first_match)

        self.count_label = QLabel()
        self.count_label.setProperty("role", "hint")

        table_header = QHBoxLayout()
        table_header.addWidget(QLabel("<b>Upcoming and recent retirements</b>"))
        table_header.addStretch(1)
        table_header.addWidget(self.count_label)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.setSpacing(12)
        layout.addWidget(page_title("Dashboard"))
        layout.addWidget(self.subtitle)
        layout.addLayout(cards)
        layout.addLayout(table_header)
        layout.addWidget(self.filter_edit)
        layout.addWidget(self.table, 1)
        legend = QLabel(
            f"<span style='color:{style.DANGER}'>■</span> retirement date passed but model not"
            " retired, or weights verification failed or overdue &nbsp;&nbsp; <span style='color:#e0b341'>■</span> notice shorter than"
            " policy &nbsp;&nbsp; Enter or double-click opens the model's checklists"
        )
        legend.setProperty("role", "hint")
        legend.setWordWrap(True)  # two lines on a 1024 px screen
        layout.addWidget(legend)

        QShortcut(QKeySequence.StandardKey.Find, self, self.focus_filter)

    def focus_filter(self) -> None:
        self.filter_edit.setFocus()
        self.filter_edit.selectAll()

    def refresh(self) -> None:
        today = self.ctx.today()
        settings = self.ctx.settings
        self.dashboard = build_dashboard(
            self.ctx.store,
            today,
            self.ctx.policy,
            verify_every_days=settings.verify_every_days.value if settings else 365,
        )
        d = self.dashboard
        self.subtitle.setText(
            f"Today is {today.strftime('%A %d %B %Y')} · {plural(d.models_total, 'models')} in this store"
        )
        self.cards["retiring_30"].set_value(d.retiring_30, alert=d.retiring_30 > 0)
        self.cards["retiring_90"].set_value(d.retiring_90)
        self.cards["overdue_items"].set_value(d.overdue_items, alert=d.overdue_items > 0)
        self.cards["notice_violations"].set_value(
            d.notice_violations, alert=d.notice_violations > 0
        )
        self.cards["weights_alerts"].set_value(d.weights_alerts, alert=d.weights_alerts > 0)
        self.model.set_rows(d.rows)
        self._fit_columns()
        self._update_count()

    def _fit_columns(self) -> None:
        """Widen Days left and Notice given to their longest text ("1234 days overdue",
        "12 days (348 short of 360)"), never narrower than their starting width."""
        font = self.table.font()
        font.setBold(True)  # overdue rows are bold
        metrics = QFontMetrics(font)
        rows = self.model.rows()
        for col, same_text in FIT_COLUMNS.items():
            texts = {COLUMNS[col].display(r) for r in {same_text(r): r for r in rows}.values()}
            # Texts differ in their digits and words; figures are the same width, so only
            # the longest few need measuring.
            longest = max(map(len, texts), default=0)
            needed = max(
                (metrics.horizontalAdvance(t) for t in texts if len(t) >= longest - 3), default=0
            )
            self.table.setColumnWidth(col, max(COLUMN_WIDTHS[col], needed + 16))

    def _update_count(self) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        self.count_label.setText(
            f"{shown} of {total} shown" if shown != total else plural(total, "models")
        )

    def selected_model_id(self) -> str | None:
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        return index.data(ROW_ROLE).model.id

    def open_first_match(self) -> None:
        """Enter in the filter: open the first model the filter shows."""
        if self.proxy.rowCount():
            first = self.proxy.index(0, 0)
            self.table.setCurrentIndex(first)
            self._activate(first)

    def _activate(self, index: QModelIndex) -> None:
        row = index.data(ROW_ROLE)
        if row is not None:
            self.model_activated.emit(row.model.id)


__all__ = ["COLUMNS", "DashboardView"]
