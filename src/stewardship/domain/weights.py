"""Archive copies of a model's weights, their manifest, and the verifications of the copies.

Four synced record types (declared here, registered through ``records.py``):

- :class:`ArchiveCopy`: where one copy of the weights lives (``file:///...`` or
  ``s3://bucket/prefix``), its label, provider and region, who added it, when;
- :class:`WeightManifest`: the model's manifest, recorded once: how many files,
  how many bytes, where it came from, and the SHA-256 of its ``SHA256SUMS`` text;
- :class:`WeightManifestFile`: one file of a manifest (path, size, SHA-256);
- :class:`WeightVerification`: one run of checking a copy against the manifest.

Why one record per manifest file rather than the whole list in one record: a
registry batch carries at most 100 operations and 1 MiB
(``docs/registry-protocol.md``), and a checkpoint can hold thousands of files
(10,000 entries as one JSON list is ~1.5 MB: one record over the limit, refused
on every sync). A file record is ~300 bytes, so batches stay small whatever the
manifest's size; each is written once and never edited (nothing to merge), and
its id is derived from the model and the path, so two laptops that record the
same manifest write the same records and a differing digest surfaces as a
conflict instead of a duplicate. The manifest record names its file count, so a
console that has pulled only part of the files says so rather than verifying
against half a manifest. The files are pushed before their manifest record.

Also here, pure: reading ``sha256sum`` output, writing it back, and the rules
that turn copies and verifications into a status (independence, due dates).
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import ClassVar

from .errors import Problem, ValidationError
from .record_base import Record

_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_GNU_LINE = re.compile(r"^(\\?)([0-9a-fA-F]{64}) ([ *])(.+)$")
_BSD_LINE = re.compile(r"^(\\?)SHA256 \((.+)\) = ([0-9a-fA-F]{64})$")
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")


#: The most failures (and extra files) a verification record lists; the totals count all.
MAX_LISTED = 100

#: Ids of manifest records are derived from the model (and the path), see the module.
_MANIFEST_NAMESPACE = uuid.UUID("0b7f3f52-5d0c-4c8e-9a57-3f1d2f0c6b11")


class VerificationOutcome(StrEnum):
    PASSED = "passed"
    FAILED = "failed"


class FileProblem(StrEnum):
    """What a verification found wrong with one file (an extra file is reported, not failed)."""

    MISSING = "missing"
    SIZE = "size differs"
    DIGEST = "digest differs"
    UNREADABLE = "unreadable"
    EXTRA = "extra"


# -- records ---------------------------------------------------------------
@dataclass
class ArchiveCopy(Record):
    TYPE: ClassVar[str] = "archive_copy"
    TABLE: ClassVar[str] = "archive_copies"
    EXPORT_SECTION: ClassVar[str] = "archive_copies"
    EXPORT_ORDER: ClassVar[tuple[str, ...]] = ("model_id", "added_at", "id")
    REFERENCES: ClassVar[dict[str, str]] = {"model_id": "model"}

    model_id: str = ""
    uri: str = ""
    label: str = ""
    provider: str = ""
    region: str = ""
    added_by: str = ""
    added_at: str = ""

    @property
    def name(self) -> str:
        """How a steward names the copy: its label, else its URI."""
        return self.label.strip() or self.uri

    def problems(self) -> list[Problem]:
        found = super().problems()
        if not self.model_id:
            found.append(Problem("model_id", "is required"))
        problem = uri_problem(self.uri)
        if problem:
            found.append(Problem("uri", problem))
        return found


@dataclass
class WeightManifest(Record):
    TYPE: ClassVar[str] = "weight_manifest"
    TABLE: ClassVar[str] = "weight_manifests"
    EXPORT_SECTION: ClassVar[str] = "weight_manifests"
    EXPORT_ORDER: ClassVar[tuple[str, ...]] = ("model_id", "id")
    REFERENCES: ClassVar[dict[str, str]] = {"model_id": "model"}

    model_id: str = ""
    #: where the list came from: "SHA256SUMS file <name>" or "built from copy <uri>"
    source: str = ""
    #: the copy the manifest was built from, which is then trusted as it was ("" if imported)
    trusted_copy_id: str = ""
    file_count: int = 0
    #: the sum of the known sizes (a SHA256SUMS file has none: sizes are then -1)
    total_bytes: int = 0
    #: SHA-256 of the manifest as ``SHA256SUMS`` text (:func:`format_sha256sums`)
    sha256: str = ""
    recorded_by: str = ""
    recorded_at: str = ""

    def problems(self) -> list[Problem]:
        found = super().problems()
        if not self.model_id:
            found.append(Problem("model_id", "is required"))
        if self.file_count < 0:
            found.append(Problem("file_count", "cannot be negative"))
        if self.sha256 and not _HEX64.match(self.sha256):
            found.append(Problem("sha256", "a SHA-256 digest is 64 lower-case hex characters"))
        return found


@dataclass
class WeightManifestFile(Record):
    TYPE: ClassVar[str] = "weight_manifest_file"
    TABLE: ClassVar[str] = "weight_manifest_files"
    EXPORT_SECTION: ClassVar[str] = "weight_manifest_files"
    EXPORT_ORDER: ClassVar[tuple[str, ...]] = ("manifest_id", "path")
    REFERENCES: ClassVar[dict[str, str]] = {"model_id": "model", "manifest_id": "weight_manifest"}

    model_id: str = ""
    manifest_id: str = ""
    #: relative to the copy's root, with ``/`` between folders
    path: str = ""
    #: bytes, or -1 when not known (a SHA256SUMS file lists no sizes)
    size: int = -1
    sha256: str = ""

    def problems(self) -> list[Problem]:
        found = super().problems()
        for name in ("model_id", "manifest_id"):
            if not getattr(self, name):
                found.append(Problem(name, "is required"))
        problem = path_problem(self.path)
        if problem:
            found.append(Problem("path", problem))
        if not _HEX64.match(self.sha256):
            found.append(Problem("sha256", "a SHA-256 digest is 64 lower-case hex characters"))
        if self.size < -1:
            found.append(Problem("size", "is a number of bytes, or -1 when not known"))
        return found


@dataclass
class WeightVerification(Record):
    TYPE: ClassVar[str] = "weight_verification"
    TABLE: ClassVar[str] = "weight_verifications"
    EXPORT_SECTION: ClassVar[str] = "weight_verifications"
    EXPORT_ORDER: ClassVar[tuple[str, ...]] = ("model_id", "finished_at", "id")
    REFERENCES: ClassVar[dict[str, str]] = {
        "model_id": "model",
        "copy_id": "archive_copy",
        "manifest_id": "weight_manifest",
    }
    ENUMS: ClassVar[dict[str, type[StrEnum]]] = {"outcome": VerificationOutcome}

    model_id: str = ""
    copy_id: str = ""
    manifest_id: str = ""
    #: the copy's URI when it was checked (the copy record may change or go later)
    copy_uri: str = ""
    started_at: str = ""
    finished_at: str = ""
    verified_by: str = ""
    outcome: str = VerificationOutcome.PASSED.value
    files_checked: int = 0
    #: bytes read from the copy to hash it (0 for objects whose stored checksum was used)
    bytes_read: int = 0
    failures_total: int = 0
    #: at most MAX_LISTED of ``{"path", "problem", "detail"}``
    failures: list[dict[str, str]] | None = None
    extra_total: int = 0
    #: at most MAX_LISTED paths found in the copy and not in the manifest
    extra_files: list[str] | None = None

    @property
    def passed(self) -> bool:
        return self.outcome == VerificationOutcome.PASSED.value

    @property
    def finished_on(self) -> date | None:
        return timestamp_date(self.finished_at)

    def problems(self) -> list[Problem]:
        found = super().problems()
        for name in ("model_id", "copy_id", "manifest_id"):
            if not getattr(self, name):
                found.append(Problem(name, "is required"))
        if not self.finished_at:
            found.append(Problem("finished_at", "is required"))
        if self.outcome == VerificationOutcome.PASSED.value and self.failures_total:
            found.append(Problem("outcome", "a verification with failures did not pass"))
        return found


# -- ids -------------------------------------------------------------------
def manifest_id_for(model_id: str) -> str:
    """A model's manifest id: the same on every laptop (a manifest is recorded once)."""
    return str(uuid.uuid5(_MANIFEST_NAMESPACE, f"manifest:{model_id}"))


