"""A page for a view that a later release fills, clearly marked as coming."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from .widgets import page_subtitle, page_title


class ComingView(QWidget):
    def __init__(self, title: str, what: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("page")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.addWidget(page_title(title))
        badge = QLabel("Coming in a later release")
        badge.setStyleSheet(
            "background:#fff4d6; color:#8a5a00; border:1px solid #e9cf8f;"
            " border-radius:4px; padding:4px 10px; font-weight:600;"
        )
        badge.setAlignment(Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(badge, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(page_subtitle(what))
        layout.addStretch(1)

    def refresh(self) -> None:
        """Nothing to load yet."""
