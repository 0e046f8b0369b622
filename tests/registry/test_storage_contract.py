"""The Storage interface, the same on SQLite and PostgreSQL: migrations, writes, history, copies."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import psycopg
import pytest

from stewardship_registry.backends import open_storage
from stewardship_registry.migrations import LATEST
from stewardship_registry.postgres_storage import PostgresStorage
from stewardship_registry.storage import TABLES, SchemaTooNew, Storage, StorageUnavailable
from stewardship_registry.tokens import Role
from stewardship_registry.transfer import TransferError, copy_registry, summarise


@pytest.fixture
def storage(registry_db: str):
    s = open_storage(registry_db)
    yield s
    s.close()


def _write(storage: Storage, id_: str, notes: str | None, who: str = "tok") -> int:
    with storage.write() as tx:
        data = None if notes is None else {"slug": id_, "notes": notes}
        return tx.put(
            "model", id_, deleted=notes is None, data=data, modified_by="Ana", written_by=who
        ).version


def _fill(storage: Storage) -> None:
    storage.add_token("ana", Role.STEWARD, "hash-ana")
    storage.add_token("old", Role.VIEWER, "hash-old")
    storage.revoke_token("old")
    principal = storage.authenticate("hash-ana")
    assert principal is not None
    for i in range(5):
        _write(storage, f"m{i}", f"first {i}", "ana")
    _write(storage, "m1", "second", "ana")
    _write(storage, "m2", None, "ana")
    from stewardship_registry.storage import StoredReply

    with storage.write() as tx:
        tx.store_reply(principal, "key-1", StoredReply("h", 200, {"results": ["ü", 1]}))


def test_a_new_database_is_at_the_latest_schema_and_reopening_changes_nothing(
    registry_db: str,
) -> None:
    first = open_storage(registry_db)
    registry_id = first.registry_id
    assert first.schema_version() == LATEST
    first.close()
    again = open_storage(registry_db)
    try:
        assert (again.schema_version(), again.registry_id) == (LATEST, registry_id)
    finally:
        again.close()


def test_a_database_from_a_newer_server_is_refused_untouched(registry_db: str) -> None:
    storage = open_storage(registry_db)
    storage.close()
    newer = LATEST + 1
    sql = (
        "INSERT INTO schema_migrations (number, summary, applied_at)"
        f" VALUES ({newer}, 'from the future', 'x')"
    )
    if registry_db.startswith("postgresql://"):
        with psycopg.connect(registry_db, autocommit=True) as conn:
            conn.execute(sql)  # type: ignore[arg-type]
    else:
        with sqlite3.connect(registry_db) as conn:
            conn.execute(sql)
    with pytest.raises(SchemaTooNew, match=f"schema version {newer}.*only up to version {LATEST}"):
        open_storage(registry_db)


def test_an_sqlite_registry_made_before_migrations_is_migrated_with_its_history(
    tmp_path: Path,
) -> None:
    """Servers before numbered migrations made these tables with no schema_migrations."""
    db = tmp_path / "old.db"
    with sqlite3.connect(db) as conn:
        conn.executescript(
            """
            CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            INSERT INTO meta VALUES ('registry_id', '0123456789abcdef0123456789abcdef');
            CREATE TABLE registry_version (only_row INTEGER PRIMARY KEY CHECK (only_row = 1),
                version INTEGER NOT NULL);
            INSERT INTO registry_version VALUES (1, 7);
            CREATE TABLE records (type TEXT NOT NULL, id TEXT NOT NULL,
                version INTEGER NOT NULL UNIQUE, deleted INTEGER NOT NULL DEFAULT 0, data TEXT,
                modified_at TEXT NOT NULL, modified_by TEXT NOT NULL DEFAULT '',
                written_by TEXT NOT NULL DEFAULT '', PRIMARY KEY (type, id));
            INSERT INTO records VALUES ('model', 'old', 7, 0, '{"slug": "old"}',
                '2026-01-01T00:00:00.000000Z', 'Ana', 'ana');
            """
        )
    storage = open_storage(str(db))
    try:
        assert storage.schema_version() == LATEST
        assert storage.registry_id == "0123456789abcdef0123456789abcdef"
        assert storage.current_version() == 7
        history, more = storage.history("model", "old", None, 10)
        assert [(h.version, h.data) for h in history] == [(7, {"slug": "old"})] and not more
        assert storage.list_tokens() == []  # the tables it lacked were made
    finally:
        storage.close()


#: What the SQLite-only hardening server (token lifecycle as ``PRAGMA user_version`` 1,
#: no ``schema_migrations``) made: its base schema, then its migration 1, verbatim.
HARDENING_SQLITE = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS registry_version (
    only_row INTEGER PRIMARY KEY CHECK (only_row = 1), version INTEGER NOT NULL);
INSERT OR IGNORE INTO registry_version (only_row, version) VALUES (1, 0);
CREATE TABLE IF NOT EXISTS records (
    type TEXT NOT NULL, id TEXT NOT NULL, version INTEGER NOT NULL UNIQUE,
    deleted INTEGER NOT NULL DEFAULT 0, data TEXT, modified_at TEXT NOT NULL,
    modified_by TEXT NOT NULL DEFAULT '', written_by TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (type, id));
CREATE TABLE IF NOT EXISTS tokens (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('viewer', 'steward', 'admin')),
    token_hash TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL, revoked_at TEXT);
CREATE TABLE IF NOT EXISTS idempotency_keys (
    token_id INTEGER NOT NULL REFERENCES tokens (id), key TEXT NOT NULL,
    request_hash TEXT NOT NULL, status_code INTEGER NOT NULL, reply TEXT NOT NULL,
    created_at TEXT NOT NULL, PRIMARY KEY (token_id, key));
CREATE INDEX IF NOT EXISTS idempotency_created ON idempotency_keys (created_at);
ALTER TABLE tokens ADD COLUMN expires_at TEXT;
ALTER TABLE tokens ADD COLUMN last_used_at TEXT;
ALTER TABLE tokens ADD COLUMN superseded_at TEXT;
DROP INDEX IF EXISTS tokens_active_name;
CREATE UNIQUE INDEX tokens_current_name ON tokens (name)
    WHERE revoked_at IS NULL AND superseded_at IS NULL;
PRAGMA user_version = 1;
INSERT INTO meta VALUES ('registry_id', 'fedcba9876543210fedcba9876543210');
UPDATE registry_version SET version = 2;
INSERT INTO records VALUES ('model', 'a', 1, 0, '{"slug": "a"}',
    '2026-11-01T00:00:00.000000Z', 'Ana', 'ana');
INSERT INTO records VALUES ('model', 'b', 2, 1, NULL, '2026-11-02T00:00:00.000000Z', 'Ana', 'ana');
INSERT INTO tokens VALUES (1, 'ana', 'steward', 'hash-ana-old', '2026-10-01T00:00:00.000000Z',
    NULL, '2999-01-01T00:00:00.000000Z', '2026-11-20T10:00:00.000000Z',
    '2026-11-20T00:00:00.000000Z');
INSERT INTO tokens VALUES (2, 'ana', 'steward', 'hash-ana', '2026-11-20T00:00:00.000000Z',
    NULL, NULL, '2026-11-21T10:00:00.000000Z', NULL);
INSERT INTO tokens VALUES (3, 'lapsed', 'viewer', 'hash-lapsed', '2026-01-01T00:00:00.000000Z',
    NULL, '2026-02-01T00:00:00.000000Z', NULL, NULL);
INSERT INTO idempotency_keys VALUES (2, 'key-1', 'h', 200, '{"results": []}',
    '2026-11-21T10:00:00.000000Z');
"""


