"""The reader's markdown-it parser against a stock one: full token streams and env, for the dispatch tests."""

from __future__ import annotations

from typing import Any

from markdown_it import MarkdownIt

from citecheck.documents.markdown import _PARSER, _parser

STOCK = _parser(fast=False)


def tokens(parser: MarkdownIt, text: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    env: dict[str, Any] = {}
    stream = [token.as_dict() for token in parser.parse(text, env)]
    footnotes = env.get("footnotes")
    if footnotes is not None and not footnotes["refs"] and not footnotes["list"]:
        del env["footnotes"]  # footnote_ref, tried at any character by the stock tokenizer, leaves it empty
    return stream, env


def same_tokens(text: str) -> None:
    assert tokens(_PARSER, text) == tokens(STOCK, text)
