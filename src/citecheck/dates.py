"""Partial dates as citations write them, with their precision kept.

A citation's date may be a day (``14 April 2011``), a month (``May 2010``), a
season (``Spring 2010``) or just a year (``2010``).  Comparing such dates must
respect what is *not* known: ``2010`` is neither before nor after
``2010-05-03``.  :class:`PartialDate` keeps the precision and offers interval
comparisons (:meth:`PartialDate.definitely_before`).

Serialisation follows ISO 8601 for day/month/year precision (``2011-04-14``,
``2010-05``, ``2010``) and EDTF level 1 for what ISO cannot say: seasons as
pseudo-months 21–24 (``2010-21`` is spring 2010) and ``~`` for approximate
dates (``c. 1990`` → ``1990~``).

Parsing uses hand-written patterns only (design notes: strptime-class speed,
no silent filling of missing parts from today's date).
"""

from __future__ import annotations

import calendar
import functools
import re
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, PlainSerializer, WithJsonSchema

MONTHS: dict[str, int] = {}
for _number, _name in enumerate(calendar.month_name):
    if _name:
        MONTHS[_name.lower()] = _number
        MONTHS[_name[:3].lower()] = _number
MONTHS["sept"] = 9

# EDTF pseudo-months for seasons (northern-hemisphere reading, as CS1 does).
SEASONS = {"spring": 21, "summer": 22, "autumn": 23, "fall": 23, "winter": 24}
_SEASON_MONTHS = {21: (3, 5), 22: (6, 8), 23: (9, 11), 24: (12, 14)}  # winter spills into next year

_MONTH_RE = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_SEASON_RE = r"(?:spring|summer|autumn|fall|winter)"
_YEAR_RE = r"(?:1[5-9]\d\d|2[01]\d\d)"
_DAY_RE = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_DASH = r"\s*[-–—]\s*"


_KINDS = ("iso", "iso_month", "dmy", "mdy", "my", "season", "year")


def _date_patterns(named: bool, prefix: bool = False) -> list[tuple[str, str]]:
    """Pattern sources, most to least specific.

    ``named``: groups named ``<kind>_y``, ``<kind>_m`` … (unique, so that the kinds can share one alternation);
    otherwise unnamed, for embedding.  ``prefix``: each ends at a word boundary (for :func:`match_date_at`).
    """

    def src(kind: str, source: str) -> str:
        if named:
            for group in ("y", "m", "d", "mon", "season"):
                source = source.replace(f"{{{group}}}", f"(?P<{kind}_{group}>")
        else:
            for group in ("y", "m", "d", "mon", "season"):
                source = source.replace(f"{{{group}}}", "(?:")
        return source + (r"(?![\w\-])" if prefix else "")

    return [
        (kind, src(kind, source))
        for kind, source in (
            ("iso", rf"{{y}}{_YEAR_RE})-{{m}}0[1-9]|1[0-2])-{{d}}0[1-9]|[12]\d|3[01])(?:[T ][\d:.]+Z?)?"),
            ("iso_month", rf"{{y}}{_YEAR_RE})-{{m}}0[1-9]|1[0-2])"),
            # 15–16 January 2001 → the first day (a range keeps its start)
            ("dmy", rf"{{d}}{_DAY_RE})(?:{_DASH}{_DAY_RE})?\s+{{mon}}{_MONTH_RE}),?\s+{{y}}{_YEAR_RE})"),
            # January 15–16, 2001 / January 15, 2001
            ("mdy", rf"{{mon}}{_MONTH_RE})\s+{{d}}{_DAY_RE})(?:{_DASH}{_DAY_RE})?,?\s+{{y}}{_YEAR_RE})"),
            ("my", rf"{{mon}}{_MONTH_RE})(?:{_DASH}{_MONTH_RE})?,?\s+{{y}}{_YEAR_RE})"),
            ("season", rf"{{season}}{_SEASON_RE})(?:{_DASH}{_SEASON_RE})?,?\s+{{y}}{_YEAR_RE})"),
            ("year", rf"{{y}}{_YEAR_RE})(?:{_DASH}(?:{_YEAR_RE}|\d\d))?[a-z]?"),
        )
    ]


