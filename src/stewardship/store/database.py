"""The local SQLite store: opening, migrating, transactions, records, audit.

One :class:`Store` wraps one connection. Every write goes through
:meth:`Store.transaction`, so a process killed mid-write leaves the last
committed state (SQLite in WAL mode, ``synchronous=FULL``).
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from ..domain.records import Record

from ..domain.dates import utc_now
from .audit import audit_changes, audit_text, diff_records
from .schema import MIGRATIONS, latest_version

R = TypeVar("R", bound="Record")  # the record types load with their first use

#: The built-in ``list`` (inside ``Store`` the name is the ``list`` method).
_List = list

#: Fields that describe a write rather than the record; they never count as a change.

DB_FILENAME = "stewardship.db"


class StoreError(Exception):
    """The store cannot be opened or used; the message says why, for a steward."""


class ConstraintError(StoreError):
    """A write would break one of the store's own rules (e.g. a unique index); nothing was written."""


class Store:
    """A steward's local database."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        existed = self.path.exists() and self.path.stat().st_size > 0
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(str(self.path), timeout=10.0, check_same_thread=False)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"cannot open the data file {self.path}: {exc}") from exc
        #: The store's one connection. Only ``store/`` runs SQL on it.
        self.conn = conn
        #: set by :meth:`make_read_only`: every write fails, nothing on disk changes
        self.read_only = False
        try:
            self._configure()
            self._migrate(existed)
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise StoreError(
                f"{self.path} is not a Stewardship Console database or is damaged: {exc}"
            ) from exc
        except StoreError:
            conn.close()
            raise

    # -- life cycle ------------------------------------------------------
    def _configure(self) -> None:
        conn = self.conn
        mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise StoreError(f"cannot use write-ahead logging on {self.path} (got {mode})")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA busy_timeout=10000")

    @property
    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self, existed: bool) -> None:
        current = self.schema_version
        latest = latest_version()
        if current > latest:
            raise StoreError(
                f"{self.path} was written by a newer Stewardship Console (schema {current},"
                f" this version knows {latest}); update the console"
            )
        if current == latest:
            return
        if existed:
            self.backup_path = self.backup(f"before-v{latest}")
        # sqlite-utils over the same connection, for the migrations only: importing
        # it costs a noticeable part of start-up, and an up-to-date store skips it.
        import sqlite_utils

        db = sqlite_utils.Database(self.conn, execute_plugins=False)
        for number in range(current + 1, latest + 1):
            with self.transaction():
                MIGRATIONS[number - 1](db)
                self.conn.execute(f"PRAGMA user_version={number}")

    def backup(self, label: str) -> Path:
        """Copy the whole database (consistently, even while open) next to it."""
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        target = self.path.with_name(f"{self.path.stem}.{label}.{stamp}.bak")
        n = 1
        while target.exists():
            n += 1
            target = self.path.with_name(f"{self.path.stem}.{label}.{stamp}-{n}.bak")
        dest = sqlite3.connect(str(target))
        try:
            self.conn.backup(dest)
        finally:
            dest.close()
        return target

    def make_read_only(self) -> None:
        """From now on refuse every write (a screenshot renders, it never writes)."""
        self.conn.execute("PRAGMA query_only=ON")
        self.read_only = True

    def close(self) -> None:
        self.conn.close()
        self.closed = True

    #: True once :meth:`close` ran: nothing may use the store any more.
    closed = False

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transactions ----------------------------------------------------
    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """One atomic unit of work; nested calls become savepoints."""
        conn = self.conn
        if conn.in_transaction:
            self._savepoints = getattr(self, "_savepoints", 0) + 1
            name = f"sp{self._savepoints}"
            conn.execute(f"SAVEPOINT {name}")
            try:
                yield
            except BaseException:
                conn.execute(f"ROLLBACK TO SAVEPOINT {name}")
                conn.execute(f"RELEASE SAVEPOINT {name}")
                raise
            conn.execute(f"RELEASE SAVEPOINT {name}")
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    @contextlib.contextmanager
    def bulk_writes(self) -> Iterator[None]:
        """Many transactions in a row (a sync pull): each stays atomic, fewer fsyncs.

        NORMAL (in WAL mode) skips the fsync of each commit: a power cut may
        lose the last few commits, never half of one. Checkpoints are fewer
        and larger. Inside an open transaction only the checkpoints change.
        """
        conn = self.conn
        relaxed = not conn.in_transaction
        if relaxed:
            conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA wal_autocheckpoint=16384")  # fewer, larger checkpoints
        try:
            yield
        finally:
            conn.execute("PRAGMA wal_autocheckpoint=1000")
            if relaxed and not conn.in_transaction:
                conn.execute("PRAGMA synchronous=FULL")

    # -- records ---------------------------------------------------------
    def get(self, cls: type[R], record_id: str) -> R | None:
        row = self.conn.execute(
            f"SELECT * FROM [{cls.TABLE}] WHERE id = ?", (record_id,)
        ).fetchone()
        return self._to_record(cls, row) if row else None

    def get_many(self, cls: type[R], record_ids: Sequence[str]) -> _List[R]:
        """The stored records (tombstones included) among ``record_ids``, in no set order."""
        if not record_ids:
            return []
        marks = ", ".join("?" * len(record_ids))
        cur = self.conn.execute(
            f"SELECT * FROM [{cls.TABLE}] WHERE id IN ({marks})", tuple(record_ids)
        )
        return [self._to_record(cls, row) for row in cur]

    def record_ids(self, cls: type[Record]) -> set[str]:
        """The ids of every stored record of a type, tombstones included."""
        return {r[0] for r in self.conn.execute(f"SELECT id FROM [{cls.TABLE}]")}

    def list(
        self,
        cls: type[R],
        where: str | None = None,
        params: Sequence[Any] = (),
        *,
        order_by: str | None = None,
        include_deleted: bool = False,
    ) -> _List[R]:
        clauses = [] if include_deleted else ["deleted = 0"]
        if where:
            clauses.append(f"({where})")
        sql = f"SELECT * FROM [{cls.TABLE}]"
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        if order_by:
            sql += f" ORDER BY {order_by}"
        cur = self.conn.execute(sql, tuple(params))
        return [self._to_record(cls, row) for row in cur.fetchall()]

    def count(self, cls: type[Record], where: str | None = None, params: Sequence[Any] = ()) -> int:
        sql = f"SELECT count(*) FROM [{cls.TABLE}] WHERE deleted = 0"
        if where:
            sql += f" AND ({where})"
        return int(self.conn.execute(sql, tuple(params)).fetchone()[0])

    def _to_record(self, cls: type[R], row: sqlite3.Row | tuple) -> R:
        """A stored row as a record.

        Rows were validated when written, so this converts by kind (a fast
        path for listing tens of thousands of rows); a value that does not
        convert falls back to ``from_dict``, which names the field at fault.
        """
        names, dates, bools, jsons, texts, ints = self._reader(cls)
        data = dict(zip(names, row, strict=True))
        try:
            for name in dates:
                value = data[name]
                data[name] = date.fromisoformat(value) if value else None
        except (TypeError, ValueError):
            return self._to_record_checked(cls, row)
        for name in bools:
            data[name] = bool(data[name])
        for name in jsons:
            value = data[name]
            if value is not None:
                data[name] = json.loads(value)
        for name in texts:
            if data[name] is None:
                data[name] = ""
        for name in ints:
            if data[name] is None:
                data[name] = 0
        data.pop("", None)
        return cls(**data)

    def _to_record_checked(self, cls: type[R], row: sqlite3.Row | tuple) -> R:
        kinds = cls.field_kinds()
        data: dict[str, Any] = {}
        name: str
        for name, value in zip(self._columns(cls), row, strict=True):
            if name not in kinds:
                continue
            if kinds[name] == "json" and value is not None:
                value = json.loads(value)
            data[name] = value
        return cls.from_dict(data)

    def _reader(self, cls: type[Record]) -> tuple[_List[str], ...]:
        """Per table: the column names (unknown columns as ``""``) and the fields of each kind."""
        cache = self.__dict__.setdefault("_reader_cache", {})
        reader = cache.get(cls.TABLE)
        if reader is None:
            kinds = cls.field_kinds()
            columns = self._columns(cls)
            missing = set(kinds) - set(columns)
            assert not missing, f"table {cls.TABLE} lacks {missing}"
            names = [c if c in kinds else "" for c in columns]
            by_kind = {
                k: [n for n in kinds if kinds[n] == k]
                for k in ("date", "bool", "json", "str", "int")
            }
            reader = cache[cls.TABLE] = (
                names,
                by_kind["date"],
                by_kind["bool"],
                by_kind["json"],
                by_kind["str"],
                by_kind["int"],
            )
        return reader

    def _columns(self, cls: type[Record]) -> _List[str]:
        cache = self.__dict__.setdefault("_column_cache", {})
        if cls.TABLE not in cache:
            cache[cls.TABLE] = [
                r[1] for r in self.conn.execute(f"PRAGMA table_info([{cls.TABLE}])")
            ]
        return cache[cls.TABLE]

    def upsert(self, cls: type[Record], rows: Sequence[dict[str, Any]]) -> None:
        """Insert or replace whole rows (dicts from :meth:`to_row`) in one statement."""
        if not rows:
            return
        cache = self.__dict__.setdefault("_upsert_sql", {})
        sql = cache.get(cls.TABLE)
        names = cls.field_names()
        if sql is None:
            updates = ", ".join(f"[{n}] = excluded.[{n}]" for n in names if n != "id")
            sql = cache[cls.TABLE] = (
                f"INSERT INTO [{cls.TABLE}] ({', '.join(f'[{n}]' for n in names)})"
                f" VALUES ({', '.join('?' * len(names))})"
                f" ON CONFLICT(id) DO UPDATE SET {updates}"
            )
        self.conn.executemany(sql, [tuple(row[n] for n in names) for row in rows])

    @staticmethod
    def to_row(record: Record, fields: dict[str, Any] | None = None) -> dict[str, Any]:
        """The record as a row to store (``fields``: its ``to_dict()``, if already made)."""
        row = dict(fields) if fields is not None else record.to_dict()
        for name, kind in record.field_kinds().items():
            if kind == "json" and row[name] is not None:
                row[name] = json.dumps(row[name], sort_keys=True)
            elif kind == "bool":
                row[name] = int(bool(row[name]))
        return row

    def save(
        self, record: R, who: str, *, note: str = "", queue: bool = True, stamp: bool = True
    ) -> R:
        """Validate and store ``record`` as a steward's edit.

        Writes the record, one audit row per changed field and (with
        ``queue``) an outbox entry for the registry, in one transaction.
        Saving a record with nothing changed writes nothing and returns the
        stored copy. ``stamp=False`` keeps the record's own ``modified_at``
        and ``modified_by`` (a lossless import of an export); the audit rows
        still name ``who``.
        """
        record.validate()
        cls = type(record)
        with self.transaction():
            old = self.get(cls, record.id)
            changes = diff_records(old, record)
            if old is not None and not changes:
                return old
            saved = record.replace(modified_at=utc_now(), modified_by=who) if stamp else record
            try:
                self.upsert(cls, [self.to_row(saved)])
            except sqlite3.IntegrityError as exc:
                raise ConstraintError(str(exc)) from exc
            self.append_audit(
                [
                    (saved, field, before, after, who, note)
                    for field, before, after in audit_changes(old, saved, changes)
                ]
            )
            if queue:
                self._queue(saved)
        return saved

    def delete(self, cls: type[Record], record_id: str, who: str, *, note: str = "") -> None:
        """Mark a record deleted (a tombstone that syncs), audited."""
        record = self.get(cls, record_id)
        if record is None or record.deleted:
            return
        self.save(record.replace(deleted=True), who, note=note)

    def _queue(self, record: Record) -> None:
        self.conn.execute(
            "INSERT INTO outbox (record_type, record_id, base_version, idempotency_key, queued_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (record.TYPE, record.id, record.version, _new_key(), utc_now()),
        )

    # -- audit -----------------------------------------------------------
    def audit(
        self,
        record: Record,
        field: str,
        old: object,
        new: object,
        who: str,
        note: str = "",
    ) -> None:
        """Record an event about ``record`` that is not a field change (e.g. an override)."""
        with self.transaction():
            self._audit(record, field, old, new, who, note)

    def _audit(
        self, record: Record, field: str, old: object, new: object, who: str, note: str
    ) -> None:
        self.append_audit([(record, field, old, new, who, note)])

    def append_audit(self, entries: Sequence[tuple[Record, str, object, object, str, str]]) -> None:
        """Many audit rows at once: (record, field, old, new, who, note) each."""
        if not entries:
            return
        now = utc_now()
        self.conn.executemany(
            "INSERT INTO audit (record_type, record_id, field, old, new, who, at, note)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (r.TYPE, r.id, field, audit_text(old), audit_text(new), who, now, note)
                for r, field, old, new, who, note in entries
            ],
        )

    def history(self, record_id: str) -> _List[dict[str, Any]]:
        """A record's audit trail, oldest first."""
        cur = self.conn.execute(
            "SELECT seq, record_type, record_id, field, old, new, who, at, note FROM audit"
            " WHERE record_id = ? ORDER BY seq",
            (record_id,),
        )
        cols = [c[0] for c in cur.description]
        return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]

    # -- settings --------------------------------------------------------
    def get_setting(self, key: str, default: str | None = None) -> str | None:
        row = self.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_setting(self, key: str, value: str) -> None:
        with self.transaction():
            self.conn.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?)"
                " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )


def _new_key() -> str:
    import uuid

    return str(uuid.uuid4())
