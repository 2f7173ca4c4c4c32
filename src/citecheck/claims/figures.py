"""Figures in claims: find numbers and dates as people write them, and look for them in a source.

A *figure* is a number with what it counts or measures: ``"40 miles"``,
``"thirty-four"``, ``"1,200"``, ``"12 per cent"``, ``"US$3 million"``,
``"a 9-year-old"``, ``"3–9 May 2012"``.  Each is normalized to the base unit
of its kind (metres, kilograms, square metres, seconds, years of age,
percent, a currency) so that ``60 km`` and ``37 miles`` can be compared.
Years and dates are figures too (kinds ``year``/``date``), read as intervals
of days (:mod:`citecheck.claims.date_figures`).  Context decides what is
ambiguous: "1976" is a year unless a count noun follows ("counted 1976
voters"), and "1.5m" is metres unless a count noun follows or a currency sign
precedes ("1.5m people", "$1.5m").

:func:`compare_figures` says how a source's figure bears on a claim's:
``found`` (the same figure, or a source date inside the claim's date),
``near`` (another unit, form or hedge; a source figure that meets the claim's
bound), ``compatible`` (the source is coarser or looser: "June 2010" for the
claim's "14 June 2010", "at least 30" for its 36) or nothing.  Bounds are
bounds: "at least 39" never holds 36, and only hedges ("about") get slack.
:func:`match_figure` looks for a claim's figure in a whole source text and
says where it was found.
"""

from __future__ import annotations

import bisect
import functools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Literal

from citecheck.claims.casefold import word_key
from citecheck.claims.content_words import CALENDAR_WORDS, STOPWORDS, is_content_word, stem, word_spans
from citecheck.claims.date_figures import DateSpan, date_relation, find_date_spans, year_span

__all__ = [
    "Figure",
    "FigureMatch",
    "comparable",
    "compare_figures",
    "extract_figures",
    "figure_context",
    "find_counterpart",
    "is_weak",
    "key_terms",
    "match_figure",
    "rounding_step",
    "same_value",
]

Relation = Literal["found", "near", "compatible"]
MatchStatus = Literal["found", "near", "compatible", "not-found"]

# Hedges that make a figure a bound rather than a value.
LOWER_BOUNDS = frozenset(
    {"more than", "over", "at least", "upwards of", "in excess of", "no fewer than", "no less than"}
)
UPPER_BOUNDS = frozenset(
    {"as many as", "up to", "at most", "fewer than", "less than", "under", "no more than", "as much as"}
)
HEDGE_SLACK = 0.1  # "about 400" holds 360–440
BOUND_REACH = 2.0  # a figure within this factor of a bound ("more than 3,000": 3,000–6,000) is evidence for it


@dataclass(frozen=True)
class Figure:
    text: str  # as written, e.g. "40 miles", "thirty-four", "1,200", "12%", "3–9 May 2012"
    start: int  # span in the text it was found in
    end: int
    value: float  # normalized to the base unit of its kind (dates: YYYYMMDD of the first day, zeros for what is unsaid)
    unit: str | None  # base unit: "m" for distance, "percent", "USD", "kg", "year" for ages, None for plain counts
    # "count" | "distance" | "percent" | "money" | "weight" | "area" | "speed" | "duration" | "age" | "year" | "date"
    # | "ordinal"
    kind: str
    approximate: bool = False  # "about", "nearly", "some", "more than" …
    # The hedge written before the figure ("about", "at least", "as many as"), lower-cased; None when exact.
    qualifier: str | None = None
    high: float | None = None  # the upper end of a range ("3–9 km", "four to eight"), in the same base unit
    dates: tuple[DateSpan, ...] = ()  # year and date figures: every reading, as intervals of days

    @property
    def bound(self) -> Literal["lower", "upper"] | None:
        """``lower`` for "at least 39" / "more than 39", ``upper`` for "up to 39"; None for values."""
        if self.qualifier in LOWER_BOUNDS:
            return "lower"
        if self.qualifier in UPPER_BOUNDS:
            return "upper"
        return None

    @property
    def hedged(self) -> bool:
        """An approximate value ("about 400"), not a bound."""
        return self.approximate and self.bound is None


@dataclass(frozen=True)
class FigureMatch:
    figure: Figure
    status: MatchStatus  # near: another unit/form/hedge; compatible: the source is coarser or looser
    excerpt: str | None  # the source's own words around the match
    source_figure: Figure | None = None  # the source's figure as written, where it was found
    start: int | None = None  # span of the source's figure (for a range found in two pieces: both)
    end: int | None = None
    near_terms: int = 0  # how many of the claim's key terms occur near the match
    in_passage: bool = False  # the match lies inside one of the passages that best match the claim


# --------------------------------------------------------------------------- number words

_UNITS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000, "trillion": 1e12}
_ORDINAL_WORDS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "eleventh": 11,
    "twelfth": 12,
    "thirteenth": 13,
    "fourteenth": 14,
    "fifteenth": 15,
    "sixteenth": 16,
    "seventeenth": 17,
    "eighteenth": 18,
    "nineteenth": 19,
    "twentieth": 20,
    "thirtieth": 30,
    "fortieth": 40,
    "fiftieth": 50,
    "sixtieth": 60,
    "seventieth": 70,
    "eightieth": 80,
    "ninetieth": 90,
    "hundredth": 100,
}
# "twenty-first", "thirty second": a tens word and an ordinal digit word.
_ORDINAL_DIGITS = {word: value for word, value in _ORDINAL_WORDS.items() if value < 10}

_UNITS_ALT = "|".join(sorted(_UNITS, key=len, reverse=True))  # longest first: "seventeen" before "seven"
_TENS_ALT = "|".join(_TENS)
_DIGIT_WORD_ALT = "one|two|three|four|five|six|seven|eight|nine"
_LARGE_SCALE_ALT = "thousand|million|billion|trillion"
# Below a hundred: "thirty-four", "twenty four", "ninety", "seventeen" (a tens word takes only a digit word after it,
# so "twelve five" stays two figures).
_BELOW_HUNDRED = rf"(?:(?:{_TENS_ALT})(?:[-\s](?:{_DIGIT_WORD_ALT})\b)?|(?:{_UNITS_ALT}))\b"
# Below a thousand: "two hundred", "a hundred and five", "two hundred thirty-four", "twelve hundred".
# (Each alternative is tried once: the smaller group after "hundred" is allowed by looking back at it.)
_HUNDREDS = rf"(?:a\s+hundred\b|{_BELOW_HUNDRED}(?:\s+hundred\b)?)(?:(?<=hundred)\s+(?:and\s+)?{_BELOW_HUNDRED})?"
# A whole number: groups joined by scale words, each scale word optionally followed by a smaller group
# ("twelve thousand five hundred", "one million two hundred thousand", "three thousand and one"); "and" only
# after a scale word (or in "and a half"), so "three and four" stays two figures.  Halves: "one and a half
# million", "half a million", "half a dozen".
_WORD_NUMBER = (
    rf"(?:(?:half\s+a|a\s+half)\s+(?:{_LARGE_SCALE_ALT}|hundred|dozen)\b"
    rf"|a\s+dozen\b|dozen\b|a\s+(?:{_LARGE_SCALE_ALT})\b(?:\s+(?:and\s+)?{_HUNDREDS})?"
    rf"|{_HUNDREDS}(?:\s+dozen\b)?(?:\s+and\s+a\s+half\b)?)"
    rf"(?:\s+(?:{_LARGE_SCALE_ALT})\b(?:\s+(?:and\s+)?{_HUNDREDS})?)*"
)
_WORD_NUMBER_RE = re.compile(_WORD_NUMBER, re.I)
# 1,200 · 1 200 · 1200 · 3.5 — a space separates thousands only within a line and before exactly three digits.
_DIGIT_NUMBER = r"\d{1,3}(?:[,\u00a0\u202f ]\d{3})+(?:\.\d+)?(?!\d)|\d+(?:\.\d+)?"

