"""The HTML reader on small documents written here: MediaWiki layout, generic footnotes, links, junk."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from citecheck.documents.html import coins_fields, read_coins, read_html
from citecheck.models import ParsedDocument

# --------------------------------------------------------------------------- MediaWiki

MEDIAWIKI_PAGE = """<!DOCTYPE html>
<html><head><title>Kiwi - Wikipedia</title><script>var leak = "head script";</script></head>
<body>
<h1 id="firstHeading">Kiwi</h1>
<div id="mw-content-text"><div class="mw-parser-output">
<div role="note" class="hatnote navigation-not-searchable">For the fruit, see Kiwifruit.</div>
<table class="infobox"><tr><th><div>Population</div></th><td><ul><li>68,000<sup id="cite_ref-pop_4-0"
class="reference"><a
href="#cite_note-pop-4">[2]</a></sup></li><li>(2015)</li></ul></td></tr>
<tr><th>Status</th><td>Vulnerable</td></tr></table>
<p>Kiwi are flightless birds.<sup id="cite_ref-1" class="reference"><a
href="#cite_note-1">[1]</a></sup> They are endemic to New Zealand.<sup id="cite_ref-note_2"
class="reference"><a href="#cite_note-n1-2">[n 1]</a></sup><sup
class="noprint Inline-Template">[<i>citation needed</i>]</sup></p>
<style>.mw-parser-output .x{color:red}</style>
<h2><span class="mw-headline" id="Biology">Biology</span><span class="mw-editsection"><span
class="mw-editsection-bracket">[</span><a href="/w/edit">edit</a>]</span></h2>
<p>They lay   large eggs.<sup id="cite_ref-pop_4-1" class="reference"><a
href="#cite_note-pop-4">[2]</a></sup><sup id="cite_ref-99" class="reference"><a
href="#cite_note-missing-99">[99]</a></sup></p>
<ul><li>Brown kiwi<sup id="cite_ref-3" class="reference"><a
href="#cite_note-3">[3]</a></sup></li><li>Spotted kiwi</li></ul>
<h2><span class="mw-headline" id="See_also">See also</span></h2>
<ul><li><a href="/wiki/Moa">Moa</a></li></ul>
<h2><span class="mw-headline" id="Notes">Notes</span></h2>
<div class="reflist"><ol class="references">
<li id="cite_note-n1-2"><span class="mw-cite-backlink"><b><a href="#cite_ref-note_2">^</a></b></span> <span
class="reference-text">Including offshore islands.<sup id="cite_ref-1b" class="reference"><a
href="#cite_note-1">[1]</a></sup></span></li>
</ol></div>
<h2><span class="mw-headline" id="References">References</span></h2>
<div class="reflist"><ol class="references">
<li id="cite_note-1"><span class="mw-cite-backlink">^ <a href="#cite_ref-1"><sup><i><b>a</b></i></sup></a> <a
href="#cite_ref-1b"><sup><i><b>b</b></i></sup></a></span> <span class="reference-text"><cite
class="citation web">Smith, John (14 April 2011). <a rel="nofollow" class="external text"
href="http://example.org/kiwi">"Kiwi facts"</a>. <i>Bird News</i><span
class="reference-accessdate">. Retrieved <span class="nowrap">8 May</span> 2011</span>.</cite><span
class="Z3988"
title="ctx_ver=Z39.88-2004&amp;rft.atitle=Kiwi+facts&amp;rft.date=2011-04-14&amp;rft_id=http%3A%2F%2Fexample.org"></span></span></li>
<li id="cite_note-pop-4"><span class="mw-cite-backlink">^ <a
href="#cite_ref-pop_4-0"><sup><i><b>a</b></i></sup></a> <a
href="#cite_ref-pop_4-1"><sup><i><b>b</b></i></sup></a></span> <span class="reference-text"><cite
class="citation web"><a rel="nofollow" class="external text"
href="https://web.archive.org/web/20130101000000/http://example.org/pop">"Kiwi population"</a>. Department of Birds.
Archived from <a rel="nofollow" class="external text" href="http://www.example.org/pop">the original</a>
on 1 January 2013. Retrieved 5 March 2013.</cite><span class="cs1-visible-error citation-comment">Missing or
empty |title= (help)</span></span></li>
<li id="cite_note-3"><span class="mw-cite-backlink"><b><a href="#cite_ref-3">^</a></b></span> <span
class="reference-text"><cite class="citation web"><a rel="nofollow" class="external text"
href="http://gone.example/brown">"Brown kiwi"</a>. Retrieved 2 June 2010.</cite><sup
class="noprint Inline-Template"><span>[<i><a
href="/wiki/Wikipedia:Link_rot">dead link</a></i>]</span></sup></span></li>
</ol></div>
<table class="navbox"><tr><td><a href="/wiki/Bird">Birds of New Zealand</a></td></tr></table>
</div></div>
<div id="footer"><ul><li
id="footer-info-lastmod"> This page was last edited on 30 September 2019, at 10:00.</li></ul></div>
</body></html>
"""


@pytest.fixture(scope="module")
def mediawiki() -> ParsedDocument:
    return read_html(MEDIAWIKI_PAGE, "kiwi.html")


def _all_paragraphs(document: ParsedDocument) -> list[tuple[str | None, str]]:
    return [(section.title, paragraph.text) for section in document.sections for paragraph in section.paragraphs]


def test_mediawiki_title_and_revision_date(mediawiki: ParsedDocument) -> None:
    assert mediawiki.format == "html"
    assert mediawiki.title == "Kiwi"
    assert mediawiki.date is not None and mediawiki.date.iso() == "2019-09-30"


def test_mediawiki_sections_drop_chrome_and_keep_prose(mediawiki: ParsedDocument) -> None:
    paragraphs = _all_paragraphs(mediawiki)
    texts = [text for _, text in paragraphs]
    assert (None, "Kiwi are flightless birds. They are endemic to New Zealand.") in paragraphs
    assert ("Biology", "They lay large eggs.") in paragraphs
    assert ("Biology", "Spotted kiwi") in paragraphs
    joined = "\n".join(texts)
    for chrome in ("edit", "Kiwifruit", "citation needed", "color:red", "head script", "Moa", "Birds of New Zealand"):
        assert chrome not in joined
    assert [section.title for section in mediawiki.sections] == [None, "Biology", "Notes"]
    assert [section.level for section in mediawiki.sections] == [1, 2, 2]


def test_mediawiki_table_rows_kept_only_when_cited(mediawiki: ParsedDocument) -> None:
    texts = [text for _, text in _all_paragraphs(mediawiki)]
    assert "Population 68,000 (2015)" in texts  # one row, one paragraph, blocks in cells included
    assert not any("Vulnerable" in text for text in texts)


def test_mediawiki_markers_offsets_and_targets(mediawiki: ParsedDocument) -> None:
    lead = mediawiki.sections[0].paragraphs
    cited = next(paragraph for paragraph in lead if paragraph.text.startswith("Kiwi are"))
    first, second = cited.markers
    assert (first.label, first.ref_id) == ("1", "1")
    assert cited.text[: first.offset] == "Kiwi are flightless birds."
    assert (second.label, second.ref_id) == ("n 1", "n-1")  # group "n", numbered as the wikitext reader does
    assert cited.text[second.offset - 1] == "."
    biology = mediawiki.sections[1].paragraphs[0]
    assert [(marker.label, marker.ref_id, marker.offset) for marker in biology.markers] == [
        ("2", "2", len("They lay large eggs.")),
        ("99", None, len("They lay large eggs.")),
    ]


def test_mediawiki_reference_lists_get_distinct_ids(mediawiki: ParsedDocument) -> None:
    by_id = {reference.id: reference for reference in mediawiki.references}
    assert list(by_id) == ["n-1", "1", "2", "3"]
    assert [by_id[ref_id].number for ref_id in ("n-1", "1", "2", "3")] == [1, 1, 2, 3]
    assert by_id["n-1"].group == "n" and by_id["1"].group is None
    assert by_id["n-1"].anchor == "cite_note-n1-2"
    assert (by_id["2"].anchor, by_id["2"].name) == ("cite_note-pop-4", "pop")  # <ref name="pop">
    assert by_id["1"].name is None  # cite_note-1: an unnamed ref
    assert all(reference.kind == "numbered" for reference in mediawiki.references)


def test_mediawiki_backlinks_and_uses(mediawiki: ParsedDocument) -> None:
    by_id = {reference.id: reference for reference in mediawiki.references}
    assert (by_id["1"].backlinks, by_id["1"].uses) == (2, 2)  # one use is inside note n1
    assert (by_id["2"].backlinks, by_id["2"].uses) == (2, 2)  # one use is in the infobox
    assert (by_id["3"].backlinks, by_id["3"].uses) == (1, 1)
    assert (by_id["n-1"].backlinks, by_id["n-1"].uses) == (1, 1)
    notes = mediawiki.sections[-1]
    assert notes.title == "Notes"
    assert [paragraph.text for paragraph in notes.paragraphs] == ["Including offshore islands."]


def test_mediawiki_citation_fields(mediawiki: ParsedDocument) -> None:
    by_id = {reference.id: reference for reference in mediawiki.references}
    first = by_id["1"]
    assert first.raw.startswith("Smith, John (14 April 2011).")
    assert "^" not in first.raw
    assert first.url == "http://example.org/kiwi"
    assert first.title == "Kiwi facts"
    assert first.date is not None and first.date.iso() == "2011-04-14"
    archived = by_id["2"]
    assert archived.archive_url == "https://web.archive.org/web/20130101000000/http://example.org/pop"
    assert archived.url == "http://www.example.org/pop"  # the "original" link, as the editor gave it
    assert "Missing or empty" not in archived.raw
    dead = by_id["3"]
    assert "dead-link" in dead.source_flags
    assert dead.raw.endswith("[dead link]")


def test_coins_fills_only_what_the_text_lacks() -> None:
    page = MEDIAWIKI_PAGE.replace("Smith, John (14 April 2011). ", "")
    with_coins = {reference.id: reference for reference in read_html(page, "k.html").references}["1"]
    without = {reference.id: reference for reference in read_html(page, "k.html", use_coins=False).references}["1"]
    assert without.date is None
    assert with_coins.date is not None and with_coins.date.iso() == "2011-04-14"
    assert "coins" in with_coins.source_flags
    assert "coins" not in without.source_flags
    assert with_coins.title == without.title == "Kiwi facts"


# --------------------------------------------------------------------------- COinS


def test_read_coins_decodes_repeated_and_encoded_fields() -> None:
    coins = read_coins(
        "ctx_ver=Z39.88-2004&amp;rft.atitle=Caf%C3%A9+society&rft.au=Smith%2C+J.&rft.au=Doe%2C+A.&rft.date=2011-04"
        "&rft.pages=&rft_id=info%3Adoi%2F10.1000%2Fx&rft_id=http%3A%2F%2Fexample.org%2Fa%3Fb%3D1%26c%3D2"
    )
    assert coins["rft.atitle"] == ["Café society"]
    assert coins["rft.au"] == ["Smith, J.", "Doe, A."]
    assert "rft.pages" not in coins
    fields = coins_fields(coins)
    assert fields.title == "Café society"
    assert fields.date == "2011-04"
    assert fields.url == "http://example.org/a?b=1&c=2"
    assert fields.authors == ["Smith, J.", "Doe, A."]


def test_coins_fields_falls_back_to_book_title_and_split_author() -> None:
    fields = coins_fields(read_coins("rft.btitle=A+Book&rft.aulast=King&rft.aufirst=Michael&rft_id=info:oclc/1"))
    assert (fields.title, fields.url, fields.authors) == ("A Book", None, ["King, Michael"])
    assert coins_fields(read_coins("%%%&&==")) == coins_fields({})


# --------------------------------------------------------------------------- generic pages

PANDOC_PAGE = """<html><head><meta property="og:title" content="On Kiwi">
<meta property="article:published_time" content="2021-03-04T09:15:00+13:00"></head>
<body><nav><a href="https://example.com/home">Home</a></nav>
<main><h1>On kiwi</h1>
<p>Kiwi sleep by day.<a href="#fn1" class="footnote-ref" id="fnref1"
role="doc-noteref"><sup>1</sup></a> They eat worms.<sup><a href="#fn2" id="fnref2">[2]</a></sup>
See <a href="https://other.example/x">this</a>.<a href="#fn9">9</a></p>
</main>
<section class="footnotes" role="doc-endnotes"><hr><ol>
<li id="fn1"><p>Jones, A. (2019). "Kiwi sleep". <a
href="https://birds.example/sleep">https://birds.example/sleep</a> <a href="#fnref1" class="footnote-back"
role="doc-backlink">↩︎</a></p></li>
<li id="fn2"><p>Worm studies, 2018. <a href="#fnref2">↩</a></p></li>
</ol></section></body></html>
"""


def test_generic_footnotes_markup() -> None:
    document = read_html(PANDOC_PAGE, "post.html")
    assert document.title == "On Kiwi"
    assert document.date is not None and document.date.iso() == "2021-03-04"
    assert [reference.id for reference in document.references] == ["1", "2"]
    first, second = document.references
    assert first.kind == "footnote" and first.name == "fn1"
    assert first.url == "https://birds.example/sleep"
    assert "↩" not in first.raw and first.backlinks == 1 and first.uses == 1
    assert second.raw == "Worm studies, 2018." and second.url is None
    paragraph = document.sections[0].paragraphs[0]
    assert paragraph.text == "Kiwi sleep by day. They eat worms. See this."
    assert [(marker.label, marker.ref_id) for marker in paragraph.markers] == [("1", "1"), ("2", "2"), ("9", None)]
    assert paragraph.text[: paragraph.markers[1].offset] == "Kiwi sleep by day. They eat worms."
    assert not any(reference.kind == "link" for reference in document.references)  # links do not cite here


def test_generic_list_under_references_heading() -> None:
    page = """<body><article><p>Claim one<a href="#r1">[1]</a>. Claim two<a href="#r2">[2]</a>.</p>
    <h2>References</h2><ol><li id="r1">Doe, J. (2001). <a href="/paper.pdf">Paper</a>.</li>
    <li><a id="r2"></a>Roe, R. (2002). Book.</li></ol>
    <h2>Further notes</h2><ol><li>Not a reference list.</li></ol></article></body>"""
    document = read_html(page, "a.html")
    assert [reference.raw for reference in document.references] == ["Doe, J. (2001). Paper.", "Roe, R. (2002). Book."]
    assert document.references[0].url is None  # relative, and no <base href>
    assert any("relative" in notice for notice in document.notices)
    markers = document.sections[0].paragraphs[0].markers
    assert [marker.ref_id for marker in markers] == ["1", "2"]
    # The "References" section holds no prose; "Further notes" is prose, not a reference list.
    assert [(s.title, [p.text for p in s.paragraphs]) for s in document.sections] == [
        (None, ["Claim one. Claim two."]),
        ("Further notes", ["Not a reference list."]),
    ]


def test_generic_inline_links_become_link_references() -> None:
    page = """<html><head><base href="https://news.example/2020/story/"><title>Story | News</title></head>
    <body><header><a href="https://news.example/">News home</a></header>
    <p>The <a href="https://gov.example/report">report</a> says so, as <a href="../other">another story</a> did.</p>
    <p>See the <a href="https://gov.example/report">same report</a>, <a href="javascript:alert(1)">this</a>,
    <a href="mailto:x@example.com">mail</a>, <a href=" JaVa&#9;script:alert(2)">that</a>,
    <a href="data:text/html,hi">data</a> and <a href="#top">top</a>.</p>
    <p>Published <time datetime="2020-05-06">6 May</time>.</p></body></html>"""
    document = read_html(page, "story.html")
    assert document.title == "Story | News"
    assert document.date is not None and document.date.iso() == "2020-05-06"
    references = document.references
    assert [(reference.id, reference.kind, reference.url) for reference in references] == [
        ("L1", "link", "https://gov.example/report"),
        ("L2", "link", "https://news.example/2020/other"),
    ]
    assert references[0].title == "report" and references[0].raw == "report"
    assert references[0].uses == 2
    first = document.sections[0].paragraphs[0]
    assert first.text == "The report says so, as another story did."
    assert [(first.text[: marker.offset], marker.ref_id) for marker in first.markers] == [
        ("The report", "L1"),
        ("The report says so, as another story", "L2"),
    ]
    notices = " ".join(document.notices)
    assert "unsafe schemes" in notices and "javascript:" in notices and "data:" in notices
    assert "mailto:" in notices
    assert "News home" not in " ".join(p.text for s in document.sections for p in s.paragraphs)


def test_scheme_relative_link_without_base_is_https() -> None:
    document = read_html('<p><a href="//cdn.example/a">a</a></p>', "x.html")
    assert [reference.url for reference in document.references] == ["https://cdn.example/a"]


# --------------------------------------------------------------------------- hostile input


@pytest.mark.parametrize("layout", ["mediawiki", "footnotes"])
def test_injected_script_and_handlers_in_a_citation_come_out_as_plain_text(layout: str) -> None:
    citation = (
        "<script>alert('x')</script><img src=x onerror=\"alert('y')\"><style>p{}</style>"
        '&lt;b onclick=alert(1)&gt; <a class="external text" href="http://gone.example/brown">"Brown kiwi"</a>.'
    )
    if layout == "mediawiki":
        page = (
            '<div class="mw-parser-output"><p>Claim.<sup class="reference"><a href="#cite_note-1">[1]</a></sup></p>'
            '<ol class="references"><li id="cite_note-1">'
            f'<span class="reference-text">{citation}</span></li></ol></div>'
        )
    else:
        page = (
            '<p>Claim.<a href="#fn1">1</a></p>'
            f'<section class="footnotes"><ol><li id="fn1">{citation}</li></ol></section>'
        )
    (reference,) = read_html(page, "k.html").references
    assert reference.raw == '<b onclick=alert(1)> "Brown kiwi".'  # escaped text stays text, never markup
    assert reference.url == "http://gone.example/brown"
    assert reference.uses == 1


BROKEN_INPUTS = [
    "",
    "   ",
    "plain text, no tags at all [1]",
    "<p>unclosed <b>bold <i>italic<p>next",
    "</div></div><p>stray closers</p></span></table>",
    "<table><tr><td><table><tr><td>nested<sup class='reference'><a href='#x'>[1]</a></sup></td></tr></table>"
    "</td></tr></table>",
    "<div>" * 10_000 + "deep<sup><a href='#fn1'>1</a></sup>" + "</div>" * 10_000,
    "<b>" * 10_000 + "unclosed deep",
    "<ol>" + "<li>" * 5_000 + "lists",
    '<p title="' + "x" * 2_000_000 + '">huge attribute</p>',
    "<p>\x01\x02\x7f\ufffd\ud800 junk \x1b[31m</p>",
    "<div class='mw-parser-output'><ol class='references'><li>no id<li id=''></ol><sup class='reference'></sup></div>",
    "<div class='mw-parser-output'><p>x<sup class='reference'><a href='#'>[]</a></sup></p>"
    "<ol class='references'></ol></div>",
    "<h2>References</h2><ol><li><a href='http://[::1'>bad</a></li></ol><p><a href='#cite_note-1'>[1]</a></p>",
    "<html><head><base href='javascript:alert(1)'></head><body><p><a href='x'>rel</a></p></body></html>",
    "<!-- unterminated comment <p>x</p>",
    "<![CDATA[ x ]]><?php echo 1; ?><!DOCTYPE x><p>after</p>",
    "<svg><script>alert(1)</script></svg><math><mi>x</mi></math>",
]


@pytest.mark.parametrize("text", BROKEN_INPUTS, ids=range(len(BROKEN_INPUTS)))
def test_broken_html_never_raises(text: str) -> None:
    document = read_html(text, "broken.html")
    _assert_markers_within_text(document)
    assert len({reference.id for reference in document.references}) == len(document.references)


def test_deeply_nested_content_is_still_read() -> None:
    document = read_html("<div>" * 10_000 + "<p>deep claim</p>" + "</div>" * 10_000, "deep.html")
    assert [p.text for s in document.sections for p in s.paragraphs] == ["deep claim"]


def _assert_markers_within_text(document: ParsedDocument) -> None:
    for section in document.sections:
        for paragraph in section.paragraphs:
            assert paragraph.text == paragraph.text.strip()
            for marker in paragraph.markers:
                assert 0 <= marker.offset <= len(paragraph.text)


_TAGS = ["p", "div", "a", "sup", "ol", "li", "h2", "table", "tr", "td", "span", "script", "section", "cite", "br"]
_ATTRIBUTES = [
    "",
    ' class="reference"',
    ' class="mw-parser-output"',
    ' class="references"',
    ' href="#cite_note-1"',
    ' href="#fn1"',
    ' href="http://e.example/a"',
    ' href="javascript:x"',
    ' id="cite_note-1"',
    ' id="fn1"',
    ' class="footnotes"',
    ' role="doc-endnotes"',
    ' style="display:none"',
]
_html_fragment = st.one_of(
    st.text(max_size=20),
    st.builds(lambda tag, attribute: f"<{tag}{attribute}>", st.sampled_from(_TAGS), st.sampled_from(_ATTRIBUTES)),
    st.builds(lambda tag: f"</{tag}>", st.sampled_from(_TAGS)),
    st.sampled_from(["[1]", "References", "<h2>Notes</h2>", "&amp;", "&#0;", "<!--", "-->", "\n"]),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_html_fragment, max_size=40).map("".join))
def test_html_like_input_never_raises_and_markers_stay_in_text(text: str) -> None:
    _assert_markers_within_text(read_html(text, "generated.html"))


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_arbitrary_text_never_raises(text: str) -> None:
    _assert_markers_within_text(read_html(text, "text.html"))


# --------------------------------------------------------------------------- real documentation pages
# (Shapes met auditing the HTML documentation under /usr/share/doc: Node.js's API pages, libxslt's.)


def _dangling(document: ParsedDocument) -> list[str]:
    return [
        marker.label
        for section in document.sections
        for paragraph in section.paragraphs
        for marker in paragraph.markers
        if marker.ref_id is None
    ]


def test_github_footnote_backlinks_are_all_counted() -> None:
    """remark-gfm/GitHub write one "↩", "↩²", "↩³" … per use, with ids prefixed ``user-content-``."""
    uses = "".join(
        f'<p>Row {n}<sup><a href="#user-content-fn-1" id="user-content-fnref-1{suffix}" data-footnote-ref>1</a>'
        "</sup></p>"
        for n, suffix in enumerate(["", "-2", "-3"])
    )
    backrefs = " ".join(
        f'<a href="#user-content-fnref-1{suffix}" data-footnote-backref class="data-footnote-backref">↩{sup}</a>'
        for suffix, sup in [("", ""), ("-2", "<sup>2</sup>"), ("-3", "<sup>3</sup>")]
    )
    page = (
        f"<html><body><main>{uses}<section data-footnotes class='footnotes'><ol><li id='user-content-fn-1'>"
        f"<p>Curves, <a href='https://wicg.github.io/curves/'>Secure Curves</a>, 21 October 2024 {backrefs}</p>"
        "</li></ol></section></main></body></html>"
    )
    document = read_html(page, "gfm.html")
    (reference,) = document.references
    assert (reference.backlinks, reference.uses) == (3, 3)
    assert "↩" not in reference.raw


def test_an_unlinked_superscript_beyond_the_footnote_list_is_an_exponent() -> None:
    page = (
        "<html><body><main><p>The limit is 2<sup>31</sup> - 1 bytes.<sup>1</sup></p>"
        "<p>A typed note.<sup>[7]</sup></p>"
        "<ol class='footnotes'><li id='fn1'>Spec, https://spec.example/ (2020).</li></ol></main></body></html>"
    )
    document = read_html(page, "exp.html")
    assert _dangling(document) == ["7"]
    (first, _second) = [paragraph for section in document.sections for paragraph in section.paragraphs]
    assert "231" in first.text.replace(" ", "")
    assert [marker.ref_id for marker in first.markers] == [document.references[0].id]


def test_links_without_text_are_page_furniture_not_citations() -> None:
    page = (
        "<html><body><table><tr><td><a href='https://www.gnome.org/'><img src='gnome.png' alt='GNOME logo'></a>"
        "</td></tr></table><p>Read <a href='https://xmlsoft.org/XSLT/'>the XSLT docs</a> first.</p></body></html>"
    )
    document = read_html(page, "logos.html")
    assert [(reference.id, reference.url, reference.uses) for reference in document.references] == [
        ("L1", "https://xmlsoft.org/XSLT/", 1)
    ]
    assert "1 link(s) without text (images, icons) not read as citations" in document.notices


def test_a_bare_number_in_a_links_text_does_not_date_it() -> None:
    """ "DR 2082" in gcc's NEWS page was read as a year and reported as a date in the future (CC405)."""
    page = (
        "<html><body><p>See <a href='https://wg21.link/cwg2082'>DR 2082</a> and "
        "<a href='https://www.rfc-editor.org/rfc/rfc2616'>RFC 2616</a>.</p></body></html>"
    )
    document = read_html(page, "links.html")
    assert [(reference.raw, reference.date) for reference in document.references] == [
        ("DR 2082", None),
        ("RFC 2616", None),
    ]


