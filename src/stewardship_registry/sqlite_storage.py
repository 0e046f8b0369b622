"""SQLite storage: WAL mode, one writer at a time (``BEGIN IMMEDIATE``).

Every accepted write takes ``version = registry_version + 1`` inside the write
transaction. Because SQLite admits one writer at a time and a reader sees a
snapshot of committed transactions, versions become visible strictly in
order: a reader that sees version N also sees every version below N, so the
changes feed can never skip one.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from .storage import Principal, StorageBusy, StoredRecord, StoredReply, TokenInfo
from .tokens import Role

#: Fields of a record's data that the server sets on every write.
_SERVER_FIELDS = frozenset({"id", "version", "modified_at", "modified_by", "deleted"})

#: How long a stored batch reply can be replayed with its Idempotency-Key.
IDEMPOTENCY_RETENTION = timedelta(days=30)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS registry_version (
    only_row INTEGER PRIMARY KEY CHECK (only_row = 1),
    version INTEGER NOT NULL
);
INSERT OR IGNORE INTO registry_version (only_row, version) VALUES (1, 0);
CREATE TABLE IF NOT EXISTS records (
    type TEXT NOT NULL,
    id TEXT NOT NULL,
    version INTEGER NOT NULL UNIQUE,
    deleted INTEGER NOT NULL DEFAULT 0,
    data TEXT,
    modified_at TEXT NOT NULL,
    modified_by TEXT NOT NULL DEFAULT '',
    written_by TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (type, id)
);
CREATE TABLE IF NOT EXISTS tokens (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('viewer', 'steward', 'admin')),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
-- (a unique index on the names of active tokens: see _m1_token_lifecycle)
CREATE TABLE IF NOT EXISTS idempotency_keys (
    token_id INTEGER NOT NULL REFERENCES tokens (id),
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status_code INTEGER NOT NULL,
    reply TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (token_id, key)
);
CREATE INDEX IF NOT EXISTS idempotency_created ON idempotency_keys (created_at);
"""


def _m1_token_lifecycle(conn: sqlite3.Connection) -> None:
    """Tokens expire, are rotated (the old one kept for a grace period) and note their last use."""
    conn.execute("ALTER TABLE tokens ADD COLUMN expires_at TEXT")
    conn.execute("ALTER TABLE tokens ADD COLUMN last_used_at TEXT")
    conn.execute("ALTER TABLE tokens ADD COLUMN superseded_at TEXT")
    conn.execute("DROP INDEX IF EXISTS tokens_active_name")
    conn.execute(
        "CREATE UNIQUE INDEX tokens_current_name ON tokens (name)"
        " WHERE revoked_at IS NULL AND superseded_at IS NULL"
    )


#: The registry database's numbered migrations, after the base schema (``PRAGMA
#: user_version`` holds how many ran). Append; never edit one that has shipped.
MIGRATIONS = [_m1_token_lifecycle]


def _migrate(conn: sqlite3.Connection, busy_timeout_ms: int) -> None:
    with _immediate(conn, busy_timeout_ms):
        done = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if done > len(MIGRATIONS):
            raise ValueError(
                f"the registry database is newer than this registry (schema {done}, this "
                f"version knows {len(MIGRATIONS)}); upgrade stewardship-registry"
            )
        for number in range(done + 1, len(MIGRATIONS) + 1):
            MIGRATIONS[number - 1](conn)
            conn.execute(f"PRAGMA user_version = {number}")


def _create_private(path: Path) -> None:
    """Create the database file readable by its owner only (0600), if it does not exist.

    SQLite gives its -wal and -shm files the database file's permissions.
    """
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return
    os.close(fd)


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


@contextmanager
def _immediate(conn: sqlite3.Connection, busy_timeout_ms: int) -> Iterator[sqlite3.Connection]:
    """A write transaction; a lock held past the busy timeout is :class:`StorageBusy`."""
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        if _is_busy(exc):
            raise StorageBusy(
                f"the registry database stayed locked for {busy_timeout_ms / 1000:g} s "
                "(another process holds its write lock)"
            ) from exc
        raise
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="microseconds").replace("+00:00", "Z")


def server_now() -> str:
    """The server's clock, UTC, ISO 8601 with microseconds and a Z (sorts as text)."""
    return _iso(datetime.now(UTC))


