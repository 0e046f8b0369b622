"""Where a steward's data lives: the data folder and the store inside it."""

from __future__ import annotations

import os
from pathlib import Path

from ..store import DB_FILENAME

APP_NAME = "stewardship-console"
ENV_DATA_DIR = "STEWARDSHIP_DATA_DIR"


class DataDirError(Exception):
    """The data folder cannot be used; the message says why in one line."""


def default_data_dir() -> Path:
    import platformdirs  # only here: imported when no folder is named, not on every start

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def resolve_data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """``--data-dir``, else ``STEWARDSHIP_DATA_DIR``, else the platform's user data folder."""
    if explicit is not None and not str(explicit).strip():
        raise DataDirError("the data folder named is empty; name a folder")
    chosen = explicit or os.environ.get(ENV_DATA_DIR) or default_data_dir()
    return Path(chosen).expanduser()


def prepare_data_dir(path: Path) -> Path:
    """Create the data folder if needed and check it can be read and written."""
    if path.exists() and not path.is_dir():
        raise DataDirError(f"data folder {path} is a file, not a folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataDirError(f"cannot create data folder {path}: {exc.strerror or exc}") from exc
    if not os.access(path, os.R_OK | os.W_OK | os.X_OK):
        raise DataDirError(f"data folder {path} is not readable and writable by you")
    return path


def store_path(data_dir: Path) -> Path:
    return data_dir / DB_FILENAME
