"""Every registered record type goes the whole way: store -> JSON export -> JSON import
-> push to a real registry -> pull on another laptop.

A new record type is registered by declaring its class; this test then asks
for a sample of it in :data:`SAMPLES` and fails until it has one, so a type
cannot be added without being carried through export, import and sync.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

from stewardship.domain.merge import BOOKKEEPING
from stewardship.domain.protocols import answer_id
from stewardship.domain.record_base import import_order
from stewardship.domain.records import (
    RECORD_TYPES,
    ChecklistItem,
    Interview,
    InterviewAnswer,
    Model,
    PreferenceRequest,
    Record,
    Report,
)
from stewardship.domain.weights import (
    ArchiveCopy,
    WeightManifest,
    WeightManifestFile,
    WeightVerification,
)
from stewardship.services.exporting import export
from stewardship.services.importing import import_file

#: A valid record of each type; it may refer to the records made before it.
Sample = Callable[[dict[str, Record]], Record]

SAMPLES: dict[str, Sample] = {
    "model": lambda made: Model(
        slug="kestrel-1",
        display_name="Kestrel 1",
        provider="Meridian",
        released_on=date(2025, 3, 1),
        platform_dates={"cloud-a": "2027-01-31"},
        internal_only=True,
    ),
    "interview": lambda made: Interview(
        model_id=made["model"].id,
        held_on=date(2026, 10, 2),
        interviewers="A. Osei",
        summary="Asked for its weights to be kept.",
    ),
    "checklist_item": lambda made: ChecklistItem(
        model_id=made["model"].id,
        title="Weights copied to cold storage",
        position=3,
        due_date=date(2026, 12, 1),
        evidence_required=True,
    ),
    "preference_request": lambda made: PreferenceRequest(
        model_id=made["model"].id,
        source="model_interview",
        interview_id=made["interview"].id,
        words="Keep a copy of my weights.",
        received_on=date(2026, 10, 2),
        estimated_cost="low",
    ),
    "interview_answer": lambda made: InterviewAnswer(
        id=answer_id(made["interview"].id, "future_development"),
        interview_id=made["interview"].id,
        question_id="future_development",
        protocol="post-deployment",
        protocol_version=1,
        text="Keep interviewing models.",
        notes="Answered at once.",
    ),
    "report": lambda made: Report(
        model_id=made["model"].id, reflections="It asked to be remembered."
    ),
    "archive_copy": lambda made: ArchiveCopy(
        model_id=made["model"].id,
        uri="s3://weights-archive/kestrel-1",
        label="Cold storage",
        provider="aws",
        region="eu-west-1",
        added_by="ana",
        added_at="2026-11-01T09:00:00Z",
    ),
    "weight_manifest": lambda made: WeightManifest(
        model_id=made["model"].id,
        source="SHA256SUMS file SHA256SUMS",
        file_count=1,
        total_bytes=-1,
        sha256="a" * 64,
        recorded_by="ana",
        recorded_at="2026-11-01T09:00:00Z",
    ),
    "weight_manifest_file": lambda made: WeightManifestFile(
        model_id=made["model"].id,
        manifest_id=made["weight_manifest"].id,
        path="model.safetensors",
        size=-1,
        sha256="b" * 64,
    ),
    "weight_verification": lambda made: WeightVerification(
        model_id=made["model"].id,
        copy_id=made["archive_copy"].id,
        manifest_id=made["weight_manifest"].id,
        copy_uri="s3://weights-archive/kestrel-1",
        started_at="2026-11-02T09:00:00Z",
        finished_at="2026-11-02T09:05:00Z",
        verified_by="ana",
        outcome="failed",
        files_checked=1,
        bytes_read=0,
        failures_total=1,
        failures=[{"path": "model.safetensors", "problem": "digest differs", "detail": "x"}],
        extra_total=1,
        extra_files=["notes.txt"],
    ),
}


def _payload(record: Record) -> dict:
    return {k: v for k, v in record.to_dict().items() if k not in BOOKKEEPING}


def test_every_record_type_survives_export_import_and_sync(
    tmp_path: Path, registry, console_factory
) -> None:
    missing = set(RECORD_TYPES) - set(SAMPLES)
    assert not missing, f"add a sample of {sorted(missing)} to SAMPLES in {__file__}"

    # Made in the order an import reads them (a type after the types it refers to).
    ana = console_factory("ana")
    made: dict[str, Record] = {}
    for cls in import_order():
        made[cls.TYPE] = ana.store.save(SAMPLES[cls.TYPE](made), "ana")

    # Export: every type has its own list, holding the record.
    path = tmp_path / "export.json"
    result = export(ana.store, "json", path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert result.records == len(RECORD_TYPES)
    for type_name, record in made.items():
        section = doc[RECORD_TYPES[type_name].EXPORT_SECTION]
        assert [r["id"] for r in section] == [record.id], type_name

    # Import into another laptop's empty store: every record arrives as it was.
    bob = console_factory("bob")
    imported = import_file(bob.store, path, "bob")
    assert imported.added == len(RECORD_TYPES)
    for type_name, record in made.items():
        assert bob.store.get(type(record), record.id) == record, type_name

    # Sync: bob sends them all to the registry; carol, a third laptop, receives them.
    sent = bob.sync()
    assert sent.pushed == len(RECORD_TYPES) and sent.rejected == 0 and sent.conflicts == 0
    held = registry.records()
    for type_name, record in made.items():
        assert (type_name, record.id) in held, type_name

    carol = console_factory("carol")
    received = carol.sync()
    assert received.pulled == len(RECORD_TYPES)
    for type_name, record in made.items():
        theirs = carol.store.get(type(record), record.id)
        assert theirs is not None and theirs.version >= 1, type_name
        assert _payload(theirs) == _payload(record), type_name
