"""Record types are declared once: a throwaway type, with one migration line, is a
table in fresh and old stores alike, and a list of the JSON export."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import pytest

from stewardship.domain.errors import Problem
from stewardship.domain.record_base import (
    RECORD_TYPES,
    Record,
    export_sections,
    import_order,
    unregister,
)
from stewardship.domain.records import Model
from stewardship.services.exporting import export
from stewardship.services.importing import import_file
from stewardship.store import Store, schema
from stewardship.store.schema import add_record_columns, new_record_type

EXISTING_SECTIONS = [
    "models",
    "checklist_items",
    "preference_requests",
    "interviews",
    "reports",
    "interview_answers",
    "archive_copies",
    "weight_manifests",
    "weight_manifest_files",
    "weight_verifications",
]


@dataclass
class _Gadget(Record):
    """Fields of the throwaway type (its subclass below declares it)."""

    model_id: str = ""
    name: str = ""
    weight_grams: int = 0

    def problems(self) -> list[Problem]:
        found = super().problems()
        if not self.name.strip():
            found.append(Problem("name", "is required"))
        return found


@pytest.fixture
def gadget() -> Iterator[type[_Gadget]]:
    """Declares a "gadget" record type with its migration; both are gone afterwards."""
    before = list(RECORD_TYPES)

    @dataclass
    class Gadget(_Gadget):
        TYPE = "gadget"
        TABLE = "gadgets"
        EXPORT_SECTION = "gadgets"
        EXPORT_ORDER = ("name",)
        REFERENCES: ClassVar[dict[str, str]] = {"model_id": "model"}

    migration = new_record_type("gadget")  # the one migration line of a new type
    schema.MIGRATIONS.append(migration)
    try:
        yield Gadget
    finally:
        schema.MIGRATIONS.remove(migration)
        unregister(Gadget)
    assert list(RECORD_TYPES) == before


def _tables(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    finally:
        conn.close()


def _model() -> Model:
    return Model(slug="kestrel-1", display_name="Kestrel 1", provider="Meridian")


def test_a_new_type_and_its_migration_open_fresh_and_old_stores(tmp_path, request) -> None:
    old_path = tmp_path / "old.db"
    with Store(old_path) as old:  # written by the console before the new type
        previous = old.schema_version
        model = old.save(_model(), "ana")
    assert "gadgets" not in _tables(old_path)

    Gadget = request.getfixturevalue("gadget")
    with Store(old_path) as old:
        assert old.schema_version == previous + 1
        assert old.get(Model, model.id) == model
        saved = old.save(Gadget(model_id=model.id, name="spanner", weight_grams=120), "ana")
        assert old.get(Gadget, saved.id) == saved
    with Store(tmp_path / "fresh.db") as fresh:
        assert fresh.schema_version == previous + 1
        saved = fresh.save(Gadget(model_id="m", name="wrench"), "ana")
        assert fresh.get(Gadget, saved.id) == saved
        assert fresh.list(Gadget, "model_id = ?", ("m",)) == [saved]


def test_a_new_type_is_a_list_of_the_json_export_and_comes_back(tmp_path, gadget) -> None:
    with Store(tmp_path / "a.db") as store:
        model = store.save(_model(), "ana")
        item = store.save(gadget(model_id=model.id, name="spanner"), "ana")
        export(store, "json", tmp_path / "out.json")
    doc = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert [k for k in doc if k not in ("format", "format_version")] == [
        *EXISTING_SECTIONS,
        "gadgets",
    ]
    assert [g["name"] for g in doc["gadgets"]] == ["spanner"]
    with Store(tmp_path / "b.db") as other:
        assert import_file(other, tmp_path / "out.json", "bob").added == 2
        assert other.get(gadget, item.id) == item


def test_an_import_refuses_a_new_type_naming_a_model_that_is_nowhere(tmp_path, gadget) -> None:
    doc = {"gadgets": [{"id": "g1", "model_id": "nowhere", "name": "spanner"}]}
    (tmp_path / "in.json").write_text(json.dumps(doc), encoding="utf-8")
    from stewardship.services.file_problems import ImportRefused

    with Store(tmp_path / "a.db") as store, pytest.raises(ImportRefused) as refused:
        import_file(store, tmp_path / "in.json", "bob")
    assert [(p.where, p.reason) for p in refused.value.problems] == [
        ("gadgets[0].model_id", "no model with id 'nowhere' here or in the file")
    ]


def test_the_types_are_registered_in_export_order() -> None:
    assert list(export_sections()) == EXISTING_SECTIONS
    order = [cls.TYPE for cls in import_order()]
    assert order.index("interview") < order.index("preference_request")
    assert order[0] == "model"


def test_a_type_reusing_a_table_or_section_is_refused_when_declared() -> None:
    with pytest.raises(TypeError, match="TABLE 'models' is already used by Model"):

        @dataclass
        class Clash(Record):
            TYPE = "clash"
            TABLE = "models"
            EXPORT_SECTION = "clashes"

    with pytest.raises(TypeError, match="must set EXPORT_SECTION"):

        @dataclass
        class Unnamed(Record):
            TYPE = "unnamed"
            TABLE = "unnamed"

    assert "clash" not in RECORD_TYPES and "unnamed" not in RECORD_TYPES


def test_a_field_added_later_is_a_column_of_old_and_fresh_stores(tmp_path, gadget) -> None:
    old_path = tmp_path / "old.db"
    Store(old_path).close()  # has "gadgets" without the new field

    @dataclass
    class Gadget2(gadget):  # the same type, a field more (inherits TYPE: no new type)
        colour: str = ""

    conn = sqlite3.connect(old_path)
    import sqlite_utils

    add_record_columns(sqlite_utils.Database(conn), Gadget2)
    conn.commit()
    conn.close()
    with Store(old_path) as store:
        saved = store.save(Gadget2(model_id="m", name="spanner", colour="red"), "ana")
        assert store.get(Gadget2, saved.id) == saved
    assert "gadget" in RECORD_TYPES and RECORD_TYPES["gadget"] is gadget