def _row_to_record(row: sqlite3.Row) -> StoredRecord:
    return StoredRecord(
        type=row["type"],
        id=row["id"],
        version=row["version"],
        deleted=bool(row["deleted"]),
        modified_at=row["modified_at"],
        modified_by=row["modified_by"],
        written_by=row["written_by"],
        data=None if row["data"] is None else json.loads(row["data"]),
    )


def _token_info(row: sqlite3.Row) -> TokenInfo:
    return TokenInfo(
        name=row["name"],
        role=Role(row["role"]),
        created_at=row["created_at"],
        revoked_at=row["revoked_at"],
        expires_at=row["expires_at"],
        last_used_at=row["last_used_at"],
        superseded_at=row["superseded_at"],
    )


class _SQLiteWrite:
    """The write transaction handed to a batch (see ``storage.WriteTransaction``)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def get(self, type_: str, id_: str) -> StoredRecord | None:
        row = self._conn.execute(
            "SELECT * FROM records WHERE type = ? AND id = ?", (type_, id_)
        ).fetchone()
        return _row_to_record(row) if row else None

    def put(
        self,
        type_: str,
        id_: str,
        *,
        deleted: bool,
        data: dict[str, Any] | None,
        modified_by: str,
        written_by: str,
    ) -> StoredRecord:
        version = self._conn.execute(
            "UPDATE registry_version SET version = version + 1 WHERE only_row = 1 RETURNING version"
        ).fetchone()[0]
        now = server_now()
        if data is not None:
            data = {
                "id": id_,
                "version": version,
                "modified_at": now,
                "modified_by": modified_by,
                "deleted": False,
                **{k: v for k, v in data.items() if k not in _SERVER_FIELDS},
            }
        self._conn.execute(
            "INSERT INTO records (type, id, version, deleted, data, modified_at, modified_by, written_by)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (type, id) DO UPDATE SET version = excluded.version,"
            " deleted = excluded.deleted, data = excluded.data, modified_at = excluded.modified_at,"
            " modified_by = excluded.modified_by, written_by = excluded.written_by",
            (
                type_,
                id_,
                version,
                int(deleted),
                None if data is None else json.dumps(data),
                now,
                modified_by,
                written_by,
            ),
        )
        return StoredRecord(
            type=type_,
            id=id_,
            version=version,
            deleted=deleted,
            modified_at=now,
            modified_by=modified_by,
            written_by=written_by,
            data=data,
        )

    def reply_for(self, principal: Principal, key: str) -> StoredReply | None:
        row = self._conn.execute(
            "SELECT request_hash, status_code, reply FROM idempotency_keys"
            " WHERE token_id = ? AND key = ?",
            (principal.token_id, key),
        ).fetchone()
        if row is None:
            return None
        return StoredReply(row["request_hash"], row["status_code"], json.loads(row["reply"]))

    def store_reply(self, principal: Principal, key: str, reply: StoredReply) -> None:
        cutoff = _iso(datetime.now(UTC) - IDEMPOTENCY_RETENTION)
        self._conn.execute("DELETE FROM idempotency_keys WHERE created_at < ?", (cutoff,))
        self._conn.execute(
            "INSERT INTO idempotency_keys (token_id, key, request_hash, status_code, reply, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                principal.token_id,
                key,
                reply.request_hash,
                reply.status_code,
                json.dumps(reply.body),
                server_now(),
            ),
        )


class SQLiteStorage:
    """The registry's database in one SQLite file (created on first use)."""

    def __init__(self, path: str | Path, *, busy_timeout_ms: int = 30_000) -> None:
        self.path = Path(path)
        self._busy_timeout_ms = busy_timeout_ms
        _create_private(self.path)
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        conn = self._conn()
        conn.execute("PRAGMA journal_mode = WAL")
        conn.executescript("BEGIN IMMEDIATE;" + _SCHEMA + "COMMIT;")
        _migrate(conn, busy_timeout_ms)
        with self._immediate(conn):
            row = conn.execute("SELECT value FROM meta WHERE key = 'registry_id'").fetchone()
            if row is None:
                conn.execute(
                    "INSERT INTO meta (key, value) VALUES ('registry_id', ?)", (uuid.uuid4().hex,)
                )
        self.registry_id: str = conn.execute(
            "SELECT value FROM meta WHERE key = 'registry_id'"
        ).fetchone()[0]

    # -- connections ------------------------------------------------------
    def _conn(self) -> sqlite3.Connection:
        """This thread's connection (sqlite3 connections are not shared across threads)."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(
                self.path,
                isolation_level=None,
                check_same_thread=False,
                timeout=self._busy_timeout_ms / 1000,
            )
            conn.row_factory = sqlite3.Row
            conn.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout_ms)}")
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA foreign_keys = ON")
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    def _immediate(self, conn: sqlite3.Connection) -> AbstractContextManager[sqlite3.Connection]:
        return _immediate(conn, self._busy_timeout_ms)

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
        self._local = threading.local()

    # -- tokens -------------------------------------------------------------
    def authenticate(self, token_hash: str) -> Principal | None:
        row = (
            self._conn()
            .execute(
                "SELECT id, name, role, expires_at FROM tokens"
                " WHERE token_hash = ? AND revoked_at IS NULL",
                (token_hash,),
            )
            .fetchone()
        )
        if row is None:
            return None
        return Principal(row["id"], row["name"], Role(row["role"]), row["expires_at"])

    def add_token(
        self, name: str, role: Role, token_hash: str, *, expires_at: str | None = None
    ) -> TokenInfo:
        conn = self._conn()
        with self._immediate(conn):
            if self._current(conn, name) is not None:
                raise ValueError(f"an active token named '{name}' exists; revoke it first")
            now = server_now()
            conn.execute(
                "INSERT INTO tokens (name, role, token_hash, created_at, expires_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (name, role.value, token_hash, now, expires_at),
            )
        return TokenInfo(
            name=name, role=role, created_at=now, revoked_at=None, expires_at=expires_at
        )

    @staticmethod
    def _current(conn: sqlite3.Connection, name: str) -> sqlite3.Row | None:
        row: sqlite3.Row | None = conn.execute(
            "SELECT * FROM tokens WHERE name = ? AND revoked_at IS NULL AND superseded_at IS NULL",
            (name,),
        ).fetchone()
        return row

    def list_tokens(self) -> list[TokenInfo]:
        rows = self._conn().execute("SELECT * FROM tokens ORDER BY name, created_at")
        return [_token_info(row) for row in rows]

    def revoke_token(self, name: str) -> bool:
        conn = self._conn()
        with self._immediate(conn):
            cur = conn.execute(
                "UPDATE tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL",
                (server_now(), name),
            )
        return cur.rowcount > 0

    def rotate_token(
        self, name: str, token_hash: str, *, grace_until: str, expires_at: str | None
    ) -> TokenInfo:
        conn = self._conn()
        with self._immediate(conn):
            old = self._current(conn, name)
            if old is None:
                raise ValueError(f"no active token named '{name}'")
            now = server_now()
            old_end = old["expires_at"]
            until = min(grace_until, old_end) if old_end else grace_until
            conn.execute(
                "UPDATE tokens SET superseded_at = ?, expires_at = ? WHERE id = ?",
                (now, until, old["id"]),
            )
            conn.execute(
                "INSERT INTO tokens (name, role, token_hash, created_at, expires_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (name, old["role"], token_hash, now, expires_at),
            )
        return TokenInfo(
            name=name,
            role=Role(old["role"]),
            created_at=now,
            revoked_at=None,
            expires_at=expires_at,
        )

    def touch_token(self, token_id: int) -> None:
        conn = self._conn()
        conn.execute("PRAGMA busy_timeout = 100")
        try:
            with self._immediate(conn):
                conn.execute(
                    "UPDATE tokens SET last_used_at = ? WHERE id = ?", (server_now(), token_id)
                )
        except StorageBusy:
            pass  # last use is approximate; never hold a request for it
        finally:
            conn.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout_ms)}")

    # -- records --------------------------------------------------------------
    def current_version(self) -> int:
        return self._conn().execute("SELECT version FROM registry_version").fetchone()[0]

    def changes(self, since: int, limit: int) -> tuple[list[StoredRecord], bool]:
        rows = (
            self._conn()
            .execute(
                "SELECT * FROM records WHERE version > ? ORDER BY version LIMIT ?",
                (since, limit + 1),
            )
            .fetchall()
        )
        return [_row_to_record(r) for r in rows[:limit]], len(rows) > limit

    def get(self, type_: str, id_: str) -> StoredRecord | None:
        row = (
            self._conn()
            .execute("SELECT * FROM records WHERE type = ? AND id = ?", (type_, id_))
            .fetchone()
        )
        return _row_to_record(row) if row else None

    @contextmanager
    def write(self) -> Iterator[_SQLiteWrite]:
        conn = self._conn()
        with self._immediate(conn):
            yield _SQLiteWrite(conn)
