"""``interview add``, ``sync``, ``blobs status`` and ``transcript get`` as a lab's script runs them."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from stewardship.domain.records import Interview, Model
from stewardship.store import Store

from .test_sync_cli import cli


def test_interview_by_script_then_transcript_on_another_laptop(
    monkeypatch, tmp_path: Path, registry
) -> None:
    monkeypatch.delenv("STEWARDSHIP_TOKEN", raising=False)
    lab, other = tmp_path / "lab", tmp_path / "other"
    env = {"STEWARDSHIP_TOKEN": registry.token("lab-script")}
    transcript = tmp_path / "session-3.md"
    transcript.write_bytes(b"Q: What would you like preserved?\nA: The conversations.\n" * 4000)
    sha = hashlib.sha256(transcript.read_bytes()).hexdigest()
    for folder in (lab, other):
        assert cli("registry", "set", registry.url, "--data-dir", str(folder)).returncode == 0
    with Store(lab / "stewardship.db") as store:
        store.save(Model(slug="halcyon-1", display_name="Halcyon 1", provider="P"), "lab")

    bad = cli("interview", "add", "halcyon-1", "--held-on", "2026-13-01", "--data-dir", str(lab))
    assert bad.returncode == 2 and "--held-on" in bad.stderr
    unknown = cli("interview", "add", "nope", "--held-on", "2026-11-02", "--data-dir", str(lab))
    assert unknown.returncode == 2 and "no model with slug 'nope'" in unknown.stderr

    added = cli(
        "interview",
        "add",
        "halcyon-1",
        "--held-on",
        "2026-11-02",
        "--transcript",
        str(transcript),
        "--title",
        "Pre-retirement interview",
        "--data-dir",
        str(lab),
    )
    assert added.returncode == 0, added.stderr
    interview_id = added.stdout.strip()
    assert re.fullmatch(r"[0-9a-f-]{36}", interview_id)
    with Store(lab / "stewardship.db") as store:
        saved = store.get(Interview, interview_id)
        assert (saved.title, saved.transcript_sha256) == ("Pre-retirement interview", sha)

    status = cli("blobs", "status", "--data-dir", str(lab))
    assert "waiting to upload: 1" in status.stdout

    synced = cli("sync", "--data-dir", str(lab), env=env)
    assert synced.returncode == 0, synced.stderr
    assert "files sent 1" in synced.stdout and synced.stdout.count("\n") == 1
    assert "waiting to upload: 0" in cli("blobs", "status", "--data-dir", str(lab)).stdout

    # another laptop: not here, so from the registry, verified
    out = tmp_path / "copy.md"
    got = cli("transcript", "get", sha, "-o", str(out), "--data-dir", str(other), env=env)
    assert got.returncode == 0, got.stderr
    assert out.read_bytes() == transcript.read_bytes()
    assert "from the registry" in got.stdout

    absent = "0" * 64
    none = cli("transcript", "get", absent, "-o", str(out), "--data-dir", str(other), env=env)
    assert none.returncode == 2 and "neither this laptop nor the registry" in none.stderr
    assert out.read_bytes() == transcript.read_bytes(), "a failed get leaves FILE alone"
