"""The console's log file: where it lives, what goes in, and that no secret does.

One rotating file (1 MB, five old ones kept) in the platform's user log folder,
or in ``$STEWARDSHIP_LOG_DIR``. Set up once when the console starts: a headless
verb opens it at once; the window holds its records in memory (:func:`hold_records`)
and opens the file just after its first paint, so that finding the user log folder
(platformdirs) and loading ``logging.handlers`` cost start-up nothing. Modules log
with ``logging.getLogger(__name__)`` as usual; whatever reaches the file has passed
:class:`RedactingFormatter`, so a token in a message, its arguments or a traceback
is blanked out.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from .. import __version__
from ..domain.redaction import redact
from ..sync.credentials import ENV_TOKEN
from .paths import APP_NAME

if TYPE_CHECKING:
    from logging.handlers import RotatingFileHandler

ENV_LOG_DIR = "STEWARDSHIP_LOG_DIR"
LOG_FILENAME = "stewardship.log"
MAX_BYTES = 1_000_000
BACKUP_COUNT = 5
LINE_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"

log = logging.getLogger(__name__)

_secrets: set[str] = set()
_handler: RotatingFileHandler | None = None


class _HeldRecords(logging.Handler):
    """Records kept in memory until the log file opens (at most :attr:`LIMIT` of them)."""

    LIMIT = 10_000

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if len(self.records) < self.LIMIT:
            self.records.append(record)


_held: _HeldRecords | None = None


def remember_secret(value: str | None) -> None:
    """Blank ``value`` out of every later log line (a token loaded from the keyring)."""
    if value:
        _secrets.add(value)


def known_secrets() -> set[str]:
    env = os.environ.get(ENV_TOKEN, "").strip()
    return _secrets | {env} if env else set(_secrets)


class RedactingFormatter(logging.Formatter):
    """Formats a record as usual, then blanks out every token in the finished text."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record), known_secrets())


def default_log_dir() -> Path:
    import platformdirs  # only here, as for the data folder: not on every start

    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def log_file() -> Path:
    """The log file in use, or the one the console would write to."""
    return Path(_handler.baseFilename) if _handler is not None else _chosen_log_file()


def _chosen_log_file() -> Path:
    chosen = os.environ.get(ENV_LOG_DIR)
    folder = Path(chosen).expanduser() if chosen else default_log_dir()
    return folder / LOG_FILENAME


def configure_logging() -> Path | None:
    """Send the console's log records to the log file; returns its path.

    Calling it again with the same folder does nothing. When the folder cannot
    be written, says so on stderr once and returns None: the console still runs.
    """
    global _handler
    path = Path(os.path.abspath(_chosen_log_file()))
    if _handler is not None and Path(_handler.baseFilename) == path:
        return path
    from logging.handlers import RotatingFileHandler

    held = _take_held()
    shutdown_logging()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = RotatingFileHandler(
            path, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8"
        )
    except OSError as exc:
        print(
            f"stewardship: warning: cannot write the log file {path}: {exc.strerror or exc}",
            file=sys.stderr,
        )
        return None
    handler.setFormatter(RedactingFormatter(LINE_FORMAT))
    for record in held:
        handler.handle(record)
    logging.getLogger().addHandler(handler)
    logging.getLogger("stewardship").setLevel(logging.INFO)
    _handler = handler
    return path


def hold_records() -> None:
    """Keep the console's log records in memory until :func:`configure_logging` opens the file."""
    global _held
    if _handler is None and _held is None:
        _held = _HeldRecords()
        logging.getLogger().addHandler(_held)
        logging.getLogger("stewardship").setLevel(logging.INFO)


def write_held_records() -> None:
    """Open the log file now if records are still held (the console is about to exit)."""
    if _held is not None:
        configure_logging()


def _take_held() -> list[logging.LogRecord]:
    global _held
    if _held is None:
        return []
    logging.getLogger().removeHandler(_held)
    records, _held = _held.records, None
    return records


def shutdown_logging() -> None:
    """Detach and close the log file, and drop held records (tests, between folders)."""
    global _handler
    _take_held()
    if _handler is not None:
        logging.getLogger().removeHandler(_handler)
        _handler.close()
        _handler = None


def log_startup(what: str, data_dir: Path) -> None:
    """The one line each start writes: version, build, what runs, the data folder."""
    from ..buildinfo import build_id

    log.info(
        "Stewardship Console %s (build %s) starting %s; data folder %s; Python %s on %s",
        __version__,
        build_id(),
        what,
        data_dir,
        sys.version.split()[0],
        sys.platform,
    )
