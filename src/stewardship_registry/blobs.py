"""The blob endpoints: files (transcripts, evidence) named by their SHA-256.

``PUT /v1/blobs/{sha256}`` streams the body to storage while hashing it and
keeps it only when the digest is its name; ``HEAD``/``GET`` serve it (with
``Range``); ``POST /v1/blobs/missing`` says which of a list the registry
lacks. Nothing deletes a blob. Protocol: ``docs/registry-protocol.md``.
"""

from __future__ import annotations

import hashlib
import re
from typing import Annotated, Any

from fastapi import FastAPI, Header, Path, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect

from .app import _UNAUTHORIZED, Caller, _problem
from .blob_store import DIGEST_PATTERN, BlobStore, BlobUpload
from .problems import ProblemError

#: Bytes gathered from the socket before they are hashed and written in a worker thread.
FLUSH_BYTES = 1 << 20
MAX_DIGESTS = 10_000
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")

Digest = Annotated[
    str,
    Path(pattern=DIGEST_PATTERN, description="The blob's SHA-256, 64 lower-case hex digits."),
]
DigestItem = Annotated[str, StringConstraints(pattern=DIGEST_PATTERN)]


class BlobStored(BaseModel):
    """The registry holds the blob."""

    sha256: str = Field(description="The blob's SHA-256.")
    size: int = Field(description="Its size in bytes.")
    stored: bool = Field(
        description="true when this request stored it; false when it was already there."
    )


class MissingRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    digests: list[DigestItem] = Field(
        max_length=MAX_DIGESTS, description=f"Up to {MAX_DIGESTS} SHA-256 digests."
    )


class MissingReply(BaseModel):
    missing: list[str] = Field(description="The digests asked about that the registry lacks.")
    present: dict[str, int] = Field(
        description="The digests asked about that the registry holds, with their sizes."
    )


_BLOB_HEADERS = {
    "ETag": {"description": 'The SHA-256 in quotes: "<sha256>".', "schema": {"type": "string"}},
    "Accept-Ranges": {"description": "bytes", "schema": {"type": "string"}},
    "Content-Length": {"description": "Bytes in this reply.", "schema": {"type": "integer"}},
}


def _no_store() -> ProblemError:
    return ProblemError(
        503,
        "blobs-unavailable",
        "This registry keeps no files: start it with --blobs DIR or --blobs s3://bucket/prefix.",
    )


def _too_large(limit: int) -> ProblemError:
    return ProblemError(
        413,
        "payload-too-large",
        f"The file is larger than this registry accepts ({limit} bytes); nothing was kept.",
    )


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """(start, length) of a single ``Range: bytes=...`` request; None to send it all.

    A header this server does not understand (several ranges, another unit) is
    ignored, as RFC 9110 allows; a range past the end is ``416``.
    """
    if not header:
        return None
    match = _RANGE.match(header.strip())
    if not match or match.group(1) == match.group(2) == "":
        return None
    first, last = match.group(1), match.group(2)
    if first == "":  # the last N bytes
        count = int(last)
        if count == 0:
            raise _unsatisfiable(size)
        start = max(0, size - count)
        return start, size - start
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or end < start:
        raise _unsatisfiable(size)
    return start, end - start + 1


def _unsatisfiable(size: int) -> ProblemError:
    return ProblemError(
        416,
        "range-not-satisfiable",
        f"The range lies outside the file ({size} bytes).",
        headers={"Content-Range": f"bytes */{size}"},
    )


def _consume(upload: BlobUpload, digest: Any, data: bytes) -> None:
    digest.update(data)
    upload.write(data)


