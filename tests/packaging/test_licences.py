"""Every component the .deb bundles has its licence text in the package.

Reads only the built .deb (and, for the Python modules inside the executable's
archive, PyInstaller's table of them): lists the bundled components, finds the
paragraph of usr/share/doc/stewardship-console/copyright that covers each (DEP-5:
the last matching ``Files:`` pattern wins), and fails when a component is covered
only by the project's own ``Files: *`` paragraph or its paragraph names a licence
text the package does not hold. Skipped until ``make dist`` has built the .deb.
"""

from __future__ import annotations

import ast
import fnmatch
import re
import shutil
import subprocess
from importlib.metadata import packages_distributions

import pytest
from packaging_paths import ROOT

from stewardship import __version__

PACKAGE = "stewardship-console"
DOC = f"usr/share/doc/{PACKAGE}"
DEBS = sorted((ROOT / "dist").glob(f"{PACKAGE}_{__version__}_*.deb"))
PYZ_TOC = ROOT / "build" / "pyinstaller" / "stewardship" / "PYZ-00.toc"
pytestmark = [
    pytest.mark.skipif(not shutil.which("dpkg-deb"), reason="dpkg-deb not installed (not Debian)"),
    pytest.mark.skipif(
        not DEBS, reason=f"no dist/{PACKAGE}_{__version__}_*.deb: run `make dist` first"
    ),
]


@pytest.fixture(scope="module")
def unpacked(tmp_path_factory):
    root = tmp_path_factory.mktemp("deb")
    subprocess.run(["dpkg-deb", "-x", str(DEBS[-1]), str(root)], check=True)
    return root


def paragraphs(unpacked) -> list[dict[str, str]]:
    text = (unpacked / DOC / "copyright").read_text(encoding="utf-8")
    found = []
    for block in text.split("\n\n"):
        fields: dict[str, str] = {}
        key = ""
        for line in block.splitlines():
            if line.startswith((" ", "\t")):
                fields[key] += "\n" + line.strip()
            elif ":" in line:
                key, value = line.split(":", 1)
                fields[key] = value.strip()
        if "Files" in fields:
            found.append(fields)
    return found


def covering(paras: list[dict[str, str]], path: str) -> dict[str, str]:
    match = {}
    for para in paras:
        if any(fnmatch.fnmatchcase(path, pattern) for pattern in para["Files"].split()):
            match = para
    return match


def texts_named(para: dict[str, str]) -> list[str]:
    return re.findall(rf"/{DOC}/licences/[^\s,]+[^\s,.]", para.get("License", ""))


def bundled_components(unpacked) -> list[str]:
    """Every file of the bundle that is not the console's own code or data."""
    opt = unpacked / "opt" / PACKAGE
    own = ("_internal/stewardship/", "_internal/stewardship_console-")
    return sorted(
        str(p.relative_to(unpacked))
        for p in opt.rglob("*")
        if p.is_file() and not p.is_symlink() and not str(p.relative_to(opt)).startswith(own)
    )


def test_every_bundled_component_has_its_licence_text(unpacked):
    paras = paragraphs(unpacked)
    components = bundled_components(unpacked)
    assert len(components) > 100, "the bundle's files are listed"
    uncovered, missing = [], []
    for path in components:
        para = covering(paras, path)
        if not para or para["Files"].strip() == "*":
            uncovered.append(path)
            continue
        named = texts_named(para)
        if not named:
            missing.append(f"{path}: its paragraph names no licence text")
        for text in named:
            file = unpacked / text.lstrip("/")
            if not file.is_file() or file.stat().st_size == 0:
                missing.append(f"{path}: {text} is not in the package")
    assert uncovered == [], "bundled files the copyright file does not attribute"
    assert missing == []


def test_qt_pyside_and_python_carry_the_licences_they_require(unpacked):
    paras = paragraphs(unpacked)
    internal = f"opt/{PACKAGE}/_internal"
    qt = covering(paras, f"{internal}/PySide6/Qt/lib/libQt6Core.so.6")
    names = {t.rsplit("/", 1)[-1] for t in texts_named(qt)}
    assert {"LGPL-3", "GPL-3"} <= names  # the LGPL-3 is the GPL-3 plus permissions
    lgpl = (unpacked / DOC / "licences" / "LGPL-3").read_text()
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in lgpl and "Version 3" in lgpl
    pyside = covering(paras, f"{internal}/PySide6/QtCore.abi3.so")
    assert pyside["License"].startswith("LGPL-3")
    python = covering(paras, next(p for p in bundled_components(unpacked) if "libpython" in p))
    python_text = (unpacked / texts_named(python)[0].lstrip("/")).read_text()
    assert "PYTHON SOFTWARE FOUNDATION LICENSE" in python_text
    own = next(p for p in paras if p["Files"].strip() == "*")
    assert "Stewardship Console developers" in own["Copyright"]
    assert own["License"].startswith("Apache-2.0")


@pytest.mark.skipif(not PYZ_TOC.exists(), reason="no PyInstaller build folder to inspect")
def test_every_python_distribution_in_the_programs_archive_has_its_licence(unpacked):
    modules = {entry[0].split(".")[0] for entry in ast.literal_eval(PYZ_TOC.read_text())[1]}
    mapping = packages_distributions()
    dists = {d for m in modules for d in mapping.get(m, []) if d != "stewardship-console"}
    assert "requests" in dists and "keyring" in dists
    licences = unpacked / DOC / "licences" / "python"
    pyside_like = {"pyside6-essentials", "shiboken6"}  # under the LGPL-3 paragraph
    missing = [
        d
        for d in sorted(dists)
        if (name := re.sub(r"[-_.]+", "-", d).lower()) not in pyside_like
        and not any((licences / name).glob("*"))
    ]
    assert missing == []
