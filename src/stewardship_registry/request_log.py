"""One structured log line per request, each with a request id; never a header's value.

The request id is the caller's ``X-Request-ID`` when it is a sane token (1-128
letters, digits and ``._:-``), else a fresh one; it goes back in the response's
``X-Request-ID`` header and onto every log line written while the request runs
(:data:`request_id`). The line is written by the ``stewardship_registry.access``
logger at INFO with ``method``, ``path`` (without the query), ``status``,
``duration_ms``, ``client`` and, once the guard has authenticated the token,
``caller`` (the token's name; never the token).
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from contextvars import ContextVar
from typing import Any

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = "x-request-id"
_SANE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")

#: The id of the request being served in this context ("" outside a request).
request_id: ContextVar[str] = ContextVar("request_id", default="")

access_log = logging.getLogger("stewardship_registry.access")


def choose_request_id(incoming: str | None) -> str:
    """The caller's id when it is sane, else a new one."""
    if incoming is not None and _SANE_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


class RequestLogMiddleware:
    """Outermost of the registry's own middleware: it sees the guard's refusals too."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = choose_request_id(Headers(scope=scope).get(HEADER))
        request_id.set(rid)
        state: dict[str, Any] = scope.setdefault("state", {})
        status = 500  # what the server answers if the app fails before it starts a response
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [
                    (k, v) for k, v in message.get("headers", []) if k.lower() != b"x-request-id"
                ]
                message = {**message, "headers": [*headers, (HEADER.encode(), rid.encode())]}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            principal = state.get("principal")
            client = scope.get("client")
            fields: dict[str, Any] = {
                "request_id": rid,
                "method": scope["method"],
                "path": scope["path"],
                "status": status,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                "client": client[0] if client else None,
            }
            if principal is not None:
                fields["caller"] = principal.name
            access_log.info("request", extra={"fields": fields})
