"""The registry's HTTP API (FastAPI). Protocol: ``docs/registry-protocol.md``."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import FastAPI, Header, Path, Query, Request, Response, Security
from fastapi.openapi.utils import get_openapi
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from stewardship.domain.wire import PROTOCOL_REVISION

from . import API_VERSION, __version__
from .batch import envelope, run_batch
from .blob_store import DEFAULT_BLOB_LIMIT, BlobStore, default_blob_dir
from .limits import DEFAULT_LIMITS, Limits
from .metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from .metrics import Metrics, MetricsMiddleware
from .middleware import DEFAULT_BODY_LIMIT, GuardMiddleware
from .problems import PROBLEM_MEDIA_TYPE, ProblemError, install_problem_handlers
from .request_log import RequestLogMiddleware
from .schemas import (
    ID_PATTERN,
    TOKEN_NAME_PATTERN,
    BatchReply,
    BatchRequest,
    ChangesPage,
    CreatedToken,
    Health,
    Me,
    NewToken,
    Problem,
    RecordEnvelope,
    RecordType,
    TokenList,
    TokenState,
)
from .storage import Principal, Storage
from .tokens import hash_token, new_token, utc_iso

DEFAULT_PAGE = 100
MAX_PAGE = 1000
#: A cursor as this registry makes it (``<registry id>-<version>``), or empty: the start.
CURSOR_PATTERN = r"^(|[0-9a-f]{32}-[0-9]{1,16})$"
_CURSOR = re.compile(r"^([0-9a-f]{32})-(\d{1,16})$")

_bearer = HTTPBearer(
    auto_error=False, description="A registry token: 'Authorization: Bearer stw_...'."
)


def _problem(description: str) -> dict[str, Any]:
    return {"model": Problem, "description": description}


_UNAUTHORIZED: dict[int | str, dict[str, Any]] = {
    401: _problem("No token, an unknown or revoked one (unauthorized), or an expired one."),
    429: {
        **_problem("Too many wrong tokens from this address: wait Retry-After seconds."),
        "headers": {
            "Retry-After": {"description": "Seconds to wait.", "schema": {"type": "string"}}
        },
    },
}


def _principal(
    request: Request,
    _credentials: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)],
) -> Principal:
    """The caller, as the guard middleware authenticated it."""
    principal = getattr(request.state, "principal", None)
    if principal is None:  # pragma: no cover - the middleware answers 401 first
        raise ProblemError(401, "unauthorized", "Send 'Authorization: Bearer <token>'.")
    return principal


Caller = Annotated[Principal, Security(_principal)]


def _now() -> datetime:
    return datetime.now(UTC)


def make_cursor(registry_id: str, version: int) -> str:
    return f"{registry_id}-{version}"


def read_cursor(storage: Storage, since: str | None) -> int:
    """The version a cursor stands for; 0 when there is none."""
    if not since:
        return 0
    match = _CURSOR.match(since)
    if not match:
        raise ProblemError(
            422,
            "validation",
            "since: not a cursor this registry made.",
            errors=[
                {
                    "field": "since",
                    "reason": "not a cursor this registry made; "
                    "use a next_cursor value, or leave it out to start over",
                }
            ],
        )
    registry_id, version = match.group(1), int(match.group(2))
    if registry_id != storage.registry_id:
        raise ProblemError(
            409,
            "cursor-reset",
            "The cursor comes from another registry database; "
            "pull again from the start (leave out since).",
        )
    if version > storage.current_version():
        raise ProblemError(
            409,
            "cursor-reset",
            "The cursor is ahead of this registry (was it "
            "restored from a backup?); pull again from the start (leave out since).",
        )
    return version


def create_app(
    storage: Storage,
    *,
    body_limit: int = DEFAULT_BODY_LIMIT,
    limits: Limits = DEFAULT_LIMITS,
    blobs: BlobStore | None = None,
    blob_limit: int = DEFAULT_BLOB_LIMIT,
) -> FastAPI:
    """The API over ``storage``; files in ``blobs`` (default: a folder beside a SQLite file)."""
    if blobs is None and getattr(storage, "path", None) is not None:
        from .blob_store_folder import FolderBlobStore

        blobs = FolderBlobStore(default_blob_dir(storage.path))  # type: ignore[attr-defined]
    app = FastAPI(
        title="Stewardship registry",
        version=__version__,
        summary="The shared registry that Stewardship Consoles sync with.",
        description="Versions, not clocks: every accepted write gets the next registry version. "
        "Errors are RFC 9457 problem documents. See docs/registry-protocol.md.",
        docs_url=None,
        redoc_url=None,
    )
    metrics = Metrics()
    app.state.storage = storage
    app.state.metrics = metrics
    app.state.busy_retry_after = limits.busy_retry_after
    app.add_middleware(
        GuardMiddleware, storage=storage, body_limit=body_limit, limits=limits, metrics=metrics
    )
    app.add_middleware(MetricsMiddleware, metrics=metrics, router=app.router)
    app.add_middleware(RequestLogMiddleware)  # added last, so outermost: logs refusals too
    install_problem_handlers(app)

    @app.get(
        "/v1/health",
        response_model=Health,
        tags=["registry"],
        summary="Is the registry up? (no token needed)",
    )
    def health() -> dict[str, Any]:
        return {
            "status": "ok",
            "api": API_VERSION,
            "server_version": __version__,
            "protocol": PROTOCOL_REVISION,
        }

    @app.get(
        "/metrics",
        tags=["registry"],
        summary="Prometheus metrics (any valid token; see the README)",
        response_class=Response,
        responses={
            200: {
                "description": "The Prometheus text exposition format.",
                "content": {"text/plain": {"schema": {"type": "string"}}},
            },
            **_UNAUTHORIZED,
        },
    )
    def metrics_endpoint(caller: Caller) -> Response:
        return Response(metrics.exposition(), media_type=METRICS_CONTENT_TYPE)

    @app.get(
        "/v1/me",
        response_model=Me,
        responses=_UNAUTHORIZED,
        tags=["registry"],
        summary="The token's name and role",
    )
    def me(caller: Caller) -> dict[str, Any]:
        return {"name": caller.name, "role": caller.role}

    @app.get(
        "/v1/changes",
        response_model=ChangesPage,
        tags=["sync"],
        summary="Records and tombstones written after a cursor, in version order",
        responses={
            **_UNAUTHORIZED,
            409: _problem("The cursor is not from this registry's history: start over."),
            422: _problem("since or limit is not valid."),
        },
    )
    def changes(
        caller: Caller,
        since: Annotated[
            str | None,
            Query(
                max_length=64,
                pattern=CURSOR_PATTERN,
                description=(
                    "A next_cursor from an earlier page; leave out (or empty) to start from "
                    "the beginning."
                ),
            ),
        ] = None,
        limit: Annotated[
            int, Query(ge=1, le=MAX_PAGE, description="Most changes per page.")
        ] = DEFAULT_PAGE,
    ) -> dict[str, Any]:
        version = read_cursor(storage, since)
        rows, has_more = storage.changes(version, limit)
        last = rows[-1].version if rows else version
        return {
            "changes": [envelope(r) for r in rows],
            "next_cursor": make_cursor(storage.registry_id, last),
            "has_more": has_more,
        }

    @app.head(
        "/v1/changes",
        tags=["sync"],
        summary="As GET /v1/changes, without the body (checks the token and the cursor)",
        response_class=Response,
        responses={
            200: {"description": "The cursor and limit are valid; no body."},
            **_UNAUTHORIZED,
            409: _problem("The cursor is not from this registry's history: start over."),
            422: _problem("since or limit is not valid."),
        },
    )
    def changes_head(
        caller: Caller,
        since: Annotated[
            str | None,
            Query(max_length=64, pattern=CURSOR_PATTERN, description="As for GET."),
        ] = None,
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="As for GET.")] = DEFAULT_PAGE,
    ) -> Response:
        read_cursor(storage, since)
        return Response(status_code=200, media_type="application/json")

    @app.get(
        "/v1/records/{type}/{id}",
        response_model=RecordEnvelope,
        tags=["sync"],
        summary="One record as the registry holds it (tombstones included)",
        responses={
            **_UNAUTHORIZED,
            404: _problem("No record of that type with that id."),
            422: _problem("The type is unknown or the id malformed."),
        },
    )
    def get_record(
        caller: Caller,
        type: Annotated[RecordType, Path(description="The record type.")],
        id: Annotated[str, Path(pattern=ID_PATTERN, description="The record id.")],
    ) -> dict[str, Any]:
        record = storage.get(type.value, id)
        if record is None:
            raise ProblemError(
                404, "not-found", f"The registry has no {type.value} with id '{id}'."
            )
        return envelope(record)

    @app.post(
        "/v1/batch",
        response_model=BatchReply,
        tags=["sync"],
        summary="Apply up to 100 writes; each is applied, a conflict or rejected",
        responses={
            200: {
                "description": "Every operation's result (also for a replayed key).",
                "headers": {
                    "Idempotent-Replayed": {
                        "description": "'true' when this is the stored reply of an earlier "
                        "request with the same key.",
                        "schema": {"type": "string"},
                    }
                },
            },
            400: _problem(
                "The Idempotency-Key header is missing or malformed, or the body cannot be read."
            ),
            **_UNAUTHORIZED,
            403: _problem("The token's role (viewer) may not write."),
            408: _problem("The body did not arrive within the body timeout."),
            413: _problem("The body is larger than the registry accepts."),
            422: _problem("The body is not a valid batch, or the key was used for another one."),
            503: {
                **_problem("The database is busy: retry after Retry-After seconds, same key."),
                "headers": {
                    "Retry-After": {"description": "Seconds to wait.", "schema": {"type": "string"}}
                },
            },
        },
    )
    def batch(
        caller: Caller,
        body: BatchRequest,
        response: Response,
        idempotency_key: Annotated[
            str,
            Header(
                alias="Idempotency-Key",
                min_length=1,
                max_length=255,
                pattern=r"^[\x21-\x7e]+$",
                description="A key unique to this batch (a UUID); resend the same key when retrying.",
            ),
        ],
    ) -> dict[str, Any]:
        reply, replayed = run_batch(storage, caller, idempotency_key, body)
        if replayed:
            response.headers["Idempotent-Replayed"] = "true"
        else:
            metrics.count_batch(reply)
        return reply

    _ADMIN: dict[int | str, dict[str, Any]] = {
        **_UNAUTHORIZED,
        403: _problem("Only admin tokens manage tokens."),
    }

    @app.get(
        "/v1/tokens",
        response_model=TokenList,
        tags=["admin"],
        summary="Every token: name, role, state, expiry and last use (never a secret)",
        responses=_ADMIN,
    )
    def list_tokens(caller: Caller) -> dict[str, Any]:
        now = utc_iso()
        return {
            "tokens": [
                {
                    "name": t.name,
                    "role": t.role,
                    "state": TokenState(t.state(now)),
                    "created_at": t.created_at,
                    "expires_at": t.expires_at,
                    "last_used_at": t.last_used_at,
                    "revoked_at": t.revoked_at,
                }
                for t in storage.list_tokens()
            ]
        }

    @app.post(
        "/v1/tokens",
        response_model=CreatedToken,
        status_code=201,
        tags=["admin"],
        summary="Make a token; its secret is in this reply only",
        responses={
            400: _problem("The body cannot be read."),
            **_ADMIN,
            409: _problem("The name already has an active token: revoke or rotate it."),
            422: _problem("The body is not valid."),
        },
    )
    def create_token(caller: Caller, body: NewToken) -> dict[str, Any]:
        expires_at = (
            utc_iso(_now() + timedelta(days=body.expires_in_days)) if body.expires_in_days else None
        )
        secret = new_token()
        try:
            storage.add_token(body.name, body.role, hash_token(secret), expires_at=expires_at)
        except ValueError as exc:
            raise ProblemError(409, "token-exists", str(exc)) from None
        return {"name": body.name, "role": body.role, "expires_at": expires_at, "token": secret}

    @app.delete(
        "/v1/tokens/{name}",
        status_code=204,
        response_class=Response,
        tags=["admin"],
        summary="Revoke the tokens of that name (at once, a rotated-out one too)",
        responses={
            **_ADMIN,
            404: _problem("No active token of that name."),
            422: _problem("The name is not valid."),
        },
    )
    def revoke_token(
        caller: Caller,
        name: Annotated[str, Path(pattern=TOKEN_NAME_PATTERN, description="The token's name.")],
    ) -> Response:
        if not storage.revoke_token(name):
            raise ProblemError(404, "not-found", f"No active token named '{name}'.")
        return Response(status_code=204)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _problem_openapi(
                get_openapi(
                    title=app.title,
                    version=app.version,
                    summary=app.summary,
                    description=app.description,
                    routes=app.routes,
                )
            )
        return app.openapi_schema

    from .blobs import add_blob_routes  # it imports this module's Caller

    add_blob_routes(app, blobs, blob_limit)
    app.state.blobs = blobs
    app.openapi = openapi  # type: ignore[method-assign]
    return app


def _problem_openapi(schema: dict[str, Any]) -> dict[str, Any]:
    """Document every error response as ``application/problem+json`` with the Problem schema."""
    problem = {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path_item in schema.get("paths", {}).values():
        for method, operation in path_item.items():
            for code, response in operation.get("responses", {}).items():
                if method == "head":  # a reply to HEAD has no body
                    response.pop("content", None)
                elif code.isdigit() and int(code) >= 400:
                    response["content"] = dict(problem)
                    if code == "422" and response.get("description") == "Validation Error":
                        response["description"] = "The request is not valid."
    components = schema.get("components", {}).get("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    return schema
