"""``stewardship login``: read a token from stdin into the OS keyring."""

from __future__ import annotations

import argparse
import getpass
import sys

from ..services.sync_service import registry_settings
from ..sync.credentials import KeyringUnavailable, store_token
from .common import EXIT_OK, CommandError, open_context


def configure(parser: argparse.ArgumentParser) -> None:
    del parser


def _read_token() -> str:
    if sys.stdin.isatty():
        return getpass.getpass("Registry token: ")
    return sys.stdin.readline()


def run(args: argparse.Namespace) -> int:
    ctx = open_context(args)
    try:
        settings = registry_settings(ctx.store)
    finally:
        ctx.close()
    if not settings.configured:
        raise CommandError("no registry set up: run 'stewardship registry set URL' first")
    token = _read_token().strip()
    if not token:
        raise CommandError("no token given on standard input")
    try:
        store_token(settings.url, token)
    except KeyringUnavailable as exc:
        raise CommandError(str(exc)) from exc
    print(f"Token for {settings.url} stored in the system keyring.")
    return EXIT_OK
