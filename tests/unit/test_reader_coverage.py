"""Issue 11 reader behaviours on small snippets: legacy markup, blog footnotes, wikitext notes and short
citations, bibliographies, links in every format, data errors that never crash."""

from __future__ import annotations

import pytest

from citecheck.claims.build import build_claims
from citecheck.documents import parse_document
from citecheck.documents.html import read_html
from citecheck.documents.markdown import read_markdown
from citecheck.documents.wikitext import read_wikitext
from citecheck.models import LinkKind, Renderer
from tests.blog_corpus import blog_sample, markdown_sample

# --------------------------------------------------------------------------- legacy MediaWiki HTML

LEGACY = """<div class="mw-parser-output">
<p>Cats purr.<sup id="cite_ref-1" class="reference"><a href="#cite_note-1">[1]</a></sup> A locator
follows.<sup class="reference nowrap"><span title="Page: 23">: 23</span></sup> Dogs bark.<sup id="cite_ref-2"
class="reference"><a href="#cite_note-2">[2]</a></sup> Short.<sup id="cite_ref-3" class="reference"><a
href="#cite_note-3">[3]</a></sup></p>
<ol class="references">
<li id="cite_note-1"><span class="mw-cite-backlink"><b><a href="#cite_ref-1">^</a></b></span> <span
class="reference-text"><cite class="citation journal cs1">McComb, K. (2009). <a class="external text"
href="https://doi.org/10.1016%2Fj.cub.2009.05.033">"The Cry Embedded within the Purr"</a>. <i>Current Biology</i>.
Cell Press. <b>19</b> (13): R507. <a href="/wiki/Doi_(identifier)">doi</a>:<a class="external text"
href="https://doi.org/10.1016%2Fj.cub.2009.05.033">10.1016/j.cub.2009.05.033</a>. <a
href="/wiki/PMID_(identifier)">PMID</a> <a class="external text"
href="https://pubmed.ncbi.nlm.nih.gov/19602409">19602409</a>.</cite></span></li>
<li id="cite_note-2"><span class="mw-cite-backlink"><b><a href="#cite_ref-2">^</a></b></span> <span
class="reference-text"><cite class="citation web cs1"><a class="external text"
href="https://web.archive.org/web/20090418082840/http://www.example.org/pets">"Pet statistics"</a>. American Pet
Association. Archived from <a class="external text" href="http://www.example.org/pets">the original</a> on 18 April
2009<span class="reference-accessdate">. Retrieved 2 April 2008</span>.</cite></span></li>
<li id="cite_note-3"><span class="mw-cite-backlink"><b><a href="#cite_ref-3">^</a></b></span> <span
class="reference-text"><a href="#CITEREFMills2010">Mills 2010</a>, p. 518.</span></li>
</ol>
<h2>Bibliography</h2>
<ul><li><cite id="CITEREFMills2010" class="citation book cs1">Mills, D. S. (2010). <i>Encyclopedia of
Animal Behaviour</i>. Wallingford: CABI. <a href="/wiki/ISBN_(identifier)">ISBN</a> <a
href="/wiki/Special:BookSources/9780851997247">9780851997247</a>.</cite></li></ul>
</div>"""


def test_legacy_fields_from_markup_and_identifiers_not_urls() -> None:
    document = read_html(LEGACY, "cat.html")
    assert document.renderer is Renderer.mediawiki
    journal, web, short, book = document.references
    assert journal.url is None  # the title links to doi.org: an identifier, never the URL
    assert journal.identifiers.doi == "10.1016/j.cub.2009.05.033" and journal.identifiers.pmid == "19602409"
    assert (journal.work, journal.publisher) == ("Current Biology", "Cell Press")
    assert web.work is None and web.publisher == "American Pet Association"  # no italics: a publisher
    assert web.url == "http://www.example.org/pets"
    assert "url-status-dead" in web.source_flags  # the title links the archive copy
    assert [link.kind for link in web.links] == [LinkKind.original, LinkKind.archive]
    assert (book.kind, book.title, book.publisher, book.identifiers.isbn) == (
        "bibliography",
        "Encyclopedia of Animal Behaviour",
        "CABI",
        "9780851997247",
    )
    assert short.full_citation_ref == book.id and "short-citation" in short.source_flags
    assert book.uses == 1
    markers = [(m.label, m.ref_id) for s in document.sections for p in s.paragraphs for m in p.markers]
    assert markers == [("1", "1"), ("2", "2"), ("3", "3")]  # {{rp}} is no marker
    assert ": 23" not in document.sections[0].paragraphs[0].text


def test_claims_reach_the_full_citation() -> None:
    document = read_html(LEGACY, "cat.html")
    claim = next(claim for claim in build_claims(document).claims if claim.text.startswith("Short"))
    assert claim.refs == ["3", "B1"]
    assert [evidence.kind for evidence in claim.evidence] == ["marker", "full-citation"]


