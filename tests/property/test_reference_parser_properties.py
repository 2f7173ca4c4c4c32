"""Hypothesis properties of the reference parsers: never raise, and dates survive a round trip."""

from __future__ import annotations

import calendar
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from citecheck.dates import PartialDate, find_dates, match_date_at, parse_date
from citecheck.references import parse_archive_url, parse_citation_line, reference_from_text
from citecheck.references.archive_urls import parse_timestamp

# Citation-shaped vocabulary mixed with arbitrary text finds more edge cases than either alone.
FRAGMENTS = [
    "^",
    "↑",
    "^ a b c",
    "^ Jump up to:",
    "3.0 3.1",
    '"',
    "“",
    "”",
    "(",
    ")",
    "[",
    "]",
    ". ",
    ", ",
    "; ",
    " and ",
    " et al.",
    "(PDF)",
    "(ed.)",
    "Retrieved ",
    "retrieved ",
    "Archived from the original on ",
    "archived (PDF) from the original on ",
    "Archived ",
    " at the Wayback Machine",
    "[dead link]",
    "[permanent dead link\u200d]",
    "{{dead link}}",
    "14 April 2011",
    "April 14, 2011",
    "2014-01-20",
    "May 2010",
    "Spring 2010",
    "2011",
    "c. 1990",
    "n.d.",
    "Williams, Carol J.",
    "Frank Jordans",
    "Los Angeles Times",
    "Auckland: Penguin",
    "pp. 52–54",
    "ISBN 0-670-83298-7",
    "doi:10.1/x",
    "8 (12): 429",
    "https://web.archive.org/web/20131105012345/http://example.com/a",
    "http://example.com/a_(b).",
    "https://archive.ph/AbC12",
    "Cite journal requires |journal= (help)",
    "[1]",
    "Auguſt",
    "\u00a0",
    "\u200b",
]

citation_like = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12)), max_size=25).map("".join)
any_text = st.one_of(st.text(), citation_like)


@given(any_text)
@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
def test_parse_citation_line_never_raises(text: str) -> None:
    fields = parse_citation_line(text)
    assert isinstance(fields.text, str)
    assert fields.backlinks is None or fields.backlinks >= 1
    assert all(url.lower().startswith(("http://", "https://")) for url in fields.urls)
    for flag in fields.flags:
        assert flag in {"dead-link", "permanent-dead-link", "empty", "short-citation"}


@given(any_text)
@settings(max_examples=200)
def test_reference_from_text_never_raises(text: str) -> None:
    reference = reference_from_text(id="1", raw=text)
    assert reference.raw == text
    reference.model_dump_json()  # every field serialises


