"""``stewardship import FILE``: model schedules (CSV) or the console's JSON export."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..services.file_problems import ImportRefused
from ..services.importing import import_file
from .common import EXIT_OK, EXIT_USAGE, CommandError, open_context


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "file",
        metavar="FILE",
        type=Path,
        help="a CSV of model schedules or a JSON export of this console",
    )


def run(args: argparse.Namespace) -> int:
    path: Path = args.file
    if not path.is_file():
        raise CommandError(f"{path} is not a file")
    ctx = open_context(args)
    try:
        result = import_file(ctx.store, path, ctx.who)
    except ImportRefused as exc:
        print(f"stewardship: error: {exc.report()}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror or exc}") from exc
    finally:
        ctx.close()
    print(f"{path.name}: {result.summary()}")
    return EXIT_OK
