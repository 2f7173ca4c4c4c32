"""Reader behaviour the Parsoid conformance test (tests/integration/test_parsoid_conformance.py) found wrong.

Small snippets in the shape of the real 2025 Parsoid page in ../shared/wikipedia-samples
(TemplateStyles first element, ``cite.citation``, COinS, ``mw-references-wrap``).
"""

from __future__ import annotations

import html
import json
from urllib.parse import urlencode

from citecheck.dates import PartialDate
from citecheck.documents.html import read_html
from citecheck.documents.wikitext import read_wikitext
from citecheck.models import ReferenceKind, SourceFlag
from citecheck.references.cite_templates import read_cite_template


def _attr(value: object) -> str:
    return html.escape(json.dumps(value), quote=True)


def cs1(about: str, name: str, params: dict[str, str], inner: str, coins: dict[str, str] | None = None) -> str:
    """A CS1 citation as Parsoid 2.x serves it: the TemplateStyles link carries typeof and data-mw."""
    data = {
        "name": "templatestyles",
        "attrs": {"src": "Module:Citation/CS1/styles.css"},
        "parts": [{"template": {"target": {"wt": name}, "params": {k: {"wt": v} for k, v in params.items()}, "i": 0}}],
    }
    coins_span = (
        f'<span title="{html.escape(urlencode(coins), quote=True)}" class="Z3988" about="{about}"></span>'
        if coins
        else ""
    )
    return (
        f'<link rel="mw-deduplicated-inline-style" href="mw-data:TemplateStyles:r1" about="{about}" '
        f'typeof="mw:Extension/templatestyles mw:Transclusion" data-mw="{_attr(data)}"/>'
        f'<cite class="citation {name.split()[-1]} cs1" about="{about}">{inner}</cite>{coins_span}'
    )


def page(body: str, items: str) -> str:
    return (
        '<!DOCTYPE html><html><head><meta property="mw:htmlVersion" content="2.8.0"/><title>Page</title></head>'
        f'<body class="mw-content-ltr parsoid-body mediawiki mw-parser-output"><section data-mw-section-id="0">{body}'
        '</section><section data-mw-section-id="1"><h2 id="References">References</h2>'
        '<div class="mw-references-wrap" typeof="mw:Extension/references" data-mw="{}">'
        f'<ol class="mw-references references">{items}</ol></div></section></body></html>'
    )


def marker(note: str, label: str) -> str:
    return (
        f'<sup class="mw-ref reference" id="cite_ref-{note}" typeof="mw:Extension/ref" '
        f'data-mw="{_attr({"name": "ref", "attrs": {}})}"><a href="./Page#cite_note-{note}">'
        f'<span class="mw-reflink-text">[{label}]</span></a></sup>'
    )


def item(note: str, content: str) -> str:
    return (
        f'<li about="#cite_note-{note}" id="cite_note-{note}"><span class="mw-cite-backlink">'
        f'<a href="./Page#cite_ref-{note}" rel="mw:referencedBy"><span class="mw-linkback-text">↑ </span></a></span> '
        f'<span id="mw-reference-text-cite_note-{note}" class="mw-reference-text reference-text">{content}</span></li>'
    )


def test_a_bibliography_entry_outside_a_list_is_read_from_its_template_data() -> None:
    # An indented (": {{cite book}}") or bare bibliography line: the data-mw is on the <link> before the <cite>.
    book = cs1(
        "#mwt9",
        "cite book",
        {"last": "Smith", "first": "Ann", "title": "A History", "year": "2003", "publisher": "Example Press"},
        "Smith, Ann (2003). <i>A History</i>. Example Press.",
    )
    document = read_html(page(f"<p>Prose.</p><dl><dd>{book}</dd></dl><p>{book}</p>", ""), "bib.html")
    entries = [ref for ref in document.references if ref.kind is ReferenceKind.bibliography]
    assert len(entries) == 2
    for entry in entries:
        assert SourceFlag.template_data in entry.source_flags
        assert (entry.authors, entry.title, entry.publisher) == (["Ann Smith"], "A History", "Example Press")


