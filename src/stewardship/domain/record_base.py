"""The base of every synced record: shared fields, dict conversion, type checks.

Field kinds are read from the annotations, so a record class only declares
its fields; ``from_dict`` coerces and checks each one, ``problems()`` starts
with the enum checks and subclasses add their own rules.

A subclass that sets ``TYPE`` registers itself in :data:`RECORD_TYPES` when it
is defined: that class is the one place a synced record type is declared (its
table, its section of the JSON export, its enums). The store, sync, the JSON
export and import, and the registry server all read the types from there; see
``docs/architecture.md`` and the README's "Adding a synced record type".
"""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, ClassVar, Self

from .dates import format_date, parse_date
from .errors import Problem, ValidationError


def new_id() -> str:
    return str(uuid.uuid4())


# Field kinds, read from the annotations (kept as strings by PEP 563).
_DATE, _BOOL, _INT, _JSON, _STR = "date", "bool", "int", "json", "str"


def _kind(annotation: str) -> str:
    if annotation.startswith("date"):
        return _DATE
    if annotation == "bool":
        return _BOOL
    if annotation == "int":
        return _INT
    if annotation.startswith(("dict", "list")):
        return _JSON
    return _STR


#: Every synced record type, by its registry ``type`` name, in the order the
#: types were declared (which is the order of the JSON export's sections).
#: Filled by :meth:`Record.__init_subclass__`; read it, do not change it
#: (tests add a throwaway type with :func:`register` and take it away with
#: :func:`unregister`).
RECORD_TYPES: dict[str, type[Record]] = {}


