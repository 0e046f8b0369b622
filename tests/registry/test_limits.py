"""Limits (issue 15, item 11), metrics (12) and serving behind a proxy (13), on a real server."""

from __future__ import annotations

import http.client
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from stewardship_registry.limits import Limits

from .conftest import Registry, assert_problem, running_registry

QUICK = Limits(
    auth_failure_burst=10,
    auth_failure_window=60.0,
    header_timeout=0.5,
    body_timeout=0.5,
    max_connections=8,
)


@pytest.fixture
def quick(tmp_path: Path) -> Iterator[Registry]:
    with running_registry(tmp_path / "registry.db", limits=QUICK) as reg:
        yield reg


def _port(reg: Registry) -> int:
    return int(reg.url.rsplit(":", 1)[1])


def _get(reg: Registry, path: str, token: str | None, source: str = "127.0.0.1"):
    conn = http.client.HTTPConnection(
        "127.0.0.1", _port(reg), timeout=5, source_address=(source, 0)
    )
    try:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        headers = {k.lower(): v for k, v in response.getheaders()}
        return response.status, headers, response.read()
    finally:
        conn.close()


def test_wrong_tokens_are_rate_limited_per_client_address(quick: Registry) -> None:
    statuses = []
    started = time.monotonic()
    for i in range(300):
        status, headers, _ = _get(quick, "/v1/me", f"stw_guess-{i}")
        statuses.append(status)
    elapsed = time.monotonic() - started
    assert statuses[:10] == [401] * 10
    assert set(statuses[10:]) == {429}, "after the burst every guess is refused unread"
    status, headers, _ = _get(quick, "/v1/me", quick.tokens["steward"])
    assert status == 429 and 1 <= int(headers["retry-after"]) <= 60
    # another address is not affected; a missing token is not a guess
    assert _get(quick, "/v1/me", quick.tokens["steward"], source="127.0.0.2")[0] == 200
    assert _get(quick, "/v1/me", None)[0] == 401
    assert elapsed < 30
    assert_problem(quick.get("/metrics", "viewer"), 429, "too-many-requests")


def test_a_client_that_never_finishes_its_headers_is_cut_off(quick: Registry) -> None:
    with socket.create_connection(("127.0.0.1", _port(quick)), timeout=5) as sock:
        sock.sendall(b"GET /v1/health HTTP/1.1\r\nHost: x\r\n")  # no blank line: never done
        started = time.monotonic()
        assert sock.recv(1024) == b""
        assert time.monotonic() - started < 3
    with socket.create_connection(("127.0.0.1", _port(quick)), timeout=5) as silent:
        assert silent.recv(1024) == b"", "a connection that sends nothing is closed too"


def test_a_slow_body_gets_408_and_the_connection_closes(quick: Registry) -> None:
    with socket.create_connection(("127.0.0.1", _port(quick)), timeout=5) as sock:
        head = (
            "POST /v1/batch HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Authorization: Bearer {quick.tokens['steward']}\r\nIdempotency-Key: k1\r\n"
            "Content-Length: 100\r\n\r\n"
        )
        sock.sendall(head.encode() + b'{"oper')
        started = time.monotonic()
        reply = b""
        while chunk := sock.recv(4096):
            reply += chunk
        assert reply.startswith(b"HTTP/1.1 408"), reply[:80]
        assert b"request-timeout" in reply
        assert time.monotonic() - started < 3


def test_connections_past_the_limit_are_closed_at_once(quick: Registry) -> None:
    held = [socket.create_connection(("127.0.0.1", _port(quick)), timeout=5) for _ in range(8)]
    try:
        extra = socket.create_connection(("127.0.0.1", _port(quick)), timeout=5)
        started = time.monotonic()
        assert extra.recv(1024) == b""
        assert time.monotonic() - started < 0.4, "closed at once, not by the header timeout"
        extra.close()
    finally:
        for sock in held:
            sock.close()
    time.sleep(0.2)
    assert quick.get("/v1/health", None).status_code == 200


def test_metrics_count_requests_batches_and_need_a_token(registry: Registry) -> None:
    from .conftest import create_op

    registry.batch([create_op(), create_op("checklist_item", {"model_id": "nope", "title": "t"})])
    registry.get("/v1/records/model/abc")
    assert_problem(registry.get("/metrics", None), 401)
    response = registry.get("/metrics", "viewer")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert 'stewardship_registry_batch_operations_total{result="applied"} 1.0' in text
    assert 'stewardship_registry_batch_operations_total{result="rejected"} 1.0' in text
    assert (
        'stewardship_registry_requests_total{method="GET",route="/v1/records/{type}/{id}",'
        'status="404"} 1.0' in text
    )
    assert 'stewardship_registry_request_duration_seconds_bucket{le="0.005",method="POST"' in text
    assert "stewardship_registry_info{api=" in text
    assert "abc" not in text and "test-steward" not in text, "no ids or token names in labels"


def test_behind_a_proxy_under_a_root_path(tmp_path: Path) -> None:
    with running_registry(tmp_path / "r.db", root_path="/registry") as reg:
        assert_problem(reg.get("/v1/me", None), 401)
        assert reg.get("/v1/me", "viewer").json()["name"] == "test-viewer"
        servers = reg.get("/openapi.json", None).json().get("servers")
        assert servers == [{"url": "/registry"}]
