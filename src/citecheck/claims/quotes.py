"""Quoted passages in a claim, and whether a source text contains them (issue 5 §3, CC501).

:func:`find_quotes` finds what a claim puts between quotation marks;
:func:`match_quote` looks for one quote in a source text after normalization
(Unicode NFKC, quotation marks dropped, case folded, whitespace and dashes
unified), honouring elisions (``[…]``, ``...``, ``…``) and bracketed
insertions (``[the president]``).  When no verbatim match exists it looks for
a close one, anchored on the quote's rarest words so a 100 KB source is never
scanned fuzzily end to end, and shows the source's own wording.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from rapidfuzz import fuzz

QuoteStatus = Literal["found", "near", "not-found"]

# A quotation of fewer words than this is a term or a scare quote ("terrorist"),
# not a passage: it is reported, marked short, and never fuzzily matched.
MIN_PASSAGE_WORDS = 2
# Elided material between two fragments of one quote: a few paragraphs at most.
MAX_ELIDED_CHARS = 1500
# A bracketed insertion ("[the president]") stands for a short phrase of the source.
MAX_INSERTION_CHARS = 60
# rapidfuzz similarity (0-100) a passage needs to count as the quote with small differences.
NEAR_SCORE = 85.0
# Fuzzy matching needs enough text to mean anything.
NEAR_MIN_CHARS = 12
# From this many words on, similarity is also measured word by word.
WORD_SIMILARITY_MIN_WORDS = 6
# Below this character similarity a passage is not a candidate at all.
CANDIDATE_SCORE = 70.0
# How many of the quote's rarest words anchor the fuzzy search, and how many places each.
ANCHOR_WORDS = 3
ANCHOR_PLACES = 25
EXCERPT_MAX_CHARS = 400

_DOUBLE_OPEN = "“„‟«"
_DOUBLE_CLOSE = "”»"
_SINGLE_OPEN = "‘‛‹"
_SINGLE_CLOSE = "’›"
# Every quotation mark is dropped in normalized text: nesting swaps single and
# double marks between a source and its quoter, and apostrophes vanish alike on both sides.
_QUOTE_MARKS = frozenset("\"'`´“”„‟‘’‚‛«»‹›′″")
_DASHES = frozenset("-‐‑‒–—―−")
_OPENING_CONTEXT = frozenset("([{—–-/")
_ELISION_RE = re.compile(r"\[\s*(?:…|\.\s?\.\s?\.)\s*\]|\(\s*(?:…|\.\s?\.\s?\.)\s*\)|\.\s?\.\s?\.|…")
_INSERTION_RE = re.compile(r"\[[^\[\]]*\]")
_SIC_RE = re.compile(r"\[\s*sic\s*\]", re.I)
_WORD_RE = re.compile(r"\w+")
# Apostrophes that stand before a word, where an opening quote could stand: '90s, rock 'n' roll, 'em, 'tis.
_LEADING_APOSTROPHE_RE = re.compile(r"['’‘](?:\d\ds?|n['’]|em|tis|twas|til|cause)(?!\w)", re.I)
_EDGE_PUNCTUATION = " .,;:!?-"


@dataclass(frozen=True)
class Quote:
    """A passage a claim puts between quotation marks.

    ``start``/``end`` delimit ``text`` (the words inside the marks) in the
    claim; ``depth`` is 0 for an outer quote and 1 or more for a quote nested
    inside another (checking the outer one covers it).
    """

    text: str
    start: int
    end: int
    style: Literal["double", "single"]
    depth: int = 0
    short: bool = False


@dataclass(frozen=True)
class QuoteMatch:
    """Where a quote was found in a source text: ``excerpt`` is the source's own wording."""

    quote: Quote
    status: QuoteStatus
    excerpt: str | None = None
    score: float = 0.0  # 100 for a verbatim match; the similarity for a near one
    start: int | None = None  # span of the excerpt in the source text
    end: int | None = None