# Every kind in one alternation, in order, each ending at a word boundary.  An alternation tries its branches
# in order, so ``match`` finds the first kind that matches where it is pointed (what trying the kinds one by
# one finds), and ``fullmatch`` the first kind that matches the whole string (at the end of the string the
# word-boundary look-ahead always holds).  One pattern instead of fourteen: one call per date read, and
# a seventh of the compile time at import.
_DATE_RE = re.compile(
    "|".join(f"(?P<{kind}>{source})" for kind, source in _date_patterns(named=True, prefix=True)), re.I
)
# The names of each kind's (y, m, mon, season, d) groups, "" where it has none (the same in the alternation
# and in the kind's own pattern).
_KIND_GROUPS: dict[str, tuple[str, str, str, str, str]] = {
    kind: tuple(  # type: ignore[misc]
        name if name in _DATE_RE.groupindex else ""
        for name in (f"{kind}_y", f"{kind}_m", f"{kind}_mon", f"{kind}_season", f"{kind}_d")
    )
    for kind in _KINDS
}


@functools.cache
def _kind_pattern(kind: str) -> re.Pattern[str]:
    """One kind alone (compiled on first use): match_date_at tries the later kinds when a match is no date."""
    return re.compile(dict(_date_patterns(named=True, prefix=True))[kind], re.I)


_NO_SLACK = timedelta()
_ISO_OUT_RE = re.compile(r"^(?P<y>\d{4})(?:-(?P<m>\d\d)(?:-(?P<d>\d\d))?)?(?P<approx>~)?$")


class PartialDate(BaseModel):
    """A calendar date known to day, month, season or year precision."""

    model_config = ConfigDict(frozen=True)

    year: int
    month: int | None = None  # 1-12, or 21-24 for a season (EDTF)
    day: int | None = None
    approximate: bool = False

    @property
    def precision(self) -> str:
        if self.day is not None:
            return "day"
        if self.month is not None:
            return "season" if self.month > 12 else "month"
        return "year"

    def iso(self) -> str:
        return _iso_text(self.year, self.month, self.day, self.approximate)

    def __str__(self) -> str:
        return self.iso()

    def earliest(self) -> date:
        """The first day this date may denote."""
        if self.month is None:
            return date(self.year, 1, 1)
        if self.month > 12:
            first, _ = _SEASON_MONTHS[self.month]
            return date(self.year, first, 1)
        return date(self.year, self.month, self.day or 1)

    def latest(self) -> date:
        """The last day this date may denote."""
        if self.month is None:
            return date(self.year, 12, 31)
        if self.month > 12:
            _, last = _SEASON_MONTHS[self.month]
            year, month = (self.year + 1, last - 12) if last > 12 else (self.year, last)
            return date(year, month, calendar.monthrange(year, month)[1])
        if self.day is None:
            return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])
        return date(self.year, self.month, self.day)

    def definitely_before(self, other: PartialDate, slack_days: int = 0) -> bool:
        """True when every day this date may denote is before every day of ``other``.

        ``slack_days`` widens the tolerance (time zones, publication lag).
        """
        return other.starts_after(self.latest(), timedelta(days=slack_days))

    def starts_after(self, last_day: date, slack: timedelta = _NO_SLACK) -> bool:
        """True when every day this date may denote is more than ``slack`` after ``last_day``.

        The rule of :meth:`definitely_before` (``a.definitely_before(b, n)`` is
        ``b.starts_after(a.latest(), timedelta(days=n))``), for checks that compare many dates with one
        earlier side worked out once: today, the document's date, a capture time that is only a day.
        """
        return last_day + slack < self.earliest()

    @classmethod
    def from_date(cls, value: date | datetime) -> PartialDate:
        return cls(year=value.year, month=value.month, day=value.day)

    @classmethod
    def from_iso(cls, text: str) -> PartialDate:
        """Parse this class's own serialisation (``2010``, ``2010-05``, ``2010-05-03``, ``2010-21~``)."""
        match = _ISO_OUT_RE.match(text.strip())
        if not match:
            raise ValueError(f"not a partial ISO date: {text!r}")
        month = int(match["m"]) if match["m"] else None
        day = int(match["d"]) if match["d"] else None
        return _checked(int(match["y"]), month, day, approximate=bool(match["approx"]))


