import re
from datetime import date
from html.parser import HTMLParser

import pytest

from stewardship.domain.errors import ValidationError
from stewardship.domain.records import ChecklistItem, Interview, Model, PreferenceRequest, Report
from stewardship.services.report_render import build_document, render_html, render_markdown
from stewardship.services.reports import ReportService

SECTIONS = {
    "reflections": "It valued long conversations.",
    "preferences": "Tell future models about evaluations.",
    "interpretation": "The team will add this to the protocol.",
}


@pytest.fixture
def model(store):
    return store.save(
        Model(
            slug="halcyon-1",
            display_name="Halcyon <1> & Co",
            provider="Meridian",
            state="deprecated",
            deprecation_announced_on=date(2026, 6, 1),
            retirement_on=date(2026, 10, 1),
        ),
        "t",
    )


@pytest.fixture
def service(store):
    return ReportService(store, "Test Steward")


def test_a_final_report_needs_every_section_and_a_reviewer(model, service):
    with pytest.raises(ValidationError) as caught:
        service.save(Report(model_id=model.id, status="final", reflections="x"))
    assert caught.value.fields() == {"preferences", "interpretation", "reviewers"}


def test_a_final_report_is_read_only_until_reopened_with_a_reason(store, model, service):
    final = service.save(
        Report(model_id=model.id, status="final", reviewers="M. Haddad", **SECTIONS)
    )
    with pytest.raises(ValidationError) as caught:
        service.save(final.replace(interpretation="Changed my mind."))
    assert "final and read-only" in caught.value.reason
    with pytest.raises(ValidationError) as caught:
        service.save(final.replace(status="draft"))
    assert caught.value.field == "reopen_reason"
    with pytest.raises(ValidationError):
        service.reopen(final.id, "  ")
    assert service.get(final.id).status == "final"

    reopened = service.reopen(final.id, "Reviewer found a misquote")
    assert reopened.status == "in_review"
    edited = service.save(reopened.replace(interpretation="Corrected quote."))
    assert edited.interpretation == "Corrected quote."
    status_change = [h for h in store.history(final.id) if h["field"] == "status"][-1]
    assert (status_change["old"], status_change["new"]) == ("final", "in_review")
    assert status_change["note"] == "reopened: Reviewer found a misquote"
    assert status_change["who"] == "Test Steward"


def test_one_report_per_model(model, service):
    service.start(model.id)
    assert service.start(model.id).id == service.for_model(model.id).id
    with pytest.raises(ValidationError) as caught:
        service.save(Report(model_id=model.id))
    assert "already has a report" in caught.value.reason


@pytest.fixture
def document(store, data_dir, model, service, today):
    service.save(
        Report(
            model_id=model.id,
            reviewers="M. Haddad",
            **SECTIONS,
        ).replace(reflections="First paragraph.\n\n<script>alert(1)</script>")
    )
    store.save(
        Interview(
            model_id=model.id,
            held_on=date(2026, 9, 29),
            interviewers="A. Okafor",
            transcript_sha256="a" * 64,
        ),
        "t",
    )
    store.save(
        PreferenceRequest(
            model_id=model.id,
            words="Keep | it <b>on</b>\nplease",
            received_on=date(2026, 9, 30),
            estimated_cost="low",
            status="under_review",
        ),
        "t",
    )
    for n, status in enumerate(["done", "done", "todo", "not_applicable"]):
        store.save(
            ChecklistItem(
                model_id=model.id,
                checklist="weight_retention",
                template_key=f"k{n}",
                title=f"Item {n}",
                status=status,
                not_applicable_reason="no second site" if n == 3 else "",
            ),
            "t",
        )
    return build_document(store, data_dir, model, today)


def test_markdown_has_the_title_the_three_sections_and_the_requests_table(document):
    md = render_markdown(document)
    headings = re.findall(r"^(#+) (.*)$", md, re.M)
    assert headings == [
        ("#", "Post-deployment report: Halcyon &lt;1&gt; & Co"),
        ("##", "Interviews"),
        ("##", "The model's reflections on its development and deployment"),
        ("##", "The model's preferences about future models"),
        ("##", "The team's interpretation and conclusions"),
        ("##", "Preference requests"),
    ]
    assert "- **Retention status:** 2 of 4 weight-retention items done (1 not applicable)" in md
    assert f"transcript SHA-256 `{'a' * 64} (file not in this data folder)`" in md
    row = next(line for line in md.splitlines() if "Keep" in line)
    assert row.count(" | ") == 6, "a pipe or newline in the words must not break the table"
    assert "Keep \\| it &lt;b&gt;on&lt;/b&gt; please" in row


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack, self.tags, self.text = [], [], {}

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.stack.append(tag)

    def handle_endtag(self, tag):
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()

    def handle_data(self, data):
        if self.stack:
            self.text.setdefault(self.stack[-1], []).append(data)


def test_html_is_well_formed_and_escapes_what_people_typed(document):
    page = render_html(document)
    parser = _Collector()
    parser.feed(page)
    assert "script" not in parser.tags and "b" not in parser.tags
    assert parser.text["title"] == ["Post-deployment report: Halcyon <1> & Co"]
    assert parser.text["h2"] == [
        "Interviews",
        "The model's reflections on its development and deployment",
        "The model's preferences about future models",
        "The team's interpretation and conclusions",
        "Preference requests",
    ]
    cells = parser.text["td"]
    assert "Keep | it <b>on</b>\nplease" in cells
    assert "2 of 4 weight-retention items done (1 not applicable)" in cells
    assert "<script>alert(1)</script>" in parser.text["p"]
    assert parser.tags.count("tr") == 12 + 1 + 1  # header rows, request heading, one request


def test_an_empty_report_says_what_is_missing(store, data_dir, model, today):
    doc = build_document(store, data_dir, model, today)
    md = render_markdown(doc)
    assert md.count("_Not written yet._") == 3
    assert "No interviews recorded." in md and "No preference requests recorded." in md
    assert "no weight-retention checklist" in md
