"""Content words: what a claim and a source passage must share to be about the same thing.

Function words are dropped; what is left is lower-cased, stripped of
diacritics and reduced by a light suffix stemmer (``killed``, ``killing`` and
``kills`` share ``kill``), the same way on both sides, so "shares 9 of 11
content words" counts like for like.  Numbers are content words too (``2017``,
``41.3``).  Scripts written without spaces (Chinese, Japanese, Thai …) are
read as overlapping character pairs, so a claim in another script still gets
a bounded, meaningful comparison instead of one giant "word".
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from functools import lru_cache

__all__ = ["CALENDAR_WORDS", "STOPWORDS", "content_stems", "is_content_word", "stem", "word_spans"]

STOPWORDS = frozenset(
    """
    a about above after again against all also although am among an and any are as at be because been before
    being below between both but by can could did do does doing down during each either else even ever every
    few for from further had has have having he her here hers him his how however i if in into is it its
    itself just least less like made make many may me more most much must my neither no nor not now of off on
    once one only or other others our out over own per rather said same say says she should since so some such
    than that the their them then there these they this those though through thus to too under until up upon
    us very was we were what when where whether which while who whom whose why will with within without would
    yet you your according across along already another around became become becomes later near nearly several
    still today told yesterday
    """.split()  # noqa: SIM905 - a word list reads better than two hundred quoted strings
)

# Month and weekday names (and abbreviations): capitalized, but neither names nor what a figure measures.
CALENDAR_WORDS = frozenset(
    {
        *(name.lower() for name in calendar.month_name if name),
        *(name.lower() for name in calendar.month_abbr if name),
        "sept",
        *(name.lower() for name in calendar.day_name),
    }
)

# Letters of scripts written without spaces between words.
_UNSPACED = (
    r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"  # kana, CJK ideographs, hangul
    r"\u0e00-\u0e7f\u0e80-\u0eff\u1000-\u109f\u1780-\u17ff"  # Thai, Lao, Myanmar, Khmer
)
_WORD_RE = re.compile(rf"[{_UNSPACED}]+|\d+(?:[.,]\d+)*|[^\W\d_](?:[\w'’-]*\w)?")
_UNSPACED_RE = re.compile(rf"[{_UNSPACED}]")
_SUFFIXES = (("ies", "y", 5), ("ing", "", 6), ("ied", "y", 5), ("ed", "", 5), ("es", "", 5), ("s", "", 4))


def word_spans(text: str) -> list[tuple[str, int, int]]:
    """Every word (or number, or character pair of an unspaced script) with its span, in text order."""
    words: list[tuple[str, int, int]] = []
    for match in _WORD_RE.finditer(text):
        token = match.group()
        if _UNSPACED_RE.match(token):
            start = match.start()
            if len(token) == 1:
                words.append((token, start, start + 1))
            for offset in range(len(token) - 1):
                words.append((token[offset : offset + 2], start + offset, start + offset + 2))
            continue
        words.append((token, match.start(), match.end()))
    return words


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A word's comparable form: lower case, no diacritics, no possessive, light suffix stemming."""
    folded = word.lower()
    if not folded.isascii():
        folded = "".join(char for char in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(char))
        folded = folded.replace("’", "'")
    if folded.endswith("'s"):
        folded = folded[:-2]
    folded = folded.strip("'-")
    if not folded.isalpha() or not folded.isascii():
        return folded.replace(",", "")
    for suffix, replacement, min_length in _SUFFIXES:
        if len(folded) >= min_length and folded.endswith(suffix):
            if suffix == "s" and folded.endswith(("ss", "us", "is")):
                continue
            if suffix == "es" and not folded.endswith(("sses", "xes", "zes", "ches", "shes")):
                continue
            folded = folded[: -len(suffix)] + replacement
            break
    # "stopped" → "stopp" → "stop": a doubled final consonant left by a suffix.
    if len(folded) > 3 and folded[-1] == folded[-2] and folded[-1] not in "aeiousl":
        folded = folded[:-1]
    return folded


def is_content_word(word: str) -> bool:
    lowered = word.lower()
    if lowered in STOPWORDS:
        return False
    return len(word) >= 2 or word.isdigit() or _UNSPACED_RE.match(word) is not None


def content_stems(text: str) -> list[str]:
    """The stems of ``text``'s content words, in order, repeats kept."""
    return [stem(word) for word, _, _ in word_spans(text) if is_content_word(word)]