_CURRENCY_PREFIX = (
    r"(?:US\$|U\.S\.\s?\$|A\$|C\$|NZ\$|HK\$|R\$|\$|€|£|¥|₹|₩|Rs\.?\s?|USD\s?|EUR\s?|GBP\s?|CHF\s?|INR\s?)"
)
_QUALIFIER = (
    r"(?:about|around|approximately|approx\.|roughly|nearly|almost|some|an\s+estimated|estimated|close\s+to"
    r"|more\s+than|over|at\s+least|upwards\s+of|in\s+excess\s+of|no\s+fewer\s+than|no\s+less\s+than"
    r"|as\s+many\s+as|as\s+much\s+as|up\s+to|at\s+most|fewer\s+than|less\s+than"
    r"|under|no\s+more\s+than|c\.|circa|~)"
)

_YEAR_SECONDS = 31_557_600.0
_UNIT_TABLE: dict[str, tuple[str, str, float]] = {
    # written unit (lower-case) -> (kind, base unit, factor to base)
    "km": ("distance", "m", 1000.0),
    "kms": ("distance", "m", 1000.0),
    "kilometre": ("distance", "m", 1000.0),
    "kilometres": ("distance", "m", 1000.0),
    "kilometer": ("distance", "m", 1000.0),
    "kilometers": ("distance", "m", 1000.0),
    "mile": ("distance", "m", 1609.344),
    "miles": ("distance", "m", 1609.344),
    "mi": ("distance", "m", 1609.344),
    "m": ("distance", "m", 1.0),
    "metre": ("distance", "m", 1.0),
    "metres": ("distance", "m", 1.0),
    "meter": ("distance", "m", 1.0),
    "meters": ("distance", "m", 1.0),
    "cm": ("distance", "m", 0.01),
    "centimetres": ("distance", "m", 0.01),
    "centimeters": ("distance", "m", 0.01),
    "mm": ("distance", "m", 0.001),
    "millimetres": ("distance", "m", 0.001),
    "millimeters": ("distance", "m", 0.001),
    "feet": ("distance", "m", 0.3048),
    "foot": ("distance", "m", 0.3048),
    "ft": ("distance", "m", 0.3048),
    "inches": ("distance", "m", 0.0254),
    "inch": ("distance", "m", 0.0254),
    "yards": ("distance", "m", 0.9144),
    "yard": ("distance", "m", 0.9144),
    "kg": ("weight", "kg", 1.0),
    "kilogram": ("weight", "kg", 1.0),
    "kilograms": ("weight", "kg", 1.0),
    "kilogrammes": ("weight", "kg", 1.0),
    "g": ("weight", "kg", 0.001),
    "grams": ("weight", "kg", 0.001),
    "lb": ("weight", "kg", 0.45359237),
    "lbs": ("weight", "kg", 0.45359237),
    "pounds": ("weight", "kg", 0.45359237),
    "tonnes": ("weight", "kg", 1000.0),
    "tonne": ("weight", "kg", 1000.0),
    "tons": ("weight", "kg", 1000.0),
    "ton": ("weight", "kg", 1000.0),
    "km2": ("area", "m2", 1e6),
    "km²": ("area", "m2", 1e6),
    "square kilometres": ("area", "m2", 1e6),
    "square kilometers": ("area", "m2", 1e6),
    "sq km": ("area", "m2", 1e6),
    "square miles": ("area", "m2", 2_589_988.11),
    "square mile": ("area", "m2", 2_589_988.11),
    "sq mi": ("area", "m2", 2_589_988.11),
    "square feet": ("area", "m2", 0.09290304),
    "sq ft": ("area", "m2", 0.09290304),
    "square metres": ("area", "m2", 1.0),
    "square meters": ("area", "m2", 1.0),
    "m2": ("area", "m2", 1.0),
    "m²": ("area", "m2", 1.0),
    "hectares": ("area", "m2", 1e4),
    "hectare": ("area", "m2", 1e4),
    "ha": ("area", "m2", 1e4),
    "acres": ("area", "m2", 4046.8564224),
    "acre": ("area", "m2", 4046.8564224),
    "mph": ("speed", "m/s", 0.44704),
    "km/h": ("speed", "m/s", 1 / 3.6),
    "kph": ("speed", "m/s", 1 / 3.6),
    "%": ("percent", "percent", 1.0),
    "percent": ("percent", "percent", 1.0),
    "per cent": ("percent", "percent", 1.0),
    "per-cent": ("percent", "percent", 1.0),
    "seconds": ("duration", "s", 1.0),
    "second": ("duration", "s", 1.0),
    "minutes": ("duration", "s", 60.0),
    "minute": ("duration", "s", 60.0),
    "hours": ("duration", "s", 3600.0),
    "hour": ("duration", "s", 3600.0),
    "days": ("duration", "s", 86_400.0),
    "day": ("duration", "s", 86_400.0),
    "weeks": ("duration", "s", 604_800.0),
    "week": ("duration", "s", 604_800.0),
    "months": ("duration", "s", 2_629_800.0),
    "month": ("duration", "s", 2_629_800.0),
    "years": ("duration", "s", _YEAR_SECONDS),
    "year": ("duration", "s", _YEAR_SECONDS),
    "yrs": ("duration", "s", _YEAR_SECONDS),
    "decades": ("duration", "s", 10 * _YEAR_SECONDS),
    "decade": ("duration", "s", 10 * _YEAR_SECONDS),
    "dollars": ("money", "USD", 1.0),
    "euros": ("money", "EUR", 1.0),
}
# Longest first so "square kilometres" wins over "km" and "per cent" over "%".
_UNIT_ALT = "|".join(re.escape(unit) for unit in sorted(_UNIT_TABLE, key=len, reverse=True))
_CURRENCY_CODES = {
    "us$": "USD",
    "u.s.$": "USD",
    "$": "USD",
    "usd": "USD",
    "a$": "AUD",
    "c$": "CAD",
    "nz$": "NZD",
    "hk$": "HKD",
    "r$": "BRL",
    "€": "EUR",
    "eur": "EUR",
    "£": "GBP",
    "gbp": "GBP",
    "¥": "JPY",
    "₹": "INR",
    "rs": "INR",
    "rs.": "INR",
    "inr": "INR",
    "₩": "KRW",
    "chf": "CHF",
}

