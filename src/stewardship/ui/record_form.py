"""A form over one record, with inline validation like the model form.

Subclasses list their fields and say how to judge and store a record; the
form shows each problem under its field (once touched, or always for a
stored record), keeps Save disabled while anything is invalid or nothing
changed, and sums up what to fix next to the buttons.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
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

from ..domain.errors import Problem, ValidationError
from ..domain.records import Record
from .widgets import error_label, repolish

DATE_HINT = "YYYY-MM-DD"


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    kind: str  # "text", "date", "multiline", "choice" or "bool" (a check box; hint is its text)
    hint: str = ""
    height: int = 64


class RecordForm(QWidget):
    """Edits one record of ``record_cls``; emits ``saved(record)``."""

    saved = Signal(object)
    noun = "record"

    def __init__(
        self, record_cls: type[Record], specs: list[FieldSpec], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.record_cls = record_cls
        self.specs = specs
        self.labels = {s.name: s.label for s in specs}
        self.original: Record | None = None
        self._base: Record = record_cls()
        self._touched: set[str] = set()
        self._loading = False
        self.widgets: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        self.hints: dict[str, QLabel] = {}

        self.heading = QLabel()
        self.heading.setObjectName("pageTitle")
        self.form_layout = QFormLayout()
        self.form_layout.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.form_layout.setVerticalSpacing(6)
        for spec in specs:
            widget = self._make_widget(spec)
            self.widgets[spec.name] = widget
            error = self.errors[spec.name] = error_label()
            hint = QLabel()
            hint.setProperty("role", "hint")
            hint.setWordWrap(True)
            hint.hide()
            self.hints[spec.name] = hint
            box = QVBoxLayout()
            box.setSpacing(2)
            box.addWidget(widget)
            box.addWidget(hint)
            box.addWidget(error)
            label = QLabel(spec.label + ":")
            label.setBuddy(widget)
            self.form_layout.addRow(label, box)

        self.summary = QLabel()
        self.summary.setProperty("role", "hint")
        self.summary.setWordWrap(True)
        self.save_button = QPushButton("Save")
        self.save_button.setProperty("primary", "true")
        self.save_button.setToolTip(f"Save this {self.noun} (Ctrl+S)")
        self.save_button.clicked.connect(self.save)
        self.revert_button = QPushButton("Revert")
        self.revert_button.setToolTip("Discard unsaved changes")
        self.revert_button.clicked.connect(self.revert)
        self.buttons = QHBoxLayout()
        self.buttons.addWidget(self.summary, 1)
        self.buttons.addWidget(self.revert_button)
        self.buttons.addWidget(self.save_button)

        self.main_layout = QVBoxLayout(self)
        self.main_layout.setContentsMargins(16, 12, 16, 12)
        self.main_layout.addWidget(self.heading)
        self.main_layout.addLayout(self.form_layout)
        self.main_layout.addStretch(1)
        self.main_layout.addLayout(self.buttons)
        # A window shortcut: only the visible form (current page and tab) takes it.
        QShortcut(QKeySequence.StandardKey.Save, self, self.save)

    # -- hooks for subclasses -----------------------------------------------
    def blank(self) -> Record:
        return self.record_cls()

    def title_for(self, record: Record | None) -> str:
        return f"Edit {self.noun}" if record else f"New {self.noun}"

    def fill_choices(self, record: Record) -> None:
        """Fill the combo boxes for ``record`` before its values are shown."""

    def check(self, record: Record) -> list[Problem]:
        return record.problems()

    def persist(self, record: Record) -> Record | None:
        """Store ``record``; None when the steward called the save off (the form says why)."""
        raise NotImplementedError

    def after_change(self, name: str) -> None:
        """React to a field's change (e.g. enable another field)."""

    # -- building --------------------------------------------------------
    def _make_widget(self, spec: FieldSpec) -> QWidget:
        widget: QWidget
        if spec.kind == "bool":
            widget = QCheckBox(spec.hint)
            widget.toggled.connect(lambda _=None, n=spec.name: self._changed(n))
        elif spec.kind == "choice":
            widget = QComboBox()
            # long choices (an interview's interviewers) must not widen the form
            widget.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            widget.setMinimumContentsLength(14)
            widget.currentIndexChanged.connect(lambda _=None, n=spec.name: self._changed(n))
        elif spec.kind == "multiline":
            widget = QPlainTextEdit()
            widget.setFixedHeight(spec.height)
            widget.setTabChangesFocus(True)
            widget.setPlaceholderText(spec.hint)
            widget.textChanged.connect(lambda n=spec.name: self._changed(n))
        else:
            widget = QLineEdit()
            widget.setPlaceholderText(spec.hint or (DATE_HINT if spec.kind == "date" else ""))
            if spec.kind == "date":
                widget.setMaxLength(10)
            widget.textEdited.connect(lambda _=None, n=spec.name: self._changed(n))
        widget.setAccessibleName(spec.label)
        widget.setObjectName(f"field_{spec.name}")
        return widget

    def set_choices(self, name: str, choices: list[tuple[str, str]]) -> None:
        combo = self.widgets[name]
        assert isinstance(combo, QComboBox)
        was = self._loading
        self._loading = True
        current = combo.currentData()
        combo.clear()
        for text, value in choices:
            combo.addItem(text, value)
        index = combo.findData(current)
        combo.setCurrentIndex(max(index, 0))
        self._loading = was

    def set_value(self, name: str, value: Any) -> None:
        widget = self.widgets[name]
        text = "" if value is None else str(value)
        if isinstance(widget, QCheckBox):
            widget.setChecked(bool(value))
        elif isinstance(widget, QComboBox):
            index = widget.findData(text)
            widget.setCurrentIndex(index if index >= 0 else 0)
        elif isinstance(widget, QPlainTextEdit):
            if widget.toPlainText() != text:
                widget.setPlainText(text)
        elif isinstance(widget, QLineEdit):
            widget.setText(text)

    # -- loading ---------------------------------------------------------
    def load(self, record: Record | None) -> None:
        """Show ``record`` for editing, or a blank one for a new record."""
        self._loading = True
        self.original = record
        self._base = record if record is not None else self.blank()
        self._touched = set()
        self.heading.setText(self.title_for(record))
        self.fill_choices(self._base)
        values = self._base.to_dict()
        for name in self.widgets:
            self.set_value(name, values[name])
        self._loading = False
        for name in self.widgets:
            self.after_change(name)
        self.validate()

    # -- reading and validating -----------------------------------------
    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, widget in self.widgets.items():
            if isinstance(widget, QCheckBox):
                out[name] = widget.isChecked()
            elif isinstance(widget, QComboBox):
                out[name] = widget.currentData() or ""
            elif isinstance(widget, QPlainTextEdit):
                out[name] = widget.toPlainText()
            elif isinstance(widget, QLineEdit):
                out[name] = widget.text().strip()
        return out

    def candidate(self) -> tuple[Record, list[Problem]]:
        values = self.values()
        problems: list[Problem] = []
        try:
            parsed = self.record_cls.from_dict(values)
        except ValidationError as exc:
            problems.extend(exc.problems)
            bad = exc.fields()
            parsed = self.record_cls.from_dict({k: v for k, v in values.items() if k not in bad})
            values = {k: v for k, v in values.items() if k not in bad}
        record = self._base.replace(**{k: getattr(parsed, k) for k in values})
        bad_fields = {p.field for p in problems}
        problems.extend(p for p in self.check(record) if p.field not in bad_fields)
        return record, problems

    def is_dirty(self) -> bool:
        record, _ = self.candidate()
        return self.original is None or record != self.original

    def _changed(self, name: str) -> None:
        if self._loading:
            return
        self._touched.add(name)
        self.after_change(name)
        self.validate()

    def validate(self, *, show_all: bool = False) -> list[Problem]:
        record, problems = self.candidate()
        by_field: dict[str, list[str]] = {}
        for p in problems:
            by_field.setdefault(p.field, []).append(p.reason)
        for name, label in self.errors.items():
            reasons = by_field.get(name, [])
            visible = bool(reasons) and (
                show_all or name in self._touched or self.original is not None
            )
            label.setText("; ".join(reasons) if visible else "")
            label.setVisible(visible)
            widget = self.widgets[name]
            widget.setProperty("invalid", "true" if visible else "false")
            repolish(widget)
        dirty = self.original is None or record != self.original
        self.save_button.setEnabled(not problems and dirty)
        self.revert_button.setEnabled(dirty and self.original is not None)
        if problems:
            names = ", ".join(dict.fromkeys(self.labels.get(p.field, p.field) for p in problems))
            self.summary.setText(f"To save, fix: {names}")
        elif not dirty:
            self.summary.setText("No unsaved changes")
        else:
            self.summary.setText("Unsaved changes")
        return problems

    # -- actions ---------------------------------------------------------
    def save(self) -> Record | None:
        problems = self.validate(show_all=True)
        if problems or not self.save_button.isEnabled():
            return None
        record, _ = self.candidate()
        try:
            saved = self.persist(record)
        except ValidationError as exc:  # raced with another change; show it
            QMessageBox.warning(self, f"Cannot save {self.noun}", str(exc))
            return None
        if saved is None:
            return None
        self.load(saved)
        self.saved.emit(saved)
        return saved

    def revert(self) -> None:
        self.load(self.original)
