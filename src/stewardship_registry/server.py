"""The HTTP server around the app: uvicorn with the limits of :mod:`.limits` enforced.

uvicorn closes idle keep-alive connections and answers 503 past
``limit_concurrency``, but it holds a connection that sends nothing, or its
headers a byte at a time, for ever. :class:`GuardedH11Protocol` adds a header
timeout (from the connection opening, or from the first byte of a later
request on it) and a hard connection limit (a connection past it is closed at
once). The body timeout is the guard middleware's (``middleware.py``).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from .limits import DEFAULT_LIMITS, Limits

log = logging.getLogger("stewardship_registry")

#: The largest request head (request line and headers) accepted, in bytes.
MAX_HEADER_BYTES = 16 * 1024


class GuardedH11Protocol(H11Protocol):
    header_timeout: float = DEFAULT_LIMITS.header_timeout
    max_connections: int = DEFAULT_LIMITS.max_connections

    _header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > self.max_connections:
            log.warning(
                "closed a new connection from %s: %d connections are open (the limit)",
                self.client[0] if self.client else "?",
                self.max_connections,
            )
            transport.close()
            return
        self._arm_header_timer()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is h11.IDLE:
            if self._header_timer is None:  # a new request began arriving on this connection
                self._arm_header_timer()
        else:
            self._cancel_header_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_header_timer()
        super().connection_lost(exc)

    def _arm_header_timer(self) -> None:
        self._cancel_header_timer()
        self._header_timer = self.loop.call_later(self.header_timeout, self._header_timed_out)

    def _cancel_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _header_timed_out(self) -> None:
        self._header_timer = None
        idle = self.cycle is None or self.cycle.response_complete
        if self.conn.their_state is h11.IDLE and idle and not self.transport.is_closing():
            log.info(
                "closed a connection from %s: no complete request within %g s",
                self.client[0] if self.client else "?",
                self.header_timeout,
            )
            self.transport.close()


def protocol_for(limits: Limits) -> type[GuardedH11Protocol]:
    return type(
        "GuardedH11",
        (GuardedH11Protocol,),
        {"header_timeout": limits.header_timeout, "max_connections": limits.max_connections},
    )


def server_config(
    app: Any,
    *,
    host: str = "127.0.0.1",
    port: int = 8470,
    limits: Limits = DEFAULT_LIMITS,
    log_level: str = "info",
    forwarded_allow_ips: str | None = None,
    **options: Any,
) -> uvicorn.Config:
    """The uvicorn configuration ``serve`` runs with (tests run the same)."""
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        http=protocol_for(limits),
        timeout_keep_alive=limits.keep_alive_timeout,
        # uvicorn counts the asking connection itself: +1 lets max_connections all be served
        limit_concurrency=limits.max_connections + 1,
        h11_max_incomplete_event_size=MAX_HEADER_BYTES,
        proxy_headers=True,
        forwarded_allow_ips=forwarded_allow_ips or "127.0.0.1,::1",
        log_level=log_level,
        server_header=False,
        **options,
    )
