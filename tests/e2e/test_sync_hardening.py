"""The audit's sync findings (issue 15), against a real registry: each failed before the fix."""

from __future__ import annotations

import uuid

import requests

from stewardship.domain.records import ChecklistItem, Model
from stewardship.store.sync_state import SyncState
from stewardship.sync.engine import SyncEngine, SyncSummary

from .test_sync_basic import model


def _full(store, cls=Model):
    """Every field of every record, modified_at included."""
    return {r.id: r.to_dict() for r in store.list(cls, include_deleted=True)}


# -- 3. the writer keeps what the registry stored ---------------------------------------
def test_the_writer_stores_the_registrys_record_after_applied(console_factory, registry):
    ana, ben = console_factory("ana"), console_factory("ben")
    m = ana.store.save(model("plover-1", notes="first"), "Ana")
    ana.sync()
    stored = registry.records()[("model", m.id)]
    mine = ana.store.get(Model, m.id)
    assert mine.modified_at == stored.modified_at == stored.data["modified_at"]
    ben.sync()
    assert _full(ana.store) == _full(ben.store), "every console holds the same record"
    # and an edit pushed by ben comes back the same on ana's side
    ben.store.save(ben.store.get(Model, m.id).replace(notes="second"), "Ben")
    ben.sync()
    ana.sync()
    assert _full(ana.store) == _full(ben.store)


def test_an_edit_made_while_the_batch_was_in_flight_is_kept(console_factory, registry):
    ana = console_factory("ana")
    m = ana.store.save(model("plover-2", notes="first"), "Ana")
    engine_client = ana.client()
    engine = SyncEngine(ana.store, engine_client)
    original = engine_client.post_batch

    def edit_then_post(key, body):
        ana.store.save(ana.store.get(Model, m.id).replace(notes="edited meanwhile"), "Ana")
        return original(key, body)

    engine_client.post_batch = edit_then_post  # type: ignore[method-assign]
    try:
        engine.push(SyncSummary())
    finally:
        engine_client.close()
    assert ana.store.get(Model, m.id).notes == "edited meanwhile"
    ana.sync()
    assert registry.records()[("model", m.id)].data["notes"] == "edited meanwhile"


# -- 5. a viewer pulls --------------------------------------------------------------------
def test_a_viewer_with_local_changes_still_pulls(console_factory, registry):
    ana = console_factory("ana")
    viewer = console_factory("vera", token=registry.token("vera", "viewer"))
    m = ana.store.save(model("heron-1"), "Ana")
    ana.sync()
    viewer.store.save(model("heron-local"), "Vera")
    summary = viewer.sync()
    assert viewer.store.get(Model, m.id) is not None, "the viewer received the registry's record"
    assert summary.read_only and summary.waiting == 1
    assert "this token may only read" in summary.line()
    assert SyncState(viewer.store).waiting_count() == 1, "the local change stays in the outbox"
    assert ("model", m.id) in registry.records() and len(registry.records()) == 1


# -- 8. the console sends a model before the items that name it -------------------------
def test_items_created_before_their_model_still_sync(console_factory, registry):
    ana = console_factory("ana")
    m = model("ibis-1")
    # the item reaches the outbox first (an import, or a restore's re-queue)
    item = ana.store.save(ChecklistItem(model_id=m.id, title="Archive the weights"), "Ana")
    ana.store.save(m, "Ana")
    summary = ana.sync(batch_limit=1)
    assert summary.rejected == 0 and summary.pushed == 2
    assert ("checklist_item", item.id) in registry.records()


# -- forward compatibility: a newer console's field survives an edit here ----------------
def test_a_newer_consoles_field_survives_an_edit_by_this_console(console_factory, registry):
    newer = requests.Session()
    newer.headers["Authorization"] = f"Bearer {registry.token('newer-console')}"
    record_id = str(uuid.uuid4())
    data = {
        "slug": "egret-1",
        "display_name": "Egret 1",
        "provider": "Meridian",
        "notes": "from the newer console",
        "carbon_budget": {"tonnes": 12, "audited": True},
    }
    reply = newer.post(
        registry.url + "/v1/batch",
        json={"operations": [{"type": "model", "id": record_id, "base_version": 0, "data": data}]},
        headers={"Idempotency-Key": str(uuid.uuid4())},
        timeout=10,
    ).json()
    assert reply["results"][0]["status"] == "applied"

    ana = console_factory("ana")
    ana.sync()
    # shown read-only: the record's history names the field and its value
    history = ana.store.history(record_id)
    [row] = [r for r in history if r["field"].startswith("carbon_budget")]
    assert "newer console" in row["field"] and '"tonnes": 12' in row["new"]

    ana.store.save(ana.store.get(Model, record_id).replace(notes="edited by ana"), "Ana")
    assert ana.sync().pushed == 1

    got = newer.get(registry.url + f"/v1/records/model/{record_id}", timeout=10).json()
    assert got["data"]["notes"] == "edited by ana"
    assert got["data"]["carbon_budget"] == {"tonnes": 12, "audited": True}

    # the newer console changes its field; this console keeps the new value
    version = got["version"]
    data2 = {**got["data"], "carbon_budget": {"tonnes": 9, "audited": True}}
    for key in ("id", "version", "modified_at", "deleted"):
        data2.pop(key)
    reply = newer.post(
        registry.url + "/v1/batch",
        json={
            "operations": [
                {"type": "model", "id": record_id, "base_version": version, "data": data2}
            ]
        },
        headers={"Idempotency-Key": str(uuid.uuid4())},
        timeout=10,
    ).json()
    assert reply["results"][0]["status"] == "applied"
    ana.sync()
    ana.store.save(ana.store.get(Model, record_id).replace(family="Egrets"), "Ana")
    ana.sync()
    final = registry.records()[("model", record_id)].data
    assert final["family"] == "Egrets" and final["carbon_budget"] == {"tonnes": 9, "audited": True}
    newer.close()
