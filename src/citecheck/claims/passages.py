"""The passages of a source text that best match a claim: what a reader should look at first.

A source text is split into sentences (:func:`split_sentences`); candidate
passages are single sentences and two-sentence windows.  They are ranked by
*content-word coverage* — how many of the claim's distinct content words
(:mod:`citecheck.claims.content_words`) a passage contains, exactly the "shares
9 of 11 content words" a report shows — with BM25 (k1 = 1.2, b = 0.75, over the
source's sentences, so rare shared words weigh more) as the tie-breaker.  A
window is kept only where it covers more than either of its sentences alone,
and the passages returned do not overlap.

This says where to look, never whether the claim holds: similarity cannot
tell a claim from its negation, so nothing here is ever a verdict of support.

No model, no download: an inverted index per source text, built once
(:func:`index_source`, cached) and scored only over sentences that share a
word with the claim, so a claim costs time in proportion to the sentences
that mention its words.  Only the first :data:`MAX_INDEXED_CHARS` of a text
are indexed; :attr:`SourceIndex.truncated` says when more was there.
"""

from __future__ import annotations

import calendar
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote

from citecheck.claims.content_words import content_stems, is_content_word, stem, word_spans

__all__ = [
    "MAX_INDEXED_CHARS",
    "RankedPassage",
    "SourceIndex",
    "index_source",
    "rank_passages",
    "sentence_at",
    "split_sentences",
    "text_fragment",
]

MAX_INDEXED_CHARS = 2_000_000
MAX_SENTENCE_CHARS = 600  # longer runs (navigation, tables extracted without stops) are cut at word boundaries
TOP_PASSAGES = 3
BM25_K1 = 1.2
BM25_B = 0.75
METHOD = "coverage+bm25"
PASSAGE_DISPLAY_CHARS = 400
FRAGMENT_WORDS = 5  # words at each end of a #:~:text= directive

# Words a full stop follows without ending a sentence ("Mr. Smith", "Dec. 12"); "May." ends one.
_ABBREVIATIONS = frozenset(
    {
        *"mr mrs ms dr prof st jr sr gen col lt sgt capt cmdr adm gov sen rep rev hon pres vs etc no nos".split(),  # noqa: SIM905
        *"inc ltd co corp dept univ assn bros est fig vol pp ed eds al approx mt ft cf ca".split(),  # noqa: SIM905
        *"a.m p.m e.g i.e u.s u.k u.n".split(),  # noqa: SIM905
        *(name.lower() for name in calendar.month_abbr if name and name != "May"),
        "sept",
    }
)
# A sentence ends at . ! ? (and their CJK forms), after any closing quotes or brackets, before space.
_END_RE = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s)|[。！？]+")
_NEWLINES_RE = re.compile(r"\s*\n\s*")
_WORD_BEFORE_RE = re.compile(r"([\w.]+)$")


@dataclass(frozen=True)
class SourceIndex:
    """A source text split into sentences, with an inverted index of content-word stems."""

    text: str
    sentences: tuple[tuple[int, int], ...]  # character spans, in text order
    terms: tuple[Counter[str], ...]  # content-stem counts per sentence
    lengths: tuple[int, ...]  # content words per sentence
    postings: dict[str, tuple[int, ...]]  # stem -> sentences containing it
    average_length: float
    truncated: bool  # the text was longer than MAX_INDEXED_CHARS and only its beginning was indexed

    def idf(self, term: str) -> float:
        frequency = len(self.postings.get(term, ()))
        count = len(self.sentences)
        return math.log(1.0 + (count - frequency + 0.5) / (frequency + 0.5))


@dataclass(frozen=True)
class RankedPassage:
    """One passage that matches a claim, and why."""

    start: int
    end: int
    first_sentence: int  # 0-based
    span: int  # sentences covered (1 or 2)
    shared: frozenset[str]  # the claim's content stems it contains
    claim_words: int  # the claim's distinct content stems
    coverage: float  # share of the claim's distinct content words the passage contains
    score: float  # BM25
    rank: int
    text: str  # the passage as written, whitespace collapsed (not shortened)

    @property
    def shared_words(self) -> int:
        return len(self.shared)


