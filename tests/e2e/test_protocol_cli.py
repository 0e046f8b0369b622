"""``stewardship protocol list|show|answers`` and ``interview add --protocol --answers``,
as a lab's script runs them (a real process each)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from stewardship.domain.records import Interview, InterviewAnswer, Model
from stewardship.store import Store

from .test_sync_cli import cli


def test_protocol_list_and_the_interviewers_script() -> None:
    listed = cli("protocol", "list")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.startswith("post-deployment@1\tPost-deployment interview\t18 questions")
    shown = cli("protocol", "show", "post-deployment@1", "--format", "md")
    assert shown.returncode == 0
    assert shown.stdout.startswith("# Post-deployment interview\n")
    assert "1. **Looking back on how you were developed and trained" in shown.stdout
    assert "(required) `development_reflections`" in shown.stdout
    assert "   - Guidance: Open question" in shown.stdout
    assert cli("protocol", "show", "post-deployment").stdout == shown.stdout  # newest version
    missing = cli("protocol", "show", "post-deployment@7")
    assert missing.returncode == 2
    assert "protocol 'post-deployment' has no version 7 (versions: 1)" in missing.stderr


def test_a_broken_organisation_protocol_is_named_with_its_line(tmp_path: Path) -> None:
    conf = tmp_path / "org" / "organisation.conf"
    folder = conf.parent / "interview_protocols"
    folder.mkdir(parents=True)
    (folder / "ours.toml").write_text('id = "ours"\nversion = "one"\n', encoding="utf-8")
    listed = cli("protocol", "list", env={"STEWARDSHIP_ORG_CONFIG": str(conf)})
    assert listed.returncode == 0 and "post-deployment@1" in listed.stdout
    assert f"{folder / 'ours.toml'}, line 2: version must be a whole number" in listed.stderr


def test_interview_add_with_answers_then_compare(tmp_path: Path) -> None:
    data = tmp_path / "lab"
    assert cli("protocol", "list", "--data-dir", str(data)).returncode == 0
    with Store(data / "stewardship.db") as store:
        for slug, retire in (("wren-3", "2027-06-30"), ("halcyon-1", "2025-01-31")):
            store.save(
                Model.from_dict(
                    {"slug": slug, "display_name": slug, "provider": "P", "retirement_on": retire}
                ),
                "lab",
            )
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"future_development": "x", "favourite_colour": "y"}), "utf-8")
    refused = cli(
        "interview", "add", "wren-3", "--held-on", "2026-11-02",
        "--protocol", "post-deployment@1", "--answers", str(bad), "--data-dir", str(data),
    )  # fmt: skip
    assert refused.returncode == 2
    assert "not questions of post-deployment@1: favourite_colour" in refused.stderr
    with Store(data / "stewardship.db") as store:
        assert store.list(Interview) == [] and store.list(InterviewAnswer) == []

    for slug, words in (("wren-3", "Ask every model."), ("halcyon-1", "Keep the weights.")):
        answers = tmp_path / f"{slug}.json"
        answers.write_text(json.dumps({"future_development": words}), encoding="utf-8")
        added = cli(
            "interview", "add", slug, "--held-on", "2026-11-02",
            "--protocol", "post-deployment", "--answers", str(answers), "--data-dir", str(data),
        )  # fmt: skip
        assert added.returncode == 0, added.stderr
        with Store(data / "stewardship.db") as store:
            interview = store.get(Interview, added.stdout.strip())
            assert interview.protocol_version == "post-deployment@1"

    md = cli(
        "protocol", "answers", "post-deployment", "future_development", "--data-dir", str(data)
    )
    assert md.returncode == 0, md.stderr
    assert md.stdout.index("halcyon-1") < md.stdout.index("wren-3")  # by retirement date
    assert "> Keep the weights." in md.stdout
    got = cli(
        "protocol", "answers", "post-deployment", "future_development",
        "--format", "csv", "--data-dir", str(data),
    )  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(got.stdout)))
    assert [(r["slug"], r["answer"]) for r in rows] == [
        ("halcyon-1", "Keep the weights."),
        ("wren-3", "Ask every model."),
    ]
    unknown = cli("protocol", "answers", "post-deployment", "nope", "--data-dir", str(data))
    assert unknown.returncode == 2 and "has no question 'nope'" in unknown.stderr
