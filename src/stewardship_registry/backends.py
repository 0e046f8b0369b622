"""Which storage a ``--db`` names: a ``postgresql://`` URL or an SQLite file path.

``STEWARDSHIP_REGISTRY_DB`` supplies ``--db`` when it is not given. A
PostgreSQL URL may carry a password, but it is better kept out of process
lists and shell history: libpq reads ``PGPASSWORD`` or ``~/.pgpass`` too.
Messages name the database without its password (:func:`describe`).
"""

from __future__ import annotations

import os
from pathlib import Path

from .storage import Storage

ENV_DB = "STEWARDSHIP_REGISTRY_DB"


def is_postgres(target: str) -> bool:
    return target.startswith(("postgresql://", "postgres://"))


def describe(target: str) -> str:
    """The database for a message: a path, or the URL without a password."""
    if is_postgres(target):
        from .postgres_storage import redacted

        return redacted(target)
    return target


def default_target() -> str | None:
    return os.environ.get(ENV_DB) or None


def open_storage(target: str, *, create: bool = True, max_connections: int = 10) -> Storage:
    """Open (and migrate) the registry at ``target``.

    With ``create`` False an SQLite file must exist already (a PostgreSQL
    database is always made by its administrator, so it exists or the
    connection fails).
    """
    if is_postgres(target):
        from .postgres_storage import PostgresStorage

        return PostgresStorage(target, max_connections=max_connections)
    from .sqlite_storage import SQLiteStorage

    path = Path(target)
    if not create and not path.is_file():
        raise FileNotFoundError(f"no registry database at {path}")
    if create:
        path.parent.mkdir(parents=True, exist_ok=True)
    return SQLiteStorage(path)
