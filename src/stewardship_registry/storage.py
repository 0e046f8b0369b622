"""The storage interface the API layer talks to.

The API never sees SQL: it asks a :class:`Storage` for tokens, records and
the changes feed, and runs each batch inside one :meth:`Storage.write`
transaction. ``sqlite_storage.SQLiteStorage`` is the implementation we ship;
a PostgreSQL backend would implement the same protocol. Its one hard duty is
the ordering guarantee of the changes feed: versions must become visible in
version order (SQLite's single writer gives that for free; PostgreSQL would
take a row lock on the counter, ``SELECT ... FOR UPDATE``, for the whole write
transaction).
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

from .tokens import Role


class StorageBusy(Exception):
    """The database stayed locked by another writer (or process) past the busy timeout.

    Not a server bug: the API answers ``503`` with ``Retry-After`` and logs it.
    """


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


class Storage(Protocol):
    #: A random id made when the database was created; it is part of every cursor.
    registry_id: str

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

    def write(self) -> AbstractContextManager[WriteTransaction]:
        """One write transaction: commits on success, rolls back on an exception."""
        ...

    def close(self) -> None: ...
