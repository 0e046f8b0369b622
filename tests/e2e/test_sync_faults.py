"""Every fault: the sync says what happened, keeps every change, and a later sync completes."""

from pathlib import Path

import pytest

from stewardship.domain.records import Model
from stewardship.store.sync_state import SyncState
from stewardship.sync.errors import AuthRefused, RegistryProtocolError, RegistryUnreachable

from .conftest import BOTH_BACKENDS
from .servers import RegistryServer
from .test_sync_basic import model


def local_view(store):
    return {m.id: (m.version, m.notes) for m in store.list(Model, include_deleted=True)}


def assert_converged(console, registry, expected_notes):
    server = {rid: r for (t, rid), r in registry.records().items() if t == "model"}
    local = local_view(console.store)
    assert set(server) == set(local)
    for rid, (version, notes) in local.items():
        assert server[rid].version == version
        assert server[rid].data["notes"] == notes
    assert sorted(n for _, n in local.values()) == sorted(expected_notes)
    assert SyncState(console.store).waiting_count() == 0


def edit_three(console, tag):
    return [console.store.save(model(f"m{tag}-{i}", notes=f"{tag}{i}"), "Ana") for i in range(3)]


@pytest.mark.parametrize(
    ("fault", "path", "error", "words"),
    [
        ("500", "/v1/changes", RegistryUnreachable, "had a problem"),
        ("stall", "/v1/changes", RegistryUnreachable, "did not answer in time"),
        ("cut", "/v1/changes", RegistryUnreachable, "cut off"),
        ("garbage", "/v1/changes", RegistryProtocolError, "not valid JSON"),
        ("401", "/v1/batch", AuthRefused, "refused the token"),
    ],
)
@BOTH_BACKENDS
def test_fault_keeps_changes_and_a_later_sync_completes(
    console_factory, registry, proxy, fault, path, error, words
):
    ana = console_factory("ana", url=proxy.url)
    edit_three(ana, "a")
    proxy.inject(fault, path, times=5)  # more than the client retries
    with pytest.raises(error) as caught:
        ana.sync(read_timeout=0.5, retries=1)
    assert words in str(caught.value)
    assert ana.token not in str(caught.value)
    proxy.faults.clear()
    assert SyncState(ana.store).waiting_count() in (0, 3)  # pushed before the pull failed, or not
    ana.sync()
    assert_converged(ana, registry, ["a0", "a1", "a2"])


@pytest.mark.parametrize("fault", ["500", "503", "stall", "drop_reply"])
@BOTH_BACKENDS
def test_a_retried_batch_is_applied_exactly_once(console_factory, registry, proxy, fault):
    ana = console_factory("ana", url=proxy.url)
    edit_three(ana, "b")
    before = registry.storage.current_version()
    proxy.inject(fault, "/v1/batch", times=1)
    ana.sync(read_timeout=0.5, retries=2)
    assert registry.storage.current_version() == before + 3, "no second version for a replay"
    posts = [s for s in proxy.seen if s[0] == "POST"]
    assert len(posts) == 2 and posts[0][2] == fault
    assert_converged(ana, registry, ["b0", "b1", "b2"])


@BOTH_BACKENDS
def test_503_retry_after_is_honoured_on_reads(console_factory, registry, proxy):
    import time

    ana = console_factory("ana", url=proxy.url)
    proxy.inject("503", "/v1/changes", times=1)
    started = time.monotonic()
    ana.sync()
    assert time.monotonic() - started >= 0.9, "waited the Retry-After second"
    assert [s[2] for s in proxy.seen if s[1].startswith("/v1/changes")][:2] == ["503", ""]


@BOTH_BACKENDS
def test_server_down_then_back(console_factory, registry, tmp_path):
    ana = console_factory("ana")
    edit_three(ana, "c")
    registry.stop()
    with pytest.raises(RegistryUnreachable) as caught:
        ana.sync(retries=0)
    assert "offline, or the server is down" in str(caught.value)
    assert SyncState(ana.store).waiting_count() == 3
    revived = RegistryServer(registry.db, port=registry.port).start()
    try:
        ana.sync()
        assert_converged(ana, revived, ["c0", "c1", "c2"])
    finally:
        revived.stop()


