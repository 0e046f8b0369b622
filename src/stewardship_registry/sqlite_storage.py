"""SQLite storage: WAL mode, one writer at a time (``BEGIN IMMEDIATE``).

Every accepted write takes ``version = registry_version + 1`` inside the write
transaction. Because SQLite admits one writer at a time and a reader sees a
snapshot of committed transactions, versions become visible strictly in
order: a reader that sees version N also sees every version below N, so the
changes feed can never skip one. Several server processes may share the file
(``serve --workers N``): the same lock serialises their writers.

The schema comes from ``migrations.py``, run at open. What this backend does
as PostgreSQL does (tokens, reads, stamping a write) is ``sql_storage.py``'s;
this module holds the SQLite side of its hooks, the snapshot and the load.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any, ClassVar, Literal

from .migrations import MIGRATIONS, SQLITE_USER_VERSION_ADOPTED, SQLITE_USER_VERSION_MARK
from .sql_storage import HISTORY_INSERT, ORDER, UPSERT, SQLStorage, SQLWrite
from .storage import TABLES, SchemaTooNew, StorageBusy, StorageUnavailable, StoredRecord


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


class _SQLiteWrite(SQLWrite):
    """The write transaction handed to a batch: each write goes straight to the file."""

    _conn: sqlite3.Connection

    def _next_version(self) -> int:
        version: int = self._conn.execute(
            "UPDATE registry_version SET version = version + 1 WHERE only_row = 1 RETURNING version"
        ).fetchone()[0]
        return version

    def _write_row(self, row: tuple[Any, ...], record: StoredRecord) -> None:
        self._conn.execute(UPSERT, row)
        self._conn.execute(HISTORY_INSERT, row)


class SQLiteStorage(SQLStorage):
    """The registry's database in one SQLite file (created on first use)."""

    DIALECT: ClassVar[Literal["sqlite", "postgresql"]] = "sqlite"

    def __init__(self, path: str | Path, *, busy_timeout_ms: int = 30_000) -> None:
        self.path = Path(path)
        self.where = str(self.path)
        self._busy_timeout_ms = busy_timeout_ms
        _create_private(self.path)
        self._local = threading.local()
        self._all_conns: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        conn = self._conn()
        conn.execute("PRAGMA journal_mode = WAL")
        with self._locking() as conn:
            self._migrate(conn)
            self.registry_id = self._identify(conn)

    def _migrate(self, conn: sqlite3.Connection) -> None:
        """Run the migrations the database lacks (``migrations.py``), inside the caller's
        write transaction.

        A registry made before ``schema_migrations`` counted its migrations in
        ``PRAGMA user_version``: the ones that count stands for are recorded as applied
        (with what they were), not run again, and the others run as usual.
        """
        applied = self._applied_migrations(conn)
        user_version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if user_version != SQLITE_USER_VERSION_MARK:
            if user_version not in SQLITE_USER_VERSION_ADOPTED:
                raise SchemaTooNew(
                    f"the registry database {self.path} has user_version {user_version}, "
                    "which no stewardship-registry this old knows: it was written by a newer "
                    "server. Run that version (or newer) instead; this one will not touch it."
                )
            for number in sorted(SQLITE_USER_VERSION_ADOPTED[user_version] - applied):
                summary = MIGRATIONS[number - 1].summary
                found = f"(found: PRAGMA user_version {user_version})"
                self._note_migration(conn, number, f"{summary} {found}")
                applied.add(number)
        self._run_migrations(conn, applied)
        conn.execute(f"PRAGMA user_version = {SQLITE_USER_VERSION_MARK}")

    def check(self) -> None:
        try:
            super().check()
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
                self._all_conns.append(conn)
        return conn

    def _reading(self) -> AbstractContextManager[sqlite3.Connection]:
        return nullcontext(self._conn())

    @contextmanager
    def _locking(self, lock_timeout_ms: int | None = None) -> Iterator[sqlite3.Connection]:
        """``BEGIN IMMEDIATE``: SQLite's one writer; a wait past the busy timeout (or
        ``lock_timeout_ms``) is :class:`StorageBusy`."""
        conn = self._conn()
        if lock_timeout_ms is None:
            with _immediate(conn, self._busy_timeout_ms):
                yield conn
            return
        conn.execute(f"PRAGMA busy_timeout = {int(lock_timeout_ms)}")
        try:
            with _immediate(conn, lock_timeout_ms):
                yield conn
        finally:
            conn.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout_ms)}")

    def _name_taken(self, exc: Exception) -> bool:
        # the partial unique index tokens_current_name is reported by its column
        return isinstance(exc, sqlite3.IntegrityError) and "tokens.name" in str(exc)

    def close(self) -> None:
        with self._lock:
            for conn in self._all_conns:
                conn.close()
            self._all_conns.clear()
        self._local = threading.local()

    # -- records --------------------------------------------------------------
    @contextmanager
    def write(self) -> Iterator[_SQLiteWrite]:
        with self._locking() as conn:
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

    def load(
        self, registry_id: str, version: int, tables: dict[str, Iterable[tuple[Any, ...]]]
    ) -> None:
        with self._locking() as conn:
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
            f"SELECT {', '.join(columns)} FROM {table} ORDER BY {ORDER[table]}"
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
