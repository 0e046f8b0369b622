"""Importing model schedules (CSV) and the console's own JSON export.

A file is checked as a whole first; if anything is wrong it is refused with
every problem listed and nothing is written. Otherwise every change is written
in one transaction (with audit rows and outbox entries), so a crash or a
cancel leaves the store as it was. Models are matched by slug (and, in the
JSON export, by id first); re-importing the same file changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..domain.errors import ValidationError
from ..domain.lifecycle import LifecycleState, check_transition
from ..domain.records import RECORD_TYPES, ChecklistItem, Model, Record
from ..domain.tasks import CancelCheck, Cancelled, Progress, never_cancelled, no_progress
from ..store import ConstraintError, Store
from ..store.audit import diff_records
from ..store.queries_checklists import item_slots
from .checklists import ChecklistService
from .file_problems import FileProblem, ImportRefused
from .import_csv import REQUIRED_VALUES, ScheduleRow, read_schedule_csv
from .import_json import FileRecord, build_record, read_export_json

_STATES = {s.value for s in LifecycleState}


@dataclass
class ImportResult:
    added: int = 0
    updated: int = 0
    unchanged: int = 0

    def summary(self) -> str:
        return f"{self.added} added, {self.updated} updated, {self.unchanged} unchanged"


@dataclass(frozen=True)
class _Write:
    record: Record
    where: str
    is_new: bool
    keep_stamp: bool


class _Plan:
    """What an import would write, and what stops it."""

    def __init__(self) -> None:
        self.writes: list[_Write] = []
        self.problems: list[FileProblem] = []
        self.result = ImportResult()
        #: Models whose checklist items the file carries (a JSON export): copied as they are.
        self.models_with_items: set[str] = set()

    def change(self, old: Record | None, new: Record, where: str, *, keep_stamp: bool) -> None:
        if old is not None and not diff_records(old, new):
            self.result.unchanged += 1
            return
        self.writes.append(_Write(new, where, old is None, keep_stamp and old is None))

    def transition(self, old: Model | None, new: Model, where: str) -> None:
        if old is None or old.state == new.state or new.state not in _STATES:
            return  # an unknown state is already reported, once, by the record's own checks
        try:
            check_transition(old.state, new.state)
        except ValidationError as exc:
            self.problems.append(FileProblem(where, exc.reason))


def detect_kind(name: str, data: bytes) -> str:
    """``json`` or ``csv``, from the file name, else from the first character."""
    suffix = Path(name).suffix.lower()
    if suffix in (".json", ".csv"):
        return suffix[1:]
    return "json" if data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"[") else "csv"


def _decode(name: str, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportRefused(
            name,
            [FileProblem(f"line {line}", "is not UTF-8 text; save the file as UTF-8 (CSV UTF-8)")],
        ) from None


# -- CSV --------------------------------------------------------------------
def _csv_model(row: ScheduleRow, old: Model | None, plan: _Plan) -> Model:
    values: dict[str, object] = dict(row.values)
    if not values["state"]:
        values["state"] = old.state if old is not None else "active"
    parsed, found = build_record(Model, values)
    reported = {"is required"}  # the CSV reader already reported empty required cells
    plan.problems.extend(
        FileProblem(row.where(p.field), p.reason)
        for p in found
        if not (p.field in REQUIRED_VALUES and p.reason in reported)
    )
    assert isinstance(parsed, Model)
    if old is None:
        return parsed
    return old.replace(deleted=False, **{c: getattr(parsed, c) for c in row.columns})


def _plan_csv(store: Store, text: str) -> _Plan:
    plan = _Plan()
    rows, plan.problems = read_schedule_csv(text)
    stored = {m.slug: m for m in store.list(Model, include_deleted=True)}
    first_line: dict[str, int] = {}
    for row in rows:
        slug = row.values["slug"]
        if slug and slug in first_line:
            plan.problems.append(
                FileProblem(row.where("slug"), f"'{slug}' is already on line {first_line[slug]}")
            )
            continue
        first_line[slug] = row.line
        old = stored.get(slug)
        model = _csv_model(row, old, plan)
        plan.transition(old, model, row.where("state"))
        plan.change(old, model, row.where(), keep_stamp=False)
    plan.problems.sort(key=_line_of)  # stable: the order within a line is kept
    return plan


def _line_of(problem: FileProblem) -> int:
    match = re.match(r"line (\d+)", problem.where)
    return int(match.group(1)) if match else 0


# -- JSON -------------------------------------------------------------------
def _plan_json_models(store: Store, items: list[FileRecord], plan: _Plan) -> dict[str, str]:
    """Plan the models; returns file id -> stored id for models matched by slug."""
    remap: dict[str, str] = {}
    by_slug = {m.slug: m for m in store.list(Model, include_deleted=True)}
    seen_slugs: dict[str, str] = {}
    for item in items:
        model = item.record
        assert isinstance(model, Model)
        if model.slug in seen_slugs:
            plan.problems.append(
                FileProblem(
                    item.where("slug"),
                    f"'{model.slug}' is already used by {seen_slugs[model.slug]}",
                )
            )
            continue
        seen_slugs[model.slug] = item.where()
        old = store.get(Model, model.id)
        holder = by_slug.get(model.slug)
        if old is None and holder is not None:
            remap[model.id] = holder.id
            old, model = holder, model.replace(id=holder.id)
        elif holder is not None and holder.id != model.id:
            plan.problems.append(
                FileProblem(item.where("slug"), f"'{model.slug}' is used by another model here")
            )
            continue
        plan.transition(old, model, item.where("state"))
        _plan_json_record(old, model, item, plan)
    return remap


def _plan_json_record(old: Record | None, new: Record, item: FileRecord, plan: _Plan) -> None:
    if old is not None:
        # An update is a local edit of the stored record: it keeps the stored
        # registry version as its base and is stamped now, by this steward.
        new = new.replace(version=old.version)
    plan.change(old, new, item.where(), keep_stamp=True)


def _plan_json(store: Store, text: str) -> _Plan:
    plan = _Plan()
    items, plan.problems = read_export_json(text)
    models = [i for i in items if i.section == "models"]
    remap = _plan_json_models(store, models, plan)
    # The records each reference may name: those stored here and those in the file.
    known: dict[str, set[str]] = {}
    for cls in RECORD_TYPES.values():
        for target in cls.REFERENCES.values():
            if target not in known:
                known[target] = store.record_ids(RECORD_TYPES[target])
    for i in items:
        if i.record.TYPE in known:
            known[i.record.TYPE].add(remap.get(i.record.id, i.record.id))
    slots = item_slots(store)
    for item in items:
        if item.section == "models":
            continue
        record = _with_references(item, remap, known, plan)
        if record is None:
            continue
        if isinstance(record, ChecklistItem):
            plan.models_with_items.add(record.model_id)
            holder = slots.setdefault((record.model_id, record.template_key), record.id)
            if holder != record.id:
                plan.problems.append(
                    FileProblem(
                        item.where("template_key"),
                        f"the model already has an item from template '{record.template_key}'",
                    )
                )
                continue
        _plan_json_record(store.get(type(record), record.id), record, item, plan)
    return plan


def _with_references(
    item: FileRecord, remap: dict[str, str], known: dict[str, set[str]], plan: _Plan
) -> Record | None:
    """The record with its model matched by slug, or None (and a problem) if it names a
    record that is neither here nor in the file. An empty reference is the record's own
    business (``problems()`` says whether it is required)."""
    record = item.record
    model_id = getattr(record, "model_id", None)
    if model_id is not None:
        record = record.replace(model_id=remap.get(model_id, model_id))
    for field, target in type(record).REFERENCES.items():
        value = getattr(record, field)
        if (value or target == Model.TYPE) and value not in known[target]:
            what = target.replace("_", " ")
            plan.problems.append(
                FileProblem(item.where(field), f"no {what} with id '{value}' here or in the file")
            )
            return None
    return record


# -- writing ----------------------------------------------------------------
def import_bytes(
    store: Store,
    data: bytes,
    name: str,
    who: str,
    *,
    kind: str | None = None,
    progress: Progress = no_progress,
    cancelled: CancelCheck = never_cancelled,
) -> ImportResult:
    """Import a schedule CSV or an export JSON given as bytes; ``name`` is for messages.

    Raises :class:`ImportRefused` (nothing written) or
    :class:`Cancelled` (nothing written).
    """
    text = _decode(name, data)
    kind = kind or detect_kind(name, data)
    plan = _plan_json(store, text) if kind == "json" else _plan_csv(store, text)
    if plan.problems:
        raise ImportRefused(name, plan.problems)
    total = len(plan.writes)
    what = f"Importing {name}"
    progress(what, 0, total)
    note = f"imported from {name}"
    new_models: list[Model] = []
    with store.transaction():
        for done, write in enumerate(plan.writes, start=1):
            if cancelled():
                raise Cancelled(f"import of {name} cancelled; nothing was imported")
            try:
                saved = store.save(write.record, who, note=note, stamp=not write.keep_stamp)
            except (ConstraintError, ValidationError) as exc:
                raise ImportRefused(name, [FileProblem(write.where, str(exc))]) from exc
            if write.is_new:
                plan.result.added += 1
                if isinstance(saved, Model):
                    new_models.append(saved)
            else:
                plan.result.updated += 1
            progress(what, done, total)
        # A new model gets its four checklists, as one made in the window does. A model
        # whose items the file carries (a JSON export) is copied as it is.
        checklists = ChecklistService(store, who)
        for model in new_models:
            if not model.deleted and model.id not in plan.models_with_items:
                checklists.ensure(model)
    return plan.result


def import_file(
    store: Store,
    path: Path,
    who: str,
    *,
    progress: Progress = no_progress,
    cancelled: CancelCheck = never_cancelled,
) -> ImportResult:
    """Import the file at ``path``; an unreadable file raises :class:`OSError`."""
    data = Path(path).read_bytes()
    return import_bytes(store, data, Path(path).name, who, progress=progress, cancelled=cancelled)