def test_a_short_citation_names_the_bibliography_entry_not_a_footnote_repeating_it() -> None:
    full = '<cite id="CITEREFSmith2003" class="citation book cs1">Smith, Ann (2003). <i>A History</i>.</cite>'
    short = '<a href="./Page#CITEREFSmith2003">Smith 2003</a>, p. 4.'
    body = f"<p>One.{marker('1', '1')} Two.{marker('2', '2')}</p><h2>Sources</h2><ul><li>{full}</li></ul>"
    document = read_html(page(body, item("1", full) + item("2", short)), "sfn.html")
    by_id = {ref.id: ref for ref in document.references}
    assert by_id["2"].full_citation_ref == "B1"  # as the wikitext reader links it
    assert by_id["2"].details == "p. 4"  # the locator {{sfn}} wrote, as the wikitext reader reads it
    assert by_id["B1"].kind is ReferenceKind.bibliography and by_id["B1"].uses == 1


def test_a_footnote_holding_two_citations_reads_the_first() -> None:
    first = (
        '<cite class="citation journal cs1">Malatesta, Errico. <a rel="mw:ExtLink" class="external text" '
        'href="http://example.org/towards">"Towards Anarchism"</a>. <i>MAN!</i>.</cite>'
    )
    second = (
        '<cite class="citation journal cs1">Agrell, Siri (14 May 2007). <a rel="mw:ExtLink" class="external text" '
        'href="https://web.archive.org/web/20070516094548/http://example.com/man">"Working for The Man"</a>. '
        '<i>The Globe and Mail</i>. Archived from <a rel="mw:ExtLink" class="external text" '
        'href="http://example.com/man">the original</a> on 16 May 2007. Retrieved 14 April 2008. '
        "ISBN 0-7546-6196-2.</cite>"
    )
    document = read_html(page(f"<p>Text.{marker('1', '1')}</p>", item("1", f"{first} {second}")), "two.html")
    (reference,) = document.references
    assert reference.url == "http://example.org/towards"
    assert reference.title == "Towards Anarchism"
    assert reference.archive_url is None and reference.access_date is None
    assert not reference.identifiers.present()
    assert "Working for The Man" in reference.raw  # the whole footnote is still its text


def test_a_standalone_citation_reads_the_coins_span_after_it() -> None:
    coins = {"rft.btitle": "A History", "rft.pub": "Example Press", "rft.date": "2003", "rft.aulast": "Smith"}
    entry = '<cite class="citation book cs1">Smith (2003). <i>A History</i>.</cite>'  # the publisher only in COinS
    entry += f'<span title="{html.escape(urlencode(coins), quote=True)}" class="Z3988"></span>'
    document = read_html(page(f"<p>Prose.</p><p>{entry}</p>", ""), "coins.html")
    (reference,) = document.references
    assert SourceFlag.coins in reference.source_flags and reference.publisher == "Example Press"


def test_coins_place_is_not_the_publisher_and_author_is_kept_as_written() -> None:
    # CS1 shows |location= where a publisher would be ("Toronto.") and writes |author= verbatim into rft.au.
    coins = {
        "rft.jtitle": "The Daily",
        "rft.atitle": "Crime",
        "rft.place": "Toronto",
        "rft.au": "Statistics Canada, The Daily",
    }
    text = (
        '<cite class="citation web cs1">Statistics Canada, The Daily. <a rel="mw:ExtLink" class="external text" '
        'href="http://example.ca/crime">"Crime"</a>. <i>The Daily</i>. Toronto.</cite>'
        f'<span title="{html.escape(urlencode(coins), quote=True)}" class="Z3988"></span>'
    )
    document = read_html(page(f"<p>Text.{marker('1', '1')}</p>", item("1", text)), "place.html")
    (reference,) = document.references
    assert reference.publisher is None
    assert reference.authors == ["Statistics Canada, The Daily"]


