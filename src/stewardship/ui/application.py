"""Qt application set-up: one QApplication, style, and the screenshot renderer."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from .. import __version__, startup_gc
from ..app import AppContext
from ..services.identity import named_steward
from ..services.logs import write_held_records
from . import bench_probe
from .after_paint import call_after_first_paint
from .app_icon import app_icon
from .crash_reporter import install_crash_reporter
from .main_window import START_FALLBACK_MS, VIEW_KEYS, MainWindow
from .style import STYLE_SHEET

SCREENSHOT_SIZE = (1280, 800)  # the command line's default (cli.SCREENSHOT_SIZE)
#: The .desktop file's name without ".desktop" (and the AppStream id): packaging/linux.
DESKTOP_ID = "org.stewardshipconsole.StewardshipConsole"


def make_application(argv: list[str] | None = None) -> QApplication:
    QCoreApplication.setOrganizationName("StewardshipConsole")
    QCoreApplication.setOrganizationDomain("stewardship-console.invalid")
    QCoreApplication.setApplicationName("Stewardship Console")
    QCoreApplication.setApplicationVersion(__version__)
    existing = QApplication.instance()
    if existing is None:
        # The style as an argument: QApplication.setStyle() hands the style object back,
        # and wrapping it builds PySide6's QStyle class and its enums (~5 ms of start-up).
        app = QApplication([*(argv if argv is not None else sys.argv[:1]), "-style", "fusion"])
    else:
        assert isinstance(existing, QApplication)
        app = existing
        app.setStyle("Fusion")
    QGuiApplication.setDesktopFileName(DESKTOP_ID)
    app.setWindowIcon(app_icon())
    app.setStyleSheet(STYLE_SHEET)
    return app


def render_screenshot(
    window: MainWindow, view: str, target: Path, size: tuple[int, int] = SCREENSHOT_SIZE
) -> None:
    """Show ``view`` in a window of ``size`` and write it to ``target`` as PNG."""
    if view not in VIEW_KEYS:
        raise ValueError(f"unknown view '{view}'; use one of {', '.join(VIEW_KEYS)}")
    window.resize(*size)
    window.finish_start()  # the picture shows the whole window: menus and sync status too
    window.show_view(view)
    window.show()
    app = QApplication.instance()
    assert app is not None
    for _ in range(3):
        app.processEvents()
    image = window.grab()
    target.parent.mkdir(parents=True, exist_ok=True)
    if not image.save(str(target), "PNG"):
        raise OSError(f"cannot write {target}")


def run_window(ctx: AppContext, view: str = "dashboard") -> int:
    app = make_application()
    if not named_steward(ctx.store):  # first start: whose name goes on changes and sign-offs
        from .steward_name_dialog import ask_steward_name  # the dialog loads only then

        startup_gc.resume()  # a dialog that waits for a person is not start-up
        ask_steward_name(ctx)
    window = MainWindow(ctx)
    reporter = install_crash_reporter(window)  # an unexpected error opens a dialog, not an exit
    # The log file opens once the window shows (cli.py holds the records until then).
    call_after_first_paint(window, write_held_records)
    call_after_first_paint(window, startup_gc.resume)  # paused by cli.py for start-up
    QTimer.singleShot(START_FALLBACK_MS, write_held_records)  # shown minimised: no paint
    QTimer.singleShot(START_FALLBACK_MS, startup_gc.resume)
    probe = bench_probe.install(window)  # noqa: F841 (kept alive until exit)
    window.show_view(view)
    window.show()
    try:
        return app.exec()
    finally:
        reporter.uninstall()
