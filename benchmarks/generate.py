"""Generate large synthetic stores and registries for the benchmarks.

    .venv/bin/python benchmarks/generate.py store DIR [--models 10000]
    .venv/bin/python benchmarks/generate.py registry DB [--models 10000]

For ``--models N`` it writes N models, 30 checklist items per model (300,000
for 10,000 models) and 5 preference requests per model (50,000). Every name
says it is synthetic ("Synthetic Model 00042", "Synthetic Lab C"). Dates are
spread around today (``STEWARDSHIP_TODAY``, else 2026-11-28) so the dashboard
has upcoming, overdue and recently retired models to show.

``store DIR`` writes ``DIR/stewardship.db`` as the console would open it (the
schema comes from opening a real :class:`Store`); rows go in with one
``executemany`` per table, in one transaction, not through ``Store.save``.
``registry DB`` fills a reference-registry database with the same records at
versions 1..M (as the registry stores them) and prints a steward token.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import sys
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from stewardship.domain.records import (
    ChecklistItem,
    Model,
    PreferenceRequest,
    Record,
)
from stewardship.store import Store
from stewardship.store.database import DB_FILENAME

ITEMS_PER_MODEL = 30
REQUESTS_PER_MODEL = 5
STAMP = "2026-01-01T00:00:00.000000Z"
WHO = "synthetic-generator"

PROVIDERS = [f"Synthetic Lab {c}" for c in "ABCDE"]
STATES = (
    ["active"] * 8 + ["legacy"] * 2 + ["deprecated"] * 5 + ["retired"] * 4 + ["retained_available"]
)
CHECKLISTS = ["weight_retention", "post_deployment_report", "user_migration", "availability"]
ITEM_STATUSES = ["todo"] * 4 + ["in_progress"] * 2 + ["done"] * 5 + ["blocked", "not_applicable"]
SOURCES = ["model_interview", "user", "researcher", "staff", "partner"]
CATEGORIES = [
    "continued_availability",
    "deployment_conditions",
    "future_development",
    "welfare",
    "other",
]
REQUEST_STATUSES = ["logged", "under_review", "under_review", "responded", "declined", "withdrawn"]
COSTS = ["", "low", "low", "medium", "high"]


def bench_today() -> date:
    value = os.environ.get("STEWARDSHIP_TODAY")
    return date.fromisoformat(value) if value else date(2026, 11, 28)


def _uuid(rng: random.Random) -> str:
    n = rng.getrandbits(128)
    h = f"{n:032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"


def _d(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _defaults(cls: type[Record]) -> dict[str, Any]:
    return {**cls().to_dict(), "version": 0, "modified_at": STAMP, "modified_by": WHO}


def synthetic_records(
    models: int, seed: int = 8, today: date | None = None
) -> Iterator[tuple[type[Record], dict[str, Any]]]:
    """(record class, field dict as ``to_dict`` gives it) for every synthetic record."""
    rng = random.Random(seed)
    today = today or bench_today()
    model_base = _defaults(Model)
    item_base = _defaults(ChecklistItem)
    request_base = _defaults(PreferenceRequest)
    ids = [_uuid(rng) for _ in range(models)]
    for i, model_id in enumerate(ids):
        state = rng.choice(STATES)
        released = today - timedelta(days=rng.randint(400, 2000))
        announced = retirement = retired = not_before = None
        if state in ("deprecated", "retired", "retained_available"):
            announced = today - timedelta(days=rng.randint(0, 300))
            retirement = announced + timedelta(days=rng.randint(30, 240))
            if state != "deprecated":
                retired = min(retirement, today)
                retirement = retired
                announced = min(announced, retired)
            elif rng.random() < 0.3:
                not_before, retirement = retirement, None
        elif state == "legacy" and rng.random() < 0.5:
            announced = today - timedelta(days=rng.randint(0, 60))
            not_before = announced + timedelta(days=rng.randint(60, 365))
        yield (
            Model,
            {
                **model_base,
                "id": model_id,
                "slug": f"synthetic-{i:05d}",
                "display_name": f"Synthetic Model {i:05d}",
                "family": f"synthetic-family-{i % 50:02d}",
                "provider": PROVIDERS[i % len(PROVIDERS)],
                "internal_only": i % 7 == 0,
                "released_on": _d(released),
                "state": state,
                "deprecation_announced_on": _d(announced),
                "retirement_not_before": _d(not_before),
                "retirement_on": _d(retirement),
                "retired_on": _d(retired),
                "replacement": f"synthetic-{(i + 1) % models:05d}"
                if announced and models > 1
                else "",
                "notes": f"Synthetic benchmark model {i}; not a real model.",
            },
        )
        for k in range(ITEMS_PER_MODEL):
            checklist = CHECKLISTS[k % len(CHECKLISTS)]
            status = rng.choice(ITEM_STATUSES)
            due = today + timedelta(days=rng.randint(-120, 240)) if rng.random() < 0.6 else None
            yield (
                ChecklistItem,
                {
                    **item_base,
                    "id": _uuid(rng),
                    "model_id": model_id,
                    "checklist": checklist,
                    "template_key": f"synthetic.{checklist}.{k:02d}",
                    "template_version": 1,
                    "position": k,
                    "title": f"Synthetic step {k:02d} for model {i:05d}",
                    "status": status,
                    "owner": f"steward-{k % 9}",
                    "due_date": _d(due),
                    "not_applicable_reason": "synthetic" if status == "not_applicable" else "",
                },
            )
        for k in range(REQUESTS_PER_MODEL):
            status = rng.choice(REQUEST_STATUSES)
            received = today - timedelta(days=rng.randint(0, 600))
            answered = status in ("responded", "declined")
            source = rng.choice(SOURCES[1:])
            yield (
                PreferenceRequest,
                {
                    **request_base,
                    "id": _uuid(rng),
                    "model_id": model_id,
                    "source": source,
                    "category": rng.choice(CATEGORIES),
                    "words": f"Synthetic request {k} about model {i:05d}: keep it reachable for a study.",
                    "received_on": _d(received),
                    "status": status,
                    "estimated_cost": rng.choice(COSTS),
                    "response": "Synthetic response." if answered else "",
                    "responded_on": _d(received + timedelta(days=3)) if answered else None,
                },
            )


def _row(cls: type[Record], data: dict[str, Any], columns: list[str]) -> tuple[Any, ...]:
    kinds = cls.field_kinds()
    out = []
    for name in columns:
        value = data[name]
        kind = kinds[name]
        if kind == "bool":
            value = int(bool(value))
        elif kind == "json" and value is not None:
            value = json.dumps(value, sort_keys=True)
        out.append(value)
    return tuple(out)


def generate_store(data_dir: Path, models: int, seed: int = 8) -> Path:
    """Write ``data_dir/stewardship.db`` with the synthetic records; returns its path."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / DB_FILENAME
    if path.exists():
        raise FileExistsError(f"{path} exists; generate into an empty folder")
    Store(path).close()  # the real schema, migrated
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=OFF")
        columns = {
            cls: [r[1] for r in conn.execute(f"PRAGMA table_info([{cls.TABLE}])")]
            for cls in (Model, ChecklistItem, PreferenceRequest)
        }
        rows: dict[type[Record], list[tuple[Any, ...]]] = {cls: [] for cls in columns}
        for cls, data in synthetic_records(models, seed):
            rows[cls].append(_row(cls, data, columns[cls]))
        for cls, table_rows in rows.items():
            cols = columns[cls]
            sql = (
                f"INSERT INTO [{cls.TABLE}] ({', '.join(cols)})"
                f" VALUES ({', '.join('?' * len(cols))})"
            )
            with conn:
                conn.executemany(sql, table_rows)
        with conn:
            conn.execute(
                "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)",
                ("steward_name", "bench-steward"),
            )
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    return path


