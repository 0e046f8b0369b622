"""Several ``serve`` processes on one database, on both backends: the feed stays gap-free.

The concurrent-paging proof of test_changes.py, with the writers and the reader
each talking to a different server process, so the ordering guarantee is the
database's (SQLite's one writer, PostgreSQL's counter row lock), not one
process's.
"""

from __future__ import annotations

import random
import threading
import uuid
from collections.abc import Iterator

import pytest
import requests

from e2e.servers import ServeProcess
from stewardship_registry.backends import open_storage
from stewardship_registry.tokens import Role, hash_token, new_token

from .conftest import TIMEOUT, create_op

WRITES_PER_WRITER = 120


@pytest.fixture
def three_servers(registry_db: str) -> Iterator[tuple[list[ServeProcess], dict[str, str]]]:
    storage = open_storage(registry_db)
    tokens = {}
    for name, role in (("w0", "steward"), ("w1", "steward"), ("reader", "viewer")):
        tokens[name] = new_token()
        storage.add_token(name, Role(role), hash_token(tokens[name]))
    storage.close()
    servers: list[ServeProcess] = []
    try:
        servers += [ServeProcess(registry_db).launch() for _ in range(3)]
        for server in servers:
            server.wait_ready()
        yield servers, tokens
    finally:
        for server in servers:
            server.stop()


def _writer(url: str, token: str, seed: int, applied: list[int], errors: list) -> None:
    rng = random.Random(seed)
    done = 0
    with requests.Session() as session:
        try:
            while done < WRITES_PER_WRITER:
                n = min(rng.randint(1, 4), WRITES_PER_WRITER - done)
                reply = session.post(
                    url + "/v1/batch",
                    timeout=TIMEOUT,
                    json={"operations": [create_op() for _ in range(n)]},
                    headers={
                        "Authorization": f"Bearer {token}",
                        "Idempotency-Key": str(uuid.uuid4()),
                    },
                )
                reply.raise_for_status()
                applied += [r["version"] for r in reply.json()["results"]]
                done += n
        except Exception as exc:  # surfaced by the test
            errors.append(exc)


def test_paging_across_server_processes_sees_every_version_exactly_once(three_servers) -> None:
    servers, tokens = three_servers
    applied: list[int] = []
    errors: list[Exception] = []
    writers = [
        threading.Thread(target=_writer, args=(servers[i].url, tokens[f"w{i}"], i, applied, errors))
        for i in (0, 1)
    ]
    for w in writers:
        w.start()
    seen: list[int] = []
    pages = 0
    cursor = None
    reader = requests.Session()
    reader.headers["Authorization"] = f"Bearer {tokens['reader']}"
    while True:
        writing = any(w.is_alive() for w in writers)
        params = {"limit": 5} | ({"since": cursor} if cursor else {})
        url = servers[pages % 3].url  # every page from the next process
        page = reader.get(url + "/v1/changes", params=params, timeout=TIMEOUT).json()
        versions = [c["version"] for c in page["changes"]]
        if versions:
            expected_first = seen[-1] + 1 if seen else 1
            assert versions == list(range(expected_first, expected_first + len(versions))), (
                f"page {pages} from process {pages % 3} skipped a version: {versions}"
            )
        seen += versions
        pages += 1
        cursor = page["next_cursor"]
        if not writing and not page["has_more"]:
            break
    reader.close()
    for w in writers:
        w.join()
    assert not errors, errors
    total = 2 * WRITES_PER_WRITER
    assert seen == sorted(applied) == list(range(1, total + 1))
    assert pages > total // 5, "the reader really paged while the writers wrote"


def test_every_worker_cuts_off_a_client_that_never_finishes_its_headers(tmp_path) -> None:
    """``serve --workers 2`` runs hardening's server config in each worker: a connection
    that sends half a request head is closed after the header timeout (10 s), whichever
    worker took it (plain ``uvicorn.run`` workers held it for ever)."""
    import socket
    import time

    from stewardship_registry.limits import DEFAULT_LIMITS

    server = ServeProcess(str(tmp_path / "registry.db"), workers=2).start()
    try:
        conns = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(4)]
        started = time.monotonic()
        for conn in conns:
            conn.sendall(b"GET /v1/health HTTP/1.1\r\nHost: x\r\n")
            conn.settimeout(DEFAULT_LIMITS.header_timeout + 10)
        for conn in conns:
            assert conn.recv(1024) == b"", "closed without a reply"
            conn.close()
        assert time.monotonic() - started < DEFAULT_LIMITS.header_timeout + 5
        assert requests.get(server.url + "/v1/health", timeout=TIMEOUT).status_code == 200
    finally:
        server.stop()
