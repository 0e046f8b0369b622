"""The audit's registry findings (issue 15): each test failed on the registry before the fix."""

from __future__ import annotations

import io
import json
import logging
import sqlite3
import stat
import uuid
from pathlib import Path

import pytest
import requests

from stewardship.domain.wire import MAX_EXTRA_BYTES, MAX_EXTRA_FIELDS, PROTOCOL_REVISION
from stewardship_registry.logs import configure_logging

from .conftest import Registry, assert_problem, create_op, model_data, running_registry


def _result(response: requests.Response) -> dict:
    assert response.status_code == 200, response.text
    [result] = response.json()["results"]
    return result


# -- 1. a lone surrogate is refused, never a 500 -------------------------------------
def test_a_lone_surrogate_in_data_is_rejected_not_a_server_error(registry: Registry) -> None:
    op = create_op()
    body = json.dumps({"operations": [op]}).replace(
        '"provider": "Example Lab"', '"provider": "Lab \\ud800", "notes": {"\\udc00": 1}'
    )
    assert "\\ud800" in body
    response = registry.post(
        "/v1/batch",
        data=body.encode(),
        headers={"Idempotency-Key": str(uuid.uuid4()), "Content-Type": "application/json"},
    )
    result = _result(response)
    assert result["status"] == "rejected"
    assert result["problem"]["errors"][0]["field"] == "provider"
    assert "surrogate" in result["problem"]["detail"]
    assert registry.get("/v1/changes").json()["changes"] == []


def test_a_lone_surrogate_in_a_key_of_nested_data_is_rejected(registry: Registry) -> None:
    data = {**model_data(), "platform_dates": {"web\ud800": "2027-01-01"}}
    body = json.dumps({"operations": [create_op(data=data)]})  # ensure_ascii escapes it
    response = registry.post(
        "/v1/batch",
        data=body.encode(),
        headers={"Idempotency-Key": str(uuid.uuid4()), "Content-Type": "application/json"},
    )
    result = _result(response)
    assert result["status"] == "rejected"
    assert result["problem"]["errors"][0]["field"].startswith("platform_dates.web")


# -- 4. a held database lock is a 503 with Retry-After, said so in the log ------------
def test_a_held_database_lock_answers_503_with_retry_after(tmp_path: Path) -> None:
    db = tmp_path / "registry.db"
    stream = io.StringIO()
    handler = configure_logging(stream)
    try:
        with running_registry(db) as reg:
            reg.storage._busy_timeout_ms = 300
            reg.storage.close()  # reconnect with the short timeout
            holder = sqlite3.connect(db, isolation_level=None)
            holder.execute("BEGIN IMMEDIATE")
            try:
                response = reg.batch([create_op()])
            finally:
                holder.execute("ROLLBACK")
                holder.close()
            body = assert_problem(response, 503, "unavailable")
            assert response.headers["Retry-After"] == "2"
            assert "busy" in body["detail"]
            # the lock released, the same batch goes through
            assert _result(reg.batch([create_op()]))["status"] == "applied"
            metrics = reg.get("/metrics", "viewer").text
            assert 'stewardship_registry_database_errors_total{kind="busy"} 1.0' in metrics
    finally:
        logging.getLogger().removeHandler(handler)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    [warning] = [line for line in lines if "answered 503" in line["message"]]
    assert warning["level"] == "warning" and "locked" in warning["message"]
    assert not [line for line in lines if line["level"] in ("error", "critical")]


# -- 7. /openapi.json describes what the server enforces ------------------------------
def test_openapi_describes_the_cursor_and_data_or_deleted(registry: Registry) -> None:
    doc = registry.get("/openapi.json", None).json()
    [since] = [p for p in doc["paths"]["/v1/changes"]["get"]["parameters"] if p["name"] == "since"]
    pattern = since["schema"].get("pattern") or since["schema"]["anyOf"][0]["pattern"]
    cursor = registry.get("/v1/changes").json()["next_cursor"]
    import re

    assert re.fullmatch(pattern, cursor) and re.fullmatch(pattern, "")
    assert not re.fullmatch(pattern, "yesterday")
    operation = doc["components"]["schemas"]["Operation"]
    assert {tuple(branch["required"]) for branch in operation["oneOf"]} == {
        ("data",),
        ("deleted",),
    }