def test_a_reference_list_on_the_page_twice_is_read_once() -> None:
    items = item("1", "First source.") + item("2", "Second source.")
    body = f"<p>A.{marker('1', '1')} B.{marker('2', '2')}</p>"
    twice = page(body, items).replace("</ol></div>", f"</ol></div><ol class='mw-references references'>{items}</ol>")
    document = read_html(twice, "twice.html")
    assert [ref.id for ref in document.references] == ["1", "2"]
    assert [ref.uses for ref in document.references] == [1, 1]
    assert any("repeat the id" in notice for notice in document.notices)


def test_a_marker_standing_alone_cites_the_paragraph_before() -> None:
    body = f"<p>The claim.</p><table><tr><td>x</td></tr></table><p>{marker('1', '1')}</p>"
    document = read_html(page(body, item("1", "A source.")), "alone.html")
    assert document.references[0].uses == 1
    assert document.sections[0].paragraphs[0].markers[0].ref_id == "1"


def test_cs1_default_archive_status_is_dead() -> None:
    def status(**params: str) -> str | None:
        return read_cite_template("cite web", params, str, str).url_status

    archive = "https://web.archive.org/web/2015/http://example.org/"
    assert status(url="http://example.org/", **{"archive-url": archive}) == "dead"  # CS1's default
    assert status(url="http://example.org/", **{"archive-url": archive, "url-status": "live"}) == "live"
    assert status(url="http://example.org/") is None


def test_wikitext_webarchive_inside_a_handwritten_ref_gives_its_date() -> None:
    text = (
        "Claim.<ref>[http://example.org/page A page] {{webarchive|url=https://web.archive.org/web/20150101000000/"
        "http://example.org/page|date=January 1, 2015}}</ref>\n"
    )
    (reference,) = read_wikitext(text, "archive.wiki").references
    assert reference.archive_url == "https://web.archive.org/web/20150101000000/http://example.org/page"
    assert reference.archive_date == PartialDate(year=2015, month=1, day=1)


def test_a_harvnb_footnote_gives_its_locator_without_a_no_break_space() -> None:
    data = {
        "parts": [{"template": {"target": {"wt": "harvnb"}, "params": {"1": {"wt": "Smith"}, "2": {"wt": "2003"}}}}]
    }
    text = (
        f'<span about="#mwt5" typeof="mw:Transclusion" data-mw="{_attr(data)}">'
        '<a href="./Page#CITEREFSmith2003">Smith 2003</a>, p.\u00a04</span>.'
    )
    full = '<cite id="CITEREFSmith2003" class="citation book cs1">Smith, Ann (2003). <i>A History</i>.</cite>'
    body = f"<p>One.{marker('1', '1')}</p><h2>Sources</h2><ul><li>{full}</li></ul>"
    document = read_html(page(body, item("1", text)), "harv.html")
    short = document.references[0]
    assert SourceFlag.short_citation in short.source_flags
    assert (short.full_citation_ref, short.details) == ("B1", "p. 4")


def test_a_ref_name_is_read_as_written_from_the_marker() -> None:
    # The anchor cite_note-Thunderstorm_2013-1 cannot tell "Thunderstorm_2013" from "Thunderstorm 2013".
    data = _attr({"name": "ref", "attrs": {"name": "Thunderstorm_2013"}, "body": {"id": "x"}})
    sup = (
        f'<sup class="mw-ref reference" id="cite_ref-Thunderstorm_2013_1-0" typeof="mw:Extension/ref" data-mw="{data}">'
        '<a href="./Page#cite_note-Thunderstorm_2013-1"><span class="mw-reflink-text">[1]</span></a></sup>'
    )
    li = item("1", "A source.").replace("cite_note-1", "cite_note-Thunderstorm_2013-1")
    document = read_html(page(f"<p>Rain.{sup}</p>", li), "name.html")
    assert document.references[0].name == "Thunderstorm_2013"
