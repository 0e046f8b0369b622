"""Counts and lookups over checklist items that would be slow as whole records.

The dashboard's counts were tuned for stores of 10,000 models (300,000
items): the totals come from ``checklist_totals`` (kept by triggers) and the
overdue count uses the partial index of open items (migrations v4 and v5).
"""

from __future__ import annotations

from datetime import date

from .database import Store


def template_keys(store: Store, model_id: str) -> set[str]:
    """The template keys of a model's items, deleted ones too."""
    return {
        row[0]
        for row in store.conn.execute(
            "SELECT template_key FROM checklist_items WHERE model_id = ?", (model_id,)
        )
    }


def item_slots(store: Store) -> dict[tuple[str, str], str]:
    """Every item's (model id, template key) -> item id, deleted ones too."""
    return {
        (m, k): i
        for i, m, k in store.conn.execute("SELECT id, model_id, template_key FROM checklist_items")
    }


def owners(store: Store) -> list[str]:
    """Every owner named on an item, sorted."""
    rows = store.conn.execute(
        "SELECT DISTINCT owner FROM checklist_items WHERE owner != '' ORDER BY owner"
    )
    return [r[0] for r in rows]


def status_counts(
    store: Store, model_id: str, checklist: str, first: str, second: str
) -> tuple[int, int, int]:
    """A model's live items of one checklist: (all, with status ``first``, with ``second``)."""
    row = store.conn.execute(
        "SELECT count(*), sum(status = ?), sum(status = ?) FROM checklist_items"
        " WHERE model_id = ? AND checklist = ? AND deleted = 0",
        (first, second, model_id, checklist),
    ).fetchone()
    return row[0] or 0, row[1] or 0, row[2] or 0


#: Open items past their due date (the partial index of open items serves it).
_OVERDUE = (
    "FROM checklist_items WHERE deleted = 0 AND status NOT IN ('done', 'not_applicable')"
    " AND due_date < ? AND due_date IS NOT NULL AND due_date != ''"
)


def overdue_count(store: Store, today: date) -> int:
    """Open items due before ``today``, of every live model."""
    row = store.conn.execute(
        f"SELECT count(*) {_OVERDUE}"
        " AND model_id NOT IN (SELECT id FROM models WHERE deleted != 0)",
        (today.isoformat(),),
    ).fetchone()
    return int(row[0])


def overdue_of_model(store: Store, model_id: str, today: date) -> int:
    """One model's open items due before ``today`` (through the index of items by model)."""
    row = store.conn.execute(
        f"SELECT count(*) {_OVERDUE} AND model_id = ?", (today.isoformat(), model_id)
    ).fetchone()
    return int(row[0])
