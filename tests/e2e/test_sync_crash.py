"""A sync process killed at many random points loses and duplicates nothing."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import textwrap
import time

from stewardship.domain.records import Model
from stewardship.store import Store
from stewardship.sync.protocol import record_payload

from .conftest import BOTH_BACKENDS

KILLS = int(os.environ.get("STEWARDSHIP_CRASH_KILLS", "20"))
#: The PostgreSQL variant proves the same with fewer kills (it is the same client code;
#: what differs is the server's storage), to keep make test lean.
PG_KILLS = int(os.environ.get("STEWARDSHIP_CRASH_KILLS_PG", "8"))

CHILD = textwrap.dedent(
    """
    import random, sys
    from stewardship.domain.records import Model
    from stewardship.store import Store
    from stewardship.sync.client import ClientConfig, RegistryClient
    from stewardship.sync.engine import SyncEngine

    path, url, token, tag, seed = sys.argv[1:6]
    rnd = random.Random(int(seed))
    store = Store(path)
    client = RegistryClient(ClientConfig(url, token, backoff=0.01))
    print("ready", flush=True)
    i = 0
    while True:
        i += 1
        live = store.list(Model)
        for m in rnd.sample(live, min(3, len(live))):
            store.save(m.replace(notes=f"{tag}-{i}"), "ana")
        store.save(Model(slug=f"{tag}-{i}", display_name=f"{tag} {i}", provider="P"), "ana")
        SyncEngine(store, client, page_limit=7, batch_limit=5).run()
    """
)


def server_view(registry):
    return {
        rid: (r.version, r.deleted, r.data)
        for (t, rid), r in registry.records().items()
        if t == "model"
    }


def local_view(store):
    out = {}
    for m in store.list(Model, include_deleted=True):
        out[m.id] = (m.version, m.deleted, record_payload(m))
    return out


@BOTH_BACKENDS
def test_sync_killed_at_random_points_converges(console_factory, registry, e2e_backend):
    kills = KILLS if e2e_backend == "sqlite" else PG_KILLS
    seed = int(os.environ.get("STEWARDSHIP_CRASH_SEED", random.randrange(1_000_000)))
    print(f"crash test seed: {seed} (replay with STEWARDSHIP_CRASH_SEED={seed})")
    rnd = random.Random(seed)
    ana = console_factory("ana")
    ben = console_factory("ben")
    for i in range(30):
        ana.store.save(Model(slug=f"seed-{i}", display_name=f"Seed {i}", provider="P"), "ana")
    ana.store.close()

    delays = []
    for k in range(kills):
        ben.store.save(Model(slug=f"ben-{k}", display_name=f"Ben {k}", provider="P"), "ben")
        ben.sync()
        child = subprocess.Popen(
            [
                sys.executable,
                "-c",
                CHILD,
                str(ana.path),
                registry.url,
                ana.token,
                f"k{k}",
                str(rnd.randrange(1_000_000)),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert child.stdout.readline().strip() == "ready"
        delay = rnd.uniform(0.0, 0.6)
        delays.append(round(delay, 3))
        time.sleep(delay)
        child.kill()
        child.wait()
    print(f"killed after (s): {delays}")

    ana.store = Store(ana.path)
    ana.sync()
    ana.sync()
    ben.sync()
    server = server_view(registry)
    mine = local_view(ana.store)
    assert set(server) == set(mine), "no record lost on either side"
    for rid, (version, deleted, data) in mine.items():
        s_version, s_deleted, s_data = server[rid]
        assert (version, deleted) == (s_version, s_deleted)
        assert {k: s_data.get(k) for k in data if k != "deleted"} == {
            k: v for k, v in data.items() if k != "deleted"
        }
    slugs = [d["slug"] for _, _, d in server.values()]
    assert len(slugs) == len(set(slugs)), "no record duplicated"
    assert local_view(ben.store) == mine
    assert {f"ben-{k}" for k in range(kills)} <= set(slugs)
