"""Tables at scale: opening the Models view on a large store, and one filter keystroke.

    .venv/bin/python benchmarks/models_view.py [--models 10000] [--rounds 3]

In one process (offscreen unless QT_QPA_PLATFORM says otherwise) the console
window opens on a generated large store. Measured: the time from choosing
the Models view (built and loaded on first show) to its table painted with rows, and the time of each
keystroke typed into its search field (the key event, the filter and the
repaint), over a few rounds of typing and erasing search words.
Targets: a keystroke under 16 ms median (one frame at 60 Hz), 50 ms at p95.
The floor printed beside them is one repaint of the same table with no
filtering, measured in the same run.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from _common import TODAY, large_store, median, percentile, verdict

TARGET_MEDIAN_MS = 16.0
TARGET_P95_MS = 50.0
WORDS = ["synthetic model 004", "lab c deprecated", "family-07", "retired 01"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", type=int, default=10_000, help="models in the large store")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of typing every search word")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("STEWARDSHIP_TODAY", TODAY)

    from PySide6.QtCore import QEvent, QObject, Qt
    from PySide6.QtTest import QTest

    from stewardship.app import AppContext
    from stewardship.ui.application import make_application
    from stewardship.ui.main_window import MainWindow

    class Painted(QObject):
        def __init__(self) -> None:
            super().__init__()
            self.count = 0

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                self.count += 1
            return False

    with tempfile.TemporaryDirectory(prefix="stewardship-bench-") as tmp:
        data_dir = large_store(Path(tmp) / "large", args.models)
        app = make_application()
        ctx = AppContext.open(data_dir)
        window = MainWindow(ctx)
        window.resize(1280, 800)
        window.show()
        app.processEvents()
        painted = Painted()
        started = time.perf_counter()
        window.show_view("models")  # builds the view and loads its rows (first show)
        view = window.pages["models"]
        view.table.viewport().installEventFilter(painted)
        while painted.count == 0 or view.proxy.rowCount() == 0:
            app.processEvents()
            if time.perf_counter() - started > 120:
                raise RuntimeError("the Models view did not paint within 2 minutes")
        open_ms = (time.perf_counter() - started) * 1000
        rows = view.proxy.rowCount()

        floor = []
        for _ in range(20):
            t0 = time.perf_counter()
            view.table.viewport().repaint()
            floor.append((time.perf_counter() - t0) * 1000)

        view.search.setFocus()
        keystrokes: list[float] = []
        for _ in range(args.rounds):
            for words in WORDS:
                keys = [(ch, None) for ch in words] + [(None, Qt.Key.Key_Backspace)] * len(words)
                for ch, key in keys:
                    t0 = time.perf_counter()
                    if ch is not None:
                        QTest.keyClicks(view.search, ch)
                    else:
                        QTest.keyClick(view.search, key)
                    app.processEvents()
                    keystrokes.append((time.perf_counter() - t0) * 1000)
        assert view.search.text() == "", view.search.text()
        window.close()
        ctx.close()

    med, p95 = median(keystrokes), percentile(keystrokes, 95)
    floor_ms = median(floor)
    print(f"Models view on a store of {args.models} models ({rows} rows):")
    print(f"  open the view, to its table painted: {open_ms:7.1f} ms")
    print(f"  one repaint of the table (floor):    {floor_ms:7.1f} ms")
    ok_med, ok_p95 = med < TARGET_MEDIAN_MS, p95 < TARGET_P95_MS
    print(
        f"  filter keystroke, median of {len(keystrokes)}:   {med:7.1f} ms  ="
        f" {med / floor_ms:.1f}x the repaint  (target < {TARGET_MEDIAN_MS:.0f} ms: {verdict(ok_med)})"
    )
    print(
        f"  filter keystroke, p95:               {p95:7.1f} ms  ="
        f" {p95 / floor_ms:.1f}x the repaint  (target < {TARGET_P95_MS:.0f} ms: {verdict(ok_p95)})"
    )
    return 0 if ok_med and ok_p95 else 1


if __name__ == "__main__":
    sys.exit(main())
