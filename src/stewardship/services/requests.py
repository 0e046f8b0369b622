"""Use cases around preference requests: list with filters, log, edit, add a note."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..domain.edits import request_edit_problems
from ..domain.errors import Problem, ValidationError
from ..domain.records import (
    Interview,
    PreferenceRequest,
    RequestSource,
    label,
)
from ..store import Store
from ..store.queries_models import model_names
from .model_records import ModelRecordService
from .model_summary import ModelSummary, model_summaries


@dataclass(frozen=True)
class RequestRow:
    """One request as the list shows it: the record and the names it points to."""

    request: PreferenceRequest
    model_name: str
    model_slug: str
    interview: str

    @property
    def highlighted(self) -> bool:
        return self.request.awaits_low_cost_response

    def search_text(self) -> str:
        r = self.request
        return " ".join(
            [
                self.model_name,
                self.model_slug,
                label(r.source),
                label(r.category),
                label(r.status),
                r.estimated_cost,
                r.words,
                r.response,
                r.rationale,
                r.notes,
                self.interview,
            ]
        )


def interview_label(interview: Interview) -> str:
    when = interview.held_on.isoformat() if interview.held_on else "undated"
    return f"{when} · {interview.interviewers}" if interview.interviewers else when


class RequestService(ModelRecordService[PreferenceRequest]):
    record_cls = PreferenceRequest

    # -- reading ---------------------------------------------------------
    def for_model(self, model_id: str) -> list[PreferenceRequest]:
        return self.store.list(
            PreferenceRequest, "model_id = ?", (model_id,), order_by="received_on, rowid"
        )

    def rows(self) -> list[RequestRow]:
        """Every request, newest first, with its model's name and interview label."""
        names = model_names(self.store)  # deleted ones too: old requests
        interviews = {i.id: i for i in self.store.list(Interview, include_deleted=True)}
        out = []
        for r in self.store.list(PreferenceRequest, order_by="received_on DESC, rowid DESC"):
            name, slug = names.get(r.model_id, ("(unknown model)", ""))
            interview = interviews.get(r.interview_id)
            out.append(
                RequestRow(
                    request=r,
                    model_name=name,
                    model_slug=slug,
                    interview=interview_label(interview) if interview else "",
                )
            )
        return out

    def count(self) -> int:
        return self.store.count(PreferenceRequest)

    def models(self) -> list[ModelSummary]:
        """Every live model, for choosing one (a summary each: stores hold thousands)."""
        return model_summaries(self.store)

    def interviews(self, model_id: str) -> list[Interview]:
        return self.store.list(Interview, "model_id = ?", (model_id,), order_by="held_on DESC")

    # -- rules -----------------------------------------------------------
    def edit_problems(
        self, stored: PreferenceRequest | None, request: PreferenceRequest
    ) -> list[Problem]:
        return request_edit_problems(stored, request)

    def problems(self, request: PreferenceRequest) -> list[Problem]:
        found = super().problems(request)
        if request.interview_id and request.source == RequestSource.MODEL_INTERVIEW:
            interview = self.store.get(Interview, request.interview_id)
            if interview is None or interview.deleted:
                found.append(Problem("interview_id", "no such interview in this store"))
            elif interview.model_id != request.model_id:
                found.append(Problem("interview_id", "that interview is of another model"))
        return found

    # -- writing ---------------------------------------------------------
    def add_note(self, request_id: str, text: str, today: date) -> PreferenceRequest:
        """Append a dated, signed note (e.g. a correction of the requester's words)."""
        text = text.strip()
        if not text:
            raise ValidationError(Problem("notes", "the note is empty"))
        with self.store.transaction():
            stored = self.get(request_id)
            if stored is None:
                raise ValidationError(Problem("id", "no such request in this store"))
            line = f"{today.isoformat()} {self.who}: {text}"
            notes = f"{stored.notes.rstrip()}\n{line}" if stored.notes.strip() else line
            return self.save(stored.replace(notes=notes), note="note added")


def load_rows(store_file: Path) -> list[RequestRow]:
    """Every request row, read on its own connection (for a worker thread)."""
    store = Store(store_file)
    try:
        return RequestService(store, "").rows()
    finally:
        store.close()
