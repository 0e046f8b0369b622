"""A second floor for the start-up benchmark: the least a PySide6 program does to show this data.

    .venv/bin/python benchmarks/table_window.py DATA_DIR

Reads every live model's name, state, dates and replacement from the store's
SQLite file with the standard library, and shows them in a ``QTableView``
over a minimal Python table model, with the console's style sheet, in a
1280x800 main window with a menu bar and a status bar. No domain code, no
sorting, no cards, no sidebar. Prints ``STEWARDSHIP_BENCH painted <unix
time>`` at the table's first paint with rows, as the console does under
``STEWARDSHIP_BENCH_EXIT_AFTER_PAINT=1``.

The bare window (``bare_window.py``) is the floor the targets are written
against; this one shows what any Python desktop program pays to put a
table of this store on screen, so that the console's own cost can be told
apart from the toolkit's.
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

from bare_window import PaintProbe
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QTableView, QWidget

HEADERS = ["Model", "State", "Retires", "Replacement"]


class Rows(QAbstractTableModel):
    def __init__(self, rows: list[tuple]) -> None:
        super().__init__()
        self.rows = rows

    def rowCount(self, parent: object = QModelIndex()) -> int:
        return len(self.rows)

    def columnCount(self, parent: object = QModelIndex()) -> int:
        return len(HEADERS)

    def data(self, index: QModelIndex, role: int = 0) -> object:
        if role == 0:
            return self.rows[index.row()][index.column()] or ""
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> object:
        if role == 0 and orientation == Qt.Orientation.Horizontal:
            return HEADERS[section]
        return None


def main() -> int:
    data_dir = Path(sys.argv[1])
    conn = sqlite3.connect(data_dir / "stewardship.db")
    rows = conn.execute(
        "SELECT display_name, state, coalesce(retirement_on, retirement_not_before), replacement"
        " FROM models WHERE deleted = 0"
    ).fetchall()
    app = QApplication([sys.argv[0], "-style", "fusion"])  # as the console does (no QStyle class)
    from stewardship.ui.style import STYLE_SHEET  # the console's look, without its code

    app.setStyleSheet(STYLE_SHEET)
    window = QMainWindow()
    for title in ("&File", "&View", "&Help"):
        window.menuBar().addMenu(title)
    table = QTableView()
    table.setModel(Rows(rows))
    window.setCentralWidget(table)
    window.statusBar().addWidget(QLabel(f"{len(rows)} models"))
    window.resize(1280, 800)
    # Watched like the console's table (ui/bench_probe.py): on a viewport made here, since
    # asking Qt for its own makes PySide6 build ~55 widget classes (~8 ms) to type it.
    viewport = QWidget()
    table.setViewport(viewport)
    probe = PaintProbe(ready=lambda: table.model().rowCount() > 0)
    viewport.installEventFilter(probe)
    window.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
