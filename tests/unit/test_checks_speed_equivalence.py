"""The faster claim-building helpers give what the code they replaced gave (old versions kept here)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from citecheck.claims import build, sentences

_PIECES = [
    "Mr.",
    "U.S.",
    "J.",
    "e.g.",
    "3.5",
    "Iran.",
    "A",
    "total",
    " ",
    "  ",
    "\n",
    "\t",
    "\u00a0",
    "\u2003",
    ".",
    "!",
    "?",
    "…",
    '"',
    "”",
    ")",
    "[3]",
    "(",
    "Ab",
    "x",
    "é",
    "ca.",
    "No.",
    "1998",
]
_TEXT = st.lists(st.one_of(st.sampled_from(_PIECES), st.text(max_size=4)), max_size=40).map("".join)


def _old_sentence_spans(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = 0
    for match in sentences._BOUNDARY_RE.finditer(text):
        if match.group("end") == "." and _old_is_abbreviation(text, match.start("end")):
            continue
        spans.append((start, match.end("close")))
        start = match.end("space")
    if start < len(text):
        spans.append((start, len(text)))
    stripped: list[tuple[int, int]] = []
    for begin, end in spans:
        while begin < end and text[begin].isspace():
            begin += 1
        while end > begin and text[end - 1].isspace():
            end -= 1
        if end > begin:
            stripped.append((begin, end))
    return stripped


def _old_is_abbreviation(text: str, period_at: int) -> bool:
    token = sentences._word_before(text, period_at)
    if not token:
        return False
    if token.lower().rstrip(".") in sentences.ABBREVIATIONS:
        return True
    if len(token) == 1 and token.isupper():
        return True
    return bool(re.fullmatch(r"(?:[A-Za-z]\.)+[A-Za-z]?", token))


def _old_sentence_of(spans: list[tuple[int, int]], offset: int) -> int:
    index = 0
    for position, (begin, _) in enumerate(spans):
        if begin <= offset:
            index = position
        else:
            break
    return index


@settings(max_examples=400, deadline=None)
@given(_TEXT)
def test_sentence_spans_as_before(text: str) -> None:
    assert sentences.sentence_spans(text) == _old_sentence_spans(text)


@settings(max_examples=300, deadline=None)
@given(_TEXT, st.booleans())
def test_claim_text_test_as_before(text: str, has_markers: bool) -> None:
    assert build._is_claim_text(text, has_markers) == (has_markers or len(build._WORD_RE.findall(text)) >= 2)


@settings(max_examples=300, deadline=None)
@given(_TEXT, st.lists(st.integers(min_value=-2, max_value=200), max_size=8))
def test_marker_sentence_as_before(text: str, offsets: list[int]) -> None:
    from bisect import bisect_right

    spans = sentences.sentence_spans(text)
    if not spans:
        return
    begins = [begin for begin, _ in spans]
    for offset in offsets:
        assert max(0, bisect_right(begins, offset) - 1) == _old_sentence_of(spans, offset)
