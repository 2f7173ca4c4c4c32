"""Figures in claims: find numbers as people write them, and look for them in a source.

A *figure* is a number with what it counts or measures: ``"40 miles"``,
``"thirty-four"``, ``"1,200"``, ``"12 per cent"``, ``"US$3 million"``.  Each is
normalized to the base unit of its kind (metres, kilograms, square metres,
seconds, percent, a currency) so that ``60 km`` and ``37 miles`` can be
compared.  Years and full dates are figures too (kinds ``year``/``date``) so a
checker can look for them, but conflict detection usually leaves them out.
Context decides what is ambiguous: "1976" is a year unless a count noun
follows ("counted 1976 voters"), and "1.5m" is metres unless a count noun
follows or a currency sign precedes ("1.5m people", "$1.5m").

:func:`match_figure` looks for a claim's figure in a source's text, in any
written form or unit, preferring occurrences near the claim's key terms.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from citecheck.dates import find_dates

__all__ = [
    "Figure",
    "FigureMatch",
    "comparable",
    "extract_figures",
    "key_terms",
    "match_figure",
    "rounding_step",
    "same_value",
]


@dataclass(frozen=True)
class Figure:
    text: str  # as written, e.g. "40 miles", "thirty-four", "1,200", "12%"
    start: int  # span in the text it was found in
    end: int
    value: float  # normalized to the base unit of its kind
    unit: str | None  # base unit: "m" for distance, "percent", "USD", "kg", None for plain counts
    kind: (
        str  # "count" | "distance" | "percent" | "money" | "weight" | "area" | "duration" | "year" | "date" | "ordinal"
    )
    approximate: bool = False  # "about", "nearly", "some", "more than" …
    # The hedge written before the figure ("about", "at least", "as many as"), lower-cased; None when exact.
    qualifier: str | None = None


@dataclass(frozen=True)
class FigureMatch:
    figure: Figure
    status: Literal["found", "near", "not-found"]  # near: found in another unit/form, or approx within tolerance
    excerpt: str | None  # the source's own words around the match


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
}

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

_CURRENCY_PREFIX = r"(?:US\$|U\.S\.\s?\$|A\$|C\$|\$|€|£|¥|USD\s?|EUR\s?|GBP\s?)"
_QUALIFIER = (
    r"(?:about|around|approximately|approx\.|roughly|nearly|almost|some|an\s+estimated|estimated|close\s+to"
    r"|more\s+than|over|at\s+least|upwards\s+of|as\s+many\s+as|up\s+to|at\s+most|fewer\s+than|less\s+than"
    r"|under|no\s+more\s+than|c\.|circa|~)"
)

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
    "feet": ("distance", "m", 0.3048),
    "foot": ("distance", "m", 0.3048),
    "ft": ("distance", "m", 0.3048),
    "yards": ("distance", "m", 0.9144),
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
    "km2": ("area", "m2", 1e6),
    "km²": ("area", "m2", 1e6),
    "square kilometres": ("area", "m2", 1e6),
    "square kilometers": ("area", "m2", 1e6),
    "sq km": ("area", "m2", 1e6),
    "square miles": ("area", "m2", 2_589_988.11),
    "sq mi": ("area", "m2", 2_589_988.11),
    "hectares": ("area", "m2", 1e4),
    "ha": ("area", "m2", 1e4),
    "acres": ("area", "m2", 4046.8564224),
    "%": ("percent", "percent", 1.0),
    "percent": ("percent", "percent", 1.0),
    "per cent": ("percent", "percent", 1.0),
    "per-cent": ("percent", "percent", 1.0),
    "seconds": ("duration", "s", 1.0),
    "minutes": ("duration", "s", 60.0),
    "hours": ("duration", "s", 3600.0),
    "days": ("duration", "s", 86_400.0),
    "weeks": ("duration", "s", 604_800.0),
    "months": ("duration", "s", 2_629_800.0),
    "years": ("duration", "s", 31_557_600.0),
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
    "€": "EUR",
    "eur": "EUR",
    "£": "GBP",
    "gbp": "GBP",
    "¥": "JPY",
}

_FIGURE_RE = re.compile(
    # Start only where a word starts: trying every position inside words made extraction 4x slower.
    rf"(?<![\w$€£¥])(?:(?P<qualifier>{_QUALIFIER})\s+)?"
    rf"(?P<figure>(?P<currency>{_CURRENCY_PREFIX})?"
    rf"(?:(?P<digits>{_DIGIT_NUMBER})(?P<ordinal>st|nd|rd|th)?|(?P<words>{_WORD_NUMBER}))"
    # A glued "k" ("$5k", "5k people") is a multiplier only in context; see _figure_from_match.
    rf"(?:[\s-]?(?P<scale>million|billion|trillion|thousand|bn)\b|(?<=\d)(?P<suffix_k>k)\b)?"
    rf"(?:\s?(?P<unit>{_UNIT_ALT})(?![\w]))?)",
    re.I,
)
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
    r"(?:\b(?:in|since|until|till|during|circa|early|late|mid|spring|summer|autumn|fall|winter|year)\s+"
    r"|\bc\.\s*|\bmid-)$",
    re.I,
)
_CURRENCY_WORDS = {"dollars": "USD", "euros": "EUR"}
_SUFFIX_SCALES = {"m": "million", "k": "thousand"}
_YEAR_CUE_LOOKBACK = 12  # characters before a number searched for a year cue
# "not a single death", "no one was hurt": zero said in words.
_ZERO_RE = re.compile(r"\b(?P<figure>not\s+a\s+single|not\s+one|no\s+one|nobody)\b", re.I)
_ORDINAL_WORD_RE = re.compile(rf"\b(?P<figure>{'|'.join(_ORDINAL_WORDS)})\b", re.I)
# Reference markers ([3], [12], [a]) are citations, not figures.
_MARKER_RE = re.compile(r"\[\s*(?:\d+|[a-z])\s*\]", re.I)


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


def _digits_value(digits: str) -> float:
    return float(re.sub(r"[,\s\u00a0\u202f]", "", digits))


def _is_year(text: str, match: re.Match[str], value: float) -> bool:
    """A bare four-digit number from 1500 to 2199 is a year unless a count noun follows it and no year cue
    ("in", "since", "during" …) precedes it: "in 1976", "the 1991 uprisings" vs "counted 1976 voters"."""
    if not (
        match["digits"] is not None
        and re.fullmatch(r"\d{4}", match["digits"]) is not None
        and 1500 <= value <= 2199
        and not match["currency"]
        and not match["unit"]
        and not match["scale"]
        and not match["suffix_k"]
        and not match["ordinal"]
    ):
        return False
    start, end = match.span("figure")
    if _YEAR_CUE_RE.search(text[max(0, start - _YEAR_CUE_LOOKBACK) : start]):
        return True
    return _COUNT_CONTEXT_RE.match(text, end) is None


def _inside(spans: Sequence[tuple[int, int]], start: int, end: int) -> bool:
    return any(begin <= start and end <= finish for begin, finish in spans)


def _overlaps(spans: Sequence[tuple[int, int]], start: int, end: int) -> bool:
    return any(start < finish and begin < end for begin, finish in spans)


def extract_figures(text: str) -> list[Figure]:
    """Every figure in ``text``, in text order.

    Reference markers (``[3]``) and digits glued to words (``F-4``, ``COVID-19``)
    are skipped; a full date is one figure of kind ``date`` (value ``YYYYMMDD``,
    missing parts as zeros), a bare year one of kind ``year``.
    """
    figures: list[Figure] = []
    blocked = [(m.start(), m.end()) for m in _MARKER_RE.finditer(text)]
    for date, start, end in find_dates(text):
        value = date.year * 10_000 + (date.month or 0) * 100 + (date.day or 0)
        figures.append(Figure(text[start:end], start, end, float(value), None, "date", date.approximate))
        blocked.append((start, end))
    for match in _FIGURE_RE.finditer(text):
        figure = _figure_from_match(text, match)
        if figure is not None and not _overlaps(blocked, figure.start, figure.end):
            figures.append(figure)
    taken = [(figure.start, figure.end) for figure in figures]
    for match in _ZERO_RE.finditer(text):
        if not _overlaps(taken, match.start(), match.end()):
            figures.append(Figure(match["figure"], match.start(), match.end(), 0.0, None, "count"))
    for match in _ORDINAL_WORD_RE.finditer(text):
        if not _overlaps(taken, match.start(), match.end()):
            rank = float(_ORDINAL_WORDS[match["figure"].lower()])
            figures.append(Figure(match["figure"], match.start(), match.end(), rank, None, "ordinal"))
    figures.sort(key=lambda figure: figure.start)
    return figures


def _figure_from_match(text: str, match: re.Match[str]) -> Figure | None:
    start, end = match.span("figure")
    # Digits glued to letters or hyphens are parts of names (F-4, G8, resolution-1883a), not figures.
    if match["digits"] and (
        (
            start > 0
            and (text[start - 1].isalnum() or (text[start - 1] in "-/" and start > 1 and text[start - 2].isalpha()))
        )
        or (
            end < len(text)
            and text[end].isalpha()
            and not match["unit"]
            and not match["scale"]
            and not match["ordinal"]
        )
    ):
        return None
    if match["words"] and ((start > 0 and text[start - 1].isalnum()) or (end < len(text) and (text[end].isalnum()))):
        return None
    value = _digits_value(match["digits"]) if match["digits"] else _words_value(match["words"])
    if value is None:
        return None
    if match["words"] and match["words"].lower().strip() in {"one"} and not match["unit"] and not match["scale"]:
        # A lone "one" is a pronoun as often as a number ("one of the camps").
        return None
    qualifier = re.sub(r"\s+", " ", match["qualifier"].lower()) if match["qualifier"] else None
    approximate = qualifier is not None
    unit_text = re.sub(r"\s+", " ", (match["unit"] or "").lower())
    scale = (match["scale"] or "").lower()
    written = match["figure"]
    currency_code = (
        _CURRENCY_CODES.get(re.sub(r"\s+", "", match["currency"].lower()), "USD") if match["currency"] else None
    )
    suffix = "k" if match["suffix_k"] else "m" if unit_text == "m" else ""
    if suffix:
        # "$5m", "1.5m people", "5k voters" are multiples; "a 1.5m wall" is metres; a lone "5k" is not understood.
        counted = _MULTIPLIER_CONTEXT_RE.match(text, end)
        if currency_code is not None or counted is not None:
            scale, unit_text = _SUFFIX_SCALES[suffix], ""
            if currency_code is None and counted is not None and counted["noun"].lower() in _CURRENCY_WORDS:
                currency_code = _CURRENCY_WORDS[counted["noun"].lower()]
                end = counted.end()
                written = text[start:end]
        elif suffix == "k":
            return None
    if scale:
        value *= {"thousand": 1e3, "million": 1e6, "billion": 1e9, "bn": 1e9, "trillion": 1e12}[scale]
    if match["ordinal"]:
        return Figure(written, start, end, value, None, "ordinal", approximate, qualifier)
    if currency_code is not None:
        return Figure(written, start, end, value, currency_code, "money", approximate, qualifier)
    if unit_text:
        kind, base, factor = _UNIT_TABLE[unit_text]
        return Figure(written, start, end, value * factor, base, kind, approximate, qualifier)
    if _is_year(text, match, value):
        return Figure(written, start, end, value, None, "year", approximate, qualifier)
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
        written = float(raw) if raw else 0.0
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


def _form(figure: Figure) -> tuple[str, str]:
    written_in = "digits" if re.search(r"\d", figure.text) else "words"
    unit_match = re.search(rf"(?:{_UNIT_ALT})\s*$", figure.text, re.I)
    return written_in, (unit_match.group(0).lower() if unit_match else "")


def comparable(first: Figure, second: Figure) -> bool:
    """Same kind of quantity in the same base unit (money only in the same currency)."""
    if first.kind != second.kind:
        return False
    return first.unit == second.unit


def same_value(first: Figure, second: Figure) -> bool:
    """Equal within the rounding the writers used (and 10% more when either hedged with "about")."""
    if not comparable(first, second):
        return False
    if first.kind in {"year", "date", "ordinal"}:
        return first.value == second.value
    if math.isclose(first.value, second.value, rel_tol=1e-9, abs_tol=1e-9):
        return True
    converted = _form(first)[1] != _form(second)[1]
    tolerance = max(rounding_step(first), rounding_step(second)) / 2 if converted else 0.0
    if first.approximate or second.approximate:
        tolerance += 0.1 * max(abs(first.value), abs(second.value))
    return abs(first.value - second.value) <= tolerance + 1e-9


# --------------------------------------------------------------------------- key terms

_STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "also",
        "although",
        "am",
        "among",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "either",
        "else",
        "even",
        "ever",
        "every",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "him",
        "his",
        "how",
        "however",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "least",
        "less",
        "like",
        "made",
        "make",
        "many",
        "may",
        "me",
        "more",
        "most",
        "much",
        "must",
        "my",
        "neither",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "one",
        "only",
        "or",
        "other",
        "others",
        "our",
        "out",
        "over",
        "own",
        "per",
        "rather",
        "said",
        "same",
        "say",
        "says",
        "she",
        "should",
        "since",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "though",
        "through",
        "thus",
        "to",
        "too",
        "under",
        "until",
        "up",
        "upon",
        "us",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "whether",
        "which",
        "while",
        "who",
        "whom",
        "whose",
        "why",
        "will",
        "with",
        "within",
        "without",
        "would",
        "yet",
        "you",
        "your",
        "according",
        "across",
        "along",
        "already",
        "another",
        "around",
        "became",
        "become",
        "becomes",
        "later",
        "near",
        "nearly",
        "several",
        "still",
        "today",
        "told",
        "yesterday",
    ]
)
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
        if key not in seen and key not in _STOPWORDS and not _words_value(key):
            seen.add(key)
            terms.append(term)

    entity_words: set[str] = set()
    for match in _ENTITY_RE.finditer(text):
        entity = match.group(0).rstrip(".")
        words = entity.split()
        if len(words) == 1 and words[0].lower() in _STOPWORDS:
            continue  # a capitalized function word opening the sentence ("The", "In")
        while words and words[0].lower() in _STOPWORDS:
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


def _excerpt(source_text: str, start: int, end: int) -> str:
    begin = max(0, start - _EXCERPT_RADIUS)
    finish = min(len(source_text), end + _EXCERPT_RADIUS)
    # Widen to word boundaries so the excerpt does not cut words.
    while begin > 0 and not source_text[begin - 1].isspace():
        begin -= 1
    while finish < len(source_text) and not source_text[finish].isspace():
        finish += 1
    snippet = re.sub(r"\s+", " ", source_text[begin:finish]).strip()
    return ("…" if begin > 0 else "") + snippet + ("…" if finish < len(source_text) else "")


def _year_and_count_alike(first: Figure, second: Figure) -> bool:
    """A year and a count with the same value: whether "1976" is a year or 1,976 things is a guess from context
    ("counted 1976 postal votes"), so a guess that differs between claim and source must not hide a match."""
    return (
        {first.kind, second.kind} == {"year", "count"}
        and math.isclose(first.value, second.value, rel_tol=0, abs_tol=1e-9)
        and not (first.approximate or second.approximate)
    )


@lru_cache(maxsize=64)
def _source_figures(source_text: str) -> tuple[Figure, ...]:
    # A checker matches every figure of every claim citing a source against the same text.
    return tuple(extract_figures(source_text))


def match_figure(figure: Figure, source_text: str, key_terms: Sequence[str] = ()) -> FigureMatch:
    """Look for ``figure`` in ``source_text``.

    ``found``: the same value written the same way (digits vs words, same
    unit); ``near``: the same quantity in another form or unit, or within the
    hedge of an approximate figure, or a year-like number read as a year on
    one side and as a count on the other (``near`` too, and only when no
    occurrence of the same kind exists); ``not-found`` otherwise.  Among several
    occurrences the one with most ``key_terms`` within a window wins; when
    key terms were given but none is near, the match still counts and the
    excerpt says it was found away from the claim's subject.
    """
    positions = _term_positions(source_text.lower(), key_terms)
    best: tuple[tuple[int, int, int], Figure] | None = None  # ((same kind, terms nearby, exactness), source figure)
    for candidate in _source_figures(source_text):
        same_kind = same_value(figure, candidate)
        if not same_kind and not _year_and_count_alike(figure, candidate):
            continue
        exact = int(
            same_kind
            and math.isclose(figure.value, candidate.value, rel_tol=1e-9, abs_tol=1e-9)
            and _form(figure) == _form(candidate)
            and not (candidate.approximate and not figure.approximate)
        )
        score = (int(same_kind), _nearby_terms(positions, candidate.start, candidate.end), exact)
        if best is None or score > best[0]:
            best = (score, candidate)
    if best is None:
        return FigureMatch(figure, "not-found", None)
    (_, nearby, exact), candidate = best
    excerpt = _excerpt(source_text, candidate.start, candidate.end)
    if key_terms and nearby == 0:
        excerpt = f"(found away from the claim's key terms) {excerpt}"
    return FigureMatch(figure, "found" if exact else "near", excerpt)
