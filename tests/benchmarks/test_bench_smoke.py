"""A tiny run of every benchmark script, so they keep working (their figures are not judged here)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"


def run_script(name: str, *args: str, timeout: float = 120) -> str:
    # As a person runs them: no steward name from the test set-up (a first-start
    # question in the window would make a benchmark wait for ever).
    env = {k: v for k, v in os.environ.items() if k != "STEWARDSHIP_STEWARD"}
    done = subprocess.run(
        [sys.executable, str(BENCH / name), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=BENCH,
        env=env,
    )
    # 0: targets met, 1: a target missed (likely at this tiny size); anything else is a failure
    assert done.returncode in (0, 1), done.stdout + done.stderr
    assert "Traceback" not in done.stderr, done.stderr  # a crash also exits 1
    return done.stdout


def test_generated_store_is_what_the_console_accepts(tmp_path: Path) -> None:
    sys.path.insert(0, str(BENCH))
    try:
        from generate import generate_store
    finally:
        sys.path.remove(str(BENCH))
    from stewardship.domain.records import ChecklistItem, Model, PreferenceRequest
    from stewardship.store import Store

    path = generate_store(tmp_path / "data", 12)
    with Store(path) as store:
        counts = [store.count(cls) for cls in (Model, ChecklistItem, PreferenceRequest)]
        assert counts == [12, 12 * 30, 12 * 5]
        for cls in (Model, ChecklistItem, PreferenceRequest):
            for record in store.list(cls):
                assert record.problems() == [], record
        models = store.list(Model)
        assert all("Synthetic" in m.display_name for m in models)


@pytest.mark.parametrize(
    ("script", "args", "figures"),
    [
        (
            "startup.py",
            ["--models", "20", "--runs", "1"],
            [
                r"bare window \(floor\): +\d+ ms",
                r"demo store: +\d+ ms += [\d.]+x the minimal table window \(target 1.5x",
                r"large store \(20 models\): +\d+ ms += [\d.]+x the minimal table window"
                r" \(target 1.75x",
            ],
        ),
        (
            "memory.py",
            ["--models", "20", "--runs", "1"],
            [
                r"bare window \(floor\): +\d+ MB",
                r"dashboard: +\d+ MB += [\d.]+x",
                r"every view: +\d+ MB += [\d.]+x",
            ],
        ),
        (
            "models_view.py",
            ["--models", "20", "--rounds", "1"],
            [
                r"open the view, to its table painted: +[\d.]+ ms",
                r"keystroke, median of \d+: +[\d.]+ ms += [\d.]+x",
                r"keystroke, p95: +[\d.]+ ms",
            ],
        ),
        (
            "blob_transfer.py",
            ["--size-mib", "4"],
            [
                r"floor: sha256sum [\d.]+ s \+ cp [\d.]+ s",
                r"upload .*: [\d.]+ s = [\d.]+x the floor",
                r"download .*: [\d.]+ s = [\d.]+x the floor",
                r"console peak memory: \d+ MB before, \d+ MB after",
            ],
        ),
        (
            "verify_weights.py",
            ["--size-mib", "8", "--files", "4", "--runs", "1"],
            [
                r"copy: 8 MiB in 4 files, \d+ cores, verified: every file matches",
                r"stewardship verify: [\d.]+ s",
                r"ratio verify/parallel sha256sum: [\d.]+ ",
                r"ratio verify/sequential sha256sum: [\d.]+ ",
            ],
        ),
        (
            "sync_pull.py",
            ["--models", "4", "--idle-runs", "2"],
            [
                r"plain loop.*floor\): +[\d.]+ s",
                r"console sync into an empty store: +[\d.]+ s.* 144 stored.*= [\d.]+x",
                r"nothing to do.*: +[\d.]+ ms, 1 request",
            ],
        ),
    ],
)
def test_benchmark_script_prints_its_figures_and_ratios(
    script: str, args: list[str], figures: list[str]
) -> None:
    out = run_script(script, *args)
    for pattern in figures:
        assert re.search(pattern, out), f"{script} did not print /{pattern}/:\n{out}"
    assert "target" in out


@pytest.mark.parametrize(
    ("script", "args", "figures"),
    [
        (
            "sync_pull.py",
            ["--models", "2", "--idle-runs", "1", "--db", "postgresql"],
            [r"registry on postgresql", r"console sync into an empty store:.* 72 stored"],
        ),
        (
            "registry_copy.py",
            ["--models", "2"],
            [r"SQLite -> PostgreSQL: +[\d.]+ s", r"72 records: .* identical, row by row"],
        ),
        (
            "many_consoles.py",
            ["--consoles", "2", "--records", "5", "--workers", "2", "--db", "sqlite"],
            [r"5xx: none", r"records per console at the end: \[10\]"],
        ),
    ],
)
def test_registry_benchmark_scripts_run_on_postgresql_too(
    script: str, args: list[str], figures: list[str]
) -> None:
    from pg_cluster import find_bin

    if find_bin() is None:
        pytest.skip("PostgreSQL 15 not installed (initdb, pg_ctl: Debian's postgresql-15)")
    out = run_script(script, *args)
    for pattern in figures:
        assert re.search(pattern, out), f"{script} did not print /{pattern}/:\n{out}"