# --------------------------------------------------------------------------- finding quotes


@dataclass
class _Open:
    style: Literal["double", "single"]
    position: int  # index just past the opening mark
    straight: bool


def _is_word_char(char: str) -> bool:
    return char.isalnum()


def _before_allows_opening(text: str, index: int) -> bool:
    return index == 0 or text[index - 1].isspace() or text[index - 1] in _OPENING_CONTEXT or _is_mark(text[index - 1])


def _is_mark(char: str) -> bool:
    return char in _DOUBLE_OPEN or char in _SINGLE_OPEN or char in "\"'"


def _after_allows_closing(text: str, index: int) -> bool:
    return index + 1 >= len(text) or not _is_word_char(text[index + 1])


def _single_closer_at(text: str, index: int) -> bool:
    """A ’ or ' that could end a single-quoted passage: after a non-space, before no letter or digit."""
    return text[index] in "’'" and index > 0 and not text[index - 1].isspace() and _after_allows_closing(text, index)


def _later_single_closer(text: str, index: int) -> bool:
    """Whether a better closing mark follows before the passage could plausibly end.

    ``‘the students’ union was shut’``: the first ’ is a plural possessive
    because another candidate closes the passage before any new opening mark
    or the end of an enclosing double quote.
    """
    for later in range(index + 1, len(text)):
        char = text[later]
        if char in _DOUBLE_CLOSE or char in _SINGLE_OPEN or char == '"':
            return False
        if char == "'" and _before_allows_opening(text, later) and later + 1 < len(text):
            return False
        if _single_closer_at(text, later):
            return True
    return False


# Every character find_quotes acts on: without one of them a text holds no quote.
_ANY_MARK_RE = re.compile(
    "[" + re.escape("".join(sorted({*_DOUBLE_OPEN, *_DOUBLE_CLOSE, *_SINGLE_OPEN, '"', "’", "'"}))) + "]"
)


def find_quotes(claim_text: str) -> list[Quote]:
    """Every quoted passage in ``claim_text``, outer ones before those nested in them.

    Curly and straight double quotes and guillemets always quote; single
    quotes only when they cannot be apostrophes (an opening mark after a
    space or bracket, a closing mark before no letter).  Unclosed marks are
    ignored.
    """
    if _ANY_MARK_RE.search(claim_text) is None:  # most sentences quote nothing: one scan, not a loop per character
        return []
    found: list[Quote] = []
    stack: list[_Open] = []
    text = claim_text
    apostrophes: set[int] = set()
    for match in _LEADING_APOSTROPHE_RE.finditer(text):
        apostrophes.add(match.start())
        if match.group().endswith(("'", "’")):  # rock 'n' roll
            apostrophes.add(match.end() - 1)
    for index, char in enumerate(text):
        if index in apostrophes:
            continue
        if char in _DOUBLE_OPEN:
            stack.append(_Open("double", index + 1, straight=False))
        elif char in _DOUBLE_CLOSE:
            _close(stack, "double", index, text, found)
        elif char == '"':
            if any(entry.style == "double" and entry.straight for entry in stack) and index > 0:
                _close(stack, "double", index, text, found)
            elif index + 1 < len(text) and not text[index + 1].isspace():
                stack.append(_Open("double", index + 1, straight=True))
        elif char in _SINGLE_OPEN:
            if index + 1 < len(text) and not text[index + 1].isspace():
                stack.append(_Open("single", index + 1, straight=False))
        elif char in "’'":
            inside_word = (
                0 < index < len(text) - 1 and _is_word_char(text[index - 1]) and _is_word_char(text[index + 1])
            )
            if inside_word:
                continue  # don't, Iran's
            open_single = bool(stack) and stack[-1].style == "single"
            if open_single and _single_closer_at(text, index):
                followed_by_space = index + 1 < len(text) and text[index + 1].isspace()
                if followed_by_space and _later_single_closer(text, index):
                    continue
                _close(stack, "single", index, text, found)
            elif (
                char == "'"
                and _before_allows_opening(text, index)
                and index + 1 < len(text)
                and _is_word_char(text[index + 1])
            ):
                stack.append(_Open("single", index + 1, straight=True))
    found.sort(key=lambda quote: (quote.depth, quote.start))
    return found


