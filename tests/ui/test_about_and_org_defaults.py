"""The About dialog and Settings page show version, build and the organisation defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from stewardship import __version__
from stewardship.app import AppContext
from stewardship.cli import main
from stewardship.services.org_config import ENV_ORG_CONFIG
from stewardship.ui.about_dialog import AboutDialog
from stewardship.ui.app_icon import app_icon
from stewardship.ui.main_window import MainWindow

ORG = "[registry]\nurl = https://registry.meridian.example\n\n[notice]\ndefault_days = 90\n"


@pytest.fixture
def org_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "organisation.conf"
    path.write_text(ORG)
    monkeypatch.setenv(ENV_ORG_CONFIG, str(path))
    return path


@pytest.fixture
def org_ctx(org_file: Path, data_dir: Path, today):
    ctx = AppContext.open(data_dir, today=lambda: today)
    yield ctx
    ctx.close()


def test_about_shows_version_build_registry_and_file(qtbot, org_ctx, org_file):
    dialog = AboutDialog(org_ctx)
    qtbot.addWidget(dialog)
    text = dialog.version_label.text()
    assert f"Stewardship Console {__version__}" in text and "Build dev" in text
    assert "https://registry.meridian.example" in dialog.org_panel.registry_label.text()
    assert "(organisation)" in dialog.org_panel.registry_label.text()
    assert str(org_file) in dialog.org_panel.file_label.text()
    assert "90 days" in dialog.org_panel.notice_label.text()
    assert dialog.org_panel.problems_label.isHidden()


def test_user_registry_overrides_organisation_on_screen(qtbot, org_file, data_dir, today):
    ctx = AppContext.open(data_dir, today=lambda: today)
    ctx.store.set_setting("registry.url", "https://my-own.example")
    ctx.close()
    ctx = AppContext.open(data_dir, today=lambda: today)
    try:
        dialog = AboutDialog(ctx)
        qtbot.addWidget(dialog)
        label = dialog.org_panel.registry_label.text()
        assert "https://my-own.example" in label and "(your settings)" in label
    finally:
        ctx.close()


def test_settings_page_shows_the_organisation_registry(qtbot, org_ctx):
    window = MainWindow(org_ctx)
    qtbot.addWidget(window)
    window.show_view("settings")
    page = window.pages["settings"]
    assert "https://registry.meridian.example" in page.org_panel.registry_label.text()
    assert window.config_label.text() == ""


def test_malformed_org_file_warns_and_the_console_still_starts(
    qtbot, tmp_path, monkeypatch, capsys
):
    bad = tmp_path / "organisation.conf"
    bad.write_text("[registry]\nurl https://no-equals.example\n")
    monkeypatch.setenv(ENV_ORG_CONFIG, str(bad))
    png = tmp_path / "settings.png"
    assert (
        main(["--data-dir", str(tmp_path / "d"), "--screenshot", str(png), "--view", "settings"])
        == 0
    )
    assert png.stat().st_size > 10_000
    err = capsys.readouterr().err
    assert err == (
        f"stewardship: warning: {bad} line 2: cannot read 'url https://no-equals"
        ".example' (expected 'name = value'); using built-in defaults instead\n"
    )

    ctx = AppContext.open(tmp_path / "d")
    try:
        assert ctx.policy.default_days == 60
        window = MainWindow(ctx)
        qtbot.addWidget(window)
        assert "1 problem" in window.config_label.text()
        assert f"{bad} line 2" in window.config_label.toolTip()
        panel = window.pages["settings"].org_panel
        assert not panel.problems_label.isHidden() and "line 2" in panel.problems_label.text()
    finally:
        ctx.close()


def test_app_icon_loads_from_resources(qtbot):
    assert not app_icon().pixmap(32, 32).isNull()


def test_organisation_registry_is_the_default_for_sync_until_overridden(qtbot, org_ctx):
    from stewardship.services.sync_service import registry_settings, sync_status

    assert registry_settings(org_ctx.store).url == "https://registry.meridian.example"
    assert sync_status(org_ctx.store).configured, "the status bar no longer says 'no registry'"
    window = MainWindow(org_ctx)
    qtbot.addWidget(window)
    page = window.pages["settings"]
    assert page.url_edit.text() == "", "the steward's own field stays empty"
    assert "registry.meridian.example" in page.url_edit.placeholderText()
    assert "no registry set up" not in window.sync_status.label.text()

    page.url_edit.setText("https://my-own.example")
    page.save()
    assert registry_settings(org_ctx.store).url == "https://my-own.example"
    page.url_edit.setText("")
    page.save()
    assert registry_settings(org_ctx.store).url == "https://registry.meridian.example"
