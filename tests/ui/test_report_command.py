"""``stewardship report MODEL --format md|html|pdf -o FILE`` on the demo organisation."""

import os
import re
import subprocess
import sys
from html.parser import HTMLParser

import pytest

from stewardship.cli import main


@pytest.fixture
def demo_dir(demo_ctx):
    return demo_ctx.data_dir


def pdf_title(data: bytes) -> str:
    """The /Title of a PDF's info dictionary, as Qt writes it (UTF-16BE literal string)."""
    match = re.search(rb"/Title \((.*?)(?<!\\)\)", data, re.S)
    assert match, "the PDF has no /Title"
    raw = re.sub(rb"\\(.)", rb"\1", match.group(1))
    return raw.decode("utf-16") if raw.startswith(b"\xfe\xff") else raw.decode("latin-1")


def test_markdown_report_of_a_demo_model(demo_dir, tmp_path, capsys):
    out = tmp_path / "h1.md"
    assert (
        main(["report", "halcyon-1", "--data-dir", str(demo_dir), "--format", "md", "-o", str(out)])
        == 0
    )
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Post-deployment report: Halcyon 1\n")
    assert re.findall(r"^## (.*)$", text, re.M) == [
        "Interviews",
        "The model's reflections on its development and deployment",
        "The model's preferences about future models",
        "The team's interpretation and conclusions",
        "Preference requests",
    ]
    assert re.search(r"transcript SHA-256 `[0-9a-f]{64}`", text)
    assert capsys.readouterr().err == ""


def test_html_report_parses_and_has_the_requests_table(demo_dir, tmp_path):
    out = tmp_path / "h2.html"
    assert (
        main(
            ["report", "halcyon-2", "--data-dir", str(demo_dir), "--format", "html", "-o", str(out)]
        )
        == 0
    )
    tables = []

    class Tables(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag == "table":
                tables.append(dict(attrs).get("class"))

    Tables().feed(out.read_text(encoding="utf-8"))
    assert tables == ["meta", "requests"]
    assert "Post-deployment report: Halcyon 2" in out.read_text()


def test_pdf_report_is_written_by_qt_with_the_model_in_its_title(demo_dir, tmp_path):
    out = tmp_path / "h1.pdf"
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "stewardship",
            "report",
            "halcyon-1",
            "--data-dir",
            str(demo_dir),
            "--format",
            "pdf",
            "-o",
            str(out),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    data = out.read_bytes()
    assert data.startswith(b"%PDF-")
    assert pdf_title(data) == "Post-deployment report: Halcyon 1"
    assert data.rstrip().endswith(b"%%EOF")
    assert not list(tmp_path.glob(".*.part")), "no temporary file is left behind"


def test_unknown_model_is_one_line_and_exit_2(demo_dir, tmp_path, capsys):
    out = tmp_path / "x.md"
    assert (
        main(
            [
                "report",
                "no-such-model",
                "--data-dir",
                str(demo_dir),
                "--format",
                "md",
                "-o",
                str(out),
            ]
        )
        == 2
    )
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no model with slug 'no-such-model'" in err
    assert not out.exists()


def test_bad_format_is_refused_by_the_parser(demo_dir, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(
            [
                "report",
                "halcyon-1",
                "--data-dir",
                str(demo_dir),
                "--format",
                "docx",
                "-o",
                str(tmp_path / "x"),
            ]
        )
    assert exit_.value.code == 2
    assert "invalid choice: 'docx'" in capsys.readouterr().err


def test_an_unwritable_target_is_a_clear_error_and_leaves_no_file(demo_dir, tmp_path, capsys):
    folder = tmp_path / "out"
    folder.mkdir()
    assert (
        main(
            [
                "report",
                "halcyon-1",
                "--data-dir",
                str(demo_dir),
                "--format",
                "md",
                "-o",
                str(folder),
            ]
        )
        == 2
    )
    assert "is a folder" in capsys.readouterr().err
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert (
        main(
            [
                "report",
                "halcyon-1",
                "--data-dir",
                str(demo_dir),
                "--format",
                "md",
                "-o",
                str(blocker / "x.md"),
            ]
        )
        == 2
    )
    assert "cannot write" in capsys.readouterr().err
