"""``stewardship sync``: one sync cycle with the stored settings, headless.

Exit codes: 0 synced, 3 conflicts to resolve, 4 registry unreachable,
5 authentication refused (also when a read-only token received everything but
could not send the local changes), 2 not set up or bad input.
"""

from __future__ import annotations

import argparse

from ..services.paths import store_path
from ..services.sync_service import run_sync
from ..sync.errors import AuthRefused, NotConfigured, RegistryProtocolError, RegistryUnreachable
from .common import (
    EXIT_AUTH,
    EXIT_CONFLICTS,
    EXIT_OK,
    EXIT_UNREACHABLE,
    CommandError,
    open_context,
)


def configure(parser: argparse.ArgumentParser) -> None:
    del parser


def run(args: argparse.Namespace) -> int:
    ctx = open_context(args)  # checks and migrates the data folder
    path = store_path(ctx.data_dir)
    ctx.close()
    try:
        summary = run_sync(path)
    except NotConfigured as exc:
        raise CommandError(str(exc)) from exc
    except AuthRefused as exc:
        raise CommandError(f"sync failed: {exc}", EXIT_AUTH) from exc
    except (RegistryUnreachable, RegistryProtocolError) as exc:
        raise CommandError(f"sync failed: {exc}", EXIT_UNREACHABLE) from exc
    print(summary.line())
    if summary.read_only and summary.waiting:
        raise CommandError(
            f"this token may only read: everything was received, but {summary.waiting} local"
            " change(s) could not be sent; sign in with a steward token ('stewardship login')",
            EXIT_AUTH,
        )
    return EXIT_CONFLICTS if summary.conflicts else EXIT_OK
