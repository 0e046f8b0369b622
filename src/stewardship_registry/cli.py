"""``stewardship-registry``: run the registry and manage its tokens (README, "Running a registry").

stewardship-registry serve --db DB [--host H] [--port N] [--workers N]
                           [--blobs DIR|s3://BUCKET/PREFIX] [--max-blob-size BYTES]
                           [--root-path P] [--log-level L] [--forwarded-allow-ips IPS]
stewardship-registry token create --db DB --name N --role viewer|steward|admin [--expires 90d]
stewardship-registry token list --db DB
stewardship-registry token rotate --db DB NAME [--grace 24h] [--expires 90d]
stewardship-registry token revoke --db DB NAME
stewardship-registry copy SRC DST
stewardship-registry backup --db DB FILE
stewardship-registry restore FILE --db DB

DB is an SQLite file path or a ``postgresql://USER@HOST:PORT/NAME`` URL; when
``--db`` is left out, ``STEWARDSHIP_REGISTRY_DB`` names it.
"""

from __future__ import annotations

import argparse
import logging
import os
import sqlite3
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import NoReturn

from . import __version__
from .backends import ENV_DB, default_target, describe, is_postgres, open_storage
from .blob_store import DEFAULT_BLOB_LIMIT, default_blob_dir, open_blob_store
from .storage import SchemaTooNew, Storage, StorageBusy, StorageUnavailable
from .tokens import Role, expiry_after, hash_token, new_token, parse_duration, utc_iso
from .transfer import TransferError, copy_registry

