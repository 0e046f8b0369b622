from stewardship.domain.records import ChecklistItem, Model
from stewardship.store.sync_state import SyncState

from .conftest import BOTH_BACKENDS


def model(slug: str, **kw) -> Model:
    return Model(slug=slug, display_name=slug.title(), provider="Meridian", **kw)


def snapshot(store, cls=Model):
    return {
        r.id: {k: v for k, v in r.to_dict().items() if k not in {"modified_at"}}
        for r in store.list(cls, include_deleted=True)
    }


@BOTH_BACKENDS
def test_a_change_travels_from_one_console_to_another(console_factory, registry):
    ana, ben = console_factory("ana"), console_factory("ben")
    m = ana.store.save(model("kestrel-1", notes="first"), "Ana")
    summary = ana.sync()
    assert summary.pushed == 1 and summary.conflicts == 0
    assert ana.store.get(Model, m.id).version > 0
    assert SyncState(ana.store).waiting_count() == 0

    ben.sync()
    got = ben.store.get(Model, m.id)
    assert got.notes == "first" and got.modified_by == "Ana"
    assert snapshot(ana.store) == snapshot(ben.store)
    assert registry.records()[("model", m.id)].data["notes"] == "first"


@BOTH_BACKENDS
def test_disjoint_fields_merge_and_same_field_conflicts_either_order(console_factory):
    for first, second in [("ana", "ben"), ("ben", "ana")]:
        ana, ben = console_factory(f"ana-{first}"), console_factory(f"ben-{first}")
        consoles = {"ana": ana, "ben": ben}
        m = ana.store.save(model(f"halcyon-{first}"), "Ana")
        ana.sync()
        ben.sync()
        # offline edits: disjoint fields
        a = ana.store.get(Model, m.id)
        ana.store.save(a.replace(notes="ana's note"), "Ana")
        b = ben.store.get(Model, m.id)
        ben.store.save(b.replace(family="Halcyon"), "Ben")
        consoles[first].sync()
        s2 = consoles[second].sync()
        consoles[first].sync()
        assert s2.conflicts == 0
        for c in (ana, ben):
            got = c.store.get(Model, m.id)
            assert (got.notes, got.family) == ("ana's note", "Halcyon"), c.name
        assert snapshot(ana.store) == snapshot(ben.store)

        # same field, different values: one conflict on the second to sync
        ana.store.save(ana.store.get(Model, m.id).replace(replacement="halcyon-3"), "Ana")
        ben.store.save(ben.store.get(Model, m.id).replace(replacement="halcyon-4"), "Ben")
        assert consoles[first].sync().conflicts == 0
        s = consoles[second].sync()
        assert s.conflicts == 1
        conflicts = SyncState(consoles[second].store).conflicts()
        assert [(c.field, c.mine, c.theirs) for c in conflicts] == [
            (
                "replacement",
                "halcyon-3" if second == "ana" else "halcyon-4",
                "halcyon-4" if second == "ana" else "halcyon-3",
            )
        ]


@BOTH_BACKENDS
def test_checklist_items_sync_too(console_factory):
    ana, ben = console_factory("ana"), console_factory("ben")
    m = ana.store.save(model("orrery-1"), "Ana")
    item = ana.store.save(
        ChecklistItem(model_id=m.id, template_key="wr.copies", title="Two independent copies"),
        "Ana",
    )
    ana.sync()
    ben.sync()
    assert ben.store.get(ChecklistItem, item.id).title == "Two independent copies"
