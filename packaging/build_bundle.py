"""Build the PyInstaller bundle of the console from a clean build venv.

    python packaging/build_bundle.py [--venv build/venv-dist]

1. writes ``src/stewardship/_build.py`` (git commit and UTC date) so ``--version``
   and the About dialog name the build; removes it again afterwards;
2. creates a venv holding only the console's runtime dependencies and the
   ``dist`` extra (PyInstaller), so no test or dev package can reach the bundle;
3. runs ``pyinstaller packaging/stewardship.spec``.

Works on Linux, Windows and macOS (the CI workflow calls it on each).
Prints the bundle's size and the build time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD_FILE = ROOT / "src" / "stewardship" / "_build.py"


def git_commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short=10", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return os.environ.get("GITHUB_SHA", "unknown")[:10] or "unknown"
    return out + ("-modified" if dirty else "")


def venv_python(path: Path) -> Path:
    return path / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--venv", type=Path, default=ROOT / "build" / "venv-dist")
    args = parser.parse_args()
    started = time.monotonic()

    python = venv_python(args.venv)
    if not python.exists():
        print(f"creating build venv {args.venv}")
        venv.EnvBuilder(with_pip=True, clear=True).create(args.venv)
        subprocess.run([python, "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True)

    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d")
    BUILD_FILE.write_text(
        '"""Written by packaging/build_bundle.py for one build; not in git."""\n\n'
        f"BUILD_COMMIT = {git_commit()!r}\nBUILD_DATE = {stamp!r}\n",
        encoding="utf-8",
    )
    try:
        # Non-editable install: the bundle gets exactly what a wheel would hold.
        subprocess.run(
            [
                python,
                "-m",
                "pip",
                "install",
                "--quiet",
                "--force-reinstall",
                "--no-deps",
                str(ROOT),
            ],
            check=True,
        )
        subprocess.run([python, "-m", "pip", "install", "--quiet", f"{ROOT}[dist]"], check=True)
    finally:
        BUILD_FILE.unlink(missing_ok=True)

    if sys.platform in ("win32", "darwin"):  # the .ico / .icns the spec embeds
        icons = ROOT / "build" / "icons"
        subprocess.run([python, str(ROOT / "packaging" / "make_icons.py"), str(icons)], check=True)
        if sys.platform == "darwin":
            subprocess.run(
                [
                    "iconutil",
                    "-c",
                    "icns",
                    "-o",
                    str(icons / "stewardship-console.icns"),
                    str(icons / "stewardship-console.iconset"),
                ],
                check=True,
            )

    subprocess.run(
        [
            python,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--clean",
            "--log-level",
            "WARN",
            "--distpath",
            str(ROOT / "dist"),
            "--workpath",
            str(ROOT / "build" / "pyinstaller"),
            str(ROOT / "packaging" / "stewardship.spec"),
        ],
        check=True,
    )
    bundle = ROOT / "dist" / "stewardship-console"
    elapsed = time.monotonic() - started
    size = folder_size(bundle)
    print(
        f"bundle: {bundle} {size / 1e6:.1f} MB ({size / 2**20:.1f} MiB), built in {elapsed:.0f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
