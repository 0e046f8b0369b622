"""Conflicts: base, mine and theirs, field by field; keep mine, take theirs or edit a merged value."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ..app import AppContext
from ..domain.errors import ValidationError
from ..services.conflicts import (
    ConflictGroup,
    StoredConflict,
    conflict_groups,
    dismiss_rejection,
    resolve,
)
from .panels import panel, scrolling
from .widgets import page_subtitle, page_title

MINE, THEIRS, EDIT = "mine", "theirs", "edit"


def show(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)


def _field_label(name: str) -> str:
    return "Record deleted" if name == "deleted" else name.replace("_", " ").capitalize()


class FieldChoice:
    """The widgets that decide one field."""

    def __init__(self, conflict: StoredConflict) -> None:
        self.conflict = conflict
        self.choice = QComboBox()
        self.choice.addItem("Keep mine", MINE)
        self.choice.addItem("Take theirs", THEIRS)
        if conflict.field != "deleted":
            self.choice.addItem("Edit merged value", EDIT)
        self.choice.setAccessibleName(f"Resolution for {_field_label(conflict.field)}")
        self.edit = QLineEdit(show(conflict.mine) if conflict.mine not in (None, "") else "")
        self.edit.setEnabled(False)
        self.edit.setAccessibleName(f"Merged value for {_field_label(conflict.field)}")
        self.choice.currentIndexChanged.connect(self._changed)

    def _changed(self) -> None:
        mode = self.choice.currentData()
        self.edit.setEnabled(mode == EDIT)
        if mode == MINE:
            self.edit.setText("" if self.conflict.mine in (None, "") else show(self.conflict.mine))
        elif mode == THEIRS:
            self.edit.setText(
                "" if self.conflict.theirs in (None, "") else show(self.conflict.theirs)
            )
        else:
            self.edit.setFocus()

    def value(self) -> Any:
        mode = self.choice.currentData()
        if mode == MINE:
            return self.conflict.mine
        if mode == THEIRS:
            return self.conflict.theirs
        return self.edit.text()


def _when(stamp: str) -> str:
    """``2026-11-28T10:05:00Z`` as ``2026-11-28 10:05 UTC``."""
    if not stamp:
        return ""
    text = stamp.replace("T", " ").removesuffix("Z")
    return f"{text[:16]} UTC" if stamp.endswith("Z") else text[:16]


def their_origin(fields: list[StoredConflict]) -> str:
    """Who made the values under "Theirs", and when (the registry's record says)."""
    latest = max(fields, key=lambda c: c.their_at)
    who, when = latest.their_by, _when(latest.their_at)
    if who and when:
        return f"Theirs: changed by {who} on {when}."
    if who:
        return f"Theirs: changed by {who}."
    if when:
        return f"Theirs: changed on {when}."
    return "Theirs: the registry's copy (who changed it was not recorded)."


class ConflictsView(QWidget):
    resolved = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page")
        self.ctx = ctx
        self.groups: list[ConflictGroup] = []
        self.choices: list[FieldChoice] = []

        self.list = QListWidget()
        self.list.setAccessibleName("Records in conflict")
        self.list.setObjectName("conflictList")
        self.list.currentRowChanged.connect(self._show_group)
        self.list.itemActivated.connect(lambda _item: self._focus_detail())  # Enter
        self.detail = QWidget()
        self.detail.setObjectName("formPage")
        self.detail_layout = QVBoxLayout(self.detail)
        self.detail_layout.setContentsMargins(12, 12, 12, 12)
        self.detail_layout.setSpacing(10)

        self.empty = QLabel(
            "No conflicts. Edits made elsewhere merged cleanly, or nothing has been synced yet."
        )
        self.empty.setProperty("role", "hint")
        self.empty.setWordWrap(True)
        self.empty.setObjectName("conflictsEmpty")

        self.splitter = splitter = QSplitter()
        splitter.addWidget(self.list)
        splitter.addWidget(panel(scrolling(self.detail)))
        splitter.setSizes([200, 880])
        splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.addWidget(page_title("Conflicts"))
        layout.addWidget(
            page_subtitle(
                "The same field was changed here and on another laptop, or a record was deleted on one"
                " side and edited on the other. Nothing is overwritten until you decide."
            )
        )
        layout.addWidget(self.empty)
        layout.addWidget(splitter, 1)
        # With nothing to decide the list and the detail would be two blank panes:
        # the sentence above says so instead (refresh() shows them when there is).
        self.filler = QWidget()
        layout.addWidget(self.filler, 1)
        splitter.setVisible(False)

    def refresh(self) -> None:
        current = self.list.currentRow()
        self.groups = conflict_groups(self.ctx.store)
        self.list.clear()
        for group in self.groups:
            n = len(group.fields)
            text = f"{group.title}\n{group.record_type.replace('_', ' ')} · "
            text += f"{n} field{'s' if n != 1 else ''}" if n else "refused by the registry"
            self.list.addItem(QListWidgetItem(text))
        self.empty.setVisible(not self.groups)
        self.splitter.setVisible(bool(self.groups))
        self.filler.setVisible(not self.groups)
        if self.groups:
            self.list.setCurrentRow(min(max(current, 0), len(self.groups) - 1))
        else:
            self._clear_detail()

    def _focus_detail(self) -> None:
        """Enter on a record: the keyboard moves to its first decision (else its button)."""
        if self.choices:
            self.choices[0].choice.setFocus(Qt.FocusReason.TabFocusReason)
            return
        for button in self.detail.findChildren(QPushButton):
            if button.isVisibleTo(self.detail):
                button.setFocus(Qt.FocusReason.TabFocusReason)
                return

    def _clear_detail(self) -> None:
        while self.detail_layout.count():
            item = self.detail_layout.takeAt(0)
            if item is None:
                break
            widget = item.widget()
            inner = item.layout()
            if widget is not None:
                widget.deleteLater()
            elif inner is not None:
                _delete_layout(inner)
        self.choices = []

    def _show_group(self, row: int) -> None:
        self._clear_detail()
        if row < 0 or row >= len(self.groups):
            return
        group = self.groups[row]
        heading = QLabel(
            f"{group.title}  <span style='color:#5f6b7a; font-size:13px'>"
            f"({group.record_type.replace('_', ' ')})</span>"
        )
        heading.setObjectName("pageTitle")
        self.detail_layout.addWidget(heading)
        for rejected in group.rejected:
            text = QLabel(
                f"The registry refused the last change: {rejected.detail}"
                + (f" (field: {rejected.field})" if rejected.field else "")
                + ". Edit the record to fix it; it will be sent again."
            )
            text.setWordWrap(True)
            text.setProperty("role", "error")
            self.detail_layout.addWidget(text)
        if group.fields:
            theirs = QLabel(their_origin(group.fields))
            theirs.setObjectName("theirOrigin")
            theirs.setWordWrap(True)
            self.detail_layout.addWidget(theirs)
            hint = QLabel(
                "Choose, field by field: keep your value, take the one from the other"
                " laptop, or type the value both should have. Resolve applies them all;"
                " the result syncs next time."
            )
            hint.setWordWrap(True)
            hint.setProperty("role", "hint")
            self.detail_layout.addWidget(hint)
            grid = QGridLayout()
            grid.setHorizontalSpacing(12)
            grid.setVerticalSpacing(10)
            for col in (1, 2, 3, 5):
                grid.setColumnStretch(col, 1)
            for col, title in enumerate(
                ["Field", "Before (last synced)", "Mine", "Theirs", "Decision", "Result"]
            ):
                heading = QLabel(f"<b>{title}</b>")
                heading.setWordWrap(True)  # "Before (last synced)" takes two lines if it must
                grid.addWidget(heading, 0, col, Qt.AlignmentFlag.AlignBottom)
            for r, conflict in enumerate(group.fields, start=1):
                choice = FieldChoice(conflict)
                self.choices.append(choice)
                name = QLabel(f"<b>{_field_label(conflict.field)}</b>")
                name.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
                grid.addWidget(name, r, 0)
                for col, value in enumerate(
                    (conflict.base, conflict.mine, conflict.theirs), start=1
                ):
                    label = QLabel(show(value))
                    label.setWordWrap(True)
                    label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
                    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                    grid.addWidget(label, r, col)
                grid.addWidget(choice.choice, r, 4, Qt.AlignmentFlag.AlignTop)
                grid.addWidget(choice.edit, r, 5, Qt.AlignmentFlag.AlignTop)
                choice.edit.setCursorPosition(0)
                choice.edit.setMinimumWidth(120)
            self.detail_layout.addLayout(grid)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        if group.rejected and not group.fields:
            dismiss = QPushButton("Dismiss (keep my copy, do not send)")
            dismiss.clicked.connect(lambda: self.dismiss(group))
            buttons.addWidget(dismiss)
        if group.fields:
            apply = QPushButton("Resolve")
            apply.setProperty("primary", "true")
            apply.setToolTip("Apply these decisions; the result syncs next time")
            apply.clicked.connect(lambda: self.resolve_current())
            buttons.addWidget(apply)
        self.detail_layout.addLayout(buttons)
        self.detail_layout.addStretch(1)

    def current_group(self) -> ConflictGroup | None:
        row = self.list.currentRow()
        return self.groups[row] if 0 <= row < len(self.groups) else None

    def resolve_current(self) -> bool:
        group = self.current_group()
        if group is None:
            return False
        values = {c.conflict.field: c.value() for c in self.choices}
        try:
            resolve(self.ctx.store, group.record_type, group.record_id, values, self.ctx.who)
        except ValidationError as exc:
            QMessageBox.warning(self, "Cannot resolve", str(exc))
            return False
        self.refresh()
        self.resolved.emit()
        return True

    def dismiss(self, group: ConflictGroup) -> None:
        dismiss_rejection(self.ctx.store, group.record_type, group.record_id, self.ctx.who)
        self.refresh()
        self.resolved.emit()


def _delete_layout(layout: Any) -> None:
    while layout.count():
        item = layout.takeAt(0)
        if item.widget() is not None:
            item.widget().deleteLater()
        elif item.layout() is not None:
            _delete_layout(item.layout())
