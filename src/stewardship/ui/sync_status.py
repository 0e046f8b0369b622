"""The status-bar indicator: offline / syncing with progress / synced N minutes ago / waiting / conflicts."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QToolButton, QWidget

from .sync_controller import Phase, SyncController


def status_text(controller: SyncController) -> str:
    c = controller
    parts: list[str] = []
    if c.phase == Phase.NOT_CONFIGURED:
        parts.append("Offline: no registry set up")
    elif c.phase == Phase.SYNCING:
        parts.append("Syncing…")
    elif c.phase == Phase.OFFLINE:
        parts.append("Offline: registry unreachable")
    elif c.phase == Phase.FAILED:
        parts.append("Sync failed")
    else:
        minutes = c.minutes_since_sync()
        if minutes is None:
            parts.append("Never synced")
        elif minutes == 0:
            parts.append("Synced just now")
        elif minutes == 1:
            parts.append("Synced 1 minute ago")
        elif minutes < 120:
            parts.append(f"Synced {minutes} minutes ago")
        else:
            parts.append(f"Synced {minutes // 60} hours ago")
    if c.waiting:
        parts.append(f"{c.waiting} change{'s' if c.waiting != 1 else ''} waiting")
    if c.conflicts:
        parts.append(f"{c.conflicts} conflict{'s' if c.conflicts != 1 else ''}")
    return " · ".join(parts)


class SyncStatusWidget(QWidget):
    conflicts_clicked = Signal()

    def __init__(self, controller: SyncController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.label = QLabel()
        self.label.setAccessibleName("Sync status")
        self.bar = QProgressBar()
        self.bar.setFixedWidth(140)
        self.bar.setMaximumHeight(14)
        self.bar.setTextVisible(False)
        self.bar.hide()
        self.conflicts_button = QToolButton()
        self.conflicts_button.setText("Resolve…")
        self.conflicts_button.setToolTip("Open the Conflicts view")
        self.conflicts_button.clicked.connect(self.conflicts_clicked)
        self.conflicts_button.hide()
        self.sync_button = QToolButton()
        self.sync_button.setText("Sync now")
        self.sync_button.setToolTip("Sync with the registry (F9)")
        self.sync_button.clicked.connect(lambda: controller.sync_now())
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 4, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addWidget(self.conflicts_button)
        layout.addWidget(self.sync_button)
        controller.changed.connect(self.update_view)
        controller.progress.connect(self._progress)
        self.update_view()

    def update_view(self) -> None:
        c = self.controller
        self.label.setText(status_text(c))
        self.label.setToolTip(c.message or "")
        syncing = c.phase == Phase.SYNCING
        self.bar.setVisible(syncing)
        if syncing:
            self.bar.setRange(0, 0)  # busy until the first progress report
        self.sync_button.setEnabled(not syncing and c.phase != Phase.NOT_CONFIGURED)
        self.conflicts_button.setVisible(bool(c.conflicts))

    def _progress(self, what: str, done: int, total: int) -> None:
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(done)
        self.bar.setToolTip(f"{what}: {done} of {total}")