# Every character a figure can start with (case-insensitive like the pattern): the first letters of the
# qualifiers, currency signs and codes, and number words, digits and "~". The lookahead built from them only
# skips positions where no figure can start, cheaply (most positions of a text): the matches are the same.
_FIGURE_FIRST_CHARACTERS = "".join(
    sorted(
        {word[0] for word in (*_UNITS, *_TENS, "a", "half", "dozen")}
        | set("arnseocmuifl~")  # _QUALIFIER: about … over, some, estimated, close, more, under, in, fewer, less, ~
        | set("uacnhregi$€£¥₹₩")  # _CURRENCY_PREFIX: US$, A$, C$, NZ$, HK$, R$, Rs, EUR, GBP, INR, the signs
    )
)
_FIGURE_RE = re.compile(
    # Start only where a word starts: trying every position inside words made extraction 4x slower.
    rf"(?=[\d{re.escape(_FIGURE_FIRST_CHARACTERS)}])(?<![\w$€£¥₹₩])(?:(?P<qualifier>{_QUALIFIER})\s+)?"
    rf"(?P<figure>(?P<currency>{_CURRENCY_PREFIX})?"
    rf"(?:(?P<digits>{_DIGIT_NUMBER})(?P<ordinal>st|nd|rd|th)?|(?P<words>{_WORD_NUMBER}))"
    # A glued "k" ("$5k", "5k people") is a multiplier only in context; see _figure_from_match.
    rf"(?:[\s-]?(?P<scale>million|billion|trillion|thousand|bn|mn)\b|(?<=\d)(?P<suffix_k>k)\b)?"
    rf"(?:(?P<unit_gap>\s?|-)(?P<unit>{_UNIT_ALT})(?![\w])(?:[\s-](?P<old>old)\b)?)?)",
    re.I,
)
# "aged 9", "age 9", "at the age of 9", "age of 9": ages said before the number.
_AGE_PREFIX_RE = re.compile(r"\b(?:aged|age(?:d)?(?:\s+of)?|at\s+the\s+age\s+of)\s+$", re.I)
# "died at 30", "retired at 30,": an age when nothing follows the number but the end of a clause.
_AT_AGE_RE = re.compile(r"\bat\s+$", re.I)
_CLAUSE_END_RE = re.compile(r"\s*(?:[,.;)]|:(?!\d)|$|\s(?:in|after|when|from|while|and)\b)(?!\d)")


def _words_value(words: str) -> float | None:
    """``"two hundred and fifty"`` → 250; ``"a dozen"`` → 12; ``"one and a half million"`` → 1,500,000;
    None when not a number."""
    tokens = [token for token in re.split(r"[\s-]+", words.lower()) if token and token != "and"]
    total = 0.0
    current = 0.0
    seen = False
    for index, token in enumerate(tokens):
        previous = tokens[index - 1] if index > 0 else None
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        if token in _UNITS:
            current += _UNITS[token]
        elif token in _TENS:
            current += _TENS[token]
        elif token == "a":
            if following != "half" and previous != "half":
                current += 1  # "a hundred", "a dozen"; the "a" of "and a half" or "half a million" adds nothing
            continue
        elif token == "half":
            current += 0.5
        elif token == "dozen":
            current = (current or 1) * 12
        elif token == "hundred":
            current = (current or 1) * 100
        elif token in _SCALES:
            total += (current or 1) * _SCALES[token]
            current = 0
        else:
            return None
        seen = True
    return total + current if seen else None


# Nouns that say a number counts things: after "1.5m" they make the "m" mean million, not metres, and after a
# four-digit number they make it a count, not a year ("counted 1976 voters").
_COUNT_NOUNS = (
    "people|persons|individuals|voters|votes|ballots|residents|inhabitants|citizens|civilians|villagers|"
    "refugees|migrants|immigrants|evacuees|soldiers|troops|fighters|militants|insurgents|rebels|police|"
    "policemen|officers|prisoners|detainees|hostages|workers|employees|staff|jobs|members|students|pupils|"
    "children|men|women|families|households|homes|houses|buildings|deaths|dead|victims|casualties|killed|"
    "injured|wounded|cases|patients|visitors|tourists|passengers|protesters|protestors|demonstrators|"
    "supporters|delegates|participants|signatures|copies|viewers|readers|subscribers|users|customers|"
    "followers|inspectors|doctors|nurses|teachers|farmers|animals|dollars|euros"
)
# "a 1.5m high wall" measures; "1.5m Syrian refugees" counts.
_DIMENSION_WORDS = "tall|high|long|wide|deep|thick|away|across|apart|below|above|deeper|higher|longer|wider"
_MULTIPLIER_CONTEXT_RE = re.compile(
    rf"\s+(?:(?!(?:{_DIMENSION_WORDS})\b)[^\W\d_]+\s+)?(?P<noun>{_COUNT_NOUNS})\b", re.I
)
# Only a lower-case word may stand between a year-like number and its noun: "the 1976 Olympic athletes" is a year.
_COUNT_CONTEXT_RE = re.compile(rf"\s+(?:[a-z]+\s+)?(?i:{_COUNT_NOUNS})\b")
# Words right before a four-digit number that make it a year whatever follows ("in 2010 people protested").
_YEAR_CUE_RE = re.compile(
    r"(?:\b(?:in|since|until|till|during|circa|early|late|mid|spring|summer|autumn|fall|winter|year|by|from)\s+"
    r"|\bc\.\s*|\bmid-)$",
    re.I,
)
_CURRENCY_WORDS = {"dollars": "USD", "euros": "EUR"}
_SUFFIX_SCALES = {"m": "million", "k": "thousand"}
_SCALE_FACTORS = {"thousand": 1e3, "million": 1e6, "mn": 1e6, "billion": 1e9, "bn": 1e9, "trillion": 1e12}
_YEAR_CUE_LOOKBACK = 12  # characters before a number searched for a year cue
# "not a single death", "no one was hurt": zero said in words.
_ZERO_RE = re.compile(r"\b(?P<figure>not\s+a\s+single|not\s+one|no\s+one|nobody)\b", re.I)
_TENS_ORDINAL_RE = "|".join(_TENS)
# The lookahead (the first letters of the words below; case-insensitive like the rest) only skips positions
# where no ordinal can start, cheaply: the matches are the same.
_ORDINAL_FIRST_LETTERS = "".join(sorted({word[0] for word in (*_TENS, *_ORDINAL_WORDS)}))
_ORDINAL_WORD_RE = re.compile(
    rf"(?=[{_ORDINAL_FIRST_LETTERS}])\b(?P<figure>(?:(?P<tens>{_TENS_ORDINAL_RE})[-\s](?P<digit>{'|'.join(_ORDINAL_DIGITS)})"
    rf"|{'|'.join(sorted(_ORDINAL_WORDS, key=len, reverse=True))}))\b",
    re.I,
)
# Reference markers ([3], [12], [a]) are citations, not figures.
_MARKER_RE = re.compile(r"\[\s*(?:\d+|[a-z])\s*\]", re.I)
# Two figures joined into a range: "3–9", "four to eight", "between 4 and 8", "10-7".
_RANGE_GAP_RE = re.compile(r"\s*(?:[-–—]|to|or)\s*|\s+and\s+", re.I)
_BETWEEN_RE = re.compile(r"\b(?:between|from)\s+$", re.I)
_YEAR_LIKE_RE = re.compile(r"\d{4}")
# Letters that may run into a year when a page's text was extracted without spaces ("Italy1990", "2018FILE").
_GLUED_BEFORE_RE = re.compile(r"[A-Za-z]{2,}[a-z]$")
_FOUR_DIGITS_RE = re.compile(r"\d{4}")  # what every glued year holds: most texts need no look-behind scan
_GLUED_YEAR_RE = re.compile(r"(?<=[A-Za-z]{2}[a-z])(?:1[5-9]\d\d|20\d\d|21\d\d)(?!\d)(?![a-z])")


