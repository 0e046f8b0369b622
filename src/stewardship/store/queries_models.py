"""Reads of the models table that lists of thousands need: a few columns, not whole records."""

from __future__ import annotations

import json
from collections.abc import Sequence

from .database import Store


def model_rows(store: Store, columns: str, order_by: str | None = None) -> list[tuple]:
    """Every live model's ``columns`` (a comma-separated list), as stored (dates as ISO text)."""
    sql = f"SELECT {columns} FROM models WHERE deleted = 0"
    if order_by:
        sql += f" ORDER BY {order_by}"
    return store.conn.execute(sql).fetchall()


def live_slugs(store: Store, except_id: str | None = None) -> list[str]:
    """The slugs of live models (but ``except_id``'s), sorted."""
    rows = store.conn.execute(
        "SELECT slug FROM models WHERE deleted = 0 AND id IS NOT ? ORDER BY slug", (except_id,)
    )
    return [slug for (slug,) in rows if slug]


def model_names(store: Store) -> dict[str, tuple[str, str]]:
    """Every model's id -> (display name, slug), deleted ones too (old records name them)."""
    return {
        mid: (name or "", slug or "")
        for mid, name, slug in store.conn.execute("SELECT id, display_name, slug FROM models")
    }


def dashboard_rows(
    store: Store,
    columns: str,
    *,
    retired_states: Sequence[str],
    retired_since: str,
    also_ids: Sequence[str] = (),
) -> list[tuple]:
    """The live models the dashboard lists, each as ``columns`` (of the model), then its
    checklist items in total and complete (``checklist_totals``).

    Listed: a model not in ``retired_states`` with a retirement date (confirmed, else
    not-before); a retired one whose retirement (the day it retired, else the planned
    date) is on or after ``retired_since`` (ISO text); and the models in ``also_ids``.
    Deciding here, on the stored text, means the other half of a large store is never
    read into Python.
    """
    picked = ", ".join(f"m.{name.strip()}" for name in columns.split(","))
    states = ", ".join("?" * len(retired_states))
    planned = "coalesce(nullif(m.retirement_on, ''), nullif(m.retirement_not_before, ''))"
    sql = f"""
        SELECT {picked}, coalesce(t.total, 0), coalesce(t.complete, 0)
        FROM models m LEFT JOIN checklist_totals t ON t.model_id = m.id
        WHERE m.deleted = 0 AND (
            CASE WHEN m.state IN ({states})
                 THEN coalesce(nullif(m.retired_on, ''), {planned}) >= ?
                 ELSE {planned} IS NOT NULL END
            {"OR m.id IN (SELECT value FROM json_each(?))" if also_ids else ""})
    """
    params = (*retired_states, retired_since) + ((json.dumps(list(also_ids)),) if also_ids else ())
    return store.conn.execute(sql, params).fetchall()


def live_names(store: Store) -> dict[str, str]:
    """Every live model's slug -> display name."""
    return dict(store.conn.execute("SELECT slug, display_name FROM models WHERE deleted = 0"))


def live_name(store: Store, slug: str) -> str | None:
    """The display name of the live model with ``slug`` (None: no such model)."""
    row = store.conn.execute(
        "SELECT display_name FROM models WHERE slug = ? AND deleted = 0"
        " ORDER BY rowid DESC LIMIT 1",
        (slug,),
    ).fetchone()
    return None if row is None else str(row[0] or "")


def live_model_count(store: Store) -> int:
    return int(store.conn.execute("SELECT count(*) FROM models WHERE deleted = 0").fetchone()[0])
