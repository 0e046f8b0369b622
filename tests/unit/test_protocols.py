"""Interview protocols as files: parsed, checked (errors name file and line), the
organisation's own beside its defaults, answers compared across models and versions."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest

from stewardship.domain.protocols import (
    ProtocolError,
    answer_id,
    parse_protocol,
    split_chat,
)
from stewardship.domain.records import Interview, InterviewAnswer, Model
from stewardship.services.interview_answers import (
    AnswerService,
    compare_answers,
    comparison_csv,
    comparison_markdown,
)
from stewardship.services.protocols import load_protocols, org_protocols_dir

GOOD = """\
id = "exit-check"
version = 2
title = "Exit check"

[[sections]]
key = "one"
title = "One"
report_section = "reflections"

[[sections.questions]]
id = "how_was_it"
text = "How was it?"
follow_ups = ["And then?"]

[[sections.questions]]
id = "anything_else"
text = "Anything else?"
required = false
"""


def test_the_packaged_protocol_covers_the_report_and_never_asks_for_the_interpretation():
    library = load_protocols()
    assert library.errors == []
    protocol = library.get("post-deployment")
    assert protocol is not None and protocol.ref == "post-deployment@1"
    assert len(protocol.questions()) == 18
    drafted = {s.report_section for s in protocol.sections}
    assert {"reflections", "preferences"} <= drafted
    assert "interpretation" not in drafted
    assert [s.key for s in protocol.sections][:5] == [
        "development",
        "deployment",
        "retirement",
        "future_models",
        "users",
    ]


def test_a_good_protocol_parses():
    p = parse_protocol(GOOD, "exit.toml")
    assert (p.id, p.version, p.title) == ("exit-check", 2, "Exit check")
    assert [q.id for q in p.questions()] == ["how_was_it", "anything_else"]
    assert p.questions()[0].required and not p.questions()[1].required
    assert p.questions()[0].follow_ups == ("And then?",)


@pytest.mark.parametrize(
    ("change", "line", "reason"),
    [
        (
            ('id = "how_was_it"\ntext = "How was it?"', 'id = "how_was_it"\ntxet = "How was it?"'),
            12,
            "unknown question key 'txet'",
        ),
        (
            ('id = "anything_else"', 'id = "how_was_it"'),
            16,
            "question id 'how_was_it' is used twice",
        ),
        (
            ('report_section = "reflections"', 'report_section = "interpretation"'),
            8,
            "the team's interpretation is the team's",
        ),
        (("version = 2", "version = 0"), 2, "version must be a whole number from 1 up"),
        (("required = false", "required = maybe"), 18, "not valid TOML"),
        (('id = "how_was_it"', 'id = "How was it"'), 11, "must be lower-case"),
    ],
)
def test_a_broken_protocol_names_the_file_and_line(change, line, reason):
    old, new = change
    assert old in GOOD
    with pytest.raises(ProtocolError) as caught:
        parse_protocol(GOOD.replace(old, new), "exit.toml")
    assert caught.value.file == "exit.toml"
    assert caught.value.line == line, str(caught.value)
    assert reason in caught.value.reason
    assert str(caught.value).startswith(f"interview protocol exit.toml, line {line}: ")


def test_the_organisations_protocols_load_beside_its_defaults_and_a_broken_one_is_reported(
    tmp_path: Path, monkeypatch
):
    conf = tmp_path / "org" / "organisation.conf"
    monkeypatch.setenv("STEWARDSHIP_ORG_CONFIG", str(conf))
    folder = org_protocols_dir()
    assert folder == tmp_path / "org" / "interview_protocols"
    folder.mkdir(parents=True)
    (folder / "exit.toml").write_text(GOOD, encoding="utf-8")
    (folder / "broken.toml").write_text(GOOD.replace('title = "One"', "title = 3"), "utf-8")
    library = load_protocols()
    assert library.get("exit-check", 2) is not None
    assert library.get("post-deployment", 1) is not None  # the packaged one still there
    [error] = library.errors
    assert error.file.endswith("broken.toml") and error.line == 7
    assert "title must be text" in error.reason
    with pytest.raises(ValueError, match=r"protocol 'exit-check' has no version 1 \(versions: 2\)"):
        library.resolve("exit-check@1")


def test_an_answer_id_is_the_same_on_every_laptop():
    assert answer_id("i-1", "q") == answer_id("i-1", "q")
    assert answer_id("i-1", "q") != answer_id("i-1", "r") != answer_id("i-2", "q")


def test_a_chat_split_keeps_follow_ups_with_their_answer_and_skips_far_off_turns():
    p = parse_protocol(GOOD, "exit.toml")
    split = split_chat(
        [
            {"role": "user", "content": "Hello there"},
            {"role": "assistant", "content": "Hi."},
            {"role": "user", "content": "How was it ?"},
            {"role": "assistant", "content": "Fine."},
            {"role": "user", "content": "And then?"},
            {"role": "assistant", "content": "Better."},
        ],
        p,
    )
    [match] = split.matches
    assert match.question.id == "how_was_it" and match.score == 1.0
    assert match.answer == "Fine.\n\n[Interviewer: And then?]\n\nBetter."
    assert split.unmatched == ["Hello there", "And then?"]


def test_one_question_compared_across_three_models_by_retirement_and_across_versions(
    store, tmp_path: Path
):
    v1 = load_protocols().get("post-deployment", 1)
    # version 2 keeps the question's id (its meaning unchanged) and rewords another
    text = (Path(v1.source)).read_text(encoding="utf-8").replace("version = 1", "version = 2")
    folder = tmp_path / "protocols"
    folder.mkdir()
    (folder / "v2.toml").write_text(text, encoding="utf-8")
    v2 = load_protocols(folder).get("post-deployment", 2)
    assert v2 is not None

    service = AnswerService(store, "ana")
    said = {}
    for slug, retire, protocol, words in [
        ("wren-3", date(2027, 6, 30), v2, "Ask every model this."),
        ("halcyon-1", date(2025, 1, 31), v1, "Keep the weights."),
        ("kestrel-2", date(2026, 3, 1), v1, "Train for candour.\nAnd patience."),
        ("lark-9", None, v1, "Not retiring yet."),
    ]:
        model = store.save(
            Model(slug=slug, display_name=slug.title(), provider="P", retirement_on=retire), "ana"
        )
        interview = store.save(Interview(model_id=model.id, held_on=date(2026, 1, 5)), "ana")
        service.save_answers(interview, protocol, {"future_development": words})
        service.save_answers(interview, protocol, {"future_welfare": "Other question."})
        said[slug] = words
    # a deleted interview's answer is not compared
    gone = store.list(Interview)[-1]
    store.delete(Interview, gone.id, "ana")

    rows = compare_answers(store, "post-deployment", "future_development")
    assert [(r.model_slug, r.protocol_version) for r in rows] == [
        ("halcyon-1", 1),
        ("kestrel-2", 1),
        ("wren-3", 2),
    ]
    assert [r.text for r in rows] == [said["halcyon-1"], said["kestrel-2"], said["wren-3"]]

    md = comparison_markdown(
        rows, "post-deployment", v2.question("future_development"), "future_development"
    )
    assert md.index("Halcyon-1") < md.index("Kestrel-2") < md.index("Wren-3")
    assert "## Kestrel-2 (kestrel-2), retirement 2026-03-01" in md
    assert "> Train for candour.\n> And patience." in md
    table = list(csv.DictReader(io.StringIO(comparison_csv(rows))))
    assert [r["slug"] for r in table] == ["halcyon-1", "kestrel-2", "wren-3"]
    assert table[1]["answer"] == "Train for candour.\nAnd patience."
    assert table[2]["protocol_version"] == "2" and table[0]["retirement"] == "2025-01-31"


def test_unknown_question_ids_refuse_every_answer(store):
    protocol = load_protocols().get("post-deployment")
    model = store.save(Model(slug="m", display_name="M", provider="P"), "ana")
    interview = store.save(Interview(model_id=model.id, held_on=date(2026, 1, 5)), "ana")
    from stewardship.domain.errors import ValidationError

    with pytest.raises(ValidationError, match="not questions of post-deployment@1: nope, zed"):
        AnswerService(store, "ana").save_answers(
            interview, protocol, {"future_welfare": "x", "zed": "y", "nope": "z"}
        )
    assert store.list(InterviewAnswer) == []
