from stewardship.domain.merge import three_way_merge

BASE = {
    "id": "r1",
    "version": 3,
    "title": "Verify copies",
    "owner": "ana",
    "notes": "",
    "deleted": False,
}


def test_disjoint_fields_merge_by_themselves():
    mine = {**BASE, "owner": "ben"}
    theirs = {**BASE, "notes": "second copy in vault B", "version": 4}
    result = three_way_merge(BASE, mine, theirs)
    assert result.clean
    assert result.merged["owner"] == "ben"
    assert result.merged["notes"] == "second copy in vault B"
    assert result.from_theirs == ["notes"]


def test_same_field_changed_differently_is_a_conflict():
    result = three_way_merge(BASE, {**BASE, "owner": "ben"}, {**BASE, "owner": "cho"})
    assert [(c.field, c.base, c.mine, c.theirs) for c in result.conflicts] == [
        ("owner", "ana", "ben", "cho")
    ]
    assert result.merged["owner"] == "ben", "mine is kept until the steward decides"


def test_same_change_on_both_sides_is_not_a_conflict():
    result = three_way_merge(BASE, {**BASE, "owner": "ben"}, {**BASE, "owner": "ben"})
    assert result.clean and result.merged["owner"] == "ben"


def test_delete_against_edit_is_a_conflict_either_way():
    deleted = {**BASE, "deleted": True}
    edited = {**BASE, "notes": "still needed"}
    for mine, theirs in [(deleted, edited), (edited, deleted)]:
        result = three_way_merge(BASE, mine, theirs)
        assert [c.field for c in result.conflicts] == ["deleted"]
        assert result.merged["deleted"] == mine["deleted"]


def test_delete_against_no_edit_merges_cleanly():
    result = three_way_merge(BASE, dict(BASE), {**BASE, "deleted": True})
    assert result.clean and result.merged["deleted"] is True


def test_without_a_base_every_difference_is_a_conflict():
    result = three_way_merge(None, {**BASE, "owner": "ben"}, {**BASE, "owner": "cho"})
    assert [c.field for c in result.conflicts] == ["owner"]


def test_bookkeeping_fields_never_conflict():
    result = three_way_merge(BASE, {**BASE, "version": 3}, {**BASE, "version": 9})
    assert result.clean and "version" not in result.merged
