"""Reading an archive copy of a model's weights: a folder (``file:///``) or S3 (``s3://``).

A copy is read through a :class:`CopyReader`: ``listing()`` gives every file
under the copy's root with its size, ``check()`` compares one file with its
manifest entry and ``digest()`` hashes one (to build a manifest). Readers are
safe to use from several threads at once (the verifier runs files in parallel).

Files are read in 4 MiB blocks into one reused buffer: ``hashlib`` releases the
GIL while it hashes a block that large, and so does the read, so two threads
keep two cores busy. S3 objects are checked from the checksum the store keeps
(``HeadObject`` with ``ChecksumMode=ENABLED``: no body is downloaded) when it
holds a full-object SHA-256, and streamed through SHA-256 otherwise. A
multipart upload's SHA-256 is *composite* (the digest of the parts' digests,
``ChecksumType: COMPOSITE`` and a ``-N`` suffix; its ETag ends in ``-N``): it
cannot be compared with a whole-file digest, so such objects are streamed too.

boto3 is imported only when an ``s3://`` copy is read (start-up is measured).
It finds the endpoint and credentials the standard way: ``AWS_ENDPOINT_URL``,
``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``, ``AWS_PROFILE`` and the shared
config files, instance and container roles.
"""

from __future__ import annotations

import base64
import hashlib
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote, urlparse

from ..domain.tasks import Cancelled
from ..domain.weights import FileProblem, FileResult, size_text

#: Bytes per read: large enough that hashlib and the read release the GIL for long.
BLOCK_SIZE = 4 << 20

#: ``add_bytes(n)``: called as bytes are read (progress across threads).
AddBytes = Callable[[int], None]
#: ``stop()``: true once the run should stop (cancelled).
StopCheck = Callable[[], bool]


class CopyUnreachable(Exception):
    """The copy cannot be read at all (folder absent, bucket unknown, no credentials)."""


class CopyReader(Protocol):
    uri: str
    #: files hashed at once by :func:`~stewardship.services.weights_verify.run_checks`
    workers: int

    def listing(self) -> dict[str, int]: ...

    def check(
        self, path: str, sha256: str, size: int, stop: StopCheck, add_bytes: AddBytes
    ) -> FileResult: ...

    def digest(self, path: str, stop: StopCheck, add_bytes: AddBytes) -> tuple[str, int, int]: ...


def _hash_stream(
    read_into: Callable[[memoryview], int], stop: StopCheck, add_bytes: AddBytes, what: str
) -> tuple[str, int]:
    """SHA-256 and length of what ``read_into`` gives, block by block."""
    digest = hashlib.sha256()
    buffer = bytearray(BLOCK_SIZE)
    view = memoryview(buffer)
    total = 0
    while True:
        if stop():
            raise Cancelled(f"stopped while reading {what}")
        n = read_into(view)
        if not n:
            break
        digest.update(view[:n])
        total += n
        add_bytes(n)
    return digest.hexdigest(), total


def _compare(
    path: str, sha256: str, size: int, found: str, length: int, read: int, method: str = ""
) -> FileResult:
    method = method or ("hashed" if read else "stored checksum")
    if size >= 0 and length != size:
        return FileResult(
            path,
            FileProblem.SIZE,
            f"expected {size} bytes, found {length} ({size_text(length)})",
            read,
            method,
        )
    if found != sha256:
        return FileResult(
            path, FileProblem.DIGEST, f"expected SHA-256 {sha256}, found {found}", read, method
        )
    return FileResult(path, None, "", read, method)


