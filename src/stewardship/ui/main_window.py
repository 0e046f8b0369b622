"""The main window: a navigation sidebar and one page per view."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QSettings, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QWidget,
)

from ..app import AppContext
from .about_dialog import AboutDialog
from .checklists_view import ChecklistsView
from .conflicts_view import ConflictsView
from .dashboard_view import DashboardView
from .import_export_actions import ImportExportActions
from .models_view import ModelsView
from .placeholder_view import ComingView
from .reports_view import ReportsView
from .requests_view import RequestsView
from .settings_view import SettingsView
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


VIEWS: list[ViewSpec] = [
    ViewSpec("dashboard", "Dashboard", DashboardView),
    ViewSpec("models", "Models", ModelsView),
    ViewSpec("checklists", "Checklists", ChecklistsView),
    ViewSpec("requests", "Requests", RequestsView),
    ViewSpec("reports", "Reports", ReportsView),
    ViewSpec("conflicts", "Conflicts", ConflictsView),
    ViewSpec("settings", "Settings", SettingsView, needs_sync=True),
]
VIEW_KEYS = [v.key for v in VIEWS]


class MainWindow(QMainWindow):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setWindowTitle("Stewardship Console")
        self.setMinimumSize(QSize(960, 600))
        self.pages: dict[str, QWidget] = {}
        self.sync = SyncController(ctx, self)

        self.sidebar = QListWidget()
        self.sidebar.setObjectName("sidebar")
        self.sidebar.setFixedWidth(190)
        self.sidebar.setAccessibleName("Views")
        self.stack = QStackedWidget()
        for number, spec in enumerate(VIEWS, start=1):
            if spec.build is None:
                page = ComingView(spec.title, spec.coming)
            elif spec.needs_sync:
                page = spec.build(ctx, self.sync)
            else:
                page = spec.build(ctx)
            self.pages[spec.key] = page
            self.stack.addWidget(page)
            item = QListWidgetItem(spec.title if spec.build else f"{spec.title}  ·  soon")
            item.setToolTip(f"{spec.title} (Ctrl+{number})")
            item.setData(Qt.ItemDataRole.UserRole, spec.key)
            self.sidebar.addItem(item)
        self.sidebar.currentRowChanged.connect(self._show_row)

        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.sidebar)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self.data_label = QLabel()
        self.statusBar().addWidget(self.data_label, 1)
        self.sync_status = SyncStatusWidget(self.sync)
        self.statusBar().addPermanentWidget(self.sync_status)
        self.sync_status.conflicts_clicked.connect(lambda: self.show_view("conflicts"))
        self.sync.finished.connect(self._sync_finished)
        self.sync.token_needed.connect(self._ask_token)
        conflicts = self.pages["conflicts"]
        assert isinstance(conflicts, ConflictsView)
        conflicts.resolved.connect(self.refresh)
        self.config_label = QLabel()
        self.config_label.setObjectName("configWarning")
        if ctx.config_warnings:
            self.config_label.setText(
                f"⚠ Organisation settings: {len(ctx.config_warnings)} problem(s), see Help ▸ About"
            )
            self.config_label.setToolTip("\n".join(str(w) for w in ctx.config_warnings))
            self.config_label.setStyleSheet("color:#8a5a00; font-weight:600;")
            self.statusBar().addPermanentWidget(self.config_label)

        self._build_menus()
        dashboard = self.pages["dashboard"]
        models = self.pages["models"]
        assert isinstance(dashboard, DashboardView) and isinstance(models, ModelsView)
        dashboard.model_activated.connect(self.open_model)
        models.models_changed.connect(self.refresh)
        checklists = self.pages["checklists"]
        assert isinstance(checklists, ChecklistsView)
        checklists.items_changed.connect(dashboard.refresh)

        self._last_day = ctx.today()
        self._day_timer = QTimer(self)
        self._day_timer.setInterval(60_000)
        self._day_timer.timeout.connect(self._check_day_change)
        self._day_timer.start()

        self.refresh()
        self.show_view("dashboard")
        self._restore_state()

    # -- navigation ------------------------------------------------------
    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        refresh = QAction("&Refresh", self, shortcut=QKeySequence.StandardKey.Refresh)
        refresh.triggered.connect(self.refresh)
        file_menu.addAction(refresh)
        self.import_export = ImportExportActions(self, self.ctx, file_menu)
        sync_action = QAction("S&ync now", self, shortcut=QKeySequence("F9"))
        sync_action.setToolTip("Send your changes to the registry and fetch everyone else's")
        sync_action.triggered.connect(lambda: self.sync.sync_now())
        file_menu.addAction(sync_action)
        file_menu.addSeparator()
        quit_action = QAction("&Quit", self, shortcut=QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

        view_menu = self.menuBar().addMenu("&View")
        for number, spec in enumerate(VIEWS, start=1):
            action = QAction(spec.title, self, shortcut=QKeySequence(f"Ctrl+{number}"))
            action.triggered.connect(lambda _=False, key=spec.key: self.show_view(key))
            view_menu.addAction(action)

        help_menu = self.menuBar().addMenu("&Help")
        about = QAction("&About Stewardship Console", self)
        about.triggered.connect(self.show_about)
        help_menu.addAction(about)

    def show_view(self, key: str) -> None:
        row = VIEW_KEYS.index(key)
        self.sidebar.setCurrentRow(row)
        self.stack.setCurrentIndex(row)

    def current_view(self) -> str:
        return VIEW_KEYS[self.stack.currentIndex()]

    def _show_row(self, row: int) -> None:
        if row >= 0:
            self.stack.setCurrentIndex(row)

    def open_model(self, model_id: str) -> None:
        """Show ``model_id``'s checklists (the dashboard's Enter / double-click)."""
        checklists = self.pages["checklists"]
        assert isinstance(checklists, ChecklistsView)
        self.show_view("checklists")
        checklists.select_model(model_id)
        checklists.tree.setFocus()

    # -- data ------------------------------------------------------------
    def refresh(self) -> None:
        for page in self.pages.values():
            refresh = getattr(page, "refresh", None)
            if refresh:
                refresh()
        self.sync.refresh_status()
        self.data_label.setText(f"Data folder: {self.ctx.data_dir}  ·  signed in as {self.ctx.who}")

    def _sync_finished(self, outcome: object) -> None:
        self.refresh()
        self.statusBar().showMessage(self.sync.message, 10_000)

    def _ask_token(self, why: str) -> None:
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
        AboutDialog(self.ctx, self).exec()

    # -- window state ----------------------------------------------------
    def _restore_state(self) -> None:
        settings = QSettings()
        geometry = settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 800)

    def closeEvent(self, event: QCloseEvent) -> None:
        QSettings().setValue("window/geometry", self.saveGeometry())
        super().closeEvent(event)
