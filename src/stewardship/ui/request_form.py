"""The form that logs or edits a preference request."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from enum import StrEnum

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QPlainTextEdit, QWidget

from ..domain.edits import WORDS_FROZEN
from ..domain.errors import Problem
from ..domain.records import (
    Cost,
    PreferenceRequest,
    Record,
    RequestCategory,
    RequestSource,
    RequestStatus,
    label,
)
from ..services.requests import RequestService, interview_label
from .record_form import DATE_HINT, FieldSpec, RecordForm

FIELDS = [
    FieldSpec("model_id", "Model", "choice"),
    FieldSpec("source", "From", "choice"),
    FieldSpec("interview_id", "Interview", "choice"),
    FieldSpec("category", "Category", "choice"),
    FieldSpec(
        "words",
        "Request",
        "multiline",
        "The request in the requester's own words, exactly as received",
        80,
    ),
    FieldSpec("received_on", "Received on", "date", DATE_HINT),
    FieldSpec("estimated_cost", "Cost of responding", "choice"),
    FieldSpec("status", "Status", "choice"),
    FieldSpec("response", "Response", "multiline", "What was done or said in reply", 56),
    FieldSpec("rationale", "Rationale", "multiline", "Why", 48),
    FieldSpec("responded_on", "Responded on", "date", DATE_HINT),
    FieldSpec(
        "notes", "Notes", "multiline", "Corrections and context; every change is audited", 56
    ),
]


def _enum_choices(enum: type[StrEnum]) -> list[tuple[str, str]]:
    return [(label(e.value), e.value) for e in enum]


class RequestForm(RecordForm):
    noun = "request"

    def __init__(
        self, service: RequestService, today: Callable[[], date], parent: QWidget | None = None
    ) -> None:
        super().__init__(PreferenceRequest, FIELDS, parent)
        self.service = service
        self.today = today
        self.history = QLabel()
        self.history.setProperty("role", "hint")
        self.history.setWordWrap(True)
        self.history.setTextFormat(Qt.TextFormat.PlainText)
        self.main_layout.insertWidget(self.main_layout.count() - 2, self.history)
        self.set_choices("source", _enum_choices(RequestSource))
        self.set_choices("category", _enum_choices(RequestCategory))
        self.set_choices("status", _enum_choices(RequestStatus))
        self.set_choices("estimated_cost", [("Not estimated", ""), *_enum_choices(Cost)])
        self.load(None)

    # -- hooks -----------------------------------------------------------
    def blank(self) -> Record:
        return PreferenceRequest(received_on=self.today(), status=RequestStatus.LOGGED.value)

    def title_for(self, record: Record | None) -> str:
        return "Edit request" if record else "Log a request"

    def fill_choices(self, record: Record) -> None:
        assert isinstance(record, PreferenceRequest)
        models = [(m.display_name, m.id) for m in self.service.models()]
        self.set_choices("model_id", [("Choose a model…", ""), *models])
        self._fill_interviews(record.model_id)
        words = self.widgets["words"]
        assert isinstance(words, QPlainTextEdit)
        stored = self.original is not None
        words.setReadOnly(stored)
        words.setToolTip(WORDS_FROZEN if stored else "")
        self.hints["words"].setText(
            "Saved words never change; put a correction in Notes." if stored else ""
        )
        self.hints["words"].setVisible(stored)
        self._show_history(record)

    def _fill_interviews(self, model_id: str) -> None:
        interviews = self.service.interviews(model_id) if model_id else []
        self.set_choices(
            "interview_id",
            [("No linked interview", ""), *((interview_label(i), i.id) for i in interviews)],
        )

    def after_change(self, name: str) -> None:
        if name == "status" and name in self._touched:
            # choosing an answered status asks for the response: say so at once
            self._touched |= {"response", "responded_on"}
        if name == "model_id" and not self._loading:
            self._fill_interviews(self.values()["model_id"])
        if name in {"source", "model_id"}:
            combo = self.widgets["interview_id"]
            assert isinstance(combo, QComboBox)
            from_interview = self.values()["source"] == RequestSource.MODEL_INTERVIEW
            combo.setEnabled(from_interview and combo.count() > 1)
            if not from_interview and combo.currentIndex() != 0 and not self._loading:
                combo.setCurrentIndex(0)
            self.hints["interview_id"].setText(
                "Only a request from a model interview links to one"
                if not from_interview
                else ("No interview of this model is recorded yet" if combo.count() <= 1 else "")
            )
            self.hints["interview_id"].setVisible(bool(self.hints["interview_id"].text()))

    def check(self, record: Record) -> list[Problem]:
        assert isinstance(record, PreferenceRequest)
        return self.service.problems(record)

    def persist(self, record: Record) -> Record:
        assert isinstance(record, PreferenceRequest)
        return self.service.save(record)

    # -- history ---------------------------------------------------------
    def _show_history(self, record: Record) -> None:
        if self.original is None:
            self.history.setText("")
            self.history.hide()
            return
        lines = []
        for entry in self.service.store.history(record.id)[-8:]:
            field = entry["field"]
            what = "logged" if field == "(created)" else f"{self.labels.get(field, field)} changed"
            lines.append(f"{entry['at'][:10]}  {entry['who']}: {what}")
        self.history.setText("History (latest last):\n" + "\n".join(lines))
        self.history.show()
