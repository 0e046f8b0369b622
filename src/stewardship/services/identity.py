"""Who is at the keyboard: the steward name written into audit rows and sign-offs.

The name is the steward's own, kept in the store's settings (asked for when
the window first starts, changed in Settings). ``STEWARDSHIP_STEWARD`` overrides
it (scripts, tests). Without either, headless verbs record the login name, and
a sign-off is refused: it must say which person signed.
"""

from __future__ import annotations

import getpass
import os

from ..domain.errors import Problem, ValidationError
from ..store import Store

SETTING_KEY = "steward_name"
ENV_KEY = "STEWARDSHIP_STEWARD"
MAX_LENGTH = 120
NO_NAME = "set your name first (Settings ▸ Your name): a sign-off records the person who signed"


def named_steward(store: Store | None = None) -> str:
    """The steward's own name (stored setting, else ``STEWARDSHIP_STEWARD``); "" if neither."""
    if store is not None:
        stored = store.get_setting(SETTING_KEY)
        if stored:
            return stored
    return os.environ.get(ENV_KEY, "").strip()


def steward_name(store: Store | None = None) -> str:
    """The name audit rows record: :func:`named_steward`, else the login name."""
    return named_steward(store) or login_name()


def login_name() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return "steward"


def os_full_name() -> str:
    """The operating system's full name for this user ("" where there is none)."""
    try:
        import pwd  # Unix only
    except ImportError:
        return ""
    try:
        gecos = pwd.getpwuid(os.getuid()).pw_gecos
    except (KeyError, OSError):
        return ""
    name = gecos.split(",")[0].strip()
    return "" if name in {"", login_name(), "root"} else name


def check_name(name: str) -> str:
    """``name`` stripped, or a ValidationError saying what is wrong with it."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError(Problem("steward_name", "type your name"))
    if len(name) > MAX_LENGTH:
        raise ValidationError(
            Problem("steward_name", f"at most {MAX_LENGTH} characters, not {len(name)}")
        )
    return name


def set_steward_name(store: Store, name: str) -> str:
    """Keep ``name`` as the steward's own (checked first); returns it as stored."""
    name = check_name(name)
    store.set_setting(SETTING_KEY, name)
    return name


def signer(store: Store) -> str:
    """The name a sign-off records, or a ValidationError when no name is set."""
    name = named_steward(store)
    if not name:
        raise ValidationError(Problem("signed_off_by", NO_NAME))
    return name
