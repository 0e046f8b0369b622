"""The editor for one checklist item: status, owner, due date, evidence, notes, sign-off."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..domain.checklists import checklist_title
from ..domain.dates import utc_now
from ..domain.errors import Problem, ValidationError
from ..domain.records import ChecklistItem, ItemStatus
from ..services.checklists import ChecklistService
from .evidence_hashing import EvidenceHashing
from .lazy_completer import LazyCompleter
from .widgets import error_label, repolish

STATUS_LABELS = {
    ItemStatus.TODO: "To do",
    ItemStatus.IN_PROGRESS: "In progress",
    ItemStatus.DONE: "Done",
    ItemStatus.BLOCKED: "Blocked",
    ItemStatus.NOT_APPLICABLE: "Not applicable",
}

#: (field, label, kind, hint) for the editable fields, in tab order.
FIELDS: list[tuple[str, str, str, str]] = [
    ("status", "&Status", "status", ""),
    (
        "not_applicable_reason",
        "Why not applicable",
        "text",
        "Required when the item does not apply",
    ),
    ("owner", "&Owner", "text", "Who does it"),
    ("due_date", "D&ue date", "date", "YYYY-MM-DD"),
    ("evidence", "&Evidence", "multiline", "What was done, when, and the result"),
    ("evidence_url", "Evidence &URL", "text", "https://… or s3://…"),
    ("evidence_sha256", "SHA-256 &digest", "text", "64 hexadecimal characters"),
    ("evidence_file", "Evidence file", "file", "Choose a file to hash (Ctrl+O)"),
    ("notes", "&Notes", "multiline", ""),
]
LABELS = {name: text.replace("&", "") for name, text, _, _ in FIELDS}
LABELS["signed_off_by"] = LABELS["signed_off_at"] = "Sign-off"


def _stamp(text: str) -> str:
    return text.replace("T", " ").replace("Z", " UTC")


class ItemEditor(EvidenceHashing, QWidget):
    """Edits one :class:`ChecklistItem`; Save stays disabled while anything is invalid."""

    saved = Signal(object)  # ChecklistItem

    def __init__(self, service: ChecklistService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("formPage")
        self.service = service
        self.original: ChecklistItem | None = None
        self._loading = False
        self.widgets: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}

        self.heading = QLabel("Choose an item")
        self.heading.setObjectName("pageTitle")
        self.heading.setWordWrap(True)
        self.meta = QLabel()
        self.meta.setProperty("role", "hint")
        self.meta.setWordWrap(True)
        self.guidance = QLabel()
        self.guidance.setWordWrap(True)
        self.guidance.setObjectName("guidance")

        form = QFormLayout()
        form.setVerticalSpacing(6)
        for name, text, kind, hint in FIELDS:
            widget = self._make_widget(name, kind, hint)
            self.widgets[name] = widget
            box = QVBoxLayout()
            box.setSpacing(2)
            if kind == "file":
                row = QHBoxLayout()
                row.addWidget(widget, 1)
                row.addWidget(self.choose_button)
                box.addLayout(row)
                hashing = QHBoxLayout()
                hashing.addWidget(self.hash_bar, 1)
                hashing.addWidget(self.cancel_button)
                box.addLayout(hashing)
                where = QHBoxLayout()
                where.addWidget(self.file_where, 1)
                where.addWidget(self.fetch_button)
                box.addLayout(where)
            else:
                box.addWidget(widget)
            box.addWidget(self._error_label(name))
            label = QLabel(text + ":")
            label.setBuddy(widget)
            form.addRow(label, box)
        owner = self.widgets["owner"]
        assert isinstance(owner, QLineEdit)
        #: every owner in the store, read when the field is focused (ChecklistsView refreshes it)
        self.owners = LazyCompleter(owner, self.service.owners)

        self.sign_off_label = QLabel()
        self.sign_off_label.setWordWrap(True)
        self.sign_off_button = QPushButton("Sign &off")
        self.sign_off_button.setToolTip(
            "Sign this item off as you, now (Ctrl+Shift+S);"
            " needs status Done and, where asked, evidence"
        )
        self.sign_off_button.clicked.connect(self.sign_off)
        self.withdraw_button = QPushButton("&Withdraw sign-off")
        self.withdraw_button.clicked.connect(self.withdraw_sign_off)
        sign_row = QHBoxLayout()
        sign_row.addStretch(1)
        sign_row.addWidget(self.withdraw_button)
        sign_row.addWidget(self.sign_off_button)
        sign_box = QVBoxLayout()
        sign_box.addWidget(self.sign_off_label)
        sign_box.addLayout(sign_row)
        sign_box.addWidget(self._error_label("signed_off_by"))
        form.addRow(QLabel("Sign-off:"), sign_box)

        self.summary = QLabel()
        self.summary.setProperty("role", "hint")
        self.summary.setWordWrap(True)
        self.revert_button = QPushButton("Revert")
        self.revert_button.clicked.connect(self.revert)
        self.save_button = QPushButton("Save")
        self.save_button.setProperty("primary", "true")
        self.save_button.setToolTip("Save this item (Ctrl+S)")
        self.save_button.clicked.connect(self.save)
        buttons = QHBoxLayout()
        buttons.addWidget(self.summary, 1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(self.heading)
        layout.addWidget(self.meta)
        layout.addWidget(self.guidance)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addLayout(buttons)
        self.load(None)

    # -- building --------------------------------------------------------
    def _error_label(self, name: str) -> QLabel:
        error = self.errors[name] = error_label()
        return error

    def _make_widget(self, name: str, kind: str, hint: str) -> QWidget:
        widget: QWidget
        if kind == "status":
            widget = QComboBox()
            for status, text in STATUS_LABELS.items():
                widget.addItem(text, status.value)
            widget.currentIndexChanged.connect(lambda _=None, n=name: self._changed(n))
        elif kind == "multiline":
            widget = QPlainTextEdit()
            widget.setFixedHeight(64)
            widget.setTabChangesFocus(True)
            widget.setPlaceholderText(hint)
            widget.textChanged.connect(lambda n=name: self._changed(n))
        else:
            widget = QLineEdit()
            widget.setPlaceholderText(hint)
            widget.textEdited.connect(lambda _=None, n=name: self._changed(n))
            widget.returnPressed.connect(self.save)
            if kind == "date":
                widget.setMaxLength(10)
            if name == "evidence_sha256":
                font = QFont("monospace")
                font.setStyleHint(QFont.StyleHint.Monospace)
                widget.setFont(font)
            if kind == "file":
                widget.setReadOnly(True)
                self._make_hashing_controls()
        widget.setAccessibleName(LABELS[name])
        widget.setObjectName(f"item_{name}")
        return widget

    # -- loading ---------------------------------------------------------
    def load(self, item: ChecklistItem | None) -> None:
        self.cancel_hash()
        self._loading = True
        self.original = item
        base = item or ChecklistItem()
        for child in self.findChildren(QWidget):
            if child is not self:
                child.setEnabled(item is not None)
        if item is None:
            self.heading.setText("Choose an item")
            self.meta.setText("Pick a checklist item on the left (Enter edits it).")
            self.guidance.setText("")
        else:
            self.heading.setText(item.title)
            meta = [checklist_title(item.checklist)]
            meta.append("required before retirement" if item.required else "not a retirement gate")
            if item.evidence_required:
                meta.append("evidence needed for sign-off")
            self.meta.setText(" · ".join(meta))
            self.guidance.setText(item.guidance)
        values = base.to_dict()
        for name, widget in self.widgets.items():
            value = values[name]
            if isinstance(widget, QComboBox):
                widget.setCurrentIndex(max(0, widget.findData(value)))
            elif isinstance(widget, QPlainTextEdit):
                widget.setPlainText(value or "")
            elif isinstance(widget, QLineEdit):
                widget.setText("" if value is None else str(value))
                widget.setCursorPosition(0)
        self._loading = False
        self.show_file_state(item)
        self.validate()

    # -- reading and validating -----------------------------------------
    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, widget in self.widgets.items():
            if isinstance(widget, QComboBox):
                out[name] = widget.currentData()
            elif isinstance(widget, QPlainTextEdit):
                out[name] = widget.toPlainText().strip()
            elif isinstance(widget, QLineEdit):
                out[name] = widget.text().strip()
        return out

    def candidate(self, **changes: Any) -> tuple[ChecklistItem, list[Problem]]:
        """The item as the editor stands (plus ``changes``), and every problem with it."""
        base = self.original or ChecklistItem()
        values = self.values()
        problems: list[Problem] = []
        try:
            parsed = ChecklistItem.from_dict(values)
        except ValidationError as exc:
            problems.extend(exc.problems)
            parsed = ChecklistItem.from_dict(
                {k: v for k, v in values.items() if k not in exc.fields()}
            )
        item = base.replace(**{k: getattr(parsed, k) for k in values}, **changes)
        bad = {p.field for p in problems}
        problems.extend(p for p in item.problems() if p.field not in bad)
        return item, problems

    def is_dirty(self) -> bool:
        return self.original is not None and self.candidate()[0] != self.original

    def _changed(self, name: str) -> None:
        if self._loading:
            return
        self.validate()

    def validate(self) -> list[Problem]:
        """Show every problem beside its field; enable Save only for a valid change."""
        item, problems = self.candidate()
        if self.original is None:
            problems = []
        by_field: dict[str, list[str]] = {}
        for p in problems:
            field = "signed_off_by" if p.field == "signed_off_at" else p.field
            by_field.setdefault(field, []).append(p.reason)
        for name, label in self.errors.items():
            reasons = by_field.get(name, [])
            visible = bool(reasons)
            label.setText("; ".join(reasons) if visible else "")
            label.setVisible(visible)
            widget = self.widgets.get(name)
            if widget is not None:
                widget.setProperty("invalid", "true" if visible else "false")
                repolish(widget)
        na = item.status == ItemStatus.NOT_APPLICABLE.value
        self.widgets["not_applicable_reason"].setEnabled(self.original is not None and na)
        dirty = self.is_dirty()
        self.save_button.setEnabled(bool(self.original) and dirty and not problems)
        self.revert_button.setEnabled(dirty)
        self._show_sign_off(item)
        if self.original is None:
            self.summary.setText("")
        elif problems:
            names = ", ".join(dict.fromkeys(LABELS.get(p.field, p.field) for p in problems))
            self.summary.setText(f"To save, fix: {names}")
        else:
            self.summary.setText("Unsaved changes" if dirty else "No unsaved changes")
        return problems

    def _show_sign_off(self, item: ChecklistItem) -> None:
        enabled = self.original is not None
        if item.signed_off:
            self.sign_off_label.setText(
                f"Signed off by <b>{item.signed_off_by}</b> on {_stamp(item.signed_off_at)}"
            )
        else:
            self.sign_off_label.setText("Not signed off")
        self.sign_off_button.setVisible(not item.signed_off)
        self.withdraw_button.setVisible(item.signed_off)
        self.sign_off_button.setEnabled(enabled)
        self.withdraw_button.setEnabled(enabled)

    # -- actions ---------------------------------------------------------
    def _store(self, item: ChecklistItem, note: str = "") -> ChecklistItem | None:
        try:
            saved = self.service.save(item, note=note)
        except ValidationError as exc:
            QMessageBox.warning(self, "Cannot save item", str(exc))
            return None
        self.load(saved)
        self.saved.emit(saved)
        return saved

    def save(self) -> ChecklistItem | None:
        if self.original is None:
            return None
        problems = self.validate()
        if problems or not self.is_dirty():
            return None
        return self._store(self.candidate()[0])

    def sign_off(self) -> ChecklistItem | None:
        """Sign off as the current steward, saving any edits with it."""
        if self.original is None:
            return None
        try:
            who = self.service.signer()
        except ValidationError as exc:  # no name set: a sign-off must say who signed
            self.errors["signed_off_by"].setText(
                "Cannot sign off: " + "; ".join(p.reason for p in exc.problems)
            )
            self.errors["signed_off_by"].show()
            return None
        item, problems = self.candidate(signed_off_by=who, signed_off_at=utc_now())
        if problems:
            self.errors["signed_off_by"].setText(
                "Cannot sign off: " + "; ".join(p.reason for p in problems)
            )
            self.errors["signed_off_by"].show()
            return None
        return self._store(item, note="signed off")

    def withdraw_sign_off(self) -> ChecklistItem | None:
        if self.original is None or not self.original.signed_off:
            return None
        item, problems = self.candidate(signed_off_by="", signed_off_at="")
        if problems:
            self.validate()
            return None
        return self._store(item, note="sign-off withdrawn")

    def revert(self) -> None:
        self.load(self.original)


SHORTCUTS: dict[str, QKeySequence | QKeySequence.StandardKey] = {
    "save": QKeySequence.StandardKey.Save,
    "sign_off": QKeySequence("Ctrl+Shift+S"),
    "choose_file": QKeySequence("Ctrl+O"),
}
