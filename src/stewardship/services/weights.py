"""Use cases for the weights' archive copies: add a copy, record the manifest, verify, status.

A copy is always checked against the model's manifest, never against itself:
the manifest is recorded once, imported from a ``SHA256SUMS`` file or built
from a copy on request (that copy is then trusted as it was that day, which
the manifest's source says). Each verification is a synced record; the
weight-retention checklist is kept in step with the copies and their results:

- "SHA-256 digests recorded": done once a manifest exists, its digest as evidence;
- "At least two independent storage copies": computed from the copies (two
  that differ in provider or region), not asserted;
- "Integrity verification run": done when every copy's latest verification
  passed (that run is the evidence), blocked while any copy's latest failed.

Items marked not applicable are left alone, and a model with no copies and no
manifest keeps what stewards wrote by hand.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from ..domain.dates import utc_now
from ..domain.errors import Problem, ValidationError
from ..domain.policy import DEFAULT_VERIFY_EVERY_DAYS
from ..domain.records import ChecklistItem, ItemStatus, Model
from ..domain.tasks import CancelCheck, Progress, never_cancelled, no_progress
from ..domain.weights import (
    MAX_LISTED,
    ArchiveCopy,
    CopyStatus,
    FileProblem,
    FileResult,
    ManifestEntry,
    VerificationOutcome,
    WeightManifest,
    WeightManifestFile,
    WeightVerification,
    copy_status,
    independent_pair,
    manifest_digest,
    manifest_file_id,
    manifest_id_for,
    normalise_uri,
    parse_sha256sums,
    size_text,
    uri_problem,
)
from ..store import Store, queries_weights
from .archives import CopyReader, CopyUnreachable, describe_location, open_copy
from .weights_verify import run_parallel

log = logging.getLogger(__name__)

__all__ = ["CopyUnreachable", "WeightsService"]

#: Template keys of the weight-retention items the copies keep in step.
DIGESTS_ITEM = "weight_retention.digests_recorded"
COPIES_ITEM = "weight_retention.two_storage_copies"
INTEGRITY_ITEM = "weight_retention.integrity_verified"


@dataclass(frozen=True)
class CopyOverview:
    """A copy, where it stands, and its latest verification."""

    copy: ArchiveCopy
    status: CopyStatus
    last: WeightVerification | None


@dataclass(frozen=True)
class VerificationRun:
    """One verification: the record kept, and a result for every file (extra files too)."""

    copy: ArchiveCopy
    record: WeightVerification
    results: list[FileResult]

    @property
    def problems(self) -> list[FileResult]:
        """Files missing, differing or unreadable, then files not in the manifest."""
        failing = [r for r in self.results if r.fails]
        return failing + [r for r in self.results if r.problem == FileProblem.EXTRA]

    def lines(self) -> list[str]:
        """One line per problem, naming the file and the copy."""
        return [r.line(self.copy.uri) for r in self.problems]


def _now_ms() -> str:
    """Now in UTC with milliseconds: two runs of one copy within a second still order."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class WeightsService:
    def __init__(
        self,
        store: Store,
        who: str,
        *,
        verify_every_days: int = DEFAULT_VERIFY_EVERY_DAYS,
        client_factory: Callable[[], Any] | None = None,
    ) -> None:
        self.store = store
        self.who = who
        self.verify_every_days = verify_every_days
        #: makes the boto3 S3 client (tests hand in one that counts calls)
        self.client_factory = client_factory

    # -- reading ---------------------------------------------------------
    def copies(self, model_id: str) -> list[ArchiveCopy]:
        return self.store.list(ArchiveCopy, "model_id = ?", (model_id,), order_by="added_at, id")

    def copy_by_uri(self, model_id: str, uri: str) -> ArchiveCopy | None:
        wanted = normalise_uri(uri)
        return next((c for c in self.copies(model_id) if c.uri == wanted), None)

    def manifest(self, model_id: str) -> WeightManifest | None:
        found = self.store.get(WeightManifest, manifest_id_for(model_id))
        return found if found is not None and not found.deleted else None

    def manifest_entries(self, manifest: WeightManifest) -> list[ManifestEntry]:
        return [
            ManifestEntry(path, digest, size)
            for path, size, digest in queries_weights.manifest_files(self.store, manifest.id)
        ]

    def verifications(self, copy_id: str) -> list[WeightVerification]:
        """A copy's verifications, newest first."""
        return self.store.list(
            WeightVerification, "copy_id = ?", (copy_id,), order_by="finished_at DESC, id DESC"
        )

    def overview(self, model_id: str, today: date) -> list[CopyOverview]:
        """Every live copy of a model with its state (verified, failed, overdue, never)."""
        rows = {r.copy_id: r for r in queries_weights.copy_rows(self.store, model_id)}
        out = []
        for copy in self.copies(model_id):
            row = rows.get(copy.id)
            status = copy_status(
                copy.added_at,
                row.last_outcome if row else "",
                row.last_at if row else "",
                today,
                self.verify_every_days,
            )
            history = self.verifications(copy.id)
            out.append(CopyOverview(copy, status, history[0] if history else None))
        return out

    # -- copies ------------------------------------------------------------
    def add_copy(
        self,
        model: Model,
        uri: str,
        *,
        label: str = "",
        provider: str | None = None,
        region: str | None = None,
    ) -> ArchiveCopy:
        """Record a copy of ``model``'s weights at ``uri``.

        Provider and region are found out where they can be (a folder's device
        or share; an S3 endpoint and the bucket's region) unless given.
        """
        problem = uri_problem(uri)
        if problem:
            raise ValidationError(Problem("uri", problem))
        uri = normalise_uri(uri)
        if self.copy_by_uri(model.id, uri) is not None:
            raise ValidationError(
                Problem("uri", f"{uri} is already a copy of {model.slug}'s weights")
            )
        if provider is None or region is None:
            found_provider, found_region = describe_location(uri, self.client_factory)
            provider = found_provider if provider is None else provider
            region = found_region if region is None else region
        copy = ArchiveCopy(
            model_id=model.id,
            uri=uri,
            label=label.strip(),
            provider=provider.strip(),
            region=region.strip(),
            added_by=self.who,
            added_at=utc_now(),
        )
        with self.store.transaction():
            saved = self.store.save(copy, self.who, note="archive copy added")
            self.refresh_checklist(model.id)
        return saved

    def update_copy(self, copy: ArchiveCopy) -> ArchiveCopy:
        """Save a copy's label, provider or region (its URI stays)."""
        with self.store.transaction():
            saved = self.store.save(copy, self.who)
            self.refresh_checklist(copy.model_id)
        return saved

    def remove_copy(self, copy: ArchiveCopy, reason: str = "") -> None:
        with self.store.transaction():
            self.store.delete(ArchiveCopy, copy.id, self.who, note=reason or "copy removed")
            self.refresh_checklist(copy.model_id)

    # -- the manifest --------------------------------------------------------
    def _refuse_second_manifest(self, model: Model, digest: str) -> WeightManifest | None:
        existing = self.manifest(model.id)
        if existing is None:
            return None
        if existing.sha256 == digest:
            return existing  # the same list again: nothing to record
        raise ValidationError(
            Problem(
                "manifest",
                f"{model.slug} already has a manifest ({existing.file_count} files, recorded by"
                f" {existing.recorded_by or 'someone'} on {existing.recorded_at[:10]}, from"
                f" {existing.source}); a manifest is recorded once and copies are checked"
                " against it",
            )
        )

    def import_manifest(self, model: Model, text: str, source_name: str) -> WeightManifest:
        """Record the manifest from ``sha256sum`` output (``SHA256SUMS``); sizes stay unknown."""
        entries = parse_sha256sums(text, source_name)
        return self._record_manifest(model, entries, f"SHA256SUMS file {source_name}", "")

    def build_manifest(
        self,
        model: Model,
        copy: ArchiveCopy,
        progress: Progress = no_progress,
        cancelled: CancelCheck = never_cancelled,
    ) -> WeightManifest:
        """Hash every file of ``copy`` into the model's manifest: that copy is then trusted."""
        self._refuse_second_manifest(model, "")  # refuses when there is one already
        reader = open_copy(copy.uri, self.client_factory)
        listing = reader.listing()
        if not listing:
            raise ValidationError(Problem("copy", f"{copy.uri} holds no files"))
        paths = sorted(listing)

        def job(path: str) -> Callable[..., tuple[str, int, int]]:
            return lambda stop, add: reader.digest(path, stop, add)

        hashed = run_parallel(
            [(listing[p], job(p)) for p in paths],
            workers=reader.workers,
            what=f"Building the manifest from {copy.name}",
            progress=progress,
            cancelled=cancelled,
            cancel_message="building the manifest was cancelled; nothing was recorded",
        )
        entries = [
            ManifestEntry(path, sha, size)
            for path, (sha, size, _read) in zip(paths, hashed, strict=True)
        ]
        source = (
            f"built from copy {copy.uri} on {utc_now()[:10]}: that copy is trusted as it was then"
        )
        return self._record_manifest(model, entries, source, copy.id)

    def _record_manifest(
        self, model: Model, entries: list[ManifestEntry], source: str, trusted_copy_id: str
    ) -> WeightManifest:
        digest = manifest_digest(entries)
        same = self._refuse_second_manifest(model, digest)
        if same is not None:
            return same
        manifest = WeightManifest(
            id=manifest_id_for(model.id),
            model_id=model.id,
            source=source,
            trusted_copy_id=trusted_copy_id,
            file_count=len(entries),
            total_bytes=sum(e.size for e in entries if e.size >= 0),
            sha256=digest,
            recorded_by=self.who,
            recorded_at=utc_now(),
        )
        with self.store.transaction():
            # The files first, then the manifest: pushed (and pulled) in that order.
            for entry in entries:
                self.store.save(
                    WeightManifestFile(
                        id=manifest_file_id(model.id, entry.path),
                        model_id=model.id,
                        manifest_id=manifest.id,
                        path=entry.path,
                        size=entry.size,
                        sha256=entry.sha256,
                    ),
                    self.who,
                )
            saved = self.store.save(manifest, self.who, note="manifest recorded")
            self.refresh_checklist(model.id)
        log.info("manifest of %s recorded: %d files (%s)", model.slug, len(entries), source)
        return saved

    def _complete_manifest(self, model_id: str, what: str) -> tuple[WeightManifest, list]:
        manifest = self.manifest(model_id)
        if manifest is None:
            raise ValidationError(
                Problem(
                    "manifest",
                    f"{what} has no manifest to check against: import its SHA256SUMS"
                    " (weights add-copy --manifest FILE) or build one from its first copy",
                )
            )
        files = queries_weights.manifest_files(self.store, manifest.id)
        if len(files) != manifest.file_count:
            raise ValidationError(
                Problem(
                    "manifest",
                    f"the manifest lists {manifest.file_count} files but {len(files)} have reached"
                    " this laptop; sync, then verify",
                )
            )
        return manifest, files

    # -- verification ----------------------------------------------------------
    def verify(
        self,
        copy: ArchiveCopy,
        progress: Progress = no_progress,
        cancelled: CancelCheck = never_cancelled,
        *,
        reader: CopyReader | None = None,
    ) -> VerificationRun:
        """Check ``copy`` against its model's manifest and record the result.

        Every manifest file must be there with its size (where known) and
        digest; files not in the manifest are reported, not failed. A copy
        that cannot be reached at all raises :class:`CopyUnreachable` and
        records nothing (no evidence either way); a cancelled run records nothing.
        """
        model = self.store.get(Model, copy.model_id)
        what = model.slug if model else copy.model_id
        manifest, files = self._complete_manifest(copy.model_id, what)
        started = _now_ms()
        reader = reader or open_copy(copy.uri, self.client_factory)
        listing = reader.listing()
        known = {path for path, _size, _sha in files}
        direct: dict[str, FileResult] = {}
        jobs = []
        order: list[str] = []
        for path, size, sha in files:
            if path not in listing:
                direct[path] = FileResult(path, FileProblem.MISSING, "not in the copy")
                continue
            order.append(path)
            jobs.append((size if size >= 0 else listing[path], _check_job(reader, path, sha, size)))
        checked = run_parallel(
            jobs,
            workers=reader.workers,
            what=f"Verifying {copy.name}",
            progress=progress,
            cancelled=cancelled,
            cancel_message=f"verification of {copy.name} was cancelled; nothing was recorded",
        )
        by_path = dict(zip(order, checked, strict=True)) | direct
        results = [by_path[path] for path, _s, _d in files]
        extra = sorted(set(listing) - known)
        results += [
            FileResult(p, FileProblem.EXTRA, f"not in the manifest, {size_text(listing[p])}")
            for p in extra
        ]
        failures = [r for r in results if r.fails]
        record = WeightVerification(
            model_id=copy.model_id,
            copy_id=copy.id,
            manifest_id=manifest.id,
            copy_uri=copy.uri,
            started_at=started,
            finished_at=_now_ms(),
            verified_by=self.who,
            outcome=(VerificationOutcome.FAILED if failures else VerificationOutcome.PASSED).value,
            files_checked=len(files),
            bytes_read=sum(r.bytes_read for r in results),
            failures_total=len(failures),
            failures=[
                {
                    "path": r.path,
                    "problem": r.problem.value if r.problem else "",
                    "detail": r.detail,
                }
                for r in failures[:MAX_LISTED]
            ],
            extra_total=len(extra),
            extra_files=extra[:MAX_LISTED],
        )
        with self.store.transaction():
            saved = self.store.save(record, self.who, note=f"verification {record.outcome}")
            self.refresh_checklist(copy.model_id)
        log.info(
            "verified %s of %s: %s, %d files, %d bytes read, %d failures, %d extra",
            copy.uri,
            what,
            saved.outcome,
            saved.files_checked,
            saved.bytes_read,
            saved.failures_total,
            saved.extra_total,
        )
        return VerificationRun(copy, saved, results)

    # -- the checklist ---------------------------------------------------------
    def refresh_checklist(self, model_id: str) -> None:
        """Bring the weight-retention items the copies prove in step with them (see the module)."""
        model = self.store.get(Model, model_id)
        if model is None:
            return
        copies = self.copies(model_id)
        manifest = self.manifest(model_id)
        if not copies and manifest is None:
            return
        from .checklists import ChecklistService

        ChecklistService(self.store, self.who).ensure(model)
        items = {
            i.template_key: i for i in self.store.list(ChecklistItem, "model_id = ?", (model_id,))
        }
        if manifest is not None:
            self._set(
                items.get(DIGESTS_ITEM),
                ItemStatus.DONE,
                f"Manifest of {manifest.file_count} files"
                + (f" ({size_text(manifest.total_bytes)})" if manifest.total_bytes else "")
                + f", {manifest.source}; recorded by {manifest.recorded_by}"
                f" on {manifest.recorded_at[:10]}.",
                sha256=manifest.sha256,
            )
        if copies:
            self._set(items.get(COPIES_ITEM), *_copies_evidence(copies))
            rows = {r.copy_id: r for r in queries_weights.copy_rows(self.store, model_id)}
            self._set(items.get(INTEGRITY_ITEM), *self._integrity_evidence(copies, rows))

    def _integrity_evidence(
        self, copies: list[ArchiveCopy], rows: dict[str, queries_weights.CopyRow]
    ) -> tuple[ItemStatus, str]:
        lines, outcomes = [], []
        for copy in copies:
            row = rows.get(copy.id)
            outcome = row.last_outcome if row else ""
            outcomes.append(outcome)
            if not outcome:
                lines.append(f"{copy.name}: not verified yet")
                continue
            last = self.verifications(copy.id)[0]
            text = (
                f"{copy.name}: {last.outcome} on {last.finished_at[:10]} by {last.verified_by}"
                f" ({last.files_checked} files checked against the manifest"
            )
            if last.failures_total:
                text += f", {last.failures_total} missing or differing"
            lines.append(text + ")")
        if VerificationOutcome.FAILED.value in outcomes:
            status = ItemStatus.BLOCKED
        elif all(o == VerificationOutcome.PASSED.value for o in outcomes):
            status = ItemStatus.DONE
        elif any(outcomes):
            status = ItemStatus.IN_PROGRESS
        else:
            status = ItemStatus.TODO
        return status, "Verification of the archive copies: " + "; ".join(lines) + "."

    def _set(
        self, item: ChecklistItem | None, status: ItemStatus, evidence: str, sha256: str = ""
    ) -> None:
        if item is None or item.status == ItemStatus.NOT_APPLICABLE.value:
            return
        changed = item.replace(status=status.value, evidence=evidence)
        if sha256:
            changed = changed.replace(evidence_sha256=sha256)
        if status != ItemStatus.DONE and changed.signed_off:
            changed = changed.replace(signed_off_by="", signed_off_at="")
        self.store.save(changed, self.who, note="from the archive copies")

    # -- status of everything ---------------------------------------------------
    def status(self, today: date) -> list[dict[str, Any]]:
        """Every model with copies: its manifest and each copy's state (``weights status``)."""
        rows = queries_weights.copy_rows(self.store)
        by_model: dict[str, list[queries_weights.CopyRow]] = {}
        for row in rows:
            by_model.setdefault(row.model_id, []).append(row)
        models = {m.id: m for m in self.store.get_many(Model, list(by_model))}
        out = []
        for model_id, model_rows in by_model.items():
            model = models.get(model_id)
            if model is None or model.deleted:
                continue
            copies = {c.id: c for c in self.copies(model_id)}
            manifest = self.manifest(model_id)
            entry: dict[str, Any] = {
                "model": model.slug,
                "manifest": None
                if manifest is None
                else {
                    "files": manifest.file_count,
                    "bytes": manifest.total_bytes,
                    "sha256": manifest.sha256,
                    "source": manifest.source,
                },
                "independent_copies": independent_pair(list(copies.values())) is not None,
                "copies": [],
            }
            for row in model_rows:
                copy = copies.get(row.copy_id)
                if copy is None:
                    continue
                state = copy_status(
                    row.added_at, row.last_outcome, row.last_at, today, self.verify_every_days
                )
                entry["copies"].append(
                    {
                        "uri": copy.uri,
                        "label": copy.label,
                        "provider": copy.provider,
                        "region": copy.region,
                        "state": state.state.value,
                        "alert": state.alert,
                        "last_outcome": state.last_outcome,
                        "last_verified_at": state.last_at,
                        "next_due": state.due.isoformat() if state.due else None,
                    }
                )
            out.append(entry)
        out.sort(key=lambda e: e["model"])
        return out


def _check_job(reader: CopyReader, path: str, sha: str, size: int) -> Callable[..., FileResult]:
    return lambda stop, add: reader.check(path, sha, size, stop, add)


def _copies_evidence(copies: list[ArchiveCopy]) -> tuple[ItemStatus, str]:
    def where(c: ArchiveCopy) -> str:
        parts = [f"provider {c.provider or 'unknown'}", f"region {c.region or 'unknown'}"]
        return f"{c.name} ({', '.join(parts)})"

    pair = independent_pair(copies)
    if pair is not None:
        return (
            ItemStatus.DONE,
            f"Independent copies: {where(pair[0])} and {where(pair[1])}"
            f" (computed from the {len(copies)} archive copies recorded).",
        )
    return (
        ItemStatus.IN_PROGRESS,
        f"{len(copies)} archive cop{'y' if len(copies) == 1 else 'ies'} recorded, no two of them"
        " independent (a different provider or region is needed): "
        + "; ".join(where(c) for c in copies)
        + ".",
    )
