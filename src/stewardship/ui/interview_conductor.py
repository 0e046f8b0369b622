"""Conducting an interview with a protocol: section by section, question by question.

The left tree walks the protocol (answered questions ticked, required ones
marked); the middle holds the question, the answer and the interviewer's
notes; the guidance and follow-ups sit beside it. Moving to another
question saves the one left. Everything works from the keyboard:

- Ctrl+Return: save and go to the next question; Ctrl+PgDown / Ctrl+PgUp:
  next / previous question; Ctrl+S: save; Tab moves between fields;
- Alt+Q: the question tree; Alt+A: the answer; Alt+O: notes; Alt+R: make
  the answer a preference request; Alt+T: split a chat transcript.

A chat-format transcript (a JSON list of ``{"role", "content"}``) splits
into answers; the steward ticks each match to keep before anything is saved.
"""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..app import AppContext
from ..domain.errors import ValidationError
from ..domain.protocols import InterviewProtocol, Question, parse_chat, split_chat
from ..domain.records import Interview, Model, label
from ..services.interview_answers import AnswerService, is_answered
from ..services.interviews import transcript_is_present, transcript_path
from ..services.protocols import ProtocolLibrary, load_protocols
from .chat_split_dialog import ChatSplitDialog
from .widgets import repolish
from .wrapping_tree import WrappingTree

QUESTION_ROLE = Qt.ItemDataRole.UserRole + 1


