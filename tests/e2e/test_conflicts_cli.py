"""Headless conflict resolution, plain-http refusal and a viewer's sync, as a script runs them."""

from __future__ import annotations

import json

from stewardship.domain.records import Model
from stewardship.store import Store

from .test_sync_cli import cli, cli_env  # noqa: F401 - the fixture


def _conflict(cli_env, registry, console_factory, env):  # noqa: F811
    data = str(cli_env)
    assert cli("registry", "set", registry.url, "--data-dir", data).returncode == 0
    with Store(cli_env / "stewardship.db") as store:
        m = store.save(Model(slug="shared", display_name="Shared", provider="P"), "lap")
    assert cli("sync", "--data-dir", data, env=env).returncode == 0
    other = console_factory("other")
    other.sync()
    other.store.save(other.store.get(Model, m.id).replace(notes="theirs", family="F"), "other")
    other.sync()
    with Store(cli_env / "stewardship.db") as store:
        store.save(store.get(Model, m.id).replace(notes="mine", family="G"), "lap")
    assert cli("sync", "--data-dir", data, env=env).returncode == 3
    return m, other


def test_conflicts_list_and_resolve_then_sync_converges(cli_env, registry, console_factory):  # noqa: F811
    env = {"STEWARDSHIP_TOKEN": registry.token("lap")}
    data = str(cli_env)
    m, other = _conflict(cli_env, registry, console_factory, env)

    text = cli("conflicts", "list", "--data-dir", data)
    assert text.returncode == 0
    assert m.id in text.stdout and 'notes: mine "mine" | theirs "theirs"' in text.stdout
    listed = json.loads(cli("conflicts", "list", "--format", "json", "--data-dir", data).stdout)
    assert [g["id"] for g in listed] == [m.id]
    assert {f["field"] for f in listed[0]["fields"]} == {"notes", "family"}

    partial = cli("conflicts", "resolve", m.id[:8], "--set", "notes=both", "--data-dir", data)
    assert partial.returncode == 2 and "family" in partial.stderr
    done = cli(
        "conflicts",
        "resolve",
        m.id[:8],
        "--set",
        "notes=both",
        "--set",
        "family=F",
        "--data-dir",
        data,
    )
    assert done.returncode == 0, done.stderr
    assert cli("conflicts", "list", "--data-dir", data).stdout.strip() == "No conflicts."

    assert cli("sync", "--data-dir", data, env=env).returncode == 0
    other.sync()
    got = other.store.get(Model, m.id)
    assert (got.notes, got.family) == ("both", "F")
    assert registry.records()[("model", m.id)].data["notes"] == "both"


def test_resolve_taking_theirs(cli_env, registry, console_factory):  # noqa: F811
    env = {"STEWARDSHIP_TOKEN": registry.token("lap")}
    data = str(cli_env)
    m, _other = _conflict(cli_env, registry, console_factory, env)
    r = cli("conflicts", "resolve", m.id, "--take", "theirs", "--data-dir", data)
    assert r.returncode == 0, r.stderr
    assert cli("sync", "--data-dir", data, env=env).returncode == 0
    with Store(cli_env / "stewardship.db") as store:
        assert store.get(Model, m.id).notes == "theirs"
    bad = cli("conflicts", "resolve", "zz", "--take", "mine", "--data-dir", data)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1


def test_plain_http_to_another_host_is_refused_unless_insecure(cli_env):  # noqa: F811
    data = str(cli_env)
    r = cli("registry", "set", "http://registry.example.org", "--data-dir", data)
    assert r.returncode == 2 and r.stderr.count("\n") == 1
    assert "clear text" in r.stderr
    r = cli("registry", "set", "http://registry.example.org", "--insecure", "--data-dir", data)
    assert r.returncode == 0 and "clear text" in r.stderr
    for loopback in ("http://127.0.0.1:8470", "http://localhost:8470", "http://[::1]:8470"):
        assert cli("registry", "set", loopback, "--data-dir", data).returncode == 0


def test_a_viewer_sync_receives_and_says_it_cannot_send(cli_env, registry, console_factory):  # noqa: F811
    data = str(cli_env)
    ana = console_factory("ana")
    m = ana.store.save(Model(slug="from-ana", display_name="A", provider="P"), "Ana")
    ana.sync()
    cli("registry", "set", registry.url, "--data-dir", data)
    with Store(cli_env / "stewardship.db") as store:
        store.save(Model(slug="local", display_name="L", provider="P"), "vera")
    env = {"STEWARDSHIP_TOKEN": registry.token("vera", "viewer")}
    r = cli("sync", "--data-dir", data, env=env)
    assert r.returncode == 5
    assert "may only read" in r.stderr and "1 local change" in r.stderr
    with Store(cli_env / "stewardship.db") as store:
        assert store.get(Model, m.id) is not None
