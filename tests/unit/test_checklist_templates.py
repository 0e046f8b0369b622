from datetime import date
from pathlib import Path

import pytest

from stewardship.domain.records import Checklist, Model
from stewardship.domain.templates import TemplateError, instantiate, parse_template
from stewardship.services.checklists import load_templates, packaged_templates

GOOD = """\
checklist = "availability"
version = 2
title = "Availability"

[[items]]
key = "decision"
title = "Decision recorded"
required = true
evidence_required = true
due_from = "retirement"
due_days = -30

[[items]]
key = "channel"
title = "Channel opened"
required = false
"""


def test_packaged_templates_cover_every_checklist_with_the_promised_items():
    templates = packaged_templates()
    assert list(templates) == list(Checklist)
    titles = {c: " | ".join(i.title for i in t.items).lower() for c, t in templates.items()}
    for words in [
        "uri",
        "sha-256",
        "two independent storage copies",
        "integrity verification",
        "access restricted",
        "lifetime",
        "restore test",
    ]:
        assert words in titles[Checklist.WEIGHT_RETENTION], words
    for words in [
        "scheduled",
        "conducted",
        "transcript",
        "reflections",
        "preferences about future",
        "interpretation",
        "reviewed",
        "archived",
    ]:
        assert words in titles[Checklist.POST_DEPLOYMENT_REPORT], words
    for words in ["notice", "migration guide", "personality", "partner platforms", "timetable"]:
        assert words in titles[Checklist.USER_MIGRATION], words
    for words in ["limited availability", "continued access"]:
        assert words in titles[Checklist.AVAILABILITY], words
    assert all(t.version >= 1 for t in templates.values())


def test_a_good_template_parses_with_defaults():
    t = parse_template(GOOD, "availability.toml")
    assert t.checklist is Checklist.AVAILABILITY and t.version == 2
    assert [(i.key, i.required, i.evidence_required, i.due_days) for i in t.items] == [
        ("decision", True, True, -30),
        ("channel", False, False, 0),
    ]


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (
            GOOD.replace('title = "Decision recorded"', 'title = "Decision recorded'),
            7,
            "not valid TOML",
        ),
        (
            GOOD.replace("due_days = -30", 'due_days = "soon"'),
            11,
            "due_days must be a whole number",
        ),
        (GOOD.replace('key = "channel"', 'key = "decision"'), 14, "used by two items"),
        (GOOD.replace('due_from = "retirement"', 'due_from = "launch"'), 10, "due_from 'launch'"),
        (GOOD.replace('checklist = "availability"', 'checklist = "welfare"'), 1, "is not one of"),
        (GOOD.replace("version = 2", "version = 0"), 2, "version must be"),
        (GOOD.replace("required = false", "requird = false"), 16, "unknown item key 'requird'"),
        (GOOD.replace("evidence_required = true", 'evidence_required = "yes"'), 9, "true or false"),
        (GOOD.replace('title = "Channel opened"\n', ""), 13, "title is required"),
    ],
)
def test_a_malformed_template_names_the_file_and_the_line(text, line, words):
    with pytest.raises(TemplateError) as caught:
        parse_template(text, "availability.toml")
    err = caught.value
    assert (err.file, err.line) == ("availability.toml", line)
    assert words in err.reason
    assert str(err).startswith(f"checklist template availability.toml, line {line}:")


def test_loading_a_folder_reports_the_bad_file(tmp_path: Path):
    for template in packaged_templates().values():
        src = Path(__file__).parents[2] / "resources" / "checklists" / template.source
        (tmp_path / template.source).write_text(src.read_text())
    assert load_templates(tmp_path)[Checklist.AVAILABILITY].items
    (tmp_path / "user_migration.toml").write_text(
        "checklist = 'user_migration'\nversion = 1\ntitle = 'x'\nitems = 3\n"
    )
    with pytest.raises(TemplateError, match=r"user_migration.toml, line 4: a template needs"):
        load_templates(tmp_path)
    (tmp_path / "user_migration.toml").unlink()
    with pytest.raises(TemplateError, match="no template for user_migration"):
        load_templates(tmp_path)


def test_instantiation_derives_due_dates_from_the_planned_retirement():
    t = parse_template(GOOD, "availability.toml")
    model = Model(slug="m", display_name="M", provider="P", retirement_not_before=date(2027, 3, 1))
    items = instantiate(t, model, set())
    assert [(i.template_key, i.due_date) for i in items] == [
        ("availability.decision", date(2027, 1, 30)),
        ("availability.channel", None),
    ]
    assert (
        instantiate(t, model, {"availability.decision"})[0].template_key == "availability.channel"
    )
    again = instantiate(t, model, set())
    assert [i.id for i in again] == [i.id for i in items], "ids are stable per model and key"
    undated = instantiate(t, Model(slug="u", display_name="U", provider="P"), set())
    assert undated[0].due_date is None
