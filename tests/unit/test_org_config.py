"""Organisation defaults: the system-wide file, its problems, and the override order."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from stewardship.app import AppContext
from stewardship.domain.lifecycle import LifecycleState
from stewardship.domain.records import Model
from stewardship.services.dashboard import build_dashboard
from stewardship.services.org_config import (
    ENV_ORG_CONFIG,
    SOURCE_DEFAULT,
    SOURCE_ORG,
    SOURCE_USER,
    Setting,
    effective_settings,
    load_org_config,
    org_config_path,
)

GOOD = """\
# Meridian Example Lab: set by IT
[registry]
url = https://registry.meridian.example   # the shared registry
ca_bundle = {ca}

[notice]
default_days = 90

[notice.providers]
Example Cloud = 120
"""


@pytest.fixture
def ca(tmp_path: Path) -> Path:
    path = tmp_path / "org-ca.pem"
    path.write_text("-----BEGIN CERTIFICATE-----\n")
    return path


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "organisation.conf"
    path.write_text(text, encoding="utf-8")
    return path


def test_reads_registry_and_notice_policy(tmp_path, ca):
    org = load_org_config(write(tmp_path, GOOD.format(ca=ca)))
    assert org.found
    assert org.registry_url == "https://registry.meridian.example"
    assert org.ca_bundle == str(ca)
    assert org.notice_default_days == 90
    assert org.notice_per_provider == {"Example Cloud": 120}
    assert org.warnings == ()


def test_no_file_means_built_in_defaults(tmp_path):
    org = load_org_config(tmp_path / "absent.conf")
    settings = effective_settings(org, {})
    assert not org.found and org.warnings == ()
    assert settings.registry_url.value is None
    assert settings.notice_default_days.value == 60
    assert settings.notice_default_days.source == SOURCE_DEFAULT


def test_user_settings_override_the_organisation(tmp_path, ca):
    org = load_org_config(write(tmp_path, GOOD.format(ca=ca)))
    settings = effective_settings(
        org,
        {
            "registry_url": "https://mine.example",
            "notice_default_days": "30",
            "notice_per_provider": json.dumps({"example cloud": 200, "Other": 10}),
        },
    )
    assert (settings.registry_url.value, settings.registry_url.source) == (
        "https://mine.example",
        SOURCE_USER,
    )
    assert (settings.ca_bundle.value, settings.ca_bundle.source) == (str(ca), SOURCE_ORG)
    assert (settings.notice_default_days.value, settings.notice_default_days.source) == (
        30,
        SOURCE_USER,
    )
    policy = settings.notice_policy()
    assert policy.required_days("Example Cloud") == 200  # user's entry replaced the org's
    assert policy.required_days("Other") == 10
    assert policy.required_days("Anyone else") == 30


def test_unusable_user_value_falls_back_to_organisation_with_warning(tmp_path, ca):
    org = load_org_config(write(tmp_path, GOOD.format(ca=ca)))
    settings = effective_settings(
        org, {"registry_url": "registry.example", "notice_default_days": "soon"}
    )
    assert settings.registry_url.value == "https://registry.meridian.example"
    assert settings.notice_default_days.value == 90
    assert [str(w) for w in settings.warnings] == [
        "your settings: registry url must start with https:// (or http://); ignored",
        "your settings: notice default_days must be a whole number of days, not 'soon'; ignored",
    ]


def test_syntax_error_names_file_and_line_and_uses_defaults(tmp_path):
    path = write(tmp_path, "[registry]\nurl = https://registry.example\nthis line is broken\n")
    org = load_org_config(path)
    assert org.found and org.registry_url is None
    [warning] = org.warnings
    assert str(warning) == (
        f"{path} line 3: cannot read 'this line is broken' (expected"
        " 'name = value'); using built-in defaults instead"
    )


def test_setting_before_section_header(tmp_path):
    path = write(tmp_path, "url = https://registry.example\n")
    [warning] = load_org_config(path).warnings
    assert warning.line == 1 and "before any [section] header" in warning.message


def test_duplicate_key_is_reported_with_its_line(tmp_path):
    path = write(tmp_path, "[notice]\ndefault_days = 60\ndefault_days = 90\n")
    [warning] = load_org_config(path).warnings
    assert (warning.line, warning.message) == (
        3,
        "'default_days' is set twice in [notice]; using built-in defaults instead",
    )


def test_bad_values_are_skipped_one_by_one(tmp_path, ca):
    path = write(
        tmp_path,
        f"[registry]\nurl = ftp://x\nca_bundle = {ca}\n\n[notice]\n"
        "default_days = sixty\n[notice.providers]\nA = 30\nB = -4\n"
        "[registy]\nurl = https://typo.example\n",
    )
    org = load_org_config(path)
    assert org.registry_url is None and org.ca_bundle == str(ca)
    assert org.notice_default_days is None and org.notice_per_provider == {"A": 30}
    assert [(w.line, w.message) for w in org.warnings] == [
        (
            10,
            "unknown section [registy] ignored (known: [registry], [notice], [notice.providers], [weights])",
        ),
        (2, "registry url 'ftp://x' must start with https:// (or http://); ignored"),
        (6, "default_days must be a whole number of days, not 'sixty'; using 60 days"),
        (9, "notice for provider 'B' must be between 0 and 3650 days, not -4; ignored"),
    ]


def test_missing_ca_bundle_is_kept_but_warned(tmp_path):
    path = write(tmp_path, "[registry]\nurl = https://r.example\nca_bundle = /nope/ca.pem\n")
    org = load_org_config(path)
    assert org.ca_bundle == "/nope/ca.pem"
    [warning] = org.warnings
    assert warning.line == 3 and "does not exist on this machine" in warning.message


def test_not_utf8_is_a_warning_not_a_crash(tmp_path):
    path = tmp_path / "organisation.conf"
    path.write_bytes(b"[registry]\nurl = https://r\xe9.example\n")
    [warning] = load_org_config(path).warnings
    assert str(warning).startswith(f"{path}: is not UTF-8 text")


def test_env_var_overrides_the_path(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_ORG_CONFIG, str(tmp_path / "x.conf"))
    assert org_config_path() == tmp_path / "x.conf"


def test_xdg_config_dirs_are_searched_in_order(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV_ORG_CONFIG)
    first, second = tmp_path / "a", tmp_path / "b"
    target = second / "stewardship-console" / "organisation.conf"
    target.parent.mkdir(parents=True)
    target.write_text("[notice]\ndefault_days = 5\n")
    monkeypatch.setenv("XDG_CONFIG_DIRS", f"{first}:{second}")
    assert org_config_path() == target
    monkeypatch.setenv("XDG_CONFIG_DIRS", "")
    assert org_config_path() == Path("/etc/xdg/stewardship-console/organisation.conf")


def test_dashboard_uses_the_organisation_notice_policy(tmp_path, data_dir, monkeypatch, today):
    """A 75-day notice meets the built-in 60 days but not an organisation's 90."""
    model = Model(
        slug="m-1",
        display_name="M 1",
        provider="Example Cloud",
        state=LifecycleState.DEPRECATED,
        deprecation_announced_on=today,
        retirement_on=today + timedelta(days=75),
    )
    ctx = AppContext.open(data_dir, today=lambda: today)
    ctx.store.save(model, "Test Steward")
    assert build_dashboard(ctx.store, today, ctx.policy).notice_violations == 0
    ctx.close()

    monkeypatch.setenv(ENV_ORG_CONFIG, str(write(tmp_path, "[notice]\ndefault_days = 90\n")))
    ctx = AppContext.open(data_dir, today=lambda: today)
    try:
        assert ctx.policy.required_days("Example Cloud") == 90
        assert build_dashboard(ctx.store, today, ctx.policy).notice_violations == 1
    finally:
        ctx.close()


def test_the_organisation_sets_how_often_weights_are_verified(tmp_path: Path) -> None:
    path = tmp_path / "organisation.conf"
    path.write_text("[weights]\nverify_every_days = 90\n", encoding="utf-8")
    settings = effective_settings(load_org_config(path), {})
    assert settings.verify_every_days == Setting(90, SOURCE_ORG)
    assert effective_settings(load_org_config(tmp_path / "none.conf"), {}).verify_every_days == (
        Setting(365, SOURCE_DEFAULT)
    )
    path.write_text("[weights]\nverify_every_days = yearly\n", encoding="utf-8")
    org = load_org_config(path)
    assert org.verify_every_days is None
    assert [str(w) for w in org.warnings] == [
        f"{path} line 2: verify_every_days must be a whole number of days, not 'yearly';"
        " using 365 days"
    ]
