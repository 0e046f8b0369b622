"""``stewardship-registry``: run the registry and manage its tokens (README, "Running a registry").

stewardship-registry serve --db PATH [--host H] [--port N] [--blobs DIR|s3://BUCKET/PREFIX]
                           [--max-blob-size BYTES] [--root-path P] [--log-level L]
                           [--forwarded-allow-ips IPS]
stewardship-registry token create --db PATH --name N --role viewer|steward|admin [--expires 90d]
stewardship-registry token list --db PATH
stewardship-registry token rotate --db PATH NAME [--grace 24h] [--expires 90d]
stewardship-registry token revoke --db PATH NAME
"""

from __future__ import annotations

import argparse
import logging
import sqlite3
import sys
from datetime import datetime
from pathlib import Path
from typing import NoReturn

from . import __version__
from .blob_store import DEFAULT_BLOB_LIMIT, default_blob_dir, open_blob_store
from .sqlite_storage import SQLiteStorage
from .tokens import Role, expiry_after, hash_token, new_token, parse_duration, utc_iso

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

    serve = verbs.add_parser("serve", help="serve the registry API over HTTP")
    serve.add_argument(
        "--db", required=True, type=Path, help="the registry database (created if missing)"
    )
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
    )
    serve.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})"
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
    create.add_argument("--db", required=True, type=Path)
    create.add_argument("--name", required=True, help="who or what holds the token, e.g. a steward")
    create.add_argument("--role", required=True, choices=[r.value for r in Role])
    create.add_argument(
        "--expires",
        metavar="DURATION",
        help="stop working after this long, e.g. 90d, 12h, 2w (default: never)",
    )
    listing = actions.add_parser("list", help="list tokens with expiry and last use (no secrets)")
    listing.add_argument("--db", required=True, type=Path)
    rotate = actions.add_parser(
        "rotate", help="give the name a new secret; the old one works for a grace period"
    )
    rotate.add_argument("--db", required=True, type=Path)
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
    revoke.add_argument("--db", required=True, type=Path)
    revoke.add_argument("name")
    return parser


def _fail(message: str) -> int:
    print(f"stewardship-registry: {message}", file=sys.stderr)
    return EXIT_USAGE


def _open(path: Path, *, create: bool) -> SQLiteStorage:
    if not create and not path.is_file():
        raise FileNotFoundError(f"no registry database at {path}")
    if create:
        path.parent.mkdir(parents=True, exist_ok=True)
    return SQLiteStorage(path)


def _serve(args: argparse.Namespace) -> int:

    import uvicorn

    from .app import create_app
    from .logs import configure_logging
    from .server import server_config

    if not 0 < args.port < 65536:
        return _fail(f"--port must be between 1 and 65535, not {args.port}")
    if args.max_blob_size < 1:
        return _fail(f"--max-blob-size must be at least 1, not {args.max_blob_size}")
    root_path = args.root_path.rstrip("/")
    if root_path and not root_path.startswith("/"):
        return _fail(f"--root-path must start with '/', e.g. /registry (not '{args.root_path}')")
    configure_logging(level=getattr(logging, args.log_level.upper()))
    storage = _open(args.db, create=True)
    blobs = open_blob_store(args.blobs or default_blob_dir(args.db))
    logging.getLogger("stewardship_registry").info("files kept in %s", blobs.description)
    if not any(t.revoked_at is None for t in storage.list_tokens()):
        print(
            "stewardship-registry: no active token yet; create one with "
            f"'stewardship-registry token create --db {args.db} --name NAME --role steward'",
            file=sys.stderr,
        )
    config = server_config(
        create_app(storage, blobs=blobs, blob_limit=args.max_blob_size),
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        forwarded_allow_ips=args.forwarded_allow_ips,
        root_path=root_path,
        log_config=None,  # uvicorn's own lines go through configure_logging() too
        access_log=False,  # the request log (request_log.py) says more, with a request id
    )
    try:
        uvicorn.Server(config).run()
    finally:
        storage.close()
    return EXIT_OK


def _token(args: argparse.Namespace) -> int:
    storage = _open(args.db, create=args.action == "create")
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
        return _serve(args) if args.verb == "serve" else _token(args)
    except (FileNotFoundError, ValueError, sqlite3.Error, OSError) as exc:
        return _fail(str(exc))
