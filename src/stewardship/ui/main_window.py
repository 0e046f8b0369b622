"""The main window: a navigation sidebar and one page per view."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, QRect, QSettings, QSize, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QWidget,
)

from ..app import AppContext
from ..services.identity import named_steward
from .after_paint import call_after_first_paint
from .dashboard_view import DashboardView
from .page_stack import LazyPages
from .placeholder_view import ComingView
from .widgets import ElidedLabel

if TYPE_CHECKING:
    from .import_export_actions import ImportExportActions
    from .sync_controller import SyncController
    from .sync_status import SyncStatusWidget


@dataclass(frozen=True)
class ViewSpec:
    key: str
    title: str
    build: Callable[..., QWidget] | None = None
    coming: str = ""
    #: the builder also takes the window's SyncController
    needs_sync: bool = False


def _lazy(module: str, name: str) -> Callable[..., QWidget]:
    """A view class imported when the view is first shown, not at start-up."""

    def build(*args: object) -> QWidget:
        return getattr(importlib.import_module(f".{module}", __package__), name)(*args)

    build.__name__ = build.__qualname__ = name
    return build


VIEWS: list[ViewSpec] = [
    ViewSpec("dashboard", "Dashboard", DashboardView),
    ViewSpec("models", "Models", _lazy("models_view", "ModelsView")),
    ViewSpec("checklists", "Checklists", _lazy("checklists_view", "ChecklistsView")),
    ViewSpec("requests", "Requests", _lazy("requests_view", "RequestsView")),
    ViewSpec("reports", "Reports", _lazy("reports_view", "ReportsView")),
    ViewSpec("conflicts", "Conflicts", _lazy("conflicts_view", "ConflictsView")),
    ViewSpec("settings", "Settings", _lazy("settings_view", "SettingsView"), needs_sync=True),
]
VIEW_KEYS = [v.key for v in VIEWS]
#: the first window's size where the screen has room; a smaller screen gets less
FIRST_SIZE = QSize(1280, 800)
MINIMUM_SIZE = QSize(960, 600)
#: left for the window manager's title bar and frame around the first window
FRAME_ALLOWANCE = QSize(16, 48)


def first_geometry(available: QRect | None) -> QRect:
    """Where the first window opens (no saved size): :data:`FIRST_SIZE`, shrunk to fit
    the screen's ``available`` area less its frame, centred in it."""
    if available is None:
        return QRect(QPoint(0, 0), FIRST_SIZE)
    width = min(FIRST_SIZE.width(), available.width() - FRAME_ALLOWANCE.width())
    height = min(FIRST_SIZE.height(), available.height() - FRAME_ALLOWANCE.height())
    rect = QRect(0, 0, max(width, 320), max(height, 240))
    rect.moveCenter(available.center())
    rect.moveTop(max(rect.top(), available.top() + FRAME_ALLOWANCE.height() - 8))
    return rect


#: finish_start runs this long after the window is built if no paint has come first.
START_FALLBACK_MS = 1_000


