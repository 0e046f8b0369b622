"""The store's side of sync: merge bases, the outbox, pending batches, conflicts, cursor.

Only the sync engine and the conflict service write here. Every method that
writes joins the caller's transaction when one is open.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ..domain.dates import utc_now
from ..domain.records import RECORD_TYPES, Record
from .audit import audit_changes
from .database import Store

CURSOR_KEY = "sync.cursor"
LAST_SYNC_KEY = "sync.last_success_at"


@dataclass(frozen=True)
class PendingBatch:
    idempotency_key: str
    body: dict[str, Any]
    max_seq: int
    #: "type/id" -> the highest outbox position of that record the batch covers
    tops: dict[str, int] | None = None

    def top(self, record_type: str, record_id: str) -> int:
        """The outbox rows of this record that the batch sends (a batch from an older
        console has no per-record positions: its single highest one applies)."""
        if self.tops is None:
            return self.max_seq
        return self.tops[f"{record_type}/{record_id}"]


@dataclass(frozen=True)
class StoredConflict:
    id: int
    record_type: str
    record_id: str
    kind: str
    field: str
    base: Any
    mine: Any
    theirs: Any
    their_version: int
    detail: str
    created_at: str
    their_by: str = ""  # who made the registry's value (its record's modified_by)
    their_at: str = ""  # and when (its modified_at)


def _type_rank(column: str) -> str:
    """A SQL expression ordering record types so that referred-to types come first."""
    from ..domain.record_base import import_order

    cases = " ".join(f"WHEN '{cls.TYPE}' THEN {rank}" for rank, cls in enumerate(import_order()))
    return f"CASE {column} {cases} ELSE 999 END"


def _load(text: str | None) -> Any:
    return None if text is None else json.loads(text)


class SyncState:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.conn = store.conn

    # -- cursor ----------------------------------------------------------
    def cursor(self) -> str | None:
        return self.store.get_setting(CURSOR_KEY)

    def set_cursor(self, cursor: str) -> None:
        self.store.set_setting(CURSOR_KEY, cursor)

    def last_success_at(self) -> str | None:
        return self.store.get_setting(LAST_SYNC_KEY)

    def mark_success(self) -> None:
        self.store.set_setting(LAST_SYNC_KEY, utc_now())

    # -- merge bases -----------------------------------------------------
    def base(self, record_type: str, record_id: str) -> tuple[int, dict[str, Any]] | None:
        row = self.conn.execute(
            "SELECT version, data FROM sync_base WHERE record_type = ? AND record_id = ?",
            (record_type, record_id),
        ).fetchone()
        return (int(row[0]), json.loads(row[1])) if row else None

    def set_base(
        self, record_type: str, record_id: str, version: int, data: dict[str, Any]
    ) -> None:
        self.conn.execute(
            "INSERT INTO sync_base (record_type, record_id, version, data) VALUES (?, ?, ?, ?)"
            " ON CONFLICT(record_type, record_id) DO UPDATE SET version = excluded.version,"
            " data = excluded.data",
            (record_type, record_id, version, json.dumps(data, sort_keys=True)),
        )

    def set_bases(self, rows: list[tuple[str, str, int, str]]) -> None:
        """Many bases at once: (type, id, version, data as JSON text) each."""
        self.conn.executemany(
            "INSERT INTO sync_base (record_type, record_id, version, data) VALUES (?, ?, ?, ?)"
            " ON CONFLICT(record_type, record_id) DO UPDATE SET version = excluded.version,"
            " data = excluded.data",
            rows,
        )

    def base_versions(self, record_type: str, record_ids: list[str]) -> dict[str, int]:
        """The merge-base version of each of ``record_ids`` that has one."""
        marks = ", ".join("?" * len(record_ids))
        return {
            record_id: int(version)
            for record_id, version in self.conn.execute(
                "SELECT record_id, version FROM sync_base WHERE record_type = ?"
                f" AND record_id IN ({marks})",
                [record_type, *record_ids],
            )
        }

    def bases_newer_than(self, version: int) -> list[tuple[str, str]]:
        """(type, id) of every record whose merge base is newer than ``version``."""
        return [
            (t, i)
            for t, i in self.conn.execute(
                "SELECT record_type, record_id FROM sync_base WHERE version > ?", (version,)
            ).fetchall()
        ]

    def drop_base(self, record_type: str, record_id: str) -> None:
        self.conn.execute(
            "DELETE FROM sync_base WHERE record_type = ? AND record_id = ?",
            (record_type, record_id),
        )

    # -- fields of newer consoles ------------------------------------------
    def extras(self, record_type: str, record_id: str) -> dict[str, Any]:
        """The fields of a record that this console does not declare, as last received."""
        row = self.conn.execute(
            "SELECT data FROM record_extras WHERE record_type = ? AND record_id = ?",
            (record_type, record_id),
        ).fetchone()
        return dict(json.loads(row[0])) if row else {}

    def extras_many(self, record_type: str, record_ids: list[str]) -> dict[str, dict[str, Any]]:
        """:meth:`extras` of each of ``record_ids`` that has some."""
        marks = ", ".join("?" * len(record_ids))
        return {
            record_id: json.loads(data)
            for record_id, data in self.conn.execute(
                "SELECT record_id, data FROM record_extras WHERE record_type = ?"
                f" AND record_id IN ({marks})",
                [record_type, *record_ids],
            )
        }

    def set_extras(self, rows: list[tuple[str, str, dict[str, Any]]]) -> None:
        """Store (type, id, extras) rows; empty extras remove the record's row."""
        keep = [(t, i, json.dumps(e, sort_keys=True)) for t, i, e in rows if e]
        drop = [(t, i) for t, i, e in rows if not e]
        if keep:
            self.conn.executemany(
                "INSERT INTO record_extras (record_type, record_id, data) VALUES (?, ?, ?)"
                " ON CONFLICT(record_type, record_id) DO UPDATE SET data = excluded.data",
                keep,
            )
        if drop:
            self.conn.executemany(
                "DELETE FROM record_extras WHERE record_type = ? AND record_id = ?", drop
            )

    # -- outbox ----------------------------------------------------------
    def waiting_count(self) -> int:
        """Records with local changes not yet accepted by the registry."""
        return int(
            self.conn.execute(
                "SELECT count(*) FROM (SELECT DISTINCT record_type, record_id FROM outbox)"
            ).fetchone()[0]
        )

    def is_pending(self, record_type: str, record_id: str) -> bool:
        return (
            self.conn.execute(
                "SELECT 1 FROM outbox WHERE record_type = ? AND record_id = ? LIMIT 1",
                (record_type, record_id),
            ).fetchone()
            is not None
        )

    def pending_ids(self, record_type: str, record_ids: list[str]) -> set[str]:
        """Those of ``record_ids`` with local changes in the outbox."""
        marks = ", ".join("?" * len(record_ids))
        return {
            record_id
            for (record_id,) in self.conn.execute(
                "SELECT DISTINCT record_id FROM outbox WHERE record_type = ?"
                f" AND record_id IN ({marks})",
                [record_type, *record_ids],
            )
        }

    def pushable(self, limit: int) -> list[tuple[str, str, int]]:
        """Up to ``limit`` records to push: (type, id, highest outbox seq), oldest first.

        Types another type refers to go first (models before their checklist
        items), so the registry never sees a reference to a record it has not
        been sent (it rejects those). Records with an open field conflict wait until the steward resolves it; a
        record the registry refused waits until it is edited again (a rejection
        remembers the outbox position it refused, in ``their_version``).
        """
        return [
            (t, i, int(s))
            for t, i, s in self.conn.execute(
                f"""
                SELECT o.record_type, o.record_id, o.top FROM
                  (SELECT record_type, record_id, max(seq) AS top, min(seq) AS first
                   FROM outbox GROUP BY record_type, record_id) AS o
                WHERE NOT EXISTS (SELECT 1 FROM sync_conflicts c
                                  WHERE c.kind = 'field' AND c.record_type = o.record_type
                                    AND c.record_id = o.record_id)
                  AND NOT EXISTS (SELECT 1 FROM sync_conflicts r
                                  WHERE r.kind = 'rejected' AND r.record_type = o.record_type
                                    AND r.record_id = o.record_id AND r.their_version >= o.top)
                ORDER BY {_type_rank("o.record_type")}, o.first LIMIT ?
                """,
                (limit,),
            )
        ]

    def drop_outbox(self, record_type: str, record_id: str, up_to_seq: int) -> None:
        self.conn.execute(
            "DELETE FROM outbox WHERE record_type = ? AND record_id = ? AND seq <= ?",
            (record_type, record_id, up_to_seq),
        )

    def forget_outbox(self, record_type: str, record_id: str) -> None:
        """Drop every outbox row of a record: nothing of it is left to send."""
        self.conn.execute(
            "DELETE FROM outbox WHERE record_type = ? AND record_id = ?", (record_type, record_id)
        )

    def queue(self, record: Record) -> None:
        self.store._queue(record)

    # -- pending batch ---------------------------------------------------
    def pending_batch(self) -> PendingBatch | None:
        row = self.conn.execute(
            "SELECT idempotency_key, body, max_seq, tops FROM sync_pending_batch"
            " ORDER BY id LIMIT 1"
        ).fetchone()
        if not row:
            return None
        return PendingBatch(
            row[0], json.loads(row[1]), int(row[2]), json.loads(row[3]) if row[3] else None
        )

    def save_pending_batch(self, batch: PendingBatch) -> None:
        with self.store.transaction():
            self.conn.execute(
                "INSERT INTO sync_pending_batch (idempotency_key, body, max_seq, created_at, tops)"
                " VALUES (?, ?, ?, ?, ?)",
                (
                    batch.idempotency_key,
                    json.dumps(batch.body, sort_keys=True),
                    batch.max_seq,
                    utc_now(),
                    json.dumps(batch.tops) if batch.tops is not None else None,
                ),
            )

    def clear_pending_batch(self, key: str) -> None:
        self.conn.execute("DELETE FROM sync_pending_batch WHERE idempotency_key = ?", (key,))

    # -- records from the registry ----------------------------------------
    def write_remote(self, record: Record, *, note: str = "from the registry") -> None:
        """Store ``record`` as the registry has it: no outbox entry, audited as theirs."""
        cls = type(record)
        old = self.store.get(cls, record.id)
        self.store.upsert(cls, [self.store.to_row(record)])
        who = record.modified_by or "registry"
        self.store.append_audit(
            [
                (record, field, before, after, who, note)
                for field, before, after in audit_changes(old, record)
            ]
        )

    def set_version(self, record_type: str, record_id: str, version: int) -> None:
        table = RECORD_TYPES[record_type].TABLE
        self.conn.execute(f"UPDATE [{table}] SET version = ? WHERE id = ?", (version, record_id))

    # -- conflicts -------------------------------------------------------
    def add_conflict(
        self,
        record_type: str,
        record_id: str,
        *,
        kind: str,
        field: str = "",
        base: Any = None,
        mine: Any = None,
        theirs: Any = None,
        their_version: int = 0,
        detail: str = "",
        their_by: str = "",
        their_at: str = "",
    ) -> None:
        self.conn.execute(
            "INSERT INTO sync_conflicts (record_type, record_id, kind, field, base, mine, theirs,"
            " their_version, detail, created_at, their_by, their_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                record_type,
                record_id,
                kind,
                field,
                json.dumps(base),
                json.dumps(mine),
                json.dumps(theirs),
                their_version,
                detail,
                utc_now(),
                their_by,
                their_at,
            ),
        )

    def clear_conflicts(self, record_type: str, record_id: str) -> None:
        self.conn.execute(
            "DELETE FROM sync_conflicts WHERE record_type = ? AND record_id = ?",
            (record_type, record_id),
        )

    def has_conflict(self, record_type: str, record_id: str) -> bool:
        return (
            self.conn.execute(
                "SELECT 1 FROM sync_conflicts WHERE record_type = ? AND record_id = ? LIMIT 1",
                (record_type, record_id),
            ).fetchone()
            is not None
        )

    def conflicts(self) -> list[StoredConflict]:
        cur = self.conn.execute(
            "SELECT id, record_type, record_id, kind, field, base, mine, theirs, their_version,"
            " detail, created_at, their_by, their_at FROM sync_conflicts ORDER BY id"
        )
        return [
            StoredConflict(
                r[0],
                r[1],
                r[2],
                r[3],
                r[4],
                _load(r[5]),
                _load(r[6]),
                _load(r[7]),
                int(r[8] or 0),
                r[9] or "",
                r[10],
                r[11] or "",
                r[12] or "",
            )
            for r in cur
        ]

    def conflict_count(self) -> int:
        """Records with something for the steward to decide."""
        return int(
            self.conn.execute(
                "SELECT count(*) FROM (SELECT DISTINCT record_type, record_id FROM sync_conflicts)"
            ).fetchone()[0]
        )
