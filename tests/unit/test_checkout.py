"""What a checkout promises a developer: the README's commands work as written, demo data stays out of git."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_readme_says_where_the_commands_are_in_a_checkout() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    using_it = readme.split("## Using it", 1)[1].split("\n## ", 1)[0]
    assert ".venv/bin/stewardship" in using_it
    # ... and that is where `make install` puts it: beside the interpreter running the tests.
    script = Path(sys.executable).parent / "stewardship"
    assert script.is_file(), f"{script} is missing: the README's path would not work"
    done = subprocess.run([str(script), "--version"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "stewardship" in done.stdout, done.stderr


@pytest.mark.skipif(
    shutil.which("git") is None or not (ROOT / ".git").exists(), reason="not a git checkout"
)
def test_the_demo_data_folder_is_not_committed_by_accident() -> None:
    done = subprocess.run(
        ["git", "check-ignore", "-q", ".demo-data/stewardship.db"], cwd=ROOT, timeout=30
    )
    assert done.returncode == 0, "make run's .demo-data/ would show up in git status"