def _close(stack: list[_Open], style: str, index: int, text: str, found: list[Quote]) -> None:
    """Close the innermost open quote of ``style``; quotes opened inside it and never closed are dropped."""
    for position in range(len(stack) - 1, -1, -1):
        if stack[position].style == style:
            opened = stack[position]
            del stack[position:]
            inner = text[opened.position : index]
            stripped = inner.strip()
            if not stripped:
                return
            start = opened.position + (len(inner) - len(inner.lstrip()))
            words = len(_WORD_RE.findall(_INSERTION_RE.sub(" ", stripped)))
            quote = Quote(
                text=stripped,
                start=start,
                end=start + len(stripped),
                style=opened.style,
                depth=position,
                short=words < MIN_PASSAGE_WORDS,
            )
            found.append(quote)
            return


# --------------------------------------------------------------------------- normalization


@dataclass(frozen=True)
class NormalizedText:
    """Text in matching form, with each character's position in the original."""

    text: str
    origin: tuple[int, ...]
    original: str

    def span_in_original(self, start: int, end: int) -> tuple[int, int]:
        """The original span a non-empty normalized ``[start, end)`` came from."""
        return self.origin[start], self.origin[end - 1] + 1


def _normalize(text: str) -> NormalizedText:
    out: list[str] = []
    origin: list[int] = []
    index = 0
    length = len(text)
    while index < length:
        # A base character with its combining marks normalizes as one unit.
        group_end = index + 1
        while group_end < length and unicodedata.combining(text[group_end]):
            group_end += 1
        group = text[index:group_end]
        if not group.isascii():
            group = unicodedata.normalize("NFKC", group)
        for char in group:
            if char in _QUOTE_MARKS:
                continue
            if char in _DASHES:
                # "a — b", "a–b" and "a - b" all become "a-b".
                if out and out[-1] == " ":
                    out.pop()
                    origin.pop()
                if out and out[-1] == "-":
                    continue
                out.append("-")
                origin.append(index)
            elif char.isspace():
                if out and out[-1] not in " -":
                    out.append(" ")
                    origin.append(index)
            else:
                for folded in char.casefold():
                    out.append(folded)
                    origin.append(index)
        index = group_end
    if out and out[-1] == " ":
        out.pop()
        origin.pop()
    return NormalizedText(text="".join(out), origin=tuple(origin), original=text)


def normalize_for_matching(text: str) -> str:
    """``text`` as quote matching compares it: NFKC, no quotation marks, case folded, one space, ``-`` dashes."""
    return _normalize(text).text


@dataclass(frozen=True)
class _SourceIndex:
    normalized: NormalizedText
    word_counts: Counter[str]
    word_positions: dict[str, list[int]]


@lru_cache(maxsize=32)
def _index_source(source_text: str) -> _SourceIndex:
    # Many claims cite the same source: normalize and index it once.
    normalized = _normalize(source_text)
    positions: dict[str, list[int]] = {}
    for match in _WORD_RE.finditer(normalized.text):
        positions.setdefault(match.group(), []).append(match.start())
    counts = Counter({word: len(places) for word, places in positions.items()})
    return _SourceIndex(normalized=normalized, word_counts=counts, word_positions=positions)


# --------------------------------------------------------------------------- matching


@dataclass(frozen=True)
class _Fragment:
    """A run of the quote between elisions: literal pieces with insertions between them."""

    pieces: tuple[str, ...]
    pattern: re.Pattern[str]

    @property
    def plain(self) -> str:
        return " ".join(piece for piece in self.pieces if piece)


