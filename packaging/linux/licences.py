"""The licences of what the bundle carries, for the .deb (build_deb.py calls ``write``).

Writes ``usr/share/doc/stewardship-console/copyright`` (machine-readable, DEP-5) with
one ``Files:`` paragraph per bundled component, and ``licences/`` beside it with the
texts those paragraphs name:

    LGPL-3, GPL-3             Qt and PySide6/shiboken6 (LGPL-3.0; it extends the GPL-3)
    ICU                       the ICU libraries the PySide6 wheel carries
    Python                    Python's LICENSE (PSF-2.0 and the notices of its parts)
    PyInstaller               the bootloader (GPL-2.0+ with the bootloader exception)
    python/<distribution>/    each bundled Python distribution's licence files
    libraries/<package>       the Debian copyright file of each bundled C library's package

Every text comes from this machine: /usr/share/common-licenses, the build venv's
dist-info folders, the build Python's prefix, /usr/share/doc/<package>/copyright.
A component whose text cannot be found stops the build, naming it.
tests/packaging/test_licences.py checks the result from the .deb alone.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / "build" / "venv-dist"
PYZ_TOC = ROOT / "build" / "pyinstaller" / "stewardship" / "PYZ-00.toc"
PACKAGE = "stewardship-console"
DOC = f"/usr/share/doc/{PACKAGE}"
OPT = f"opt/{PACKAGE}"
COMMON = Path("/usr/share/common-licenses")
LICENCE_FILE = re.compile(r"(licen[cs]e|copying|notice|authors|copyright)", re.I)
#: The project itself, not a bundled component.
OWN = {"stewardship-console"}


def _fail(message: str) -> None:
    sys.exit(f"licences: {message}")


def _venv_python() -> Path:
    return VENV / "bin" / "python"


def _venv_query() -> dict[str, Any]:
    """Python's prefix and version, and import name -> distributions, from the build venv."""
    code = (
        "import importlib.metadata as m, json, sys\n"
        "print(json.dumps({'base_prefix': sys.base_prefix,"
        " 'version': f'{sys.version_info[0]}.{sys.version_info[1]}',"
        " 'packages': m.packages_distributions(),"
        " 'files': {d.metadata['Name']: [str(d.locate_file(f)) for f in (d.files or [])"
        " if '.dist-info/' in str(f)] for d in m.distributions()},"
        " 'licence': {d.metadata['Name']: d.metadata.get('License-Expression')"
        " or d.metadata.get('License') or '' for d in m.distributions()}}))\n"
    )
    out = subprocess.run(
        [str(_venv_python()), "-c", code], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def bundled_distributions(internal: Path, packages: dict[str, list[str]]) -> set[str]:
    """Python distributions with modules in the bundle: in its archive or in _internal/."""
    tops = {p.name.split(".")[0] for p in internal.iterdir()}
    if PYZ_TOC.exists():
        tops |= {e[0].split(".")[0] for e in ast.literal_eval(PYZ_TOC.read_text())[1]}
    else:
        _fail(f"{PYZ_TOC} is missing: build the bundle first (packaging/build_bundle.py)")
    found = {dist for top in tops for dist in packages.get(top, [])}
    return {d for d in found if _normal(d) not in OWN}


def _host_path(lib: str) -> str:
    cache = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True).stdout
    paths = re.findall(rf"^\s*{re.escape(lib)} \(([^)]*)\) => (\S+)$", cache, re.M)
    native = [p for arch, p in paths if "x86-64" in arch or "AArch64" in arch or not arch]
    if not native:
        _fail(f"cannot find {lib} on this machine to name its licence")
    return native[0]


def _debian_package(path: str) -> str:
    candidates = {path, os.path.realpath(path)}
    candidates |= {"/usr" + c for c in candidates if not c.startswith("/usr/")}
    candidates |= {c.removeprefix("/usr") for c in candidates}
    owner = subprocess.run(["dpkg", "-S", *sorted(candidates)], capture_output=True, text=True)
    if not owner.stdout:
        _fail(f"no Debian package owns {path}: its licence cannot be found")
    return owner.stdout.split(":", 1)[0].split(",")[0].strip()


def host_libraries(internal: Path) -> dict[str, str]:
    """Bundled C libraries taken from the host (file name -> Debian package)."""
    found = {}
    for path in sorted(internal.iterdir()):
        if path.is_symlink() or not path.is_file() or not re.search(r"\.so(\.\d+)+$", path.name):
            continue
        if path.name.startswith("libpython"):
            continue
        found[path.name] = _debian_package(_host_path(path.name))
    return found


def _paragraph(
    files: list[str], copyright_: str, licence: str, texts: list[str], more: str = ""
) -> str:
    body = " The full text is in " + (
        texts[0] if len(texts) == 1 else "the files " + ", ".join(texts)
    )
    return (
        f"Files: {' '.join(files)}\nCopyright: {copyright_}\nLicense: {licence}\n{body}.\n" + more
    )


