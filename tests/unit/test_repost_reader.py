"""The repost reader on small aggregator pages written here, and its attribution-line parser."""

from __future__ import annotations

from textwrap import dedent

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from citecheck.dates import PartialDate
from citecheck.documents import parse_document
from citecheck.documents.repost import looks_like_repost, parse_attribution_line, read_repost

WIRE_PAGE = dedent(
    """\
    Harbour Watch
      • Home
      • News
        • Local
      • Contact
    © 2001 - 2020 Harbour Watch

    Economy

    Port traffic falls for third month

    Container traffic at the port fell by 8 percent in March, the harbour board said on Monday.

    Officials blamed weaker demand from inland factories.
    Reuters

    April 3, 2012 2 comments
    Share: Facebook | Twitter | Email
    Politics

    Mayor backs second terminal

    WASHINGTON (AP) — The mayor said on Tuesday that a second terminal would be built by 2015.

    Critics said the plan ignored the cost of dredging.

    April 2, 2012 0 comments
    Share: Facebook | Twitter | Email
    Local

    Ferry timetable changes from May

    The summer ferry timetable starts on 1 May with two extra crossings a day.

    April 1, 2012 No comments
    Share: Facebook | Twitter | Email
    Older Posts

    Recent Posts
      • Port traffic falls for third month
      • Mayor backs second terminal
    """
)


def test_wire_page_posts_dates_and_attributions() -> None:
    assert looks_like_repost(WIRE_PAGE)
    document = read_repost(WIRE_PAGE, "harbour.txt")

    assert document.layout == "repost"
    assert [section.title for section in document.sections] == [
        "Port traffic falls for third month",
        "Mayor backs second terminal",
        "Ferry timetable changes from May",
    ]
    assert [section.date for section in document.sections] == [
        PartialDate(year=2012, month=4, day=3),
        PartialDate(year=2012, month=4, day=2),
        PartialDate(year=2012, month=4, day=1),
    ]
    reuters, associated_press = document.references
    assert (reuters.kind, reuters.work, reuters.raw) == ("attribution", "Reuters", "Reuters")
    assert associated_press.work == "AP"
    assert document.sections[0].implicit_refs == [reuters.id]
    assert document.sections[1].implicit_refs == [associated_press.id]
    # The ferry post names no source: its sentences stay uncited.
    assert document.sections[2].implicit_refs == []

    first_post = [p.text for p in document.sections[0].paragraphs]
    assert "Reuters" not in first_post
    assert first_post[0].startswith("Container traffic at the port fell")
    # The dateline naming the agency leaves the first sentence.
    assert document.sections[1].paragraphs[0].text.startswith("The mayor said on Tuesday")
    body = " ".join(p.text for s in document.sections for p in s.paragraphs)
    assert "Home" not in body and "Recent Posts" not in body and "Facebook" not in body
    assert any("without an attribution" in notice for notice in document.notices)


BYLINE_PAGE = dedent(
    """\
    Valley Digest

    Water rationing extended

    The water board extended rationing for another month after a dry winter.

    By Maria Gonzalez and Tom Reed
    The Valley Herald – 14 February 2019

    15 February 2019 | 3 comments

    Reuters | Dam levels at record low

    Reservoir levels in the valley reached their lowest point since records began.

    Source: The Guardian, 12 February 2019

    14 February 2019 | 1 comment
    """
)


def test_byline_outlet_date_and_source_forms() -> None:
    document = read_repost(BYLINE_PAGE, "valley.txt")

    herald, guardian = document.references
    assert herald.authors == ["Maria Gonzalez", "Tom Reed"]
    assert herald.work == "The Valley Herald"
    assert herald.date == PartialDate(year=2019, month=2, day=14)
    assert herald.line == 7
    # The headline prefix "Reuters |" and the "Source:" line are merged into one attribution.
    assert guardian.work == "Reuters"
    assert guardian.date == PartialDate(year=2019, month=2, day=12)
    assert "Source: The Guardian" in guardian.raw
    assert document.sections[1].title == "Dam levels at record low"
    assert document.sections[1].date == PartialDate(year=2019, month=2, day=14)
    body = " ".join(p.text for s in document.sections for p in s.paragraphs)
    assert "By Maria" not in body and "Source:" not in body


@pytest.mark.parametrize(
    ("line", "authors", "work", "date"),
    [
        ("By Dan Murphy", ["Dan Murphy"], None, None),
        ("by Jason Ditz", ["Jason Ditz"], None, None),
        ("Ali Al-Tuwaijri, Agence France-Presse", ["Ali Al-Tuwaijri"], "Agence France-Presse", None),
        ("LA Times – July 29, 2009", [], "LA Times", "2009-07-29"),
        ("(AP)", [], "AP", None),
        ("Source: Reuters", [], "Reuters", None),
        ("Source: Ministry of Health press office", [], "Ministry of Health press office", None),
        ("By Sam Ortiz, The Daily Star", ["Sam Ortiz"], "The Daily Star", None),
    ],
)
def test_attribution_line_forms(line: str, authors: list[str], work: str | None, date: str | None) -> None:
    attribution = parse_attribution_line(line, 1)
    assert attribution is not None
    assert attribution.authors == authors
    assert attribution.work == work
    assert (attribution.date.iso() if attribution.date else None) == date


@pytest.mark.parametrize(
    "line",
    [
        "MEK says it has not carried out any acts of violence since 2002.",
        "Iraqi security forces stormed the camp located north of Baghdad on Tuesday.",
        "By the end of the year the camp was empty",
        "Iraq",
        "",
    ],
)
def test_prose_is_not_an_attribution(line: str) -> None:
    assert parse_attribution_line(line) is None


def test_place_prefixed_headline_is_not_an_outlet() -> None:
    page = "Site\n\nIraq: Camp closed\n\nThe camp closed today after talks failed.\n\nMay 1, 2010 0 comments\n"
    page += "Second post\n\nAnother sentence here.\n\nMay 2, 2010 0 comments\n"
    document = read_repost(page, "p.txt")
    assert document.sections[0].title == "Iraq: Camp closed"
    assert document.references == []


def test_articles_are_not_reposts() -> None:
    article = "Title\n\nA sentence.[1]\n\nReferences\n\n1. Source (May 1, 2010). Retrieved May 3, 2010.\n"
    assert not looks_like_repost(article)
    assert not looks_like_repost("")
    assert parse_document(WIRE_PAGE, "page.txt", "text").layout == "repost"


def test_read_repost_without_footers_falls_back_to_article() -> None:
    document = read_repost("Just a title\n\nSome text without any post footer.\n", "x.txt")
    assert document.layout == "article"
    assert any("no post footers" in notice for notice in document.notices)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(max_size=100),
            st.sampled_from(
                ["July 30, 2009 0 comments", "FacebookTwitter", "Iraq", "  • Home", "By Dan Murphy", "(AP)", ""]
            ),
        ),
        max_size=40,
    )
)
def test_any_text_parses_as_repost_without_raising(lines: list[str]) -> None:
    document = read_repost("\n".join(lines), "fuzz.txt")
    ids = {ref.id for ref in document.references}
    for section in document.sections:
        assert set(section.implicit_refs) <= ids
        for paragraph in section.paragraphs:
            for marker in paragraph.markers:
                assert 0 <= marker.offset <= len(paragraph.text)
