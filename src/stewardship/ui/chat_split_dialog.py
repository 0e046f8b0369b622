"""The answers found in a chat-format transcript, for the steward to tick before they are saved.

Each user turn matched to a protocol question is listed with its reply and how
well it matched; only ticked rows become answers (Space ticks or unticks).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..domain.protocols import ChatSplit


class _TickTable(QTableWidget):
    """A table whose Space ticks or unticks the current row's first cell."""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Space:
            row = self.currentRow()
            item = self.item(row, 0) if row >= 0 else None
            if item is not None:
                checked = item.checkState() == Qt.CheckState.Checked
                item.setCheckState(Qt.CheckState.Unchecked if checked else Qt.CheckState.Checked)
            return
        super().keyPressEvent(event)


class ChatSplitDialog(QDialog):
    """Each user turn matched to a question, with its reply: the steward ticks what to keep."""

    def __init__(
        self, split: ChatSplit, existing_ids: set[str], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Answers found in the transcript")
        self.split = split
        intro = QLabel(
            f"{len(split.matches)} of the transcript's questions match the protocol."
            " Check each match; only ticked answers are saved (Space ticks or unticks)."
            + (
                f" {len(split.unmatched)} other user turns matched no question; they stay with"
                " the answer they follow."
                if split.unmatched
                else ""
            )
        )
        intro.setWordWrap(True)
        self.table = _TickTable(len(split.matches), 4)
        self.table.setAccessibleName("Matches")
        self.table.setHorizontalHeaderLabels(
            ["Keep · question", "Asked in the transcript", "Answer", "Match"]
        )
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(True)
        for row, m in enumerate(split.matches):
            keep = QTableWidgetItem(m.question.text)
            keep.setFlags(
                Qt.ItemFlag.ItemIsEnabled
                | Qt.ItemFlag.ItemIsSelectable
                | Qt.ItemFlag.ItemIsUserCheckable
            )
            keep.setCheckState(Qt.CheckState.Checked)
            if m.question.id in existing_ids:
                keep.setToolTip("Replaces the answer already recorded")
                keep.setText(f"{m.question.text} (replaces the recorded answer)")
            self.table.setItem(row, 0, keep)
            self.table.setItem(row, 1, QTableWidgetItem(m.asked))
            self.table.setItem(row, 2, QTableWidgetItem(m.answer))
            self.table.setItem(row, 3, QTableWidgetItem(f"{m.score:.0%}"))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(0, 260)
        self.table.setColumnWidth(1, 220)
        self.table.resizeRowsToContents()
        self.table.setCurrentCell(0, 0)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Save).setText("Save ticked answers")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(1000, 560)

    def chosen(self) -> dict[str, str]:
        """Question id -> answer of the ticked matches."""
        out = {}
        for row, m in enumerate(self.split.matches):
            item = self.table.item(row, 0)
            if item is not None and item.checkState() == Qt.CheckState.Checked:
                out[m.question.id] = m.answer
        return out
