"""The demo organisation's interviews, preference requests and reports.

Read from ``resources/demo/organisation.json`` (dates as day offsets, models
by slug, interviews by a local ``key``); the demo transcript is stored in the
data folder like any imported one.
"""

from __future__ import annotations

from datetime import date, timedelta
from importlib import resources
from typing import Any

from ..domain.records import Interview, Model, PreferenceRequest, Report
from ..store import Store
from .interviews import store_transcript


def _day(value: str | None, today: date) -> str | None:
    return (today + timedelta(days=int(value))).isoformat() if value else None


def load_demo_requests(store: Store, today: date, document: dict[str, Any], who: str) -> None:
    """Add the demo's interviews, requests and reports; call inside the demo's transaction."""
    models = {m.slug: m.id for m in store.list(Model)}
    demo_root = resources.files("stewardship.resources").joinpath("demo")
    interviews: dict[str, str] = {}
    for raw in document.get("interviews", []):
        interview = Interview(
            model_id=models[raw["model"]],
            held_on=date.fromisoformat(_day(raw["held_on"], today) or ""),
            interviewers=raw.get("interviewers", ""),
            protocol_version=raw.get("protocol_version", ""),
            summary=raw.get("summary", ""),
        )
        if raw.get("transcript"):
            with resources.as_file(demo_root.joinpath(raw["transcript"])) as path:
                stored = store_transcript(store, store.path.parent, path)
            interview = interview.replace(
                transcript_name=stored.original_name, transcript_sha256=stored.sha256
            )
        interviews[raw["key"]] = store.save(interview.validate(), who, queue=False).id
    for raw in document.get("preference_requests", []):
        data = {k: v for k, v in raw.items() if k not in {"model", "interview"}}
        for name in ("received_on", "responded_on"):
            data[name] = _day(data.get(name), today)
        data["model_id"] = models[raw["model"]]
        data["interview_id"] = interviews.get(raw.get("interview", ""), "")
        store.save(PreferenceRequest.from_dict(data).validate(), who, queue=False)
    for raw in document.get("reports", []):
        data = {k: v for k, v in raw.items() if k != "model"}
        data["model_id"] = models[raw["model"]]
        store.save(Report.from_dict(data).validate(), who, queue=False)
