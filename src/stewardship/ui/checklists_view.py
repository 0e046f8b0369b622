"""The Checklists view: one model's checklists with progress, an item editor and its history."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..app import AppContext
from ..domain.checklists import open_required
from ..domain.lifecycle import RETIRED_STATES
from ..domain.records import ChecklistItem, ItemStatus, Model, label
from ..services.checklists import ChecklistGroup, ChecklistService
from ..services.model_summary import ModelSummary
from ..services.models import ModelService
from ..services.record_history import RecordHistory, record_history
from ..services.sync_service import registry_settings
from ..services.weights import INTEGRITY_ITEM
from . import style
from .adaptive_splitter import AdaptiveSplitter
from .checklist_item_editor import SHORTCUTS, STATUS_LABELS, ItemEditor
from .panels import panel, scrolling
from .table_model import VALUE_ROLE
from .tasks import run_task
from .weights_panel import WeightsPanel
from .widgets import ProgressDelegate, confirm_discard, page_subtitle, page_title

ITEM_ROLE = Qt.ItemDataRole.UserRole + 10
#: wide enough for an item's name beside its status, due date and owner
TREE_MIN_WIDTH = 520
HISTORY_COLUMNS = ["When", "Who", "Field", "Old", "New", "Note"]
#: the width of When, Who and Field (each wraps to two lines), and the tallest row
HISTORY_NARROW = 78
HISTORY_ROW_MAX = 64


def _history_value(field: str, value: str | None) -> str:
    """An audited value as the editor shows it: a status reads "To do", not ``todo``."""
    if not value:
        return ""
    return label(value) if field in ChecklistItem.ENUMS else value


def _status_text(item: ChecklistItem) -> str:
    text = STATUS_LABELS[ItemStatus(item.status)]
    return text + " · signed off" if item.signed_off else text


def _model_choice(model: ModelSummary) -> str:
    when = model.retired_on or model.planned_retirement
    state = model.lifecycle.label.lower()
    if when is None:
        return f"{model.display_name}  ({state})"
    verb = "retired" if model.lifecycle in RETIRED_STATES else "retires"
    return f"{model.display_name}  ({state}, {verb} {when.isoformat()})"


class ChecklistsView(QWidget):
    """Pick a model, see its checklists grouped with progress, edit an item, read its history."""

    items_changed = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page")
        self.ctx = ctx
        self.models = ModelService(ctx.store, ctx.who)
        self.service = ChecklistService(ctx.store, ctx.who)
        self.model: Model | None = None
        self.groups: list[ChecklistGroup] = []
        self._rebuilding = False
        self._history_serial = 0  # the newest registry history asked for; older answers are dropped

        self.picker = QComboBox()
        self.picker.setAccessibleName("Model")
        self.picker.setMinimumWidth(380)
        # Sized by a typical entry, not by measuring every model's name (slow at 10,000).
        self.picker.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.picker.setMinimumContentsLength(48)
        self.picker.setToolTip("The model whose checklists are shown (Ctrl+L)")
        self.picker.currentIndexChanged.connect(self._picked)
        picker_label = QLabel("&Model:")
        picker_label.setBuddy(self.picker)
        self.summary = QLabel()
        self.summary.setProperty("role", "hint")
        self.summary.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(picker_label)
        top.addWidget(self.picker)
        top.addWidget(self.summary, 1)

        self.tree = QTreeWidget()
        self.tree.setColumnCount(4)
        self.tree.setHeaderLabels(["Item", "Status", "Due", "Owner"])
        self.tree.setAccessibleName("Checklist items")
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setUniformRowHeights(True)
        self.tree.setItemDelegateForColumn(1, ProgressDelegate(self.tree))
        self.tree.setStyleSheet("QTreeWidget::item { min-height: 24px; }")
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col, width in ((1, 134), (2, 86), (3, 96)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            self.tree.setColumnWidth(col, width)
        self.tree.currentItemChanged.connect(self._current_changed)
        self.tree.itemActivated.connect(self._activated)

        self.editor = ItemEditor(self.service)
        self.editor.saved.connect(self._saved)

        self.history = QTableWidget(0, len(HISTORY_COLUMNS))
        self.history.setHorizontalHeaderLabels(HISTORY_COLUMNS)
        self.history.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.history.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.history.verticalHeader().setVisible(False)
        self.history.setTabKeyNavigation(False)
        self.history.setWordWrap(True)
        self.history.setAccessibleName("Item history")
        # When, who and field wrap onto two lines at a word; Old, New and Note share the
        # rest, so Old and New stay in view beside a 1280 px window's checklist tree.
        history_header = self.history.horizontalHeader()
        for col in range(len(HISTORY_COLUMNS)):
            if col < 3:
                history_header.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
                self.history.setColumnWidth(col, HISTORY_NARROW)
            else:
                history_header.setSectionResizeMode(col, QHeaderView.ResizeMode.Stretch)
        self.history.verticalHeader().setMaximumSectionSize(HISTORY_ROW_MAX)

        self.history_note = QLabel()
        self.history_note.setProperty("role", "hint")
        self.history_note.setWordWrap(True)
        self.history_note.setAccessibleName("Where the history comes from")
        history_page = QWidget()
        history_layout = QVBoxLayout(history_page)
        history_layout.setContentsMargins(0, 0, 0, 0)
        history_layout.addWidget(self.history, 1)
        history_layout.addWidget(self.history_note)
        history_page.setFocusProxy(self.history)

        self.tabs = QTabWidget()
        self.tabs.addTab(scrolling(self.editor, sideways=False), "&Item")
        self.tabs.addTab(history_page, "&History")
        self.tabs.setTabToolTip(1, "Who changed what, when (Ctrl+H)")
        self.weights = WeightsPanel(ctx)
        self.weights.changed.connect(self._weights_changed)
        self.tabs.addTab(self.weights, "&Weights")
        self.tabs.setTabToolTip(2, "Archive copies of the weights, their manifest and verification")

        self.tree.setMinimumWidth(TREE_MIN_WIDTH)
        editor_panel = panel(self.tabs)
        editor_panel.setMinimumWidth(self.editor.minimumSizeHint().width() + 24)
        self.splitter = AdaptiveSplitter()
        self.splitter.addWidget(self.tree)
        self.splitter.addWidget(editor_panel)
        self.splitter.set_sizes([560, 480], [300, 400])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.addWidget(page_title("Checklists"))
        layout.addWidget(
            page_subtitle(
                "Proof, model by model, that the retention commitments were kept. Enter edits an"
                " item; Ctrl+S saves, Ctrl+Shift+S signs off, Ctrl+H shows its history."
            )
        )
        layout.addLayout(top)
        layout.addWidget(self.splitter, 1)
        self.setTabOrder(self.picker, self.tree)
        self.setTabOrder(self.tree, self.tabs)

        ctx_scope = Qt.ShortcutContext.WidgetWithChildrenShortcut
        shortcuts: list[tuple[QKeySequence | QKeySequence.StandardKey, Callable[[], object]]] = [
            (SHORTCUTS["save"], self.editor.save),
            (SHORTCUTS["sign_off"], self.editor.sign_off),
            (SHORTCUTS["choose_file"], self.editor.choose_file),
            (QKeySequence("Ctrl+H"), self.toggle_history),
            (QKeySequence("Ctrl+L"), self.focus_picker),
            (QKeySequence(Qt.Key.Key_Escape), self._escape),
        ]
        for keys, slot in shortcuts:
            QShortcut(keys, self, slot, context=ctx_scope)

    # -- data ------------------------------------------------------------
    def refresh(self) -> None:
        """Reload the models and the current model's items; unsaved edits stay."""
        self.editor.owners.invalidate()
        models = self.models.summaries()
        current = self.model.id if self.model else self._default_model(models)
        self._rebuilding = True
        self.picker.clear()
        for model in models:
            self.picker.addItem(_model_choice(model), model.id)
        self._rebuilding = False
        if current and self.picker.findData(current) >= 0:
            self.picker.setCurrentIndex(self.picker.findData(current))
            self._show_model(current)
        else:
            self._show_model(None)

    @staticmethod
    def _default_model(models: list[ModelSummary]) -> str | None:
        """The live model retiring soonest, else the first."""
        dated = [m for m in models if m.planned_retirement and m.lifecycle not in RETIRED_STATES]
        if dated:
            return min(dated, key=lambda m: m.planned_retirement).id  # type: ignore[arg-type,return-value]
        return models[0].id if models else None

    def select_model(self, model_id: str) -> bool:
        index = self.picker.findData(model_id)
        if index < 0:
            self.refresh()
            index = self.picker.findData(model_id)
        if index < 0:
            return False
        if self.picker.currentIndex() == index:
            self._show_model(model_id)
        else:
            self.picker.setCurrentIndex(index)
        return self.model is not None and self.model.id == model_id

    def _picked(self, index: int) -> None:
        if self._rebuilding or index < 0:
            return
        model_id = self.picker.itemData(index)
        if self.model and model_id == self.model.id:
            return
        if not self._confirm_discard():
            self._rebuilding = True
            self.picker.setCurrentIndex(self.picker.findData(self.model.id) if self.model else -1)
            self._rebuilding = False
            return
        self._show_model(model_id)

    def _show_model(self, model_id: str | None) -> None:
        same = self.model is not None and self.model.id == model_id
        keep = self.editor.original.id if same and self.editor.original else None
        self.model = self.models.get(model_id) if model_id else None
        self.groups = self.service.groups(self.model, self.ctx.today()) if self.model else []
        self.weights.set_model(self.model)
        self._fill_tree(keep)
        self._update_summary()

    def _fill_tree(self, select_id: str | None) -> None:
        self._rebuilding = True
        self.tree.clear()
        today = self.ctx.today()
        select: QTreeWidgetItem | None = None
        first: QTreeWidgetItem | None = None
        for group in self.groups:
            p = group.progress
            late = f"{p.overdue} overdue" if p.overdue else ""
            node = QTreeWidgetItem([group.title, f"{p.complete}/{p.total} done", late, ""])
            if p.overdue:
                node.setForeground(2, QBrush(style.OVERDUE_FG))
            font = node.font(0)
            font.setBold(True)
            node.setFont(0, font)
            node.setData(1, VALUE_ROLE, group.progress.fraction)
            node.setToolTip(
                1,
                f"{group.progress.complete} of {group.progress.total} complete"
                f" (done or not applicable), {group.progress.overdue} overdue",
            )
            node.setFirstColumnSpanned(False)
            self.tree.addTopLevelItem(node)
            for item in group.items:
                due = item.due_date.isoformat() if item.due_date else ""
                child = QTreeWidgetItem([item.title, _status_text(item), due, item.owner])
                child.setData(0, ITEM_ROLE, item)
                child.setToolTip(0, item.guidance)
                weights = self._weights_alert(item)
                if item.is_overdue(today) or weights:
                    for col in range(4):
                        child.setForeground(col, QBrush(style.OVERDUE_FG))
                    child.setToolTip(2, weights or "Overdue: due date passed and not done")
                elif item.complete:
                    child.setForeground(1, QBrush(style.MUTED_FG))
                node.addChild(child)
                first = first or child
                if item.id == select_id:
                    select = child
            node.setExpanded(True)
        self._rebuilding = False
        target = select or first
        if target is not None:
            self.tree.setCurrentItem(target)
            if select is None or not self.editor.is_dirty():
                self.editor.load(target.data(0, ITEM_ROLE))
        else:
            self.editor.load(None)
        self._show_history()

    def _weights_alert(self, item: ChecklistItem) -> str:
        """Why the integrity item is red for the weights (a copy failed or overdue), or ""."""
        if item.template_key != INTEGRITY_ITEM:
            return ""
        bad = [e for e in self.weights.overview if e.status.alert]
        if not bad:
            return ""
        return "Weights: " + "; ".join(
            f"{e.copy.name} {e.status.state.value}"
            + (f" (due {e.status.due.isoformat()})" if e.status.due else "")
            for e in bad
        )

    def _weights_changed(self) -> None:
        if self.model is not None:
            self.groups = self.service.groups(self.model, self.ctx.today())
            self._fill_tree(self.editor.original.id if self.editor.original else None)
            self._update_summary()
        self.items_changed.emit()

    def _update_summary(self) -> None:
        if self.model is None:
            self.summary.setText("No models in this store yet: add one in Models (Ctrl+2).")
            return
        items = [i for g in self.groups for i in g.items]
        done = sum(i.complete for i in items)
        late = sum(i.is_overdue(self.ctx.today()) for i in items)
        gate = len(open_required(items))
        parts = [f"{done} of {len(items)} items complete", f"{late} overdue"]
        parts.append(
            f"{gate} required item{'s' if gate != 1 else ''} open before retirement"
            if gate
            else "every required item is done"
        )
        bad = [e for e in self.weights.overview if e.status.alert]
        if bad:
            parts.append(
                f"weights: {len(bad)} cop{'y' if len(bad) == 1 else 'ies'} failed or overdue"
            )
        self.summary.setText(" · ".join(parts))

    def _show_history(self) -> None:
        """This console's audit at once; the registry's history merged in when it answers.

        The registry is asked in a background task (the window never waits for the
        network); an answer for an item no longer shown is dropped.
        """
        item = self.editor.original
        self._history_serial += 1
        self._fill_history(self.service.history(item.id) if item else [], item is not None)
        if item is None:
            self.history_note.setText("")
            return
        if not registry_settings(self.ctx.store).configured:
            self.history_note.setText("This console's audit only: no registry is set up.")
            return
        self.history_note.setText("This console's audit; asking the registry for its history…")
        serial, path, item_id = self._history_serial, self.ctx.store.path, item.id
        run_task(
            lambda progress, cancelled: record_history(
                path, ChecklistItem.TYPE, item_id, progress=progress, cancelled=cancelled
            ),
            succeeded=lambda result: self._registry_history(serial, result),
            failed=lambda exc, _tb: self._registry_history_failed(serial, exc),
            name="registry history",
        )

    def _registry_history(self, serial: int, result: RecordHistory) -> None:
        try:
            if serial != self._history_serial:
                return
            self._fill_history(result.rows, True)
            self.history_note.setText(result.registry_note)
        except RuntimeError:  # the view was closed while the registry answered
            return

    def _registry_history_failed(self, serial: int, exc: BaseException) -> None:
        try:
            if serial == self._history_serial:
                self.history_note.setText(f"This console's audit only: {exc}")
        except RuntimeError:
            return

    def _fill_history(self, rows: list[dict], shown: bool) -> None:
        self.history.setRowCount(len(rows))
        for r, row in enumerate(rows):
            field = "Created" if row["field"] == "(created)" else label(row["field"])
            values = [
                (row["at"] or "").replace("T", " ").replace("Z", ""),
                row["who"],
                field,
                _history_value(row["field"], row["old"]),
                _history_value(row["field"], row["new"]),
                row["note"] or "",
            ]
            for c, value in enumerate(values):
                cell = QTableWidgetItem(value)
                cell.setToolTip(value)
                self.history.setItem(r, c, cell)
        self.history.resizeRowsToContents()
        self.tabs.setTabText(1, f"&History ({len(rows)})" if shown else "&History")

    # -- editing ---------------------------------------------------------
    def _confirm_discard(self) -> bool:
        return not self.editor.is_dirty() or confirm_discard(self, "this item")

    def _current_changed(
        self, current: QTreeWidgetItem | None, previous: QTreeWidgetItem | None
    ) -> None:
        if self._rebuilding or current is None:
            return
        item = current.data(0, ITEM_ROLE)
        if item is None or (self.editor.original and item.id == self.editor.original.id):
            return
        if not self._confirm_discard():
            self._rebuilding = True
            if previous is not None:
                self.tree.setCurrentItem(previous)
            self._rebuilding = False
            return
        self.editor.load(item)
        self._show_history()

    def _activated(self, node: QTreeWidgetItem, _column: int) -> None:
        if node.data(0, ITEM_ROLE) is None:
            node.setExpanded(not node.isExpanded())
            return
        self.tabs.setCurrentIndex(0)
        self.editor.widgets["status"].setFocus()

    def _saved(self, item: ChecklistItem) -> None:
        self.editor.owners.invalidate()  # a new owner completes from now on
        self._show_model(item.model_id)
        self.items_changed.emit()

    # -- keys ------------------------------------------------------------
    def focus_picker(self) -> None:
        self.picker.setFocus()

    def toggle_history(self) -> None:
        self.tabs.setCurrentIndex(1 - self.tabs.currentIndex())
        self.tabs.currentWidget().setFocus()

    def _escape(self) -> None:
        # The shortcut is seen before an open popup (the owner's suggestions, a
        # drop-down list): Esc then closes that popup and nothing else.
        popup = QApplication.activePopupWidget()
        if popup is not None:
            popup.close()
            return
        if self.editor.is_hashing():
            self.editor.cancel_hash()
        else:
            self.tree.setFocus()

    def current_item(self) -> ChecklistItem | None:
        node = self.tree.currentItem()
        return node.data(0, ITEM_ROLE) if node else None
