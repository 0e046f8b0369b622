"""An unexpected error in the window is logged, shown in a dialog, and the window stays open.

pytest-qt normally catches exceptions raised in slots itself; these tests turn that
off (``qt_no_exception_capture``) so the error reaches ``sys.excepthook`` as it does
when a steward runs the console.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication

from stewardship import __version__
from stewardship.services import logs
from stewardship.ui.about_dialog import AboutDialog
from stewardship.ui.crash_reporter import install_crash_reporter
from stewardship.ui.main_window import MainWindow

pytestmark = pytest.mark.qt_no_exception_capture


@pytest.fixture
def log_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(logs.ENV_LOG_DIR, str(tmp_path / "logs"))
    path = logs.configure_logging()
    assert path is not None
    return path


@pytest.fixture
def window(qtbot, ctx, log_path):
    win = MainWindow(ctx)
    qtbot.addWidget(win)
    win.show()
    reporter = install_crash_reporter(win)
    yield win, reporter
    reporter.uninstall()


def _explode_in_a_slot(message: str) -> None:
    def refresh_that_fails() -> None:
        raise ValueError(message)

    QTimer.singleShot(0, refresh_that_fails)


def test_an_error_in_a_slot_opens_a_dialog_logs_it_and_the_window_stays(qtbot, window, log_path):
    win, reporter = window
    _explode_in_a_slot("the dashboard could not count the models")
    qtbot.waitUntil(lambda: reporter.dialog is not None and reporter.dialog.isVisible())
    dialog = reporter.dialog
    assert dialog is not None
    assert win.isVisible(), "the window stays open"

    what = dialog.what_label.text()
    assert what == "What happened: ValueError: the dashboard could not count the models"
    assert dialog.log_label.text() == f"Log file: {log_path}"
    assert "in refresh_that_fails" in dialog.details.toPlainText()

    text = log_path.read_text(encoding="utf-8")
    assert "CRITICAL stewardship.ui.crash_reporter" in text
    assert "unexpected error in the window" in text
    assert "Traceback (most recent call last)" in text and "in refresh_that_fails" in text
    assert "ValueError: the dashboard could not count the models" in text

    QGuiApplication.clipboard().clear()
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    copied = QGuiApplication.clipboard().text()
    assert copied.startswith(f"stewardship-console {__version__} (build dev)\n")
    assert f"Log file: {log_path}" in copied
    assert "ValueError: the dashboard could not count the models" in copied
    assert "in refresh_that_fails" in copied

    # The window still works: it switches views after the error.
    win.show_view("models")
    assert win.current_view() == "models"


def test_more_errors_join_the_open_dialog_instead_of_opening_more(qtbot, window):
    _, reporter = window
    _explode_in_a_slot("first")
    qtbot.waitUntil(lambda: reporter.dialog is not None and reporter.dialog.isVisible())
    first = reporter.dialog
    _explode_in_a_slot("second")
    qtbot.waitUntil(lambda: "2 unexpected errors" in first.headline.text())
    assert reporter.dialog is first
    assert first.what_label.text() == "What happened: ValueError: second"
    assert "ValueError: first" in first.details.toPlainText()


def test_a_token_in_the_error_reaches_neither_dialog_clipboard_nor_log(
    qtbot, window, log_path, monkeypatch
):
    _, reporter = window
    token = "stw_" + "Zt4mq8Wn" * 5 + "xyz"
    monkeypatch.setenv("STEWARDSHIP_TOKEN", "env-token-for-cron-jobs")
    _explode_in_a_slot(f"sent Authorization: Bearer {token} and env-token-for-cron-jobs")
    qtbot.waitUntil(lambda: reporter.dialog is not None and reporter.dialog.isVisible())
    reporter.dialog.copy_details()
    shown = reporter.dialog.what_label.text() + reporter.dialog.details.toPlainText()
    for text in (shown, QGuiApplication.clipboard().text(), log_path.read_text("utf-8")):
        assert "ValueError: sent Authorization: [redacted]" in text
        assert token not in text and token[4:] not in text
        assert "env-token-for-cron-jobs" not in text


def test_uninstall_gives_back_the_previous_hook(qtbot, window):
    _, reporter = window
    assert sys.excepthook == reporter.excepthook
    reporter.uninstall()
    assert sys.excepthook != reporter.excepthook


def test_about_shows_the_log_file(qtbot, ctx, log_path):
    dialog = AboutDialog(ctx)
    qtbot.addWidget(dialog)
    assert f"Log file: {log_path}" in dialog.version_label.text()


RUNNING_CONSOLE_PROBE = """
import json, sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from stewardship.ui.main_window import MainWindow

