"""A light, read-only summary of a model, read from a few columns: for lists of thousands.

The dashboard and the Models view list every model; building full, validated
:class:`~stewardship.domain.records.Model` records for 10,000 of them took
about 100 ms. A summary is read from the columns the lists show (a third of
that) and the full record is read only for the model a steward opens.
"""

from __future__ import annotations

from datetime import date

from ..domain.lifecycle import LifecycleState
from ..store import Store
from ..store.queries_models import model_rows

_STATES = {state.value: state for state in LifecycleState}
SUMMARY_COLUMNS = (
    "id, slug, display_name, family, provider, state, deprecation_announced_on,"
    " retirement_not_before, retirement_on, retired_on, replacement"
)
SUMMARY_WIDTH = SUMMARY_COLUMNS.count(",") + 1


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


class ModelSummary:
    """The fields of a model that lists show and the dashboard reasons about (read-only)."""

    __slots__ = (
        "deprecation_announced_on",
        "display_name",
        "family",
        "id",
        "lifecycle",
        "provider",
        "replacement",
        "replacement_name",
        "retired_on",
        "retirement_not_before",
        "retirement_on",
        "slug",
    )

    def __init__(self, row: tuple) -> None:
        (
            self.id,
            slug,
            name,
            family,
            provider,
            state,
            announced,
            not_before,
            on,
            retired,
            replacement,
        ) = row
        self.slug, self.display_name, self.family = slug or "", name or "", family or ""
        self.provider, self.replacement = provider or "", replacement or ""
        #: The replacement as lists show it: its display name, or the slug as typed.
        self.replacement_name = self.replacement
        self.lifecycle: LifecycleState = _STATES.get(state) or LifecycleState(state)
        self.deprecation_announced_on = _day(announced)
        self.retirement_not_before = _day(not_before)
        self.retirement_on = _day(on)
        self.retired_on = _day(retired)

    @property
    def planned_retirement(self) -> date | None:
        """The confirmed retirement date, else the tentative one."""
        return self.retirement_on or self.retirement_not_before

    def __repr__(self) -> str:
        return f"ModelSummary({self.slug!r}, {self.lifecycle.value}, {self.planned_retirement})"


def summary_rows(store: Store, order_by: str | None = None) -> list[tuple]:
    """Every live model's :data:`SUMMARY_COLUMNS`, as stored (dates as ISO text)."""
    return model_rows(store, SUMMARY_COLUMNS, order_by)


def name_replacements(summaries: list[ModelSummary], names: dict[str, str]) -> None:
    """Show each replacement by its model's name (``names``: slug -> display name)."""
    for summary in summaries:
        if summary.replacement:
            summary.replacement_name = names.get(summary.replacement) or summary.replacement


def model_summaries(store: Store) -> list[ModelSummary]:
    """Every live model by name, as lists and pickers show them (open one with ``store.get``)."""
    found = [ModelSummary(row) for row in summary_rows(store, "display_name COLLATE NOCASE")]
    name_replacements(found, {m.slug: m.display_name for m in found})
    return found
