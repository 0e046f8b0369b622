"""The form that adds or edits a model: a :class:`RecordForm` with the lifecycle rules.

The state offers only the moves the lifecycle allows from the stored state,
the replacement completes from the other models' slugs, and a retirement with
required checklist items still open asks for an audited override reason.
"""

from __future__ import annotations

from PySide6.QtWidgets import QCompleter, QLineEdit, QWidget

from ..domain.checklists import RetirementGateError
from ..domain.errors import Problem
from ..domain.lifecycle import LifecycleState, allowed_next
from ..domain.records import ChecklistItem, Model, Record
from ..services.models import ModelService
from .override_dialog import RetirementOverrideDialog
from .record_form import DATE_HINT, FieldSpec, RecordForm

FIELDS = [
    FieldSpec("display_name", "Display name", "text", "As users know it, e.g. Halcyon 2"),
    FieldSpec("slug", "Slug", "text", "Unique id: lower-case letters, digits, '.', '-', '_'"),
    FieldSpec("provider", "Provider", "text", "Who serves it; notice policy is per provider"),
    FieldSpec("family", "Family", "text"),
    FieldSpec("internal_only", "Internal only", "bool", "Only used inside the organisation"),
    FieldSpec("state", "Lifecycle state", "choice"),
    FieldSpec("released_on", "Released on", "date"),
    FieldSpec("deprecation_announced_on", "Deprecation announced", "date"),
    FieldSpec(
        "retirement_not_before", "Retires not before", "date", "Tentative date, " + DATE_HINT
    ),
    FieldSpec("retirement_on", "Retires on", "date", "Confirmed date, " + DATE_HINT),
    FieldSpec("retired_on", "Retired on", "date", "Actual date, " + DATE_HINT),
    FieldSpec("replacement", "Replacement", "text", "Slug of the recommended replacement"),
    FieldSpec("replacement_recommended_on", "Replacement recommended", "date"),
    FieldSpec("notes", "Notes", "multiline", height=70),
]


class ModelForm(RecordForm):
    """Edits one model. Save stays disabled while anything is invalid or nothing changed."""

    noun = "model"

    def __init__(self, service: ModelService, parent: QWidget | None = None) -> None:
        super().__init__(Model, FIELDS, parent)
        self.service = service
        self.override_dialog: RetirementOverrideDialog | None = None
        self.load(None)

    # -- hooks -----------------------------------------------------------
    def blank(self) -> Record:
        return Model(state=LifecycleState.ACTIVE.value)

    def title_for(self, record: Record | None) -> str:
        return f"Edit {record.display_name}" if isinstance(record, Model) else "New model"

    def fill_choices(self, record: Record) -> None:
        assert isinstance(record, Model)
        current = LifecycleState(record.state)
        states = allowed_next(current) if self.original is not None else list(LifecycleState)
        self.set_choices("state", [(state.label, state.value) for state in states])
        replacement = self.widgets["replacement"]
        assert isinstance(replacement, QLineEdit)
        slugs = self.service.slugs(except_id=self.original.id if self.original else None)
        replacement.setCompleter(QCompleter(slugs, replacement))

    def check(self, record: Record) -> list[Problem]:
        assert isinstance(record, Model)
        return self.service.problems(record)

    def persist(self, record: Record) -> Record | None:
        assert isinstance(record, Model)
        try:
            return self.service.save(record)
        except RetirementGateError as gate:
            reason = self.ask_override(record, gate.open_items)
            if not reason:
                self.summary.setText("Not saved: required checklist items are still open")
                return None
            return self.service.save(record, override_reason=reason)

    def ask_override(self, model: Model, open_items: list[ChecklistItem]) -> str:
        """Ask why ``model`` must retire with ``open_items`` open; "" when the steward cancels."""
        dialog = RetirementOverrideDialog(model.display_name, open_items, self)
        self.override_dialog = dialog
        try:
            return dialog.reason_text() if dialog.exec() == dialog.DialogCode.Accepted else ""
        finally:
            self.override_dialog = None
            dialog.deleteLater()