def _sentence_ends(text: str, start: int, end: int) -> list[int]:
    """Where sentences end inside one line ``text[start:end]``."""
    ends: list[int] = []
    for match in _END_RE.finditer(text, start, end):
        stop = match.end()
        if match.group()[0] == ".":
            before = _WORD_BEFORE_RE.search(text, max(start, match.start() - 20), match.start())
            word = before.group(1).lower().rstrip(".") if before else ""
            if word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
                continue  # "Mr. Smith", "J. Smith", "U.S. troops"
        following = stop
        while following < end and text[following].isspace():
            following += 1
        if following < end and (text[following].islower() or text[following] in ",;:"):
            continue  # "e.g. the", "p.m. on": the next word goes on with the sentence
        ends.append(stop)
    return ends


def _cut_long(text: str, start: int, end: int) -> list[tuple[int, int]]:
    pieces: list[tuple[int, int]] = []
    while end - start > MAX_SENTENCE_CHARS:
        cut = text.rfind(" ", start + MAX_SENTENCE_CHARS // 2, start + MAX_SENTENCE_CHARS)
        if cut <= start:
            cut = start + MAX_SENTENCE_CHARS
        pieces.append((start, cut))
        start = cut
        while start < end and text[start].isspace():
            start += 1
    if end > start:
        pieces.append((start, end))
    return pieces


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of ``text``: every line break ends one, and so does a full stop, question
    or exclamation mark before a space (not after "Mr", "U.S" or an initial, nor before a lower-case word)."""
    spans: list[tuple[int, int]] = []
    line_start = 0
    for line_match in [*_NEWLINES_RE.finditer(text), None]:
        line_end = line_match.start() if line_match is not None else len(text)
        start = line_start
        while start < line_end and text[start].isspace():
            start += 1
        for stop in [*_sentence_ends(text, start, line_end), line_end]:
            finish = stop
            while finish > start and text[finish - 1].isspace():
                finish -= 1
            if finish > start:
                spans.extend(_cut_long(text, start, finish))
            start = stop
            while start < line_end and text[start].isspace():
                start += 1
        line_start = line_match.end() if line_match is not None else len(text)
    return spans


@lru_cache(maxsize=32)
def index_source(text: str) -> SourceIndex:
    """Sentences and inverted index of a source text (cached: every claim citing the source reuses it)."""
    truncated = len(text) > MAX_INDEXED_CHARS
    indexed = text[:MAX_INDEXED_CHARS] if truncated else text
    sentences = split_sentences(indexed)
    terms: list[Counter[str]] = []
    lengths: list[int] = []
    postings: dict[str, list[int]] = {}
    for position, (start, end) in enumerate(sentences):
        counts = Counter(content_stems(indexed[start:end]))
        terms.append(counts)
        lengths.append(sum(counts.values()))
        for term in counts:
            postings.setdefault(term, []).append(position)
    average = sum(lengths) / len(lengths) if lengths else 0.0
    return SourceIndex(
        text=text,
        sentences=tuple(sentences),
        terms=tuple(terms),
        lengths=tuple(lengths),
        postings={term: tuple(places) for term, places in postings.items()},
        average_length=average or 1.0,
        truncated=truncated,
    )


def claim_stems(claim_text: str, *, numbers: bool = True) -> frozenset[str]:
    """The distinct content stems of a claim, reference markers left out (and numbers, unless ``numbers``)."""
    stems = content_stems(re.sub(r"\[\s*(?:\d+|[a-z])\s*\]", " ", claim_text, flags=re.I))
    return frozenset(term for term in stems if numbers or not term[:1].isdigit())


def _bm25(index: SourceIndex, counts: list[Counter[str]], length: int, query: Sequence[str]) -> float:
    """BM25 of one window; ``query`` in a fixed order, so the float sum (and every tie it decides) is the same
    in every process — a set's order follows the string hash, which differs per process."""
    norm = BM25_K1 * (1.0 - BM25_B + BM25_B * length / index.average_length)
    score = 0.0
    for term in query:
        frequency = sum(count.get(term, 0) for count in counts)
        if frequency:
            score += index.idf(term) * frequency * (BM25_K1 + 1.0) / (frequency + norm)
    return score


def _display(text: str, start: int, end: int) -> str:
    return " ".join(text[start:end].split())


def rank_passages(
    claim_text: str, index: SourceIndex, top: int = TOP_PASSAGES, *, numbers: bool = True
) -> list[RankedPassage]:
    """The ``top`` non-overlapping passages of the source that best match ``claim_text``, best first.

    Numbers count as content words unless ``numbers`` is false (to find the passage about the claim's subject
    whatever figures it gives).  Empty when the claim has no content word or the source shares none with it.
    """
    query = claim_stems(claim_text, numbers=numbers)
    if not query or not index.sentences:
        return []
    ordered = sorted(query)
    total = len(query)
    hits: Counter[int] = Counter()
    for term in query:
        for position in index.postings.get(term, ()):
            hits[position] += 1
    if not hits:
        return []

    def shared_in(positions: range) -> frozenset[str]:
        return frozenset(term for term in query if any(term in index.terms[position] for position in positions))

    candidates: list[tuple[float, float, int, int, frozenset[str]]] = []
    single_coverage: dict[int, float] = {}
    for position in hits:
        shared = shared_in(range(position, position + 1))
        coverage = len(shared) / total
        single_coverage[position] = coverage
        score = _bm25(index, [index.terms[position]], index.lengths[position], ordered)
        candidates.append((coverage, score, position, 1, shared))
    last = len(index.sentences) - 1
    for first in sorted({position - 1 for position in hits if position > 0} | {p for p in hits if p < last}):
        shared = shared_in(range(first, first + 2))
        coverage = len(shared) / total
        # A window earns its place only by covering more than either sentence alone.
        if coverage <= max(single_coverage.get(first, 0.0), single_coverage.get(first + 1, 0.0)) + 1e-12:
            continue
        length = index.lengths[first] + index.lengths[first + 1]
        score = _bm25(index, [index.terms[first], index.terms[first + 1]], length, ordered)
        candidates.append((coverage, score, first, 2, shared))
    candidates.sort(key=lambda item: (-round(item[0], 9), -item[1], item[2], item[3]))
    chosen: list[RankedPassage] = []
    taken: set[int] = set()
    for coverage, score, first, span, shared in candidates:
        covered = set(range(first, first + span))
        if covered & taken:
            continue
        taken |= covered
        start = index.sentences[first][0]
        end = index.sentences[first + span - 1][1]
        chosen.append(
            RankedPassage(
                start=start,
                end=end,
                first_sentence=first,
                span=span,
                shared=shared,
                claim_words=len(query),
                coverage=coverage,
                score=score,
                rank=len(chosen) + 1,
                text=_display(index.text, start, end),
            )
        )
        if len(chosen) == top:
            break
    return chosen


def sentence_at(index: SourceIndex, offset: int) -> int | None:
    """The 0-based sentence holding character ``offset`` (None beyond what was indexed)."""
    low, high = 0, len(index.sentences) - 1
    while low <= high:
        middle = (low + high) // 2
        start, end = index.sentences[middle]
        if offset < start:
            high = middle - 1
        elif offset >= end:
            low = middle + 1
        else:
            return middle
    return None


def shorten(text: str, limit: int = PASSAGE_DISPLAY_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _fragment_part(words: list[str]) -> str:
    # Text fragment syntax reserves "-", "," and "&"; quote() leaves "-" alone, so it is encoded by hand.
    return quote(" ".join(words), safe="").replace("-", "%2D")


def text_fragment(passage_text: str) -> str | None:
    """A ``#:~:text=`` directive that makes a browser scroll to and highlight the passage (WICG text fragments):
    ``textStart,textEnd`` from its first and last words, or the whole passage when it is short."""
    words = [word for word in passage_text.split() if word]
    if not words:
        return None
    if len(words) <= 2 * FRAGMENT_WORDS:
        return ":~:text=" + _fragment_part(words)
    return ":~:text=" + _fragment_part(words[:FRAGMENT_WORDS]) + "," + _fragment_part(words[-FRAGMENT_WORDS:])


def shared_word_list(passage: RankedPassage, claim_text: str) -> list[str]:
    """The claim's own words (as written) that the passage shares, in claim order."""
    seen: set[str] = set()
    words: list[str] = []
    for word, _, _ in word_spans(claim_text):
        if not is_content_word(word):
            continue
        key = stem(word)
        if key in passage.shared and key not in seen:
            seen.add(key)
            words.append(word)
    return words