def _fragments(quote_text: str) -> list[_Fragment]:
    fragments: list[_Fragment] = []
    for raw in _ELISION_RE.split(_SIC_RE.sub(" ", quote_text)):
        pieces = [normalize_for_matching(piece).strip(_EDGE_PUNCTUATION) for piece in _INSERTION_RE.split(raw)]
        if not any(pieces):
            continue
        # An insertion at either end of a fragment constrains nothing: it is left out of the pattern.
        while not pieces[0]:
            pieces.pop(0)
        while not pieces[-1]:
            pieces.pop()
        body = f".{{0,{MAX_INSERTION_CHARS}}}?".join(re.escape(piece) for piece in pieces)
        # Whole words only: "terror" is not found in "terrorist".
        pattern = re.compile(r"(?<!\w)" + body + r"(?!\w)")
        fragments.append(_Fragment(pieces=tuple(pieces), pattern=pattern))
    return fragments


def _exact_chain(fragments: list[_Fragment], text: str) -> tuple[int, int] | None:
    """The first place every fragment occurs in order, each within the elision window of the previous."""
    first, *rest = fragments
    for match in first.pattern.finditer(text):
        end = match.end()
        for fragment in rest:
            following = fragment.pattern.search(text, end, min(len(text), end + MAX_ELIDED_CHARS))
            if following is None:
                break
            end = following.end()
        else:
            return match.start(), end
    return None


def _anchor_words(fragment: str, index: _SourceIndex) -> list[tuple[str, int]]:
    """The fragment's rarest words present in the source, with their offsets in the fragment."""
    words = [(match.group(), match.start()) for match in _WORD_RE.finditer(fragment)]
    present = [(word, offset) for word, offset in words if index.word_counts.get(word, 0) > 0]
    present.sort(key=lambda item: (index.word_counts[item[0]], -len(item[0])))
    chosen: list[tuple[str, int]] = []
    for word, offset in present:
        if all(word != other for other, _ in chosen):
            chosen.append((word, offset))
        if len(chosen) == ANCHOR_WORDS:
            break
    return chosen


def _best_near(fragment: str, index: _SourceIndex, lower: int, upper: int) -> tuple[float, int, int] | None:
    """The best fuzzy alignment of ``fragment`` in the source between ``lower`` and ``upper``.

    Candidate windows sit around occurrences of the fragment's rarest words,
    so the cost grows with the quote's length, not the source's.
    """
    text = index.normalized.text
    slack = len(fragment) // 2 + 20
    best: tuple[float, int, int] | None = None
    seen: set[int] = set()
    for word, offset in _anchor_words(fragment, index):
        places = [place for place in index.word_positions[word] if lower <= place < upper]
        for place in places[:ANCHOR_PLACES]:
            window_start = max(lower, place - offset - slack)
            if window_start in seen:
                continue
            seen.add(window_start)
            window_end = min(upper, place - offset + len(fragment) + slack)
            alignment = fuzz.partial_ratio_alignment(
                fragment, text[window_start:window_end], score_cutoff=CANDIDATE_SCORE
            )
            if alignment is None:
                continue
            candidate = (alignment.score, window_start + alignment.dest_start, window_start + alignment.dest_end)
            # Long fragments are also compared word by word around the same place: one word in eight
            # may differ whatever its length ("constitution" for "charter").
            by_words = _word_alignment(
                fragment, text, max(lower, candidate[1] - slack), min(upper, candidate[2] + slack)
            )
            if by_words is not None and by_words[0] > candidate[0]:
                candidate = by_words
            if best is None or candidate[0] > best[0]:
                best = candidate
    return best


