"""A refused import file: the headline and every problem, readable and copyable."""

from __future__ import annotations

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

from ..services.file_problems import FileProblem


class ProblemsDialog(QDialog):
    """A refused file: the headline and every problem, readable and copyable."""

    def __init__(
        self, title: str, headline: str, problems: list[FileProblem], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(720, 420)
        layout = QVBoxLayout(self)
        heading = QLabel(headline)
        heading.setWordWrap(True)
        heading.setObjectName("problemsHeadline")
        heading.setStyleSheet("font-weight: 600;")
        layout.addWidget(heading)
        # The headline already says nothing was imported.
        hint = QLabel("Fix these in the file and import it again:")
        layout.addWidget(hint)
        self.text = QPlainTextEdit("\n".join(str(p) for p in problems))
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.text.setAccessibleName("Problems")
        layout.addWidget(self.text, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        copy = QPushButton("Copy problems")
        copy.clicked.connect(
            lambda: QGuiApplication.clipboard().setText(headline + "\n" + self.text.toPlainText())
        )
        buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
