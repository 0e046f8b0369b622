"""The dialog the window shows when it cannot start (an unusable data folder, a newer store).

Started from a desktop menu there is no terminal: a line on stderr alone
would leave the steward with nothing on screen at all.
"""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

TITLE = "Stewardship Console cannot start"


def startup_error_box(message: str, parent: QWidget | None = None) -> QMessageBox:
    """The message box for ``message`` (one sentence from the data folder or the store)."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle(TITLE)
    box.setText(message[:1].upper() + message[1:] + ("" if message.endswith(".") else "."))
    box.setInformativeText(
        "Choose another data folder with --data-dir or the STEWARDSHIP_DATA_DIR variable,"
        " or fix the folder's permissions, then start the console again."
    )
    box.setStandardButtons(QMessageBox.StandardButton.Close)
    box.setAccessibleName(TITLE)
    return box


def show_startup_error(message: str) -> None:
    """Show the dialog and wait until it is closed."""
    from .application import make_application

    make_application()
    startup_error_box(message).exec()