def test_an_sqlite_registry_from_the_hardening_server_is_adopted_and_keeps_its_tokens(
    tmp_path: Path,
) -> None:
    """A registry database main's hardening server made (``PRAGMA user_version`` 1, the
    token columns, no ``schema_migrations``) opens: its token migration is recorded, not
    run again (it would fail on the existing columns), and the history is added."""
    db = tmp_path / "hardening.db"
    with sqlite3.connect(db) as conn:
        conn.executescript(HARDENING_SQLITE)
    storage = open_storage(str(db))
    try:
        assert storage.schema_version() == LATEST
        assert storage.registry_id == "fedcba9876543210fedcba9876543210"
        assert storage.current_version() == 2
        [rotated, current, lapsed] = storage.list_tokens()
        assert (rotated.superseded_at, rotated.expires_at, rotated.last_used_at) == (
            "2026-11-20T00:00:00.000000Z",
            "2999-01-01T00:00:00.000000Z",
            "2026-11-20T10:00:00.000000Z",
        )
        assert (current.name, current.superseded_at, current.expires_at) == ("ana", None, None)
        assert lapsed.state("2026-11-30T00:00:00Z") == "expired"
        expired = storage.authenticate("hash-lapsed")
        assert expired is not None and expired.expires_at == "2026-02-01T00:00:00.000000Z"
        assert storage.authenticate("hash-ana-old") is not None, "still in its grace period"
        history, _ = storage.history("model", "b", None, 10)
        assert [(h.version, h.deleted) for h in history] == [(2, True)]
        with pytest.raises(ValueError, match="active token named 'ana'"):
            storage.add_token("ana", Role.VIEWER, "hash-ana-2")
        storage.rotate_token(
            "ana", "hash-ana-3", grace_until="2999-01-01T00:00:00.000000Z", expires_at=None
        )
        assert storage.authenticate("hash-ana-3") is not None
        with storage.snapshot() as snap:
            assert snap.count("idempotency_keys") == 1
    finally:
        storage.close()
    with sqlite3.connect(db) as conn:
        applied = conn.execute("SELECT number, summary FROM schema_migrations ORDER BY number")
        rows = applied.fetchall()
        # hardening's token_version 1 was recorded as migrations 1 and 3; 2 ran
        assert [n for n, _ in rows] == list(range(1, LATEST + 1))
        assert "user_version 1" in rows[2][1] and "user_version" not in rows[1][1]
        # a server that still counts user_version now refuses it as newer than itself
        assert conn.execute("PRAGMA user_version").fetchone()[0] > 1
    again = open_storage(str(db))
    try:
        assert again.schema_version() == LATEST and len(again.list_tokens()) == 4
    finally:
        again.close()


