"""Interviews with a model, and their transcripts kept content-addressed by SHA-256.

A transcript file is copied into ``<data folder>/transcripts/<sha256>`` while
it is hashed, in one pass; the same content imported twice is stored once.
The ``transcripts`` table records each stored digest with the name it came
under. Only the digest syncs (docs/architecture.md); the file stays local.

These functions do file I/O and hashing: the UI calls them from a worker.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..domain.errors import Problem, ValidationError
from ..domain.records import Interview
from ..domain.tasks import CancelCheck, Progress, never_cancelled, no_progress
from ..store import Store
from ..store.local_files import copy_hashing
from ..store.queries_transcripts import add_transcript, interview_digests, transcript_count
from .model_records import ModelRecordService

TRANSCRIPTS_DIR = "transcripts"
CHUNK_BYTES = 1 << 20
_DIGEST = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class StoredTranscript:
    sha256: str
    size: int
    original_name: str
    path: Path
    #: True when the same content was already in the data folder
    already_stored: bool


def transcripts_dir(data_dir: Path) -> Path:
    return Path(data_dir) / TRANSCRIPTS_DIR


def transcript_path(data_dir: Path, sha256: str) -> Path:
    if not _DIGEST.match(sha256):
        raise ValueError(f"'{sha256}' is not a SHA-256 digest")
    return transcripts_dir(data_dir) / sha256


def store_transcript(
    store: Store,
    data_dir: Path,
    source: Path,
    *,
    progress: Progress = no_progress,
    cancelled: CancelCheck = never_cancelled,
) -> StoredTranscript:
    """Copy ``source`` into the data folder under its SHA-256 digest and record it.

    Raises :class:`ValidationError` (field ``transcript``) if the file cannot
    be read, :class:`Cancelled` if ``cancelled()`` turns true; in
    both cases nothing is left behind.
    """
    source = Path(source)
    try:
        total = source.stat().st_size
        if not source.is_file():
            raise ValidationError(Problem("transcript", f"{source} is not a file"))
        handle = source.open("rb")
    except OSError as exc:
        raise ValidationError(
            Problem("transcript", f"cannot read {source}: {exc.strerror or exc}")
        ) from exc
    folder = transcripts_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".incoming-", dir=folder)
    tmp = Path(tmp_name)
    try:
        with handle, os.fdopen(fd, "wb") as out:
            sha, done = copy_hashing(
                handle,
                out,
                f"Copying and hashing {source.name}",
                total,
                progress,
                cancelled,
                f"import of {source.name} cancelled; nothing was stored",
                chunk_bytes=CHUNK_BYTES,
            )
            out.flush()
            os.fsync(out.fileno())
        target = folder / sha
        already = target.exists()
        if already:
            tmp.unlink()
        else:
            os.replace(tmp, target)
            target.chmod(0o444)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    add_transcript(store, sha, source.name, done)
    return StoredTranscript(sha, done, source.name, target, already)


def transcript_is_present(data_dir: Path, sha256: str) -> bool:
    """Whether this data folder holds the transcript (a synced digest may have no file here)."""
    return bool(sha256) and transcript_path(data_dir, sha256).is_file()


def stored_transcript_count(store: Store) -> int:
    return transcript_count(store)


def transcript_digests(store: Store, model_id: str) -> list[str]:
    """SHA-256 digests of the model's interview transcripts, oldest interview first.

    Evidence for the post-deployment report checklist's "transcript
    preserved" item.
    """
    return interview_digests(store, model_id)


class InterviewService(ModelRecordService[Interview]):
    record_cls = Interview

    def __init__(self, store: Store, who: str, data_dir: Path) -> None:
        super().__init__(store, who)
        self.data_dir = Path(data_dir)

    def for_model(self, model_id: str) -> list[Interview]:
        return self.store.list(Interview, "model_id = ?", (model_id,), order_by="held_on, rowid")

    def problems(self, interview: Interview) -> list[Problem]:
        found = super().problems(interview)
        sha = interview.transcript_sha256
        if sha and not _DIGEST.match(sha):
            found.append(Problem("transcript_sha256", f"'{sha}' is not a SHA-256 digest"))
        return found

    def is_present(self, interview: Interview) -> bool:
        return transcript_is_present(self.data_dir, interview.transcript_sha256)
