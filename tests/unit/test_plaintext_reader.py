"""The plain-text reader on small documents written here, one layout each."""

from __future__ import annotations

import time
from textwrap import dedent

from hypothesis import given, settings
from hypothesis import strategies as st

from citecheck.documents import parse_document
from citecheck.documents.plaintext import read_plaintext
from citecheck.documents.text_structure import SourceLine, ends_sentence, is_label_line, paragraphs_from_block
from citecheck.models import ParsedDocument


def body_text(document: ParsedDocument) -> str:
    return "\n".join(paragraph.text for section in document.sections for paragraph in section.paragraphs)


def all_markers(document: ParsedDocument) -> list[tuple[str, str | None]]:
    return [
        (marker.label, marker.ref_id)
        for section in document.sections
        for paragraph in section.paragraphs
        for marker in paragraph.markers
    ]


HARD_WRAPPED_ESSAY = dedent(
    """\
    The Decline of the Town Library

    Town libraries lost a third of their visitors between 2001 and 2011,
    according to the ministry's own survey of reading habits, and the trend
    did not reverse when opening hours were extended.[1]

    Causes

    Surveys name three causes: shorter opening hours, fewer new books and the
    move of reference work to search engines. [2] [3] One council disputed the
    figures in a letter that is now lost.[9]

    References

      1. Ministry of Culture (2012). "Reading in the Regions". Annual Report. Retrieved 3 May 2013.
      2. Jane Doe (14 April 2011). "Why libraries empty". The Courier.
      3. "Library visits fall again". Evening Post. 2 June 2012.
    """
)


def test_essay_with_references_heading() -> None:
    document = read_plaintext(HARD_WRAPPED_ESSAY, "essay.txt")

    assert document.title == "The Decline of the Town Library"
    assert document.layout == "article"
    assert [ref.id for ref in document.references] == ["1", "2", "3"]
    assert all(ref.kind == "numbered" for ref in document.references)
    assert document.references[1].raw.startswith("Jane Doe (14 April 2011)")
    assert document.references[1].line == 16
    assert [section.title for section in document.sections] == [None, "Causes"]

    lead = document.sections[0].paragraphs
    assert len(lead) == 1  # three wrapped lines are one paragraph
    assert lead[0].line == 3
    assert "according to the ministry's own survey" in lead[0].text
    assert "[1]" not in lead[0].text

    causes = document.sections[1].paragraphs[0]
    assert causes.line == 9
    # Spaced markers "[2] [3]" both stand after "engines."; the dangling [9] points nowhere.
    assert [(m.label, m.ref_id) for m in causes.markers] == [("2", "2"), ("3", "3"), ("9", None)]
    assert causes.text[: causes.markers[0].offset].endswith("search engines.")
    assert [ref.uses for ref in document.references] == [1, 1, 1]


NOTES_AND_BIBLIOGRAPHY = dedent(
    """\
    Canal Building in the North

    The first canal opened in 1761 and halved the price of coal in the city.[1]
    Within twenty years the network reached every major mill town.[2]

    Notes

    1. Smith 1998, p. 12.
    2. Brown 2004, pp. 40–41.

    Bibliography

    Smith, John (1998). The Canal Age. Northern Press.
    Brown, Mary (2004). Water and Coal. University Press.
    """
)


def test_notes_and_bibliography() -> None:
    document = read_plaintext(NOTES_AND_BIBLIOGRAPHY, "canals.txt")

    assert [ref.raw for ref in document.references] == ["Smith 1998, p. 12.", "Brown 2004, pp. 40–41."]
    assert all_markers(document) == [("1", "1"), ("2", "2")]
    # One paragraph per line: a web-page rendering, not hard-wrapped text.
    assert [p.line for p in document.sections[0].paragraphs] == [3, 4]
    assert "Bibliography" not in body_text(document)
    assert any("unnumbered entries under 'Bibliography'" in notice for notice in document.notices)


NO_REFERENCES = dedent(
    """\
    Weather Notes From the Valley

    The valley had its wettest spring on record. Rivers rose above the old flood marks twice.

    Farmers delayed planting by three weeks. Some fields were never sown at all.

    1. Drain the lower field first.
    2. Repair the sluice before winter.

    Text is available under the Creative Commons Attribution-ShareAlike License.
    """
)