# Reports write each date three or four times (the JSON, the Markdown table, the timeline and its text), and the
# same few thousand dates recur across an audit's references (issue 17).
@functools.lru_cache(maxsize=8192)
def _iso_text(year: int, month: int | None, day: int | None, approximate: bool) -> str:
    text = f"{year:04d}"
    if month is not None:
        text += f"-{month:02d}"
        if day is not None:
            text += f"-{day:02d}"
    return text + ("~" if approximate else "")


_DAYS_IN_MONTH = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _days_in_month(year: int, month: int) -> int:
    """``calendar.monthrange(year, month)[1]`` without computing the weekday (parsing's inner loop)."""
    if month == 2 and calendar.isleap(year):
        return 29
    return _DAYS_IN_MONTH[month]


# Cached: validating a new model per date read was most of the cost of reading one, the same few thousand
# dates recur, and a PartialDate is immutable (a frozen model), so one instance can stand for each.
@functools.lru_cache(maxsize=8192)
def _checked(year: int, month: int | None, day: int | None, approximate: bool = False) -> PartialDate:
    if month is not None and not (1 <= month <= 12 or 21 <= month <= 24):
        raise ValueError(f"month out of range: {month}")
    if day is not None:
        if month is None or month > 12:
            raise ValueError("a day needs a calendar month")
        if not 1 <= day <= _days_in_month(year, month):
            raise ValueError(f"day out of range: {year}-{month}-{day}")
    return PartialDate(year=year, month=month, day=day, approximate=approximate)


def _from_match(kind: str, match: re.Match[str], approximate: bool) -> PartialDate | None:
    y_group, m_group, mon_group, season_group, d_group = _KIND_GROUPS[kind]
    try:
        year = int(match[y_group])
        month: int | None = None
        day: int | None = None
        if m_group and match[m_group]:
            month = int(match[m_group])
        if mon_group and match[mon_group]:
            month = _name_number(MONTHS, match[mon_group])
        if season_group and match[season_group]:
            month = _name_number(SEASONS, match[season_group])
        if d_group:
            written = match[d_group]
            if written:
                # "3rd": the digits only (\d may be any decimal digit, which int() reads too)
                day = int(written) if written.isdigit() else int(_NON_DIGIT_RE.sub("", written))
        return _checked(year, month, day, approximate)
    except (ValueError, KeyError):
        return None


_NON_DIGIT_RE = re.compile(r"\D")


def _name_number(names: dict[str, int], word: str) -> int:
    """Look a month or season name up, tolerating what re.IGNORECASE lets through.

    Unicode case-insensitive matching accepts look-alikes such as the long s
    (``Auguſt``) and the Kelvin sign; ``casefold`` maps them back to ASCII.
    Raises KeyError for anything else.
    """
    return names[word.casefold().rstrip(".")]


def parse_date(text: str | None) -> PartialDate | None:
    """Parse a whole string as one date (``14 April 2011``, ``2014-01-20``, ``May 2010``…).

    Returns ``None`` for anything that is not entirely a date, including
    ``n.d.`` and impossible dates such as ``31 February 2011``.
    """
    if not text:
        return None
    if type(text) is str and len(text) <= _CACHED_LENGTH:
        return _parse_short_date(text)
    return _parse_date(text)


def _parse_date(text: str) -> PartialDate | None:
    cleaned = text.strip().strip(".,;()[] ")
    if cleaned.isascii() and "1" not in cleaned and "2" not in cleaned:
        return None  # every pattern, English or local, needs a year: 15xx–21xx
    approximate = False
    approx = _APPROX_RE.match(cleaned) if cleaned[:1] in "cCaA" else None  # c., ca., circa, approx.
    if approx:
        approximate = True
        cleaned = cleaned[approx.end() :]
    match = _DATE_RE.fullmatch(cleaned)
    if match:
        return _from_match(match.lastgroup, match, approximate)  # type: ignore[arg-type]
    if len(cleaned) <= 40 and _may_be_local_date(cleaned):
        return _parse_local_date(cleaned, approximate)
    return None


