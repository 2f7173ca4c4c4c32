"""The fast wikitext tree is mwparserfromhell's tree: same source, same nodes, same reading."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import mwparserfromhell
import pytest
from hypothesis import given
from hypothesis import strategies as st
from mwparserfromhell.parser import ParserError, tokens
from mwparserfromhell.wikicode import Wikicode

from citecheck.documents import wikitext, wikitext_tree
from citecheck.documents.wikitext_tree import (
    FlatTemplate,
    FlatValue,
    SourceCache,
    build_tree,
    external_links_in,
    parse_wikitext,
    positional_values,
    template_fields,
    template_name,
    templates_in,
)
from tests.conftest import shared_path
from tests.fuzz.profile import FUZZ
from tests.fuzz.strategies import MARKUP_BITS

# Flat templates with text-only wikilinks and entities, beside templates that are not flat for them.
FLAT_MARKUP = (
    "{{cite news |work=[[Example Wire]] |publisher=[[Target|Shown\n]] |title=T&amp;U&#x41;&#66;&nbsp;x}}"
    " {{cite web|work=[[a|''b'']]}} {{x|[[a]]=b}} {{x|a=[[b|]]}}"
)


SNIPPETS = [
    "",
    "plain text only",
    "{{reflist}}",
    "{{cite news |last=Smith |first=Carol |url=https://x.example.org/a?b=c |title=A = B |date=3 May 2014}}",
    "a<ref>{{cite web|url=http://a.example/c.|title=T}}</ref> b<ref name=x/>",
    "{{x|=y}} {{x| |}} {{x|1|2|a=3|4}} {{ Cite_Book \n| title = T \n}}",
    "{{cite web|title={{lang|fr|Le titre}}|url=https://e.example/}}",  # nested: outer not flat, inner flat
    "{{cite web|url=https://e.example/<!-- c -->|title=T&amp;U}}",  # comment and entity: not flat
    "{{cite web|url=[https://e.example/ bracketed]|title=''italic''}}",
    "{{webarchive|url=https://web.archive.org/web/2015/https://e.example/|date=5 May 2015}}",
    "{{sfn|Smith|Jones|2003|p=41}} {{harvnb|Smith|2003}} {{efn|a note<ref>{{cite book|title=B}}</ref>}}",
    "{{cite web|title=a <ref name=z/> b}} {{convert|3|km|mi}} {{lang-fr|texte}}",
    "{{cite web |url=https://e.example/a |url=https://e.example/b}}",  # repeated parameter: last wins
    "{{unclosed|a=b",
    "{{a|b\n== heading ==\n}}",
    "{{DISPLAYTITLE:''Title''}} {{#tag:ref|note|name=n}}",
    FLAT_MARKUP,
]

WIKI_BITS = [
    "{{cite web |url=https://e.example/x |title=T |date=2011-04-14}}",
    "{{cite news|last=A|first=B|url=http://e.example/a.|work=W}}",
    "{{",
    "}}",
    "|",
    "=",
    "|url=",
    "https://e.example/p?q=1",
    "{{lang|fr|x}}",
    "<!-- c -->",
    "&nbsp;",
    "[[L|t]]",
    "<ref>",
    "</ref>",
    "<ref name=a/>",
    "\n",
    "''",
    "{{dead link|date=May 2011}}",
    "{{sfn|Smith|2003}}",
]
wikitext_documents = st.lists(
    st.one_of(st.sampled_from(WIKI_BITS), st.sampled_from(MARKUP_BITS), st.text(max_size=10)), max_size=30
).map("".join)


def _reference_templates(text: str) -> list[Any]:
    return list(mwparserfromhell.parse(text).filter_templates(recursive=True))


def _assert_same_tree(text: str) -> None:
    fast = parse_wikitext(text)
    source = str(mwparserfromhell.parse(text))  # the text itself, up to a NUL (where the tokenizer stops)
    assert str(fast) == source
    # The helpers read flat templates without building them, and read what mwparserfromhell's tree says.
    found = list(templates_in(fast))
    expected = _reference_templates(text)
    assert [str(template) for template in found] == [str(template) for template in expected]
    for template, reference in zip(found, expected, strict=True):
        assert template_name(template) == wikitext._template_name(reference)
        fields = {name: wikitext._plain(value) for name, value in template_fields(template).items()}
        assert fields == {name: wikitext._plain(value) for name, value in template_fields(reference).items()}
        raw = {name: wikitext._without_comments(value) for name, value in template_fields(template).items()}
        assert raw == {name: wikitext._without_comments(value) for name, value in template_fields(reference).items()}
        assert positional_values(template, wikitext._plain) == positional_values(reference, wikitext._plain)
        if isinstance(template, FlatTemplate):
            assert not template.materialised
    # Built on demand, the tree is node for node the one mwparserfromhell builds.
    assert fast.get_tree() == mwparserfromhell.parse(text).get_tree()
    assert str(fast) == source


@pytest.mark.parametrize("text", SNIPPETS)
def test_tree_matches_mwparserfromhell_on_snippets(text: str) -> None:
    _assert_same_tree(text)


def test_flat_templates_are_recognised() -> None:
    code = parse_wikitext("{{cite web |url=https://e.example/x |title=T}} {{cite web|title={{lang|fr|x}}}}")
    kinds = [type(node).__name__ for node in code.nodes]
    assert kinds == ["FlatTemplate", "Text", "Template"]
    flat = code.nodes[0]
    assert flat.flat_params == [("url", "https://e.example/x ", True), ("title", "T", True)]
    assert [str(parameter) for parameter in flat.params] == ["url=https://e.example/x ", "title=T"]
    assert flat.materialised
    flat.name = "cite book"  # a materialised flat template is an ordinary, editable Template
    assert str(flat) == "{{cite book|url=https://e.example/x |title=T}}"


def test_flat_templates_hold_text_only_wikilinks_and_entities() -> None:
    code = parse_wikitext(FLAT_MARKUP)
    kinds = [type(node).__name__ for node in code.nodes]
    # a formatted link text, a link in a parameter's name and an empty link text are not flat
    assert kinds == ["FlatTemplate", "Text", "Template", "Text", "Template", "Text", "Template"]
    flat = code.nodes[0]
    values = {name: value for name, value, _ in flat.flat_params}
    assert all(type(value) is FlatValue for value in values.values())
    assert values["work"] == "[[Example Wire]] " and values["work"].plain == "Example Wire"
    assert values["publisher"].plain == "Shown"  # the link's text, its newline trimmed as strip_code trims it
    assert values["title"].plain == "T&UAB x"  # entities decoded (&nbsp; is whitespace, collapsed)
    assert str(flat) == FLAT_MARKUP[: FLAT_MARKUP.index("}}") + 2]
    assert not flat.materialised
    _assert_same_tree(FLAT_MARKUP)


def _read_both(text: str, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    fast = wikitext.read_wikitext(text, "doc.wiki").model_dump_json()
    with monkeypatch.context() as patched:
        patched.setattr(wikitext, "parse_wikitext", mwparserfromhell.parse)
        plain = wikitext.read_wikitext(text, "doc.wiki").model_dump_json()
    return fast, plain


@pytest.mark.parametrize("text", SNIPPETS)
def test_reader_reads_the_same_from_either_tree(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    fast, plain = _read_both(text, monkeypatch)
    assert fast == plain


REAL_ARTICLES = [
    "enwiki_Toronto.wikitext.txt",
    "enwiki_Anarchism.wikitext.txt",
    "enwiki_Mozilla_Firefox.wikitext.txt",
    "enwiki_Raith_Rovers.wikitext.txt",
    "enwiki_Elizabeth_Gilbert.wikitext.txt",
]


@pytest.mark.parametrize("name", REAL_ARTICLES)
def test_real_articles_read_the_same_from_either_tree(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    text = shared_path("wikipedia-samples", name).read_text(encoding="utf-8")
    _assert_same_tree(text)
    fast, plain = _read_both(text, monkeypatch)
    assert fast == plain


@FUZZ
@given(wikitext_documents)
def test_generated_wikitext_reads_the_same_from_either_tree(text: str) -> None:
    _assert_same_tree(text)
    fast = wikitext.read_wikitext(text, "doc.wiki").model_dump_json()
    original = wikitext.parse_wikitext
    wikitext.parse_wikitext = mwparserfromhell.parse  # type: ignore[assignment]  # (no fixture under @given)
    try:
        plain = wikitext.read_wikitext(text, "doc.wiki").model_dump_json()
    finally:
        wikitext.parse_wikitext = original
    assert fast == plain


# --------------------------------------------------------------------------- the direct builder


def _same_nodes(fast: Any, built: Any, path: str = "tree") -> None:
    """Node for node, attribute for attribute (private ones included), the same tree."""
    assert type(fast) is type(built), path
    if isinstance(fast, list):  # node lists (SmartList), parameter and attribute lists, a flat template's tokens
        assert len(fast) == len(built), path
        for index, (left, right) in enumerate(zip(fast, built, strict=True)):
            _same_nodes(left, right, f"{path}[{index}]")
        return
    if isinstance(fast, dict):  # a token
        assert dict(fast) == dict(built), path
    if hasattr(fast, "__dict__"):
        assert list(vars(fast)) == list(vars(built)), path
        for key, value in vars(fast).items():
            _same_nodes(value, vars(built)[key], f"{path}.{key}")
        return
    assert fast == built, path


def _assert_direct_build(text: str) -> None:
    token_list = wikitext_tree._TOKENIZER.tokenize(text, 0, False)
    code, direct = build_tree(list(token_list))
    assert direct  # the tokenizer's streams are all ones the direct builder reads
    _same_nodes(code, wikitext_tree._FlatBuilder().build(token_list))


@pytest.mark.parametrize("text", [*SNIPPETS, *WIKI_BITS, *MARKUP_BITS])
def test_direct_builder_builds_mwparserfromhells_tree_on_snippets(text: str) -> None:
    _assert_direct_build(text)


def _mutations(text: str, seed: int, count: int) -> list[str]:
    """Seeded edits of a real article: lines dropped, duplicated, swapped or cut, markup inserted (Raith Rovers'
    article is a single line: there the edits are insertions and cuts)."""
    rng = random.Random(seed)
    mutated: list[str] = []
    for _ in range(count):
        lines = text.split("\n")
        for _ in range(rng.randint(1, 12)):
            index = rng.randrange(len(lines))
            line = lines[index]
            action = rng.randrange(5)
            if action == 0 and len(lines) > 1:
                del lines[index]
            elif action == 1:
                lines.insert(index, line)
            elif action == 2:
                other = rng.randrange(len(lines))
                lines[index], lines[other] = lines[other], line
            elif action == 3:
                at = rng.randint(0, len(line))
                lines[index] = (
                    line[:at] + rng.choice(("{{", "}}", "[[", "]]", "<ref>", "</ref>", "|", "=", "<!--")) + line[at:]
                )
            else:
                lines[index] = line[: rng.randint(0, len(line))]
        mutated.append("\n".join(lines))
    return mutated


@pytest.mark.parametrize("name", REAL_ARTICLES)
def test_direct_builder_builds_mwparserfromhells_tree_on_real_articles(name: str) -> None:
    text = shared_path("wikipedia-samples", name).read_text(encoding="utf-8")
    for document in [text, *_mutations(text, seed=len(name), count=3)]:
        _assert_direct_build(document)


@FUZZ
@given(wikitext_documents)
def test_direct_builder_builds_mwparserfromhells_tree_on_generated_wikitext(text: str) -> None:
    _assert_direct_build(text)


def test_token_streams_the_direct_builder_does_not_read_go_to_mwparserfromhells_builder() -> None:
    # A template never closed (the tokenizer never makes one; hand-made streams can): mwparserfromhell's
    # builder decides, so its error is the one raised.
    with pytest.raises(ParserError):
        build_tree([tokens.TemplateOpen(), tokens.Text(text="a")])
    # A tag whose padding is not whitespace: the direct builder refuses it, mwparserfromhell's builder
    # (through Tag's own setter) decides.
    stream = [
        tokens.TagOpenOpen(),
        tokens.Text(text="b"),
        tokens.TagCloseOpen(padding="x"),
        tokens.Text(text="t"),
        tokens.TagOpenClose(),
        tokens.Text(text="b"),
        tokens.TagCloseClose(),
    ]
    with pytest.raises(ValueError, match="padding"):
        build_tree(stream)
    code, direct = build_tree(
        [tokens.Text(text="a"), tokens.WikilinkOpen(), tokens.Text(text="L"), tokens.WikilinkClose()]
    )
    assert direct and str(code) == "a[[L]]"


def _tag_with_attribute(value: str, quote: str | None, **start: str) -> list[Any]:
    """``<b NAME=VALUE>t</b>`` as tokens, the attribute's start and quote as given."""
    return [
        tokens.TagOpenOpen(),
        tokens.Text(text="b"),
        tokens.TagAttrStart(**{"pad_first": " ", "pad_before_eq": "", "pad_after_eq": "", **start}),
        tokens.Text(text="n"),
        tokens.TagAttrEquals(),
        *([tokens.TagAttrQuote(char=quote)] if quote is not None else []),
        tokens.Text(text=value),
        tokens.TagCloseOpen(padding=""),
        tokens.Text(text="t"),
        tokens.TagOpenClose(),
        tokens.Text(text="b"),
        tokens.TagCloseClose(),
    ]


