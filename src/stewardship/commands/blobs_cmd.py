"""``stewardship blobs status``: files waiting to upload, to download, and missing everywhere.

As of the last sync (``stewardship sync`` moves files and refreshes this).
"""

from __future__ import annotations

import argparse

from ..services.attached_files import blobs_status
from .common import EXIT_OK, open_context


def configure(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(
        dest="blobs_action", metavar="ACTION", required=True, parser_class=type(parser)
    )
    status = actions.add_parser("status", help="files waiting to upload, to download, missing")
    status.add_argument("--data-dir", metavar="DIR", default=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    ctx = open_context(args)
    try:
        status = blobs_status(ctx.store, ctx.data_dir)
    finally:
        ctx.close()
    for line in status.lines():
        print(line)
    return EXIT_OK
