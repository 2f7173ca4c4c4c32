"""For any text, escaped Markdown renders back to exactly that text, cleaned — nothing more, nothing less.

The oracle is written independently of :mod:`citecheck.reports.escape`: the
text with terminal escape sequences removed, controls and line separators as
spaces, bidi controls dropped, lone surrogates as U+FFFD.  Rendering with a
real CommonMark/GFM parser must give back that text literally: no emphasis,
code, link, image, HTML or line break may appear, and no character may vanish.
"""

from __future__ import annotations

import html
import json
import re
from enum import StrEnum

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from citecheck.models import ArchiveStatus, ClaimVerdict, LiveStatus
from citecheck.reports.escape import (
    _md_cell_general,
    _safe_url_general,
    display_text,
    json_inert,
    md_cell,
    md_text,
    safe_url,
    terminal_text,
)
from tests.property.inert import active_characters

RENDER = MarkdownIt("commonmark").enable("table").enable("strikethrough")
SEQUENCE_RE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]|\x1b[\]PX^_][^\x07\x1b\x9c]{0,512}(?:\x07|\x1b\\|\x9c)|\x1b[ -/]*[0-~]"
)
PIECES = [
    "\x1b[31m", "\x1b]0;t\x07", "\x1b", "\x9b2J", "\u202e", "\u2066", "\u200f", "\u2028", "\x85", "\r\n", "\t",
    "*", "_", "`", "```", "~~", "[", "]", "(", ")", "!", "<", ">", "&", "&amp;", "&#x41;", "\\", "|", "#", "-",
    "<b>", "[a](http://x)", "![i](http://x)", "<http://x>", "  ", "\ud800", "é", "日本",
]  # fmt: skip
texts = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=8)), max_size=12).map("".join)


def expected_markdown_text(text: str) -> str:
    """The oracle: what a reader should see for ``text`` in Markdown prose."""
    text = SEQUENCE_RE.sub("", text)
    shown = []
    for char in text:
        code = ord(char)
        if code < 0x20 or 0x7F <= code < 0xA0 or code in (0x2028, 0x2029):
            shown.append(" ")
        elif 0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069:
            continue
        elif 0xD800 <= code <= 0xDFFF:
            shown.append("\ufffd")
        else:
            shown.append(char)
    return "".join(shown)


def inner(rendered: str, tag: str) -> str:
    match = re.search(rf"<{tag}>(.*?)</{tag}>", rendered, re.S)
    assert match, rendered
    return match.group(1)


@given(texts)
def test_md_text_renders_back_to_the_cleaned_text(text: str) -> None:
    rendered = RENDER.render("x " + md_text(text) + " y")
    content = inner(rendered, "p")
    assert "<" not in content.replace("&lt;", ""), rendered  # no element of any kind
    assert html.unescape(content) == "x " + expected_markdown_text(text) + " y"


@given(texts)
def test_md_cell_renders_back_to_one_cell_with_the_cleaned_text(text: str) -> None:
    rendered = RENDER.render("| a | b |\n| --- | --- |\n| " + md_cell(text, limit=None) + " | end |\n")
    cells = re.findall(r"<td>(.*?)</td>", rendered, re.S)
    assert len(cells) == 2 and cells[1] == "end", rendered
    assert "<" not in cells[0].replace("&lt;", "")
    assert html.unescape(cells[0]) == " ".join(expected_markdown_text(text).split())


@given(texts)
def test_plain_outputs_are_inert_and_json_keeps_every_value(text: str) -> None:
    for shown in (display_text(text), display_text(text, newlines=True), terminal_text(text)):
        assert active_characters(shown) == []
        assert "\x1b" not in shown and not re.search("[\u200e\u200f\u061c]", shown)
    assert "\n" not in terminal_text(text) and "\n" not in display_text(text)
    clean = text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    serialized = json_inert(json.dumps({"v": clean}, ensure_ascii=False))
    assert active_characters(serialized) == []
    assert json.loads(serialized) == {"v": clean}


# The writers' shortcuts (issue 17) against the general paths they skip: the same text for every input.
CELL_PIECES = [
    *PIECES, " ", "  ", " x", "x ", "\u00a0", "\u3000", "\u2003", "\u202f", "\u205f", "\u1680", "\x1c", "\x0b",
    "\x0c", "\u200b", "\ufeff", "…", "word", "a" * 30, "\x00", "\x7f", "\u2029", "\u0085", "\u061c", "\u200e",
]  # fmt: skip
# Most cells are plain words and spaces, which the shortcut takes: mostly those, spaced every way, too.
PLAIN_PIECES = ["word", "A", "12", " ", "  ", "   ", "é", "日本", "-", ".", ",", "#", "(", ")", "'", '"', "…", "x" * 45]
plain_texts = st.lists(
    st.one_of(
        st.sampled_from(PLAIN_PIECES), st.text(st.characters(codec="utf-8", categories=["L", "N", "Zs"]), max_size=4)
    ),
    max_size=16,
).map("".join)
cell_texts = st.one_of(
    plain_texts, st.lists(st.one_of(st.sampled_from(CELL_PIECES), st.text(max_size=8)), max_size=16).map("".join)
)
limits = st.one_of(st.none(), st.integers(0, 40))


@settings(max_examples=1_000)
@given(cell_texts, limits)
def test_md_cell_shortcuts_give_what_the_general_path_gives(text: str, limit: int | None) -> None:
    assert md_cell(text, limit) == _md_cell_general(text, limit)


@given(st.sampled_from([*ClaimVerdict, *LiveStatus, *ArchiveStatus]), limits)
def test_md_cell_of_an_enum_member_is_its_value_as_plain_text(member: StrEnum, limit: int | None) -> None:
    cell = md_cell(member, limit)
    assert type(cell) is str and cell == _md_cell_general(member.value, limit)


SCHEMES = [
    "http://", "https://", "HTTP://", "hTtPs://", "ftp://", "file://", "javascript:", "javascript://", "http:",
    "http:/", "//", "", " http://", "\x00http://", "ht-tp://", "httpx://", "https:///",
]  # fmt: skip
HOST_PIECES = [
    "example.org", "e", ".", "-", ":8080", ":", "user:pw@", "@", "[::1]", "[", "]", "%41", "%", "é", "ﬀ", "日本", " ",
    "\t", "~", "(", ")", "_", "!", "$", "&", "'", "*", "+", ",", ";", "=", "|", "\\",
]  # fmt: skip
PATH_PIECES = [
    "/", "/a", "?q=1", "&b=2", "#frag", "%20", "|", " ", "<", ">", '"', "`", "{", "}", "^", "\\", "é", "\n", "\r",
    "\t", "~", "(", ")", "@", ":", "'", "*", "[", "]", "\u202e", "\u3000", "％", "/web/2019/https://e.org/x",
]  # fmt: skip
urls = st.one_of(
    st.tuples(
        st.sampled_from(SCHEMES),
        st.lists(st.sampled_from(HOST_PIECES), max_size=4).map("".join),
        st.lists(st.one_of(st.sampled_from(PATH_PIECES), st.text(max_size=3)), max_size=6).map("".join),
    ).map("".join),
    st.text(max_size=20),
)


@settings(max_examples=1_000)
@given(urls)
def test_safe_url_shortcut_gives_what_the_general_path_gives(url: str) -> None:
    assert safe_url(url) == (_safe_url_general(url) if url else None)