class MainWindow(QMainWindow):
    """The window. What the first frame shows is built here; the rest (menu entries, sync
    controller and status, timers) right after the first paint (:meth:`finish_start`)."""

    def __init__(self, ctx: AppContext, *, remember_geometry: bool = True) -> None:
        super().__init__()
        self.ctx = ctx
        #: read the saved window size at start and save it at close (not for a screenshot)
        self.remember_geometry = remember_geometry
        self.setWindowTitle("Stewardship Console")
        available = self._available()
        # never larger than the screen: a 1024x768 laptop must show the whole window
        self.setMinimumSize(
            QSize(
                min(MINIMUM_SIZE.width(), available.width() if available else 10_000),
                min(MINIMUM_SIZE.height(), available.height() if available else 10_000),
            )
        )
        self._started = False

        self.sidebar = QListWidget()
        self.sidebar.setObjectName("sidebar")
        self.sidebar.setFixedWidth(190)
        self.sidebar.setAccessibleName("Views")
        self.stack = QStackedWidget()
        for number, spec in enumerate(VIEWS, start=1):
            item = QListWidgetItem(spec.title if spec.build else f"{spec.title}  ·  soon")
            item.setToolTip(f"{spec.title} (Ctrl+{number})")
            self.sidebar.addItem(item)
        # Pages are built when first shown and refreshed only when visible (page_stack).
        self.pages = LazyPages(self.stack, VIEW_KEYS, self._build_page, self._page_built)
        self.sidebar.currentRowChanged.connect(self._show_row)

        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.sidebar)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self.data_label = ElidedLabel()  # a long data folder path must not widen the window
        self.statusBar().addWidget(self.data_label, 1)
        self.config_label = QLabel()
        self.config_label.setObjectName("configWarning")
        if ctx.config_warnings:
            self.config_label.setText(
                f"⚠ Organisation settings: {len(ctx.config_warnings)} problem(s), see Help ▸ About"
            )
            self.config_label.setToolTip("\n".join(str(w) for w in ctx.config_warnings))
            self.config_label.setStyleSheet("color:#8a5a00; font-weight:600;")
            self.statusBar().addPermanentWidget(self.config_label)
        # The menu bar shows its titles at once; the entries are added by finish_start.
        self.file_menu = self.menuBar().addMenu("&File")
        self.view_menu = self.menuBar().addMenu("&View")
        self.help_menu = self.menuBar().addMenu("&Help")

        self.show_view("dashboard")
        self._refresh_status()
        self._restore_state()
        call_after_first_paint(self, self.finish_start)
        # A window that starts minimised or hidden is not painted: finish anyway, soon.
        QTimer.singleShot(START_FALLBACK_MS, self, self.finish_start)

    def finish_start(self) -> None:
        """Build what the first frame does not show. Runs once, just after the first paint
        (or earlier, when something asks for the sync controller or the file actions)."""
        if self._started:
            return
        self._started = True
        from .sync_controller import SyncController
        from .sync_status import SyncStatusWidget

        self._sync = SyncController(self.ctx, self)
        self._sync_status = SyncStatusWidget(self._sync)
        if self.ctx.config_warnings:  # left of the organisation-settings warning
            self.statusBar().insertPermanentWidget(0, self._sync_status)
        else:
            self.statusBar().addPermanentWidget(self._sync_status)
        self._sync_status.conflicts_clicked.connect(lambda: self.show_view("conflicts"))
        self._sync.finished.connect(self._sync_finished)
        self._sync.token_needed.connect(self._ask_token)
        self._build_menus()

        self._last_day = self.ctx.today()
        self._day_timer = QTimer(self)
        self._day_timer.setInterval(60_000)
        self._day_timer.timeout.connect(self._check_day_change)
        self._day_timer.start()

    @property
    def started(self) -> bool:
        """Whether :meth:`finish_start` has run (menus, sync status and timers exist)."""
        return self._started

    @property
    def sync(self) -> SyncController:
        self.finish_start()
        return self._sync

    @property
    def sync_status(self) -> SyncStatusWidget:
        self.finish_start()
        return self._sync_status

    @property
    def import_export(self) -> ImportExportActions:
        self.finish_start()
        return self._import_export

    def _build_page(self, key: str) -> QWidget:
        spec = VIEWS[VIEW_KEYS.index(key)]
        if spec.build is None:
            return ComingView(spec.title, spec.coming)
        if spec.needs_sync:
            return spec.build(self.ctx, self.sync)
        return spec.build(self.ctx)

    def _page_built(self, key: str, page: QWidget) -> None:
        if isinstance(page, DashboardView):
            page.model_activated.connect(self.open_model)
        elif key == "models":
            page.models_changed.connect(self.refresh)  # type: ignore[attr-defined]
        elif key == "conflicts":
            page.resolved.connect(self.refresh)  # type: ignore[attr-defined]
        elif key == "checklists":
            page.items_changed.connect(  # type: ignore[attr-defined]
                lambda: self.pages.mark_stale("dashboard")
            )

    # -- navigation ------------------------------------------------------
    def _build_menus(self) -> None:
        from .import_export_actions import ImportExportActions

        file_menu = self.file_menu
        refresh = QAction("&Refresh", self, shortcut=QKeySequence(QKeySequence.StandardKey.Refresh))
        refresh.triggered.connect(self.refresh)
        file_menu.addAction(refresh)
        self._import_export = ImportExportActions(self, self.ctx, file_menu)
        sync_action = QAction("S&ync now", self, shortcut=QKeySequence("F9"))
        sync_action.setToolTip("Send your changes to the registry and fetch everyone else's")
        sync_action.triggered.connect(lambda: self.sync.sync_now())
        file_menu.addAction(sync_action)
        file_menu.addSeparator()
        quit_action = QAction("&Quit", self, shortcut=QKeySequence(QKeySequence.StandardKey.Quit))
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

        for number, spec in enumerate(VIEWS, start=1):
            action = QAction(spec.title, self, shortcut=QKeySequence(f"Ctrl+{number}"))
            action.triggered.connect(lambda _=False, key=spec.key: self.show_view(key))
            self.view_menu.addAction(action)

        about = QAction("&About Stewardship Console", self)
        about.triggered.connect(self.show_about)
        self.help_menu.addAction(about)

    def show_view(self, key: str) -> None:
        row = VIEW_KEYS.index(key)
        self.pages.show(key)
        self.sidebar.setCurrentRow(row)

    def current_view(self) -> str:
        return self.pages.current_key()

    def _show_row(self, row: int) -> None:
        if row >= 0:
            self.pages.show(VIEW_KEYS[row])

    def open_model(self, model_id: str) -> None:
        """Show ``model_id``'s checklists (the dashboard's Enter / double-click)."""
        self.show_view("checklists")
        checklists = self.pages["checklists"]
        checklists.select_model(model_id)  # type: ignore[attr-defined]
        checklists.tree.setFocus()  # type: ignore[attr-defined]

    # -- data ------------------------------------------------------------
    def refresh(self) -> None:
        """Reload the visible view now; the others reload when next shown."""
        self.pages.refresh()
        self._refresh_status()

    def _refresh_status(self) -> None:
        if self._started:
            self._sync.refresh_status()
        who = (
            f"signed in as {self.ctx.who}"
            if named_steward(self.ctx.store)
            else "your name is not set (Settings)"
        )
        self.data_label.setText(f"Data folder: {self.ctx.data_dir}  ·  {who}")

    def _sync_finished(self, outcome: object) -> None:
        self.refresh()
        self.statusBar().showMessage(self.sync.message, 10_000)

    def _ask_token(self, why: str) -> None:
        from PySide6.QtWidgets import QInputDialog, QLineEdit  # dialogs load when first used

        token, ok = QInputDialog.getText(
            self, "Registry token", why + "\n\nToken:", QLineEdit.EchoMode.Password
        )
        if ok and token.strip():
            self.sync.session_token = token.strip()
            self.sync.sync_now()

    def _check_day_change(self) -> None:
        today = self.ctx.today()
        if today != self._last_day:
            self._last_day = today
            self.refresh()

    def show_about(self) -> None:
        from .about_dialog import AboutDialog

        AboutDialog(self.ctx, self).exec()

    # -- window state ----------------------------------------------------
    def _restore_state(self) -> None:
        geometry = QSettings().value("window/geometry") if self.remember_geometry else None
        if geometry is None or not self.restoreGeometry(geometry):
            self.setGeometry(first_geometry(self._available()))

    def _available(self) -> QRect | None:
        screen = self.screen() or QGuiApplication.primaryScreen()
        return screen.availableGeometry() if screen is not None else None

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._started:  # a closed window syncs and checks the date no more (its store
            self._sync.timer.stop()  # may be closed next: a screenshot's is)
            self._day_timer.stop()
        if self.remember_geometry:
            QSettings().setValue("window/geometry", self.saveGeometry())
        super().closeEvent(event)
