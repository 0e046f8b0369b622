"""POST /v1/batch: applied, conflict, rejected, and idempotent replay."""

from __future__ import annotations

import threading
import uuid
from pathlib import Path

import requests

from .conftest import TIMEOUT, Registry, assert_problem, create_op, model_data, running_registry


def _result(response, index: int = 0) -> dict:
    assert response.status_code == 200, response.text
    return response.json()["results"][index]


def test_create_gets_the_next_version_and_server_time(registry: Registry) -> None:
    data = model_data(
        "halcyon-1", modified_at="1999-01-01T00:00:00Z", modified_by="Ada", version=77
    )
    first = _result(registry.batch([create_op(data=data, id_="m1")]))
    assert first["status"] == "applied" and first["version"] == 1
    record = first["record"]
    assert record["modified_at"] > "2020" and record["modified_at"].endswith("Z")
    assert record["modified_by"] == "Ada" and record["written_by"] == "test-steward"
    assert record["data"]["version"] == 1 and record["data"]["id"] == "m1"
    assert record["data"]["modified_at"] == record["modified_at"]
    assert list(record["data"])[:5] == ["id", "version", "modified_at", "modified_by", "deleted"]
    second = _result(registry.batch([create_op()]))
    assert second["version"] == 2
    fetched = registry.get("/v1/records/model/m1", "viewer").json()
    assert fetched == record


def test_modified_by_defaults_to_the_token_name(registry: Registry) -> None:
    result = _result(registry.batch([create_op()], role="admin"))
    assert result["record"]["modified_by"] == "test-admin"


def test_update_with_the_current_version_applies(registry: Registry) -> None:
    created = _result(registry.batch([create_op(data=model_data("halcyon-2"), id_="m")]))
    edit = {
        "type": "model",
        "id": "m",
        "base_version": created["version"],
        "data": model_data("halcyon-2", notes="Weights archived"),
    }
    updated = _result(registry.batch([edit]))
    assert updated["status"] == "applied" and updated["version"] == created["version"] + 1
    assert registry.get("/v1/records/model/m").json()["data"]["notes"] == "Weights archived"


def test_stale_base_version_is_a_conflict_with_the_servers_record(registry: Registry) -> None:
    created = _result(registry.batch([create_op(data=model_data("halcyon-3"), id_="m")]))
    mine = {
        "type": "model",
        "id": "m",
        "base_version": 1,
        "data": model_data("halcyon-3", notes="A"),
    }
    _result(registry.batch([mine]))
    theirs = {
        "type": "model",
        "id": "m",
        "base_version": created["version"],
        "data": model_data("halcyon-3", notes="B"),
    }
    conflict = _result(registry.batch([theirs]))
    assert conflict["status"] == "conflict"
    assert conflict["current"]["version"] == 2 and conflict["current"]["data"]["notes"] == "A"
    assert "version 1" in conflict["detail"]
    assert registry.get("/v1/records/model/m").json()["data"]["notes"] == "A"


def test_creating_an_existing_id_is_a_conflict(registry: Registry) -> None:
    _result(registry.batch([create_op(id_="dup")]))
    conflict = _result(registry.batch([create_op(id_="dup")]))
    assert conflict["status"] == "conflict" and conflict["current"]["id"] == "dup"


def test_base_version_for_a_record_the_server_lacks_is_a_conflict(registry: Registry) -> None:
    op = {"type": "model", "id": "never", "base_version": 4, "data": model_data()}
    conflict = _result(registry.batch([op]))
    assert conflict["status"] == "conflict" and conflict["current"] is None


def test_invalid_data_is_rejected_naming_each_field(registry: Registry) -> None:
    bad = {
        "slug": "Not A Slug",
        "display_name": "",
        "provider": "Lab",
        "state": "sleeping",
        "released_on": "31/12/2025",
        "Colour!": "blue",
    }
    rejected = _result(registry.batch([create_op(data=bad)]))
    assert rejected["status"] == "rejected"
    problem = rejected["problem"]
    assert problem["status"] == 422 and problem["type"] == "urn:stewardship:problem:record-rejected"
    fields = {e["field"] for e in problem["errors"]}
    # type errors, and an unknown field whose name no console could have made, come first
    assert {"released_on", "Colour!"} <= fields
    fixed = {**bad, "released_on": "2025-12-31"}
    fixed.pop("Colour!")
    again = _result(registry.batch([create_op(data=fixed)]))["problem"]
    assert {e["field"] for e in again["errors"]} == {"slug", "display_name", "state"}
    assert "sleeping" in again["detail"]
    assert registry.get("/v1/changes").json()["changes"] == []


