"""Checking a hand-edited TOML file key by key, each mistake named with its file and line.

Checklist templates (``templates.py``) and interview protocols (``protocols.py``)
are both such files: a top-level table and arrays of tables (``[[items]]``,
``[[sections]]``, ``[[sections.questions]]``). Each has an error class
(a :class:`TomlFileError`) and a checker (a :class:`TomlChecker`) that knows its
keys; the line finding and the checks of single values are here, once.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from .toml_text import TomlSyntaxError, load_toml

_HEADER = re.compile(r"^\s*\[")


class TomlFileError(ValueError):
    """A file cannot be used. Names the file and, where known, the line."""

    #: What the file is, as the message names it ("checklist template").
    KIND: ClassVar[str] = "file"

    def __init__(self, file: str, line: int | None, reason: str) -> None:
        self.file = file
        self.line = line
        self.reason = reason
        where = f"{file}, line {line}" if line else file
        super().__init__(f"{self.KIND} {where}: {reason}")


def _array_header(name: str) -> re.Pattern[str]:
    """``[[name]]`` (``name`` may be dotted: ``sections.questions``), spaces allowed."""
    dotted = r"\s*\.\s*".join(re.escape(part) for part in name.split("."))
    return re.compile(rf"^\s*\[\[\s*{dotted}\s*\]\]")


class TomlChecker:
    """Reads a file's TOML and checks its values; ``fail`` makes the error to raise.

    ``arrays`` names the file's arrays of tables by the keyword a check passes to say
    where it is: ``{"item": "items"}`` lets ``fail(..., item=2)`` point into the third
    ``[[items]]`` table.
    """

    #: The error a mistake in this kind of file raises.
    ERROR: ClassVar[type[TomlFileError]] = TomlFileError

    def __init__(self, text: str, source: str, arrays: dict[str, str]) -> None:
        self._toml = text
        self.lines = text.splitlines()
        self.source = source
        self.headers = [i for i, line in enumerate(self.lines) if _HEADER.match(line)]
        self.arrays = {
            where: [i for i in self.headers if _array_header(name).match(self.lines[i])]
            for where, name in arrays.items()
        }

    def load(self) -> dict[str, Any]:
        """The file's TOML; a syntax error is this file's error, with its line."""
        try:
            return load_toml(self._toml)
        except TomlSyntaxError as exc:
            raise self.ERROR(self.source, exc.line, exc.reason) from None

    def _line(self, key: str | None, table: list[int] | None, index: int | None) -> int | None:
        """The line of ``key`` at top level or in the ``index``-th table of ``table``."""
        start, end = 0, len(self.lines)
        if table is None or index is None:
            end = self.headers[0] if self.headers else end
        elif index < len(table):
            start = table[index]
            later = [h for h in self.headers if h > start]
            end = later[0] if later else end
            if key is None:
                return start + 1
        if key is None:
            return None
        pattern = re.compile(rf"^\s*\"?{re.escape(key)}\"?\s*=")
        for i in range(start, end):
            if pattern.match(self.lines[i]):
                return i + 1
        return start + 1 if table is not None and index is not None else None

    def fail(self, reason: str, key: str | None = None, **where: int | None) -> TomlFileError:
        """The error for ``reason`` at ``key`` (top level, or e.g. ``item=2``)."""
        for array, index in where.items():
            if index is not None:
                return self.ERROR(self.source, self._line(key, self.arrays[array], index), reason)
        return self.ERROR(self.source, self._line(key, None, None), reason)

    def known_keys(
        self, data: dict[str, Any], allowed: set[str], what: str = "", **where: int | None
    ) -> None:
        """Refuse a key not in ``allowed`` (``what``: "item", for "unknown item key")."""
        for key in data:
            if key not in allowed:
                named = f"{what} key" if what else "key"
                raise self.fail(
                    f"unknown {named} '{key}'; use {', '.join(sorted(allowed))}", key, **where
                )

    def text(
        self, data: dict[str, Any], key: str, required: bool = False, **where: int | None
    ) -> str:
        value = data.get(key, "")
        if not isinstance(value, str):
            raise self.fail(f"{key} must be text, got {value!r}", key, **where)
        if required and not value.strip():
            raise self.fail(f"{key} is required", key if key in data else None, **where)
        return value.strip()

    def flag(self, data: dict[str, Any], key: str, default: bool, **where: int | None) -> bool:
        value = data.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(f"{key} must be true or false, got {value!r}", key, **where)
        return value

    def version(self, data: dict[str, Any]) -> int:
        """The top-level ``version``: a whole number from 1 up."""
        version = data.get("version")
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            raise self.fail(f"version must be a whole number from 1 up, got {version!r}", "version")
        return version
