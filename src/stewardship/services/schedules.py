"""The public deprecation schedules shipped in ``resources/schedules/``, one CSV per provider."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from typing import TYPE_CHECKING

from ..domain.tasks import CancelCheck, Progress, never_cancelled, no_progress
from ..store import Store

if TYPE_CHECKING:
    from .importing import ImportResult

#: File stem -> the name shown in the menu, in menu order.
TITLES = {
    "anthropic": "Anthropic",
    "openai": "OpenAI",
    "google": "Google (Gemini API, Vertex AI)",
    "aws-bedrock": "Amazon Bedrock",
    "azure-openai": "Azure OpenAI",
}


@dataclass(frozen=True)
class BundledSchedule:
    key: str
    title: str
    resource: Traversable

    @property
    def file_name(self) -> str:
        return f"{self.key}.csv"


def bundled_schedules() -> list[BundledSchedule]:
    """Every bundled schedule, known providers first, then any other CSV by name."""
    folder = resources.files("stewardship.resources").joinpath("schedules")
    found = {e.name[:-4]: e for e in folder.iterdir() if e.name.endswith(".csv")}
    order = [k for k in TITLES if k in found] + sorted(k for k in found if k not in TITLES)
    return [BundledSchedule(k, TITLES.get(k, k), found[k]) for k in order]


def find_schedule(key: str) -> BundledSchedule:
    for schedule in bundled_schedules():
        if schedule.key == key:
            return schedule
    raise KeyError(key)


def import_bundled(
    store: Store,
    key: str,
    who: str,
    *,
    progress: Progress = no_progress,
    cancelled: CancelCheck = never_cancelled,
) -> ImportResult:
    from .importing import import_bytes  # the importer loads when a schedule is imported

    schedule = find_schedule(key)
    return import_bytes(
        store,
        schedule.resource.read_bytes(),
        schedule.file_name,
        who,
        kind="csv",
        progress=progress,
        cancelled=cancelled,
    )