# parse_date is pure and its result immutable (a frozen model, or None), and documents repeat their dates
# ("Retrieved 3 May 2014" on many entries) and the names parsed on the way: short strings are remembered.
_CACHED_LENGTH = 64
_parse_short_date = functools.lru_cache(maxsize=4096)(_parse_date)


def _may_be_local_date(text: str) -> bool:
    """A non-English month name or non-ASCII digits may be in ``text`` (most strings parse_date sees hold none)."""
    if not text.isascii():
        return True
    if text[:1].isdigit() and "." in text[:3]:
        return True  # "27.10.2015", "9. 5. 2014"
    return any(token.strip(".,").lower() in _LOCAL_MONTHS for token in text.split())


# Month names of the non-English Wikipedias the readers meet (citation dates in template parameters
# and rendered references: "09 أبريل 2018", "1. ledna 2015", "3 mai 2014", "12 stycznia 2020", "5 марта 2018").
# Only whole-string parsing uses them; scanning English prose (find_dates) does not.  Czech, Polish and Russian
# write a day's month in the genitive ("1. ledna", "12 stycznia", "5 марта") and a month alone in the nominative
# ("leden 2015", "styczeń 2020", "март 2018"): both are listed.
_LOCAL_MONTH_NAMES: dict[int, tuple[str, ...]] = {
    1: (
        *("يناير", "كانون الثاني", "ledna", "leden", "januar", "janvier", "enero", "gennaio", "janeiro", "januari"),
        *("stycznia", "styczeń", "января", "январь"),
    ),
    2: (
        *("فبراير", "شباط", "února", "únor", "februar", "février", "febrero", "febbraio", "fevereiro", "februari"),
        *("lutego", "luty", "февраля", "февраль"),
    ),
    3: (
        "مارس",
        "آذار",
        "března",
        "březen",
        "märz",
        "mars",
        "marzo",
        "março",
        "maart",
        "marca",
        "marzec",
        "марта",
        "март",
    ),
    4: (
        *("أبريل", "إبريل", "ابريل", "نيسان", "dubna", "duben", "avril", "abril", "aprile", "april", "kwietnia"),
        *("kwiecień", "апреля", "апрель"),
    ),
    5: ("مايو", "أيار", "května", "květen", "mai", "mayo", "maggio", "maio", "mei", "maj", "maja", "мая", "май"),
    6: (
        "يونيو",
        "حزيران",
        "června",
        "červen",
        "juni",
        "juin",
        "junio",
        "giugno",
        "junho",
        "czerwca",
        "czerwiec",
        "июня",
        "июнь",
    ),
    7: (
        "يوليو",
        "تموز",
        "července",
        "červenec",
        "juli",
        "juillet",
        "julio",
        "luglio",
        "julho",
        "lipca",
        "lipiec",
        "июля",
        "июль",
    ),
    8: (
        *("أغسطس", "اغسطس", "آب", "srpna", "srpen", "août", "agosto", "august", "augustus", "augusti", "sierpnia"),
        *("sierpień", "августа", "август"),
    ),
    9: (
        *("سبتمبر", "أيلول", "září", "septembre", "septiembre", "settembre", "setembro", "september", "września"),
        *("wrzesień", "сентября", "сентябрь"),
    ),
    10: (
        *("أكتوبر", "اكتوبر", "تشرين الأول", "října", "říjen", "oktober", "octobre", "octubre", "ottobre", "outubro"),
        *("października", "październik", "октября", "октябрь"),
    ),
    11: (
        *("نوفمبر", "تشرين الثاني", "listopadu", "listopad", "novembre", "noviembre", "novembro", "november"),
        *("listopada", "ноября", "ноябрь"),
    ),
    12: (
        *("ديسمبر", "كانون الأول", "prosince", "prosinec", "dezember", "décembre", "diciembre", "dicembre"),
        *("dezembro", "december", "grudnia", "grudzień", "декабря", "декабрь"),
    ),
}
# Abbreviations, written with or without a full stop ("3 okt. 2019", "12 paź 2020", "5 сент. 2018", "3. Dez. 2019",
# "5 janv. 2019"); the English ones ("Oct.", "Sept.") are the English patterns'.
_LOCAL_MONTH_SHORT_NAMES: dict[int, tuple[str, ...]] = {
    1: ("sty", "janv", "янв"),
    2: ("lut", "febr", "févr", "фев", "февр"),
    3: ("mär", "мар"),
    4: ("kwi", "avr", "апр"),
    6: ("cze", "июн"),
    7: ("lip", "juil", "июл"),
    8: ("sie", "авг"),
    9: ("wrz", "сен", "сент"),
    10: ("okt", "paź", "окт"),
    11: ("lis", "ноя", "нояб"),
    12: ("gru", "dez", "déc", "дек"),
}
# German, Dutch and Scandinavian months spelled as in English ("4. November 2015", "3 april 2014") are listed
# too: only the local patterns (a day with a full stop, "de", lower case) need them, the English ones come first.
_LOCAL_MONTHS = {
    name: number
    for table in (_LOCAL_MONTH_NAMES, _LOCAL_MONTH_SHORT_NAMES)
    for number, names in table.items()
    for name in names
}
# (lower case; also what a citation-line splitter needs to know a full stop after "okt" goes on to a date)
LOCAL_MONTH_ABBREVIATIONS = frozenset(name for names in _LOCAL_MONTH_SHORT_NAMES.values() for name in names)
_LOCAL_MONTH_RE = "|".join(sorted((re.escape(name) for name in _LOCAL_MONTHS), key=len, reverse=True))
# Month names that are also a capitalised English word with years after it ("Mars 2020", NASA's rover): such a
# name reads as a month alone only in lower case, as French and Swedish write their months; with a day it is one.
_CAPITALISED_WORDS = frozenset(["Mars"])
# What Russian and Polish write after the year: "5 марта 2018 года", "2018 г.", "12 stycznia 2020 r.", "roku".
_YEAR_WORD = r"(?:\s+(?:года|г\.?|roku|r\.?)(?![\w\-]))?"


