"""What can go wrong in a sync, in words a steward understands.

Messages never contain the token. A cancelled sync raises the one
:class:`~stewardship.domain.tasks.Cancelled` every long operation raises.
"""

from __future__ import annotations


class SyncError(Exception):
    """A sync did not complete. Local changes stay in the outbox."""


class RegistryUnreachable(SyncError):
    """No answer from the registry: offline, DNS, refused, timed out, or it keeps failing."""


class AuthRefused(SyncError):
    """The registry refused the token (401) or the role (403)."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class RegistryProtocolError(SyncError):
    """The registry answered, but not in a way the console can use."""


class NotConfigured(SyncError):
    """No registry set up for this data folder, or no token."""


class CursorReset(SyncError):
    """The registry does not know our cursor: it was replaced or restored from a backup."""
