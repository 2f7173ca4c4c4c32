"""Real Wikipedia pages as a browser's text gives them, read by the plain-text reader.

A copy from a page, or Chromium's ``innerText``, drops an ``<ol>``'s numbers (CSS
list markers), so the reference list arrives as ``^ …`` lines; the reader numbers
them by position when the body's ``[n]`` markers fit.  Each page of
``../shared/wikipedia-samples`` is rendered by headless Chromium (``file://`` only,
no name resolves) and its text read; the entries must be the HTML reading's, entry
for entry, and no marker may dangle.  Skips without Chromium or the shared data.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from citecheck.documents.html import read_html
from citecheck.documents.plaintext import read_plaintext
from tests.chromium import CHROMIUM, SKIP_REASON, inner_text
from tests.conftest import shared_path

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.skipif(CHROMIUM is None, reason=SKIP_REASON)]


@pytest.mark.parametrize(
    ("sample", "least"),
    [
        ("enwiki_Cat.parser-output.html", 250),  # legacy parser output: 251 in the main list
        ("enwiki_New_Zealand_rev917976458.rendered.html", 360),  # desktop: notes group, then 368 citations
        ("arwiki_Mathematics.parsoid.html", 7),  # Parsoid, Arabic: "مراجع", "↑" entries
    ],
)
def test_a_browsers_text_of_a_wikipedia_page_keeps_its_references(sample: str, least: int, tmp_path: Path) -> None:
    page = shared_path("wikipedia-samples", sample).read_text(encoding="utf-8")
    text = inner_text(page, tmp_path / "render")
    from_text = read_plaintext(text, sample + ".txt")
    from_html = {reference.number: reference for reference in read_html(page, sample).references if reference.number}

    assert len(from_text.references) >= least
    markers = [m for section in from_text.sections for p in section.paragraphs for m in p.markers]
    assert markers and all(marker.ref_id is not None for marker in markers)
    same = 0
    for reference in from_text.references:
        counterpart = from_html[reference.number]
        # The text reading keeps what the browser shows (an Arabic archive note, "^ a b"); the start agrees.
        start = reference.raw.lstrip("^ ").lower()[:40]
        if difflib.SequenceMatcher(None, start, counterpart.raw.lower()[:40]).ratio() > 0.6:
            same += 1
    # (one in twenty may differ in how the two readings word it: a bare PDF URL shown as its link text)
    assert same >= len(from_text.references) - max(1, len(from_text.references) // 20), (
        same,
        len(from_text.references),
    )
