"""Importing schedules (CSV) and the JSON export: real files in tmp, a real SQLite store."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from stewardship.domain.records import ChecklistItem, Interview, Model, PreferenceRequest, Report
from stewardship.domain.tasks import Cancelled
from stewardship.services.exporting import export, export_document
from stewardship.services.file_problems import ImportRefused
from stewardship.services.import_csv import SCHEDULE_COLUMNS
from stewardship.services.importing import import_file
from stewardship.services.schedules import bundled_schedules, import_bundled
from stewardship.store import Store

HEADER = ",".join(SCHEDULE_COLUMNS)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def counts(store: Store) -> tuple[int, int, int]:
    conn = store.conn
    return tuple(
        conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # type: ignore[return-value]
        for t in ("models", "audit", "outbox")
    )


SCHEDULE = f"""{HEADER}
kestrel-1,Kestrel 1,Meridian,Kestrel,deprecated,2024-01-10,2026-09-01,,2026-12-15,,kestrel-2,"Notes, with a comma"
kestrel-2,Kestrel 2,Meridian,Kestrel,active,2025-06-01,,2027-06-01,,,,
heron-0,Heron 0,Meridian,Heron,retired,2023-02-01,2024-01-01,,2024-06-01,2024-06-01,,
"""


def test_reimporting_the_same_file_changes_nothing(store, tmp_path):
    path = write(tmp_path / "schedule.csv", SCHEDULE)
    first = import_file(store, path, "ana")
    assert first.summary() == "3 added, 0 updated, 0 unchanged"
    before = counts(store)
    again = import_file(store, path, "ana")
    assert again.summary() == "0 added, 0 updated, 3 unchanged"
    assert counts(store) == before, "no audit rows and no outbox rows on a re-import"
    kestrel = store.list(Model, "slug = ?", ("kestrel-1",))[0]
    assert kestrel.retirement_on == date(2026, 12, 15)
    assert kestrel.notes == "Notes, with a comma"


def test_a_changed_row_updates_the_model_with_audit_rows(store, tmp_path):
    import_file(store, write(tmp_path / "a.csv", SCHEDULE), "ana")
    kestrel = store.list(Model, "slug = ?", ("kestrel-1",))[0]
    changed = SCHEDULE.replace("2026-12-15,,kestrel-2", "2027-01-31,,kestrel-2")
    result = import_file(store, write(tmp_path / "b.csv", changed), "bo")
    assert result.summary() == "0 added, 1 updated, 2 unchanged"
    updated = store.get(Model, kestrel.id)
    assert updated.retirement_on == date(2027, 1, 31)
    assert updated.modified_by == "bo"
    last = store.history(kestrel.id)[-1]
    assert (last["field"], last["old"], last["new"], last["who"]) == (
        "retirement_on",
        "2026-12-15",
        "2027-01-31",
        "bo",
    )
    assert last["note"] == "imported from b.csv"


def test_three_broken_rows_are_all_listed_and_nothing_is_written(store, tmp_path):
    import_file(store, write(tmp_path / "a.csv", SCHEDULE), "ana")
    before = counts(store)
    bad = (
        f"{HEADER}\n"
        "ok-model,OK,Meridian,,active,,,,,,,\n"
        "bad-date,Bad date,Meridian,,active,2026-02-30,,,,,,\n"
        "good-too,Good too,Meridian,,active,,,,,,,\n"
        ",No slug,Meridian,,active,,,,,,,\n"
        "backwards,Backwards,Meridian,,deprecated,,2026-05-01,,2026-04-01,,,\n"
    )
    with pytest.raises(ImportRefused) as refused:
        import_file(store, write(tmp_path / "bad.csv", bad), "ana")
    wheres = [p.where for p in refused.value.problems]
    assert wheres == [
        "line 3, column released_on",
        "line 5, column slug",
        "line 6, column retirement_on",
    ]
    assert "2026-02-30" in refused.value.problems[0].reason
    assert counts(store) == before
    assert not store.list(Model, "slug IN ('ok-model', 'good-too')")


def test_an_unknown_column_is_refused(store, tmp_path):
    text = f"{HEADER},colour\nkestrel-9,Kestrel 9,Meridian,,active,,,,,,,,blue\n"
    with pytest.raises(ImportRefused) as refused:
        import_file(store, write(tmp_path / "x.csv", text), "ana")
    [problem] = refused.value.problems
    assert problem.where == "line 1, column 13" and "unknown column 'colour'" in problem.reason
    assert store.count(Model) == 0


def test_a_missing_column_and_a_short_row_are_named(store, tmp_path):
    header = HEADER.replace(",provider", "")  # a required column (optional ones may go)
    with pytest.raises(ImportRefused) as refused:
        import_file(store, write(tmp_path / "x.csv", f"{header}\na,A,P\n"), "ana")
    text = [str(p) for p in refused.value.problems]
    assert text[0] == "line 1: the header lacks column(s) provider"
    assert text[1] == "line 2: has 3 values but the header has 11 columns"


def test_a_forbidden_lifecycle_move_is_refused(store, tmp_path):
    import_file(store, write(tmp_path / "a.csv", SCHEDULE), "ana")
    revived = SCHEDULE.replace(
        "heron-0,Heron 0,Meridian,Heron,retired", "heron-0,Heron 0,Meridian,Heron,active"
    )
    with pytest.raises(ImportRefused) as refused:
        import_file(store, write(tmp_path / "b.csv", revived), "ana")
    [problem] = refused.value.problems
    assert problem.where == "line 4, column state"
    assert "a retired model cannot become active" in problem.reason


def test_text_that_is_not_utf8_is_refused_with_its_line(store, tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(f"{HEADER}\nm,Mod\xe8le,P,,,,,,,,,\n".encode("latin-1"))
    with pytest.raises(ImportRefused) as refused:
        import_file(store, path, "ana")
    assert str(refused.value.problems[0]).startswith("line 2: is not UTF-8")


def test_cancelling_an_import_writes_nothing(store, tmp_path):
    path = write(tmp_path / "a.csv", SCHEDULE)
    calls = []

    def cancel_after_first() -> bool:
        calls.append(1)
        return len(calls) > 1

    with pytest.raises(Cancelled):
        import_file(store, path, "ana", cancelled=cancel_after_first)
    assert counts(store) == (0, 0, 0)


# -- JSON -------------------------------------------------------------------
def full_store(store: Store) -> None:
    model = store.save(
        Model(
            slug="kestrel-1",
            display_name="Kestrel 1",
            provider="Meridian",
            retirement_on=date(2026, 12, 15),
            platform_dates={"Cloud A": "2027-01-15"},
        ),
        "ana",
    )
    gone = store.save(Model(slug="old-one", display_name="Old one", provider="Meridian"), "ana")
    store.delete(Model, gone.id, "ana")
    interview = store.save(
        Interview(
            model_id=model.id,
            held_on=date(2026, 10, 2),
            interviewers="Ana; Bo",
            summary="Line one\nline two",
        ),
        "ana",
    )
    store.save(
        ChecklistItem(
            model_id=model.id,
            template_key="weights.copy",
            title="Copy weights",
            due_date=date(2026, 12, 1),
            required=False,
        ),
        "bo",
    )
    store.save(
        PreferenceRequest(
            model_id=model.id,
            source="model_interview",
            interview_id=interview.id,
            words="Keep me “available”, please",
            received_on=date(2026, 10, 2),
            estimated_cost="low",
        ),
        "ana",
    )
    store.save(Report(model_id=model.id, reflections="ü ∑ 🙂"), "ana")


def test_json_export_round_trips_without_loss(store, tmp_path):
    full_store(store)
    first = tmp_path / "first.json"
    export(store, "json", first)
    with Store(tmp_path / "empty.db") as empty:
        result = import_file(empty, first, "carla")
        assert result.summary() == "6 added, 0 updated, 0 unchanged"
        second = tmp_path / "second.json"
        export(empty, "json", second)
    assert second.read_bytes() == first.read_bytes()
    doc = json.loads(first.read_text(encoding="utf-8"))
    assert [
        len(doc[k])
        for k in ("models", "checklist_items", "preference_requests", "interviews", "reports")
    ] == [2, 1, 1, 1, 1]
    assert doc["models"][1]["deleted"] is True, "tombstones travel too"


def test_json_reimport_is_idempotent_and_a_change_is_audited(store, tmp_path):
    full_store(store)
    path = tmp_path / "all.json"
    export(store, "json", path)
    before = counts(store)
    assert import_file(store, path, "ana").summary() == "0 added, 0 updated, 6 unchanged"
    assert counts(store) == before
    doc = export_document(store)
    doc["models"][0]["retirement_on"] = "2027-02-01"
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert import_file(store, path, "bo").summary() == "0 added, 1 updated, 5 unchanged"
    model_id = doc["models"][0]["id"]
    assert store.history(model_id)[-1]["new"] == "2027-02-01"


def test_malformed_json_names_line_and_column(store, tmp_path):
    path = write(tmp_path / "bad.json", '{\n  "models": [\n    {"id": "a",}\n  ]\n}\n')
    with pytest.raises(ImportRefused) as refused:
        import_file(store, path, "ana")
    [problem] = refused.value.problems
    assert problem.where == "line 3, column 16"


def test_json_problems_are_named_by_path(store, tmp_path):
    doc = {
        "models": [
            {"id": "m1", "slug": "a", "display_name": "A", "provider": "P"},
            {
                "id": "m2",
                "slug": "b",
                "display_name": "B",
                "provider": "P",
                "retirement_on": "soon",
            },
            {"id": "m3", "slug": "c", "display_name": "C", "provider": "P", "colour": "red"},
        ],
        "checklist_items": [{"id": "c1", "model_id": "nobody", "title": "T"}],
    }
    with pytest.raises(ImportRefused) as refused:
        import_file(store, write(tmp_path / "x.json", json.dumps(doc)), "ana")
    assert [p.where for p in refused.value.problems] == [
        "models[1].retirement_on",
        "models[2].colour",
        "checklist_items[0].model_id",
    ]
    assert store.count(Model) == 0


def test_every_bundled_schedule_imports_cleanly_and_cites_its_source(store):
    schedules = bundled_schedules()
    assert {s.key for s in schedules} == {
        "anthropic",
        "openai",
        "google",
        "aws-bedrock",
        "azure-openai",
    }
    total = 0
    for schedule in schedules:
        result = import_bundled(store, schedule.key, "ana")
        assert result.added > 0 and result.updated == 0
        total += result.added
    assert store.count(Model) == total
    for model in store.list(Model):
        assert "Source: https://" in model.notes and "(read 20" in model.notes
    claude = store.list(Model, "slug = ?", ("claude-3-opus-20240229",))[0]
    assert (claude.state, claude.retired_on) == ("retired", date(2026, 1, 5))
    again = [import_bundled(store, s.key, "ana").updated for s in schedules]
    assert again == [0] * len(schedules)


def test_json_model_matched_by_slug_keeps_the_stored_id_for_its_records(store, tmp_path):
    mine = store.save(Model(slug="kestrel-1", display_name="Kestrel 1", provider="Meridian"), "ana")
    doc = {
        "models": [
            {
                "id": "their-id",
                "slug": "kestrel-1",
                "display_name": "Kestrel One",
                "provider": "Meridian",
            }
        ],
        "checklist_items": [
            {
                "id": "c1",
                "model_id": "their-id",
                "title": "Copy weights",
                "template_key": "weights.copy",
            }
        ],
    }
    path = write(tmp_path / "theirs.json", json.dumps(doc))
    assert import_file(store, path, "bo").summary() == "1 added, 1 updated, 0 unchanged"
    assert [m.id for m in store.list(Model)] == [mine.id]
    assert store.get(Model, mine.id).display_name == "Kestrel One"
    assert store.get(ChecklistItem, "c1").model_id == mine.id


# -- issue 13: checklists for imported models, optional columns, bad encodings ---------
def test_models_created_by_an_import_get_their_four_checklists(store, tmp_path):
    from stewardship.domain.policy import NoticePolicy
    from stewardship.services.dashboard import build_dashboard

    import_file(store, write(tmp_path / "s.csv", SCHEDULE), "ana")
    kestrel = store.list(Model, "slug = ?", ("kestrel-1",))[0]
    items = store.list(ChecklistItem, "model_id = ?", (kestrel.id,))
    assert {i.checklist for i in items} == {
        "weight_retention",
        "post_deployment_report",
        "user_migration",
        "availability",
    }
    row = next(
        r
        for r in build_dashboard(store, date(2026, 11, 28), NoticePolicy()).rows
        if r.model.slug == "kestrel-1"
    )
    assert row.progress.total == len(items) > 0, "the dashboard shows the checklists"
    before = store.count(ChecklistItem)
    import_file(store, write(tmp_path / "s.csv", SCHEDULE), "ana")
    assert store.count(ChecklistItem) == before, "a re-import adds no items"


def test_only_slug_name_and_provider_columns_are_required(store, tmp_path):
    path = write(tmp_path / "min.csv", "slug,display_name,provider\nwren-1,Wren 1,Aviary\n")
    assert import_file(store, path, "ana").summary() == "1 added, 0 updated, 0 unchanged"
    wren = store.list(Model, "slug = ?", ("wren-1",))[0]
    assert (wren.state, wren.notes) == ("active", "")
    # A later file without the notes column leaves the stored notes alone.
    store.save(wren.replace(notes="kept"), "ana")
    later = write(tmp_path / "later.csv", "provider,slug,display_name\nAviary,wren-1,Wren One\n")
    assert import_file(store, later, "ana").summary() == "0 added, 1 updated, 0 unchanged"
    wren = store.list(Model, "slug = ?", ("wren-1",))[0]
    assert (wren.display_name, wren.notes) == ("Wren One", "kept")


def test_a_semicolon_separated_file_is_refused_in_one_sentence(store, tmp_path):
    text = HEADER.replace(",", ";") + "\nkestrel-9;Kestrel 9;Meridian;;active;;;;;;;\n"
    with pytest.raises(ImportRefused) as refused:
        import_file(store, write(tmp_path / "excel.csv", text), "ana")
    [problem] = refused.value.problems
    assert problem.where == "line 1" and "separated by semicolons" in problem.reason
    assert store.count(Model) == 0


def test_a_lone_surrogate_in_json_is_a_line_and_field_problem(store, tmp_path, capsys):
    from stewardship.cli import main

    text = (
        '{"models": [\n'
        '  {"id": "m-1", "slug": "a-1", "display_name": "A", "provider": "P"},\n'
        '  {"id": "m-2", "slug": "b-1", "display_name": "B \\ud800 x", "provider": "P"}\n'
        "]}\n"
    )
    path = write(tmp_path / "half.json", text)
    with pytest.raises(ImportRefused) as refused:
        import_file(store, path, "ana")
    [problem] = refused.value.problems
    assert problem.where == "line 3, models[1].display_name"
    assert "surrogate" in problem.reason
    assert main(["import", str(path), "--data-dir", str(tmp_path / "d")]) == 2
    err = capsys.readouterr().err
    assert "line 3, models[1].display_name" in err and "Traceback" not in err
