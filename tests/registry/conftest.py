"""A real registry server on 127.0.0.1 (uvicorn in a thread) and tokens for every role."""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
import uvicorn

from stewardship_registry.app import create_app
from stewardship_registry.limits import DEFAULT_LIMITS, Limits
from stewardship_registry.server import server_config
from stewardship_registry.sqlite_storage import SQLiteStorage
from stewardship_registry.tokens import Role, hash_token, new_token

TIMEOUT = 10


@dataclass
class Registry:
    url: str
    storage: SQLiteStorage
    tokens: dict[str, str] = field(default_factory=dict)
    session: requests.Session = field(default_factory=requests.Session)

    def add_token(self, name: str, role: str) -> str:
        secret = new_token()
        self.storage.add_token(name, Role(role), hash_token(secret))
        return secret

    def auth(self, role: str | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"} if role else {}

    def get(self, path: str, role: str | None = "steward", **kwargs: Any) -> requests.Response:
        headers = {**self.auth(role), **kwargs.pop("headers", {})}
        return self.session.get(self.url + path, headers=headers, timeout=TIMEOUT, **kwargs)

    def post(self, path: str, role: str | None = "steward", **kwargs: Any) -> requests.Response:
        headers = {**self.auth(role), **kwargs.pop("headers", {})}
        return self.session.post(self.url + path, headers=headers, timeout=TIMEOUT, **kwargs)

    def batch(
        self, operations: list[dict[str, Any]], role: str = "steward", key: str | None = None
    ) -> requests.Response:
        return self.post(
            "/v1/batch",
            role,
            json={"operations": operations},
            headers={"Idempotency-Key": key or str(uuid.uuid4())},
        )


@contextmanager
def running_registry(
    db: Path,
    tokens: dict[str, str] | None = None,
    *,
    limits: Limits = DEFAULT_LIMITS,
    root_path: str = "",
    **app_options: Any,
) -> Iterator[Registry]:
    """Serve ``db`` as ``serve`` does (the same limits, unless given); with ``tokens``
    (from an earlier run on the same db), reuse them."""
    storage = SQLiteStorage(db)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = server_config(
        create_app(storage, limits=limits, **app_options),
        limits=limits,
        log_level="warning",
        lifespan="off",
        root_path=root_path,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    registry = Registry(url=f"http://127.0.0.1:{port}", storage=storage)
    health = registry.url + "/v1/health"  # as a reverse proxy that strips root_path sends it
    deadline = time.monotonic() + 15
    while True:
        try:
            if registry.session.get(health, timeout=1).status_code == 200:
                break
        except requests.ConnectionError:
            pass
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the registry did not start")
        time.sleep(0.02)
    if tokens is not None:
        registry.tokens.update(tokens)
    else:
        for role in ("viewer", "steward", "admin"):
            registry.tokens[role] = registry.add_token(f"test-{role}", role)
    try:
        yield registry
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        registry.session.close()
        storage.close()
        sock.close()


@pytest.fixture
def registry(tmp_path: Path) -> Iterator[Registry]:
    with running_registry(tmp_path / "registry.db") as reg:
        yield reg


@pytest.fixture(scope="module")
def shared_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    """One server for a module whose tests do not depend on an empty registry."""
    with running_registry(tmp_path_factory.mktemp("registry") / "registry.db") as reg:
        yield reg


def model_data(slug: str | None = None, **fields: Any) -> dict[str, Any]:
    slug = slug or f"model-{uuid.uuid4().hex[:8]}"
    return {"slug": slug, "display_name": slug.title(), "provider": "Example Lab", **fields}


def create_op(
    type_: str = "model", data: dict[str, Any] | None = None, id_: str | None = None
) -> dict[str, Any]:
    return {
        "type": type_,
        "id": id_ or str(uuid.uuid4()),
        "base_version": 0,
        "data": model_data() if data is None else data,
    }


def assert_problem(
    response: requests.Response, status: int, slug: str | None = None
) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json"), response.headers
    body = response.json()
    assert body["status"] == status
    assert body["title"] and body["detail"]
    if slug:
        assert body["type"] == f"urn:stewardship:problem:{slug}", body
    return body
