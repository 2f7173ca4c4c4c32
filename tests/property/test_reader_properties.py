"""Every reader returns a well-formed document for any input, including broken Parsoid data and wikitext notes."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from citecheck.claims.build import build_claims
from citecheck.documents import parse_document
from citecheck.models import DocumentFormat, ParsedDocument

_PARSOID = [
    '<meta property="mw:htmlVersion" content="2.8.0"/>',
    '<sup class="mw-ref reference" typeof="mw:Extension/ref" data-mw=\'{"name":"ref","attrs":{"name":"a"}}\'>'
    '<a href="./P#cite_note-a-1"><span class="mw-reflink-text">[1]</span></a></sup>',
    '<sup typeof="mw:Extension/ref" data-mw="{broken"><a href="./P#cite_note-9">[9]</a></sup>',
    '<ol class="mw-references references" data-mw-group="n">',
    '<ol class="mw-subreference-list">',
    '<li id="cite_note-a-1"><span class="mw-reference-text">',
    '<span typeof="mw:Transclusion" data-mw=\'{"parts":[{"template":{"target":{"wt":"cite web"},'
    '"params":{"url":{"wt":"https://[::g]/"},"title":{"wt":"T"},"archive-url":{"wt":"https://web.archive.org/web/'
    "99991231235959/http://x/\"}}}}]}'>T</span>",
    '<span typeof="mw:Transclusion" data-mw=\'{"parts":[{"template":{"target":{"wt":"Harvnb"},"params":5}}]}\'>',
    '<span typeof="mw:Transclusion" data-mw=\'{"parts":"nope"}\'>',
    '<a href="./P#CITEREFX2001">X 2001</a>',
    '<cite id="CITEREFX2001" class="citation book">X (2001). <i>B</i>.</cite>',
    '<sup class="reference"><span>: 23</span></sup>',
    "</span></li>",
    "</ol>",
    "<p>",
    "</p>",
    "<h2>Sources</h2>",
    "text [1] and more.",
]
_WIKITEXT = [
    "{{efn|note<ref>inner</ref>}}",
    "{{efn|name=n}}",
    "{{refn|group=g|x}}",
    "{{#tag:ref|t|group=n|name=t}}",
    "{{sfn|Smith|2003|p=4}}",
    "{{sfnm|1a1=A|1y=2000}}",
    "{{harv|Smith|2003}}",
    "{{harvnb}}",
    "{{cite book|last=Smith|year=2003|title=T|ref=harv}}",
    "{{cite web|url=https://[::g]/|archive-url=https://web.archive.org/web/99991231235959/x}}",
    '<ref name="m" details="p. 1">main</ref>',
    '<ref name="m" details="p. 2"/>',
    '<ref details="orphan"/>',
    "<ref>outer<ref>inner</ref></ref>",
    "<ref name=x/>",
    "&lt;ref&gt;",
    "\n== Sources ==\n",
    "\n* ",
    "text. ",
]


def _assert_well_formed(document: ParsedDocument, fmt: DocumentFormat) -> None:
    assert document.format == fmt
    ids = [reference.id for reference in document.references]
    assert len(ids) == len(set(ids)), ids
    for reference in document.references:
        assert reference.full_citation_ref is None or reference.full_citation_ref in ids
        assert reference.uses >= 0
    for section in document.sections:
        for paragraph in section.paragraphs:
            for marker in paragraph.markers:
                assert 0 <= marker.offset <= len(paragraph.text)
                assert marker.ref_id is None or marker.ref_id in ids
    assert ParsedDocument.model_validate_json(document.model_dump_json()) == document
    build_claims(document)  # the next stage takes it as it is


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_PARSOID) | st.text(max_size=8), max_size=30).map("".join))
def test_parsoid_like_html_is_always_well_formed(text: str) -> None:
    _assert_well_formed(parse_document(text, "p.html", "html"), "html")


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_WIKITEXT) | st.text(max_size=8), max_size=30).map("".join))
def test_wikitext_notes_and_short_citations_are_always_well_formed(text: str) -> None:
    _assert_well_formed(parse_document(text, "w.wiki", "wikitext"), "wikitext")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(["text", "markdown", "html", "wikitext"]),
    st.lists(
        st.sampled_from([*_PARSOID[:3], *_WIKITEXT[:6], "[^a]", "[^a]: x", "1. ", "[1]"]) | st.text(), max_size=20
    ),
)
def test_every_reader_on_mixed_input(fmt: DocumentFormat, pieces: list[str]) -> None:
    _assert_well_formed(parse_document("".join(pieces), f"x.{fmt}", fmt), fmt)
