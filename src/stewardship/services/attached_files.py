"""Files records name (transcripts, evidence files): where each one is, fetching, copying out.

Where a file can be, as the Interviews tab, the item editor and
``stewardship blobs status`` say it:

- on this laptop (and, if the registry does not have it yet, waiting to upload);
- in the registry: Fetch brings it here;
- missing everywhere: neither this laptop nor the registry has it (the
  warning names who attached it);
- damaged: a copy whose bytes no longer match the digest was found and refused.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from ..domain.errors import Problem, ValidationError
from ..domain.tasks import CancelCheck, Progress, never_cancelled, no_progress
from ..store import Store
from ..store.local_files import (
    EVIDENCE,
    CopiedFile,
    DigestMismatch,
    LocalFiles,
    copy_out,
    is_digest,
)
from ..store.queries_blobs import (
    auto_fetch_mb,
    file_references,
    references_to,
    remote_states,
    set_auto_fetch_mb,
)
from ..sync.errors import RegistryUnreachable as RegistryUnreachable  # re-exported
from ..sync.file_sync import DamagedDownload as DamagedDownload  # re-exported for the ui
from .sync_service import make_client, registry_settings

log = logging.getLogger(__name__)

__all__ = [
    "BlobsStatus",
    "DamagedDownload",
    "DigestMismatch",
    "FileState",
    "FileWhere",
    "RegistryUnreachable",
    "attach_evidence_file",
    "auto_fetch_mb",
    "blobs_status",
    "fetch_file",
    "file_state",
    "save_copy",
    "set_auto_fetch_mb",
]


class FileWhere(StrEnum):
    LOCAL = "local"
    WAITING_UPLOAD = "waiting_upload"
    IN_REGISTRY = "in_registry"
    NOT_CHECKED = "not_checked"
    MISSING = "missing"
    DAMAGED = "damaged"


@dataclass(frozen=True)
class FileState:
    sha256: str
    where: FileWhere
    text: str
    size: int | None = None

    @property
    def can_fetch(self) -> bool:
        return self.where in (FileWhere.IN_REGISTRY, FileWhere.NOT_CHECKED, FileWhere.DAMAGED)


def _size_text(size: int | None) -> str:
    if size is None:
        return ""
    if size >= 1_000_000:
        return f" ({size / 1_000_000:.1f} MB)"
    return f" ({size / 1000:.0f} kB)" if size >= 1000 else f" ({size} bytes)"


def file_state(store: Store, data_dir: Path, sha256: str, attached_by: str = "") -> FileState:
    """Where the file with this digest is, in one sentence for the steward."""
    local = LocalFiles(data_dir).find(sha256)
    state = remote_states(store, [sha256]).get(sha256)
    synced = registry_settings(store).configured
    if local is not None:
        size = local.stat().st_size
        if synced and not (state and state.in_registry):
            return FileState(
                sha256,
                FileWhere.WAITING_UPLOAD,
                f"On this laptop{_size_text(size)}; waiting to upload at the next sync.",
                size,
            )
        return FileState(sha256, FileWhere.LOCAL, f"On this laptop{_size_text(size)}.", size)
    who = f" (attached by {attached_by})" if attached_by else ""
    if state is not None and state.damaged:
        return FileState(
            sha256,
            FileWhere.DAMAGED,
            f"Not on this laptop: {state.damaged}; it was refused{who}. Ask whoever attached "
            "it to sync again, or the registry's administrator to restore it.",
            state.size,
        )
    if state is not None and state.in_registry:
        return FileState(
            sha256,
            FileWhere.IN_REGISTRY,
            f"In the registry{_size_text(state.size)}, not yet on this laptop: Fetch it.",
            state.size,
        )
    if state is not None:
        return FileState(
            sha256,
            FileWhere.MISSING,
            f"Missing everywhere: neither this laptop nor the registry has it{who}. "
            "Ask them to attach it again on their laptop and sync.",
        )
    return FileState(
        sha256,
        FileWhere.NOT_CHECKED,
        "Not on this laptop; the next sync looks for it in the registry (or Fetch it now).",
    )


@dataclass
class BlobsStatus:
    waiting_upload: list[str] = field(default_factory=list)
    waiting_download: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    damaged: list[str] = field(default_factory=list)
    local: int = 0

    def lines(self) -> list[str]:
        out = [
            f"files on this laptop: {self.local}",
            f"waiting to upload: {len(self.waiting_upload)}",
            f"waiting to download: {len(self.waiting_download)}",
            f"missing everywhere: {len(self.missing)}",
        ]
        if self.damaged:
            out.append(f"damaged (refused): {len(self.damaged)}")
        for title, items in (
            ("missing everywhere", self.missing),
            ("damaged", self.damaged),
        ):
            out += [f"  {title}: {item}" for item in items]
        return out


def blobs_status(store: Store, data_dir: Path) -> BlobsStatus:
    status = BlobsStatus()
    seen: set[str] = set()
    for ref in file_references(store):
        if not is_digest(ref.sha256) or ref.sha256 in seen:
            continue
        seen.add(ref.sha256)
        state = file_state(store, data_dir, ref.sha256, ref.attached_by)
        noun = "transcript" if ref.kind != EVIDENCE else "evidence file"
        label = f"{ref.sha256} {noun} '{Path(ref.name).name}' attached by {ref.attached_by}"
        if state.where == FileWhere.LOCAL:
            status.local += 1
        elif state.where == FileWhere.WAITING_UPLOAD:
            status.local += 1
            status.waiting_upload.append(label)
        elif state.where in (FileWhere.IN_REGISTRY, FileWhere.NOT_CHECKED):
            status.waiting_download.append(label)
        elif state.where == FileWhere.MISSING:
            status.missing.append(label)
        else:
            status.damaged.append(label)
    return status


def attach_evidence_file(
    data_dir: Path,
    source: str | Path,
    progress: Progress = no_progress,
    cancelled: CancelCheck = never_cancelled,
) -> CopiedFile:
    """Copy an evidence file into the data folder while hashing it (it travels with the item).

    Raises :class:`OSError` when it cannot be read; nothing is left behind then.
    """
    return LocalFiles(data_dir).copy_in(
        EVIDENCE, Path(source), progress=progress, cancelled=cancelled
    )


def fetch_file(
    store_file: Path,
    sha256: str,
    *,
    token: str | None = None,
    progress: Progress = no_progress,
    cancelled: CancelCheck = never_cancelled,
) -> Path:
    """Bring one file from the registry to this laptop (checked); its path here.

    Raises :class:`FileNotFoundError` when the registry lacks it, a
    :class:`SyncError` when the registry cannot be reached, and
    ``DamagedDownload`` (a ``ValueError``-like exception with the steward's words) when
    the registry's copy is damaged.
    """
    from ..sync.credentials import load_token
    from ..sync.file_sync import FileSync  # requests: imported when first needed

    store = Store(store_file)
    try:
        if not is_digest(sha256):
            raise ValidationError(Problem("sha256", f"'{sha256}' is not a SHA-256 digest"))
        refs = references_to(store, sha256)
        settings = registry_settings(store)
        client = make_client(settings, token or load_token(settings.url))
        try:
            sync = FileSync(store, client, progress=progress, cancelled=cancelled)
            return sync.fetch(sha256, refs[0] if refs else None).path
        finally:
            client.close()
    finally:
        store.close()


def save_copy(
    store_file: Path,
    sha256: str,
    target: Path,
    *,
    token: str | None = None,
    progress: Progress = no_progress,
    cancelled: CancelCheck = never_cancelled,
) -> str:
    """Write the file with this digest to ``target``, checked: from this laptop, else the
    registry. Returns where it came from ("this laptop" or "the registry").

    A damaged local copy is moved aside (never copied out) and the registry is tried.
    """
    files = LocalFiles(Path(store_file).parent)
    local = files.find(sha256)
    origin = "this laptop"
    if local is not None:
        try:
            copy_out(local, sha256, target, progress=progress, cancelled=cancelled)
            return origin
        except DigestMismatch:
            moved = files.quarantine(local)
            log.warning("%s was damaged on this laptop; moved to %s", local, moved)
    path = fetch_file(store_file, sha256, token=token, progress=progress, cancelled=cancelled)
    copy_out(path, sha256, target, progress=progress, cancelled=cancelled)
    return "the registry"