# --------------------------------------------------------------------------- blog footnote formats
# Markup as each platform documents and emits it (WordPress's core Footnotes block since 6.3, Substack's
# footnote components, and endnotes typed as numbered paragraphs under a "Notes" heading).

_CITE = 'Jones, A. (2019). "Floods". The Ledger. https://ledger.example/floods Retrieved 3 May 2020.'


def _cited(document: ParsedDocument) -> list[tuple[str, str | None]]:
    return [
        (marker.label, marker.ref_id)
        for section in document.sections
        for paragraph in section.paragraphs
        for marker in paragraph.markers
    ]


def test_wordpress_core_footnotes_block() -> None:
    page = (
        '<html><body><article><p>Rivers rose.<sup data-fn="a1b2" class="fn"><a href="#a1b2" id="a1b2-link">1</a>'
        "</sup> More.</p><ol class='wp-block-footnotes'><li id='a1b2'>"
        f'{_CITE} <a href="#a1b2-link" aria-label="Jump to footnote reference 1">↩︎</a></li></ol>'
        "</article></body></html>"
    )
    document = read_html(page, "wp.html")
    (reference,) = document.references
    assert (reference.url, reference.raw, reference.backlinks) == ("https://ledger.example/floods", _CITE, 1)
    assert _cited(document) == [("1", "1")]


