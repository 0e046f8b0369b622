"""Every endpoint against every kind of caller: no token, a bad or revoked one, each role."""

from __future__ import annotations

import uuid

import pytest

from stewardship_registry.sqlite_storage import SQLiteStorage
from stewardship_registry.storage import TABLES
from stewardship_registry.tokens import hash_token

from .conftest import Registry, assert_problem, create_op

CALLERS = ["none", "unknown", "revoked", "viewer", "steward", "admin"]


@pytest.fixture(scope="module")
def reg(shared_registry: Registry) -> Registry:
    shared_registry.tokens["unknown"] = "stw_not-a-real-token"
    shared_registry.tokens["revoked"] = shared_registry.add_token("gone", "steward")
    shared_registry.storage.revoke_token("gone")
    reply = shared_registry.batch([create_op(id_="auth-model")], role="admin")
    assert reply.json()["results"][0]["status"] == "applied"
    return shared_registry


def _call(reg: Registry, endpoint: str, caller: str):
    role = None if caller == "none" else caller
    if endpoint == "health":
        return reg.get("/v1/health", role)
    if endpoint == "me":
        return reg.get("/v1/me", role)
    if endpoint == "changes":
        return reg.get("/v1/changes?limit=5", role)
    if endpoint == "record":
        return reg.get("/v1/records/model/auth-model", role)
    if endpoint == "history":
        return reg.get("/v1/records/model/auth-model/history", role)
    if endpoint == "batch":
        return reg.post(
            "/v1/batch",
            role,
            json={"operations": [create_op()]},
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )
    raise AssertionError(endpoint)


EXPECTED = {
    # endpoint: (status for no/bad/revoked token, viewer, steward, admin)
    "health": (200, 200, 200, 200),
    "me": (401, 200, 200, 200),
    "changes": (401, 200, 200, 200),
    "record": (401, 200, 200, 200),
    "history": (401, 200, 200, 200),
    "batch": (401, 403, 200, 200),
}


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("endpoint", list(EXPECTED))
def test_role_matrix(reg: Registry, endpoint: str, caller: str) -> None:
    anonymous, viewer, steward, admin = EXPECTED[endpoint]
    expected = {
        "none": anonymous,
        "unknown": anonymous,
        "revoked": anonymous,
        "viewer": viewer,
        "steward": steward,
        "admin": admin,
    }[caller]
    response = _call(reg, endpoint, caller)
    if expected == 200:
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/json"
    elif expected == 401:
        assert_problem(response, 401, "unauthorized")
        assert response.headers["www-authenticate"].startswith("Bearer")
    else:
        body = assert_problem(response, 403, "forbidden")
        assert "viewer" in body["detail"]


def test_me_names_the_token_and_its_role(reg: Registry) -> None:
    assert reg.get("/v1/me", "viewer").json() == {"name": "test-viewer", "role": "viewer"}
    assert reg.get("/v1/me", "admin").json() == {"name": "test-admin", "role": "admin"}


def test_viewer_write_is_refused_before_its_body_is_read(reg: Registry) -> None:
    response = reg.post(
        "/v1/batch", "viewer", data=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert_problem(response, 403, "forbidden")


def test_unauthenticated_request_learns_nothing_about_records(reg: Registry) -> None:
    response = reg.get("/v1/records/model/auth-model", None)
    body = assert_problem(response, 401)
    assert "Example Lab" not in response.text and '"version"' not in response.text
    assert body["detail"].startswith("Send 'Authorization: Bearer")


def test_a_revoked_token_is_refused_at_once(reg: Registry) -> None:
    secret = reg.add_token("leaving-steward", "steward")
    reg.tokens["leaving"] = secret
    assert reg.get("/v1/me", "leaving").status_code == 200
    reg.storage.revoke_token("leaving-steward")
    body = assert_problem(reg.get("/v1/me", "leaving"), 401)
    assert "revoked" in body["detail"]


def test_tokens_are_stored_only_as_hashes(reg: Registry) -> None:
    with reg.storage.snapshot() as everything:
        raw = "\n".join(repr(row) for table in TABLES for row in everything.rows(table)).encode()
    assert hash_token(reg.tokens["steward"]).encode() in raw  # the rows were really read
    for secret in (reg.tokens["viewer"], reg.tokens["steward"], reg.tokens["admin"]):
        assert secret.encode() not in raw
    if isinstance(reg.storage, SQLiteStorage):
        file = reg.storage.path.read_bytes()
        for secret in (reg.tokens["viewer"], reg.tokens["steward"], reg.tokens["admin"]):
            assert secret.encode() not in file