# A figure holds a digit (digits, dates, glued years: ``\d``, the widest digit class any pattern here uses) or a
# number word: _WORD_NUMBER is built of _UNITS, _TENS, _SCALES, "half" and "dozen"; _ORDINAL_WORD_RE of tens words
# and _ORDINAL_WORDS; _ZERO_RE says "single", "one" or "nobody". Qualifiers, currencies and units only stand beside
# a number. A text holding none of these words (as substrings, case-insensitively) and no digit has no figure.
_NUMBER_WORDS = frozenset({*_UNITS, *_TENS, *_SCALES, "half", "dozen", *_ORDINAL_WORDS, "single", "nobody"})
# The words containing no other (every other word contains one of them: "sixteenth" holds "six").
_NUMBER_NEEDLES = tuple(
    sorted(word for word in _NUMBER_WORDS if not any(o != word and o in word for o in _NUMBER_WORDS))
)


def _trie_alternation(words: Sequence[str]) -> str:
    """A regex matching exactly ``words``, as a trie: a case-sensitive alternation whose branches start with
    distinct literals lets the regex engine skip every position no word starts at (a flat one tries each word)."""
    if "" in words:
        return ""
    groups: dict[str, list[str]] = {}
    for word in words:
        groups.setdefault(word[0], []).append(word[1:])
    branches = [re.escape(first) + _trie_alternation(rests) for first, rests in sorted(groups.items())]
    return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"


# Compiled once: the figure readers run per figure, and a module-level re call looks its pattern up each time.
_DIGIT_SEPARATOR_RE = re.compile(r"[,\s\u00a0\u202f]")
_APPROXIMATE_BEFORE_RE = re.compile(r"(?:c\.|ca\.|circa|about|around)\s*$")
_SPACES_RE = re.compile(r"\s+")
_NUMBER_NEEDLE_RE = re.compile(_trie_alternation(_NUMBER_NEEDLES))
_ANY_DIGIT_RE = re.compile(r"\d")
# Under re.IGNORECASE a pattern's ASCII letter also matches these (İ ı: i, ſ: s, Kelvin sign: k), which
# str.lower() leaves as they are (or, for İ, turns into two characters).
_REGEX_CASE_FOLDS = {0x130: "i", 0x131: "i", 0x17F: "s", 0x212A: "k"}


def _may_hold_figures(text: str) -> bool:
    """False only when no pattern of :func:`_extract_figures` can match ``text``: no digit, no number word."""
    if _ANY_DIGIT_RE.search(text) is not None:
        return True
    folded = text.lower() if text.isascii() else text.translate(_REGEX_CASE_FOLDS).lower()
    return _NUMBER_NEEDLE_RE.search(folded) is not None


def _digits_value(digits: str) -> float:
    return float(_DIGIT_SEPARATOR_RE.sub("", digits))


def _year_like(match: re.Match[str], value: float) -> bool:
    return (
        match["digits"] is not None
        and _YEAR_LIKE_RE.fullmatch(match["digits"]) is not None
        and 1500 <= value <= 2199
        and not match["currency"]
        and not match["unit"]
        and not match["scale"]
        and not match["suffix_k"]
        and not match["ordinal"]
    )


def _is_year(text: str, match: re.Match[str], value: float) -> bool:
    """A bare four-digit number from 1500 to 2199 is a year unless a count noun follows it and no year cue
    ("in", "since", "during" …) precedes it: "in 1976", "the 1991 uprisings" vs "counted 1976 voters"."""
    if not _year_like(match, value):
        return False
    start, end = match.span("figure")
    if _YEAR_CUE_RE.search(text[max(0, start - _YEAR_CUE_LOOKBACK) : start]):
        return True
    return _COUNT_CONTEXT_RE.match(text, end) is None


def _date_value(span: DateSpan) -> float:
    if span.precision in ("year", "decade"):
        return float(span.first.year)
    year = 0 if span.yearless else span.first.year * 10_000
    day = span.first.day if span.precision == "day" else 0
    return float(year + span.first.month * 100 + day)


def _date_figures(text: str) -> list[Figure]:
    figures: list[Figure] = []
    for start, end, spans in find_date_spans(text):
        first = spans[0]
        if first.precision == "year" and _COUNT_CONTEXT_RE.match(text, end):
            continue  # "1990–2000 people": a range of counts
        kind = "year" if first.precision in ("year", "decade") else "date"
        before = text[max(0, start - 6) : start].lower()
        approximate = _APPROXIMATE_BEFORE_RE.search(before) is not None
        high = float(first.last.year) if kind == "year" and first.is_range else None
        figure = Figure(
            text[start:end], start, end, _date_value(first), None, kind, approximate, high=high, dates=spans
        )
        figures.append(figure)
    return figures


class _Taken:
    """Character spans already claimed by a figure (or a reference marker), for overlap tests in log time."""

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []

    def overlaps(self, start: int, end: int) -> bool:
        # Spans are kept disjoint, so only the neighbours of the insertion point can overlap.
        position = bisect.bisect_left(self._starts, end)
        return position > 0 and self._ends[position - 1] > start

    def add(self, start: int, end: int) -> bool:
        """Claim ``[start, end)`` unless it overlaps a span already claimed; True when claimed."""
        if self.overlaps(start, end):
            return False
        position = bisect.bisect_left(self._starts, start)
        self._starts.insert(position, start)
        self._ends.insert(position, end)
        return True


# Claims are read for figures by the integrity checks and again by CC503: short texts are cached.
_CACHED_TEXT_CHARS = 4_000


@functools.lru_cache(maxsize=4_096)
def _cached_figures(text: str) -> tuple[Figure, ...]:
    return tuple(_extract_figures(text))


def extract_figures(text: str) -> list[Figure]:
    """Every figure in ``text``, in text order (figures are frozen: a cached answer is safe to share)."""
    if len(text) <= _CACHED_TEXT_CHARS:
        return list(_cached_figures(text))
    return _extract_figures(text)


def _extract_figures(text: str) -> list[Figure]:
    """Every figure in ``text``, in text order.

    Reference markers (``[3]``) and digits glued to words (``F-4``, ``COVID-19``)
    are skipped; a written date is one figure of kind ``date`` (value
    ``YYYYMMDD``, missing parts as zeros), a year, a range of years or a decade
    one of kind ``year``; two numbers joined as a range ("3–9 km", "between 4
    and 8") one figure with ``high`` set.
    """
    if not _may_hold_figures(text):
        return []  # most sentences: no digit and no number word
    taken = _Taken()
    for match in _MARKER_RE.finditer(text):
        taken.add(match.start(), match.end())
    figures = [figure for figure in _date_figures(text) if taken.add(figure.start, figure.end)]
    for match in _GLUED_YEAR_RE.finditer(text) if _FOUR_DIGITS_RE.search(text) else ():
        if taken.add(match.start(), match.end()):
            year = int(match.group())
            figures.append(
                Figure(match.group(), match.start(), match.end(), float(year), None, "year", dates=(year_span(year),))
            )
    ordinal_words = list(_ORDINAL_WORD_RE.finditer(text))
    for match in ordinal_words:
        # "twenty-first" before "twenty" is read as a count.
        if match["tens"] and taken.add(match.start(), match.end()):
            rank = float(_TENS[word_key(match["tens"])] + _ORDINAL_DIGITS[word_key(match["digit"])])
            figures.append(Figure(match["figure"], match.start(), match.end(), rank, None, "ordinal"))
    numbers: list[Figure] = []
    for match in _FIGURE_RE.finditer(text):
        figure = _figure_from_match(text, match)
        if figure is not None and not taken.overlaps(figure.start, figure.end):
            numbers.append(figure)
    for figure in _joined_ranges(text, numbers):
        taken.add(figure.start, figure.end)
        figures.append(figure)
    for match in _ZERO_RE.finditer(text):
        if taken.add(match.start(), match.end()):
            figures.append(Figure(match["figure"], match.start(), match.end(), 0.0, None, "count"))
    for match in ordinal_words:
        if not match["tens"] and taken.add(match.start(), match.end()):
            rank = float(_ORDINAL_WORDS[word_key(match["figure"])])
            figures.append(Figure(match["figure"], match.start(), match.end(), rank, None, "ordinal"))
    figures.sort(key=lambda figure: figure.start)
    return figures


