"""The auth matrix: every endpoint against every kind of caller (no token, an unknown,
revoked or expired one, each role)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from stewardship_registry.limits import Limits
from stewardship_registry.tokens import Role, hash_token, new_token

from .conftest import Registry, assert_problem, create_op, running_registry

CALLERS = ["none", "unknown", "revoked", "expired", "viewer", "steward", "admin"]


@pytest.fixture(scope="module")
def reg(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    # a burst large enough for the whole matrix's wrong tokens (the limit has its own tests)
    limits = Limits(auth_failure_burst=1000)
    with running_registry(
        Path(tmp_path_factory.mktemp("auth")) / "registry.db", limits=limits
    ) as shared_registry:
        shared_registry.tokens["unknown"] = "stw_not-a-real-token"
        shared_registry.tokens["revoked"] = shared_registry.add_token("gone", "steward")
        shared_registry.storage.revoke_token("gone")
        expired = new_token()
        shared_registry.storage.add_token(
            "lapsed", Role.STEWARD, hash_token(expired), expires_at="2020-01-01T00:00:00.000000Z"
        )
        shared_registry.tokens["expired"] = expired
        reply = shared_registry.batch([create_op(id_="auth-model")], role="admin")
        assert reply.json()["results"][0]["status"] == "applied"
        yield shared_registry


def _call(reg: Registry, endpoint: str, caller: str):
    role = None if caller == "none" else caller
    headers = reg.auth(role)
    if endpoint == "head changes":
        return reg.session.head(reg.url + "/v1/changes", headers=headers, timeout=10)
    if endpoint == "metrics":
        return reg.get("/metrics", role)
    if endpoint == "list tokens":
        return reg.get("/v1/tokens", role)
    if endpoint == "create token":
        return reg.post("/v1/tokens", role, json={"name": f"t-{uuid.uuid4()}", "role": "viewer"})
    if endpoint == "revoke token":
        name = f"r-{uuid.uuid4()}"
        reg.add_token(name, "viewer")
        return reg.session.delete(reg.url + f"/v1/tokens/{name}", headers=headers, timeout=10)
    if endpoint == "health":
        return reg.get("/v1/health", role)
    if endpoint == "me":
        return reg.get("/v1/me", role)
    if endpoint == "changes":
        return reg.get("/v1/changes?limit=5", role)
    if endpoint == "record":
        return reg.get("/v1/records/model/auth-model", role)
    if endpoint == "batch":
        return reg.post(
            "/v1/batch",
            role,
            json={"operations": [create_op()]},
            headers={"Idempotency-Key": str(uuid.uuid4())},
        )
    raise AssertionError(endpoint)


EXPECTED = {
    # endpoint: (status for no/unknown/revoked/expired token, viewer, steward, admin)
    "health": (200, 200, 200, 200),
    "me": (401, 200, 200, 200),
    "changes": (401, 200, 200, 200),
    "head changes": (401, 200, 200, 200),
    "record": (401, 200, 200, 200),
    "batch": (401, 403, 200, 200),
    "metrics": (401, 200, 200, 200),
    "list tokens": (401, 403, 403, 200),
    "create token": (401, 403, 403, 201),
    "revoke token": (401, 403, 403, 204),
}


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("endpoint", list(EXPECTED))
def test_role_matrix(reg: Registry, endpoint: str, caller: str) -> None:
    anonymous, viewer, steward, admin = EXPECTED[endpoint]
    expected = {
        "none": anonymous,
        "unknown": anonymous,
        "revoked": anonymous,
        "expired": anonymous,
        "viewer": viewer,
        "steward": steward,
        "admin": admin,
    }[caller]
    response = _call(reg, endpoint, caller)
    if expected in (200, 201, 204):
        assert response.status_code == expected, response.text
        if endpoint == "metrics":
            assert response.headers["content-type"].startswith("text/plain")
        elif expected != 204:
            assert response.headers["content-type"] == "application/json"
    elif expected == 401 and endpoint == "head changes":
        assert response.status_code == 401 and response.content == b""
    elif expected == 401:
        slug = "token-expired" if caller == "expired" else "unauthorized"
        body = assert_problem(response, 401, slug)
        assert response.headers["www-authenticate"].startswith("Bearer")
        if caller == "expired":
            assert "expired" in body["detail"] and "lapsed" in body["detail"]
    else:
        body = assert_problem(response, 403, "forbidden")
        assert caller in body["detail"]


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
    raw = reg.storage.path.read_bytes()
    for secret in (reg.tokens["viewer"], reg.tokens["steward"], reg.tokens["admin"]):
        assert secret.encode() not in raw
