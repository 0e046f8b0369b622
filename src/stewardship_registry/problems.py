"""RFC 9457 problem documents for every error the registry returns."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from .storage import StorageBusy

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_BASE = "urn:stewardship:problem:"

#: slug -> title, for every kind of problem the registry reports.
PROBLEM_TITLES: dict[str, str] = {
    "bad-request": "The request could not be read",
    "unauthorized": "A valid bearer token is required",
    "token-expired": "The token has expired",
    "too-many-requests": "Too many failed attempts",
    "request-timeout": "The request did not arrive in time",
    "unavailable": "The registry is busy",
    "forbidden": "This token's role may not do that",
    "not-found": "Not found",
    "token-exists": "A token of that name is active",
    "method-not-allowed": "Method not allowed",
    "cursor-reset": "The cursor does not belong to this registry's history",
    "payload-too-large": "The request body is too large",
    "validation": "The request is not valid",
    "idempotency-key-missing": "An Idempotency-Key header is required",
    "idempotency-key-reused": "This Idempotency-Key was used for a different request",
    "record-rejected": "The record is not valid",
    "internal": "The registry failed",
    "digest-mismatch": "The file's SHA-256 is not its name",
    "range-not-satisfiable": "The range lies outside the file",
    "blobs-unavailable": "The registry keeps no files",
}

_STATUS_SLUGS = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    408: "request-timeout",
    413: "payload-too-large",
    422: "validation",
    429: "too-many-requests",
    500: "internal",
    503: "unavailable",
}

log = logging.getLogger("stewardship_registry")


def problem_type(slug: str) -> str:
    return PROBLEM_BASE + slug


def problem_dict(
    status: int,
    slug: str,
    detail: str,
    *,
    instance: str | None = None,
    errors: Sequence[dict[str, Any]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": problem_type(slug),
        "title": PROBLEM_TITLES.get(slug) or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if instance is not None:
        body["instance"] = instance
    if errors:
        body["errors"] = list(errors)
    body.update(extra)
    return body


class ProblemError(Exception):
    """Raise to answer with a problem document."""

    def __init__(
        self,
        status: int,
        slug: str,
        detail: str,
        *,
        errors: Sequence[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status, self.slug, self.detail = status, slug, detail
        self.errors, self.headers = errors, headers or {}


def problem_response(
    status: int,
    slug: str,
    detail: str,
    *,
    instance: str | None = None,
    errors: Sequence[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body = problem_dict(status, slug, detail, instance=instance, errors=errors)
    if status == 401:
        headers = {"WWW-Authenticate": 'Bearer realm="stewardship-registry"', **(headers or {})}
    return Response(
        json.dumps(body, ensure_ascii=False),
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=headers,
    )


def _field_name(loc: Sequence[Any]) -> tuple[str, str | None]:
    """A validation error location as a field name and, for the body, a JSON pointer."""
    where, *path = list(loc) or ["body"]
    if where == "header" and path:
        return "-".join(p.capitalize() for p in str(path[0]).split("-")), None
    if where in ("query", "path") and path:
        return str(path[0]), None
    if where != "body":
        path = [where, *path]
    name = ""
    for part in path:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    pointer = "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)
    return name or "body", pointer


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    out = []
    for error in exc.errors():
        name, pointer = _field_name(error.get("loc", ()))
        reason = str(error.get("msg", "is not valid"))
        if error.get("type") == "json_invalid":
            ctx = error.get("ctx") or {}
            reason = f"the body is not valid JSON ({ctx.get('error', 'decode error')})"
            name, pointer = "body", ""
        entry: dict[str, Any] = {"field": name, "reason": reason}
        if pointer is not None:
            entry["pointer"] = pointer
        out.append(entry)
    return out


def _allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at the request's path (Starlette names only the first
    route's, where GET and POST of one path are two routes)."""
    from starlette.routing import Match

    methods: set[str] = set()
    for route in request.app.router.routes:
        match, _ = route.matches(request.scope)
        if match != Match.NONE:
            methods |= set(getattr(route, "methods", None) or ())
    return sorted(methods)


def _count_database_error(request: Request, kind: str) -> None:
    metrics = getattr(request.app.state, "metrics", None)
    if metrics is not None:
        metrics.database_errors.labels(kind).inc()


def install_problem_handlers(app: FastAPI) -> None:
    """Turn every error, FastAPI's own included, into ``application/problem+json``."""

    @app.exception_handler(ProblemError)
    async def _problem(request: Request, exc: ProblemError) -> Response:
        return problem_response(
            exc.status,
            exc.slug,
            exc.detail,
            instance=request.url.path,
            errors=exc.errors,
            headers=exc.headers,
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = _validation_errors(exc)
        key_errors = [e for e in errors if e["field"] == "Idempotency-Key"]
        if key_errors:
            return problem_response(
                400,
                "idempotency-key-missing",
                "Send an Idempotency-Key header (1 to 255 visible ASCII characters, e.g. a "
                "UUID) and reuse it when retrying this same request.",
                instance=request.url.path,
                errors=key_errors,
            )
        detail = "; ".join(f"{e['field']}: {e['reason']}" for e in errors[:5])
        return problem_response(
            422,
            "validation",
            detail or "The request is not valid.",
            instance=request.url.path,
            errors=errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        status = exc.status_code
        slug = _STATUS_SLUGS.get(status, "bad-request" if status < 500 else "internal")
        detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(status).phrase
        if status == 404 and detail == "Not Found":
            detail = f"There is nothing at {request.url.path}."
        headers = dict(exc.headers or {})
        if status == 405:
            detail = f"{request.method} is not allowed on {request.url.path}."
            allowed = _allowed_methods(request)
            if allowed:
                headers["Allow"] = ", ".join(allowed)
        return problem_response(status, slug, detail, instance=request.url.path, headers=headers)

    @app.exception_handler(StorageBusy)
    async def _busy(request: Request, exc: StorageBusy) -> Response:
        wait = int(getattr(request.app.state, "busy_retry_after", 2))
        _count_database_error(request, "busy")
        log.warning(
            "%s %s: %s; answered 503 with Retry-After: %d (not a server bug: "
            "look for another process holding the database, e.g. a backup or sqlite3 shell)",
            request.method,
            request.url.path,
            exc,
            wait,
        )
        return problem_response(
            503,
            "unavailable",
            f"The registry's database is busy; retry in {wait} s (a batch with the same "
            "Idempotency-Key).",
            instance=request.url.path,
            headers={"Retry-After": str(wait)},
        )

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> Response:
        if type(exc).__module__.startswith(("sqlite3", "psycopg")):
            _count_database_error(request, "error")
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(
            500,
            "internal",
            "The registry failed; the error is in its log.",
            instance=request.url.path,
        )
