"""The blob endpoints on a real registry, over both backends: a folder, and S3 (moto's server)."""

from __future__ import annotations

import hashlib
import http.client
import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

from stewardship_registry.blob_store import BlobStore
from stewardship_registry.blob_store_folder import FolderBlobStore
from stewardship_registry.blob_store_s3 import PART_BYTES, S3BlobStore

from .conftest import Registry, assert_problem, running_registry

LIMIT = 20 * 1024 * 1024


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture(params=["folder", "s3"])
def backend(request, tmp_path: Path) -> Iterator[tuple[BlobStore, object]]:
    """(the blob store, what to inspect: the folder or (s3 client, bucket))."""
    if request.param == "folder":
        store = FolderBlobStore(tmp_path / "blobs")
        yield store, tmp_path / "blobs"
    else:
        s3 = request.getfixturevalue("s3")
        bucket = s3.new_bucket()
        yield S3BlobStore(bucket, "org/blobs"), (s3.client(), bucket)


@pytest.fixture
def reg(tmp_path: Path, backend) -> Iterator[Registry]:
    with running_registry(tmp_path / "registry.db", blobs=backend[0], blob_limit=LIMIT) as r:
        yield r


def kept(backend) -> list[str]:
    """Every object or file the backend holds, partial uploads included."""
    _store, where = backend
    if isinstance(where, Path):
        return sorted(str(p.relative_to(where)) for p in where.rglob("*") if p.is_file())
    client, bucket = where
    keys = [o["Key"] for o in client.list_objects_v2(Bucket=bucket).get("Contents", [])]
    uploads = client.list_multipart_uploads(Bucket=bucket).get("Uploads", [])
    return sorted(keys + [f"multipart:{u['Key']}" for u in uploads])


def put(reg: Registry, digest: str, body, role: str = "steward", **headers: str):
    return reg.session.put(
        f"{reg.url}/v1/blobs/{digest}",
        data=body,
        headers={**reg.auth(role), **headers},
        timeout=30,
    )


def test_put_then_get_and_head_byte_for_byte(reg: Registry, backend) -> None:
    data = os.urandom(PART_BYTES * 2 + 12345)  # several S3 parts and a short last one
    digest = sha(data)
    stored = put(reg, digest, data)
    assert stored.status_code == 201, stored.text
    assert stored.json() == {"sha256": digest, "size": len(data), "stored": True}

    got = reg.get(f"/v1/blobs/{digest}", role="viewer")
    assert got.status_code == 200
    assert got.content == data
    assert got.headers["etag"] == f'"{digest}"'
    assert got.headers["accept-ranges"] == "bytes"

    head = reg.session.head(f"{reg.url}/v1/blobs/{digest}", headers=reg.auth("viewer"))
    assert head.status_code == 200
    assert int(head.headers["content-length"]) == len(data)
    assert head.headers["etag"] == f'"{digest}"'
    assert kept(backend) == (
        [f"{digest[:2]}/{digest}"] if isinstance(backend[1], Path) else [f"org/blobs/{digest}"]
    )


def test_a_range_resumes_a_download(reg: Registry) -> None:
    data = os.urandom(300_000)
    digest = sha(data)
    assert put(reg, digest, data).status_code == 201
    tail = reg.get(f"/v1/blobs/{digest}", headers={"Range": "bytes=100000-"})
    assert tail.status_code == 206
    assert tail.headers["content-range"] == f"bytes 100000-299999/{len(data)}"
    assert tail.content == data[100000:]
    middle = reg.get(f"/v1/blobs/{digest}", headers={"Range": "bytes=10-19"})
    assert (middle.status_code, middle.content) == (206, data[10:20])
    last = reg.get(f"/v1/blobs/{digest}", headers={"Range": "bytes=-5"})
    assert last.content == data[-5:]
    past = reg.get(f"/v1/blobs/{digest}", headers={"Range": f"bytes={len(data)}-"})
    assert_problem(past, 416, "range-not-satisfiable")
    assert past.headers["content-range"] == f"bytes */{len(data)}"


def test_a_body_whose_digest_differs_is_refused_and_nothing_kept(reg: Registry, backend) -> None:
    data = os.urandom(PART_BYTES + 1000)  # an S3 multipart upload is started, then aborted
    claimed = sha(b"something else")
    body = assert_problem(put(reg, claimed, data), 422, "digest-mismatch")
    assert sha(data) in body["detail"]
    assert kept(backend) == []
    assert reg.get(f"/v1/blobs/{claimed}").status_code == 404


