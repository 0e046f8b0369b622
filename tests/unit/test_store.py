import random
import sqlite3
import subprocess
import sys
import textwrap
import time

import pytest

from stewardship.domain.errors import ValidationError
from stewardship.domain.records import Model
from stewardship.store import Store, StoreError
from stewardship.store.schema import LATEST_VERSION, MIGRATIONS


def make_model(**kw) -> Model:
    return Model(
        slug=kw.pop("slug", "kestrel-1"),
        display_name=kw.pop("display_name", "Kestrel 1"),
        provider="Meridian",
        **kw,
    )


def test_new_file_is_migrated_to_the_latest_schema_in_wal_mode(tmp_path):
    with Store(tmp_path / "s.db") as store:
        assert store.schema_version == LATEST_VERSION
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert {"models", "checklist_items", "audit", "outbox"} <= {
            r[0] for r in store.conn.execute("SELECT name FROM sqlite_master")
        }
    assert not list(tmp_path.glob("*.bak")), "a brand-new file has nothing to back up"


def test_reopening_keeps_data_and_takes_no_copy(tmp_path):
    with Store(tmp_path / "s.db") as store:
        saved = store.save(make_model(), "ana")
    with Store(tmp_path / "s.db") as store:
        assert store.get(Model, saved.id) == saved
    assert not list(tmp_path.glob("*.bak"))


def test_a_copy_is_taken_before_migrating_an_existing_file(tmp_path):
    path = tmp_path / "s.db"
    conn = sqlite3.connect(path)
    import sqlite_utils

    db = sqlite_utils.Database(conn)
    MIGRATIONS[0](db)
    conn.execute("PRAGMA user_version=1")
    conn.execute(
        "INSERT INTO models (id, slug, display_name, provider, version, deleted, state)"
        " VALUES ('m1', 'old-model', 'Old model', 'P', 0, 0, 'active')"
    )
    conn.commit()
    conn.close()

    with Store(path) as store:
        assert store.schema_version == LATEST_VERSION
        assert store.get(Model, "m1").display_name == "Old model"
        backup = store.backup_path
    assert backup.exists() and backup.parent == tmp_path
    copy = sqlite3.connect(backup)
    assert copy.execute("PRAGMA user_version").fetchone()[0] == 1
    assert copy.execute("SELECT slug FROM models").fetchall() == [("old-model",)]
    copy.close()


def test_a_newer_schema_is_refused_not_damaged(tmp_path):
    path = tmp_path / "s.db"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version={LATEST_VERSION + 5}")
    conn.close()
    with pytest.raises(StoreError, match="newer Stewardship Console"):
        Store(path)


def test_a_file_that_is_not_a_database_is_refused_clearly(tmp_path):
    path = tmp_path / "s.db"
    path.write_text("these are my notes, not a database\n" * 100)
    with pytest.raises(StoreError, match="not a Stewardship Console database"):
        Store(path)
    assert path.read_text().startswith("these are my notes"), "the file is left untouched"


def test_every_change_writes_audit_rows_in_the_same_transaction(store):
    m = store.save(make_model(), "ana")
    store.save(m.replace(notes="moved to legacy hosting", state="legacy"), "ben")
    trail = store.history(m.id)
    assert [(r["field"], r["who"]) for r in trail] == [
        ("(created)", "ana"),
        ("state", "ben"),
        ("notes", "ben"),
    ] or [(r["field"], r["who"]) for r in trail] == [
        ("(created)", "ana"),
        ("notes", "ben"),
        ("state", "ben"),
    ]
    state_row = next(r for r in trail if r["field"] == "state")
    assert (state_row["old"], state_row["new"]) == ("active", "legacy")
    assert store.conn.execute("SELECT count(*) FROM outbox").fetchone()[0] == 2


def test_saving_without_changes_writes_nothing(store):
    m = store.save(make_model(), "ana")
    store.save(m, "ana")
    assert len(store.history(m.id)) == 1


def test_an_invalid_record_is_refused_and_nothing_written(store):
    with pytest.raises(ValidationError):
        store.save(make_model(display_name=""), "ana")
    assert store.count(Model) == 0
    assert store.conn.execute("SELECT count(*) FROM audit").fetchone()[0] == 0


