# Replaces PyInstaller's pyi_rth_pyside6 runtime hook (see stewardship.spec).
#
# The stock hook imports PySide6.QtCore at start-up, only to add an embedded
# qt.conf for Qt builds that lack one (conda). PySide6 wheels from PyPI embed
# their own when PySide6 is imported, so that import only made every start pay
# for loading Qt, even `stewardship --version` and the headless verbs (~70 ms).
# This keeps the hook's environment set-up and lets Qt load when first used.
import os
import sys


def _pyi_rthook():
    base = sys._MEIPASS  # the bundle folder
    qt_dir = (
        os.path.join(base, "PySide6")
        if sys.platform.startswith("win")
        else os.path.join(base, "PySide6", "Qt")
    )
    os.environ["QT_PLUGIN_PATH"] = os.path.join(qt_dir, "plugins")
    os.environ["QML2_IMPORT_PATH"] = os.path.join(qt_dir, "qml")
    if sys.platform.startswith("win"):
        os.environ["PATH"] = base + os.pathsep + os.environ.get("PATH", "")


_pyi_rthook()
del _pyi_rthook
