"""The dialog shown when a model would retire with required checklist items still open."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..domain.checklists import describe
from ..domain.records import ChecklistItem


class RetirementOverrideDialog(QDialog):
    """Lists the open items; "Retire anyway" needs a written reason (kept in the audit log)."""

    def __init__(
        self, model_name: str, open_items: list[ChecklistItem], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Required checklist items are open")
        self.setMinimumWidth(560)
        count = len(open_items)
        intro = QLabel(
            f"<b>{model_name}</b> cannot retire yet: {count} required checklist item"
            f"{'' if count == 1 else 's'} {'is' if count == 1 else 'are'} not done. Finish them"
            " in Checklists, or write why it must retire now; the reason and this list are kept"
            " in the audit log."
        )
        intro.setWordWrap(True)
        self.items = QListWidget()
        self.items.setAccessibleName("Open required items")
        for item in open_items:
            self.items.addItem(describe(item))
        self.items.setMaximumHeight(180)
        reason_label = QLabel("&Reason for retiring anyway:")
        self.reason = QPlainTextEdit()
        self.reason.setAccessibleName("Reason for retiring anyway")
        self.reason.setPlaceholderText("e.g. Legal deadline; restore test booked for 5 January")
        self.reason.setTabChangesFocus(True)
        self.reason.setFixedHeight(80)
        reason_label.setBuddy(self.reason)

        self.buttons = QDialogButtonBox()
        self.retire_button = QPushButton("&Retire anyway")
        self.buttons.addButton(self.retire_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.reason.textChanged.connect(self._update)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.items)
        layout.addWidget(reason_label)
        layout.addWidget(self.reason)
        layout.addWidget(self.buttons)
        self._update()
        self.reason.setFocus()

    def _update(self) -> None:
        self.retire_button.setEnabled(bool(self.reason_text()))

    def reason_text(self) -> str:
        return self.reason.toPlainText().strip()

    def accept(self) -> None:
        if self.reason_text():
            super().accept()
