"""Many consoles pushing at once to ``serve --workers N``; every console ends with everything.

    .venv/bin/python benchmarks/many_consoles.py [--consoles 10] [--records 1000]
        [--workers 4] [--db postgresql|sqlite]

Each console (a real console store and sync engine, in its own thread) makes
its records and pushes them in batches of 100 to one server with several
worker processes sharing one database; then each pulls until it holds every
console's records. Prints the time and any reply of 500 or above (there must
be none), and exits 1 unless every console ends with consoles x records.
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import requests
from _registry_db import BACKENDS, registry_database


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--consoles", type=int, default=10)
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--db", choices=BACKENDS, default="postgresql")
    args = parser.parse_args(argv)

    from stewardship.domain.records import Model
    from stewardship.store import Store
    from stewardship.sync.client import ClientConfig, RegistryClient
    from stewardship.sync.engine import SyncEngine
    from stewardship_registry.backends import open_storage
    from stewardship_registry.tokens import Role, hash_token, new_token

    with tempfile.TemporaryDirectory() as tmp, registry_database(args.db, Path(tmp)) as db:
        storage = open_storage(db)
        tokens = [new_token() for _ in range(args.consoles)]
        for i, t in enumerate(tokens):
            storage.add_token(f"console-{i}", Role.STEWARD, hash_token(t))
        storage.close()
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "stewardship_registry",
                "serve",
                "--db",
                db,
                "--port",
                str(port),
                "--workers",
                str(args.workers),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}"
        statuses: Counter[int] = Counter()
        lock = threading.Lock()
        errors: list[BaseException] = []

        def client(token: str) -> RegistryClient:
            c = RegistryClient(ClientConfig(url, token, read_timeout=120))

            def note(r: requests.Response, *a: object, **k: object) -> None:
                with lock:
                    statuses[r.status_code] += 1

            c.session.hooks["response"].append(note)
            return c

        def run(i: int, push: bool) -> None:
            try:
                store = Store(Path(tmp) / f"console-{i}" / "stewardship.db")
                if push:
                    for n in range(args.records):
                        slug = f"c{i}-{n}"
                        store.save(Model(slug=slug, display_name=slug, provider="P"), "bench")
                c = client(tokens[i])
                SyncEngine(store, c).run()
                c.close()
                store.close()
            except BaseException as exc:
                errors.append(exc)

        try:
            for _ in range(200):
                try:
                    requests.get(url + "/v1/health", timeout=1)
                    break
                except requests.ConnectionError:
                    time.sleep(0.1)
            for i in range(args.consoles):
                (Path(tmp) / f"console-{i}").mkdir()
            started = time.perf_counter()
            threads = [threading.Thread(target=run, args=(i, True)) for i in range(args.consoles)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            pushed = time.perf_counter() - started
            started = time.perf_counter()
            threads = [threading.Thread(target=run, args=(i, False)) for i in range(args.consoles)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            pulled = time.perf_counter() - started
            counts = []
            for i in range(args.consoles):
                store = Store(Path(tmp) / f"console-{i}" / "stewardship.db")
                slugs = [m.slug for m in store.list(Model)]
                counts.append(len(set(slugs)) if len(slugs) == len(set(slugs)) else -1)
                store.close()
        finally:
            server.terminate()
            server.wait(30)
    total = args.consoles * args.records
    bad = {s: n for s, n in statuses.items() if s >= 500}
    print(
        f"{args.consoles} consoles x {args.records} records to serve --workers {args.workers}"
        f" on {args.db}: pushed (each console also saving its records) in {pushed:.1f} s,"
        f" then every console pulled the rest in {pulled:.1f} s"
    )
    print(f"  replies: {dict(sorted(statuses.items()))}; 5xx: {bad or 'none'}")
    print(f"  records per console at the end: {sorted(set(counts))} (expected {total})")
    ok = not errors and not bad and all(c == total for c in counts)
    if errors:
        print(f"  errors: {errors[:3]}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
