"""Archive copies on S3, against a real S3-compatible server on 127.0.0.1 (moto's server mode).

Objects uploaded with a SHA-256 checksum are verified from the checksum the
store keeps, without downloading their bodies; objects without one (or with a
composite multipart checksum) are streamed through SHA-256.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from stewardship.domain.records import Model
from stewardship.domain.weights import FileProblem
from stewardship.services.archives import CopyUnreachable, s3_client, stored_checksum
from stewardship.services.weights import WeightsService
from stewardship.store import Store

FILES = {
    "model-00001-of-00002.safetensors": b"\x01" * 700_000,
    "model-00002-of-00002.safetensors": b"\x02" * 300_000,
    "config.json": b'{"layers": 2}\n',
}


class CountingClients:
    """Real boto3 clients (standard chain, AWS_ENDPOINT_URL) that count GetObject calls."""

    def __init__(self) -> None:
        self.gets = 0

    def __call__(self):
        client = s3_client()

        def count(**_kwargs) -> None:
            self.gets += 1

        client.meta.events.register("before-call.s3.GetObject", count)
        return client


def _sums(files: dict[str, bytes]) -> str:
    return "".join(f"{hashlib.sha256(d).hexdigest()}  {n}\n" for n, d in sorted(files.items()))


@pytest.fixture
def store(tmp_path: Path):
    s = Store(tmp_path / "stewardship.db")
    yield s
    s.close()


@pytest.fixture
def model(store: Store) -> Model:
    return store.save(Model(slug="kestrel-1", display_name="Kestrel 1", provider="M"), "ana")


def _upload(s3, bucket: str, files: dict[str, bytes], *, checksum: bool) -> None:
    client = s3.client()
    for name, data in files.items():
        extra = {"ChecksumAlgorithm": "SHA256"} if checksum else {}
        client.put_object(Bucket=bucket, Key=f"kestrel-1/{name}", Body=data, **extra)


def test_objects_with_stored_sha256_verify_without_downloading(s3, store, model) -> None:
    bucket = s3.new_bucket()
    _upload(s3, bucket, FILES, checksum=True)
    clients = CountingClients()
    service = WeightsService(store, "ana", client_factory=clients)
    copy = service.add_copy(model, f"s3://{bucket}/kestrel-1", label="Cold")
    assert copy.provider == s3.url.split("://")[1] and copy.region == "us-east-1"
    service.import_manifest(model, _sums(FILES), "SHA256SUMS")

    run = service.verify(copy)

    assert run.record.outcome == "passed", run.lines()
    assert run.record.bytes_read == 0 and clients.gets == 0
    assert {r.method for r in run.results} == {"stored checksum"}


def test_objects_without_a_checksum_are_streamed(s3, store, model) -> None:
    bucket = s3.new_bucket()
    _upload(s3, bucket, FILES, checksum=False)
    clients = CountingClients()
    service = WeightsService(store, "ana", client_factory=clients)
    copy = service.add_copy(model, f"s3://{bucket}/kestrel-1", provider="s3", region="x")
    service.import_manifest(model, _sums(FILES), "SHA256SUMS")

    run = service.verify(copy)

    assert run.record.outcome == "passed", run.lines()
    assert run.record.bytes_read == sum(len(d) for d in FILES.values())
    assert clients.gets == len(FILES)
    assert {r.method for r in run.results} == {"hashed"}


@pytest.mark.parametrize("checksum", [True, False], ids=["stored-sha256", "streamed"])
def test_a_changed_object_is_caught(s3, store, model, checksum: bool) -> None:
    bucket = s3.new_bucket()
    _upload(s3, bucket, FILES, checksum=checksum)
    service = WeightsService(store, "ana")
    copy = service.add_copy(model, f"s3://{bucket}/kestrel-1", provider="s3", region="x")
    service.import_manifest(model, _sums(FILES), "SHA256SUMS")
    changed = bytearray(FILES["model-00001-of-00002.safetensors"])
    changed[4096] ^= 0xFF  # same size, one byte differs
    _upload(s3, bucket, {"model-00001-of-00002.safetensors": bytes(changed)}, checksum=checksum)
    s3.client().delete_object(Bucket=bucket, Key="kestrel-1/config.json")
    s3.client().put_object(Bucket=bucket, Key="kestrel-1/stray.bin", Body=b"?")

    run = service.verify(copy)

    assert {r.path: r.problem for r in run.problems} == {
        "model-00001-of-00002.safetensors": FileProblem.DIGEST,
        "config.json": FileProblem.MISSING,
        "stray.bin": FileProblem.EXTRA,
    }
    assert f"s3://{bucket}/kestrel-1: config.json: missing (not in the copy)" in run.lines()
    assert run.record.outcome == "failed" and run.record.failures_total == 2


def test_a_multipart_sha256_is_composite_so_the_object_is_streamed(s3, store, model) -> None:
    bucket = s3.new_bucket()
    client = s3.client()
    data = b"a" * (5 * 1024 * 1024) + b"b" * 1000
    key = "kestrel-1/big.bin"
    upload = client.create_multipart_upload(Bucket=bucket, Key=key, ChecksumAlgorithm="SHA256")
    parts = []
    for number, chunk in enumerate([data[: 5 * 1024 * 1024], data[5 * 1024 * 1024 :]], 1):
        sent = client.upload_part(
            Bucket=bucket,
            Key=key,
            UploadId=upload["UploadId"],
            PartNumber=number,
            Body=chunk,
            ChecksumAlgorithm="SHA256",
        )
        parts.append(
            {"PartNumber": number, "ETag": sent["ETag"], "ChecksumSHA256": sent["ChecksumSHA256"]}
        )
    client.complete_multipart_upload(
        Bucket=bucket, Key=key, UploadId=upload["UploadId"], MultipartUpload={"Parts": parts}
    )
    head = client.head_object(Bucket=bucket, Key=key, ChecksumMode="ENABLED")
    assert stored_checksum(head).sha256 is None  # composite: not the whole file's digest

    service = WeightsService(store, "ana")
    copy = service.add_copy(model, f"s3://{bucket}/kestrel-1", provider="s3", region="x")
    service.import_manifest(model, _sums({"big.bin": data}), "SHA256SUMS")
    run = service.verify(copy)
    assert run.record.outcome == "passed", run.lines()
    assert run.record.bytes_read == len(data)


def test_stored_checksum_reads_full_object_and_composite_replies() -> None:
    digest = hashlib.sha256(b"hello").digest()
    import base64

    full = base64.b64encode(digest).decode()
    assert stored_checksum({"ContentLength": 5, "ChecksumSHA256": full}).sha256 == digest.hex()
    assert (
        stored_checksum(
            {
                "ContentLength": 5,
                "ChecksumSHA256": full,
                "ChecksumType": "FULL_OBJECT",
                "ETag": '"x-2"',
            }
        ).sha256
        == digest.hex()
    )
    assert (
        stored_checksum({"ChecksumSHA256": full + "-3", "ChecksumType": "COMPOSITE"}).sha256 is None
    )
    assert stored_checksum({"ContentLength": 5, "ChecksumCRC32": "abc"}).sha256 is None


def test_an_unknown_bucket_is_unreachable_and_records_nothing(s3, store, model) -> None:
    service = WeightsService(store, "ana")
    copy = service.add_copy(model, "s3://no-such-bucket-here/x", provider="s3", region="x")
    service.import_manifest(model, _sums(FILES), "SHA256SUMS")
    with pytest.raises(CopyUnreachable, match="bucket does not exist"):
        service.verify(copy)
