"""One sync cycle: push the outbox in batches, then pull the changes feed.

No Qt here: the window runs this in a worker thread, ``stewardship sync``
runs it directly. The engine owns its own :class:`Store` connection.

Guarantees:
- A batch is written to the store (key and body) before it is first sent;
  after a crash the same key and body are sent again, so the registry
  applies it once.
- Outbox rows leave only in the transaction that stores the reply.
- Each pulled page and its cursor are stored in one transaction.
- Files move with records (``file_sync.py``): what the registry lacks is
  uploaded before the push, and a record never reaches the registry before
  the file it names; after the pull, missing files are fetched and checked.
- A field changed on both sides, or an edit against a delete, becomes a
  stored conflict; the record waits in the outbox until the steward
  resolves it.
- After an ``applied`` reply the record is stored as the registry stored it
  (its ``modified_at``, ``modified_by`` and normalised fields), unless it was
  edited again meanwhile.
- A token that may only read (403 on the push) still pulls; local changes
  stay in the outbox and the summary says the token cannot write.
- Fields a newer console added to a record are kept as received and sent
  back unchanged (``record_extras``); each change of them is in the record's
  history.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..domain.merge import BOOKKEEPING, three_way_merge
from ..domain.records import RECORD_TYPES, Record
from ..domain.tasks import CancelCheck, Cancelled, Progress, never_cancelled, no_progress
from ..store import Store
from ..store.sync_state import PendingBatch, SyncState
from .errors import AuthRefused, CursorReset, RegistryProtocolError
from .file_sync import FileSync
from .page_store import PagePrefetch, PageWriter
from .protocol import operation, parse_remote, record_payload, remote_extras

if TYPE_CHECKING:
    from .client import RegistryClient

BATCH_LIMIT = 100
PAGE_LIMIT = 500
#: Pages of the first pull (nothing received yet) are as large as the registry allows.
FIRST_PULL_LIMIT = 1000


@dataclass
class SyncSummary:
    pushed: int = 0
    pulled: int = 0
    conflicts: int = 0
    rejected: int = 0
    waiting: int = 0
    #: The token may only read: the push was refused (403), the pull went ahead.
    read_only: bool = False
    files_sent: int = 0
    files_received: int = 0
    #: files above the automatic size, waiting for the steward's Fetch
    files_to_fetch: int = 0
    #: files records name that neither this laptop nor the registry has
    files_missing: int = 0
    warnings: list[str] = field(default_factory=list)

    def line(self) -> str:
        parts = [f"sent {self.pushed}", f"received {self.pulled}"]
        if self.files_sent or self.files_received:
            parts.append(f"files sent {self.files_sent}, files received {self.files_received}")
        if self.files_to_fetch:
            parts.append(f"{self.files_to_fetch} large file{_s(self.files_to_fetch)} to fetch")
        if self.files_missing:
            parts.append(f"{self.files_missing} file{_s(self.files_missing)} missing everywhere")
        if self.conflicts:
            parts.append(
                f"{self.conflicts} conflict{'s' if self.conflicts != 1 else ''} to resolve"
            )
        if self.rejected:
            parts.append(f"{self.rejected} refused by the registry")
        if self.waiting:
            parts.append(f"{self.waiting} waiting")
        text = "Synced: " + ", ".join(parts)
        for warning in self.warnings:
            text += f" (warning: {warning})"
        return text


def _s(count: int) -> str:
    return "" if count == 1 else "s"


class SyncEngine:
    def __init__(
        self,
        store: Store,
        client: RegistryClient,
        *,
        progress: Progress = no_progress,
        cancelled: CancelCheck = never_cancelled,
        page_limit: int | None = None,
        batch_limit: int = BATCH_LIMIT,
    ) -> None:
        self.store = store
        self.state = SyncState(store)
        self.client = client
        self.progress = progress
        self.cancelled = cancelled
        self.page_limit = page_limit or PAGE_LIMIT
        self.first_pull_limit = page_limit or FIRST_PULL_LIMIT
        self.batch_limit = batch_limit
        self.files = FileSync(store, client, progress=progress, cancelled=cancelled)

    def run(self) -> SyncSummary:
        summary = SyncSummary()
        try:
            self.files.upload(summary)
            self.push(summary)
        except AuthRefused as exc:
            if exc.status != 403:
                raise
            summary.read_only = True  # a viewer token: receive all the same
        self.pull(summary)
        # Clean merges re-queue local edits on top of the registry's version.
        if not summary.read_only and self.state.pushable(1):
            self.push(summary)
        self.files.download(summary)
        summary.conflicts = self.state.conflict_count()
        summary.waiting = self.state.waiting_count()
        if summary.read_only:
            summary.warnings.append(
                f"this token may only read, so {summary.waiting} local change"
                f"{'s' if summary.waiting != 1 else ''} stay here unsent; sign in with a"
                " steward token to send them"
            )
        warning = self.client.clock_warning
        if warning:
            summary.warnings.append(warning)
        with self.store.transaction():
            self.state.mark_success()
        return summary

    def _check_cancel(self) -> None:
        if self.cancelled():
            raise Cancelled("sync cancelled; everything received so far is kept")

    # -- push ------------------------------------------------------------
    def push(self, summary: SyncSummary) -> None:
        total = self.state.waiting_count()
        sent = 0
        while True:
            self._check_cancel()
            batch = self.state.pending_batch() or self._next_batch()
            if batch is None:
                return
            self.progress("Sending changes", sent, max(total, sent + 1))
            reply = self.client.post_batch(batch.idempotency_key, batch.body)
            self._store_reply(batch, reply, summary)
            sent += len(batch.body["operations"])

    def _next_batch(self) -> PendingBatch | None:
        ops: list[dict[str, Any]] = []
        tops: dict[str, int] = {}
        with self.store.transaction():
            for record_type, record_id, top in self.state.pushable(self.batch_limit):
                record = self.store.get(RECORD_TYPES[record_type], record_id)
                if record is None or (record.deleted and record.version == 0):
                    # Created and deleted before it ever reached the registry.
                    self.state.drop_outbox(record_type, record_id, top)
                    continue
                if not record.deleted and not self.files.ready(record):
                    continue  # its file is not in the registry yet: the record waits
                ops.append(operation(record, self.state.extras(record_type, record_id)))
                tops[f"{record_type}/{record_id}"] = top
            if not ops:
                return None
            batch = PendingBatch(str(uuid.uuid4()), {"operations": ops}, max(tops.values()), tops)
            self.state.save_pending_batch(batch)
        return batch

    def _store_reply(
        self, batch: PendingBatch, reply: dict[str, Any], summary: SyncSummary
    ) -> None:
        results = reply.get("results") if isinstance(reply, dict) else None
        ops = batch.body["operations"]
        if not isinstance(results, list) or len(results) != len(ops):
            raise RegistryProtocolError(
                "the registry's reply to a batch did not match what was sent; it will be resent"
            )
        with self.store.transaction():
            for op, result in zip(ops, results, strict=True):
                self._apply_result(op, result, batch.top(op["type"], op["id"]), summary)
            self.state.clear_pending_batch(batch.idempotency_key)

    def _apply_result(
        self, op: dict[str, Any], result: dict[str, Any], top_seq: int, summary: SyncSummary
    ) -> None:
        record_type, record_id = op["type"], op["id"]
        status = result.get("status") if isinstance(result, dict) else None
        if status == "applied":
            version = int(result["version"])
            stored = result.get("record")
            self.state.drop_outbox(record_type, record_id, top_seq)
            if op.get("deleted"):
                prior = self.state.base(record_type, record_id)
                local = self.store.get(RECORD_TYPES[record_type], record_id)
                known = prior[1] if prior else (record_payload(local) if local else {})
                sent = {**known, "deleted": True}
                self.state.set_version(record_type, record_id, version)
            elif isinstance(stored, dict) and isinstance(stored.get("data"), dict):
                # keep what the registry stored (its modified_at, normalised fields),
                # not what we sent: every console then holds the same record
                cls = RECORD_TYPES[record_type]
                theirs = parse_remote(stored, self.store.get(cls, record_id))
                sent = record_payload(theirs)
                if self.state.is_pending(record_type, record_id):
                    # edited again since this batch was made: keep the newer edit
                    self.state.set_version(record_type, record_id, version)
                else:
                    self.state.write_remote(theirs, note="as the registry stored it")
                self._store_extras([(record_type, record_id, remote_extras(stored), theirs)])
            else:  # a registry that does not echo the record: what we sent is what it has
                sent = {k: v for k, v in op["data"].items() if k != "modified_by"}
                self.state.set_version(record_type, record_id, version)
            self.state.set_base(record_type, record_id, version, sent)
            self.state.clear_conflicts(record_type, record_id)
            summary.pushed += 1
        elif status == "conflict":
            current = result.get("current")
            if current is None:
                # The registry has no such record though we had synced it: it was
                # reset or restored from an old backup. Send it again as new.
                self.state.set_version(record_type, record_id, 0)
                return
            cls = RECORD_TYPES[record_type]
            theirs = parse_remote(current, self.store.get(cls, record_id))
            self._merge(theirs, summary)
            self._store_extras([(record_type, record_id, remote_extras(current), theirs)])
        elif status == "rejected":
            problem = result.get("problem") or {}
            detail = problem.get("detail") or problem.get("title") or "refused"
            errors = problem.get("errors") or [{}]
            field = str(errors[0].get("field") or "") if isinstance(errors[0], dict) else ""
            self.state.clear_conflicts(record_type, record_id)
            self.state.add_conflict(
                record_type,
                record_id,
                kind="rejected",
                field=field,
                detail=str(detail),
                their_version=top_seq,
            )
            summary.rejected += 1
        else:
            raise RegistryProtocolError(
                f"the registry answered '{status}' for a change; expected applied, conflict or rejected"
            )

    # -- pull ------------------------------------------------------------
    def pull(self, summary: SyncSummary) -> None:
        try:
            self._pull(summary)
        except CursorReset:
            # The registry was replaced or restored from a backup: read it all
            # again, then send back whatever it lost.
            with self.store.transaction():
                self.state.set_cursor("")
            self._seen: set[tuple[str, str]] = set()
            self._max_seen = 0
            self._pull(summary)
            self._requeue_lost()
            self._seen = None

    def _requeue_lost(self) -> None:
        with self.store.transaction():
            seen = self._seen or set()
            for record_type, record_id in self.state.bases_newer_than(self._max_seen):
                if (record_type, record_id) in seen:
                    continue
                record = self.store.get(RECORD_TYPES[record_type], record_id)
                if record is None:
                    continue
                self.state.set_version(record_type, record_id, 0)
                self.state.drop_base(record_type, record_id)
                if not self.state.is_pending(record_type, record_id):
                    self.state.queue(record.replace(version=0))

    _seen: set[tuple[str, str]] | None = None
    _max_seen = 0

    def _pull(self, summary: SyncSummary) -> None:
        limit = self.page_limit if self.state.cursor() else self.first_pull_limit
        # Each page is atomic with its cursor either way; a power cut may lose the
        # last pages together with their cursor, which the next sync fetches again.
        with self.store.bulk_writes():
            self._pull_pages(summary, limit)

    def _pull_pages(self, summary: SyncSummary, limit: int) -> None:
        while True:
            self._check_cancel()
            cursor = self.state.cursor()
            page = self.client.changes(cursor, limit)
            entries = page.get("records", page.get("changes"))
            if not isinstance(entries, list):
                raise RegistryProtocolError("the registry's changes feed gave no list of records")
            next_cursor = page.get("next_cursor")
            if next_cursor is None and entries:
                raise RegistryProtocolError("the registry's changes feed gave no next_cursor")
            for entry in entries:
                self._check_entry(entry)
            known = PagePrefetch(self.store, entries)
            records = [
                parse_remote(e, known.locals.get((e["type"], str(e.get("id", "")))))
                for e in entries
            ]
            with self.store.transaction():
                writer = PageWriter(self.store)
                for record in records:
                    self._receive_in_page(record, known, writer, summary)
                writer.flush()
                self._store_extras(
                    [
                        (e["type"], str(e["id"]), remote_extras(e), r)
                        for e, r in zip(entries, records, strict=True)
                    ]
                )
                if next_cursor is not None:
                    self.state.set_cursor(str(next_cursor))
            summary.pulled += len(records)
            self.progress(
                "Receiving changes",
                summary.pulled,
                summary.pulled + (1 if page.get("has_more") else 0),
            )
            if not page.get("has_more") or not entries:
                return

    def _store_extras(self, received: list[tuple[str, str, dict[str, Any] | None, Record]]) -> None:
        """Keep the newer consoles' fields of received records; note each change in history."""
        by_type: dict[str, dict[str, tuple[dict[str, Any], Record]]] = {}
        for record_type, record_id, extras, record in received:
            if extras is not None:
                by_type.setdefault(record_type, {})[record_id] = (extras, record)
        changed: list[tuple[str, str, dict[str, Any]]] = []
        audit: list[tuple[Record, str, object, object, str, str]] = []
        for record_type, items in by_type.items():
            ids = list(items)
            had: dict[str, dict[str, Any]] = {}
            for start in range(0, len(ids), 500):
                had.update(self.state.extras_many(record_type, ids[start : start + 500]))
            for record_id, (extras, record) in items.items():
                before = had.get(record_id, {})
                if extras == before:
                    continue
                changed.append((record_type, record_id, extras))
                who = record.modified_by or "registry"
                for name in sorted(set(before) | set(extras)):
                    if before.get(name) != extras.get(name):
                        audit.append(
                            (
                                record,
                                f"{name} (a newer console's field)",
                                before.get(name),
                                extras.get(name),
                                who,
                                "kept unchanged: this console shows it but cannot edit it",
                            )
                        )
        if changed:
            self.state.set_extras(changed)
            self.store.append_audit(audit)

    @staticmethod
    def _check_entry(entry: Any) -> None:
        if not isinstance(entry, dict) or entry.get("type") not in RECORD_TYPES:
            raise RegistryProtocolError(
                "the registry's changes feed held an entry the console cannot read; nothing was changed"
            )

    def _receive_in_page(
        self, theirs: Record, known: PagePrefetch, writer: PageWriter, summary: SyncSummary
    ) -> None:
        """:meth:`_receive` on what the page prefetched, writes buffered in ``writer``.

        Records with local edits waiting (a merge), and every record while
        re-reading a restored registry, take the one-by-one path after the
        buffered writes are flushed, so it reads what the page wrote so far.
        """
        key = (theirs.TYPE, theirs.id)
        if self._seen is not None or key in known.pending or key in known.slow:
            writer.flush()
            self._receive(theirs, summary)
            known.slow.add(key)
            return
        base = known.bases.get(key)
        if base is not None and theirs.version <= base:
            return  # our own write coming back, or an old copy
        local = known.locals.get(key)
        fields = theirs.to_dict()
        payload = {k: v for k, v in fields.items() if k not in BOOKKEEPING}
        if not (theirs.deleted and local is None):  # else created and deleted elsewhere: no row
            writer.write_remote(theirs, local, fields=fields)
            known.locals[key] = theirs
        writer.set_base(theirs.TYPE, theirs.id, theirs.version, payload)
        known.bases[key] = theirs.version

    def _receive(self, theirs: Record, summary: SyncSummary) -> None:
        base = self.state.base(theirs.TYPE, theirs.id)
        if self._seen is not None:
            self._seen.add((theirs.TYPE, theirs.id))
            self._max_seen = max(self._max_seen, theirs.version)
            if base is not None and theirs.version < base[0]:
                # the restored registry holds an older copy: send ours again on top of it
                local = self.store.get(type(theirs), theirs.id)
                if local is not None:
                    self.state.set_version(theirs.TYPE, theirs.id, theirs.version)
                    self.state.set_base(
                        theirs.TYPE, theirs.id, theirs.version, record_payload(theirs)
                    )
                    if not self.state.is_pending(theirs.TYPE, theirs.id):
                        self.state.queue(local.replace(version=theirs.version))
                    return
        if base is not None and theirs.version <= base[0]:
            return  # our own write coming back, or an old copy
        if theirs.deleted and self.store.get(type(theirs), theirs.id) is None:
            # a record created and deleted elsewhere: nothing to keep here
            self.state.set_base(theirs.TYPE, theirs.id, theirs.version, record_payload(theirs))
            return
        if not self.state.is_pending(theirs.TYPE, theirs.id):
            self.state.write_remote(theirs)
            self.state.set_base(theirs.TYPE, theirs.id, theirs.version, record_payload(theirs))
            return
        self._merge(theirs, summary)

    def _merge(self, theirs: Record, summary: SyncSummary) -> None:
        cls = type(theirs)
        mine = self.store.get(cls, theirs.id)
        base = self.state.base(theirs.TYPE, theirs.id)
        theirs_data = record_payload(theirs)
        if mine is None:
            self.state.write_remote(theirs)
            self.state.set_base(theirs.TYPE, theirs.id, theirs.version, theirs_data)
            return
        result = three_way_merge(base[1] if base else None, record_payload(mine), theirs_data)
        merged = cls.from_dict({**mine.to_dict(), **result.merged, "version": theirs.version})
        self.store.upsert(cls, [self.store.to_row(merged)])
        for name in result.from_theirs:
            self.store._audit(
                merged,
                name,
                mine.to_dict().get(name),
                theirs_data.get(name),
                theirs.modified_by or "registry",
                "merged from the registry",
            )
        self.state.set_base(theirs.TYPE, theirs.id, theirs.version, theirs_data)
        self.state.clear_conflicts(theirs.TYPE, theirs.id)
        for c in result.conflicts:
            self.state.add_conflict(
                theirs.TYPE,
                theirs.id,
                kind="field",
                field=c.field,
                base=c.base,
                mine=c.mine,
                theirs=c.theirs,
                their_version=theirs.version,
                their_by=theirs.modified_by,
                their_at=theirs.modified_at,
            )
        if result.conflicts:
            summary.conflicts += 1
        elif record_payload(merged) != theirs_data:
            # my edits survive on top of their version: make sure they are sent
            if not self.state.is_pending(cls.TYPE, merged.id):
                self.state.queue(merged)
        else:
            # nothing of mine left to send: the registry already has it all
            self.state.forget_outbox(cls.TYPE, merged.id)