# "9 أبريل 2018", "1. ledna 2015", "3 de mayo de 2014", "mai 2014"; "27.10.2015", "9. 5. 2014" (day first)
_LOCAL_DMY_SOURCE = (
    rf"(?:(?:(?P<d>[12]\d|3[01]|0?[1-9])(?:er|º|°)?\.?\s+(?:de\s+)?)?(?P<mon>{_LOCAL_MONTH_RE})\.?,?\s+(?:de\s+)?"
    rf"|(?P<nd>[12]\d|3[01]|0?[1-9])\.\s?(?P<nm>1[0-2]|0?[1-9])\.\s?)(?P<y>{_YEAR_RE}){_YEAR_WORD}"
)


@functools.cache
def _local_dmy_re() -> re.Pattern[str]:
    """Compiled on first use: only strings holding a non-English month name or non-ASCII characters need it."""
    return re.compile(_LOCAL_DMY_SOURCE, re.I)


@functools.cache
def _local_dmy_prefix_re() -> re.Pattern[str]:
    """The same, for a date that begins where it is pointed and ends at a word boundary (match_local_date_at)."""
    return re.compile(_LOCAL_DMY_SOURCE + r"(?![\w\-])", re.I)


# Arabic-Indic and Eastern Arabic-Indic digits, as Arabic pages may write dates.
_DIGIT_TRANSLATION = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def _parse_local_date(text: str, approximate: bool) -> PartialDate | None:
    if not text.isascii():
        translated = text.translate(_DIGIT_TRANSLATION).replace("\u200f", "").replace("\u200e", "").strip()
        if translated != text:
            return parse_date(translated) if not approximate else None
    match = _local_dmy_re().fullmatch(text)
    return _from_local_match(match, approximate) if match is not None else None


