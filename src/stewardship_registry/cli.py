"""``stewardship-registry``: run the registry and manage its tokens (README, "Running a registry").

stewardship-registry serve --db DB [--host H] [--port N] [--workers N]
stewardship-registry token create --db DB --name N --role viewer|steward|admin
stewardship-registry token list --db DB
stewardship-registry token revoke --db DB NAME
stewardship-registry copy SRC DST
stewardship-registry backup --db DB FILE
stewardship-registry restore FILE --db DB

DB is an SQLite file path or a ``postgresql://USER@HOST:PORT/NAME`` URL; when
``--db`` is left out, ``STEWARDSHIP_REGISTRY_DB`` names it.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import time
from pathlib import Path
from typing import NoReturn

from . import __version__
from .backends import ENV_DB, default_target, describe, is_postgres, open_storage
from .storage import SchemaTooNew, Storage, StorageUnavailable
from .tokens import Role, hash_token, new_token
from .transfer import TransferError, copy_registry

EXIT_OK, EXIT_USAGE = 0, 2
DEFAULT_PORT = 8470


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # exit code 2 with the reason, like the console
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="stewardship-registry",
        description="The reference registry that Stewardship Consoles sync with.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    verbs = parser.add_subparsers(dest="verb", required=True, parser_class=_Parser)

    env_db = default_target()
    db_help = (
        "the registry database: an SQLite file (created if missing) or a postgresql:// URL"
        f" (default: ${ENV_DB}" + (f", now {describe(env_db)}" if env_db else ", unset") + ")"
    )

    def db_option(p: argparse.ArgumentParser) -> None:
        p.add_argument("--db", required=env_db is None, default=env_db, help=db_help)

    serve = verbs.add_parser("serve", help="serve the registry API over HTTP")
    db_option(serve)
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
    )
    serve.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})"
    )
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="server processes sharing the port and the database (default 1)",
    )

    token = verbs.add_parser("token", help="create, list or revoke access tokens")
    actions = token.add_subparsers(dest="action", required=True, parser_class=_Parser)
    create = actions.add_parser("create", help="make a token and print it once")
    db_option(create)
    create.add_argument("--name", required=True, help="who or what holds the token, e.g. a steward")
    create.add_argument("--role", required=True, choices=[r.value for r in Role])
    listing = actions.add_parser("list", help="list tokens (never the secrets)")
    db_option(listing)
    revoke = actions.add_parser("revoke", help="revoke the active token with this name")
    db_option(revoke)
    revoke.add_argument("name")

    copy = verbs.add_parser(
        "copy",
        help="copy a whole registry into an empty database (e.g. SQLite to PostgreSQL)",
        description="Copy records, their history, tokens, idempotent replies, the version "
        "counter and the registry identity from SRC into the empty DST, then check that "
        "every table's count and a digest of all rows match.",
    )
    copy.add_argument("source", metavar="SRC", help="an SQLite file or a postgresql:// URL")
    copy.add_argument("destination", metavar="DST", help="an empty database (file or URL)")

    backup = verbs.add_parser(
        "backup",
        help="write a consistent backup of a running registry to a new SQLite file",
    )
    db_option(backup)
    backup.add_argument("file", metavar="FILE", type=Path, help="the backup file (must not exist)")

    restore = verbs.add_parser(
        "restore",
        help="restore a backup into an empty database, with a new registry identity",
        description="Consoles that synced with the registry before see a new identity, pull "
        "from the start (409 cursor-reset) and re-send what the backup lacks.",
    )
    restore.add_argument("file", metavar="FILE", type=Path, help="a file made by 'backup'")
    db_option(restore)
    return parser


def _fail(message: str) -> int:
    print(f"stewardship-registry: {message}", file=sys.stderr)
    return EXIT_USAGE


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from .app import create_app
    from .logs import configure_logging

    if not 0 < args.port < 65536:
        return _fail(f"--port must be between 1 and 65535, not {args.port}")
    if not 1 <= args.workers <= 64:
        return _fail(f"--workers must be between 1 and 64, not {args.workers}")
    configure_logging()
    storage = open_storage(args.db, create=True)  # migrates once, before any worker starts
    if not any(t.revoked_at is None for t in storage.list_tokens()):
        print(
            "stewardship-registry: no active token yet; create one with "
            f"'stewardship-registry token create --db {describe(args.db)} --name NAME "
            "--role steward'",
            file=sys.stderr,
        )
    options = {
        "host": args.host,
        "port": args.port,
        "log_level": "info",
        "log_config": None,  # uvicorn's own lines go through configure_logging() too
        "access_log": False,  # the request log (request_log.py) says more, with a request id
        "server_header": False,
    }
    if args.workers > 1:
        # Each worker process opens its own storage (its own pool) from the environment.
        storage.close()
        os.environ[ENV_DB] = str(args.db)
        uvicorn.run(
            "stewardship_registry.worker:create_worker_app",
            factory=True,
            workers=args.workers,
            **options,
        )
        return EXIT_OK
    try:
        uvicorn.run(create_app(storage), **options)
    finally:
        storage.close()
    return EXIT_OK


def _copy(source: str, destination: str, *, what: str, new_identity: bool = False) -> int:
    if source == destination:
        return _fail("the source and the destination are the same database")
    started = time.perf_counter()
    src = open_storage(source, create=False)
    try:
        dst = open_storage(destination, create=True)
        try:
            summary = copy_registry(src, dst, new_identity=new_identity)
        finally:
            dst.close()
    finally:
        src.close()
    print(
        f"{what} {describe(source)} -> {describe(destination)} in "
        f"{time.perf_counter() - started:.1f} s: {summary.describe()}; "
        f"registry id {summary.registry_id}",
        file=sys.stderr,
    )
    return EXIT_OK


def _transfer(args: argparse.Namespace) -> int:
    if args.verb == "copy":
        return _copy(args.source, args.destination, what="copied")
    if args.verb == "backup":
        if args.file.exists():
            return _fail(f"{args.file} exists; a backup goes into a new file")
        try:
            return _copy(args.db, str(args.file), what="backed up")
        except BaseException:
            for suffix in ("", "-wal", "-shm"):  # leave no half-made backup behind
                Path(f"{args.file}{suffix}").unlink(missing_ok=True)
            raise
    if not args.file.is_file():
        return _fail(f"no backup file at {args.file}")
    if is_postgres(str(args.file)):
        return _fail("FILE must be a backup file made by 'stewardship-registry backup'")
    code = _copy(str(args.file), args.db, what="restored", new_identity=True)
    print(
        "The restored registry has a new identity: consoles pull it from the start on their "
        "next sync and send again what it lacks.",
        file=sys.stderr,
    )
    return code


def _token(args: argparse.Namespace) -> int:
    storage: Storage = open_storage(args.db, create=args.action == "create")
    try:
        if args.action == "create":
            name = args.name.strip()
            if not name or any(not ch.isprintable() for ch in name):
                return _fail("--name must be printable text")
            secret = new_token()
            storage.add_token(name, Role(args.role), hash_token(secret))
            print(secret)
            print(
                f"Token '{name}' ({args.role}) created. It is shown only this once: hand it to "
                "its holder now (e.g. 'stewardship login').",
                file=sys.stderr,
            )
        elif args.action == "list":
            tokens = storage.list_tokens()
            if not tokens:
                print("no tokens", file=sys.stderr)
            for t in tokens:
                state = f"revoked {t.revoked_at}" if t.revoked_at else "active"
                print(f"{t.name}\t{t.role}\tcreated {t.created_at}\t{state}")
        else:
            if not storage.revoke_token(args.name):
                return _fail(f"no active token named '{args.name}'")
            print(f"Token '{args.name}' revoked.", file=sys.stderr)
        return EXIT_OK
    finally:
        storage.close()


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.verb == "serve":
            return _serve(args)
        if args.verb == "token":
            return _token(args)
        return _transfer(args)
    except (
        FileNotFoundError,
        ValueError,
        sqlite3.Error,
        OSError,
        StorageUnavailable,
        SchemaTooNew,
        TransferError,
    ) as exc:
        return _fail(str(exc))
