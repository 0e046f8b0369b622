"""Reads that run on every sync or every start-up go through an index, not the whole table.

A store of 10,000 models holds 300,000 checklist items; a read that scans them costs
tens of milliseconds each time (a sync with nothing to do took 200 ms, when it should
take a few). These fail if such a read loses its index.
"""

from datetime import date

from stewardship.store.queries_blobs import file_references
from stewardship.store.queries_checklists import overdue_count, overdue_of_model

TODAY = date(2026, 11, 28)


def _plans(store, read) -> list[str]:
    """The query plan of each statement ``read(store)`` runs."""
    statements: list[str] = []
    store.conn.set_trace_callback(statements.append)
    try:
        read(store)
    finally:
        store.conn.set_trace_callback(None)
    return [
        step for sql in statements for (*_, step) in store.conn.execute(f"EXPLAIN QUERY PLAN {sql}")
    ]


def _full_scans(plan: list[str]) -> list[str]:
    return [step for step in plan if step.startswith("SCAN") and "INDEX" not in step]


def test_the_records_that_name_a_file_are_found_through_indexes(store):
    plan = _plans(store, file_references)
    assert plan and not _full_scans(plan), plan


def test_one_models_late_items_are_counted_through_the_items_by_model(store):
    plan = _plans(store, lambda s: overdue_of_model(s, "some-model", TODAY))
    assert not _full_scans(plan), plan
    assert any("model_id=?" in step for step in plan), plan


def test_the_late_items_card_finds_deleted_models_without_reading_every_model(store):
    plan = _plans(store, lambda s: overdue_count(s, TODAY))
    assert plan and not _full_scans(plan), plan
