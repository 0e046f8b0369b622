"""Clean-room test of the .deb on fresh minimal Debian systems (`make dist-check`, as root).

    python packaging/linux/dist_check.py [--release bookworm --release trixie]

For each release:

1. a minimal Debian (debootstrap --variant=minbase) from the mirror this machine's
   apt uses, cached as a tarball under ~/.cache/stewardship-console/dist-check/
   (``--refresh`` makes it again);
2. unpacked into build/dist-check/<release>/root, the .deb installed there with
   ``apt-get install --no-install-recommends`` (so Depends alone must suffice),
   counting the packages pulled in and their installed size;
3. as an unprivileged user with QT_QPA_PLATFORM=offscreen: ``stewardship --version``
   and ``--screenshot`` of every view (named by the bundle's own ``--help``); any
   line on stderr fails, and each screenshot is compared with the same view rendered
   by the build machine's bundle (dist/stewardship-console): more than
   MAX_DIFFERENT of the pixels different fails. A control run without a font
   configuration (text as boxes) must differ by more than that, proving the
   comparison can fail;
4. ``apt-get purge``: no file of the package may remain, and /opt must be as before.

Before the chroots, lintian checks the .deb: any tag not overridden in
packaging/linux/lintian-overrides (the ones inherent to a bundle in /opt) fails.

Screenshots stay in build/dist-check/<release>/shots/ (reference in shots/host/).
Exits 1 naming every failure; prints the measures and writes them to
build/dist-check/summary.json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from array import array
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "stewardship-console"
BUNDLE_EXE = ROOT / "dist" / PACKAGE / "stewardship"
WORK = ROOT / "build" / "dist-check"
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / PACKAGE / "dist-check"
USER = "steward"
CHROOT = shutil.which("chroot") or "/usr/sbin/chroot"
#: Largest fraction of pixels that may differ from the build machine's rendering.
#: Same fonts give 0 (measured); text drawn as boxes differs by several percent.
MAX_DIFFERENT = 0.005
#: A channel differing by at most this much counts as the same (anti-aliasing).
TOLERANCE = 24
#: The same data folder path on both sides (it is shown in the status bar).
DATA = "/tmp/stewardship-dist-check/data"
#: A font configuration with no fonts: the control run draws text as boxes.
NO_FONTS = '<?xml version="1.0"?>\n<fontconfig></fontconfig>\n'
#: The same fixed inputs on both sides, so the pictures can be compared.
RENDER_ENV = {
    "QT_QPA_PLATFORM": "offscreen",
    "STEWARDSHIP_TODAY": "2026-11-28",
    "STEWARDSHIP_STEWARD": "Dist Check",
    "TZ": "UTC",
    "LANG": "C.UTF-8",
}


class Failed(Exception):
    pass


def log(message: str) -> None:
    print(f"dist-check: {message}", flush=True)


def run(cmd: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(cmd, capture_output=True, text=True, **kwargs)  # type: ignore[call-overload]
    if done.returncode != 0:
        raise Failed(f"{' '.join(cmd)} exited {done.returncode}:\n{done.stdout}{done.stderr}")
    return done


def mirror() -> str:
    """The Debian mirror this machine's apt uses (so it is one that works here)."""
    if os.environ.get("DEBIAN_MIRROR"):
        return os.environ["DEBIAN_MIRROR"]
    sources = sorted(Path("/etc/apt").glob("sources.list.d/*.sources"))
    sources += [Path("/etc/apt/sources.list"), *Path("/etc/apt").glob("sources.list.d/*.list")]
    for path in sources:
        if not path.is_file():
            continue
        for url in re.findall(r"(https?://\S+/debian)/?(?:\s|$)", path.read_text()):
            return str(url)
    return "http://deb.debian.org/debian"


