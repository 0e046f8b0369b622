"""The main window: a navigation sidebar and one page per view."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QSettings, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QWidget,
)

from .. import __version__
from ..app import AppContext
from .checklists_view import ChecklistsView
from .dashboard_view import DashboardView
from .models_view import ModelsView
from .placeholder_view import ComingView


@dataclass(frozen=True)
class ViewSpec:
    key: str
    title: str
    build: Callable[[AppContext], QWidget] | None = None
    coming: str = ""


VIEWS: list[ViewSpec] = [
    ViewSpec("dashboard", "Dashboard", DashboardView),
    ViewSpec("models", "Models", ModelsView),
    ViewSpec("checklists", "Checklists", ChecklistsView),
    ViewSpec("requests", "Requests", None,
             "Preference requests from model interviews, users, researchers and staff, with"
             " estimated cost and the response given."),
    ViewSpec("reports", "Reports", None,
             "Post-deployment reports: the model's reflections, its preferences about future"
             " models and the team's interpretation, exported to Markdown, HTML and PDF."),
    ViewSpec("conflicts", "Conflicts", None,
             "Edits made on two laptops to the same field, shown side by side for you to"
             " resolve after a sync with the shared registry."),
    ViewSpec("settings", "Settings", None,
             "The shared registry this data folder syncs with, its CA bundle and your token."),
]
VIEW_KEYS = [v.key for v in VIEWS]


class MainWindow(QMainWindow):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setWindowTitle("Stewardship Console")
        self.setMinimumSize(QSize(960, 600))
        self.pages: dict[str, QWidget] = {}

        self.sidebar = QListWidget()
        self.sidebar.setObjectName("sidebar")
        self.sidebar.setFixedWidth(190)
        self.sidebar.setAccessibleName("Views")
        self.stack = QStackedWidget()
        for number, spec in enumerate(VIEWS, start=1):
            page = spec.build(ctx) if spec.build else ComingView(spec.title, spec.coming)
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
        self.sync_label = QLabel("Not syncing: no registry set up")
        self.statusBar().addPermanentWidget(self.sync_label)

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
        self.data_label.setText(f"Data folder: {self.ctx.data_dir}  ·  signed in as {self.ctx.who}")

    def _check_day_change(self) -> None:
        today = self.ctx.today()
        if today != self._last_day:
            self._last_day = today
            self.refresh()

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            "About Stewardship Console",
            f"<h3>Stewardship Console {__version__}</h3>"
            "<p>Runs the retirement process of deprecated models: notice, migration,"
            " weight retention, interviews and post-deployment reports.</p>"
            f"<p>Data folder: {self.ctx.data_dir}</p>",
        )

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