def test_substack_footnote_blocks() -> None:
    notes = "".join(
        f'<div class="footnote" data-component-name="FootnoteToDOM"><a id="footnote-{n}" href="#footnote-anchor-{n}" '
        f'class="footnote-number" contenteditable="false">{n}</a>'
        f'<div class="footnote-content"><p>{text}</p></div></div>'
        for n, text in ((1, _CITE), (2, "Smith, B. (2018). Rain. https://rain.example/"))
    )
    page = (
        '<html><body><div class="body markup"><p>Rivers rose.<a class="footnote-anchor" id="footnote-anchor-1" '
        'href="#footnote-1">1</a> It rained.<a class="footnote-anchor" id="footnote-anchor-2" href="#footnote-2">2</a>'
        f"</p>{notes}</div></body></html>"
    )
    document = read_html(page, "substack.html")
    assert [(reference.id, reference.url) for reference in document.references] == [
        ("1", "https://ledger.example/floods"),
        ("2", "https://rain.example/"),
    ]
    assert document.references[0].raw == _CITE
    assert _cited(document) == [("1", "1"), ("2", "2")]
    assert [p.text for s in document.sections for p in s.paragraphs] == ["Rivers rose. It rained."]


def test_numbered_endnote_paragraphs_under_a_notes_heading() -> None:
    page = (
        "<html><body><div id='content'><p>Rivers rose.[1] It rained.<sup>2</sup></p><h3>Notes</h3>"
        f"<p>[1] {_CITE}</p><p>[2] Smith, B. (2018). Rain. https://rain.example/</p>"
        "<p>Thanks for reading.</p></div></body></html>"
    )
    document = read_html(page, "endnotes.html")
    assert [(reference.id, reference.raw[:9]) for reference in document.references] == [
        ("1", "Jones, A."),
        ("2", "Smith, B."),
    ]
    assert _cited(document) == [("1", "1"), ("2", "2")]
    # (the rest of a "Notes" section is back matter, as before: not read as claims)
    assert [p.text for s in document.sections for p in s.paragraphs] == ["Rivers rose. It rained."]


