"""parse_citation_line and reference_from_text on rendered citations of many shapes."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from citecheck.dates import PartialDate
from citecheck.references import parse_citation_line, reference_from_text


def iso(value: PartialDate | None) -> str | None:
    return value.iso() if value is not None else None


# --------------------------------------------------------------------------- the brief's examples


def test_author_given_surname_with_dates() -> None:
    fields = parse_citation_line(
        'David Jolly (13 April 2011). "Iranian Group Seeks U.S. Shield After Iraqi Raid". Retrieved 8 May 2011.'
    )
    assert fields.authors == ["David Jolly"]
    assert iso(fields.date) == "2011-04-13"
    assert iso(fields.access_date) == "2011-05-08"
    assert fields.title == "Iranian Group Seeks U.S. Shield After Iraqi Raid"
    assert fields.flags == []
    assert fields.backlinks is None


def test_two_authors_joined_by_and_with_dead_link() -> None:
    fields = parse_citation_line(
        'Frank Jordans and Lara Jakes (14 April 2011). "UN: 34 killed in Iraqi raid". Retrieved 8 May 2011. [dead link]'
    )
    assert fields.authors == ["Frank Jordans", "Lara Jakes"]
    assert fields.flags == ["dead-link"]
    assert fields.title == "UN: 34 killed in Iraqi raid"


def test_inverted_author_is_normalised_and_archive_date_read() -> None:
    fields = parse_citation_line(
        'Williams, Carol J. (19 September 2013). "Envoys urge U.N. probe of massacre". Los Angeles Times. '
        "Archived from the original on 5 November 2013. Retrieved 30 October 2013."
    )
    assert fields.authors == ["Carol J. Williams"]
    assert fields.work == "Los Angeles Times"
    assert fields.publisher is None
    assert iso(fields.date) == "2013-09-19"
    assert iso(fields.archive_date) == "2013-11-05"
    assert iso(fields.access_date) == "2013-10-30"


def test_pdf_without_authors_date_after_work() -> None:
    fields = parse_citation_line(
        '"Statement by the High Representative" (PDF). European Union. 2 September 2013. '
        "Archived (PDF) from the original on 20 December 2013."
    )
    assert fields.format == "PDF"
    assert fields.title == "Statement by the High Representative"
    assert fields.work == "European Union"
    assert iso(fields.date) == "2013-09-02"
    assert iso(fields.archive_date) == "2013-12-20"
    assert fields.access_date is None
    assert fields.authors == []


def test_work_and_publisher() -> None:
    fields = parse_citation_line(
        '"Pillay condemns Iraqi operation, calls for inquiry". Office of the High Commissioner for Human Rights. '
        "United Nations. 15 April 2011. Retrieved 9 May 2011."
    )
    assert fields.title == "Pillay condemns Iraqi operation, calls for inquiry"
    assert fields.work == "Office of the High Commissioner for Human Rights"
    assert fields.publisher == "United Nations"
    assert iso(fields.date) == "2011-04-15"


def test_unquoted_title() -> None:
    fields = parse_citation_line(
        "EU calls for international observers to probe clashes - Reporters Without Borders. Retrieved 25 May 2012."
    )
    assert fields.title == "EU calls for international observers to probe clashes - Reporters Without Borders"
    assert iso(fields.access_date) == "2012-05-25"
    assert fields.date is None


def test_iso_dates_in_clauses() -> None:
    fields = parse_citation_line(
        '"Deaths crucial". Amnesty. Archived from the original on 2014-01-20. Retrieved 2023-05-27.'
    )
    assert iso(fields.archive_date) == "2014-01-20"
    assert iso(fields.access_date) == "2023-05-27"


# --------------------------------------------------------------------------- backlinks


@pytest.mark.parametrize(
    ("line", "count", "start"),
    [
        ('3.0 3.1 3.2 3.3 "A title". 14 April 2011.', 4, '"A title"'),
        ('12.0 12.1 "A title". 14 April 2011.', 2, '"A title"'),
        ('^ "A title". 14 April 2011.', 1, '"A title"'),
        ('^ a b c "A title". 2011.', 3, '"A title"'),
        ('^ Jump up to: a b "A title". 2011.', 2, '"A title"'),
        ('↑ "A title". 2011.', 1, '"A title"'),
        ("^ a study of things. 2011.", 1, "a study of things"),  # a lone "a" is a word, not a backlink
        ('"A title". 2011.', None, '"A title"'),
        ("3.0 release notes. 2011.", None, "3.0 release"),  # one numeric label is a title, not backlinks
    ],
)
def test_backlinks_are_counted_and_removed(line: str, count: int | None, start: str) -> None:
    fields = parse_citation_line(line)
    assert fields.backlinks == count
    assert fields.text.startswith(start)


def test_backlink_labels_past_z() -> None:
    labels = " ".join([chr(c) for c in range(ord("a"), ord("z") + 1)] + ["aa", "ab"])
    fields = parse_citation_line(f'^ {labels} "Much cited". 2011.')
    assert fields.backlinks == 28
    assert fields.title == "Much cited"


# --------------------------------------------------------------------------- flags and empty entries


@pytest.mark.parametrize(
    ("suffix", "flags"),
    [
        ("[dead link]", ["dead-link"]),
        ("[permanent dead link]", ["permanent-dead-link"]),
        ("[dead link \u200d]", ["dead-link"]),
        ("[permanent dead link\u200d]", ["permanent-dead-link"]),
        ("[dead link – March 2019]", ["dead-link"]),
        ("{{Dead link|date=May 2019|bot=InternetArchiveBot}}", ["dead-link"]),
        ("[failed verification]", []),
    ],
)
def test_dead_link_flags(suffix: str, flags: list[str]) -> None:
    fields = parse_citation_line(f'"Kerry condemns violence". 14 April 2011. Retrieved 9 May 2011. {suffix}')
    assert fields.flags == flags
    assert fields.title == "Kerry condemns violence"
    assert iso(fields.access_date) == "2011-05-09"


@pytest.mark.parametrize("line", ["[1]", "", "   ", "^", "3.0 3.1 [12]", "^ a b", "[ 7 ]"])
def test_entries_without_content_are_empty(line: str) -> None:
    fields = parse_citation_line(line)
    assert "empty" in fields.flags
    assert fields.title is None


def test_title_only_entry_is_not_empty() -> None:
    fields = parse_citation_line("The Cult of Rajavi")
    assert fields.title == "The Cult of Rajavi"
    assert fields.flags == []


# --------------------------------------------------------------------------- authors


@pytest.mark.parametrize(
    ("block", "authors"),
    [
        ("Dreazen, Yochi", ["Yochi Dreazen"]),
        ("Ashish Kumar Sen", ["Ashish Kumar Sen"]),
        ("Wilmshurst, J. M.; Hunt, T. L.", ["J. M. Wilmshurst", "T. L. Hunt"]),
        ("Moodley, Y.; Linz, B.; et al.", ["Y. Moodley", "B. Linz"]),
        ("Smith, John; Doe, Jane & Roe, Richard", ["John Smith", "Jane Doe", "Richard Roe"]),
        ("John Smith, Jane Doe and Bob Roe", ["John Smith", "Jane Doe", "Bob Roe"]),
        ("New Zealand Government", ["New Zealand Government"]),
    ],
)
def test_author_blocks(block: str, authors: list[str]) -> None:
    fields = parse_citation_line(f'{block} (2010). "Some title". Some Work.')
    assert fields.authors == authors
    assert iso(fields.date) == "2010"
    assert fields.title == "Some title"


@pytest.mark.parametrize(
    "text",
    [
        'McLintock, Alexander, ed. (2010). "Some title". Some Work.',
        'McLintock, Alexander (ed.) (2010). "Some title". Some Work.',
        '"Some title". In McLintock, Alexander (ed.). Some Work. 2010.',
    ],
)
def test_editors_are_not_authors(text: str) -> None:
    fields = parse_citation_line(text)
    assert fields.authors == []
    assert fields.editors == ["Alexander McLintock"]
    assert fields.title == "Some title"
    assert iso(fields.date) == "2010"


@pytest.mark.parametrize(
    "text",
    [
        'Jane Doe. "Title of the story". The Daily Example, 3 May 2014.',
        'Doe, Jane. "Title of the story". The Daily Example, 3 May 2014.',
        'Jane Doe, "Title of the story," The Daily Example, May 3, 2014.',
        'Doe, Jane. "Title of the story". The Daily Example (May 3, 2014).',
    ],
)
def test_work_date_lines(text: str) -> None:
    fields = parse_citation_line(text)
    assert fields.authors == ["Jane Doe"]
    assert fields.title == "Title of the story"
    assert fields.work == "The Daily Example"
    assert iso(fields.date) == "2014-05-03"


@pytest.mark.parametrize(
    ("text", "archive_date"),
    [
        ('"T". Example. Archived at https://web.archive.org/web/20140504/http://x.org/ on 4 May 2014.', "2014-05-04"),
        ('"T". Example. Archived from the original on 4 May 2014.', "2014-05-04"),
        ('"T". Example. Archived 4 May 2014 at the Wayback Machine.', "2014-05-04"),
        ('"T". Example. Archived copy (4 May 2014). Retrieved 6 May 2014.', "2014-05-04"),
        ('"T". Example. Wayback Machine snapshot from 2014-05-04.', "2014-05-04"),
        ('"T". Example. (archived on May 4, 2014)', "2014-05-04"),
        ('"Archived Documents of 1920". Example.', None),
    ],
)
def test_archive_date_wordings(text: str, archive_date: str | None) -> None:
    assert iso(parse_citation_line(text).archive_date) == archive_date


def test_authors_without_date_before_quoted_title() -> None:
    fields = parse_citation_line('Hamer, David. "Seddon, Richard John". Dictionary of Biography. Ministry of Culture.')
    assert fields.authors == ["David Hamer"]
    assert fields.title == "Seddon, Richard John"
    assert fields.work == "Dictionary of Biography"
    assert fields.publisher == "Ministry of Culture"


def test_sentence_before_parenthesised_date_is_a_title_not_an_author() -> None:
    fields = parse_citation_line("Committee on Foreign Relations: Press Room - Chairman's Press. (14 April 2011).")
    assert fields.authors == []
    assert fields.title == "Committee on Foreign Relations: Press Room - Chairman's Press"
    assert iso(fields.date) == "2011-04-14"


def test_short_harvard_citation() -> None:
    fields = parse_citation_line("^ a b Hay, Maclagan & Gordon 2008, pp. 72–73.")
    assert fields.authors == ["Hay", "Maclagan", "Gordon"]
    assert iso(fields.date) == "2008"
    assert "short-citation" in fields.flags
    assert fields.backlinks == 2


# --------------------------------------------------------------------------- journals, books, news, CS2


def test_journal_with_volume_pages_and_identifiers() -> None:
    fields = parse_citation_line(
        'Cooper, R.; Millener, P. (1993). "The New Zealand biota". Trends in Ecology & Evolution. 8 (12): 429–433. '
        "doi:10.1016/0169-5347(93)90004-9. PMID 21236022."
    )
    assert fields.authors == ["R. Cooper", "P. Millener"]
    assert fields.work == "Trends in Ecology & Evolution"
    assert fields.publisher is None
    assert iso(fields.date) == "1993"


def test_journal_volume_without_issue_is_not_a_publisher() -> None:
    fields = parse_citation_line('Harris, Bruce (2009). "Prerogative". Law Review. 23: 285–314.')
    assert fields.work == "Law Review"
    assert fields.publisher is None


def test_book_with_location_publisher_and_isbn() -> None:
    fields = parse_citation_line(
        "Salmond, Anne. Two Worlds: First Meetings 1642–1772. Auckland: Penguin Books. p. 82. ISBN 0-670-83298-7."
    )
    assert fields.authors == ["Anne Salmond"]
    assert fields.title == "Two Worlds: First Meetings 1642–1772"
    assert fields.publisher == "Penguin Books"
    assert fields.work is None


def test_book_edition_is_not_part_of_the_title() -> None:
    fields = parse_citation_line(
        "Ballara, Angela (1998). Iwi: Tribal Organisation from c. 1769 (1st ed.). Wellington: Victoria University "
        "Press. ISBN 9780864733283."
    )
    assert fields.title == "Iwi: Tribal Organisation from c. 1769"
    assert fields.publisher == "Victoria University Press"


def test_chapter_in_edited_book() -> None:
    fields = parse_citation_line(
        'Mackay, Duncan (1986). "The Search For The Southern Land". In Fraser, B (ed.). The Book Of Events. '
        "Auckland: Reed Methuen. pp. 52–54."
    )
    assert fields.title == "The Search For The Southern Land"
    assert fields.work == "The Book Of Events"
    assert fields.publisher == "Reed Methuen"


def test_news_agency_and_via() -> None:
    fields = parse_citation_line(
        'Hashem, Ali (10 June 2012). "Clashes near the camp". Reuters. Associated Press. Retrieved 12 June 2012 '
        "– via Yahoo! News."
    )
    assert fields.authors == ["Ali Hashem"]
    assert fields.work == "Reuters"
    assert fields.publisher == "Associated Press"
    assert iso(fields.access_date) == "2012-06-12"


def test_cs2_commas_and_lowercase_clauses_with_mdy_dates() -> None:
    fields = parse_citation_line(
        'Williams, Carol J. (September 19, 2013), "Envoys urge probe", Los Angeles Times, Tribune Publishing, '
        "archived from the original on November 5, 2013, retrieved October 30, 2013"
    )
    assert fields.authors == ["Carol J. Williams"]
    assert fields.title == "Envoys urge probe"
    assert fields.work == "Los Angeles Times"
    assert fields.publisher == "Tribune Publishing"
    assert iso(fields.date) == "2013-09-19"
    assert iso(fields.archive_date) == "2013-11-05"
    assert iso(fields.access_date) == "2013-10-30"


def test_cs2_without_authors_keeps_mdy_date_whole() -> None:
    fields = parse_citation_line(
        '"Govt style guide", New Zealand Government, December 9, 2016, retrieved March 7, 2019'
    )
    assert fields.work == "New Zealand Government"
    assert iso(fields.date) == "2016-12-09"
    assert iso(fields.access_date) == "2019-03-07"


def test_curly_quotes_and_partial_dates() -> None:
    fields = parse_citation_line(
        "Kirby, Alex (Spring 2005). “Huge eagles ‘dominated NZ skies’”. BBC News. Retrieved May 2010."
    )
    assert fields.title == "Huge eagles ‘dominated NZ skies’"
    assert fields.date == PartialDate(year=2005, month=21)
    assert fields.access_date == PartialDate(year=2010, month=5)
    assert fields.access_date.precision == "month"


def test_no_date_marker() -> None:
    fields = parse_citation_line('Smith, Jane (n.d.). "Undated page". Example Site.')
    assert fields.authors == ["Jane Smith"]
    assert fields.date is None
    assert fields.work == "Example Site"


def test_cs1_error_messages_and_trailing_quotes_are_ignored() -> None:
    fields = parse_citation_line(
        '"World Population Prospects" (PDF). 2008 revision. United Nations. Retrieved 29 August 2009. '
        "Cite journal requires |journal= (help) The figure is projected to rise."
    )
    assert fields.work == "2008 revision"
    assert fields.publisher == "United Nations"
    assert "help" not in (fields.publisher or "")
    assert iso(fields.access_date) == "2009-08-29"


def test_archived_from_original_with_format_between() -> None:
    fields = parse_citation_line(
        '"Mean monthly rainfall". NIWA. Archived from the original (XLS) on 3 May 2011. Retrieved 4 February 2011.'
    )
    assert fields.format == "XLS"
    assert iso(fields.archive_date) == "2011-05-03"


def test_webarchive_template_wording() -> None:
    fields = parse_citation_line('"Foo". Bar. Archived 5 November 2013 at the Wayback Machine.')
    assert iso(fields.archive_date) == "2013-11-05"
    assert fields.archive_service == "Wayback Machine"


# --------------------------------------------------------------------------- URLs


def test_urls_are_found_and_trailing_punctuation_stripped() -> None:
    fields = parse_citation_line(
        'Jolly, David (13 April 2011). "Seeks Shield". New York Times (https://www.nytimes.com/a_(b).html). '
        "Retrieved 8 May 2011."
    )
    assert fields.url == "https://www.nytimes.com/a_(b).html"
    assert fields.work == "New York Times"
    assert fields.archive_url is None


def test_archive_url_found_separately_from_the_original() -> None:
    fields = parse_citation_line(
        '"Envoys urge". http://www.latimes.com/world/envoys.html. Archived from the original '
        "https://web.archive.org/web/20131105012345/http://www.latimes.com/world/envoys.html on 5 November 2013."
    )
    assert fields.url == "http://www.latimes.com/world/envoys.html"
    assert fields.archive_url == "https://web.archive.org/web/20131105012345/http://www.latimes.com/world/envoys.html"
    assert fields.archive_url_time == datetime(2013, 11, 5, 1, 23, 45, tzinfo=UTC)
    assert iso(fields.archive_date) == "2013-11-05"


def test_only_an_archive_url_gives_the_original_as_url() -> None:
    fields = parse_citation_line('"Page". https://archive.ph/20190101123456/https://example.com/page, 2019.')
    assert fields.url == "https://example.com/page"
    assert fields.archive_url == "https://archive.ph/20190101123456/https://example.com/page"


# --------------------------------------------------------------------------- reference_from_text


def test_reference_from_text_fills_the_model() -> None:
    raw = '4.0 4.1 4.2 David Jolly (13 April 2011). "Iranian Group". Retrieved 8 May 2011. [dead link]'
    reference = reference_from_text(id="4", raw=raw, number=4, line=12)
    assert reference.id == "4"
    assert reference.number == 4
    assert reference.line == 12
    assert reference.raw == raw
    assert reference.backlinks == 3
    assert reference.authors == ["David Jolly"]
    assert reference.source_flags == ["dead-link"]
    dumped = reference.model_dump(mode="json")
    assert dumped["date"] == "2011-04-13"
    assert dumped["access_date"] == "2011-05-08"


def test_explicit_url_wins_over_text() -> None:
    reference = reference_from_text(
        id="1", raw='"T". http://example.com/in-text. 2011.', url="https://example.org/href"
    )
    assert reference.url == "https://example.org/href"


def test_explicit_archive_url_becomes_archive_url_with_original() -> None:
    href = "https://web.archive.org/web/20131105000000/http://www.latimes.com/x"
    reference = reference_from_text(
        id="1", raw='"Envoys". Los Angeles Times. Archived from the original on 5 November 2013.', url=href
    )
    assert reference.archive_url == href
    assert reference.url == "http://www.latimes.com/x"
    assert reference.archive_url_time == datetime(2013, 11, 5, tzinfo=UTC)


def test_explicit_archive_url_keeps_a_plain_url_from_the_text() -> None:
    href = "https://web.archive.org/web/2013/http://old.example.com/x"
    reference = reference_from_text(id="1", raw='"T". http://example.com/cited. 2011.', url=href)
    assert reference.url == "http://example.com/cited"
    assert reference.archive_url == href


def test_empty_reference() -> None:
    reference = reference_from_text(id="1", raw="[1]", kind="numbered")
    assert reference.source_flags == ["empty"]
    assert reference.is_empty


# --------------------------------------------------------------------------- real data from ../shared

_NUMBERED_ITEM_RE = re.compile(r"^\s+(?P<number>\d+)\.\s(?P<text>.*)$")


def _numbered_list(path: Path) -> dict[int, str]:
    """The numbered reference list at the end of a seed text (`  3. 3.0 3.1 "…"`)."""
    entries: dict[int, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _NUMBERED_ITEM_RE.match(line)
        if match:
            entries[int(match["number"])] = match["text"]
    return entries


@pytest.mark.seeds
def test_seed_000_reference_list(seeds_dir: Path) -> None:
    paths = sorted(seeds_dir.glob("000_*.txt"))
    if not paths:
        pytest.skip("seed 000 absent")
    entries = {number: parse_citation_line(text) for number, text in _numbered_list(paths[0]).items()}
    assert len(entries) == 11
    assert "empty" in entries[1].flags
    assert "empty" in entries[2].flags
    assert entries[3].backlinks == 4
    assert iso(entries[3].date) == "2011-04-14"
    assert entries[4].authors == ["David Jolly"]
    assert entries[4].backlinks == 3
    assert entries[7].authors == ["Frank Jordans", "Lara Jakes"]
    assert entries[7].flags == ["dead-link"]
    assert entries[11].publisher == "United Nations"
    with_access = [fields for fields in entries.values() if fields.access_date is not None]
    assert len(with_access) == 7
    assert all(fields.access_date is None or fields.access_date.year in (2011, 2012) for fields in entries.values())


@pytest.mark.seeds
def test_seed_001_reference_list(seeds_dir: Path) -> None:
    paths = sorted(seeds_dir.glob("001_*.txt"))
    if not paths:
        pytest.skip("seed 001 absent")
    entries = {number: parse_citation_line(text) for number, text in _numbered_list(paths[0]).items()}
    assert len(entries) == 9
    assert all(fields.title for fields in entries.values())
    assert all(fields.date is not None and fields.date.year == 2013 for fields in entries.values())
    assert entries[1].authors == ["Carol J. Williams"]
    assert entries[3].authors == ["Yochi Dreazen"]
    assert entries[7].format == "PDF"
    archived = [fields for fields in entries.values() if fields.archive_date is not None]
    assert len(archived) == 8
    assert iso(entries[9].archive_date) == "2014-01-20"


@pytest.mark.seeds
def test_rendered_wikipedia_reference_list(wikipedia_samples_dir: Path) -> None:
    bs4 = pytest.importorskip("bs4")
    paths = sorted(wikipedia_samples_dir.glob("*.rendered.html"))
    if not paths:
        pytest.skip("no rendered sample")
    soup = bs4.BeautifulSoup(paths[0].read_text(encoding="utf-8"), "lxml")
    items = soup.select("ol.references > li")
    assert len(items) > 300
    parsed = []
    for item in items:
        for hidden in item.select(".Z3988"):
            hidden.decompose()
        parsed.append(parse_citation_line(item.get_text()))
    retrieved_in_text = sum("Retrieved" in fields.text for fields in parsed)
    archived_in_text = sum("Archived from" in fields.text for fields in parsed)
    assert sum(fields.access_date is not None for fields in parsed) >= 0.98 * retrieved_in_text
    assert sum(fields.archive_date is not None for fields in parsed) >= 0.95 * archived_in_text
    assert all(fields.backlinks is not None and fields.backlinks >= 1 for fields in parsed)
    pdf_in_text = sum("(PDF)" in fields.text for fields in parsed)
    assert sum(fields.format == "PDF" for fields in parsed) == pdf_in_text
    with_title = sum(fields.title is not None for fields in parsed)
    assert with_title >= 0.9 * len(parsed)


# --------------------------------------------------------------------------- fields of many shapes, read exactly

_LA = "Williams, Carol J. (19 September 2013). "
_DOE = 'Doe, Jane (3 March 2020). "Harvest figures revised". The Daily Example. Retrieved 9 March 2020.'
_DOE_FIELDS = {
    "title": "Harvest figures revised",
    "authors": ["Jane Doe"],
    "work": "The Daily Example",
    "date": "2020-03-03",
    "access_date": "2020-03-09",
}
_NZ_FIELDS = {
    "title": "Seddon, Richard John",
    "authors": ["David Hamer"],
    "work": "Dictionary of New Zealand Biography",
    "publisher": "Ministry for Culture and Heritage",
    "access_date": "2011-04-03",
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            _LA + '"Envoys urge calm". Los Angeles Times. Archived from the original on 5 November 2013. '
            "Retrieved 30 October 2013.",
            {
                "title": "Envoys urge calm",
                "authors": ["Carol J. Williams"],
                "work": "Los Angeles Times",
                "date": "2013-09-19",
                "access_date": "2013-10-30",
                "archive_date": "2013-11-05",
            },
        ),
        (
            "3.0 3.1 \"Iraq raid on Iranian exiles' Camp Ashraf 'killed 34'\". BBC News. 14 April 2011. "
            "Retrieved 8 May 2011.",
            {
                "title": "Iraq raid on Iranian exiles' Camp Ashraf 'killed 34'",
                "work": "BBC News",
                "date": "2011-04-14",
                "access_date": "2011-05-08",
                "backlinks": 2,
            },
        ),
        (
            "^ a b Smith, John; Doe, Jane (2010). Two Worlds: First Meetings (2nd ed.). Auckland: Penguin. "
            "pp. 72–73. ISBN 978-0-14-301867-4.",
            {
                "title": "Two Worlds: First Meetings",
                "authors": ["John Smith", "Jane Doe"],
                "publisher": "Penguin",
                "date": "2010",
                "backlinks": 2,
            },
        ),
        (
            '^ Jump up to: a b "Population estimates" (PDF). Statistics New Zealand. June 2019. Archived (PDF) '
            "from the original on 3 May 2020. Retrieved 2020-05-04.",
            {
                "title": "Population estimates",
                "work": "Statistics New Zealand",
                "date": "2019-06",
                "access_date": "2020-05-04",
                "archive_date": "2020-05-03",
                "format": "PDF",
                "backlinks": 2,
            },
        ),
        (
            'Hamer, David. "Seddon, Richard John". Dictionary of New Zealand Biography. Ministry for Culture and '
            "Heritage. Retrieved 3 April 2011.",
            _NZ_FIELDS,
        ),
        # odd spacing, tabs, no-break and zero-width spaces: normalised away
        (
            'Hamer,  David.\t"Seddon, Richard\u00a0John".   Dictionary of New\u200b Zealand Biography. Ministry for '
            "Culture and Heritage.  Retrieved  3 April 2011. ",
            _NZ_FIELDS,
        ),
        ("King 2003, p. 41.", {"authors": ["King"], "date": "2003", "flags": ["short-citation"]}),
        (
            "Hay, Maclagan & Gordon 2008, pp. 72–73.",
            {"authors": ["Hay", "Maclagan", "Gordon"], "date": "2008", "flags": ["short-citation"]},
        ),
        (
            '"Toronto rated worst city"  .   Toronto Star  (2011-06-20) .  Retrieved on 2013-07-12.',
            {
                "title": "Toronto rated worst city",
                "work": "Toronto Star",
                "date": "2011-06-20",
                "access_date": "2013-07-12",
            },
        ),
        (_DOE, _DOE_FIELDS),
        (_DOE.replace('"Harvest figures revised"', "“Harvest figures revised”"), _DOE_FIELDS),  # curly quotes
        (
            # upper-case names and month ("RETRIEVED" itself is not read: the clause words are capitalised only)
            _DOE.replace('"Harvest figures revised". The Daily Example', '"HARVEST FIGURES REVISED". THE DAILY EXAMPLE')
            .replace("3 March", "3 MARCH")
            .replace("9 March", "9 MARCH"),
            {**_DOE_FIELDS, "title": "HARVEST FIGURES REVISED", "work": "THE DAILY EXAMPLE"},
        ),
        # an en-dash day range keeps its first day; a language note and a "via" are not the work
        (
            'Doe, Jane (3–4 March 2020). "Harvest figures revised" (in French). The Daily Example — via ProQuest. '
            "Retrieved March 9, 2020.",
            _DOE_FIELDS,
        ),
        (_DOE.replace("(3 March 2020)", "(3 \u2014 4 March 2020)"), _DOE_FIELDS),  # an em dash, spaced
        (_DOE.replace("Retrieved 9 March 2020", "Accessed 2020-03-09"), _DOE_FIELDS),
        (_DOE.replace("Retrieved 9 March 2020", "Retrieved Mar. 9, 2020"), _DOE_FIELDS),
        (
            'Doe, Jane (n.d.). "Undated page". Example Org. Retrieved Sept. 9, 2020.',
            {"title": "Undated page", "authors": ["Jane Doe"], "work": "Example Org", "access_date": "2020-09-09"},
        ),
        # missing fields: no author, no date, no access date
        (
            '"Harvest figures revised". The Daily Example.',
            {"title": "Harvest figures revised", "work": "The Daily Example"},
        ),
        (_DOE.replace(" Retrieved 9 March 2020.", ""), {k: v for k, v in _DOE_FIELDS.items() if k != "access_date"}),
        # non-English month names (whole-date parsing only)
        (
            'Novák, Jan (1. ledna 2015). "Zpráva". Lidové noviny.',
            {"title": "Zpráva", "authors": ["Jan Novák"], "work": "Lidové noviny", "date": "2015-01-01"},
        ),
        (_DOE.replace("(3 March 2020)", "(3 mars 2020)"), _DOE_FIELDS),
        (_DOE.replace("(3 March 2020)", "(3 de marzo de 2020)"), _DOE_FIELDS),
        (
            'Lee, K. (Auguſt 2011). "Long s". Example.',  # a long s: IGNORECASE reads it as "s"
            {"title": "Long s", "authors": ["K. Lee"], "work": "Example", "date": "2011-08"},
        ),
        (
            "Smith, John (ed.) (1999). Collected Essays. Oxford University Press.",
            {
                "title": "Collected Essays",
                "editors": ["John Smith"],
                "publisher": "Oxford University Press",
                "date": "1999",
            },
        ),
        (
            'Brown, A.; Green, B. (Spring 2010). "Seasonal work". Journal of Examples. 12 (3): 45–67. '
            "doi:10.1000/xyz123.",
            {
                "title": "Seasonal work",
                "authors": ["A. Brown", "B. Green"],
                "work": "Journal of Examples",
                "date": "2010-21",
            },
        ),
        (
            '"Annual report". Example Corp. Archived 5 November 2013 at the Wayback Machine',
            {
                "title": "Annual report",
                "work": "Example Corp",
                "archive_date": "2013-11-05",
                "archive_service": "Wayback Machine",
            },
        ),
        (
            '"Annual report" [dead link]. Example Corp.',
            {"title": "Annual report", "work": "Example Corp", "flags": ["dead-link"]},
        ),
        ("Retrieved 3 May 2014.", {"access_date": "2014-05-03"}),
        ("", {"flags": ["empty"]}),
        ("^", {"flags": ["empty"], "backlinks": 1}),
        ("[12]", {"flags": ["empty"]}),
    ],
)
def test_fields_of_many_shapes(text: str, expected: dict[str, object]) -> None:
    fields = parse_citation_line(text)
    read: dict[str, object] = {}
    for name in ("title", "work", "publisher", "format", "backlinks", "archive_service", "url", "archive_url"):
        if getattr(fields, name) is not None:
            read[name] = getattr(fields, name)
    for name in ("authors", "editors"):
        if getattr(fields, name):
            read[name] = getattr(fields, name)
    for name in ("date", "access_date", "archive_date"):
        if getattr(fields, name) is not None:
            read[name] = getattr(fields, name).iso()
    if fields.flags:
        read["flags"] = [str(flag) for flag in fields.flags]
    assert read == expected
