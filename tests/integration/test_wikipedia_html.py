"""The HTML reader on a real rendered Wikipedia article (../shared/wikipedia-samples).

Run with ``-s`` to see the measurements (parse time, counts, agreement rates).
"""

from __future__ import annotations

import time
from collections import Counter

import pytest
from bs4 import BeautifulSoup, Tag

from citecheck.dates import parse_date
from citecheck.documents.html import coins_fields, read_coins, read_html
from citecheck.models import ParsedDocument, Reference
from tests.conftest import shared_path

pytestmark = pytest.mark.seeds

NEW_ZEALAND = "enwiki_New_Zealand_rev917976458.rendered.html"


@pytest.fixture(scope="module")
def page_text() -> str:
    return shared_path("wikipedia-samples", NEW_ZEALAND).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def soup(page_text: str) -> BeautifulSoup:
    """An independent view of the page, to count what the reader should have found."""
    return BeautifulSoup(page_text, "lxml")


@pytest.fixture(scope="module")
def document(page_text: str) -> ParsedDocument:
    started = time.perf_counter()
    parsed = read_html(page_text, NEW_ZEALAND)
    elapsed = time.perf_counter() - started
    print(f"\n[html] {NEW_ZEALAND}: {len(page_text) / 1e6:.2f} MB parsed in {elapsed:.2f} s")
    return parsed


def _markers(document: ParsedDocument) -> list[tuple[str, str | None]]:
    return [
        (marker.label, marker.ref_id)
        for section in document.sections
        for paragraph in section.paragraphs
        for marker in paragraph.markers
    ]


def test_every_reference_list_item_becomes_a_reference(document: ParsedDocument, soup: BeautifulSoup) -> None:
    items = soup.select("#mw-content-text ol.references > li")
    print(f"\n[html] ol.references items: {len(items)}, references: {len(document.references)}")
    notes_and_citations = [reference for reference in document.references if reference.kind != "bibliography"]
    assert len(notes_and_citations) == len(items) == 379
    assert [reference.anchor for reference in notes_and_citations] == [item.get("id") for item in items]
    assert len({reference.id for reference in document.references}) == len(document.references)
    # The explanatory-notes list ("[n 1]" markers) is group "n"; the citations list is numbered plainly.
    ids = [reference.id for reference in notes_and_citations]
    notes = sum(ref_id.startswith("n-") for ref_id in ids)
    assert ids == [f"n-{number}" for number in range(1, notes + 1)] + [str(n) for n in range(1, len(ids) - notes + 1)]
    assert [reference.number for reference in notes_and_citations] == [int(ref_id.lstrip("n-")) for ref_id in ids]


def test_every_marker_is_read_and_resolves(document: ParsedDocument, soup: BeautifulSoup) -> None:
    sups = soup.select("#mw-content-text sup.reference")
    markers = _markers(document)
    dangling = [marker for marker in markers if marker[1] is None]
    print(f"\n[html] sup.reference: {len(sups)}, markers: {len(markers)}, dangling: {len(dangling)}")
    assert len(markers) == len(sups)
    assert dangling == []
    labels = Counter(label for label, _ in markers)
    assert labels == Counter(sup.get_text().strip("[]") for sup in sups)


def test_backlinks_match_uses(document: ParsedDocument) -> None:
    footnotes = [reference for reference in document.references if reference.kind != "bibliography"]
    mismatched = [reference.id for reference in footnotes if reference.backlinks != reference.uses]
    unused = [reference.id for reference in footnotes if reference.uses == 0]
    print(f"\n[html] backlinks ≠ uses: {len(mismatched)}, unused references: {len(unused)}")
    assert mismatched == []
    assert unused == []


def test_body_structure(document: ParsedDocument) -> None:
    titles = [section.title for section in document.sections]
    paragraphs = sum(len(section.paragraphs) for section in document.sections)
    print(f"\n[html] sections: {len(titles)}, paragraphs: {paragraphs}")
    assert document.title == "New Zealand"
    assert document.date is not None and document.date.year == 2019
    assert titles[0] is None  # the lead
    for expected in ("Etymology", "History", "Geography", "Economy", "Culture"):
        assert expected in titles
    assert "External links" not in titles and "See also" not in titles
    text = "\n".join(p.text for section in document.sections for p in section.paragraphs)
    assert "[edit]" not in text and "Main article:" not in text
    assert "mw-parser-output" not in text  # no stylesheet text
    for section in document.sections:
        for paragraph in section.paragraphs:
            for marker in paragraph.markers:
                assert 0 <= marker.offset <= len(paragraph.text)