@pytest.mark.parametrize(
    ("stream", "error"),
    [
        (_tag_with_attribute("v", '"', pad_first="x"), "padding"),  # padding not whitespace
        (_tag_with_attribute("v", '"', pad_after_eq="-"), "padding"),
        (_tag_with_attribute("v", "`"), "quote type"),  # not a quote mwparserfromhell knows
        (_tag_with_attribute("a b", None), "requires quotes"),  # whitespace in an unquoted value
    ],
)
def test_attributes_the_direct_builder_refuses_raise_mwparserfromhells_error(stream: list[Any], error: str) -> None:
    with pytest.raises(ValueError, match=error):
        wikitext_tree._FlatBuilder().build(list(stream))
    with pytest.raises(ValueError, match=error):
        build_tree(stream)


@pytest.mark.parametrize(
    ("value", "quote", "expected_quotes"),
    [("v", None, None), ("a b", '"', '"'), ("a'b c", "'", "'"), ('a"b c', "'", "'"), ("v", "'", "'")],
)
def test_attributes_are_built_as_attributes_constructor_builds_them(
    value: str, quote: str | None, expected_quotes: str | None
) -> None:
    stream = _tag_with_attribute(value, quote, pad_first="  ", pad_before_eq=" ", pad_after_eq="\t")
    code, direct = build_tree(list(stream))
    assert direct
    _same_nodes(code, wikitext_tree._FlatBuilder().build(list(stream)))
    attribute = code.nodes[0].attributes[0]
    assert (str(attribute.name), str(attribute.value), attribute.quotes) == ("n", value, expected_quotes)
    assert (attribute.pad_first, attribute.pad_before_eq, attribute.pad_after_eq) == ("  ", " ", "\t")


