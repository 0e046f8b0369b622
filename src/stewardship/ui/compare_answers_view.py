"""One protocol question, every model's answer: by retirement date, across protocol versions."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QHeaderView, QLabel, QVBoxLayout, QWidget

from ..app import AppContext
from ..domain.vocabulary import plural
from ..services.interview_answers import ComparedAnswer, compare_answers
from ..services.protocols import ProtocolLibrary, load_protocols
from .table_model import Column, RowTableModel
from .widgets import row_table

COLUMNS: list[Column[ComparedAnswer]] = [
    Column("Model", lambda r: r.model_name, tooltip=lambda r: r.model_slug),
    Column("Retirement", lambda r: r.retirement.isoformat() if r.retirement else "not set"),
    Column("Interview", lambda r: r.held_on.isoformat() if r.held_on else "undated"),
    Column("Version", lambda r: f"v{r.protocol_version}"),
    Column("Answer", lambda r: " ".join(r.text.split()), tooltip=lambda r: r.text),
]


class CompareAnswersView(QWidget):
    def __init__(
        self, ctx: AppContext, library: ProtocolLibrary | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.library = library if library is not None else load_protocols()
        self.protocol = QComboBox()
        self.protocol.setAccessibleName("Protocol")
        for pid in self.library.ids():
            self.protocol.addItem(self.library.get(pid).title + f" ({pid})", pid)  # type: ignore[union-attr]
        self.question = QComboBox()
        self.question.setAccessibleName("Question")
        self.question.setMinimumContentsLength(40)
        self.protocol.currentIndexChanged.connect(self._fill_questions)
        self.question.currentIndexChanged.connect(self.refresh)
        self.summary = QLabel()
        self.summary.setProperty("role", "hint")
        self.table_model = RowTableModel(COLUMNS, parent=self)
        self.table = row_table(self.table_model, accessible_name="Answers by model")
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        for column, width in enumerate((160, 100, 100, 64)):
            self.table.setColumnWidth(column, width)
        pick = QHBoxLayout()
        for text, combo in (("&Protocol:", self.protocol), ("&Question:", self.question)):
            caption = QLabel(text)
            caption.setBuddy(combo)
            pick.addWidget(caption)
            pick.addWidget(combo, 1 if combo is self.question else 0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(
            QLabel("<b>What every model answered to one question</b>, by retirement date")
        )
        layout.addLayout(pick)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.summary)
        self._fill_questions()

    def _fill_questions(self, *_args: object) -> None:
        pid = self.protocol.currentData()
        self.question.blockSignals(True)
        self.question.clear()
        seen: set[str] = set()
        # newest wording first; a question dropped in a later version is still listed
        for p in reversed(self.library.versions(pid) if pid else []):
            for q in p.questions():
                if q.id not in seen:
                    seen.add(q.id)
                    self.question.addItem(q.text, q.id)
                    self.question.setItemData(
                        self.question.count() - 1, q.id, Qt.ItemDataRole.ToolTipRole
                    )
        self.question.blockSignals(False)
        self.refresh()

    def select(self, protocol_id: str, question_id: str) -> bool:
        index = self.protocol.findData(protocol_id)
        if index < 0:
            return False
        self.protocol.setCurrentIndex(index)
        found = self.question.findData(question_id)
        if found < 0:
            return False
        self.question.setCurrentIndex(found)
        self.refresh()
        return True

    def refresh(self, *_args: object) -> None:
        pid, qid = self.protocol.currentData(), self.question.currentData()
        rows = compare_answers(self.ctx.store, pid, qid) if pid and qid else []
        self.table_model.set_rows(rows)
        self.table.resizeRowsToContents()
        models = len({r.model_slug for r in rows})
        self.summary.setText(
            f"{plural(len(rows), 'answers')} from {plural(models, 'models')}"
            if rows
            else "No model has answered this question yet."
        )
