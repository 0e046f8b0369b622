"""A connection of its own for work off the GUI thread.

A SQLite connection is never shared between threads: a background task
opens the store itself, from its path, does its work and closes it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from ..store import Store

__all__ = ["Store", "with_own_store"]

T = TypeVar("T")


def with_own_store(store_file: Path, work: Callable[[Store], T]) -> T:
    """Open the store at ``store_file``, run ``work`` with it, close it whatever happens."""
    store = Store(store_file)
    try:
        return work(store)
    finally:
        store.close()