def _citation_counts(references: list[Reference]) -> dict[str, tuple[int, int]]:
    """For each field: (references whose text shows it, references where it was parsed)."""
    return {
        "access_date (Retrieved)": (
            sum("Retrieved" in r.raw or "retrieved" in r.raw for r in references),
            sum(r.access_date is not None for r in references),
        ),
        "archive_url (Archived from)": (
            sum("rchived from" in r.raw for r in references),
            sum(r.archive_url is not None for r in references),
        ),
        "format (PDF)": (sum("(PDF)" in r.raw for r in references), sum(r.format == "PDF" for r in references)),
    }


def test_citation_fields_are_read(document: ParsedDocument) -> None:
    counts = _citation_counts(document.references)
    for field, (shown, parsed) in counts.items():
        print(f"[html] {field}: shown in {shown}, parsed in {parsed}")
    for shown, parsed in counts.values():
        assert parsed >= 0.95 * shown
    with_url = sum(reference.url is not None for reference in document.references)
    print(f"[html] references with a url: {with_url}")


def _normalised_title(text: str | None) -> str:
    return " ".join((text or "").replace("\u00a0", " ").split()).strip("\"'“”‘’ .,").casefold()


def test_titles_agree_with_their_title_links(document: ParsedDocument, soup: BeautifulSoup) -> None:
    """The rendered page has no COinS; a quoted external link is the title (cite web/news/journal)."""
    by_name = {reference.anchor: reference for reference in document.references}
    compared = agreed = 0
    for item in soup.select("#mw-content-text ol.references > li"):
        link = item.select_one("cite a.external")
        if not isinstance(link, Tag):
            continue
        link_text = " ".join(link.get_text().split())
        if not (link_text.startswith('"') and link_text.endswith('"')):
            continue
        compared += 1
        agreed += _normalised_title(by_name[item.get("id")].title) == _normalised_title(link_text)
    rate = agreed / compared
    print(f"\n[html] title = quoted title link: {agreed}/{compared} ({rate:.1%})")
    assert rate >= 0.90


def test_coins_agreement(page_text: str, soup: BeautifulSoup) -> None:
    spans = soup.select("#mw-content-text ol.references span.Z3988")
    print(f"\n[html] COinS spans in the reference lists: {len(spans)}")
    if not spans:
        pytest.skip("this rendering carries no COinS spans (stripped by the readability test-page export)")
    text_only = read_html(page_text, NEW_ZEALAND, use_coins=False)
    with_coins = read_html(page_text, NEW_ZEALAND)
    coins_by_anchor: dict[str | None, dict[str, list[str]]] = {}
    for span in spans:
        item = span.find_parent("li")
        if isinstance(item, Tag):
            coins_by_anchor[str(item.get("id"))] = read_coins(str(span.get("title", "")))
    for label, parsed in (("text parser", text_only), ("text + COinS fill", with_coins)):
        rates = _coins_rates(parsed.references, coins_by_anchor)
        print(f"[html] {label}: " + ", ".join(f"{key} {value:.1%}" for key, value in rates.items()))
        if parsed is text_only:
            assert rates["title"] >= 0.90 and rates["date"] >= 0.90 and rates["url"] >= 0.95


def _coins_rates(
    references: list[Reference], coins_by_anchor: dict[str | None, dict[str, list[str]]]
) -> dict[str, float]:
    totals: Counter[str] = Counter()
    agreed: Counter[str] = Counter()
    for reference in references:
        coins = coins_by_anchor.get(reference.anchor)
        if coins is None:
            continue
        fields = coins_fields(coins)
        if fields.title:
            totals["title"] += 1
            agreed["title"] += _normalised_title(reference.title) == _normalised_title(fields.title)
        if fields.date:
            expected = parse_date(fields.date[:10] if fields.date[:4].isdigit() else fields.date)
            totals["date"] += 1
            agreed["date"] += reference.date is not None and expected is not None and reference.date == expected
        if fields.url:
            totals["url"] += 1
            agreed["url"] += fields.url in (reference.url, reference.archive_url)
    return {key: agreed[key] / totals[key] for key in ("title", "date", "url") if totals[key]}