seen = {}

def boom():
    raise RuntimeError("the models view could not be built")

def look_then_quit():
    try:
        tops = QApplication.topLevelWidgets()
        seen["dialogs"] = [
            w.what_label.text() for w in tops if w.objectName() == "crashDialog" and w.isVisible()
        ]
        seen["window open"] = any(w.isVisible() for w in tops if isinstance(w, MainWindow))
    finally:
        QApplication.quit()

started = MainWindow.finish_start

def finish_start(self):
    first = not self.started
    started(self)
    if first:
        QTimer.singleShot(0, boom)
        QTimer.singleShot(500, look_then_quit)

MainWindow.finish_start = finish_start
from stewardship.cli import main
seen["exit"] = main(["--data-dir", sys.argv[1]])
seen["hook restored"] = sys.excepthook is sys.__excepthook__
print(json.dumps(seen))
"""


def test_the_running_console_reports_an_error_instead_of_vanishing(tmp_path):
    """The real console, started as a steward starts it, with an error in a slot."""
    import json
    import os
    import subprocess

    done = subprocess.run(
        [sys.executable, "-c", RUNNING_CONSOLE_PROBE, str(tmp_path / "data")],
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {
        "dialogs": ["What happened: RuntimeError: the models view could not be built"],
        "window open": True,
        "exit": 0,
        "hook restored": True,
    }
    log_file = (
        Path(os.environ["XDG_STATE_HOME"]) / "stewardship-console" / "log" / "stewardship.log"
    )
    text = log_file.read_text("utf-8")
    assert "starting the window; data folder" in text
    assert "unexpected error in the window" in text and "in boom" in text
    assert "RuntimeError: the models view could not be built" in text


def test_a_failed_task_is_logged_and_an_error_taking_its_result_opens_the_dialog(
    qtbot, window, log_path
):
    from stewardship.ui.tasks import run_task

    _, reporter = window

    def hash_evidence(progress, cancelled):
        raise OSError("the evidence file vanished while it was read")

    failures: list[BaseException] = []
    run_task(hash_evidence, failed=lambda exc, _tb: failures.append(exc), name="hash evidence")
    qtbot.waitUntil(lambda: bool(failures))
    text = log_path.read_text(encoding="utf-8")
    assert "Background task hash evidence failed" in text
    assert "in hash_evidence" in text
    assert "OSError: the evidence file vanished while it was read" in text
    assert reporter.dialog is None, "a failure the view handles opens no crash dialog"

    def show_result(slug: str) -> None:
        raise KeyError(slug)

    run_task(lambda progress, cancelled: "model-42", succeeded=show_result, name="load")
    qtbot.waitUntil(lambda: reporter.dialog is not None and reporter.dialog.isVisible())
    assert reporter.dialog.what_label.text() == "What happened: KeyError: 'model-42'"
    assert "in show_result" in log_path.read_text(encoding="utf-8")


def test_a_failed_task_nobody_handles_opens_the_dialog_and_is_logged(qtbot, window, log_path):
    from stewardship.ui.tasks import run_task

    _, reporter = window

    def export_calendar(progress, cancelled):
        raise PermissionError("the calendar file on the shared drive is read-only")

    run_task(export_calendar, name="export calendar")
    qtbot.waitUntil(lambda: reporter.dialog is not None and reporter.dialog.isVisible())
    assert reporter.dialog.what_label.text() == (
        "What happened: PermissionError: the calendar file on the shared drive is read-only"
    )
    text = log_path.read_text(encoding="utf-8")
    assert "Background task export calendar failed" in text
    assert "in export_calendar" in text
