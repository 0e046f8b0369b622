"""``stewardship-registry copy``, ``backup`` and ``restore``, and --db from the environment."""

from __future__ import annotations

import threading
import uuid
from pathlib import Path

import pytest
import requests

from stewardship_registry.backends import ENV_DB, open_storage
from stewardship_registry.cli import main
from stewardship_registry.storage import TABLES
from stewardship_registry.transfer import summarise

from .conftest import TIMEOUT, create_op, running_registry


def _rows(db: str) -> dict[str, list[tuple]]:
    storage = open_storage(db, create=False)
    try:
        with storage.snapshot() as snap:
            return {t: list(snap.rows(t)) for t in TABLES} | {"_": [(snap.version,)]}
    finally:
        storage.close()


def test_copy_moves_everything_and_refuses_a_full_destination(
    make_registry_db, capsys: pytest.CaptureFixture[str]
) -> None:
    source = make_registry_db("sqlite")
    with running_registry(source) as reg:
        reg.batch([create_op() for _ in range(5)], key="k1")
        reg.batch([create_op()], role="admin", key="k2")
        registry_id = reg.storage.registry_id
    pg, back = make_registry_db("postgresql"), make_registry_db("sqlite")
    assert main(["copy", source, pg]) == 0
    err = capsys.readouterr().err
    assert "6 records" in err and "3 tokens" in err and "2 idempotency keys" in err
    assert "sha256 " in err and registry_id in err
    assert main(["copy", pg, back]) == 0
    capsys.readouterr()
    assert _rows(source) == _rows(pg) == _rows(back)
    # the copy serves: the same token replays the same stored reply
    with running_registry(pg, tokens=reg.tokens) as moved:
        again = moved.batch([create_op()], key="k1")
        assert again.headers.get("idempotent-replayed") is None  # a different body...
        assert again.status_code == 422  # ...under a used key: the key came along
        assert moved.storage.registry_id == registry_id
    assert main(["copy", source, pg]) == 2
    assert "already holds a registry" in capsys.readouterr().err
    assert main(["copy", source, source]) == 2


def test_backup_while_writers_write_is_consistent_and_restore_takes_a_new_identity(
    registry_db: str, tmp_path: Path, make_registry_db, capsys: pytest.CaptureFixture[str]
) -> None:
    with running_registry(registry_db) as reg:
        stop = threading.Event()

        def write() -> None:
            with requests.Session() as s:
                while not stop.is_set():
                    s.post(
                        reg.url + "/v1/batch",
                        json={"operations": [create_op() for _ in range(5)]},
                        headers={**reg.auth("steward"), "Idempotency-Key": str(uuid.uuid4())},
                        timeout=TIMEOUT,
                    ).raise_for_status()

        writer = threading.Thread(target=write)
        writer.start()
        try:
            while reg.storage.current_version() < 20:
                pass
            backups = [tmp_path / f"b{i}.db" for i in range(2)]
            for b in backups:
                assert main(["backup", "--db", registry_db, str(b)]) == 0
        finally:
            stop.set()
            writer.join()
        registry_id = reg.storage.registry_id
    capsys.readouterr()
    for b in backups:
        rows = _rows(str(b))
        version = rows["_"][0][0]
        # one moment: the counter, the records and the history agree, batches whole
        assert [r[2] for r in rows["record_history"]] == list(range(1, version + 1))
        assert len(rows["records"]) == version and version % 5 == 0
        assert len(rows["idempotency_keys"]) == version // 5
    assert main(["backup", "--db", registry_db, str(backups[0])]) == 2
    assert "exists" in capsys.readouterr().err

    target = make_registry_db("postgresql" if registry_db.startswith("postgresql") else "sqlite")
    assert main(["restore", str(backups[1]), "--db", target]) == 0
    assert "new identity" in capsys.readouterr().err
    restored = open_storage(target)
    try:
        assert restored.registry_id != registry_id
        with restored.snapshot() as snap:
            restored_summary = summarise(snap)
    finally:
        restored.close()
    backup = open_storage(str(backups[1]))
    try:
        with backup.snapshot() as snap:
            assert summarise(snap).digest == restored_summary.digest
    finally:
        backup.close()


def test_db_comes_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "env.db"
    monkeypatch.setenv(ENV_DB, str(db))
    assert main(["token", "create", "--name", "ci", "--role", "viewer"]) == 0
    assert db.is_file()
    capsys.readouterr()
    assert main(["token", "list"]) == 0
    assert capsys.readouterr().out.startswith("ci\tviewer")


def test_a_password_in_the_url_is_never_printed(capsys: pytest.CaptureFixture[str]) -> None:
    from pg_cluster import _free_port

    url = f"postgresql://ana:hunter2secret@127.0.0.1:{_free_port()}/reg"
    assert main(["token", "list", "--db", url]) == 2
    err = capsys.readouterr().err
    assert "cannot connect to postgresql://ana@127.0.0.1" in err
    assert "hunter2secret" not in err
