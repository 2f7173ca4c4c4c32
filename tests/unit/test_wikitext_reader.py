"""The wikitext reader on small documents written here, plus property tests on arbitrary input."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from citecheck.dates import PartialDate
from citecheck.documents.wikitext import count_ref_tags, read_wikitext
from citecheck.models import Marker, Paragraph, ParsedDocument, Reference


def _paragraphs(document: ParsedDocument) -> list[Paragraph]:
    return [paragraph for section in document.sections for paragraph in section.paragraphs]


def _markers(document: ParsedDocument) -> list[Marker]:
    return [marker for paragraph in _paragraphs(document) for marker in paragraph.markers]


def _by_name(document: ParsedDocument, name: str) -> Reference:
    return next(reference for reference in document.references if reference.name == name)


def _cited_before(paragraph: Paragraph, marker: Marker) -> str:
    return paragraph.text[: marker.offset]


# --------------------------------------------------------------------------- body


def test_sections_follow_heading_levels_and_paragraphs_split_on_blank_lines() -> None:
    text = (
        "Lead sentence about [[Foo (city)|Foo]].\n"
        "\n"
        "== History ==\n"
        "First paragraph,\n"
        "still the first.\n"
        "\n"
        "Second paragraph.\n"
        "=== Early years ===\n"
        "Deep paragraph with [[Bar]] and [http://example.org/x an external link].\n"
    )
    document = read_wikitext(text, "sample.wiki")
    assert [(section.title, section.level) for section in document.sections] == [
        (None, 1),
        ("History", 2),
        ("Early years", 3),
    ]
    lead, history, early = document.sections
    assert [paragraph.text for paragraph in lead.paragraphs] == ["Lead sentence about Foo."]
    assert [paragraph.text for paragraph in history.paragraphs] == [
        "First paragraph, still the first.",
        "Second paragraph.",
    ]
    assert [paragraph.line for paragraph in history.paragraphs] == [4, 7]
    assert early.paragraphs[0].text == "Deep paragraph with Bar and an external link."
    assert early.paragraphs[0].line == 9


def test_infoboxes_files_categories_and_tables_are_dropped_and_noted() -> None:
    text = (
        "{{Infobox settlement\n|name = Foo\n|population = 12}}\n"
        "[[File:Foo skyline.jpg|thumb|The skyline of Foo]]\n"
        "'''Foo''' is a town.<ref>Town register.</ref>\n"
        "\n"
        '{| class="wikitable"\n|-\n| Row cell text\n|}\n'
        "\n"
        "Closing sentence.\n"
        "[[Category:Towns]]\n"
    )
    document = read_wikitext(text, "foo.wiki")
    texts = [paragraph.text for paragraph in _paragraphs(document)]
    assert texts == ["Foo is a town.", "Closing sentence."]
    summary = next(notice for notice in document.notices if notice.startswith("not read as body text"))
    assert "infobox settlement" in summary
    assert "1 tables" in summary
    assert "1 file: links" in summary
    assert "1 category: links" in summary


def test_list_items_are_paragraphs_of_their_own() -> None:
    text = "Intro line.\n* First item.<ref>Item source.</ref>\n* Second item.\nAfter the list.\n"
    document = read_wikitext(text, "list.wiki")
    paragraphs = _paragraphs(document)
    assert [paragraph.text for paragraph in paragraphs] == [
        "Intro line.",
        "First item.",
        "Second item.",
        "After the list.",
    ]
    assert [paragraph.line for paragraph in paragraphs] == [1, 2, 3, 4]
    assert paragraphs[1].markers == [Marker(label="1", offset=len("First item."), ref_id="1")]


def test_inline_templates_keep_their_figures_and_empty_parentheses_go() -> None:
    text = "Foo ({{IPAc-en|f|uː}}) covers {{convert|630|km2|sqmi}} and lies {{convert|5|to|7|km}} inland.\n"
    document = read_wikitext(text, "convert.wiki")
    assert _paragraphs(document)[0].text == "Foo covers 630 km² and lies 5 to 7 km inland."


def test_non_body_sections_are_skipped_with_their_subsections() -> None:
    text = (
        "Body.<ref>Source.</ref>\n"
        "== See also ==\n* [[Bar]]\n"
        "== References ==\n{{reflist}}\n"
        "=== Bibliography ===\n* {{cite book|title=Unread book}}\n"
        "== Later body ==\nMore body.\n"
    )
    document = read_wikitext(text, "skip.wiki")
    assert [section.title for section in document.sections] == [None, "Later body"]
    assert "sections not read as body: See also, References" in document.notices


# --------------------------------------------------------------------------- markers and numbering


def test_ref_becomes_a_marker_where_it_stood() -> None:
    text = "Claim one.<ref>{{cite web|url=http://a.example/x|title=A}}</ref> Claim two.<ref>Plain note.</ref>\n"
    document = read_wikitext(text, "m.wiki")
    paragraph = _paragraphs(document)[0]
    assert paragraph.text == "Claim one. Claim two."
    assert [(marker.label, marker.offset, marker.ref_id) for marker in paragraph.markers] == [
        ("1", len("Claim one."), "1"),
        ("2", len("Claim one. Claim two."), "2"),
    ]
    assert [(reference.id, reference.number, reference.kind) for reference in document.references] == [
        ("1", 1, "template"),
        ("2", 2, "footnote"),
    ]


def test_named_ref_reused_in_every_spelling_is_one_reference() -> None:
    text = (
        'Alpha.<ref name="src">{{cite news|url=http://news.example/1|title=One}}</ref>\n'
        'Beta.<ref name="src" />\n'
        "Gamma.<ref name=src/>\n"
        "Delta.<ref name='src'></ref>\n"
        'Epsilon.<ref name = "src" / >\n'
        "Zeta.<ref>{{cite web|url=http://other.example/|title=Two}}</ref>\n"
    )
    document = read_wikitext(text, "reuse.wiki")
    assert [reference.id for reference in document.references] == ["1", "2"]
    shared = _by_name(document, "src")
    assert shared.uses == 5
    assert shared.line == 1
    assert shared.raw == "{{cite news|url=http://news.example/1|title=One}}"
    assert [marker.ref_id for marker in _markers(document)] == ["1", "1", "1", "1", "1", "2"]
    counts = count_ref_tags(text)
    assert (counts.definitions, counts.reuses, counts.unparseable) == (2, 4, 0)


def test_list_defined_references_are_numbered_by_first_use_in_the_body() -> None:
    text = (
        "First claim.<ref name=second/> Second claim.<ref name=first/> Again.<ref name=second/>\n"
        "== References ==\n"
        "{{reflist|refs=\n"
        "<ref name=first>{{cite web|url=http://first.example/|title=First}}</ref>\n"
        "<ref name=second>{{cite web|url=http://second.example/|title=Second}}</ref>\n"
        "<ref name=spare>{{cite web|url=http://spare.example/|title=Never cited}}</ref>\n"
        "}}\n"
    )
    document = read_wikitext(text, "ldr.wiki")
    assert [(reference.id, reference.name, reference.uses) for reference in document.references] == [
        ("1", "second", 2),
        ("2", "first", 1),
        ("3", "spare", 0),
    ]
    assert _by_name(document, "first").line == 4
    assert [marker.ref_id for marker in _markers(document)] == ["1", "2", "1"]
    counts = count_ref_tags(text)
    assert (counts.definitions, counts.list_defined, counts.reuses) == (3, 3, 3)


def test_reuse_of_a_name_defined_nowhere_is_a_dangling_marker() -> None:
    text = "Cited.<ref name=real>Real source.</ref> Orphan.<ref name=ghost /> Again.<ref name=real/>\n"
    document = read_wikitext(text, "dangling.wiki")
    assert [reference.name for reference in document.references] == ["real"]
    assert [(marker.label, marker.ref_id) for marker in _markers(document)] == [
        ("1", "1"),
        ("ghost", None),
        ("1", "1"),
    ]
    assert any("ghost" in notice for notice in document.notices)
    assert count_ref_tags(text).dangling == 1


def test_group_refs_are_numbered_apart_with_prefixed_ids() -> None:
    text = (
        "A.<ref>Source one.</ref> B.<ref group=note>An explanatory note.</ref>"
        ' C.<ref group="note" name=n2>Second note.</ref> D.<ref>Source two.</ref> E.<ref group=note name=n2/>\n'
    )
    document = read_wikitext(text, "groups.wiki")
    assert [(reference.id, reference.number) for reference in document.references] == [
        ("1", 1),
        ("note-1", 1),
        ("note-2", 2),
        ("2", 2),
    ]
    assert [marker.ref_id for marker in _markers(document)] == ["1", "note-1", "note-2", "2", "note-2"]


def test_refs_outside_the_body_count_as_uses_without_markers() -> None:
    text = (
        "{{Infobox town\n|founded = 1750<ref name=founding>Founding charter.</ref>}}\n"
        "Foo was founded in 1750.<ref name=founding/>\n"
    )
    document = read_wikitext(text, "infobox.wiki")
    founding = _by_name(document, "founding")
    assert (founding.id, founding.uses, founding.line) == ("1", 2, 2)
    assert len(_markers(document)) == 1
    assert count_ref_tags(text).hidden_uses == 1


def test_unclosed_and_escaped_refs_are_counted_not_fatal() -> None:
    text = "Good.<ref>Fine.</ref> <!-- <ref>hidden</ref> --> <nowiki><ref>shown</ref></nowiki> Bad.<ref>never closed\n"
    counts = count_ref_tags(text)
    assert (counts.definitions, counts.escaped, counts.unparseable) == (1, 2, 1)
    document = read_wikitext(text, "broken.wiki")
    assert [reference.raw for reference in document.references] == ["Fine."]


def test_empty_ref_is_kept_as_an_empty_reference() -> None:
    document = read_wikitext("Claim.<ref></ref>\n", "empty.wiki")
    (reference,) = document.references
    assert reference.is_empty
    assert reference.raw == ""
    assert _markers(document)[0].ref_id == reference.id


# --------------------------------------------------------------------------- reference fields


def test_cite_template_fields_are_read_directly() -> None:
    text = (
        "Claim.<ref>{{cite news |last1=Jolly |first1=David |author-link1=David Jolly |last2=Smith |first2=Ann"
        " |title=Raid on [[Camp Ashraf]] &#124; report |newspaper=[[The New York Times]] |publisher=NYT Co."
        " |date=April 14, 2011 |access-date=8 May 2011 |url=http://nyt.example/raid.pdf"
        " |archive-url=https://web.archive.org/web/20110510123456/http://nyt.example/raid.pdf"
        " |archive-date=2011-05-10 |url-status=dead}}</ref>\n"
    )
    (reference,) = read_wikitext(text, "cite.wiki").references
    assert reference.kind == "template"
    assert reference.authors == ["David Jolly", "Ann Smith"]
    assert reference.title == "Raid on Camp Ashraf | report"
    assert reference.work == "The New York Times"
    assert reference.publisher == "NYT Co."
    assert reference.date == PartialDate(year=2011, month=4, day=14)
    assert reference.access_date == PartialDate(year=2011, month=5, day=8)
    assert reference.archive_date == PartialDate(year=2011, month=5, day=10)
    assert reference.url == "http://nyt.example/raid.pdf"
    assert reference.archive_url == "https://web.archive.org/web/20110510123456/http://nyt.example/raid.pdf"
    assert reference.archive_url_time == datetime(2011, 5, 10, 12, 34, 56, tzinfo=UTC)
    assert reference.format == "PDF"
    assert reference.source_flags == ["url-status-dead"]


def test_old_parameter_spellings_are_read_too() -> None:
    text = (
        "A.<ref>{{Cite web|author=Ann Author|title=Old style|website=Example|accessdate=May 2010"
        "|archiveurl=http://archive.example/1|archivedate=June 3, 2010|deadurl=yes|year=2009"
        "|url=http://example.org/old|format=DOC}}</ref>\n"
        "B.<ref>{{citation|last=Solo|title=Live one|journal=J. Examples|url=http://example.org/j|url-status=live}}</ref>\n"
    )
    old, live = read_wikitext(text, "old.wiki").references
    assert old.authors == ["Ann Author"]
    assert old.work == "Example"
    assert old.date == PartialDate(year=2009)
    assert old.access_date == PartialDate(year=2010, month=5)
    assert old.archive_url == "http://archive.example/1"
    assert old.archive_date == PartialDate(year=2010, month=6, day=3)
    assert old.format == "DOC"
    assert old.source_flags == ["url-status-dead"]
    assert (live.kind, live.authors, live.work, live.source_flags) == (
        "template",
        ["Solo"],
        "J. Examples",
        ["url-status-live"],
    )


def test_unfit_and_usurped_count_as_dead() -> None:
    for status in ("unfit", "usurped"):
        text = f"A.<ref>{{{{cite web|url=http://u.example/|title=T|url-status={status}}}}}</ref>\n"
        (reference,) = read_wikitext(text, "status.wiki").references
        assert reference.source_flags == ["url-status-dead"], status


def test_dead_link_templates_inside_or_right_after_the_ref_flag_it() -> None:
    text = (
        "A.<ref>{{cite web|url=http://a.example/|title=A}} {{Dead link|date=May 2011|bot=RjwilmsiBot}}</ref>\n"
        "B.<ref>{{cite web|url=http://b.example/|title=B}}</ref>{{dead link|date=February 2012}}\n"
        "C.<ref>{{cite web|url=http://c.example/|title=C}}</ref>{{cbignore}}\n"
        "D.<ref>{{cite web|url=http://d.example/|title=D}}</ref>{{Permanent dead link|date=2019}}\n"
        "E.<ref>{{cite web|url=http://e.example/|title=E}}</ref> and later {{dead link}} on a body link.\n"
    )
    document = read_wikitext(text, "dead.wiki")
    # {{cbignore}} asks InternetArchiveBot to leave the citation alone: it says nothing about the link.
    assert [reference.source_flags for reference in document.references] == [
        ["dead-link"],
        ["dead-link"],
        [],
        ["permanent-dead-link"],
        [],
    ]
    counts = count_ref_tags(text)
    assert (counts.dead_link_templates, counts.dead_link_templates_outside_refs) == (4, 1)


def test_webarchive_template_gives_the_archive_copy() -> None:
    text = (
        "A.<ref>{{cite web|url=http://gone.example/page|title=Gone}} "
        "{{webarchive|url=https://web.archive.org/web/20160303000000/http://gone.example/page"
        "|date=March 3, 2016}}</ref>\n"
    )
    (reference,) = read_wikitext(text, "wa.wiki").references
    assert reference.archive_url == "https://web.archive.org/web/20160303000000/http://gone.example/page"
    assert reference.archive_date == PartialDate(year=2016, month=3, day=3)
    assert reference.archive_url_time == datetime(2016, 3, 3, tzinfo=UTC)


def test_cite_url_that_is_an_archive_copy_names_the_original() -> None:
    text = "A.<ref>{{cite web|url=https://web.archive.org/web/2015/http://orig.example/a|title=T}}</ref>\n"
    (reference,) = read_wikitext(text, "arch.wiki").references
    assert reference.url == "http://orig.example/a"
    assert reference.archive_url == "https://web.archive.org/web/2015/http://orig.example/a"


def test_free_text_footnote_is_parsed_as_rendered_text_and_keeps_its_wikitext() -> None:
    raw = (
        "[http://media.example/press.asp Media Search Canada]{{Dead link|date=March 2009}} "
        "Media Search Canada (2003). Retrieved 2007-05-08."
    )
    (reference,) = read_wikitext(f"Claim.<ref>{raw}</ref>\n", "fn.wiki").references
    assert reference.kind == "footnote"
    assert reference.raw == raw
    assert reference.url == "http://media.example/press.asp"
    assert reference.access_date == PartialDate(year=2007, month=5, day=8)
    assert "dead-link" in reference.source_flags


def test_ref_holding_an_unknown_template_is_marked_unread_not_empty() -> None:
    document = read_wikitext("Population.<ref name=census>{{SCref |unit=cd |3520}}</ref>\n", "sc.wiki")
    (reference,) = document.references
    assert reference.kind == "template"
    assert "unread-template" in reference.source_flags
    assert "empty" not in reference.source_flags
    assert any("SCref" in notice for notice in document.notices)


# --------------------------------------------------------------------------- never raise


_WIKI_PIECES = st.sampled_from(
    [
        "<ref>",
        "</ref>",
        "<ref name=a/>",
        '<ref name="a">',
        "<ref group=g>",
        "<ref name = b / >",
        "{{",
        "}}",
        "{{cite web|url=http://x.example/|title=",
        "{{dead link}}",
        "{{reflist|refs=",
        "<references>",
        "</references>",
        "[[",
        "]]",
        "[[File:x.jpg|",
        "[http://e.example ",
        "]",
        "==",
        "== H ==\n",
        "\n",
        "\n\n",
        "* ",
        "{|",
        "|}",
        "|",
        "=",
        "'''",
        "<!--",
        "-->",
        "<nowiki>",
        "[^1]",
        "text",
        " words. ",
        "\ue000",
        "\ue0011\ue001",
    ]
)


def _check_invariants(document: ParsedDocument) -> None:
    ids = [reference.id for reference in document.references]
    assert len(ids) == len(set(ids))
    for paragraph in _paragraphs(document):
        assert paragraph.text == paragraph.text.strip()
        for marker in paragraph.markers:
            assert 0 <= marker.offset <= len(paragraph.text)
            assert marker.ref_id is None or marker.ref_id in ids
    for reference in document.references:
        marked = sum(1 for marker in _markers(document) if marker.ref_id == reference.id)
        assert marked <= reference.uses


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_arbitrary_text_never_raises(text: str) -> None:
    _check_invariants(read_wikitext(text, "any.wiki"))
    count_ref_tags(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(_WIKI_PIECES, max_size=40).map("".join))
def test_unbalanced_wiki_markup_never_raises(text: str) -> None:
    _check_invariants(read_wikitext(text, "any.wiki"))
    counts = count_ref_tags(text)
    assert min(counts.definitions, counts.reuses, counts.unparseable, counts.escaped) >= 0


def test_wikitext_saved_as_txt_is_read_as_wikitext(tmp_path: Path) -> None:
    from citecheck.documents import read_document

    source = tmp_path / "page-source.txt"
    source.write_text(
        "== History ==\nThe bridge opened in 1932.<ref>{{cite web |url=https://a.example/b |title=Bridge}}</ref>\n\n"
        "== References ==\n{{reflist}}\n",
        encoding="utf-8",
    )
    document = read_document(source)
    assert document.format == "wikitext"
    assert [reference.url for reference in document.references] == ["https://a.example/b"]
    assert any("read as MediaWiki wikitext" in notice for notice in document.notices)

    plain = tmp_path / "notes.txt"
    plain.write_text("== not a heading, just a rule ==\nA sentence without references.\n", encoding="utf-8")
    assert read_document(plain).format == "text"


def test_html_escaped_wikitext_is_read_as_the_wikitext_it_escapes() -> None:
    """An XML dump's <text> (or a source view) holds "&lt;ref&gt;": its footnotes are still footnotes."""
    import html

    source = (
        "== History ==\n"
        'The bridge opened in 1932.<ref name="open">{{cite news|url=http://news.example/1|title=Opened'
        "|date=1 May 1932}}</ref> It was widened&nbsp;twice.<ref name=\"open\"/><ref>Smith, A. ''Bridges'' "
        "(1990) p.&nbsp;4</ref>\n\n== References ==\n{{reflist}}\n"
    )
    plain = read_wikitext(source, "plain.wiki")
    escaped = read_wikitext(html.escape(source), "escaped.wiki")
    assert len(plain.references) == 2
    assert [r.model_dump() for r in escaped.references] == [r.model_dump() for r in plain.references]
    assert [p.text for p in _paragraphs(escaped)] == [p.text for p in _paragraphs(plain)]
    assert any("entities decoded" in notice for notice in escaped.notices)
    assert not any("entities decoded" in notice for notice in plain.notices)


