"""Upload then download a large file through the registry on 127.0.0.1, against a floor of
``sha256sum`` + ``cp`` of the same file; and the console's memory while it does so.

Targets (issue 16): each way at most 3x the floor; the console's memory stays flat (no
whole file in memory).

    .venv/bin/python benchmarks/blob_transfer.py               # 1 GiB in /tmp
    .venv/bin/python benchmarks/blob_transfer.py --size-mib 64

The registry runs as its own process (``stewardship-registry serve``, folder backend);
this script is the console: it sends the file with the sync's upload code and fetches it
into a second data folder with the sync's download code (to a .part file, hashed as it
arrives, checked, renamed). The floor is what the same work costs without a network:
hashing the file once (``sha256sum``) and copying it once (``cp``). The console's peak
resident memory is read from the kernel (VmHWM) before and after the transfers.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_RATIO = 3.0
#: the console may grow by this much while moving a file of any size
MEMORY_BUDGET_MB = 64


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def make_file(path: Path, size_mib: int) -> None:
    chunk = os.urandom(1 << 20)
    with path.open("wb") as handle:
        for i in range(size_mib):
            handle.write(i.to_bytes(8, "little") + chunk[8:])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def timed(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--dir", default=tempfile.gettempdir(), help="where to work")
    args = parser.parse_args()

    from stewardship.services.interviews import store_transcript
    from stewardship.store import Store
    from stewardship.sync.client import ClientConfig, RegistryClient
    from stewardship.sync.file_sync import FileSync

    bin_dir = Path(sys.executable).parent
    work = Path(tempfile.mkdtemp(prefix="stewardship-blob-bench-", dir=args.dir))
    server = None
    try:
        source = work / "transcript.bin"
        make_file(source, args.size_mib)
        subprocess.run(["cat", str(source)], check=True, stdout=subprocess.DEVNULL)  # warm

        floor_hash = timed(["sha256sum", str(source)])
        floor_copy = timed(["cp", str(source), str(work / "copy.bin")])
        (work / "copy.bin").unlink()
        floor = floor_hash + floor_copy

        db = work / "registry" / "registry.db"
        db.parent.mkdir()
        token = subprocess.run(
            [
                str(bin_dir / "stewardship-registry"),
                "token",
                "create",
                "--db",
                str(db),
                "--name",
                "bench",
                "--role",
                "steward",
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        port = free_port()
        server = subprocess.Popen(
            [str(bin_dir / "stewardship-registry"), "serve", "--db", str(db), "--port", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}"
        client = RegistryClient(ClientConfig(url, token, read_timeout=120))
        deadline = time.monotonic() + 30
        while True:
            try:
                client.health()
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

        sender_dir, receiver_dir = work / "ana", work / "ben"
        sender, receiver = Store(sender_dir / "s.db"), Store(receiver_dir / "s.db")
        stored = store_transcript(sender, sender_dir, source)
        before = peak_rss_mb()

        up = FileSync(sender, client)
        start = time.perf_counter()
        up.blobs.upload(stored.sha256, stored.path, "upload", lambda *a: None, lambda: False)
        upload = time.perf_counter() - start

        down = FileSync(receiver, client)
        start = time.perf_counter()
        fetched = down.fetch(stored.sha256)
        download = time.perf_counter() - start
        after = peak_rss_mb()
        client.close()
        assert fetched.size == source.stat().st_size

        growth = after - before
        size = f"{args.size_mib} MiB"
        print(f"file: {size}")
        print(f"floor: sha256sum {floor_hash:.2f} s + cp {floor_copy:.2f} s = {floor:.2f} s")
        print(
            f"upload (send + registry hash + store): {upload:.2f} s"
            f" = {upload / floor:.2f}x the floor (target {TARGET_RATIO}x)"
        )
        print(
            f"download (receive + hash + store + check): {download:.2f} s"
            f" = {download / floor:.2f}x the floor (target {TARGET_RATIO}x)"
        )
        print(
            f"console peak memory: {before:.0f} MB before, {after:.0f} MB after"
            f" (+{growth:.0f} MB; budget +{MEMORY_BUDGET_MB} MB)"
        )
        ok = upload <= TARGET_RATIO * floor and download <= TARGET_RATIO * floor
        ok = ok and growth <= MEMORY_BUDGET_MB
        print("targets met" if ok else "a target missed")
        sender.close()
        receiver.close()
        return 0 if ok else 1
    finally:
        if server is not None:
            server.terminate()
            server.wait(10)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