@given(any_text)
@settings(max_examples=300)
def test_date_functions_never_raise(text: str) -> None:
    parse_date(text)
    for found, start, end in find_dates(text):
        assert 0 <= start < end <= len(text)
        assert parse_date(text[start:end]) == found
    for position in range(0, len(text), max(1, len(text) // 5)):
        result = match_date_at(text, position)
        if result is not None:
            assert position < result[1] <= len(text)


archive_prefixes = st.sampled_from(
    [
        "https://web.archive.org/web/",
        "http://wayback.archive.org/web/",
        "https://archive.ph/",
        "https://archive.today/newest/",
        "https://www.webcitation.org/abc?url=",
        "https://arquivo.pt/wayback/",
        "https://www.webarchive.org.uk/wayback/archive/",
        "http://localhost/coll/",
        "",
    ]
)


@given(archive_prefixes, st.text(max_size=40), st.booleans())
@settings(max_examples=300)
def test_parse_archive_url_never_raises(prefix: str, rest: str, generic: bool) -> None:
    parsed = parse_archive_url(prefix + rest, generic=generic)
    if parsed is not None and parsed.timestamp is not None:
        offset = parsed.timestamp.utcoffset()
        assert offset is not None
        assert offset.total_seconds() == 0


@given(st.text(alphabet="0123456789.-", max_size=20))
def test_parse_timestamp_never_raises(digits: str) -> None:
    parsed = parse_timestamp(digits)
    if parsed is not None:
        assert parsed[1] in {"year", "month", "day", "hour", "minute", "second"}


# --------------------------------------------------------------------------- round trips

days = st.dates(min_value=date(1800, 1, 1), max_value=date(2099, 12, 31))


@st.composite
def partial_dates(draw: st.DrawFn) -> tuple[PartialDate, str]:
    """A date of any precision and one way a citation writes it."""
    day = draw(days)
    month_name = calendar.month_name[day.month]
    kind = draw(st.sampled_from(["dmy", "mdy", "iso", "my", "year", "season"]))
    if kind == "dmy":
        return PartialDate.from_date(day), f"{day.day} {month_name} {day.year}"
    if kind == "mdy":
        return PartialDate.from_date(day), f"{month_name} {day.day}, {day.year}"
    if kind == "iso":
        return PartialDate.from_date(day), day.isoformat()
    if kind == "my":
        return PartialDate(year=day.year, month=day.month), f"{month_name} {day.year}"
    if kind == "season":
        season, number = draw(st.sampled_from([("Spring", 21), ("Summer", 22), ("Autumn", 23), ("Winter", 24)]))
        return PartialDate(year=day.year, month=number), f"{season} {day.year}"
    return PartialDate(year=day.year), str(day.year)


def day_text(day: date, mdy: bool) -> str:
    month_name = calendar.month_name[day.month]
    return f"{month_name} {day.day}, {day.year}" if mdy else f"{day.day} {month_name} {day.year}"


words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=10)
titles = st.lists(words, min_size=1, max_size=6).map(lambda parts: " ".join(parts).capitalize())
# Names of works are drawn from real-looking words: a work called "C" or "Bk" before a date is
# ambiguous even to a reader ("C. 1 January 2000" reads as circa).
WORK_WORDS = ["Times", "Herald", "News", "Journal", "Review", "Ministry", "Health", "Science", "Daily", "Post"]
WORK_WORDS += ["National", "Geographic", "Office", "United", "Nations", "Foreign", "Policy", "Economist", "of", "the"]
works = st.lists(st.sampled_from(WORK_WORDS), min_size=1, max_size=5).map(lambda parts: " ".join(parts).capitalize())
surnames = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=10).map(str.capitalize)


@given(
    date_pair=partial_dates(),
    access=days,
    archive=st.one_of(st.none(), days),
    title=titles,
    work=works,
    surname=st.one_of(st.none(), surnames),
    given_name=surnames,
    backlinks=st.integers(min_value=0, max_value=5),
    mdy=st.booleans(),
    cs2=st.booleans(),
    pdf=st.booleans(),
    dead=st.booleans(),
)
@settings(max_examples=300)
def test_composed_citation_round_trip(
    date_pair: tuple[PartialDate, str],
    access: date,
    archive: date | None,
    title: str,
    work: str,
    surname: str | None,
    given_name: str,
    backlinks: int,
    mdy: bool,
    cs2: bool,
    pdf: bool,
    dead: bool,
) -> None:
    published, published_text = date_pair
    separator = ", " if cs2 else ". "
    archived_word, retrieved_word = ("archived", "retrieved") if cs2 else ("Archived", "Retrieved")
    parts: list[str] = []
    quoted_title = f'"{title}"' + (" (PDF)" if pdf else "")
    if surname:
        head = f"{surname}, {given_name} ({published_text}){separator}{quoted_title}"
        parts = [head, work]
    else:
        parts = [quoted_title, work, published_text]
    if archive is not None:
        parts.append(f"{archived_word} from the original on {day_text(archive, mdy)}")
    parts.append(f"{retrieved_word} {day_text(access, mdy)}")
    line = separator.join(parts) + ("" if cs2 else ".")
    if dead:
        line += " [dead link]"
    if backlinks == 1:
        line = "^ " + line
    elif backlinks > 1:
        line = "^ " + " ".join("abcde"[:backlinks]) + " " + line

    fields = parse_citation_line(line)

    assert fields.date == published, line
    assert fields.access_date == PartialDate.from_date(access), line
    assert fields.archive_date == (PartialDate.from_date(archive) if archive else None), line
    assert fields.title == title, line
    assert fields.work == work, line
    assert fields.authors == ([f"{given_name} {surname}"] if surname else []), line
    assert fields.format == ("PDF" if pdf else None), line
    assert fields.flags == (["dead-link"] if dead else []), line
    assert fields.backlinks == (backlinks or None), line
