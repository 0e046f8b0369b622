"""The archived PDF report: PDF/A metadata, running header and footer, words never split.

Read back with poppler's ``pdfinfo`` and ``pdftotext`` (``.ci/system-packages.sh``
installs poppler-utils), as an archive's reader would.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest

from stewardship import __version__
from stewardship.domain.edits import REPORT_SECTIONS
from stewardship.domain.records import Interview, Model, PreferenceRequest, Report
from stewardship.services.report_render import build_document
from stewardship.ui.report_pdf import write_pdf

pytestmark = pytest.mark.skipif(
    not (shutil.which("pdftotext") and shutil.which("pdfinfo")),
    reason="pdftotext/pdfinfo (poppler-utils) not installed",
)

LONG_WORDS = [
    "internationalisation",
    "Responded",
    "counterfactually-robust",
    "2026-10-31",
    "incomprehensibilities",
    "Received",
    "Low",
    "deinstitutionalisation",
]
STATUSES = ["logged", "under_review", "responded", "declined", "withdrawn"]
SOURCES = ["user", "researcher", "model_interview", "staff", "partner"]


def _words(n: int) -> str:
    return " ".join(LONG_WORDS[(n + k) % len(LONG_WORDS)] for k in range(5 + n % 11))


def _digest(n: int) -> str:
    return hashlib.sha256(f"transcript {n}".encode()).hexdigest()


def build_report(store, data_dir, today, *, paragraphs: int = 3, requests: int = 40):
    model = store.save(
        Model(
            slug="halcyon-archive-7",
            display_name="Halcyon Archive 7",
            provider="Meridian Example Lab",
            state="retired",
            deprecation_announced_on=date(2026, 3, 1),
            retirement_on=date(2026, 9, 1),
            retired_on=date(2026, 9, 1),
        ),
        "t",
    )
    prose = " ".join(_words(k) for k in range(4)) + "."
    store.save(
        Report(
            model_id=model.id,
            status="in_review",
            reviewers="M. Haddad, A. Okafor",
            reflections="\n\n".join([prose] * paragraphs),
            preferences=prose,
            interpretation=prose,
        ),
        "t",
    )
    for n in range(3):
        store.save(
            Interview(
                model_id=model.id,
                held_on=date(2026, 8, 1) + timedelta(days=n),
                interviewers="A. Okafor",
                protocol_version="v2",
                transcript_sha256=_digest(n),
            ),
            "t",
        )
    for n in range(requests):
        status = STATUSES[n % len(STATUSES)]
        answered = status in ("responded", "declined")
        store.save(
            PreferenceRequest(
                model_id=model.id,
                source=SOURCES[n % len(SOURCES)],
                category="continued_availability",
                words=_words(n),
                received_on=date(2026, 1, 1) + timedelta(days=7 * n),
                status=status,
                estimated_cost=["low", "medium", "high"][n % 3],
                response=_words(n + 3) if answered else "",
                responded_on=date(2026, 10, 31) if answered else None,
            ),
            "t",
        )
    return build_document(store, data_dir, model, today, author="Ada Steward")


def pdftotext(path: Path, *args: str) -> str:
    return subprocess.run(
        ["pdftotext", "-raw", *args, str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_pdf_is_pdf_a_with_title_author_subject_and_creator(qapp, store, data_dir, today, tmp_path):
    doc = build_report(store, data_dir, today, requests=5)
    out = tmp_path / "report.pdf"
    write_pdf(doc, out)
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True).stdout
    fields = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
    fields = {k.strip(): v.strip() for k, v in fields.items()}
    assert fields["Title"] == "Post-deployment report: Halcyon Archive 7"
    assert fields["Author"] == "Ada Steward"
    assert fields["Creator"] == f"Stewardship Console {__version__}"
    meta = subprocess.run(
        ["pdfinfo", "-meta", str(out)], capture_output=True, text=True, check=True
    ).stdout
    assert 'pdfaid:part="1"' in meta and 'pdfaid:conformance="B"' in meta
    assert (
        '<dc:description><rdf:Alt><rdf:li xml:lang="x-default">Post-deployment report on '
        "Halcyon Archive 7 (halcyon-archive-7) by Meridian Example Lab</rdf:li>"
    ) in meta
    assert "<rdf:li>Ada Steward</rdf:li>" in meta
    # The dates in the XMP packet are those of the information dictionary (PDF/A asks it).
    created = re.search(r'xmp:CreateDate="([^"]+)"', meta)
    assert created
    data = out.read_bytes()
    assert b"/GTS_PDFA1" in data, "a PDF/A output intent"
    stamp = re.search(rb"/CreationDate \(D:(\d{14})", data)
    assert stamp
    assert re.sub(r"\D", "", created.group(1))[:14] == stamp.group(1).decode()


def _data_tokens(doc) -> set[str]:
    texts = [getattr(doc.report, name) for name, _ in REPORT_SECTIONS]
    for r in doc.requests:
        texts += [r.words, r.response, r.received_on.isoformat()]
    texts += [i.interview.transcript_sha256 for i in doc.interviews]
    texts += [value for _, value in doc.header()]
    return {w.strip(".,:;()") for t in texts for w in t.split()} - {""}


def test_no_word_is_split_across_lines_and_every_page_is_headed(
    qapp, store, data_dir, today, tmp_path
):
    doc = build_report(store, data_dir, today)
    out = tmp_path / "report.pdf"
    write_pdf(doc, out)
    text = pdftotext(out)
    pages = text.split("\f")[:-1]
    assert len(pages) >= 3, "forty requests take several pages"

    tokens = _data_tokens(doc)
    lines = [line.split() for line in text.splitlines() if line.split()]
    for before, after in itertools.pairwise(lines):
        last, first = before[-1].strip(".,:;()"), after[0].strip(".,:;()")
        joined = last + first
        if last.endswith("-"):
            continue  # a compound broken after its own hyphen, as print does
        assert not (joined in tokens and not (last in tokens and first in tokens)), (
            f"'{joined}' is split across lines as '{last}' / '{first}'"
        )
    words = {w for line in lines for w in line}
    flat = " ".join(text.split())
    for heading in ["Interviews", *(h for _, h in REPORT_SECTIONS), "Preference requests"]:
        assert flat.count(heading) == 1, f"the section '{heading}' is in the PDF once"
    all_words = [w for line in lines for w in line]
    for r in doc.requests:
        # Once: a line moved to the next page is not also drawn (clipped away) on this one.
        assert all_words.count(r.received_on.isoformat()) == 1, "every request, once"
    for n in range(3):
        assert _digest(n) in words, "a digest is one word on one line"
    assert "2026-10-31" in words and "Received" in words and "Responded" in words

    for number, page in enumerate(pages, start=1):
        assert "Halcyon Archive 7 (halcyon-archive-7)" in page
        assert "Report status: In review" in page
        assert f"Page {number} of {len(pages)}" in page
        assert f"Generated 2026-11-28 by Stewardship Console {__version__}" in page


@pytest.mark.parametrize("paragraphs", range(2, 14))
def test_a_heading_never_ends_a_page(qapp, store, data_dir, today, tmp_path, paragraphs):
    """Reflections of growing length push each later heading past a page's foot once."""
    doc = build_report(store, data_dir, today, paragraphs=paragraphs, requests=3)
    out = tmp_path / "report.pdf"
    write_pdf(doc, out)
    headings = [*[h for _, h in REPORT_SECTIONS][1:], "Preference requests", "Interviews"]
    pages = pdftotext(out).split("\f")[:-1]
    for number, page in enumerate(pages[:-1], start=1):
        body = [line for line in page.splitlines() if line.strip()]
        last = body[-1].strip()
        assert not any(h.endswith(last) or h.startswith(last) for h in headings), (
            f"page {number} ends with the heading '{last}'"
        )
