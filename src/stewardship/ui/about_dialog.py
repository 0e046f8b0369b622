"""Help ▸ About: version and build (one source with ``--version``), data and log, org defaults."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from .. import __version__
from ..app import AppContext
from ..buildinfo import build_id
from ..services.logs import log_file
from .app_icon import app_icon
from .org_defaults import OrgDefaultsPanel


class AboutDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About Stewardship Console")
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)

        header = QHBoxLayout()
        icon = QLabel()
        icon.setPixmap(app_icon().pixmap(64, 64))
        header.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        self.version_label = QLabel(
            f"<h3>Stewardship Console {escape(__version__)}</h3>"
            f"<p>Build {escape(build_id())}</p>"
            "<p>Runs the retirement process of deprecated models: notice, migration,"
            " weight retention, interviews and post-deployment reports.</p>"
            f"<p>Data folder: {escape(str(ctx.data_dir))}<br>"
            f"Log file: {escape(str(log_file()))}</p>"
        )
        self.version_label.setObjectName("aboutVersion")
        self.version_label.setWordWrap(True)
        self.version_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        header.addWidget(self.version_label, 1)
        layout.addLayout(header)

        self.org_panel = OrgDefaultsPanel(ctx)
        layout.addWidget(self.org_panel)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
