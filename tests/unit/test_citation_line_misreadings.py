"""Classes of misreading found by benchmarks/sweep_citation_lines.py on real reference lines, one test per class.

Every example here is made up for the test; none is copied from the real documents.
"""

from __future__ import annotations

import pytest

from citecheck.dates import PartialDate, match_local_date_at, parse_date
from citecheck.models import SourceFlag
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


# --------------------------------------------------------------------------- Swedish, Polish and Russian dates


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3 maj 2019", "2019-05-03"),  # Swedish
        ("12 augusti 2019", "2019-08-12"),
        ("3 okt. 2019", "2019-10-03"),
        ("12 stycznia 2020", "2020-01-12"),  # Polish: a day's month in the genitive
        ("1 października 2019 r.", "2019-10-01"),
        ("styczeń 2020", "2020-01"),  # the nominative for a month alone
        ("12 paź 2020", "2020-10-12"),
        ("5 марта 2018", "2018-03-05"),  # Russian
        ("5 Марта 2018 года", "2018-03-05"),
        ("5 марта 2018 г.", "2018-03-05"),
        ("март 2018", "2018-03"),
        ("5 сент. 2018", "2018-09-05"),
        ("3. Okt. 2019", "2019-10-03"),  # German and French abbreviations
        ("5 janv. 2019", "2019-01-05"),
        ("9 ابريل 2018", "2018-04-09"),  # Arabic without the hamza
        ("٣ مارس ٢٠١٩", "2019-03-03"),  # Arabic-Indic digits
        ("mars 2020", "2020-03"),  # French and Swedish write their months in lower case
        ("3 Mars 2020", "2020-03-03"),
        ("Mars 2020", None),  # the planet, NASA's rover: no month without a day
        ("Lis 2019", None),  # an abbreviation alone needs its full stop
        ("okt 2019", None),
        ("lis. 2019", "2019-11"),
    ],
)
def test_swedish_polish_russian_dates_parse_whole(text: str, expected: str | None) -> None:
    assert iso(parse_date(text)) == expected


def test_local_dates_are_read_where_a_date_must_stand() -> None:
    found = match_local_date_at("am 12 stycznia 2020 r. gelesen", 3)
    assert found is not None
    assert (iso(found[0]), found[1]) == ("2020-01-12", 22)  # the year word belongs to the date
    assert match_local_date_at("x Mars 2020 rover", 2) is None


# --------------------------------------------------------------------------- Swedish, Polish, Russian clauses


@pytest.mark.parametrize(
    ("line", "access", "archive"),
    [
        ('"Hamnplaner". Kustbladet. Läst 3 mars 2019.', "2019-03-03", None),
        ('"Hamnplaner". Kustbladet. Hämtad 12 augusti 2019.', "2019-08-12", None),
        (
            '"Hamnplaner". Kustbladet. Arkiverad från originalet den 3 maj 2019. Läst 4 maj 2019.',
            "2019-05-04",
            "2019-05-03",
        ),
        ('"Plany portu". Gazeta Wybrzeża. [dostęp 13 stycznia 2020].', "2020-01-13", None),
        (
            '"Plany portu". Gazeta Wybrzeża. [zarchiwizowane z adresu 2020-01-14]. [dostęp 2020-01-13].',
            "2020-01-13",
            "2020-01-14",
        ),
        (
            "«Планы порта». Береговая газета. Архивировано 6 марта 2018 года. Дата обращения: 7 марта 2018.",
            "2018-03-07",
            "2018-03-06",
        ),
        (
            "«Планы порта». Береговая газета. Архивировано из первоисточника 6 марта 2018. Проверено 7 марта 2018.",
            "2018-03-07",
            "2018-03-06",
        ),
    ],
)
def test_swedish_polish_russian_access_and_archive_clauses(line: str, access: str, archive: str | None) -> None:
    fields = parse_citation_line(line)
    assert iso(fields.access_date) == access
    assert iso(fields.archive_date) == archive
    assert fields.work is not None and fields.work[-1].isalpha()
    assert fields.publisher is None  # neither the clause nor its bracket is left behind as a name


