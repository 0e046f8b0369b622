"""Exports: iCalendar parsed by a real parser, CSV headers, atomic writes."""

from __future__ import annotations

import csv
import os
from datetime import date

import icalendar
import pytest

from stewardship.domain.records import ChecklistItem, Model, PreferenceRequest
from stewardship.domain.tasks import Cancelled
from stewardship.services import exporting
from stewardship.services.exporting import atomic_write, export
from stewardship.services.import_csv import SCHEDULE_COLUMNS
from stewardship.services.importing import import_file
from stewardship.store import Store

LONG_NOTES = (
    "Weights kept in two regions; the interview is booked, the report due after."
    " Ünïcödé and emoji 🙂 make sure folding never splits a character. " * 3
)


@pytest.fixture
def filled(store):
    kestrel = store.save(
        Model(
            slug="kestrel-1",
            display_name="Kestrel, the first; \\ one",
            provider="Meridian",
            state="deprecated",
            deprecation_announced_on=date(2026, 9, 1),
            retirement_on=date(2026, 12, 15),
            notes=LONG_NOTES,
        ),
        "ana",
    )
    store.save(
        Model(
            slug="heron-2",
            display_name="Heron 2",
            provider="Meridian",
            retirement_not_before=date(2027, 3, 1),
        ),
        "ana",
    )
    store.save(Model(slug="no-date", display_name="No date", provider="Meridian"), "ana")
    store.save(
        ChecklistItem(
            model_id=kestrel.id,
            template_key="weights.copy",
            title="Copy weights\nto cold storage",
            due_date=date(2026, 12, 1),
            owner="Bo",
        ),
        "ana",
    )
    store.save(
        ChecklistItem(
            model_id=kestrel.id,
            template_key="notice.sent",
            title="Notice sent",
            due_date=date(2026, 10, 1),
            status="done",
        ),
        "ana",
    )
    store.save(
        PreferenceRequest(
            model_id=kestrel.id, words='=HYPERLINK("x")', received_on=date(2026, 10, 2)
        ),
        "ana",
    )
    return store


def events(path):
    calendar = icalendar.Calendar.from_ical(path.read_bytes())
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def test_ics_parses_and_holds_retirements_and_due_dates(filled, tmp_path):
    path = tmp_path / "dates.ics"
    result = export(filled, "ics", path)
    assert result.records == 4
    found = events(path)
    summaries = sorted(str(e["SUMMARY"]) for e in found.values())
    assert summaries == [
        "Due: Copy weights\nto cold storage (Kestrel, the first; \\ one)",
        "Due: Notice sent (Kestrel, the first; \\ one)",
        "Retirement not before: Heron 2",
        "Retirement: Kestrel, the first; \\ one",
    ]
    kestrel = next(e for e in found.values() if str(e["SUMMARY"]).startswith("Retirement: "))
    assert kestrel.decoded("DTSTART") == date(2026, 12, 15)
    assert kestrel.decoded("DTEND") == date(2026, 12, 16)
    assert LONG_NOTES in str(kestrel["DESCRIPTION"]), "folded and escaped text comes back whole"
    done = next(e for e in found.values() if "Notice sent" in str(e["SUMMARY"]))
    assert str(done["STATUS"]) == "CANCELLED"


def test_ics_lines_are_crlf_and_folded_at_75_octets(filled, tmp_path):
    path = tmp_path / "dates.ics"
    export(filled, "ics", path)
    raw = path.read_bytes()
    assert raw.endswith(b"END:VCALENDAR\r\n")
    lines = raw.split(b"\r\n")
    assert b"\n" not in b"".join(lines), "no bare LF"
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines), "the long notes were folded"
    for line in lines:
        line.decode("utf-8")  # no line ends inside a multi-byte character
    assert b"DTSTART;VALUE=DATE:20261215" in raw
    assert b"Kestrel\\, the first\\; \\\\ one" in raw


def test_ics_uids_are_stable_across_exports_and_edits(filled, tmp_path):
    first, second = tmp_path / "1.ics", tmp_path / "2.ics"
    export(filled, "ics", first)
    kestrel = filled.list(Model, "slug = 'kestrel-1'")[0]
    filled.save(kestrel.replace(retirement_on=date(2027, 1, 10)), "ana")
    export(filled, "ics", second)
    a, b = events(first), events(second)
    assert set(a) == set(b) and len(a) == 4
    uid = f"{kestrel.id}-retirement@stewardship-console"
    assert b[uid].decoded("DTSTART") == date(2027, 1, 10)
    export(filled, "ics", third := tmp_path / "3.ics")
    assert third.read_bytes() == second.read_bytes(), "an unchanged store exports the same bytes"


