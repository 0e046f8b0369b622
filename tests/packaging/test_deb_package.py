"""The .deb that ``make dist`` builds: layout, conffile, dependencies.

Skipped until ``make dist`` has made ``dist/stewardship-console_<version>_<arch>.deb``.
"""

from __future__ import annotations

import gzip
import re
import shutil
import subprocess

import pytest
from packaging_paths import APP_ID, ROOT

from stewardship import __version__

PACKAGE = "stewardship-console"
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


@pytest.fixture(scope="module")
def unpacked(tmp_path_factory):
    """The .deb's files, extracted (dpkg-deb -x), and its listing with modes."""
    root = tmp_path_factory.mktemp("deb")
    subprocess.run(["dpkg-deb", "-x", str(DEBS[-1]), str(root)], check=True)
    return root


def test_depends_bring_fonts_and_the_systems_cpp_runtime(unpacked):
    depends = next(line for line in dpkg_deb("--field").splitlines() if line.startswith("Depends:"))
    names = {d.strip().split()[0] for d in depends.removeprefix("Depends:").split(",")}
    # Without the font configuration a fresh system draws every text as boxes.
    assert "fontconfig-config" in names
    # The system's C++ runtime, never a bundled older copy that would shadow Mesa's needs.
    assert {"libstdc++6", "libgcc-s1"} <= names
    internal = unpacked / "opt/stewardship-console/_internal"
    assert not list(internal.rglob("libstdc++.so*")) and not list(internal.rglob("libgcc_s.so*"))


def test_no_library_search_path_names_the_build_machine(unpacked):
    bad = []
    for path in (unpacked / "opt").rglob("*"):
        if path.is_symlink() or not path.is_file() or path.read_bytes()[:4] != b"\x7fELF":
            continue
        out = subprocess.run(["readelf", "-d", str(path)], capture_output=True, text=True).stdout
        for entries in re.findall(
            r"\((?:RUNPATH|RPATH)\)\s+Library r(?:un)?path: \[([^\]]*)\]", out
        ):
            bad += [f"{path.name}: {e}" for e in entries.split(":") if not e.startswith("$ORIGIN")]
    assert bad == []


def test_shared_libraries_are_0644_and_the_program_0755():
    modes = {}
    for line in dpkg_deb("--contents").splitlines():
        fields = line.split()
        modes[fields[5].removeprefix(".")] = fields[0]
    libraries = {p: m for p, m in modes.items() if re.search(r"\.so(\.[0-9.]+)?$", p)}
    assert libraries, "the bundle has shared libraries"
    assert {p: m for p, m in libraries.items() if m[0] == "-" and m != "-rw-r--r--"} == {}
    assert modes["/opt/stewardship-console/stewardship"] == "-rwxr-xr-x"


def gzip_member(unpacked, path: str) -> bytes:
    data = (unpacked / path.lstrip("/")).read_bytes()
    assert data[:2] == b"\x1f\x8b"
    flags, mtime = data[3], int.from_bytes(data[4:8], "little")
    assert (flags & 0x08, mtime) == (0, 0), f"{path}: gzip -n (no name, no time stamp)"
    return gzip.decompress(data)


def test_changelog_parses_and_is_compressed_without_a_timestamp(unpacked, tmp_path):
    text = gzip_member(unpacked, f"/usr/share/doc/{PACKAGE}/changelog.gz")
    if not shutil.which("dpkg-parsechangelog"):
        pytest.skip("dpkg-parsechangelog not installed (apt install dpkg-dev)")
    (tmp_path / "changelog").write_bytes(text)
    parsed = subprocess.run(
        ["dpkg-parsechangelog", "-l", str(tmp_path / "changelog")],
        capture_output=True,
        text=True,
    )
    assert parsed.returncode == 0 and parsed.stderr == "", parsed.stderr
    assert f"Version: {__version__}" in parsed.stdout
    assert "Maintainer: Stewardship Console developers" in parsed.stdout


def test_the_packaged_man_page_is_the_one_in_the_source(unpacked):
    page = gzip_member(unpacked, "/usr/share/man/man1/stewardship.1.gz").decode()
    source = (ROOT / "packaging" / "linux" / "stewardship.1").read_text(encoding="utf-8")
    # The source page is checked against the command line in every `make test`
    # (test_installer_files.py); a different page here means dist/ is stale.
    assert page == source, "dist/ was built from another man page: run `make dist` again"


def test_removal_keeps_opt():
    postrm = subprocess.run(
        ["dpkg-deb", "--info", str(DEBS[-1]), "postrm"], capture_output=True, text=True
    )
    # dpkg deletes /opt with the package when it is left empty (no package owns it);
    # the postrm puts it back. `make dist-check` proves it on fresh systems.
    assert postrm.returncode == 0, "the package has no postrm"
    assert "/opt" in postrm.stdout and "remove|purge" in postrm.stdout
