"""mwparserfromhell's tree for plain articles, built from a regular-expression scan instead of its tokenizer.

Most wikitext a citation audit reads is prose, ``<ref>`` tags holding one
citation template, headings and a ``{{reflist}}``.  For a document made only of
such pieces — plain text, ``'''bold'''``/``''italic''`` runs, level-1…6
headings on lines of their own, templates whose parameters are plain text
(:class:`~citecheck.documents.wikitext_tree.FlatTemplate`, built from their
source), and ``<ref>``/``<ref …/>`` tags with ``name``/``group`` attributes
around those — :func:`scan_wikitext` builds the very tree
``mwparserfromhell.parse`` builds (the same node types, the same attributes, the
same ``str()``), without running the tokenizer over the document.

Anything else returns ``None`` and the caller parses the document with
mwparserfromhell: links (``[[…]]``, ``[…]``, bare URLs — any ``:``), entities,
comments and every other tag, tables, lists and other line-start markup, ``=``
outside templates and headings, nested templates, templates with newlines in
names, keys or positional values, unbalanced quotes.  The scan is deliberately
narrow; ``tests/unit/test_wikitext_scan.py`` compares its trees with
mwparserfromhell's on the real articles, the benchmark's corpus and generated
wikitext, node for node.
"""

from __future__ import annotations

import re

from mwparserfromhell.nodes import Heading, Tag, Text
from mwparserfromhell.nodes.extras import Attribute
from mwparserfromhell.wikicode import Wikicode

from citecheck.documents.wikitext_tree import FlatTemplate

__all__ = ["scan_wikitext"]

# Characters after which mwparserfromhell's tokenizer may see markup (its MARKERS), less the ones
# that are markup only at a line start or in contexts the scan never enters ("#*;-!/\"\\").
_PLAIN = r"[^{}\[\]<>|=&':\n\x00]"
_PIECE_RE = re.compile(
    rf"(?P<text>{_PLAIN}+)"
    r"|(?P<newlines>\n+)"
    r"|(?P<template>\{\{[^{}\[\]<>&\x00]*?\}\})"
    rf"|(?<!')(?P<style>'''|'')(?P<styled>{_PLAIN}+)(?P=style)(?!')"
    r"|(?<!')(?P<apostrophe>')(?!')"
    r"|(?P<ref><ref(?P<attrs>(?: (?:name|group)=(?:\"[^\"<>\n{}\[\]|&=':\x00]+\"|[A-Za-z0-9_.\-]+))*)"
    r"(?P<padding> ?)(?P<close>/?)>)"
)
_ATTR_RE = re.compile(r" (?P<key>name|group)=(?:\"(?P<quoted>[^\"]*)\"|(?P<bare>[^ ]+))")
_HEADING_RE = re.compile(rf"(?P<marks>={{1,6}})(?P<title>{_PLAIN}+?)(?P=marks)(?=\n|\Z)")
# Inside ``{{`` … ``}}``: the name (trailing whitespace only), then ``|``-separated parameters.
_NAME_RE = re.compile(r"[ \t]*[A-Za-z0-9][A-Za-z0-9 _\-]*[ \t\n]*\Z")
_TEMPLATE_LINE_START_RE = re.compile(r"\n[#*;:\-!=]")
# Line starts mwparserfromhell reads as lists, rules, tables or headings.
_LINE_START_MARKUP = frozenset("#*;:-!|={")
_REF_CLOSE = "</ref>"
_SINGLE_TEMPLATE_RE = re.compile(r"\{\{[^{}\[\]<>&\x00]*\}\}\Z")


def _flat_template(source: str) -> FlatTemplate | None:
    """A ``{{name|…}}`` whose parameters are plain text, as a lazy node; None where the tokenizer might differ."""
    inner = source[2:-2]
    if "''" in inner or ("\n" in inner and _TEMPLATE_LINE_START_RE.search(inner)):
        return None
    parts = inner.split("|")
    name = parts[0]
    if not _NAME_RE.match(name):
        return None
    params: list[tuple[str, str, bool]] = []
    position = 1
    for part in parts[1:]:
        equals = part.find("=")
        if equals < 0:
            if "\n" in part:
                return None
            params.append((str(position), part, False))
            position += 1
            continue
        key = part[:equals]
        # A key of one line between blanks (whitespace-only keys and keys over lines fail the tokenizer's checks).
        core = key.strip(" \t\n")
        if not core or core[0].isspace() or "\n" in core:
            return None
        params.append((key, part[equals + 1 :], True))
    return FlatTemplate(None, name, params, source)


def _wikicode(nodes: list[object]) -> Wikicode:
    return Wikicode(nodes)  # type: ignore[arg-type]


