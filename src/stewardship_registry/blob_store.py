"""Where the registry keeps files (blobs), named by their SHA-256: the interface and the choice.

Two backends implement :class:`BlobStore`: a folder (``blob_store_folder``,
the default, beside the SQLite file) and S3-compatible object storage
(``blob_store_s3``, ``--blobs s3://bucket/prefix``). The API layer
(``blobs.py``) hashes every upload as it streams and calls
:meth:`BlobUpload.commit` only when the digest matches the name, so a
backend's one duty is that nothing is visible under a blob's name until
``commit``: an interrupted or refused upload leaves no blob behind.
Blobs are never deleted: there is no delete in the interface.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Protocol

DIGEST_PATTERN = r"^[0-9a-f]{64}$"
_DIGEST = re.compile(DIGEST_PATTERN)
#: The largest blob a registry accepts unless told otherwise (``serve --max-blob-size``).
DEFAULT_BLOB_LIMIT = 2 * 1024**3


def is_digest(text: str) -> bool:
    return bool(_DIGEST.match(text))


class BlobUpload(Protocol):
    """One upload in progress: bytes go in, and only ``commit`` makes them a blob."""

    def write(self, chunk: bytes) -> None: ...

    def commit(self) -> None:
        """Keep what was written under its name (the caller checked the digest)."""
        ...

    def abort(self) -> None:
        """Drop what was written; nothing remains. Safe to call after ``commit`` or twice."""
        ...


class BlobStore(Protocol):
    #: Where the blobs are, for logs and the start-up line (no secret in it).
    description: str

    def size(self, sha256: str) -> int | None:
        """The blob's size in bytes, or None when there is no such blob."""
        ...

    def sizes(self, digests: Iterable[str]) -> dict[str, int]:
        """The sizes of those of ``digests`` that are stored (by default one :meth:`size`
        each: the backends subclass this protocol to share it)."""
        out = {}
        for sha in digests:
            size = self.size(sha)
            if size is not None:
                out[sha] = size
        return out

    def begin(self, sha256: str) -> BlobUpload:
        """Start an upload of the blob named ``sha256``; nothing is visible until ``commit``."""
        ...

    def read(self, sha256: str, start: int, length: int) -> Iterator[bytes]:
        """``length`` bytes of the blob from ``start``, in chunks."""
        ...


def default_blob_dir(db: str | Path) -> Path:
    """The folder beside a SQLite registry database: ``registry.db`` -> ``registry-blobs/``."""
    path = Path(db)
    return path.parent / f"{path.stem}-blobs"


def open_blob_store(spec: str | Path) -> BlobStore:
    """A folder path, or ``s3://bucket/prefix`` (boto3; ``AWS_ENDPOINT_URL`` and the
    standard credential variables pick a non-AWS store)."""
    text = str(spec)
    if text.startswith("s3://"):
        from .blob_store_s3 import S3BlobStore

        return S3BlobStore.from_url(text)
    if "://" in text:
        raise ValueError(f"--blobs takes a folder or an s3://bucket/prefix URL, not '{text}'")
    from .blob_store_folder import FolderBlobStore

    return FolderBlobStore(Path(text))