def _word_alignment(fragment: str, text: str, start: int, end: int) -> tuple[float, int, int] | None:
    """Best alignment of the fragment's words within ``text[start:end]``'s words, as (score, start, end).

    Each distinct word becomes one character so rapidfuzz aligns word sequences.
    """
    words = _WORD_RE.findall(fragment)
    if len(words) < WORD_SIMILARITY_MIN_WORDS:
        return None
    codes: dict[str, str] = {}
    encoded_fragment = "".join(codes.setdefault(word, chr(0x4E00 + len(codes))) for word in words)
    passage = list(_WORD_RE.finditer(text, start, end))
    encoded_passage = "".join(codes.setdefault(match.group(), chr(0x4E00 + len(codes))) for match in passage)
    alignment = fuzz.partial_ratio_alignment(encoded_fragment, encoded_passage)
    if alignment is None or alignment.dest_end <= alignment.dest_start:
        return None
    # Edge words that differ are not part of the source's wording for the quote.
    first, last = alignment.dest_start, alignment.dest_end - 1
    while first < last and encoded_passage[first] not in encoded_fragment:
        first += 1
    while last > first and encoded_passage[last] not in encoded_fragment:
        last -= 1
    return alignment.score, passage[first].start(), passage[last].end()


def _near_chain(fragments: list[_Fragment], index: _SourceIndex) -> tuple[float, int, int] | None:
    """Every fragment matched closely and in order; the weakest fragment's score rates the whole."""
    text_length = len(index.normalized.text)
    lower, upper = 0, text_length
    scores: list[float] = []
    start: int | None = None
    end = 0
    for fragment in fragments:
        plain = fragment.plain
        exact = fragment.pattern.search(index.normalized.text, lower, upper)
        if exact is not None:
            score, begin, finish = 100.0, exact.start(), exact.end()
        else:
            if len(plain) < NEAR_MIN_CHARS:
                return None
            near = _best_near(plain, index, lower, upper)
            if near is None or near[0] < NEAR_SCORE:
                return None
            score, begin, finish = near
        scores.append(score)
        start = begin if start is None else start
        end = finish
        lower, upper = finish, min(text_length, finish + MAX_ELIDED_CHARS)
    if start is None:
        return None
    return min(scores), start, end


def _excerpt(index: _SourceIndex, start: int, end: int) -> tuple[str, int, int]:
    """The source's original wording for a normalized span, widened to whole words."""
    original = index.normalized.original
    begin, finish = index.normalized.span_in_original(start, end)
    while begin > 0 and original[begin - 1].isalnum():
        begin -= 1
    while finish < len(original) and (original[finish].isalnum() or unicodedata.combining(original[finish])):
        finish += 1
    excerpt = " ".join(original[begin:finish].split())
    if len(excerpt) > EXCERPT_MAX_CHARS:
        excerpt = excerpt[: EXCERPT_MAX_CHARS - 1].rstrip() + "…"
    return excerpt, begin, finish


def match_quote(quote: Quote, source_text: str) -> QuoteMatch:
    """Look for ``quote`` in ``source_text``: ``found`` verbatim after normalization,
    ``near`` with small differences (the excerpt shows the source's wording), or ``not-found``.

    Elisions split the quote into fragments that must occur in order, each
    within :data:`MAX_ELIDED_CHARS` of the previous; a bracketed insertion
    matches any short run of the source; ``[sic]`` matches nothing.
    """
    fragments = _fragments(quote.text)
    if not fragments or not source_text:
        return QuoteMatch(quote=quote, status="not-found")
    index = _index_source(source_text)
    exact = _exact_chain(fragments, index.normalized.text)
    if exact is not None:
        excerpt, begin, finish = _excerpt(index, *exact)
        return QuoteMatch(quote=quote, status="found", excerpt=excerpt, score=100.0, start=begin, end=finish)
    if not quote.short:
        near = _near_chain(fragments, index)
        if near is not None:
            score, start, end = near
            excerpt, begin, finish = _excerpt(index, start, end)
            return QuoteMatch(quote=quote, status="near", excerpt=excerpt, score=score, start=begin, end=finish)
    return QuoteMatch(quote=quote, status="not-found")
