"""Steward-facing text says things in a steward's words, never the stored values (issue 13, 9)."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from stewardship.cli import main
from stewardship.domain.checklists import describe
from stewardship.domain.errors import ValidationError
from stewardship.domain.records import ChecklistItem, Model
from stewardship.services.exporting import export
from stewardship.services.file_problems import FileProblem, ImportRefused
from stewardship.services.importing import import_file
from stewardship.ui.checklists_view import _history_value
from stewardship.ui.conflicts_view import ConflictsView
from stewardship.ui.dashboard_view import DashboardView
from stewardship.ui.models_view import ModelsView
from stewardship.ui.problems_dialog import ProblemsDialog
from stewardship.ui.reports_view import ReportsView


def test_a_to_do_item_reads_to_do_in_the_gate_and_the_sign_off_refusal(store):
    model = store.save(Model(slug="k-1", display_name="K 1", provider="P"), "t")
    item = ChecklistItem(model_id=model.id, template_key="k", title="Copy weights")
    assert describe(item) == "Weight retention: Copy weights (to do)"
    with pytest.raises(ValidationError) as refused:
        store.save(item.replace(signed_off_by="Ada", signed_off_at="2026-11-28T10:00:00Z"), "t")
    assert "this one is to do" in str(refused.value)
    assert "todo" not in str(refused.value)


def test_history_names_fields_and_values_as_the_editor_does():
    from stewardship.domain.vocabulary import label

    assert label("evidence_url") == "Evidence URL"
    assert label("evidence_sha256") == "Evidence SHA-256"
    assert _history_value("status", "todo") == "To do"
    assert _history_value("status", "in_progress") == "In progress"
    assert _history_value("owner", "ana_b") == "ana_b", "typed text stays as typed"


def test_one_model_is_one_model_not_one_models(qtbot, ctx, tmp_path):
    ctx.store.save(
        Model(slug="k-1", display_name="K 1", provider="P", retirement_on=ctx.today()), "t"
    )
    dashboard = DashboardView(ctx)
    qtbot.addWidget(dashboard)
    dashboard.refresh()
    assert dashboard.count_label.text() == "1 model"
    assert "1 model in this store" in dashboard.subtitle.text()
    models = ModelsView(ctx)
    qtbot.addWidget(models)
    models.refresh()
    assert models.count_label.text() == "1 model"
    result = export(ctx.store, "csv", tmp_path / "m.csv", table="models")
    assert result.summary().startswith("wrote 1 model to ")


def test_replacement_column_shows_the_models_name_like_the_model_column(qtbot, ctx):
    ctx.store.save(Model(slug="kestrel-2", display_name="Kestrel 2", provider="P"), "t")
    ctx.store.save(
        Model(
            slug="kestrel-1",
            display_name="Kestrel 1",
            provider="P",
            replacement="kestrel-2",
            retirement_on=ctx.today(),
        ),
        "t",
    )
    ctx.store.save(
        Model(slug="wren-1", display_name="Wren 1", provider="P", replacement="not-here-9"), "t"
    )
    view = ModelsView(ctx)
    qtbot.addWidget(view)
    view.refresh()
    rows = {
        view.model.index(r, 0).data(): view.model.index(r, 5).data()
        for r in range(view.model.rowCount())
    }
    assert rows["Kestrel 1"] == "Kestrel 2"
    assert rows["Wren 1"] == "not-here-9", "a slug with no model here is shown as typed"
    dashboard = DashboardView(ctx)
    qtbot.addWidget(dashboard)
    dashboard.refresh()
    headers = [
        dashboard.model.headerData(c, Qt.Orientation.Horizontal)
        for c in range(dashboard.model.columnCount())
    ]
    col = headers.index("Replacement")
    assert dashboard.model.index(0, col).data() == "Kestrel 2"


def test_a_report_never_started_is_not_started_everywhere(qtbot, demo_ctx, tmp_path):
    from stewardship.services.reports import ReportService

    service = ReportService(demo_ctx.store, demo_ctx.who)
    row = next(r for r in service.rows() if r.report is None)
    assert row.report is None
    view = ReportsView(demo_ctx)
    qtbot.addWidget(view)
    view.refresh()
    shown = [
        view.list_model.index(r, c).data()
        for r in range(view.list_model.rowCount())
        for c in range(view.list_model.columnCount())
    ]
    assert "Not started" in shown
    out = tmp_path / "r.md"
    code = main(
        [
            "report",
            row.model.slug,
            "--data-dir",
            str(demo_ctx.data_dir),
            "--format",
            "md",
            "-o",
            str(out),
        ]
    )
    assert code == 0
    assert "- **Report status:** Not started" in out.read_text(encoding="utf-8")


def test_conflicts_with_nothing_to_decide_say_so_instead_of_two_blank_panes(qtbot, ctx):
    view = ConflictsView(ctx)
    qtbot.addWidget(view)
    view.resize(1100, 700)
    view.show()
    qtbot.waitExposed(view)
    view.refresh()
    assert view.empty.isVisible() and "No conflicts" in view.empty.text()
    assert not view.list.isVisible(), "no empty list pane"
    assert not view.detail.isVisible(), "no empty detail pane"


def test_the_refusal_dialog_says_nothing_was_imported_once(qtbot):
    error = ImportRefused("x.csv", [FileProblem("line 2", "is wrong")])
    dialog = ProblemsDialog("Import refused", str(error), error.problems)
    qtbot.addWidget(dialog)
    said = " ".join(label.text() for label in dialog.findChildren(QLabel)).lower()
    assert said.count("nothing was imported") == 1


def test_an_unknown_state_in_a_json_import_is_one_problem(demo_ctx, tmp_path):
    first = tmp_path / "all.json"
    export(demo_ctx.store, "json", first)
    doc = json.loads(first.read_text(encoding="utf-8"))
    doc["models"][5]["state"] = "sunset"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(ImportRefused) as refused:
        import_file(demo_ctx.store, bad, "t")
    assert [p.where for p in refused.value.problems] == ["models[5].state"]
