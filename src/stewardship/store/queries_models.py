"""Reads of the models table that lists of thousands need: a few columns, not whole records."""

from __future__ import annotations

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
