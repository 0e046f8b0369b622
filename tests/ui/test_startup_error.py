"""An unusable data folder: a one-line refusal on the command line, a dialog for the window."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from stewardship.cli import main


def test_an_empty_data_dir_is_refused_not_taken_as_the_real_store(capsys, tmp_path):
    with pytest.raises(SystemExit) as exit_:
        main(["--data-dir", "", "export", "--format", "json", "-o", str(tmp_path / "x")])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--data-dir: is empty" in err
    assert not (tmp_path / "x").exists()


def test_the_window_shows_a_dialog_when_the_data_folder_is_unusable(qapp, tmp_path, capsys):
    not_a_folder = tmp_path / "data"
    not_a_folder.write_text("a file where the folder should be")
    seen: list[tuple[str, str]] = []

    def close_dialog() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, close_dialog)
            return
        seen.append((box.windowTitle(), box.text()))
        box.close()

    QTimer.singleShot(0, close_dialog)
    assert main(["--data-dir", str(not_a_folder)]) == 2
    assert seen == [
        (
            "Stewardship Console cannot start",
            f"Data folder {not_a_folder} is a file, not a folder.",
        )
    ]
    assert "is a file, not a folder" in capsys.readouterr().err, "and the line on stderr"
