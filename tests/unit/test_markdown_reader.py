"""The Markdown reader on small documents written here, plus property tests on arbitrary input."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from citecheck.dates import PartialDate
from citecheck.documents.markdown import read_markdown
from citecheck.models import Marker, Paragraph, ParsedDocument, Reference


def _paragraphs(document: ParsedDocument) -> list[Paragraph]:
    return [paragraph for section in document.sections for paragraph in section.paragraphs]


def _markers(document: ParsedDocument) -> list[Marker]:
    return [marker for paragraph in _paragraphs(document) for marker in paragraph.markers]


def _reference(document: ParsedDocument, reference_id: str) -> Reference:
    return next(reference for reference in document.references if reference.id == reference_id)


def test_headings_make_sections_and_paragraphs_keep_their_lines() -> None:
    text = (
        "Lead paragraph\nwrapped on two lines.\n"
        "\n"
        "# Report\n"
        "\n"
        "Opening *claim* with `code`.\n"
        "\n"
        "## Details\n"
        "\n"
        "- first item\n"
        "- second item\n"
        "  continued\n"
        "\n"
        "> A quoted paragraph.\n"
    )
    document = read_markdown(text, "doc.md")
    assert [(section.title, section.level) for section in document.sections] == [
        (None, 1),
        ("Report", 1),
        ("Details", 2),
    ]
    assert [(paragraph.text, paragraph.line) for paragraph in _paragraphs(document)] == [
        ("Lead paragraph wrapped on two lines.", 1),
        ("Opening claim with code.", 6),
        ("first item", 10),
        ("second item continued", 11),
        ("A quoted paragraph.", 14),
    ]
    assert document.title == "Report"


def test_front_matter_gives_title_and_date() -> None:
    text = '---\ntitle: "Field notes"\ndate: 2021-03-04\n---\n# Heading\n\nBody.\n'
    document = read_markdown(text, "fm.md")
    assert document.title == "Field notes"
    assert document.date == PartialDate(year=2021, month=3, day=4)
    assert _paragraphs(document)[0].line == 7


def test_code_blocks_tables_and_html_are_not_claims() -> None:
    text = (
        "Claim.\n\n"
        "```python\nprint('[^1] not a footnote')\n```\n\n"
        "    indented code\n\n"
        "| a | b |\n|---|---|\n| c | d |\n\n"
        "<div>\nraw html\n</div>\n"
    )
    document = read_markdown(text, "code.md")
    assert [paragraph.text for paragraph in _paragraphs(document)] == ["Claim."]
    assert "not read as body text: 1 HTML blocks, 2 code blocks, 1 tables" in document.notices
    assert document.references == []


def test_footnotes_reused_twice_are_one_reference_with_markers_where_they_stood() -> None:
    text = (
        "Alpha rose[^src]. Beta fell [^other] and rose again[^src].\n"
        "\n"
        "- Gamma held[^src]\n"
        "\n"
        '[^src]: Jolly, David (14 April 2011). "Raid on the camp". '
        "[The Times](http://times.example/raid). Retrieved 8 May 2011.\n"
        "[^other]: A plain note.\n"
    )
    document = read_markdown(text, "fn.md")
    first, item = _paragraphs(document)
    assert first.text == "Alpha rose. Beta fell and rose again."
    assert [(marker.label, marker.offset, marker.ref_id) for marker in first.markers] == [
        ("src", len("Alpha rose"), "src"),
        ("other", len("Alpha rose. Beta fell"), "other"),
        ("src", len("Alpha rose. Beta fell and rose again"), "src"),
    ]
    assert item.markers == [Marker(label="src", offset=len("Gamma held"), ref_id="src")]
    source = _reference(document, "src")
    assert (source.kind, source.number, source.uses, source.line, source.name) == ("footnote", 1, 3, 5, "src")
    assert source.url == "http://times.example/raid"
    assert source.access_date == PartialDate(year=2011, month=5, day=8)
    assert source.raw.startswith("Jolly, David (14 April 2011).")
    assert (_reference(document, "other").number, _reference(document, "other").uses) == (2, 1)


def test_undefined_footnote_is_dangling_and_unused_definition_stays() -> None:
    text = "Cited[^1] and orphaned[^ghost].\n\n[^1]: Used source.\n[^spare]: Never cited, http://spare.example/a.\n"
    document = read_markdown(text, "dangling.md")
    paragraph = _paragraphs(document)[0]
    assert paragraph.text == "Cited and orphaned."
    assert [(marker.label, marker.offset, marker.ref_id) for marker in paragraph.markers] == [
        ("1", 5, "1"),
        ("ghost", len("Cited and orphaned"), None),
    ]
    spare = _reference(document, "spare")
    assert (spare.uses, spare.number, spare.line, spare.url) == (0, 2, 4, "http://spare.example/a")
    assert "footnote markers with no definition: ghost" in document.notices
    assert [paragraph.text for paragraph in _paragraphs(document)] == ["Cited and orphaned."]


def test_reference_style_links_resolve_to_their_definitions() -> None:
    text = (
        "See [the report][rep] and [Rep] again, and [the data][].\n"
        "\n"
        '[rep]: http://reports.example/2011 "Annual report"\n'
        "[the data]: https://data.example/set\n"
        "[never]: https://never.example/\n"
    )
    document = read_markdown(text, "links.md")
    paragraph = _paragraphs(document)[0]
    assert paragraph.text == "See the report and Rep again, and the data."
    assert [(marker.ref_id, marker.offset) for marker in paragraph.markers] == [
        ("rep", len("See the report")),
        ("rep", len("See the report and Rep")),
        ("the data", len("See the report and Rep again, and the data")),
    ]
    report = _reference(document, "rep")
    assert (report.kind, report.url, report.title, report.uses, report.line) == (
        "link",
        "http://reports.example/2011",
        "Annual report",
        2,
        3,
    )
    assert _reference(document, "never").uses == 0


def test_inline_links_become_numbered_link_references() -> None:
    text = (
        "The [first source](https://one.example/a) and [second](http://two.example/b 'Two')"
        " and [first again](https://one.example/a) and <https://auto.example/c>.\n"
    )
    document = read_markdown(text, "inline.md")
    paragraph = _paragraphs(document)[0]
    assert paragraph.text == "The first source and second and first again and https://auto.example/c."
    assert [(marker.label, paragraph.text[: marker.offset][-6:]) for marker in paragraph.markers] == [
        ("L1", "source"),
        ("L2", "second"),
        ("L1", " again"),
        ("L3", "mple/c"),
    ]
    first = _reference(document, "L1")
    assert (first.kind, first.raw, first.url, first.uses) == ("link", "first source", "https://one.example/a", 2)
    assert _reference(document, "L2").title == "Two"


def test_script_file_data_mail_and_relative_links_are_skipped_and_noted() -> None:
    text = (
        "Run [this](javascript:alert(1)), open [that](file:///etc/passwd), see [img](data:text/plain,hi),"
        " write [me](mailto:a@example.org), jump [up](#top), read [local](other.md).\n"
    )
    document = read_markdown(text, "skip.md")
    assert document.references == []
    assert _markers(document) == []
    assert _paragraphs(document)[0].text == "Run this, open that, see img, write me, jump up, read local."
    notice = next(notice for notice in document.notices if notice.startswith("links not treated as references"))
    for expected in ("1 javascript links", "1 file links", "1 data links", "1 mailto links", "2 relative or in-page"):
        assert expected in notice


def test_footnote_label_collision_with_a_link_label_keeps_ids_distinct() -> None:
    # (a link definition cannot interrupt the footnote's paragraph: hence the blank line)
    text = "A[^1] and [b][1].\n\n[^1]: Note.\n\n[1]: http://one.example/\n"
    document = read_markdown(text, "collide.md")
    assert sorted(reference.id for reference in document.references) == ["1", "link-1"]
    assert [marker.ref_id for marker in _markers(document)] == ["1", "link-1"]


def test_inline_footnote_is_a_reference() -> None:
    document = read_markdown('Claim^[Smith, John (2010). "Inline". Retrieved 8 May 2011.] here.\n', "inline-fn.md")
    (reference,) = document.references
    assert (reference.kind, reference.number, reference.uses) == ("footnote", 1, 1)
    assert reference.access_date == PartialDate(year=2011, month=5, day=8)
    assert _markers(document)[0].ref_id == reference.id


# --------------------------------------------------------------------------- never raise

_MARKDOWN_PIECES = st.sampled_from(
    [
        "[^1]",
        "[^1]: note\n",
        "[^",
        "]",
        "[",
        "](",
        "(http://x.example)",
        "[a][b]",
        "[b]: http://b.example\n",
        "^[",
        "<https://auto.example>",
        "```\n",
        "    ",
        "# ",
        "\n",
        "\n\n",
        "- ",
        "> ",
        "---\n",
        "title: t\n",
        "| a |\n|---|\n",
        "<div>",
        "*",
        "`",
        "words ",
        "javascript:x",
        "\\",
    ]
)


def _check_invariants(document: ParsedDocument) -> None:
    ids = [reference.id for reference in document.references]
    assert len(ids) == len(set(ids))
    for paragraph in _paragraphs(document):
        for marker in paragraph.markers:
            assert 0 <= marker.offset <= len(paragraph.text)
            assert marker.ref_id is None or marker.ref_id in ids
    for reference in document.references:
        assert sum(1 for marker in _markers(document) if marker.ref_id == reference.id) <= reference.uses


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_arbitrary_text_never_raises(text: str) -> None:
    _check_invariants(read_markdown(text, "any.md"))


@settings(max_examples=300, deadline=None)
@given(st.lists(_MARKDOWN_PIECES, max_size=40).map("".join))
def test_unbalanced_markdown_never_raises(text: str) -> None:
    _check_invariants(read_markdown(text, "any.md"))


def test_relative_and_in_page_link_definitions_are_no_references() -> None:
    """Real API docs (Node.js's) define hundreds of ``[`x`]: #anchor`` and ``[y]: other.md#z`` targets."""
    text = (
        "Emits [`'close'`][] and throws [`ERR_X`][] (see [RFC 4007][]).\n\n"
        "[`'close'`]: #event-close\n"
        "[`ERR_X`]: errors.md#err_x\n"
        "[mail]: mailto:a@example.org\n"
        "[RFC 4007]: https://tools.ietf.org/html/rfc4007\n"
    )
    document = read_markdown(text, "api.md")
    assert [(reference.id, reference.url) for reference in document.references] == [
        ("RFC 4007", "https://tools.ietf.org/html/rfc4007")
    ]
    assert [marker.ref_id for marker in _markers(document)] == ["RFC 4007"]
    assert _paragraphs(document)[0].text == "Emits 'close' and throws ERR_X (see RFC 4007)."
    notice = next(notice for notice in document.notices if notice.startswith("links not treated as references"))
    for expected in ("2 relative or in-page link definitions", "1 mailto link definitions", "2 relative or in-page"):
        assert expected in notice, notice


def test_a_link_definition_used_only_in_a_table_or_heading_is_used() -> None:
    """A comparison table citing ``[0x][]`` uses the definition: no "unused reference" for it."""
    text = (
        "# About [the spec][spec]\n\n"
        "| Tool | Tier |\n| --- | --- |\n| Profiling | [0x][] |\n\n"
        "[0x]: https://github.com/davidmarkclements/0x\n"
        "[spec]: https://spec.example/\n"
        "[idle]: https://idle.example/\n"
    )
    document = read_markdown(text, "tiers.md")
    uses = {reference.id: reference.uses for reference in document.references}
    assert uses == {"0x": 1, "spec": 1, "idle": 0}
    assert _markers(document) == []
    assert "2 footnote or link uses in headings or tables leave no marker" in document.notices


def test_a_link_definition_named_inside_a_footnote_is_used_by_it() -> None:
    text = (
        "Ed448 is experimental.[^1]\n\n"
        "[^1]: An implementation from [Secure Curves][] as of 21 October 2024\n\n"
        "[Secure Curves]: https://wicg.github.io/webcrypto-secure-curves/\n"
    )
    document = read_markdown(text, "crypto.md")
    uses = {reference.id: reference.uses for reference in document.references}
    assert uses == {"1": 1, "Secure Curves": 1}
    assert [marker.ref_id for marker in _markers(document)] == ["1"]
    assert not any("headings or tables" in notice for notice in document.notices)


# --------------------------------------------------------------------------- link normalisation shortcut

# URLs at the edge of the shortcut: each must come out exactly as markdown-it's own normalisation makes it.
_EDGE_URLS = (
    "https://example.org/a/b?c=d&e=f#g",
    "HTTPS://Example.ORG/Path",
    "//example.org/x",
    "http://example.org:8080/x",
    "http://example.org:/x",
    "http://example.org:abc/x",
    "http://[::1]/x",
    "http://a:b:c/x",
    "http://user@example.org/",
    "http://@example.org/",
    "https://example.org/%41%zz",
    "https://example.org/100%",
    "https://example.org/a%2",
    "https://example.org/with space",
    "https://example.org/[brackets]|pipe^{}",
    "https://exämple.org/ü",
    "https://xn--exmple-cua.org/",
    "http://" + "a" * 64 + ".org/",
    "http://" + "a" * 63 + ".org/",
    "http://" + "b." * 127 + "org/",
    "http://" + "b." * 128 + "org/",
    "https://example.org/a@b/c",
    "https://example.org\\path",
    "  https://example.org/  ",
    "https://example.org/\u200b",
    "https://example.org/'quote'",
    "http://a..b/",
    "http://a.b./",
    "mailto:someone@example.org",
    "ftp://example.org/",
    "#anchor",
    "relative/path.md",
    "",
)

_URL_CHARACTERS = st.sampled_from(
    [
        *"abcXYZ019.-_+:/?#@%;&=$,!~*'()[]|^{}\"<>\\` \té\u3002",
        *("http://", "https://", "//", "xn--", "%41", "%4", ":80", "a" * 63, "b." * 40),
    ]
)


def test_plain_urls_take_the_shortcut_and_normalise_as_markdown_it_does() -> None:
    from markdown_it.common.normalize_url import normalizeLink, normalizeLinkText

    from citecheck.documents.markdown import _PLAIN_PATH_RE, _is_plain_url, _normalize_link, _normalize_link_text

    for url in _EDGE_URLS:
        assert _normalize_link(url) == normalizeLink(url), url
        assert _normalize_link_text(url) == normalizeLinkText(url), url
    # The shortcut is taken where it should be (a regex that never matched would hide nothing above).
    assert _is_plain_url("https://github.com/nodejs/node/pull/12345")
    assert _is_plain_url("http://example.org:8080/a?b=c#d")
    assert not _is_plain_url("http://example.org:/x")
    assert not _is_plain_url("http://" + "b." * 128 + "org/")
    for path in ("/tags/archive", "../a_b.md?x=1#top", "#anchor", "relative/path.md", "a/b:c", ""):
        assert _PLAIN_PATH_RE.fullmatch(path), path
    for not_path in ("//host/x", "mailto:x@y", "a:b", "/a b", "/ü", "/%4", "/a\\b"):
        assert not _PLAIN_PATH_RE.fullmatch(not_path), not_path


@settings(max_examples=400, deadline=None)
@given(st.lists(_URL_CHARACTERS, max_size=25).map("".join))
def test_the_link_shortcut_matches_markdown_it_on_any_string(url: str) -> None:
    from markdown_it.common.normalize_url import normalizeLink, normalizeLinkText

    from citecheck.documents.markdown import _normalize_link, _normalize_link_text

    for candidate in (url, "https://" + url, "//" + url, "/" + url, "../" + url, "#" + url):
        assert _normalize_link(candidate) == normalizeLink(candidate)
        assert _normalize_link_text(candidate) == normalizeLinkText(candidate)


def test_links_normalised_in_the_document_as_markdown_it_writes_them() -> None:
    text = (
        "A [plain](https://example.org/a?b=1) link, an [accented](https://exämple.org/ü) one, "
        "a [spaced](<https://example.org/a b>) one, <https://example.org/auto%41> and [ref].\n\n"
        "[ref]: https://example.org/ref%zz\n"
    )
    document = read_markdown(text, "links.md")
    assert [reference.url for reference in document.references] == [
        "https://example.org/ref%25zz",
        "https://example.org/a?b=1",
        "https://xn--exmple-cua.org/%C3%BC",
        "https://example.org/a%20b",
        "https://example.org/auto%41",
    ]
    autolink = document.references[-1]
    assert autolink.raw == "https://example.org/autoA"  # the autolink's text, decoded as markdown-it does
    assert [reference.uses for reference in document.references] == [1, 1, 1, 1, 1]


def test_models_built_without_validation_validate_to_the_same_document() -> None:
    text = (
        "# Title\n\nBody cites [^1] and [a link](https://example.org/x) and [def][d].\n\n"
        "## Part\n\n- item with [again](https://example.org/x) and [^1]\n\n"
        '[^1]: Smith, J. (2014). *The Work*. https://example.org/w\n\n[d]: https://example.org/d "T"\n'
    )
    document = read_markdown(text, "valid.md")
    validated = ParsedDocument.model_validate(document.model_dump())
    assert repr(validated) == repr(document)
    links = [reference for reference in document.references if reference.kind == "link"]
    assert [(reference.id, reference.uses) for reference in links] == [("d", 1), ("L1", 2)]
    markers = document.sections[0].paragraphs[0].markers
    assert [(marker.label, marker.offset) for marker in markers] == [
        ("1", len("Body cites")),
        ("L1", len("Body cites and a link")),
        ("d", len("Body cites and a link and def")),
    ]
