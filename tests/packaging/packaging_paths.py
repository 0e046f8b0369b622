"""Paths the packaging tests share (imported by name: the test folders are not packages)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = ROOT / "dist" / "stewardship-console"
BUNDLE_EXE = BUNDLE / ("stewardship-cli.exe" if sys.platform == "win32" else "stewardship")
PACKAGING = ROOT / "packaging"
APP_ID = "org.stewardshipconsole.StewardshipConsole"
NOT_BUILT = (
    f"{BUNDLE.relative_to(ROOT)}/ has not been built: run `make dist`"
    " (or `python packaging/build_bundle.py`) first"
)
