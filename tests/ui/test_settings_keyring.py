"""Settings when the keyring named in the environment cannot be loaded: said, not crashed."""

from __future__ import annotations

import keyring.core
import pytest

from stewardship.services.sync_service import RegistrySettings, save_registry
from stewardship.ui.main_window import MainWindow


@pytest.fixture
def missing_keyring_backend(monkeypatch: pytest.MonkeyPatch) -> str:
    """``PYTHON_KEYRING_BACKEND`` names a backend that is not installed, read afresh."""
    name = "nonexistent.Backend"
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", name)
    monkeypatch.delenv("STEWARDSHIP_TOKEN", raising=False)
    # keyring chooses its backend once per process: make it choose again (restored after).
    monkeypatch.setattr(keyring.core, "_keyring_backend", None)
    return name


def test_settings_say_no_keyring_when_the_named_backend_is_missing(
    qtbot, ctx, missing_keyring_backend
):
    save_registry(ctx.store, RegistrySettings("https://registry.example.org"))
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.finish_start()

    window.show_view("settings")
    page = window.pages["settings"]
    shown = page.keyring_label.text()
    assert "no keyring available" in shown.lower()
    assert f"PYTHON_KEYRING_BACKEND={missing_keyring_backend}" in shown
    assert page.token_state.text() == "No token for https://registry.example.org yet."

    page.token_edit.setText("session-secret")
    page.store_token_button.click()
    assert window.sync.session_token == "session-secret", "kept for this session only"
    assert "this session only" in page.token_state.text()
    assert "session-secret" not in shown + page.token_state.text()
    page.forget_button.click()
    assert window.sync.session_token is None

    window.show_view("models")  # the console keeps working
    assert window.current_view() == "models"