# -- folders ------------------------------------------------------------------
class LocalCopy:
    """A copy in a local or mounted folder."""

    def __init__(self, uri: str, root: Path) -> None:
        self.uri = uri
        self.root = root
        self.workers = max(1, min(os.cpu_count() or 2, 8))

    def listing(self) -> dict[str, int]:
        if not self.root.is_dir():
            raise CopyUnreachable(
                f"the folder {self.root} does not exist here (not mounted, or moved)"
            )
        found: dict[str, int] = {}
        root = str(self.root)
        for folder, dirs, files in os.walk(root):
            dirs.sort()
            rel = os.path.relpath(folder, root)
            for name in files:
                full = os.path.join(folder, name)
                try:
                    st = os.stat(full)
                except OSError:
                    continue
                key = name if rel == "." else f"{rel}/{name}".replace(os.sep, "/")
                found[key] = st.st_size
        return found

    def _file(self, path: str) -> Path:
        return self.root.joinpath(*path.split("/"))

    def _read(self, path: str, stop: StopCheck, add_bytes: AddBytes) -> tuple[str, int]:
        with self._file(path).open("rb", buffering=0) as handle:
            return _hash_stream(handle.readinto, stop, add_bytes, path)

    def check(
        self, path: str, sha256: str, size: int, stop: StopCheck, add_bytes: AddBytes
    ) -> FileResult:
        target = self._file(path)
        try:
            length = target.stat().st_size
        except FileNotFoundError:
            return FileResult(path, FileProblem.MISSING, "not in the copy")
        except OSError as exc:
            return FileResult(path, FileProblem.UNREADABLE, exc.strerror or str(exc))
        if size >= 0 and length != size:  # no need to read it
            return _compare(path, sha256, size, "", length, 0, "size")
        try:
            found, read = self._read(path, stop, add_bytes)
        except OSError as exc:
            return FileResult(path, FileProblem.UNREADABLE, exc.strerror or str(exc))
        return _compare(path, sha256, size, found, read, read)

    def digest(self, path: str, stop: StopCheck, add_bytes: AddBytes) -> tuple[str, int, int]:
        found, read = self._read(path, stop, add_bytes)
        return found, read, read


# -- S3 ---------------------------------------------------------------------
_local = threading.local()


def s3_client() -> Any:
    """A boto3 S3 client from the standard chain (``AWS_ENDPOINT_URL``, credentials, region)."""
    import boto3  # lazily: only a copy on S3 needs it
    from botocore.config import Config

    config = Config(
        connect_timeout=10, read_timeout=60, retries={"max_attempts": 4, "mode": "standard"}
    )
    return boto3.session.Session().client("s3", config=config)


def _error_code(exc: Exception) -> str:
    response = getattr(exc, "response", None) or {}
    return str(response.get("Error", {}).get("Code", ""))


def _s3_unreachable(exc: Exception, uri: str) -> CopyUnreachable:
    code = _error_code(exc)
    name = type(exc).__name__
    if name in ("NoCredentialsError", "PartialCredentialsError"):
        reason = (
            "no AWS credentials found (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY,"
            " AWS_PROFILE, or run on a machine with a role)"
        )
    elif code == "NoSuchBucket":
        reason = "the bucket does not exist at this endpoint"
    elif code in ("AccessDenied", "403", "InvalidAccessKeyId", "SignatureDoesNotMatch"):
        reason = f"access refused ({code})"
    elif name in ("EndpointConnectionError", "ConnectTimeoutError", "ConnectionClosedError"):
        reason = f"cannot connect: {exc}"
    else:
        reason = f"{code or name}: {exc}"
    return CopyUnreachable(f"cannot read {uri}: {reason}")


@dataclass(frozen=True)
class StoredChecksum:
    """What the store says about an object without its body."""

    length: int
    sha256: str | None  # hex, only for a full-object SHA-256
    note: str  # why there is none, when there is none


def stored_checksum(head: dict[str, Any]) -> StoredChecksum:
    """Read a ``HeadObject`` reply (asked with ``ChecksumMode=ENABLED``)."""
    length = int(head.get("ContentLength", -1))
    value = head.get("ChecksumSHA256")
    if not value:
        return StoredChecksum(length, None, "no stored SHA-256")
    kind = str(head.get("ChecksumType", "") or "").upper()
    multipart = "-" in str(head.get("ETag", "")).strip('"') or "-" in value
    if kind == "COMPOSITE" or (multipart and kind != "FULL_OBJECT"):
        return StoredChecksum(length, None, "composite multipart SHA-256")
    try:
        return StoredChecksum(length, base64.b64decode(value).hex(), "")
    except ValueError:
        return StoredChecksum(length, None, "unreadable stored checksum")


