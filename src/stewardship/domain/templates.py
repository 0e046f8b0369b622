"""Checklist templates: parsed from TOML text, checked, and turned into items.

A template is one checklist (e.g. weight retention) at one version. Parsing
is pure: the caller reads the file and passes its text and name, so every
error can say which file and which line is at fault.

Template format::

    checklist = "weight_retention"     # a Checklist value
    version = 1                         # bump when the items change
    title = "Weight retention"
    description = "..."

    [[items]]
    key = "artifact_identified"         # unique in the template; never reuse
    title = "Artifact identified (URI)"
    guidance = "..."
    required = true                     # must be done (or not applicable) before retirement
    evidence_required = true            # sign-off needs evidence
    due_from = "retirement"             # retirement | announcement (optional)
    due_days = -30                      # days after the anchor; negative = before
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from .records import Checklist, ChecklistItem, Model
from .toml_checker import TomlChecker, TomlFileError

#: Dates an item's due date can be counted from.
ANCHORS = ("retirement", "announcement")

_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
_TOP_KEYS = {"checklist", "version", "title", "description", "items"}
_ITEM_KEYS = {"key", "title", "guidance", "required", "evidence_required", "due_from", "due_days"}

#: Item ids are derived from (model, template key), so two laptops that
#: instantiate the same checklist create the same records, not duplicates.
_ITEM_NAMESPACE = uuid.UUID("6f3c1f0e-2b1a-4a47-9b0e-5d1c3e7a9c21")


class TemplateError(TomlFileError):
    """A checklist template cannot be used. Names the file and, where known, the line."""

    KIND = "checklist template"


@dataclass(frozen=True)
class TemplateItem:
    key: str
    title: str
    guidance: str = ""
    required: bool = True
    evidence_required: bool = False
    due_from: str = ""
    due_days: int = 0

    def due_date(self, model: Model) -> date | None:
        """The due date for ``model``, or None if the template or the model gives none."""
        anchor = anchor_date(model, self.due_from)
        return anchor + timedelta(days=self.due_days) if anchor else None


@dataclass(frozen=True)
class ChecklistTemplate:
    checklist: Checklist
    version: int
    title: str
    description: str
    items: tuple[TemplateItem, ...]
    source: str = ""

    def template_key(self, item: TemplateItem) -> str:
        return f"{self.checklist.value}.{item.key}"

    def item(self, template_key: str) -> TemplateItem | None:
        for item in self.items:
            if self.template_key(item) == template_key:
                return item
        return None


def anchor_date(model: Model, anchor: str) -> date | None:
    if anchor == "retirement":
        return model.planned_retirement
    if anchor == "announcement":
        return model.deprecation_announced_on
    return None


def item_id(model_id: str, template_key: str) -> str:
    return str(uuid.uuid5(_ITEM_NAMESPACE, f"{model_id}/{template_key}"))


def instantiate(
    template: ChecklistTemplate, model: Model, existing: set[str]
) -> list[ChecklistItem]:
    """The items of ``template`` that ``model`` lacks (``existing`` holds its template keys)."""
    out = []
    for position, item in enumerate(template.items):
        key = template.template_key(item)
        if key in existing:
            continue
        out.append(
            ChecklistItem(
                id=item_id(model.id, key),
                model_id=model.id,
                checklist=template.checklist.value,
                template_key=key,
                template_version=template.version,
                position=position,
                title=item.title,
                guidance=item.guidance,
                required=item.required,
                evidence_required=item.evidence_required,
                due_date=item.due_date(model),
            )
        )
    return out


# -- parsing ---------------------------------------------------------------
def parse_template(text: str, source: str) -> ChecklistTemplate:
    """Read one template from TOML ``text``; ``source`` names the file in errors."""
    checker = _Checker(text, source)
    return checker.template(checker.load())


class _Checker(TomlChecker):
    ERROR = TemplateError

    def __init__(self, text: str, source: str) -> None:
        super().__init__(text, source, {"item": "items"})

    def template(self, data: dict[str, Any]) -> ChecklistTemplate:
        self.known_keys(data, _TOP_KEYS)
        raw = data.get("checklist")
        try:
            checklist = Checklist(str(raw))
        except ValueError:
            allowed = ", ".join(c.value for c in Checklist)
            raise self.fail(f"checklist '{raw}' is not one of {allowed}", "checklist") from None
        version = self.version(data)
        title = self.text(data, "title", required=True)
        description = self.text(data, "description")
        items = data.get("items")
        if not isinstance(items, list) or not items:
            raise self.fail("a template needs at least one [[items]] table", "items")
        parsed: list[TemplateItem] = []
        seen: set[str] = set()
        for index, raw_item in enumerate(items):
            if not isinstance(raw_item, dict):
                raise self.fail("items must be tables ([[items]])", "items")
            item = self._item(raw_item, index)
            if item.key in seen:
                raise self.fail(f"key '{item.key}' is used by two items", "key", item=index)
            seen.add(item.key)
            parsed.append(item)
        return ChecklistTemplate(checklist, version, title, description, tuple(parsed), self.source)

    def _item(self, data: dict[str, Any], index: int) -> TemplateItem:
        self.known_keys(data, _ITEM_KEYS, "item", item=index)
        key = self.text(data, "key", required=True, item=index)
        if not _KEY.match(key):
            raise self.fail(
                f"key '{key}' must be lower-case letters, digits and '_'", "key", item=index
            )
        due_from = self.text(data, "due_from", item=index)
        if due_from and due_from not in ANCHORS:
            raise self.fail(
                f"due_from '{due_from}' is not one of {', '.join(ANCHORS)}", "due_from", item=index
            )
        due_days = data.get("due_days", 0)
        if isinstance(due_days, bool) or not isinstance(due_days, int):
            raise self.fail(
                f"due_days must be a whole number of days, got {due_days!r}", "due_days", item=index
            )
        if "due_days" in data and not due_from:
            raise self.fail(
                "due_days needs due_from (retirement or announcement)", "due_days", item=index
            )
        return TemplateItem(
            key=key,
            title=self.text(data, "title", required=True, item=index),
            guidance=self.text(data, "guidance", item=index),
            required=self.flag(data, "required", True, item=index),
            evidence_required=self.flag(data, "evidence_required", False, item=index),
            due_from=due_from,
            due_days=due_days,
        )