# --------------------------------------------------------------------------- blogs and Markdown


def test_blog_markers_without_links_point_to_the_list() -> None:
    page = """<html><body><article><p>One.<sup>[1]</sup> Two.<sup>[2]</sup> Three [3]. Nine.<sup>[9]</sup></p>
    <h2>Sources</h2><ol><li>Jane Doe. "A". <em>The Daily Example</em>, 3 May 2014.
    <a href="https://daily.example/a">link</a> <a href="https://web.archive.org/web/20140504000000/https://daily.example/a">archived</a>
    4 May 2014.</li><li>B</li><li>C</li></ol></article></body></html>"""
    document = read_html(page, "blog.html")
    assert document.renderer is Renderer.generic
    markers = [(m.label, m.ref_id) for s in document.sections for p in s.paragraphs for m in p.markers]
    assert markers == [("1", "1"), ("2", "2"), ("3", "3"), ("9", None)]
    first = document.references[0]
    assert (first.work, first.url, first.archive_url) == (
        "The Daily Example",
        "https://daily.example/a",
        "https://web.archive.org/web/20140504000000/https://daily.example/a",
    )
    assert first.archive_date is not None and first.archive_date.iso() == "2014-05-04"
    assert [reference.uses for reference in document.references] == [1, 1, 1]


@pytest.mark.parametrize("make", [markdown_sample, blog_sample])
def test_generated_archive_links_and_dates(make: object) -> None:
    sample = make(3)  # type: ignore[operator]
    document = parse_document(sample.text, sample.name, sample.fmt)
    references = [reference for reference in document.references if reference.kind != "link"]
    assert len(references) == len(sample.truths)
    for truth, reference in zip(sample.truths, references, strict=True):
        assert reference.archive_url == truth.archive_url, reference.raw
        expected = truth.archive_date.isoformat() if truth.archive_date else None
        assert (reference.archive_date.iso() if reference.archive_date else None) == expected, reference.raw
        assert reference.url == truth.url and reference.work == truth.work


def test_markdown_footnote_reads_every_link() -> None:
    text = (
        'Claim.[^a]\n\n[^a]: "T". *Work*, 2014. [Page](https://w.example/p) '
        "[DOI](https://doi.org/10.1234/abc) [Archived](https://archive.ph/20140101000000/https://w.example/p)\n"
    )
    (reference,) = read_markdown(text, "m.md").references
    assert [link.kind for link in reference.links] == [LinkKind.original, LinkKind.identifier, LinkKind.archive]
    assert (reference.url, reference.identifiers.doi) == ("https://w.example/p", "10.1234/abc")


# --------------------------------------------------------------------------- wikitext

WIKITEXT = """Cats purr.{{sfn|Smith|2003|p=41}} Dogs bark.{{efn|A note.<ref>{{cite web|url=http://n.example/|title=N}}</ref>}}
Birds sing.{{sfn|Smith|2003|p=41}} Fish swim {{harv|Roe|2010}}. Sub.<ref name="big" details="p. 5">{{cite book
|title=Big|last=Big|year=2001}}</ref> Tag.{{#tag:ref|Tagged|group=n|name=tn}} Again.{{refn|Refn text|group=n}}
Nested.<ref>Outer <ref>inner</ref> text</ref>

== Notes ==
{{notelist}}
== Sources ==
* {{cite book |last=Smith |year=2003 |title=Cats |url=http://cats.example/}}
* {{cite book |last=Roe |date=May 2010 |title=Fish}}
== Further reading ==
* {{cite web |url=http://further.example/ |title=Further}}
"""


def test_wikitext_notes_short_citations_and_bibliography() -> None:
    document = read_wikitext(WIKITEXT, "x.wiki")
    by_id = {reference.id: reference for reference in document.references}
    assert by_id["1"].full_citation_ref == "B1" and by_id["1"].uses == 2 and by_id["1"].details == "p. 41"
    assert by_id["lower-alpha-1"].group == "lower-alpha" and by_id["lower-alpha-1"].kind == "footnote"
    assert by_id["2"].title == "N" and by_id["2"].uses == 1  # the ref inside the note
    assert by_id["3.1"].full_citation_ref == "3" and by_id["3.1"].details == "p. 5"
    assert by_id["n-1"].name == "tn" and by_id["n-2"].raw == "Refn text"
    assert "nested-reference" in by_id["4"].source_flags
    bibliography = [reference for reference in document.references if reference.kind == "bibliography"]
    assert [(entry.id, entry.title, entry.uses) for entry in bibliography] == [
        ("B1", "Cats", 2),
        ("B2", "Fish", 1),
        ("B3", "Further", 0),
    ]
    markers = [m.ref_id for s in document.sections for p in s.paragraphs for m in p.markers]
    assert markers == ["1", "lower-alpha-1", "1", "B2", "3.1", "n-1", "n-2", "4"]


