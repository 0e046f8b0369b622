"""Storing one pulled page with a few statements per page, not several per record.

The engine used to look up, for every record received, its merge base, its
outbox entries and its local copy, then write the row, an audit row and the
base, each on its own. For a first pull of hundreds of thousands of records
that cost several times the network. Here a page's lookups are three
``IN (...)`` queries per record type, and its writes are buffered and sent
with ``executemany`` at the end of the page, inside the page's transaction
(the guarantees of :mod:`stewardship.sync.engine` are unchanged).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from ..domain.records import RECORD_TYPES, Record
from ..store import Store
from ..store.audit import audit_changes
from ..store.sync_state import SyncState

#: Most ids in one ``IN (...)`` list (SQLite allows far more; this keeps statements small).
CHUNK = 500


def _chunks(ids: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


class PagePrefetch:
    """What the store holds about the records of one page: local copies, bases, pending edits."""

    def __init__(self, store: Store, entries: list[dict[str, Any]]) -> None:
        self.locals: dict[tuple[str, str], Record] = {}
        self.bases: dict[tuple[str, str], int] = {}
        self.pending: set[tuple[str, str]] = set()
        #: records handled the slow way in this page: later copies go the slow way too
        self.slow: set[tuple[str, str]] = set()
        state = SyncState(store)
        ids: dict[str, list[str]] = defaultdict(list)
        for entry in entries:
            ids[entry["type"]].append(str(entry.get("id", "")))
        for record_type, type_ids in ids.items():
            cls = RECORD_TYPES[record_type]
            for chunk in _chunks(list(dict.fromkeys(type_ids))):
                for record in store.get_many(cls, chunk):
                    self.locals[(record_type, record.id)] = record
                for record_id, version in state.base_versions(record_type, chunk).items():
                    self.bases[(record_type, record_id)] = version
                for record_id in state.pending_ids(record_type, chunk):
                    self.pending.add((record_type, record_id))


class PageWriter:
    """Buffers a page's row, audit and base writes; :meth:`flush` sends them."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.rows: dict[type[Record], list[dict[str, Any]]] = defaultdict(list)
        self.audit: list[tuple[Record, str, object, object, str, str]] = []
        self.bases: list[tuple[str, str, int, str]] = []

    def write_remote(
        self,
        record: Record,
        old: Record | None,
        note: str = "from the registry",
        *,
        fields: dict[str, Any] | None = None,
    ) -> None:
        """As ``SyncState.write_remote``: the row as the registry has it, audited as theirs.

        ``fields`` is ``record.to_dict()`` when the caller has it already.
        """
        self.rows[type(record)].append(self.store.to_row(record, fields))
        who = record.modified_by or "registry"
        self.audit.extend(
            (record, field, before, after, who, note)
            for field, before, after in audit_changes(old, record)
        )

    def set_base(
        self, record_type: str, record_id: str, version: int, data: dict[str, Any]
    ) -> None:
        self.bases.append((record_type, record_id, version, json.dumps(data, sort_keys=True)))

    def flush(self) -> None:
        for cls, rows in self.rows.items():
            self.store.upsert(cls, rows)
        self.store.append_audit(self.audit)
        if self.bases:
            SyncState(self.store).set_bases(self.bases)
        self.rows.clear()
        self.audit = []
        self.bases = []
