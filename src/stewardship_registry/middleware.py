"""The gate every request passes before FastAPI parses it.

In this order: a declared body over the limit is refused (413) without
reading it; under ``/v1/`` (except ``/v1/health``) the bearer token must be
valid (401) and only steward and admin tokens may use a method that writes
(403); then the body is read, counting bytes, and refused (413) the moment it
passes the limit, so nothing larger than the limit is ever parsed.

The one exception is a file upload (``PUT /v1/blobs/...``): its body is not
buffered here but streamed to the blob route, which hashes it as it arrives
and enforces the (much larger) file size limit itself (``blobs.py``).
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .problems import problem_response
from .storage import Storage
from .tokens import hash_token

DEFAULT_BODY_LIMIT = 1024 * 1024
PUBLIC_PATHS = frozenset({"/v1/health"})
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
STREAMED_PREFIX = "/v1/blobs/"


def is_streamed(scope: Scope) -> bool:
    """A file upload: its body goes to the route unbuffered (see the module)."""
    return scope["method"] == "PUT" and str(scope["path"]).startswith(STREAMED_PREFIX)


def bearer_token(headers: Headers) -> str | None:
    value = headers.get("authorization", "")
    scheme, _, token = value.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


class GuardMiddleware:
    def __init__(
        self, app: ASGIApp, storage: Storage, body_limit: int = DEFAULT_BODY_LIMIT
    ) -> None:
        self.app = app
        self.storage = storage
        self.body_limit = body_limit

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

        if path.startswith("/v1/") and path not in PUBLIC_PATHS:
            token = bearer_token(headers)
            principal = None
            if token:
                principal = await run_in_threadpool(self.storage.authenticate, hash_token(token))
            if principal is None:
                detail = (
                    "Send 'Authorization: Bearer <token>'."
                    if token is None
                    else "The token is not known or has been revoked."
                )
                await problem_response(401, "unauthorized", detail, instance=path)(
                    scope, receive, send
                )
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
            scope.setdefault("state", {})["principal"] = principal

        if is_streamed(scope):
            await self.app(scope, receive, send)
            return

        body = bytearray()
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            body.extend(message.get("body", b""))
            if len(body) > self.body_limit:
                await problem_response(413, "payload-too-large", self._too_large(), instance=path)(
                    scope, receive, send
                )
                return
            if not message.get("more_body", False):
                break

        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)
