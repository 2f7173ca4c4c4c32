"""The wikitext reader on a real article (../shared/wikipedia-samples; skipped when absent)."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import mwparserfromhell
import pytest

from citecheck.documents.wikitext import count_ref_tags, read_wikitext
from citecheck.models import ParsedDocument
from citecheck.references.archive_urls import parse_archive_url
from tests.conftest import shared_path

pytestmark = pytest.mark.seeds

_CITE_NAME_RE = re.compile(r"^(?:v?cite\s+\S.*|citation)$")


@pytest.fixture(scope="module")
def toronto_text() -> str:
    path: Path = shared_path("wikipedia-samples", "enwiki_Toronto.wikitext.txt")
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def toronto_document(toronto_text: str) -> ParsedDocument:
    return read_wikitext(toronto_text, "enwiki_Toronto.wikitext.txt")


@pytest.fixture(scope="module")
def toronto(toronto_document: ParsedDocument) -> ParsedDocument:
    """The footnotes (<ref>s): bibliography entries (cite templates outside <ref>) left aside."""
    footnotes = [reference for reference in toronto_document.references if reference.kind != "bibliography"]
    return toronto_document.model_copy(update={"references": footnotes})


def test_cite_templates_outside_refs_are_bibliography_entries(
    toronto_text: str, toronto_document: ParsedDocument
) -> None:
    outside = 0
    code = mwparserfromhell.parse(toronto_text)
    inside = {
        id(template)
        for tag in code.filter_tags(matches=lambda node: str(node.tag).lower() == "ref")
        if tag.contents is not None
        for template in tag.contents.filter_templates()
    }
    for template in code.filter_templates():
        if id(template) not in inside and _CITE_NAME_RE.match(str(template.name).strip().lower()):
            outside += 1
    entries = [reference for reference in toronto_document.references if reference.kind == "bibliography"]
    print(f"\ncite templates outside <ref>: {outside}; bibliography entries: {len(entries)}")
    assert len(entries) == outside > 0
    assert [reference.id for reference in entries] == [f"B{n}" for n in range(1, outside + 1)]


def test_every_ref_opening_is_accounted_for(toronto_text: str, toronto: ParsedDocument) -> None:
    openings = len(re.findall(r"<ref\b", toronto_text, re.I))
    references_tags = len(re.findall(r"<references\b", toronto_text, re.I))
    counts = count_ref_tags(toronto_text)
    markers = [
        marker for section in toronto.sections for paragraph in section.paragraphs for marker in paragraph.markers
    ]
    print(
        f"\n<ref openings: {openings}, <references tags: {references_tags}; definitions {counts.definitions} "
        f"(list-defined {counts.list_defined}), reuses {counts.reuses}, unparseable {counts.unparseable}, "
        f"escaped {counts.escaped}, dangling {counts.dangling}; references {len(toronto.references)}, "
        f"body markers {len(markers)}, uses outside the body {counts.hidden_uses}"
    )
    assert counts.definitions + counts.reuses + counts.unparseable + counts.escaped == openings - references_tags
    assert counts.unparseable == 0
    assert counts.definitions + counts.reuses == openings - references_tags
    # Each definition is a reference unless a name is defined twice; every use is a marker or an outside-body use.
    assert len(toronto.references) <= counts.definitions
    assert (
        sum(reference.uses for reference in toronto.references) + counts.dangling == counts.definitions + counts.reuses
    )
    assert len(markers) + counts.hidden_uses == counts.definitions + counts.reuses
    assert [reference.number for reference in toronto.references] == list(range(1, len(toronto.references) + 1))


def test_every_cite_template_inside_a_ref_is_read(toronto_text: str, toronto: ParsedDocument) -> None:
    expected: Counter[tuple[str | None, str | None]] = Counter()
    for tag in mwparserfromhell.parse(toronto_text).filter_tags(matches=lambda node: str(node.tag).lower() == "ref"):
        if tag.contents is None:
            continue
        cites = [t for t in tag.contents.filter_templates() if _CITE_NAME_RE.match(str(t.name).strip().lower())]
        if cites:
            cite = cites[0]
            url = str(cite.get("url").value).strip() if cite.has("url") else None
            archived = parse_archive_url(url) if url else None
            if archived is not None and archived.original_url:
                url = archived.original_url  # a url= that is itself an archive copy cites its original
            # The cited item's title: a chapter when the citation names one, else the title.
            chapter_keys = [key for key in ("chapter", "contribution", "entry", "article", "section") if cite.has(key)]
            title_key = chapter_keys[0] if chapter_keys else "title"
            title = " ".join(cite.get(title_key).value.strip_code().split()) if cite.has(title_key) else None
            expected[(url or None, title or None)] += 1
    templates = [reference for reference in toronto.references if reference.kind == "template"]
    read = [reference for reference in templates if "unread-template" not in reference.source_flags]
    kinds = Counter(reference.kind for reference in toronto.references)
    print(f"\ncite templates in refs: {sum(expected.values())}; references by kind: {dict(kinds)}")
    # A named ref defined twice with the same text is one reference: compare distinct citations.
    assert set(expected) == {(reference.url, reference.title) for reference in read}
    assert len(read) <= sum(expected.values())
    with_url = sum(1 for reference in read if reference.url)
    print(f"distinct cite references {len(read)}, with a url {with_url}")
    assert with_url >= 0.9 * len(read)


def test_dead_links_and_dates(toronto_text: str, toronto: ParsedDocument) -> None:
    dead_templates = len(re.findall(r"\{\{\s*dead[ _]link", toronto_text, re.I))
    flagged = Counter(flag for reference in toronto.references for flag in reference.source_flags)
    dated = sum(1 for reference in toronto.references if reference.access_date is not None)
    archived = sum(1 for reference in toronto.references if reference.archive_url)
    print(
        f"\n{{{{dead link}}}} templates: {dead_templates}; flags: {dict(flagged)}; "
        f"access dates {dated}; archived {archived}"
    )
    assert flagged["dead-link"] == dead_templates == count_ref_tags(toronto_text).dead_link_templates
    assert flagged["url-status-dead"] >= 1
    # The article uses mdy dates: most references carry a parsed access date.
    assert dated >= 0.8 * len(toronto.references)
    assert archived >= 1
    assert all(reference.line is not None and reference.line >= 1 for reference in toronto.references)


def test_body_reads_as_plain_text(toronto: ParsedDocument) -> None:
    titles = [section.title for section in toronto.sections]
    assert "History" in titles and "References" not in titles
    paragraphs = [paragraph for section in toronto.sections for paragraph in section.paragraphs]
    assert len(paragraphs) > 100
    for paragraph in paragraphs:
        assert "[[" not in paragraph.text and "{{" not in paragraph.text and "<ref" not in paragraph.text
        assert all(0 <= marker.offset <= len(paragraph.text) for marker in paragraph.markers)
    assert paragraphs[0].text.startswith("Toronto is the most populous city in Canada")
