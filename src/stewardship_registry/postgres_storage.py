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

What this backend does as SQLite does (tokens, reads, stamping a write) is
``sql_storage.py``'s; this module holds the PostgreSQL side of its hooks, the
batched write, the snapshot and the load.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any, ClassVar, Literal

import psycopg
import psycopg_pool
from psycopg.rows import dict_row

from .sql_storage import HISTORY_INSERT, ORDER, UPSERT, SQLStorage, SQLWrite, stored_record
from .storage import TABLES, StorageBusy, StorageUnavailable, StoredRecord

log = logging.getLogger(__name__)

#: Any constant: the advisory lock key that serialises migrations across processes.
_MIGRATION_LOCK = 0x5354_5752  # "STWR"
#: Text keys in byte order, as SQLite sorts them (whatever the database's collation).
_ORDER = {**ORDER, "idempotency_keys": 'token_id, key COLLATE "C"'}
_UPSERT = UPSERT.replace("?", "%s")
_HISTORY_INSERT = HISTORY_INSERT.replace("?", "%s")


def is_postgres_url(target: str) -> bool:
    return target.startswith(("postgresql://", "postgres://"))


def redacted(url: str) -> str:
    """The URL without its password, for messages and logs."""
    info = psycopg.conninfo.conninfo_to_dict(url)
    host = info.get("host", "")
    port = f":{info['port']}" if info.get("port") else ""
    user = f"{info['user']}@" if info.get("user") else ""
    return f"postgresql://{user}{host}{port}/{info.get('dbname', '')}"


class _PostgresWrite(SQLWrite):
    """The write transaction handed to a batch; it holds the counter row's lock.

    The records a batch names are read in one query (:meth:`preload`), and its
    writes are collected and sent together when the batch ends (:meth:`flush`,
    pipelined), instead of round trips per record; :meth:`get` sees the pending
    writes, so a second operation on a record in the same batch meets the first
    one's version, as on SQLite. All of it happens under the counter row's lock.
    """

    PARAM = "%s"
    _conn: psycopg.Connection[dict[str, Any]]

    def __init__(self, conn: psycopg.Connection[dict[str, Any]], version: int) -> None:
        super().__init__(conn)
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
        found = {(r["type"], r["id"]): stored_record(r) for r in rows}
        for key in wanted:
            self._pending[key] = found.get(key)

    def get(self, type_: str, id_: str) -> StoredRecord | None:
        if (str(type_), id_) in self._pending:
            return self._pending[(str(type_), id_)]
        return super().get(type_, id_)

    def _next_version(self) -> int:
        self.version += 1
        return self.version

    def _write_row(self, row: tuple[Any, ...], record: StoredRecord) -> None:
        self._rows.append(row)
        self._pending[(str(record.type), record.id)] = record

    def _batched(self) -> AbstractContextManager[Any]:
        return self._conn.pipeline()


class PostgresStorage(SQLStorage):
    """The registry's database in PostgreSQL (the schema is made or migrated at open)."""

    PARAM = "%s"
    DIALECT: ClassVar[Literal["sqlite", "postgresql"]] = "postgresql"
    ROW_LOCK = " FOR UPDATE"
    BY_NAME = 'name COLLATE "C"'

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
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (_MIGRATION_LOCK,))
                self._run_migrations(conn, self._applied_migrations(conn))
                self.registry_id = self._identify(conn)
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

    _reading = _connection

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

    def _name_taken(self, exc: Exception) -> bool:
        return (
            isinstance(exc, psycopg.errors.UniqueViolation)
            and exc.diag.constraint_name == "tokens_current_name"
        )

    def close(self) -> None:
        self._pool.close()

    # -- records --------------------------------------------------------------
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
