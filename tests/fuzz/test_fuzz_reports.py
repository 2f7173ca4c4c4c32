"""Report writers on fuzzed models: tables keep their shape, links stay http(s), JSON round-trips."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from citecheck.models import (
    ArchiveResult,
    ArchiveStatus,
    AuditSummary,
    DocumentInfo,
    DocumentReport,
    DocumentSummary,
    Finding,
    LiveCheck,
    LiveStatus,
    NetworkState,
    Reference,
    Severity,
    SourceFlag,
)
from citecheck.reports.escape import md_cell, md_link
from citecheck.reports.markdown import render_document_markdown, render_index_markdown
from citecheck.reports.writer import report_json, summary_json
from tests.fuzz.profile import FUZZ

pytestmark = pytest.mark.fuzz

HOSTILE_BITS = ["|", "\\|", "\n", "\r\n", "\u2028", "`", "<script>", "[x](javascript:y)", "](", "<", ">", "*", "\\"]
hostile = st.lists(st.one_of(st.text(max_size=15), st.sampled_from(HOSTILE_BITS)), max_size=6).map("".join)
urls = st.one_of(
    st.none(),
    hostile,
    st.sampled_from(
        [
            "javascript:alert(1)",
            "JaVaScRiPt:x",
            "data:text/html,x",
            "https://e.org/a|b c",
            "http://e.org/)x<y>",
            "//e.org",
        ]
    ),
    st.builds(lambda tail: "https://e.org/" + tail, hostile),
)
moments = st.one_of(st.none(), st.datetimes(timezones=st.just(UTC)))

live_checks = st.builds(
    LiveCheck,
    status=st.sampled_from(list(LiveStatus)),
    http_status=st.one_of(st.none(), st.integers(100, 999)),
    final_url=urls,
    checked_at=moments,
    evidence=st.lists(hostile, max_size=2),
    reason=st.one_of(st.none(), hostile),
)
archive_results = st.builds(
    ArchiveResult,
    status=st.sampled_from(list(ArchiveStatus)),
    archive=st.one_of(st.none(), hostile),
    snapshot_url=urls,
    snapshot_time=moments,
    snapshot_status=st.one_of(st.none(), st.integers(100, 599)),
    days_from_access=st.one_of(st.none(), st.integers(-5000, 5000)),
    reason=st.one_of(st.none(), hostile),
)


@st.composite
def reports(draw: st.DrawFn) -> DocumentReport:
    references = [
        Reference(
            id=f"{draw(hostile)}{index}",
            raw=draw(hostile),
            title=draw(st.one_of(st.none(), hostile)),
            authors=draw(st.lists(hostile, max_size=2)),
            work=draw(st.one_of(st.none(), hostile)),
            url=draw(urls),
            archive_url=draw(urls),
            source_flags=draw(st.lists(st.sampled_from(list(SourceFlag)), max_size=2)),  # a typed vocabulary
            uses=draw(st.integers(0, 5)),
            live=draw(live_checks),
            archive=draw(archive_results),
        )
        for index in range(draw(st.integers(0, 4)))
    ]
    findings = [
        Finding(
            code=draw(st.sampled_from(["CC101", "CC201", "CC302", "CC601"])),  # codes come from our catalogue
            name=draw(st.sampled_from(["empty-reference", "dead-link", "snapshot-far-from-access"])),
            severity=draw(st.sampled_from(list(Severity))),
            ref=draw(st.one_of(st.none(), st.sampled_from([r.id for r in references] or ["x"]))),
            message=draw(hostile),
            line=draw(st.one_of(st.none(), st.integers(0, 10**6))),
        )
        for _ in range(draw(st.integers(0, 4)))
    ]
    return DocumentReport(
        document=DocumentInfo(path=draw(hostile) or "doc", format="text", title=draw(st.one_of(st.none(), hostile))),
        references=references,
        findings=findings,
        notices=draw(st.lists(hostile, max_size=2)),
        network=NetworkState(mode=draw(st.sampled_from(["offline", "online", "unreachable"])), message=draw(hostile)),
        generated_at=datetime(2024, 1, 1, tzinfo=UTC),
    )


_UNESCAPED_PIPE = re.compile(r"(?<!\\)(?:\\\\)*\|")
# A link opens at an unescaped "](" (an even run of backslashes before it escapes nothing).
_LINK_TARGET = re.compile(r"(?<!\\)(?:\\\\)*\]\(<?\s*([^)>\s]*)")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):", re.IGNORECASE)


def _safe_target(target: str) -> bool:
    """http(s), or a scheme-less reference to our own files and anchors (``doc.md``, ``#ref-3``)."""
    scheme = _SCHEME.match(target)
    return scheme is None or scheme.group(1).lower() in ("http", "https")


def assert_inert_markdown(markdown: str) -> None:
    table: list[int] = []
    for line in [*markdown.split("\n"), ""]:
        if line.startswith("|"):
            table.append(len(_UNESCAPED_PIPE.findall(line)))
            continue
        assert len(set(table)) <= 1, f"a table row has a different number of cells: {table}"
        table = []
    for target in _LINK_TARGET.findall(markdown):
        assert _safe_target(target), f"unsafe link target {target!r}"
    assert "\r" not in markdown and "\u2028" not in markdown


@FUZZ
@given(report=reports())
def test_document_report_writers(report: DocumentReport) -> None:
    assert_inert_markdown(render_document_markdown(report))
    assert DocumentReport.model_validate_json(report_json(report)) == report


@FUZZ
@given(
    titles=st.lists(st.tuples(hostile, st.one_of(st.none(), hostile)), max_size=4),
    message=hostile,
    errors=st.lists(hostile, max_size=2),
)
def test_index_writer(titles: list[tuple[str, str | None]], message: str, errors: list[str]) -> None:
    from citecheck.models import DocumentError

    summary = AuditSummary(
        generated_at=datetime(2024, 1, 1, tzinfo=UTC),
        network=NetworkState(mode="online", message=message),
        documents=[
            DocumentSummary(
                path=path or "doc",
                title=title,
                format="markdown",
                report_md=f"{index}.md",
                report_json=f"{index}.json",
                references=index,
                claims=index,
                cited_claims=0,
                findings={"error": index, "warning": 0, "info": 1},
                codes={"CC101": index},
            )
            for index, (path, title) in enumerate(titles)
        ],
        errors=[DocumentError(path=error or "x", error=error) for error in errors],
    )
    assert_inert_markdown(render_index_markdown(summary))
    assert AuditSummary.model_validate_json(summary_json(summary)) == summary


@FUZZ
@given(text=hostile)
def test_table_cell_is_one_line_without_bare_pipes(text: str) -> None:
    cell = md_cell(text)
    assert "\n" not in cell and "\r" not in cell
    assert not _UNESCAPED_PIPE.search(cell), cell


@FUZZ
@given(label=hostile, url=urls)
def test_links_are_only_ever_http(label: str, url: str | None) -> None:
    link = md_link(label, url)
    assert "\n" not in link
    for target in _LINK_TARGET.findall(link):
        assert target.lower().startswith(("http://", "https://")), (label, url, link)
    assert not re.search(r"(?<!\\)\]\(<?\s*javascript:", link, re.IGNORECASE)
