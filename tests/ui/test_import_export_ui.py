"""File menu import and export: real window, real worker thread, real files."""

from __future__ import annotations

import json
import threading

from PySide6.QtCore import QRunnable
from PySide6.QtWidgets import QPushButton

from stewardship.domain.records import Model
from stewardship.services.import_csv import SCHEDULE_COLUMNS
from stewardship.ui.main_window import MainWindow
from stewardship.ui.problems_dialog import ProblemsDialog

HEADER = ",".join(SCHEDULE_COLUMNS)


def make_window(qtbot, ctx) -> MainWindow:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    return window


def wait_idle(qtbot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: window.import_export.job is None, timeout=10_000)


def test_file_menu_offers_import_bundled_schedules_and_export(qtbot, ctx):
    window = make_window(qtbot, ctx)
    file_menu = window.menuBar().actions()[0].menu()
    assert file_menu.title() == "&File", "the menu titles are there from the first frame"
    window.show()
    # Start-up paints first; the entries follow on their own just after the first paint.
    qtbot.waitUntil(lambda: len(file_menu.actions()) > 0, timeout=5_000)
    texts = [a.text() for a in file_menu.actions()]
    assert "&Import schedules…" in texts and "&Export…" in texts
    assert "Import &bundled public schedules" in texts
    bundled = [a.text() for a in window.import_export.bundled_menu.actions()]
    assert bundled == [
        "Anthropic",
        "OpenAI",
        "Google (Gemini API, Vertex AI)",
        "Amazon Bedrock",
        "Azure OpenAI",
    ]
    assert window.import_export.import_action.shortcut().toString() == "Ctrl+I"


def test_bundled_schedule_imports_in_a_worker_and_refreshes_the_views(qtbot, ctx):
    window = make_window(qtbot, ctx)
    models_page = window.pages["models"]
    assert models_page.model.rowCount() == 0
    window.import_export.bundled_menu.actions()[0].trigger()
    assert window.import_export.job is not None, "the import runs off the GUI thread"
    wait_idle(qtbot, window)
    assert window.import_export.last_message == "anthropic.csv: 24 added, 0 updated, 0 unchanged"
    assert window.pages["dashboard"].dashboard.models_total == 24, "the visible view was refreshed"
    window.show_view("models")
    assert models_page.model.rowCount() == 24, "the Models view shows them when opened"
    assert window.statusBar().currentMessage() == window.import_export.last_message


def test_a_bad_file_shows_every_problem_and_imports_nothing(qtbot, ctx, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        f"{HEADER}\na,A,P,,active,2026-02-30,,,,,,\nb,,P,,,,,,,,,\nc,C,P,,gone,,,,,,,\n",
        encoding="utf-8",
    )
    window = make_window(qtbot, ctx)
    window.import_export.start_import(bad)
    wait_idle(qtbot, window)
    dialog = window.import_export.dialog
    assert isinstance(dialog, ProblemsDialog) and dialog.isVisible()
    lines = dialog.text.toPlainText().splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "line 2, column released_on",
        "line 3, column display_name",
        "line 4, column state",
    ]
    assert ctx.store.count(Model) == 0
    dialog.close()


def test_cancel_stops_an_import_and_writes_nothing(qtbot, ctx, tmp_path):
    rows = "".join(f"m{n},Model {n},P,,,,,,,,,\n" for n in range(300))
    path = tmp_path / "big.csv"
    path.write_text(f"{HEADER}\n{rows}", encoding="utf-8")
    window = make_window(qtbot, ctx)
    actions = window.import_export
    gate = threading.Event()
    blocker = QRunnable.create(lambda: gate.wait(10))
    actions.pool.start(blocker)  # hold the one worker so the import is still queued
    actions.start_import(path)
    actions.progress.findChild(QPushButton).click()  # the progress dialog's Cancel button
    gate.set()
    wait_idle(qtbot, window)
    assert "cancelled; nothing was imported" in actions.last_message
    assert ctx.store.count(Model) == 0


def test_export_runs_in_a_worker_and_writes_the_file(qtbot, demo_ctx, tmp_path):
    window = make_window(qtbot, demo_ctx)
    target = tmp_path / "all.json"
    window.import_export.start_export("json", None, target)
    wait_idle(qtbot, window)
    doc = json.loads(target.read_text(encoding="utf-8"))
    assert len(doc["models"]) == demo_ctx.store.count(Model) > 0
    assert window.import_export.last_message.startswith("Wrote ")
