"""Bearer tokens: how they are made, hashed and what each role may do."""

from __future__ import annotations

import hashlib
import secrets
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
