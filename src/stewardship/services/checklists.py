"""Use cases around checklists: templates, instantiation, editing, sign-off, history."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

from ..domain.checklists import Progress, by_checklist, progress
from ..domain.dates import utc_now
from ..domain.errors import Problem, ValidationError
from ..domain.records import Checklist, ChecklistItem, Model
from ..domain.templates import ChecklistTemplate, TemplateError, parse_template
from ..store import Store, queries_checklists
from . import identity

TEMPLATE_DIR = "checklists"


def load_templates(root: Traversable | None = None) -> dict[Checklist, ChecklistTemplate]:
    """Every ``*.toml`` template in ``root`` (default: the packaged templates), one per checklist.

    A malformed file raises :class:`TemplateError` naming the file and line.
    """
    folder = root if root is not None else resources.files("stewardship.resources") / TEMPLATE_DIR
    found: dict[Checklist, ChecklistTemplate] = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".toml"):
            continue
        try:
            text = entry.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise TemplateError(entry.name, None, f"cannot be read: {exc}") from exc
        template = parse_template(text, entry.name)
        if template.checklist in found:
            raise TemplateError(
                entry.name,
                None,
                f"checklist '{template.checklist.value}' is"
                f" already defined by {found[template.checklist].source}",
            )
        found[template.checklist] = template
    missing = [c.value for c in Checklist if c not in found]
    if missing:
        raise TemplateError(str(folder), None, f"no template for {', '.join(missing)}")
    return {c: found[c] for c in Checklist}


@functools.cache
def packaged_templates() -> dict[Checklist, ChecklistTemplate]:
    return load_templates()


@dataclass(frozen=True)
class ChecklistGroup:
    checklist: Checklist
    title: str
    items: list[ChecklistItem]
    progress: Progress


class ChecklistService:
    def __init__(
        self, store: Store, who: str, templates: dict[Checklist, ChecklistTemplate] | None = None
    ) -> None:
        self.store = store
        self.who = who
        self.templates = templates if templates is not None else packaged_templates()

    # -- instantiation ---------------------------------------------------
    def ensure(self, model: Model, *, queue: bool = True) -> list[ChecklistItem]:
        """Create the items ``model`` lacks from the templates; returns the new ones.

        Safe to call any number of times: an item whose template key the
        model already has (even deleted) is never created again.
        """
        from ..domain.templates import instantiate

        created: list[ChecklistItem] = []
        with self.store.transaction():
            existing = queries_checklists.template_keys(self.store, model.id)
            for template in self.templates.values():
                for item in instantiate(template, model, existing):
                    created.append(
                        self.store.save(
                            item,
                            self.who,
                            queue=queue,
                            note=f"from template {template.source} v{template.version}",
                        )
                    )
        return created

    def preview(self, model: Model) -> list[ChecklistItem]:
        """The items :meth:`ensure` would create for a model that has none, not stored."""
        from ..domain.templates import instantiate

        return [
            item
            for template in self.templates.values()
            for item in instantiate(template, model, set())
        ]

    def reschedule(self, before: Model, after: Model) -> int:
        """Move due dates that followed ``before``'s dates to ``after``'s; returns how many.

        Only open items whose due date is still the one the template gave
        (or none) move: a date a steward set by hand stays.
        """
        moved = 0
        with self.store.transaction():
            for item in self.items(after.id):
                template = self.templates.get(Checklist(item.checklist))
                rule = template.item(item.template_key) if template else None
                if rule is None or not rule.due_from or item.complete:
                    continue
                old_due, new_due = rule.due_date(before), rule.due_date(after)
                if item.due_date in (old_due, None) and item.due_date != new_due:
                    self.store.save(
                        item.replace(due_date=new_due), self.who, note="model's dates changed"
                    )
                    moved += 1
        return moved

    # -- reading ---------------------------------------------------------
    def items(self, model_id: str) -> list[ChecklistItem]:
        return self.store.list(
            ChecklistItem, "model_id = ?", (model_id,), order_by="checklist, position"
        )

    def groups(self, model: Model, today: date) -> list[ChecklistGroup]:
        """The model's checklists (created first if missing), in order, with progress.

        On a read-only store the missing checklists are shown as they would be
        created, and nothing is written."""
        items = self.items(model.id)
        if not items and self.store.read_only:
            items = self.preview(model)
        elif not items:
            self.ensure(model)
            items = self.items(model.id)
        grouped = by_checklist(items)
        return [
            ChecklistGroup(c, self._title(c), items, progress(items, today))
            for c, items in grouped.items()
        ]

    def _title(self, checklist: Checklist) -> str:
        template = self.templates.get(checklist)
        return template.title if template else checklist.value

    def history(self, item_id: str) -> list[dict[str, Any]]:
        """The item's audit trail, newest first."""
        return list(reversed(self.store.history(item_id)))

    def owners(self) -> list[str]:
        return queries_checklists.owners(self.store)

    # -- writing ---------------------------------------------------------
    def save(self, item: ChecklistItem, *, note: str = "") -> ChecklistItem:
        stored = self.store.get(ChecklistItem, item.id)
        if stored is None:
            raise ValidationError(Problem("id", "this checklist item no longer exists"))
        item = item.replace(evidence_sha256=item.evidence_sha256.strip().lower())
        return self.store.save(item, self.who, note=note)

    def signer(self) -> str:
        """The steward's own name, which a sign-off records; ValidationError if none is set."""
        return identity.signer(self.store)

    def sign_off(self, item: ChecklistItem) -> ChecklistItem:
        """Sign ``item`` off as the current steward, now (done and evidence required)."""
        return self.save(
            item.replace(signed_off_by=self.signer(), signed_off_at=utc_now()), note="signed off"
        )

    def withdraw_sign_off(self, item: ChecklistItem, reason: str = "") -> ChecklistItem:
        return self.save(
            item.replace(signed_off_by="", signed_off_at=""), note=reason or "sign-off withdrawn"
        )
