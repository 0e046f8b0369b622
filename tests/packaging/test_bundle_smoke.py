"""Smoke test of the built PyInstaller bundle: it starts, says its version, draws.

Skipped until ``make dist`` has built ``dist/stewardship-console/``; ``make dist``
runs it at the end.
"""

from __future__ import annotations

import ast
import os
import subprocess
from pathlib import Path

import pytest
from packaging_paths import BUNDLE, BUNDLE_EXE, NOT_BUILT, ROOT

from stewardship import __version__

pytestmark = pytest.mark.skipif(not BUNDLE_EXE.exists(), reason=NOT_BUILT)

PYZ_TOC = ROOT / "build" / "pyinstaller" / "stewardship" / "PYZ-00.toc"


def run_bundle(*args: str, env: dict[str, str] | None = None, tmp_path: Path | None = None):
    full_env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", **(env or {})}
    return subprocess.run(
        [str(BUNDLE_EXE), *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=120,
        cwd=tmp_path,
    )


def test_bundle_says_its_version_and_build():
    result = run_bundle("--version")
    assert result.returncode == 0, result.stderr
    line = result.stdout.strip()
    assert line.startswith(f"stewardship-console {__version__} (build ")
    assert "(build dev)" not in line, "make dist stamps the bundle with its commit and date"


def test_bundle_renders_the_dashboard_offscreen(tmp_path):
    from PySide6.QtGui import QImage

    png = tmp_path / "dashboard.png"
    result = run_bundle(
        "--demo",
        "--data-dir",
        str(tmp_path / "data"),
        "--screenshot",
        str(png),
        env={"STEWARDSHIP_TODAY": "2026-11-28"},
    )
    assert result.returncode == 0, result.stderr
    assert "qt.qpa" not in result.stderr and "Traceback" not in result.stderr, result.stderr
    image = QImage(str(png))
    assert (image.width(), image.height()) == (1280, 800)
    colours = {image.pixel(x, y) for x in range(0, 1280, 40) for y in range(0, 800, 40)}
    assert len(colours) > 5, "the picture has content, not a blank window"


def test_bundle_reads_the_organisation_file(tmp_path):
    bad = tmp_path / "organisation.conf"
    bad.write_text("[notice]\ndefault_days = soon\n")
    result = run_bundle(
        "--data-dir",
        str(tmp_path / "d"),
        "--screenshot",
        str(tmp_path / "s.png"),
        "--view",
        "settings",
        env={"STEWARDSHIP_ORG_CONFIG": str(bad)},
    )
    assert result.returncode == 0, result.stderr
    assert f"{bad} line 2: default_days must be a whole number" in result.stderr


def test_bundle_carries_resources_and_keyring_backends():
    internal = BUNDLE / "_internal"
    assert (internal / "stewardship" / "resources" / "demo" / "organisation.json").is_file()
    assert (internal / "stewardship" / "resources" / "icons" / "stewardship-console.svg").is_file()
    entry_points = list(internal.glob("keyring-*.dist-info/entry_points.txt"))
    assert entry_points and "SecretService" in entry_points[0].read_text()


@pytest.mark.skipif(not PYZ_TOC.exists(), reason="no PyInstaller build folder to inspect")
def test_bundle_leaves_out_the_server_tests_and_unused_qt():
    modules = {entry[0] for entry in ast.literal_eval(PYZ_TOC.read_text())[1]}
    for backend in ("SecretService", "Windows", "macOS"):
        assert f"keyring.backends.{backend}" in modules
    unwanted = [
        m
        for m in modules
        if m.split(".")[0] in {"stewardship_registry", "keyrings", "pytest", "_pytest", "pytestqt"}
    ]
    assert unwanted == []
    internal = BUNDLE / "_internal"
    assert not list(internal.rglob("*.qm")), "Qt translations are trimmed"
    assert not (internal / "PySide6" / "Qt" / "plugins" / "sqldrivers").exists()
    assert not [p for p in internal.rglob("*") if p.is_symlink() and not p.exists()]


def test_bundle_carries_only_the_aws_service_data_s3_needs():
    """botocore's data of ~450 services is 28 MB; the console calls S3 (and STS for roles)."""
    [botocore_data] = [p for p in BUNDLE.rglob("data") if p.parent.name == "botocore"]
    services = sorted(p.name for p in botocore_data.iterdir() if p.is_dir())
    assert services == ["s3", "sts"]
    assert (botocore_data / "endpoints.json.gz").is_file()  # gzipped by the spec
    assert (botocore_data / "partitions.json").is_file()
    boto3_data = [p for p in BUNDLE.rglob("data") if p.parent.name == "boto3"]
    for folder in boto3_data:
        assert {p.name for p in folder.iterdir() if p.is_dir()} <= {"s3"}


def test_bundle_verifies_a_copy_on_s3(tmp_path, s3):
    """The trimmed botocore still talks S3: add a copy with its manifest, verify it."""
    import hashlib

    bucket = s3.new_bucket()
    data = b"weights" * 1000
    s3.client().put_object(Bucket=bucket, Key="m/model.bin", Body=data, ChecksumAlgorithm="SHA256")
    sums = tmp_path / "SHA256SUMS"
    sums.write_text(f"{hashlib.sha256(data).hexdigest()}  model.bin\n", encoding="utf-8")
    folder = str(tmp_path / "data")
    from stewardship.domain.records import Model
    from stewardship.store import Store

    with Store(tmp_path / "data" / "stewardship.db") as store:
        store.save(Model(slug="m-1", display_name="M 1", provider="P"), "t")
    added = run_bundle(
        "weights", "add-copy", "m-1", f"s3://{bucket}/m", "--manifest", str(sums),
        "--data-dir", folder, env=s3.env(),
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    checked = run_bundle("weights", "verify", "m-1", "--data-dir", folder, env=s3.env())
    assert checked.returncode == 0, checked.stderr
    assert ": passed: 1 files, 0 missing or differing, 0 bytes read" in checked.stdout
