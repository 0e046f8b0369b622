"""Files in the data folder, named by their SHA-256: transcripts and evidence files.

``<data folder>/transcripts/<sha256>`` holds interview transcripts,
``<data folder>/evidence/<sha256>`` checklist evidence files. A file is
written under a hidden temporary name (``.incoming-*``, or
``.download-<sha256>.part`` for a download, which a later download resumes),
checked against its digest, and only then renamed to its name, read-only: a
file under a digest's name is always complete. A file found damaged (its
bytes no longer match its name) is moved to ``<data folder>/damaged/`` so
that it is never used as good; the steward can look at it there.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ..domain.dates import utc_now
from ..domain.tasks import CancelCheck, Cancelled, Progress, never_cancelled, no_progress

TRANSCRIPTS = "transcripts"
EVIDENCE = "evidence"
KINDS = (TRANSCRIPTS, EVIDENCE)
DAMAGED = "damaged"
CHUNK_BYTES = 1 << 20
_DIGEST = re.compile(r"^[0-9a-f]{64}$")


def is_digest(text: str) -> bool:
    return bool(_DIGEST.match(text or ""))


@dataclass(frozen=True)
class CopiedFile:
    sha256: str
    size: int
    path: Path
    #: True when the same content was already in the data folder
    already_stored: bool


class DigestMismatch(Exception):
    """Bytes that do not match the digest they were named by; nothing was kept."""

    def __init__(self, expected: str, actual: str, where: str) -> None:
        super().__init__(f"{where}: its SHA-256 is {actual}, not {expected}")
        self.expected, self.actual, self.where = expected, actual, where


class LocalFiles:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)

    def folder(self, kind: str) -> Path:
        if kind not in KINDS:
            raise ValueError(f"unknown kind of file '{kind}'")
        return self.data_dir / kind

    def path(self, kind: str, sha256: str) -> Path:
        if not is_digest(sha256):
            raise ValueError(f"'{sha256}' is not a SHA-256 digest")
        return self.folder(kind) / sha256

    def find(self, sha256: str) -> Path | None:
        """The file with this digest in the data folder, if any (of either kind)."""
        if not is_digest(sha256):
            return None
        for kind in KINDS:
            candidate = self.folder(kind) / sha256
            if candidate.is_file():
                return candidate
        return None

    def partial(self, kind: str, sha256: str) -> Path:
        """Where a download of ``sha256`` accumulates (hidden; resumed after a crash)."""
        return self.folder(kind) / f".download-{self.path(kind, sha256).name}.part"

    def adopt(self, kind: str, sha256: str, tmp: Path) -> Path:
        """Give a complete, checked temporary file its name (atomic rename, read-only)."""
        target = self.path(kind, sha256)
        tmp.chmod(0o444)
        os.replace(tmp, target)
        return target

    def quarantine(self, path: Path) -> Path:
        """Move a damaged file out of the way, so it is never used as good."""
        folder = self.data_dir / DAMAGED
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{path.name}.{utc_now().replace(':', '')}"
        os.replace(path, target)
        return target

    def copy_in(
        self,
        kind: str,
        source: Path,
        *,
        expected: str | None = None,
        progress: Progress = no_progress,
        cancelled: CancelCheck = never_cancelled,
    ) -> CopiedFile:
        """Copy ``source`` into the folder of ``kind`` while hashing it, in one pass.

        With ``expected``, bytes of another digest raise :class:`DigestMismatch`.
        Raises :class:`OSError` if ``source`` cannot be read and :class:`Cancelled`;
        in every failure nothing is left behind.
        """
        folder = self.folder(kind)
        folder.mkdir(parents=True, exist_ok=True)
        with Path(source).open("rb") as handle:
            total = os.fstat(handle.fileno()).st_size
            fd, tmp_name = tempfile.mkstemp(prefix=".incoming-", dir=folder)
            tmp = Path(tmp_name)
            try:
                with os.fdopen(fd, "wb") as out:
                    sha, done = copy_hashing(
                        handle,
                        out,
                        f"Copying and hashing {Path(source).name}",
                        total,
                        progress,
                        cancelled,
                        f"copying {Path(source).name} was cancelled; nothing was stored",
                    )
                    out.flush()
                    os.fsync(out.fileno())
                if expected is not None and sha != expected:
                    raise DigestMismatch(expected, sha, str(source))
                target = folder / sha
                already = target.exists()
                if already:
                    tmp.unlink()
                else:
                    self.adopt(kind, sha, tmp)
            except BaseException:
                tmp.unlink(missing_ok=True)
                raise
        return CopiedFile(sha, done, target, already)

    def leftovers(self) -> Iterator[Path]:
        for kind in KINDS:
            folder = self.folder(kind)
            if folder.is_dir():
                yield from folder.glob(".incoming-*")


def copy_hashing(
    source: BinaryIO,
    out: BinaryIO | None,
    what: str,
    total: int,
    progress: Progress,
    cancelled: CancelCheck,
    cancel_message: str,
    digest: hashlib._Hash | None = None,
    done: int = 0,
    chunk_bytes: int = CHUNK_BYTES,
) -> tuple[str, int]:
    """Read ``source`` to its end, hashing (and writing to ``out``); (hex digest, bytes)."""
    digest = digest or hashlib.sha256()
    while chunk := source.read(chunk_bytes):
        if cancelled():
            raise Cancelled(cancel_message)
        digest.update(chunk)
        if out is not None:
            out.write(chunk)
        done += len(chunk)
        progress(what, done, total)
    return digest.hexdigest(), done


def file_digest(path: Path, cancelled: CancelCheck = never_cancelled) -> str:
    with Path(path).open("rb") as handle:
        return copy_hashing(
            handle, None, "", 0, no_progress, cancelled, f"checking {path.name} was cancelled"
        )[0]


def copy_out(
    source: Path,
    expected: str,
    target: Path,
    *,
    progress: Progress = no_progress,
    cancelled: CancelCheck = never_cancelled,
) -> int:
    """Copy a stored file to ``target``, checking its digest; a damaged one is not written."""
    target = Path(target)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent or Path("."))
    tmp = Path(tmp_name)
    try:
        with Path(source).open("rb") as handle, os.fdopen(fd, "wb") as out:
            total = os.fstat(handle.fileno()).st_size
            sha, done = copy_hashing(
                handle,
                out,
                f"Copying {target.name}",
                total,
                progress,
                cancelled,
                "copy cancelled",
            )
        if sha != expected:
            raise DigestMismatch(expected, sha, str(source))
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    target.chmod(0o644)  # mkstemp made it 0600
    return done
