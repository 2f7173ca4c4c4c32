"""Classes of misreading found by benchmarks/sweep_citation_lines.py on real reference lines, one test per class.

Every example here is made up for the test; none is copied from the real documents.
"""

from __future__ import annotations

import pytest

from citecheck.dates import PartialDate, match_local_date_at, parse_date
from citecheck.references import MarkupHints, parse_citation_line


def iso(value: PartialDate | None) -> str | None:
    return value.iso() if value is not None else None


# --------------------------------------------------------------------------- access-date phrases


@pytest.mark.parametrize(
    ("line", "access"),
    [
        ('"Harbour Plans". The Coastal Gazette. RETRIEVED 9 May 2014.', "2014-05-09"),
        ('"Harbour Plans". The Coastal Gazette. ACCESSED 9 May 2014.', "2014-05-09"),
        ('"Harbour Plans". The Coastal Gazette. ACCESS DATE: 2014-05-09.', "2014-05-09"),
        ('"Projet du port". La Gazette côtière. Consulté le 9 mai 2014.', "2014-05-09"),
        ('"Projet du port". La Gazette côtière. consulté le 1er mars 2015.', "2015-03-01"),
        ('"Hafenpläne". Küstenblatt. Abgerufen am 9. Mai 2014.', "2014-05-09"),
        ("Hafenpläne, Küstenblatt, abgerufen am 24. Dezember 2012.", "2012-12-24"),
        ('"Hafenpläne". Küstenblatt. Zugriff am 3. April 2016.', "2016-04-03"),
        ('"Planes del puerto". Gaceta Costera. Consultado el 9 de mayo de 2014.', "2014-05-09"),
        ('"Planos do porto". Gazeta Costeira. Consultado em 9 de maio de 2014.', "2014-05-09"),
        ('"Piani del porto". Gazzetta Costiera. URL consultato il 9 maggio 2014.', "2014-05-09"),
        ('"Havenplannen". Kustkrant. Geraadpleegd op 9 mei 2014.', "2014-05-09"),
        ("ZELENÝ, Petr. Plány přístavu. Pobřežní list [online]. 2014-05-02 [cit. 2014-05-09].", "2014-05-09"),
        ('"Plany portu". Gazeta Wybrzeża. [dostęp 2014-05-09].', "2014-05-09"),
        ('"خطط الميناء". صحيفة الساحل. اطلع عليه بتاريخ 9 مايو 2014.', "2014-05-09"),
        ("Hafenpläne, Küstenblatt, abgerufen am 27.10.2015.", "2015-10-27"),
    ],
)
def test_access_phrase_in_capitals_and_other_languages_is_the_access_date(line: str, access: str) -> None:
    fields = parse_citation_line(line)
    assert iso(fields.access_date) == access
    for value in (fields.title, fields.work, fields.publisher):
        assert value is None or access[:4] not in value, value


def test_access_phrase_does_not_end_up_in_the_title_or_publisher() -> None:
    fields = parse_citation_line('"Projet du port". La Gazette côtière. Consulté le 9 mai 2014.')
    assert fields.title == "Projet du port"
    assert fields.work == "La Gazette côtière"
    assert fields.publisher is None
    fields = parse_citation_line("Hafenpläne für 2020, Küstenblatt, abgerufen am 4. November 2015")
    assert fields.title == "Hafenpläne für 2020, Küstenblatt"
    assert fields.date is None


@pytest.mark.parametrize(
    "line",
    [
        '"Harbour Plans". The Coastal Gazette. Accessible to members.',  # "access" without a date
        '"Harbour Plans". The Viewed Quarterly. 2014.',
        '"Harbour Plans". Op. cit. Smith.',
    ],
)
def test_access_words_without_a_date_are_not_an_access_clause(line: str) -> None:
    assert parse_citation_line(line).access_date is None


# --------------------------------------------------------------------------- dates as the other Wikipedias write them


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("24. Januar 2015", "2015-01-24"),
        ("4. November 2015", "2015-11-04"),
        ("9 mei 2014", "2014-05-09"),
        ("1 augustus 2013", "2013-08-01"),
        ("27.10.2015", "2015-10-27"),
        ("9. 5. 2014", "2014-05-09"),
        ("31.02.2015", None),  # no such day
        ("10.5", None),
    ],
)
def test_local_dates_parse_whole(text: str, expected: str | None) -> None:
    assert iso(parse_date(text)) == expected


