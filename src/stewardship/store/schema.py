"""The numbered migrations of the local store, and the helpers a migration uses.

Each migration is a function that takes the database inside an open
transaction. ``PRAGMA user_version`` holds the number of the last one run.
Append new migrations to :data:`MIGRATIONS`; never edit one that has shipped.

Every store, fresh or old, is built by running the migrations in order, so a
fresh store is exactly what an old one becomes. A migration therefore writes
out what it creates (the v1 tables are literal column lists): reading the
record classes as they are today would create, in an early migration, a table
or column that a later one creates again. The one exception is
:func:`new_record_type` (:func:`create_record_table`), the migration that adds a
record type: it creates the table from the class, and :func:`add_record_columns`
(for the migration that adds a field) adds only what is missing, so both are
harmless to run on a store that already has them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported by the store when a migration runs
    import sqlite_utils

    from ..domain.records import Record

Migration = Callable[["sqlite_utils.Database"], None]

_SQL_TYPES = {"date": str, "bool": int, "int": int, "json": str, "str": str}


def record_columns(cls: type[Record]) -> dict[str, type]:
    """The columns of a record class's table as it is declared now: name -> Python type."""
    return {name: _SQL_TYPES[kind] for name, kind in cls.field_kinds().items()}


def create_record_table(db: sqlite_utils.Database, cls: type[Record]) -> None:
    """The table of a new record type, from its class; the migration that adds a type calls this.

    Indexes ``model_id`` when the type has one (every view lists a model's
    records). On a store that already has the table, adds only its missing columns.
    """
    table = db.table(cls.TABLE)
    if table.exists():
        add_record_columns(db, cls)
        return
    columns = record_columns(cls)
    table.create(columns, pk="id", not_null={"id"})
    if "model_id" in columns:
        table.create_index(["model_id"])


def new_record_type(type_name: str) -> Migration:
    """The migration that adds a record type: ``new_record_type("gadget")`` in :data:`MIGRATIONS`.

    It runs :func:`create_record_table` on the class registered under ``type_name``.
    """

    def migration(db: sqlite_utils.Database) -> None:
        from ..domain.records import RECORD_TYPES  # the classes load when a migration runs

        create_record_table(db, RECORD_TYPES[type_name])

    migration.__name__ = f"new_record_type_{type_name}"
    return migration


def add_record_columns(db: sqlite_utils.Database, cls: type[Record]) -> None:
    """Add the columns a record class declares and its table lacks (a migration adding a field)."""
    table = db.table(cls.TABLE)
    have = set(table.columns_dict)
    for name, kind in record_columns(cls).items():
        if name not in have:
            table.add_column(name, kind)


#: Fields every record table starts with (``Record``'s own fields in v1).
_V1_RECORD = {"id": str, "version": int, "modified_at": str, "modified_by": str, "deleted": int}

#: The record tables as v1 created them. Frozen: a later field is a later migration.
_V1_TABLES: dict[str, dict[str, type]] = {
    "models": {
        **_V1_RECORD,
        "slug": str,
        "display_name": str,
        "family": str,
        "provider": str,
        "internal_only": int,
        "released_on": str,
        "state": str,
        "deprecation_announced_on": str,
        "retirement_not_before": str,
        "retirement_on": str,
        "retired_on": str,
        "replacement": str,
        "replacement_recommended_on": str,
        "platform_dates": str,
        "notes": str,
    },
    "checklist_items": {
        **_V1_RECORD,
        "model_id": str,
        "checklist": str,
        "template_key": str,
        "template_version": int,
        "position": int,
        "title": str,
        "guidance": str,
        "required": int,
        "evidence_required": int,
        "status": str,
        "owner": str,
        "due_date": str,
        "evidence": str,
        "evidence_url": str,
        "evidence_sha256": str,
        "evidence_file": str,
        "not_applicable_reason": str,
        "signed_off_by": str,
        "signed_off_at": str,
        "notes": str,
    },
    "preference_requests": {
        **_V1_RECORD,
        "model_id": str,
        "source": str,
        "interview_id": str,
        "category": str,
        "words": str,
        "received_on": str,
        "status": str,
        "estimated_cost": str,
        "response": str,
        "rationale": str,
        "responded_on": str,
        "notes": str,
    },
    "interviews": {
        **_V1_RECORD,
        "model_id": str,
        "held_on": str,
        "interviewers": str,
        "protocol_version": str,
        "transcript_name": str,
        "transcript_sha256": str,
        "summary": str,
    },
    "reports": {
        **_V1_RECORD,
        "model_id": str,
        "reflections": str,
        "preferences": str,
        "interpretation": str,
        "status": str,
        "reviewers": str,
        "reopen_reason": str,
    },
}


