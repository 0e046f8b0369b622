"""A model's lifecycle: its states and the moves between them."""

from __future__ import annotations

from enum import StrEnum

from .errors import Problem, TransitionError


class LifecycleState(StrEnum):
    ACTIVE = "active"
    LEGACY = "legacy"
    DEPRECATED = "deprecated"
    RETIRED = "retired"
    RETAINED_AVAILABLE = "retained_available"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    LifecycleState.ACTIVE: "Active",
    LifecycleState.LEGACY: "Legacy",
    LifecycleState.DEPRECATED: "Deprecated",
    LifecycleState.RETIRED: "Retired",
    LifecycleState.RETAINED_AVAILABLE: "Retired, kept available",
}

S = LifecycleState

#: Allowed moves. A deprecation can be withdrawn (deprecated -> active/legacy);
#: a retired model can be made available again in limited form and withdrawn
#: again; nothing comes back from retirement to general availability.
TRANSITIONS: dict[LifecycleState, frozenset[LifecycleState]] = {
    S.ACTIVE: frozenset({S.LEGACY, S.DEPRECATED}),
    S.LEGACY: frozenset({S.ACTIVE, S.DEPRECATED}),
    S.DEPRECATED: frozenset({S.ACTIVE, S.LEGACY, S.RETIRED, S.RETAINED_AVAILABLE}),
    S.RETIRED: frozenset({S.RETAINED_AVAILABLE}),
    S.RETAINED_AVAILABLE: frozenset({S.RETIRED}),
}

RETIRED_STATES = frozenset({S.RETIRED, S.RETAINED_AVAILABLE})


def parse_state(value: object, field: str = "state") -> LifecycleState:
    try:
        return LifecycleState(str(value))
    except ValueError:
        allowed = ", ".join(s.value for s in LifecycleState)
        raise TransitionError(
            Problem(field, f"unknown lifecycle state '{value}'; use one of {allowed}")
        ) from None


def allowed_next(state: LifecycleState) -> list[LifecycleState]:
    """The states a model may move to from ``state``, itself first."""
    return [state, *sorted(TRANSITIONS[state], key=list(LifecycleState).index)]


def check_transition(old: LifecycleState | str, new: LifecycleState | str) -> None:
    """Raise :class:`TransitionError` unless a model may move from ``old`` to ``new``."""
    old_s, new_s = parse_state(old), parse_state(new)
    if old_s == new_s or new_s in TRANSITIONS[old_s]:
        return
    allowed = ", ".join(s.label.lower() for s in allowed_next(old_s)[1:])
    raise TransitionError(
        Problem(
            "state",
            f"a {old_s.label.lower()} model cannot become {new_s.label.lower()}"
            f" (it can become: {allowed})",
        )
    )
