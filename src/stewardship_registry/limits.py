"""How much a client may ask of the registry: failed sign-ins, slow clients, connections.

Documented in ``docs/registry-protocol.md`` ("Limits") and the README ("Running
the registry for an organisation"). Every number here is a default that
``create_app`` or ``serve`` can be given.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    #: Wrong tokens one client address may send at once, then ...
    auth_failure_burst: int = 30
    #: ... one more each ``auth_failure_window / auth_failure_burst`` seconds.
    auth_failure_window: float = 60.0
    #: A request's headers must arrive within this many seconds of the connection
    #: opening (or of the previous response): slow-header and idle half-open
    #: connections are closed.
    header_timeout: float = 10.0
    #: A request's whole body must arrive within this many seconds (408 otherwise).
    body_timeout: float = 30.0
    #: An idle keep-alive connection is closed after this many seconds.
    keep_alive_timeout: int = 5
    #: Open connections at most; past it a new connection is closed at once, and
    #: requests beyond it are answered 503.
    max_connections: int = 200
    #: Seconds a client is told to wait (Retry-After) when the database is busy.
    busy_retry_after: int = 2


DEFAULT_LIMITS = Limits()


class FailedAuthLimiter:
    """A token bucket of failed authentications per client address.

    Each address may fail ``burst`` times at once; the bucket refills at
    ``burst / window`` per second. While it is empty, every request from that
    address that needs a token is answered 429 without looking at the token
    (so guessing goes no faster for being refused). At most ``max_clients``
    addresses are remembered, the least recently seen forgotten first.
    """

    def __init__(
        self,
        burst: int,
        window: float,
        *,
        max_clients: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.burst = float(burst)
        self.rate = burst / window
        self.max_clients = max_clients
        self._clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def _level(self, client: str, now: float) -> float:
        tokens, since = self._buckets.get(client, (self.burst, now))
        return min(self.burst, tokens + (now - since) * self.rate)

    def retry_after(self, client: str) -> int | None:
        """Seconds until ``client`` may try a token again, or None when it may now."""
        with self._lock:
            if client not in self._buckets:
                return None
            level = self._level(client, self._clock())
        if level >= 1.0:
            return None
        return max(1, math.ceil((1.0 - level) / self.rate))

    def failed(self, client: str) -> None:
        with self._lock:
            now = self._clock()
            level = self._level(client, now)
            self._buckets[client] = (max(0.0, level - 1.0), now)
            self._buckets.move_to_end(client)
            while len(self._buckets) > self.max_clients:
                self._buckets.popitem(last=False)
