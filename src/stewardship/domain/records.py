"""The synced records, as plain dataclasses; declaring one here registers its type.

The README's "Adding a synced record type" lists what else a new type needs
(one migration line and a test sample); ``docs/architecture.md`` has the record
lifecycle. Every type is declared in this module (or a module it imports), so
that importing it, as the registry server does, registers them all.

Every record converts to and from a JSON-friendly dict whose keys are the
field names (the same names the JSON export, the CSV files and the registry
use). ``from_dict`` checks the type of every field it is given and
``problems()`` lists what is wrong across fields; ``validate()`` raises one
:class:`ValidationError` with all of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import ClassVar

from .dates import parse_date
from .errors import Problem, ValidationError
from .lifecycle import LifecycleState
from .record_base import RECORD_TYPES, Record, new_id  # noqa: F401 - re-exported
from .vocabulary import (  # re-exported: records and their vocabularies go together
    ANSWERED_STATUSES,
    Checklist,
    Cost,
    ItemStatus,
    ReportStatus,
    RequestCategory,
    RequestSource,
    RequestStatus,
    label,
)

_SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
#: A SHA-256 digest written out: 64 hexadecimal characters.
SHA256_HEX = re.compile(r"^[0-9a-fA-F]{64}$")
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://\S+$")


def _not_before(
    found: list[Problem],
    later: date | None,
    earlier: date | None,
    later_name: str,
    earlier_name: str,
    what: str,
) -> None:
    if later and earlier and later < earlier:
        found.append(
            Problem(
                later_name,
                f"{what} ({later}) is before {earlier_name.replace('_', ' ')} ({earlier})",
            )
        )


@dataclass
class Model(Record):
    TYPE: ClassVar[str] = "model"
    TABLE: ClassVar[str] = "models"
    EXPORT_SECTION: ClassVar[str] = "models"
    EXPORT_ORDER: ClassVar[tuple[str, ...]] = ("slug",)
    ENUMS: ClassVar[dict[str, type[StrEnum]]] = {"state": LifecycleState}

    slug: str = ""
    display_name: str = ""
    family: str = ""
    provider: str = ""
    internal_only: bool = False
    released_on: date | None = None
    state: str = LifecycleState.ACTIVE.value
    deprecation_announced_on: date | None = None
    retirement_not_before: date | None = None
    retirement_on: date | None = None
    retired_on: date | None = None
    replacement: str = ""
    replacement_recommended_on: date | None = None
    #: platform name -> retirement date (YYYY-MM-DD) where a partner's schedule differs
    platform_dates: dict[str, str] | None = None
    notes: str = ""

    @property
    def lifecycle(self) -> LifecycleState:
        return LifecycleState(self.state)

    @property
    def planned_retirement(self) -> date | None:
        """The confirmed retirement date, else the tentative one."""
        return self.retirement_on or self.retirement_not_before

    def problems(self) -> list[Problem]:
        found = super().problems()
        if not self.slug.strip():
            found.append(Problem("slug", "is required"))
        elif not _SLUG.match(self.slug):
            found.append(
                Problem(
                    "slug",
                    "use lower-case letters, digits, '.', '-' or '_', starting with a letter or digit",
                )
            )
        if not self.display_name.strip():
            found.append(Problem("display_name", "is required"))
        if not self.provider.strip():
            found.append(Problem("provider", "is required"))
        _not_before(
            found,
            self.deprecation_announced_on,
            self.released_on,
            "deprecation_announced_on",
            "released_on",
            "the deprecation announcement",
        )
        for name in ("retirement_not_before", "retirement_on", "retired_on"):
            _not_before(
                found,
                getattr(self, name),
                self.deprecation_announced_on,
                name,
                "deprecation_announced_on",
                "the retirement date",
            )
            _not_before(
                found,
                getattr(self, name),
                self.released_on,
                name,
                "released_on",
                "the retirement date",
            )
        if self.replacement and self.replacement == self.slug:
            found.append(Problem("replacement", "a model cannot replace itself"))
        dates = self.platform_dates or {}
        if not isinstance(dates, dict):
            found.append(
                Problem("platform_dates", "expected an object of platform name to YYYY-MM-DD date")
            )
            dates = {}
        for platform, when in dates.items():
            try:
                parse_date(when, "platform_dates")
            except ValidationError:
                found.append(
                    Problem("platform_dates", f"{platform}: '{when}' is not a YYYY-MM-DD date")
                )
        return found


@dataclass
class ChecklistItem(Record):
    TYPE: ClassVar[str] = "checklist_item"
    TABLE: ClassVar[str] = "checklist_items"
    EXPORT_SECTION: ClassVar[str] = "checklist_items"
    EXPORT_ORDER: ClassVar[tuple[str, ...]] = ("model_id", "checklist", "position", "id")
    REFERENCES: ClassVar[dict[str, str]] = {"model_id": "model"}
    ENUMS: ClassVar[dict[str, type[StrEnum]]] = {"checklist": Checklist, "status": ItemStatus}

    model_id: str = ""
    checklist: str = Checklist.WEIGHT_RETENTION.value
    template_key: str = ""
    template_version: int = 0
    position: int = 0
    title: str = ""
    guidance: str = ""
    required: bool = True
    evidence_required: bool = False
    status: str = ItemStatus.TODO.value
    owner: str = ""
    due_date: date | None = None
    evidence: str = ""
    evidence_url: str = ""
    evidence_sha256: str = ""
    evidence_file: str = ""
    not_applicable_reason: str = ""
    signed_off_by: str = ""
    signed_off_at: str = ""
    notes: str = ""

    @property
    def complete(self) -> bool:
        """Done, or not applicable (with a reason): nothing left to do."""
        return self.status in (ItemStatus.DONE.value, ItemStatus.NOT_APPLICABLE.value)

    @property
    def signed_off(self) -> bool:
        return bool(self.signed_off_by or self.signed_off_at)

    def has_evidence(self) -> bool:
        return any(
            v.strip()
            for v in (self.evidence, self.evidence_url, self.evidence_sha256, self.evidence_file)
        )

    def is_overdue(self, today: date) -> bool:
        return self.due_date is not None and self.due_date < today and not self.complete

    def problems(self) -> list[Problem]:
        found = super().problems()
        if not self.model_id:
            found.append(Problem("model_id", "is required"))
        if not self.title.strip():
            found.append(Problem("title", "is required"))
        if (
            self.status == ItemStatus.NOT_APPLICABLE.value
            and not self.not_applicable_reason.strip()
        ):
            found.append(
                Problem("not_applicable_reason", "say why this item does not apply to this model")
            )
        digest = self.evidence_sha256.strip()
        if digest and not SHA256_HEX.match(digest):
            found.append(
                Problem(
                    "evidence_sha256",
                    f"a SHA-256 digest is 64 hexadecimal characters (0-9, a-f); this is {len(digest)}"
                    " characters"
                    + ("" if re.fullmatch(r"[0-9a-fA-F]*", digest) else " with other symbols"),
                )
            )
        if self.evidence_file.strip() and not digest:
            found.append(
                Problem("evidence_file", "the file's SHA-256 digest has not been computed")
            )
        url = self.evidence_url.strip()
        if url and not _URL.match(url):
            found.append(
                Problem(
                    "evidence_url", "write a full address with its scheme, e.g. https://… or s3://…"
                )
            )
        if self.signed_off:
            found.extend(self._sign_off_problems())
        return found

    def _sign_off_problems(self) -> list[Problem]:
        found: list[Problem] = []
        if not self.signed_off_by.strip():
            found.append(Problem("signed_off_by", "a sign-off needs the name of who signed off"))
        if not self.signed_off_at.strip():
            found.append(Problem("signed_off_at", "a sign-off needs the time it was given"))
        else:
            try:
                datetime.fromisoformat(self.signed_off_at)
            except ValueError:
                found.append(
                    Problem(
                        "signed_off_at",
                        f"'{self.signed_off_at}' is not a time like 2026-11-28T10:00:00Z",
                    )
                )
        if self.status != ItemStatus.DONE.value:
            found.append(
                Problem(
                    "signed_off_by",
                    f"only a done item can be signed off; this one is {label(self.status).lower()}",
                )
            )
        if self.evidence_required and not self.has_evidence():
            found.append(
                Problem(
                    "signed_off_by",
                    "this item needs evidence before sign-off: text, a URL, a SHA-256"
                    " digest or a file",
                )
            )
        return found


@dataclass
class PreferenceRequest(Record):
    TYPE: ClassVar[str] = "preference_request"
    TABLE: ClassVar[str] = "preference_requests"
    EXPORT_SECTION: ClassVar[str] = "preference_requests"
    EXPORT_ORDER: ClassVar[tuple[str, ...]] = ("model_id", "received_on")
    REFERENCES: ClassVar[dict[str, str]] = {"model_id": "model", "interview_id": "interview"}
    ENUMS: ClassVar[dict[str, type[StrEnum]]] = {
        "source": RequestSource,
        "category": RequestCategory,
        "status": RequestStatus,
        "estimated_cost": Cost,
    }
    OPTIONAL_ENUMS: ClassVar[frozenset[str]] = frozenset({"estimated_cost"})

    model_id: str = ""
    source: str = RequestSource.USER.value
    interview_id: str = ""
    #: the protocol question whose answer the request came from (with ``interview_id``)
    question_id: str = ""
    category: str = RequestCategory.OTHER.value
    words: str = ""
    received_on: date | None = None
    status: str = RequestStatus.LOGGED.value
    estimated_cost: str = ""
    response: str = ""
    rationale: str = ""
    responded_on: date | None = None
    notes: str = ""

    def problems(self) -> list[Problem]:
        found = super().problems()
        if not self.model_id:
            found.append(Problem("model_id", "is required"))
        if not self.words.strip():
            found.append(Problem("words", "the request in the requester's words is required"))
        if not self.received_on:
            found.append(Problem("received_on", "is required"))
        _not_before(
            found,
            self.responded_on,
            self.received_on,
            "responded_on",
            "received_on",
            "the response date",
        )
        if self.status in ANSWERED_STATUSES:
            done = label(self.status).lower()
            if not self.response.strip():
                found.append(Problem("response", f"a {done} request needs the response given"))
            if not self.responded_on:
                found.append(
                    Problem("responded_on", f"a {done} request needs the date of the response")
                )
        if self.interview_id and self.source != RequestSource.MODEL_INTERVIEW:
            found.append(
                Problem(
                    "interview_id", "only a request from a model interview links to an interview"
                )
            )
        if self.question_id and not self.interview_id:
            found.append(
                Problem("question_id", "a request from an interview question names the interview")
            )
        return found

    @property
    def awaits_low_cost_response(self) -> bool:
        """Low cost and still under review: the lab answers these first."""
        return self.estimated_cost == Cost.LOW and self.status == RequestStatus.UNDER_REVIEW


@dataclass
class Interview(Record):
    TYPE: ClassVar[str] = "interview"
    TABLE: ClassVar[str] = "interviews"
    EXPORT_SECTION: ClassVar[str] = "interviews"
    EXPORT_ORDER: ClassVar[tuple[str, ...]] = ("model_id", "held_on")
    REFERENCES: ClassVar[dict[str, str]] = {"model_id": "model"}

    model_id: str = ""
    held_on: date | None = None
    title: str = ""
    interviewers: str = ""
    protocol_version: str = ""
    transcript_name: str = ""
    transcript_sha256: str = ""
    summary: str = ""

    def problems(self) -> list[Problem]:
        found = super().problems()
        if not self.model_id:
            found.append(Problem("model_id", "is required"))
        if not self.held_on:
            found.append(Problem("held_on", "is required"))
        return found


@dataclass
class Report(Record):
    TYPE: ClassVar[str] = "report"
    TABLE: ClassVar[str] = "reports"
    EXPORT_SECTION: ClassVar[str] = "reports"
    EXPORT_ORDER: ClassVar[tuple[str, ...]] = ("model_id", "id")
    REFERENCES: ClassVar[dict[str, str]] = {"model_id": "model"}
    ENUMS: ClassVar[dict[str, type[StrEnum]]] = {"status": ReportStatus}

    model_id: str = ""
    reflections: str = ""
    preferences: str = ""
    interpretation: str = ""
    status: str = ReportStatus.DRAFT.value
    reviewers: str = ""
    reopen_reason: str = ""

    def problems(self) -> list[Problem]:
        found = super().problems()
        if not self.model_id:
            found.append(Problem("model_id", "is required"))
        if self.status == ReportStatus.FINAL:
            for name in ("reflections", "preferences", "interpretation"):
                if not getattr(self, name).strip():
                    found.append(Problem(name, "a final report needs every section written"))
            if not self.reviewers.strip():
                found.append(Problem("reviewers", "a final report needs at least one reviewer"))
        return found


@dataclass
class InterviewAnswer(Record):
    """The answer given to one question of an interview protocol.

    Its id is derived from the interview and the question
    (``domain.protocols.answer_id``): one record per question, on every laptop.
    """

    TYPE: ClassVar[str] = "interview_answer"
    TABLE: ClassVar[str] = "interview_answers"
    EXPORT_SECTION: ClassVar[str] = "interview_answers"
    EXPORT_ORDER: ClassVar[tuple[str, ...]] = ("interview_id", "question_id")
    REFERENCES: ClassVar[dict[str, str]] = {"interview_id": "interview"}

    interview_id: str = ""
    question_id: str = ""
    protocol: str = ""
    protocol_version: int = 0
    text: str = ""
    notes: str = ""

    def problems(self) -> list[Problem]:
        found = super().problems()
        for name in ("interview_id", "question_id", "protocol"):
            if not getattr(self, name).strip():
                found.append(Problem(name, "is required"))
        if self.protocol_version < 1:
            found.append(Problem("protocol_version", "must be a whole number from 1 up"))
        return found


# The weights' archive copies, manifests and verifications: declared in their
# own module, imported here so that importing the records registers them all.
from .weights import (  # noqa: E402, F401 - re-exported
    ArchiveCopy,
    WeightManifest,
    WeightManifestFile,
    WeightVerification,
)
