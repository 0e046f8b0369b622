"""Files move with their records: uploads before the push, downloads after the pull.

- Before records are pushed, every file a record names that is on this
  laptop and not known to be in the registry is checked with one
  ``POST /v1/blobs/missing``; what the registry lacks is uploaded. A record
  whose file is here but not yet in the registry stays in the outbox
  (:meth:`FileSync.ready`), so no record reaches the registry before its file.
- After the pull, files named by records but absent here are fetched, each
  to a hidden ``.download-*.part`` file (resumed after a crash), checked
  against its digest and only then renamed to its name. Files above the
  size set in Settings wait for the steward's Fetch.
- A file whose bytes do not match its digest is never kept as good: a
  damaged local copy is moved to ``damaged/`` (and the registry refuses it
  anyway), a damaged download is deleted; both are reported in words.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..domain.records import ChecklistItem, Interview, Record
from ..domain.tasks import CancelCheck, Cancelled, Progress, never_cancelled, no_progress
from ..store import Store
from ..store.local_files import EVIDENCE, TRANSCRIPTS, DigestMismatch, LocalFiles, is_digest
from ..store.queries_blobs import (
    FileReference,
    auto_fetch_bytes,
    file_references,
    note_remote,
    remote_states,
)
from .blob_client import BlobClient, RegistryRefusedFile

if TYPE_CHECKING:
    from .client import RegistryClient
    from .engine import SyncSummary

log = logging.getLogger(__name__)


def record_files(record: Record) -> list[str]:
    """The digests of the files a record names (an interview's transcript, an evidence file)."""
    if isinstance(record, Interview) and is_digest(record.transcript_sha256):
        return [record.transcript_sha256]
    if (
        isinstance(record, ChecklistItem)
        and record.evidence_file
        and is_digest(record.evidence_sha256)
    ):
        return [record.evidence_sha256]
    return []


def describe(ref: FileReference) -> str:
    noun = "transcript" if ref.kind == TRANSCRIPTS else "evidence file"
    name = Path(ref.name).name if ref.name else ""
    return f"{noun} '{name}' ({ref.sha256[:12]}…)" if name else f"{noun} {ref.sha256[:12]}…"


class DamagedDownload(Exception):
    """The registry's copy of a file does not match its digest; it was not kept."""


@dataclass
class Fetched:
    sha256: str
    path: Path
    size: int


class FileSync:
    def __init__(
        self,
        store: Store,
        client: RegistryClient,
        *,
        progress: Progress = no_progress,
        cancelled: CancelCheck = never_cancelled,
    ) -> None:
        self.store = store
        self.files = LocalFiles(Path(store.path).parent)
        self.blobs = BlobClient(client)
        self.progress = progress
        self.cancelled = cancelled

    # -- uploads -----------------------------------------------------------
    def ready(self, record: Record) -> bool:
        """May ``record`` be pushed? Not while a file it names is here but not in the registry."""
        for sha in record_files(record):
            if self.files.find(sha) is None:
                continue  # nothing here to send: the registry has it, or no one does
            state = remote_states(self.store, [sha]).get(sha)
            if state is None or not state.in_registry:
                return False
        return True

    def upload(self, summary: SyncSummary) -> None:
        refs = file_references(self.store)
        first: dict[str, FileReference] = {}
        for ref in refs:
            if is_digest(ref.sha256):
                first.setdefault(ref.sha256, ref)
        known = remote_states(self.store, first)
        self._adopt_evidence(first, known)
        local = {sha: path for sha in first if (path := self.files.find(sha)) is not None}
        ask = [sha for sha in local if not (sha in known and known[sha].in_registry)]
        if not ask:
            return
        missing, present = self.blobs.missing(ask)
        with self.store.transaction():
            for sha, size in present.items():
                note_remote(self.store, sha, in_registry=True, size=size)
        for sha in missing:
            self._check_cancel()
            ref, path = first[sha], local[sha]
            what = f"Sending {describe(ref)}"
            try:
                self.blobs.upload(sha, path, what, self.progress, self.cancelled)
            except RegistryRefusedFile:
                moved = self.files.quarantine(path)
                note_remote(
                    self.store,
                    sha,
                    in_registry=False,
                    damaged=f"the copy on this laptop was damaged (moved to {moved})",
                )
                summary.warnings.append(
                    f"{describe(ref)} on this laptop no longer matches its SHA-256 and was not "
                    f"sent; it was moved to {moved}. Attach the original file again"
                )
                log.warning("%s is damaged on this laptop; moved to %s", describe(ref), moved)
                continue
            note_remote(self.store, sha, in_registry=True, size=path.stat().st_size)
            summary.files_sent += 1

    def _adopt_evidence(self, first: dict[str, FileReference], known: dict) -> None:
        """An evidence file hashed before files travelled: copy it in from where it was chosen."""
        for sha, ref in first.items():
            if ref.kind != EVIDENCE or self.files.find(sha) is not None:
                continue
            if sha in known and known[sha].in_registry:
                continue
            source = Path(ref.name)
            if not source.is_absolute() or not source.is_file():
                continue
            try:
                self.files.copy_in(EVIDENCE, source, expected=sha, cancelled=self.cancelled)
            except (OSError, DigestMismatch) as exc:
                log.info("evidence file %s not taken in: %s", source, exc)

    # -- downloads ---------------------------------------------------------
    def download(self, summary: SyncSummary) -> None:
        """Fetch the files records name that are not here (up to the size in Settings)."""
        wanted: dict[str, FileReference] = {}
        for ref in file_references(self.store):
            fresh = is_digest(ref.sha256) and ref.sha256 not in wanted
            if fresh and self.files.find(ref.sha256) is None:
                wanted[ref.sha256] = ref
        if not wanted:
            return
        missing, present = self.blobs.missing(list(wanted))
        known = remote_states(self.store, wanted)
        with self.store.transaction():
            for sha in missing:
                note_remote(self.store, sha, in_registry=False)
            for sha, size in present.items():
                damaged = known[sha].damaged if sha in known and known[sha].in_registry else ""
                note_remote(self.store, sha, in_registry=True, size=size, damaged=damaged)
        summary.files_missing += len(missing)
        limit = auto_fetch_bytes(self.store)
        for sha, size in present.items():
            state = known.get(sha)
            if size > limit or (state is not None and state.damaged):
                summary.files_to_fetch += 1
                continue
            self._check_cancel()
            try:
                self.fetch(sha, wanted[sha])
            except DamagedDownload as exc:
                summary.warnings.append(str(exc))
                continue
            summary.files_received += 1

    def fetch(self, sha256: str, ref: FileReference | None = None) -> Fetched:
        """Download one file, check it, keep it; raises :class:`DamagedDownload`."""
        here = self.files.find(sha256)
        if here is not None:
            return Fetched(sha256, here, here.stat().st_size)
        kind = ref.kind if ref is not None else TRANSCRIPTS
        self.files.folder(kind).mkdir(parents=True, exist_ok=True)
        part = self.files.partial(kind, sha256)
        label = describe(ref) if ref is not None else f"file {sha256[:12]}…"
        actual = self.blobs.download(
            sha256, part, f"Fetching {label}", self.progress, self.cancelled
        )
        if not actual:
            part.unlink(missing_ok=True)
            note_remote(self.store, sha256, in_registry=False)
            raise FileNotFoundError(f"the registry has no {label}")
        if actual != sha256:
            part.unlink(missing_ok=True)
            who = f" ({ref.attached_by} attached it)" if ref is not None and ref.attached_by else ""
            note_remote(
                self.store,
                sha256,
                in_registry=True,
                damaged=f"the registry's copy is damaged (its SHA-256 is {actual})",
            )
            log.warning("the registry's copy of %s is damaged: SHA-256 %s", label, actual)
            raise DamagedDownload(
                f"the registry's copy of {label} is damaged (its bytes hash to {actual[:12]}…); "
                f"it was refused and not kept. Ask whoever has the original{who} to sync "
                "again, or the registry's administrator to restore it from a backup"
            )
        path = self.files.adopt(kind, sha256, part)
        note_remote(self.store, sha256, in_registry=True, size=path.stat().st_size)
        return Fetched(sha256, path, path.stat().st_size)

    def _check_cancel(self) -> None:
        if self.cancelled():
            raise Cancelled("sync cancelled; every file received so far is kept")
