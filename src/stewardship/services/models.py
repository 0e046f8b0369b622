"""Use cases around models: list, find, save with lifecycle rules."""

from __future__ import annotations

from ..domain.errors import Problem, ValidationError
from ..domain.lifecycle import check_transition
from ..domain.records import Model
from ..store import Store


class ModelService:
    def __init__(self, store: Store, who: str) -> None:
        self.store = store
        self.who = who

    def all(self) -> list[Model]:
        return self.store.list(Model, order_by="display_name COLLATE NOCASE")

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

    def save(self, model: Model, *, note: str = "") -> Model:
        found = self.problems(model)
        if found:
            raise ValidationError(found)
        return self.store.save(model, self.who, note=note)
