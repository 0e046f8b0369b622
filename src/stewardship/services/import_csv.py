"""Reading a CSV of model schedules (README, "Import and export") into checked rows.

The header must hold ``slug``, ``display_name`` and ``provider``; the other
schedule columns are optional, in any order (a missing one leaves a stored
model's value alone). The bundled public schedules add ``source_url`` and
``source_read_on``, which are folded into the model's notes. Any other column
is an error. Nothing here touches the store.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from ..domain.dates import parse_date
from ..domain.errors import ValidationError
from .file_problems import FileProblem

SCHEDULE_COLUMNS: tuple[str, ...] = (
    "slug",
    "display_name",
    "provider",
    "family",
    "state",
    "released_on",
    "deprecation_announced_on",
    "retirement_not_before",
    "retirement_on",
    "retired_on",
    "replacement",
    "notes",
)
SOURCE_COLUMNS: tuple[str, ...] = ("source_url", "source_read_on")
REQUIRED_VALUES: tuple[str, ...] = ("slug", "display_name", "provider")


@dataclass(frozen=True)
class ScheduleRow:
    """One data row: the line it starts on and its schedule values (text)."""

    line: int
    values: dict[str, str]
    #: The schedule columns the file has (the others are left as they are).
    columns: frozenset[str] = frozenset(SCHEDULE_COLUMNS)

    def where(self, column: str | None = None) -> str:
        return f"line {self.line}, column {column}" if column else f"line {self.line}"


def source_note(url: str, read_on: str) -> str:
    """The line the bundled schedules add to a model's notes."""
    if not url:
        return ""
    return f"Source: {url} (read {read_on})" if read_on else f"Source: {url}"


def _with_source(notes: str, url: str, read_on: str) -> str:
    if not url:
        return notes
    parts = [p for p in (notes.strip(), source_note(url, read_on)) if p]
    return "\n\n".join(parts)


def _check_header(header: list[str]) -> list[FileProblem]:
    problems: list[FileProblem] = []
    allowed = set(SCHEDULE_COLUMNS) | set(SOURCE_COLUMNS)
    seen: set[str] = set()
    for position, name in enumerate(header, start=1):
        where = f"line 1, column {position}"
        if not name:
            problems.append(FileProblem(where, "the header has an empty column name"))
        elif name in seen:
            problems.append(FileProblem(where, f"column '{name}' appears twice"))
        elif name not in allowed:
            problems.append(
                FileProblem(
                    where,
                    f"unknown column '{name}'; the columns are {','.join(SCHEDULE_COLUMNS)}"
                    f" (optionally also {' and '.join(SOURCE_COLUMNS)})",
                )
            )
        seen.add(name)
    missing = [c for c in REQUIRED_VALUES if c not in seen]
    if missing:
        problems.append(FileProblem("line 1", "the header lacks column(s) " + ", ".join(missing)))
    return problems


def _separated_by_semicolons(header: list[str]) -> bool:
    """A header read as one or a few cells that hold our column names between semicolons."""
    names = [name.strip() for cell in header for name in cell.split(";")]
    return any(";" in cell for cell in header) and len(set(names) & set(SCHEDULE_COLUMNS)) >= 2


def _check_values(row: ScheduleRow, raw: dict[str, str]) -> list[FileProblem]:
    problems = [FileProblem(row.where(c), "is required") for c in REQUIRED_VALUES if not raw.get(c)]
    url = raw.get("source_url", "")
    if url and not url.startswith(("https://", "http://")):
        problems.append(
            FileProblem(
                row.where("source_url"), f"'{url}' is not a web address (http:// or https://)"
            )
        )
    read_on = raw.get("source_read_on", "")
    if read_on:
        try:
            parse_date(read_on, "source_read_on")
        except ValidationError as exc:
            problems.append(FileProblem(row.where("source_read_on"), exc.reason))
        if not url:
            problems.append(FileProblem(row.where("source_read_on"), "needs a source_url"))
    return problems


def read_schedule_csv(text: str) -> tuple[list[ScheduleRow], list[FileProblem]]:
    """Every data row of the file, and every problem found in its shape.

    Values are stripped of surrounding spaces; blank lines are skipped. Type
    and cross-field checks happen when the rows become models.
    """
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[ScheduleRow] = []
    problems: list[FileProblem] = []
    try:
        header = [h.strip() for h in next(reader, [])]
    except csv.Error as exc:
        return [], [FileProblem("line 1", f"not readable as CSV: {exc}")]
    if not any(header):
        return [], [
            FileProblem(
                "line 1", "the file is empty; expected the header " + ",".join(SCHEDULE_COLUMNS)
            )
        ]
    if _separated_by_semicolons(header):
        return [], [
            FileProblem(
                "line 1",
                "the values are separated by semicolons; save the file as CSV with commas"
                " (in Excel: CSV UTF-8 (Comma delimited))",
            )
        ]
    problems.extend(_check_header(header))
    present = set(header) & set(SCHEDULE_COLUMNS)
    if set(header) & set(SOURCE_COLUMNS):
        present.add("notes")  # the source is folded into the notes
    columns = frozenset(present)
    start = reader.line_num + 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(FileProblem(f"line {start}", f"not readable as CSV: {exc}"))
            break
        line, start = start, reader.line_num + 1
        if not any(c.strip() for c in cells):
            continue
        row = ScheduleRow(line, {})
        if len(cells) != len(header):
            problems.append(
                FileProblem(
                    row.where(), f"has {len(cells)} values but the header has {len(header)} columns"
                )
            )
            continue
        raw = {
            name: cell if name == "notes" else cell.strip()
            for name, cell in zip(header, cells, strict=True)
        }
        problems.extend(_check_values(row, raw))
        values = {c: raw.get(c, "") for c in SCHEDULE_COLUMNS}
        values["notes"] = _with_source(
            raw.get("notes", ""), raw.get("source_url", ""), raw.get("source_read_on", "")
        )
        rows.append(ScheduleRow(line, values, columns))
    return rows, problems
