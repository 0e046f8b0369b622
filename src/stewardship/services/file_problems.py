"""What is wrong with a file a steward asked to import, located line by line."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FileProblem:
    """One problem in a file: where (``line 4, column retirement_on`` or
    ``models[3].retirement_on``) and why, in a steward's words."""

    where: str
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}" if self.where else self.reason


class ImportRefused(Exception):
    """The whole file was refused; nothing was written. ``problems`` lists every fault."""

    def __init__(self, source: str, problems: list[FileProblem]) -> None:
        self.source = source
        self.problems = list(problems)
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        super().__init__(f"{source} was refused ({count} {noun}); nothing was imported")

    def report(self) -> str:
        """The headline and every problem, one per line."""
        return "\n".join([str(self), *(f"  {p}" for p in self.problems)])
