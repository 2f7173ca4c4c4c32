"""Untrusted citation text must never break a table or inject markup into a report."""

from __future__ import annotations

import json
import sys

from markdown_it import MarkdownIt

from citecheck.reports import escape
from citecheck.reports.escape import (
    SPLIT_WHITESPACE,
    code_fence,
    display_text,
    json_inert,
    md_cell,
    md_code_block,
    md_link,
    md_text,
    safe_url,
    terminal_text,
    xml_text,
)
from tests.property.inert import BIDI_MARKS_RE, active_characters

HOSTILE = [
    "a | b | c",
    "`code` and ``more``",
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "![tracker](http://tracker.invalid/p.png)",
    "**bold** _it_ ~~strike~~",
    "line one\nline two\r\n| injected | row |",
    "\\| escaped pipe",
    "&lt;already escaped&gt;",
]


def _render_row(cell: str) -> str:
    markdown = "| a | b |\n| --- | --- |\n| " + cell + " | end |\n"
    return str(MarkdownIt("commonmark").enable("table").enable("strikethrough").render(markdown))


def test_table_cells_stay_one_cell_and_inert() -> None:
    for text in HOSTILE:
        html = _render_row(md_cell(text))
        assert html.count("<td>") == 2, (text, html)
        assert "<script" not in html and "<img" not in html and "onerror=" not in html.replace("onerror=&quot;", "")
        assert 'href="javascript' not in html
        assert "<strong>" not in html and "<em>" not in html and "<code>" not in html


def test_cell_text_survives_as_literal_text() -> None:
    html = _render_row(md_cell("x | y <b>"))
    assert "x | y &lt;b&gt;" in html


def test_md_text_keeps_dates_and_words_readable() -> None:
    assert md_text("not-checked 2011-04-14 U.S.") == "not-checked 2011-04-14 U.S."


def test_links_only_for_http() -> None:
    assert safe_url("javascript:alert(1)") is None
    assert safe_url("file:///etc/passwd") is None
    assert safe_url("data:text/html,hi") is None
    assert safe_url("http://") is None
    assert md_link("x", "javascript:alert(1)") == "x"
    link = md_link("label | with pipe", "https://example.org/a b)c|d<e>")
    html = _render_row(link)
    assert html.count("<td>") == 2
    assert 'href="https://example.org/a%20b)c%7Cd%3Ce%3E"' in html


def test_control_characters_and_length_limit() -> None:
    assert "\x00" not in md_cell("a\x00b")
    assert len(md_cell("x" * 1000, 50)) <= 50


# --- controls, escape sequences, bidi --------------------------------------------------------------------------

EVERY_CONTROL = "".join(chr(code) for code in [*range(0x20), *range(0x7F, 0xA0)])
EVERY_BIDI_CONTROL = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
MARKS = "\u200e\u200f\u061c"
HOSTILE_DISPLAY = (
    "a" + EVERY_CONTROL + "b" + EVERY_BIDI_CONTROL + "c\u2028d\u2029e" + MARKS + "\ud800f"
    "\x1b[2J\x1b[1;31mred\x1b[0m \x1b]0;title\x07 \x9b5m \x1bPdcs\x1b\\"
    " \x1b]8;;https://evil.invalid/\x1b\\link\x1b]8;;\x1b\\"
)


def test_every_output_drops_controls_sequences_and_bidi_controls() -> None:
    outputs = {
        "md_text": md_text(HOSTILE_DISPLAY),
        "md_cell": md_cell(HOSTILE_DISPLAY),
        "display_text": display_text(HOSTILE_DISPLAY),
        "display_text(newlines)": display_text(HOSTILE_DISPLAY, newlines=True),
        "terminal_text": terminal_text(HOSTILE_DISPLAY),
        "xml_text": xml_text(HOSTILE_DISPLAY),
        "code block": "\n".join(md_code_block(HOSTILE_DISPLAY, "text")),
    }
    for name, text in outputs.items():
        assert active_characters(text) == [], name
        assert "\x1b" not in text and "[31m" not in text and "title" not in text and "evil" not in text, name
        assert "red" in text and "link" in text, name
        assert "\ufffd" in text, name  # the lone surrogate, which UTF-8 cannot carry
    assert "\n" not in outputs["display_text"] and "\n" in outputs["display_text(newlines)"]
    assert "\t" not in outputs["terminal_text"] and "  " not in outputs["terminal_text"]


def test_directional_marks_stay_in_markdown_prose_only() -> None:
    title = "\u05e9\u05dc\u05d5\u05dd (2011)\u200f"  # Hebrew title whose closing mark keeps "(2011)" in place
    assert md_text(title).endswith("\u200f")
    assert md_cell(title).endswith("\u200f")
    for text in (display_text(title), terminal_text(title), xml_text(title), "".join(md_code_block(title))):
        assert not BIDI_MARKS_RE.search(text)


def test_trojan_source_reordering_is_undone() -> None:
    # Displayed as "exe.txt" in a bidi-aware viewer, really "txt.exe" reversed: the override must go.
    assert display_text("invoice\u202etxt.exe") == "invoicetxt.exe"
    assert md_text("invoice\u2067txt\u2069.exe") == "invoicetxt.exe"


def test_markdown_escaping_is_one_pass() -> None:
    assert md_text("a & b <c> `d` *e* _f_ [g] |h| ~i~ \\j") == (
        "a &amp; b &lt;c&gt; \\`d\\` \\*e\\* \\_f\\_ \\[g\\] \\|h\\| \\~i\\~ \\\\j"
    )
    assert md_text("line one\nline two\ttab\r\n") == "line one line two tab  "


def test_code_block_cannot_be_closed_by_the_text_inside() -> None:
    hostile = "x\n```\n# injected heading\n````\n<script>alert(1)</script>\n~~~\n``````"
    lines = md_code_block(hostile, "wikitext")
    html = str(MarkdownIt("commonmark").render("\n".join(lines) + "\n\nafter\n"))
    assert html.count("<pre>") == 1 and "<h1>" not in html and "<script>" not in html
    assert html.startswith('<pre><code class="language-wikitext">')
    assert "# injected heading" in html and html.endswith("<p>after</p>\n")
    assert code_fence("a ``` b ````` c") == "``````"


def test_json_inert_changes_no_value() -> None:
    value = {"title": HOSTILE_DISPLAY.replace("\ud800", ""), "n": 1, "nested": ["\u202e", "\x85", "\\\u2028"]}
    serialized = json.dumps(value, ensure_ascii=False)
    inert = json_inert(serialized)
    assert json.loads(inert) == value
    assert active_characters(inert) == []
    assert json_inert('{"a": "plain é"}') == '{"a": "plain é"}'
    # A lone surrogate (json.dumps lets it through raw) becomes its escape: valid JSON, writable as UTF-8.
    assert json_inert(json.dumps("\udc80", ensure_ascii=False)) == '"\\udc80"'


def test_safe_url_is_printable_ascii() -> None:
    url = safe_url("https://e.org/\u202egnp.exe?q=\x1b[2J&r=\u200f\ud800")
    assert url is not None and url.isascii() and url.isprintable()
    assert "%E2%80%AE" in url and "%1B" in url


def test_split_whitespace_holds_all_white_space_the_markdown_table_leaves() -> None:
    # md_cell's shortcut skips splitting text without these characters or Markdown specials, minding only spaces.
    table = escape._markdown_tables()[1][0]
    spaces = {code for code in range(sys.maxunicode + 1) if chr(code).isspace()}
    assert spaces - {0x20} <= set(SPLIT_WHITESPACE) | set(table)
    assert set(SPLIT_WHITESPACE) <= spaces
