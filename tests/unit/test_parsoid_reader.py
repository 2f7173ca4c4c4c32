"""The HTML reader on Parsoid snippets shaped like Wikipedia's REST API output (HTML 2.x)."""

from __future__ import annotations

import html
import json

from citecheck.documents.html import read_html
from citecheck.documents.wikitext import read_wikitext
from citecheck.models import ParsedDocument, Reference, Renderer


def data_mw(value: object) -> str:
    return html.escape(json.dumps(value), quote=True)


def cite(name: str, params: dict[str, str]) -> str:
    return data_mw(
        {"parts": [{"template": {"target": {"wt": name}, "params": {k: {"wt": v} for k, v in params.items()}}}]}
    )


def marker(note: str, label: str, attrs: dict[str, str], group: str | None = None, typeof: str = "") -> str:
    group_attr = f' data-mw-group="{group}"' if group else ""
    body = {"name": "ref", "attrs": attrs}
    return (
        f'<sup class="mw-ref reference" typeof="mw:Extension/ref{typeof}" data-mw="{data_mw(body)}">'
        f'<a href="./Page#{note}"{group_attr}><span class="mw-reflink-text"><span class="cite-bracket">[</span>'
        f'{label}<span class="cite-bracket">]</span></span></a></sup>'
    )


def item(note: str, backlinks: list[str], content: str) -> str:
    anchors = "".join(
        f'<a href="./Page#{ref}" rel="mw:referencedBy"><span class="mw-linkback-text">{i} </span></a>'
        for i, ref in enumerate(backlinks, 1)
    )
    return (
        f'<li about="#{note}" id="{note}"><span rel="mw:referencedBy" class="mw-cite-backlink">{anchors}</span> '
        f'<span id="mw-reference-text-{note}" class="mw-reference-text reference-text">{content}</span></li>'
    )


NEWS = {
    "last": "Jolly",
    "first": "David",
    "title": "Iranian Group Seeks U.S. Shield",
    "work": "[[The New York Times]]",
    "date": "13 April 2011",
    "url": "https://www.nytimes.com/2011/04/14/world/middleeast/14iraq.html",
    "access-date": "8 May 2011",
    "archive-url": "https://web.archive.org/web/20110415000000/https://www.nytimes.com/2011/04/14/world/middleeast/14iraq.html",
    "archive-date": "15 April 2011",
    "url-status": "dead",
    "doi": "10.1234/example.5",
}
RENDERED_NEWS = (
    '<cite class="citation news cs1">Jolly, David (13 April 2011). <a rel="mw:ExtLink" class="external text" '
    'href="https://web.archive.org/web/20110415000000/https://www.nytimes.com/2011/04/14/world/middleeast/14iraq.html">'
    '"Iranian Group Seeks U.S. Shield"</a>. <i>The New York Times</i>. Archived from '
    '<a rel="mw:ExtLink" class="external text" href="https://www.nytimes.com/2011/04/14/world/middleeast/14iraq.html">'
    "the original</a> on 15 April 2011. Retrieved 8 May 2011.</cite>"
)


def page(body: str, lists: str) -> str:
    return (
        '<!DOCTYPE html><html><head><meta property="mw:htmlVersion" content="2.8.0"/><title>Page</title>'
        '<meta property="dc:modified" content="2024-05-01T10:00:00.000Z"/></head>'
        f'<body class="mw-content-ltr parsoid-body mediawiki mw-parser-output">{body}{lists}</body></html>'
    )


def build() -> str:
    body = (
        '<section data-mw-section-id="0"><p>The raid happened in 2011.'
        + marker("cite_note-nyt-1", "1", {"name": "nyt"})
        + " Officials said so."
        + marker("cite_note-nyt-1", "1", {"name": "nyt"})
        + ' It was bad.<sup class="reference nowrap" typeof="mw:Transclusion" data-mw="'
        + cite("rp", {"1": "23"})
        + '"><span title="Page: 23">: 23</span></sup>'
        + " A note says more."
        + marker("cite_note-2", "n 1", {"group": "n"}, group="n")
        + " Details were given."
        + marker("cite_note-4", "1.1", {"details": "p. 7"})
        + " Broken data follows."
        + marker("cite_note-5", "3", {})
        + " Missing item."
        + marker("cite_note-gone-9", "9", {"name": "gone"})
        + "</p></section>"
    )
    refs = (
        '<div class="mw-references-wrap" typeof="mw:Extension/references" data-mw="'
        + data_mw({"name": "references", "attrs": {}})
        + '"><ol class="mw-references references">'
        + item(
            "cite_note-nyt-1",
            ["cite_ref-nyt_1-0", "cite_ref-nyt_1-1"],
            f'<link rel="mw-deduplicated-inline-style" href="mw-data:TemplateStyles:r1"/><span about="#mwt5" '
            f'typeof="mw:Transclusion" data-mw="{cite("Cite news", NEWS)}">{RENDERED_NEWS}</span>'
            '<span class="Z3988" title="ctx_ver=Z39.88-2004&amp;rft.jtitle=Wrong"></span>',
        ).replace('<ol class="mw-subreference-list">', "")[:-5]
        + '<ol class="mw-subreference-list">'
        + item("cite_note-4", ["cite_ref-4"], "p. 7")
        + "</ol></li>"
        + item(
            "cite_note-5",
            ["cite_ref-5"],
            '<span typeof="mw:Transclusion" data-mw="{not json">Hand, A. (2001). "Broken data". Example Press.</span>',
        )
        + "</ol></div>"
        + '<ol class="mw-references references" data-mw-group="n">'
        + item("cite_note-2", ["cite_ref-2"], "An explanatory note.")
        + "</ol>"
    )
    return page(body, refs)


