"""The version and build shown by ``--version`` and the About dialog: one source.

The version is :data:`stewardship.__version__` (also the package version in
``pyproject.toml``). ``make dist`` writes ``stewardship/_build.py`` with the git
commit and date just for the bundle it builds and removes it afterwards, so a
checkout or a venv reports a "dev" build.
"""

from __future__ import annotations

from . import __version__


def build_id() -> str:
    """``<commit> <date>`` for a packaged build, ``dev`` otherwise."""
    try:
        from ._build import BUILD_COMMIT, BUILD_DATE  # type: ignore[import-not-found]
    except ImportError:
        return "dev"
    return f"{BUILD_COMMIT} {BUILD_DATE}".strip() or "dev"


def version_text() -> str:
    """The one line ``stewardship --version`` prints."""
    return f"stewardship-console {__version__} (build {build_id()})"