def _joined_ranges(text: str, numbers: list[Figure]) -> list[Figure]:
    """Merge "3–9 km", "four to eight", "between 4 and 8", "$3–5 million" into one figure each."""
    merged: list[Figure] = []
    index = 0
    while index < len(numbers):
        first = numbers[index]
        second = numbers[index + 1] if index + 1 < len(numbers) else None
        range_figure = _as_range(text, first, second) if second is not None else None
        if range_figure is not None:
            merged.append(range_figure)
            index += 2
            continue
        merged.append(first)
        index += 1
    return merged


def _as_range(text: str, first: Figure, second: Figure) -> Figure | None:
    gap = text[first.end : second.start]
    if _RANGE_GAP_RE.fullmatch(gap) is None or first.kind in ("year", "ordinal") or second.kind in ("year", "ordinal"):
        return None
    joined_by_and = gap.strip().lower() == "and"
    if joined_by_and and _BETWEEN_RE.search(text[: first.start - len(first.qualifier or "")].rstrip() + " ") is None:
        return None  # "three and four" are two figures unless "between" opens them
    if gap.strip().lower() == "or" and not re.search(r"\d", first.text + second.text):
        return None  # "one or two" is vague, not a range
    first_plain = first.kind == "count" and first.unit is None
    second_plain = second.kind == "count" and second.unit is None
    if first.kind == second.kind and first.unit == second.unit:
        kind, unit = second.kind, second.unit
    elif first_plain or second_plain:
        kind, unit = (second.kind, second.unit) if first_plain else (first.kind, first.unit)
    else:
        return None
    first_number, second_number = _written_number(first), _written_number(second)
    if not first_number or not second_number:
        return None
    first_factor, second_factor = first.value / first_number, second.value / second_number
    # "3–9 km", "$3–5 million": the first number is scaled like the second.
    low = first_number * second_factor if math.isclose(first_factor, 1.0) else first.value
    high = second_number * first_factor if math.isclose(second_factor, 1.0) else second.value
    low, high = min(low, high), max(low, high)
    return Figure(
        text[first.start : second.end],
        first.start,
        second.end,
        low,
        unit,
        kind,
        first.approximate or second.approximate,
        first.qualifier,
        high=high,
    )


def _written_number(figure: Figure) -> float | None:
    """The number as written, before units and scale words: "40 miles" → 40, "US$3 million" → 3."""
    digits = re.search(r"\d[\d,.\s\u00a0\u202f]*", figure.text)
    if digits:
        raw = re.sub(r"[,\s\u00a0\u202f]", "", digits.group(0)).rstrip(".")
        try:
            return float(raw)
        except ValueError:
            return None
    words = _WORD_NUMBER_RE.search(figure.text)
    return _words_value(words.group(0)) if words else None


def _glued(text: str, match: re.Match[str], value: float) -> bool:
    """Digits glued to letters or hyphens are parts of names (F-4, G8, COVID-19, resolution-1883a), except a year
    run into a word by text extraction ("Italy1990", "2018FILE")."""
    start, end = match.span("figure")
    if (end + 1 < len(text) and text[end] == ":" and text[end + 1].isdigit()) or (
        start > 1 and text[start - 1] == ":" and text[start - 2].isdigit()
    ):
        return True  # a time of day, "8:21"
    before_glued = start > 0 and (
        text[start - 1].isalnum() or (text[start - 1] in "-/" and start > 1 and text[start - 2].isalpha())
    )
    after_glued = (
        end < len(text) and text[end].isalpha() and not match["unit"] and not match["scale"] and not match["ordinal"]
    )
    if not (before_glued or after_glued):
        return False
    if _year_like(match, value):
        if before_glued and not _GLUED_BEFORE_RE.search(text[max(0, start - 30) : start]):
            return True
        return after_glued and not text[end].isupper()
    return True


def _figure_from_match(text: str, match: re.Match[str]) -> Figure | None:
    start, end = match.span("figure")
    value = _digits_value(match["digits"]) if match["digits"] else _words_value(match["words"])
    if value is None:
        return None
    if match["digits"] and _glued(text, match, value):
        return None
    if match["words"] and ((start > 0 and text[start - 1].isalnum()) or (end < len(text) and (text[end].isalnum()))):
        return None
    if match["words"] and match["words"].lower().strip() in {"one"} and not match["unit"] and not match["scale"]:
        # A lone "one" is a pronoun as often as a number ("one of the camps").
        return None
    qualifier = _SPACES_RE.sub(" ", match["qualifier"].lower()) if match["qualifier"] else None
    approximate = qualifier is not None
    unit_text = _SPACES_RE.sub(" ", word_key(match["unit"] or ""))
    scale = word_key(match["scale"] or "")
    written = match["figure"]
    currency_code = (
        _CURRENCY_CODES.get(_SPACES_RE.sub("", match["currency"].lower()), "USD") if match["currency"] else None
    )
    suffix = "k" if match["suffix_k"] else "m" if unit_text == "m" and not match["unit_gap"] else ""
    if suffix:
        # "$5m", "1.5m people", "5k voters" are multiples; "a 1.5m wall" is metres; a lone "5k" is not understood.
        counted = _MULTIPLIER_CONTEXT_RE.match(text, end)
        if currency_code is not None or counted is not None:
            scale, unit_text = _SUFFIX_SCALES[suffix], ""
            if currency_code is None and counted is not None and word_key(counted["noun"]) in _CURRENCY_WORDS:
                currency_code = _CURRENCY_WORDS[word_key(counted["noun"])]
                end = counted.end()
                written = text[start:end]
        elif suffix == "k":
            return None
    if scale:
        value *= _SCALE_FACTORS[scale]
    if match["ordinal"]:
        return Figure(written, start, end, value, None, "ordinal", approximate, qualifier)
    if currency_code is not None:
        return Figure(written, start, end, value, currency_code, "money", approximate, qualifier)
    if unit_text in ("year", "years", "yrs") and match["old"]:
        return Figure(written, start, end, value, "year", "age", approximate, qualifier)  # "9-year-old"
    if unit_text:
        kind, base, factor = _UNIT_TABLE[unit_text]
        return Figure(written, start, end, value * factor, base, kind, approximate, qualifier)
    before = text[max(0, match.start() - 25) : match.start()]
    if _AGE_PREFIX_RE.search(before) or (
        _AT_AGE_RE.search(before) and value <= 120 and _CLAUSE_END_RE.match(text, end) is not None
    ):
        return Figure(written, start, end, value, "year", "age", approximate, qualifier)  # "aged 9", "died at 30"
    if _is_year(text, match, value):
        return Figure(written, start, end, value, None, "year", approximate, qualifier, dates=(year_span(int(value)),))
    return Figure(written, start, end, value, None, "count", approximate, qualifier)