def _v1_initial(db: sqlite_utils.Database) -> None:
    for name, columns in _V1_TABLES.items():
        db.table(name).create(columns, pk="id", not_null={"id"})
    db.table("models").create_index(["slug"], unique=True)
    for table in ("checklist_items", "preference_requests", "interviews", "reports"):
        db.table(table).create_index(["model_id"])
    db.table("checklist_items").create_index(["model_id", "template_key"], unique=True)
    db.table("audit").create(
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
    db.table("audit").create_index(["record_id", "seq"])
    # Local changes waiting to be pushed to the registry (docs/registry-protocol.md).
    db.table("outbox").create(
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
    db.table("outbox").create_index(["record_type", "record_id"])
    db.table("settings").create({"key": str, "value": str}, pk="key")
    db.table("transcripts").create(
        {"sha256": str, "original_name": str, "size": int, "stored_at": str}, pk="sha256"
    )


def _v2_dashboard_indexes(db: sqlite_utils.Database) -> None:
    db.table("models").create_index(["retirement_on"])
    db.table("checklist_items").create_index(["due_date", "status"])


def _v3_sync_state(db: sqlite_utils.Database) -> None:
    # Two laptops may each create a model with the same slug while offline; a
    # UNIQUE index would then make every later pull fail. Uniqueness of live
    # slugs is checked when a steward saves (ModelService), not by SQLite.
    db.execute("DROP INDEX IF EXISTS idx_models_slug")
    db.table("models").create_index(["slug"], index_name="idx_models_slug_lookup")
    # The last-synced copy of each record: the base of three-way merges.
    db.table("sync_base").create(
        {"record_type": str, "record_id": str, "version": int, "data": str},
        pk=("record_type", "record_id"),
    )
    # A batch written before it is first sent, so a retry after a crash sends
    # the same Idempotency-Key with the same body.
    db.table("sync_pending_batch").create(
        {"id": int, "idempotency_key": str, "body": str, "max_seq": int, "created_at": str},
        pk="id",
    )
    # Fields the steward must decide, and records the registry refused.
    db.table("sync_conflicts").create(
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
    db.table("sync_conflicts").create_index(["record_type", "record_id"])


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


def _v7_conflict_authors(db: sqlite_utils.Database) -> None:
    # Who made the registry's side of a conflict, and when: the Conflicts view says so.
    columns = {c.name for c in db.table("sync_conflicts").columns}
    for name in ("their_by", "their_at"):
        if name not in columns:
            db.execute(f"ALTER TABLE sync_conflicts ADD COLUMN {name} TEXT")


def _v8_files(db: sqlite_utils.Database) -> None:
    # What the registry said about each file a record names (by SHA-256), at
    # the last sync: whether it holds it, its size, and a damaged copy found.
    db.table("blob_remote").create(
        {"sha256": str, "in_registry": int, "size": int, "damaged": str, "checked_at": str},
        pk="sha256",
    )
    # An interview's title (stewardship interview add --title).
    if "title" not in db.table("interviews").columns_dict:
        db.table("interviews").add_column("title", str)


def _v9_newer_fields(db: sqlite_utils.Database) -> None:
    # Fields of a synced record that this console's record types do not declare
    # (a newer console's): kept as the registry sent them, sent back unchanged
    # with every push of the record (docs/registry-protocol.md, forward compatibility).
    db.execute(
        "CREATE TABLE record_extras (record_type TEXT NOT NULL, record_id TEXT NOT NULL,"
        " data TEXT NOT NULL, PRIMARY KEY (record_type, record_id))"
    )


def _interview_answer_indexes(db: sqlite_utils.Database) -> None:
    # An interview's answers, and one question's answers across every model.
    db.table("interview_answers").create_index(["interview_id"], if_not_exists=True)
    db.table("interview_answers").create_index(["question_id"], if_not_exists=True)


def _request_question_link(db: sqlite_utils.Database) -> None:
    # A preference request made from an interview answer names the question.
    if "question_id" not in db.table("preference_requests").columns_dict:
        db.table("preference_requests").add_column("question_id", str)


def _weights_indexes(db: sqlite_utils.Database) -> None:
    # A copy's latest verification (the dashboard and the status read only that)
    # and a manifest's files.
    db.execute(
        "CREATE INDEX IF NOT EXISTS idx_weight_verifications_copy"
        " ON weight_verifications (copy_id, deleted, finished_at, outcome)"
    )
    db.execute(
        "CREATE INDEX IF NOT EXISTS idx_weight_manifest_files_manifest"
        " ON weight_manifest_files (manifest_id, path)"
    )


def _file_reference_indexes(db: sqlite_utils.Database) -> None:
    # The records that name a file, which every sync reads twice (files to send, files to
    # fetch): without these it read all 300,000 items of a large store each time, and a
    # sync with nothing to do took 200 ms instead of a few.
    db.execute(
        "CREATE INDEX IF NOT EXISTS idx_checklist_items_evidence_file"
        " ON checklist_items (evidence_sha256)"
        " WHERE deleted = 0 AND evidence_file != '' AND evidence_sha256 != ''"
    )
    db.execute(
        "CREATE INDEX IF NOT EXISTS idx_interviews_transcript"
        " ON interviews (transcript_sha256) WHERE deleted = 0 AND transcript_sha256 != ''"
    )


def _deleted_models_index(db: sqlite_utils.Database) -> None:
    # The few deleted models, whose items the dashboard's late-items card leaves out.
    db.execute("CREATE INDEX IF NOT EXISTS idx_models_deleted ON models (id) WHERE deleted != 0")


MIGRATIONS: list[Migration] = [
    _v1_initial,
    _v2_dashboard_indexes,
    _v3_sync_state,
    _v4_checklist_progress_index,
    _v5_checklist_totals,
    _v6_pending_batch_tops,
    _v7_conflict_authors,
    _v8_files,
    _v9_newer_fields,
    new_record_type("interview_answer"),
    _interview_answer_indexes,
    _request_question_link,
    new_record_type("archive_copy"),
    new_record_type("weight_manifest"),
    new_record_type("weight_manifest_file"),
    new_record_type("weight_verification"),
    _weights_indexes,
    _file_reference_indexes,
    _deleted_models_index,
]

LATEST_VERSION = len(MIGRATIONS)


def latest_version() -> int:
    """The number of the last migration, read when a store opens (a test may append one)."""
    return len(MIGRATIONS)
