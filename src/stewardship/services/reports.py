"""Use cases around post-deployment reports: one per model, edit, finalise, reopen."""

from __future__ import annotations

from dataclasses import dataclass

from ..domain.dates import utc_now
from ..domain.edits import report_edit_problems
from ..domain.errors import Problem, ValidationError
from ..domain.records import Report, ReportStatus, label
from .model_records import ModelRecordService
from .model_summary import ModelSummary, model_summaries

NOT_STARTED = "Not started"


def report_status_text(report: Report | None) -> str:
    """A report's status for stewards: the same words in the window, the CLI and the files."""
    return NOT_STARTED if report is None else label(report.status)


@dataclass(frozen=True)
class ReportListRow:
    """A model as the report list shows it, with its report if one was started."""

    model: ModelSummary  # the list's summary; open the record with ``store.get(Model, id)``
    report: Report | None

    @property
    def status_text(self) -> str:
        return report_status_text(self.report)


class ReportService(ModelRecordService[Report]):
    record_cls = Report

    def for_model(self, model_id: str) -> Report | None:
        found = self.store.list(Report, "model_id = ?", (model_id,), order_by="modified_at DESC")
        return found[0] if found else None

    def rows(self) -> list[ReportListRow]:
        """Every model, with its report or None; models with a report first."""
        reports = {r.model_id: r for r in self.store.list(Report, order_by="modified_at")}
        rows = [ReportListRow(m, reports.get(m.id)) for m in model_summaries(self.store)]
        rows.sort(key=lambda r: r.report is None)
        return rows

    def edit_problems(self, stored: Report | None, report: Report) -> list[Problem]:
        return report_edit_problems(stored, report)

    def problems(self, report: Report) -> list[Problem]:
        found = super().problems(report)
        other = self.for_model(report.model_id) if report.model_id else None
        if other is not None and other.id != report.id:
            found.append(Problem("model_id", "this model already has a report"))
        return found

    def start(self, model_id: str) -> Report:
        """The model's report, starting an empty draft if it has none."""
        with self.store.transaction():
            existing = self.for_model(model_id)
            if existing is not None:
                return existing
            return self.save(Report(model_id=model_id), note="report started")

    def reopen(self, report_id: str, reason: str) -> Report:
        """Take a final report back to *in review* so it can be edited; the reason is audited."""
        reason = reason.strip()
        if not reason:
            raise ValidationError(Problem("reopen_reason", "give the reason for reopening"))
        with self.store.transaction():
            stored = self.get(report_id)
            if stored is None:
                raise ValidationError(Problem("id", "no such report in this store"))
            if stored.status != ReportStatus.FINAL:
                raise ValidationError(Problem("status", "only a final report needs reopening"))
            reopened = stored.replace(
                status=ReportStatus.IN_REVIEW.value,
                reopen_reason=f"{reason} ({self.who}, {utc_now()})",
            )
            return self.save(reopened, note=f"reopened: {reason}")
