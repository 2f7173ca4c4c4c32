"""Claim evidence as people read it: Markdown cells (escaped) and the text ``citecheck evidence`` prints."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from citecheck.claims.date_figures import find_date_spans
from citecheck.claims.figures import extract_figures, match_figure
from citecheck.evidence import claim_evidence
from citecheck.models import Evidence, EvidenceKind, EvidenceStatus, Passage, SourceInfo
from citecheck.reports.evidence_text import evidence_markdown, passage_link, render_evidence_text
from citecheck.resolve.sources import SourceText

SNAPSHOT = "https://web.archive.org/web/20110507000000/https://news.example.org/camp"


def ref_link(ref: str) -> str:
    return f"[{ref}](#ref-{ref})"


def passage_evidence(excerpt: str) -> Evidence:
    return Evidence(
        kind=EvidenceKind.passage,
        detail="Closest passage in [3], sentence 14 of 126, shares 9 of 11 content words",
        ref="3",
        status=EvidenceStatus.closest,
        excerpt=excerpt,
        url=SNAPSHOT,
        passage=Passage(start=10, end=90, sentence=14, sentences=126, text_fragment=":~:text=Camp%20Ashraf"),
    )


def test_a_passage_cell_names_where_it_is_and_links_a_highlight() -> None:
    cell = evidence_markdown(passage_evidence("Camp Ashraf is situated 96 kilometres north of Baghdad."), ref_link)
    assert cell is not None
    assert cell.startswith("Closest passage in \\[3\\], sentence 14 of 126, shares 9 of 11 content words: “Camp")
    assert f"[read it](<{SNAPSHOT}#:~:text=Camp%20Ashraf>)" in cell
    assert passage_link(passage_evidence("x")) == f"{SNAPSHOT}#:~:text=Camp%20Ashraf"


def test_untrusted_source_text_stays_inert_in_a_cell() -> None:
    cell = evidence_markdown(passage_evidence("a | b <script>alert(1)</script> [x](javascript:alert(1))"), ref_link)
    assert cell is not None
    assert "<script>" not in cell and "&lt;script&gt;" in cell
    assert " | " not in cell.replace("\\|", "")
    assert "\\[x\\](javascript:" in cell  # brackets escaped: no link is made


def test_kinds_it_does_not_know_are_left_to_the_generic_renderer() -> None:
    quote = Evidence(kind=EvidenceKind.quote, detail="quote found", status=EvidenceStatus.found)
    assert evidence_markdown(quote, ref_link) is None


def test_the_evidence_command_text_never_says_supported() -> None:
    text = "Camp Ashraf is situated 96 kilometres north of Baghdad. The camp was founded in 1986."
    source = SourceText(SourceInfo(status="fetched", origin="capture", url=SNAPSHOT), text)
    report = claim_evidence("Camp Ashraf lies 69 km north of Baghdad.", source, SNAPSHOT)
    printed = render_evidence_text(report)
    assert "passages to read:" in printed and "CC504 source-says-otherwise" in printed
    assert "supports the claim" in printed  # only in the note that it cannot tell
    assert "verified" not in printed.splitlines()[0]


_PIECES = st.sampled_from(
    [*"0123456789 ,.-–/:$€%", "May", "June", "Dec.", "km", "miles", "at least ", "about ", "aged ", " the ", "s", "'"]
)
_TEXT = st.lists(_PIECES, max_size=60).map("".join)


@settings(max_examples=300, deadline=None)
@given(_TEXT, _TEXT)
def test_figure_and_date_reading_never_crashes_and_spans_hold(claim: str, source: str) -> None:
    figures = extract_figures(claim)
    assert [figure.start for figure in figures] == sorted(figure.start for figure in figures)
    for figure in figures:
        assert claim[figure.start : figure.end] == figure.text
        match = match_figure(figure, source)
        assert match.status in ("found", "near", "compatible", "not-found")
    for start, end, spans in find_date_spans(source):
        assert 0 <= start < end <= len(source) and spans
        assert all(span.first <= span.last for span in spans)