def test_rejected_for_each_record_type(registry: Registry) -> None:
    ops = [
        create_op(t, {}) for t in ("checklist_item", "preference_request", "interview", "report")
    ]
    results = registry.batch(ops).json()["results"]
    fields = [{e["field"] for e in r["problem"]["errors"]} for r in results]
    assert fields == [
        {"model_id", "title"},
        {"model_id", "words", "received_on"},
        {"model_id", "held_on"},
        {"model_id"},
    ]


def test_data_id_must_match_and_deleted_is_not_data(registry: Registry) -> None:
    results = registry.batch(
        [
            create_op(data=model_data(id="other"), id_="mine"),
            create_op(data=model_data(deleted=True)),
        ]
    ).json()["results"]
    assert [r["status"] for r in results] == ["rejected", "rejected"]
    assert results[0]["problem"]["errors"][0]["field"] == "id"
    assert results[1]["problem"]["errors"][0]["field"] == "deleted"


def test_one_batch_mixes_results_and_keeps_order(registry: Registry) -> None:
    _result(registry.batch([create_op(id_="taken")]))
    ops = [
        create_op(id_="a"),
        create_op(id_="taken"),
        create_op(data={"slug": ""}),
        create_op(id_="b"),
    ]
    results = registry.batch(ops).json()["results"]
    assert [r["status"] for r in results] == ["applied", "conflict", "rejected", "applied"]
    assert [r["id"] for r in results][:2] == ["a", "taken"]
    assert [results[0]["version"], results[3]["version"]] == [2, 3]


def test_delete_leaves_a_tombstone_and_recreate_needs_its_version(registry: Registry) -> None:
    created = _result(registry.batch([create_op(id_="m")]))
    gone = _result(
        registry.batch(
            [
                {
                    "type": "model",
                    "id": "m",
                    "base_version": created["version"],
                    "deleted": True,
                    "modified_by": "Grace",
                }
            ]
        )
    )
    assert gone["status"] == "applied" and gone["record"]["deleted"] is True
    assert gone["record"]["data"] is None and gone["record"]["modified_by"] == "Grace"
    tombstone = registry.get("/v1/records/model/m").json()
    assert tombstone["deleted"] is True and tombstone["version"] == gone["version"]
    assert _result(registry.batch([create_op(id_="m")]))["status"] == "conflict"
    back = {"type": "model", "id": "m", "base_version": gone["version"], "data": model_data()}
    restored = _result(registry.batch([back]))
    assert restored["status"] == "applied" and restored["record"]["deleted"] is False


def test_deleting_what_does_not_exist_is_rejected(registry: Registry) -> None:
    result = _result(
        registry.batch([{"type": "report", "id": "x", "base_version": 0, "deleted": True}])
    )
    assert result["status"] == "rejected"
    assert result["problem"]["errors"][0]["field"] == "base_version"


def test_replay_returns_the_stored_reply_and_writes_nothing(registry: Registry) -> None:
    ops = [create_op(id_="once"), create_op(id_="taken-later")]
    first = registry.batch(ops, key="key-1")
    assert first.status_code == 200 and "idempotent-replayed" not in first.headers
    replay = registry.batch(ops, key="key-1")
    assert replay.status_code == 200 and replay.json() == first.json()
    assert replay.headers["idempotent-replayed"] == "true"
    assert registry.storage.current_version() == 2
    changes = registry.get("/v1/changes").json()["changes"]
    assert [c["version"] for c in changes] == [1, 2]


