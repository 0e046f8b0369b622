"""``stewardship export``: everything as JSON, one table as CSV, or dates as iCalendar."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..services.exporting import CSV_TABLES, FORMATS, export
from .common import EXIT_OK, CommandError, open_context


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        required=True,
        choices=FORMATS,
        help="json: everything, one document; csv: one table; ics: calendar",
    )
    parser.add_argument("--table", choices=CSV_TABLES, help="the table for --format csv")
    parser.add_argument(
        "-o",
        "--output",
        required=True,
        type=Path,
        metavar="F",
        help="the file to write (replaced whole, never left half-written)",
    )


def run(args: argparse.Namespace) -> int:
    if args.format == "csv" and not args.table:
        raise CommandError("--format csv needs --table " + "|".join(CSV_TABLES))
    if args.format != "csv" and args.table:
        raise CommandError("--table only applies to --format csv")
    target: Path = args.output
    if target.is_dir():
        raise CommandError(f"{target} is a folder; give a file name")
    if not target.parent.is_dir():
        raise CommandError(f"folder {target.parent} does not exist")
    ctx = open_context(args)
    try:
        result = export(ctx.store, args.format, target, table=args.table)
    except OSError as exc:
        raise CommandError(f"cannot write {target}: {exc.strerror or exc}") from exc
    finally:
        ctx.close()
    print(result.summary())
    return EXIT_OK