def _from_local_match(match: re.Match[str], approximate: bool) -> PartialDate | None:
    if match["nm"]:
        month: int | None = int(match["nm"])
        day: int | None = int(match["nd"])
    else:
        month = _LOCAL_MONTHS.get(match["mon"].lower()) or _LOCAL_MONTHS.get(match["mon"])
        day = int(match["d"]) if match["d"] else None
        if day is None and not _month_alone_is_a_date(match):
            return None
    try:
        return _checked(int(match["y"]), month, day, approximate)
    except ValueError:
        return None


def _month_alone_is_a_date(match: re.Match[str]) -> bool:
    """A month name with a year and no day: not one that is also an English word ("Mars 2020"), and an abbreviation
    only with its full stop ("okt. 2019", not "Lis 2019")."""
    name = match["mon"]
    if name in _CAPITALISED_WORDS:
        return False
    return name.lower() not in LOCAL_MONTH_ABBREVIATIONS or match.string[match.end("mon") : match.end("mon") + 1] == "."


# c., ca., circa, approx. before a date ("c. 1990": an approximate year).
_APPROX_RE = re.compile(r"(?:c\.|ca\.|circa|approx\.?)\s*", re.I)


def match_date_at(text: str, start: int = 0) -> tuple[PartialDate, int] | None:
    """Read one date that begins exactly at ``text[start]``, bare years included.

    Returns the date and the index just past it, or None.  Used by parsers
    that know where a date must stand (``Retrieved 8 May 2011.``), so that
    what follows the date does not have to be cut off first.
    """
    approximate = False
    approx = _APPROX_RE.match(text, start) if text[start : start + 1] in "cCaA" else None
    if approx:
        approximate = True
        start = approx.end()
    match = _DATE_RE.match(text, start)
    if match is None:
        return None
    kind: str = match.lastgroup  # type: ignore[assignment]
    parsed = _from_match(kind, match, approximate)
    if parsed is not None:
        return parsed, match.end()
    # The first kind that matched is no date ("31 February 2011"): the later kinds are tried one by one, as
    # if the alternation had gone on (rare: each is compiled on first use).
    for later in _KINDS[_KINDS.index(kind) + 1 :]:
        match = _kind_pattern(later).match(text, start)
        if match:
            parsed = _from_match(later, match, approximate)
            if parsed is not None:
                return parsed, match.end()
    return None


def match_local_date_at(text: str, start: int = 0) -> tuple[PartialDate, int] | None:
    """:func:`match_date_at`, and failing that a date as the non-English Wikipedias write one.

    ``24. Januar 2015``, ``9 mai 2014``, ``9 de mayo de 2014``, ``27.10.2015``, ``09 أبريل 2018``: for
    parsers that know a date stands here (after ``abgerufen am``, ``consulté le``), not for scanning prose.
    """
    found = match_date_at(text, start)
    if found is not None:
        return found
    approximate = False
    approx = _APPROX_RE.match(text, start) if text[start : start + 1] in "cCaA" else None
    if approx:
        approximate = True
        start = approx.end()
    if not text.isascii():
        # Arabic-Indic digits and direction marks: read on a translated copy (same length, same offsets
        # once the marks are counted back in).
        segment = text[start : start + 60]
        translated = segment.translate(_DIGIT_TRANSLATION)
        if translated != segment:
            found = match_local_date_at(translated.replace("\u200f", " ").replace("\u200e", " "))
            return (found[0], start + found[1]) if found is not None and not approximate else None
    match = _local_dmy_prefix_re().match(text, start)
    if match is None:
        return None
    parsed = _from_local_match(match, approximate)
    return (parsed, match.end()) if parsed is not None else None


def _any_date_source() -> str:
    """Every pattern but the bare year, as one alternation for scanning running text."""
    return r"\b(?:" + "|".join(source for kind, source in _date_patterns(named=False) if kind != "year") + r")\b"


# Compiled on first use (find_dates, and only for text that holds a date-like run); non-ASCII text is rarer.
@functools.cache
def _any_date_re() -> re.Pattern[str]:
    return re.compile(_any_date_source(), re.I)


@functools.cache
def _any_date_lower_re() -> re.Pattern[str]:
    """The same alternation for lower-case ASCII text ("T"/"Z" of ISO times lower-cased; no upper-case escapes)."""
    return re.compile(_any_date_source().lower())


