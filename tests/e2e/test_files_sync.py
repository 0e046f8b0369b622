"""Files travel with their records: two consoles and a registry, on a folder and on S3."""

from __future__ import annotations

import filecmp
import os
from pathlib import Path

import pytest

from stewardship.domain.records import Interview
from stewardship.services.attached_files import FileWhere, fetch_file, file_state, set_auto_fetch_mb
from stewardship.sync.errors import RegistryUnreachable

from .files_helpers import MiB, attach_evidence, attach_transcript, make_file, sha_of, visible_files
from .servers import FaultProxy, RegistryServer

BIG = int(os.environ.get("STEWARDSHIP_BIG_FILE_MIB", "200")) * MiB


@pytest.fixture(params=["folder", "s3"])
def any_registry(request, tmp_path: Path):
    if request.param == "folder":
        server = RegistryServer(tmp_path / "registry.db").start()
    else:
        s3 = request.getfixturevalue("s3")
        server = RegistryServer(
            tmp_path / "registry.db", blobs=f"s3://{s3.new_bucket()}/org/blobs"
        ).start()
    yield server
    server.stop()


@pytest.mark.slow
def test_a_transcript_and_an_evidence_file_reach_the_other_console_byte_for_byte(
    any_registry: RegistryServer, console_factory, tmp_path: Path
) -> None:
    ana = console_factory("ana", any_registry.url, any_registry.token("ana"))
    ben = console_factory("ben", any_registry.url, any_registry.token("ben"))
    transcript, evidence = tmp_path / "interview-1.txt", tmp_path / "weights-manifest.txt"
    t_sha = make_file(transcript, BIG, seed=1)
    e_sha = make_file(evidence, 5 * MiB, seed=2)
    interview = attach_transcript(ana.store, ana.data_dir, transcript)
    item = attach_evidence(ana.store, ana.data_dir, evidence)
    assert file_state(ana.store, ana.data_dir, t_sha).where == FileWhere.WAITING_UPLOAD

    sent = ana.sync()
    assert (sent.files_sent, sent.pushed) == (2, 3)  # two files, then model, interview, item
    assert "files sent 2" in sent.line()
    assert any_registry.blobs.size(t_sha) == BIG
    assert any_registry.blobs.size(e_sha) == 5 * MiB
    assert file_state(ana.store, ana.data_dir, t_sha).where == FileWhere.LOCAL

    set_auto_fetch_mb(ben.store, 10)  # (50 by default, but BIG may be set small)
    got = ben.sync()
    # the evidence file is under the size of Settings: fetched by the sync;
    # the transcript is larger: fetched on demand
    assert (got.files_received, got.files_to_fetch) == (1, 1), got.line()
    assert "1 large file to fetch" in got.line()
    state = file_state(ben.store, ben.data_dir, t_sha, "Ana")
    assert state.where == FileWhere.IN_REGISTRY and state.size == BIG
    fetched = fetch_file(ben.path, t_sha, token=ben.token)

    assert filecmp.cmp(fetched, transcript, shallow=False)
    assert filecmp.cmp(ben.data_dir / "evidence" / e_sha, evidence, shallow=False)
    assert ben.store.get(Interview, interview.id).transcript_sha256 == t_sha
    assert file_state(ben.store, ben.data_dir, e_sha).where == FileWhere.LOCAL
    assert item.evidence_sha256 == e_sha
    assert all(sha_of(p) == p.name for p in visible_files(ben.data_dir / "transcripts"))


def test_a_record_waits_for_its_file_and_nothing_is_lost_offline(
    registry: RegistryServer, console_factory, tmp_path: Path
) -> None:
    proxy = FaultProxy(registry.port).start()
    try:
        ana = console_factory("ana", proxy.url)
        source = tmp_path / "t.txt"
        sha = make_file(source, 3 * MiB, seed=3)
        interview = attach_transcript(ana.store, ana.data_dir, source)
        proxy.inject("500", "/v1/blobs/" + sha, times=10)  # the upload fails, again and again
        with pytest.raises(RegistryUnreachable):
            ana.sync()
        assert ("interview", interview.id) not in registry.records(), "no record before its file"
        assert registry.blobs.size(sha) is None
        proxy.faults.clear()
        summary = ana.sync()
        assert summary.files_sent == 1 and summary.pushed == 2
        assert ("interview", interview.id) in registry.records()
        assert registry.blobs.size(sha) == 3 * MiB
    finally:
        proxy.stop()


def test_a_file_damaged_on_the_registrys_disk_is_refused_by_the_downloader(
    registry: RegistryServer, console_factory, tmp_path: Path
) -> None:
    ana, ben = console_factory("ana"), console_factory("ben")
    source = tmp_path / "t.txt"
    sha = make_file(source, 2 * MiB, seed=4)
    attach_transcript(ana.store, ana.data_dir, source)
    ana.sync()
    on_disk = registry.blobs.path(sha)
    on_disk.chmod(0o644)
    with on_disk.open("r+b") as handle:  # one byte flipped by the disk
        handle.seek(MiB)
        byte = handle.read(1)
        handle.seek(MiB)
        handle.write(bytes([byte[0] ^ 0xFF]))

    summary = ben.sync()
    assert summary.files_received == 0
    assert any("damaged" in w and "refused" in w for w in summary.warnings), summary.warnings
    assert not (ben.data_dir / "transcripts" / sha).exists()
    assert list((ben.data_dir / "transcripts").glob(".download-*")) == []
    state = file_state(ben.store, ben.data_dir, sha, "Ana")
    assert state.where == FileWhere.DAMAGED
    assert "damaged" in state.text and "Ana" in state.text
    with pytest.raises(Exception, match="damaged"):
        fetch_file(ben.path, sha, token=ben.token)
    assert not (ben.data_dir / "transcripts" / sha).exists()


def test_auto_fetch_size_comes_from_settings(
    registry: RegistryServer, console_factory, tmp_path: Path
) -> None:
    ana, ben = console_factory("ana"), console_factory("ben")
    source = tmp_path / "t.txt"
    sha = make_file(source, 2 * MiB, seed=5)
    attach_transcript(ana.store, ana.data_dir, source)
    ana.sync()
    set_auto_fetch_mb(ben.store, 1)
    assert ben.sync().files_to_fetch == 1
    assert not (ben.data_dir / "transcripts" / sha).exists()
    set_auto_fetch_mb(ben.store, 3)
    assert ben.sync().files_received == 1
    assert sha_of(ben.data_dir / "transcripts" / sha) == sha
