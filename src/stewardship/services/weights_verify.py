"""Run a check on many files of a copy at once, with progress in bytes and cancel.

Files go to a pool of threads, largest first (so two large files do not end up
one after the other on one thread while the other idles). Hashing and reading
release the GIL on large blocks (``services/archives.py``), so the threads use
every core; an S3 copy uses more threads than cores, its checks wait on the
network. Progress is the bytes read so far against the bytes the files hold;
cancel stops every thread at its next block.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import TypeVar

from ..domain.tasks import CancelCheck, Cancelled, Progress, never_cancelled, no_progress
from .archives import AddBytes, StopCheck

T = TypeVar("T")

#: ``job(stop, add_bytes)`` for one file.
Job = Callable[[StopCheck, AddBytes], T]


def run_parallel(
    jobs: Sequence[tuple[int, Job[T]]],
    *,
    workers: int,
    what: str,
    progress: Progress = no_progress,
    cancelled: CancelCheck = never_cancelled,
    cancel_message: str = "cancelled",
) -> list[T]:
    """Run ``(expected bytes, job)`` pairs on ``workers`` threads; results in the jobs' order.

    ``progress(what, bytes done, bytes expected)`` is reported from this thread
    about five times a second; when ``cancelled()`` turns true every job stops
    at its next block and :class:`Cancelled` (with ``cancel_message``) is raised.
    """
    total = sum(max(size, 0) for size, _ in jobs)
    done = [0]
    lock = threading.Lock()
    stop = threading.Event()

    def add_bytes(n: int) -> None:
        with lock:
            done[0] += n

    order = sorted(range(len(jobs)), key=lambda i: -jobs[i][0])
    results: dict[int, T] = {}
    progress(what, 0, total)
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(jobs) or 1))) as pool:
        futures: dict[Future[T], int] = {
            pool.submit(jobs[i][1], stop.is_set, add_bytes): i for i in order
        }
        pending = set(futures)
        try:
            while pending:
                finished, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
                for future in finished:
                    results[futures[future]] = future.result()
                if cancelled():
                    raise Cancelled(cancel_message)
                progress(what, done[0], total)
        except BaseException:
            stop.set()
            for future in pending:
                future.cancel()
            raise
    progress(what, done[0], total)
    return [results[i] for i in range(len(jobs))]