# --------------------------------------------------------------------------- the source cache


def _every_code_and_node(code: Any) -> Iterator[Any]:
    yield code
    for node in code.nodes:
        yield node
        for child in node.__children__():
            yield from _every_code_and_node(child)


def _assert_sources(text: str) -> None:
    code = parse_wikitext(text)
    cache = SourceCache()
    assert cache.code(code) == str(code)
    # Top down, as the walk asks: each answer (cached while its parent was made) is str() of its object.
    for item in _every_code_and_node(code):
        made = cache.code(item) if type(item) is Wikicode else cache.node(item)
        assert made == str(item)
    for template in templates_in(code):  # built on demand: the cache reads the materialised Wikicode
        if isinstance(template, FlatTemplate):
            assert [str(parameter) for parameter in template.params] == [cache.parameter(p) for p in template.params]
            assert cache.node(template) == str(template)


@pytest.mark.parametrize("text", [*SNIPPETS, *WIKI_BITS, *MARKUP_BITS])
def test_source_cache_is_str_on_snippets(text: str) -> None:
    _assert_sources(text)


@pytest.mark.parametrize("name", REAL_ARTICLES)
def test_source_cache_is_str_on_real_articles(name: str) -> None:
    text = shared_path("wikipedia-samples", name).read_text(encoding="utf-8")
    for document in [text, *_mutations(text, seed=len(name) + 1, count=2)]:
        _assert_sources(document)


