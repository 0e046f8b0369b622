"""Many consoles pushing at once to ``serve --workers N``, on both backends.

Each console makes its records and syncs them to a server with several worker
processes sharing one database; then every console pulls until it holds every
console's records. No request may fail with a 5xx, nothing may be lost or
doubled. (The full figure, 10 consoles x 1,000 records to 4 workers, is
benchmarks/many_consoles.py; make test runs it small.)
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from stewardship.domain.records import Model
from stewardship_registry.backends import open_storage
from stewardship_registry.tokens import Role, hash_token, new_token

from .conftest import BOTH_BACKENDS, Console
from .servers import ServeProcess

CONSOLES = int(os.environ.get("STEWARDSHIP_MANY_CONSOLES", "5"))
RECORDS = int(os.environ.get("STEWARDSHIP_MANY_RECORDS", "20"))
WORKERS = int(os.environ.get("STEWARDSHIP_MANY_WORKERS", "3"))


@BOTH_BACKENDS
def test_consoles_pushing_at_once_to_several_workers_all_end_with_everything(
    e2e_backend: str, make_registry_db, tmp_path: Path
) -> None:
    db = make_registry_db(e2e_backend)
    storage = open_storage(db)
    tokens = {}
    for i in range(CONSOLES):
        tokens[i] = new_token()
        storage.add_token(f"console-{i}", Role.STEWARD, hash_token(tokens[i]))
    storage.close()
    server = ServeProcess(db, workers=WORKERS).start()
    consoles = [Console(tmp_path, f"c{i}", server.url, tokens[i]) for i in range(CONSOLES)]
    statuses: list[int] = []
    errors: list[BaseException] = []

    def push(console: Console, i: int) -> None:
        try:
            for n in range(RECORDS):
                slug = f"c{i}-{n}"
                console.store.save(Model(slug=slug, display_name=slug, provider="P"), "ana")
            console.sync(batch_limit=20, hook=statuses.append)
        except BaseException as exc:
            errors.append(exc)

    try:
        threads = [threading.Thread(target=push, args=(c, i)) for i, c in enumerate(consoles)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(300)
        assert not errors, errors
        for console in consoles:
            console.sync(hook=statuses.append)
        total = CONSOLES * RECORDS
        for console in consoles:
            slugs = [m.slug for m in console.store.list(Model)]
            assert len(slugs) == len(set(slugs)) == total, console.name
        assert statuses and all(s < 500 for s in statuses), sorted(set(statuses))
    finally:
        for console in consoles:
            console.close()
        server.stop()
