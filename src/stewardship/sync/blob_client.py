"""The registry's file endpoints (docs/registry-protocol.md, "Files"), streamed both ways.

Uploads are read from disk in 1 MiB blocks as the socket takes them and
downloads are written as they arrive, so memory stays flat whatever the
file's size. Both report progress and stop at a cancel.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import requests

from ..domain.tasks import CancelCheck, Cancelled, Progress
from .errors import AuthRefused, RegistryProtocolError, RegistryUnreachable

if TYPE_CHECKING:
    from .client import RegistryClient

CHUNK = 1 << 20
MAX_DIGESTS = 10_000
COMMIT_TIMEOUT = 300.0


class RegistryRefusedFile(RegistryProtocolError):
    """The registry refused an upload because the bytes are not those of the digest."""


class _Body:
    """A file as a request body: read in large blocks, with progress and cancel."""

    def __init__(
        self, handle: BinaryIO, size: int, what: str, progress: Progress, cancelled: CancelCheck
    ) -> None:
        self.handle, self.size, self.what = handle, size, what
        self.progress, self.cancelled = progress, cancelled
        self.sent = 0

    def __len__(self) -> int:
        return self.size

    def read(self, _n: int = -1) -> bytes:
        # the HTTP library asks for small blocks; a larger one is sent just the same
        if self.cancelled():
            raise Cancelled(f"{self.what} cancelled; it resumes at the next sync")
        chunk = self.handle.read(CHUNK)
        self.sent += len(chunk)
        self.progress(self.what, self.sent, self.size)
        return chunk

    def __iter__(self) -> Iterator[bytes]:
        while chunk := self.read():
            yield chunk


class BlobClient:
    def __init__(self, client: RegistryClient) -> None:
        self.client = client

    def missing(self, digests: list[str]) -> tuple[list[str], dict[str, int]]:
        """Which of ``digests`` the registry lacks, and the sizes of those it has."""
        missing: list[str] = []
        present: dict[str, int] = {}
        for start in range(0, len(digests), MAX_DIGESTS):
            part = digests[start : start + MAX_DIGESTS]
            try:
                response = self.client._request("POST", "/v1/blobs/missing", json={"digests": part})
                body = self.client._check(response, "the list of files")
            except AuthRefused as exc:
                if exc.status != 403:
                    raise
                # a viewer token may not POST: ask file by file instead
                for sha in part:
                    size = self.size(sha)
                    if size is None:
                        missing.append(sha)
                    else:
                        present[sha] = size
                continue
            if not isinstance(body, dict) or not isinstance(body.get("missing"), list):
                raise RegistryProtocolError("the registry's list of missing files had no list")
            missing += [str(d) for d in body["missing"]]
            present.update({str(k): int(v) for k, v in (body.get("present") or {}).items()})
        return missing, present

    def size(self, sha256: str) -> int | None:
        response = self.client._request("HEAD", f"/v1/blobs/{sha256}")
        if response.status_code == 404:
            return None
        if response.status_code >= 400:
            self.client._check(response, "a file's details")
        return int(response.headers.get("Content-Length", "0"))

    def upload(
        self, sha256: str, path: Path, what: str, progress: Progress, cancelled: CancelCheck
    ) -> bool:
        """Send the file; True when the registry stored it, False when it had it already.

        Raises :class:`RegistryRefusedFile` when the bytes are not those of ``sha256``.
        """
        with Path(path).open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            body = _Body(handle, size, what, progress, cancelled)
            response = self.client._request(
                "PUT",
                f"/v1/blobs/{sha256}",
                data=body,
                headers={"Content-Type": "application/octet-stream", "Content-Length": str(size)},
                # after the last byte the registry checks and stores the file (an S3
                # multipart upload completes then): give it longer than a record reply
                timeout=(self.client.config.connect_timeout, COMMIT_TIMEOUT),
            )
        if response.status_code == 422 and "digest-mismatch" in response.text:
            raise RegistryRefusedFile(_detail(response))
        reply = self.client._check(response, f"the file {sha256[:12]}…")
        return bool(isinstance(reply, dict) and reply.get("stored"))

    def download(
        self,
        sha256: str,
        part: Path,
        what: str,
        progress: Progress,
        cancelled: CancelCheck,
    ) -> str:
        """Append the registry's file to ``part`` (resuming what is there); its SHA-256.

        The caller compares the digest with ``sha256`` before keeping the file.
        Returns "" when the registry has no such file.
        """
        digest = hashlib.sha256()
        offset = 0
        if part.exists():
            with part.open("rb") as held:
                while chunk := held.read(CHUNK):
                    digest.update(chunk)
                    offset += len(chunk)
        headers = {"Range": f"bytes={offset}-"} if offset else {}
        response = self.client._request(
            "GET", f"/v1/blobs/{sha256}", headers={**headers, "Accept": "*/*"}, stream=True
        )
        try:
            if response.status_code == 404:
                return ""
            if response.status_code == 416 and offset:
                # what we hold is already as long as the file (or longer): start again
                part.unlink()
                return self.download(sha256, part, what, progress, cancelled)
            if response.status_code >= 300:
                self.client._check(response, f"the file {sha256[:12]}…")
                raise RegistryProtocolError(f"the registry answered {response.status_code}")
            if response.status_code == 200 and offset:
                digest, offset = hashlib.sha256(), 0  # the whole file came: start over
                part.unlink()
            total = offset + int(response.headers.get("Content-Length", "0"))
            done = offset
            with part.open("ab") as out:
                try:
                    for chunk in response.iter_content(CHUNK):
                        if cancelled():
                            raise Cancelled(f"{what} cancelled; it resumes where it stopped")
                        out.write(chunk)
                        digest.update(chunk)
                        done += len(chunk)
                        progress(what, done, total)
                except requests.exceptions.RequestException as exc:
                    raise RegistryUnreachable(
                        f"the download of {what} was cut off; it resumes at the next attempt"
                    ) from exc
                finally:
                    out.flush()
                    os.fsync(out.fileno())
            return digest.hexdigest()
        finally:
            response.close()


def _detail(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return "the registry refused the file: its bytes are not those of its digest"
    return str(body.get("detail") if isinstance(body, dict) else body)