@pytest.mark.parametrize(
    ("text", "start", "expected", "end"),
    [
        ("am 9. Mai 2014 gelesen", 3, "2014-05-09", 14),
        ("le 9 mai 2014.", 3, "2014-05-09", 13),
        ("el 9 de mayo de 2014.", 3, "2014-05-09", 20),
        ("x 3 May 2014, y", 2, "2014-05-03", 12),  # English first
        ("x 27.10.2015.", 2, "2015-10-27", 12),
        ("x 9 Maibaum 2014", 2, None, None),
        ("x nothing here", 2, None, None),
    ],
)
def test_match_local_date_at(text: str, start: int, expected: str | None, end: int | None) -> None:
    found = match_local_date_at(text, start)
    if expected is None:
        assert found is None
    else:
        assert found is not None
        assert (iso(found[0]), found[1]) == (expected, end)


# --------------------------------------------------------------------------- a date where the title would stand


@pytest.mark.parametrize(
    ("line", "title", "date"),
    [
        ("Fenwick, Harriet. 1987. A History of Lighthouses. Tidewater Press.", "A History of Lighthouses", "1987"),
        ("Fenwick H, Ostrava K. 2011. Coastal Birds. Tidewater Press.", "Coastal Birds", "2011"),
        ("Fenwick, Harriet. c. 1990. A History of Lighthouses. Tidewater Press.", "A History of Lighthouses", "1990~"),
        ("c. 1990. A History of Lighthouses. Tidewater Press.", "A History of Lighthouses", "1990~"),
        ("2014. Annual Harbour Report. Harbour Board.", "Annual Harbour Report", "2014"),
        ("c. 1990.", None, "1990~"),
        ("2014", None, "2014"),
        ("May 2014. Harbour Notes. Harbour Board.", "Harbour Notes", "2014-05"),
    ],
)
def test_a_date_standing_where_the_title_would_is_the_date(line: str, title: str | None, date: str) -> None:
    fields = parse_citation_line(line)
    assert fields.title == title
    assert iso(fields.date) == date


def test_titles_holding_a_year_are_kept() -> None:
    fields = parse_citation_line('"2014". Harbour Board. Retrieved 9 May 2015.')
    assert fields.title == "2014"  # quoted: the markup says it is the title
    fields = parse_citation_line("Fenwick, Harriet. Lighthouses 1850–1900. Tidewater Press, 2001.")
    assert fields.title == "Lighthouses 1850–1900"
    assert iso(fields.date) == "2001"


# --------------------------------------------------------------------------- publisher, year and pages


@pytest.mark.parametrize(
    ("line", "publisher", "date"),
    [
        ("Fenwick, Harriet. Lighthouses. Tidewater Press, 2001, p. 17.", "Tidewater Press", "2001"),
        ("Fenwick, Harriet. Lighthouses. Tidewater Press, 2001, pp. 17–19.", "Tidewater Press", "2001"),
        ("Fenwick, Harriet. Lighthouses. Tidewater Press, 1921, 340 pages", "Tidewater Press", "1921"),
        ("Fenwick, Harriet. Lighthouses. Tidewater Press, 2001.", "Tidewater Press", "2001"),
        ("Fenwick, Harriet. Lighthouses. Tidewater Press, 1998–2001, p. 4.", "Tidewater Press", "1998"),
    ],
)
def test_pages_after_publisher_and_year(line: str, publisher: str, date: str) -> None:
    fields = parse_citation_line(line)
    assert fields.publisher == publisher
    assert iso(fields.date) == date


def test_journal_publisher_before_pages() -> None:
    line = (
        'Fenwick, H. (2003). "Tides and lamps". Journal of Coasts. 12 (4). Tidewater Press: 210–218. '
        "doi:10.1000/tides.12"
    )
    hints = MarkupHints(title="Tides and lamps", work="Journal of Coasts", work_known=True)
    assert parse_citation_line(line, hints).publisher == "Tidewater Press"
    # Without markup the block may be a title and its years: no publisher rather than a number.
    assert parse_citation_line("Fenwick, H. Lighthouses. Coastal Lamps: 1850–1900.").publisher is None
    fields = parse_citation_line('Fenwick, H. (2003). "Tides". Journal of Coasts. Supplement 4: 21–35.', hints)
    assert fields.publisher is None
    assert parse_citation_line('Fenwick, H. (2003). "Tides". Journal of Coasts. 12 (4): 210–218.').publisher is None