def _word(text: str) -> Wikicode:
    return Wikicode([Text(text)])


def _tag(state: dict[str, object]) -> Tag:
    """A Tag with the attributes mwparserfromhell's builder gives it (its constructor re-checks every argument)."""
    tag = Tag.__new__(Tag)
    tag.__dict__.update(state)
    return tag


def _ref_tag(match: re.Match[str], contents: list[object] | None) -> Tag:
    attrs: list[Attribute] = []
    written = match["attrs"]
    if written:
        for attribute in _ATTR_RE.finditer(written):
            quoted = attribute["quoted"]
            value = quoted if quoted is not None else attribute["bare"]
            attrs.append(Attribute(_word(attribute["key"]), _word(value), '"' if quoted is not None else None, " "))
    if contents is None:
        return Tag(_word("ref"), None, attrs, None, True, False, False, match["padding"])
    return _tag(
        {
            "_tag": _word("ref"),
            "_closing_tag": _word("ref"),
            "_contents": _wikicode(contents),
            "_attrs": attrs,
            "_closing_wiki_markup": None,
            "_wiki_markup": None,
            "_self_closing": False,
            "_invalid": False,
            "_implicit": False,
            "_padding": match["padding"],
            "_wiki_style_separator": None,
        }
    )


def _style_tag(match: re.Match[str]) -> Tag:
    markup = match["style"]
    letter = "b" if len(markup) == 3 else "i"
    return _tag(
        {
            "_tag": _word(letter),
            "_closing_tag": _word(letter),
            "_contents": _word(match["styled"]),
            "_attrs": [],
            "_closing_wiki_markup": markup,
            "_wiki_markup": markup,
            "_self_closing": False,
            "_invalid": False,
            "_implicit": False,
            "_padding": "",
            "_wiki_style_separator": None,
        }
    )


def _scan(text: str, start: int, end: int, top: bool) -> list[object] | None:
    """The nodes of ``text[start:end]``; ``top``: the document itself (headings and refs allowed)."""
    nodes: list[object] = []
    pending: list[str] = []  # text pieces of the current Text node
    position = start
    match_piece = _PIECE_RE.match
    while position < end:
        if position == 0 or text[position - 1] == "\n":
            first = text[position]
            if first in _LINE_START_MARKUP and (first != "{" or text.startswith("{|", position)):
                if first != "=" or not top:
                    return None
                heading = _HEADING_RE.match(text, position, end)
                if heading is None:
                    return None
                if pending:
                    nodes.append(Text("".join(pending)))
                    pending = []
                nodes.append(Heading(_word(heading["title"]), len(heading["marks"])))
                position = heading.end()
                continue
        piece = match_piece(text, position, end)
        if piece is None:
            return None
        kind = piece.lastgroup
        if kind == "text" or kind == "newlines" or kind == "apostrophe":
            pending.append(piece.group())
            position = piece.end()
            continue
        if kind == "styled" or kind == "style":
            node: object = _style_tag(piece)
        elif kind == "template":
            flat = _flat_template(piece.group())
            if flat is None:
                return None
            node = flat
        elif kind == "ref":
            if not top:
                return None
            if piece["close"]:
                node = _ref_tag(piece, None)
                position = piece.end()
            else:
                body_start = piece.end()
                body_end = text.find(_REF_CLOSE, body_start, end)
                if body_end < 0:
                    return None
                body = text[body_start:body_end]
                if "<" in body:
                    return None
                if _SINGLE_TEMPLATE_RE.match(body):
                    # The common case, <ref>{{cite …}}</ref>: what _scan would make of it, without its loop.
                    flat = _flat_template(body)
                    if flat is None:
                        return None
                    contents: list[object] | None = [flat]
                else:
                    contents = _scan(text, body_start, body_end, False)
                    if contents is None:
                        return None
                node = _ref_tag(piece, contents)
                position = body_end + len(_REF_CLOSE)
            if pending:
                nodes.append(Text("".join(pending)))
                pending = []
            nodes.append(node)
            continue
        else:  # pragma: no cover - every group is named above
            return None
        if pending:
            nodes.append(Text("".join(pending)))
            pending = []
        nodes.append(node)
        position = piece.end()
    if pending:
        nodes.append(Text("".join(pending)))
    return nodes


def scan_wikitext(text: str) -> Wikicode | None:
    """``mwparserfromhell.parse(text)``'s tree for a document of plain pieces only (see above); else None."""
    if "\x00" in text:
        return None
    nodes = _scan(text, 0, len(text), True)
    return None if nodes is None else _wikicode(nodes)
