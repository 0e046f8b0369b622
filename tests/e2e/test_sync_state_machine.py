"""Three consoles, one registry, random histories: they always converge.

Operations: create, edit, delete, sync, sync with the reply dropped, replay
a batch already sent, skew a console's clock by days. At the end every
console syncs until quiet (the steward resolving each conflict): all hold
the same records as the registry, nothing was applied twice, no value
appeared that nobody wrote, and no edit that met no conflict was lost.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
from collections.abc import Callable
from pathlib import Path

import hypothesis.strategies as st
import pytest
import requests
from hypothesis import HealthCheck, settings
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from stewardship.domain.records import Model
from stewardship.services.conflicts import conflict_groups, resolve
from stewardship.store import database as store_database
from stewardship.store.sync_state import SyncState
from stewardship.sync.errors import SyncError

from .conftest import Console
from .servers import FaultProxy, RegistryServer

NAMES = ["ana", "ben", "cho"]


@contextlib.contextmanager
def skewed(days: int):
    """Make the store's clock ``days`` off for writes in this block."""
    real = store_database.utc_now
    if days:

        def fake() -> str:
            now = dt.datetime.now(dt.UTC) + dt.timedelta(days=days)
            return now.replace(microsecond=0).isoformat().replace("+00:00", "Z")

        store_database.utc_now = fake
    try:
        yield
    finally:
        store_database.utc_now = real


