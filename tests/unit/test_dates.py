"""Partial dates: parsing every form citations use, keeping precision, comparing intervals."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import BaseModel

from citecheck import dates
from citecheck.dates import IsoPartialDate, PartialDate, find_dates, match_date_at, parse_date


@pytest.mark.parametrize(
    ("text", "iso", "precision"),
    [
        ("14 April 2011", "2011-04-14", "day"),
        ("April 14, 2011", "2011-04-14", "day"),
        ("Apr. 14, 2011", "2011-04-14", "day"),
        ("Sept. 5, 2013", "2013-09-05", "day"),
        ("5th September 2013", "2013-09-05", "day"),
        ("2014-01-20", "2014-01-20", "day"),
        ("2014-01-20T12:30:00Z", "2014-01-20", "day"),
        ("15–16 January 2001", "2001-01-15", "day"),
        ("January 15–16, 2001", "2001-01-15", "day"),
        ("May 2010", "2010-05", "month"),
        ("2010-05", "2010-05", "month"),
        ("May–June 2010", "2010-05", "month"),
        ("Spring 2010", "2010-21", "season"),
        ("Winter 2010", "2010-24", "season"),
        ("2010", "2010", "year"),
        ("2010–11", "2010", "year"),
        ("c. 1990", "1990~", "year"),
        ("(14 April 2011).", "2011-04-14", "day"),
    ],
)
def test_parse_date_forms(text: str, iso: str, precision: str) -> None:
    parsed = parse_date(text)
    assert parsed is not None
    assert parsed.iso() == iso
    assert parsed.precision == precision


@pytest.mark.parametrize(
    "text",
    ["", None, "n.d.", "31 February 2011", "2011-13-01", "April 31, 2011", "yesterday", "14 April", "1234", "2011 x"],
)
def test_parse_date_rejects(text: str | None) -> None:
    assert parse_date(text) is None


def test_unicode_case_folding_look_alikes_do_not_crash() -> None:
    # re.IGNORECASE lets the long s match "s"; the month lookup must cope.
    assert parse_date("Auguſt 2010") == PartialDate(year=2010, month=8)
    assert parse_date("ſpring 2010") == PartialDate(year=2010, month=21)
    assert find_dates("on 5 Auguſt 2010 it") == [(PartialDate(year=2010, month=8, day=5), 3, 16)]


def test_leap_day() -> None:
    assert parse_date("29 February 2012") == PartialDate(year=2012, month=2, day=29)
    assert parse_date("29 February 2011") is None


def test_find_dates_skips_bare_years_and_keeps_positions() -> None:
    text = "Killed 34 in 2011; UN said on 14 April 2011 and again in May 2011."
    found = find_dates(text)
    assert [(found_date.iso(), text[start:end]) for found_date, start, end in found] == [
        ("2011-04-14", "14 April 2011"),
        ("2011-05", "May 2011"),
    ]


def test_match_date_at_reads_from_a_position() -> None:
    text = "Retrieved 8 May 2011. Archived"
    result = match_date_at(text, len("Retrieved "))
    assert result is not None
    parsed, end = result
    assert parsed.iso() == "2011-05-08"
    assert text[end:] == ". Archived"
    assert match_date_at(text, 0) is None
    assert match_date_at("May 5, 2013, retrieved", 0) == (PartialDate(year=2013, month=5, day=5), 11)
    assert match_date_at("2011a.", 0) == (PartialDate(year=2011), 5)
    assert match_date_at("20110", 0) is None  # a longer number is not a year


def test_interval_comparisons_respect_precision() -> None:
    year = PartialDate(year=2010)
    day = PartialDate(year=2010, month=5, day=3)
    assert not year.definitely_before(day)
    assert not day.definitely_before(year)
    assert PartialDate(year=2009).definitely_before(day)
    assert day.definitely_before(PartialDate(year=2010, month=5, day=10), slack_days=3)
    assert not day.definitely_before(PartialDate(year=2010, month=5, day=5), slack_days=3)
    winter = PartialDate(year=2010, month=24)
    assert winter.earliest() == date(2010, 12, 1)
    assert winter.latest() == date(2011, 2, 28)


def test_iso_round_trip_and_model_serialisation() -> None:
    class Holder(BaseModel):
        value: IsoPartialDate

    for text in ["2011", "2011-04", "2011-04-14", "2010-21", "1990~"]:
        assert PartialDate.from_iso(text).iso() == text
        holder = Holder.model_validate({"value": text})
        assert holder.model_dump(mode="json") == {"value": text}
    assert Holder.model_validate({"value": date(2011, 4, 14)}).value == PartialDate(year=2011, month=4, day=14)
    with pytest.raises(ValueError):
        PartialDate.from_iso("2011-02-30")


# --- the one alternation of date kinds reads what trying each kind in turn reads ---------------------------------

_DATE_PIECES = [
    "14 April 2011",
    "April 14, 2011",
    "Apr. 14, 2011",
    "Sept. 5, 2013",
    "5th September 2013",
    "2014-01-20",
    "2014-01-20T12:30:00Z",
    "15–16 January 2001",
    "January 15 - 16, 2001",
    "May 2010",
    "2010-05",
    "May–June 2010",
    "Spring 2010",
    "Fall–Winter 2010",
    "2010",
    "2010a",
    "1990–95",
    "2011-02-30",
    "2011-02-29",
    "2012-02-29",
    "31 June 2011",
    "29 February 2011",
    "February 30, 2011",
    "Aprİl 5, 2011",
    "5 Auguſt 2011",
    "Dec 2109",
    "1499",
    "2200",
    "c. 1990",
    "ca. May 2010",
    "approx 2001",
    "2011-13",
    "2011-1",
    "3 mai 2014",
    "n.d.",
]


def _each_kind_in_turn_at(text: str, start: int) -> tuple[PartialDate, int] | None:
    """match_date_at as it was written before the kinds shared one pattern: each kind's own, in order."""
    approximate = False
    approx = dates._APPROX_RE.match(text, start) if text[start : start + 1] in "cCaA" else None
    if approx:
        approximate, start = True, approx.end()
    for kind in dates._KINDS:
        match = dates._kind_pattern(kind).match(text, start)
        if match:
            parsed = dates._from_match(kind, match, approximate)
            if parsed is not None:
                return parsed, match.end()
    return None