class InterviewConductor(QWidget):
    """Walks one interview through its protocol's questions."""

    changed = Signal()

    def __init__(
        self, ctx: AppContext, library: ProtocolLibrary | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.library = library if library is not None else load_protocols()
        self.service = AnswerService(ctx.store, ctx.who)
        self.interview: Interview | None = None
        self.protocol: InterviewProtocol | None = None
        self.question: Question | None = None
        self._loading = False

        self.heading = QLabel("Interview")
        self.heading.setObjectName("pageTitle")
        self.protocols = QComboBox()
        self.protocols.setAccessibleName("Protocol")
        for p in self.library.protocols:
            self.protocols.addItem(p.label, p.ref)
        self.protocols.activated.connect(self._protocol_chosen)
        protocol_label = QLabel("&Protocol:")
        protocol_label.setBuddy(self.protocols)
        self.progress = QLabel()
        self.progress.setObjectName("interviewProgress")
        self.progress.setStyleSheet("font-weight:600;")
        self.split_button = QPushButton("Split a chat &transcript…")
        self.split_button.setToolTip(
            'A JSON list of {"role", "content"} messages whose user turns are the questions'
        )
        self.split_button.clicked.connect(self._ask_transcript)
        self.evidence_button = QPushButton("Use as checklist &evidence")
        self.evidence_button.setToolTip(
            "Mark the post-deployment checklist's 'Interview conducted' done,"
            " with this completed interview as its evidence"
        )
        self.evidence_button.clicked.connect(self.record_evidence)
        self.problems = QLabel()
        self.problems.setProperty("role", "error")
        self.problems.setWordWrap(True)
        self.problems.setVisible(bool(self.library.errors))
        self.problems.setText(
            "Protocols that could not be used: " + "; ".join(str(e) for e in self.library.errors)
        )

        top = QHBoxLayout()
        top.addWidget(protocol_label)
        top.addWidget(self.protocols, 1)
        top.addSpacing(12)
        top.addWidget(self.progress)
        top.addStretch(1)
        top.addWidget(self.split_button)
        top.addWidget(self.evidence_button)

        # left: the protocol's sections and questions
        self.nav = WrappingTree()
        self.nav.setHeaderHidden(True)
        self.nav.setAccessibleName("Questions")
        self.nav.currentItemChanged.connect(self._nav_moved)
        nav_label = QLabel("&Questions")
        nav_label.setBuddy(self.nav)

        # middle: the question, the answer, notes
        self.section_label = QLabel()
        self.section_label.setProperty("role", "hint")
        self.question_label = QLabel()
        self.question_label.setWordWrap(True)
        self.question_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.question_label.setStyleSheet("font-size:16px; font-weight:600;")
        self.required_label = QLabel()
        self.answer = QPlainTextEdit()
        self.answer.setAccessibleName("Answer")
        self.answer.setTabChangesFocus(True)
        self.answer.setPlaceholderText("The model's answer, in its words: type or paste it")
        self.answer.textChanged.connect(self._edited)
        answer_label = QLabel("&Answer")
        answer_label.setBuddy(self.answer)
        self.notes = QPlainTextEdit()
        self.notes.setAccessibleName("Notes")
        self.notes.setTabChangesFocus(True)
        self.notes.setPlaceholderText("Interviewer's notes: hesitations, context, follow-ups asked")
        self.notes.setMaximumHeight(90)
        self.notes.textChanged.connect(self._edited)
        notes_label = QLabel("N&otes")
        notes_label.setBuddy(self.notes)
        self.previous_button = QPushButton("◀ Previous")
        self.previous_button.setToolTip("The previous question (Ctrl+PgUp)")
        self.previous_button.clicked.connect(lambda: self.go(-1))
        self.next_button = QPushButton("Save and next ▶")
        self.next_button.setProperty("primary", "true")
        self.next_button.setToolTip("Save this answer and go to the next question (Ctrl+Return)")
        self.next_button.clicked.connect(lambda: self.go(+1))
        self.request_button = QPushButton("Make a preference &request")
        self.request_button.setToolTip(
            "Log this answer as a preference request from the model interview, linked to the"
            " interview and the question"
        )
        self.request_button.clicked.connect(self.make_request)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setProperty("role", "hint")
        buttons = QHBoxLayout()
        buttons.addWidget(self.previous_button)
        buttons.addWidget(self.next_button)
        buttons.addStretch(1)
        buttons.addWidget(self.request_button)
        middle = QWidget()
        mid = QVBoxLayout(middle)
        mid.setContentsMargins(8, 0, 8, 0)
        mid.addWidget(self.section_label)
        mid.addWidget(self.question_label)
        mid.addWidget(self.required_label)
        mid.addWidget(answer_label)
        mid.addWidget(self.answer, 1)
        mid.addWidget(notes_label)
        mid.addWidget(self.notes)
        mid.addLayout(buttons)
        mid.addWidget(self.message)

        # right: guidance and follow-ups, beside the question
        self.guidance = QLabel()
        self.guidance.setWordWrap(True)
        self.guidance.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.guidance.setTextFormat(Qt.TextFormat.RichText)
        self.guidance.setStyleSheet(
            "background:#f4f6f8; border:1px solid #d5dbe1; border-radius:4px; padding:8px;"
        )
        side = QWidget()
        right = QVBoxLayout(side)
        right.setContentsMargins(0, 0, 0, 0)
        right.addWidget(QLabel("<b>For the interviewer</b>"))
        right.addWidget(self.guidance)
        right.addStretch(1)

        left = QWidget()
        nav_box = QVBoxLayout(left)
        nav_box.setContentsMargins(0, 0, 0, 0)
        nav_box.addWidget(nav_label)
        nav_box.addWidget(self.nav, 1)
        legend = QLabel("✓ answered · ○ not yet · * required")
        legend.setProperty("role", "hint")
        nav_box.addWidget(legend)
        self.splitter = QSplitter()
        self.splitter.addWidget(left)
        self.splitter.addWidget(middle)
        self.splitter.addWidget(side)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 5)
        self.splitter.setStretchFactor(2, 2)
        self.splitter.setSizes([330, 560, 260])

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(top)
        layout.addWidget(self.problems)
        layout.addWidget(self.splitter, 1)

        shortcuts = {
            "Ctrl+Return": lambda: self.go(+1),
            "Ctrl+Enter": lambda: self.go(+1),
            "Ctrl+PgDown": lambda: self.go(+1),
            "Ctrl+PgUp": lambda: self.go(-1),
            "Ctrl+S": self.save_current,
        }
        for keys, slot in shortcuts.items():
            QShortcut(QKeySequence(keys), self, slot)
        self.load(None)

    # -- loading ---------------------------------------------------------
    def load(self, interview: Interview | None) -> None:
        self.interview = interview
        protocol = self.library.for_interview(interview.protocol_version) if interview else None
        if interview is not None and protocol is None:
            answers = self.service.answers(interview.id)
            first = next(iter(answers.values()), None)
            if first is not None:
                protocol = self.library.get(first.protocol, first.protocol_version)
        if interview is not None and protocol is None and self.library.protocols:
            protocol = self.library.latest()[0]
        self.protocol = protocol
        if interview is None:
            self.heading.setText("Interview")
        else:
            held = interview.held_on.isoformat() if interview.held_on else "undated"
            title = f" · {interview.title}" if interview.title else ""
            model = self.ctx.store.get(Model, interview.model_id)
            name = f"with {model.display_name}, " if model else ""
            self.heading.setText(f"Interview {name}{held}{title}")
        if protocol is not None:
            self.protocols.setCurrentIndex(self.protocols.findData(protocol.ref))
        self._fill_nav()
        self._show_progress()

    def _fill_nav(self) -> None:
        self._loading = True
        self.nav.clear()
        self.question = None
        if self.protocol is None or self.interview is None:
            self._loading = False
            self._show_question(None)
            return
        answers = self.service.answers(self.interview.id)
        first: QTreeWidgetItem | None = None
        number = 0
        for section in self.protocol.sections:
            parent = QTreeWidgetItem([section.title])
            parent.setFlags(Qt.ItemFlag.ItemIsEnabled)
            font = parent.font(0)
            font.setBold(True)
            parent.setFont(0, font)
            self.nav.addTopLevelItem(parent)
            for q in section.questions:
                number += 1
                child = QTreeWidgetItem([""])
                child.setData(0, QUESTION_ROLE, q.id)
                child.setData(0, Qt.ItemDataRole.UserRole, number)
                parent.addChild(child)
                self._label_item(child, q, is_answered(answers.get(q.id)))
                if first is None and not is_answered(answers.get(q.id)):
                    first = child
        self.nav.expandAll()
        self._loading = False
        items = self._items()
        if first is None and items:
            first = items[0]
        if first is not None:
            self.nav.setCurrentItem(first)

    def _label_item(self, item: QTreeWidgetItem, q: Question, answered: bool) -> None:
        number = item.data(0, Qt.ItemDataRole.UserRole)
        mark = "✓" if answered else "○"
        required = " *" if q.required else ""
        item.setText(0, f"{mark} {number}. {q.text}{required}")
        item.setToolTip(
            0, ("Answered" if answered else "Not answered") + (", required" if q.required else "")
        )

    def _items(self) -> list[QTreeWidgetItem]:
        """The question items, in protocol order (section headings left out)."""
        out: list[QTreeWidgetItem] = []
        for i in range(self.nav.topLevelItemCount()):
            top = self.nav.topLevelItem(i)
            if top is None:
                continue
            for j in range(top.childCount()):
                child = top.child(j)
                if child is not None:
                    out.append(child)
        return out

    def _show_progress(self) -> None:
        has = self.interview is not None and self.protocol is not None
        for w in (self.split_button, self.answer, self.notes, self.next_button):
            w.setEnabled(has)
        if not has:
            self.progress.setText("Choose an interview" if self.interview is None else "")
            self.evidence_button.setEnabled(False)
            self.protocols.setEnabled(self.interview is not None)
            return
        assert self.interview is not None and self.protocol is not None
        answers = self.service.answers(self.interview.id)
        progress = self.service.progress(self.interview.id, self.protocol)
        self.progress.setText(progress.text)
        self.evidence_button.setEnabled(progress.complete)
        # the protocol is fixed once something is answered
        self.protocols.setEnabled(not any(is_answered(a) for a in answers.values()))

    def _show_question(self, q: Question | None) -> None:
        self._loading = True
        self.question = q
        self.message.setText("")
        if q is None or self.protocol is None or self.interview is None:
            for w in (self.section_label, self.question_label, self.required_label):
                w.setText("")
            self.guidance.setText("")
            self.answer.setPlainText("")
            self.notes.setPlainText("")
            self.request_button.setEnabled(False)
            self.previous_button.setEnabled(False)
            self._loading = False
            return
        section = self.protocol.section_of(q.id)
        index = [x.id for x in self.protocol.questions()].index(q.id)
        total = len(self.protocol.questions())
        self.section_label.setText(
            f"{section.title if section else ''} · question {index + 1} of {total}"
        )
        self.question_label.setText(q.text)
        self.required_label.setText("Required" if q.required else "Optional")
        self.required_label.setProperty("role", "error" if q.required else "hint")
        repolish(self.required_label)
        guidance = [f"<p>{html.escape(q.guidance)}</p>"] if q.guidance else []
        if q.follow_ups:
            guidance.append("<p><b>Follow-ups</b> (optional)</p><ul>")
            guidance += [f"<li>{html.escape(f)}</li>" for f in q.follow_ups]
            guidance.append("</ul>")
        if q.request_category:
            guidance.append(
                f"<p style='color:#5f6b7a'>A request made from this answer is filed under"
                f" {html.escape(label(q.request_category).lower())}.</p>"
            )
        self.guidance.setText("".join(guidance) or "<p style='color:#5f6b7a'>No guidance.</p>")
        answer = self.service.answers(self.interview.id).get(q.id)
        self.answer.setPlainText(answer.text if answer and not answer.deleted else "")
        self.notes.setPlainText(answer.notes if answer and not answer.deleted else "")
        self.previous_button.setEnabled(index > 0)
        self.next_button.setText("Save and next ▶" if index + 1 < total else "Save")
        self._loading = False
        self._update_request_button()

    def _update_request_button(self) -> None:
        if self.interview is None or self.question is None:
            self.request_button.setEnabled(False)
            return
        made = self.service.requests_from(self.interview.id).get(self.question.id)
        answer = self.service.answers(self.interview.id).get(self.question.id)
        self.request_button.setEnabled(made is None and is_answered(answer) and not self.dirty())
        if made is not None:
            self.request_button.setText("Preference request logged")
        else:
            self.request_button.setText("Make a preference &request")

    # -- editing ---------------------------------------------------------
    def dirty(self) -> bool:
        if self.interview is None or self.question is None:
            return False
        stored = self.service.answers(self.interview.id).get(self.question.id)
        text, notes = (stored.text, stored.notes) if stored and not stored.deleted else ("", "")
        return (self.answer.toPlainText().strip(), self.notes.toPlainText().strip()) != (
            text,
            notes,
        )

    def _edited(self) -> None:
        if not self._loading:
            self.request_button.setEnabled(False)

    def save_current(self) -> bool:
        """Save the shown answer if it changed; False if it could not be saved."""
        if not self.dirty():
            return True
        assert self.interview is not None and self.protocol is not None
        assert self.question is not None
        try:
            self.interview = self.service.use_protocol(self.interview, self.protocol)
            self.service.save_answer(
                self.interview,
                self.protocol,
                self.question.id,
                self.answer.toPlainText(),
                self.notes.toPlainText(),
            )
        except ValidationError as exc:
            self.message.setText(f"Not saved: {exc}")
            return False
        item = self.nav.currentItem()
        if item is not None:
            self._label_item(item, self.question, bool(self.answer.toPlainText().strip()))
        self._show_progress()
        self._update_request_button()
        self.changed.emit()
        return True

    def go(self, step: int, *, save: bool = True) -> None:
        """Save the shown answer, then show the question ``step`` places on."""
        if self.question is None:
            return
        if save and not self.save_current():
            return
        items = self._items()
        current = self.nav.currentItem()
        index = items.index(current) if current in items else 0
        target = index + step
        if 0 <= target < len(items):
            self.nav.setCurrentItem(items[target])
        self.answer.setFocus()

    def _nav_moved(self, current: QTreeWidgetItem | None, previous: QTreeWidgetItem | None) -> None:
        if self._loading:
            return
        if previous is not None and self.question is not None and self.dirty():
            self.save_current()
        if current is not None and current.data(0, QUESTION_ROLE) is None:
            # a section heading: show its first question
            child = current.child(0) if current.childCount() else None
            if child is not None:
                self.nav.setCurrentItem(child)
            return
        qid = current.data(0, QUESTION_ROLE) if current is not None else None
        self._show_question(self.protocol.question(qid) if self.protocol and qid else None)

    def _protocol_chosen(self, _index: int) -> None:
        if self.interview is None:
            return
        ref = self.protocols.currentData()
        protocol = self.library.for_interview(ref)
        if protocol is None or protocol == self.protocol:
            return
        try:
            self.interview = self.service.use_protocol(self.interview, protocol)
        except ValidationError as exc:
            self.message.setText(str(exc))
            return
        self.protocol = protocol
        self._fill_nav()
        self._show_progress()
        self.changed.emit()

    # -- outcomes ----------------------------------------------------------
    def make_request(self) -> bool:
        if self.interview is None or self.protocol is None or self.question is None:
            return False
        if not self.save_current():
            return False
        try:
            request = self.service.to_request(self.interview, self.protocol, self.question.id)
        except ValidationError as exc:
            self.message.setText(f"No request made: {exc}")
            return False
        self._update_request_button()
        self.message.setText(
            f"Logged as a preference request from the model interview ({label(request.category)});"
            " it is in Requests."
        )
        self.changed.emit()
        return True

    def record_evidence(self) -> bool:
        if self.interview is None or self.protocol is None or not self.save_current():
            return False
        try:
            item = self.service.record_as_evidence(self.interview, self.protocol)
        except ValidationError as exc:
            self.message.setText(f"Not recorded: {exc}")
            return False
        self.message.setText(
            f"Checklist item '{item.title}' is done, with this interview as evidence."
        )
        self.changed.emit()
        return True

    # -- chat transcripts ----------------------------------------------------
    def _ask_transcript(self) -> None:
        start = str(Path.home())
        if self.interview is not None and transcript_is_present(
            self.ctx.data_dir, self.interview.transcript_sha256
        ):
            start = str(transcript_path(self.ctx.data_dir, self.interview.transcript_sha256))
        path, _ = QFileDialog.getOpenFileName(
            self, "Split a chat transcript", start, "Chat transcripts (*.json);;All files (*)"
        )
        if path:
            dialog = self.split_dialog(Path(path))
            if dialog is not None:
                dialog.exec()

    def split_dialog(self, path: Path) -> ChatSplitDialog | None:
        """The dialog that shows how ``path`` splits into answers (None, with a message, if it cannot)."""
        if self.protocol is None or self.interview is None:
            return None
        try:
            messages = parse_chat(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            self.message.setText(f"{path.name} cannot be split: {exc}")
            return None
        split = split_chat(messages, self.protocol)
        if not split.matches:
            self.message.setText(
                f"{path.name}: none of its user turns is a question of {self.protocol.ref};"
                " type or paste the answers instead."
            )
            return None
        existing = self.service.answers(self.interview.id)
        dialog = ChatSplitDialog(
            split, existing_ids={k for k, a in existing.items() if is_answered(a)}, parent=self
        )
        dialog.accepted.connect(lambda: self._save_split(dialog, path.name))
        return dialog

    def _save_split(self, dialog: ChatSplitDialog, name: str) -> None:
        assert self.interview is not None and self.protocol is not None
        chosen = dialog.chosen()
        if not chosen:
            self.message.setText("No answers taken from the transcript.")
            return
        try:
            self.service.save_answers(
                self.interview, self.protocol, chosen, note=f"split from transcript {name}"
            )
        except ValidationError as exc:
            self.message.setText(f"Not saved: {exc}")
            return
        self.interview = self.ctx.store.get(Interview, self.interview.id) or self.interview
        self._fill_nav()
        self._show_progress()
        self.message.setText(f"{len(chosen)} answers taken from {name}.")
        self.changed.emit()


class ConductDialog(QDialog):
    """The conductor in its own window, opened from the Interviews tab (Esc closes; saved)."""

    def __init__(
        self,
        ctx: AppContext,
        interview: Interview,
        library: ProtocolLibrary | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Conduct the interview")
        self.conductor = InterviewConductor(ctx, library)
        self.conductor.load(interview)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.conductor, 1)
        layout.addWidget(close)
        self.resize(1200, 760)

    def reject(self) -> None:
        self.conductor.save_current()
        super().reject()