def test_no_references_keeps_every_paragraph_and_numbered_prose_list() -> None:
    document = read_plaintext(NO_REFERENCES, "weather.txt")

    assert document.references == []
    assert "no reference list found" in document.notices
    texts = [p.text for s in document.sections for p in s.paragraphs]
    assert texts[0].startswith("The valley had its wettest spring")
    # A numbered list in the prose with no [n] markers is body, not a reference list.
    assert any("Drain the lower field" in text for text in texts)
    assert not any("Creative Commons" in text for text in texts)
    assert "skipped 1 line of page boilerplate" in document.notices


MARKERS_WITHOUT_LIST = dedent(
    """\
    Harbour Expansion

    The harbour was dredged in 1990.[1] Traffic doubled within a decade.[2]

    References

    """
)


def test_markers_with_empty_reference_list_are_dangling() -> None:
    document = read_plaintext(MARKERS_WITHOUT_LIST, "harbour.txt")

    assert document.references == []
    assert all_markers(document) == [("1", None), ("2", None)]
    assert "References" not in body_text(document)


WIKI_MIRROR = dedent(
    """\
    Railway Wiki
    Northern Line Extension
    Part of the Metro Programme
    Type Rail extension
    Opened 12 May 1998
    Length 14 km

    The Northern Line Extension was opened in 1998 after six years of construction.[1][2]

      •  Council – The council welcomed the line as "long overdue".[2]
      •  Residents – Local groups complained about night work during the build.[3]

      1. 1.0 1.1 "Extension opens". Daily Courier. 13 May 1998. Retrieved 4 June 2010.
      2. [2]
      3. Ann Lee (1 March 1997). "Night work angers residents". The Bugle. [dead link]

    This page uses Creative Commons Licensed content from Wikipedia (view authors).
    """
)


def test_wiki_mirror_with_final_numbered_run_and_infobox() -> None:
    document = read_plaintext(WIKI_MIRROR, "mirror.txt")

    assert document.title == "Northern Line Extension"
    assert document.layout == "wiki-mirror"
    assert [ref.id for ref in document.references] == ["1", "2", "3"]
    assert "empty" in document.references[1].source_flags
    assert "empty" not in document.references[0].source_flags
    body = body_text(document)
    assert "Type Rail extension" not in body
    assert "Creative Commons" not in body
    # Bulleted reactions are sentences: they stay in the body, markers and all.
    assert "Council – The council welcomed the line" in body
    assert all_markers(document) == [("1", "1"), ("2", "2"), ("2", "2"), ("3", "3")]
    assert any("infobox" in notice for notice in document.notices)


RELATED_BLOCK = dedent(
    """\
    Bridge Collapse of 2004

    Last updated

    The bridge collapsed during a storm on 3 March 2004, killing four people.[1]

    Contents

    Engineers later found corroded cables in the north span.[2]

    See also

    Related Research Articles

    <span class="mw-page-title-main">Old Mill Dam</span> Dam in the valley

    The Old Mill Dam was built in 1880 and failed in 1911, flooding the lower town.

    <span class="mw-page-title-main">Harbour Bridge</span>

    The Harbour Bridge is a suspension bridge completed in 1932.

    References

      1. "Four die as bridge falls". Evening Post. 4 March 2004.
      2. Jones, Amy (2005). "Cable corrosion report". Engineering Today.
    """
)


def test_related_articles_block_and_navigation_are_skipped() -> None:
    document = read_plaintext(RELATED_BLOCK, "bridge.txt")

    body = body_text(document)
    assert "Old Mill Dam" not in body
    assert "Harbour Bridge" not in body
    assert "<span" not in body
    # Prose right after an emptied "Contents" heading is still the article.
    assert "Engineers later found corroded cables" in body
    assert "Last updated" not in body
    assert [section.title for section in document.sections] == [None]
    assert len(document.references) == 2
    assert any("related-article summaries" in notice for notice in document.notices)
    assert any("HTML tags" in notice for notice in document.notices)
    assert document.layout == "wiki-mirror"


def test_repeated_numbers_keep_distinct_ids() -> None:
    text = "Title\n\nA claim.[1]\n\nNotes\n\n1. First note.\n\nReferences\n\n1. A source. 2001.\n"
    document = read_plaintext(text, "twice.txt")

    assert [ref.id for ref in document.references] == ["1", "1-2"]
    assert all_markers(document) == [("1", "1")]


