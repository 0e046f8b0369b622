"""Exports and reports get the user's normal permissions, not a temporary file's 0600 (issue 13, 12)."""

from __future__ import annotations

import os
import stat
import sys
from datetime import date

import pytest

from stewardship.domain.records import Model
from stewardship.services.exporting import export
from stewardship.services.report_render import build_document, write_text_report

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize(
    ("fmt", "table", "name"),
    [("json", None, "all.json"), ("csv", "models", "m.csv"), ("ics", None, "dates.ics")],
)
def test_exports_are_readable_like_any_file_the_user_saves(
    store, tmp_path, umask_022, fmt, table, name
):
    store.save(
        Model(slug="k-1", display_name="K 1", provider="P", retirement_on=date(2027, 1, 1)), "t"
    )
    fresh = tmp_path / name
    export(store, fmt, fresh, table=table)
    assert mode(fresh) == 0o644
    shared = tmp_path / f"shared-{name}"
    shared.write_text("old")
    shared.chmod(0o644)
    export(store, fmt, shared, table=table)
    assert mode(shared) == 0o644, "replacing a 0644 file keeps it readable by colleagues"
    assert shared.read_text() != "old"


def test_a_stricter_umask_is_respected(store, tmp_path):
    old = os.umask(0o077)
    try:
        export(store, "json", tmp_path / "private.json")
    finally:
        os.umask(old)
    assert mode(tmp_path / "private.json") == 0o600


def test_reports_are_written_with_the_users_permissions(qapp, store, data_dir, tmp_path, umask_022):
    from stewardship.ui.report_pdf import write_pdf

    model = store.save(Model(slug="k-1", display_name="K 1", provider="P"), "t")
    doc = build_document(store, data_dir, model, date(2026, 11, 28))
    for name in ("r.md", "r.html"):
        write_text_report(doc, name.split(".")[1], tmp_path / name)
        assert mode(tmp_path / name) == 0o644
    write_pdf(doc, tmp_path / "r.pdf")
    assert mode(tmp_path / "r.pdf") == 0o644
