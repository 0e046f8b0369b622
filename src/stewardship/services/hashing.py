"""SHA-256 of a file, in large blocks, with progress and cancel (run it off the GUI thread)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from ..domain.tasks import CancelCheck, Cancelled, Progress, never_cancelled, no_progress

#: 1 MiB blocks: big enough that Python's per-call cost vanishes next to hashing.
BLOCK_SIZE = 1 << 20


def hash_file(
    path: str | os.PathLike[str],
    progress: Progress = no_progress,
    cancelled: CancelCheck = never_cancelled,
    *,
    block_size: int = BLOCK_SIZE,
) -> str:
    """The lower-case hex SHA-256 of the file at ``path``.

    ``progress(what, bytes done, bytes total)`` is called after every block
    (and once at the start); ``cancelled()`` is polled before every block and,
    when true, stops the work with :class:`Cancelled`. A missing or unreadable file
    raises :class:`OSError` with the reason.
    """
    path = Path(path)
    digest = hashlib.sha256()
    buffer = bytearray(block_size)
    view = memoryview(buffer)
    with path.open("rb", buffering=0) as handle:
        total = os.fstat(handle.fileno()).st_size
        done = 0
        what = f"Hashing {path.name}"
        progress(what, 0, total)
        while True:
            if cancelled():
                raise Cancelled(f"hashing {path.name} was cancelled")
            n = handle.readinto(buffer)
            if not n:
                break
            digest.update(view[:n])
            done += n
            progress(what, done, total)
    return digest.hexdigest()
