"""``stewardship registry set URL [--ca-bundle PEM] [--insecure]``: the registry this data
folder syncs with. Plain ``http://`` to another computer is refused unless ``--insecure``."""

from __future__ import annotations

import argparse
import sys

from ..domain.errors import ValidationError
from ..services.sync_service import save_registry, validate_registry
from .common import EXIT_OK, CommandError, open_context


def configure(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(
        dest="registry_action", metavar="ACTION", required=True, parser_class=type(parser)
    )
    set_parser = actions.add_parser("set", help="set the registry URL (and CA bundle)")
    set_parser.add_argument("url", metavar="URL")
    set_parser.add_argument(
        "--ca-bundle",
        metavar="PEM",
        default="",
        help="an organisation CA bundle to verify the registry's TLS certificate",
    )
    set_parser.add_argument(
        "--insecure",
        action="store_true",
        help="allow plain http:// to another computer (a test lab only: the token travels"
        " in clear text; every sync warns)",
    )
    set_parser.add_argument("--data-dir", metavar="DIR", default=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    try:
        settings = validate_registry(args.url, args.ca_bundle, insecure=args.insecure)
    except ValidationError as exc:
        raise CommandError(str(exc)) from exc
    if settings.insecure:
        print(f"stewardship: warning: {settings.clear_text_warning}", file=sys.stderr)
    ctx = open_context(args)
    try:
        save_registry(ctx.store, settings)
    finally:
        ctx.close()
    print(
        f"Registry set to {settings.url}"
        + (f" (CA bundle {settings.ca_bundle})" if settings.ca_bundle else "")
    )
    return EXIT_OK
