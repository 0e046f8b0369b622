"""Use cases around models: list, find, save with lifecycle rules."""

from __future__ import annotations

from ..domain.checklists import RetirementGateError, describe, is_retirement, open_required
from ..domain.errors import Problem, ValidationError
from ..domain.lifecycle import check_transition
from ..domain.records import Model
from ..store import Store
from ..store.queries_models import live_slugs
from .checklists import ChecklistService
from .model_summary import ModelSummary, model_summaries

#: The audit field under which a retirement past open checklist items is recorded.
GATE_OVERRIDE_FIELD = "retirement_gate_override"
_DUE_ANCHORS = ("retirement_on", "retirement_not_before", "deprecation_announced_on")


class ModelService:
    def __init__(self, store: Store, who: str) -> None:
        self.store = store
        self.who = who

    def summaries(self) -> list[ModelSummary]:
        """Every live model, light enough for a list of thousands (open one with :meth:`get`)."""
        return model_summaries(self.store)

    def slugs(self, except_id: str | None = None) -> list[str]:
        """The slugs of live models (but ``except_id``'s), sorted: for completion."""
        return live_slugs(self.store, except_id)

    def get(self, model_id: str) -> Model | None:
        return self.store.get(Model, model_id)

    def by_slug(self, slug: str) -> Model | None:
        """The live model with this slug (deleted models free their slug)."""
        found = self.store.list(Model, "slug = ?", (slug,), order_by="modified_at")
        return found[0] if found else None

    def problems(self, model: Model) -> list[Problem]:
        """Everything that would stop ``model`` from being saved, field by field."""
        found = model.problems()
        stored = self.get(model.id)
        if stored is not None:
            try:
                check_transition(stored.state, model.state)
            except ValidationError as exc:
                found.extend(exc.problems)
        other = self.by_slug(model.slug.strip()) if model.slug.strip() else None
        if other is not None and other.id != model.id:
            found.append(Problem("slug", f"'{model.slug}' is already used by {other.display_name}"))
        return found

    def save(self, model: Model, *, note: str = "", override_reason: str = "") -> Model:
        """Save ``model``; a new model gets its checklists.

        Moving a model into retirement while required checklist items are
        open raises :class:`RetirementGateError` listing them, unless
        ``override_reason`` says why it retires anyway; the override is kept
        in the audit log with the open items.
        """
        found = self.problems(model)
        if found:
            raise ValidationError(found)
        checklists = ChecklistService(self.store, self.who)
        reason = override_reason.strip()
        with self.store.transaction():
            stored = self.get(model.id)
            open_items = []
            if stored is not None and is_retirement(stored.state, model.state):
                checklists.ensure(stored)
                open_items = open_required(checklists.items(model.id))
                if open_items and not reason:
                    raise RetirementGateError(open_items)
            saved = self.store.save(model, self.who, note=note)
            if stored is None:
                checklists.ensure(saved)
            elif any(getattr(stored, f) != getattr(saved, f) for f in _DUE_ANCHORS):
                checklists.reschedule(stored, saved)
            if open_items:
                self.store.audit(
                    saved,
                    GATE_OVERRIDE_FIELD,
                    "\n".join(describe(i) for i in open_items),
                    reason,
                    self.who,
                    note=f"moved to {saved.state} with {len(open_items)} required"
                    " checklist items open",
                )
        return saved
