"""The registry's storage logic, written once for both SQL backends.

:class:`SQLStorage` holds what ``sqlite_storage.SQLiteStorage`` and
``postgres_storage.PostgresStorage`` do alike: migrations, the registry's id,
tokens (add, list, revoke, rotate, touch), record reads (one record, the changes
feed, history) and :meth:`~SQLStorage.is_empty`; :class:`SQLWrite` is the batch's
write transaction (stamping a record, idempotent replies). Statements are written
once, with ``?`` marks. Each backend supplies the few real differences as hooks:

- ``PARAM``: its driver's parameter mark (``?`` for sqlite3, ``%s`` for psycopg);
- ``ROW_LOCK``: ``FOR UPDATE`` where the database locks rows (SQLite locks the file);
- ``DIALECT``: which statements of a ``migrations.Migration`` it runs;
- ``_reading()``: a connection for reads; ``_locking()``: a write transaction whose
  lock waits end as :class:`~.storage.StorageBusy` (SQLite: ``BEGIN IMMEDIATE``;
  PostgreSQL: ``lock_timeout``);
- ``_name_taken(exc)``: whether an insert failed on the one-current-token-per-name index;
- in :class:`SQLWrite`, ``_next_version()`` and ``_write_row()``: how a write is numbered
  and sent.

How each keeps the changes feed's ordering guarantee is in its own module docstring.
"""

from __future__ import annotations

import json
import logging
import uuid
from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any, ClassVar, Literal, Protocol

from .migrations import LATEST, MIGRATIONS, too_new_message
from .storage import (
    TABLES,
    Principal,
    SchemaTooNew,
    StorageBusy,
    StorageUnavailable,
    StoredRecord,
    StoredReply,
    TokenInfo,
)
from .tokens import Role

log = logging.getLogger(__name__)

#: Fields of a record's data that the server sets on every write.
SERVER_FIELDS = frozenset({"id", "version", "modified_at", "modified_by", "deleted"})

#: How long a stored batch reply can be replayed with its Idempotency-Key.
IDEMPOTENCY_RETENTION = timedelta(days=30)

#: Every table's key order, for copies (``Snapshot.rows``).
ORDER = {
    "tokens": "id",
    "records": "version",
    "record_history": "version",
    "idempotency_keys": "token_id, key",
}

#: A row as both drivers return it here: read by column name (``sqlite3.Row``, a dict).
Row = Any

_RECORD_COLUMNS = ", ".join(TABLES["records"])
#: The statements that write one record (a backend's ``SQLWrite._write_row``).
UPSERT = (
    f"INSERT INTO records ({_RECORD_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (type, id) DO UPDATE SET version = excluded.version,"
    " deleted = excluded.deleted, data = excluded.data,"
    " modified_at = excluded.modified_at, modified_by = excluded.modified_by,"
    " written_by = excluded.written_by"
)
HISTORY_INSERT = f"INSERT INTO record_history ({_RECORD_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
_TOKEN_INSERT = (
    "INSERT INTO tokens (name, role, token_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?)"
)


class Cursor(Protocol):
    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...


class Connection(Protocol):
    """What the shared logic asks of a connection: sqlite3's and psycopg's both answer."""

    def execute(self, query: str, params: Any = ..., /) -> Cursor: ...


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="microseconds").replace("+00:00", "Z")


def server_now() -> str:
    """The server's clock, UTC, ISO 8601 with microseconds and a Z (sorts as text)."""
    return _iso(datetime.now(UTC))


def stored_record(row: Row) -> StoredRecord:
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


def _token_info(row: Row) -> TokenInfo:
    return TokenInfo(
        name=row["name"],
        role=Role(row["role"]),
        created_at=row["created_at"],
        revoked_at=row["revoked_at"],
        expires_at=row["expires_at"],
        last_used_at=row["last_used_at"],
        superseded_at=row["superseded_at"],
    )


@lru_cache(maxsize=256)
def _marked(statement: str, param: str) -> str:
    return statement if param == "?" else statement.replace("?", param)


class _Dialect:
    #: The driver's parameter mark; statements here are written with ``?``.
    PARAM: ClassVar[str] = "?"

    def _q(self, statement: str) -> str:
        """``statement`` with this driver's parameter marks."""
        return _marked(statement, self.PARAM)


