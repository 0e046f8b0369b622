"""The storage interface the API layer talks to.

The API never sees SQL: it asks a :class:`Storage` for tokens, records, the
changes feed and a record's history, and runs each batch inside one
:meth:`Storage.write` transaction. Two implementations ship:
``sqlite_storage.SQLiteStorage`` (one file, the default) and
``postgres_storage.PostgresStorage``, both on the logic of ``sql_storage.py``;
``backends.open_storage`` picks one from ``--db``. Their one hard duty is the
ordering guarantee of the changes feed: versions must become visible in version
order (SQLite's single writer gives that for free; PostgreSQL locks the counter
row, ``SELECT ... FOR UPDATE``, for the whole write transaction: see its module
docstring).

Both keep the same tables (``migrations.py``), so :class:`Snapshot` rows read
from one load into the other unchanged (``transfer.py``: copy, backup, restore).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

from .tokens import Role


class StorageUnavailable(Exception):
    """The database cannot be reached (or answers with an error of its own state).

    The API answers ``503 unavailable`` with ``Retry-After``; clients retry.
    """


class SchemaTooNew(Exception):
    """The database was migrated by a newer server than this one."""


class StorageBusy(Exception):
    """The database stayed locked by another writer (or process) past the busy timeout.

    Not a server bug: the API answers ``503`` with ``Retry-After`` and logs it.
    """


#: A record's columns: ``records`` holds each record's latest write, ``record_history`` every one.
_RECORD_COLUMNS = (
    "type",
    "id",
    "version",
    "deleted",
    "data",
    "modified_at",
    "modified_by",
    "written_by",
)

#: The tables a registry holds, in load order (tokens before the replies that
#: name them), each with its columns in the order :meth:`Snapshot.rows` yields
#: them. ``deleted`` is a bool on both backends' side of this interface.
TABLES: dict[str, tuple[str, ...]] = {
    "tokens": (
        "id",
        "name",
        "role",
        "token_hash",
        "created_at",
        "revoked_at",
        "expires_at",
        "last_used_at",
        "superseded_at",
    ),
    "records": _RECORD_COLUMNS,
    "record_history": _RECORD_COLUMNS,
    "idempotency_keys": ("token_id", "key", "request_hash", "status_code", "reply", "created_at"),
}


@dataclass(frozen=True)
class Principal:
    """Who is calling: an active token."""

    token_id: int
    name: str
    role: Role
    #: When the token stops working (UTC ISO 8601, as ``server_now``), or None: never.
    #: The storage returns expired tokens too; the guard refuses them with their own problem.
    expires_at: str | None = None


@dataclass(frozen=True)
class TokenInfo:
    name: str
    role: Role
    created_at: str
    revoked_at: str | None
    #: When it stops working (None: never). A rotated-out token keeps working until then.
    expires_at: str | None = None
    #: The last request it authenticated (to the minute; None: never used).
    last_used_at: str | None = None
    #: When ``rotate_token`` replaced it (None: it is the name's current token).
    superseded_at: str | None = None

    def state(self, now: str) -> str:
        """active, expired, revoked or rotated (replaced, still valid for its grace period)."""
        if self.revoked_at:
            return "revoked"
        if self.expires_at and self.expires_at < now:
            return "expired"
        return "rotated" if self.superseded_at else "active"


@dataclass(frozen=True)
class StoredRecord:
    """One record as the registry holds it (a tombstone has ``data`` None)."""

    type: str
    id: str
    version: int
    deleted: bool
    modified_at: str
    modified_by: str
    written_by: str
    data: dict[str, Any] | None


@dataclass(frozen=True)
class StoredReply:
    request_hash: str
    status_code: int
    body: dict[str, Any]


class WriteTransaction(Protocol):
    """What a batch may do while it holds the registry's write lock."""

    def preload(self, keys: list[tuple[str, str]]) -> None:
        """The batch will ``get`` these (type, id): a backend may read them in one go."""
        ...

    def get(self, type_: str, id_: str) -> StoredRecord | None: ...

    def put(
        self,
        type_: str,
        id_: str,
        *,
        deleted: bool,
        data: dict[str, Any] | None,
        modified_by: str,
        written_by: str,
    ) -> StoredRecord:
        """Write the record with the next registry version and server time."""
        ...

    def reply_for(self, principal: Principal, key: str) -> StoredReply | None: ...

    def store_reply(self, principal: Principal, key: str, reply: StoredReply) -> None: ...


class Snapshot(Protocol):
    """A consistent, read-only view of a whole registry (for copy and backup)."""

    registry_id: str
    version: int

    def rows(self, table: str) -> Iterator[tuple[Any, ...]]:
        """Every row of ``table`` (a key of :data:`TABLES`), in its key order."""
        ...

    def count(self, table: str) -> int: ...


class Storage(Protocol):
    #: A random id made when the database was created; it is part of every cursor.
    registry_id: str

    def check(self) -> None:
        """Touch the database; raise :class:`StorageUnavailable` when it does not answer."""
        ...

    def schema_version(self) -> int: ...

    def authenticate(self, token_hash: str) -> Principal | None:
        """The token's principal unless it is unknown or revoked (expired ones too: the
        caller refuses those with their own problem)."""
        ...

    def add_token(
        self, name: str, role: Role, token_hash: str, *, expires_at: str | None = None
    ) -> TokenInfo:
        """A new token; ValueError if the name has a current (not revoked, not replaced) one."""
        ...

    def list_tokens(self) -> list[TokenInfo]: ...

    def revoke_token(self, name: str) -> bool:
        """Revoke every token of that name not yet revoked (a rotated-out one too)."""
        ...

    def rotate_token(
        self, name: str, token_hash: str, *, grace_until: str, expires_at: str | None
    ) -> TokenInfo:
        """Replace the name's current token with ``token_hash`` (same role); the old one
        keeps working until ``grace_until`` (or its own expiry, if sooner). ValueError when
        the name has no current token."""
        ...

    def touch_token(self, token_id: int) -> None:
        """Note that the token was just used; skipped (never waits long) when the database
        is busy."""
        ...

    def current_version(self) -> int: ...

    def changes(self, since: int, limit: int) -> tuple[list[StoredRecord], bool]:
        """Records with a version above ``since``, in version order, and whether more follow."""
        ...

    def get(self, type_: str, id_: str) -> StoredRecord | None: ...

    def history(
        self, type_: str, id_: str, before: int | None, limit: int
    ) -> tuple[list[StoredRecord], bool]:
        """Every accepted write of one record below version ``before``, newest first."""
        ...

    def write(self) -> AbstractContextManager[WriteTransaction]:
        """One write transaction: commits on success, rolls back on an exception."""
        ...

    def snapshot(self) -> AbstractContextManager[Snapshot]:
        """One consistent read of everything, safe while the server writes."""
        ...

    def is_empty(self) -> bool:
        """No token, record, history or reply, and the counter at 0."""
        ...

    def load(
        self,
        registry_id: str,
        version: int,
        tables: dict[str, Iterable[tuple[Any, ...]]],
    ) -> None:
        """Fill an empty registry with rows of :data:`TABLES` (one transaction)."""
        ...

    def close(self) -> None: ...
