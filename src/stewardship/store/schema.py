"""Table layout derived from the domain records, and the numbered migrations.

Each migration is a function that takes the database inside an open
transaction. ``PRAGMA user_version`` holds the number of the last one run.
Append new migrations to :data:`MIGRATIONS`; never edit one that has shipped.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported by the store when a migration runs
    import sqlite_utils

    from ..domain.records import Record

_SQL_TYPES = {"date": str, "bool": int, "int": int, "json": str, "str": str}


def record_columns(cls: type[Record]) -> dict[str, type]:
    return {name: _SQL_TYPES[kind] for name, kind in cls.field_kinds().items()}


def _v1_initial(db: sqlite_utils.Database) -> None:
    from ..domain.records import RECORD_TYPES  # only when a migration runs

    for cls in RECORD_TYPES.values():
        db[cls.TABLE].create(record_columns(cls), pk="id", not_null={"id"})
    db["models"].create_index(["slug"], unique=True)
    for table in ("checklist_items", "preference_requests", "interviews", "reports"):
        db[table].create_index(["model_id"])
    db["checklist_items"].create_index(["model_id", "template_key"], unique=True)
    db["audit"].create(
        {
            "seq": int,
            "record_type": str,
            "record_id": str,
            "field": str,
            "old": str,
            "new": str,
            "who": str,
            "at": str,
            "note": str,
        },
        pk="seq",
    )
    db["audit"].create_index(["record_id", "seq"])
    # Local changes waiting to be pushed to the registry (DESIGN section 4).
    db["outbox"].create(
        {
            "seq": int,
            "record_type": str,
            "record_id": str,
            "base_version": int,
            "idempotency_key": str,
            "queued_at": str,
        },
        pk="seq",
    )
    db["outbox"].create_index(["record_type", "record_id"])
    db["settings"].create({"key": str, "value": str}, pk="key")
    db["transcripts"].create(
        {"sha256": str, "original_name": str, "size": int, "stored_at": str}, pk="sha256"
    )


def _v2_dashboard_indexes(db: sqlite_utils.Database) -> None:
    db["models"].create_index(["retirement_on"])
    db["checklist_items"].create_index(["due_date", "status"])


def _v3_sync_state(db: sqlite_utils.Database) -> None:
    # Two laptops may each create a model with the same slug while offline; a
    # UNIQUE index would then make every later pull fail. Uniqueness of live
    # slugs is checked when a steward saves (ModelService), not by SQLite.
    db.execute("DROP INDEX IF EXISTS idx_models_slug")
    db["models"].create_index(["slug"], index_name="idx_models_slug_lookup")
    # The last-synced copy of each record: the base of three-way merges.
    db["sync_base"].create(
        {"record_type": str, "record_id": str, "version": int, "data": str},
        pk=("record_type", "record_id"),
    )
    # A batch written before it is first sent, so a retry after a crash sends
    # the same Idempotency-Key with the same body.
    db["sync_pending_batch"].create(
        {"id": int, "idempotency_key": str, "body": str, "max_seq": int, "created_at": str},
        pk="id",
    )
    # Fields the steward must decide, and records the registry refused.
    db["sync_conflicts"].create(
        {
            "id": int,
            "record_type": str,
            "record_id": str,
            "kind": str,  # "field" | "rejected"
            "field": str,
            "base": str,
            "mine": str,
            "theirs": str,
            "their_version": int,
            "detail": str,
            "created_at": str,
        },
        pk="id",
    )
    db["sync_conflicts"].create_index(["record_type", "record_id"])


def _v4_checklist_progress_index(db: sqlite_utils.Database) -> None:
    # The dashboard's per-model checklist progress reads only these columns:
    # a covering index turns its scan of every item into an index-only scan
    # (300,000 items: ~100 ms instead of ~300 ms).
    db.execute(
        "CREATE INDEX IF NOT EXISTS idx_checklist_items_progress"
        " ON checklist_items (model_id, deleted, status, due_date)"
    )


_COMPLETE = "('done', 'not_applicable')"


def _v5_checklist_totals(db: sqlite_utils.Database) -> None:
    # Per-model item totals kept by triggers, so the dashboard reads one row per
    # model instead of adding up every checklist item at start-up; overdue items
    # (which depend on today) are counted through a partial index of open items.
    conn = db.conn
    conn.execute(
        "CREATE TABLE checklist_totals (model_id TEXT PRIMARY KEY,"
        " total INTEGER NOT NULL DEFAULT 0, complete INTEGER NOT NULL DEFAULT 0)"
    )
    conn.execute(
        "INSERT INTO checklist_totals (model_id, total, complete)"
        f" SELECT model_id, count(*), sum(status IN {_COMPLETE}) FROM checklist_items"
        " WHERE deleted = 0 GROUP BY model_id"
    )
    add_new = (
        "INSERT INTO checklist_totals (model_id, total, complete)"
        f" SELECT NEW.model_id, 1, NEW.status IN {_COMPLETE} WHERE NEW.deleted = 0"
        " ON CONFLICT(model_id) DO UPDATE SET total = total + 1,"
        " complete = complete + excluded.complete;"
    )
    remove_old = (
        "UPDATE checklist_totals SET total = total - 1,"
        f" complete = complete - (OLD.status IN {_COMPLETE})"
        " WHERE model_id = OLD.model_id AND OLD.deleted = 0;"
    )
    conn.execute(
        f"CREATE TRIGGER checklist_totals_insert AFTER INSERT ON checklist_items"
        f" BEGIN {add_new} END"
    )
    conn.execute(
        f"CREATE TRIGGER checklist_totals_delete AFTER DELETE ON checklist_items"
        f" BEGIN {remove_old} END"
    )
    conn.execute(
        "CREATE TRIGGER checklist_totals_update AFTER UPDATE OF status, deleted, model_id"
        f" ON checklist_items BEGIN {remove_old} {add_new} END"
    )
    conn.execute(
        "CREATE INDEX idx_checklist_items_open_due ON checklist_items (due_date, model_id)"
        f" WHERE deleted = 0 AND status NOT IN {_COMPLETE}"
    )


def _v6_pending_batch_tops(db: sqlite_utils.Database) -> None:
    # The outbox position each record of a pending batch covers. One position
    # for the whole batch dropped later edits of one record whose outbox row
    # took a number freed by another record of the batch (SQLite reuses rowids).
    db.execute("ALTER TABLE sync_pending_batch ADD COLUMN tops TEXT")


Migration = Callable[["sqlite_utils.Database"], None]

MIGRATIONS: list[Migration] = [
    _v1_initial,
    _v2_dashboard_indexes,
    _v3_sync_state,
    _v4_checklist_progress_index,
    _v5_checklist_totals,
    _v6_pending_batch_tops,
]

LATEST_VERSION = len(MIGRATIONS)