def test_wikitext_that_only_mentions_an_escaped_tag_is_not_unescaped() -> None:
    """An article about markup that writes "&lt;ref&gt;" beside real <ref> tags keeps its entities."""
    source = "Write &lt;ref&gt; to cite.<ref>{{cite web|url=http://a.example/|title=Help}}</ref>\n"
    document = read_wikitext(source, "help.wiki")
    assert len(document.references) == 1
    assert _paragraphs(document)[0].text == "Write <ref> to cite."  # the entity as MediaWiki shows it
    assert not any("entities decoded" in notice for notice in document.notices)


def test_the_real_escaped_article_reads_its_footnotes() -> None:
    """../shared's Anarchism sample is an HTML-escaped copy: its <ref> footnotes are found, as in the unescaped
    article, beside the 90 cite templates of its bibliography."""
    import html

    from tests.conftest import shared_path

    sample = shared_path("wikipedia-samples", "enwiki_Anarchism.wikitext.txt")
    text = sample.read_text(encoding="utf-8")
    assert "&lt;ref" in text
    document = read_wikitext(text, sample.name)
    assert document.references == read_wikitext(html.unescape(text), sample.name).references
    footnotes = [reference for reference in document.references if not reference.id.startswith("B")]
    assert len(footnotes) > 150 and len(_markers(document)) > 300
