"""kill -9 of the registry server (``serve``, its own process) during pushes: nothing lost
or duplicated, on both backends.

A console pushes without pause (new records, edits) while the server is
killed at random moments and started again on the same port and database. A
batch the server committed before it died is replayed from its stored reply;
one it had not committed is applied once when re-sent. At the end the console
and the registry hold the same records, each exactly once.
"""

from __future__ import annotations

import os
import random
import threading
import time
from pathlib import Path

from stewardship.domain.records import Model
from stewardship.store.sync_state import SyncState
from stewardship.sync.errors import SyncError
from stewardship_registry.backends import open_storage
from stewardship_registry.tokens import Role, hash_token, new_token

from .conftest import BOTH_BACKENDS, Console
from .servers import ServeProcess

KILLS = int(os.environ.get("STEWARDSHIP_SERVER_KILLS", "3"))


def _push_until(console: Console, stop: threading.Event, tag: str, made: list[str]) -> None:
    i = 0
    while not stop.is_set():
        i += 1
        for m in console.store.list(Model)[:2]:
            console.store.save(m.replace(notes=f"{tag}-{i}"), "ana")
        for j in range(3):
            slug = f"{tag}-{i}-{j}"
            console.store.save(Model(slug=slug, display_name=slug, provider="P"), "ana")
            made.append(slug)
        try:
            console.sync(retries=0, batch_limit=4, read_timeout=3.0)
        except SyncError:
            time.sleep(0.05)  # the server is down: keep editing, as a steward would


@BOTH_BACKENDS
def test_a_server_killed_during_pushes_loses_and_duplicates_nothing(
    e2e_backend: str, make_registry_db, tmp_path: Path
) -> None:
    seed = int(os.environ.get("STEWARDSHIP_SERVER_KILL_SEED", random.randrange(1_000_000)))
    print(f"server kill seed: {seed} (replay with STEWARDSHIP_SERVER_KILL_SEED={seed})")
    rnd = random.Random(seed)
    db = make_registry_db(e2e_backend)
    storage = open_storage(db)
    token = new_token()
    storage.add_token("ana", Role.STEWARD, hash_token(token))
    storage.close()
    server = ServeProcess(db).start()
    console = Console(tmp_path, "ana", server.url, token)
    made: list[str] = []
    delays = []
    try:
        for k in range(KILLS):
            stop = threading.Event()
            pusher = threading.Thread(target=_push_until, args=(console, stop, f"k{k}", made))
            pusher.start()
            delay = rnd.uniform(0.2, 1.2)
            delays.append(round(delay, 3))
            time.sleep(delay)
            server.kill()  # SIGKILL, mid-push
            time.sleep(0.1)
            stop.set()
            pusher.join(60)
            assert not pusher.is_alive()
            server.start()
        print(f"killed after (s): {delays}")
        for _ in range(3):
            console.sync()
    finally:
        server.stop()
    assert SyncState(console.store).waiting_count() == 0
    storage = open_storage(db)
    try:
        server_records: dict[str, tuple[int, str]] = {}
        slugs: list[str] = []
        since = 0
        while True:
            rows, more = storage.changes(since, 500)
            for r in rows:
                assert r.data is not None
                server_records[r.id] = (r.version, r.data["notes"])
                slugs.append(r.data["slug"])
            if not more:
                break
            since = rows[-1].version
    finally:
        storage.close()
    local = {m.id: (m.version, m.notes) for m in console.store.list(Model)}
    console.close()
    assert len(slugs) == len(set(slugs)), "no record duplicated"
    assert sorted(slugs) == sorted(made), "every record made reached the registry once"
    assert server_records == local, "the console and the registry agree on every record"
