"""SQL lives in ``store/``: services and sync ask the store, they never run SQL themselves."""

from __future__ import annotations

import re
from pathlib import Path

import stewardship

PACKAGE = Path(stewardship.__file__).parent
#: A statement run, the connection reached for, or SQLite imported.
SQL_USE = re.compile(r"\bexecute(many)?\(|\.conn\b|\bsqlite3\b|\bsqlite_utils\b|\.db\.")


def _offences(folder: str) -> list[str]:
    found = []
    for path in sorted((PACKAGE / folder).rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if SQL_USE.search(line):
                found.append(f"{path.relative_to(PACKAGE)}:{number}: {line.strip()}")
    return found


def test_the_scan_finds_sql_where_it_is() -> None:
    assert any("execute(" in line for line in _offences("store"))


def test_services_run_no_sql() -> None:
    assert _offences("services") == [], "move these into a function of stewardship/store/"


def test_sync_runs_no_sql() -> None:
    assert _offences("sync") == [], "move these into a function of stewardship/store/"
