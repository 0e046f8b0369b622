"""Reading the console's own JSON export back into records, with every problem located.

Problems are named by path (``models[3].retirement_on``), or by line and
column for text that is not JSON at all. Nothing here touches the store.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from ..domain.errors import Problem, ValidationError
from ..domain.record_base import export_sections, import_order
from ..domain.records import Record
from .file_problems import FileProblem

FORMAT_NAME = "stewardship-console-export"
FORMAT_VERSION = 1
META_KEYS = ("format", "format_version")


@dataclass(frozen=True)
class FileRecord:
    """A record read from the file, with its path for messages."""

    section: str
    index: int
    record: Record

    def where(self, field: str | None = None) -> str:
        base = f"{self.section}[{self.index}]"
        return f"{base}.{field}" if field else base


def _check_meta(doc: dict[str, Any]) -> list[FileProblem]:
    problems: list[FileProblem] = []
    fmt = doc.get("format", FORMAT_NAME)
    if fmt != FORMAT_NAME:
        problems.append(FileProblem("format", f"'{fmt}' is not a Stewardship Console export"))
    version = doc.get("format_version", FORMAT_VERSION)
    if not isinstance(version, int) or isinstance(version, bool):
        problems.append(FileProblem("format_version", "expected a whole number"))
    elif version > FORMAT_VERSION:
        problems.append(
            FileProblem(
                "format_version",
                f"written by a newer console (format {version}); update the console",
            )
        )
    return problems


def build_record(cls: type[Record], data: dict[str, Any]) -> tuple[Record, list[Problem]]:
    """A record from ``data`` and everything wrong with it, even when some
    fields cannot be read (those are left at their defaults and reported)."""
    try:
        record = cls.from_dict(data, strict=True)
        bad: set[str] = set()
        problems: list[Problem] = []
    except ValidationError as exc:
        bad, problems = exc.fields(), list(exc.problems)
        names = set(cls.field_names())
        record = cls.from_dict({k: v for k, v in data.items() if k in names and k not in bad})
    problems.extend(p for p in record.problems() if p.field not in bad)
    return record, problems


def _read_item(
    section: str, index: int, raw: object, cls: type[Record], problems: list[FileProblem]
) -> FileRecord | None:
    where = f"{section}[{index}]"
    if not isinstance(raw, dict):
        problems.append(FileProblem(where, f"expected an object, got {type(raw).__name__}"))
        return None
    if not isinstance(raw.get("id"), str) or not raw.get("id", "").strip():
        problems.append(FileProblem(f"{where}.id", "is required, as text (the record's id)"))
        return None
    record, found = build_record(cls, raw)
    item = FileRecord(section, index, record)
    problems.extend(FileProblem(item.where(p.field), p.reason) for p in found)
    return item


_LONE_SURROGATE = re.compile(
    r"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})"
    r"|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}"
)


def _has_surrogate(text: str) -> bool:
    return any("\ud800" <= c <= "\udfff" for c in text)


def _surrogate_paths(value: object, path: str) -> list[str]:
    """Where, in document order, a text holds half of a UTF-16 pair (``\\ud800``)."""
    if isinstance(value, str):
        return [path] if _has_surrogate(value) else []
    if isinstance(value, dict):
        found = []
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if _has_surrogate(str(key)):
                found.append(where)
            found += _surrogate_paths(item, where)
        return found
    if isinstance(value, list):
        return [p for i, item in enumerate(value) for p in _surrogate_paths(item, f"{path}[{i}]")]
    return []


def _lone_surrogates(doc: object, text: str) -> list[FileProblem]:
    """JSON allows ``\\ud800`` alone, but it is no character: no store can keep it."""
    paths = _surrogate_paths(doc, "")
    if not paths:
        return []
    lines = [text.count("\n", 0, m.start()) + 1 for m in _LONE_SURROGATE.finditer(text)]
    reason = (
        "holds half of a UTF-16 surrogate pair (an escape like \\ud800 alone), which is"
        " not a character; fix or remove it"
    )
    if len(lines) != len(paths):
        return [FileProblem(p, reason) for p in paths]
    return [FileProblem(f"line {n}, {p}", reason) for n, p in zip(lines, paths, strict=True)]


def read_export_json(text: str) -> tuple[list[FileRecord], list[FileProblem]]:
    """The records of an export document, referred-to types first, and every problem in them."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        return [], [
            FileProblem(f"line {exc.lineno}, column {exc.colno}", f"not valid JSON: {exc.msg}")
        ]
    surrogates = _lone_surrogates(doc, text)
    if surrogates:
        return [], surrogates
    sections = export_sections()
    if not isinstance(doc, dict):
        return [], [
            FileProblem("(top level)", "expected one object with the lists " + ", ".join(sections))
        ]
    problems = _check_meta(doc)
    for key in doc:
        if key not in sections and key not in META_KEYS:
            problems.append(FileProblem(key, "unknown list; expected " + ", ".join(sections)))
    records: list[FileRecord] = []
    for cls in import_order():  # each type after the types its records refer to
        section = cls.EXPORT_SECTION
        items = doc.get(section, [])
        if not isinstance(items, list):
            problems.append(FileProblem(section, f"expected a list, got {type(items).__name__}"))
            continue
        seen: dict[str, int] = {}
        for index, raw in enumerate(items):
            item = _read_item(section, index, raw, cls, problems)
            if item is None:
                continue
            first = seen.setdefault(item.record.id, index)
            if first != index:
                problems.append(FileProblem(item.where("id"), f"the same id as {section}[{first}]"))
                continue
            records.append(item)
    return records, problems
