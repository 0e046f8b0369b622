"""The registry token, for the window: kept in the OS keyring only (see ``sync/credentials.py``).

The window reaches the keyring through this module, never through ``sync``.
"""

from __future__ import annotations

from ..sync.credentials import (
    KeyringUnavailable,
    backend,
    forget_token,
    keyring_description,
    load_token,
    store_token,
)

__all__ = [
    "KeyringUnavailable",
    "forget_token",
    "keyring_description",
    "keyring_usable",
    "load_token",
    "store_token",
]


def keyring_usable() -> bool:
    """True when there is a safe keyring to keep the token in."""
    return backend() is not None