@pytest.mark.parametrize(
    ("line", "access"),
    [
        ("Hafenpläne, Küstenblatt, abgerufen am 3. März 2020. Harbour plans. Retrieved 4 March 2020.", "2020-03-03"),
        ('"Harbour plans". Gazette. Retrieved 4 March 2020. Hafenpläne, abgerufen am 3. März 2020.', "2020-03-04"),
        ('"Plany portu". Gazeta. [dostęp 2020-01-13]. Accessed 2020-01-14.', "2020-01-13"),
    ],
)
def test_the_first_access_phrase_of_any_language_is_the_access_clause(line: str, access: str) -> None:
    fields = parse_citation_line(line)
    assert iso(fields.access_date) == access
    for value in (fields.title, fields.work, fields.publisher):
        assert value is None or ("etrieved" not in value and "bgerufen" not in value), value


@pytest.mark.parametrize(
    ("line", "date"),
    [
        ('"Hamnplaner". Kustbladet. 3 okt. 2019.', "2019-10-03"),
        ("Hamnplaner. Kustbladet, 3 okt. 2019.", "2019-10-03"),
        ("Hafenpläne. Küstenblatt, 3. Oktober 2019.", "2019-10-03"),
        ("«Планы порта». Береговая газета. 5 сент. 2018.", "2018-09-05"),
    ],
)
def test_a_local_date_after_the_work_is_the_date(line: str, date: str) -> None:
    fields = parse_citation_line(line)
    assert iso(fields.date) == date
    for value in (fields.work, fields.publisher):
        assert value is None or date[:4] not in value, value


def test_a_title_named_after_mars_is_no_date() -> None:
    fields = parse_citation_line("Mars 2020. Mission Notes. Space Agency.")
    assert fields.title == "Mars 2020"
    assert fields.date is None


# --------------------------------------------------------------------------- author lists


@pytest.mark.parametrize(
    ("line", "authors", "title"),
    [
        (
            "Fenwick, Harriet and Ostrava, Karel. Coastal Birds of the North. Tidewater Press 2003, p. 51.",
            ["Harriet Fenwick", "Karel Ostrava"],
            "Coastal Birds of the North",
        ),
        (
            "Fenwick, Harriet and Ostrava, Karel (2003). Coastal Birds. Tidewater Press.",
            ["Harriet Fenwick", "Karel Ostrava"],
            "Coastal Birds",
        ),
        (
            "Fenwick, Ostrava and Marsh (2003). Coastal Birds. Tidewater Press.",
            ["Fenwick", "Ostrava", "Marsh"],
            "Coastal Birds",
        ),
        ("Fenwick, H.; Ostrava, K. Coastal Birds. Tidewater Press.", ["H. Fenwick", "K. Ostrava"], "Coastal Birds"),
        ("Fenwick, H. R. Coastal Birds. Tidewater Press.", ["H. R. Fenwick"], "Coastal Birds"),
        (
            "Fenwick, H., Ostrava, K. and Marsh, T. (2003). Coastal Birds. Tidewater Press.",
            ["H. Fenwick", "K. Ostrava", "T. Marsh"],
            "Coastal Birds",
        ),
        (
            "Fenwick, Harriet, and Karel Ostrava (2003). Coastal Birds. Tidewater Press.",
            ["Harriet Fenwick", "Karel Ostrava"],
            "Coastal Birds",
        ),
        (
            "Fenwick, H., Ostrava and Marsh (2003). Coastal Birds. Tidewater Press.",
            ["H. Fenwick", "Ostrava", "Marsh"],
            "Coastal Birds",
        ),
        ('Van Houten, M. R. (2007). "Coastal Birds". Ornithology Letters.', ["M. R. Van Houten"], "Coastal Birds"),
        ("Fenwick, Harriet R. Coastal Birds. Tidewater Press, 1982.", ["Harriet R. Fenwick"], "Coastal Birds"),
        ("Fenwick HR, Ostrava K. 2014. Coastal Birds. Tidewater Press.", ["Fenwick HR", "Ostrava K"], "Coastal Birds"),
        ("Harriet Fenwick. Coastal Birds of the North (1962)", ["Harriet Fenwick"], "Coastal Birds of the North"),
        (
            'A note on the names. Fenwick, Harriet (2022). "Coastal Birds". Tidewater Press.',
            ["Harriet Fenwick"],
            "Coastal Birds",
        ),
        (
            'Bureau of Coastal and Marine Affairs (2009). "Coastal Birds". Harbour Board.',
            ["Bureau of Coastal and Marine Affairs"],
            "Coastal Birds",
        ),
        ("Zeidler، Eberhard (2004). Coastal Birds. Tidewater Press.", ["Eberhard Zeidler"], "Coastal Birds"),
    ],
)
def test_author_lists_split_by_the_evidence_of_their_names(line: str, authors: list[str], title: str) -> None:
    fields = parse_citation_line(line)
    assert fields.authors == authors
    assert fields.title == title
    assert SourceFlag.short_citation not in fields.flags


