"""The dialog an unexpected error opens: what happened, the log file, *Copy details*.

Opened by :mod:`.crash_reporter`; further errors while it is open are added to it.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..buildinfo import version_text
from ..domain.redaction import redact
from ..services.logs import known_secrets


class CrashDialog(QDialog):
    """What went wrong, in plain words; the details one click from the clipboard."""

    def __init__(self, log_path: Path | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("crashDialog")
        self.setWindowTitle("Something went wrong")
        self.setMinimumWidth(560)
        self.log_path = log_path
        self.errors: list[tuple[str, str]] = []  # (one line, traceback)
        layout = QVBoxLayout(self)

        self.headline = QLabel()
        self.headline.setWordWrap(True)
        layout.addWidget(self.headline)
        self.what_label = QLabel()
        self.what_label.setWordWrap(True)
        self.what_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.what_label)
        advice = QLabel(
            "The window stays open, and what you saved before is kept; the action that"
            " failed may not have finished, so check it. If this keeps happening, press"
            " Copy details and send them, with the log file, to whoever supports your console."
        )
        advice.setWordWrap(True)
        layout.addWidget(advice)
        self.log_label = QLabel(
            f"Log file: {log_path}" if log_path else "No log file could be written."
        )
        self.log_label.setWordWrap(True)
        self.log_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.log_label)
        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        self.details.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        layout.addWidget(self.details, 1)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton("&Copy details")
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self.copy_details)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def add_error(self, summary: str, details: str) -> None:
        self.errors.append((summary, details))
        count = len(self.errors)
        self.headline.setText(
            "<b>Stewardship Console hit an unexpected error.</b>"
            if count == 1
            else f"<b>Stewardship Console hit {count} unexpected errors.</b>"
        )
        self.what_label.setText(f"What happened: {summary}")
        self.details.setPlainText("\n".join(text for _, text in self.errors))

    def details_text(self) -> str:
        """What *Copy details* puts on the clipboard: version, platform, log file, tracebacks."""
        header = [
            version_text(),
            f"Python {sys.version.split()[0]} on {sys.platform}, Qt {qVersion()}",
            f"Log file: {self.log_path or '(none)'}",
            "",
        ]
        return redact(
            "\n".join(header) + "\n".join(text for _, text in self.errors), known_secrets()
        )

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(self.details_text())
        self.copy_button.setText("Copied")
