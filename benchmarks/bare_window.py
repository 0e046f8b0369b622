"""The floor of the start-up and memory benchmarks: a bare PySide6 window with one label.

Prints ``STEWARDSHIP_BENCH painted <unix time>`` at its first paint and exits,
like the console does under ``STEWARDSHIP_BENCH_EXIT_AFTER_PAINT=1``.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QLabel


def peak_rss_mb() -> float:
    """This process's peak resident set size so far, in MiB (NaN where unknown).

    The same as ``stewardship.ui.bench_probe.peak_rss_mb``: the floor imports nothing
    of the console's.

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


class PaintProbe(QObject):
    """Prints the painted stamp at the first paint of the widget it filters (once ``ready()``)."""

    def __init__(self, ready: Callable[[], bool] = lambda: True) -> None:
        super().__init__()
        self.done = False
        self.ready = ready

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not self.done and event.type() == QEvent.Type.Paint and self.ready():
            self.done = True
            stamp = time.time()
            QTimer.singleShot(0, lambda: self._finish(stamp))
        return False

    def _finish(self, stamp: float) -> None:
        print(f"STEWARDSHIP_BENCH painted {stamp:.6f}", flush=True)
        print(f"STEWARDSHIP_BENCH peak_rss_mb {peak_rss_mb():.1f}", flush=True)
        QApplication.quit()


def main() -> int:
    app = QApplication(sys.argv[:1])
    label = QLabel("Stewardship Console")
    label.resize(1280, 800)
    probe = PaintProbe()
    label.installEventFilter(probe)
    label.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