@pytest.mark.parametrize(
    ("line", "authors", "year"),
    [
        ("Fenwick, Ostrava & Marsh 2008, p. 72.", ["Fenwick", "Ostrava", "Marsh"], "2008"),
        ("Fenwick 2003, p. 41.", ["Fenwick"], "2003"),
        ("St. Clair 2003, p. 4.", ["St. Clair"], "2003"),
    ],
)
def test_short_citations_are_still_short_citations(line: str, authors: list[str], year: str) -> None:
    fields = parse_citation_line(line)
    assert SourceFlag.short_citation in fields.flags
    assert fields.authors == authors
    assert iso(fields.date) == year


@pytest.mark.parametrize(
    ("line", "publisher", "date"),
    [
        (
            "Fenwick, Harriet. Coastal Birds. Tidewater University Press 2005. p. 4.",
            "Tidewater University Press",
            "2005",
        ),
        ('"Coastal Birds". Freedom of the Press 2015. Harbour Board.', "Harbour Board", None),
    ],
)
def test_a_year_after_a_publishers_name_is_the_date(line: str, publisher: str, date: str | None) -> None:
    fields = parse_citation_line(line)
    assert fields.publisher == publisher
    assert iso(fields.date) == date


def test_arabic_page_words_and_error_messages_are_no_names() -> None:
    fields = parse_citation_line(
        "Zeidler، Eberhard (2004). Coastal Birds. Oxford: Tidewater Press. صفحة 1188. "
        "الوسيط |الصفحة= تم تجاهله (مساعدة)"
    )
    assert fields.authors == ["Eberhard Zeidler"]
    assert fields.publisher == "Tidewater Press"
    assert fields.work is None


@pytest.mark.parametrize(
    ("line", "title", "publisher", "date"),
    [
        (
            "Harriet Fenwick, Coastal Birds of the North (Portsmouth: Tidewater Press, 1970), p. 38.",
            "Harriet Fenwick, Coastal Birds of the North",
            "Tidewater Press",
            "1970",
        ),
        ("Fenwick, Harriet. Coastal Birds, Tidewater Press, 2004.", "Coastal Birds, Tidewater Press", None, "2004"),
        ("The Harbour Strike, 1951. Tidewater Press.", "The Harbour Strike, 1951", "Tidewater Press", None),
    ],
)
def test_an_imprint_or_year_closing_an_unquoted_title_is_the_date(
    line: str, title: str, publisher: str | None, date: str | None
) -> None:
    fields = parse_citation_line(line)
    assert fields.title == title
    assert fields.publisher == publisher
    assert iso(fields.date) == date


@pytest.mark.parametrize(
    ("line", "work", "publisher"),
    [
        ("Hafenpläne für Besucher. In: Küstenblatt. abgerufen am 2016-04-03.", "Küstenblatt", None),
        ('Fenwick, H. (2003). "Tides". In: Coastal Studies. Tidewater Press.', "Coastal Studies", "Tidewater Press"),
    ],
)
def test_in_colon_names_the_containing_work(line: str, work: str, publisher: str | None) -> None:
    fields = parse_citation_line(line)
    assert fields.work == work
    assert fields.publisher == publisher


# --------------------------------------------------------------------------- German "Autor: Titel. In: …"