# --------------------------------------------------------------------------- archive clauses in other languages


@pytest.mark.parametrize(
    ("line", "archive", "service"),
    [
        ("Harbour Plans نسخة محفوظة 09 أبريل 2018 على موقع واي باك مشين.", "2018-04-09", "واي باك مشين"),
        ('"خطط الميناء". مؤرشف من الأصل في 9 مايو 2014. اطلع عليه بتاريخ 10 مايو 2014.', "2014-05-09", None),
        ('"Plány přístavu". Pobřežní list. Archivováno z originálu dne 2014-05-09.', "2014-05-09", None),
        ('"Hafenpläne". Küstenblatt. Archiviert vom Original am 9. Mai 2014.', "2014-05-09", None),
        ('"Projet du port". Gazette. Archivé de l\'original le 9 mai 2014.', "2014-05-09", None),
        ('"Planes del puerto". Gaceta. Archivado desde el original el 9 de mayo de 2014.', "2014-05-09", None),
    ],
)
def test_archive_clause_in_other_languages(line: str, archive: str, service: str | None) -> None:
    fields = parse_citation_line(line)
    assert iso(fields.archive_date) == archive
    assert fields.archive_service == service
    assert fields.publisher is None or "2014" not in fields.publisher


# --------------------------------------------------------------------------- block boundaries


@pytest.mark.parametrize(
    ("line", "authors", "title"),
    [
        ("Dvořák, Jan. Plány přístavu. Pobřežní list.", ["Jan Dvořák"], "Plány přístavu"),
        ("Visser, Jan. Havenplannen. Kustkrant.", ["Jan Visser"], "Havenplannen"),
        ('Fenwick, H. (Jan. 5, 2014). "Tides". Coasts.', ["H. Fenwick"], "Tides"),
    ],
)
def test_month_abbreviation_as_a_given_name_ends_the_author_block(line: str, authors: list[str], title: str) -> None:
    fields = parse_citation_line(line)
    assert fields.authors == authors
    assert fields.title == title


@pytest.mark.parametrize(
    ("line", "title", "date"),
    [
        (
            "Hafenpläne für Besucher, Artikel bei Küstenblatt vom 9. November 2014.",
            "Hafenpläne für Besucher, Artikel bei Küstenblatt",
            "2014-11-09",
        ),
        ("Hafenpläne für Besucher; Stand: 13. März 2016", "Hafenpläne für Besucher", "2016-03-13"),
        ("Harbour Plans for Visitors, 15 December 2011", "Harbour Plans for Visitors", "2011-12-15"),
        ("Events of 9 November 1989 in Harbour Town", "Events of 9 November 1989 in Harbour Town", None),
    ],
)
def test_a_full_date_closing_an_unquoted_title_is_the_date(line: str, title: str, date: str | None) -> None:
    fields = parse_citation_line(line)
    assert fields.title == title
    assert iso(fields.date) == date


@pytest.mark.parametrize(
    ("line", "title"),
    [
        ("Harbour Plans (englisch), Artikel bei Küstenblatt.", "Harbour Plans, Artikel bei Küstenblatt"),
        ('"Harbour Plans" (anglicky). Pobřežní list.', "Harbour Plans"),
        ('"Harbour Plans" (en anglais). Gazette.', "Harbour Plans"),
        ('"Harbour Plans" (in English). Gazette.', "Harbour Plans"),
    ],
)
def test_language_notes_in_other_languages_are_clutter(line: str, title: str) -> None:
    fields = parse_citation_line(line)
    assert fields.title == title
    assert fields.publisher is None
    assert fields.work is None or "(" not in fields.work


def test_online_medium_note_is_clutter() -> None:
    fields = parse_citation_line("ZELENÝ, Petr. Plány přístavu. Pobřežní list [online]. 2014-05-02 [cit. 2014-05-09].")
    assert fields.authors == ["Petr ZELENÝ"]
    assert fields.title == "Plány přístavu"
    assert fields.publisher == "Pobřežní list"
    assert iso(fields.date) == "2014-05-02"
