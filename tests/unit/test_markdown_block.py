"""The reader's block rule chains (rules tried only where they can start) against markdown-it's own."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.ruler import Ruler

from citecheck.documents.markdown import _PARSER
from citecheck.documents.markdown_block import DispatchingRuler, dispatching_block
from tests.markdown_tokens import STOCK as _STOCK
from tests.markdown_tokens import same_tokens as _same_tokens


def test_the_reader_parser_dispatches_and_the_stock_one_does_not() -> None:
    assert isinstance(_PARSER.block.ruler, DispatchingRuler)
    assert type(_STOCK.block.ruler) is Ruler
    for chain in ("", "paragraph", "reference", "blockquote", "list"):
        assert len(_PARSER.block.ruler.getRules(chain)) == 1
        assert len(_STOCK.block.ruler.getRules(chain)) > 1


def test_a_chain_with_a_rule_of_unknown_start_keeps_the_stock_rules() -> None:
    parser = MarkdownIt("commonmark")
    dispatching_block(parser)
    assert len(parser.block.ruler.getRules("paragraph")) == 1

    def anything(state: Any, start: int, end: int, silent: bool) -> bool:
        return False

    # a changed configuration is seen: the new rule joins the "" and "paragraph" chains only
    parser.block.ruler.before("paragraph", "anything", anything, {"alt": ["paragraph"]})
    assert parser.block.ruler.getRules("")[-2:] == [anything, parser.block.ruler.getRules("")[-1]]
    assert anything in parser.block.ruler.getRules("paragraph")
    assert len(parser.block.ruler.getRules("list")) == 1
    assert parser.parse("a\n- b")[-1].type == "bullet_list_close"


_CASES = [
    "",
    "\n\n   \n",
    "---\ntitle: T\n---\n\nBody",
    "  ---\ntitle: not front matter\n---\n",
    "- x--\n  body\n---\n",
    "# H1\n## H2 ##\n#not a heading\n####### seven\nSetext\n===\nAnother\n---\n",
    "para\n* * *\npara\n- - -\n___\n***bold***\n",
    "1. one\n2) two\n10. ten\n\ntext\n2. does not interrupt\n1. does\n- bullet\n+ plus\n* star\n-no\n",
    "> quote\n> > nested\n> - list in quote\ncontinued lazily\n>\n> ```\n> code\n> ```\n",
    "```python\ncode\n```\n~~~\ntilde\n~~~~\n``` not closed\n",
    "    indented code\n\n\tTabbed code\n  two spaces\n      six spaces in para\n",
    "| a | b |\n|---|:-:|\n| 1 | 2 |\npara\n| x |\n|-|\n: colon | row\n-|-\n",
    "text\na | b\n:-|-:\n1 | 2\n\n> a | b\n> :-|-\n",
    "<div>\nhtml\n</div>\n\n<!-- comment -->\n<?php x ?>\n<a href='x'>inline start</a>\n< not html\n",
    "[ref]: http://x 'T'\n[^1]: note\n    more note\n[^bad note]: x\n[also]:\n  /multi\n  'line'\n\n[ref] [^1]",
    "text\n[^2]: interrupts?\n[r]: no\n<div>\n# heading\n> quote\n```\nfence\n```\n",
    "- a\n  - b\n    - c\n     - d\n      - e\n\n  para in item\n\n- [ ] task\n-\n  late\n",
    "\u00a0nbsp start\n\u3000ideographic\n１. fullwidth digit\n٣. arabic digit\n",
]


def test_the_same_tokens_on_written_cases() -> None:
    for text in _CASES:
        _same_tokens(text)


_LINE_STARTS = st.sampled_from(
    [
        "",
        " ",
        "  ",
        "    ",
        "\t",
        "> ",
        ">",
        "- ",
        "-",
        "* ",
        "+ ",
        "1. ",
        "2) ",
        "10.",
        "#",
        "## ",
        "###### ",
        "```",
        "~~~",
        "---",
        "***",
        "___",
        "===",
        "|",
        "| a | b |",
        "|---|---|",
        "-|-",
        ":-:",
        ":-|-:",
        "<div>",
        "</div>",
        "<!--",
        "-->",
        "<p>",
        "[r]: /u",
        "[^1]: ",
        "[^1]",
        "[",
        "]",
        "\u00a0",
        "1",
        "a",
        "abc ",
    ]
)


@settings(max_examples=600, deadline=None)
@given(st.lists(st.tuples(_LINE_STARTS, _LINE_STARTS, st.text(alphabet="ab *[]|-:", max_size=6)), max_size=14))
def test_the_same_tokens_on_markup_soup(lines: list[tuple[str, str, str]]) -> None:
    _same_tokens("\n".join(first + second + rest for first, second, rest in lines))


_SETEXT_LINES = st.sampled_from(
    [
        "",
        "text",
        "  text",
        "     lazy",
        "===",
        "---",
        "  ==",
        "    ---",
        "- - -",
        "-- -",
        "=== x",
        "> quote",
        "> ---",
        ">",
        "- item",
        "  ---",
        "1. item",
        "[^1]: note",
        "    ===",
        "[r]: /u",
        "# h",
        "```",
        "<div>",
        "| a |",
        "|-|",
    ]
)


@settings(max_examples=800, deadline=None)
@given(st.lists(_SETEXT_LINES, max_size=12))
def test_the_same_tokens_around_setext_underlines(lines: list[str]) -> None:
    # lheading and paragraph, read in one scan by the reader's parser, inside lists, quotes and footnotes too
    _same_tokens("\n".join(lines))
