"""The form that adds or edits a model, with inline validation."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
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

from ..domain.checklists import RetirementGateError
from ..domain.errors import Problem, ValidationError
from ..domain.lifecycle import LifecycleState, allowed_next
from ..domain.records import ChecklistItem, Model
from ..services.models import ModelService
from .override_dialog import RetirementOverrideDialog
from .widgets import error_label, repolish

DATE_HINT = "YYYY-MM-DD"

#: (field, label, kind, hint)
FIELDS: list[tuple[str, str, str, str]] = [
    ("display_name", "Display name", "text", "As users know it, e.g. Halcyon 2"),
    ("slug", "Slug", "text", "Unique id: lower-case letters, digits, '.', '-', '_'"),
    ("provider", "Provider", "text", "Who serves it; notice policy is per provider"),
    ("family", "Family", "text", ""),
    ("internal_only", "Internal only", "bool", ""),
    ("state", "Lifecycle state", "state", ""),
    ("released_on", "Released on", "date", DATE_HINT),
    ("deprecation_announced_on", "Deprecation announced", "date", DATE_HINT),
    ("retirement_not_before", "Retires not before", "date", "Tentative date, " + DATE_HINT),
    ("retirement_on", "Retires on", "date", "Confirmed date, " + DATE_HINT),
    ("retired_on", "Retired on", "date", "Actual date, " + DATE_HINT),
    ("replacement", "Replacement", "text", "Slug of the recommended replacement"),
    ("replacement_recommended_on", "Replacement recommended", "date", DATE_HINT),
    ("notes", "Notes", "multiline", ""),
]
LABELS = {name: text for name, text, _, _ in FIELDS}


class ModelForm(QWidget):
    """Edits one model. Save stays disabled while anything is invalid or nothing changed."""

    saved = Signal(object)  # Model

    def __init__(self, service: ModelService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.original: Model | None = None
        self.override_dialog: RetirementOverrideDialog | None = None
        self._base = Model()
        self._touched: set[str] = set()
        self._loading = False
        self.widgets: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}

        self.heading = QLabel()
        self.heading.setObjectName("pageTitle")
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.setVerticalSpacing(6)
        for name, text, kind, hint in FIELDS:
            widget = self._make_widget(name, kind, hint)
            self.widgets[name] = widget
            error = self.errors[name] = error_label()
            box = QVBoxLayout()
            box.setSpacing(2)
            box.addWidget(widget)
            box.addWidget(error)
            label = QLabel(text + ":")
            label.setBuddy(widget)
            form.addRow(label, box)

        self.summary = QLabel()
        self.summary.setProperty("role", "hint")
        self.summary.setWordWrap(True)
        self.save_button = QPushButton("Save")
        self.save_button.setProperty("primary", "true")
        self.save_button.setToolTip("Save this model (Ctrl+S)")
        self.save_button.clicked.connect(self.save)
        self.revert_button = QPushButton("Revert")
        self.revert_button.setToolTip("Discard unsaved changes (Ctrl+Z outside a field)")
        self.revert_button.clicked.connect(self.revert)
        buttons = QHBoxLayout()
        buttons.addWidget(self.summary, 1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(self.heading)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addLayout(buttons)

        QShortcut(QKeySequence.StandardKey.Save, self, self.save)
        self.load(None)

    # -- building --------------------------------------------------------
    def _make_widget(self, name: str, kind: str, hint: str) -> QWidget:
        widget: QWidget
        if kind == "bool":
            widget = QCheckBox("Only used inside the organisation")
            widget.toggled.connect(lambda _=None, n=name: self._changed(n))
        elif kind == "state":
            widget = QComboBox()
            widget.currentIndexChanged.connect(lambda _=None, n=name: self._changed(n))
        elif kind == "multiline":
            widget = QPlainTextEdit()
            widget.setFixedHeight(70)
            widget.setTabChangesFocus(True)
            widget.textChanged.connect(lambda n=name: self._changed(n))
        else:
            widget = QLineEdit()
            widget.setPlaceholderText(hint)
            if kind == "date":
                widget.setMaxLength(10)
            widget.textEdited.connect(lambda _=None, n=name: self._changed(n))
        widget.setAccessibleName(LABELS[name])
        widget.setObjectName(f"field_{name}")
        return widget

    # -- loading ---------------------------------------------------------
    def load(self, model: Model | None) -> None:
        """Show ``model`` for editing, or an empty form for a new model."""
        self._loading = True
        self.original = model
        self._base = model or Model(state=LifecycleState.ACTIVE.value)
        self._touched = set()
        self.heading.setText(f"Edit {model.display_name}" if model else "New model")
        values = self._base.to_dict()
        for name, widget in self.widgets.items():
            value = values[name]
            if isinstance(widget, QCheckBox):
                widget.setChecked(bool(value))
            elif isinstance(widget, QComboBox):
                widget.clear()
                current = LifecycleState(self._base.state)
                states = allowed_next(current) if model else list(LifecycleState)
                for state in states:
                    widget.addItem(state.label, state.value)
                widget.setCurrentIndex(widget.findData(current.value))
            elif isinstance(widget, QPlainTextEdit):
                widget.setPlainText(value or "")
            elif isinstance(widget, QLineEdit):
                widget.setText("" if value is None else str(value))
        replacement = self.widgets["replacement"]
        assert isinstance(replacement, QLineEdit)
        slugs = self.service.slugs(except_id=model.id if model else None)
        replacement.setCompleter(QCompleter(slugs, replacement))
        self._loading = False
        self.validate()

    # -- reading and validating -----------------------------------------
    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, widget in self.widgets.items():
            if isinstance(widget, QCheckBox):
                out[name] = widget.isChecked()
            elif isinstance(widget, QComboBox):
                out[name] = widget.currentData()
            elif isinstance(widget, QPlainTextEdit):
                out[name] = widget.toPlainText()
            elif isinstance(widget, QLineEdit):
                out[name] = widget.text().strip()
        return out

    def candidate(self) -> tuple[Model, list[Problem]]:
        """The model as the form stands, and every problem with it."""
        values = self.values()
        problems: list[Problem] = []
        try:
            parsed = Model.from_dict(values)
        except ValidationError as exc:
            problems.extend(exc.problems)
            bad = exc.fields()
            parsed = Model.from_dict({k: v for k, v in values.items() if k not in bad})
        changes = {k: getattr(parsed, k) for k in values}
        model = self._base.replace(**changes)
        bad_fields = {p.field for p in problems}
        problems.extend(p for p in self.service.problems(model) if p.field not in bad_fields)
        return model, problems

    def is_dirty(self) -> bool:
        model, _ = self.candidate()
        return self.original is None or model != self.original

    def _changed(self, name: str) -> None:
        if self._loading:
            return
        self._touched.add(name)
        self.validate()

    def validate(self, *, show_all: bool = False) -> list[Problem]:
        model, problems = self.candidate()
        by_field: dict[str, list[str]] = {}
        for p in problems:
            by_field.setdefault(p.field, []).append(p.reason)
        for name, label in self.errors.items():
            reasons = by_field.get(name, [])
            visible = bool(reasons) and (show_all or name in self._touched or self.original is not None)
            label.setText("; ".join(reasons) if visible else "")
            label.setVisible(visible)
            widget = self.widgets[name]
            widget.setProperty("invalid", "true" if visible else "false")
            repolish(widget)
        dirty = self.original is None or model != self.original
        self.save_button.setEnabled(not problems and dirty)
        self.revert_button.setEnabled(dirty and self.original is not None)
        if problems:
            names = ", ".join(dict.fromkeys(LABELS.get(p.field, p.field) for p in problems))
            self.summary.setText(f"To save, fix: {names}")
        elif not dirty:
            self.summary.setText("No unsaved changes")
        else:
            self.summary.setText("Unsaved changes")
        return problems

    # -- actions ---------------------------------------------------------
    def save(self) -> Model | None:
        problems = self.validate(show_all=True)
        if problems or not self.save_button.isEnabled():
            return None
        model, _ = self.candidate()
        try:
            try:
                saved = self.service.save(model)
            except RetirementGateError as gate:
                reason = self.ask_override(model, gate.open_items)
                if not reason:
                    self.summary.setText("Not saved: required checklist items are still open")
                    return None
                saved = self.service.save(model, override_reason=reason)
        except ValidationError as exc:  # raced with another change; show it
            QMessageBox.warning(self, "Cannot save model", str(exc))
            return None
        self.load(saved)
        self.saved.emit(saved)
        return saved

    def ask_override(self, model: Model, open_items: list[ChecklistItem]) -> str:
        """Ask why ``model`` must retire with ``open_items`` open; "" when the steward cancels."""
        dialog = RetirementOverrideDialog(model.display_name, open_items, self)
        self.override_dialog = dialog
        try:
            return dialog.reason_text() if dialog.exec() == dialog.DialogCode.Accepted else ""
        finally:
            self.override_dialog = None
            dialog.deleteLater()

    def revert(self) -> None:
        self.load(self.original)