# --------------------------------------------------------------------------- comparing figures


def rounding_step(figure: Figure) -> float:
    """How coarsely the figure was rounded, in its base unit: "60 km" → 10 km, "37 miles" → 1 mile, "3.5" → 0.1."""
    digits = re.search(r"\d[\d,.\s\u00a0\u202f]*", figure.text)
    written: float
    step: float
    if digits:
        raw = re.sub(r"[,\s\u00a0\u202f]", "", digits.group(0)).rstrip(".")
        if "." in raw:
            step = 10.0 ** -len(raw.split(".", 1)[1])
        else:
            stripped = raw.rstrip("0")
            step = 10.0 ** (len(raw) - len(stripped)) if stripped else 1.0
        try:
            written = float(raw) if raw else 0.0
        except ValueError:
            written = 0.0
    else:
        words = _WORD_NUMBER_RE.search(figure.text)
        written = (_words_value(words.group(0)) if words else None) or 0.0
        step = 1.0
        halves = "half" in figure.text.lower()
        for size in (1e9, 1e6, 1e3, 100, 10):
            if written >= size and written % size == 0:
                step = size
                break
            # "one and a half million", "half a million" are rounded to half a million.
            if halves and written >= size / 2 and written % (size / 2) == 0:
                step = size / 2
                break
    if written == 0:
        return 0.0
    # Scale the step like the value was scaled (units, "million").
    return step * abs(figure.value / written)


_DIGIT_RE = re.compile(r"\d")
# Compiled once: built per call, the unit alternation was re-hashed every time and, pushed out of re's
# cache by the other patterns, recompiled ~1,000 times per 500-claim audit (issue 17).
_UNIT_SUFFIX_RE = re.compile(rf"(?:{_UNIT_ALT})\s*$", re.I)


def _form(figure: Figure) -> tuple[str, str]:
    return _form_of_text(figure.text)


@functools.lru_cache(maxsize=4_096)
def _form_of_text(text: str) -> tuple[str, str]:
    """(digits or words, the unit it ends with) of a figure's text: asked per pair compared, so remembered."""
    written_in = "digits" if _DIGIT_RE.search(text) else "words"
    unit_match = _UNIT_SUFFIX_RE.search(text)
    return written_in, (unit_match.group(0).lower() if unit_match else "")


def comparable(first: Figure, second: Figure) -> bool:
    """Same kind of quantity in the same base unit (money only in the same currency)."""
    if first.kind != second.kind:
        return False
    return first.unit == second.unit


def _tolerance(first: Figure, second: Figure) -> float:
    """How far apart two written values of one quantity may be: the rounding of a unit conversion, and the slack
    of a hedge ("about 400"); bounds get none."""
    converted = _form(first)[1] != _form(second)[1]
    tolerance = max(rounding_step(first), rounding_step(second)) / 2 if converted else 0.0
    if first.hedged or second.hedged:
        tolerance += HEDGE_SLACK * max(abs(first.value), abs(second.value))
    return tolerance + 1e-9


def _close(first: float, second: float, tolerance: float) -> bool:
    return abs(first - second) <= tolerance


def same_value(first: Figure, second: Figure) -> bool:
    """Equal within the rounding the writers used (and 10% more when either hedged with "about")."""
    if not comparable(first, second):
        return False
    if first.kind in {"year", "date", "ordinal"}:
        return first.value == second.value
    if math.isclose(first.value, second.value, rel_tol=1e-9, abs_tol=1e-9):
        return True
    return _close(first.value, second.value, _tolerance(first, second))


def _exact(first: Figure, second: Figure) -> bool:
    return (
        math.isclose(first.value, second.value, rel_tol=1e-9, abs_tol=1e-9)
        and (first.high is None) == (second.high is None)
        and (first.high is None or second.high is None or math.isclose(first.high, second.high, rel_tol=1e-9))
        and _form(first) == _form(second)
        and first.qualifier == second.qualifier
    )


def _bounded(claim: Figure, source: Figure) -> Relation | None:
    """A claim or a source stating a bound: "at least 39" is met by 41 and by "at least 39", never by 36."""
    tolerance = _tolerance(claim, source)
    claim_bound, source_bound = claim.bound, source.bound
    if claim_bound is not None:
        if source_bound is None:
            value = source.value if source.high is None else (source.value if claim_bound == "lower" else source.high)
            meets = value >= claim.value - tolerance if claim_bound == "lower" else value <= claim.value + tolerance
            if not meets:
                return None
            # "More than 3,000" is said of 3,412, not of 7 million: a figure far past the bound meets it, but
            # is no sign of being the same quantity.
            close = value <= BOUND_REACH * claim.value if claim_bound == "lower" else value >= claim.value / BOUND_REACH
            return "near" if close else "compatible"
        if source_bound != claim_bound:
            return None
        if _close(claim.value, source.value, tolerance):
            return "found" if _exact(claim, source) else "near"
        tighter = source.value > claim.value if claim_bound == "lower" else source.value < claim.value
        return "near" if tighter else None  # "at least 39" says "at least 36" too
    # An exact claim against a source's bound: allowed, not shown.
    assert source_bound is not None
    low = claim.value
    high = claim.high if claim.high is not None else claim.value
    if source_bound == "lower":
        return "compatible" if low >= source.value - tolerance else None
    return "compatible" if high <= source.value + tolerance else None


def _numeric(claim: Figure, source: Figure) -> Relation | None:
    if claim.bound is not None or source.bound is not None:
        return _bounded(claim, source)
    tolerance = _tolerance(claim, source)
    if claim.high is not None:
        if source.high is None:
            return None  # a claimed range needs both ends (match_figure also looks for them one by one)
        if _close(claim.value, source.value, tolerance) and _close(claim.high, source.high, tolerance):
            return "found" if _exact(claim, source) else "near"
        if source.value <= claim.high + tolerance and claim.value <= source.high + tolerance:
            return "compatible"
        return None
    if source.high is not None:
        inside = source.value - tolerance <= claim.value <= source.high + tolerance
        return "compatible" if inside else None
    if math.isclose(claim.value, source.value, rel_tol=1e-9, abs_tol=1e-9):
        return "found" if _exact(claim, source) else "near"
    return "near" if _close(claim.value, source.value, tolerance) else None


_DATE_KINDS = frozenset({"year", "date"})
# Readings of one number that context may tell apart differently in the claim and the source.
_CROSS_READINGS = {
    frozenset({"year", "count"}),  # "counted 1976 postal votes" / "the total reached 1976"
    frozenset({"age", "count"}),  # "at 30" / "30"
    frozenset({"age", "duration"}),  # "aged 9" / "9 years"
}


