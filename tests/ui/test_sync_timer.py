"""The background sync timer outliving its data folder does nothing, and stops."""

from __future__ import annotations

from stewardship.app import AppContext
from stewardship.ui.sync_controller import SyncController


def test_a_scheduled_sync_after_the_store_closed_stops_the_timer(qtbot, data_dir, today):
    ctx = AppContext.open(data_dir, today=lambda: today)
    controller = SyncController(ctx, interval_ms=20)
    assert controller.timer.isActive()
    ctx.close()  # e.g. the window's data folder closed while the timer still ran
    # Before: every tick read the closed store ("Cannot operate on a closed database"),
    # which pytest-qt reports as an error in the Qt event loop.
    qtbot.waitUntil(lambda: not controller.timer.isActive(), timeout=2_000)
    qtbot.wait(100)
    assert controller.phase.name == "NOT_CONFIGURED"  # as it was: nothing was attempted
