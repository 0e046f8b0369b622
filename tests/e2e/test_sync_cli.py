"""``stewardship registry set``, ``login`` and ``sync`` as a cron job would run them."""

import os
import subprocess
import sys

import pytest

from stewardship.domain.records import Model
from stewardship.store import Store

from .servers import FaultProxy


@pytest.fixture
def cli_env(monkeypatch, tmp_path):
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
    monkeypatch.setenv("STEWARDSHIP_ALLOW_PLAINTEXT_KEYRING", "1")
    monkeypatch.delenv("STEWARDSHIP_TOKEN", raising=False)
    return tmp_path / "laptop"


def cli(*args, stdin="", env=None):
    return subprocess.run(
        [sys.executable, "-m", "stewardship", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def test_set_login_sync_exit_codes(cli_env, registry):
    data = str(cli_env)
    r = cli("registry", "set", "not a url", "--data-dir", data)
    assert r.returncode == 2 and "not an http(s) URL" in r.stderr
    r = cli("sync", "--data-dir", data)
    assert r.returncode == 2 and "no registry is set up" in r.stderr

    assert cli("registry", "set", registry.url, "--data-dir", data).returncode == 0
    token = registry.token("cron")
    r = cli("login", "--data-dir", data, stdin=token + "\n")
    assert r.returncode == 0, r.stderr

    with Store(cli_env / "stewardship.db") as store:
        store.save(Model(slug="cron-1", display_name="Cron 1", provider="P"), "cron")
    r = cli("sync", "--data-dir", data)
    assert r.returncode == 0, r.stderr
    assert r.stdout.count("\n") == 1 and r.stdout.startswith("Synced: sent 1")
    # the token is in the keyring file only: not in the store, not in the output
    db_bytes = (cli_env / "stewardship.db").read_bytes()
    assert token.encode() not in db_bytes and token not in r.stdout + r.stderr


def test_sync_exit_codes_for_unreachable_and_refused(cli_env, registry):
    data = str(cli_env)
    proxy = FaultProxy(registry.port).start()
    try:
        cli("registry", "set", proxy.url, "--data-dir", data)
        r = cli("sync", "--data-dir", data, env={"STEWARDSHIP_TOKEN": "wrong-token"})
        assert r.returncode == 5 and "refused the token" in r.stderr
        assert "wrong-token" not in r.stderr
        proxy.stop()
        r = cli("sync", "--data-dir", data, env={"STEWARDSHIP_TOKEN": registry.token("x")})
        assert r.returncode == 4 and "server is down" in r.stderr
    finally:
        pass


def test_sync_exit_code_3_when_conflicts_wait(cli_env, registry, console_factory):
    data = str(cli_env)
    token = registry.token("lap")
    env = {"STEWARDSHIP_TOKEN": token}
    cli("registry", "set", registry.url, "--data-dir", data)
    with Store(cli_env / "stewardship.db") as store:
        m = store.save(Model(slug="shared", display_name="Shared", provider="P"), "lap")
    assert cli("sync", "--data-dir", data, env=env).returncode == 0
    other = console_factory("other")
    other.sync()
    other.store.save(other.store.get(Model, m.id).replace(notes="theirs"), "other")
    other.sync()
    with Store(cli_env / "stewardship.db") as store:
        store.save(store.get(Model, m.id).replace(notes="mine"), "lap")
    r = cli("sync", "--data-dir", data, env=env)
    assert r.returncode == 3 and "1 conflict to resolve" in r.stdout
