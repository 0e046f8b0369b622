"""Two laptops and a registry: copies, the manifest and verification results travel, and the
second laptop's dashboard shows the first's failed verification. Then the headless verbs."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

from stewardship.app import AppContext
from stewardship.domain.policy import NoticePolicy
from stewardship.domain.records import ChecklistItem, Model
from stewardship.domain.weights import (
    ArchiveCopy,
    WeightManifest,
    WeightManifestFile,
    WeightVerification,
)
from stewardship.services.dashboard import build_dashboard
from stewardship.services.weights import WeightsService
from stewardship.store import Store
from stewardship.ui.dashboard_view import DashboardView, row_style
from stewardship.ui.style import OVERDUE_BG

from .test_sync_cli import cli

FILES = {f"shard-{i:02d}.bin": bytes([i]) * (50_000 + i) for i in range(12)}


def _copy_folder(root: Path) -> Path:
    for name, data in FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return root


def _sums() -> str:
    return "".join(f"{hashlib.sha256(d).hexdigest()}  {n}\n" for n, d in sorted(FILES.items()))


def test_a_failed_verification_on_one_laptop_turns_the_others_dashboard_red(
    qtbot, tmp_path: Path, console_factory
) -> None:
    ana, bob = console_factory("ana"), console_factory("bob")
    model = ana.store.save(
        Model(
            slug="kestrel-1",
            display_name="Kestrel 1",
            provider="Meridian",
            state="retired",
            retired_on=date(2024, 1, 31),  # long ago: not on the dashboard for its dates
        ),
        "ana",
    )
    service = WeightsService(ana.store, "ana")
    root = _copy_folder(tmp_path / "vault")
    copy = service.add_copy(model, root.as_uri(), label="Vault", provider="nas", region="b1")
    service.import_manifest(model, _sums(), "SHA256SUMS")
    assert service.verify(copy).record.passed
    (root / "shard-03.bin").write_bytes(b"bit rot")
    failed = service.verify(copy).record
    assert failed.outcome == "failed"

    assert ana.sync().rejected == 0
    pulled = bob.sync()
    assert pulled.conflicts == 0

    # Everything arrived: the copy, the manifest and its files, both results.
    assert [c.uri for c in bob.store.list(ArchiveCopy)] == [copy.uri]
    assert bob.store.count(WeightManifestFile) == len(FILES)
    assert bob.store.list(WeightManifest)[0].file_count == len(FILES)
    results = bob.store.list(WeightVerification, order_by="finished_at")
    assert [v.outcome for v in results] == ["passed", "failed"]
    assert results[-1].failures == [
        {
            "path": "shard-03.bin",
            "problem": "digest differs",  # a SHA256SUMS lists no sizes
            "detail": results[-1].failures[0]["detail"],
        }
    ]
    item = bob.store.list(
        ChecklistItem, "template_key = ?", ("weight_retention.integrity_verified",)
    )[0]
    assert item.status == "blocked"

    # Bob's dashboard: the card counts it and the model is a red row.
    board = build_dashboard(bob.store, date(2026, 11, 28), NoticePolicy())
    assert board.weights_alerts == 1
    [row] = [r for r in board.rows if r.model.slug == "kestrel-1"]
    assert row.weights == "failed"

    ctx = AppContext.open(bob.data_dir, today=lambda: date(2026, 11, 28))
    try:
        view = DashboardView(ctx)
        qtbot.addWidget(view)
        view.refresh()
        assert view.cards["weights_alerts"].value_label.text() == "1"
        shown = [view.model.row(i) for i in range(view.model.rowCount())]
        [red] = [r for r in shown if r.model.slug == "kestrel-1"]
        style = row_style(red)
        assert style is not None and style.background == OVERDUE_BG
    finally:
        ctx.close()

    # Bob checks the same copy (the share is mounted on his laptop too) once it is repaired.
    (root / "shard-03.bin").write_bytes(FILES["shard-03.bin"])
    again = WeightsService(bob.store, "bob").verify(bob.store.list(ArchiveCopy)[0])
    assert again.record.passed
    assert build_dashboard(bob.store, date(2026, 11, 28), NoticePolicy()).weights_alerts == 0


def test_the_headless_verbs(tmp_path: Path) -> None:
    data = str(tmp_path / "laptop")
    with Store(tmp_path / "laptop" / "stewardship.db") as store:
        store.save(Model(slug="kestrel-1", display_name="Kestrel 1", provider="M"), "cron")
    root = _copy_folder(tmp_path / "vault")
    sums = tmp_path / "SHA256SUMS"
    sums.write_text(_sums(), encoding="utf-8")

    r = cli("weights", "verify", "kestrel-1", "--data-dir", data)
    assert r.returncode == 2 and "no archive copies" in r.stderr
    r = cli("weights", "add-copy", "kestrel-1", "/not/a/uri", "--data-dir", data)
    assert r.returncode == 2 and "file:///path" in r.stderr
    r = cli("weights", "add-copy", "kestrel-1", root.as_uri(), "--label", "Vault",
            "--manifest", str(sums), "--data-dir", data)  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert f"manifest of {len(FILES)} files" in r.stdout

    r = cli("weights", "verify", "--all", "--data-dir", data)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.strip() == (
        f"kestrel-1: {root.as_uri()}: passed: 12 files, 0 missing or differing,"
        f" {sum(map(len, FILES.values())) / 1024:.1f} KiB read"
    )

    (root / "shard-01.bin").unlink()
    flipped = bytearray(FILES["shard-02.bin"])
    flipped[7] ^= 0x40
    (root / "shard-02.bin").write_bytes(bytes(flipped))
    (root / "stray.txt").write_text("x")
    r = cli("weights", "verify", "kestrel-1", "--copy", root.as_uri() + "/", "--data-dir", data)
    assert r.returncode == 6, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == f"{root.as_uri()}: shard-01.bin: missing (not in the copy)"
    assert lines[1].startswith(f"{root.as_uri()}: shard-02.bin: digest differs (expected SHA-256")
    assert lines[2] == f"{root.as_uri()}: stray.txt: extra (not in the manifest, 1 bytes)"
    assert (
        lines[3].startswith("kestrel-1: ")
        and ": failed: 12 files, 2 missing or differing" in (lines[3])
    )

    r = cli("weights", "status", "--format", "json", "--data-dir", data)
    assert r.returncode == 0
    [entry] = json.loads(r.stdout)["models"]
    assert entry["model"] == "kestrel-1" and entry["manifest"]["files"] == 12
    assert entry["copies"][0]["state"] == "failed" and entry["copies"][0]["alert"] is True
    r = cli("weights", "status", "--data-dir", data)
    assert "kestrel-1: manifest of 12 files, no two independent copies" in r.stdout
    assert f" ! {root.as_uri()}  failed" in r.stdout

    r = cli("weights", "verify", "kestrel-1", "--copy", "s3://other-bucket/x", "--data-dir", data)
    assert r.returncode == 2 and "has no copy s3://other-bucket/x" in r.stderr
    r = cli("weights", "verify", "--all", "--copy", "s3://b/x", "--data-dir", data)
    assert r.returncode == 2
