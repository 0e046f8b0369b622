"""Bad input of every kind gets a problem document, never a 500, and changes nothing."""

from __future__ import annotations

import json
import uuid

import pytest

from .conftest import Registry, assert_problem, create_op, model_data

KEY = {"Idempotency-Key": "errors"}


@pytest.fixture(scope="module")
def reg(shared_registry: Registry) -> Registry:
    return shared_registry


def _post_raw(reg: Registry, body, content_type: str = "application/json", **headers):
    return reg.post(
        "/v1/batch", data=body, headers={"Content-Type": content_type, **KEY, **headers}
    )


def test_oversized_body_is_refused_before_it_is_read(reg: Registry) -> None:
    before = reg.storage.current_version()
    notes = "x" * (1024 * 1024)
    body = json.dumps({"operations": [create_op(data=model_data(notes=notes))]})
    problem = assert_problem(_post_raw(reg, body), 413, "payload-too-large")
    assert "1048576 bytes" in problem["detail"]
    assert reg.storage.current_version() == before


def test_oversized_chunked_body_without_length_is_cut_off(reg: Registry) -> None:
    def chunks():
        yield b'{"operations": [{"type": "model", "id": "x", "base_version": 0, "data": {"notes": "'
        for _ in range(20):
            yield b"y" * 65536
        yield b'"}}]}'

    response = _post_raw(reg, chunks())
    assert response.request.headers.get("Transfer-Encoding") == "chunked"
    assert_problem(response, 413, "payload-too-large")


def test_a_body_just_under_the_limit_is_read(reg: Registry) -> None:
    op = create_op(data=model_data(notes=""))
    empty = len(json.dumps({"operations": [op]}).encode())
    op["data"]["notes"] = "n" * (1024 * 1024 - empty)
    body = json.dumps({"operations": [op]}).encode()
    assert len(body) == 1024 * 1024
    response = _post_raw(reg, body, **{"Idempotency-Key": str(uuid.uuid4())})
    assert response.status_code == 200 and response.json()["results"][0]["status"] == "applied"


@pytest.mark.parametrize(
    "body, content_type, field",
    [
        (b"{not json", "application/json", "body"),
        (b'{"operations": [', "application/json", "body"),
        (b"[1, 2, 3]", "application/json", "body"),
        (b'"just a string"', "application/json", "body"),
        (b"null", "application/json", "body"),
        (b"", "application/json", "body"),
        (b'{"operations": "all of them"}', "application/json", "operations"),
        (b'{"operations": [null]}', "application/json", "operations[0]"),
        (b'{"operations": [{"type": "model"}]}', "application/json", "operations[0].id"),
        (
            b'{"operations": [{"type": "model", "id": "", "base_version": 0, "data": {}}]}',
            "application/json",
            "operations[0].id",
        ),
        (
            b'{"operations": [{"type": "model", "id": "a/b", "base_version": 0, "data": {}}]}',
            "application/json",
            "operations[0].id",
        ),
        (
            b'{"operations": [{"type": "model", "id": "x", "base_version": -1, "data": {}}]}',
            "application/json",
            "operations[0].base_version",
        ),
        (
            b'{"operations": [{"type": "model", "id": "x", "base_version": 1e400, "data": {}}]}',
            "application/json",
            "operations[0].base_version",
        ),
        (
            b'{"operations": [{"type": "model", "id": "x", "base_version": 0, "data": []}]}',
            "application/json",
            "operations[0].data",
        ),
        (b"operations=1", "application/x-www-form-urlencoded", "body"),
        (b"\xff\xfe\x00garbage", "application/json", "body"),
        (b"[" * 100_000 + b"]" * 100_000, "application/json", "body"),
    ],
)
def test_malformed_bodies_get_a_problem_naming_the_field(
    reg: Registry, body: bytes, content_type: str, field: str
) -> None:
    before = reg.storage.current_version()
    response = _post_raw(reg, body, content_type)
    assert response.status_code in (400, 422), response.text
    problem = assert_problem(response, response.status_code)
    if response.status_code == 422:
        assert field in {e["field"] for e in problem["errors"]}, problem
    assert reg.storage.current_version() == before


def test_nan_and_infinity_are_refused(reg: Registry) -> None:
    for number in (b"NaN", b"Infinity", b"-Infinity"):
        body = (
            b'{"operations": [{"type": "model", "id": "n", "base_version": 0, '
            b'"data": {"platform_dates": {"x": ' + number + b"}}}]}"
        )
        response = _post_raw(reg, body, **{"Idempotency-Key": str(uuid.uuid4())})
        assert_problem(response, 422, "validation")


def test_wrongly_typed_values_inside_data_are_rejected_not_crashed(reg: Registry) -> None:
    odd = [
        {"platform_dates": ["2026-01-01"]},
        {"platform_dates": {"aws": 5}},
        {"internal_only": "perhaps"},
        {"released_on": 20260101},
        {"notes": {"a": 1}},
        {"slug": None, "display_name": 3},
    ]
    ops = [create_op(data={**model_data(), **fields}) for fields in odd]
    results = reg.batch(ops).json()["results"]
    assert [r["status"] for r in results] == ["rejected"] * len(odd)
    reasons = [r["problem"]["errors"][0] for r in results]
    assert reasons[0]["field"] == "platform_dates"
    assert reasons[2]["field"] == "internal_only"


def test_unknown_paths_methods_and_types(reg: Registry) -> None:
    assert_problem(reg.get("/nothing-here"), 404, "not-found")
    assert_problem(reg.get("/v1/records/model/never-written"), 404, "not-found")
    unknown_type = reg.get("/v1/records/spaceship/x")
    assert assert_problem(unknown_type, 422, "validation")["errors"][0]["field"] == "type"
    wrong_method = reg.session.delete(
        reg.url + "/v1/changes", headers=reg.auth("steward"), timeout=5
    )
    assert_problem(wrong_method, 405, "method-not-allowed")
    assert "GET" in wrong_method.headers["allow"]
    put_batch = reg.session.put(reg.url + "/v1/batch", headers=reg.auth("admin"), timeout=5)
    assert_problem(put_batch, 405)


def test_bad_content_length_and_auth_headers(reg: Registry) -> None:
    weird = reg.get("/v1/me", None, headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert_problem(weird, 401)
    empty = reg.get("/v1/me", None, headers={"Authorization": "Bearer "})
    assert_problem(empty, 401)


def test_openapi_document_is_served_and_declares_problem_responses(reg: Registry) -> None:
    doc = reg.get("/openapi.json", None).json()
    assert set(doc["paths"]) == {
        "/v1/health",
        "/v1/me",
        "/v1/changes",
        "/v1/records/{type}/{id}",
        "/v1/batch",
        "/v1/tokens",
        "/v1/tokens/{name}",
        "/metrics",
        "/v1/blobs/{sha256}",
        "/v1/blobs/missing",
    }
    batch = doc["paths"]["/v1/batch"]["post"]["responses"]
    assert set(batch) == {"200", "400", "401", "403", "408", "413", "422", "429", "503"}
    assert list(batch["413"]["content"]) == ["application/problem+json"]
    assert "HTTPValidationError" not in doc["components"]["schemas"]