def _cross_reading(claim: Figure, source: Figure) -> bool:
    if frozenset({claim.kind, source.kind}) not in _CROSS_READINGS or claim.approximate or source.approximate:
        return False
    if claim.high is not None or source.high is not None:
        return False
    claim_value = claim.value / _YEAR_SECONDS if claim.kind == "duration" else claim.value
    source_value = source.value / _YEAR_SECONDS if source.kind == "duration" else source.value
    if "duration" in (claim.kind, source.kind) and "s" not in (claim.unit, source.unit):
        return False
    if claim.kind == "year" or source.kind == "year":
        year = claim if claim.kind == "year" else source
        if not year.text.strip().isdigit():
            return False  # "the 1980s", "1998–99" are years whatever the source's count
    return math.isclose(claim_value, source_value, rel_tol=1e-9, abs_tol=1e-6)


def compare_figures(claim: Figure, source: Figure) -> Relation | None:
    """How the source's figure bears on the claim's (see the module docstring); None when it says nothing of it."""
    if claim.kind in _DATE_KINDS and source.kind in _DATE_KINDS and claim.dates and source.dates:
        relation = date_relation(claim.dates, source.dates)
        return None if relation == "none" else relation
    if comparable(claim, source):
        if claim.kind == "ordinal":
            return (
                "found"
                if claim.value == source.value and _form(claim) == _form(source)
                else ("near" if claim.value == source.value else None)
            )
        return _numeric(claim, source)
    if _cross_reading(claim, source):
        return "near"
    return None


def is_weak(figure: Figure) -> bool:
    """A figure too common to prove anything when found just anywhere in a source: zero, small counts and ordinals
    ("two", "3", "9th"), a small quantity in words ("one day", "two years").  Only a match inside the passages that
    best match the claim counts for it, and a miss does not count against it."""
    if figure.kind in _DATE_KINDS:
        return False
    if figure.value == 0:
        return True
    if figure.kind in ("count", "ordinal"):
        return figure.value < 10 and (figure.high is None or figure.high < 10)
    number = _written_number(figure)
    return (
        figure.kind in ("duration", "age", "distance", "weight")
        and not re.search(r"\d", figure.text)
        and (number is not None and number < 10)
    )


# --------------------------------------------------------------------------- key terms

_ENTITY_RE = re.compile(
    r"\b(?:[A-Z][\w'’.-]*[A-Za-z]|[A-Z]{2,})(?:\s+(?:of\s+|al-|de\s+)?(?:[A-Z][\w'’.-]*[A-Za-z]|[A-Z]{2,}))*"
)
_CONTENT_WORD_RE = re.compile(r"\b[^\W\d_][\w'’-]{2,}\b")


def key_terms(claim_text: str) -> list[str]:
    """Named entities (capitalized runs such as "Camp Ashraf") then content words of the claim, deduplicated.

    Figures, reference markers and function words are left out; the terms
    localize a figure's match in a long source.
    """
    text = _MARKER_RE.sub(" ", claim_text)
    terms: list[str] = []
    seen: set[str] = set()

    def add(term: str) -> None:
        key = term.lower()
        if key not in seen and key not in STOPWORDS and not _words_value(key):
            seen.add(key)
            terms.append(term)

    entity_words: set[str] = set()
    for match in _ENTITY_RE.finditer(text):
        entity = match.group(0).rstrip(".")
        words = entity.split()
        if len(words) == 1 and words[0].lower() in STOPWORDS:
            continue  # a capitalized function word opening the sentence ("The", "In")
        while words and words[0].lower() in STOPWORDS:
            words = words[1:]
        if words:
            add(" ".join(words))
            entity_words.update(word.lower() for word in words)
    for match in _CONTENT_WORD_RE.finditer(text):
        word = match.group(0)
        if word.lower() not in entity_words:
            add(word)
    return terms


# --------------------------------------------------------------------------- matching in a source

_WINDOW = 300  # characters either side of a figure in which key terms count as "near"
_EXCERPT_RADIUS = 100
_STATUS_RANK: dict[str, int] = {"found": 3, "near": 3, "compatible": 1}


def _term_positions(source_lower: str, terms: Sequence[str]) -> dict[str, list[int]]:
    positions: dict[str, list[int]] = {}
    for term in terms:
        # A word stem is enough ("killed" finds "killing"): compare the first five letters of longer words.
        needle = term.lower() if len(term) <= 6 or " " in term else term.lower()[: max(5, len(term) - 3)]
        found = [m.start() for m in re.finditer(r"\b" + re.escape(needle), source_lower)]
        if found:
            positions[term] = found
    return positions


def _nearby_terms(positions: dict[str, list[int]], start: int, end: int) -> int:
    return sum(1 for spots in positions.values() if any(start - _WINDOW <= spot <= end + _WINDOW for spot in spots))


def excerpt_around(source_text: str, start: int, end: int, radius: int = _EXCERPT_RADIUS) -> str:
    """The source's words around ``[start, end)``, widened to whole words, whitespace collapsed."""
    begin = max(0, start - radius)
    finish = min(len(source_text), end + radius)
    while begin > 0 and not source_text[begin - 1].isspace():
        begin -= 1
    while finish < len(source_text) and not source_text[finish].isspace():
        finish += 1
    snippet = re.sub(r"\s+", " ", source_text[begin:finish]).strip()
    return ("…" if begin > 0 else "") + snippet + ("…" if finish < len(source_text) else "")


@lru_cache(maxsize=64)
def source_figures(source_text: str) -> tuple[Figure, ...]:
    """Every figure of a source text, extracted once: many claims cite the same source."""
    return tuple(extract_figures(source_text))


def _inside(spans: Sequence[tuple[int, int]], start: int, end: int) -> bool:
    return any(begin <= start and end <= finish for begin, finish in spans)


def _range_in_pieces(
    figure: Figure, candidates: Sequence[Figure], passages: Sequence[tuple[int, int]]
) -> tuple[Figure, Figure] | None:
    """A claimed range whose two ends the source states separately, close together ("from 3 May … until 9 May")."""
    if figure.high is None:
        return None
    low = replace(figure, high=None, qualifier=None, approximate=False)
    high = replace(low, value=figure.high)
    lows = [candidate for candidate in candidates if compare_figures(low, candidate) in ("found", "near")]
    highs = [candidate for candidate in candidates if compare_figures(high, candidate) in ("found", "near")]
    for first in lows:
        for second in highs:
            close = first is not second and abs(second.start - first.start) <= _WINDOW
            if close and (
                not passages or _inside(passages, min(first.start, second.start), max(first.end, second.end))
            ):
                return first, second
    return None