def test_an_sqlite_registry_with_an_unknown_user_version_is_refused_untouched(
    tmp_path: Path,
) -> None:
    db = tmp_path / "future.db"
    with sqlite3.connect(db) as conn:
        conn.executescript(HARDENING_SQLITE.replace("user_version = 1", "user_version = 2"))
    with pytest.raises(SchemaTooNew, match="user_version 2"):
        open_storage(str(db))
    with sqlite3.connect(db) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        assert "schema_migrations" not in tables and "record_history" not in tables


def test_a_registry_at_schema_2_gains_the_token_lifecycle(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """A database the PostgreSQL branch's first servers made (migrations 1 and 2) takes
    migration 3 on either backend: its tokens keep working, and can expire and rotate."""
    from stewardship_registry.migrations import MIGRATIONS

    rows = [(m.number, m.summary, "2026-11-01T00:00:00.000000Z") for m in MIGRATIONS[:2]]
    insert_token = (
        "INSERT INTO tokens (name, role, token_hash, created_at)"
        " VALUES ('ana', 'steward', 'hash-ana', '2026-11-01T00:00:00.000000Z')"
    )
    create = (
        "CREATE TABLE schema_migrations ("
        " number INTEGER PRIMARY KEY, summary TEXT NOT NULL, applied_at TEXT NOT NULL)"
    )
    if backend == "postgresql":
        cluster = request.getfixturevalue("pg_cluster")
        db = cluster.new_database()
        with psycopg.connect(db, autocommit=True) as pg:
            for m in MIGRATIONS[:2]:
                for statement in m.postgresql:
                    pg.execute(statement)  # type: ignore[arg-type]
            pg.execute(create)  # type: ignore[arg-type]
            pg.cursor().executemany("INSERT INTO schema_migrations VALUES (%s, %s, %s)", rows)
            pg.execute(insert_token)  # type: ignore[arg-type]
    else:
        db = str(tmp_path / "schema2.db")
        with sqlite3.connect(db) as conn:
            for m in MIGRATIONS[:2]:
                for statement in m.sqlite:
                    conn.execute(statement)
            conn.execute(create)
            conn.executemany("INSERT INTO schema_migrations VALUES (?, ?, ?)", rows)
            conn.execute(insert_token)
    storage = open_storage(db)
    try:
        assert storage.schema_version() == LATEST
        principal = storage.authenticate("hash-ana")
        assert principal is not None and principal.expires_at is None
        storage.rotate_token(
            "ana", "hash-new", grace_until="2999-01-01T00:00:00.000000Z", expires_at=None
        )
        states = sorted(t.state("2026-11-30T00:00:00Z") for t in storage.list_tokens())
        assert states == ["active", "rotated"]
    finally:
        storage.close()


def test_history_keeps_every_write_newest_first_in_pages(storage: Storage) -> None:
    versions = [_write(storage, "h", f"edit {i}", f"tok{i}") for i in range(5)]
    versions.append(_write(storage, "h", None, "remover"))
    _write(storage, "other", "not mine")
    page, more = storage.history("model", "h", None, 4)
    assert [p.version for p in page] == versions[::-1][:4] and more
    assert page[0].deleted and page[0].data is None and page[0].written_by == "remover"
    assert page[1].data is not None and page[1].data["notes"] == "edit 4"
    rest, more = storage.history("model", "h", page[-1].version, 4)
    assert [p.version for p in rest] == versions[:2][::-1] and not more
    assert [r.written_by for r in rest] == ["tok1", "tok0"]
    assert storage.history("model", "nothing", None, 4) == ([], False)


def test_a_failed_write_leaves_nothing_behind(storage: Storage) -> None:
    _write(storage, "kept", "yes")
    with pytest.raises(RuntimeError), storage.write() as tx:
        tx.put("model", "lost", deleted=False, data={"a": 1}, modified_by="", written_by="t")
        raise RuntimeError("the batch failed half-way")
    assert storage.current_version() == 1
    assert storage.get("model", "lost") is None
    assert storage.history("model", "lost", None, 5) == ([], False)
    assert _write(storage, "next", "x") == 2, "the failed write's version is not used up"


def test_check_answers_while_the_database_is_there(storage: Storage) -> None:
    storage.check()


def test_an_unreachable_postgresql_is_reported_not_crashed() -> None:
    from pg_cluster import _free_port

    with pytest.raises(StorageUnavailable, match=r"cannot connect to postgresql://nobody@"):
        PostgresStorage(
            f"postgresql://nobody:secret@127.0.0.1:{_free_port()}/none", connect_timeout=1
        )


def test_copy_sqlite_to_postgresql_and_back_is_identical(make_registry_db) -> None:
    source = open_storage(make_registry_db("sqlite"))
    middle = open_storage(make_registry_db("postgresql"))
    back = open_storage(make_registry_db("sqlite"))
    try:
        _fill(source)
        with source.snapshot() as snap:
            original = summarise(snap)
            rows = {t: list(snap.rows(t)) for t in TABLES}
        there = copy_registry(source, middle)
        home = copy_registry(middle, back)
        assert there.digest == home.digest == original.digest
        assert (
            there.counts
            == original.counts
            == {
                "tokens": 2,
                "records": 5,
                "record_history": 7,
                "idempotency_keys": 1,
            }
        )
        assert back.registry_id == middle.registry_id == source.registry_id
        with back.snapshot() as snap:
            assert {t: list(snap.rows(t)) for t in TABLES} == rows
        # what a server does with the copies: the same answers
        for copy in (middle, back):
            assert copy.current_version() == source.current_version() == 7
            assert copy.authenticate("hash-ana") == source.authenticate("hash-ana")
            assert copy.authenticate("hash-old") is None
            assert copy.changes(0, 100) == source.changes(0, 100)
            assert copy.history("model", "m1", None, 9) == source.history("model", "m1", None, 9)
        # and the next write on PostgreSQL continues the counter, tokens their ids
        assert _write(middle, "after", "copy") == 8
        middle.add_token("new", Role.ADMIN, "hash-new")
        assert middle.authenticate("hash-new").token_id == 3  # type: ignore[union-attr]
    finally:
        for s in (source, middle, back):
            s.close()


def test_copy_refuses_a_destination_that_holds_anything(make_registry_db) -> None:
    source = open_storage(make_registry_db("sqlite"))
    target = open_storage(make_registry_db("postgresql"))
    try:
        _fill(source)
        target.add_token("someone", Role.VIEWER, "hash-x")
        with pytest.raises(TransferError, match="already holds a registry"):
            copy_registry(source, target)
        assert target.current_version() == 0 and len(target.list_tokens()) == 1
    finally:
        source.close()
        target.close()


def test_a_restore_copy_takes_a_new_identity(make_registry_db, backend: str) -> None:
    source = open_storage(make_registry_db(backend))
    target = open_storage(make_registry_db(backend))
    try:
        _fill(source)
        summary = copy_registry(source, target, new_identity=True)
        assert target.registry_id == summary.registry_id != source.registry_id
        reopened = open_storage(
            target.url if isinstance(target, PostgresStorage) else str(target.path)  # type: ignore[attr-defined]
        )
        assert reopened.registry_id == summary.registry_id
        reopened.close()
    finally:
        source.close()
        target.close()
