"""Every sync failure reaches the log file with its traceback; the steward's message is unchanged.

Real registry and fault proxy on 127.0.0.1, the real log file.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from stewardship.app import AppContext
from stewardship.domain.records import Model
from stewardship.services import logs, sync_service
from stewardship.services.sync_service import RegistrySettings, save_registry
from stewardship.sync.errors import AuthRefused, RegistryProtocolError, RegistryUnreachable
from stewardship.ui.sync_controller import Phase, SyncController

from .servers import FaultProxy, RegistryServer, free_port


@pytest.fixture
def log_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(logs.ENV_LOG_DIR, str(tmp_path / "logs"))
    monkeypatch.delenv("STEWARDSHIP_TOKEN", raising=False)
    path = logs.configure_logging()
    assert path is not None
    return path


@pytest.fixture
def app_ctx(tmp_path, today):
    ctx = AppContext.open(tmp_path / "laptop", today=lambda: today)
    yield ctx
    ctx.close()


def test_a_refused_token_in_the_window_is_logged_with_its_traceback(
    qtbot, app_ctx, registry: RegistryServer, log_path: Path
) -> None:
    proxy = FaultProxy(registry.port).start()
    try:
        save_registry(app_ctx.store, RegistrySettings(proxy.url))
        controller = SyncController(app_ctx)
        token = registry.token("ana")
        controller.session_token = token
        app_ctx.store.save(Model(slug="a", display_name="A", provider="P"), "ana")
        proxy.inject("401", "/v1/")
        with qtbot.waitSignal(controller.finished, timeout=20_000) as done:
            controller.sync_now()
    finally:
        proxy.stop()
    error = done.args[0]
    assert isinstance(error, AuthRefused)
    assert controller.phase == Phase.FAILED and controller.message == str(error)
    assert "Traceback" not in controller.message

    text = log_path.read_text(encoding="utf-8")
    assert "WARNING stewardship.services.sync_service [" in text
    assert f"sync with {proxy.url} failed: {error}" in text
    assert "Traceback (most recent call last)" in text
    assert "stewardship.sync.errors.AuthRefused" in text
    assert token not in text and token[4:] not in text


def test_an_unreadable_answer_and_an_unreachable_registry_are_logged(
    qtbot, app_ctx, registry: RegistryServer, log_path: Path
) -> None:
    proxy = FaultProxy(registry.port).start()
    options = {"read_timeout": 2.0, "retries": 1, "backoff": 0.05}
    try:
        save_registry(app_ctx.store, RegistrySettings(proxy.url))
        controller = SyncController(app_ctx, client_options=options)
        controller.session_token = registry.token("ana")
        proxy.inject("garbage", "/v1/changes")
        with qtbot.waitSignal(controller.finished, timeout=20_000) as done:
            controller.sync_now()
        assert isinstance(done.args[0], RegistryProtocolError)

        save_registry(app_ctx.store, RegistrySettings(f"http://127.0.0.1:{free_port()}"))
        with qtbot.waitSignal(controller.finished, timeout=20_000) as done:
            controller.sync_now()
        assert isinstance(done.args[0], RegistryUnreachable)
        assert controller.phase == Phase.OFFLINE
    finally:
        proxy.stop()
    text = log_path.read_text(encoding="utf-8")
    assert text.count("WARNING stewardship.services.sync_service") == 2
    assert text.count(f"sync with {proxy.url} failed: ") == 1
    assert text.count(" failed: cannot reach the registry at http://127.0.0.1:") == 1
    assert "Traceback (most recent call last)" in text
    assert "stewardship.sync.errors.RegistryProtocolError" in text
    assert "stewardship.sync.errors.RegistryUnreachable" in text


def test_a_failed_connection_test_is_logged(registry: RegistryServer, log_path: Path) -> None:
    with pytest.raises(AuthRefused):
        sync_service.test_connection(
            RegistrySettings(registry.url), "not-a-token-the-registry-knows"
        )
    text = log_path.read_text(encoding="utf-8")
    assert f"connection test with {registry.url} failed" in text and "Traceback" in text
    assert "not-a-token-the-registry-knows" not in text


def test_stewardship_sync_logs_the_failure_and_prints_one_line(
    tmp_path: Path, registry: RegistryServer
) -> None:
    data, log_dir = tmp_path / "laptop", tmp_path / "cron-logs"
    env = {
        **os.environ,
        "STEWARDSHIP_LOG_DIR": str(log_dir),
        "STEWARDSHIP_TOKEN": "wrong-token-from-a-cron-job",
    }

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "stewardship", *args, "--data-dir", str(data)],
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
        )

    assert cli("registry", "set", registry.url).returncode == 0
    r = cli("sync")
    assert r.returncode == 5
    assert r.stderr.startswith("stewardship: error: sync failed: ") and r.stderr.count("\n") == 1
    text = (log_dir / "stewardship.log").read_text(encoding="utf-8")
    assert "starting 'stewardship sync'" in text
    assert f"sync with {registry.url} failed" in text and "Traceback" in text
    assert "wrong-token-from-a-cron-job" not in text
