"""The one protocol every long operation follows: report progress, stop when asked.

A long operation (an import, an export, hashing a file, a sync) takes two
keyword arguments: ``progress(what, done, total)``, called as it goes (``total``
0: not known yet), and ``cancelled()``, polled between steps. When
``cancelled()`` turns true it raises :class:`Cancelled`, whose message says
what was kept. The window runs such an operation as a task (``ui/tasks.py``)
that turns :class:`Cancelled` into its ``cancelled`` signal; the command line
passes neither argument.

Plain Python, no Qt: services and sync use it too.
"""

from __future__ import annotations

from collections.abc import Callable

#: ``progress(what, done, total)``: what is being done, and how far it has got.
Progress = Callable[[str, int, int], None]
#: ``cancelled()``: true once the steward asked to stop.
CancelCheck = Callable[[], bool]


class Cancelled(Exception):
    """The steward cancelled a long operation; the message says what was kept."""


def no_progress(what: str, done: int, total: int) -> None:
    """The default progress callback: ignore."""


def never_cancelled() -> bool:
    """The default cancel check: never."""
    return False
