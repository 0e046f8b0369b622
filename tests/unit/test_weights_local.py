"""Archive copies in folders: the manifest, and a verification that reports each problem exactly."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from pathlib import Path

import pytest

from stewardship.domain.errors import ValidationError
from stewardship.domain.records import ChecklistItem, Model
from stewardship.domain.tasks import Cancelled
from stewardship.domain.weights import (
    ArchiveCopy,
    CopyState,
    FileProblem,
    WeightManifestFile,
    WeightVerification,
    copy_status,
    format_sha256sums,
    independent,
    parse_sha256sums,
)
from stewardship.services.archives import CopyUnreachable
from stewardship.services.weights import WeightsService
from stewardship.store import Store

FILES = {
    "model-00001-of-00002.safetensors": b"\x01" * 300_000,
    "model-00002-of-00002.safetensors": b"\x02" * 200_000,
    "config.json": b'{"layers": 2}\n',
    "tokenizer/tokenizer.json": b'{"vocab": {}}\n',
}


def _write_copy(root: Path, files: dict[str, bytes] = FILES) -> Path:
    for name, data in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return root


def _sums(files: dict[str, bytes] = FILES) -> str:
    return "".join(f"{hashlib.sha256(d).hexdigest()}  {n}\n" for n, d in sorted(files.items()))


@pytest.fixture
def store(tmp_path: Path):
    s = Store(tmp_path / "data" / "stewardship.db")
    yield s
    s.close()


@pytest.fixture
def model(store: Store) -> Model:
    return store.save(Model(slug="kestrel-1", display_name="Kestrel 1", provider="Meridian"), "ana")


@pytest.fixture
def service(store: Store) -> WeightsService:
    return WeightsService(store, "ana")


def _item(store: Store, model: Model, key: str) -> ChecklistItem:
    return store.list(
        ChecklistItem, "model_id = ? AND template_key = ?", (model.id, f"weight_retention.{key}")
    )[0]


def test_sha256sums_in_every_form_sha256sum_writes(tmp_path: Path) -> None:
    digest = hashlib.sha256(b"x").hexdigest()
    text = (
        f"{digest}  ./a.bin\n{digest} *b dir/c.bin\n"
        f"SHA256 (d.bin) = {digest.upper()}\n\\{digest}  e\\\\f\n\n"
    )
    entries = parse_sha256sums(text)
    assert [e.path for e in entries] == ["a.bin", "b dir/c.bin", "d.bin", "e\\f"]
    assert {e.sha256 for e in entries} == {digest}
    assert parse_sha256sums(format_sha256sums(entries)) == sorted(entries, key=lambda e: e.path)


def test_a_bad_sha256sums_names_each_line_at_fault() -> None:
    digest = hashlib.sha256(b"x").hexdigest()
    with pytest.raises(ValidationError) as caught:
        parse_sha256sums(
            f"{digest}  a.bin\nnot a line\n{digest}  a.bin\n{digest}  ../etc/passwd\n",
            "SUMS",
        )
    text = str(caught.value)
    assert "SUMS, line 2" in text and "sha256sum" in text
    assert "SUMS, line 3" in text and "listed twice (first on line 1)" in text
    assert "SUMS, line 4" in text and "'..'" in text


def test_a_clean_copy_passes_and_the_run_is_the_checklists_evidence(
    tmp_path: Path, store: Store, model: Model, service: WeightsService
) -> None:
    root = _write_copy(tmp_path / "copy")
    copy = service.add_copy(model, root.as_uri(), label="Vault A")
    assert copy.provider == "filesystem" and copy.added_by == "ana" and copy.added_at
    manifest = service.import_manifest(model, _sums(), "SHA256SUMS")
    assert manifest.file_count == 4
    digests = _item(store, model, "digests_recorded")
    assert digests.status == "done" and digests.evidence_sha256 == manifest.sha256

    run = service.verify(copy)

    assert run.record.outcome == "passed" and run.problems == []
    assert run.record.files_checked == 4
    assert run.record.bytes_read == sum(len(d) for d in FILES.values())
    assert run.record.verified_by == "ana"
    stored = store.list(WeightVerification)
    assert [v.id for v in stored] == [run.record.id]
    item = _item(store, model, "integrity_verified")
    assert item.status == "done"
    assert "Vault A: passed on" in item.evidence and "4 files checked" in item.evidence


def test_a_flipped_byte_a_truncated_file_a_missing_file_and_an_extra_file(
    tmp_path: Path, store: Store, model: Model, service: WeightsService
) -> None:
    files = dict(FILES)
    root = _write_copy(tmp_path / "copy", files)
    copy = service.add_copy(model, root.as_uri(), label="Vault A")
    # Built from the copy while it was whole (so sizes are known), then damaged.
    manifest = service.build_manifest(model, copy)
    assert "trusted" in manifest.source and manifest.trusted_copy_id == copy.id
    flipped = bytearray(files["model-00001-of-00002.safetensors"])
    flipped[123_456] ^= 0x01
    (root / "model-00001-of-00002.safetensors").write_bytes(bytes(flipped))
    (root / "model-00002-of-00002.safetensors").write_bytes(b"\x02" * 150_000)
    (root / "config.json").unlink()
    (root / "notes.txt").write_text("left here by someone\n")

    run = service.verify(copy)

    got = {r.path: r.problem for r in run.problems}
    assert got == {
        "model-00001-of-00002.safetensors": FileProblem.DIGEST,
        "model-00002-of-00002.safetensors": FileProblem.SIZE,
        "config.json": FileProblem.MISSING,
        "notes.txt": FileProblem.EXTRA,
    }
    lines = run.lines()
    assert f"{copy.uri}: config.json: missing (not in the copy)" in lines
    assert any(
        "model-00002-of-00002.safetensors: size differs (expected 200000 bytes, found 150000"
        in line
        for line in lines
    )
    record = run.record
    assert record.outcome == "failed" and record.failures_total == 3
    assert record.extra_total == 1 and record.extra_files == ["notes.txt"]
    assert {f["path"] for f in record.failures or []} == set(got) - {"notes.txt"}
    assert _item(store, model, "integrity_verified").status == "blocked"


def test_an_extra_file_alone_is_reported_but_passes(
    tmp_path: Path, model: Model, service: WeightsService
) -> None:
    root = _write_copy(tmp_path / "copy")
    (root / "README").write_text("extra\n")
    copy = service.add_copy(model, root.as_uri())
    service.import_manifest(model, _sums(), "SHA256SUMS")
    run = service.verify(copy)
    assert run.record.outcome == "passed"
    assert [(r.path, r.problem) for r in run.problems] == [("README", FileProblem.EXTRA)]


def test_a_copy_is_checked_against_the_manifest_not_itself(
    tmp_path: Path, model: Model, service: WeightsService
) -> None:
    first = service.add_copy(model, _write_copy(tmp_path / "a").as_uri(), label="A")
    changed = dict(FILES, **{"config.json": b'{"layers": 3}\n'})
    second = service.add_copy(model, _write_copy(tmp_path / "b", changed).as_uri(), label="B")
    service.build_manifest(model, first)
    assert service.verify(first).record.outcome == "passed"
    run = service.verify(second)
    assert [(r.path, r.problem) for r in run.problems] == [("config.json", FileProblem.DIGEST)]


def test_the_manifest_is_recorded_once(
    tmp_path: Path, store: Store, model: Model, service: WeightsService
) -> None:
    service.import_manifest(model, _sums(), "SHA256SUMS")
    assert service.import_manifest(model, _sums(), "again").source.endswith("SHA256SUMS")
    with pytest.raises(ValidationError, match="a manifest is recorded once"):
        service.import_manifest(model, _sums(dict(FILES, extra=b"x")), "other")
    copy = service.add_copy(model, _write_copy(tmp_path / "a").as_uri())
    with pytest.raises(ValidationError, match="recorded once"):
        service.build_manifest(model, copy)
    assert store.count(WeightManifestFile) == 4


def test_an_incomplete_manifest_is_not_verified_against(
    tmp_path: Path, store: Store, model: Model, service: WeightsService
) -> None:
    copy = service.add_copy(model, _write_copy(tmp_path / "a").as_uri())
    manifest = service.import_manifest(model, _sums(), "SHA256SUMS")
    gone = store.list(WeightManifestFile)[0]
    store.conn.execute("DELETE FROM weight_manifest_files WHERE id = ?", (gone.id,))
    with pytest.raises(ValidationError, match="lists 4 files but 3 have reached this laptop"):
        service.verify(copy)
    assert manifest.file_count == 4 and store.count(WeightVerification) == 0


def test_an_absent_folder_is_unreachable_and_records_nothing(
    tmp_path: Path, store: Store, model: Model, service: WeightsService
) -> None:
    copy = service.add_copy(model, (tmp_path / "not-mounted").as_uri())
    service.import_manifest(model, _sums(), "SHA256SUMS")
    with pytest.raises(CopyUnreachable, match="does not exist here"):
        service.verify(copy)
    assert store.count(WeightVerification) == 0


def test_cancel_stops_the_run_and_records_nothing(
    tmp_path: Path, store: Store, model: Model, service: WeightsService
) -> None:
    copy = service.add_copy(model, _write_copy(tmp_path / "a").as_uri())
    service.import_manifest(model, _sums(), "SHA256SUMS")
    seen: list[tuple[str, int, int]] = []
    with pytest.raises(Cancelled, match="nothing was recorded"):
        service.verify(copy, progress=lambda *a: seen.append(a), cancelled=lambda: True)
    assert seen and seen[0][2] == sum(len(d) for d in FILES.values())
    assert store.count(WeightVerification) == 0


def test_two_copies_count_only_when_independent(
    tmp_path: Path, store: Store, model: Model, service: WeightsService
) -> None:
    a = service.add_copy(model, (tmp_path / "a").as_uri(), provider="filesystem", region="nas1")
    service.add_copy(model, (tmp_path / "b").as_uri(), provider="filesystem", region="nas1")
    item = _item(store, model, "two_storage_copies")
    assert item.status == "in_progress" and "no two of them independent" in item.evidence
    service.add_copy(model, "s3://archive-eu/kestrel-1", provider="aws", region="eu-west-1")
    item = _item(store, model, "two_storage_copies")
    assert item.status == "done" and "Independent copies" in item.evidence
    assert not independent(a, a.replace(region=""))


def test_a_copy_uri_is_checked(model: Model, service: WeightsService) -> None:
    for uri, reason in [
        ("/srv/weights", "file:///path"),
        ("file://host/share", "three slashes"),
        ("s3://No_Such/x", "not an S3 bucket name"),
    ]:
        with pytest.raises(ValidationError, match=reason):
            service.add_copy(model, uri, provider="", region="")
    service.add_copy(model, "s3://bucket-a/prefix/", provider="", region="")
    with pytest.raises(ValidationError, match="already a copy"):
        service.add_copy(model, "s3://bucket-a/prefix", provider="", region="")


def test_verification_falls_due_after_the_organisations_interval() -> None:
    today = date(2026, 11, 28)
    recent = "2026-06-01T10:00:00Z"
    assert copy_status("2026-01-01T00:00:00Z", "passed", recent, today, 365).state == (
        CopyState.VERIFIED
    )
    late = copy_status("2026-01-01T00:00:00Z", "passed", recent, today, 90)
    assert late.state == CopyState.OVERDUE and late.alert
    assert late.due == date(2026, 6, 1) + timedelta(days=90)
    assert copy_status("", "failed", recent, today, 365).state == CopyState.FAILED
    assert copy_status("2026-11-28T09:00:00Z", "", "", today, 365).state == CopyState.NEVER
    assert copy_status("2026-11-20T09:00:00Z", "", "", today, 365).state == CopyState.OVERDUE


def test_a_signed_off_integrity_item_loses_its_sign_off_when_a_copy_fails(
    tmp_path: Path, store: Store, model: Model, service: WeightsService
) -> None:
    root = _write_copy(tmp_path / "a")
    copy = service.add_copy(model, root.as_uri())
    service.import_manifest(model, _sums(), "SHA256SUMS")
    service.verify(copy)
    item = _item(store, model, "integrity_verified")
    store.save(item.replace(signed_off_by="ana", signed_off_at="2026-11-28T10:00:00Z"), "ana")
    (root / "config.json").write_bytes(b"changed")
    service.verify(copy)
    item = _item(store, model, "integrity_verified")
    assert item.status == "blocked" and not item.signed_off
    assert "failed on" in item.evidence


def test_archive_copy_records_validate() -> None:
    assert ArchiveCopy(model_id="m", uri="file:///srv/w").problems() == []
    assert [p.field for p in ArchiveCopy(model_id="", uri="ftp://x").problems()] == [
        "model_id",
        "uri",
    ]


def test_the_dashboard_shows_an_overdue_verification_by_the_organisations_interval(
    tmp_path: Path, store: Store, model: Model, service: WeightsService
) -> None:
    from stewardship.domain.policy import NoticePolicy
    from stewardship.services.dashboard import build_dashboard

    copy = service.add_copy(model, (tmp_path / "a").as_uri(), provider="fs", region="r")
    manifest = service.import_manifest(model, _sums(), "SHA256SUMS")
    store.save(
        WeightVerification(
            model_id=model.id,
            copy_id=copy.id,
            manifest_id=manifest.id,
            finished_at="2026-06-01T10:00:00.000Z",
            outcome="passed",
            files_checked=4,
        ),
        "ana",
    )
    today = date(2026, 11, 28)
    board = build_dashboard(store, today, NoticePolicy(), verify_every_days=365)
    assert board.weights_alerts == 0 and board.rows == []  # no dates, nothing to show
    board = build_dashboard(store, today, NoticePolicy(), verify_every_days=90)
    assert board.weights_alerts == 1
    [row] = board.rows
    assert row.model.slug == "kestrel-1" and row.weights == "overdue" and row.alert
    assert service.overview(model.id, today)[0].status.state == CopyState.VERIFIED
    assert (
        WeightsService(store, "ana", verify_every_days=90).overview(model.id, today)[0].status.state
        == CopyState.OVERDUE
    )