def _texts_around_dates() -> list[str]:
    texts = []
    for piece in _DATE_PIECES:
        for before, after in (("", ""), ("Retrieved ", "."), ("(", ")"), ("x", "-y"), ("on ", " at the Wayback")):
            texts.append(before + piece + after)
            texts.append((before + piece + after).upper())
    return texts


@pytest.mark.parametrize("text", _texts_around_dates())
def test_match_date_at_reads_what_each_kind_in_turn_reads(text: str) -> None:
    for start in range(len(text)):
        assert match_date_at(text, start) == _each_kind_in_turn_at(text, start), (text, start)


@pytest.mark.parametrize("text", _texts_around_dates())
def test_parse_date_reads_the_first_kind_that_matches_the_whole_string(text: str) -> None:
    cleaned = text.strip().strip(".,;()[] ")
    approx = dates._APPROX_RE.match(cleaned)
    rest = cleaned[approx.end() :] if approx else cleaned
    first = next((kind for kind in dates._KINDS if dates._kind_pattern(kind).fullmatch(rest)), None)
    parsed = parse_date(text)
    if first is None:
        assert parsed is None or not rest.isascii() or dates._may_be_local_date(rest)
    else:
        assert parsed == dates._from_match(first, dates._kind_pattern(first).fullmatch(rest), bool(approx))  # type: ignore[arg-type]


def test_the_first_kind_that_is_no_date_gives_way_to_the_next() -> None:
    # "31 June 2011" is read as a day-month-year and rejected; no later kind reads it either.
    assert match_date_at("31 June 2011", 0) is None
    assert match_date_at("30 June 2011.", 0) == (PartialDate(year=2011, month=6, day=30), 12)
    # The same date read twice is the same value (cached reads return equal, immutable models).
    assert parse_date("14 April 2011") is parse_date(" 14 April 2011 ") or parse_date("14 April 2011") == parse_date(
        " 14 April 2011 "
    )
    assert parse_date("x" * 100 + " 2011") is None  # past the cached length: read afresh, same answer
    assert parse_date(" " * 70 + "2011") == PartialDate(year=2011)
