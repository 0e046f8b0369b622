"""The registry token lives in the OS keyring, and nowhere else.

Service name ``stewardship-console``, user name the registry URL. A backend
that would write the token in plain text (keyrings.alt's PlaintextKeyring
silently outranks the "no keyring" backend when installed) counts as no
keyring unless the user opts in with ``STEWARDSHIP_ALLOW_PLAINTEXT_KEYRING=1``.
``STEWARDSHIP_TOKEN`` supplies the token for unattended use instead. A
backend that cannot be loaded (``PYTHON_KEYRING_BACKEND`` or keyringrc.cfg
naming one that is not installed) also counts as no keyring, with the reason.
"""

from __future__ import annotations

import contextlib
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # keyring is imported when first needed: it is slow to import
    from keyring.backend import KeyringBackend

SERVICE = "stewardship-console"
ENV_TOKEN = "STEWARDSHIP_TOKEN"
ENV_ALLOW_PLAINTEXT = "STEWARDSHIP_ALLOW_PLAINTEXT_KEYRING"
ENV_KEYRING_BACKEND = "PYTHON_KEYRING_BACKEND"


class KeyringUnavailable(Exception):
    """No safe keyring: the console asks for the token each session instead."""


def _is_plaintext(backend: KeyringBackend) -> bool:
    name = type(backend).__name__.lower()
    module = type(backend).__module__.lower()
    return "plaintext" in name or (module.startswith("keyrings.alt") and "encrypted" not in name)


def _is_fail(backend: KeyringBackend) -> bool:
    return type(backend).__module__.startswith(("keyring.backends.fail", "keyring.backends.null"))


def _load_problem() -> str:
    """Why the configured keyring backend cannot be loaded, or "" when it can."""
    import keyring

    try:
        keyring.get_keyring()
    except Exception as exc:  # keyring raises whatever importing the named backend raised
        named = os.environ.get(ENV_KEYRING_BACKEND)
        where = f"{ENV_KEYRING_BACKEND}={named}" if named else "the configured keyring backend"
        return f"{where} cannot be loaded: {type(exc).__name__}: {exc}"
    return ""


def backend() -> KeyringBackend | None:
    """The keyring backend the console may use, or None when there is no safe one."""
    import keyring

    if _load_problem():
        return None
    current = keyring.get_keyring()
    candidates = getattr(current, "backends", None) or [current]
    allow_plain = os.environ.get(ENV_ALLOW_PLAINTEXT) == "1"
    for candidate in candidates:
        if _is_fail(candidate):
            continue
        if _is_plaintext(candidate) and not allow_plain:
            continue
        if getattr(candidate, "priority", 1) <= 0 and not _is_plaintext(candidate):
            continue
        return candidate
    return None


def keyring_description() -> str:
    found = backend()
    if found is None:
        problem = _load_problem()
        return (
            "no keyring available" + (f" ({problem})" if problem else "") + ":"
            " the token is asked for each session and never stored"
        )
    return f"token kept in the system keyring ({type(found).__name__})"


def load_token(registry_url: str) -> str | None:
    env = os.environ.get(ENV_TOKEN)
    if env:
        return env.strip()
    found = backend()
    if found is None or not registry_url:
        return None
    import keyring.errors

    try:
        return found.get_password(SERVICE, registry_url)
    except keyring.errors.KeyringError:
        return None


def store_token(registry_url: str, token: str) -> None:
    found = backend()
    if found is None:
        raise KeyringUnavailable(
            "no system keyring is available, so the token cannot be stored safely;"
            " set STEWARDSHIP_TOKEN for unattended use, or enter it in the console each session"
        )
    import keyring.errors

    try:
        found.set_password(SERVICE, registry_url, token)
    except keyring.errors.KeyringError as exc:
        raise KeyringUnavailable(
            f"the system keyring refused to store the token ({type(exc).__name__})"
        ) from exc


def forget_token(registry_url: str) -> None:
    found = backend()
    if found is None:
        return
    import keyring.errors

    with contextlib.suppress(keyring.errors.PasswordDeleteError):
        found.delete_password(SERVICE, registry_url)
