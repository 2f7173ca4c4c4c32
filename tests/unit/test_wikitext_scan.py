"""The scanned tree is mwparserfromhell's tree, and the reader reads the same from it as from the full parse.

``scan_wikitext`` builds the tree of plain articles without mwparserfromhell's
tokenizer and gives up (None) on anything else.  Every test here checks both
halves of that promise: where it answers, its tree is node for node the one
``parse_wikitext``/``mwparserfromhell.parse`` builds (types, every attribute,
``str()``), and ``read_wikitext`` gives the same document, field for field,
with the scan and without it (the full-tree path kept as the fallback).
"""

from __future__ import annotations

import importlib.util
import random
import sys
from pathlib import Path
from typing import Any

import mwparserfromhell
import pytest
from hypothesis import given
from hypothesis import strategies as st
from mwparserfromhell.nodes import Heading, Tag, Template, Text

from citecheck.documents import wikitext
from citecheck.documents.wikitext_scan import scan_wikitext
from citecheck.documents.wikitext_tree import FlatTemplate, parse_wikitext, templates_in
from tests.conftest import shared_path
from tests.fuzz.profile import FUZZ

REPOSITORY = Path(__file__).resolve().parents[2]
ARTICLES = [
    "enwiki_Toronto.wikitext.txt",
    "enwiki_Anarchism.wikitext.txt",
    "enwiki_Mozilla_Firefox.wikitext.txt",
    "enwiki_Raith_Rovers.wikitext.txt",
    "enwiki_Elizabeth_Gilbert.wikitext.txt",
]
_TAG_FIELDS = (
    "wiki_markup",
    "closing_wiki_markup",
    "padding",
    "self_closing",
    "implicit",
    "invalid",
    "wiki_style_separator",
)


def _same_code(scanned: Any, parsed: Any, path: str = "") -> None:
    assert len(scanned.nodes) == len(parsed.nodes), (path, scanned.nodes, parsed.nodes)
    for index, (ours, theirs) in enumerate(zip(scanned.nodes, parsed.nodes, strict=True)):
        _same_node(ours, theirs, f"{path}[{index}]")


def _same_node(ours: Any, theirs: Any, path: str) -> None:
    assert type(ours) is type(theirs), (path, type(ours), type(theirs))
    assert str(ours) == str(theirs), path
    if isinstance(ours, Text):
        assert ours.value == theirs.value, path
    elif isinstance(ours, Heading):
        assert ours.level == theirs.level, path
        _same_code(ours.title, theirs.title, path + ".title")
    elif isinstance(ours, Tag):
        for name in _TAG_FIELDS:
            assert getattr(ours, name) == getattr(theirs, name), (path, name)
        for name in ("tag", "closing_tag", "contents"):
            mine, other = getattr(ours, name), getattr(theirs, name)
            assert (mine is None) == (other is None), (path, name)
            if mine is not None:
                _same_code(mine, other, f"{path}.{name}")
        assert len(ours.attributes) == len(theirs.attributes), path
        for mine, other in zip(ours.attributes, theirs.attributes, strict=True):
            for name in ("quotes", "pad_first", "pad_before_eq", "pad_after_eq"):
                assert getattr(mine, name) == getattr(other, name), (path, name)
            _same_code(mine.name, other.name, path + ".attribute")
            assert (mine.value is None) == (other.value is None), path
            if mine.value is not None:
                _same_code(mine.value, other.value, path + ".value")
    elif isinstance(ours, FlatTemplate):
        # parse_wikitext's flat template: the same name and parameters as written, read without building
        assert not ours.materialised and not theirs.materialised, path
        assert (ours.flat_name, ours.flat_params) == (theirs.flat_name, theirs.flat_params), path
    else:
        raise AssertionError(f"{path}: the scan built a {type(ours).__name__}")