@dataclass
class Record:
    """Fields that every synced record carries."""

    #: the type name on the wire (registry protocol) and in the audit and outbox tables
    TYPE: ClassVar[str] = ""
    #: the SQLite table that holds the records
    TABLE: ClassVar[str] = ""
    #: the list of the JSON export that holds the records
    EXPORT_SECTION: ClassVar[str] = ""
    #: the fields the JSON export (and CSV) sorts the records by; ties keep the
    #: order in which the records reached the store
    EXPORT_ORDER: ClassVar[tuple[str, ...]] = ("id",)
    #: id fields that name another record: field -> that record's ``TYPE``. An
    #: import checks that each names a record in the store or the file, and
    #: imports the referred-to types first.
    REFERENCES: ClassVar[dict[str, str]] = {}
    #: str fields holding an enum value, and the enum that allows them
    ENUMS: ClassVar[dict[str, type[StrEnum]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "TYPE" in cls.__dict__:  # a subclass that only inherits a TYPE is no new type
            register(cls)

    id: str = field(default_factory=new_id)
    version: int = 0
    modified_at: str = ""
    modified_by: str = ""
    deleted: bool = False

    # -- conversion -----------------------------------------------------
    @classmethod
    def field_kinds(cls) -> dict[str, str]:
        """Field name -> kind (date, bool, int, json, str), computed once per class.

        The same dict is returned on every call: read it, do not change it.
        """
        kinds = _KINDS.get(cls)
        if kinds is None:
            kinds = _KINDS[cls] = {f.name: _kind(str(f.type)) for f in dataclasses.fields(cls)}
        return kinds

    @classmethod
    def field_names(cls) -> list[str]:
        return list(cls.field_kinds())

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, kind in self.field_kinds().items():
            value = getattr(self, name)
            if kind == _DATE:
                value = format_date(value) or None
            elif kind == _JSON:
                value = _copy_json(value)
            out[name] = value
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, strict: bool = False) -> Self:
        """Build a record from a dict of field values.

        Values of the wrong type raise :class:`ValidationError` naming every
        field at fault. With ``strict``, a key that is not a field is a
        problem too; otherwise it is ignored.
        """
        kinds = cls.field_kinds()
        problems: list[Problem] = []
        values: dict[str, Any] = {}
        for key, raw in data.items():
            kind = kinds.get(key)
            if kind is None:
                if strict:
                    problems.append(Problem(key, "is not a field of a " + cls.TYPE))
                continue
            try:
                values[key] = _coerce(key, kind, raw)
            except ValidationError as exc:
                problems.extend(exc.problems)
        if problems:
            raise ValidationError(problems)
        return cls(**values)

    def replace(self, **changes: Any) -> Self:
        return dataclasses.replace(self, **changes)

    # -- validation -----------------------------------------------------
    def problems(self) -> list[Problem]:
        """Everything wrong with this record, field by field."""
        found: list[Problem] = []
        for name, enum in self.ENUMS.items():
            value = getattr(self, name)
            if value in (None, "") and name in self.OPTIONAL_ENUMS:
                continue
            try:
                enum(value)
            except ValueError:
                allowed = ", ".join(e.value for e in enum)
                found.append(Problem(name, f"unknown value '{value}'; use one of {allowed}"))
        return found

    OPTIONAL_ENUMS: ClassVar[frozenset[str]] = frozenset()

    def validate(self) -> Self:
        found = self.problems()
        if found:
            raise ValidationError(found)
        return self


def register(cls: type[Record]) -> type[Record]:
    """Add ``cls`` to :data:`RECORD_TYPES` (done by defining it); its names must be new."""
    missing = [n for n in ("TYPE", "TABLE", "EXPORT_SECTION") if not getattr(cls, n)]
    if missing:
        raise TypeError(f"record type {cls.__name__} must set {', '.join(missing)}")
    for other in RECORD_TYPES.values():
        for name in ("TYPE", "TABLE", "EXPORT_SECTION"):
            if getattr(other, name) == getattr(cls, name):
                raise TypeError(
                    f"record type {cls.__name__}: {name} '{getattr(cls, name)}' is already"
                    f" used by {other.__name__}"
                )
    RECORD_TYPES[cls.TYPE] = cls
    return cls


def unregister(cls: type[Record]) -> None:
    """Take a type out of :data:`RECORD_TYPES` again (for tests that declare a throwaway type)."""
    if RECORD_TYPES.get(cls.TYPE) is cls:
        del RECORD_TYPES[cls.TYPE]
    _KINDS.pop(cls, None)


def export_sections() -> dict[str, type[Record]]:
    """The lists of the JSON export, by section name, in the order they are written."""
    return {cls.EXPORT_SECTION: cls for cls in RECORD_TYPES.values()}


def import_order() -> list[type[Record]]:
    """Every type, each after the types it refers to (else in declaration order)."""
    done: dict[str, type[Record]] = {}

    def visit(cls: type[Record], path: tuple[str, ...]) -> None:
        if cls.TYPE in done:
            return
        if cls.TYPE in path:
            raise TypeError(f"record types refer to each other in a loop: {' -> '.join(path)}")
        for target in cls.REFERENCES.values():
            visit(RECORD_TYPES[target], (*path, cls.TYPE))
        done[cls.TYPE] = cls

    for cls in RECORD_TYPES.values():
        visit(cls, ())
    return list(done.values())


#: Per record class, its field kinds (see :meth:`Record.field_kinds`).
_KINDS: dict[type, dict[str, str]] = {}


def _copy_json(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy_json(v) for v in value]
    return value


def _coerce(name: str, kind: str, raw: Any) -> Any:
    if kind == _DATE:
        return parse_date(raw, name)
    if kind == _BOOL:
        if raw is None:
            return False
        if isinstance(raw, bool):
            return raw
        if raw in (0, 1):
            return bool(raw)
        if isinstance(raw, str) and raw.strip().lower() in {
            "true",
            "false",
            "yes",
            "no",
            "1",
            "0",
            "",
        }:
            return raw.strip().lower() in {"true", "yes", "1"}
        raise ValidationError(Problem(name, f"expected true or false, got '{raw}'"))
    if kind == _INT:
        if raw is None:
            return 0
        if isinstance(raw, bool) or not isinstance(raw, int | str):
            raise ValidationError(Problem(name, f"expected a whole number, got '{raw}'"))
        try:
            return int(raw)
        except ValueError:
            raise ValidationError(Problem(name, f"expected a whole number, got '{raw}'")) from None
    if kind == _JSON:
        if raw is None:
            return None
        if not isinstance(raw, dict | list):
            raise ValidationError(Problem(name, "expected a JSON object or list"))
        return _copy_json(raw)
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise ValidationError(Problem(name, f"expected text, got {type(raw).__name__}"))
    return raw
