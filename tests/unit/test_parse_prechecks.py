"""The readers' prechecks only skip work: with every precheck opened, each scan running over the whole text,
the same fields come out.

The citation parser, the date parser and the wikitext reader look for a fixed word before running a regular
expression that needs it ("rchived" before the archive clause, the word after "(" before the bracketed-note
scans, "dead" before the dead-link tag scan …).  Each precheck is a necessary condition of its regex; these
tests keep it one.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

from hypothesis import given
from hypothesis import strategies as st

from citecheck import dates
from citecheck.references import citation_line
from citecheck.references.citation_line import MarkupHints, parse_citation_line
from tests.fuzz.profile import FUZZ
from tests.fuzz.strategies import CITATION_BITS

# Bits that exercise the prechecks' edges: notes that appear once another is removed, non-ASCII look-alikes
# of ASCII letters under IGNORECASE (the long s, the dotless i, the Kelvin sign), words split by a tag.
EDGE_BITS = [
    "((PDF)Report)",
    "((in English)Report)",
    "(Report)",
    "(Masters thesis)",
    "(Master's thesis)",
    "(in German and French)",
    "(In English)",
    "( MP3 )",
    "(ſubscription required)",
    "(lınk)",
    "(PDF)",
    "(link)",
    "(free access)",
    "(limited access)",
    "(subscription required)",
    "(registration required)",
    "(inactive)",
    "(Press release)",
    "(in French)",
    "(DOCX)",
    "Subscription required.",
    "CS1 maint: extra text",
    "cs1[dead link]maint: x",
    "|date= (help)",
    "et al.",
    "ET AL",
    "Smith, John (ed.)",
    "(eds.)",
    "EDS.",
    "Smith & Jones",
    "Smith and Jones",
    "Archived 5 November 2013 at the Wayback Machine",
    "archived copy (3 May 2014)",
    "ARCHIVED",
    "Wayback Machine snapshot from 2014-05-03",
    "Accessed 3 May 2014",
    "Access date: 2014-05-03",
    "Viewed 3 May 2014",
    "Consulted on 4 May 2012",
    "Retrieved",
    "– via JSTOR",
    "[1]",
    "[ 12 ]",
    "ſ",
    "ı",
    "\u212a",
    "İ",
    "é",
]
citation_lines = st.lists(
    st.one_of(st.sampled_from(CITATION_BITS), st.sampled_from(EDGE_BITS), st.text(max_size=8)), max_size=14
).map("".join)


@contextmanager
def _prechecks_open() -> Iterator[None]:
    """Every precheck of the citation parser answers "look", so every scan runs from the start."""
    every_word = citation_line._FORMAT_WORDS | citation_line._TYPE_NOTE_WORDS | {"in"}
    with (
        mock.patch.object(citation_line, "_first_of", lambda text, words: 0),
        mock.patch.object(citation_line, "_paren_words", lambda text: set(every_word)),
        mock.patch.object(citation_line, "_CS1_NOTE_WORDS", ("",)),
        mock.patch.object(citation_line, "_without_et_al", lambda block: citation_line._et_al_re().sub("", block)),
        mock.patch.object(
            citation_line, "_has_editor_suffix", lambda text: citation_line._editor_suffix_re().search(text) is not None
        ),
        mock.patch.object(citation_line, "_and_split", lambda text: citation_line._and_re().split(text)),
    ):
        yield


def _fields(text: str, hints: MarkupHints | None) -> dict[str, Any]:
    return dataclasses.asdict(parse_citation_line(text, hints))


HINTS = MarkupHints(title='"Title"', work="The Daily Example", work_known=True)


@FUZZ
@given(citation_lines)
def test_citation_prechecks_never_change_the_fields(text: str) -> None:
    for hints in (None, HINTS):
        checked = _fields(text, hints)
        with _prechecks_open():
            assert _fields(text, hints) == checked


def test_a_note_revealed_by_removing_another_is_still_removed() -> None:
    # "((PDF)Report)": removing "(PDF)" leaves "( Report)", a type note in its turn.
    fields = parse_citation_line('"Title". ((PDF)Report). Work.')
    assert fields.format == "PDF"
    assert "Report" not in (fields.work or "") and "Report" not in (fields.publisher or "")
    with _prechecks_open():
        assert dataclasses.asdict(parse_citation_line('"Title". ((PDF)Report). Work.')) == dataclasses.asdict(fields)


ascii_without_year_digits = st.text(alphabet=st.characters(max_codepoint=127, blacklist_characters="12"), max_size=30)


@FUZZ
@given(ascii_without_year_digits)
def test_dates_without_a_possible_year_are_rejected_as_the_patterns_would(text: str) -> None:
    # parse_date returns early for ASCII text with neither "1" nor "2": no pattern (English or local) could match.
    cleaned = text.strip().strip(".,;()[] ")
    approx = dates._APPROX_RE.match(cleaned)
    rest = cleaned[approx.end() :] if approx else cleaned
    assert dates._DATE_RE.fullmatch(rest) is None
    assert all(dates._kind_pattern(kind).fullmatch(rest) is None for kind in dates._KINDS)
    assert dates._local_dmy_re().fullmatch(rest) is None
    assert dates.parse_date(text) is None


@FUZZ
@given(st.text(max_size=40))
def test_find_dates_on_ascii_matches_the_case_insensitive_scan(text: str) -> None:
    if not text.isascii():
        return
    expected = [(match.start(), match.end()) for match in dates._any_date_re().finditer(text)]
    assert [(match.start(), match.end()) for match in dates._any_date_lower_re().finditer(text.lower())] == expected


def test_ignorecase_adds_no_other_spellings_of_the_precheck_letters() -> None:
    # The prechecks lower-case ASCII text; IGNORECASE maps only i, k and s to non-ASCII letters, and every
    # precheck falls back to the full scan for non-ASCII text.
    extra = {
        letter
        for letter in "abcdefghijklmnopqrstuvwxyz"
        if any(re.fullmatch(letter, chr(code), re.I) for code in range(128, 0x10000))
    }
    assert extra == {"i", "k", "s"}
