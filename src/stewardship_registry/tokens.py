"""Bearer tokens: how they are made, hashed and what each role may do."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import UTC, datetime, timedelta
from enum import StrEnum

TOKEN_PREFIX = "stw_"


class Role(StrEnum):
    VIEWER = "viewer"
    STEWARD = "steward"
    ADMIN = "admin"

    @property
    def can_write(self) -> bool:
        return self in (Role.STEWARD, Role.ADMIN)


def new_token() -> str:
    """A fresh secret: the prefix and 256 random bits, URL-safe."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """The only form in which the server keeps a token: its SHA-256, hex."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


_DURATION = re.compile(r"^(\d{1,5})([mhdw])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_duration(text: str) -> timedelta:
    """``90d``, ``12h``, ``30m`` or ``2w`` as a duration; ValueError otherwise."""
    match = _DURATION.fullmatch(text.strip())
    if not match or int(match.group(1)) == 0:
        raise ValueError(
            f"'{text}' is not a duration: write a whole number and m, h, d or w (e.g. 90d)"
        )
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


def utc_iso(moment: datetime | None = None) -> str:
    """UTC, ISO 8601 with microseconds and a Z: the form every stored time has (sorts as text)."""
    moment = moment or datetime.now(UTC)
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def expiry_after(duration: timedelta) -> str:
    return utc_iso(datetime.now(UTC) + duration)
