"""Who is at the keyboard: the steward name written into audit rows."""

from __future__ import annotations

import getpass
import os

from ..store import Store

SETTING_KEY = "steward_name"


def steward_name(store: Store | None = None) -> str:
    """The steward's name: stored setting, else ``STEWARDSHIP_STEWARD``, else the login name."""
    if store is not None:
        stored = store.get_setting(SETTING_KEY)
        if stored:
            return stored
    env = os.environ.get("STEWARDSHIP_STEWARD")
    if env:
        return env
    try:
        return getpass.getuser()
    except Exception:
        return "steward"