def base_tarball(release: str, refresh: bool) -> tuple[Path, float]:
    """The cached minbase system of ``release``; seconds spent making it (0 if cached)."""
    tarball = CACHE / f"{release}-minbase-amd64.tar.gz"
    if tarball.exists() and not refresh:
        return tarball, 0.0
    started = time.monotonic()
    CACHE.mkdir(parents=True, exist_ok=True)
    stage = CACHE / f"stage-{release}"
    shutil.rmtree(stage, ignore_errors=True)
    url = mirror()
    log(f"{release}: debootstrap --variant=minbase from {url} (cached afterwards)")
    run(["debootstrap", "--variant=minbase", release, str(stage), url])
    run(["tar", "--numeric-owner", "-C", str(stage), "-czf", f"{tarball}.part", "."])
    os.replace(f"{tarball}.part", tarball)
    shutil.rmtree(stage)
    return tarball, time.monotonic() - started


class Chroot:
    """A fresh copy of the cached system with /proc, /sys and /dev mounted."""

    def __init__(self, release: str, tarball: Path) -> None:
        self.release = release
        self.dir = WORK / release
        self.root = self.dir / "root"
        self.tarball = tarball
        self.mounts: list[Path] = []

    def __enter__(self) -> Chroot:
        self._unmount_leftovers()
        shutil.rmtree(self.dir, ignore_errors=True)
        self.root.mkdir(parents=True)
        run(["tar", "--numeric-owner", "-C", str(self.root), "-xzf", str(self.tarball)])
        for kind, target, args in (
            ("proc", "proc", ["-t", "proc", "proc"]),
            ("sys", "sys", ["-t", "sysfs", "sysfs"]),
            ("dev", "dev", ["--rbind", "/dev"]),
        ):
            path = self.root / target
            run(["mount", *args, str(path)])
            if kind == "dev":
                run(["mount", "--make-rslave", str(path)])
            self.mounts.append(path)
        shutil.copyfile("/etc/resolv.conf", self.root / "etc/resolv.conf")
        return self

    def _unmount_leftovers(self) -> None:
        mounted = Path("/proc/mounts").read_text().split("\n")
        for line in reversed(mounted):
            fields = line.split()
            if len(fields) > 1 and fields[1].startswith(str(self.root) + "/"):
                subprocess.run(["umount", "-lR", fields[1]], capture_output=True)

    def __exit__(self, *exc: object) -> None:
        for path in reversed(self.mounts):
            subprocess.run(["umount", "-lR", str(path)], capture_output=True)
        self.mounts.clear()

    def sh(
        self, script: str, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Run ``script`` as root in the chroot; fail on a non-zero exit."""
        base = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "DEBIAN_FRONTEND": "noninteractive"}
        return run([CHROOT, str(self.root), "/bin/sh", "-ec", script], env={**base, **(env or {})})

    def as_user(self, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
        """Run ``args`` as the unprivileged user with exactly ``env`` (and the login basics)."""
        uid = int(self.sh(f"id -u {USER}").stdout)
        full = {
            "HOME": f"/home/{USER}",
            "USER": USER,
            "LOGNAME": USER,
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "XDG_RUNTIME_DIR": f"/run/user/{uid}",  # as a login session has it
            **env,
        }
        return subprocess.run(
            [CHROOT, f"--userspec={USER}:{USER}", str(self.root), *args],
            capture_output=True,
            text=True,
            env=full,
            cwd="/",
            timeout=180,
        )


def listing(chroot: Chroot, path: str) -> list[str]:
    out = chroot.sh(f"find {path} -xdev -printf '%p %M %u %g\\n' | sort")
    return out.stdout.splitlines()


def package_sizes(chroot: Chroot) -> dict[str, int]:
    out = chroot.sh("dpkg-query -W -f='${Package} ${Installed-Size}\\n'").stdout
    return {name: int(size or 0) for name, size in (line.split(" ") for line in out.splitlines())}


def views_of(help_text: str) -> list[str]:
    match = re.search(r"--view \{([^}]+)\}", help_text)
    if not match:
        raise Failed(f"cannot find the views in --help:\n{help_text}")
    return match.group(1).split(",")


def pixels(path: Path) -> tuple[int, int, array]:
    from PySide6.QtGui import QImage

    image = QImage(str(path))
    if image.isNull():
        raise Failed(f"{path} is not a picture")
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    data = array("I", bytes(image.constBits()))  # type: ignore[arg-type]
    return image.width(), image.height(), data


def different_fraction(a: Path, b: Path) -> float:
    wa, ha, pa = pixels(a)
    wb, hb, pb = pixels(b)
    if (wa, ha) != (wb, hb):
        return 1.0
    differ = 0
    for x, y in zip(pa, pb, strict=True):
        if x != y and any(
            abs(((x >> s) & 0xFF) - ((y >> s) & 0xFF)) > TOLERANCE for s in (0, 8, 16)
        ):
            differ += 1
    return differ / len(pa)


def host_reference(views: list[str]) -> Path:
    """Each view rendered by the build machine's bundle, with the same inputs."""
    out = WORK / "host"
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(Path(DATA).parent, ignore_errors=True)
    out.mkdir(parents=True)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(out), **RENDER_ENV}
    env["XDG_RUNTIME_DIR"] = str(out / "runtime")
    (out / "runtime").mkdir(mode=0o700)
    for view in views:
        done = subprocess.run(
            [str(BUNDLE_EXE), "--demo", "--data-dir", DATA, "--view", view,
             "--screenshot", str(out / f"{view}.png")],
            capture_output=True, text=True, env=env, timeout=180,
        )  # fmt: skip
        if done.returncode != 0 or done.stderr:
            raise Failed(f"the build machine's bundle failed on --view {view}:\n{done.stderr}")
    # The chroot renders this same store: the demo's generated ids decide the order
    # of rows that tie (e.g. two requests of one day), so a new store could differ.
    shutil.copytree(DATA, out / "data")
    shutil.rmtree(Path(DATA).parent, ignore_errors=True)
    return out


