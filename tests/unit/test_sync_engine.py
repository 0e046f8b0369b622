"""The sync engine's decisions on a real SQLite store, without a network.

The registry's side is a scripted stand-in for the HTTP client: each test says
what the registry answers (a batch reply, a page of the changes feed, a
dropped connection) and checks what the store then holds. The real client
against a real registry is exercised end to end in ``tests/e2e``; here every
test runs in a few milliseconds.
"""

from __future__ import annotations

from collections import deque
from typing import Any

import pytest

from stewardship.domain.merge import BOOKKEEPING
from stewardship.domain.records import Model
from stewardship.store import Store
from stewardship.store.sync_state import SyncState
from stewardship.sync.engine import SyncEngine, SyncSummary
from stewardship.sync.errors import RegistryProtocolError, RegistryUnreachable
from stewardship.sync.page_store import PagePrefetch, PageWriter


class ScriptedRegistry:
    """Stands in for ``RegistryClient``: answers from a script and records what it was sent."""

    clock_warning: str | None = None

    def __init__(self) -> None:
        self.replies: deque[Any] = deque()  # for post_batch: a dict, or an exception to raise
        self.pages: deque[Any] = deque()  # for changes: a dict, or an exception to raise
        self.sent: list[tuple[str, dict[str, Any]]] = []
        self.asked: list[str | None] = []

    def post_batch(self, key: str, body: dict[str, Any]) -> dict[str, Any]:
        self.sent.append((key, body))
        reply = self.replies.popleft() if self.replies else _applied_all(body)
        if isinstance(reply, Exception):
            raise reply
        return reply

    def changes(self, since: str | None, limit: int) -> dict[str, Any]:
        self.asked.append(since)
        page = self.pages.popleft() if self.pages else {"records": [], "has_more": False}
        if isinstance(page, Exception):
            raise page
        return page


def _applied_all(body: dict[str, Any], version: int = 1) -> dict[str, Any]:
    return {
        "results": [
            {"status": "applied", "type": op["type"], "id": op["id"], "version": version}
            for op in body["operations"]
        ]
    }


def _model(slug: str = "kestrel-1", **kw: Any) -> Model:
    return Model(slug=slug, display_name=kw.pop("display_name", slug.title()), provider="P", **kw)


def _entry(model: Model, version: int, *, deleted: bool = False, **changes: Any) -> dict[str, Any]:
    data = {k: v for k, v in model.to_dict().items() if k not in BOOKKEEPING}
    data.update(changes)
    return {
        "type": "model",
        "id": model.id,
        "version": version,
        "deleted": deleted,
        "modified_at": "2026-11-28T10:00:00Z",
        "modified_by": "bea",
        "data": None if deleted else data,
    }


def _page(*entries: dict[str, Any], cursor: str = "c1", more: bool = False) -> dict[str, Any]:
    return {"records": list(entries), "next_cursor": cursor, "has_more": more}


def _engine(store: Store, registry: ScriptedRegistry, **kw: Any) -> SyncEngine:
    return SyncEngine(store, registry, **kw)  # type: ignore[arg-type]


def _pull_then_push(store: Store, registry: ScriptedRegistry) -> SyncSummary:
    """What a sync does once a page has arrived: take it in, then send what is left."""
    engine, summary = _engine(store, registry), SyncSummary()
    engine.pull(summary)
    engine.push(summary)
    return summary


def _synced(store: Store, registry: ScriptedRegistry, model: Model) -> Model:
    """``model`` saved and pushed: the registry holds it at version 1."""
    saved = store.save(model, "ana")
    _engine(store, registry).push(SyncSummary())
    registry.sent.clear()
    stored = store.get(Model, saved.id)
    assert stored is not None and stored.version == 1
    return stored