def _assert_scan_is_exact(text: str) -> bool:
    """The scanned tree equals the full parse's (when the scan answers); True when it answered."""
    scanned = scan_wikitext(text)
    if scanned is None:
        return False
    _same_code(scanned, parse_wikitext(text))
    # Built on demand (flat templates tokenized from their own source), it is mwparserfromhell's tree.
    rebuilt = scan_wikitext(text)
    assert rebuilt is not None
    for template in rebuilt.filter_templates(recursive=True):
        assert isinstance(template, FlatTemplate)
        assert [str(parameter) for parameter in template.params] == [
            str(parameter) for parameter in mwparserfromhell.parse(str(template)).nodes[0].params
        ]
    assert rebuilt.get_tree() == mwparserfromhell.parse(text).get_tree()
    assert str(rebuilt) == text
    return True


def _read_both(text: str) -> tuple[str, str, Any, Any]:
    scanned = wikitext.read_wikitext(text, "doc.wiki").model_dump_json()
    counts = wikitext.count_ref_tags(text)
    original = wikitext.scan_wikitext
    wikitext.scan_wikitext = lambda _text: None  # type: ignore[assignment]  # the full tree only (no fixture under @given)
    try:
        parsed = wikitext.read_wikitext(text, "doc.wiki").model_dump_json()
        parsed_counts = wikitext.count_ref_tags(text)
    finally:
        wikitext.scan_wikitext = original
    return scanned, parsed, counts, parsed_counts


def _assert_reads_the_same(text: str) -> None:
    scanned, parsed, counts, parsed_counts = _read_both(text)
    assert scanned == parsed
    assert counts == parsed_counts


SNIPPETS = [
    "",
    "plain text only",
    "'''Generated''' article.\n\nA sentence.<ref>{{cite news |last=Smith |url=https://e.example/a |title=T}}</ref>",
    'a<ref name=x/> b<ref name="x y" /> c<ref name=x>t</ref> d<ref group=note name=n>n</ref>',
    "x<ref></ref>y<ref name=q >t</ref>",
    "'''a''' b ''c'' d 'e' \"f\" g-h / i! j; k# l*",
    "== H ==\ntext\n=== Sub ===\nmore\n\n== References ==\n{{reflist}}\n",
    "{{a|b=c\n|d=e}} {{x|1|2|a=3|4}} {{ Cite_Book \n| title = T \n}} {{x| |}}",
    "{{cite web|url=http://a.example/c.|title=T}}<ref>{{cite web|url=https://e.example/|title=A = B}}</ref>",
    "a<ref>{{cite web |url=https://e.example/ |title=T}} {{dead link|date=May 2011}}</ref>",
    "a<ref>{{cite web |url=https://e.example/ |title=T}}</ref>{{dead link|date=May 2011}} b",
    "{{sfn|Smith|Jones|2003|p=41}} {{harvnb|Smith|2003}} {{efn|a note}} {{refn|group=n|x}}",
    "{{cite book |last=Smith |first=J |title=B |year=2003}}\n== Sources ==\n{{cite book|last=Jones|year=1999}}",
    "{{convert|3|km|mi}} {{lang|fr|x}} {{nowrap|a b}}",
    # the scan gives up on these (a mwparserfromhell parse reads them)
    "{{x|=y}}",
    "{{x|a\nb}}",
    "{{x|\n* y}}",
    "* item",
    "a: b",
    "a&amp;b",
    "<!-- c --><ref>x</ref>",
    "''a",
    "'''a''''",
    "<ref>{{cite web|title={{lang|fr|x}}}}</ref>",
    "a = b",
    "== H == \n",
]


@pytest.mark.parametrize("text", SNIPPETS)
def test_snippets(text: str) -> None:
    _assert_scan_is_exact(text)
    _assert_reads_the_same(text)


def test_the_scan_answers_for_plain_articles_only() -> None:
    assert scan_wikitext(SNIPPETS[2]) is not None
    assert scan_wikitext(SNIPPETS[6]) is not None
    for text in SNIPPETS[SNIPPETS.index("{{x|=y}}") :]:
        assert scan_wikitext(text) is None, text


@pytest.mark.parametrize("name", ARTICLES)
def test_real_articles(name: str) -> None:
    text = shared_path("wikipedia-samples", name).read_text(encoding="utf-8")
    _assert_scan_is_exact(text)
    _assert_reads_the_same(text)
    # Their paragraphs, one by one (where the scan reads some of them).
    for paragraph in text.split("\n\n")[:400]:
        _assert_scan_is_exact(paragraph)
        _assert_reads_the_same(paragraph)


