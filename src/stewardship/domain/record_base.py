"""The base of every synced record: shared fields, dict conversion, type checks.

Field kinds are read from the annotations, so a record class only declares
its fields; ``from_dict`` coerces and checks each one, ``problems()`` starts
with the enum checks and subclasses add their own rules.
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


@dataclass
class Record:
    """Fields that every synced record carries."""

    TYPE: ClassVar[str] = ""
    TABLE: ClassVar[str] = ""
    #: str fields holding an enum value, and the enum that allows them
    ENUMS: ClassVar[dict[str, type[StrEnum]]] = {}

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