def add_blob_routes(app: FastAPI, blobs: BlobStore | None, limit: int) -> None:
    def store() -> BlobStore:
        if blobs is None:
            raise _no_store()
        return blobs

    @app.put(
        "/v1/blobs/{sha256}",
        status_code=201,
        response_model=BlobStored,
        tags=["blobs"],
        summary="Store a file under its SHA-256 (the body is checked against the name)",
        responses={
            200: {"model": BlobStored, "description": "Already stored; nothing was stored again."},
            201: {"description": "Stored."},
            **_UNAUTHORIZED,
            403: _problem("The token's role (viewer) may not write."),
            413: _problem("The file is larger than the registry accepts; nothing was kept."),
            422: _problem("The body's SHA-256 is not its name (nothing was kept), or a bad name."),
            503: _problem("The registry has no file storage configured."),
        },
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {"application/octet-stream": {"schema": {}}},
                "description": "The file's bytes, streamed.",
            }
        },
    )
    async def put_blob(
        request: Request, response: Response, caller: Caller, sha256: Digest
    ) -> dict[str, Any]:
        target = store()
        length = request.headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            raise _too_large(limit)
        existing = await run_in_threadpool(target.size, sha256)
        if existing is not None:
            try:
                async for _ in request.stream():
                    pass  # read and dropped: the registry already has these bytes
            except ClientDisconnect:
                pass
            response.status_code = 200
            return {"sha256": sha256, "size": existing, "stored": False}
        upload = await run_in_threadpool(target.begin, sha256)
        digest = hashlib.sha256()
        size = 0
        buffer = bytearray()
        try:
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise _too_large(limit)
                buffer += chunk
                if len(buffer) >= FLUSH_BYTES:
                    await run_in_threadpool(_consume, upload, digest, bytes(buffer))
                    buffer.clear()
            if buffer:
                await run_in_threadpool(_consume, upload, digest, bytes(buffer))
            actual = digest.hexdigest()
            if actual != sha256:
                raise ProblemError(
                    422,
                    "digest-mismatch",
                    f"The body's SHA-256 is {actual}, not {sha256}: the file changed or was "
                    "damaged on the way; nothing was kept.",
                )
            await run_in_threadpool(upload.commit)
        except ClientDisconnect:
            await run_in_threadpool(upload.abort)
            return {"sha256": sha256, "size": size, "stored": False}  # nobody reads it
        except BaseException:
            await run_in_threadpool(upload.abort)
            raise
        return {"sha256": sha256, "size": size, "stored": True}

    @app.head(
        "/v1/blobs/{sha256}",
        tags=["blobs"],
        summary="A file's size and ETag, without its bytes",
        responses={
            200: {"description": "The registry has the file.", "headers": _BLOB_HEADERS},
            **_UNAUTHORIZED,
            404: {"description": "The registry has no such file (no body: this is HEAD)."},
            422: {"description": "The name is not a SHA-256 digest."},
            503: {"description": "The registry has no file storage configured."},
        },
    )
    def head_blob(caller: Caller, sha256: Digest) -> Response:
        size = store().size(sha256)
        if size is None:
            return Response(status_code=404)
        return Response(
            status_code=200,
            headers={
                "ETag": f'"{sha256}"',
                "Accept-Ranges": "bytes",
                "Content-Length": str(size),
            },
        )

    @app.get(
        "/v1/blobs/{sha256}",
        tags=["blobs"],
        summary="A file's bytes; a Range request resumes an interrupted download",
        response_class=StreamingResponse,
        responses={
            200: {
                "description": "The whole file.",
                "content": {"application/octet-stream": {"schema": {}}},
                "headers": _BLOB_HEADERS,
            },
            206: {
                "description": "The requested range.",
                "content": {"application/octet-stream": {"schema": {}}},
                "headers": {
                    **_BLOB_HEADERS,
                    "Content-Range": {
                        "description": "bytes FIRST-LAST/SIZE",
                        "schema": {"type": "string"},
                    },
                },
            },
            **_UNAUTHORIZED,
            404: _problem("The registry has no such file."),
            416: _problem("The range lies outside the file."),
            422: _problem("The name is not a SHA-256 digest."),
            503: _problem("The registry has no file storage configured."),
        },
    )
    def get_blob(
        caller: Caller,
        sha256: Digest,
        range_: Annotated[
            str | None,
            Header(
                alias="Range",
                max_length=200,
                description="bytes=FIRST-[LAST] or bytes=-N: part of the file.",
            ),
        ] = None,
    ) -> Response:
        target = store()
        size = target.size(sha256)
        if size is None:
            raise ProblemError(404, "not-found", f"The registry has no file {sha256}.")
        wanted = byte_range(range_, size)
        start, length = wanted or (0, size)
        headers = {"ETag": f'"{sha256}"', "Accept-Ranges": "bytes", "Content-Length": str(length)}
        status = 200
        if wanted is not None:
            status = 206
            headers["Content-Range"] = f"bytes {start}-{start + length - 1}/{size}"
        return StreamingResponse(
            target.read(sha256, start, length),
            status_code=status,
            media_type="application/octet-stream",
            headers=headers,
        )

    @app.post(
        "/v1/blobs/missing",
        response_model=MissingReply,
        tags=["blobs"],
        summary="Which of these files the registry lacks (one request for a whole sync)",
        responses={
            400: _problem("The body cannot be read."),
            **_UNAUTHORIZED,
            403: _problem("The token's role (viewer) may not write."),
            422: _problem("The body is not a list of SHA-256 digests."),
            503: _problem("The registry has no file storage configured."),
        },
    )
    def missing(caller: Caller, body: MissingRequest) -> dict[str, Any]:
        asked = list(dict.fromkeys(body.digests))
        present = store().sizes(asked)
        return {"missing": [d for d in asked if d not in present], "present": present}