def test_replay_with_reordered_keys_is_the_same_request(registry: Registry) -> None:
    op = create_op(id_="r")
    first = registry.post("/v1/batch", json={"operations": [op]}, headers={"Idempotency-Key": "k"})
    reordered = {"operations": [dict(reversed(list(op.items())))]}
    again = registry.post("/v1/batch", json=reordered, headers={"Idempotency-Key": "k"})
    assert again.json() == first.json() and registry.storage.current_version() == 1


def test_same_key_with_another_body_is_refused(registry: Registry) -> None:
    assert registry.batch([create_op()], key="reused").status_code == 200
    body = assert_problem(
        registry.batch([create_op()], key="reused"), 422, "idempotency-key-reused"
    )
    assert "different batch" in body["detail"]
    assert registry.storage.current_version() == 1


def test_keys_are_scoped_per_token(registry: Registry) -> None:
    a = registry.batch([create_op(id_="s1")], role="steward", key="shared-key")
    b = registry.batch([create_op(id_="a1")], role="admin", key="shared-key")
    assert _result(a)["status"] == _result(b)["status"] == "applied"
    assert registry.storage.current_version() == 2


def test_a_refused_request_does_not_burn_its_key(registry: Registry) -> None:
    bad = registry.post("/v1/batch", json={"operations": []}, headers={"Idempotency-Key": "k2"})
    assert_problem(bad, 422, "validation")
    assert _result(registry.batch([create_op()], key="k2"))["status"] == "applied"


def test_missing_or_malformed_idempotency_key(registry: Registry) -> None:
    missing = registry.post("/v1/batch", json={"operations": [create_op()]})
    body = assert_problem(missing, 400, "idempotency-key-missing")
    assert body["errors"][0]["field"] == "Idempotency-Key"
    spaced = registry.post(
        "/v1/batch", json={"operations": [create_op()]}, headers={"Idempotency-Key": "has space"}
    )
    assert_problem(spaced, 400, "idempotency-key-missing")
    assert registry.storage.current_version() == 0


def test_batch_shape_errors_name_the_field(registry: Registry) -> None:
    cases = {
        "operations": {"operations": [create_op() for _ in range(101)]},
        "operations[0].base_version": {"operations": [{**create_op(), "base_version": "1"}]},
        "operations[0].type": {"operations": [{**create_op(), "type": "spaceship"}]},
        "operations[0]": {"operations": [{**create_op(), "deleted": True}]},
        "operations[0].extra": {"operations": [{**create_op(), "extra": 1}]},
    }
    for field, body in cases.items():
        problem = assert_problem(
            registry.post("/v1/batch", json=body, headers={"Idempotency-Key": str(uuid.uuid4())}),
            422,
            "validation",
        )
        assert field in {e["field"] for e in problem["errors"]}, (field, problem)
    assert registry.storage.current_version() == 0


def test_a_hundred_operations_are_accepted(registry: Registry) -> None:
    response = registry.batch([create_op() for _ in range(100)])
    assert [r["version"] for r in response.json()["results"]] == list(range(1, 101))


def test_replay_survives_a_server_restart(tmp_path: Path) -> None:
    ops = [create_op(id_="durable")]
    with running_registry(tmp_path / "r.db") as first:
        reply = first.batch(ops, key="before-restart").json()
        tokens = dict(first.tokens)
    with running_registry(tmp_path / "r.db", tokens=tokens) as second:
        again = second.batch(ops, key="before-restart")
        assert again.json() == reply and again.headers["idempotent-replayed"] == "true"
        assert second.storage.current_version() == 1


def test_the_same_batch_sent_twice_at_once_is_applied_once(registry: Registry) -> None:
    ops = [create_op() for _ in range(20)]
    replies: list = []
    barrier = threading.Barrier(4)

    def send() -> None:
        barrier.wait()
        replies.append(
            requests.post(  # one connection per thread
                registry.url + "/v1/batch",
                json={"operations": ops},
                timeout=TIMEOUT,
                headers={**registry.auth("steward"), "Idempotency-Key": "racing"},
            )
        )

    threads = [threading.Thread(target=send) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [r.status_code for r in replies] == [200] * 4
    assert all(r.json() == replies[0].json() for r in replies)
    assert sum(r.headers.get("idempotent-replayed") == "true" for r in replies) == 3
    assert registry.storage.current_version() == 20