def manifest_file_id(model_id: str, path: str) -> str:
    return str(uuid.uuid5(_MANIFEST_NAMESPACE, f"file:{model_id}:{path}"))


# -- URIs and paths -------------------------------------------------------
def uri_problem(uri: str) -> str | None:
    """Why ``uri`` cannot name an archive copy, or None if it can."""
    text = uri.strip()
    if not text:
        return "is required: file:///path/to/folder or s3://bucket/prefix"
    if text.startswith("file://"):
        if not text.startswith("file:///"):
            return "a file URI names a local or mounted folder: file:///path (three slashes)"
        return None
    if text.startswith("s3://"):
        bucket = text[5:].split("/", 1)[0]
        if not _BUCKET.match(bucket):
            return (
                f"'{bucket}' is not an S3 bucket name (3-63 lower-case letters, digits, '.', '-')"
            )
        return None
    return "use file:///path/to/folder or s3://bucket/prefix"


def normalise_uri(uri: str) -> str:
    """The URI as stored: trimmed, without a trailing slash."""
    text = uri.strip()
    for prefix in ("file:///", "s3://"):
        if text.startswith(prefix):
            return prefix + text[len(prefix) :].rstrip("/")
    return text


def path_problem(path: str) -> str | None:
    if not path:
        return "is required"
    if path.startswith("/") or re.match(r"^[A-Za-z]:[\\/]", path):
        return f"'{path}' is absolute; a manifest names files relative to the copy's folder"
    if any(part in ("..", "") for part in path.split("/")):
        return f"'{path}' has an empty or '..' part"
    return None