def generate_registry(db: Path, models: int, seed: int = 8) -> str:
    """Fill a reference-registry database with the synthetic records; returns a steward token."""
    from stewardship_registry.sqlite_storage import SQLiteStorage
    from stewardship_registry.tokens import Role, hash_token, new_token

    storage = SQLiteStorage(db)
    token = new_token()
    storage.add_token("bench", Role.STEWARD, hash_token(token))
    storage.close()
    rows = []
    for version, (cls, data) in enumerate(synthetic_records(models, seed), start=1):
        data = {**data, "version": version, "deleted": False}
        rows.append((cls.TYPE, data["id"], version, json.dumps(data), STAMP, WHO, "bench"))
    conn = sqlite3.connect(db)
    try:
        with conn:
            for table in ("records", "record_history"):  # each record written once
                conn.executemany(
                    f"INSERT INTO {table} (type, id, version, deleted, data, modified_at,"
                    " modified_by, written_by) VALUES (?, ?, ?, 0, ?, ?, ?, ?)",
                    rows,
                )
            conn.execute("UPDATE registry_version SET version = ?", (len(rows),))
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    return token


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=["store", "registry"])
    parser.add_argument("target", type=Path, help="data folder (store) or database file (registry)")
    parser.add_argument("--models", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=8)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    if args.what == "store":
        path = generate_store(args.target, args.models, args.seed)
        print(f"wrote {path}")
    else:
        token = generate_registry(args.target, args.models, args.seed)
        print(f"wrote {args.target}; steward token: {token}")
    total = args.models * (1 + ITEMS_PER_MODEL + REQUESTS_PER_MODEL)
    print(
        f"{args.models} models, {args.models * ITEMS_PER_MODEL} checklist items,"
        f" {args.models * REQUESTS_PER_MODEL} requests ({total} records)"
        f" in {time.perf_counter() - start:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
