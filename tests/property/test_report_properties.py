"""Whatever a document contains, the reports stay well-formed and inert."""

from __future__ import annotations

import re
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from citecheck.config import AuditOptions
from citecheck.models import Marker, Paragraph, ParsedDocument, Reference, Section
from citecheck.pipeline import OFFLINE_STATE, audit_parsed
from citecheck.reports.markdown import render_document_markdown
from citecheck.reports.writer import report_json

CELL_RE = re.compile(r"<t[hd][ >]")
RENDERER = MarkdownIt("commonmark").enable("table")
HOSTILE_BITS = ["|", "`", "<script>", "</td>", "[x](javascript:y)", "\n", "\r", "*", "_", "\\", "<!--", "&"]
hostile_text = st.lists(st.one_of(st.text(max_size=20), st.sampled_from(HOSTILE_BITS)), max_size=8).map("".join)


@st.composite
def documents(draw: st.DrawFn) -> ParsedDocument:
    references = [
        Reference(
            id=draw(st.sampled_from(["1", "2", "x|y", "<a>", "n 1"])) + str(index),
            raw=draw(hostile_text),
            title=draw(st.one_of(st.none(), hostile_text)),
            work=draw(st.one_of(st.none(), hostile_text)),
            url=draw(st.one_of(st.none(), st.just("javascript:alert(1)"), st.just("https://e.org/a|b"))),
            authors=draw(st.lists(hostile_text, max_size=2)),
        )
        for index in range(draw(st.integers(0, 4)))
    ]
    paragraphs = []
    for _ in range(draw(st.integers(0, 3))):
        text = draw(hostile_text)
        markers = [
            Marker(
                label=draw(hostile_text) or "1",
                offset=draw(st.integers(0, len(text))),
                ref_id=draw(st.one_of(st.none(), st.sampled_from([r.id for r in references] or ["1"]))),
            )
            for _ in range(draw(st.integers(0, 3)))
        ]
        paragraphs.append(Paragraph(text=text, markers=markers))
    return ParsedDocument(
        path=draw(hostile_text) or "doc",
        format="text",
        title=draw(st.one_of(st.none(), hostile_text)),
        sections=[Section(title=draw(st.one_of(st.none(), hostile_text)), paragraphs=paragraphs)],
        references=references,
        notices=draw(st.lists(hostile_text, max_size=2)),
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_reports_are_well_formed_for_any_document(document: ParsedDocument) -> None:
    report = audit_parsed(document, AuditOptions(offline=True, today=date(2026, 1, 1)), OFFLINE_STATE)
    markdown = render_document_markdown(report)
    html = RENDERER.render(markdown)
    assert "<script" not in html
    assert 'href="javascript' not in html
    # Every table row has exactly as many cells as its header.
    for block in markdown.split("\n\n"):
        rows = [line for line in block.splitlines() if line.startswith("| ")]
        if len(rows) >= 2:
            table_rows = RENDERER.render(block).split("</tr>")
            header_cells = len(CELL_RE.findall(table_rows[0]))
            assert header_cells == rows[0].count(" | ") + 1
            for row_html in table_rows[1:-1]:
                assert len(CELL_RE.findall(row_html)) == header_cells
    assert report_json(report).startswith("{")
