"""Make the .deb from the PyInstaller bundle in dist/stewardship-console.

    python packaging/linux/build_deb.py [--org-config FILE]

Layout of the package:

    /opt/stewardship-console/                      the bundle
    /usr/bin/stewardship                           -> /opt/stewardship-console/stewardship
    /usr/share/applications/<ID>.desktop           validated with desktop-file-validate
    /usr/share/metainfo/<ID>.metainfo.xml          validated with appstreamcli
    /usr/share/icons/hicolor/scalable/apps/<ID>.svg
    /etc/xdg/stewardship-console/organisation.conf a conffile: kept by `apt remove`,
                                                   removed by `apt purge`

    /usr/share/man/man1/stewardship.1.gz           from packaging/linux/stewardship.1
    /usr/share/doc/stewardship-console/copyright   every bundled component and its licence
    /usr/share/doc/stewardship-console/licences/   the licence texts it names (licences.py)
    /usr/share/lintian/overrides/stewardship-console  the tags inherent to a bundle in /opt

``--org-config`` ships an organisation's own defaults instead of the commented
template. Depends are the packages of the libraries the bundle takes from the host
plus RUNTIME_DEPENDS (run-time data no binary links to, e.g. the font configuration).
On the staged copy, library search paths pointing at the build machine are removed
(patchelf) and shared libraries are made 0644, as Debian wants. The only maintainer
script is postrm, which keeps /opt (see packaging/linux/postrm); the hicolor and
desktop-database triggers do the rest.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import hashlib
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import licences  # packaging/linux/licences.py, beside this script

ROOT = Path(__file__).resolve().parents[2]
LINUX = ROOT / "packaging" / "linux"
APP_ID = "org.stewardshipconsole.StewardshipConsole"
PACKAGE = "stewardship-console"
BUNDLE = ROOT / "dist" / PACKAGE
ORG_CONF_DIR = Path("etc/xdg/stewardship-console")
MAINTAINER = "Stewardship Console developers <stewards@example.org>"

#: Run-time dependencies no binary of the bundle links to, so the computed Depends
#: miss them; each with the reason.
RUNTIME_DEPENDS = {
    # The bundled libfontconfig reads /etc/fonts/fonts.conf. Without it every text is
    # drawn as boxes ("Fontconfig error: Cannot load default config file"); the package
    # also brings a font (fonts-dejavu-core), which a minimal system lacks.
    "fontconfig-config": "fonts and their configuration for the bundled fontconfig",
}


def version() -> str:
    text = (ROOT / "src" / "stewardship" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'^__version__ = "([^"]+)"', text, re.M)
    if not match:
        sys.exit("cannot find __version__ in src/stewardship/__init__.py")
    return match.group(1)


def run(*cmd: str | Path) -> str:
    """Run a tool; on failure stop with the tool's own message."""
    done = subprocess.run([str(c) for c in cmd], capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{cmd[0]} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def is_elf(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(4) == b"\x7fELF"


def host_libraries(bundle: Path) -> set[str]:
    """Names of the shared libraries the bundle links to but does not carry."""
    files = [p for p in bundle.rglob("*") if p.is_file() and not p.is_symlink()]
    carried = {p.name for p in bundle.rglob("*")}
    needed: set[str] = set()
    for path in files:
        if is_elf(path):
            out = run("readelf", "-d", path)
            needed.update(re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out))
    return needed - carried


def packages_for(libraries: set[str]) -> list[str]:
    """The Debian packages holding ``libraries`` on this host (Depends of the .deb)."""
    cache = run("ldconfig", "-p")
    packages: set[str] = set()
    for lib in sorted(libraries):
        if lib.startswith("ld-linux"):
            continue
        paths = re.findall(rf"^\s*{re.escape(lib)} \(([^)]*)\) => (\S+)$", cache, re.M)
        native = [p for arch, p in paths if "x86-64" in arch or "AArch64" in arch or not arch]
        if not native:
            sys.exit(f"the bundle needs {lib}, which this host does not have: install it")
        candidates = {native[0], os.path.realpath(native[0])}
        candidates |= {"/usr" + c for c in candidates if not c.startswith("/usr/")}
        candidates |= {c.removeprefix("/usr") for c in candidates}
        owner = subprocess.run(
            ["dpkg", "-S", *sorted(candidates)], capture_output=True, text=True
        ).stdout
        if not owner:
            sys.exit(f"no Debian package owns {native[0]} (needed for {lib})")
        packages.add(owner.split(":", 1)[0].split(",")[0].strip())
    glibc = os.confstr("CS_GNU_LIBC_VERSION").split()[-1]  # type: ignore[union-attr]
    packages.discard("libc6")
    packages |= set(RUNTIME_DEPENDS)
    return [f"libc6 (>= {glibc})", *sorted(packages)]


def source_date() -> dt.datetime:
    """The commit's date (or SOURCE_DATE_EPOCH): the changelog's date, not the build's."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if not epoch:
        done = subprocess.run(
            ["git", "log", "-1", "--format=%ct"], cwd=ROOT, capture_output=True, text=True
        )
        epoch = done.stdout.strip() or str(int(time.time()))
    return dt.datetime.fromtimestamp(int(epoch), dt.UTC)


def write_gzip(path: Path, data: bytes) -> None:
    """Like `gzip -9n`: no name and no time stamp in the header (reproducible)."""
    with (
        path.open("wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as out,
    ):
        out.write(data)


def changelog(ver: str) -> str:
    """A Debian changelog entry that dpkg-parsechangelog accepts."""
    when = source_date().strftime("%a, %d %b %Y %H:%M:%S +0000")
    return (
        f"{PACKAGE} ({ver}) stable; urgency=medium\n\n"
        f"  * Release {ver}.\n\n"
        f" -- {MAINTAINER}  {when}\n"
    )


def strip_build_paths(bundle: Path) -> int:
    """Remove RPATH/RUNPATH entries naming the build machine (patchelf); keep $ORIGIN ones.

    The bundle's own libraries are found through $ORIGIN or the bootloader; a path
    like /root/.pyenv/versions/3.11.7/lib (libpython's RUNPATH) means nothing on a
    user's machine and could load a stranger's library. Returns the files changed.
    """
    if not shutil.which("patchelf"):
        sys.exit("patchelf is not installed (apt install patchelf)")
    changed = 0
    for path in sorted(bundle.rglob("*")):
        if path.is_symlink() or not path.is_file() or not is_elf(path):
            continue
        if path == bundle / "stewardship":
            continue  # the bootloader carries its archive after the ELF; never rewrite it
        rpath = run("patchelf", "--print-rpath", path).strip()
        if not rpath:
            continue
        kept = [p for p in rpath.split(":") if p.startswith(("$ORIGIN", "${ORIGIN}"))]
        if kept == rpath.split(":"):
            continue
        if kept:
            run("patchelf", "--set-rpath", ":".join(kept), path)
        else:
            run("patchelf", "--remove-rpath", path)
        changed += 1
    return changed


def is_shared_object(path: Path) -> bool:
    return bool(re.search(r"\.so(\.[0-9.]+)?$", path.name))


def stage(root: Path, ver: str, org_config: Path) -> None:
    opt = root / "opt" / PACKAGE
    shutil.copytree(BUNDLE, opt, symlinks=True)
    (root / "usr/bin").mkdir(parents=True)
    (root / "usr/bin/stewardship").symlink_to(f"/opt/{PACKAGE}/stewardship")

    apps = root / "usr/share/applications"
    apps.mkdir(parents=True)
    shutil.copy2(LINUX / f"{APP_ID}.desktop", apps)
    metainfo = root / "usr/share/metainfo"
    metainfo.mkdir(parents=True)
    today = dt.date.today().isoformat()
    text = (LINUX / f"{APP_ID}.metainfo.xml").read_text(encoding="utf-8")
    (metainfo / f"{APP_ID}.metainfo.xml").write_text(
        text.replace("@VERSION@", ver).replace("@DATE@", today), encoding="utf-8"
    )
    icons = root / "usr/share/icons/hicolor/scalable/apps"
    icons.mkdir(parents=True)
    shutil.copy2(ROOT / "resources/icons/stewardship-console.svg", icons / f"{APP_ID}.svg")

    (root / ORG_CONF_DIR).mkdir(parents=True)
    shutil.copyfile(org_config, root / ORG_CONF_DIR / "organisation.conf")

    changed = strip_build_paths(opt)
    print(f"     removed build-machine library search paths from {changed} files")

    man = root / "usr/share/man/man1"
    man.mkdir(parents=True)
    write_gzip(man / "stewardship.1.gz", (LINUX / "stewardship.1").read_bytes())

    doc = root / "usr/share/doc" / PACKAGE
    doc.mkdir(parents=True)
    licences.write(opt, doc, year=source_date().year)
    write_gzip(doc / "changelog.gz", changelog(ver).encode("utf-8"))
    overrides = root / "usr/share/lintian/overrides"
    overrides.mkdir(parents=True)
    shutil.copyfile(LINUX / "lintian-overrides", overrides / PACKAGE)

    for path in root.rglob("*"):
        if path.is_symlink():
            continue
        executable = path.is_dir() or (os.access(path, os.X_OK) and not is_shared_object(path))
        path.chmod(0o755 if executable else 0o644)


def validate(root: Path) -> None:
    run("desktop-file-validate", root / "usr/share/applications" / f"{APP_ID}.desktop")
    run(
        "appstreamcli",
        "validate",
        "--no-net",
        root / "usr/share/metainfo" / f"{APP_ID}.metainfo.xml",
    )


def control(root: Path, ver: str, depends: list[str]) -> None:
    debian = root / "DEBIAN"
    debian.mkdir()
    arch = run("dpkg", "--print-architecture").strip()
    size_kb = (
        sum(p.stat().st_size for p in root.rglob("*") if p.is_file() and not p.is_symlink()) // 1024
    )
    (debian / "control").write_text(
        f"Package: {PACKAGE}\nVersion: {ver}\nArchitecture: {arch}\n"
        f"Maintainer: {MAINTAINER}\n"
        f"Installed-Size: {size_kb}\nDepends: {', '.join(depends)}\n"
        "Section: misc\nPriority: optional\n"
        "Homepage: https://stewardship-console.example.org\n"
        "Description: console for model-welfare stewards\n"
        " Runs the retirement of deprecated AI models: notice, migration, weight\n"
        " retention, interviews, post-deployment reports and preference requests.\n"
        " Works offline; syncs with the organisation's registry. Self-contained:\n"
        " carries its own Python and Qt in /opt/stewardship-console.\n",
        encoding="utf-8",
    )
    (debian / "conffiles").write_text(f"/{ORG_CONF_DIR}/organisation.conf\n", encoding="utf-8")
    lines = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink() and debian not in path.parents:
            digest = hashlib.md5(path.read_bytes()).hexdigest()  # dpkg md5sums format
            lines.append(f"{digest}  {path.relative_to(root)}\n")
    (debian / "md5sums").write_text("".join(lines), encoding="utf-8")
    for name in ("control", "conffiles", "md5sums"):
        (debian / name).chmod(0o644)
    shutil.copyfile(LINUX / "postrm", debian / "postrm")
    (debian / "postrm").chmod(0o755)


def main() -> int:
    parser = argparse.ArgumentParser(description="Build the .deb from dist/stewardship-console.")
    parser.add_argument(
        "--org-config",
        type=Path,
        default=ROOT / "packaging/organisation.conf",
        help="organisation defaults to ship in /etc/xdg (default: the template)",
    )
    args = parser.parse_args()
    if not (BUNDLE / "stewardship").exists():
        sys.exit(f"{BUNDLE} is not built: run `make dist` (or packaging/build_bundle.py) first")
    started = time.monotonic()
    ver = version()
    root = ROOT / "build" / "deb" / f"{PACKAGE}_{ver}"
    shutil.rmtree(root.parent, ignore_errors=True)
    stage(root, ver, args.org_config)
    validate(root)
    depends = packages_for(host_libraries(root / "opt" / PACKAGE))
    control(root, ver, depends)
    arch = run("dpkg", "--print-architecture").strip()
    target = ROOT / "dist" / f"{PACKAGE}_{ver}_{arch}.deb"
    subprocess.run(
        ["dpkg-deb", "--root-owner-group", "-Zxz", "--build", str(root), str(target)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    elapsed = time.monotonic() - started
    print(f"deb: {target} {target.stat().st_size / 1e6:.1f} MB, built in {elapsed:.0f} s")
    print(f"     Depends: {', '.join(depends)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
