"""A hook for the start-up and memory benchmarks (not part of the user-facing CLI).

With ``STEWARDSHIP_BENCH_EXIT_AFTER_PAINT=1`` in the environment, the console
prints ``STEWARDSHIP_BENCH painted <unix time>`` once the dashboard's table
has been painted with rows, then (after opening each view named in
``STEWARDSHIP_BENCH_VISIT``, comma-separated) quits. ``benchmarks/`` reads
that line; nothing else does.
"""

from __future__ import annotations

import os
import sys
import time

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

ENV_EXIT = "STEWARDSHIP_BENCH_EXIT_AFTER_PAINT"
ENV_VISIT = "STEWARDSHIP_BENCH_VISIT"


def peak_rss_mb() -> float:
    """This process's peak resident set size so far, in MiB (NaN where unknown).

    On Linux ``VmHWM``: ``ru_maxrss`` survives ``exec`` and would report the
    parent's peak when the parent was bigger.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    try:
        import resource
    except ImportError:  # Windows
        return float("nan")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def wanted() -> bool:
    return os.environ.get(ENV_EXIT, "") not in ("", "0")


class PaintProbe(QObject):
    """Watches the dashboard table's viewport for its first paint with rows."""

    def __init__(self, window: QObject) -> None:
        super().__init__(window)
        self.window = window
        self.done = False
        dashboard = window.pages["dashboard"]  # type: ignore[attr-defined]
        self.table = dashboard.table
        # Watch a viewport made here (a plain QWidget, as Qt's own is): asking the table for
        # the one Qt made returns a C++ object of unknown type, and PySide6 then builds ~55
        # widget classes to find it (~8 ms) -- a cost of measuring, which the bare window's
        # probe (on a label it made) never pays, and the console itself never asks for.
        viewport = QWidget()
        self.table.setViewport(viewport)
        viewport.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            not self.done
            and event.type() == QEvent.Type.Paint
            and self.table.model().rowCount() > 0
        ):
            self.done = True
            stamp = time.time()
            QTimer.singleShot(0, lambda: self._finish(stamp))
        return False

    def _finish(self, stamp: float) -> None:
        print(f"STEWARDSHIP_BENCH painted {stamp:.6f}", flush=True)
        app = QApplication.instance()
        assert app is not None
        for key in filter(None, os.environ.get(ENV_VISIT, "").split(",")):
            started = time.perf_counter()
            self.window.show_view(key)  # type: ignore[attr-defined]
            page = self.window.pages[key]  # type: ignore[attr-defined]
            while getattr(page, "_loader", None) is not None:  # a list loading in a worker
                app.processEvents()
                time.sleep(0.005)
            page.repaint()
            app.processEvents()
            print(
                f"STEWARDSHIP_BENCH visited {key} {time.perf_counter() - started:.6f}", flush=True
            )
        print(f"STEWARDSHIP_BENCH peak_rss_mb {peak_rss_mb():.1f}", flush=True)
        app.quit()


def install(window: QObject) -> PaintProbe | None:
    return PaintProbe(window) if wanted() else None
