"""The .deb that ``make dist`` builds: layout, conffile, dependencies.

Skipped until ``make dist`` has made ``dist/stewardship-console_<version>_<arch>.deb``.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest
from packaging_paths import APP_ID, ROOT

from stewardship import __version__

DEBS = sorted((ROOT / "dist").glob(f"stewardship-console_{__version__}_*.deb"))
pytestmark = [
    pytest.mark.skipif(not shutil.which("dpkg-deb"), reason="dpkg-deb not installed (not Debian)"),
    pytest.mark.skipif(
        not DEBS, reason=f"no dist/stewardship-console_{__version__}_*.deb: run `make dist` first"
    ),
]


def dpkg_deb(*args: str) -> str:
    return subprocess.run(
        ["dpkg-deb", *args, str(DEBS[-1])], capture_output=True, text=True, check=True
    ).stdout


def test_layout_bundle_command_desktop_metainfo_icon_conffile():
    listing = dpkg_deb("--contents")
    paths = {line.split()[5].removeprefix(".") for line in listing.splitlines()}
    for path in (
        "/opt/stewardship-console/stewardship",
        "/usr/share/applications/" + APP_ID + ".desktop",
        "/usr/share/metainfo/" + APP_ID + ".metainfo.xml",
        "/usr/share/icons/hicolor/scalable/apps/" + APP_ID + ".svg",
        "/etc/xdg/stewardship-console/organisation.conf",
        "/usr/share/doc/stewardship-console/copyright",
    ):
        assert path in paths, path
    assert "./usr/bin/stewardship -> /opt/stewardship-console/stewardship" in listing
    assert not any("stewardship_registry" in p or "/keyrings/" in p for p in paths)


def test_organisation_file_is_a_conffile_and_depends_are_declared():
    conffiles = subprocess.run(
        ["dpkg-deb", "--info", str(DEBS[-1]), "conffiles"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert conffiles.split() == ["/etc/xdg/stewardship-console/organisation.conf"]
    fields = dpkg_deb("--field")
    assert f"Version: {__version__}" in fields
    depends = next(line for line in fields.splitlines() if line.startswith("Depends:"))
    assert "libc6 (>= " in depends and "libxcb1" in depends
