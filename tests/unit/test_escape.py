"""Untrusted citation text must never break a table or inject markup into a report."""

from __future__ import annotations

from markdown_it import MarkdownIt

from citecheck.reports.escape import md_cell, md_link, md_text, safe_url

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