def match_figure(
    figure: Figure,
    source_text: str,
    key_terms: Sequence[str] = (),
    passages: Sequence[tuple[int, int]] = (),
) -> FigureMatch:
    """Look for ``figure`` in ``source_text``.

    ``found``: the same figure written the same way, or a source date within the
    claim's date; ``near``: the same quantity in another form, unit or hedge,
    a source figure meeting the claim's bound, a year-like number read as a
    year on one side and a count on the other; ``compatible``: the source is
    coarser or looser and neither confirms nor contradicts; ``not-found``.
    Among several occurrences, one inside ``passages`` (character spans of
    the passages that best match the claim) wins, then the one with most
    ``key_terms`` nearby; when key terms were given but none is near, the
    excerpt says the figure was found away from the claim's subject.
    """
    candidates = source_figures(source_text)
    related = [(candidate, relation) for candidate in candidates if (relation := compare_figures(figure, candidate))]
    # Key terms are looked up only when a figure matched: they rank its occurrences and note a distant match.
    positions = _term_positions(source_text.lower(), key_terms) if key_terms and related else {}
    best: tuple[tuple[int, int, int, int, int], Figure, Relation] | None = None
    for candidate, relation in related:
        same_kind = int(candidate.kind == figure.kind)
        inside = int(_inside(passages, candidate.start, candidate.end))
        exact = int(relation == "found")
        score = (
            _STATUS_RANK[relation],
            same_kind,
            inside,
            _nearby_terms(positions, candidate.start, candidate.end),
            exact,
        )
        if best is None or score > best[0]:
            best = (score, candidate, relation)
    if best is None or best[2] == "compatible":
        pieces = _range_in_pieces(figure, candidates, passages)
        if pieces is not None:
            first, second = pieces
            start, end = min(first.start, second.start), max(first.end, second.end)
            nearby = _nearby_terms(positions, start, end)
            excerpt = excerpt_around(source_text, start, end)
            return FigureMatch(figure, "near", excerpt, first, start, end, nearby, _inside(passages, start, end))
    if best is None:
        return FigureMatch(figure, "not-found", None)
    (_, _, inside, nearby, _), candidate, relation = best
    excerpt = excerpt_around(source_text, candidate.start, candidate.end)
    if key_terms and nearby == 0 and not inside:
        excerpt = f"(found away from the claim's key terms) {excerpt}"
    return FigureMatch(figure, relation, excerpt, candidate, candidate.start, candidate.end, nearby, bool(inside))


# --------------------------------------------------------------------------- the same thing, another value

_CONTEXT_AFTER_WORDS = 4
_CONTEXT_BEFORE_WORDS = 3
_CONTEXT_CHARS = 80
_CONTEXT_STOP_RE = re.compile(r"[.,;:!?()\[\]\n]|\s[-–—]\s")
_NOT_CONTEXT = frozenset(
    {
        *(name.lower() for name in _UNIT_TABLE),
        *_UNITS,
        *_TENS,
        *_SCALES,
        *CALENDAR_WORDS,
        *["per", "cent", "percent", "year", "years", "old", "aged", "age"],
    }
)


def _context_stems(words: list[str]) -> list[str]:
    return [
        stem(word) for word in words if word.lower() not in _NOT_CONTEXT and not any(char.isdigit() for char in word)
    ]


def figure_context(text: str, figure: Figure, figures: Sequence[Figure] = ()) -> frozenset[str]:
    """What a figure measures, as content-word stems: a few words after it and before it within its clause
    ("34 people were killed" → people, kill; "96 kilometres north of Baghdad" → north, baghdad), never reaching
    past another of the text's ``figures`` (the words beyond belong to it)."""
    after_end = min([other.start for other in figures if other.start >= figure.end] + [figure.end + _CONTEXT_CHARS])
    before_start = max([other.end for other in figures if other.end <= figure.start] + [0])
    after = text[figure.end : after_end]
    # A comma ends a figure's clause: "the vacant seat, the other two applicants", "in cinemas November 9, DVD".
    stop = _CONTEXT_STOP_RE.search(after)
    if stop:
        after = after[: stop.start()]
    before_end = figure.start
    if figure.qualifier:
        before_end = max(0, text.rfind(figure.qualifier.split()[0], max(0, figure.start - 30), figure.start))
        before_end = before_end if before_end > 0 else figure.start
    before = text[max(before_start, before_end - _CONTEXT_CHARS) : before_end]
    stops = list(_CONTEXT_STOP_RE.finditer(before))
    if stops:
        before = before[stops[-1].end() :]
    after_words = [word for word, _, _ in word_spans(after) if is_content_word(word)][:_CONTEXT_AFTER_WORDS]
    before_words = [word for word, _, _ in word_spans(before) if is_content_word(word)][-_CONTEXT_BEFORE_WORDS:]
    return frozenset(_context_stems(after_words + before_words))


def _same_quantity(claim: Figure, source: Figure) -> bool:
    """Whether two figures could state one quantity: the same kind and unit (a year and a date are both dates)."""
    if claim.kind in _DATE_KINDS or source.kind in _DATE_KINDS:
        if not (claim.kind in _DATE_KINDS and source.kind in _DATE_KINDS and claim.dates and source.dates):
            return False
        # A date given without a year compares by month and day, so only with another day.
        yearless = any(span.yearless for span in claim.dates + source.dates)
        return not yearless or all(span.precision == "day" for span in claim.dates + source.dates)
    if claim.kind == "ordinal" or source.kind == "ordinal":
        return claim.kind == source.kind
    return comparable(claim, source)


_GENERIC_COUNT_NOUNS = frozenset({"people", "persons", "individuals"})
_COUNT_NOUN_SET = frozenset(_COUNT_NOUNS.split("|"))
_NOUN_LOOKAHEAD_WORDS = 3


def counted_noun(text: str, figure: Figure) -> str | None:
    """What a count counts, when a count noun follows within a few words ("34 Iraqi soldiers" → soldiers)."""
    following = [word.lower() for word, _, _ in word_spans(text[figure.end : figure.end + 60])]
    for word in following[:_NOUN_LOOKAHEAD_WORDS]:
        if word in _COUNT_NOUN_SET:
            return word
    return None


def _same_counted(claim_text: str, claim: Figure, source_text: str, source: Figure) -> bool:
    """Two counts of different things ("2,000 soldiers", "3,400 residents") are not one quantity; "people" is
    anyone."""
    first, second = counted_noun(claim_text, claim), counted_noun(source_text, source)
    if first is None or second is None or first in _GENERIC_COUNT_NOUNS or second in _GENERIC_COUNT_NOUNS:
        return True
    return stem(first) == stem(second)


def find_counterpart(
    figure: Figure, claim_text: str, source_text: str, start: int, end: int, *, sole_by_subject: bool = False
) -> Figure | None:
    """The figure that ``source_text[start:end]`` gives *instead of* the claim's: the same kind and unit, about the
    same thing (it shares what the claim's figure measures — two context words, or one when it is the passage's
    only figure of that kind, or none at all with ``sole_by_subject``, when the caller knows the passage is about
    the claim's subject and it holds just that one figure of the kind), and a value the claim's figure does not
    match.

    None when the passage holds the claim's figure (or one compatible with it), holds none of that kind, or
    holds several equally likely: the caller then says nothing rather than guess.
    """
    neighbours = [candidate for candidate in source_figures(source_text) if start <= candidate.start < end]
    candidates = [
        candidate
        for candidate in neighbours
        if candidate.end <= end
        and _same_quantity(figure, candidate)
        and (figure.kind != "count" or _same_counted(claim_text, figure, source_text, candidate))
    ]
    if not candidates or any(compare_figures(figure, candidate) is not None for candidate in candidates):
        return None
    wanted = figure_context(claim_text, figure, extract_figures(claim_text))
    if sole_by_subject and len(candidates) == 1:
        return candidates[0]
    if not wanted:
        return None
    scored = sorted(
        ((len(wanted & figure_context(source_text, candidate, neighbours)), candidate) for candidate in candidates),
        key=lambda item: -item[0],
    )
    best_score, best = scored[0]
    if best_score == 0 or (len(scored) > 1 and scored[1][0] == best_score):
        return None
    if best_score < 2 and (len(candidates) > 1 or is_weak(figure)):
        return None
    return best
