"""Putting a finished file in place: atomically, with the user's normal permissions.

Exports and reports are written to a temporary file beside the target and
renamed onto it, so a reader sees the old file or the whole new one. A
temporary file from ``tempfile.mkstemp`` is private (0600); a calendar or a
report on a shared drive must be readable as any file the user saves, so
the file is given the mode the user's umask gives a new file before it is
moved into place (also over an existing file).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

_DEFAULT_UMASK = 0o022


def current_umask() -> int:
    """The process's umask, read without changing it where the system allows."""
    if sys.platform.startswith("linux"):
        try:
            for line in Path("/proc/self/status").read_text().splitlines():
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
        except (OSError, ValueError, IndexError):
            pass
    # Elsewhere the only way is to set it and set it back (briefly process-wide).
    mask = os.umask(_DEFAULT_UMASK)
    os.umask(mask)
    return mask


def user_file_mode() -> int:
    """The permissions a new file of the user's gets: 0666 less the umask (e.g. 0644)."""
    return 0o666 & ~current_umask()


def publish(temp: Path, target: Path) -> None:
    """Give ``temp`` the user's normal permissions and move it onto ``target`` atomically."""
    os.chmod(temp, user_file_mode())
    os.replace(temp, target)
