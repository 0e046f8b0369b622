"""The layer contracts (pyproject.toml, [tool.importlinter]) hold, and can fail.

`make test` runs lint-imports too; these tests also prove that each contract
breaks when a forbidden import is added, on a copy of the sources.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

#: (file, forbidden import added to it, the line lint-imports reports)
VIOLATIONS = [
    (
        "stewardship/domain/dates.py",
        "from stewardship.store import Store",
        "stewardship.domain.dates -> stewardship.store",
    ),
    (
        "stewardship/store/audit.py",
        "from stewardship.services import paths",
        "stewardship.store.audit -> stewardship.services",
    ),
    (
        "stewardship/services/paths.py",
        "from PySide6 import QtCore",
        "stewardship.services.paths -> PySide6",
    ),
    (
        "stewardship/ui/widgets.py",
        "from stewardship.sync import errors",
        "stewardship.ui.widgets -> stewardship.sync",
    ),
    (
        "stewardship_registry/storage.py",
        "from stewardship.services import paths",
        "stewardship_registry.storage -> stewardship.services",
    ),
    (
        "stewardship/sync/client.py",
        "import prometheus_client",
        "stewardship.sync.client -> prometheus_client",
    ),
]


def lint_imports(cwd: Path, src: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(src))  # ahead of the editable install
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_sources_keep_every_layer_contract() -> None:
    done = lint_imports(ROOT, ROOT / "src")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Contracts: 6 kept, 0 broken." in done.stdout


def test_each_contract_breaks_on_a_forbidden_import(tmp_path: Path) -> None:
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    src = tmp_path / "src"
    for package in ("stewardship", "stewardship_registry"):
        shutil.copytree(
            ROOT / "src" / package, src / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    for file, line, _reported in VIOLATIONS:
        path = src / file
        path.write_text(path.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")

    done = lint_imports(tmp_path, src)
    assert done.returncode != 0
    assert "Contracts: 0 kept, 6 broken." in done.stdout, done.stdout + done.stderr
    for _file, _line, reported in VIOLATIONS:
        assert reported in done.stdout


def _runnable_classes(module: Path) -> list[str]:
    tree = ast.parse(module.read_text(encoding="utf-8"))
    return [
        f"{module.name}:{node.name}"
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef)
        and any(ast.unparse(base).endswith("QRunnable") for base in node.bases)
    ]


def test_the_window_has_one_background_task_class() -> None:
    found = [
        c for f in sorted((ROOT / "src/stewardship/ui").glob("*.py")) for c in _runnable_classes(f)
    ]
    assert found == ["tasks.py:Task"], "background work goes through ui/tasks.py"
