"""TOML read with the line of a syntax error, for files stewards and IT edit by hand."""

from __future__ import annotations

import re
import tomllib
from typing import Any

_DECODE_LINE = re.compile(r"\(at line (\d+), column (\d+)\)")


class TomlSyntaxError(ValueError):
    """``text`` is not valid TOML; ``line`` (1-based, if known) and ``reason`` say where and why."""

    def __init__(self, line: int | None, reason: str) -> None:
        super().__init__(reason)
        self.line = line
        self.reason = reason


def load_toml(text: str) -> dict[str, Any]:
    """Parse ``text``, raising :class:`TomlSyntaxError` with the line of a mistake."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = _DECODE_LINE.search(message)
        line = int(found.group(1)) if found else None
        reason = _DECODE_LINE.sub("", message).strip()
        if found:
            reason += f" (column {found.group(2)})"
        raise TomlSyntaxError(line, f"not valid TOML: {reason}") from None