def test_paragraph_lines_split_at_sentence_ends_only() -> None:
    block = [
        SourceLine(1, "A sentence that stops mid"),
        SourceLine(2, "way and goes on here."),
        SourceLine(3, "A second paragraph on its own line."),
    ]
    assert paragraphs_from_block(block) == [
        ("A sentence that stops mid way and goes on here.", 1),
        ("A second paragraph on its own line.", 3),
    ]


def test_line_shape_helpers() -> None:
    assert is_label_line("Casualties 34 killed")
    assert not is_label_line("The raid was denounced as a massacre.")
    assert ends_sentence('He called it "untenable".[5]')
    assert not ends_sentence("Part of Iraq War")


# --------------------------------------------------------------------------- robustness


def test_degenerate_inputs_do_not_raise() -> None:
    for text in ["", "\n\n\n", "One line only", "[1]", "1. [1]", "\x00\x01\x02 junk \ufffd" * 50, "References\n1."]:
        document = read_plaintext(text, "odd.txt")
        assert document.format == "text"


def test_dispatcher_routes_plain_text_here() -> None:
    document = parse_document(HARD_WRAPPED_ESSAY, "essay.txt", "text")
    assert document.layout == "article"
    assert len(document.references) == 3


def test_hundred_thousand_lines_in_linear_time() -> None:
    paragraph = "A plain sentence about the harbour, cited here.[1]\n"
    text = "Big Document\n\n" + paragraph * 100_000 + "\nReferences\n\n1. A source. 2001.\n"
    started = time.process_time()  # a hang guard on CPU time (a quadratic walk takes hours here), not a speed test
    document = read_plaintext(text, "big.txt")
    elapsed = time.process_time() - started
    assert document.references[0].uses == 100_000
    assert elapsed < 30


PATHOLOGICAL_INPUTS = {
    "digit runs in an entry": "T\n\nA claim.[1]\n\nReferences\n\n1. " + "1.111" * 5000 + "x\n",
    "spaces after a full stop": "T\n\n." + " " * 200_000 + "x\n",
    "brackets after a full stop": "T\n\n.”" + "]" * 100_000 + "x\n",
    "unclosed tags": "T\n\n" + "<a " * 50_000 + "\n",
    "thousands of markers": "T\n\n" + "?[1]" * 50_000 + "x\n",
    "a wrapped entry of 100k lines": "T\n\nClaim.[1]\n\nReferences\n\n1. start\n" + "more text\n" * 100_000,
    "ten thousand entries": "T\n\nClaim.[9999]\n\n" + "".join(f"{n}. entry\n" for n in range(1, 10_000)),
}


def test_pathological_inputs_stay_fast() -> None:
    """A hang guard, not a speed test: a quadratic scan or a backtracking pattern takes minutes on these.
    CPU time, so a loaded machine's waits do not count (wall time drew 11.8 s at load 15)."""
    for name, text in PATHOLOGICAL_INPUTS.items():
        started = time.process_time()
        read_plaintext(text, "slow.txt")
        assert time.process_time() - started < 10, name


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(max_size=120),
            st.sampled_from(["", "References", "Notes", "  1. [1]", "3. 3.0 3.1 Text.", "See also", "  •  item"]),
            st.from_regex(r"[A-Za-z ]{0,40}(\[\d{1,3}\] ?){0,3}[.?]?", fullmatch=True),
        ),
        max_size=40,
    )
)
def test_any_text_parses_with_consistent_offsets(lines: list[str]) -> None:
    document = read_plaintext("\n".join(lines), "fuzz.txt")
    ids = {ref.id for ref in document.references}
    for section in document.sections:
        for paragraph in section.paragraphs:
            assert paragraph.line is not None and paragraph.line >= 1
            for marker in paragraph.markers:
                assert 0 <= marker.offset <= len(paragraph.text)
                assert marker.ref_id is None or marker.ref_id in ids


def test_bracketed_numbers_in_a_text_without_references_or_a_first_marker_stay_text() -> None:
    """git's release notes: "uchar[20]", "sizeof(array[0])" are no citations to a missing list."""
    text = (
        "Git v2.18 Release Notes\n\n"
        "Conversion from uchar[20] to struct object_id continues, and sizeof(array[0]) is gone.\n\n"
        "The hash is now 40 [40] hex digits. See linkgit:git-format-patch[1].\n"
    )
    document = read_plaintext(text, "RelNotes.txt")
    paragraphs = [paragraph for section in document.sections for paragraph in section.paragraphs]
    assert all(not paragraph.markers for paragraph in paragraphs)
    assert "uchar[20] to struct object_id" in paragraphs[0].text
    assert "bracketed numbers not read as citation markers: no reference list, and no [1] and [2]" in document.notices


