"""Small and scaled screens, and pictures that change nothing (issue 13 items 5, 6, 7 and 15)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, QSettings
from PySide6.QtGui import QImage
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QTextEdit,
    QWidget,
)

from stewardship.cli import main
from stewardship.domain.records import ChecklistItem, LifecycleState, Model
from stewardship.store import Store
from stewardship.ui.application import make_application
from stewardship.ui.main_window import VIEW_KEYS, MainWindow

SMALL_SCREENS = [(1024, 768), (1280, 720)]
CONTROLS = (
    QLabel,
    QAbstractButton,
    QLineEdit,
    QComboBox,
    QPlainTextEdit,
    QTextEdit,
    QAbstractSpinBox,
)


def shown_window(qtbot, ctx, view: str, size: tuple[int, int]) -> MainWindow:
    make_application()
    window = MainWindow(ctx)  # no saved size in the test's own home
    qtbot.addWidget(window)
    window.resize(*size)
    window.finish_start()
    window.show_view(view)
    window.show()
    qtbot.waitExposed(window)
    for _ in range(3):
        QApplication.processEvents()
    return window


def _scroll_area_of(widget: QWidget) -> QScrollArea | None:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QScrollArea):
            return parent
        parent = parent.parentWidget()
    return None


def _inside_an_item_view(widget: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractItemView):
            return True
        parent = parent.parentWidget()
    return False


def layout_problems(window: MainWindow) -> list[str]:
    """Every visible control outside the window (or its scroll area's width), or squeezed
    below its minimum size."""
    problems: list[str] = []
    bounds = window.rect()
    for widget in window.findChildren(QWidget):
        if not isinstance(widget, CONTROLS) or not widget.isVisible():
            continue
        if _inside_an_item_view(widget):
            continue
        name = (
            widget.accessibleName()
            or (widget.text() if hasattr(widget, "text") else "")
            or widget.objectName()
            or type(widget).__name__
        )
        name = f"{type(widget).__name__} {str(name)[:40]!r}"
        rect = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
        area = _scroll_area_of(widget)
        if area is not None:
            # reachable by scrolling up and down; but never cut at the sides
            viewport = area.viewport()
            port = QRect(viewport.mapTo(window, QPoint(0, 0)), viewport.size())
            sideways = area.horizontalScrollBar().isVisible()
            if not sideways and (rect.left() < port.left() or rect.right() > port.right()):
                problems.append(f"{name} at {rect.getRect()} is cut by its panel {port.getRect()}")
        elif not bounds.contains(rect):
            problems.append(f"{name} at {rect.getRect()} lies outside the window")
        hint = widget.minimumSizeHint()
        if hint.isValid() and widget.width() < hint.width():
            problems.append(f"{name} is {widget.width()} px wide, needs {hint.width()}")
        # a text box scrolls its own lines; a fixed height is chosen on purpose
        scrolls = isinstance(widget, (QPlainTextEdit, QTextEdit))
        fixed_height = widget.minimumHeight() == widget.maximumHeight()
        if hint.isValid() and not (scrolls or fixed_height) and widget.height() < hint.height():
            problems.append(f"{name} is {widget.height()} px high, needs {hint.height()}")
    return problems


@pytest.mark.parametrize("size", SMALL_SCREENS, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("view", VIEW_KEYS)
def test_every_view_fits_a_small_screen(qtbot, demo_ctx, view, size):
    window = shown_window(qtbot, demo_ctx, view, size)
    assert layout_problems(window) == []


def test_settings_fit_the_smallest_window(qtbot, demo_ctx):
    window = shown_window(qtbot, demo_ctx, "settings", (960, 600))
    assert layout_problems(window) == []


def test_a_long_data_folder_path_neither_widens_the_window_nor_squeezes_the_status_bar(
    qtbot, tmp_path
):
    from stewardship.app import AppContext

    data = tmp_path / ("a-deeply-nested-shared-folder-" * 6) / "stewardship-data"
    ctx = AppContext.open(data, today=lambda: date(2026, 11, 28))
    try:
        window = shown_window(qtbot, ctx, "settings", (960, 600))
        assert layout_problems(window) == []
        assert window.minimumSizeHint().width() <= 960
        label = window.data_label
        assert str(data) in label.text() and label.toolTip() == label.text(), "the whole path"
        assert label.width() < label.fontMetrics().horizontalAdvance(label.text())
        window.close()
    finally:
        ctx.close()


def test_checklist_item_names_are_readable_at_1024(qtbot, demo_ctx):
    window = shown_window(qtbot, demo_ctx, "checklists", (1024, 768))
    tree = window.pages["checklists"].tree
    assert tree.columnWidth(0) >= 250, "'At least two independent storage copies' fits"


def test_the_requests_form_is_never_squeezed(qtbot, demo_ctx):
    window = shown_window(qtbot, demo_ctx, "requests", (1024, 768))
    form = window.pages["requests"].form
    assert form.width() >= form.minimumSizeHint().width()


def _late_models(ctx) -> None:
    """A model years overdue whose notice fell far short, and one retired years ago."""
    today = ctx.today()
    long_ago = today - timedelta(days=1234)
    ctx.store.save(
        Model(
            slug="old-overdue",
            display_name="Old Overdue",
            provider="Meridian",
            state=LifecycleState.DEPRECATED.value,
            deprecation_announced_on=long_ago - timedelta(days=3),
            retirement_on=long_ago,
        ),
        "t",
    )
    ctx.store.save(
        Model(
            slug="old-retired",
            display_name="Old Retired",
            provider="Meridian",
            state=LifecycleState.RETIRED.value,
            deprecation_announced_on=long_ago - timedelta(days=200),
            retirement_on=long_ago,
            retired_on=long_ago,
        ),
        "t",
    )


@pytest.mark.parametrize("size", [(1280, 800), (1280, 720)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_days_left_and_notice_given_are_not_cut(qtbot, demo_ctx, size):
    _late_models(demo_ctx)
    window = shown_window(qtbot, demo_ctx, "dashboard", size)
    table = window.pages["dashboard"].table
    metrics = table.fontMetrics()
    bold = table.font()
    bold.setBold(True)
    from PySide6.QtGui import QFontMetrics

    bold_metrics = QFontMetrics(bold)
    model = table.model()
    long_ones = []
    for column in (3, 4):  # Days left, Notice given
        width = table.columnWidth(column)
        for row in range(model.rowCount()):
            text = str(model.index(row, column).data() or "")
            needed = max(metrics.horizontalAdvance(text), bold_metrics.horizontalAdvance(text))
            if needed + 10 > width:
                long_ones.append((text, needed, width))
        assert table.columnViewportPosition(column) + width <= table.viewport().width()
    assert long_ones == []
    days = {str(model.index(r, 3).data()) for r in range(model.rowCount())}
    notice = {str(model.index(r, 4).data()) for r in range(model.rowCount())}
    assert "1234 days overdue" in days and "3 days (57 short of 60)" in notice


@pytest.mark.parametrize("size", [(1280, 800), (1280, 720)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_history_old_and_new_are_visible(qtbot, demo_ctx, size):
    window = shown_window(qtbot, demo_ctx, "checklists", size)
    page = window.pages["checklists"]
    page.tabs.setCurrentIndex(1)
    QApplication.processEvents()
    history = page.history
    headers = [history.horizontalHeaderItem(c).text() for c in range(history.columnCount())]
    for title in ("Old", "New"):
        column = headers.index(title)
        left = history.columnViewportPosition(column)
        width = history.columnWidth(column)
        assert width >= 70, f"{title} is {width} px wide"
        assert left >= 0 and left + width <= history.viewport().width(), (
            f"{title} at {left}..{left + width} is past the table's {history.viewport().width()} px"
        )


# -- --size and the first window ----------------------------------------------


def test_screenshot_size_option(tmp_path, monkeypatch):
    monkeypatch.setenv("STEWARDSHIP_TODAY", "2026-11-28")
    png = tmp_path / "out.png"
    data = str(tmp_path / "d")
    args = ["--demo", "--data-dir", data, "--screenshot", str(png), "--size", "1366x768"]
    assert main(args) == 0
    image = QImage(str(png))
    assert (image.width(), image.height()) == (1366, 768)


@pytest.mark.parametrize("bad", ["1366", "axb", "100x100", "1366x768x2"])
def test_a_bad_size_is_one_line_and_exit_2(tmp_path, capsys, bad):
    png = tmp_path / "out.png"
    with pytest.raises(SystemExit) as stop:
        main(["--data-dir", str(tmp_path / "d"), "--screenshot", str(png), "--size", bad])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--size" in err and not png.exists()


FIRST_WINDOW = """
import json, sys
from stewardship.app import AppContext
from stewardship.ui.application import make_application
from stewardship.ui.main_window import MainWindow
from pathlib import Path
app = make_application()
ctx = AppContext.open(Path(sys.argv[1]))
window = MainWindow(ctx)
screen = window.screen().availableGeometry()
g = window.geometry()
print(json.dumps({"window": [g.x(), g.y(), g.width(), g.height()],
                  "screen": [screen.x(), screen.y(), screen.width(), screen.height()],
                  "minimum": [window.minimumWidth(), window.minimumHeight()]}))
"""


@pytest.mark.parametrize("screen", [(1024, 768), (1366, 768), (1920, 1080)])
def test_the_first_window_fits_the_screen(tmp_path, screen):
    config = tmp_path / "screen.json"
    config.write_text(
        json.dumps(
            {"screens": [{"name": "s", "x": 0, "y": 0, "width": screen[0], "height": screen[1]}]}
        )
    )
    env = dict(os.environ, QT_QPA_PLATFORM=f"offscreen:configfile={config}")
    result = subprocess.run(
        [sys.executable, "-c", FIRST_WINDOW, str(tmp_path / "d")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    x, y, width, height = seen["window"]
    assert seen["screen"] == [0, 0, *screen]
    # the window and its title bar and frame (FRAME_ALLOWANCE) are on the screen
    assert x >= 0 and y >= 24 and x + width <= screen[0] and y + height <= screen[1]
    assert (width, height) == (min(1280, screen[0] - 16), min(800, screen[1] - 48))


# -- a screenshot writes nothing ------------------------------------------------


def _fingerprint(folder: Path, settings_file: Path) -> dict[str, str]:
    files = [p for p in sorted(folder.rglob("*")) if p.is_file() and p.suffix != ".png"]
    files.append(settings_file)
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in files if p.exists()}


def test_a_screenshot_of_every_view_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("STEWARDSHIP_TODAY", "2026-11-28")
    data = tmp_path / "d"
    data.mkdir()
    with Store(data / "stewardship.db") as store:  # models without checklists (imported)
        for n in range(3):
            store.save(
                Model(
                    slug=f"imported-{n}",
                    display_name=f"Imported {n}",
                    provider="P",
                    retirement_on=date(2027, 1, n + 1),
                ),
                "importer",
            )
        outbox = store.conn.execute("SELECT count(*) FROM outbox").fetchone()[0]
        audit = store.conn.execute("SELECT count(*) FROM audit").fetchone()[0]
    make_application()
    settings = QSettings()
    settings.setValue("window/geometry", b"the steward's own window size")
    settings.sync()
    settings_file = Path(settings.fileName())
    before = _fingerprint(data, settings_file)
    assert str(settings_file) in before

    for view in VIEW_KEYS:
        png = tmp_path / f"{view}.png"
        assert main(["--data-dir", str(data), "--screenshot", str(png), "--view", view]) == 0
        assert png.stat().st_size > 10_000

    QSettings().sync()
    assert _fingerprint(data, settings_file) == before
    assert QSettings().value("window/geometry") == b"the steward's own window size"
    with Store(data / "stewardship.db") as store:
        assert store.count(ChecklistItem) == 0
        assert store.conn.execute("SELECT count(*) FROM outbox").fetchone()[0] == outbox
        assert store.conn.execute("SELECT count(*) FROM audit").fetchone()[0] == audit


def test_the_checklists_picture_shows_what_opening_would_create(tmp_path, monkeypatch):
    monkeypatch.setenv("STEWARDSHIP_TODAY", "2026-11-28")
    data = tmp_path / "d"
    data.mkdir()
    with Store(data / "stewardship.db") as store:
        store.save(Model(slug="m", display_name="M", provider="P"), "importer")
    from stewardship.app import AppContext
    from stewardship.services.checklists import ChecklistService

    ctx = AppContext.open(data)
    try:
        ctx.store.make_read_only()
        model = ctx.store.list(Model)[0]
        groups = ChecklistService(ctx.store, ctx.who).groups(model, ctx.today())
        assert sum(len(g.items) for g in groups) == 22
        assert ctx.store.count(ChecklistItem) == 0
    finally:
        ctx.close()


@pytest.mark.parametrize("size", [(1366, 768), (1280, 720)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_report_editors_buttons_stay_in_sight_on_a_short_screen(qtbot, demo_ctx, size):
    window = shown_window(qtbot, demo_ctx, "reports", size)
    page = window.pages["reports"]
    page.open_slug("halcyon-1") if hasattr(page, "open_slug") else None
    editor = page.editor
    for _ in range(3):
        QApplication.processEvents()
    for button in (editor.save_button, editor.export_button, editor.draft_button):
        assert button.isVisible()
        shown = button.visibleRegion().boundingRect()
        assert shown.height() == button.height(), (
            f"{button.text()!r} is scrolled or cut out of sight at {size[0]}x{size[1]}"
        )
