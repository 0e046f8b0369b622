"""The fictional demo organisation, with dates relative to today."""

from __future__ import annotations

import json
from datetime import date, timedelta
from importlib import resources
from typing import Any

from ..domain.records import Model
from ..store import Store
from .demo_requests import load_demo_requests

DATE_FIELDS = {name for name, kind in Model.field_kinds().items() if kind == "date"}


def _resolve(value: str, today: date) -> str:
    return (today + timedelta(days=int(value))).isoformat()


def demo_document() -> dict[str, Any]:
    text = (
        resources.files("stewardship.resources")
        .joinpath("demo/organisation.json")
        .read_text(encoding="utf-8")
    )
    return json.loads(text)


def demo_models(today: date) -> list[Model]:
    models = []
    for raw in demo_document()["models"]:
        data = dict(raw)
        for name in DATE_FIELDS & data.keys():
            data[name] = _resolve(data[name], today)
        if "platform_dates" in data:
            data["platform_dates"] = {
                k: _resolve(v, today) for k, v in data["platform_dates"].items()
            }
        models.append(Model.from_dict(data).validate())
    return models


def load_demo(store: Store, today: date, who: str = "demo") -> int:
    """Fill an empty store with the demo organisation; returns the number of models.

    Demo records are not queued for the registry: they must never reach a
    shared registry by accident.
    """
    from .demo_checklists import demo_items

    models = demo_models(today)
    with store.transaction():
        for model in models:
            store.save(model, who, queue=False)
        for item in demo_items(models, today):
            store.save(item, who, queue=False)
        load_demo_requests(store, today, demo_document(), who)
    return len(models)