def check_release(
    release: str, deb: Path, views: list[str], host: Path, refresh: bool
) -> dict[str, Any]:
    measures: dict[str, Any] = {"release": release}
    started = time.monotonic()
    tarball, made = base_tarball(release, refresh)
    measures["debootstrap_s"] = round(made, 1)
    failures: list[str] = []
    with Chroot(release, tarball) as chroot:
        log(f"{release}: fresh system from {tarball.name}")
        chroot.sh(f"useradd --create-home --shell /bin/sh {USER}")
        uid = chroot.sh(f"id -u {USER}").stdout.strip()
        chroot.sh(f"install -d -m 0700 -o {USER} -g {USER} /run/user/{uid}")
        shutil.copytree(host / "data", chroot.root / DATA.lstrip("/"))
        chroot.sh(f"chown -R {USER}:{USER} {Path(DATA).parent}")
        (chroot.root / "tmp/no-fonts.conf").write_text(NO_FONTS, encoding="utf-8")
        opt_before = listing(chroot, "/opt")
        contents = run(["dpkg-deb", "--contents", str(deb)]).stdout
        paths = [line.split()[5].removeprefix(".").rstrip("/") for line in contents.splitlines()]
        paths = [p for p in paths if p]
        existed = {p for p in paths if os.path.lexists(chroot.root / p.lstrip("/"))}
        before = package_sizes(chroot)
        shutil.copyfile(deb, chroot.root / "tmp" / deb.name)

        t = time.monotonic()
        chroot.sh("apt-get update -qq")
        install = chroot.sh(
            f"apt-get install -y --no-install-recommends /tmp/{deb.name}",
        )
        measures["install_s"] = round(time.monotonic() - t, 1)
        after = package_sizes(chroot)
        pulled = sorted(set(after) - set(before) - {PACKAGE})
        measures["packages_pulled"] = len(pulled)
        measures["pulled_kb"] = sum(after[p] for p in pulled)
        measures["package_kb"] = after.get(PACKAGE, 0)
        summary = re.search(r"^\d+ upgraded, \d+ newly installed.*$", install.stdout, re.M)
        measures["apt_summary"] = summary.group(0) if summary else ""
        log(
            f"{release}: installed with {len(pulled)} packages pulled in "
            f"({measures['pulled_kb'] / 1024:.1f} MiB) + the package "
            f"({measures['package_kb'] / 1024:.1f} MiB)"
        )

        version = chroot.as_user("stewardship", "--version", env=RENDER_ENV)
        if version.returncode != 0 or version.stderr or not version.stdout.startswith(PACKAGE):
            failures.append(f"--version: exit {version.returncode} {version.stdout!r}")
        failures += [f"--version stderr: {line}" for line in version.stderr.splitlines()]
        measures["version"] = version.stdout.strip()

        shots = chroot.dir / "shots"
        shots.mkdir()
        home = chroot.root / "home" / USER
        differences = {}
        for view in views:
            done = chroot.as_user(
                "stewardship", "--demo", "--data-dir", DATA, "--view", view,
                "--screenshot", f"/home/{USER}/{view}.png", env=RENDER_ENV,
            )  # fmt: skip
            if done.returncode != 0:
                failures.append(f"--view {view}: exit {done.returncode}")
            failures += [f"--view {view} stderr: {line}" for line in done.stderr.splitlines()]
            png = home / f"{view}.png"
            if not png.exists():
                failures.append(f"--view {view}: no screenshot")
                continue
            shutil.copyfile(png, shots / f"{view}.png")
            fraction = different_fraction(shots / f"{view}.png", host / f"{view}.png")
            differences[view] = round(fraction, 5)
            if fraction > MAX_DIFFERENT:
                failures.append(
                    f"--view {view}: {fraction:.2%} of the pixels differ from the build "
                    f"machine's rendering (at most {MAX_DIFFERENT:.2%})"
                )
        measures["pixels_different"] = differences

        # Control: the same view without a font configuration draws boxes, and the
        # comparison must see it (else it could not catch the bug it is here for).
        control = chroot.as_user(
            "stewardship", "--demo", "--data-dir", DATA, "--view", views[0],
            "--screenshot", f"/home/{USER}/control.png",
            env={**RENDER_ENV, "FONTCONFIG_FILE": "/tmp/no-fonts.conf"},
        )  # fmt: skip
        if (home / "control.png").exists():
            shutil.copyfile(home / "control.png", shots / "control-no-fonts.png")
            boxes = different_fraction(shots / "control-no-fonts.png", host / f"{views[0]}.png")
            measures["control_boxes_different"] = round(boxes, 5)
            if boxes <= MAX_DIFFERENT:
                failures.append(
                    f"control: text without fonts differs by only {boxes:.2%}; the "
                    "comparison cannot tell boxes from glyphs"
                )
        else:
            failures.append(f"control run failed: {control.stderr}")

        t = time.monotonic()
        chroot.sh(f"apt-get purge -y {PACKAGE}")
        measures["purge_s"] = round(time.monotonic() - t, 1)
        # Only what was there before the package (/opt, /usr/share/man/man1, ...) may stay.
        failures += [
            f"after purge, {path} remains"
            for path in paths
            if path not in existed and os.path.lexists(chroot.root / path.lstrip("/"))
        ]
        status = subprocess.run(
            [CHROOT, str(chroot.root), "dpkg-query", "-W", PACKAGE], capture_output=True
        )
        if status.returncode == 0:
            failures.append(f"after purge, dpkg still knows {PACKAGE}")
        leftovers = list((chroot.root / "var/lib/dpkg/info").glob(f"{PACKAGE}.*"))
        failures += [f"after purge, {p.name} remains in dpkg's database" for p in leftovers]
        opt_after = listing(chroot, "/opt")
        if opt_after != opt_before:
            failures.append(f"/opt changed: before {opt_before}, after {opt_after}")
    measures["total_s"] = round(time.monotonic() - started, 1)
    measures["failures"] = failures
    return measures


