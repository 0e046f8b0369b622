"""The window paints first and finishes its start-up (menus, sync status, timers) just after."""

from stewardship.ui.main_window import MainWindow


def test_window_paints_the_dashboard_first_then_fills_menus_and_sync_status(qtbot, demo_ctx):
    window = MainWindow(demo_ctx)
    qtbot.addWidget(window)
    titles = [a.text() for a in window.menuBar().actions()]
    assert titles == ["&File", "&View", "&Help"], "the menu bar is complete in the first frame"
    assert window.pages.built().keys() == {"dashboard"}, "only the dashboard is built at start"
    assert window.pages["dashboard"].model.rowCount() > 0, "and it has its rows"
    assert not window.started, "nothing the first frame doesn't show has been built yet"

    window.show()
    qtbot.waitUntil(lambda: window.started, timeout=5_000)
    view_menu = window.menuBar().actions()[1].menu()
    assert [a.shortcut().toString() for a in view_menu.actions()][:2] == ["Ctrl+1", "Ctrl+2"]
    assert window.sync_status.isVisibleTo(window), "the sync status joins the status bar"
    assert "no registry set up" in window.sync_status.label.text()


def test_asking_for_the_sync_controller_before_the_first_paint_builds_it(qtbot, demo_ctx):
    window = MainWindow(demo_ctx)
    qtbot.addWidget(window)
    assert window.sync is window.sync, "built once, on demand"
    assert len(window.menuBar().actions()[0].menu().actions()) > 0
    window.finish_start()  # again: nothing is built twice
    assert len([a for a in window.menuBar().actions()[2].menu().actions()]) == 1


def test_a_window_that_is_never_painted_still_finishes_its_start(qtbot, demo_ctx):
    window = MainWindow(demo_ctx)  # built but not shown (say, started minimised)
    qtbot.addWidget(window)
    assert not window.started
    qtbot.waitUntil(lambda: window.started, timeout=5_000)
    assert window.sync.timer.isActive(), "background sync is scheduled all the same"


FIRST_FRAME_PROBE = """
import gc, json, sys
from PySide6.QtWidgets import QApplication
from stewardship import startup_gc
from stewardship.ui import bench_probe

snapshot = {}
watch = bench_probe.PaintProbe.eventFilter

def at_first_paint(self, watched, event):
    handled = watch(self, watched, event)
    if self.done and not snapshot:
        snapshot["modules"] = sorted(sys.modules)
        snapshot["rows"] = self.table.model().rowCount()
        snapshot["started"] = self.window.started
        snapshot["collector_on_at_first_paint"] = gc.isenabled()
        import PySide6.QtWidgets  # which of PySide6's lazily built classes exist by now
        snapshot["qt_classes"] = sorted(n for n in vars(PySide6.QtWidgets) if n.startswith("Q"))
    return handled

bench_probe.PaintProbe.eventFilter = at_first_paint
resume = startup_gc.resume

def resumed():
    snapshot.setdefault("collector_resumed_with_window_open", not QApplication.closingDown())
    resume()

startup_gc.resume = resumed
from stewardship.cli import main
main(["--data-dir", sys.argv[1]])
snapshot["collector_on_at_exit"] = gc.isenabled()
print(json.dumps(snapshot))
"""


def test_the_first_frame_loads_only_what_it_shows(demo_ctx, data_dir):
    """What start-up imports before the dashboard paints (the start-up benchmark's budget).

    The record types, dialogs, menus' file actions, sync, HTTP and keyring
    code all load after the first paint or on first use.
    """
    import json
    import os
    import subprocess
    import sys

    env = dict(
        os.environ,
        STEWARDSHIP_BENCH_EXIT_AFTER_PAINT="1",
        STEWARDSHIP_TODAY="2026-11-28",
        QT_QPA_PLATFORM="offscreen",
    )
    done = subprocess.run(
        [sys.executable, "-c", FIRST_FRAME_PROBE, str(data_dir)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    snapshot = json.loads(done.stdout.strip().splitlines()[-1])
    assert snapshot["rows"] > 0, "the dashboard painted with its rows"
    loaded = set(snapshot["modules"])
    assert "stewardship.ui.dashboard_view" in loaded
    too_early = loaded & {
        "stewardship.domain.records",
        "stewardship.domain.weights",  # its record types; the dashboard needs only the interval
        "configparser",  # read only when an organisation file exists
        "uuid",
        "stewardship.ui.about_dialog",
        "stewardship.ui.import_export_actions",
        "stewardship.ui.sync_controller",
        "stewardship.ui.models_view",
        "stewardship.sync.engine",
        "stewardship.services.demo",
        "requests",
        "keyring",
        "sqlite_utils",
        "platformdirs",
    }
    assert not too_early, f"loaded before the first paint: {sorted(too_early)}"
    # PySide6 builds a class, with a Python enum per Qt enum, when it is first used;
    # QStyle's take ~5 ms, and the first frame needs none of them.
    built = set(snapshot["qt_classes"])
    assert "QTableView" in built
    assert not built & {"QStyle", "QDialog", "QDialogButtonBox", "QFileDialog", "QMessageBox"}, (
        sorted(built & {"QStyle", "QDialog", "QDialogButtonBox", "QFileDialog", "QMessageBox"})
    )
    # The cyclic garbage collector is paused for start-up (~70 ms on 10,000 models) and
    # back on once the window has painted, not only when it closes.
    assert snapshot["collector_on_at_first_paint"] is False
    assert snapshot["collector_resumed_with_window_open"] is True
    assert snapshot["collector_on_at_exit"] is True
