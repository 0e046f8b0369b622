"""Real servers for sync tests: the registry on 127.0.0.1, and a fault-injecting proxy.

The proxy forwards to the real registry and, when told, answers a request
with a fault instead: a 500, a 503 with Retry-After, a stalled reply (read
timeout), a reply cut mid-body, malformed JSON, or a reply dropped after the
registry applied the request. Nothing here imitates the registry's API.
"""

from __future__ import annotations

import contextlib
import email.utils
import http.client
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import requests
import uvicorn

from stewardship_registry.app import create_app
from stewardship_registry.backends import open_storage
from stewardship_registry.blob_store import default_blob_dir, open_blob_store
from stewardship_registry.tokens import Role, hash_token, new_token


def _blob_dir(db: Path | str) -> Path:
    """Files beside an SQLite database; for a PostgreSQL registry, a new temporary folder."""
    if str(db).startswith(("postgresql://", "postgres://")):
        return Path(tempfile.mkdtemp(prefix="registry-blobs-"))
    return default_blob_dir(db)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RegistryServer:
    """The reference registry in a uvicorn thread, on a free port of 127.0.0.1.

    ``db`` is an SQLite path or a PostgreSQL URL.
    """

    def __init__(
        self,
        db: Path | str,
        port: int | None = None,
        tls: tuple[Path, Path] | None = None,
        blobs: str | Path | None = None,
    ) -> None:
        self.db = db
        self.port = port or free_port()
        self.tls = tls  # (certificate, key) to serve HTTPS
        self.storage = open_storage(str(db))
        # files: a folder beside an SQLite database (the default), or s3://bucket/prefix;
        # beside a PostgreSQL registry, a temporary folder
        self.blobs = open_blob_store(blobs or _blob_dir(db))
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    def token(self, name: str, role: str = "steward") -> str:
        secret = new_token()
        self.storage.add_token(name, Role(role), hash_token(secret))
        return secret

    def start(self) -> RegistryServer:
        tls = (
            {"ssl_certfile": str(self.tls[0]), "ssl_keyfile": str(self.tls[1])} if self.tls else {}
        )
        config = uvicorn.Config(
            create_app(self.storage, blobs=self.blobs),
            host="127.0.0.1",
            port=self.port,
            log_level="error",
            lifespan="off",
            **tls,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("registry did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
            assert self._thread is not None
            self._thread.join(10)
            self._server = None
            self.storage.close()

    def records(self) -> dict:
        """Every record the registry holds, by (type, id), read from its own storage."""
        out, since = {}, 0
        while True:
            rows, more = self.storage.changes(since, 500)
            for r in rows:
                out[(r.type, r.id)] = r
            if not rows or not more:
                return out
            since = rows[-1].version


class ServeProcess:
    """``stewardship-registry serve`` in its own process, as an operator runs it.

    It can be killed (``kill(signal.SIGKILL)``) and started again on the same
    port and database.
    """

    def __init__(
        self,
        db: Path | str,
        workers: int = 1,
        port: int | None = None,
        *,
        args: Sequence[str] = (),
        keep_output: bool = False,
    ) -> None:
        self.db = str(db)
        self.workers = workers
        self.port = port or free_port()
        self.args = list(args)  # more options for serve (--root-path, --log-level...)
        #: keep what serve writes (its log is stderr): :meth:`stop_and_read` returns it
        self.keep_output = keep_output
        self.proc: subprocess.Popen[str] | None = None
        self.starts = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> ServeProcess:
        return self.launch().wait_ready(timeout)

    def launch(self) -> ServeProcess:
        """Start the process without waiting for it (start several, then wait_ready each)."""
        cmd = [sys.executable, "-m", "stewardship_registry", "serve", "--db", self.db]
        cmd += ["--port", str(self.port), "--workers", str(self.workers), *self.args]
        out = subprocess.PIPE if self.keep_output else subprocess.DEVNULL
        self.proc = subprocess.Popen(cmd, stdout=out, stderr=out, text=True)
        self.starts += 1
        return self

    def wait_ready(self, timeout: float = 60) -> ServeProcess:
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        while True:
            try:
                if requests.get(self.url + "/v1/health", timeout=2).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            if self.proc.poll() is not None:
                said = self.proc.stderr.read() if self.proc.stderr else ""
                raise RuntimeError(f"serve exited with {self.proc.returncode}: {said}")
            if time.monotonic() > deadline:
                raise RuntimeError("serve did not start")
            time.sleep(0.05)

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Kill the server (all its processes, workers too) and wait until they are gone."""
        if self.proc is None:
            return
        import os

        if sig == signal.SIGKILL:
            for child in _children(self.proc.pid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(child, sig)
        with contextlib.suppress(ProcessLookupError):
            self.proc.send_signal(sig)
        self.proc.wait(30)
        self.proc = None

    def stop(self) -> None:
        self.kill(signal.SIGTERM)

    def stop_and_read(self) -> tuple[int, str]:
        """SIGTERM, as an operator stops it: its exit status and all it wrote on stderr
        (``keep_output=True``)."""
        assert self.proc is not None and self.keep_output
        self.proc.terminate()
        _, err = self.proc.communicate(timeout=15)
        status, self.proc = self.proc.returncode, None
        return status, err


def _children(pid: int) -> list[int]:
    """The process ids of ``pid``'s children (uvicorn's workers), from /proc."""
    found = []
    for status in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = status.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(status.parent.name))
    return found


class FaultProxy:
    """Forwards HTTP to ``upstream``; ``inject(kind, path_prefix)`` makes the next match fail."""

    KINDS = frozenset({"500", "503", "stall", "cut", "garbage", "drop_reply", "401"})

    def __init__(
        self, upstream_port: int, stall_seconds: float = 3.0, date_offset_seconds: float = 0.0
    ) -> None:
        self.upstream_port = upstream_port
        self.stall_seconds = stall_seconds
        self.date_offset_seconds = date_offset_seconds
        self.faults: deque[tuple[str, str]] = deque()
        self.seen: list[tuple[str, str, str]] = []  # (method, path, fault or "")
        self.lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _relay(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                fault = proxy._take(self.path)
                with proxy.lock:
                    proxy.seen.append((self.command, self.path, fault))
                if fault == "500":
                    return self._reply(500, b'{"title": "boom"}', "application/problem+json")
                if fault == "503":
                    return self._reply(503, b"{}", "application/json", {"Retry-After": "1"})
                if fault == "401":
                    return self._reply(
                        401,
                        b'{"title": "Unauthorized", "detail": "token revoked"}',
                        "application/problem+json",
                    )
                if fault == "stall":
                    time.sleep(proxy.stall_seconds)
                    self.close_connection = True
                    return None
                status, headers, payload = proxy._forward(
                    self.command, self.path, dict(self.headers), body
                )
                if fault == "drop_reply":
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return None
                if fault == "cut":
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload[: max(1, len(payload) // 2)])
                    self.wfile.flush()
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return None
                if fault == "garbage":
                    payload = b'{"changes": [ {"type": "model", '
                    return self._reply(200, payload, "application/json")
                extra = {k: v for k, v in headers if k.lower() in {"date", "retry-after"}}
                if proxy.date_offset_seconds:
                    shifted = time.time() + proxy.date_offset_seconds
                    extra = {k: v for k, v in extra.items() if k.lower() != "date"}
                    extra["Date"] = email.utils.formatdate(shifted, usegmt=True)
                return self._reply(
                    status, payload, dict(headers).get("content-type", "application/json"), extra
                )

            def _reply(
                self, status: int, payload: bytes, ctype: str, extra: dict[str, str] | None = None
            ) -> None:
                self.log_request(status)
                self.send_response_only(status)  # the registry's Date header, not ours
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(payload)))
                for k, v in (extra or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(payload)

            do_GET = _relay
            do_POST = _relay
            do_PUT = _relay
            do_HEAD = _relay

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> FaultProxy:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def inject(self, kind: str, path_prefix: str = "/v1/", times: int = 1) -> None:
        assert kind in self.KINDS, kind
        for _ in range(times):
            self.faults.append((kind, path_prefix))

    def _take(self, path: str) -> str:
        with self.lock:
            for i, (kind, prefix) in enumerate(self.faults):
                if path.startswith(prefix):
                    del self.faults[i]
                    return kind
        return ""

    def _forward(
        self, method: str, path: str, headers: dict[str, str], body: bytes | None
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.upstream_port, timeout=30)
        try:
            keep = {k: v for k, v in headers.items() if k.lower() not in {"host", "connection"}}
            conn.request(method, path, body=body, headers=keep)
            response = conn.getresponse()
            return response.status, response.getheaders(), response.read()
        finally:
            conn.close()
