"""Exporting everything as one JSON document, a table as CSV, or dates as iCalendar.

Every file is written to a temporary file beside the target and moved into
place with ``os.replace``, so a killed or cancelled export never leaves a
half-written file behind (and never damages an older copy of it). The file gets
the user's normal permissions (``services/files.py``), not the temporary file's 0600.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from ..domain.record_base import export_sections
from ..domain.records import ChecklistItem, Model, PreferenceRequest, Record
from ..domain.tasks import CancelCheck, Cancelled, Progress, never_cancelled, no_progress
from ..domain.vocabulary import plural
from ..store import Store
from .files import publish
from .ics import build_calendar
from .import_csv import SCHEDULE_COLUMNS
from .import_json import FORMAT_NAME, FORMAT_VERSION

FORMATS = ("json", "csv", "ics")
CSV_TABLES = ("models", "checklist-items", "requests")

#: Cells a spreadsheet would run as a formula; prefixed with ' in the
#: free-text tables (checklist items, requests), which are not re-imported.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ExportResult:
    path: Path
    records: int
    what: str

    def summary(self) -> str:
        return f"wrote {plural(self.records, self.what)} to {self.path}"


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the whole new one."""
    path = Path(path)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        publish(Path(temp), path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def export_document(store: Store) -> dict[str, Any]:
    """Every record, tombstones included, as the JSON export: one list per record type,
    named by its ``EXPORT_SECTION``, in the order the types are declared."""
    doc: dict[str, Any] = {"format": FORMAT_NAME, "format_version": FORMAT_VERSION}
    for section, cls in export_sections().items():
        records = store.list(cls, include_deleted=True, order_by=_order_by(cls))
        doc[section] = [r.to_dict() for r in records]
    return doc


def _order_by(cls: type[Record]) -> str:
    # Ties go by the order the records reached this store (as logged, pulled or
    # imported), so an export and its re-import list them alike.
    return ", ".join((*cls.EXPORT_ORDER, "rowid"))


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True)
    return str(value)


def _defuse(cell: str) -> str:
    if cell.startswith(_FORMULA_START) and not _is_number(cell):
        return "'" + cell
    return cell


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def csv_table(store: Store, table: str) -> tuple[list[str], list[list[str]]]:
    """The header and rows of one CSV table (live records only)."""
    if table == "models":
        models = store.list(Model, order_by="slug")
        return list(SCHEDULE_COLUMNS), [
            [_text(m.to_dict()[c]) for c in SCHEDULE_COLUMNS] for m in models
        ]
    cls: type[Record] = {"checklist-items": ChecklistItem, "requests": PreferenceRequest}[table]
    slugs = {m.id: m.slug for m in store.list(Model, include_deleted=True)}
    fields = [f for f in cls.field_names() if f != "deleted"]
    header = ["model_slug", *fields]
    rows = []
    for record in store.list(cls, order_by=_order_by(cls)):
        data = record.to_dict()
        row = [slugs.get(data["model_id"], ""), *(_text(data[f]) for f in fields)]
        rows.append([_defuse(cell) for cell in row])
    return header, rows


def _csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def export(
    store: Store,
    fmt: str,
    path: Path,
    *,
    table: str | None = None,
    now: Callable[[], datetime] | None = None,
    progress: Progress = no_progress,
    cancelled: CancelCheck = never_cancelled,
) -> ExportResult:
    """Write one export file. ``table`` is required for CSV.

    Raises :class:`ValueError` for an unknown format or table,
    :class:`Cancelled` if cancelled before the file is in place, and
    :class:`OSError` if the file cannot be written.
    """
    path = Path(path)
    step = f"Exporting to {path.name}"
    progress(step, 0, 2)
    if fmt == "json":
        doc = export_document(store)
        count = sum(len(doc[s]) for s in export_sections())
        data = (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
        what = "records"
    elif fmt == "csv":
        if table not in CSV_TABLES:
            raise ValueError(f"unknown table '{table}'; use one of {', '.join(CSV_TABLES)}")
        header, rows = csv_table(store, table)
        count, data, what = len(rows), _csv_bytes(header, rows), table.replace("-", " ")
    elif fmt == "ics":
        text, count = build_calendar(store, now=now)
        data, what = text.encode("utf-8"), "calendar events"
    else:
        raise ValueError(f"unknown format '{fmt}'; use one of {', '.join(FORMATS)}")
    progress(step, 1, 2)
    if cancelled():
        raise Cancelled(f"export to {path} cancelled; no file was written")
    atomic_write(path, data)
    progress(step, 2, 2)
    return ExportResult(path, count, what)
