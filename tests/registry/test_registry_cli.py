"""``stewardship-registry``: token create/list/revoke and serve, run as a user would."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path

import requests

from e2e.servers import ServeProcess
from stewardship_registry.cli import main
from stewardship_registry.sqlite_storage import SQLiteStorage
from stewardship_registry.tokens import hash_token


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "stewardship_registry", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_token_create_prints_the_secret_once_and_stores_its_hash(tmp_path: Path, capsys) -> None:
    db = tmp_path / "sub" / "registry.db"
    assert main(["token", "create", "--db", str(db), "--name", "Ada", "--role", "steward"]) == 0
    out, err = capsys.readouterr()
    secret = out.strip()
    assert secret.startswith("stw_") and len(secret) > 40 and "\n" not in secret
    assert "only this once" in err and secret not in err
    storage = SQLiteStorage(db)
    try:
        principal = storage.authenticate(hash_token(secret))
        assert principal is not None and (principal.name, principal.role) == ("Ada", "steward")
    finally:
        storage.close()
    for file in db.parent.iterdir():
        assert secret.encode() not in file.read_bytes()

    assert main(["token", "list", "--db", str(db)]) == 0
    listing = capsys.readouterr().out
    assert listing.startswith("Ada\tsteward\tcreated ") and "active" in listing
    assert secret not in listing


def test_duplicate_names_and_revocation(tmp_path: Path, capsys) -> None:
    db = str(tmp_path / "r.db")
    assert main(["token", "create", "--db", db, "--name", "ci", "--role", "viewer"]) == 0
    assert main(["token", "create", "--db", db, "--name", "ci", "--role", "admin"]) == 2
    assert "revoke it first" in capsys.readouterr().err
    assert main(["token", "revoke", "--db", db, "ci"]) == 0
    assert main(["token", "revoke", "--db", db, "ci"]) == 2
    assert "no active token named 'ci'" in capsys.readouterr().err
    assert main(["token", "create", "--db", db, "--name", "ci", "--role", "admin"]) == 0
    capsys.readouterr()
    assert main(["token", "list", "--db", db]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and sum("revoked" in line for line in lines) == 1


def test_bad_usage_exits_2_with_the_reason(tmp_path: Path) -> None:
    missing = _run("token", "list", "--db", str(tmp_path / "nope.db"))
    assert missing.returncode == 2 and "no registry database" in missing.stderr
    assert not (tmp_path / "nope.db").exists()
    role = _run("token", "create", "--db", str(tmp_path / "r.db"), "--name", "x", "--role", "root")
    assert role.returncode == 2 and "invalid choice: 'root'" in role.stderr
    assert _run("serve").returncode == 2


def test_serve_answers_on_the_given_port(tmp_path: Path) -> None:
    db = tmp_path / "served.db"
    token = _run(
        "token", "create", "--db", str(db), "--name", "s", "--role", "steward"
    ).stdout.strip()
    server = ServeProcess(db, keep_output=True).start(timeout=30)
    url = server.url
    try:
        auth = {"Authorization": f"Bearer {token}"}
        reply = requests.post(
            url + "/v1/batch",
            headers={**auth, "Idempotency-Key": "1"},
            timeout=5,
            json={
                "operations": [
                    {
                        "type": "model",
                        "id": str(uuid.uuid4()),
                        "base_version": 0,
                        "data": {"slug": "m", "display_name": "M", "provider": "P"},
                    }
                ]
            },
        )
        assert reply.json()["results"][0]["version"] == 1
        assert "server" not in reply.headers
    finally:
        status, err = server.stop_and_read()
    # uvicorn shuts down cleanly, then re-raises SIGTERM as the exit status
    assert "Finished server process" in err and status in (0, -15)


def test_serve_behind_a_proxy_root_path_log_level_and_forwarded_ips(tmp_path: Path) -> None:
    db = tmp_path / "proxied.db"
    token = _run(
        "token", "create", "--db", str(db), "--name", "p", "--role", "viewer"
    ).stdout.strip()
    bad = _run("serve", "--db", str(db), "--root-path", "registry")
    assert bad.returncode == 2 and "--root-path must start with '/'" in bad.stderr
    server = ServeProcess(
        db,
        args=[
            *("--root-path", "/registry/", "--log-level", "info"),
            *("--forwarded-allow-ips", "127.0.0.1"),
        ],
        keep_output=True,
    ).start(timeout=30)
    url = server.url
    try:
        me = requests.get(
            url + "/v1/me",
            headers={"Authorization": f"Bearer {token}", "X-Forwarded-For": "203.0.113.7"},
            timeout=5,
        )
        assert me.json()["name"] == "p"
        doc = requests.get(url + "/openapi.json", timeout=5).json()
        assert doc["servers"] == [{"url": "/registry"}]
    finally:
        _, err = server.stop_and_read()
    lines = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    [line] = [x for x in lines if x.get("path") == "/registry/v1/me"]
    assert line["client"] == "203.0.113.7", "the trusted proxy's X-Forwarded-For is believed"
