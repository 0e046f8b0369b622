import contextlib
import hashlib
import os
import threading
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit, QPlainTextEdit

from stewardship.domain.records import ChecklistItem, Model
from stewardship.services.models import GATE_OVERRIDE_FIELD
from stewardship.ui.checklists_view import ITEM_ROLE, ChecklistsView
from stewardship.ui.main_window import MainWindow
from stewardship.ui.models_view import ModelsView


def model_by_slug(ctx, slug: str) -> Model:
    return next(m for m in ctx.store.list(Model) if m.slug == slug)


def shown_view(qtbot, ctx) -> ChecklistsView:
    view = ChecklistsView(ctx)
    qtbot.addWidget(view)
    view.resize(1200, 800)
    view.show()
    qtbot.waitExposed(view)
    view.activateWindow()
    qtbot.waitUntil(view.isActiveWindow)
    view.refresh()
    view.tree.setFocus()
    return view


def stored(ctx, item_id: str) -> ChecklistItem:
    found = ctx.store.get(ChecklistItem, item_id)
    assert found is not None
    return found


def test_groups_show_progress_and_overdue_items(qtbot, demo_ctx):
    view = shown_view(qtbot, demo_ctx)
    assert view.select_model(model_by_slug(demo_ctx, "kestrel-code-1").id)
    top = [view.tree.topLevelItem(i) for i in range(view.tree.topLevelItemCount())]
    assert [n.text(0) for n in top] == [
        "Weight retention",
        "Post-deployment report",
        "User migration",
        "Availability",
    ]
    assert top[0].text(1) == "3/7 done" and top[0].text(2) == "4 overdue"
    from stewardship.ui.table_model import VALUE_ROLE

    assert top[0].data(1, VALUE_ROLE) == pytest.approx(3 / 7)
    assert "9 of 22 items complete · 10 overdue" in view.summary.text()
    restore = next(
        top[0].child(i)
        for i in range(top[0].childCount())
        if top[0].child(i).text(0) == "Restore test done"
    )
    assert restore.foreground(2).color().name() == "#b3261e", "overdue items are red"