@FUZZ
@given(wikitext_documents)
def test_source_cache_is_str_on_generated_wikitext(text: str) -> None:
    _assert_sources(text)


# --------------------------------------------------------------------------- external links


def _links_as_filter_finds_them(code: Any) -> list[tuple[str, str | None]]:
    """``filter_external_links(recursive=True)`` on a tree mwparserfromhell built itself (no flat templates)."""
    return [
        (str(link.url), str(link.title) if link.title is not None else None)
        for link in code.filter_external_links(recursive=True)
    ]


def _links_found(code: Any) -> list[tuple[str, str | None]]:
    return [(url, str(title) if title is not None else None) for url, title in external_links_in(code)]


def test_external_links_in_reads_flat_templates_bare_urls_in_order() -> None:
    text = (
        "see [https://a.example/1 first] {{webarchive|url=https://web.archive.org/web/2015/https://b.example/|"
        "date=5 May 2015}} then {{url|https://c.example/}} {{cite web|title={{lang|fr|t}}|url=https://d.example/}}"
        " and https://e.example/x<ref>[http://f.example/ in ref]</ref>"
    )
    code = parse_wikitext(text)
    flat = [node for node in code.nodes if type(node) is FlatTemplate]
    assert len(flat) == 2
    assert _links_found(code) == [
        ("https://a.example/1", "first"),
        ("https://web.archive.org/web/2015/https://b.example/", None),
        ("https://c.example/", None),
        ("https://d.example/", None),
        ("https://e.example/x", None),
        ("http://f.example/", "in ref"),
    ]
    assert not any(template.materialised for template in flat)  # read from their tokens, not built
    assert _links_found(code) == _links_as_filter_finds_them(mwparserfromhell.parse(text))