def clean_path(path: str) -> str:
    """A manifest path as stored: ``./a//b`` -> ``a/b`` (a backslash is part of a name)."""
    parts = [p for p in path.split("/") if p not in ("", ".")]
    return "/".join(parts)


# -- SHA256SUMS -------------------------------------------------------------
@dataclass(frozen=True)
class ManifestEntry:
    path: str
    sha256: str
    size: int = -1


def _unescape(name: str) -> str:
    """GNU sha256sum escapes ``\\`` and newline in names of lines that start with ``\\``."""
    out, i = [], 0
    while i < len(name):
        ch = name[i]
        if ch == "\\" and i + 1 < len(name):
            nxt = name[i + 1]
            out.append({"\\": "\\", "n": "\n", "r": "\r"}.get(nxt, nxt))
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def parse_sha256sums(text: str, source: str = "SHA256SUMS") -> list[ManifestEntry]:
    """The entries of ``sha256sum`` output (GNU text or binary mode, or BSD ``--tag``).

    A line that is neither, a bad path or a path listed twice raises one
    :class:`ValidationError` naming every line at fault; an empty file is refused.
    """
    entries: list[ManifestEntry] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip("\r")
        if not line.strip():
            continue
        where = f"{source}, line {number}"
        gnu = _GNU_LINE.match(line)
        bsd = None if gnu else _BSD_LINE.match(line)
        if gnu:
            escaped, digest, name = gnu.group(1), gnu.group(2), gnu.group(4)
        elif bsd:
            escaped, name, digest = bsd.group(1), bsd.group(2), bsd.group(3)
        else:
            problems.append(
                Problem(where, "expected '<64 hex digits>  <file name>' as sha256sum writes it")
            )
            continue
        path = clean_path(_unescape(name) if escaped else name)
        bad = path_problem(path)
        if bad:
            problems.append(Problem(where, bad))
            continue
        if path in seen:
            problems.append(
                Problem(where, f"'{path}' is listed twice (first on line {seen[path]})")
            )
            continue
        seen[path] = number
        entries.append(ManifestEntry(path, digest.lower()))
    if not entries and not problems:
        problems.append(Problem(source, "lists no files"))
    if problems:
        raise ValidationError(problems)
    return entries


