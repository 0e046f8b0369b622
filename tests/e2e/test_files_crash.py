"""kill -9 of a console while it uploads, and while it downloads, at random points.

After the kills a normal sync completes: every file is whole and verified on
both sides, no partial file is visible under a name, and no file the registry
had already stored is sent (or stored) again.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

from stewardship.store import Store
from stewardship.sync.client import ClientConfig, RegistryClient
from stewardship.sync.engine import SyncEngine

from .files_helpers import MiB, attach_transcript, make_file, sha_of, visible_files
from .servers import RegistryServer

KILLS = int(os.environ.get("STEWARDSHIP_FILE_CRASH_KILLS", "10"))
FILE_BYTES = 12 * MiB

CHILD = textwrap.dedent(
    """
    import sys
    from stewardship.store import Store
    from stewardship.sync.client import ClientConfig, RegistryClient
    from stewardship.sync.engine import SyncEngine

    path, url, token = sys.argv[1:4]
    store = Store(path)
    client = RegistryClient(ClientConfig(url, token, backoff=0.01))
    print("ready", flush=True)
    SyncEngine(store, client).run()
    print("done", flush=True)
    """
)


class CountingBlobs:
    """The registry's real blob store, noting each upload begun and each blob committed."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.events: list[tuple[str, str]] = []
        self.lock = threading.Lock()

    def __getattr__(self, name: str):
        return getattr(self.inner, name)

    def begin(self, sha256: str):
        upload = self.inner.begin(sha256)
        outer = self
        with self.lock:
            self.events.append(("begin", sha256))

        class Noted:
            def write(self, chunk: bytes) -> None:
                upload.write(chunk)

            def commit(self) -> None:
                upload.commit()
                with outer.lock:
                    outer.events.append(("commit", sha256))

            def abort(self) -> None:
                upload.abort()

        return Noted()


def run_and_kill(store_path: Path, url: str, token: str, delay: float) -> str:
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(store_path), url, token],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "ready"
    time.sleep(delay)
    child.kill()
    child.wait()
    return "finished first" if child.stdout.read().strip() == "done" else "killed"


def complete_sync(store_path: Path, url: str, token: str) -> None:
    store = Store(store_path)
    client = RegistryClient(ClientConfig(url, token, backoff=0.01))
    try:
        SyncEngine(store, client).run()
    finally:
        client.close()
        store.close()


def test_uploads_and_downloads_killed_at_random_points_complete_later(
    tmp_path: Path, console_factory
) -> None:
    seed = int(os.environ.get("STEWARDSHIP_CRASH_SEED", random.randrange(1_000_000)))
    print(f"file crash test seed: {seed} (replay with STEWARDSHIP_CRASH_SEED={seed})")
    rnd = random.Random(seed)
    server = RegistryServer(tmp_path / "registry.db")
    counting = CountingBlobs(server.blobs)
    server.blobs = counting
    server.start()
    try:
        ana = console_factory("ana", server.url, server.token("ana"))
        ben = console_factory("ben", server.url, server.token("ben"))
        ben.store.set_setting("files.auto_fetch_mb", "1000")
        ana.store.close()
        ben.store.close()
        digests: list[str] = []
        outcomes: list[str] = []
        delays: list[float] = []
        for k in range(KILLS):
            source = tmp_path / f"transcript-{k}.txt"
            digests.append(make_file(source, FILE_BYTES, seed=100 + k))
            store = Store(ana.path)
            attach_transcript(store, ana.data_dir, source)
            store.close()
            # the uploading console dies somewhere in its sync
            delay = round(rnd.uniform(0.0, 0.25), 3)
            delays.append(delay)
            outcomes.append("up " + run_and_kill(ana.path, server.url, ana.token, delay))
            # then it syncs to the end (resuming), so the other console has a file to fetch
            complete_sync(ana.path, server.url, ana.token)
            # the downloading console dies somewhere in its sync
            delay = round(rnd.uniform(0.0, 0.25), 3)
            delays.append(delay)
            outcomes.append("down " + run_and_kill(ben.path, server.url, ben.token, delay))
        print(f"kills after (s): {delays}")
        print(f"outcomes: {outcomes}")

        ana.store, ben.store = Store(ana.path), Store(ben.path)
        assert ana.sync().warnings == []
        ben.sync()

        # every file whole and verified, on the registry and on both laptops
        for sha in digests:
            assert sha_of(server.blobs.path(sha)) == sha
            assert sha_of(ben.data_dir / "transcripts" / sha) == sha
        for folder in (
            ana.data_dir / "transcripts",
            ben.data_dir / "transcripts",
            server.blobs.root,
        ):
            for path in visible_files(folder):
                assert sha_of(path) == path.name, f"{path} is not whole"
        assert list(server.blobs.root.glob(".incoming/*")) == [], "a partial upload was kept"
        assert list((ben.data_dir / "transcripts").glob(".download-*")) == []

        # nothing the registry had stored was sent to it again
        committed: set[str] = set()
        for event, sha in counting.events:
            assert not (event == "begin" and sha in committed), f"{sha} re-sent after stored"
            if event == "commit":
                # (two commits of one file happen only when a killed console's upload was
                # still arriving when the next one began: same bytes, atomic rename)
                committed.add(sha)
        assert committed == set(digests)
    finally:
        server.stop()
