"""Blobs in a folder: ``<root>/<first two hex digits>/<sha256>``, read-only once written.

An upload is written to ``<root>/.incoming/<random>``, flushed to disk, and
only then renamed to its name (a rename within one file system is atomic):
a crash or a refused digest leaves at most a file in ``.incoming``, never a
partial blob under a name. Leftovers in ``.incoming`` older than a day are
removed when the store opens.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from .blob_store import BlobStore, BlobUpload, is_digest

CHUNK = 1 << 20
INCOMING = ".incoming"
STALE_SECONDS = 24 * 3600


class _FolderUpload:
    def __init__(self, store: FolderBlobStore, sha256: str) -> None:
        self.store = store
        self.target = store.path(sha256)
        fd, name = tempfile.mkstemp(prefix="upload-", dir=store.incoming)
        self.tmp = Path(name)
        self.handle = os.fdopen(fd, "wb")
        self.done = False

    def write(self, chunk: bytes) -> None:
        self.handle.write(chunk)

    def commit(self) -> None:
        self.handle.flush()
        os.fsync(self.handle.fileno())
        self.handle.close()
        target = self.target
        target.parent.mkdir(exist_ok=True)
        self.tmp.chmod(0o444)
        os.replace(self.tmp, target)
        with contextlib.suppress(OSError):  # the rename itself reaches the disk
            dir_fd = os.open(target.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
        self.done = True

    def abort(self) -> None:
        if not self.handle.closed:
            self.handle.close()
        if not self.done:
            self.tmp.unlink(missing_ok=True)
        self.done = True


class FolderBlobStore(BlobStore):
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.incoming = self.root / INCOMING
        self.incoming.mkdir(parents=True, exist_ok=True)
        self.description = f"folder {self.root}"
        self._sweep()

    def _sweep(self) -> None:
        cutoff = time.time() - STALE_SECONDS
        for leftover in self.incoming.iterdir():
            with contextlib.suppress(OSError):
                if leftover.stat().st_mtime < cutoff:
                    leftover.unlink()

    def path(self, sha256: str) -> Path:
        if not is_digest(sha256):
            raise ValueError(f"'{sha256}' is not a SHA-256 digest")
        return self.root / sha256[:2] / sha256

    def size(self, sha256: str) -> int | None:
        try:
            return self.path(sha256).stat().st_size
        except FileNotFoundError:
            return None

    def begin(self, sha256: str) -> BlobUpload:
        return _FolderUpload(self, sha256)

    def read(self, sha256: str, start: int, length: int) -> Iterator[bytes]:
        with self.path(sha256).open("rb") as handle:
            handle.seek(start)
            left = length
            while left > 0:
                chunk = handle.read(min(CHUNK, left))
                if not chunk:
                    return
                left -= len(chunk)
                yield chunk