EXIT_OK, EXIT_USAGE = 0, 2
DEFAULT_GRACE = "24h"
DEFAULT_PORT = 8470
LOG_LEVELS = ["debug", "info", "warning", "error", "critical"]


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
    serve.add_argument(
        "--blobs",
        metavar="DIR|s3://BUCKET/PREFIX",
        help="where files (transcripts, evidence) are kept: a folder (default: beside the "
        "database, NAME-blobs/) or S3-compatible storage (boto3; AWS_ENDPOINT_URL and the "
        "standard AWS credential variables apply)",
    )
    serve.add_argument(
        "--max-blob-size",
        type=int,
        default=DEFAULT_BLOB_LIMIT,
        metavar="BYTES",
        help=f"the largest file accepted (default {DEFAULT_BLOB_LIMIT}, 2 GiB)",
    )
    serve.add_argument(
        "--root-path",
        default="",
        metavar="P",
        help="the path the reverse proxy serves the registry under, e.g. /registry",
    )
    serve.add_argument(
        "--log-level",
        default="info",
        choices=LOG_LEVELS,
        help="the lowest level logged (default info)",
    )
    serve.add_argument(
        "--forwarded-allow-ips",
        default="127.0.0.1,::1",
        metavar="IPS",
        help="comma-separated addresses of reverse proxies whose X-Forwarded-For and "
        "X-Forwarded-Proto are believed (default 127.0.0.1,::1); the client address they "
        "give is the one rate limits and logs use",
    )

    token = verbs.add_parser("token", help="create, list, rotate or revoke access tokens")
    actions = token.add_subparsers(dest="action", required=True, parser_class=_Parser)
    create = actions.add_parser("create", help="make a token and print it once")
    db_option(create)
    create.add_argument("--name", required=True, help="who or what holds the token, e.g. a steward")
    create.add_argument("--role", required=True, choices=[r.value for r in Role])
    create.add_argument(
        "--expires",
        metavar="DURATION",
        help="stop working after this long, e.g. 90d, 12h, 2w (default: never)",
    )
    listing = actions.add_parser("list", help="list tokens with expiry and last use (no secrets)")
    db_option(listing)
    rotate = actions.add_parser(
        "rotate", help="give the name a new secret; the old one works for a grace period"
    )
    db_option(rotate)
    rotate.add_argument("name")
    rotate.add_argument(
        "--grace",
        metavar="DURATION",
        default=DEFAULT_GRACE,
        help=f"how long the old secret keeps working (default {DEFAULT_GRACE})",
    )
    rotate.add_argument(
        "--expires",
        metavar="DURATION",
        help="the new secret's lifetime (default: the old one's, or never)",
    )
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
    from .server import run_workers, server_config
    from .worker import ENV_BLOBS, ENV_LOG_LEVEL, ENV_MAX_BLOB_SIZE

    if not 0 < args.port < 65536:
        return _fail(f"--port must be between 1 and 65535, not {args.port}")
    if not 1 <= args.workers <= 64:
        return _fail(f"--workers must be between 1 and 64, not {args.workers}")
    if args.max_blob_size < 1:
        return _fail(f"--max-blob-size must be at least 1, not {args.max_blob_size}")
    root_path = args.root_path.rstrip("/")
    if root_path and not root_path.startswith("/"):
        return _fail(f"--root-path must start with '/', e.g. /registry (not '{args.root_path}')")
    configure_logging(level=getattr(logging, args.log_level.upper()))
    storage = open_storage(args.db, create=True)  # migrates once, before any worker starts
    # Files: --blobs, else a folder beside an SQLite file; a PostgreSQL registry keeps
    # none unless told where (its workers may run on several hosts).
    blobs_spec = args.blobs or (None if is_postgres(args.db) else str(default_blob_dir(args.db)))
    blobs = open_blob_store(blobs_spec) if blobs_spec else None
    logging.getLogger("stewardship_registry").info(
        "files kept in %s", blobs.description if blobs else "nowhere (no --blobs)"
    )
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
        "log_level": args.log_level,
        "forwarded_allow_ips": args.forwarded_allow_ips,
        "root_path": root_path,
        "log_config": None,  # uvicorn's own lines go through configure_logging() too
        "access_log": False,  # the request log (request_log.py) says more, with a request id
    }
    if args.workers > 1:
        # Each worker process opens its own storage (its own pool) from the environment,
        # and serves with the same limits (header timeout, connection limit) as one process.
        storage.close()
        os.environ[ENV_DB] = str(args.db)
        os.environ[ENV_BLOBS] = blobs_spec or ""
        os.environ[ENV_MAX_BLOB_SIZE] = str(args.max_blob_size)
        os.environ[ENV_LOG_LEVEL] = args.log_level
        run_workers(
            server_config(
                "stewardship_registry.worker:create_worker_app",
                factory=True,
                workers=args.workers,
                **options,
            )
        )
        return EXIT_OK
    config = server_config(
        create_app(storage, blobs=blobs, blob_limit=args.max_blob_size), **options
    )
    try:
        uvicorn.Server(config).run()
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
            if not name or any(not ch.isprintable() for ch in name) or "/" in name:
                return _fail("--name must be printable text without '/'")
            expires_at = expiry_after(parse_duration(args.expires)) if args.expires else None
            secret = new_token()
            storage.add_token(name, Role(args.role), hash_token(secret), expires_at=expires_at)
            print(secret)
            until = f", expires {expires_at}" if expires_at else ""
            print(
                f"Token '{name}' ({args.role}{until}) created. It is shown only this once: hand "
                "it to its holder now (e.g. 'stewardship login').",
                file=sys.stderr,
            )
        elif args.action == "list":
            tokens = storage.list_tokens()
            if not tokens:
                print("no tokens", file=sys.stderr)
            now = utc_iso()
            for t in tokens:
                state = t.state(now)
                if state == "revoked":
                    state = f"revoked {t.revoked_at}"
                expires = f"expires {t.expires_at}" if t.expires_at else "never expires"
                used = f"last used {t.last_used_at}" if t.last_used_at else "never used"
                print(f"{t.name}\t{t.role}\tcreated {t.created_at}\t{state}\t{expires}\t{used}")
        elif args.action == "rotate":
            old = [
                t
                for t in storage.list_tokens()
                if t.name == args.name and not t.revoked_at and not t.superseded_at
            ]
            grace_until = expiry_after(parse_duration(args.grace))
            new_end: str | None = None
            if args.expires:
                new_end = expiry_after(parse_duration(args.expires))
            elif old and old[0].expires_at:
                lifetime = _parse_iso(old[0].expires_at) - _parse_iso(old[0].created_at)
                new_end = expiry_after(lifetime)
            secret = new_token()
            storage.rotate_token(
                args.name, hash_token(secret), grace_until=grace_until, expires_at=new_end
            )
            print(secret)
            print(
                f"Token '{args.name}' rotated: this new secret is shown only once; the old one "
                f"keeps working until {grace_until}, then stops.",
                file=sys.stderr,
            )
        else:
            if not storage.revoke_token(args.name):
                return _fail(f"no active token named '{args.name}'")
            print(f"Token '{args.name}' revoked.", file=sys.stderr)
        return EXIT_OK
    finally:
        storage.close()


def _parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


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
        StorageBusy,
        StorageUnavailable,
        SchemaTooNew,
        TransferError,
    ) as exc:
        return _fail(str(exc))
