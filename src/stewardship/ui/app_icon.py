"""The application icon, loaded from ``resources/icons`` (checkout, wheel and bundle alike).

Kept apart from the About dialog so that start-up loads the icon without
building the dialog's classes.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QIcon

from .. import resources  # type: ignore[attr-defined]  # resources/ is mapped in by setuptools

ICON_NAME = "stewardship-console.svg"


def app_icon() -> QIcon:
    beside = Path(resources.__file__).parent / "icons" / ICON_NAME
    if beside.is_file():  # a checkout, a wheel and the bundle keep the icon on disk
        return QIcon(str(beside))
    from importlib.resources import as_file, files  # e.g. imported from a zip

    with as_file(files(resources) / "icons" / ICON_NAME) as path:
        return QIcon(str(path))
