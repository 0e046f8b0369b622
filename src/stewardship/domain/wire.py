"""What the console and the registry agree on about the wire, beyond the record types.

Both sides import this (the registry imports nothing of the console but the
domain). ``docs/registry-protocol.md`` ("Versions and forward compatibility")
explains each rule.
"""

from __future__ import annotations

import json
import re
from typing import Any

#: Revisions of protocol v1, each a compatible addition. 1: v1 as first shipped.
#: 2: fields a registry does not know are kept, not refused; references are
#: checked; tokens expire; ``/v1/health`` gives ``protocol``.
PROTOCOL_REVISION = 2

#: The lowest revision this console needs from a registry: below it, a registry
#: refuses (or an older console drops) the fields of newer consoles.
REQUIRED_PROTOCOL_REVISION = 2

#: Bounds on the fields of a record that its type does not declare (fields of a
#: newer console), kept and sent back unchanged.
MAX_EXTRA_FIELDS = 32
MAX_EXTRA_BYTES = 16 * 1024
EXTRA_FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


def extra_fields_size(extras: dict[str, Any]) -> int:
    """The size of ``extras`` as UTF-8 JSON, the measure :data:`MAX_EXTRA_BYTES` bounds."""
    return len(json.dumps(extras, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def lone_surrogate_path(value: Any, path: str = "") -> str | None:
    """The path of the first string (or key) holding a lone UTF-16 surrogate, else None.

    The path itself is safe to send back (a surrogate in a key is escaped).

    JSON may escape one (``"\\ud800"``) but it is not text: it cannot be encoded
    as UTF-8, stored or sent back.
    """
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return path or "."
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            name = str(key).encode("utf-8", "backslashreplace").decode("utf-8")
            where = f"{path}.{name}" if path else name
            if name != key:
                return where
            found = lone_surrogate_path(item, where)
            if found is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = lone_surrogate_path(item, f"{path}[{index}]")
            if found is not None:
                return found
    return None
