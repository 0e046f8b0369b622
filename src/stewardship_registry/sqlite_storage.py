"""SQLite storage: WAL mode, one writer at a time (``BEGIN IMMEDIATE``).

Every accepted write takes ``version = registry_version + 1`` inside the write
transaction. Because SQLite admits one writer at a time and a reader sees a
snapshot of committed transactions, versions become visible strictly in
order: a reader that sees version N also sees every version below N, so the
changes feed can never skip one. Several server processes may share the file
(``serve --workers N``): the same lock serialises their writers.

The schema comes from ``migrations.py``, run at open.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from .migrations import LATEST, MIGRATIONS, too_new_message
from .storage import (
    TABLES,
    Principal,
    SchemaTooNew,
    StorageUnavailable,
    StoredRecord,
    StoredReply,
    TokenInfo,
)
from .tokens import Role

#: Fields of a record's data that the server sets on every write.
_SERVER_FIELDS = frozenset({"id", "version", "modified_at", "modified_by", "deleted"})

#: How long a stored batch reply can be replayed with its Idempotency-Key.
IDEMPOTENCY_RETENTION = timedelta(days=30)


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


_RECORD_COLUMNS = ", ".join(TABLES["records"])
_HISTORY_INSERT = f"INSERT INTO record_history ({_RECORD_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
_ORDER = {
    "tokens": "id",
    "records": "version",
    "record_history": "version",
    "idempotency_keys": "token_id, key",
}


def _token_info(row: sqlite3.Row) -> TokenInfo:
    return TokenInfo(
        name=row["name"],
        role=Role(row["role"]),
        created_at=row["created_at"],
        revoked_at=row["revoked_at"],
    )


class _SQLiteWrite:
    """The write transaction handed to a batch (see ``storage.WriteTransaction``)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def preload(self, keys: list[tuple[str, str]]) -> None:
        """Nothing to gain: SQLite reads in-process."""

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
        row = (
            type_,
            id_,
            version,
            int(deleted),
            None if data is None else json.dumps(data),
            now,
            modified_by,
            written_by,
        )
        self._conn.execute(
            "INSERT INTO records (type, id, version, deleted, data, modified_at, modified_by, written_by)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (type, id) DO UPDATE SET version = excluded.version,"
            " deleted = excluded.deleted, data = excluded.data, modified_at = excluded.modified_at,"
            " modified_by = excluded.modified_by, written_by = excluded.written_by",
            row,
        )
        self._conn.execute(_HISTORY_INSERT, row)
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
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        conn = self._conn()
        conn.execute("PRAGMA journal_mode = WAL")
        with self._immediate(conn):
            self._migrate(conn)
            row = conn.execute("SELECT value FROM meta WHERE key = 'registry_id'").fetchone()
            if row is None:
                conn.execute(
                    "INSERT INTO meta (key, value) VALUES ('registry_id', ?)", (uuid.uuid4().hex,)
                )
        self.registry_id: str = conn.execute(
            "SELECT value FROM meta WHERE key = 'registry_id'"
        ).fetchone()[0]

    def _migrate(self, conn: sqlite3.Connection) -> None:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " number INTEGER PRIMARY KEY, summary TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        found = conn.execute("SELECT coalesce(max(number), 0) FROM schema_migrations").fetchone()[0]
        if found > LATEST:
            raise SchemaTooNew(too_new_message(found, str(self.path)))
        for migration in MIGRATIONS[found:]:
            for statement in migration.sqlite:
                conn.execute(statement)
            conn.execute(
                "INSERT INTO schema_migrations (number, summary, applied_at) VALUES (?, ?, ?)",
                (migration.number, migration.summary, server_now()),
            )

    def schema_version(self) -> int:
        return self._conn().execute("SELECT max(number) FROM schema_migrations").fetchone()[0]

    def check(self) -> None:
        try:
            self._conn().execute("SELECT version FROM registry_version").fetchone()
        except sqlite3.Error as exc:
            raise StorageUnavailable(f"the registry database does not answer: {exc}") from exc

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

    @staticmethod
    @contextmanager
    def _immediate(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

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
                "SELECT id, name, role FROM tokens WHERE token_hash = ? AND revoked_at IS NULL",
                (token_hash,),
            )
            .fetchone()
        )
        return Principal(row["id"], row["name"], Role(row["role"])) if row else None

    def add_token(self, name: str, role: Role, token_hash: str) -> TokenInfo:
        conn = self._conn()
        with self._immediate(conn):
            if conn.execute(
                "SELECT 1 FROM tokens WHERE name = ? AND revoked_at IS NULL", (name,)
            ).fetchone():
                raise ValueError(f"an active token named '{name}' exists; revoke it first")
            now = server_now()
            conn.execute(
                "INSERT INTO tokens (name, role, token_hash, created_at) VALUES (?, ?, ?, ?)",
                (name, role.value, token_hash, now),
            )
        return TokenInfo(name=name, role=role, created_at=now, revoked_at=None)

    def list_tokens(self) -> list[TokenInfo]:
        rows = self._conn().execute(
            "SELECT name, role, created_at, revoked_at FROM tokens ORDER BY name, created_at"
        )
        return [_token_info(row) for row in rows]

    def revoke_token(self, name: str) -> bool:
        conn = self._conn()
        with self._immediate(conn):
            cur = conn.execute(
                "UPDATE tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL",
                (server_now(), name),
            )
        return cur.rowcount > 0

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

    def history(
        self, type_: str, id_: str, before: int | None, limit: int
    ) -> tuple[list[StoredRecord], bool]:
        rows = (
            self._conn()
            .execute(
                "SELECT * FROM record_history WHERE type = ? AND id = ? AND version < ?"
                " ORDER BY version DESC LIMIT ?",
                (type_, id_, before if before is not None else 2**63 - 1, limit + 1),
            )
            .fetchall()
        )
        return [_row_to_record(r) for r in rows[:limit]], len(rows) > limit

    @contextmanager
    def write(self) -> Iterator[_SQLiteWrite]:
        conn = self._conn()
        with self._immediate(conn):
            yield _SQLiteWrite(conn)

    # -- whole-registry copies (transfer.py) ----------------------------------
    @contextmanager
    def snapshot(self) -> Iterator[_SQLiteSnapshot]:
        """A read transaction: WAL keeps its view fixed while others write."""
        conn = sqlite3.connect(
            self.path, isolation_level=None, timeout=self._busy_timeout_ms / 1000
        )
        try:
            conn.execute("BEGIN")
            version = conn.execute("SELECT version FROM registry_version").fetchone()[0]
            registry_id = conn.execute(
                "SELECT value FROM meta WHERE key = 'registry_id'"
            ).fetchone()[0]
            yield _SQLiteSnapshot(conn, registry_id, version)
            conn.execute("ROLLBACK")
        finally:
            conn.close()

    def is_empty(self) -> bool:
        conn = self._conn()
        if self.current_version():
            return False
        return not any(
            conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone() for table in TABLES
        )

    def load(
        self, registry_id: str, version: int, tables: dict[str, Iterable[tuple[Any, ...]]]
    ) -> None:
        conn = self._conn()
        with self._immediate(conn):
            for table, columns in TABLES.items():
                marks = ", ".join("?" * len(columns))
                conn.executemany(
                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
                    tables.get(table, ()),
                )
            conn.execute("UPDATE registry_version SET version = ?", (version,))
            conn.execute("UPDATE meta SET value = ? WHERE key = 'registry_id'", (registry_id,))
        self.registry_id = registry_id


class _SQLiteSnapshot:
    def __init__(self, conn: sqlite3.Connection, registry_id: str, version: int) -> None:
        self._conn = conn
        self.registry_id = registry_id
        self.version = version

    def rows(self, table: str) -> Iterator[tuple[Any, ...]]:
        columns = TABLES[table]
        cursor = self._conn.execute(
            f"SELECT {', '.join(columns)} FROM {table} ORDER BY {_ORDER[table]}"
        )
        if "deleted" in columns:
            at = columns.index("deleted")
            for row in cursor:
                yield (*row[:at], bool(row[at]), *row[at + 1 :])
        else:
            yield from cursor

    def count(self, table: str) -> int:
        if table not in TABLES:
            raise KeyError(table)
        return self._conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