@pytest.mark.parametrize("name", REAL_ARTICLES)
def test_external_links_in_is_filter_external_links_on_real_refs(name: str) -> None:
    text = shared_path("wikipedia-samples", name).read_text(encoding="utf-8")
    text = wikitext.unescaped_wikitext(text) or text
    checked = 0
    for document in [text, *_mutations(text, seed=len(name) + 1, count=2)]:
        ours = parse_wikitext(document).filter_tags(recursive=True, matches=lambda tag: tag.tag.strip() == "ref")
        theirs = mwparserfromhell.parse(document).filter_tags(
            recursive=True, matches=lambda tag: tag.tag.strip() == "ref"
        )
        assert len(ours) == len(theirs)
        for mine, built in zip(ours, theirs, strict=True):
            assert _links_found(mine.contents) == _links_as_filter_finds_them(built.contents)
            checked += bool(_links_as_filter_finds_them(built.contents))
    assert checked > 20


@pytest.mark.parametrize("text", [*SNIPPETS, *WIKI_BITS, *MARKUP_BITS])
def test_external_links_in_is_filter_external_links_on_snippets(text: str) -> None:
    assert _links_found(parse_wikitext(text)) == _links_as_filter_finds_them(mwparserfromhell.parse(text))


# --------------------------------------------------------------------------- the walk's fast paths

