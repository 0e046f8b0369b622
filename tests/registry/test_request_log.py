"""The registry logs one JSON line per request, with a request id, and never a token."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import requests

from e2e.servers import ServeProcess
from stewardship_registry.logs import JsonLinesFormatter
from stewardship_registry.request_log import choose_request_id

from .conftest import Registry


def _access_lines(caplog: pytest.LogCaptureFixture) -> list[dict]:
    formatter = JsonLinesFormatter()
    return [
        json.loads(formatter.format(r))
        for r in caplog.records
        if r.name == "stewardship_registry.access"
    ]


def test_each_request_gets_an_id_in_the_reply_and_the_log(
    registry: Registry, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="stewardship_registry")
    mine = registry.get("/v1/me", headers={"X-Request-ID": "laptop-7f3a.42"})
    assert mine.status_code == 200 and mine.headers["X-Request-ID"] == "laptop-7f3a.42"
    fresh = registry.get("/v1/me")
    assert len(fresh.headers["X-Request-ID"]) == 32
    refused = registry.get("/v1/changes", role=None)  # the guard's 401 is logged too
    assert refused.status_code == 401 and refused.headers["X-Request-ID"]

    lines = _access_lines(caplog)
    assert [(x["request_id"], x["method"], x["path"], x["status"]) for x in lines] == [
        ("laptop-7f3a.42", "GET", "/v1/me", 200),
        (fresh.headers["X-Request-ID"], "GET", "/v1/me", 200),
        (refused.headers["X-Request-ID"], "GET", "/v1/changes", 401),
    ]
    assert lines[0]["caller"] == "test-steward" and "caller" not in lines[2]
    assert all(x["duration_ms"] >= 0 and x["client"] == "127.0.0.1" for x in lines)


@pytest.mark.parametrize(
    "incoming",
    ["", "has space", "x" * 129, "new\nline", "-starts-with-dash", "ünïcode", "a;b"],
)
def test_an_odd_incoming_request_id_is_replaced(incoming: str) -> None:
    chosen = choose_request_id(incoming)
    assert chosen != incoming and len(chosen) == 32 and chosen.isalnum()


def test_a_sane_incoming_request_id_is_kept() -> None:
    for incoming in ("abc", str(uuid.uuid4()), "req:2026-11-28.01_a", "x" * 128):
        assert choose_request_id(incoming) == incoming


def test_serve_writes_json_lines_with_request_ids_and_never_the_token(tmp_path: Path) -> None:
    """``stewardship-registry serve`` as an operator runs it; its stderr is the log."""
    db = tmp_path / "served.db"
    run = [sys.executable, "-m", "stewardship_registry"]
    created = subprocess.run(
        [*run, "token", "create", "--db", str(db), "--name", "ana", "--role", "steward"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    token = created.stdout.strip()
    server = ServeProcess(db, keep_output=True).start(timeout=30)
    url = server.url
    try:
        good = requests.get(
            url + "/v1/changes",
            params={"limit": 5},
            headers={"Authorization": f"Bearer {token}", "X-Request-ID": "run-1"},
            timeout=5,
        )
        bad = requests.get(url + "/v1/me", headers={"Authorization": f"Bearer {token}x"}, timeout=5)
        assert good.status_code == 200 and bad.status_code == 401
    finally:
        _, err = server.stop_and_read()

    lines = [json.loads(line) for line in err.splitlines()]  # every line is one JSON object
    assert all({"time", "level", "logger", "message"} <= line.keys() for line in lines)
    requests_logged = [x for x in lines if x["logger"] == "stewardship_registry.access"]
    assert [(x["request_id"], x["path"], x["status"], x.get("caller")) for x in requests_logged][
        -2:
    ] == [
        ("run-1", "/v1/changes", 200, "ana"),
        (bad.headers["X-Request-ID"], "/v1/me", 401, None),
    ]
    assert any(x["message"].startswith("Uvicorn running on") for x in lines)
    assert token not in err and token[4:] not in err and "Bearer" not in err
    assert "limit=5" not in err, "the path is logged without its query"


def test_a_failure_inside_a_request_is_logged_with_its_id_and_no_token(
    registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The registry's own error line carries the request's id; a token in it is blanked."""
    import io

    from stewardship_registry.logs import configure_logging

    token = registry.tokens["steward"]

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError(f"disk gone while serving Authorization: Bearer {token}")

    monkeypatch.setattr(registry.storage, "changes", broken)
    stream = io.StringIO()
    level = logging.getLogger().level
    handler = configure_logging(stream)
    try:
        reply = registry.get("/v1/changes", headers={"X-Request-ID": "trace-500"})
    finally:
        logging.getLogger().removeHandler(handler)
        logging.getLogger().setLevel(level)
    assert reply.status_code == 500
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    crash = next(x for x in lines if x["message"].startswith("unhandled error on GET"))
    assert crash["request_id"] == "trace-500" and crash["level"] == "error"
    assert "Traceback (most recent call last)" in crash["error"]
    assert "RuntimeError: disk gone while serving Authorization: [redacted]" in crash["error"]
    access = next(x for x in lines if x["logger"] == "stewardship_registry.access")
    assert (access["request_id"], access["status"]) == ("trace-500", 500)
    assert token not in stream.getvalue() and token[4:] not in stream.getvalue()
