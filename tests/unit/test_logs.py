"""The console's log file: where it is, the start-up line, rotation, and never a secret."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from stewardship import __version__
from stewardship.cli import main
from stewardship.domain.redaction import REDACTED, redact
from stewardship.services import logs

TOKEN = "stw_" + "Q7xk2Lp9" * 5 + "abc"  # shaped like a registry token (43 characters)


@pytest.fixture
def log_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "logs"
    monkeypatch.setenv(logs.ENV_LOG_DIR, str(folder))
    return folder


def test_starting_the_console_writes_the_log_in_the_user_log_folder(tmp_path: Path) -> None:
    home_state = Path(os.environ["XDG_STATE_HOME"])
    data = tmp_path / "data"
    assert (
        main(
            [
                "export",
                "--data-dir",
                str(data),
                "--format",
                "json",
                "-o",
                str(tmp_path / "all.json"),
            ]
        )
        == 0
    )
    log_file = home_state / "stewardship-console" / "log" / "stewardship.log"
    assert logs.log_file() == log_file
    lines = log_file.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1, lines
    assert (
        f"Stewardship Console {__version__} (build dev) starting 'stewardship export'" in (lines[0])
    )
    assert f"data folder {data};" in lines[0] and " INFO " in lines[0]


def test_the_log_folder_can_be_placed_and_each_start_adds_one_line(
    tmp_path: Path, log_dir: Path
) -> None:
    png = tmp_path / "dash.png"
    assert main(["--data-dir", str(tmp_path / "d"), "--screenshot", str(png)]) == 0
    assert (
        main(
            [
                "export",
                "--data-dir",
                str(tmp_path / "d"),
                "--format",
                "json",
                "-o",
                str(tmp_path / "a.json"),
            ]
        )
        == 0
    )
    text = (log_dir / "stewardship.log").read_text(encoding="utf-8")
    assert text.count(" starting ") == 2
    assert "starting a screenshot" in text and "starting 'stewardship export'" in text


def test_a_refused_command_is_logged_too(tmp_path: Path, log_dir: Path, capsys) -> None:
    assert main(["sync", "--data-dir", str(tmp_path / "d")]) == 2
    assert "no registry is set up" in capsys.readouterr().err
    text = (log_dir / "stewardship.log").read_text(encoding="utf-8")
    assert "WARNING stewardship.cli" in text and "'stewardship sync' refused: no registry" in text


def test_the_log_file_rotates_at_1_mb_keeping_five(log_dir: Path) -> None:
    assert logs.configure_logging() == log_dir / "stewardship.log"
    line = "x" * 1000
    for _ in range(7_000):  # 7 MB: more than the file and its five old copies can hold
        logging.getLogger("stewardship.test").info(line)
    files = sorted(p.name for p in log_dir.iterdir())
    assert files == [
        "stewardship.log",
        *(f"stewardship.log.{n}" for n in range(1, 6)),
    ]
    assert all((log_dir / f).stat().st_size <= logs.MAX_BYTES for f in files)


def test_an_unwritable_log_folder_is_reported_and_the_console_still_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv(logs.ENV_LOG_DIR, str(blocker / "logs"))
    assert (
        main(
            [
                "export",
                "--data-dir",
                str(tmp_path / "d"),
                "--format",
                "json",
                "-o",
                str(tmp_path / "a.json"),
            ]
        )
        == 0
    )
    err = capsys.readouterr().err
    assert f"stewardship: warning: cannot write the log file {blocker / 'logs'}" in err


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        (f"GET /v1/me with headers {{'Authorization': 'Bearer {TOKEN}'}}", "GET /v1/me"),
        ("Authorization: Bearer abc.def-ghi_jkl", "Authorization: "),
        ("auth header was bearer sk-live-5fa9d2c1e3b7", "auth header was bearer "),
        (f"the token {TOKEN} was refused", "the token  was refused"),
        ("https://registry.example/v1/changes?token=s3cr3t-value&limit=5", "&limit=5"),
        ('{"access_token": "eyJhbGciOiJIUzI1NiJ9.e30.x", "ok": true}', '"ok": true'),
        ("password=hunter2hunter2", "password="),
        ("cannot reach https://ana:hunter2hunter2@registry.example/v1", "https://ana:@registry"),
    ],
)
def test_credentials_in_text_are_blanked_out(text: str, kept: str) -> None:
    out = redact(text)
    assert REDACTED in out
    assert kept in out.replace(REDACTED, "")
    for secret in (TOKEN, "abc.def-ghi_jkl", "sk-live", "s3cr3t", "eyJhbGci", "hunter2"):
        assert secret not in out


def test_ordinary_sentences_about_tokens_are_left_alone() -> None:
    for text in (
        "no token for the registry: sign in (Settings, or 'stewardship login')",
        "The registry refused your token: the token is not known or has been revoked.",
        "sync with https://registry.example: Synced: sent 1, received 0",
    ):
        assert redact(text) == text


def test_no_token_reaches_the_log_file_in_a_message_an_argument_or_a_traceback(
    log_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env_token = "plain-token-from-the-environment-42"
    keyring_token = "Kr9-opaque-keyring-value"
    monkeypatch.setenv("STEWARDSHIP_TOKEN", env_token)
    logs.remember_secret(keyring_token)
    logs.configure_logging()
    log = logging.getLogger("stewardship.services.sync_service")
    log.warning("sending with %s", env_token)
    log.warning("client config %r", {"token": keyring_token, "url": "https://r.example"})
    try:
        raise RuntimeError(f"headers={{'Authorization': 'Bearer {TOKEN}'}} {keyring_token}")
    except RuntimeError:
        log.error("sync failed unexpectedly", exc_info=True)
    text = (log_dir / "stewardship.log").read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in text and "RuntimeError: headers=" in text
    assert "https://r.example" in text and text.count(REDACTED) >= 4
    for secret in (env_token, keyring_token, TOKEN, TOKEN[4:]):
        assert secret not in text


def test_the_window_writes_its_start_up_line_once_it_has_painted(tmp_path: Path) -> None:
    """The window holds its records until the first paint, then writes them to the file."""
    import subprocess
    import sys

    env = dict(os.environ, STEWARDSHIP_BENCH_EXIT_AFTER_PAINT="1", QT_QPA_PLATFORM="offscreen")
    data = tmp_path / "data"
    done = subprocess.run(
        [sys.executable, "-m", "stewardship", "--demo", "--data-dir", str(data)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "STEWARDSHIP_BENCH painted" in done.stdout
    log_file = (
        Path(os.environ["XDG_STATE_HOME"]) / "stewardship-console" / "log" / "stewardship.log"
    )
    text = log_file.read_text(encoding="utf-8")
    assert f"starting the window; data folder {data};" in text