def write(opt: Path, doc: Path, year: int) -> None:
    """Write ``doc/copyright`` and ``doc/licences/`` for the bundle staged in ``opt``."""
    info = _venv_query()
    internal = opt / "_internal"
    out = doc / "licences"
    shutil.rmtree(out, ignore_errors=True)

    def put(source: Path, name: str) -> str:
        target = out / name
        if not source.is_file() or source.stat().st_size == 0:
            _fail(f"licence text {source} is missing or empty")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        return f"{DOC}/licences/{name}"

    paragraphs = [
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
        "Upstream-Name: Stewardship Console\n"
        "Upstream-Contact: Stewardship Console developers <stewards@example.org>\n"
        "Source: https://stewardship-console.example.org\n"
        f"Comment: /{OPT} is a self-contained bundle (PyInstaller) of the console with\n"
        " its own Python, Qt and libraries. Each is listed below with its licence; the\n"
        f" texts are in {DOC}/licences/.\n",
        f"Files: *\nCopyright: {year} Stewardship Console developers\nLicense: Apache-2.0\n"
        " Licensed under the Apache License, Version 2.0. On Debian systems the full\n"
        " text is in /usr/share/common-licenses/Apache-2.0.\n",
    ]

    # The bootloader: the `stewardship` executable, which also carries the archive of
    # the Python modules (their distributions have their own paragraphs below).
    pyinstaller = [Path(f) for f in info["files"].get("pyinstaller", [])]
    copying = [f for f in pyinstaller if f.name == "COPYING.txt"]
    if not copying:
        _fail("PyInstaller's COPYING.txt is not in the build venv")
    bootloader_text = put(copying[0], "PyInstaller")
    bootloader_at = len(paragraphs)
    in_archive: list[str] = []  # distributions only in the executable's archive

    version = info["version"]
    python_licence = Path(str(info["base_prefix"])) / "lib" / f"python{version}" / "LICENSE.txt"
    paragraphs.append(
        _paragraph(
            [
                f"{OPT}/_internal/libpython{version}*",
                f"{OPT}/_internal/python{version}/*",
                f"{OPT}/_internal/base_library.zip",
            ],
            "2001-2026 Python Software Foundation",
            "PSF-2.0",
            [put(python_licence, "Python")],
        )
    )

    lgpl = [put(COMMON / "LGPL-3", "LGPL-3"), put(COMMON / "GPL-3", "GPL-3")]
    paragraphs.append(
        _paragraph(
            [
                f"{OPT}/_internal/PySide6/*",
                f"{OPT}/_internal/shiboken6/*",
                f"{OPT}/_internal/libQt6*",
                f"{OPT}/_internal/libpyside6*",
                f"{OPT}/_internal/libshiboken6*",
            ],
            "The Qt Company Ltd. and other contributors",
            "LGPL-3",
            lgpl,
        )
    )
    icu = sorted(p.name for p in (internal / "PySide6" / "Qt" / "lib").glob("libicu*"))
    if icu:
        icu_text = Path("/usr/share/doc")
        candidates = sorted(icu_text.glob("libicu[0-9]*/copyright"))
        if not candidates:
            _fail("the bundle carries ICU but no libicu*/copyright is on this machine")
        paragraphs.append(
            _paragraph(
                [f"{OPT}/_internal/PySide6/Qt/lib/libicu*", f"{OPT}/_internal/libicu*"],
                "1991-2026 Unicode, Inc.",
                "Unicode-3.0",
                [put(candidates[-1], "ICU")],
            )
        )

    packages: dict[str, list[str]] = info["packages"]
    tops_of: dict[str, set[str]] = {}
    for top, dists in packages.items():
        for dist in dists:
            tops_of.setdefault(_normal(dist), set()).add(top)
    for dist in sorted(bundled_distributions(internal, packages), key=_normal):
        if _normal(dist) in {"pyside6-essentials", "shiboken6"}:
            continue  # the LGPL-3 paragraph above
        name = _normal(dist)
        texts = [
            put(Path(f), f"python/{name}/{Path(f).name}")
            for f in info["files"].get(dist, [])
            if LICENCE_FILE.search(Path(f).name) and Path(f).is_file()
        ]
        if not texts:
            _fail(f"the Python distribution {dist} has no licence file in its dist-info")
        patterns = []
        for top in sorted(tops_of.get(name, ())):
            for present in internal.glob(f"{top}*"):
                patterns.append(
                    f"{OPT}/_internal/{present.name}" + ("/*" if present.is_dir() else "")
                )
        dist_info = re.sub(r"[-.]", "_", dist)
        patterns += [
            f"{OPT}/_internal/{p.name}/*"
            for p in internal.glob("*.dist-info")
            if _normal(p.name.split("-")[0]) == _normal(dist_info)
        ]
        licence = str(info["licence"].get(dist) or "other").splitlines()[0]
        licence = re.sub(r"\s+", " ", licence)[:60] or "other"
        in_archive.append(f" {dist} ({licence}): {', '.join(texts)}\n")
        if patterns:
            paragraphs.append(
                _paragraph(
                    sorted(set(patterns)),
                    f"the {dist} authors (see the licence text)",
                    licence,
                    texts,
                )
            )
    paragraphs.insert(
        bootloader_at,
        _paragraph(
            [f"{OPT}/stewardship"],
            "2005-2026 PyInstaller Development Team",
            "GPL-2+ with PyInstaller bootloader exception",
            [bootloader_text],
            " .\n The executable's archive also holds the Python modules of these\n"
            " distributions, each under its own licence:\n" + "".join(in_archive),
        ),
    )

    for lib, package in host_libraries(internal).items():
        source = Path("/usr/share/doc") / package / "copyright"
        paragraphs.append(
            _paragraph(
                [f"{OPT}/_internal/{lib}"],
                f"the authors of Debian's {package} (see the licence text)",
                f"{package}-copyright",
                [put(source, f"libraries/{package}")],
            )
        )

    (doc / "copyright").write_text("\n".join(paragraphs), encoding="utf-8")
