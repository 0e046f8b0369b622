"""Token life (issue 15, item 10): expiry, rotation with a grace period, last use, admin API."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import requests

from stewardship_registry.cli import main
from stewardship_registry.sqlite_storage import _SCHEMA, SQLiteStorage
from stewardship_registry.tokens import Role, hash_token, new_token, utc_iso

from .conftest import Registry, assert_problem, running_registry


def _me(reg: Registry, token: str) -> requests.Response:
    return reg.session.get(
        reg.url + "/v1/me", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )


def test_create_with_expiry_list_last_use_and_rotate_from_the_cli(tmp_path: Path, capsys) -> None:
    db = tmp_path / "r.db"
    args = ["token", "create", "--db", str(db), "--name", "ana", "--role", "steward"]
    assert main([*args, "--expires", "90d"]) == 0
    old = capsys.readouterr().out.strip()
    assert main([*args[:-4], "--name", "bad", "--role", "viewer", "--expires", "soon"]) == 2
    assert "not a duration" in capsys.readouterr().err

    with running_registry(db, tokens={}) as reg:
        assert _me(reg, old).status_code == 200
    assert main(["token", "list", "--db", str(db)]) == 0
    [line] = capsys.readouterr().out.splitlines()
    expires = (datetime.now(UTC) + timedelta(days=90)).date().isoformat()
    assert f"expires {expires}" in line and "last used 20" in line and "\tactive\t" in line

    assert main(["token", "rotate", "--db", str(db), "ana"]) == 0
    new = capsys.readouterr().out.strip()
    assert new != old
    with running_registry(db, tokens={}) as reg:
        assert _me(reg, new).json() == {"name": "ana", "role": "steward"}
        assert _me(reg, old).status_code == 200, "the old secret works during the grace period"
    assert main(["token", "list", "--db", str(db)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert sorted(line.split("\t")[3] for line in lines) == ["active", "rotated"]
    assert all(f"expires {expires}" in line or "expires 20" in line for line in lines)
    assert main(["token", "rotate", "--db", str(db), "nobody"]) == 2


def test_the_old_secret_stops_after_the_grace_period(registry: Registry) -> None:
    old = registry.add_token("ben", "steward")
    new = new_token()
    past = utc_iso(datetime.now(UTC) - timedelta(seconds=1))
    registry.storage.rotate_token("ben", hash_token(new), grace_until=past, expires_at=None)
    assert _me(registry, new).status_code == 200
    body = assert_problem(_me(registry, old), 401, "token-expired")
    assert "ben" in body["detail"] and old not in body["detail"]
    # revoking the name ends both at once
    assert registry.storage.revoke_token("ben")
    assert_problem(_me(registry, new), 401, "unauthorized")


def test_admins_manage_tokens_over_http(registry: Registry) -> None:
    made = registry.post("/v1/tokens", "admin", json={"name": "scraper", "role": "viewer"})
    assert made.status_code == 201
    secret = made.json()["token"]
    assert made.json()["expires_at"] is None
    assert _me(registry, secret).json()["role"] == "viewer"
    again = registry.post("/v1/tokens", "admin", json={"name": "scraper", "role": "viewer"})
    assert_problem(again, 409, "token-exists")
    timed = registry.post(
        "/v1/tokens", "admin", json={"name": "temp", "role": "steward", "expires_in_days": 7}
    )
    assert timed.json()["expires_at"].startswith(
        (datetime.now(UTC) + timedelta(days=7)).date().isoformat()
    )

    listed = registry.get("/v1/tokens", "admin")
    assert secret not in listed.text and "token_hash" not in listed.text
    by_name = {t["name"]: t for t in listed.json()["tokens"]}
    assert by_name["scraper"]["state"] == "active"
    assert by_name["scraper"]["last_used_at"] is not None, "used once above"
    assert by_name["temp"]["last_used_at"] is None

    gone = registry.session.delete(
        registry.url + "/v1/tokens/scraper", headers=registry.auth("admin"), timeout=10
    )
    assert gone.status_code == 204
    assert_problem(_me(registry, secret), 401, "unauthorized")
    missing = registry.session.delete(
        registry.url + "/v1/tokens/scraper", headers=registry.auth("admin"), timeout=10
    )
    assert_problem(missing, 404, "not-found")
    bad = registry.post("/v1/tokens", "admin", json={"name": " ", "role": "viewer"})
    assert_problem(bad, 422, "validation")


def test_a_database_from_before_token_expiry_is_migrated(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    conn = sqlite3.connect(db)
    conn.executescript(_SCHEMA)
    conn.execute(  # as the registry before migrations created it
        "CREATE UNIQUE INDEX tokens_active_name ON tokens (name) WHERE revoked_at IS NULL"
    )
    secret = new_token()
    conn.execute(
        "INSERT INTO tokens (name, role, token_hash, created_at) VALUES (?, ?, ?, ?)",
        ("veteran", "steward", hash_token(secret), "2025-01-01T00:00:00.000000Z"),
    )
    conn.commit()
    conn.close()
    storage = SQLiteStorage(db)
    try:
        principal = storage.authenticate(hash_token(secret))
        assert principal is not None and principal.role == Role.STEWARD
        assert principal.expires_at is None
        check = sqlite3.connect(db)
        assert check.execute("PRAGMA user_version").fetchone()[0] == 1
        check.close()
    finally:
        storage.close()
