"""Shared fixtures: real SQLite files in temporary folders, a fixed "today"."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

TODAY = date(2026, 11, 28)


@pytest.fixture(autouse=True)
def _isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """Keep QSettings, keyrings, platform folders and the log file out of the real home."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / ".local" / "state"))
    monkeypatch.delenv("STEWARDSHIP_LOG_DIR", raising=False)
    monkeypatch.setenv("STEWARDSHIP_STEWARD", "Test Steward")
    monkeypatch.delenv("STEWARDSHIP_DATA_DIR", raising=False)
    monkeypatch.delenv("STEWARDSHIP_TODAY", raising=False)
    # No machine-wide organisation file leaks in (an installed .deb ships one in /etc/xdg).
    monkeypatch.setenv("STEWARDSHIP_ORG_CONFIG", str(home / "no-organisation.conf"))
    yield
    logs = sys.modules.get("stewardship.services.logs")
    if logs is not None:  # a test that started the console: close its log file
        logs.shutdown_logging()


@pytest.fixture(scope="session")
def pg_cluster():
    """One throwaway PostgreSQL cluster for the whole session (tests/pg_cluster.py)."""
    from pg_cluster import PgCluster, find_bin

    bin_dir = find_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL 15 not installed (initdb, pg_ctl: Debian's postgresql-15)")
    cluster = PgCluster(bin_dir).start()
    # The template every test database copies: migrated once, without an identity
    # (each copy makes its own registry id when first opened).
    from stewardship_registry.postgres_storage import PostgresStorage

    cluster.execute("CREATE DATABASE registry_template")
    PostgresStorage(cluster.url("registry_template")).close()
    import psycopg

    with psycopg.connect(cluster.url("registry_template"), autocommit=True) as conn:
        conn.execute("DELETE FROM meta WHERE key = 'registry_id'")
    yield cluster
    cluster.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    """The registry's storage backend; tests that take it run on both."""
    return request.param


@pytest.fixture
def make_registry_db(tmp_path: Path, request: pytest.FixtureRequest):
    """``make(kind)``: a new, empty registry database, an SQLite path or a PostgreSQL URL."""
    serial = iter(range(1_000_000))

    def make(kind: str) -> str:
        if kind == "postgresql":
            return request.getfixturevalue("pg_cluster").new_database(template="registry_template")
        assert kind == "sqlite", kind
        return str(tmp_path / f"registry-{next(serial)}.db")

    return make


@pytest.fixture
def registry_db(backend: str, make_registry_db) -> str:
    """A new, empty registry database of the backend under test."""
    return make_registry_db(backend)


@pytest.fixture
def today() -> date:
    return TODAY


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def store(data_dir: Path):
    from stewardship.services.paths import prepare_data_dir, store_path
    from stewardship.store import Store

    prepare_data_dir(data_dir)
    s = Store(store_path(data_dir))
    yield s
    s.close()


@pytest.fixture
def ctx(data_dir: Path):
    from stewardship.app import AppContext

    context = AppContext.open(data_dir, today=lambda: TODAY)
    yield context
    context.close()


@pytest.fixture
def demo_ctx(ctx):
    from stewardship.services.demo import load_demo

    load_demo(ctx.store, TODAY)
    return ctx


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_teardown(item: pytest.Item) -> Iterator[None]:
    """Delete the widgets a test's qtbot closed, before the next test starts.

    pytest-qt closes them and calls ``deleteLater()``, but outside a running event
    loop Qt deletes such objects only when asked to: without this every window of
    every earlier test stayed alive, and each later test got slower (a screenshot of
    every view took 31 s at the end of the suite against 4 s alone).
    """
    result = yield
    if "PySide6.QtWidgets" in sys.modules:
        from PySide6.QtCore import QCoreApplication, QEvent

        if QCoreApplication.instance() is not None:
            QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    return result


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    """Under CI=true a test skipped for a missing tool fails instead.

    CI installs every Debian package the tests use (.ci/system-packages.sh), so
    such a skip there would hide a missing install step, not a missing machine.
    """
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("CI") != "true" or not report.skipped:
        return
    reason = str(report.longrepr[-1]) if isinstance(report.longrepr, tuple) else ""
    if "not installed" in reason:
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, where it must run: {reason}"


from s3_server import s3, s3_server  # noqa: E402,F401  (fixtures: a real S3-compatible server)