def test_keyboard_only_editing_sign_off_and_history(qtbot, demo_ctx):
    view = shown_view(qtbot, demo_ctx)
    halcyon = model_by_slug(demo_ctx, "halcyon-2")
    # pick the model with the keyboard
    qtbot.keyClick(view.tree, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert view.picker.hasFocus()
    qtbot.keyClick(view.picker, Qt.Key.Key_Home)
    for _ in range(view.picker.count()):
        if view.picker.currentData() == halcyon.id:
            break
        qtbot.keyClick(view.picker, Qt.Key.Key_Down)
    assert view.model.id == halcyon.id
    qtbot.keyClick(view.picker, Qt.Key.Key_Tab)
    assert view.tree.hasFocus()
    # walk to "At least two independent storage copies" (third weight-retention item)
    for _ in range(30):
        if (
            view.current_item() is not None
            and view.current_item().template_key == "weight_retention.two_storage_copies"
        ):
            break
        qtbot.keyClick(view.tree, Qt.Key.Key_Down)
    item_id = view.current_item().id
    qtbot.keyClick(view.tree, Qt.Key.Key_Return)
    status = view.editor.widgets["status"]
    assert isinstance(status, QComboBox) and status.hasFocus()
    for _ in range(5):
        if status.currentData() == "done":
            break
        qtbot.keyClick(status, Qt.Key.Key_Down)
    qtbot.keyClick(status, Qt.Key.Key_Tab)  # the n/a reason is disabled and skipped
    owner = view.editor.widgets["owner"]
    assert owner.hasFocus()
    owner.selectAll()
    qtbot.keyClicks(owner, "Sam Adeyemi")
    qtbot.keyClick(owner, Qt.Key.Key_Tab)
    due = view.editor.widgets["due_date"]
    assert isinstance(due, QLineEdit) and due.hasFocus()
    due.selectAll()
    qtbot.keyClicks(due, "2026-12-01")
    qtbot.keyClick(due, Qt.Key.Key_Tab)
    assert view.editor.widgets["evidence"].hasFocus()
    qtbot.keyClicks(view.editor.widgets["evidence"], "Copy 2 on tape set T-7, vault B")
    qtbot.keyClick(
        view.editor.widgets["evidence"], Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier
    )
    saved = stored(demo_ctx, item_id)
    assert (saved.status, saved.owner, saved.due_date) == ("done", "Sam Adeyemi", date(2026, 12, 1))
    assert saved.evidence.endswith("vault B")
    assert not saved.signed_off

    qtbot.keyClick(
        view.tree,
        Qt.Key.Key_S,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    signed = stored(demo_ctx, item_id)
    assert signed.signed_off_by == "Test Steward" and signed.signed_off_at.endswith("Z")
    assert "Signed off by" in view.editor.sign_off_label.text()

    qtbot.keyClick(view.tree, Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier)
    assert view.tabs.currentIndex() == 1
    fields = [view.history.item(r, 2).text() for r in range(view.history.rowCount())]
    assert fields[-1] == "Created"
    assert {"Status", "Owner", "Due date", "Evidence", "Signed off by"} <= set(fields)
    row = fields.index("Status")
    assert (view.history.item(row, 3).text(), view.history.item(row, 4).text()) == (
        "In progress",
        "Done",
    )
    assert view.history.item(row, 1).text() == "Test Steward"


def test_not_applicable_needs_a_reason_before_save(qtbot, demo_ctx):
    view = shown_view(qtbot, demo_ctx)
    view.select_model(model_by_slug(demo_ctx, "orrery-vision-1").id)
    editor = view.editor
    status = editor.widgets["status"]
    assert isinstance(status, QComboBox)
    status.setCurrentIndex(status.findData("not_applicable"))
    assert not editor.save_button.isEnabled()
    assert "say why" in editor.errors["not_applicable_reason"].text()
    reason = editor.widgets["not_applicable_reason"]
    assert reason.isEnabled()
    qtbot.keyClicks(reason, "No public API ever served this model")
    assert editor.save_button.isEnabled()
    qtbot.keyClick(reason, Qt.Key.Key_Return)
    assert stored(demo_ctx, editor.original.id).status == "not_applicable"


def test_bad_digest_and_sign_off_without_evidence_are_explained(qtbot, demo_ctx):
    view = shown_view(qtbot, demo_ctx)
    view.select_model(model_by_slug(demo_ctx, "orrery-vision-1").id)
    editor = view.editor
    original = editor.original
    digest = editor.widgets["evidence_sha256"]
    qtbot.keyClicks(digest, "abc123")
    assert "64 hexadecimal characters" in editor.errors["evidence_sha256"].text()
    assert not editor.save_button.isEnabled()
    digest.clear()
    editor.sign_off()
    assert "only a done item" in editor.errors["signed_off_by"].text()
    status = editor.widgets["status"]
    assert isinstance(status, QComboBox)
    status.setCurrentIndex(status.findData("done"))
    editor.sign_off()
    assert "needs evidence" in editor.errors["signed_off_by"].text()
    assert stored(demo_ctx, original.id) == original, "nothing was written"


def test_file_evidence_is_hashed_in_the_background(qtbot, demo_ctx, tmp_path: Path):
    view = shown_view(qtbot, demo_ctx)
    view.select_model(model_by_slug(demo_ctx, "orrery-vision-1").id)
    editor = view.editor
    data = os.urandom(5 * 1024 * 1024)
    path = tmp_path / "MANIFEST.sha256"
    path.write_bytes(data)
    seen: list[int] = []
    job = editor.hash_path(path)
    job.signals.progress.connect(lambda _what, done, _total: seen.append(done))
    assert editor.hash_bar.isVisibleTo(editor) and editor.cancel_button.isVisibleTo(editor)
    qtbot.waitUntil(lambda: not editor.is_hashing(), timeout=10_000)
    assert editor.widgets["evidence_sha256"].text() == hashlib.sha256(data).hexdigest()
    assert editor.widgets["evidence_file"].text() == str(path)
    assert seen and seen[-1] == len(data), "progress came through, up to the whole file"
    assert not editor.hash_bar.isVisibleTo(editor)
    assert editor.save_button.isEnabled()
    editor.save()
    assert stored(demo_ctx, editor.original.id).evidence_sha256 == hashlib.sha256(data).hexdigest()


def _feed(fifo: Path) -> None:
    with contextlib.suppress(BrokenPipeError):  # the cancelled worker may close first
        fifo.write_bytes(b"x" * 4096)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="uses a named pipe to hold the worker")
def test_hashing_can_be_cancelled_from_the_editor(qtbot, demo_ctx, tmp_path: Path):
    view = shown_view(qtbot, demo_ctx)
    view.select_model(model_by_slug(demo_ctx, "orrery-vision-1").id)
    editor = view.editor
    fifo = tmp_path / "slow-device"
    os.mkfifo(fifo)  # the worker waits on it until the test writes: no race with a fast disk
    job = editor.hash_path(fifo)
    with qtbot.waitSignal(job.signals.cancelled, timeout=10_000):
        qtbot.mouseClick(editor.cancel_button, Qt.MouseButton.LeftButton)
        assert not editor.is_hashing() and not editor.hash_bar.isVisibleTo(editor)
        writer = threading.Thread(target=_feed, args=(fifo,))
        writer.start()
    writer.join(5)
    assert editor.widgets["evidence_sha256"].text() == ""
    assert editor.widgets["evidence_file"].text() == ""
    assert editor.choose_button.isEnabled()


def test_dashboard_enter_opens_the_models_checklists(qtbot, demo_ctx):
    window = MainWindow(demo_ctx)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    dashboard = window.pages["dashboard"]
    names = [dashboard.proxy.index(r, 0).data() for r in range(dashboard.proxy.rowCount())]
    dashboard.table.setFocus()
    dashboard.table.selectRow(names.index("Kestrel Code 1"))
    qtbot.keyClick(dashboard.table, Qt.Key.Key_Return)
    assert window.current_view() == "checklists"
    view = window.pages["checklists"]
    assert view.model.slug == "kestrel-code-1"
    assert view.picker.currentData() == view.model.id
    assert view.current_item() is not None and view.tree.hasFocus()

    # saving an item updates the dashboard's counts
    before = dashboard.dashboard.overdue_items
    node = next(
        view.tree.topLevelItem(0).child(i)
        for i in range(7)
        if view.tree.topLevelItem(0).child(i).data(0, ITEM_ROLE).is_overdue(demo_ctx.today())
    )
    view.tree.setCurrentItem(node)
    view.editor.widgets["status"].setCurrentIndex(view.editor.widgets["status"].findData("done"))
    view.editor.save()
    window.show_view("dashboard")  # hidden pages reload when shown again
    assert dashboard.dashboard.overdue_items == before - 1


def _answer_override(form, reason: str | None) -> None:
    dialog = form.override_dialog
    assert dialog is not None, "the override dialog is showing"
    assert dialog.items.count() == 19
    assert not dialog.retire_button.isEnabled(), "no reason, no override"
    if reason is None:
        dialog.reject()
        return
    dialog.reason.setPlainText(reason)
    dialog.retire_button.click()


def test_retiring_with_open_items_asks_for_an_override_reason(qtbot, ctx):
    view = ModelsView(ctx)
    qtbot.addWidget(view)
    from stewardship.services.models import ModelService

    model = ModelService(ctx.store, ctx.who).save(
        Model.from_dict(
            {
                "slug": "kestrel-4",
                "display_name": "Kestrel 4",
                "provider": "Meridian",
                "state": "deprecated",
                "deprecation_announced_on": "2026-09-01",
                "retirement_on": "2026-11-27",
            }
        )
    )
    view.refresh()
    assert view.select_model(model.id)
    state = view.form.widgets["state"]
    assert isinstance(state, QComboBox)
    state.setCurrentIndex(state.findData("retired"))

    QTimer.singleShot(0, lambda: _answer_override(view.form, None))
    assert view.form.save() is None
    assert ctx.store.get(Model, model.id).state == "deprecated"
    assert "still open" in view.form.summary.text()

    QTimer.singleShot(0, lambda: _answer_override(view.form, "Contract ends; restore test 5 Jan"))
    saved = view.form.save()
    assert saved is not None and saved.state == "retired"
    entry = next(h for h in ctx.store.history(model.id) if h["field"] == GATE_OVERRIDE_FIELD)
    assert entry["new"] == "Contract ends; restore test 5 Jan"
    assert QApplication.activeModalWidget() is None


def test_notes_field_tabs_out_instead_of_inserting_a_tab(qtbot, demo_ctx):
    view = shown_view(qtbot, demo_ctx)
    notes = view.editor.widgets["notes"]
    assert isinstance(notes, QPlainTextEdit) and notes.tabChangesFocus()


def test_owner_field_completes_the_stores_owners_when_focused(qtbot, demo_ctx):
    view = shown_view(qtbot, demo_ctx)
    assert view.select_model(model_by_slug(demo_ctx, "halcyon-2").id)
    calls = []
    read_owners = view.editor.service.owners
    view.editor.owners._choices = lambda: calls.append(1) or read_owners()
    view.editor.owners.invalidate()
    qtbot.keyClick(view.tree, Qt.Key.Key_Down)
    qtbot.keyClick(view.tree, Qt.Key.Key_Down)
    assert calls == [], "moving between items does not read every owner in the store"

    owner = view.editor.widgets["owner"]
    owner.setFocus()
    qtbot.waitUntil(owner.hasFocus)
    offered = owner.completer().model().stringList()
    assert calls == [1] and offered == read_owners() and offered, "read once, on focus"
    assert "Noor Haddad" not in offered

    owner.selectAll()
    qtbot.keyClicks(owner, "Noor Haddad")
    qtbot.keyClick(owner, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert stored(demo_ctx, view.editor.original.id).owner == "Noor Haddad"
    owner = view.editor.widgets["owner"]
    owner.setFocus()
    qtbot.waitUntil(owner.hasFocus)
    assert "Noor Haddad" in owner.completer().model().stringList(), "a new owner completes next"
