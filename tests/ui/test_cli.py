import subprocess
import sys

import pytest

from stewardship import __version__
from stewardship.cli import main


def run_cli(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "stewardship", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"stewardship-console {__version__} (build dev)"


def test_unknown_option_is_one_line_and_exit_2(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--frobnicate"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--frobnicate" in err


def test_unusable_data_folder_is_one_line_and_exit_2(tmp_path, capsys):
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("x")
    assert main(["--data-dir", str(not_a_dir), "--screenshot", str(tmp_path / "x.png")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is a file, not a folder" in err


def test_screenshot_of_demo_dashboard(tmp_path, monkeypatch):
    from PySide6.QtGui import QImage

    monkeypatch.setenv("STEWARDSHIP_TODAY", "2026-11-28")
    png = tmp_path / "out.png"
    assert main(["--demo", "--data-dir", str(tmp_path / "d"), "--screenshot", str(png)]) == 0
    image = QImage(str(png))
    assert (image.width(), image.height()) == (1280, 800)


def test_demo_never_touches_an_existing_store(tmp_path, monkeypatch):
    from stewardship.domain.records import Model
    from stewardship.store import Store

    data = tmp_path / "d"
    data.mkdir()
    with Store(data / "stewardship.db") as store:
        store.save(Model(slug="mine", display_name="Mine", provider="P"), "me")
    assert main(["--demo", "--data-dir", str(data), "--screenshot", str(tmp_path / "x.png")]) == 0
    with Store(data / "stewardship.db") as store:
        assert [m.slug for m in store.list(Model)] == ["mine"]


def test_no_display_writes_a_picture_instead_of_crashing(tmp_path):
    import os

    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"}
    }
    result = run_cli("--demo", "--data-dir", str(tmp_path / "d"), env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("\n") == 1 and "No display found" in result.stdout
    assert (tmp_path / "d" / "dashboard.png").stat().st_size > 10_000