# -- outbox -------------------------------------------------------------------
def test_edits_of_one_record_coalesce_into_one_operation_oldest_record_first(store) -> None:
    a = store.save(_model("a-model"), "ana")
    b = store.save(_model("b-model"), "ana")
    a = store.save(a.replace(display_name="A, renamed"), "ana")
    state = SyncState(store)
    assert [(t, i) for t, i, _ in state.pushable(10)] == [("model", a.id), ("model", b.id)]
    assert state.waiting_count() == 2

    registry = ScriptedRegistry()
    summary = SyncSummary()
    _engine(store, registry).push(summary)

    [(_, body)] = registry.sent
    assert [(op["id"], op["data"]["display_name"]) for op in body["operations"]] == [
        (a.id, "A, renamed"),
        (b.id, "B-Model"),
    ]
    assert summary.pushed == 2 and state.waiting_count() == 0
    assert store.get(Model, a.id).version == 1  # type: ignore[union-attr]
    assert state.base("model", a.id)[1]["display_name"] == "A, renamed"  # type: ignore[index]


def test_batches_hold_at_most_the_batch_limit(store) -> None:
    for n in range(5):
        store.save(_model(f"m-{n}"), "ana")
    registry = ScriptedRegistry()
    _engine(store, registry, batch_limit=2).push(SyncSummary())
    assert [len(body["operations"]) for _, body in registry.sent] == [2, 2, 1]


def test_a_record_created_and_deleted_before_any_sync_is_never_sent(store) -> None:
    model = store.save(_model(), "ana")
    store.delete(Model, model.id, "ana")
    registry = ScriptedRegistry()
    _engine(store, registry).push(SyncSummary())
    assert registry.sent == []
    assert SyncState(store).waiting_count() == 0


# -- pending batch --------------------------------------------------------------
def test_a_batch_cut_off_in_flight_is_resent_with_the_same_key_and_body(store) -> None:
    model = store.save(_model(), "ana")
    registry = ScriptedRegistry()
    registry.replies.append(RegistryUnreachable("connection dropped"))
    with pytest.raises(RegistryUnreachable):
        _engine(store, registry).push(SyncSummary())
    state = SyncState(store)
    pending = state.pending_batch()
    assert pending is not None and state.waiting_count() == 1

    # An edit made while the batch was in doubt goes in a batch of its own, after it.
    store.save(model.replace(notes="edited while offline"), "ana")
    _engine(store, registry).push(SyncSummary())

    (k1, b1), (k2, b2), (k3, b3) = registry.sent
    assert (k2, b2) == (k1, b1) == (pending.idempotency_key, pending.body)
    assert k3 != k1 and b3["operations"][0]["data"]["notes"] == "edited while offline"
    assert state.pending_batch() is None and state.waiting_count() == 0


def test_a_reply_that_does_not_match_the_batch_keeps_it_for_resending(store) -> None:
    store.save(_model(), "ana")
    registry = ScriptedRegistry()
    registry.replies.append({"results": []})
    with pytest.raises(RegistryProtocolError, match="will be resent"):
        _engine(store, registry).push(SyncSummary())
    state = SyncState(store)
    assert state.pending_batch() is not None and state.waiting_count() == 1


# -- replies: refused, conflict -------------------------------------------------
def test_a_refused_record_is_recorded_and_waits_until_edited_again(store) -> None:
    model = store.save(_model(), "ana")
    registry = ScriptedRegistry()
    registry.replies.append(
        {
            "results": [
                {
                    "status": "rejected",
                    "problem": {
                        "detail": "slug: already taken",
                        "errors": [{"field": "slug", "reason": "already taken"}],
                    },
                }
            ]
        }
    )
    summary = SyncSummary()
    _engine(store, registry).push(summary)

    state = SyncState(store)
    [refusal] = state.conflicts()
    assert (refusal.kind, refusal.field, refusal.detail) == (
        "rejected",
        "slug",
        "slug: already taken",
    )
    assert summary.rejected == 1 and state.pushable(10) == []
    assert state.waiting_count() == 1  # the change is kept, not lost

    store.save(model.replace(slug="kestrel-one"), "ana")
    assert [i for _, i, _ in state.pushable(10)] == [model.id]


def test_an_answer_the_engine_does_not_know_stops_the_sync(store) -> None:
    store.save(_model(), "ana")
    registry = ScriptedRegistry()
    registry.replies.append({"results": [{"status": "maybe"}]})
    with pytest.raises(RegistryProtocolError, match="'maybe'"):
        _engine(store, registry).push(SyncSummary())
    assert SyncState(store).waiting_count() == 1


