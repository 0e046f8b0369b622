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
