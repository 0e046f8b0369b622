"""Measure the reference registry: batch push and changes-feed pull over real HTTP.

    .venv/bin/python benchmarks/registry_throughput.py [--records 5000] [--db sqlite|postgresql]

Starts ``stewardship-registry serve`` on a free port with a fresh database
(an SQLite file, or a database of a throwaway PostgreSQL cluster with fsync
on), pushes the records in batches of 100 (one Idempotency-Key each), then
pulls the whole feed in pages of 500, and prints the rates.
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import requests
from _registry_db import BACKENDS, registry_database


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=5000)
    parser.add_argument("--db", choices=BACKENDS, default="sqlite", help="the storage backend")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, registry_database(args.db, Path(tmp)) as db:
        cli = [sys.executable, "-m", "stewardship_registry"]
        token = subprocess.run(
            [*cli, "token", "create", "--db", str(db), "--name", "bench", "--role", "steward"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        server = subprocess.Popen(
            [*cli, "serve", "--db", str(db), "--port", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}"
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {token}"
        try:
            for _ in range(100):
                try:
                    session.get(url + "/v1/health", timeout=1)
                    break
                except requests.ConnectionError:
                    time.sleep(0.1)
            start = time.perf_counter()
            for first in range(0, args.records, 100):
                ops = [
                    {
                        "type": "model",
                        "id": str(uuid.uuid4()),
                        "base_version": 0,
                        "data": {
                            "slug": f"model-{first + i}",
                            "display_name": f"Model {first + i}",
                            "provider": "Bench Lab",
                            "notes": "x" * 200,
                        },
                    }
                    for i in range(min(100, args.records - first))
                ]
                reply = session.post(
                    url + "/v1/batch",
                    json={"operations": ops},
                    timeout=30,
                    headers={"Idempotency-Key": str(uuid.uuid4())},
                )
                reply.raise_for_status()
            push = time.perf_counter() - start
            start = time.perf_counter()
            pulled, since = 0, None
            while True:
                params = {"limit": 500} | ({"since": since} if since else {})
                page = session.get(url + "/v1/changes", params=params, timeout=30).json()
                pulled += len(page["changes"])
                since = page["next_cursor"]
                if not page["has_more"]:
                    break
            pull = time.perf_counter() - start
        finally:
            server.terminate()
            server.wait(timeout=15)
            session.close()
    print(f"backend: {args.db}")
    print(
        f"push: {args.records} records in batches of 100: {push:.2f} s "
        f"({args.records / push:.0f} records/s, {push / (args.records / 100) * 1000:.0f} ms/batch)"
    )
    print(f"pull: {pulled} records in pages of 500: {pull:.2f} s ({pulled / pull:.0f} records/s)")
    return 0 if pulled == args.records else 1


if __name__ == "__main__":
    sys.exit(main())