def test_head_on_the_changes_feed_answers_like_get_without_a_body(registry: Registry) -> None:
    response = registry.session.head(
        registry.url + "/v1/changes", headers=registry.auth("viewer"), timeout=10
    )
    assert response.status_code == 200 and response.content == b""
    bad = registry.session.head(
        registry.url + "/v1/changes?since=nonsense", headers=registry.auth("viewer"), timeout=10
    )
    assert bad.status_code == 422
    anonymous = registry.session.head(registry.url + "/v1/changes", timeout=10)
    assert anonymous.status_code == 401


# -- 8. a reference to a record the registry never had is rejected --------------------
def test_a_checklist_item_naming_an_unknown_model_is_rejected(registry: Registry) -> None:
    item = {"model_id": str(uuid.uuid4()), "title": "Archive the weights"}
    rejected = _result(registry.batch([create_op("checklist_item", item)]))
    assert rejected["status"] == "rejected"
    assert rejected["problem"]["errors"][0]["field"] == "model_id"
    assert registry.get("/v1/changes").json()["changes"] == []


def test_a_model_earlier_in_the_batch_or_deleted_still_counts(registry: Registry) -> None:
    model_id = str(uuid.uuid4())
    ops = [
        create_op(data=model_data(), id_=model_id),
        create_op("checklist_item", {"model_id": model_id, "title": "Archive"}),
    ]
    results = registry.batch(ops).json()["results"]
    assert [r["status"] for r in results] == ["applied", "applied"]
    deleted = registry.batch(
        [{"type": "model", "id": model_id, "base_version": results[0]["version"], "deleted": True}]
    )
    assert _result(deleted)["status"] == "applied"
    late = create_op("checklist_item", {"model_id": model_id, "title": "Written offline"})
    assert _result(registry.batch([late]))["status"] == "applied"


# -- 9. the database file is private ------------------------------------------------
def test_the_registry_database_is_created_owner_only(tmp_path: Path) -> None:
    db = tmp_path / "fresh.db"
    with running_registry(db) as reg:
        assert _result(reg.batch([create_op()]))["status"] == "applied"
        for path in (db, db.with_name("fresh.db-wal")):
            mode = stat.S_IMODE(path.stat().st_mode)
            assert mode == 0o600, f"{path.name}: {oct(mode)}"


# -- forward compatibility -------------------------------------------------------------
def test_fields_the_registry_does_not_know_are_kept_and_returned(registry: Registry) -> None:
    data = {**model_data(), "carbon_budget": {"tonnes": 12}, "weights_vault": "v-7"}
    applied = _result(registry.batch([create_op(data=data)]))
    assert applied["status"] == "applied"
    assert applied["record"]["data"]["carbon_budget"] == {"tonnes": 12}
    fetched = registry.get(f"/v1/records/model/{applied['id']}").json()
    assert fetched["data"]["weights_vault"] == "v-7"
    [change] = registry.get("/v1/changes").json()["changes"]
    assert change["data"]["carbon_budget"] == {"tonnes": 12}


@pytest.mark.parametrize(
    ("extras", "field"),
    [
        ({f"extra_{i}": i for i in range(MAX_EXTRA_FIELDS + 1)}, "data"),
        ({"huge": "x" * (MAX_EXTRA_BYTES + 1)}, "data"),
        ({"Not A Name": 1}, "Not A Name"),
    ],
    ids=["too-many", "too-large", "bad-name"],
)
def test_unknown_fields_are_bounded(registry: Registry, extras: dict, field: str) -> None:
    rejected = _result(registry.batch([create_op(data={**model_data(), **extras})]))
    assert rejected["status"] == "rejected"
    assert field in {e["field"] for e in rejected["problem"]["errors"]}


def test_health_gives_the_server_version_and_protocol_revision(registry: Registry) -> None:
    health = registry.get("/v1/health", None).json()
    assert health["protocol"] == PROTOCOL_REVISION and health["server_version"]