@BOTH_BACKENDS
def test_a_batch_interrupted_before_its_reply_is_resent_with_the_same_key(
    console_factory, registry, proxy
):
    ana = console_factory("ana", url=proxy.url)
    edit_three(ana, "d")
    proxy.inject("drop_reply", "/v1/batch", times=10)
    with pytest.raises(RegistryUnreachable):
        ana.sync(retries=1)
    pending = SyncState(ana.store).pending_batch()
    assert pending is not None, "the batch is kept, key and body, for the next try"
    applied = registry.storage.current_version()
    proxy.faults.clear()
    ana.sync()
    assert registry.storage.current_version() == applied, "the replay applied nothing twice"
    assert SyncState(ana.store).pending_batch() is None
    assert_converged(ana, registry, ["d0", "d1", "d2"])


def test_a_registry_restored_from_an_old_backup_gets_back_what_it_lost(console_factory, registry):
    import sqlite3

    ana = console_factory("ana")
    first = edit_three(ana, "e")
    ana.sync()
    db = Path(registry.db)  # an SQLite file copied with SQLite's own backup, identity and all
    backup = db.with_name("backup.db")
    source = sqlite3.connect(db)
    target = sqlite3.connect(backup)
    source.backup(target)
    source.close()
    target.close()
    ana.store.save(ana.store.get(Model, first[0].id).replace(notes="e0-edited"), "Ana")
    later = ana.store.save(model("m-later", notes="late"), "Ana")
    ana.sync()

    registry.stop()
    registry.storage.close()
    backup.replace(db)
    for suffix in ("-wal", "-shm"):
        db.with_name(db.name + suffix).unlink(missing_ok=True)
    restored = RegistryServer(registry.db, port=registry.port).start()
    try:
        ana.sync()
        records = {rid: r for (t, rid), r in restored.records().items() if t == "model"}
        assert records[later.id].data["notes"] == "late"
        assert records[first[0].id].data["notes"] == "e0-edited"
        assert_converged(ana, restored, ["e0-edited", "e1", "e2", "late"])
    finally:
        restored.stop()


@BOTH_BACKENDS
def test_a_registry_clock_far_off_warns_but_syncs(console_factory, registry):
    from .servers import FaultProxy

    skewed = FaultProxy(registry.port, date_offset_seconds=-3 * 86400).start()
    try:
        ana = console_factory("ana", url=skewed.url)
        edit_three(ana, "f")
        summary = ana.sync()
        assert summary.pushed == 3
        assert summary.warnings and "ahead of the registry's" in summary.warnings[0]
        assert "warning:" in summary.line()
    finally:
        skewed.stop()
    near = FaultProxy(registry.port, date_offset_seconds=120).start()
    try:
        ben = console_factory("ben", url=near.url)
        assert ben.sync().warnings == [], "two minutes off is no cause for a warning"
    finally:
        near.stop()


@BOTH_BACKENDS
def test_a_delete_made_while_a_batch_awaits_its_reply_is_not_lost(console_factory, registry, proxy):
    """Found by the state machine: a later edit whose outbox row took a number freed by
    another record of the same batch was dropped with the batch's reply."""
    ana = console_factory("ana", url=proxy.url)
    first = ana.store.save(model("gone-early"), "Ana")
    second = ana.store.save(model("kept-then-deleted"), "Ana")
    ana.store.delete(Model, first.id, "Ana")  # never sent: leaves the outbox with the batch
    proxy.inject("drop_reply", "/v1/batch", times=3)
    with pytest.raises(RegistryUnreachable):
        ana.sync(retries=0)  # the registry created `second`, the reply was lost
    proxy.faults.clear()
    ana.store.delete(Model, second.id, "Ana")
    ana.sync()
    assert registry.records()[("model", second.id)].deleted, "the delete reached the registry"
    assert SyncState(ana.store).waiting_count() == 0


@BOTH_BACKENDS
def test_a_registry_restored_with_restore_gets_back_what_it_lost(
    console_factory, registry, make_registry_db, e2e_backend, tmp_path
):
    """``backup`` then ``restore`` into a new database: a new identity, so the console's
    cursor is refused (409 cursor-reset), it pulls from the start and re-sends."""
    from stewardship_registry.cli import main as registry_cli

    ana = console_factory("ana")
    edit_three(ana, "r")
    ana.sync()
    backup = tmp_path / "backup.db"
    assert registry_cli(["backup", "--db", str(registry.db), str(backup)]) == 0
    ana.store.save(model("m-after-backup", notes="late"), "Ana")
    ana.sync()
    registry.stop()
    target = make_registry_db(e2e_backend)
    assert registry_cli(["restore", str(backup), "--db", target]) == 0
    restored = RegistryServer(target, port=registry.port).start()
    try:
        ana.sync()
        assert_converged(ana, restored, ["r0", "r1", "r2", "late"])
    finally:
        restored.stop()