def test_a_failed_transaction_rolls_back_every_write(store):
    with pytest.raises(RuntimeError), store.transaction():
        store.save(make_model(), "ana")
        raise RuntimeError("power cut")
    assert store.count(Model) == 0
    assert store.conn.execute("SELECT count(*) FROM audit").fetchone()[0] == 0


def test_delete_leaves_an_audited_tombstone(store):
    m = store.save(make_model(), "ana")
    store.delete(Model, m.id, "ana", note="created by mistake")
    assert store.list(Model) == []
    assert store.get(Model, m.id).deleted
    assert store.history(m.id)[-1]["note"] == "created by mistake"


WRITER = textwrap.dedent(
    """
    import sys
    from stewardship.domain.records import Model
    from stewardship.store import Store
    store = Store(sys.argv[1])
    models = [store.save(Model(slug=f"m{i}", display_name=f"M {i}", provider="P"), "w")
              for i in range(5)]
    print("ready", flush=True)
    n = 0
    while True:
        n += 1
        for i, m in enumerate(models):
            models[i] = store.save(m.replace(notes=f"n={n}"), "w")
    """
)


@pytest.mark.parametrize("run", range(3))
def test_a_process_killed_mid_write_leaves_the_last_committed_state(tmp_path, run):
    path = tmp_path / "s.db"
    child = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True
    )
    assert child.stdout.readline().strip() == "ready"
    time.sleep(random.uniform(0.05, 0.4))
    child.kill()
    child.wait()

    with Store(path) as store:
        assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        models = store.list(Model)
        assert len(models) == 5
        for m in models:
            writes = int(m.notes.split("=")[1]) if m.notes else 0
            trail = store.history(m.id)
            # one "(created)" row plus one row per committed notes change: no torn write
            assert len(trail) == 1 + writes, (m.slug, m.notes, len(trail))
            queued = store.conn.execute(
                "SELECT count(*) FROM outbox WHERE record_id = ?", (m.id,)
            ).fetchone()[0]
            assert queued == 1 + writes


def test_checklist_totals_follow_every_kind_of_item_write(store):
    """The trigger-kept per-model totals always equal a direct count of the items."""
    import random

    from stewardship.domain.records import ChecklistItem

    rnd = random.Random(7)
    models = [store.save(make_model(slug=f"m{i}", display_name=f"M {i}"), "t") for i in range(3)]
    items: list[ChecklistItem] = []

    def direct() -> dict[str, tuple[int, int]]:
        rows = store.conn.execute(
            "SELECT model_id, count(*), sum(status IN ('done', 'not_applicable'))"
            " FROM checklist_items WHERE deleted = 0 GROUP BY model_id"
        ).fetchall()
        return {m: (n, done) for m, n, done in rows}

    def kept() -> dict[str, tuple[int, int]]:
        rows = store.conn.execute(
            "SELECT model_id, total, complete FROM checklist_totals WHERE total > 0"
        ).fetchall()
        return {m: (n, done) for m, n, done in rows}

    for step in range(200):
        action = rnd.choice(["add", "status", "delete", "move", "purge"])
        if action == "add" or not items:
            item = store.save(
                ChecklistItem(
                    model_id=rnd.choice(models).id, template_key=f"k{step}", title=f"Item {step}"
                ),
                "t",
            )
            items.append(item)
        else:
            item = rnd.choice(items)
            current = store.get(ChecklistItem, item.id)
            if current is None:
                continue
            if action == "status" and not current.deleted:
                status = rnd.choice(["todo", "in_progress", "done", "blocked"])
                store.save(current.replace(status=status), "t")
            elif action == "delete":
                store.delete(ChecklistItem, current.id, "t")
            elif action == "move" and not current.deleted:
                store.save(current.replace(model_id=rnd.choice(models).id), "t")
            elif action == "purge":
                with store.transaction():
                    store.conn.execute("DELETE FROM checklist_items WHERE id = ?", (current.id,))
        assert kept() == direct(), f"step {step}: {action}"