def test_an_oversized_body_is_refused_and_nothing_kept(reg: Registry, backend) -> None:
    data = b"x" * (LIMIT + 1)
    assert_problem(put(reg, sha(data), data), 413, "payload-too-large")
    assert kept(backend) == []

    # no Content-Length (chunked): cut off as soon as it passes the limit
    def chunks() -> Iterator[bytes]:
        for _ in range(LIMIT // PART_BYTES + 2):
            yield b"y" * PART_BYTES

    refused = put(reg, "a" * 64, chunks())
    assert_problem(refused, 413, "payload-too-large")
    assert kept(backend) == []


def test_an_upload_cut_off_midway_leaves_no_blob(reg: Registry, backend) -> None:
    data = os.urandom(PART_BYTES * 2)
    digest = sha(data)
    url = urlparse(reg.url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    conn.putrequest("PUT", f"/v1/blobs/{digest}")
    conn.putheader("Authorization", reg.auth("steward")["Authorization"])
    conn.putheader("Content-Length", str(len(data)))
    conn.endheaders()
    conn.send(data[: PART_BYTES + 10])
    conn.close()  # the console died mid-upload
    for _ in range(50):  # the registry notices the disconnect and aborts
        if reg.get(f"/v1/blobs/{digest}").status_code == 404 and kept(backend) == []:
            break
        import time

        time.sleep(0.05)
    assert reg.get(f"/v1/blobs/{digest}").status_code == 404
    assert kept(backend) == []


def test_an_existing_blob_is_not_stored_again(reg: Registry, backend) -> None:
    data = b"transcript bytes"
    digest = sha(data)
    assert put(reg, digest, data).status_code == 201
    before = kept(backend)
    again = put(reg, digest, data)
    assert again.status_code == 200
    assert again.json()["stored"] is False
    assert kept(backend) == before


def test_missing_says_which_digests_the_registry_lacks(reg: Registry) -> None:
    have = b"have"
    assert put(reg, sha(have), have).status_code == 201
    lacking = sha(b"lacking")
    reply = reg.post("/v1/blobs/missing", json={"digests": [sha(have), lacking, lacking]})
    assert reply.status_code == 200
    assert reply.json() == {"missing": [lacking], "present": {sha(have): 4}}
    bad = reg.post("/v1/blobs/missing", json={"digests": ["not-a-digest"]})
    assert_problem(bad, 422, "validation")


def test_roles_and_names(reg: Registry) -> None:
    data = b"v"
    assert_problem(put(reg, sha(data), data, role="viewer"), 403, "forbidden")
    assert_problem(put(reg, sha(data), data, role=None), 401, "unauthorized")
    assert_problem(put(reg, "ABC", data), 422, "validation")
    assert_problem(reg.get(f"/v1/blobs/{sha(b'none')}"), 404, "not-found")
    deleting = reg.session.delete(f"{reg.url}/v1/blobs/{sha(data)}", headers=reg.auth("admin"))
    assert_problem(deleting, 405, "method-not-allowed")  # blobs are never deleted


def test_the_openapi_document_describes_the_blob_endpoints(reg: Registry) -> None:
    paths = reg.get("/openapi.json", role=None).json()["paths"]
    assert set(paths["/v1/blobs/{sha256}"]) == {"put", "head", "get"}
    assert "post" in paths["/v1/blobs/missing"]
    put_op = paths["/v1/blobs/{sha256}"]["put"]
    assert {"201", "200", "413", "422"} <= set(put_op["responses"])
    assert "application/octet-stream" in put_op["requestBody"]["content"]
    assert "206" in paths["/v1/blobs/{sha256}"]["get"]["responses"]


def test_a_registry_without_file_storage_says_so(tmp_path: Path) -> None:
    from stewardship_registry.app import create_app

    class NoPath:  # a storage that is not a SQLite file (PostgreSQL) and no --blobs
        def __getattr__(self, name: str):
            raise AttributeError(name)

    app = create_app(NoPath())  # type: ignore[arg-type]
    assert app.state.blobs is None


def test_serve_keeps_blobs_beside_the_database_by_default(tmp_path: Path) -> None:
    from stewardship_registry.blob_store import default_blob_dir, open_blob_store

    store = open_blob_store(default_blob_dir(tmp_path / "registry.db"))
    assert isinstance(store, FolderBlobStore)
    assert store.root == tmp_path / "registry-blobs"
    with pytest.raises(ValueError, match="s3://"):
        open_blob_store("ftp://host/x")
