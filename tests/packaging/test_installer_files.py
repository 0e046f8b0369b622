"""The installer recipes themselves: desktop entry, AppStream, NSIS, organisation template."""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from packaging_paths import APP_ID, PACKAGING

from stewardship import __version__
from stewardship.services.org_config import load_org_config

DESKTOP = PACKAGING / "linux" / f"{APP_ID}.desktop"
METAINFO = PACKAGING / "linux" / f"{APP_ID}.metainfo.xml"


def filled_metainfo(tmp_path: Path) -> Path:
    path = tmp_path / METAINFO.name
    text = METAINFO.read_text(encoding="utf-8")
    path.write_text(text.replace("@VERSION@", __version__).replace("@DATE@", "2026-11-28"))
    return path


@pytest.mark.skipif(
    not shutil.which("desktop-file-validate"),
    reason="desktop-file-validate not installed (apt install desktop-file-utils)",
)
def test_desktop_entry_validates():
    result = subprocess.run(["desktop-file-validate", str(DESKTOP)], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout == "", result.stdout + result.stderr


def test_desktop_entry_matches_the_app_id_and_command():
    entry = dict(line.split("=", 1) for line in DESKTOP.read_text().splitlines() if "=" in line)
    assert entry["Icon"] == APP_ID
    assert entry["Exec"].split()[0] == "stewardship"
    from stewardship.ui.application import DESKTOP_ID  # Wayland matches windows by this

    assert DESKTOP_ID == APP_ID


@pytest.mark.skipif(
    not shutil.which("appstreamcli"), reason="appstreamcli not installed (apt install appstream)"
)
def test_appstream_metainfo_validates(tmp_path):
    result = subprocess.run(
        ["appstreamcli", "validate", "--no-net", str(filled_metainfo(tmp_path))],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_metainfo_names_the_desktop_file_and_binary(tmp_path):
    tree = ET.parse(filled_metainfo(tmp_path))
    assert tree.findtext("id") == APP_ID
    assert tree.findtext("launchable") == DESKTOP.name
    assert tree.findtext("provides/binary") == "stewardship"
    assert tree.find("releases/release").get("version") == __version__


def test_organisation_template_changes_nothing_until_edited():
    org = load_org_config(PACKAGING / "organisation.conf")
    assert org.found and org.warnings == ()
    assert (org.registry_url, org.ca_bundle, org.notice_default_days) == (None, None, None)
    assert org.notice_per_provider == {}


def test_organisation_template_becomes_a_working_config_when_uncommented(tmp_path):
    text = (PACKAGING / "organisation.conf").read_text()
    lines = [
        line[2:] if line.startswith("# ") and "=" in line and "/etc/ssl" not in line else line
        for line in text.splitlines()
    ]
    path = tmp_path / "organisation.conf"
    path.write_text("\n".join(lines))
    org = load_org_config(path)
    assert org.warnings == ()
    assert org.registry_url == "https://registry.example.org"
    assert org.notice_default_days == 60 and org.notice_per_provider == {"Example Cloud": 90}


@pytest.mark.skipif(
    not shutil.which("makensis"),
    reason="makensis not installed (apt install nsis) to compile the Windows installer script",
)
def test_windows_installer_script_compiles(tmp_path):
    bundle = tmp_path / "stand-in"  # the real bundle is built on Windows
    (bundle / "_internal").mkdir(parents=True)
    (bundle / "stewardship.exe").write_bytes(b"MZ stand-in")
    (bundle / "stewardship-cli.exe").write_bytes(b"MZ stand-in")
    (bundle / "_internal" / "base_library.zip").write_bytes(b"stand-in")
    out = tmp_path / "StewardshipConsole-test.exe"
    result = subprocess.run(
        [
            "makensis",
            "-V2",
            "-WX",
            f"-DVERSION={__version__}",
            f"-DBUNDLE_DIR={bundle}",
            f"-DOUTFILE={out}",
            str(PACKAGING / "windows" / "stewardship.nsi"),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert out.read_bytes()[:2] == b"MZ"


def _options_and_verbs(parser: argparse.ArgumentParser, prefix: str = "") -> tuple[set, set]:
    """Every option string and every verb (``interview add`` style) of ``parser``, nested."""
    options: set[str] = set()
    verbs: set[str] = set()
    for action in parser._actions:
        options |= set(action.option_strings)
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                verbs.add(f"{prefix}{name}")
                sub_options, sub_verbs = _options_and_verbs(sub, f"{prefix}{name} ")
                options |= sub_options
                verbs |= sub_verbs
    return options, verbs


def test_the_man_page_documents_every_verb_and_option_of_the_command():
    from stewardship.cli import build_parser

    page = (PACKAGING / "linux" / "stewardship.1").read_text(encoding="utf-8")
    text = page.replace("\\-", "-").replace('"', "").replace("\\fR", "").replace("\\fP", "")
    text = " ".join(text.replace(".BI ", "").replace(".B ", "").split())
    options, verbs = _options_and_verbs(build_parser())
    missing = sorted(o for o in options if o not in text)
    missing += sorted(v for v in verbs if not re.search(rf"(^|\s){re.escape(v)}(\s|$)", text))
    assert missing == [], f"packaging/linux/stewardship.1 does not document: {missing}"


@pytest.mark.skipif(not shutil.which("man"), reason="man not installed (apt install man-db)")
def test_the_man_page_renders_without_warnings():
    rendered = subprocess.run(
        ["man", "--warnings", "-l", str(PACKAGING / "linux" / "stewardship.1")],
        capture_output=True,
        text=True,
        env={"MANWIDTH": "80", "LC_ALL": "C.UTF-8", "PATH": "/usr/bin:/bin"},
    )
    assert rendered.returncode == 0 and rendered.stderr == "", rendered.stderr
    assert "blobs status" in rendered.stdout
