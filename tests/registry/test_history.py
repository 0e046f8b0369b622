"""GET /v1/records/{type}/{id}/history, and /v1/health when the database is gone."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import psycopg
import pytest
import requests
import uvicorn

from stewardship_registry.app import create_app
from stewardship_registry.postgres_storage import PostgresStorage

from .conftest import Registry, assert_problem, create_op, model_data


def _edit(registry: Registry, rid: str, base: int, notes: str, role: str = "steward") -> int:
    op = {"type": "model", "id": rid, "base_version": base, "data": model_data("h", notes=notes)}
    result = registry.batch([op], role=role).json()["results"][0]
    assert result["status"] == "applied", result
    return result["version"]


def test_every_accepted_write_is_kept_newest_first(registry: Registry) -> None:
    first = registry.batch([create_op(id_="h", data=model_data("h", notes="0"))])
    version = first.json()["results"][0]["version"]
    versions = [version]
    for i in range(1, 5):
        version = _edit(registry, "h", version, str(i), role="admin" if i % 2 else "steward")
        versions.append(version)
        registry.batch([create_op()])  # another record's writes come between
    stale = {"type": "model", "id": "h", "base_version": versions[0], "data": model_data("h")}
    assert registry.batch([stale]).json()["results"][0]["status"] == "conflict"
    gone = registry.batch([{"type": "model", "id": "h", "base_version": version, "deleted": True}])
    versions.append(gone.json()["results"][0]["version"])

    page = registry.get("/v1/records/model/h/history", "viewer", params={"limit": 4}).json()
    assert [e["version"] for e in page["history"]] == versions[::-1][:4]
    assert page["has_more"] is True and page["next_before"] == versions[-4]
    newest = page["history"][0]
    assert newest["deleted"] is True and newest["data"] is None
    assert [e["written_by"] for e in page["history"][1:]] == [
        "test-steward",
        "test-admin",
        "test-steward",
    ]
    assert [e["data"]["notes"] for e in page["history"][1:]] == ["4", "3", "2"]
    assert page["history"][1] == {**page["history"][1], "modified_by": "test-steward"}
    older = registry.get(
        "/v1/records/model/h/history", params={"limit": 4, "before": page["next_before"]}
    ).json()
    assert [e["version"] for e in older["history"]] == versions[:2][::-1]
    assert older == {**older, "has_more": False, "next_before": None}
    stamps = [e["modified_at"] for e in page["history"] + older["history"]]
    assert stamps == sorted(stamps, reverse=True), "server time, newest first"
    # the newest entry is the record as GET /v1/records/... has it
    assert newest == registry.get("/v1/records/model/h").json()


def test_history_of_an_unknown_record_and_bad_parameters(registry: Registry) -> None:
    assert_problem(registry.get("/v1/records/model/never/history"), 404, "not-found")
    assert_problem(registry.get("/v1/records/gadget/x/history"), 422, "validation")
    for params in ({"limit": 0}, {"limit": 1001}, {"before": 0}, {"before": "x"}):
        bad = registry.get("/v1/records/model/x/history", params=params)
        assert assert_problem(bad, 422, "validation")["errors"][0]["field"] in params
    assert_problem(registry.get("/v1/records/model/x/history", None), 401, "unauthorized")


@pytest.fixture
def fragile_registry(pg_cluster) -> Iterator[tuple[str, str]]:
    """A server on a PostgreSQL database that the test can make unreachable."""
    url = pg_cluster.new_database(template="registry_template")
    storage = PostgresStorage(url, connect_timeout=1)
    config = uvicorn.Config(create_app(storage), host="127.0.0.1", port=0, log_level="error")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}", url.rsplit("/", 1)[1]
    server.should_exit = True
    thread.join(10)
    storage.close()


def test_health_touches_the_database_and_says_503_when_it_is_gone(
    pg_cluster, fragile_registry: tuple[str, str]
) -> None:
    url, name = fragile_registry
    assert requests.get(url + "/v1/health", timeout=5).json()["status"] == "ok"
    with psycopg.connect(pg_cluster.url(), autocommit=True) as admin:
        admin.execute(f"ALTER DATABASE {name} ALLOW_CONNECTIONS false")  # type: ignore[arg-type]
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
        )
        down = requests.get(url + "/v1/health", timeout=10)
        body = assert_problem(down, 503, "unavailable")
        assert down.headers["retry-after"] == "2"
        assert "database" in body["detail"] and "postgresql://" not in body["detail"]
        # a request with a token says the same, not 401 or 500
        other = requests.get(url + "/v1/me", headers={"Authorization": "Bearer stw_x"}, timeout=10)
        assert_problem(other, 503, "unavailable")
        admin.execute(f"ALTER DATABASE {name} ALLOW_CONNECTIONS true")  # type: ignore[arg-type]
    # the pool reconnects in the background (with back-off): ready again within seconds
    deadline = time.monotonic() + 30
    while requests.get(url + "/v1/health", timeout=10).status_code != 200:
        assert time.monotonic() < deadline, "the registry did not come back with its database"
        time.sleep(0.2)
    assert (
        requests.get(
            url + "/v1/me", headers={"Authorization": "Bearer stw_x"}, timeout=10
        ).status_code
        == 401
    )
