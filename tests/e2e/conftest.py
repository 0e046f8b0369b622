from __future__ import annotations

from pathlib import Path

import pytest

from stewardship.services.paths import prepare_data_dir, store_path
from stewardship.services.sync_service import RegistrySettings, save_registry
from stewardship.store import Store
from stewardship.sync.client import ClientConfig, RegistryClient
from stewardship.sync.engine import SyncEngine

from .servers import FaultProxy, RegistryServer

#: Mark a test (or a module: ``pytestmark = BOTH_BACKENDS``) to run it on SQLite and PostgreSQL.
BOTH_BACKENDS = pytest.mark.parametrize("e2e_backend", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def e2e_backend(request: pytest.FixtureRequest) -> str:
    """The registry's backend: SQLite unless the test is marked with BOTH_BACKENDS."""
    return getattr(request, "param", "sqlite")


@pytest.fixture
def registry(e2e_backend: str, make_registry_db):
    server = RegistryServer(make_registry_db(e2e_backend)).start()
    yield server
    server.stop()


@pytest.fixture
def proxy(registry: RegistryServer):
    p = FaultProxy(registry.port, stall_seconds=2.0).start()
    yield p
    p.stop()


class Console:
    """One steward's laptop: its own data folder and store, syncing with a registry."""

    def __init__(self, root: Path, name: str, url: str, token: str) -> None:
        self.name = name
        self.data_dir = prepare_data_dir(root / name)
        self.path = store_path(self.data_dir)
        self.store = Store(self.path)
        self.url = url
        self.token = token
        save_registry(self.store, RegistrySettings(url))

    def client(self, **kw) -> RegistryClient:
        config = ClientConfig(
            self.url,
            self.token,
            read_timeout=kw.pop("read_timeout", 5.0),
            retries=kw.pop("retries", 2),
            backoff=kw.pop("backoff", 0.05),
            **kw,
        )
        return RegistryClient(
            config, sleep=lambda s: None if s < 0.01 else __import__("time").sleep(min(s, 0.2))
        )

    def sync(self, **kw):
        client = self.client(
            **{
                k: v
                for k, v in kw.items()
                if k in {"read_timeout", "retries", "backoff", "ca_bundle"}
            }
        )
        if "hook" in kw:  # hook(status) for every HTTP reply, retried ones included
            hook = kw["hook"]
            client.session.hooks["response"].append(lambda r, *a, **k: hook(r.status_code))
        try:
            engine = SyncEngine(
                self.store,
                client,
                **{k: v for k, v in kw.items() if k in {"page_limit", "batch_limit"}},
            )
            return engine.run()
        finally:
            client.close()

    def close(self) -> None:
        self.store.close()


@pytest.fixture
def console_factory(tmp_path: Path, registry: RegistryServer):
    made: list[Console] = []

    def make(name: str, url: str | None = None, token: str | None = None) -> Console:
        c = Console(tmp_path, name, url or registry.url, token or registry.token(name))
        made.append(c)
        return c

    yield make
    for c in made:
        c.close()