class SQLWrite(_Dialect):
    """The write transaction handed to a batch (see ``storage.WriteTransaction``)."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def preload(self, keys: list[tuple[str, str]]) -> None:
        """Nothing to gain by default (SQLite reads in-process)."""

    def get(self, type_: str, id_: str) -> StoredRecord | None:
        row = self._conn.execute(
            self._q("SELECT * FROM records WHERE type = ? AND id = ?"), (type_, id_)
        ).fetchone()
        return stored_record(row) if row else None

    def _next_version(self) -> int:
        """The registry version this write takes (the counter, plus one)."""
        raise NotImplementedError

    def _write_row(self, row: tuple[Any, ...], record: StoredRecord) -> None:
        """Store ``row`` (the columns of ``records``) in records and record_history."""
        raise NotImplementedError

    def _batched(self) -> AbstractContextManager[Any]:
        """Around statements that may be sent together (PostgreSQL: a pipeline)."""
        return nullcontext()

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
        """Write the record with the next registry version and server time."""
        version = self._next_version()
        now = server_now()
        if data is not None:
            data = {
                "id": id_,
                "version": version,
                "modified_at": now,
                "modified_by": modified_by,
                "deleted": False,
                **{k: v for k, v in data.items() if k not in SERVER_FIELDS},
            }
        record = StoredRecord(
            type=type_,
            id=id_,
            version=version,
            deleted=deleted,
            modified_at=now,
            modified_by=modified_by,
            written_by=written_by,
            data=data,
        )
        row = (
            type_,
            id_,
            version,
            deleted,
            None if data is None else json.dumps(data),
            now,
            modified_by,
            written_by,
        )
        self._write_row(row, record)
        return record

    def reply_for(self, principal: Principal, key: str) -> StoredReply | None:
        row = self._conn.execute(
            self._q(
                "SELECT request_hash, status_code, reply FROM idempotency_keys"
                " WHERE token_id = ? AND key = ?"
            ),
            (principal.token_id, key),
        ).fetchone()
        if row is None:
            return None
        return StoredReply(row["request_hash"], row["status_code"], json.loads(row["reply"]))

    def store_reply(self, principal: Principal, key: str, reply: StoredReply) -> None:
        cutoff = _iso(datetime.now(UTC) - IDEMPOTENCY_RETENTION)
        with self._batched():
            self._conn.execute(
                self._q("DELETE FROM idempotency_keys WHERE created_at < ?"), (cutoff,)
            )
            self._conn.execute(
                self._q(
                    "INSERT INTO idempotency_keys"
                    " (token_id, key, request_hash, status_code, reply, created_at)"
                    " VALUES (?, ?, ?, ?, ?, ?)"
                ),
                (
                    principal.token_id,
                    key,
                    reply.request_hash,
                    reply.status_code,
                    json.dumps(reply.body),
                    server_now(),
                ),
            )


class SQLStorage(_Dialect):
    """The part of :class:`~.storage.Storage` both backends share (see the module docstring)."""

    #: Which statements of a ``migrations.Migration`` this database runs.
    DIALECT: ClassVar[Literal["sqlite", "postgresql"]]
    #: Appended to a SELECT that reads a row the transaction will change.
    ROW_LOCK: ClassVar[str] = ""
    #: Names tokens in order the same way on every database (byte order).
    BY_NAME: ClassVar[str] = "name"
    #: The database, for messages (never with a password).
    where: str
    #: A random id made when the database was created; it is part of every cursor.
    registry_id: str

    # -- hooks ----------------------------------------------------------------
    def _reading(self) -> AbstractContextManager[Connection]:
        """A connection for reads (each statement sees committed data)."""
        raise NotImplementedError

    def _locking(self, lock_timeout_ms: int | None = None) -> AbstractContextManager[Connection]:
        """A write transaction whose lock waits end after ``lock_timeout_ms`` (default: the
        busy timeout) as :class:`StorageBusy`."""
        raise NotImplementedError

    def _name_taken(self, exc: Exception) -> bool:
        """``exc`` is the one-current-token-per-name index refusing an insert."""
        raise NotImplementedError

    # -- schema -----------------------------------------------------------------
    def _applied_migrations(self, conn: Connection) -> set[int]:
        """The migrations the database has; :class:`SchemaTooNew` when a newer server
        migrated it."""
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " number INTEGER PRIMARY KEY, summary TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        rows = conn.execute("SELECT number FROM schema_migrations").fetchall()
        applied = {row["number"] for row in rows}
        if applied and max(applied) > LATEST:
            raise SchemaTooNew(too_new_message(max(applied), self.where))
        return applied

    def _note_migration(self, conn: Connection, number: int, summary: str) -> None:
        conn.execute(
            self._q("INSERT INTO schema_migrations (number, summary, applied_at) VALUES (?, ?, ?)"),
            (number, summary, server_now()),
        )

    def _run_migrations(self, conn: Connection, applied: set[int]) -> None:
        """Run every migration not in ``applied``, in order, inside the caller's transaction."""
        for migration in MIGRATIONS:
            if migration.number in applied:
                continue
            log.info("migrating %s to schema version %d", self.where, migration.number)
            for statement in getattr(migration, self.DIALECT):
                conn.execute(statement)
            self._note_migration(conn, migration.number, migration.summary)

    def _identify(self, conn: Connection) -> str:
        """The registry's id, made on first use."""
        conn.execute(
            self._q(
                "INSERT INTO meta (key, value) VALUES ('registry_id', ?)"
                " ON CONFLICT (key) DO NOTHING"
            ),
            (uuid.uuid4().hex,),
        )
        row = conn.execute("SELECT value FROM meta WHERE key = 'registry_id'").fetchone()
        assert row is not None
        value: str = row["value"]
        return value

    def _one(self, sql: str, params: tuple[Any, ...] = ()) -> Row | None:
        with self._reading() as conn:
            return conn.execute(self._q(sql), params).fetchone()

    def _all(self, sql: str, params: tuple[Any, ...] = ()) -> list[Row]:
        with self._reading() as conn:
            return conn.execute(self._q(sql), params).fetchall()

    def schema_version(self) -> int:
        row = self._one("SELECT max(number) AS n FROM schema_migrations")
        return int(row["n"]) if row and row["n"] is not None else 0

    def check(self) -> None:
        self._one("SELECT version FROM registry_version")

    # -- tokens -------------------------------------------------------------
    def authenticate(self, token_hash: str) -> Principal | None:
        row = self._one(
            "SELECT id, name, role, expires_at FROM tokens"
            " WHERE token_hash = ? AND revoked_at IS NULL",
            (token_hash,),
        )
        if row is None:
            return None
        return Principal(row["id"], row["name"], Role(row["role"]), row["expires_at"])

    def add_token(
        self, name: str, role: Role, token_hash: str, *, expires_at: str | None = None
    ) -> TokenInfo:
        """A new token; ValueError if the name has a current (not revoked, not replaced) one."""
        now = server_now()
        try:
            with self._locking() as conn:
                conn.execute(
                    self._q(_TOKEN_INSERT), (name, role.value, token_hash, now, expires_at)
                )
        except Exception as exc:
            if self._name_taken(exc):
                raise ValueError(
                    f"an active token named '{name}' exists; revoke it first"
                ) from None
            raise
        return TokenInfo(
            name=name, role=role, created_at=now, revoked_at=None, expires_at=expires_at
        )

    def list_tokens(self) -> list[TokenInfo]:
        rows = self._all(
            "SELECT name, role, created_at, revoked_at, expires_at, last_used_at,"
            f" superseded_at FROM tokens ORDER BY {self.BY_NAME}, created_at"
        )
        return [_token_info(row) for row in rows]

    def revoke_token(self, name: str) -> bool:
        """Revoke every token of that name not yet revoked (a rotated-out one too)."""
        with self._locking() as conn:
            cur = conn.execute(
                self._q("UPDATE tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL"),
                (server_now(), name),
            )
            return cur.rowcount > 0

    def rotate_token(
        self, name: str, token_hash: str, *, grace_until: str, expires_at: str | None
    ) -> TokenInfo:
        """Replace the name's current token (see ``storage.Storage.rotate_token``)."""
        with self._locking() as conn:
            old = conn.execute(
                self._q(
                    "SELECT id, role, expires_at FROM tokens WHERE name = ?"
                    f" AND revoked_at IS NULL AND superseded_at IS NULL{self.ROW_LOCK}"
                ),
                (name,),
            ).fetchone()
            if old is None:
                raise ValueError(f"no active token named '{name}'")
            now = server_now()
            old_end = old["expires_at"]
            until = min(grace_until, old_end) if old_end else grace_until
            conn.execute(
                self._q("UPDATE tokens SET superseded_at = ?, expires_at = ? WHERE id = ?"),
                (now, until, old["id"]),
            )
            conn.execute(self._q(_TOKEN_INSERT), (name, old["role"], token_hash, now, expires_at))
        return TokenInfo(
            name=name,
            role=Role(old["role"]),
            created_at=now,
            revoked_at=None,
            expires_at=expires_at,
        )

    def touch_token(self, token_id: int) -> None:
        """Note the token's use; skipped (after 0.1 s at most) when the database is busy."""
        try:
            with self._locking(lock_timeout_ms=100) as conn:
                conn.execute(
                    self._q("UPDATE tokens SET last_used_at = ? WHERE id = ?"),
                    (server_now(), token_id),
                )
        except (StorageBusy, StorageUnavailable) as exc:
            # last use is approximate; never hold (or fail) a request for it
            log.info("last use of token %d not noted: %s", token_id, exc)

    # -- records --------------------------------------------------------------
    def current_version(self) -> int:
        row = self._one("SELECT version FROM registry_version")
        assert row is not None
        return int(row["version"])

    def changes(self, since: int, limit: int) -> tuple[list[StoredRecord], bool]:
        rows = self._all(
            "SELECT * FROM records WHERE version > ? ORDER BY version LIMIT ?", (since, limit + 1)
        )
        return [stored_record(r) for r in rows[:limit]], len(rows) > limit

    def get(self, type_: str, id_: str) -> StoredRecord | None:
        row = self._one("SELECT * FROM records WHERE type = ? AND id = ?", (type_, id_))
        return stored_record(row) if row else None

    def history(
        self, type_: str, id_: str, before: int | None, limit: int
    ) -> tuple[list[StoredRecord], bool]:
        rows = self._all(
            "SELECT * FROM record_history WHERE type = ? AND id = ? AND version < ?"
            " ORDER BY version DESC LIMIT ?",
            (type_, id_, before if before is not None else 2**63 - 1, limit + 1),
        )
        return [stored_record(r) for r in rows[:limit]], len(rows) > limit

    def is_empty(self) -> bool:
        """No token, record, history or reply, and the counter at 0."""
        if self.current_version():
            return False
        with self._reading() as conn:
            return not any(
                conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone() for table in TABLES
            )