def lintian(deb: Path) -> tuple[list[str], dict[str, int], float]:
    """Tags lintian reports that are not overridden; overridden tags by count; seconds."""
    started = time.monotonic()
    done = subprocess.run(
        ["lintian", "--pedantic", "-E", "-I", "--show-overrides", "--tag-display-limit", "0",
         str(deb)],
        capture_output=True, text=True,
    )  # fmt: skip
    reported: list[str] = []
    overridden: dict[str, int] = {}
    for line in done.stdout.splitlines():
        kind, _, rest = line.partition(": ")
        if kind == "O":
            tag = rest.split()[1]
            overridden[tag] = overridden.get(tag, 0) + 1
        elif kind in {"E", "W", "I", "P", "X"}:
            reported.append(line)
    return reported, overridden, time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--release", action="append", help="bookworm, trixie (default: both)")
    parser.add_argument("--deb", type=Path, help="default: the newest dist/*.deb")
    parser.add_argument("--refresh", action="store_true", help="debootstrap again")
    parser.add_argument("--no-lintian", action="store_true", help="skip the lintian step")
    args = parser.parse_args()
    releases = args.release or ["bookworm", "trixie"]
    if os.geteuid() != 0:
        sys.exit("dist-check needs root (debootstrap, chroot, mount): run it with sudo")
    for tool in ("debootstrap", "chroot", "dpkg-deb", "lintian"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is not installed (apt-get install debootstrap lintian)")
    debs = sorted((ROOT / "dist").glob(f"{PACKAGE}_*.deb"), key=lambda p: p.stat().st_mtime)
    deb = args.deb or (debs[-1] if debs else None)
    if deb is None or not BUNDLE_EXE.exists():
        sys.exit("no dist/*.deb and bundle: run `make dist` first")

    started = time.monotonic()
    help_text = run([str(BUNDLE_EXE), "--help"], env={**os.environ, **RENDER_ENV}).stdout
    views = views_of(help_text)
    log(f"views: {', '.join(views)}; package {deb.name}")
    host = host_reference(views)
    failed = False
    if not args.no_lintian:
        reported, overridden, took = lintian(deb)
        for line in reported:
            print(f"FAIL lintian: {line}")
        failed = bool(reported)
        counts = ", ".join(f"{tag} {n}" for tag, n in sorted(overridden.items()))
        log(f"lintian ({took:.0f} s): {len(reported)} tags not overridden; overridden: {counts}")
    results = []
    for release in releases:
        try:
            results.append(check_release(release, deb, views, host, args.refresh))
        except Failed as exc:
            results.append({"release": release, "failures": [str(exc)]})
    WORK.mkdir(parents=True, exist_ok=True)
    (WORK / "summary.json").write_text(json.dumps(results, indent=2), encoding="utf-8")
    for result in results:
        name = result["release"]
        for failure in result["failures"]:
            print(f"FAIL {name}: {failure}")
            failed = True
        if "total_s" in result:
            print(
                f"{name}: {result['packages_pulled']} packages pulled in "
                f"({result['pulled_kb'] / 1024:.1f} MiB installed) + {PACKAGE} "
                f"({result['package_kb'] / 1024:.1f} MiB); install {result['install_s']} s, "
                f"purge {result['purge_s']} s, debootstrap {result['debootstrap_s']} s "
                f"(0 = cached); {result['total_s']} s in all; most different view "
                f"{max(result['pixels_different'].values(), default=0):.3%}, "
                f"control without fonts {result.get('control_boxes_different', 0):.2%}"
            )
    print(f"dist-check: {'FAILED' if failed else 'passed'} in {time.monotonic() - started:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