class S3Copy:
    """A copy under ``s3://bucket/prefix``: keys ``prefix/<path>``."""

    def __init__(self, uri: str, bucket: str, prefix: str, client_factory: Callable[[], Any]):
        self.uri = uri
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.workers = 8  # network-bound
        self._factory = client_factory
        self._clients: dict[int, Any] = {}
        self._lock = threading.Lock()

    @property
    def client(self) -> Any:
        """One client per thread (boto3 clients are thread-safe, but made once each is cheap)."""
        key = threading.get_ident()
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                client = self._clients[key] = self._factory()
        return client

    def _key(self, path: str) -> str:
        return f"{self.prefix}/{path}" if self.prefix else path

    def listing(self) -> dict[str, int]:
        start = f"{self.prefix}/" if self.prefix else ""
        found: dict[str, int] = {}
        try:
            pages = self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=start
            )
            for page in pages:
                for item in page.get("Contents", []) or []:
                    key = str(item["Key"])
                    if key.endswith("/"):
                        continue  # a folder marker
                    found[key[len(start) :]] = int(item.get("Size", 0))
        except Exception as exc:
            raise _s3_unreachable(exc, self.uri) from exc
        return found

    def _head(self, path: str) -> dict[str, Any]:
        return dict(
            self.client.head_object(Bucket=self.bucket, Key=self._key(path), ChecksumMode="ENABLED")
        )

    def _stream(self, path: str, stop: StopCheck, add_bytes: AddBytes) -> tuple[str, int]:
        body = self.client.get_object(Bucket=self.bucket, Key=self._key(path))["Body"]
        try:

            def read_into(view: memoryview) -> int:
                data = body.read(len(view))
                view[: len(data)] = data
                return len(data)

            return _hash_stream(read_into, stop, add_bytes, path)
        finally:
            body.close()

    def check(
        self, path: str, sha256: str, size: int, stop: StopCheck, add_bytes: AddBytes
    ) -> FileResult:
        try:
            stored = stored_checksum(self._head(path))
        except Exception as exc:
            if _error_code(exc) in {"404", "NoSuchKey", "NotFound"}:
                return FileResult(path, FileProblem.MISSING, "not in the copy")
            return FileResult(path, FileProblem.UNREADABLE, str(exc))
        if size >= 0 and stored.length != size:
            return _compare(path, sha256, size, "", stored.length, 0, "size")
        if stored.sha256 is not None:
            return _compare(path, sha256, size, stored.sha256, stored.length, 0)
        try:
            found, read = self._stream(path, stop, add_bytes)
        except Cancelled:
            raise
        except Exception as exc:
            return FileResult(path, FileProblem.UNREADABLE, str(exc))
        return _compare(path, sha256, size, found, read, read)

    def digest(self, path: str, stop: StopCheck, add_bytes: AddBytes) -> tuple[str, int, int]:
        found, read = self._stream(path, stop, add_bytes)
        return found, read, read


def open_copy(uri: str, client_factory: Callable[[], Any] | None = None) -> CopyReader:
    """The reader for ``uri`` (``file:///...`` or ``s3://bucket/prefix``)."""
    parsed = urlparse(uri)
    if parsed.scheme == "file":
        return LocalCopy(uri, Path(unquote(parsed.path)))
    if parsed.scheme == "s3":
        return S3Copy(uri, parsed.netloc, unquote(parsed.path), client_factory or s3_client)
    raise CopyUnreachable(f"cannot read {uri}: use file:///path or s3://bucket/prefix")


# -- where a copy lives ------------------------------------------------------------
def _mount_source(path: Path) -> str:
    """The device or share a path is mounted from (Linux ``/proc/self/mounts``), else ""."""
    try:
        lines = Path("/proc/self/mounts").read_text(encoding="utf-8").splitlines()
    except OSError:
        return ""
    target = os.path.realpath(path)
    best, source = "", ""
    for line in lines:
        fields = line.split()
        if len(fields) < 2:
            continue
        point = fields[1].replace("\\040", " ")
        inside = target == point or target.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best):
            best, source = point, fields[0]
    return source


def describe_location(uri: str, client_factory: Callable[[], Any] | None = None) -> tuple[str, str]:
    """(provider, region) of a copy where they can be found out, "" where not.

    A folder: provider ``filesystem``, region the device or share it is mounted
    from (two folders on one disk are not independent). S3: the endpoint's host
    (``aws`` without ``AWS_ENDPOINT_URL``) and the bucket's region.
    """
    parsed = urlparse(uri)
    if parsed.scheme == "file":
        return "filesystem", _mount_source(Path(unquote(parsed.path)))
    if parsed.scheme != "s3":
        return "", ""
    endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    provider = urlparse(endpoint).netloc if endpoint else "aws"
    region = ""
    try:
        client = (client_factory or s3_client)()
        found = client.get_bucket_location(Bucket=parsed.netloc).get("LocationConstraint")
        region = str(found or "us-east-1")
    except Exception:  # unknown is allowed: the steward can fill it in
        region = ""
    return provider, region
