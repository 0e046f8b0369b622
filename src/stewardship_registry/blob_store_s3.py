"""Blobs in S3-compatible object storage: ``s3://bucket/prefix`` -> key ``prefix/<sha256>``.

boto3 finds the endpoint and credentials the standard way (``AWS_ENDPOINT_URL``,
``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``, profiles, instance roles), so
MinIO, Ceph or any S3-compatible store works as well as AWS.

An upload streams into a multipart upload of the blob's own key, part by
part as the bytes arrive; S3 shows nothing under the key until the upload is
completed, which happens only in :meth:`commit`, after the API layer has
checked the digest. A refused or interrupted upload is aborted, and its
parts are discarded (a registry killed mid-upload leaves an incomplete
multipart upload, invisible, which a bucket lifecycle rule
``AbortIncompleteMultipartUpload`` cleans). A blob smaller than one part is
sent with one ``PutObject`` at commit time.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

from .blob_store import BlobStore, BlobUpload, is_digest

#: Size of each uploaded part (S3's minimum is 5 MiB for all but the last).
PART_BYTES = 8 * 1024 * 1024
READ_CHUNK = 1 << 20


def _is_missing(exc: Exception) -> bool:
    response = getattr(exc, "response", None) or {}
    code = str(response.get("Error", {}).get("Code", ""))
    return code in {"404", "NoSuchKey", "NotFound"}


class _S3Upload:
    def __init__(self, store: S3BlobStore, sha256: str) -> None:
        self.store = store
        self.buffer = bytearray()
        self.upload_id: str | None = None
        self.key = store.key(sha256)
        self.parts: list[dict[str, Any]] = []
        self.finished = False

    def write(self, chunk: bytes) -> None:
        self.buffer.extend(chunk)
        while len(self.buffer) >= PART_BYTES:
            self._send_part(bytes(self.buffer[:PART_BYTES]))
            del self.buffer[:PART_BYTES]

    def _send_part(self, data: bytes) -> None:
        s3 = self.store.client
        if self.upload_id is None:
            started = s3.create_multipart_upload(Bucket=self.store.bucket, Key=self.key)
            self.upload_id = started["UploadId"]
        number = len(self.parts) + 1
        sent = s3.upload_part(
            Bucket=self.store.bucket,
            Key=self.key,
            UploadId=self.upload_id,
            PartNumber=number,
            Body=data,
        )
        self.parts.append({"PartNumber": number, "ETag": sent["ETag"]})

    def commit(self) -> None:
        s3, bucket = self.store.client, self.store.bucket
        if self.upload_id is None:
            s3.put_object(Bucket=bucket, Key=self.key, Body=bytes(self.buffer))
        else:
            if self.buffer:
                self._send_part(bytes(self.buffer))
            s3.complete_multipart_upload(
                Bucket=bucket,
                Key=self.key,
                UploadId=self.upload_id,
                MultipartUpload={"Parts": self.parts},
            )
            self.upload_id = None
        self.buffer = bytearray()
        self.finished = True

    def abort(self) -> None:
        if self.upload_id is not None and not self.finished:
            with contextlib.suppress(Exception):
                self.store.client.abort_multipart_upload(
                    Bucket=self.store.bucket, Key=self.key, UploadId=self.upload_id
                )
        self.upload_id = None
        self.buffer = bytearray()
        self.finished = True


class S3BlobStore(BlobStore):
    def __init__(self, bucket: str, prefix: str = "", client: Any = None) -> None:
        import boto3

        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.client = client or boto3.client(
            "s3", region_name=os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
        )
        self.description = f"s3://{bucket}/{self.prefix}"

    @classmethod
    def from_url(cls, url: str) -> S3BlobStore:
        parsed = urlparse(url)
        if not parsed.netloc:
            raise ValueError(f"'{url}' names no bucket: use s3://bucket/prefix")
        return cls(parsed.netloc, parsed.path)

    def key(self, sha256: str) -> str:
        if not is_digest(sha256):
            raise ValueError(f"'{sha256}' is not a SHA-256 digest")
        return f"{self.prefix}/{sha256}" if self.prefix else sha256

    def size(self, sha256: str) -> int | None:
        try:
            head = self.client.head_object(Bucket=self.bucket, Key=self.key(sha256))
        except Exception as exc:
            if _is_missing(exc):
                return None
            raise
        return int(head["ContentLength"])

    def begin(self, sha256: str) -> BlobUpload:
        return _S3Upload(self, sha256)

    def read(self, sha256: str, start: int, length: int) -> Iterator[bytes]:
        if length <= 0:
            return
        reply = self.client.get_object(
            Bucket=self.bucket,
            Key=self.key(sha256),
            Range=f"bytes={start}-{start + length - 1}",
        )
        body = reply["Body"]
        try:
            yield from body.iter_chunks(READ_CHUNK)
        finally:
            body.close()
