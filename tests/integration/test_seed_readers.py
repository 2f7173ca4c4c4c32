"""The plain-text and repost readers on the shared seed documents (skipped when ../shared is absent)."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from citecheck.documents import read_document
from citecheck.models import ParsedDocument

pytestmark = pytest.mark.seeds


def seed(seeds_dir: Path, prefix: str) -> ParsedDocument:
    matches = sorted(seeds_dir.glob(f"{prefix}_*.txt"))
    if not matches:
        pytest.skip(f"seed {prefix} not available")
    return read_document(matches[0])


def marker_counts(document: ParsedDocument) -> Counter[str | None]:
    return Counter(
        marker.ref_id
        for section in document.sections
        for paragraph in section.paragraphs
        for marker in paragraph.markers
    )


def body_text(document: ParsedDocument) -> str:
    return "\n".join(paragraph.text for section in document.sections for paragraph in section.paragraphs)


def test_seed_000_wiki_mirror(seeds_dir: Path) -> None:
    document = seed(seeds_dir, "000")

    assert document.layout == "wiki-mirror"
    assert document.title == "Camp Ashraf raid"
    references = {ref.id: ref for ref in document.references}
    assert len(references) == 11
    assert list(references) == [str(number) for number in range(1, 12)]
    assert references["3"].backlinks == 4
    assert "dead-link" in references["7"].source_flags
    assert "empty" in references["1"].source_flags
    assert "empty" in references["2"].source_flags

    markers = marker_counts(document)
    assert markers["3"] == 4
    assert None not in markers  # every body marker maps to a listed reference
    assert references["3"].uses == 4
    body = body_text(document)
    assert "Casualties" not in body  # infobox rows are not claims
    assert "Creative Commons" not in body
    assert "UN High Commissioner for Human Rights Navi Pillay" in body  # bulleted reactions are


def test_seed_001_skips_related_articles(seeds_dir: Path) -> None:
    document = seed(seeds_dir, "001")

    assert len(document.references) == 9
    assert [ref.number for ref in document.references] == list(range(1, 10))
    body = body_text(document)
    assert "Foreign Policy magazine stated" in body
    assert "Tariq Aziz" not in body
    assert "Houla massacre" not in body
    assert "<span" not in body
    assert set(marker_counts(document)) == {"1", "2", "3"}
    assert any("related-article summaries" in notice for notice in document.notices)


def test_seed_002_has_no_reference_list(seeds_dir: Path) -> None:
    document = seed(seeds_dir, "002")

    assert document.references == []
    paragraphs = [paragraph for section in document.sections for paragraph in section.paragraphs]
    assert len(paragraphs) >= 25  # one paragraph per source line of body text
    sentences = sum(len(re.findall(r"[.!?][\"”]?(?:\s|$)", paragraph.text)) for paragraph in paragraphs)
    assert sentences > 30
    assert all(not paragraph.markers for paragraph in paragraphs)
    assert "Development of a city" in [section.title for section in document.sections]


def test_seed_003_repost(seeds_dir: Path) -> None:
    document = seed(seeds_dir, "003")

    assert document.layout == "repost"
    assert len(document.sections) == 10
    assert all(section.date is not None for section in document.sections)
    attributions = {ref.id: ref for ref in document.references if ref.kind == "attribution"}
    attributed_sections = [section for section in document.sections if section.implicit_refs]
    assert len(attributions) >= 6
    assert all(ref.work or ref.authors for ref in attributions.values())
    # Dated: by the source date where the attribution gives one, else by the posting date.
    assert all(section.date is not None for section in attributed_sections)
    assert {ref.iso() for ref in (r.date for r in attributions.values()) if ref} >= {"2009-07-29"}
    works = {ref.work for ref in attributions.values()}
    assert {"LA Times", "Agence France-Presse"} <= works
    authors = {name for ref in attributions.values() for name in ref.authors}
    assert {"Dan Murphy", "Jason Ditz"} <= authors
    body = body_text(document)
    assert "By Dan Murphy" not in body
    assert "Recent Posts" not in body
    assert "Older Posts" not in body
