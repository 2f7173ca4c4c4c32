"""Dates in running text as intervals of days, the way claims and sources write them.

A date is what it may denote: ``2017`` is every day of 2017, ``June 2010``
every day of June, ``3–9 May 2012`` seven days, ``the 1980s`` ten years,
``12 July`` the twelfth of July of a year not given.  Comparing two dates is
comparing intervals (:func:`date_relation`): a source date inside the claim's
date *matches* it ("in 2017" and "7 November 2017"); a claim date inside a
coarser source date is *compatible* ("14 June 2010" and "June 2010"), neither
a match nor a miss; disjoint dates differ.

Formats read (:func:`find_date_spans`): ISO and ISO-like with ``-``, ``.`` or
``/`` (``2011-08-02``, ``2011.08.02``, ``2017-11-07 20:21:00``), numeric
day-month-year (``02.08.2011``, ``8/2/2011``: every valid reading is kept,
since the order is a convention), day-month-year and month-day-year with full
or abbreviated months, ordinals and two-digit years (``3 Feb 21``,
``Dec. 12, 2018``, ``February 3rd, 2021``), ranges of days, months and years in
either order (``3–9 May 2012``, ``May 3–9, 2012``, ``July 4–5``,
``May–June 2012``, ``1998–1999``, ``2018–19``, ``from 1998 to 2001``),
day-month without a year, month-year, seasons (``fall 2016``) and decades
(``the 1980s``).  Month names must be capitalised (``may`` is a verb), and a
date glued to the next word by extraction (``December 12, 2018FILE``) still
counts.  Bare years are left to :mod:`citecheck.claims.figures`, which tells a
year from a count by context.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from citecheck.claims.casefold import word_key

__all__ = ["DateSpan", "date_relation", "find_date_spans", "year_span"]

Precision = Literal["day", "month", "season", "year", "decade"]
Relation = Literal["found", "compatible", "none"]

# Day-month dates without a year are placed in a leap year, so 29 February exists.
_YEARLESS = 2000
# Two-digit years: "'21" and "3 Feb 21" are 2021, "'98" is 1998.
_TWO_DIGIT_PIVOT = 50

_MONTH_NAMES = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
_MONTH_NAMES.update({name[:3].lower(): number for name, number in list(_MONTH_NAMES.items())})
_MONTH_NAMES["sept"] = 9
_SEASONS = {"spring": (3, 5), "summer": (6, 8), "autumn": (9, 11), "fall": (9, 11), "winter": (12, 14)}


def _month_alternation() -> str:
    # Capitalised or upper-case only: "may", "march" and "sat" are words before they are months.
    forms: list[str] = []
    for number in range(1, 13):
        full = calendar.month_name[number]
        short = full[:3]
        variants = {full, full.upper(), short, short.upper()}
        if number == 9:
            variants |= {"Sept", "SEPT"}
        forms += sorted(variants, key=len, reverse=True)
    forms.sort(key=len, reverse=True)
    return "|".join(forms)


_MON = rf"(?:{_month_alternation()})(?:\.|(?![A-Za-z]))"
_DAY = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_Y4 = r"(?:1\d\d\d|20\d\d|21\d\d)"
_Y4_BOUNDED = rf"{_Y4}(?!\d)"
# A two-digit year only where a four-digit one could stand, and never before more digits or a comma + digits.
_YEAR = rf"(?:{_Y4}(?!\d)|['’]?\d\d(?![\d])(?!\s+[a-z])(?![:.]\d))(?!,\d)"
_DASH = r"\s*(?:[-–—]|to|until|till|through|thru)\s*"
_SEASON = r"(?:[Ss]pring|[Ss]ummer|[Aa]utumn|[Ff]all|[Ww]inter)"
_WEEKDAY = r"(?:(?:Mon|Tues?|Wed(?:nes)?|Thu(?:rs)?|Fri|Sat(?:ur)?|Sun)(?:day)?\.?,?\s+)?"
# Where a date may start: not inside a word or a number ("F-16", "1.5", "x3").
_START = r"(?<![\w.,/-])"
_TIME = r"(?:[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)?)?"


_NAME_TRIGGER_RE = re.compile(rf"{_MON}|{_SEASON}")
# How far from a month or season name a date written around it may reach ("Wednesday, 12–19 December", ", 2018").
_WINDOW_BEFORE = 40
_WINDOW_AFTER = 40


@dataclass(frozen=True)
class DateSpan:
    """One reading of a written date: the first and last day it may denote."""

    first: date
    last: date
    precision: Precision
    yearless: bool = False  # "12 July": month and day only (placed in year 2000)
    is_range: bool = False  # written as a range ("3–9 May 2012", "1998–99")


@dataclass(frozen=True)
class _Found:
    start: int
    end: int
    spans: tuple[DateSpan, ...]


def _year_value(text: str, reference: int | None = None) -> int:
    digits = re.sub(r"\D", "", text)
    if len(digits) == 4:
        return int(digits)
    two = int(digits)
    if reference is not None:
        # "2018–19": the second year follows the first in its century.
        century = reference - reference % 100
        year = century + two
        return year if year >= reference else year + 100
    return (2000 if two < _TWO_DIGIT_PIVOT else 1900) + two


def _month_value(text: str) -> int:
    return _MONTH_NAMES[word_key(text.rstrip("."))]


def _day_value(text: str) -> int:
    return int(re.sub(r"\D", "", text))


def _day(year: int, month: int, day: int) -> date | None:
    if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(year, month)[1]:
        return None
    return date(year, month, day)


def _month_span(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def year_span(year: int, *, is_range_end: int | None = None) -> DateSpan:
    """The span of a year, or of the years ``year``–``is_range_end``."""
    last = is_range_end if is_range_end is not None else year
    return DateSpan(date(year, 1, 1), date(last, 12, 31), "year", is_range=is_range_end is not None)


def _days(first: date | None, last: date | None, *, yearless: bool = False, is_range: bool = False) -> DateSpan | None:
    if first is None or last is None or last < first:
        return None
    return DateSpan(first, last, "day", yearless=yearless, is_range=is_range)


def _months(
    year: int, first_month: int, last_month: int, last_year: int | None = None, *, is_range: bool = False
) -> DateSpan | None:
    first, _ = _month_span(year, first_month)
    _, last = _month_span(last_year if last_year is not None else year, last_month)
    if last < first:
        return None
    return DateSpan(first, last, "month", is_range=is_range)


# --------------------------------------------------------------------------- patterns, most specific first


def _iso(match: re.Match[str]) -> tuple[DateSpan, ...]:
    year, month, day = int(match["y"]), int(match["m"]), int(match["d"])
    span = _days(_day(year, month, day), _day(year, month, day))
    return (span,) if span else ()


def _numeric_dmy(match: re.Match[str]) -> tuple[DateSpan, ...]:
    first, second, year = int(match["a"]), int(match["b"]), int(match["y"])
    # "02.08.2011" is day first where dots are written; with slashes or hyphens either order is in use.
    orders = [(first, second)] if match["sep"] == "." else [(first, second), (second, first)]
    spans: list[DateSpan] = []
    for day, month in orders:
        found = _day(year, month, day)
        if found is not None:
            span = DateSpan(found, found, "day")
            if span not in spans:
                spans.append(span)
    return tuple(spans)


def _full_date(match: re.Match[str]) -> tuple[DateSpan, ...]:
    year = _year_value(match["y"])
    month = _month_value(match["mon"])
    first = _day(year, month, _day_value(match["d"]))
    if match["d2"]:
        last = _day(year, month, _day_value(match["d2"]))
        span = _days(first, last, is_range=True)
    else:
        span = _days(first, first)
    return (span,) if span else ()


def _cross_month_range(match: re.Match[str]) -> tuple[DateSpan, ...]:
    year = _year_value(match["y"])
    first = _day(year, _month_value(match["mon"]), _day_value(match["d"]))
    last = _day(year, _month_value(match["mon2"]), _day_value(match["d2"]))
    span = _days(first, last, is_range=True)
    return (span,) if span else ()


def _yearless(match: re.Match[str]) -> tuple[DateSpan, ...]:
    month = _month_value(match["mon"])
    first = _day(_YEARLESS, month, _day_value(match["d"]))
    if match["d2"]:
        span = _days(first, _day(_YEARLESS, month, _day_value(match["d2"])), yearless=True, is_range=True)
    else:
        span = _days(first, first, yearless=True)
    return (span,) if span else ()


def _month_year(match: re.Match[str]) -> tuple[DateSpan, ...]:
    year = _year_value(match["y"])
    month = _month_value(match["mon"])
    if match["mon2"]:
        last_year = _year_value(match["y0"]) if match["y0"] else None
        if last_year is not None:
            year, last_year = last_year, year  # "May 2012 – June 2013": y0 is the first year
        span = _months(year, month, _month_value(match["mon2"]), last_year, is_range=True)
    else:
        span = _months(year, month, month)
    return (span,) if span else ()


def _season(match: re.Match[str]) -> tuple[DateSpan, ...]:
    year = _year_value(match["y"])
    first_month, last_month = _SEASONS[word_key(match["season"])]
    first, _ = _month_span(year, first_month)
    last_year, last_month = (year + 1, last_month - 12) if last_month > 12 else (year, last_month)
    _, last = _month_span(last_year, last_month)
    return (DateSpan(first, last, "season"),)


def _year_range(match: re.Match[str]) -> tuple[DateSpan, ...]:
    if match["sep"] == "and" and not match["between"]:
        return ()  # "in 1998 and 2001" names two years, not a range
    first = int(match["y"])
    last = _year_value(match["y2"], reference=first)
    if not first < last <= first + 100:
        return ()
    return (year_span(first, is_range_end=last),)


def _decade(match: re.Match[str]) -> tuple[DateSpan, ...]:
    digits = re.sub(r"\D", "", match["decade"])
    start = int(digits) if len(digits) == 4 else _year_value(digits)
    if start % 10:
        return ()
    return (DateSpan(date(start, 1, 1), date(start + 9, 12, 31), "decade"),)


_PATTERNS: list[tuple[re.Pattern[str], Callable[[re.Match[str]], tuple[DateSpan, ...]], bool]] = [
    (
        re.compile(
            rf"(?<![\w.,/-])(?P<y>{_Y4})(?P<sep>[-./])(?P<m>0?[1-9]|1[0-2])(?P=sep)(?P<d>[12]\d|3[01]|0?[1-9])"
            rf"{_TIME}(?!\d)"
        ),
        _iso,
        False,
    ),
    (
        re.compile(
            rf"(?<![\w.,/-])(?P<a>[12]\d|3[01]|0?[1-9])(?P<sep>[./-])(?P<b>[12]\d|3[01]|0?[1-9])(?P=sep)"
            rf"(?P<y>{_Y4})(?![\d])"
        ),
        _numeric_dmy,
        False,
    ),
    # 3 May – 9 June 2012 / May 30 – June 2, 2012
    (
        re.compile(
            rf"{_START}(?P<d>{_DAY})\s+(?:of\s+)?(?P<mon>{_MON}){_DASH}(?P<d2>{_DAY})\s+(?:of\s+)?"
            rf"(?P<mon2>{_MON}),?\s+(?P<y>{_YEAR})"
        ),
        _cross_month_range,
        True,
    ),
    (
        re.compile(
            rf"{_START}(?P<mon>{_MON})\s+(?P<d>{_DAY}){_DASH}(?P<mon2>{_MON})\s+(?P<d2>{_DAY}),?\s+"
            rf"(?P<y>{_YEAR})"
        ),
        _cross_month_range,
        True,
    ),
    # 3–9 May 2012 / 3 Feb 21 / 3rd of February 2021 / Wednesday, 12 December 2018
    (
        re.compile(
            rf"{_START}{_WEEKDAY}(?P<d>{_DAY})(?:{_DASH}(?P<d2>{_DAY}))?\s+(?:of\s+)?(?P<mon>{_MON}),?\s+"
            rf"(?P<y>{_YEAR})"
        ),
        _full_date,
        True,
    ),
    # May 3–9, 2012 / Dec. 12, 2018 / February 3rd 2021
    (
        re.compile(
            rf"{_START}{_WEEKDAY}(?P<mon>{_MON})\s+(?P<d>{_DAY})(?:{_DASH}(?P<d2>{_DAY}))?(?:,\s*|\s+)"
            rf"(?P<y>{_YEAR})"
        ),
        _full_date,
        True,
    ),
    # May–June 2012 / August through October 2007 / May 2012 – June 2013
    (
        re.compile(
            rf"{_START}(?P<mon>{_MON})(?:,?\s+(?P<y0>{_Y4_BOUNDED}))?{_DASH}(?P<mon2>{_MON}),?\s+"
            rf"(?:of\s+)?(?P<y>{_Y4_BOUNDED})"
        ),
        _month_year,
        True,
    ),
    # June 2010 / Jun. 2010 / June of 2010 / Feb '21
    (
        re.compile(rf"{_START}(?P<mon>{_MON}),?\s+(?:of\s+)?(?P<y>{_Y4_BOUNDED}|['’]\d\d(?!\d))(?P<mon2>)(?P<y0>)"),
        _month_year,
        True,
    ),
    (re.compile(rf"{_START}(?P<season>{_SEASON})(?:\s+of)?\s+(?P<y>{_Y4_BOUNDED})"), _season, True),
    # 12 July / 3–9 May / July 4–5 / July 4th (no year)
    (re.compile(rf"{_START}(?P<d>{_DAY})(?:{_DASH}(?P<d2>{_DAY}))?\s+(?:of\s+)?(?P<mon>{_MON})"), _yearless, True),
    # ("3 May 15 people": the day before the month wins.)
    (
        re.compile(rf"{_START}(?<!\d\s)(?P<mon>{_MON})\s+(?P<d>{_DAY})(?:{_DASH}(?P<d2>{_DAY}))?(?![\d,]\d|\d|:)"),
        _yearless,
        True,
    ),
    # 1998–1999 / 1998–99 / 2018/19 / from 1998 to 2001 / between 1998 and 2001
    (
        re.compile(
            rf"(?<![\w.,/-])(?:(?P<between>[Bb]etween)\s+)?(?P<y>{_Y4})\s*(?P<sep>[-–—/]|to|until|through|and)\s*"
            rf"(?P<y2>{_Y4}|\d\d)(?![\d%]|,\d)"
            r"(?!\s*(?:%|per\s*cent|percent))"
        ),
        _year_range,
        False,
    ),
    (re.compile(r"(?<![\w.,/-])(?P<decade>(?:1[0-9]|20)\d0|['’]\d0)s(?![\w])"), _decade, False),
]


# Every date pattern holds a digit (``\d`` here, the widest digit class any of them uses): a quick "nothing to find".
_ANY_DIGIT_RE = re.compile(r"\d")


def _named_windows(text: str) -> list[tuple[int, int]]:
    """Stretches of ``text`` around month and season names, merged: the only places a named date can be."""
    windows: list[tuple[int, int]] = []
    for match in _NAME_TRIGGER_RE.finditer(text):
        start, end = max(0, match.start() - _WINDOW_BEFORE), min(len(text), match.end() + _WINDOW_AFTER)
        # Whole words only: a window must not cut "2018" to "20", which would read as a two-digit year.
        while start > 0 and not text[start - 1].isspace():
            start -= 1
        while end < len(text) and not text[end].isspace():
            end += 1
        if windows and start <= windows[-1][1]:
            windows[-1] = (windows[-1][0], end)
        else:
            windows.append((start, end))
    return windows


def find_date_spans(text: str) -> list[tuple[int, int, tuple[DateSpan, ...]]]:
    """Dates written in ``text``, as ``(start, end, readings)`` in text order; bare years are left out.

    Where patterns overlap, the longest written date wins ("3–9 May 2012" over "9 May 2012").
    """
    if _ANY_DIGIT_RE.search(text) is None:
        return []  # every pattern needs a digit (a day, a year, a decade)
    found: list[_Found] = []
    windows = _named_windows(text)
    for pattern, build, named in _PATTERNS:
        # Patterns with a month or season name run only around the names: a tenth of the text, or less.
        for start, end in windows if named else [(0, len(text))]:
            for match in pattern.finditer(text, start, end):
                try:
                    spans = build(match)
                except (ValueError, KeyError, OverflowError):
                    continue
                if spans:
                    found.append(_Found(match.start(), match.end(), spans))
    found.sort(key=lambda item: (item.start, -(item.end - item.start)))
    chosen: list[_Found] = []
    for item in sorted(found, key=lambda item: -(item.end - item.start)):
        if all(item.end <= other.start or other.end <= item.start for other in chosen):
            chosen.append(item)
    chosen.sort(key=lambda item: item.start)
    return [(item.start, item.end, item.spans) for item in chosen]


# --------------------------------------------------------------------------- comparing


def _month_day(day: date) -> tuple[int, int]:
    return day.month, day.day


def _project(span: DateSpan) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """A span as month-day bounds within one year (for comparing with a date that gives no year)."""
    if span.precision != "day" or (not span.yearless and span.first.year != span.last.year):
        return None
    return _month_day(span.first), _month_day(span.last)


def _truncate(day: date, precision: Precision) -> tuple[int, ...]:
    if precision == "day":
        return day.year, day.month, day.day
    if precision in ("month", "season"):
        return day.year, day.month
    if precision == "decade":
        return (day.year - day.year % 10,)
    return (day.year,)


def _spans_range(claim: DateSpan, source: DateSpan) -> bool:
    """Whether the source covers the claim's range end to end, at the claim's precision."""
    return _truncate(source.first, claim.precision) == _truncate(claim.first, claim.precision) and _truncate(
        source.last, claim.precision
    ) == _truncate(claim.last, claim.precision)


def _relation(claim: DateSpan, source: DateSpan) -> Relation:
    if claim.yearless or source.yearless:
        claim_days, source_days = _project(claim), _project(source)
        if claim_days is None or source_days is None:
            return "none"
        (claim_first, claim_last), (source_first, source_last) = claim_days, source_days
        if claim_first <= source_first and source_last <= claim_last:
            # A source that gives no year only agrees as far as it goes.
            if source.yearless and not claim.yearless:
                return "compatible"
            if claim.is_range and (claim_first, claim_last) != (source_first, source_last):
                return "compatible"
            return "found"
        if source_first <= claim_last and claim_first <= source_last:
            return "compatible"
        return "none"
    if claim.first <= source.first and source.last <= claim.last:
        if claim.is_range and not _spans_range(claim, source):
            return "compatible"  # one day or year of a claimed range
        return "found"
    if source.first <= claim.last and claim.first <= source.last:
        return "compatible"  # the claim is finer than the source, or the two ranges overlap
    return "none"


_RANK = {"found": 2, "compatible": 1, "none": 0}


def date_relation(claim: tuple[DateSpan, ...], source: tuple[DateSpan, ...]) -> Relation:
    """How a source's date bears on a claim's, over every reading of each: ``found`` when the source's date lies
    within the claim's, ``compatible`` when they overlap otherwise, ``none`` when disjoint."""
    best: Relation = "none"
    for claim_span in claim:
        for source_span in source:
            relation = _relation(claim_span, source_span)
            if _RANK[relation] > _RANK[best]:
                best = relation
    return best


def shift_days(span: DateSpan, days: int) -> DateSpan:
    """The same span moved by ``days`` (for tests and benchmarks that change a date)."""
    delta = timedelta(days=days)
    return DateSpan(span.first + delta, span.last + delta, span.precision, span.yearless, span.is_range)
