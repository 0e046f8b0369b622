"""The gate every request passes before FastAPI parses it.

In this order: a declared body over the limit is refused (413) without
reading it; under ``/v1/`` (except ``/v1/health``) and on ``/metrics``, a
client address that sent too many wrong tokens is refused (429 with
``Retry-After``) without looking at its token; the bearer token must be known
and not revoked (401 ``unauthorized``) nor expired (401 ``token-expired``);
only steward and admin tokens may use a method that writes (403), and only
admin tokens may manage tokens (403); then the body is read, counting bytes,
and refused (413) the moment it passes the limit, or (408) when it has not
all arrived within the body timeout, so nothing larger than the limit is ever
parsed and a slow client holds nothing for long.

The one exception is a file upload (``PUT /v1/blobs/...``): its body is not
buffered here but streamed to the blob route, which hashes it as it arrives
and enforces the (much larger) file size limit itself (``blobs.py``).
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import datetime

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .limits import DEFAULT_LIMITS, FailedAuthLimiter, Limits
from .metrics import Metrics
from .problems import problem_response
from .storage import Principal, Storage
from .tokens import Role, hash_token, utc_iso

DEFAULT_BODY_LIMIT = 1024 * 1024
PUBLIC_PATHS = frozenset({"/v1/health"})
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
ADMIN_PREFIX = "/v1/tokens"
#: A token's last use is written at most this often (seconds): "last used" is to the minute.
TOUCH_EVERY = 60.0

log = logging.getLogger("stewardship_registry")


def route_path(scope: Scope) -> str:
    """The request path without the ``--root-path`` prefix the server was given."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "") or ""
    if root and path.startswith(root):
        path = path[len(root) :] or "/"
    return path


def needs_token(path: str) -> bool:
    return (path.startswith("/v1/") and path not in PUBLIC_PATHS) or path == "/metrics"


def is_expired(principal: Principal, now: datetime | None = None) -> bool:
    return bool(principal.expires_at) and str(principal.expires_at) < utc_iso(now)


STREAMED_PREFIX = "/v1/blobs/"


def is_streamed(scope: Scope) -> bool:
    """A file upload: its body goes to the route unbuffered (see the module)."""
    return scope["method"] == "PUT" and route_path(scope).startswith(STREAMED_PREFIX)


def bearer_token(headers: Headers) -> str | None:
    value = headers.get("authorization", "")
    scheme, _, token = value.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


class GuardMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        storage: Storage,
        body_limit: int = DEFAULT_BODY_LIMIT,
        limits: Limits = DEFAULT_LIMITS,
        metrics: Metrics | None = None,
    ) -> None:
        self.app = app
        self.storage = storage
        self.body_limit = body_limit
        self.limits = limits
        self.metrics = metrics
        self.limiter = FailedAuthLimiter(limits.auth_failure_burst, limits.auth_failure_window)
        self._touched: dict[int, float] = {}

    def _refused(self, reason: str) -> None:
        if self.metrics is not None:
            self.metrics.auth_failures.labels(reason).inc()

    def _too_large(self) -> str:
        return (
            f"The body is larger than this registry accepts ({self.body_limit} bytes); "
            "send fewer operations per batch."
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        path: str = scope["path"]
        length = headers.get("content-length")
        if length is not None:
            if not length.strip().isdigit():
                await problem_response(
                    400, "bad-request", "Content-Length is not a number.", instance=path
                )(scope, receive, send)
                return
            if int(length) > self.body_limit and not is_streamed(scope):
                await problem_response(413, "payload-too-large", self._too_large(), instance=path)(
                    scope, receive, send
                )
                return

        route = route_path(scope)
        if needs_token(route):
            client = scope.get("client")
            address = str(client[0]) if client else "unknown"
            token = bearer_token(headers)
            wait = self.limiter.retry_after(address) if token is not None else None
            if wait is not None:
                self._refused("rate-limited")
                await problem_response(
                    429,
                    "too-many-requests",
                    f"Too many wrong tokens from this address; try again in {wait} s.",
                    instance=path,
                    headers={"Retry-After": str(wait)},
                )(scope, receive, send)
                return
            principal = None
            if token:
                principal = await run_in_threadpool(self.storage.authenticate, hash_token(token))
            if principal is None:
                if token is not None:
                    self.limiter.failed(address)
                    self._refused("unknown")
                detail = (
                    "Send 'Authorization: Bearer <token>'."
                    if token is None
                    else "The token is not known or has been revoked."
                )
                await problem_response(401, "unauthorized", detail, instance=path)(
                    scope, receive, send
                )
                return
            if is_expired(principal):
                self._refused("expired")
                await problem_response(
                    401,
                    "token-expired",
                    f"The token '{principal.name}' expired at {principal.expires_at}; "
                    "ask an admin for a new one.",
                    instance=path,
                )(scope, receive, send)
                return
            if scope["method"] not in READ_METHODS and not principal.role.can_write:
                await problem_response(
                    403,
                    "forbidden",
                    f"The token '{principal.name}' has the role '{principal.role}', which may only "
                    "read; writing needs a steward or admin token.",
                    instance=path,
                )(scope, receive, send)
                return
            if route.startswith(ADMIN_PREFIX) and principal.role != Role.ADMIN:
                await problem_response(
                    403,
                    "forbidden",
                    f"The token '{principal.name}' has the role '{principal.role}'; "
                    "managing tokens needs an admin token.",
                    instance=path,
                )(scope, receive, send)
                return
            scope.setdefault("state", {})["principal"] = principal
            now = time.monotonic()
            if now - self._touched.get(principal.token_id, -TOUCH_EVERY) >= TOUCH_EVERY:
                self._touched[principal.token_id] = now
                await run_in_threadpool(self.storage.touch_token, principal.token_id)

        if is_streamed(scope):
            await self.app(scope, receive, send)
            return

        body = bytearray()
        try:
            async with asyncio.timeout(self.limits.body_timeout):
                while True:
                    message = await receive()
                    if message["type"] != "http.request":
                        break
                    body.extend(message.get("body", b""))
                    if len(body) > self.body_limit:
                        await problem_response(
                            413, "payload-too-large", self._too_large(), instance=path
                        )(scope, receive, send)
                        return
                    if not message.get("more_body", False):
                        break
        except TimeoutError:
            log.warning(
                "%s %s: the body did not arrive within %g s; answered 408 and closed",
                scope["method"],
                path,
                self.limits.body_timeout,
            )
            await problem_response(
                408,
                "request-timeout",
                f"The request body did not arrive within {self.limits.body_timeout:g} s.",
                instance=path,
                headers={"Connection": "close"},
            )(scope, receive, send)
            return

        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)
