"""SHA-256 of a file, in large blocks, with progress and cancel (run it off the GUI thread)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from pathlib import Path

#: 1 MiB blocks: big enough that Python's per-call cost vanishes next to hashing.
BLOCK_SIZE = 1 << 20

Progress = Callable[[int, int], None]  # (bytes done, bytes total)
Cancelled = Callable[[], bool]


class HashCancelled(Exception):
    """The caller asked to stop before the file was read to its end."""


def hash_file(
    path: str | os.PathLike[str],
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    *,
    block_size: int = BLOCK_SIZE,
) -> str:
    """The lower-case hex SHA-256 of the file at ``path``.

    ``progress(done, total)`` is called after every block (and once at the
    start); ``cancelled()`` is polled before every block and, when true,
    stops the work with :class:`HashCancelled`. A missing or unreadable file
    raises :class:`OSError` with the reason.
    """
    path = Path(path)
    digest = hashlib.sha256()
    buffer = bytearray(block_size)
    view = memoryview(buffer)
    with path.open("rb", buffering=0) as handle:
        total = os.fstat(handle.fileno()).st_size
        done = 0
        if progress:
            progress(0, total)
        while True:
            if cancelled and cancelled():
                raise HashCancelled(f"hashing {path.name} was cancelled")
            n = handle.readinto(buffer)
            if not n:
                break
            digest.update(view[:n])
            done += n
            if progress:
                progress(done, total)
    return digest.hexdigest()
