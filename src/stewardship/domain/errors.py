"""The one error type that domain validation raises."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a record: which field, and why, in a steward's words."""

    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.field}: {self.reason}"


class ValidationError(ValueError):
    """A record was refused. ``problems`` names every field at fault and why."""

    def __init__(self, problems: list[Problem] | Problem) -> None:
        if isinstance(problems, Problem):
            problems = [problems]
        if not problems:
            raise ValueError("ValidationError needs at least one problem")
        self.problems: list[Problem] = list(problems)
        super().__init__("; ".join(str(p) for p in self.problems))

    @property
    def field(self) -> str:
        """The first field at fault."""
        return self.problems[0].field

    @property
    def reason(self) -> str:
        """Why the first field is at fault."""
        return self.problems[0].reason

    def fields(self) -> set[str]:
        return {p.field for p in self.problems}


class TransitionError(ValidationError):
    """A lifecycle move that the lifecycle does not allow."""