@pytest.mark.parametrize(
    ("line", "authors", "title"),
    [
        (
            "Hanna Feld: Neue Brücke über den Kanal. In: Küstenblatt. 2019-05-02, abgerufen am 2019-05-03.",
            ["Hanna Feld"],
            "Neue Brücke über den Kanal",
        ),
        (
            "Jonas Ebert, Ute Marquardt: Hafenpläne: Der Entwurf. In: Küstenblatt, 3. März 2020, abgerufen am 4. März"
            " 2020.",
            ["Jonas Ebert", "Ute Marquardt"],
            "Hafenpläne: Der Entwurf",
        ),
        (
            "Jonas Ebert u. Ute Marquardt: Hafenpläne. Tidenverlag, Kiel 2004.",
            ["Jonas Ebert", "Ute Marquardt"],
            "Hafenpläne",
        ),
        (
            "H.-J. Ebert / K. Marquardt: Hafenpläne. In: Küstenblatt. Band 4, S. 1–20.",
            ["H.-J. Ebert", "K. Marquardt"],
            "Hafenpläne",
        ),
        ("Ebert, Jonas; Marquardt, Ute: Hafenpläne. In: Küstenblatt.", ["Jonas Ebert", "Ute Marquardt"], "Hafenpläne"),
        ("Jonas Ebert: Hafenpläne für Kiel. abgerufen am 2014-11-09.", ["Jonas Ebert"], "Hafenpläne für Kiel"),
        (
            "Anna von Feld: Hafenpläne, 9. November 2014.",  # a German date, no clause
            ["Anna von Feld"],
            "Hafenpläne",
        ),
    ],
)
def test_german_authors_before_a_colon(line: str, authors: list[str], title: str) -> None:
    fields = parse_citation_line(line)
    assert fields.authors == authors
    assert fields.title == title


@pytest.mark.parametrize(
    ("line", "title"),
    [
        # a product, a sentence's first words, a site, one word: a title's first half
        ("Mozilla Firefox: Neue Version erschienen. In: Küstenblatt. abgerufen am 2020-03-04.", None),
        ("Statt Firefox: Neuer Browser erschienen. abgerufen am 2017-01-24.", None),
        ("Hafenwiki: Neue Pläne. abgerufen am 2017-01-24.", None),
        ("Tidenblatt.de: Neue Pläne. abgerufen am 2017-01-24.", None),
        ("Interview mit Jonas Ebert: Neue Pläne. In: Küstenblatt.", None),
        # English lines: a biography's title, a comma-written entry
        ("Steve Jobs: A Life in Harbours. Tidewater Press. 2011.", None),
        ("Harriet Fenwick, Jonas Ebert: The First Harbour Master, Portsmouth: Tidewater Press, 1906, p. 20", None),
    ],
)
def test_a_title_before_its_colon_is_no_author(line: str, title: str | None) -> None:
    fields = parse_citation_line(line)
    assert fields.authors == []
    assert fields.title is not None and ":" in fields.title


def test_german_editors_edition_volume_and_imprint() -> None:
    fields = parse_citation_line(
        "Jonas Ebert (Hrsg.): Hafenpläne. Bd. 2. 3., überarb. Auflage. Tidenverlag, Kiel 2004."
    )
    assert (fields.authors, fields.editors) == ([], ["Jonas Ebert"])
    assert (fields.title, fields.work, fields.publisher) == ("Hafenpläne", None, "Tidenverlag")
    assert iso(fields.date) == "2004"
    fields = parse_citation_line(
        "Ute Marquardt: Hafenpläne. Hrsg.: Jonas Ebert. 2. Aufl. Verlag Tide, Kiel/Husum 2004, ISBN 978-3-16-148410-0,"
        " S. 12–14."
    )
    assert (fields.authors, fields.editors) == (["Ute Marquardt"], ["Jonas Ebert"])
    assert (fields.title, fields.work, fields.publisher) == ("Hafenpläne", None, "Verlag Tide")
    assert iso(fields.date) == "2004"
    fields = parse_citation_line(
        "Ute Marquardt: Die Mole. In: Jonas Ebert (Hrsg.): Hafenbuch. Tidenverlag, Kiel 2004, S. 3."
    )
    assert (fields.authors, fields.editors) == (["Ute Marquardt"], ["Jonas Ebert"])
    assert (fields.title, fields.work, fields.publisher) == ("Die Mole", "Hafenbuch", "Tidenverlag")


def test_german_low_quotes_close_at_the_high_one() -> None:
    fields = parse_citation_line("Jonas Ebert: Über den „Hafenplan“. 2006-02-14, abgerufen am 2011-07-26.")
    assert fields.authors == ["Jonas Ebert"]
    assert fields.title == "Über den „Hafenplan"
    assert iso(fields.date) == "2006-02-14"
