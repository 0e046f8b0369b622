"""Who signs off (issue 13 item 4): asked on first start, kept, and required for a sign-off."""

from __future__ import annotations

import os
import subprocess
import sys
from types import SimpleNamespace

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication
from test_checklists_ui import shown_view, stored
from ui_keys import press, type_text

from stewardship.domain.records import ChecklistItem
from stewardship.services import identity
from stewardship.ui.application import make_application
from stewardship.ui.steward_name_dialog import StewardNameDialog, ask_steward_name


@pytest.fixture
def unnamed(monkeypatch):
    """No STEWARDSHIP_STEWARD (the tests' override) and no name in the store."""
    monkeypatch.delenv("STEWARDSHIP_STEWARD", raising=False)


def _gecos(monkeypatch, gecos: str) -> None:
    import pwd

    monkeypatch.setattr(pwd, "getpwuid", lambda _uid: SimpleNamespace(pw_gecos=gecos))


def test_os_full_name_comes_from_the_account(monkeypatch):
    _gecos(monkeypatch, "Ada Steward,Room 4,,")
    assert identity.os_full_name() == "Ada Steward"
    _gecos(monkeypatch, "")
    assert identity.os_full_name() == ""


def test_first_start_asks_for_the_name_prefilled_and_keeps_it(qtbot, ctx, unnamed, monkeypatch):
    make_application()
    _gecos(monkeypatch, "Ada Steward,,,")
    assert identity.named_steward(ctx.store) == ""
    seen: dict[str, str] = {}

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, StewardNameDialog) or not dialog.isActiveWindow():
            if isinstance(dialog, StewardNameDialog):
                dialog.activateWindow()
            QTimer.singleShot(20, answer)  # not up yet
            return
        try:
            seen["prefilled"] = dialog.name_edit.text()
            dialog.activateWindow()
            dialog.name_edit.setFocus()
            dialog.name_edit.selectAll()
            type_text("Ada Lovelace")
            press(Qt.Key.Key_Return)
        finally:
            if dialog.isVisible():  # never leave the test waiting on the dialog
                seen["left open"] = dialog.name_edit.text()
                dialog.reject()

    QTimer.singleShot(0, answer)
    assert ask_steward_name(ctx)
    assert seen["prefilled"] == "Ada Steward"
    assert ctx.who == "Ada Lovelace"
    assert ctx.store.get_setting(identity.SETTING_KEY) == "Ada Lovelace"
    # the next start does not ask again
    assert ask_steward_name(ctx)


def test_an_empty_name_cannot_be_kept(qtbot, ctx, unnamed):
    make_application()
    dialog = StewardNameDialog("")
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(dialog.buttons.StandardButton.Ok)
    assert not ok.isEnabled()
    dialog.name_edit.setText("   ")
    assert not ok.isEnabled()
    dialog.name_edit.setText("x" * 200)
    assert not ok.isEnabled() and "at most 120" in dialog.error.text()


def test_the_override_still_wins_without_a_dialog(ctx):
    # tests/conftest.py sets STEWARDSHIP_STEWARD: nothing is asked
    assert identity.named_steward(ctx.store) == "Test Steward"
    assert ask_steward_name(ctx)


def test_a_sign_off_without_a_name_is_refused_and_says_why(qtbot, demo_ctx, unnamed):
    view = shown_view(qtbot, demo_ctx)
    todo = next(
        i
        for i in demo_ctx.store.list(ChecklistItem)
        if i.status == "todo" and not i.evidence_required
    )
    done = demo_ctx.store.save(todo.replace(status="done"), "Test Steward")
    assert view.select_model(done.model_id)
    view.editor.load(done)
    assert view.editor.sign_off() is None
    error = view.editor.errors["signed_off_by"]
    assert error.isVisibleTo(view.editor) and "set your name first" in error.text()
    assert not stored(demo_ctx, done.id).signed_off
    # once named, the same sign-off goes through under that name
    identity.set_steward_name(demo_ctx.store, "Ada Lovelace")
    signed = view.editor.sign_off()
    assert signed is not None and signed.signed_off_by == "Ada Lovelace"
    assert stored(demo_ctx, done.id).signed_off_by == "Ada Lovelace"


def test_headless_verbs_and_pictures_never_ask(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "STEWARDSHIP_STEWARD"}
    env["QT_QPA_PLATFORM"] = "offscreen"
    data = str(tmp_path / "d")
    for args in (
        ["--demo", "--screenshot", str(tmp_path / "x.png")],
        ["export", "--format", "json", "-o", str(tmp_path / "all.json")],
    ):
        result = subprocess.run(
            [sys.executable, "-m", "stewardship.cli", "--data-dir", data, *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            stdin=subprocess.DEVNULL,
        )
        assert result.returncode == 0, result.stderr