# -- pull: pages and cursor -----------------------------------------------------
def test_a_received_record_is_stored_audited_and_becomes_the_merge_base(store) -> None:
    theirs = _model("from-bea")
    registry = ScriptedRegistry()
    registry.pages.append(_page(_entry(theirs, 3)))
    summary = SyncSummary()
    _engine(store, registry).pull(summary)

    stored = store.get(Model, theirs.id)
    assert stored is not None and stored.version == 3 and stored.modified_by == "bea"
    assert [(h["field"], h["who"]) for h in store.history(theirs.id)] == [("(created)", "bea")]
    state = SyncState(store)
    assert state.base("model", theirs.id)[0] == 3  # type: ignore[index]
    assert state.cursor() == "c1" and summary.pulled == 1
    assert state.waiting_count() == 0  # nothing to send back


def test_a_copy_no_newer_than_the_base_changes_nothing(store) -> None:
    registry = ScriptedRegistry()
    mine = _synced(store, registry, _model())
    registry.pages.append(_page(_entry(mine, 1, display_name="an older name")))
    _engine(store, registry).pull(SyncSummary())
    assert store.get(Model, mine.id) == mine
    assert len(store.history(mine.id)) == 1


def test_each_page_is_kept_with_its_cursor_when_a_later_page_fails(store) -> None:
    first, second = _model("first"), _model("second")
    registry = ScriptedRegistry()
    registry.pages.extend(
        [_page(_entry(first, 1), cursor="c1", more=True), RegistryUnreachable("offline")]
    )
    with pytest.raises(RegistryUnreachable):
        _engine(store, registry).pull(SyncSummary())
    state = SyncState(store)
    assert store.get(Model, first.id) is not None and state.cursor() == "c1"

    registry.pages.append(_page(_entry(second, 2), cursor="c2"))
    _engine(store, registry).pull(SyncSummary())
    assert registry.asked == [None, "c1", "c1"]
    assert store.get(Model, second.id) is not None and state.cursor() == "c2"