def format_sha256sums(entries: Iterable[ManifestEntry]) -> str:
    """The entries as ``sha256sum`` writes them, sorted by path (the manifest's canonical text)."""
    lines = []
    for entry in sorted(entries, key=lambda e: e.path):
        name = entry.path
        if "\\" in name or "\n" in name:
            name = name.replace("\\", "\\\\").replace("\n", "\\n")
            lines.append(f"\\{entry.sha256}  {name}\n")
        else:
            lines.append(f"{entry.sha256}  {name}\n")
    return "".join(lines)


def manifest_digest(entries: Iterable[ManifestEntry]) -> str:
    """SHA-256 of the canonical ``SHA256SUMS`` text: the evidence the digests were recorded."""
    return hashlib.sha256(format_sha256sums(entries).encode("utf-8")).hexdigest()


# -- comparing a copy with the manifest --------------------------------------
@dataclass(frozen=True)
class FileResult:
    """One file's result in a verification."""

    path: str
    problem: FileProblem | None = None
    detail: str = ""
    bytes_read: int = 0
    #: "hashed" (read through SHA-256), "stored checksum" (the store's own), "" (not checked)
    method: str = ""

    @property
    def ok(self) -> bool:
        return self.problem is None

    @property
    def fails(self) -> bool:
        return self.problem is not None and self.problem != FileProblem.EXTRA

    def line(self, copy_name: str) -> str:
        """One line for a person: which file, which copy, what is wrong."""
        what = self.problem.value if self.problem else "ok"
        text = f"{copy_name}: {self.path}: {what}"
        return f"{text} ({self.detail})" if self.detail else text


def size_text(size: int) -> str:
    if size < 0:
        return "unknown size"
    value = float(size)
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            return f"{size} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} bytes"


# -- independence and due dates ----------------------------------------------
def independent(a: ArchiveCopy, b: ArchiveCopy) -> bool:
    """Two copies are independent when both providers are known and differ, or both regions do."""
    pa, pb = a.provider.strip().lower(), b.provider.strip().lower()
    ra, rb = a.region.strip().lower(), b.region.strip().lower()
    return bool((pa and pb and pa != pb) or (ra and rb and ra != rb))


def independent_pair(copies: list[ArchiveCopy]) -> tuple[ArchiveCopy, ArchiveCopy] | None:
    """Two independent live copies among ``copies``, or None."""
    live = [c for c in copies if not c.deleted]
    for i, a in enumerate(live):
        for b in live[i + 1 :]:
            if independent(a, b):
                return a, b
    return None


def timestamp_date(stamp: str) -> date | None:
    """The (UTC) calendar date of an ISO timestamp, or None."""
    if not stamp:
        return None
    try:
        return datetime.fromisoformat(stamp.replace("Z", "+00:00")).date()
    except ValueError:
        return None


class CopyState(StrEnum):
    VERIFIED = "verified"
    FAILED = "failed"
    OVERDUE = "overdue"
    NEVER = "never verified"


@dataclass(frozen=True)
class CopyStatus:
    """Where one copy stands: its last verification and when the next one is due."""

    state: CopyState
    last_outcome: str  # "" when never verified
    last_at: str
    due: date | None

    @property
    def alert(self) -> bool:
        """Failed, or its verification is overdue: the dashboard shows it in red."""
        return self.state in (CopyState.FAILED, CopyState.OVERDUE)


def copy_status(
    added_at: str, last_outcome: str, last_at: str, today: date, every_days: int
) -> CopyStatus:
    """The state of a copy from its latest verification.

    A copy's last failed verification makes it failed until one passes. A
    passed copy is due again ``every_days`` after that run; a copy never
    verified is due the day it was added, so it is overdue from the next day.
    """
    if last_outcome == VerificationOutcome.FAILED.value:
        return CopyStatus(CopyState.FAILED, last_outcome, last_at, timestamp_date(last_at))
    if last_outcome == VerificationOutcome.PASSED.value:
        last = timestamp_date(last_at) or today
        due = last + timedelta(days=every_days)
        state = CopyState.OVERDUE if due < today else CopyState.VERIFIED
        return CopyStatus(state, last_outcome, last_at, due)
    added = timestamp_date(added_at) or today
    state = CopyState.OVERDUE if added < today else CopyState.NEVER
    return CopyStatus(state, "", "", added)
