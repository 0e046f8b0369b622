"""``stewardship transcript get SHA256 -o FILE``: a transcript (or any file a record names),
from this laptop, else from the registry; checked against its digest before it is written.

Exit codes: 0 written, 2 neither this laptop nor the registry has it (or bad
input), 4 registry unreachable, 5 authentication refused.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..domain.errors import ValidationError
from ..services.attached_files import (
    DamagedDownload,
    DigestMismatch,
    RegistryUnreachable,
    save_copy,
)
from ..services.paths import store_path
from ..services.sync_service import AuthRefused, SyncError
from ..store.local_files import is_digest
from .common import EXIT_AUTH, EXIT_OK, EXIT_UNREACHABLE, CommandError, open_context


def configure(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(
        dest="transcript_action", metavar="ACTION", required=True, parser_class=type(parser)
    )
    get = actions.add_parser("get", help="write the file with this SHA-256 to FILE")
    get.add_argument("sha256", metavar="SHA256")
    get.add_argument("-o", "--output", required=True, type=Path, metavar="FILE")
    get.add_argument("--data-dir", metavar="DIR", default=argparse.SUPPRESS)


def run(args: argparse.Namespace) -> int:
    sha = args.sha256.strip().lower()
    if not is_digest(sha):
        raise CommandError(f"'{args.sha256}' is not a SHA-256 digest (64 hexadecimal characters)")
    if not args.output.parent.is_dir():
        raise CommandError(f"-o: no such folder: {args.output.parent}")
    ctx = open_context(args)
    path = store_path(ctx.data_dir)
    ctx.close()
    try:
        origin = save_copy(path, sha, args.output)
    except FileNotFoundError as exc:
        raise CommandError(f"neither this laptop nor the registry has {sha}") from exc
    except AuthRefused as exc:
        raise CommandError(f"this laptop lacks {sha} and {exc}", EXIT_AUTH) from exc
    except RegistryUnreachable as exc:
        raise CommandError(f"this laptop lacks {sha}: {exc}", EXIT_UNREACHABLE) from exc
    except SyncError as exc:  # no registry set up, no token, a refusal
        raise CommandError(f"this laptop lacks {sha}: {exc}") from exc
    except (DamagedDownload, DigestMismatch, ValidationError, OSError) as exc:
        raise CommandError(str(exc)) from exc
    print(f"Wrote {args.output} ({sha[:12]}…, from {origin}, verified)")
    return EXIT_OK
