"""What every headless verb shares: exit codes, the one-line error, opening the store."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..app import AppContext
from ..services.paths import DataDirError, resolve_data_dir
from ..store import StoreError

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_CONFLICTS = 3
EXIT_UNREACHABLE = 4
EXIT_AUTH = 5


class CommandError(Exception):
    """Bad usage or input: printed as one line on stderr, exit code 2 unless given."""

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.code = code


def fail(message: str, code: int = EXIT_USAGE) -> int:
    print(f"stewardship: error: {message}", file=sys.stderr)
    return code


def data_dir_of(args: argparse.Namespace) -> Path:
    return resolve_data_dir(getattr(args, "data_dir", None))


def open_context(args: argparse.Namespace) -> AppContext:
    """Open the data folder named by ``--data-dir``/env/platform default, or raise CommandError."""
    try:
        ctx = AppContext.open(data_dir_of(args))
    except (DataDirError, StoreError) as exc:
        raise CommandError(str(exc)) from exc
    for problem in ctx.config_warnings:
        print(f"stewardship: warning: {problem}", file=sys.stderr)
    return ctx