# Content outside body text (tables, infoboxes, captions, reference lists, notes) with and without what counts
# there: refs, comments, nowiki, pre, templates, nested notes, headings.
HIDDEN_BITS = [
    "\n{|\n| cell [[a|b]] text\n|-\n| ",
    "\n|}\n",
    "{{infobox|a=[[File:x.jpg|thumb|caption",
    "\n{|\n|-\n! head\n| {{sfn|Jones|1999}} cell\n|}\n",
    "|b=plain '''bold''' [[link]]}}",
    "[[File:y.png|thumb|plain caption [[inner]] ''i'']]",
    "[[Image:z.png|a<ref>in caption</ref>]]",
    "<!-- <ref>commented</ref> -->",
    "<nowiki><ref>escaped</ref></nowiki>",
    "<pre>{{cite web|title=P}}</pre>",
    "<pre>",
    "</pre>",
    "{{efn|a note<ref name=q>{{cite web|title=T}}</ref>}}",
    "{{refn|group=n|text [[x]]}}",
    "{{#tag:ref|tagged|name=t}}",
    "<ref name=q/>",
    "{{reflist|refs=<ref name=q>Q</ref>\n}}",
    "<references>\n<ref name=r>R [http://e.example/r t]</ref>\n</references>",
    "<references/>",
    "\n== References ==\n",
    "\n== History ==\n",
    "\n=== Sub ===\n",
    "\n* item ",
    "\n: indent ",
    "<div>",
    "</div>",
    "<table><tr><td>",
    "</td></tr></table>",
    "{{{arg|default}}}",
    "{{#if:x|y|z}}",
    "&lt;ref&gt;",
    "__NOTOC__",
    "[http://e.example/p title]",
    "{{dead link|date=May 2011}}",
    "{{sfn|Smith|2003|p=4}}",
    "{{harvnb|Smith|2003}}",
    "{{DISPLAYTITLE:''T''}}",
]
fast_path_documents = st.lists(
    st.one_of(
        st.sampled_from(HIDDEN_BITS), st.sampled_from(WIKI_BITS), st.sampled_from(MARKUP_BITS), st.text(max_size=10)
    ),
    max_size=40,
).map("".join)


def _assert_fast_walk_is_full_walk(text: str) -> None:
    fast = wikitext._read_wikitext(text, "doc.wiki", fast=True).model_dump_json()
    full = wikitext._read_wikitext(text, "doc.wiki", fast=False).model_dump_json()
    assert fast == full


@pytest.mark.parametrize("text", [*SNIPPETS, *HIDDEN_BITS, "".join(HIDDEN_BITS), "".join(reversed(HIDDEN_BITS))])
def test_fast_walk_reads_what_the_full_walk_reads_on_snippets(text: str) -> None:
    _assert_fast_walk_is_full_walk(text)


@pytest.mark.parametrize("name", REAL_ARTICLES)
def test_fast_walk_reads_what_the_full_walk_reads_on_real_articles(name: str) -> None:
    text = shared_path("wikipedia-samples", name).read_text(encoding="utf-8")
    for document in [text, *_mutations(text, seed=len(name) + 7, count=2)]:
        _assert_fast_walk_is_full_walk(document)


@FUZZ
@given(fast_path_documents)
def test_fast_walk_reads_what_the_full_walk_reads_on_generated_wikitext(text: str) -> None:
    _assert_fast_walk_is_full_walk(text)


def test_the_full_walk_does_walk_inert_content() -> None:
    """The comparison above compares two different walks: only the full one enters inert hidden content."""
    code = parse_wikitext("{|\n| plain [[cell]]\n|}")
    visited: dict[bool, list[str]] = {}
    for skip in (True, False):
        walker = wikitext._Walker(skip_inert=skip)
        links: list[str] = []
        original = walker.visit_wikilink

        def spy(node: Any, *args: Any, record: list[str] = links, visit: Any = original) -> None:
            record.append(str(node))
            visit(node, *args)

        walker.visit_wikilink = spy  # type: ignore[method-assign]
        walker.walk(code, 0, "body")
        visited[skip] = links
    assert visited == {True: [], False: ["[[cell]]"]}