def test_a_page_whose_cursor_cannot_be_stored_leaves_no_record_behind(store, monkeypatch) -> None:
    theirs = _model("from-bea")
    registry = ScriptedRegistry()
    registry.pages.append(_page(_entry(theirs, 1)))

    def broken(self: SyncState, cursor: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(SyncState, "set_cursor", broken)
    with pytest.raises(OSError, match="disk full"):
        _engine(store, registry).pull(SyncSummary())
    monkeypatch.undo()

    state = SyncState(store)
    assert store.get(Model, theirs.id) is None
    assert state.base("model", theirs.id) is None and state.cursor() is None
    assert store.history(theirs.id) == []


def test_a_page_with_an_entry_of_unknown_type_is_refused_whole(store) -> None:
    good = _model("good")
    registry = ScriptedRegistry()
    registry.pages.append(_page(_entry(good, 1), {"type": "spaceship", "id": "x", "version": 2}))
    with pytest.raises(RegistryProtocolError, match="nothing was changed"):
        _engine(store, registry).pull(SyncSummary())
    assert store.get(Model, good.id) is None and SyncState(store).cursor() is None


# -- pull: merges and conflicts -------------------------------------------------
def test_edits_of_different_fields_merge_and_mine_is_sent_on_their_version(store) -> None:
    registry = ScriptedRegistry()
    mine = _synced(store, registry, _model())
    store.save(mine.replace(notes="mine"), "ana")
    registry.pages.append(_page(_entry(mine, 2, display_name="Theirs")))
    registry.replies.append(
        {"results": [{"status": "applied", "type": "model", "id": mine.id, "version": 3}]}
    )
    summary = _pull_then_push(store, registry)

    merged = store.get(Model, mine.id)
    assert merged is not None
    assert (merged.display_name, merged.notes, merged.version) == ("Theirs", "mine", 3)
    [(_, body)] = registry.sent
    [op] = body["operations"]
    assert op["base_version"] == 2 and op["data"]["notes"] == "mine"
    assert summary.conflicts == 0 and SyncState(store).waiting_count() == 0


def test_a_field_changed_on_both_sides_is_a_stored_conflict_and_the_record_waits(store) -> None:
    registry = ScriptedRegistry()
    mine = _synced(store, registry, _model(display_name="Kestrel"))
    store.save(mine.replace(display_name="Mine", notes="also mine"), "ana")
    registry.pages.append(_page(_entry(mine, 2, display_name="Theirs", family="K")))
    summary = _pull_then_push(store, registry)

    state = SyncState(store)
    [conflict] = state.conflicts()
    assert (conflict.kind, conflict.field) == ("field", "display_name")
    assert (conflict.base, conflict.mine, conflict.theirs) == ("Kestrel", "Mine", "Theirs")
    assert conflict.their_version == 2
    held = store.get(Model, mine.id)
    assert held is not None
    assert (held.display_name, held.family, held.notes) == ("Mine", "K", "also mine")
    assert summary.conflicts == 1 and registry.sent == []  # nothing sent until resolved
    assert state.pushable(10) == [] and state.waiting_count() == 1


def test_their_delete_against_my_edit_is_a_conflict_not_a_silent_loss(store) -> None:
    registry = ScriptedRegistry()
    mine = _synced(store, registry, _model())
    store.save(mine.replace(notes="still needed"), "ana")
    registry.pages.append(_page(_entry(mine, 2, deleted=True)))
    _pull_then_push(store, registry)

    held = store.get(Model, mine.id)
    assert held is not None and not held.deleted and held.notes == "still needed"
    assert [c.field for c in SyncState(store).conflicts()] == ["deleted"]


def test_when_their_version_already_has_my_edit_nothing_is_left_to_send(store) -> None:
    registry = ScriptedRegistry()
    mine = _synced(store, registry, _model())
    store.save(mine.replace(notes="same on both"), "ana")
    registry.pages.append(_page(_entry(mine, 2, notes="same on both")))
    _pull_then_push(store, registry)
    assert registry.sent == [] and SyncState(store).waiting_count() == 0
    assert store.get(Model, mine.id).version == 2  # type: ignore[union-attr]


def test_a_conflict_reply_to_a_push_merges_their_current_copy(store) -> None:
    registry = ScriptedRegistry()
    mine = _synced(store, registry, _model())
    store.save(mine.replace(notes="mine"), "ana")
    current = _entry(mine, 2, display_name="Theirs")
    registry.replies.extend(
        [
            {
                "results": [
                    {"status": "conflict", "type": "model", "id": mine.id, "current": current}
                ]
            },
            {"results": [{"status": "applied", "type": "model", "id": mine.id, "version": 3}]},
        ]
    )
    summary = _engine(store, registry).run()

    merged = store.get(Model, mine.id)
    assert merged is not None and (merged.display_name, merged.notes) == ("Theirs", "mine")
    assert [body["operations"][0]["base_version"] for _, body in registry.sent] == [1, 2]
    assert summary.pushed == 1 and summary.conflicts == 0
    assert SyncState(store).waiting_count() == 0


# -- page store -------------------------------------------------------------------
def test_the_page_prefetch_reads_local_copies_bases_and_pending_edits(store) -> None:
    registry = ScriptedRegistry()
    synced = _synced(store, registry, _model("synced"))
    edited = store.save(_model("edited"), "ana")
    unknown = _model("unknown")
    entries = [_entry(m, 5) for m in (synced, edited, unknown)]

    known = PagePrefetch(store, entries)

    assert set(known.locals) == {("model", synced.id), ("model", edited.id)}
    assert known.locals[("model", synced.id)] == synced
    assert known.bases == {("model", synced.id): 1}
    assert known.pending == {("model", edited.id)}


def test_the_page_writer_writes_nothing_until_flushed_then_everything(store) -> None:
    theirs = _model("from-bea").replace(version=4, modified_by="bea")
    writer = PageWriter(store)
    with store.transaction():
        writer.write_remote(theirs, None)
        writer.set_base("model", theirs.id, 4, {"slug": "from-bea"})
        assert store.get(Model, theirs.id) is None
        writer.flush()
    assert store.get(Model, theirs.id) == theirs
    assert SyncState(store).base("model", theirs.id) == (4, {"slug": "from-bea"})
    assert [h["who"] for h in store.history(theirs.id)] == ["bea"]
    assert SyncState(store).waiting_count() == 0
