"""A registry reached over plain http:// (allowed with --insecure) is warned about in the window."""

from __future__ import annotations

from stewardship.services.sync_service import RegistrySettings, save_registry, validate_registry
from stewardship.ui.main_window import MainWindow


def test_the_window_warns_about_a_clear_text_registry(qtbot, ctx):
    settings = validate_registry("http://lab-registry.internal:8470", insecure=True)
    assert settings.insecure
    save_registry(ctx.store, settings)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.finish_start()
    window.show_view("settings")
    page = window.pages["settings"]
    assert "clear text" in page.error_label.text()
    page.save_button.click()  # saving the same URL again keeps the steward's choice
    assert "clear text" in page.error_label.text()

    save_registry(ctx.store, RegistrySettings("https://registry.example.org"))
    page.refresh()
    page.error_label.setText("")
    page.save_button.click()
    assert page.error_label.text() == ""
    page.url_edit.setText("http://other.example.org")
    page.save_button.click()
    assert "clear text" in page.error_label.text() and "https://" in page.error_label.text()
