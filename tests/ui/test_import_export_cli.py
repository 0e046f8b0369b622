"""The import and export verbs end to end: exit codes, stdout and stderr, files."""

from __future__ import annotations

import json
import subprocess
import sys

from stewardship.cli import main
from stewardship.services.import_csv import SCHEDULE_COLUMNS
from stewardship.services.schedules import find_schedule

HEADER = ",".join(SCHEDULE_COLUMNS)


def test_import_prints_a_one_line_summary_and_reimport_changes_nothing(tmp_path, capsys):
    data = tmp_path / "d"
    source = tmp_path / "anthropic.csv"
    source.write_bytes(find_schedule("anthropic").resource.read_bytes())
    assert main(["import", "--data-dir", str(data), str(source)]) == 0
    out = capsys.readouterr().out
    assert (
        out.count("\n") == 1 and "anthropic.csv:" in out and " added, 0 updated, 0 unchanged" in out
    )
    assert main(["import", "--data-dir", str(data), str(source)]) == 0
    assert capsys.readouterr().out.strip().endswith("0 added, 0 updated, 24 unchanged")


def test_a_bad_file_exits_2_with_every_problem_on_stderr(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        f"{HEADER}\na,A,P,,active,2026-1-5,,,,,,\nb,,P,,active,,,,,,,\nc,C,P,,sunset,,,,,,,\n",
        encoding="utf-8",
    )
    assert main(["import", "--data-dir", str(tmp_path / "d"), str(bad)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert lines[0] == "stewardship: error: bad.csv was refused (3 problems); nothing was imported"
    assert [line.split(":")[0].strip() for line in lines[1:]] == [
        "line 2, column released_on",
        "line 3, column display_name",
        "line 4, column state",
    ]


def test_import_of_a_missing_file_is_one_line_exit_2(tmp_path, capsys):
    assert main(["import", "--data-dir", str(tmp_path / "d"), str(tmp_path / "nope.csv")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is not a file" in err


def test_export_formats_end_to_end(tmp_path, capsys):
    data = tmp_path / "d"
    source = tmp_path / "google.csv"
    source.write_bytes(find_schedule("google").resource.read_bytes())
    assert main(["import", "--data-dir", str(data), str(source)]) == 0
    capsys.readouterr()
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
    doc = json.loads((tmp_path / "all.json").read_text(encoding="utf-8"))
    assert len(doc["models"]) == 15
    # Every imported model got its four checklists (issue 13, item 10).
    items = doc["checklist_items"]
    assert {(i["model_id"], i["checklist"]) for i in items} == {
        (m["id"], c)
        for m in doc["models"]
        for c in ("weight_retention", "post_deployment_report", "user_migration", "availability")
    }
    records = 15 + len(items)
    assert (
        main(
            [
                "export",
                "--data-dir",
                str(data),
                "--format",
                "csv",
                "--table",
                "models",
                "-o",
                str(tmp_path / "m.csv"),
            ]
        )
        == 0
    )
    assert (tmp_path / "m.csv").read_text(encoding="utf-8").splitlines()[0] == HEADER
    assert (
        main(["export", "--data-dir", str(data), "--format", "ics", "-o", str(tmp_path / "d.ics")])
        == 0
    )
    assert (tmp_path / "d.ics").read_bytes().startswith(b"BEGIN:VCALENDAR\r\n")
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"wrote {records} records to ") and out[1].startswith(
        "wrote 15 models to "
    )


def test_export_usage_errors_exit_2(tmp_path, capsys):
    data = ["--data-dir", str(tmp_path / "d")]
    assert main(["export", *data, "--format", "csv", "-o", str(tmp_path / "x.csv")]) == 2
    assert "needs --table" in capsys.readouterr().err
    assert (
        main(
            [
                "export",
                *data,
                "--format",
                "json",
                "--table",
                "models",
                "-o",
                str(tmp_path / "x.json"),
            ]
        )
        == 2
    )
    assert main(["export", *data, "--format", "json", "-o", str(tmp_path / "no" / "x.json")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_the_installed_command_runs_import_and_export(tmp_path):
    source = tmp_path / "openai.csv"
    source.write_bytes(find_schedule("openai").resource.read_bytes())
    env_args = ["--data-dir", str(tmp_path / "d")]
    run = [sys.executable, "-m", "stewardship"]
    done = subprocess.run(
        [*run, "import", *env_args, str(source)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "openai.csv: 15 added, 0 updated, 0 unchanged"
    done = subprocess.run(
        [*run, "export", *env_args, "--format", "ics", "-o", str(tmp_path / "x.ics")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "calendar events" in done.stdout
