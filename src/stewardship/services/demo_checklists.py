"""Checklist items of the demo organisation, with realistic progress.

Built in memory from the real templates, then written once per item, so
loading the demo stays quick.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
from datetime import UTC, date, datetime, time, timedelta
from importlib import resources
from typing import Any

from ..domain.records import ChecklistItem, ItemStatus, Model
from ..domain.templates import instantiate
from .checklists import packaged_templates


def demo_checklist_document() -> dict[str, Any]:
    text = (
        resources.files("stewardship.resources")
        .joinpath("demo/checklists.json")
        .read_text(encoding="utf-8")
    )
    return json.loads(text)


def _matches(key: str, patterns: list[str] | dict[str, str]) -> str | None:
    for pattern in patterns:
        if fnmatch.fnmatchcase(key, pattern):
            return pattern
    return None


def _stamp(day: date) -> str:
    return datetime.combine(day, time(15, 30), UTC).isoformat().replace("+00:00", "Z")


def demo_items(models: list[Model], today: date) -> list[ChecklistItem]:
    """Every demo model's checklist items, with the progress the demo document gives."""
    doc = demo_checklist_document()
    owners: dict[str, str] = doc["owners"]
    evidence: dict[str, dict[str, Any]] = doc["evidence"]
    plans: dict[str, dict[str, Any]] = doc["models"]
    out: list[ChecklistItem] = []
    for model in models:
        plan = plans.get(model.slug, {})
        for template in packaged_templates().values():
            for item in instantiate(template, model, set()):
                out.append(_apply(item, model, plan, owners, evidence, today))
    return out


def _apply(
    item: ChecklistItem,
    model: Model,
    plan: dict[str, Any],
    owners: dict[str, str],
    evidence: dict[str, dict[str, Any]],
    today: date,
) -> ChecklistItem:
    key = item.template_key
    if not plan:
        return item
    owner = owners.get(item.checklist, "")
    reason = _matches(key, plan.get("not_applicable", {}))
    if reason:
        return item.replace(
            status=ItemStatus.NOT_APPLICABLE.value,
            owner=owner,
            not_applicable_reason=plan["not_applicable"][reason],
        )
    blocked = _matches(key, plan.get("blocked", {}))
    if blocked:
        return item.replace(
            status=ItemStatus.BLOCKED.value, owner=owner, notes=plan["blocked"][blocked]
        )
    if _matches(key, plan.get("in_progress", [])):
        return item.replace(status=ItemStatus.IN_PROGRESS.value, owner=owner)
    if not _matches(key, plan.get("done", [])):
        return item
    proof = evidence.get(key, {})
    fill = {"slug": model.slug, "name": model.display_name}
    done_on = min(item.due_date or today, today) - timedelta(days=2)
    return item.replace(
        status=ItemStatus.DONE.value,
        owner=owner,
        evidence=proof.get("evidence", "").format(**fill),
        evidence_url=proof.get("evidence_url", "").format(**fill),
        evidence_sha256=(
            hashlib.sha256(f"{model.slug}/{key}".encode()).hexdigest()
            if proof.get("digest")
            else ""
        ),
        signed_off_by=owner,
        signed_off_at=_stamp(done_on),
    )