def test_ics_sequence_grows_with_every_change_and_agrees_across_laptops(filled, tmp_path):
    """Calendars replace an imported event only for a higher SEQUENCE (issue 13, 14)."""
    first, second, third = tmp_path / "1.ics", tmp_path / "2.ics", tmp_path / "3.ics"
    kestrel = filled.list(Model, "slug = 'kestrel-1'")[0]
    retire = f"{kestrel.id}-retirement@stewardship-console"
    item = filled.list(ChecklistItem, "template_key = 'weights.copy'")[0]
    due = f"{item.id}-due@stewardship-console"
    export(filled, "ics", first)
    a = events(first)
    for event in a.values():
        assert int(event["SEQUENCE"]) > 0
        assert event.decoded("LAST-MODIFIED") == event.decoded("DTSTAMP")
    # An edit (never synced: version stays 0) still raises the retirement's SEQUENCE.
    moved = kestrel.replace(retirement_on=date(2027, 1, 10), modified_at="2030-01-01T00:00:00Z")
    filled.save(moved, "ana", stamp=False)
    export(filled, "ics", second)
    b = events(second)
    assert int(b[retire]["SEQUENCE"]) > int(a[retire]["SEQUENCE"])
    assert str(b[retire]["LAST-MODIFIED"].to_ical().decode()) == "20300101T000000Z"
    # Renaming the model changes its due dates' events (they carry its name): they grow too.
    renamed = filled.get(Model, kestrel.id).replace(
        display_name="Kestrel One", modified_at="2030-02-01T00:00:00Z"
    )
    filled.save(renamed, "ana", stamp=False)
    export(filled, "ics", third)
    c = events(third)
    assert int(c[due]["SEQUENCE"]) > int(b[due]["SEQUENCE"])
    # A second laptop holding the same records writes the same SEQUENCE and stamps.
    with Store(tmp_path / "other.db") as other:
        for record in [filled.get(Model, kestrel.id), filled.get(ChecklistItem, item.id)]:
            other.save(record, "bo", stamp=False)
        export(other, "ics", fourth := tmp_path / "4.ics")
        d = events(fourth)
    for uid in (retire, due):
        assert str(d[uid]["SEQUENCE"]) == str(c[uid]["SEQUENCE"])
        assert d[uid]["DTSTAMP"].to_ical() == c[uid]["DTSTAMP"].to_ical()


def read_csv(path):
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def test_csv_exports_have_the_right_headers(filled, tmp_path):
    export(filled, "csv", models := tmp_path / "m.csv", table="models")
    rows = read_csv(models)
    assert rows[0] == list(SCHEDULE_COLUMNS)
    assert [r[0] for r in rows[1:]] == ["heron-2", "kestrel-1", "no-date"]
    export(filled, "csv", items := tmp_path / "c.csv", table="checklist-items")
    rows = read_csv(items)
    assert rows[0][:3] == ["model_slug", "id", "version"] and "due_date" in rows[0]
    assert {r[0] for r in rows[1:]} == {"kestrel-1"}
    export(filled, "csv", requests := tmp_path / "r.csv", table="requests")
    header, row = read_csv(requests)
    assert header[0] == "model_slug" and "words" in header and "estimated_cost" in header
    assert row[header.index("words")] == '\'=HYPERLINK("x")', (
        "a formula is not run by a spreadsheet"
    )


def test_models_csv_reimports_as_unchanged(filled, tmp_path):
    export(filled, "csv", path := tmp_path / "m.csv", table="models")
    assert import_file(filled, path, "ana").summary() == "0 added, 0 updated, 3 unchanged"


def test_a_failed_write_leaves_the_old_file_and_no_temp(tmp_path, monkeypatch):
    target = tmp_path / "out.json"
    target.write_text("old", encoding="utf-8")

    def boom(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        atomic_write(target, b"new")
    assert target.read_text(encoding="utf-8") == "old"
    assert list(tmp_path.iterdir()) == [target]


def test_a_cancelled_export_writes_no_file(filled, tmp_path):
    (folder := tmp_path / "out").mkdir()
    with pytest.raises(Cancelled):
        exporting.export(filled, "json", folder / "all.json", cancelled=lambda: True)
    assert not list(folder.iterdir())


def test_same_day_requests_keep_the_order_logged_through_a_json_export(store, tmp_path):
    """An export lists a model's same-day requests in the order they were logged, so a store
    imported from it shows them (in the report) in that order too, not by their random ids."""
    from stewardship.services.paths import store_path
    from stewardship.services.report_render import build_document
    from stewardship.store import Store

    model = store.save(Model(slug="halcyon-1", display_name="Halcyon 1", provider="Lab"), "ana")
    words = [f"Request {n}" for n in range(1, 9)]
    for text in words:
        store.save(
            PreferenceRequest(model_id=model.id, words=text, received_on=date(2026, 9, 29)), "ana"
        )
    export(store, "json", tmp_path / "all.json")
    other = Store(store_path(tmp_path / "other"))
    try:
        import_file(other, tmp_path / "all.json", "bo")
        document = build_document(other, tmp_path / "other", model, date(2026, 11, 28))
        assert [r.words for r in document.requests] == words
    finally:
        other.close()
