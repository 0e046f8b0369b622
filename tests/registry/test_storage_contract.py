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
