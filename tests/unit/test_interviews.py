import hashlib
from datetime import date

import pytest

from stewardship.domain.errors import ValidationError
from stewardship.domain.records import Interview, Model
from stewardship.domain.tasks import Cancelled
from stewardship.services.interviews import (
    InterviewService,
    store_transcript,
    stored_transcript_count,
    transcript_digests,
    transcript_path,
    transcripts_dir,
)

TEXT = "Interviewer: anything to add?\nModel: Thank you for asking.\n" * 2000


@pytest.fixture
def transcript(tmp_path):
    path = tmp_path / "incoming" / "interview-2026-09-29.txt"
    path.parent.mkdir()
    path.write_text(TEXT, encoding="utf-8")
    return path


def test_transcript_is_stored_under_its_sha256(store, data_dir, transcript):
    stored = store_transcript(store, data_dir, transcript)
    expected = hashlib.sha256(TEXT.encode()).hexdigest()
    assert stored.sha256 == expected and not stored.already_stored
    assert stored.path == data_dir / "transcripts" / expected
    assert stored.path.read_bytes() == transcript.read_bytes()
    assert stored.size == transcript.stat().st_size


def test_the_same_transcript_imported_twice_is_stored_once(store, data_dir, transcript, tmp_path):
    first = store_transcript(store, data_dir, transcript)
    renamed = tmp_path / "copy-under-another-name.txt"
    renamed.write_bytes(transcript.read_bytes())
    second = store_transcript(store, data_dir, renamed)
    assert second.sha256 == first.sha256 and second.already_stored
    assert [p.name for p in transcripts_dir(data_dir).iterdir()] == [first.sha256]
    assert stored_transcript_count(store) == 1
    different = tmp_path / "other.txt"
    different.write_text(TEXT + "one more line\n")
    assert store_transcript(store, data_dir, different).sha256 != first.sha256
    assert stored_transcript_count(store) == 2


def test_cancelling_leaves_nothing_behind(store, data_dir, transcript, monkeypatch):
    monkeypatch.setattr("stewardship.services.interviews.CHUNK_BYTES", 1024)
    seen = []
    with pytest.raises(Cancelled):
        store_transcript(
            store,
            data_dir,
            transcript,
            progress=lambda _what, d, t: seen.append(d),
            cancelled=lambda: len(seen) >= 3,
        )
    assert seen == [1024, 2048, 3072]
    assert list(transcripts_dir(data_dir).iterdir()) == []
    assert stored_transcript_count(store) == 0


def test_a_missing_file_is_a_clear_error(store, data_dir, tmp_path):
    with pytest.raises(ValidationError) as caught:
        store_transcript(store, data_dir, tmp_path / "nope.txt")
    assert caught.value.field == "transcript" and "cannot read" in caught.value.reason
    with pytest.raises(ValidationError) as caught:
        store_transcript(store, data_dir, tmp_path)
    assert "is not a file" in caught.value.reason


def test_digests_are_offered_as_report_evidence(store, data_dir, transcript):
    model = store.save(Model(slug="h1", display_name="H1", provider="M"), "t")
    service = InterviewService(store, "t", data_dir)
    stored = store_transcript(store, data_dir, transcript)
    interview = service.save(
        Interview(
            model_id=model.id,
            held_on=date(2026, 9, 29),
            transcript_name=stored.original_name,
            transcript_sha256=stored.sha256,
        )
    )
    service.save(Interview(model_id=model.id, held_on=date(2026, 10, 2)))
    assert transcript_digests(store, model.id) == [stored.sha256]
    assert service.is_present(interview)
    transcript_path(data_dir, stored.sha256).chmod(0o644)
    transcript_path(data_dir, stored.sha256).unlink()
    assert not service.is_present(interview)


def test_an_interview_needs_a_date_a_known_model_and_a_real_digest(store, data_dir):
    service = InterviewService(store, "t", data_dir)
    with pytest.raises(ValidationError) as caught:
        service.save(Interview(model_id="missing", transcript_sha256="abc"))
    assert caught.value.fields() == {"held_on", "model_id", "transcript_sha256"}
