"""Sentence splitting for claims: survives "U.S.", initials, decimals and quotes.

A rule-based splitter in the spirit of pysbd/Punkt without their data files:
a boundary is terminal punctuation (``.``, ``!``, ``?``, ``…``), optionally
followed by closing quotes or brackets, then whitespace, then something that
can start a sentence.  A period after a known abbreviation, an initial or
inside a number is not a boundary.
"""

from __future__ import annotations

import re

# Lower-cased, without the final period. Titles, US-style abbreviations,
# months and Latin short forms seen in news and encyclopaedic prose.
ABBREVIATIONS = frozenset(
    """
    mr mrs ms dr prof sr jr st mt ft gen lt col maj capt cmdr adm sgt cpl pvt gov sen rep pres
    rev hon fr msgr supt insp det
    u.s u.k u.n e.u u.s.a u.s.s.r d.c n.y l.a a.m p.m e.g i.e etc vs cf al ca approx
    no nos vol vols pp p ch fig figs ed eds est dept univ assn corp inc ltd co bros
    jan feb mar apr jun jul aug sep sept oct nov dec
    ave blvd rd
    c v ca cca circ fl b d r ibid viz esp approx ff nr art sec pt pl
    """.split()  # noqa: SIM905 - a word list reads better than eighty quoted strings
)

_BOUNDARY_RE = re.compile(
    r"""
    (?P<end>[.!?…]+)            # terminal punctuation
    (?P<close>["'”’»)\]]*)      # closing quotes / brackets belong to the sentence
    (?P<space>\s+)              # whitespace
    (?=["'“‘«(\[]?[A-Z0-9À-ÖØ-Þ]) # the next sentence starts with a capital or a digit
    """,
    re.VERBOSE,
)

# The boundary's groups by number: a name is looked up on every call.
_END, _CLOSE, _SPACE = (_BOUNDARY_RE.groupindex[name] for name in ("end", "close", "space"))


_DOTTED_RE = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]?")


def _word_before(text: str, end: int) -> str:
    """What ``re.search(r"([\\w.]+)$", text[:end])`` finds, read backwards from ``end``.

    The search tried every position from the paragraph's start for each
    period (quadratic in long paragraphs); ``\\w`` is ``str.isalnum()`` or
    ``_``, and ``$`` also matches before a final newline.
    """
    if end > 0 and text[end - 1] == "\n":
        end -= 1
    start = end
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] in "._"):
        start -= 1
    return text[start:end]


def _is_abbreviation(text: str, period_at: int) -> bool:
    """Is the period at ``period_at`` part of an abbreviation or initial?"""
    token = _word_before(text, period_at)
    if not token:
        return False
    word = token.lower().rstrip(".")
    if word in ABBREVIATIONS:
        return True
    # Single capital initials ("John F. Kennedy", "J. Smith") and dotted
    # acronyms ("U.S.", "N.A.T.O").
    if len(token) == 1 and token.isupper():
        return True
    return _DOTTED_RE.fullmatch(token) is not None


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Return ``(start, end)`` spans of the sentences in ``text``, stripped of outer whitespace."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _BOUNDARY_RE.finditer(text):
        if match.group(_END) == "." and _is_abbreviation(text, match.start(_END)):
            continue
        spans.append((start, match.end(_CLOSE)))
        start = match.end(_SPACE)
    if start < len(text):
        spans.append((start, len(text)))
    # Only the outer ends can hold whitespace: a boundary's sentence ends at its punctuation (or closing
    # quote), and the next one starts after all the whitespace, at the capital, digit or quote the boundary
    # saw.  So only the first and the last span are stripped (the slices of the others cost a copy each).
    if spans:
        last = _stripped(text, *spans[-1])
        if last is None:
            spans.pop()
        else:
            spans[-1] = last
    if spans:
        first = _stripped(text, *spans[0])
        if first is None:
            spans.pop(0)
        else:
            spans[0] = first
    return spans


def _stripped(text: str, begin: int, end: int) -> tuple[int, int] | None:
    """``text[begin:end]`` without outer whitespace, as a span; None when nothing is left."""
    # str.strip() without arguments removes exactly the characters str.isspace() is true for.
    piece = text[begin:end]
    kept = piece.strip()
    if not kept:
        return None
    begin += len(piece) - len(piece.lstrip())
    return begin, begin + len(kept)


def split_sentences(text: str) -> list[str]:
    return [text[begin:end] for begin, end in sentence_spans(text)]
