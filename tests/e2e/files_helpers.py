"""Shared by the file-sync tests: make big files fast, attach them the way the window does."""

from __future__ import annotations

import hashlib
import os
from datetime import date
from pathlib import Path

from stewardship.domain.records import ChecklistItem, Interview, Model
from stewardship.services.attached_files import attach_evidence_file
from stewardship.services.interviews import InterviewService, store_transcript
from stewardship.store import Store

MiB = 1024 * 1024


def make_file(path: Path, size: int, seed: int = 0) -> str:
    """Write ``size`` pseudo-random bytes (1 MiB of randomness, varied per block); its SHA-256."""
    block = bytearray(os.urandom(MiB))
    digest = hashlib.sha256()
    with path.open("wb") as out:
        left, n = size, 0
        while left > 0:
            block[:16] = (seed * 1_000_003 + n).to_bytes(16, "big")
            chunk = bytes(block[: min(MiB, left)])
            out.write(chunk)
            digest.update(chunk)
            left -= len(chunk)
            n += 1
    return digest.hexdigest()


def sha_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(MiB):
            digest.update(chunk)
    return digest.hexdigest()


def a_model(store: Store, slug: str = "halcyon") -> Model:
    for model in store.list(Model):
        if model.slug == slug:
            return model
    return store.save(Model(slug=slug, display_name=slug.title(), provider="P"), "ana")


def attach_transcript(store: Store, data_dir: Path, source: Path, who: str = "Ana") -> Interview:
    model = a_model(store)
    stored = store_transcript(store, data_dir, source)
    service = InterviewService(store, who, data_dir)
    return service.save(
        Interview(
            model_id=model.id,
            held_on=date(2026, 11, 2),
            transcript_name=stored.original_name,
            transcript_sha256=stored.sha256,
        )
    )


def attach_evidence(store: Store, data_dir: Path, source: Path, who: str = "Ana") -> ChecklistItem:
    model = a_model(store)
    copied = attach_evidence_file(data_dir, source)
    item = ChecklistItem(
        model_id=model.id,
        template_key=f"evidence-{copied.sha256[:8]}",
        title="Weights archived",
        evidence_file=str(source),
        evidence_sha256=copied.sha256,
    )
    return store.save(item, who)


def visible_files(folder: Path) -> list[Path]:
    """Files under a name (not hidden temporaries) in a data or blob folder."""
    if not folder.is_dir():
        return []
    return [p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")]
