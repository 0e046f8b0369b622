"""Render resources/icons/stewardship-console.svg into the icons Windows and macOS want.

    python packaging/make_icons.py OUT_DIR

Writes OUT_DIR/stewardship-console.ico (256 px) and
OUT_DIR/stewardship-console.iconset/ (the PNG sizes `iconutil -c icns` expects).
Needs PySide6 (the build venv has it); runs offscreen.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

SVG = Path(__file__).resolve().parent.parent / "resources" / "icons" / "stewardship-console.svg"
ICONSET = [
    (16, 1),
    (16, 2),
    (32, 1),
    (32, 2),
    (128, 1),
    (128, 2),
    (256, 1),
    (256, 2),
    (512, 1),
    (512, 2),
]


def render(renderer: QSvgRenderer, size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    return image


def main(out: Path) -> int:
    _app = QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        sys.exit(f"cannot read {SVG}")
    out.mkdir(parents=True, exist_ok=True)
    if not render(renderer, 256).save(str(out / "stewardship-console.ico"), "ICO"):
        sys.exit("cannot write the .ico (is the Qt ico image plugin installed?)")
    iconset = out / "stewardship-console.iconset"
    iconset.mkdir(exist_ok=True)
    for size, scale in ICONSET:
        name = f"icon_{size}x{size}{'@2x' if scale == 2 else ''}.png"
        render(renderer, size * scale).save(str(iconset / name), "PNG")
    print(f"icons written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("build/icons")))
