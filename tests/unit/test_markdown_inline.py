"""The reader's markdown-it tokenizer (rules tried only where they can start) against markdown-it's own."""

from __future__ import annotations

import markdown_it.helpers
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.parser_inline import ParserInline

from citecheck.documents.markdown import _PARSER
from citecheck.documents.markdown_inline import (
    DispatchingInline,
    dispatching_inline,
    emphasis_tokenize,
    parse_link_destination,
)
from tests.markdown_tokens import STOCK as _STOCK
from tests.markdown_tokens import same_tokens as _same_tokens


def test_the_reader_parser_dispatches_and_the_stock_one_does_not() -> None:
    assert isinstance(_PARSER.inline, DispatchingInline)
    assert type(_STOCK.inline) is ParserInline
    assert _STOCK.helpers is markdown_it.helpers
    # (the faster emphasis rule is the one tried at "*" and "_", so the comparisons below test it)
    assert emphasis_tokenize in _PARSER.inline._dispatch["*"]
    assert emphasis_tokenize in _PARSER.inline._dispatch["_"]


def test_a_parser_with_a_rule_of_unknown_start_keeps_the_stock_tokenizer() -> None:
    parser = MarkdownIt("commonmark")
    parser.inline.ruler.push("anything", lambda state, silent: False)
    dispatching_inline(parser)
    assert type(parser.inline) is ParserInline
    plain = MarkdownIt("commonmark")
    dispatching_inline(plain)
    assert isinstance(plain.inline, DispatchingInline)


_CASES = [
    "",
    "plain words only",
    "ends with a colon: and a-hyphen #tag {braces} 100% a+b=c @user ~tilde > quote",
    "Claim.[^1] Another.[^2][^3] dangling [^x]\n\n[^1]: One.\n[^2]: *Two*. <https://a.example/x>\n[^3]: Three.",
    "[inline](https://example.org/a_(b)_c 'T') and [ref][r] and [r] and [collapsed][] [^r]\n\n[r]: /u \"Title\"",
    "[outer [inner](http://x.org)](http://y.org) [a [b] c](d) [unclosed ( [x]: y",
    "![image *alt*](i.png) !not an image ![ref][r]\n\n[r]: http://x",
    "text^[an inline *note* with [a link](http://z.org)] more ^ not [^ also not]",
    "`code [^1]` ``double ` tick`` ` unmatched and \\*escaped\\* \\[^1] \\\nhard break  \nsoft\nbreak",
    '<abbr title="x">X</abbr> <br> <br/> <http://auto.link> <mail@example.org> <not a tag & &amp; &#35; &bogus;',
    "***strong em*** __strong__ _em_ *a **b** c* snake_case_word 2*3*4 **unclosed *mixed_",
    "| a | b |\n|---|---|\n| [x](http://t) | *y* |\n\n# Heading [^1] with [link](http://h)\n\n[^1]: note",
    "[" * 40 + "deep" + "]" * 40 + "(u) " + "*" * 30 + "x" + "*" * 30,
    '[link](<http://a b> "t") [bad](<a\nb>) [esc](a\\)b) [p](a(b(c)d)e) [sp](a b)',
    "- item [^1]\n- item `x`\n  continued: yes\n\n> quote *em* [l](u)\n\n```\n[^1]: in code\n```\n[^1]: real",
    "---\ntitle: T\n---\n\nBody_text_with_underscores and :colons: and -- dashes.",
    "tab\tseparated\u00a0nbsp\u200bzero width “quotes” — dash… [ü](http://ü.example/ä?q=1#f)",
]


def test_the_same_tokens_on_written_cases() -> None:
    for text in _CASES:
        _same_tokens(text)


_MARKUP = st.sampled_from(
    [*'*_`<>&\\[]!()^~|#:-{}\n" \t', "[^1]", "[^1]: n\n", "[a](http://x.org)", "<b>", "^[", "](", "http://", "    "]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(_MARKUP, st.text(alphabet="abc ", max_size=4)), max_size=40).map("".join))
def test_the_same_tokens_on_markup_soup(text: str) -> None:
    _same_tokens(text)


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet="ab/.:?=&%#()\\ <>\n\t\x7f\x01é[]", max_size=16), st.data())
def test_link_destinations_read_as_markdown_it_reads_them(string: str, data: st.DataObject) -> None:
    pos = data.draw(st.integers(0, len(string)))
    maximum = data.draw(st.integers(pos, len(string)))
    ours = parse_link_destination(string, pos, maximum)
    stock = markdown_it.helpers.parseLinkDestination(string, pos, maximum)
    assert (ours.ok, ours.pos, ours.str) == (stock.ok, stock.pos, stock.str)


# What decides whether a "*" or "_" run opens or closes: white space, ASCII and Unicode punctuation and
# symbols, letters and digits either side, the start and end of the text, and the run's length.
_BESIDE_EMPHASIS = st.sampled_from(
    [*"ab1 \t\n.,!?()[]\"'-", "\u00a0", "\u2003", "\u3000", "é", "“", "”", "€", "—", "ß"]
)


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(["*", "**", "***", "_", "__", "___"]), _BESIDE_EMPHASIS), max_size=30))
def test_the_same_tokens_around_emphasis_runs(pieces: list[str]) -> None:
    _same_tokens("".join(pieces))
