"""The cyclic garbage collector paused while the window starts.

Start-up makes a few hundred thousand objects that live for the whole session
(PySide6's classes and enums, the dashboard's rows), and Python's collector
walks all of them again and again as they are made: ~70 ms of the start-up on
the 10,000-model store (``benchmarks/startup.py``). The window pauses the
collector from the command line until its first frame, then freezes what
start-up made out of later collections (those objects are never garbage) and
resumes it. Reference counting frees everything else as usual meanwhile.
"""

from __future__ import annotations

import gc

_paused = False


def pause() -> None:
    """Pause the collector until :func:`resume` (nothing to do if it is off already)."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume() -> None:
    """Freeze what start-up made and turn the collector back on (only if :func:`pause` paused
    it; calling it again does nothing)."""
    global _paused
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()
