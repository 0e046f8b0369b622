"""The console never loads the server, and the server never loads Qt."""

from __future__ import annotations

import subprocess
import sys


def _loaded_after(code: str) -> set[str]:
    probe = code + "\nimport sys\nprint(' '.join(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    return {name.split(".")[0] for name in out.split()}


def test_the_console_does_not_import_the_registry_or_its_web_stack() -> None:
    loaded = _loaded_after("import stewardship.cli, stewardship.app, stewardship.ui.main_window")
    assert "PySide6" in loaded  # the probe really loaded the console
    assert not loaded & {"stewardship_registry", "fastapi", "uvicorn", "starlette"}


def test_the_registry_does_not_import_qt() -> None:
    loaded = _loaded_after("import stewardship_registry.cli, stewardship_registry.app")
    assert "fastapi" in loaded and "PySide6" not in loaded
