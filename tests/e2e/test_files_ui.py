"""The Interviews tab and the item editor say where a file is, and Fetch brings it (real widgets)."""

from __future__ import annotations

from pathlib import Path

import pytest

from stewardship.app import AppContext
from stewardship.domain.records import ChecklistItem, Interview
from stewardship.services.sync_service import RegistrySettings, run_sync, save_registry
from stewardship.ui.checklist_item_editor import ItemEditor
from stewardship.ui.interviews_panel import InterviewsPanel

from .files_helpers import MiB, a_model, attach_evidence, attach_transcript, make_file


@pytest.fixture
def ben_ctx(tmp_path: Path, today, registry, monkeypatch):
    monkeypatch.setenv("STEWARDSHIP_TOKEN", registry.token("ben"))
    ctx = AppContext.open(tmp_path / "ben-laptop", today=lambda: today)
    save_registry(ctx.store, RegistrySettings(registry.url))
    ctx.store.set_setting("files.auto_fetch_mb", "0")  # everything on demand: Fetch
    yield ctx
    ctx.close()


def test_interviews_tab_says_where_the_transcript_is_and_fetches_it(
    qtbot, console_factory, ben_ctx: AppContext, tmp_path: Path
) -> None:
    ana = console_factory("ana")
    present = tmp_path / "kept.txt"
    sha = make_file(present, 3 * MiB, seed=7)
    kept = attach_transcript(ana.store, ana.data_dir, present, who="Ana Okafor")
    ana.sync()
    run_sync(ben_ctx.store.path)

    panel = InterviewsPanel(ben_ctx)
    qtbot.addWidget(panel)
    panel.load_model(ben_ctx.store.get(type(a_model(ana.store)), kept.model_id))
    rows = {i.id: n for n, i in enumerate(panel.table_model.rows())}
    panel.table.selectRow(rows[kept.id])
    form = panel.form
    assert "In the registry (3.1 MB), not yet on this laptop: Fetch it." in form.transcript.text()
    assert form.fetch_button.isVisibleTo(panel)

    with qtbot.waitSignal(panel.fetch_transcript().signals.succeeded, timeout=20_000):
        pass
    qtbot.waitUntil(lambda: "On this laptop" in form.transcript.text(), timeout=5_000)
    assert not form.fetch_button.isVisibleTo(panel)
    assert (ben_ctx.data_dir / "transcripts" / sha).read_bytes() == present.read_bytes()
    assert "fetched and checked" in panel.task_status.message.text()


def test_a_transcript_no_one_has_is_a_warning_naming_who_attached_it(
    qtbot, registry, console_factory, ben_ctx: AppContext, tmp_path: Path
) -> None:
    ana = console_factory("ana")
    source = tmp_path / "t.txt"
    make_file(source, MiB, seed=9)
    interview = attach_transcript(ana.store, ana.data_dir, source, who="Ana Okafor")
    # the file is gone from Ana's laptop before it ever reached the registry:
    # her record syncs, the file cannot
    (ana.data_dir / "transcripts" / interview.transcript_sha256).chmod(0o644)
    (ana.data_dir / "transcripts" / interview.transcript_sha256).unlink()
    ana.sync()
    run_sync(ben_ctx.store.path)

    panel = InterviewsPanel(ben_ctx)
    qtbot.addWidget(panel)
    panel.load_model(ben_ctx.store.get(type(a_model(ana.store)), interview.model_id))
    text = panel.form.transcript.text()
    assert "Missing everywhere" in text and "attached by Ana Okafor" in text
    assert panel.form.transcript.property("role") == "error"
    assert not panel.form.fetch_button.isVisibleTo(panel)
    assert ben_ctx.store.get(Interview, interview.id) is not None


def test_item_editor_shows_the_evidence_file_and_fetches_it(
    qtbot, console_factory, ben_ctx: AppContext, tmp_path: Path
) -> None:
    from stewardship.services.checklists import ChecklistService

    ana = console_factory("ana")
    source = tmp_path / "manifest.txt"
    sha = make_file(source, 2 * MiB, seed=10)
    item = attach_evidence(ana.store, ana.data_dir, source)
    ana.sync()
    run_sync(ben_ctx.store.path)

    editor = ItemEditor(ChecklistService(ben_ctx.store, ben_ctx.who))
    qtbot.addWidget(editor)
    editor.load(ben_ctx.store.get(ChecklistItem, item.id))
    assert editor.file_where.text().startswith("In the registry (2.1 MB)")
    assert editor.fetch_button.isVisibleTo(editor)
    job = editor.fetch_evidence()
    assert job is not None
    qtbot.waitUntil(lambda: editor.file_where.text().startswith("On this laptop"), timeout=20_000)
    assert (ben_ctx.data_dir / "evidence" / sha).read_bytes() == source.read_bytes()
    assert not editor.fetch_button.isVisibleTo(editor)

    # choosing a file copies it into the data folder while hashing: it travels
    chosen = tmp_path / "second.txt"
    chosen_sha = make_file(chosen, MiB, seed=11)
    with qtbot.waitSignal(editor.hash_path(chosen).signals.succeeded, timeout=20_000):
        pass
    qtbot.waitUntil(lambda: editor.widgets["evidence_sha256"].text() == chosen_sha, timeout=5000)
    assert (ben_ctx.data_dir / "evidence" / chosen_sha).read_bytes() == chosen.read_bytes()
    assert "On this laptop" in editor.file_where.text()
