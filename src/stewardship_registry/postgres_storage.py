"""PostgreSQL storage (psycopg 3 and a psycopg_pool connection pool).

How versions commit in order. The changes feed promises that a reader who
has seen version N has seen every version below N. A PostgreSQL sequence
cannot keep that promise: transaction A takes 5, B takes 6, B commits first,
and a reader paging meanwhile moves its cursor to 6 and never sees 5. So
versions do not come from a sequence. Every write transaction starts with

    SELECT version FROM registry_version WHERE only_row = 1 FOR UPDATE

which locks the one counter row until that transaction ends, numbers its
writes from it and stores the new counter just before committing. A second
writer (in this process or in another server process) waits at that
``SELECT`` until the first has committed or rolled back, and PostgreSQL makes
a transaction visible to new snapshots before it releases its locks, so by
the time the second writer can take version N+1, version N is visible to
everyone. Versions therefore become visible strictly in order, exactly as
SQLite's single writer gives them.

Why the row lock and not an advisory lock: the row lock lives on the very
row it protects, so nothing that writes records can forget to take it, it is
released by commit, rollback or a dropped connection alike, and it shows in
``pg_locks`` as a wait on ``registry_version``. The price is the same as
SQLite's: writers (batches) run one at a time; readers never wait. Because
the lock is taken before a batch reads anything, the version checks of a
batch see the latest committed state (READ COMMITTED takes a new snapshot per
statement), and two requests with the same Idempotency-Key are serialised: the
second replays the first's stored reply.

Reads run in autocommit, one statement each, so every page of the feed is
one consistent snapshot and no connection sits idle in a transaction.

A lock held too long (another session holding the counter row or a token
row past ``lock_timeout``, 30 s by default) raises
:class:`~.storage.StorageBusy`, answered ``503`` with ``Retry-After`` as on
SQLite. Connection trouble (the server down, the pool exhausted for longer than
``connect_timeout``) raises :class:`~.storage.StorageUnavailable`, which the
API answers with ``503``; the pool checks each connection before lending it,
so a restarted PostgreSQL costs no failed request beyond its downtime.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import psycopg
import psycopg_pool
from psycopg.rows import dict_row

from .migrations import LATEST, MIGRATIONS, too_new_message
from .sqlite_storage import IDEMPOTENCY_RETENTION, server_now
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
_SERVER_FIELDS = frozenset({"id", "version", "modified_at", "modified_by", "deleted"})
#: Any constant: the advisory lock key that serialises migrations across processes.
_MIGRATION_LOCK = 0x5354_5752  # "STWR"
_RECORD_COLUMNS = ", ".join(TABLES["records"])
_ORDER = {
    "tokens": "id",
    "records": "version",
    "record_history": "version",
    "idempotency_keys": 'token_id, key COLLATE "C"',
}


def is_postgres_url(target: str) -> bool:
    return target.startswith(("postgresql://", "postgres://"))


def redacted(url: str) -> str:
    """The URL without its password, for messages and logs."""
    info = psycopg.conninfo.conninfo_to_dict(url)
    host = info.get("host", "")
    port = f":{info['port']}" if info.get("port") else ""
    user = f"{info['user']}@" if info.get("user") else ""
    return f"postgresql://{user}{host}{port}/{info.get('dbname', '')}"


def _record(row: dict[str, Any]) -> StoredRecord:
    return StoredRecord(
        type=row["type"],
        id=row["id"],
        version=row["version"],
        deleted=row["deleted"],
        modified_at=row["modified_at"],
        modified_by=row["modified_by"],
        written_by=row["written_by"],
        data=None if row["data"] is None else json.loads(row["data"]),
    )


_UPSERT = (
    f"INSERT INTO records ({_RECORD_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
    " ON CONFLICT (type, id) DO UPDATE SET version = excluded.version,"
    " deleted = excluded.deleted, data = excluded.data,"
    " modified_at = excluded.modified_at, modified_by = excluded.modified_by,"
    " written_by = excluded.written_by"
)
_HISTORY_INSERT = (
    f"INSERT INTO record_history ({_RECORD_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
)


class _PostgresWrite:
    """The write transaction handed to a batch; it holds the counter row's lock.

    The records a batch names are read in one query (:meth:`preload`), and its
    writes are collected and sent together when the batch ends (:meth:`flush`,
    pipelined), instead of round trips per record; :meth:`get` sees the pending
    writes, so a second operation on a record in the same batch meets the first
    one's version, as on SQLite. All of it happens under the counter row's lock.
    """

    def __init__(self, conn: psycopg.Connection[dict[str, Any]], version: int) -> None:
        self._conn = conn
        self.version = version
        self._rows: list[tuple[Any, ...]] = []
        # records this batch read (preload) or wrote, by (type, id); None: not there
        self._pending: dict[tuple[str, str], StoredRecord | None] = {}

    def flush(self) -> None:
        if not self._rows:
            return
        with self._conn.cursor() as cur:
            cur.executemany(_UPSERT, self._rows)
            cur.executemany(_HISTORY_INSERT, self._rows)
        self._rows.clear()

    def preload(self, keys: list[tuple[str, str]]) -> None:
        """Read every record the batch names in one query (one round trip, not one each)."""
        # str(): a RecordType member is a str; the keys must equal the database's plain text
        wanted = [k for k in dict.fromkeys((str(t), i) for t, i in keys) if k not in self._pending]
        if not wanted:
            return
        rows = self._conn.execute(
            "SELECT r.* FROM records r JOIN unnest(%s::text[], %s::text[]) AS k(type, id)"
            " ON r.type = k.type AND r.id = k.id",
            ([t for t, _ in wanted], [i for _, i in wanted]),
        ).fetchall()
        found = {(r["type"], r["id"]): _record(r) for r in rows}
        for key in wanted:
            self._pending[key] = found.get(key)

    def get(self, type_: str, id_: str) -> StoredRecord | None:
        if (str(type_), id_) in self._pending:
            return self._pending[(str(type_), id_)]
        row = self._conn.execute(
            "SELECT * FROM records WHERE type = %s AND id = %s", (type_, id_)
        ).fetchone()
        return _record(row) if row else None

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
        self.version += 1
        version = self.version
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
            deleted,
            None if data is None else json.dumps(data),
            now,
            modified_by,
            written_by,
        )
        self._rows.append(row)
        record = self._pending[(str(type_), id_)] = StoredRecord(
            type=type_,
            id=id_,
            version=version,
            deleted=deleted,
            modified_at=now,
            modified_by=modified_by,
            written_by=written_by,
            data=data,
        )
        return record

    def reply_for(self, principal: Principal, key: str) -> StoredReply | None:
        row = self._conn.execute(
            "SELECT request_hash, status_code, reply FROM idempotency_keys"
            " WHERE token_id = %s AND key = %s",
            (principal.token_id, key),
        ).fetchone()
        if row is None:
            return None
        return StoredReply(row["request_hash"], row["status_code"], json.loads(row["reply"]))

    def store_reply(self, principal: Principal, key: str, reply: StoredReply) -> None:
        cutoff = (datetime.now(UTC) - IDEMPOTENCY_RETENTION).isoformat(timespec="microseconds")
        with self._conn.pipeline():
            self._conn.execute(
                "DELETE FROM idempotency_keys WHERE created_at < %s",
                (cutoff.replace("+00:00", "Z"),),
            )
            self._conn.execute(
                "INSERT INTO idempotency_keys"
                " (token_id, key, request_hash, status_code, reply, created_at)"
                " VALUES (%s, %s, %s, %s, %s, %s)",
                (
                    principal.token_id,
                    key,
                    reply.request_hash,
                    reply.status_code,
                    json.dumps(reply.body),
                    server_now(),
                ),
            )


class PostgresStorage:
    """The registry's database in PostgreSQL (the schema is made or migrated at open)."""

    def __init__(
        self,
        url: str,
        *,
        min_connections: int = 1,
        max_connections: int = 10,
        connect_timeout: float = 10.0,
        busy_timeout_ms: int = 30_000,
    ) -> None:
        self.url = url
        self.where = redacted(url)
        self._timeout = connect_timeout
        self._busy_timeout_ms = busy_timeout_ms
        self._pool: psycopg_pool.ConnectionPool[psycopg.Connection[dict[str, Any]]] = (
            psycopg_pool.ConnectionPool(
                url,
                min_size=min_connections,
                max_size=max_connections,
                kwargs={"autocommit": True, "row_factory": dict_row},
                check=psycopg_pool.ConnectionPool.check_connection,
                name="stewardship-registry",
                open=False,
            )
        )
        try:
            self._pool.open(wait=True, timeout=connect_timeout)
        except psycopg_pool.PoolTimeout as exc:
            self._pool.close()
            raise StorageUnavailable(
                f"cannot connect to {self.where} within {connect_timeout:g} s"
                " (is PostgreSQL running, the database created, the user allowed?)"
            ) from exc
        try:
            with self._connection() as conn, conn.transaction():
                self._migrate(conn)
                conn.execute(
                    "INSERT INTO meta (key, value) VALUES ('registry_id', %s)"
                    " ON CONFLICT (key) DO NOTHING",
                    (uuid.uuid4().hex,),
                )
                row = conn.execute("SELECT value FROM meta WHERE key = 'registry_id'").fetchone()
                assert row is not None
                self.registry_id: str = row["value"]
        except BaseException:
            self._pool.close()
            raise

    # -- connections ------------------------------------------------------
    @contextmanager
    def _connection(self) -> Iterator[psycopg.Connection[dict[str, Any]]]:
        try:
            with self._pool.connection(timeout=self._timeout) as conn:
                yield conn
        except psycopg_pool.PoolTimeout as exc:
            raise StorageUnavailable(
                f"no connection to {self.where} within {self._timeout:g} s"
            ) from exc
        except psycopg.errors.LockNotAvailable:
            raise  # a lock wait past lock_timeout: StorageBusy (_locking), not unreachable
        except psycopg.OperationalError as exc:
            raise StorageUnavailable(f"the database {self.where} failed: {exc}") from exc

    def _migrate(self, conn: psycopg.Connection[dict[str, Any]]) -> None:
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " number INTEGER PRIMARY KEY, summary TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        row = conn.execute("SELECT coalesce(max(number), 0) AS n FROM schema_migrations").fetchone()
        found = row["n"] if row else 0
        if found > LATEST:
            raise SchemaTooNew(too_new_message(found, self.where))
        for migration in MIGRATIONS[found:]:
            log.info("migrating %s to schema version %d", self.where, migration.number)
            for statement in migration.postgresql:
                conn.execute(statement)
            conn.execute(
                "INSERT INTO schema_migrations (number, summary, applied_at) VALUES (%s, %s, %s)",
                (migration.number, migration.summary, server_now()),
            )

    def _one(self, sql: str, params: tuple[Any, ...] = ()) -> dict[str, Any] | None:
        with self._connection() as conn:
            return conn.execute(sql, params).fetchone()

    def schema_version(self) -> int:
        row = self._one("SELECT max(number) AS n FROM schema_migrations")
        return row["n"] if row else 0

    def check(self) -> None:
        self._one("SELECT version FROM registry_version")

    def close(self) -> None:
        self._pool.close()

    # -- tokens -------------------------------------------------------------
    @contextmanager
    def _locking(
        self, lock_timeout_ms: int | None = None
    ) -> Iterator[psycopg.Connection[dict[str, Any]]]:
        """A write transaction whose lock waits end after ``lock_timeout_ms`` (default: the
        busy timeout) as :class:`StorageBusy`, as SQLite's busy timeout does."""
        wait = self._busy_timeout_ms if lock_timeout_ms is None else lock_timeout_ms
        try:
            with self._connection() as conn, conn.transaction():
                conn.execute(f"SET LOCAL lock_timeout = {int(wait)}")
                yield conn
        except psycopg.errors.LockNotAvailable as exc:
            raise StorageBusy(
                f"the registry database {self.where} stayed locked for {wait / 1000:g} s "
                "(another session holds the lock)"
            ) from exc

    def authenticate(self, token_hash: str) -> Principal | None:
        row = self._one(
            "SELECT id, name, role, expires_at FROM tokens"
            " WHERE token_hash = %s AND revoked_at IS NULL",
            (token_hash,),
        )
        if row is None:
            return None
        return Principal(row["id"], row["name"], Role(row["role"]), row["expires_at"])

    def add_token(
        self, name: str, role: Role, token_hash: str, *, expires_at: str | None = None
    ) -> TokenInfo:
        now = server_now()
        try:
            with self._locking() as conn:
                conn.execute(
                    "INSERT INTO tokens (name, role, token_hash, created_at, expires_at)"
                    " VALUES (%s, %s, %s, %s, %s)",
                    (name, role.value, token_hash, now, expires_at),
                )
        except psycopg.errors.UniqueViolation as exc:
            if exc.diag.constraint_name == "tokens_current_name":
                raise ValueError(
                    f"an active token named '{name}' exists; revoke it first"
                ) from None
            raise
        return TokenInfo(
            name=name, role=role, created_at=now, revoked_at=None, expires_at=expires_at
        )

    def list_tokens(self) -> list[TokenInfo]:
        with self._connection() as conn:
            rows = conn.execute(
                "SELECT name, role, created_at, revoked_at, expires_at, last_used_at,"
                ' superseded_at FROM tokens ORDER BY name COLLATE "C", created_at'
            ).fetchall()
        return [
            TokenInfo(
                name=r["name"],
                role=Role(r["role"]),
                created_at=r["created_at"],
                revoked_at=r["revoked_at"],
                expires_at=r["expires_at"],
                last_used_at=r["last_used_at"],
                superseded_at=r["superseded_at"],
            )
            for r in rows
        ]

    def revoke_token(self, name: str) -> bool:
        with self._locking() as conn:
            cur = conn.execute(
                "UPDATE tokens SET revoked_at = %s WHERE name = %s AND revoked_at IS NULL",
                (server_now(), name),
            )
            return cur.rowcount > 0

    def rotate_token(
        self, name: str, token_hash: str, *, grace_until: str, expires_at: str | None
    ) -> TokenInfo:
        with self._locking() as conn:
            old = conn.execute(
                "SELECT id, role, expires_at FROM tokens WHERE name = %s"
                " AND revoked_at IS NULL AND superseded_at IS NULL FOR UPDATE",
                (name,),
            ).fetchone()
            if old is None:
                raise ValueError(f"no active token named '{name}'")
            now = server_now()
            old_end = old["expires_at"]
            until = min(grace_until, old_end) if old_end else grace_until
            conn.execute(
                "UPDATE tokens SET superseded_at = %s, expires_at = %s WHERE id = %s",
                (now, until, old["id"]),
            )
            conn.execute(
                "INSERT INTO tokens (name, role, token_hash, created_at, expires_at)"
                " VALUES (%s, %s, %s, %s, %s)",
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
        try:
            with self._locking(lock_timeout_ms=100) as conn:
                conn.execute(
                    "UPDATE tokens SET last_used_at = %s WHERE id = %s", (server_now(), token_id)
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
        with self._connection() as conn:
            rows = conn.execute(
                "SELECT * FROM records WHERE version > %s ORDER BY version LIMIT %s",
                (since, limit + 1),
            ).fetchall()
        return [_record(r) for r in rows[:limit]], len(rows) > limit

    def get(self, type_: str, id_: str) -> StoredRecord | None:
        row = self._one("SELECT * FROM records WHERE type = %s AND id = %s", (type_, id_))
        return _record(row) if row else None

    def history(
        self, type_: str, id_: str, before: int | None, limit: int
    ) -> tuple[list[StoredRecord], bool]:
        with self._connection() as conn:
            rows = conn.execute(
                "SELECT * FROM record_history WHERE type = %s AND id = %s AND version < %s"
                " ORDER BY version DESC LIMIT %s",
                (type_, id_, before if before is not None else 2**63 - 1, limit + 1),
            ).fetchall()
        return [_record(r) for r in rows[:limit]], len(rows) > limit

    @contextmanager
    def write(self) -> Iterator[_PostgresWrite]:
        with self._locking() as conn:
            row = conn.execute(
                "SELECT version FROM registry_version WHERE only_row = 1 FOR UPDATE"
            ).fetchone()
            assert row is not None
            tx = _PostgresWrite(conn, int(row["version"]))
            yield tx
            tx.flush()
            if tx.version != row["version"]:
                conn.execute(
                    "UPDATE registry_version SET version = %s WHERE only_row = 1", (tx.version,)
                )

    # -- whole-registry copies (transfer.py) ----------------------------------
    @contextmanager
    def snapshot(self) -> Iterator[_PostgresSnapshot]:
        """One REPEATABLE READ, READ ONLY transaction: a fixed view while others write."""
        with self._connection() as conn:
            conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            try:
                version = conn.execute("SELECT version FROM registry_version").fetchone()
                ident = conn.execute("SELECT value FROM meta WHERE key = 'registry_id'").fetchone()
                assert version is not None and ident is not None
                yield _PostgresSnapshot(conn, ident["value"], int(version["version"]))
            finally:
                conn.execute("ROLLBACK")

    def is_empty(self) -> bool:
        if self.current_version():
            return False
        with self._connection() as conn:
            return not any(
                conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone() for table in TABLES
            )

    def load(
        self, registry_id: str, version: int, tables: dict[str, Iterable[tuple[Any, ...]]]
    ) -> None:
        with self._connection() as conn, conn.transaction():
            conn.execute("LOCK TABLE registry_version")
            for table, columns in TABLES.items():
                with conn.cursor().copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in tables.get(table, ()):
                        copy.write_row(row)
            conn.execute(
                "SELECT setval(pg_get_serial_sequence('tokens', 'id'),"
                " coalesce((SELECT max(id) FROM tokens), 0) + 1, false)"
            )
            conn.execute("UPDATE registry_version SET version = %s", (version,))
            conn.execute("UPDATE meta SET value = %s WHERE key = 'registry_id'", (registry_id,))
        self.registry_id = registry_id


class _PostgresSnapshot:
    def __init__(
        self, conn: psycopg.Connection[dict[str, Any]], registry_id: str, version: int
    ) -> None:
        self._conn = conn
        self.registry_id = registry_id
        self.version = version

    def rows(self, table: str) -> Iterator[tuple[Any, ...]]:
        columns = TABLES[table]
        with (
            self._conn.cursor(row_factory=psycopg.rows.tuple_row) as cur,
            cur.copy(
                f"COPY (SELECT {', '.join(columns)} FROM {table} ORDER BY {_ORDER[table]})"
                " TO STDOUT"
            ) as copy,
        ):
            copy.set_types(list(_COPY_TYPES[table]))
            yield from copy.rows()

    def count(self, table: str) -> int:
        if table not in TABLES:
            raise KeyError(table)
        with self._conn.cursor(row_factory=psycopg.rows.tuple_row) as cur:
            row = cur.execute(f"SELECT count(*) FROM {table}").fetchone()
        assert row is not None
        return int(row[0])


_RECORD_TYPES = ("text", "text", "int8", "bool", "text", "text", "text", "text")
#: The PostgreSQL types of each table's columns, in TABLES order, to read COPY rows back.
_COPY_TYPES = {
    "tokens": ("int8", "text", "text", "text", "text", "text", "text", "text", "text"),
    "records": _RECORD_TYPES,
    "record_history": _RECORD_TYPES,
    "idempotency_keys": ("int8", "text", "text", "int4", "text", "text"),
}