def test_paragraphs_under_a_notes_heading_not_numbered_from_one_are_prose() -> None:
    page = (
        "<html><body><p>Intro text here.</p><h2>Notes</h2><p>3. Bring a coat.</p><p>4. Bring boots.</p></body></html>"
    )
    document = read_html(page, "list.html")
    assert document.references == []


# A navbox list and a reference list whose items the body walk leaves out: plain items (no marker, no inner
# blocks) are only counted, so items with no text, with only dropped or hidden text, with an inner block, or
# with a marker (kept) each test what that count must see.
UNCITED_ITEMS_PAGE = """<html><body><div class="mw-parser-output">
<p>Kiwi are birds.<sup id="cite_ref-1" class="reference"><a href="#cite_note-1">[1]</a></sup></p>
<div class="navbox"><ul>
<li>Moa</li>
<li>  <span class="noprint">edit</span>  </li>
<li><span style="display:none">hidden</span></li>
<li><b> </b>
</li>
<li><span><i></i></span>tail words</li>
<li><div>Takahe</div><div>Weka</div></li>
<li>Kakapo<sup id="cite_ref-2" class="reference"><a href="#cite_note-2">[2]</a></sup></li>
<li><table><tr><td>Kea</td></tr></table></li>
</ul></div>
<div class="reflist"><ol class="references">
<li id="cite_note-1"><span class="mw-cite-backlink">^ <a href="#cite_ref-1"><sup><i><b>a</b></i></sup></a></span>
<span class="reference-text">Smith, John (2011). "Kiwi facts". <i>Bird News</i>.</span></li>
<li id="cite_note-2"><span class="mw-cite-backlink"><a href="#cite_ref-2">^</a></span> <span
class="reference-text"></span></li>
</ol></div>
</div></body></html>"""


def test_uncited_items_of_non_prose_areas_are_counted_not_read() -> None:
    document = read_html(UNCITED_ITEMS_PAGE, "uncited.html")
    paragraphs = [paragraph.text for section in document.sections for paragraph in section.paragraphs]
    # Kept: the prose and the one cited navbox item; left out: "Moa", "tail words", "Takahe", "Weka", "Kea" and
    # the first footnote's text (the second footnote holds no text; the items of dropped or blank text none).
    assert paragraphs == ["Kiwi are birds.", "Kakapo"]
    assert "left out 6 uncited block(s) of tables, lists and appendix sections" in document.notices
    uses = {reference.id: reference.uses for reference in document.references}
    assert uses == {"1": 1, "2": 1}