def test_a_copy_without_its_reference_list_keeps_its_markers() -> None:
    """An article copied without its list still shows [1], [2]: those markers are real, and dangling."""
    text = "Title\n\nThe treaty was signed in 1949.[1] It has 32 members.[2]\n"
    document = read_plaintext(text, "copy.txt")
    markers = [marker for section in document.sections for p in section.paragraphs for marker in p.markers]
    assert [(marker.label, marker.ref_id) for marker in markers] == [("1", None), ("2", None)]


# --------------------------------------------------------------------------- a browser's text of a page
# Chromium's innerText (and a copy from the page) drops an <ol>'s numbers, which are CSS list markers:
# Wikipedia's reference list arrives as "^ …" / "^ a b …" lines in order, the [n] markers intact.


def _marker_targets(document: ParsedDocument) -> list[tuple[str, str | None]]:
    return [(m.label, m.ref_id) for s in document.sections for p in s.paragraphs for m in p.markers]


def test_unnumbered_caret_entries_are_numbered_in_order_when_the_markers_fit() -> None:
    text = dedent(
        """\
        Cat

        The cat is a small mammal.[1] It was named in 1758.[2] Cats purr.[1][3]

        Notes
        ^ A note group entry, cited as [n 1].

        References
        ^ a b Linnaeus, C. (1758). "Felis Catus". Systema naturae. p. 42.
        ^ Wozencraft, W. C. (2005). "Species Felis catus". Mammal Species of the World.
        ↑ Smith, J. (2010). "Purring". Cat Journal. Retrieved 3 May 2011.
        """
    )
    document = read_plaintext(text, "cat.txt")
    assert [(r.id, r.number, r.date and r.date.year) for r in document.references] == [
        ("1", 1, 1758),
        ("2", 2, 2005),
        ("3", 3, 2010),
    ]
    assert _marker_targets(document) == [("1", "1"), ("2", "2"), ("1", "1"), ("3", "3")]
    assert any("numbered 1, 2, 3" in notice and "'References'" in notice for notice in document.notices)
    assert "1 unnumbered entry under 'Notes' not read as references" in document.notices


def test_caret_entries_the_markers_do_not_fit_stay_unread() -> None:
    text = "Title\n\nA claim.[4]\n\nReferences\n^ One source (2001).\n^ Two source (2002).\n"
    document = read_plaintext(text, "short.txt")
    assert document.references == []
    assert "2 unnumbered entries under 'References' not read as references" in document.notices


def test_a_reference_heading_in_another_language_ends_the_body() -> None:
    """An Arabic article's text: "مراجع" heads the list, "↑" opens each entry."""
    text = "رياضيات\n\nالرياضيات علم.[1] وهي قديمة.[2]\n\nمراجع\n↑ مجلة القافلة (2010).\n↑ كتاب (2012).\n"
    document = read_plaintext(text, "ar.txt")
    assert [(r.id, r.date and r.date.year) for r in document.references] == [("1", 2010), ("2", 2012)]
    assert _marker_targets(document) == [("1", "1"), ("2", "2")]


def test_note_group_markers_point_into_the_caret_run_before_the_main_list() -> None:
    """New Zealand's text: "[n 3]" cites the 3rd of the Footnotes run, "[1]" the first of Citations."""
    text = dedent(
        """\
        New Zealand

        English is widespread.[n 2] Most people live in the north.[1] Many report two ethnicities.[n 1][2]

        Footnotes
        ^ a b Ethnicity figures add to more than 100% (2013).
        ^ English is a de facto official language.
        Citations
        ^ "2018 Census population counts". Statistics New Zealand. Retrieved 26 September 2019.
        ^ a b "Ethnic groups". Statistics New Zealand. Retrieved 3 May 2014.
        """
    )
    document = read_plaintext(text, "nz.txt")
    assert [(r.id, r.group, r.uses) for r in document.references] == [
        ("1", None, 1),
        ("2", None, 1),
        ("n 1", "n", 1),
        ("n 2", "n", 1),
    ]
    assert _marker_targets(document) == [("n 2", "n 2"), ("1", "1"), ("n 1", "n 1"), ("2", "2")]
    paragraph = document.sections[0].paragraphs[0]
    assert "[n" not in paragraph.text