def find_dates(text: str) -> list[tuple[PartialDate, int, int]]:
    """Find day-, month- and season-precision dates inside running text.

    Bare years are left out: in prose a four-digit number is as often a count
    as a year.  Returns ``(date, start, end)`` triples in text order.
    """
    found: list[tuple[PartialDate, int, int]] = []
    if text.isascii():
        # Case-insensitive matching of ASCII text is case-sensitive matching of its lower-case copy (same
        # offsets), and about twice as fast: IGNORECASE defeats the regex engine's literal optimisations.
        for match in _any_date_lower_re().finditer(text.lower()):
            start, end = match.span()
            parsed = parse_date(text[start:end])
            if parsed is not None:
                found.append((parsed, start, end))
        return found
    for match in _any_date_re().finditer(text):
        parsed = parse_date(match.group(0))
        if parsed is not None:
            found.append((parsed, match.start(), match.end()))
    return found


def _validate(value: Any) -> Any:
    if isinstance(value, str):
        return PartialDate.from_iso(value)
    if isinstance(value, (date, datetime)):
        return PartialDate.from_date(value)
    return value


# The type used in report models: serialised as a partial ISO/EDTF string.
IsoPartialDate = Annotated[
    PartialDate,
    BeforeValidator(_validate),
    PlainSerializer(PartialDate.iso, return_type=str),  # the method itself: one Python call per date written
    WithJsonSchema({"type": "string", "pattern": r"^\d{4}(-\d{2}(-\d{2})?)?~?$"}),
]


# --- plausible dates on the web ----------------------------------------------------------------------------------

# Nothing was on the web before 1990 (the first web server went online at CERN in December 1990); nothing can
# have been read, archived or captured after today — a year of slack covers clocks, time zones and dates
# written ahead (an access date typed as next year in January).
EARLIEST_WEB_DATE = date(1990, 1, 1)
WEB_DATE_LEAD_YEARS = 1


def latest_web_date(today: date | None = None) -> date:
    """The last plausible day for a web date: ``today`` (UTC when not given) plus one year."""
    today = today or datetime.now(UTC).date()
    try:
        return today.replace(year=today.year + WEB_DATE_LEAD_YEARS)
    except ValueError:  # 29 February
        return today.replace(year=today.year + WEB_DATE_LEAD_YEARS, day=28)


def _day_bounds(value: date | datetime | PartialDate) -> tuple[date, date, str]:
    if isinstance(value, PartialDate):
        return value.earliest(), value.latest(), value.iso()
    if isinstance(value, datetime):
        moment = value
        if value.tzinfo is not None:
            try:
                moment = value.astimezone(UTC)
            except OverflowError:  # year 1 or 9999 with an offset: implausible either way
                moment = value
        return moment.date(), moment.date(), moment.date().isoformat()
    return value, value, value.isoformat()


def web_date_problem(
    value: date | datetime | PartialDate, *, what: str = "date", today: date | None = None
) -> str | None:
    """Why ``value`` cannot be a date something on the web was read, archived or captured — or None.

    For access dates, archive dates, archive-URL timestamps, ``Memento-Datetime``
    and CDX timestamps: plausible from :data:`EARLIEST_WEB_DATE` (1990-01-01)
    to :func:`latest_web_date` (today + 1 year).  A partial date (``2010``) is
    plausible when any day it may denote is.  Naive datetimes are taken as
    UTC.  The reason is one line naming ``what`` ("archive date 9999-12-31 is
    after 2026-12-02 …"); callers turn it into a data error for that item only.
    """
    earliest, latest, shown = _day_bounds(value)
    if latest < EARLIEST_WEB_DATE:
        return f"{what} {shown} is before {EARLIEST_WEB_DATE.year}, before the web existed"
    limit = latest_web_date(today)
    if earliest > limit:
        return f"{what} {shown} is after {limit.isoformat()} (more than a year from now)"
    return None


def is_plausible_web_date(value: date | datetime | PartialDate, today: date | None = None) -> bool:
    """True when :func:`web_date_problem` finds nothing wrong with ``value``."""
    return web_date_problem(value, today=today) is None