class Consoles(RuleBasedStateMachine):
    root: Path
    backend: str
    make_db: Callable[[str], str]

    @initialize()
    def start(self) -> None:
        Consoles.counter += 1
        base = Consoles.root / f"run{Consoles.counter}"
        base.mkdir()
        self.registry = RegistryServer(Consoles.make_db(Consoles.backend)).start()
        self.proxy = FaultProxy(self.registry.port).start()
        self.consoles = {n: Console(base, n, self.proxy.url, self.registry.token(n)) for n in NAMES}
        self.skew = dict.fromkeys(NAMES, 0)
        self.written: dict[str, set] = {}  # model id -> every notes value anyone wrote
        self.sent: list[tuple[str, str, dict]] = []  # (console, key, body) of batches sent
        self.serial = 0
        self.last_edit: dict[str, str] = {}  # model id -> the notes of the latest edit anywhere
        self.conflicted: set[str] = set()  # model ids that ever met a conflict

    def teardown(self) -> None:
        if not hasattr(self, "registry"):
            return
        try:
            self.quiesce()
        finally:
            for c in self.consoles.values():
                c.close()
            self.proxy.stop()
            self.registry.stop()

    # -- helpers -----------------------------------------------------------
    def _sync(self, name: str, *, retries: int = 1) -> None:
        console = self.consoles[name]
        state = SyncState(console.store)
        with skewed(self.skew[name]):
            pending_before = state.pending_batch()
            with contextlib.suppress(SyncError):
                console.sync(retries=retries, read_timeout=2.0)
        batch = pending_before or state.pending_batch()
        if batch is not None:
            self.sent.append((name, batch.idempotency_key, batch.body))
        self.conflicted |= {c.record_id for c in state.conflicts()}

    def _live(self, name: str) -> list[Model]:
        return self.consoles[name].store.list(Model)

    # -- rules -------------------------------------------------------------
    @rule(name=st.sampled_from(NAMES))
    def create(self, name: str) -> None:
        self.serial += 1
        notes = f"{name}-new-{self.serial}"
        with skewed(self.skew[name]):
            m = self.consoles[name].store.save(
                Model(
                    slug=f"{name}-{self.serial}",
                    display_name=f"M {self.serial}",
                    provider="P",
                    notes=notes,
                ),
                name,
            )
        self.written.setdefault(m.id, set()).add(notes)
        self.last_edit[m.id] = notes

    @rule(name=st.sampled_from(NAMES), pick=st.integers(0, 50))
    def edit(self, name: str, pick: int) -> None:
        live = self._live(name)
        if not live:
            return
        m = live[pick % len(live)]
        self.serial += 1
        notes = f"{name}-edit-{self.serial}"
        with skewed(self.skew[name]):
            self.consoles[name].store.save(m.replace(notes=notes), name)
        self.written.setdefault(m.id, set()).add(notes)
        self.last_edit[m.id] = notes

    @rule(name=st.sampled_from(NAMES), pick=st.integers(0, 50))
    def delete(self, name: str, pick: int) -> None:
        live = self._live(name)
        if live:
            victim = live[pick % len(live)].id
            with skewed(self.skew[name]):
                self.consoles[name].store.delete(Model, victim, name)
            self.last_edit[victim] = "(deleted)"

    @rule(name=st.sampled_from(NAMES))
    def sync(self, name: str) -> None:
        self._sync(name)

    @rule(name=st.sampled_from(NAMES))
    def sync_reply_dropped(self, name: str) -> None:
        self.proxy.inject("drop_reply", "/v1/batch", times=3)
        self._sync(name, retries=0)
        self.proxy.faults.clear()

    @precondition(lambda self: bool(self.sent))
    @rule(pick=st.integers(0, 100))
    def replay(self, pick: int) -> None:
        name, key, body = self.sent[pick % len(self.sent)]
        before = self.registry.storage.current_version()
        response = requests.post(
            self.registry.url + "/v1/batch",
            data=json.dumps(body, sort_keys=True),
            headers={
                "Authorization": f"Bearer {self.consoles[name].token}",
                "Idempotency-Key": key,
                "Content-Type": "application/json",
            },
            timeout=10,
        )
        if response.status_code == 200:
            assert self.registry.storage.current_version() == before, "a replay applied twice"

    @rule(name=st.sampled_from(NAMES), days=st.integers(-400, 400))
    def skew_clock(self, name: str, days: int) -> None:
        self.skew[name] = days

    @invariant()
    def values_are_only_what_someone_wrote(self) -> None:
        for console in self.consoles.values():
            for m in console.store.list(Model, include_deleted=True):
                assert m.notes in self.written.get(m.id, set()) | {""}, m.notes

    # -- the end -----------------------------------------------------------
    def quiesce(self) -> None:
        self.proxy.faults.clear()
        for _ in range(8):
            for name in NAMES:
                console = self.consoles[name]
                for group in conflict_groups(console.store):
                    # the steward takes theirs for half the fields and keeps mine for the rest
                    values = {
                        c.field: (c.theirs if i % 2 else c.mine) for i, c in enumerate(group.fields)
                    }
                    if values:
                        resolve(console.store, group.record_type, group.record_id, values, name)
                    for r in group.rejected:
                        raise AssertionError(f"registry refused a valid record: {r.detail}")
                self._sync(name, retries=2)
            states = [SyncState(c.store) for c in self.consoles.values()]
            if all(s.waiting_count() == 0 and s.conflict_count() == 0 for s in states):
                break
        for name in NAMES:
            self._sync(name, retries=2)
        server = {rid: r for (t, rid), r in self.registry.records().items() if t == "model"}
        views = []
        for console in self.consoles.values():
            state = SyncState(console.store)
            assert state.waiting_count() == 0 and state.conflict_count() == 0
            # tombstones are kept only where a record was known: compare live records
            view = {m.id: (m.version, m.notes) for m in console.store.list(Model)}
            views.append(view)
        for view in views[1:]:
            assert view == views[0], "consoles converge"
        live_on_server = {rid: r for rid, r in server.items() if not r.deleted}
        assert set(live_on_server) == set(views[0])
        for rid, (version, notes) in views[0].items():
            assert server[rid].version == version
            assert server[rid].data["notes"] == notes
        for console in self.consoles.values():
            for m in console.store.list(Model, include_deleted=True):
                if m.deleted and m.version:
                    assert server[m.id].deleted, "a deletion reached the registry"
        # no lost update: a record that never met a conflict ends as its latest write left it
        for rid, last in self.last_edit.items():
            if rid in self.conflicted or rid not in server:
                continue
            if last == "(deleted)":
                assert server[rid].deleted, "a delete was lost"
            else:
                assert not server[rid].deleted and server[rid].data["notes"] == last, (
                    "an edit that met no conflict was lost"
                )
        slugs = [r.data["slug"] for r in server.values() if r.data]
        assert len(slugs) == len(set(slugs)), "nothing applied twice"


Consoles.counter = 0

EXAMPLES = {
    "sqlite": int(os.environ.get("STEWARDSHIP_SM_EXAMPLES", "6")),
    # the same machine against PostgreSQL, fewer histories to keep make test lean
    "postgresql": int(os.environ.get("STEWARDSHIP_SM_EXAMPLES_PG", "3")),
}


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_consoles_converge(backend: str, tmp_path: Path, make_registry_db) -> None:
    Consoles.root = tmp_path
    Consoles.backend = backend
    Consoles.make_db = staticmethod(make_registry_db)  # type: ignore[assignment]
    run_state_machine_as_test(
        Consoles,
        settings=settings(
            max_examples=EXAMPLES[backend],
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