def test_an_escaped_copy_is_read_unescaped_and_said_so() -> None:
    """Only escaped tags (an XML dump's copy): the footnote is a footnote, and the notice says the text was decoded.
    Escaped tags beside real ones stay text (test_wikitext_reader)."""
    document = read_wikitext("A.&lt;ref&gt;{{cite web|url=http://e.example/|title=E}}&lt;/ref&gt;", "e.wiki")
    assert [reference.kind for reference in document.references] == ["template"]
    assert any("entities decoded" in notice for notice in document.notices)


# --------------------------------------------------------------------------- bad values


def test_unusable_urls_and_dates_are_data_errors_not_crashes() -> None:
    text = (
        "A.<ref>{{cite web|url=https://[::g]/|title=Bad}}</ref> "
        "B.<ref>{{cite web|url=http://x.example/|title=T|archive-url=https://web.archive.org/web/99991231235959/"
        "http://x.example/|access-date=1 May 1985}}</ref>"
    )
    bad, late = parse_document(text, "bad.wiki", "wikitext").references
    assert bad.url is None and "invalid-url" in bad.source_flags and bad.data_errors
    assert late.archive_url_time is None  # dropped: no later stage computes with year 9999
    assert late.access_date is not None and late.access_date.year == 1985  # kept for the date checks, flagged
    assert "implausible-date" in late.source_flags and len(late.data_errors) == 2


@pytest.mark.parametrize("port", ["99999", "0", "-1", "abc"])
def test_a_cited_url_with_a_port_no_server_can_have_is_a_data_error(port: str) -> None:
    text = f"A.<ref>{{{{cite web|url=https://e.example:{port}/a|title=Bad port}}}}</ref>"
    (reference,) = parse_document(text, "port.wiki", "wikitext").references
    assert reference.url is None and "invalid-url" in reference.source_flags
    assert reference.title == "Bad port"  # the rest of the citation is kept
    (error,) = reference.data_errors
    assert error.startswith(f"url 'https://e.example:{port}/a' left out: port ")


def test_long_footnote_label_gets_a_short_id() -> None:
    label = "x" * 300
    document = parse_document(f"Claim.[^{label}]\n\n[^{label}]: A source.\n", "long.md", "markdown")
    (reference,) = document.references
    assert len(reference.id) < 64 and reference.name == label
    assert document.sections[0].paragraphs[0].markers[0].ref_id == reference.id


# --------------------------------------------------------------------------- plain text renderings


def test_print_view_dead_citation_and_rp_locator() -> None:
    text = (
        "Cats\n\nThe cat purred loudly at night.[1]: 45 It slept all day long.[2]\n\nReferences\n\n"
        '1. "Pet statistics" https://web.archive.org/web/20090418082840/http://www.example.org/pets. American Pet '
        "Association. Archived from the original http://www.example.org/pets on 18 April 2009. "
        "Retrieved 2 April 2008.\n"
        '2. "Live page" http://www.example.org/live. Example. Archived from the original on 18 April 2009 '
        "https://web.archive.org/web/20090418082840/http://www.example.org/live. Retrieved 2 April 2008.\n\n"
        "This page was last edited on 30 September 2019, at 10:00 (UTC).\n"
    )
    document = parse_document(text, "cats.txt", "text")
    dead, live = document.references
    assert "url-status-dead" in dead.source_flags and dead.url == "http://www.example.org/pets"
    assert "url-status-dead" not in live.source_flags
    paragraph = document.sections[0].paragraphs[0]
    assert ": 45" not in paragraph.text and [m.ref_id for m in paragraph.markers] == ["1", "2"]
    assert document.date is not None and document.date.iso() == "2019-09-30"


def test_percent_encoded_note_links_and_repeated_marker_elements() -> None:
    page = (
        '<div class="mw-parser-output"><table class="infobox"><tr><td>F. catus<sup id="cite_ref-L_1-0" '
        'class="reference"><a href="#cite_note-L-1">[1]</a></sup></td></tr><tr><td>Felis catus<sup '
        'id="cite_ref-L_1-0" class="reference"><a href="#cite_note-L-1">[1]</a></sup></td></tr></table>'
        '<p>Birds die.<sup id="cite_ref-M_2-0" class="reference"><a href="#cite_note-Mead_183%E2%80%93186-2">[2]'
        '</a></sup></p><ol class="references"><li id="cite_note-L-1"><span class="mw-cite-backlink"><a '
        'href="#cite_ref-L_1-0">^</a></span> <span class="reference-text">Linnaeus (1758).</span></li>'
        '<li id="cite_note-Mead_183–186-2"><span class="mw-cite-backlink"><a href="#cite_ref-M_2-0">^</a></span> '
        '<span class="reference-text">Mead (1982).</span></li></ol></div>'
    )
    first, second = read_html(page, "cat.html").references
    assert (first.uses, first.backlinks) == (1, 1)  # the same cite_ref element repeated: one use
    assert second.uses == 1  # the link's fragment is percent-encoded, the item's id is not