def by_anchor(document: ParsedDocument) -> dict[str | None, Reference]:
    return {reference.anchor: reference for reference in document.references}


def test_parsoid_is_recognised_and_fields_come_from_template_parameters() -> None:
    document = read_html(build(), "page.html")
    assert document.renderer is Renderer.parsoid
    assert document.title == "Page" and document.date is not None and document.date.iso() == "2024-05-01"
    nyt = by_anchor(document)["cite_note-nyt-1"]
    assert nyt.id == "1" and nyt.name == "nyt" and nyt.kind == "template"
    assert "template-data" in nyt.source_flags
    assert nyt.title == "Iranian Group Seeks U.S. Shield"
    assert nyt.work == "The New York Times"  # the template's |work=, not COinS, not text
    assert nyt.authors == ["David Jolly"]
    assert nyt.url == NEWS["url"] and nyt.archive_url == NEWS["archive-url"]
    assert nyt.date is not None and nyt.date.iso() == "2011-04-13"
    assert nyt.access_date is not None and nyt.access_date.iso() == "2011-05-08"
    assert nyt.archive_date is not None and nyt.archive_date.iso() == "2011-04-15"
    assert "url-status-dead" in nyt.source_flags
    assert nyt.identifiers.doi == "10.1234/example.5"
    assert (nyt.uses, nyt.backlinks) == (3, 3)  # two markers + its sub-reference
    assert "1 " not in nyt.raw and "↑" not in nyt.raw  # backlink labels never leak


def test_parsoid_markers_groups_and_sub_references() -> None:
    document = read_html(build(), "page.html")
    markers = [(m.label, m.ref_id) for s in document.sections for p in s.paragraphs for m in p.markers]
    assert markers == [("1", "1"), ("1", "1"), ("n 1", "n-1"), ("1.1", "1.1"), ("3", "2"), ("9", None)]
    text = document.sections[0].paragraphs[0].text
    assert ": 23" not in text  # {{rp}} is a page locator, not a marker and not text
    sub = by_anchor(document)["cite_note-4"]
    assert (sub.id, sub.details, sub.full_citation_ref) == ("1.1", "p. 7", "1")
    note = by_anchor(document)["cite_note-2"]
    assert (note.id, note.group) == ("n-1", "n")
    assert any("missing from this document" in notice for notice in document.notices)


def test_broken_data_mw_falls_back_to_the_rendered_text() -> None:
    broken = by_anchor(read_html(build(), "page.html"))["cite_note-5"]
    assert "text-fallback" in broken.source_flags
    assert broken.title == "Broken data" and broken.authors == ["A. Hand"]
    assert any("not valid JSON" in error for error in broken.data_errors)


def test_parsoid_and_wikitext_read_the_same_citation_alike() -> None:
    wikitext = "The raid.<ref name=nyt>{{Cite news|" + "|".join(f"{k}={v}" for k, v in NEWS.items()) + "}}</ref>"
    from_wikitext = read_wikitext(wikitext, "page.wiki").references[0]
    from_parsoid = by_anchor(read_html(build(), "page.html"))["cite_note-nyt-1"]
    for name in (
        "title",
        "work",
        "authors",
        "date",
        "access_date",
        "archive_date",
        "url",
        "archive_url",
        "identifiers",
    ):
        assert getattr(from_wikitext, name) == getattr(from_parsoid, name), name


def test_non_citation_template_is_read_from_the_text() -> None:
    content = (
        f'<span typeof="mw:Transclusion" data-mw="{cite("Harvnb", {"1": "Smith", "2": "2003"})}">'
        '<a href="./Page#CITEREFSmith2003">Smith 2003</a>, p. 41.</span>'
    )
    bibliography = (
        '<h2>Sources</h2><ul><li><cite id="CITEREFSmith2003" class="citation book cs1" about="#mwt9" '
        f'typeof="mw:Transclusion" data-mw="{cite("cite book", {"last": "Smith", "year": "2003", "title": "Cats"})}">'
        "Smith (2003). <i>Cats</i>.</cite></li></ul>"
    )
    text = page(
        "<p>Claim." + marker("cite_note-1", "1", {}) + "</p>",
        '<ol class="mw-references references">' + item("cite_note-1", ["cite_ref-1"], content) + "</ol>" + bibliography,
    )
    document = read_html(text, "page.html")
    short = by_anchor(document)["cite_note-1"]
    entry = next(reference for reference in document.references if reference.kind == "bibliography")
    assert "text-fallback" in short.source_flags and "short-citation" in short.source_flags
    assert short.full_citation_ref == entry.id == "B1"
    assert (entry.title, entry.authors, entry.uses) == ("Cats", ["Smith"], 1)


def test_arabic_parameters_and_dates() -> None:
    params = {
        "الأخير": "Zeidler",
        "الأول": "Eberhard",
        "العنوان": "Oxford User's Guide",
        "الناشر": "OUP",
        "السنة": "2004",
    }
    params |= {"تاريخ الوصول": "09 أبريل 2018", "الرقم المعياري": "0-19-850763-1"}
    content = f'<span typeof="mw:Transclusion" data-mw="{cite("مرجع كتاب", params)}">…</span>'
    text = page(
        "<p dir='rtl'>نص." + marker("cite_note-1", "1", {}) + "</p>",
        '<ol class="mw-references references">' + item("cite_note-1", ["cite_ref-1"], content) + "</ol>",
    )
    (reference,) = read_html(text, "ar.html").references
    assert (reference.title, reference.publisher, reference.authors) == (
        "Oxford User's Guide",
        "OUP",
        ["Eberhard Zeidler"],
    )
    assert reference.access_date is not None and reference.access_date.iso() == "2018-04-09"
    assert reference.identifiers.isbn == "0198507631"
