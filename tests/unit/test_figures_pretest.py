"""The "no digit, no number word" shortcut of figure extraction changes no answer."""

from __future__ import annotations

import re
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from citecheck.claims import figures
from citecheck.claims.figures import _extract_figures, _may_hold_figures

# What the patterns are built of: number words, their hedges, currencies and units, the zero phrases, and the
# words around them in claims.
NUMBER_PIECES = [*figures._UNITS, *figures._TENS, *figures._SCALES, *figures._ORDINAL_WORDS, "half", "dozen"]
FILLERS = [
    "a",
    "and",
    "not",
    "no",
    "single",
    "nobody",
    "about",
    "more than",
    "up to",
    "US$",
    "USD",
    "Rs.",
    "€",
    "km",
    "per cent",
    "year-old",
    "people",
    "the",
    "police",
    "often",
    "someone",
    "weight",
    "May",
    "spring",
    "[a]",
]
# Letters that re.IGNORECASE matches beyond their two ASCII cases: a written "ſix" must not be skipped if a pattern
# could read it.
SPECIAL_CASES = {"i": ["İ", "ı"], "s": ["ſ"], "k": ["\u212a"]}
SEPARATORS = [" ", "-", "–", ", ", ". ", "\u00a0", "\n", ""]


def _unguarded(text: str, monkeypatch: pytest.MonkeyPatch) -> list[figures.Figure]:
    with monkeypatch.context() as patch:
        patch.setattr(figures, "_may_hold_figures", lambda _text: True)
        return _extract_figures(text)


@st.composite
def claim_like(draw: st.DrawFn) -> str:
    # Mostly one number word among others, so a word the shortcut missed is not hidden by another it knows.
    words = draw(st.lists(st.sampled_from(FILLERS), max_size=4))
    for _ in range(draw(st.integers(0, 2))):
        words.insert(draw(st.integers(0, len(words))), draw(st.sampled_from(NUMBER_PIECES)))
    text = ""
    for word in words:
        letters = []
        for letter in word:
            choice = draw(st.integers(0, 5))
            if choice == 0:
                letters.append(letter.upper())
            elif choice == 1 and letter in SPECIAL_CASES:
                letters.append(draw(st.sampled_from(SPECIAL_CASES[letter])))
            else:
                letters.append(letter)
        text += "".join(letters) + draw(st.sampled_from(SEPARATORS))
    return text


@settings(max_examples=400, deadline=None)
@given(claim_like())
def test_the_shortcut_gives_what_the_patterns_give(text: str) -> None:
    monkeypatch = pytest.MonkeyPatch()
    try:
        assert _extract_figures(text) == _unguarded(text, monkeypatch)
    finally:
        monkeypatch.undo()


@pytest.mark.parametrize(
    "text",
    [
        "Nobody was hurt.",
        "Not a single vote was cast.",
        "A dozen houses burned.",
        "Half a million people marched.",
        "The twenty-first session.",
        "THREE HUNDRED AND FIVE",
        "ſix hundred",  # long s: IGNORECASE reads it as "s"
        "thou\u017fand and SEVEN",
        "fİrst",
        "the ſecond time",
        "٣ people",  # an Arabic-Indic digit is \d
    ],
)
def test_texts_that_may_hold_figures_are_read(text: str) -> None:
    assert _may_hold_figures(text)


def test_texts_without_digits_or_number_words_have_no_figures() -> None:
    text = "Investigation police raid archive said report nations government camp, the officials said."
    assert not _may_hold_figures(text)
    assert _extract_figures(text) == []
    monkeypatch = pytest.MonkeyPatch()
    try:
        assert _unguarded(text, monkeypatch) == []
    finally:
        monkeypatch.undo()


def test_every_number_word_holds_a_needle() -> None:
    for word in figures._NUMBER_WORDS:
        assert any(needle in word for needle in figures._NUMBER_NEEDLES), word


def test_case_folds_cover_every_character_ignorecase_matches_with_an_ascii_letter() -> None:
    # One scan of every code point with the patterns' own literal matching: what a literal ASCII letter of a
    # pattern can match must come out of the shortcut's folding as that letter.
    letters = "abcdefghijklmnopqrstuvwxyz"
    everything = "".join(chr(code) for code in range(sys.maxunicode + 1) if not 0xD800 <= code <= 0xDFFF)
    matched = set(re.findall("|".join(letters), everything, re.IGNORECASE))
    for character in matched:
        folded = character.translate(figures._REGEX_CASE_FOLDS).lower()
        readings = [letter for letter in letters if re.fullmatch(letter, character, re.IGNORECASE)]
        assert folded in readings, (hex(ord(character)), folded, readings)


def test_the_needle_trie_finds_each_needle_and_nothing_else() -> None:
    for needle in figures._NUMBER_NEEDLES:
        assert figures._NUMBER_NEEDLE_RE.fullmatch(needle), needle
        assert figures._NUMBER_NEEDLE_RE.search(f"xx{needle}yy"), needle
        assert figures._NUMBER_NEEDLE_RE.search(needle[:-1]) is None or any(
            other in needle[:-1] for other in figures._NUMBER_NEEDLES
        ), needle
    assert figures._trie_alternation(["ab", "ac", "b"]) == "(?:a(?:b|c)|b)"
