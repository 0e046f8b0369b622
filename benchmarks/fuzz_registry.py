"""Fuzz the registry from its own /openapi.json with every schemathesis check.

    .venv/bin/python benchmarks/fuzz_registry.py [--max-examples 300] [--seed 1]

Starts the registry on 127.0.0.1 (a free port, a fresh database in a temporary
folder, the same server configuration as ``stewardship-registry serve``) with
an admin token, so the token endpoints are exercised too, and runs
``schemathesis run --checks all`` with at least ``--max-examples`` generated
requests per operation and phase (examples, coverage, fuzzing, stateful),
valid and invalid alike. Prints schemathesis's report and the time taken;
exits with schemathesis's status (0: it found nothing).

The failed-authentication rate limit is raised for the run: schemathesis sends
requests with no or wrong tokens on purpose (its ``ignored_auth`` check), and
the limit has its own tests (tests/registry/test_limits.py). Everything else is
as served. Each well-formed Idempotency-Key is made fresh per call, as the protocol
asks of clients (``fuzz_hooks.py`` says why). ``make test`` runs a smaller version (tests/registry/test_schemathesis.py).
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests
import uvicorn

from stewardship_registry.app import create_app
from stewardship_registry.limits import Limits
from stewardship_registry.server import server_config
from stewardship_registry.sqlite_storage import SQLiteStorage
from stewardship_registry.tokens import Role, hash_token, new_token

FUZZ_LIMITS = Limits(auth_failure_burst=1_000_000)
HERE = Path(__file__).resolve().parent


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--max-examples", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        storage = SQLiteStorage(Path(tmp) / "fuzz.db")
        token = new_token()
        storage.add_token("fuzz-admin", Role.ADMIN, hash_token(token))
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        config = server_config(
            create_app(storage, limits=FUZZ_LIMITS),
            limits=FUZZ_LIMITS,
            log_level="critical",
            lifespan="off",
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        url = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                if requests.get(url + "/v1/health", timeout=1).ok:
                    break
            except requests.ConnectionError:
                time.sleep(0.05)
        # the token through the schema's own security scheme (not a fixed header), so
        # schemathesis can also send requests without it and expect 401
        config_file = Path(tmp) / "schemathesis.toml"
        config_file.write_text(f'[auth.openapi.HTTPBearer]\nbearer = "{token}"\n')
        started = time.monotonic()
        schemathesis = Path(sys.executable).with_name("schemathesis")
        env = {
            **os.environ,
            "SCHEMATHESIS_HOOKS": "fuzz_hooks",
            "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]),
        }
        result = subprocess.run(
            [
                str(schemathesis),
                "--config-file",
                str(config_file),
                "run",
                url + "/openapi.json",
                "--checks",
                "all",
                "--max-examples",
                str(args.max_examples),
                "--seed",
                str(args.seed),
                "--workers",
                "1",
                "--no-color",
            ],
            check=False,
            env=env,
        )
        elapsed = time.monotonic() - started
        server.should_exit = True
        thread.join(timeout=10)
        storage.close()
        sock.close()
    verdict = "found nothing" if result.returncode == 0 else "FOUND PROBLEMS"
    print(f"schemathesis --checks all, {args.max_examples} examples: {verdict} in {elapsed:.0f} s")
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
