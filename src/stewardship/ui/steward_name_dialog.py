"""The first start's one question: the steward's name, for audit rows and sign-offs."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ..app import AppContext
from ..domain.errors import ValidationError
from ..services.identity import check_name, named_steward, os_full_name, set_steward_name


class StewardNameDialog(QDialog):
    """Asks for the steward's name, prefilled with the operating system's full name."""

    def __init__(self, suggested: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Your name")
        intro = QLabel(
            "Every change and every sign-off in this console records who made it."
            " Type your name as colleagues and auditors should read it."
        )
        intro.setWordWrap(True)
        self.name_edit = QLineEdit(suggested)
        self.name_edit.setAccessibleName("Your name")
        self.name_edit.setPlaceholderText("e.g. Ada Steward")
        self.name_edit.selectAll()
        label = QLabel("&Name:")
        label.setBuddy(self.name_edit)
        self.error = QLabel()
        self.error.setProperty("role", "error")
        self.error.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        later = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        later.setText("Later")
        later.setToolTip("Set it in Settings; until then you cannot sign items off")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.name_edit.textChanged.connect(self._changed)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(label)
        layout.addWidget(self.name_edit)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(420)
        self._changed()

    def name(self) -> str:
        return " ".join(self.name_edit.text().split())

    def _changed(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        try:
            check_name(self.name_edit.text())
        except ValidationError as exc:
            ok.setEnabled(False)
            typed = bool(self.name_edit.text().strip())
            self.error.setText("; ".join(p.reason for p in exc.problems) if typed else "")
            return
        ok.setEnabled(True)
        self.error.setText("")


def ask_steward_name(ctx: AppContext, parent: QWidget | None = None) -> bool:
    """On a start with no name set, ask for it and keep it; True if a name is set now."""
    if named_steward(ctx.store):
        return True
    dialog = StewardNameDialog(os_full_name(), parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return False
    ctx.who = set_steward_name(ctx.store, dialog.name())
    return True
