"""Sync: the first full pull of a large store from a registry on 127.0.0.1.

    .venv/bin/python benchmarks/sync_pull.py [--models 10000] [--idle-runs 20] [--db sqlite|postgresql]

Fills a reference-registry database with the synthetic records (10,000
models, 300,000 checklist items, 50,000 requests by default), serves it with
``stewardship-registry serve`` on 127.0.0.1 in its own process (with
``--db postgresql`` the SQLite registry is first copied, with
``stewardship-registry copy``, into a throwaway PostgreSQL cluster, which is
served instead), then
measures, in this process:

- the floor: a plain loop that fetches the same pages of ``/v1/changes``
  with ``requests`` and parses the JSON without storing anything;
- the console's first sync into an empty store (``SyncEngine.run``), which
  stores every record, its merge base and its audit entry;
- a sync with nothing to do, right after: how many HTTP requests it makes
  and how long it takes (median of ``--idle-runs``).

Targets: the first pull within 3x of the floor; an idle sync one request and
under 50 ms.
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
from _common import median, verdict
from _registry_db import BACKENDS, registry_database

TARGET_RATIO = 3.0
TARGET_IDLE_MS = 50.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def plain_pull(url: str, token: str, limit: int) -> tuple[float, int]:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    started = time.perf_counter()
    pulled, since = 0, None
    while True:
        params: dict[str, object] = {"limit": limit} | ({"since": since} if since else {})
        page = session.get(url + "/v1/changes", params=params, timeout=60).json()
        pulled += len(page["changes"])
        since = page["next_cursor"]
        if not page["has_more"]:
            break
    session.close()
    return time.perf_counter() - started, pulled


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", type=int, default=10_000, help="models in the registry")
    parser.add_argument("--idle-runs", type=int, default=20, help="syncs with nothing to do")
    parser.add_argument("--db", choices=BACKENDS, default="sqlite", help="the registry's backend")
    args = parser.parse_args(argv)

    from generate import generate_registry

    from stewardship.store import Store
    from stewardship.store.database import DB_FILENAME
    from stewardship.sync.client import ClientConfig, RegistryClient
    from stewardship.sync.engine import SyncEngine

    with (
        tempfile.TemporaryDirectory(prefix="stewardship-bench-") as tmp,
        registry_database(args.db, Path(tmp), "served") as served,
    ):
        db = Path(tmp) / "registry.db"
        started = time.perf_counter()
        token = generate_registry(db, args.models)
        print(
            f"(filled a registry with {args.models} models and their items and requests"
            f" in {time.perf_counter() - started:.1f} s)",
            flush=True,
        )
        if args.db == "postgresql":
            started = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "stewardship_registry", "copy", str(db), served],
                check=True,
                stderr=subprocess.DEVNULL,
            )
            print(f"(copied it into PostgreSQL in {time.perf_counter() - started:.1f} s)")
            db = served  # type: ignore[assignment]
        port = _free_port()
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "stewardship_registry",
                "serve",
                "--db",
                str(db),
                "--port",
                str(port),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(200):
                try:
                    requests.get(url + "/v1/health", timeout=1)
                    break
                except requests.ConnectionError:
                    time.sleep(0.05)
            store = Store(Path(tmp) / "console" / DB_FILENAME)
            client = RegistryClient(ClientConfig(url, token))
            calls: list[str] = []
            client.session.hooks["response"].append(
                lambda r, *a, **k: calls.append(r.request.method)
            )
            engine = SyncEngine(store, client)
            limit = (
                engine.first_pull_limit
                if hasattr(engine, "first_pull_limit")
                else engine.page_limit
            )

            plain_pull(url, token, limit)  # warm the server's page cache
            floor, expected = plain_pull(url, token, limit)

            started = time.perf_counter()
            summary = engine.run()
            first = time.perf_counter() - started
            first_calls = len(calls)

            idle, idle_calls = [], []
            for _ in range(args.idle_runs):
                calls.clear()
                started = time.perf_counter()
                engine.run()
                idle.append((time.perf_counter() - started) * 1000)
                idle_calls.append(len(calls))
            stored = sum(store.count(cls) for cls in _types())
            client.close()
            store.close()
        finally:
            server.terminate()
            server.wait(timeout=15)

    ratio = first / floor
    idle_ms = median(idle)
    ok_ratio = ratio <= TARGET_RATIO and summary.pulled == expected and stored == expected
    ok_idle = idle_ms < TARGET_IDLE_MS and max(idle_calls) == 1
    print(f"first full pull of {expected} records in pages of {limit} (registry on {args.db}):")
    print(
        f"  plain loop, fetch and parse only (floor): {floor:7.2f} s"
        f"  ({expected / floor:,.0f} records/s)"
    )
    print(
        f"  console sync into an empty store:         {first:7.2f} s"
        f"  ({summary.pulled / first:,.0f} records/s, {first_calls} requests, {stored} stored)"
        f"  = {ratio:.2f}x the floor  (target {TARGET_RATIO:.0f}x: {verdict(ok_ratio)})"
    )
    print(
        f"  sync with nothing to do, median of {args.idle_runs}:    {idle_ms:7.1f} ms,"
        f" {max(idle_calls)} request(s)  (target 1 request, < {TARGET_IDLE_MS:.0f} ms:"
        f" {verdict(ok_idle)})"
    )
    return 0 if ok_ratio and ok_idle else 1


def _types() -> list[type]:
    from stewardship.domain.records import RECORD_TYPES

    return list(RECORD_TYPES.values())


if __name__ == "__main__":
    sys.exit(main())