def _bench_parse() -> Any:
    spec = importlib.util.spec_from_file_location("bench_parse", REPOSITORY / "benchmarks" / "bench_parse.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_parse", module)
    spec.loader.exec_module(module)
    return module


def test_the_benchmark_corpus() -> None:
    bench = _bench_parse()
    rng = random.Random(7)
    for references in (1, 3, 60):
        text, _ = bench.make_wikitext(rng, references)
        assert _assert_scan_is_exact(text)
        _assert_reads_the_same(text)


# Pieces of plain articles, and the markup around them that the scan must refuse or read exactly.
PLAIN_BITS = [
    "Officials said the raid",
    " ",
    ".",
    ",",
    "\n",
    "\n\n",
    "'''",
    "''",
    "'",
    '"',
    "-",
    "/",
    "!",
    ";",
    "#",
    "*",
    "<ref>",
    "</ref>",
    "<ref name=a/>",
    '<ref name="a b" />',
    "<ref name=x group=g>",
    "<ref name=a>",
    "{{cite news |last=Smith |first=Carol |title=T |work=W |date=3 May 2014 |url=https://e.example/1/story}}",
    "{{cite web|url=http://e.example/a.|title=A = B|access-date=2015-01-02}}",
    "{{cite book\n|last=Jones\n|year=2003\n|title=B\n}}",
    "{{reflist}}",
    "{{dead link|date=May 2011}}",
    "{{webarchive|url=https://web.archive.org/web/2015/https://e.example/|date=5 May 2015}}",
    "{{sfn|Smith|2003|p=4}}",
    "{{efn|a note}}",
    "{{lang|fr|texte}}",
    "== Heading ==",
    "\n== References ==\n",
    "\n=== Notes ===\n",
    "=",
    "|",
    ":",
    "{{",
    "}}",
    "{{x|a\nb}}",
    "{{x|\n*y}}",
    "http://e.example/",
    "&amp;",
    "[[a|b]]",
    "<!-- c -->",
    "<",
    ">",
    "\x00",
]
plain_documents = st.lists(st.one_of(st.sampled_from(PLAIN_BITS), st.text(max_size=6)), max_size=40).map("".join)
# Mostly pieces the scan reads, with characters that are markup in some places only.
scannable_documents = st.lists(
    st.one_of(st.sampled_from(PLAIN_BITS[:34]), st.text(alphabet="ab '\"=|{}<>/\n-!#*;", max_size=4)), max_size=30
).map("".join)


@FUZZ
@given(st.one_of(plain_documents, scannable_documents))
def test_generated_wikitext(text: str) -> None:
    text = wikitext._sanitise(text)
    _assert_scan_is_exact(text)
    _assert_reads_the_same(text)


@FUZZ
@given(st.integers(min_value=0, max_value=10**6), st.lists(st.sampled_from(PLAIN_BITS), min_size=1, max_size=4))
def test_mutated_benchmark_articles(seed: int, insertions: list[str]) -> None:
    """The benchmark's articles with a few pieces spliced in at random places."""
    rng = random.Random(seed)
    text, _ = _bench_parse().make_wikitext(rng, 4)
    for piece in insertions:
        at = rng.randrange(len(text) + 1)
        text = text[:at] + piece + text[at:]
    _assert_scan_is_exact(text)
    _assert_reads_the_same(text)


def test_flat_templates_from_the_scan_build_on_demand() -> None:
    scanned = scan_wikitext("a<ref>{{cite web |url=https://e.example/x |title=T}}</ref>")
    assert scanned is not None
    template = next(templates_in(scanned))
    assert isinstance(template, FlatTemplate) and not template.materialised
    assert [str(parameter) for parameter in template.params] == ["url=https://e.example/x ", "title=T"]
    assert template.materialised and isinstance(template, Template)
    template.name = "cite book"
    assert str(template) == "{{cite book|url=https://e.example/x |title=T}}"
