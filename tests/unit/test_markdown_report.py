"""The Markdown reports: one-screen summary first, provenance, references with timelines and repairs, findings."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

from markdown_it import MarkdownIt

from citecheck.config import AuditOptions
from citecheck.documents import read_document
from citecheck.models import (
    ArchiveResult,
    ArchiveStatus,
    AuditSummary,
    Candidate,
    Claim,
    Conflict,
    ConflictStatement,
    DocumentInfo,
    DocumentReport,
    DocumentSummary,
    Evidence,
    Finding,
    LiveCheck,
    LiveStatus,
    NetworkState,
    Reference,
    Severity,
    SourceInfo,
)
from citecheck.pipeline import OFFLINE_STATE, audit_parsed
from citecheck.reports.escape import code_fence
from citecheck.reports.markdown import (
    anchor,
    render_document_files,
    render_document_markdown,
    render_index_markdown,
)
from citecheck.reports.timeline import timeline_names
from tests.conftest import shared_path

RENDERER = MarkdownIt("commonmark").enable("table")
CELL_RE = re.compile(r"<t[hd][ >]")
SNAPSHOT = "https://web.archive.org/web/20110509101500/http://news.example/bridge"
ONLINE = NetworkState(mode="online", message="Live and archive checks ran.")


def _finding(code: str, severity: Severity, ref: str | None = None, new: bool | None = None) -> Finding:
    return Finding(code=code, name=code.lower(), severity=severity, ref=ref, message=f"{code} happened", new=new)


def _report(findings: list[Finding] | None = None, document_format: str = "wikitext") -> DocumentReport:
    references = [
        Reference(
            id="1",
            kind="template",
            raw="{{cite web |url=http://news.example/bridge |title=Bridge ``` opens}}",
            title="Bridge ``` opens",
            url="http://news.example/bridge",
            date="2011-04-14",
            access_date="2011-05-08",
            live=LiveCheck(status=LiveStatus.dead, http_status=404, confirmed=True),
            archive=ArchiveResult(
                status=ArchiveStatus.found,
                snapshot_url=SNAPSHOT,
                snapshot_time=datetime(2011, 5, 9, 10, 15, tzinfo=UTC),
                days_from_access=1,
            ),
            source=SourceInfo(status="fetched", origin="capture", url=SNAPSHOT, chars=900),
        ),
        Reference(
            id="2",
            kind="numbered",
            raw="Harbour Guide, 2009.",
            title="Harbour Guide",
            date="2009",
            source=SourceInfo(status="fetched", origin="live", url="http://guide.example/", chars=50),
            candidates=[
                Candidate(
                    url="http://guide.example/harbour",
                    score=0.82,
                    matched_words=["harbour", "guide"],
                    snapshot_url="https://web.archive.org/web/2010/http://guide.example/harbour",
                    snapshot_time=datetime(2010, 3, 1, tzinfo=UTC),
                )
            ],
        ),
    ]
    claims = [
        Claim(
            id="c1",
            text='It carried "4,000 cars".',
            refs=["1"],
            verdict="verified",
            evidence=[
                Evidence(kind="marker", detail="[1]", ref="1"),
                Evidence(
                    kind="quote",
                    detail="found",
                    ref="1",
                    status="found",
                    excerpt="it carried 4,000 cars on its first day",
                    url=SNAPSHOT,
                ),
            ],
        ),
        Claim(id="c2", text="Nobody cited this.", verdict="uncited"),
        Claim(id="c3", text="The guide says so.", refs=["2"], verdict="source-lost"),
    ]
    default_findings = [
        _finding("CC601", Severity.info),
        _finding("CC301", Severity.warning, "2"),
        _finding("CC201", Severity.error, "1"),
        _finding("CC105", Severity.warning, "2"),
        _finding("CC303", Severity.warning, "1"),
        _finding("CC401", Severity.error, "1"),
        _finding("CC106", Severity.warning, "2"),
    ]
    return DocumentReport.model_validate(
        {
            "document": DocumentInfo(path="docs/bridge.wiki", format=document_format, title="Harbour Bridge"),
            "references": references,
            "claims": claims,
            "findings": default_findings if findings is None else findings,
            "network": ONLINE,
        }
    )


def _sections(markdown: str) -> list[str]:
    return [line[3:] for line in markdown.splitlines() if line.startswith("## ")]


def _assert_tables_well_formed(markdown: str) -> int:
    """Every table row renders exactly as many cells as its header; returns the number of tables."""
    tables = 0
    for block in markdown.split("\n\n"):
        rows = [line for line in block.splitlines() if line.startswith("| ")]
        if len(rows) < 2:
            continue
        tables += 1
        rendered = RENDERER.render(block).split("</tr>")
        header_cells = len(CELL_RE.findall(rendered[0]))
        assert header_cells == rows[0].count(" | ") + 1, rows[0]
        for row_html in rendered[1:-1]:
            assert len(CELL_RE.findall(row_html)) == header_cells, row_html
    return tables


def test_sections_come_in_reading_order() -> None:
    markdown = render_document_markdown(_report())
    assert markdown.startswith("# Citation audit: Harbour Bridge")
    assert _sections(markdown) == [
        "Summary",
        "Fix first",
        "Repairs ready to paste (1)",
        "Findings",
        "References",
        "Claims and their sources",
    ]
    assert markdown.index("**Network:** Live and archive checks ran.") < markdown.index("## Summary")
    # summary, three severity groups, references, cited claims
    assert _assert_tables_well_formed(markdown) == 6


def test_summary_counts_verdicts_and_severities() -> None:
    markdown = render_document_markdown(_report())
    summary = markdown.split("## Summary")[1].split("## Fix first")[0]
    assert "| 7 | 2 | 4 | 1 |" in summary  # total, errors, warnings, info
    # The most troubling verdict first.
    assert summary.index("1 source-lost") < summary.index("1 verified") < summary.index("1 uncited")
    assert "1 archived" in summary


def _fix_first(markdown: str) -> list[str]:
    section = markdown.split("## Fix first")[1].split("\n## ")[0]
    return [line for line in section.splitlines() if re.match(r"^\d+\. ", line)]


def test_fix_first_ranks_kinds_of_problem_by_harm_with_counts() -> None:
    lines = _fix_first(render_document_markdown(_report()))
    labels = [re.search(r"\*\*(.+?)\*\* \((\d+)\)", line).groups() for line in lines]  # type: ignore[union-attr]
    assert labels == [
        ("Dead links with a repair ready to paste", "1"),
        ("Impossible dates", "1"),
        ("Dates that disagree with the source or its capture", "1"),
        ("CC105 cc105", "1"),
        ("CC106 cc106", "1"),
        ("CC301 cc301", "1"),
    ]
    assert "[ref 1](#repair-1)" in lines[0] and "(#repairs)" in lines[0]
    # Every link lands on an anchor of the page.
    markdown = render_document_markdown(_report())
    for target in re.findall(r"\]\(#([\w-]+)\)", "\n".join(lines)):
        assert f'<a id="{target}"></a>' in markdown, target


def test_fix_first_groups_one_kind_into_one_line_and_puts_lost_sources_first() -> None:
    report = _report([_finding("CC403", Severity.warning, "1") for _ in range(5)])
    report.references[0].archive = ArchiveResult(status=ArchiveStatus.none)  # dead and no capture: lost
    report.findings.append(_finding("CC502", Severity.warning, None))
    report.findings[-1].claim = "c1"
    report.findings.append(_finding("CC201", Severity.error, "1"))
    lines = _fix_first(render_document_markdown(report))
    assert "Sources lost, with no capture to fall back on** (1)" in lines[0] and "cited by 1 claim" in lines[0]
    assert "Misquotes and figures the source does not give** (1)" in lines[1] and "[claim c1]" in lines[1]
    assert "Dates that disagree with the source or its capture** (5)" in lines[2]
    assert len(lines) == 3  # five identical date findings are one line; the lost source's CC201 is line one
    assert "Repairs ready to paste" not in render_document_markdown(report)


def test_no_errors_or_warnings_says_nothing_to_fix() -> None:
    report = _report([_finding("CC601", Severity.info)])
    report.references[0].live = LiveCheck(status=LiveStatus.alive, http_status=200)
    markdown = render_document_markdown(report)
    assert "Nothing to fix: no errors or warnings." in markdown


def test_long_tables_and_uncited_sentences_collapse() -> None:
    report = _report()
    template = report.claims[1]
    report.claims += [template.model_copy(update={"id": f"u{index}"}) for index in range(40)]
    report.references += [report.references[1].model_copy(update={"id": f"r{index}"}) for index in range(30)]
    markdown = render_document_markdown(report)
    assert "<summary>32 references — show the table</summary>" in markdown
    assert "### Uncited sentences (41)" in markdown
    assert "<summary>41 uncited sentences — show them</summary>" in markdown
    assert "<summary>1 info finding — show the table</summary>" in markdown
    # The cited claims (two) stay open.
    claims = markdown.split("## Claims and their sources")[1].split("### Uncited")[0]
    assert "<details>" not in claims
    html = RENDERER.render(markdown)
    assert html.count("<details>") == html.count("</details>") == 3
    _assert_tables_well_formed(markdown)


def test_large_report_is_split_into_linked_files_under_the_limit() -> None:
    report = _report()
    template = report.claims[0]
    report.claims += [
        template.model_copy(update={"id": f"x{index}", "text": f"Claim {index} " + "words " * 60})
        for index in range(400)
    ]
    pages = render_document_files(report, "bridge", limit=40_000)
    assert next(iter(pages)) == "bridge.md"
    assert "bridge-findings.md" in pages and "bridge-claims.md" in pages and "bridge-claims-2.md" in pages
    assert all(len(text.encode()) <= 40_000 for text in pages.values())
    main = pages["bridge.md"]
    assert "## Fix first" in main and "so it is split: [Repairs ready to paste](<bridge-repairs.md>)" in main
    # A link into another file names that file; the anchor is there.
    assert "[ref 1](<bridge-repairs.md#repair-1>)" in main
    assert '<a id="repair-1"></a>' in pages["bridge-repairs.md"]
    claims_2 = pages["bridge-claims-2.md"]
    assert claims_2.startswith("# Citation audit: Harbour Bridge: Claims and their sources (part 2 of ")
    assert "| # | claim | section | sources | verdict | evidence |" in claims_2  # the table opens again
    assert "[1](<bridge-references.md#ref-1>)" in claims_2
    for text in pages.values():
        _assert_tables_well_formed(text)
    assert render_document_files(_report(), "bridge") == {"bridge.md": render_document_markdown(_report())}


def test_offline_reports_say_not_checked_is_not_dead() -> None:
    report = _report().model_copy(update={"network": OFFLINE_STATE})
    markdown = render_document_markdown(report)
    assert "none is reported dead for that reason" in markdown
    assert "none is reported dead" not in render_document_markdown(_report())


def test_claim_rows_show_sources_state_verdict_and_evidence() -> None:
    markdown = render_document_markdown(_report())
    row = next(line for line in markdown.splitlines() if '<a id="claim-c1"></a>' in line)
    cells = [cell.strip() for cell in row.split(" | ")]
    assert cells[3] == "[1](#ref-1) archived"
    assert cells[4] == "verified"
    assert "quote found: “it carried 4,000 cars on its first day”" in cells[5]
    assert f"[source](<{SNAPSHOT}>)" in cells[5]
    assert "marker" not in cells[5]  # how the claim is tied to its source is the sources column's job


def test_claim_sources_read_by_passage_missing_and_repeated_ids_alike() -> None:
    # Each reference's state is worked out once per report; the claim rows must read as they did when every row
    # asked for it: a repeated id means the last reference with it (as every lookup by id), an unknown id "missing".
    report = _report()
    gone = LiveCheck(status=LiveStatus.dead)
    report.references.append(
        report.references[1].model_copy(update={"live": gone, "archive": ArchiveResult(status="none")})
    )
    inferred = Evidence(kind="inferred", detail="covered by the citation closing the passage", ref="1")
    report.claims.append(
        Claim(id="c4", text="Three.", refs=["1", "2", "9"], verdict="not-checked", evidence=[inferred])
    )
    markdown = render_document_markdown(report)
    row = next(line for line in markdown.splitlines() if '<a id="claim-c4"></a>' in line)
    cells = [cell.strip() for cell in row.split(" | ")]
    assert cells[3] == "[1](#ref-1) (by passage) archived<br>[2](#ref-2) **lost**<br>[9](#ref-9) missing"
    assert "| 1 archived · 1 **lost** · 1 no URL |" in markdown  # the summary counts both references with id 2


def test_anchors_keep_only_safe_characters() -> None:
    for identifier in ["12", "c40", "Ab9", "", "a b", "x|y", "ref-1_a", "é", "\u0663", "1\n2", "<a>"]:
        assert anchor("ref", identifier) == "ref-" + re.sub(r"[^A-Za-z0-9_-]", "_", identifier)


def test_reference_rows_show_live_snapshot_and_source_read() -> None:
    markdown = render_document_markdown(_report())
    first = next(line for line in markdown.splitlines() if '<a id="ref-1"></a>' in line)
    assert "dead (404)" in first and f"[2011-05-09](<{SNAPSHOT}>)" in first and "(+1 d from access)" in first
    assert "read from the capture, 900 chars" in first
    second = next(line for line in markdown.splitlines() if '<a id="ref-2"></a>' in line)
    assert "read from the live page (no capture)" in second
    assert "[1 candidate](#details-2)" in second


def test_candidates_are_labelled_candidates() -> None:
    markdown = render_document_markdown(_report())
    details = markdown.split('<a id="details-2"></a>')[1].split("## Claims")[0]
    assert "Discovery candidates (proposals for a reference without a URL, not verified facts)" in details
    assert "- candidate [http://guide.example/harbour](<http://guide.example/harbour>) (score 0.82" in details


def test_timelines_are_embedded_from_the_given_file_names_only() -> None:
    report = _report()
    names = timeline_names(report, "bridge")
    assert names == {"1": "bridge-ref-1.svg"}  # reference 2 has a single date
    markdown = render_document_markdown(report, timelines=names)
    assert "![Timeline of reference 1](<bridge-ref-1.svg>)" in markdown
    html = RENDERER.render(markdown)
    assert '<img src="bridge-ref-1.svg" alt="Timeline of reference 1"' in html
    assert "![" not in render_document_markdown(report)
    unsafe = render_document_markdown(report, timelines={"1": "../../etc/passwd.svg", "2": "http://x.example/a.svg"})
    assert "![" not in unsafe
    spaced = render_document_markdown(report, timelines={"1": "my doc-ref-1.svg"})
    assert "(<my%20doc-ref-1.svg>)" in spaced


def test_repair_snippet_sits_in_a_fence_it_cannot_close() -> None:
    markdown = render_document_markdown(_report())
    assert "\n````wikitext\n{{cite web" in markdown  # the title holds a run of three backticks
    html = RENDERER.render(markdown)
    block = re.search(r'<pre><code class="language-wikitext">(.*?)</code></pre>', html, re.S)
    assert block is not None
    assert "archive-url=" + SNAPSHOT in block[1] and "Bridge ``` opens" in block[1]
    assert code_fence("a ``` b ````` c") == "``````"
    assert code_fence("plain") == "```"


def test_repair_follows_the_documents_format() -> None:
    markdown = render_document_markdown(_report(document_format="html"))
    assert "```html\n<a href=" in markdown and 'data-versiondate="2011-05-09"' in markdown
    text = render_document_markdown(_report(document_format="text"))
    assert "Archived from the original on 9 May 2011." in text


def test_findings_grouped_by_severity_and_new_ones_marked_with_a_baseline() -> None:
    markdown = render_document_markdown(_report())
    findings = markdown.split("## Findings")[1].split("## References")[0]
    headings = [line for line in findings.splitlines() if line.startswith("### ")]
    assert headings == ["### ✖ Errors (2)", "### ▲ Warnings (4)", "### ℹ Info (1)"]
    assert "| new |" not in markdown
    findings = [
        _finding("CC201", Severity.error, "1", new=False),
        _finding("CC401", Severity.error, "1", new=True),
        _finding("CC601", Severity.info, new=False),
    ]
    baseline = render_document_markdown(_report(findings))
    assert "| code | name | where | message | new |" in baseline
    errors = baseline.split("### ✖ Errors")[1].split("###")[0]
    rows = [line for line in errors.splitlines() if line.startswith('| <a id="finding-')]
    assert rows[0].endswith("**new** |") and "CC401" in rows[0]  # new ones first within a severity
    assert rows[1].endswith("happened | |")
    assert "| 3 (1 new) |" in baseline
    _assert_tables_well_formed(baseline)


def test_hostile_text_in_evidence_candidates_and_conflicts_stays_inert() -> None:
    hostile = "</td><script>alert(1)</script> | [x](javascript:alert(2)) ``` <img src=x onerror=alert(3)>"
    report = _report()
    report.claims[0].evidence[1].excerpt = hostile
    report.claims[0].evidence[1].url = "javascript:alert(4)"
    report.references[1].candidates[0].matched_words = [hostile]
    report.references[0].title = hostile
    report.findings[0].message = hostile
    markdown = render_document_markdown(report, timelines=timeline_names(report, "x"))
    html = RENDERER.render(markdown)
    assert "<script" not in html and "<img src=x" not in html and 'href="javascript' not in html
    _assert_tables_well_formed(markdown)
    summary = _summary([report])
    summary.conflicts[0].statements[0].text = hostile
    summary.conflicts[0].subject = hostile
    index = RENDERER.render(render_index_markdown(summary))
    assert "<script" not in index and 'href="javascript' not in index


def _summary(reports: list[DocumentReport]) -> AuditSummary:
    documents = []
    for index, report in enumerate(reports):
        severities = {severity.value: 0 for severity in Severity}
        for finding in report.findings:
            severities[finding.severity.value] += 1
        documents.append(
            DocumentSummary(
                path=report.document.path,
                title=report.document.title,
                format=report.document.format,
                report_md=f"doc{index}.md",
                report_json=f"doc{index}.json",
                references=len(report.references),
                claims=len(report.claims),
                cited_claims=sum(1 for claim in report.claims if claim.refs),
                findings=severities,
                codes={finding.code: 1 for finding in report.findings},
            )
        )
    return AuditSummary(
        generated_at=datetime(2025, 11, 1, tzinfo=UTC),
        network=ONLINE,
        documents=documents,
        conflicts=[
            Conflict(
                subject="Camp distance north of the city",
                quantity="distance",
                statements=[
                    ConflictStatement(
                        document=reports[0].document.path,
                        claim="c1",
                        text="The camp is 60 km north.",
                        figure="60 km",
                        value=60000,
                        sources=["Harbour Times"],
                    ),
                    ConflictStatement(
                        document="elsewhere.txt",
                        claim="c9",
                        text="The camp is 40 miles north.",
                        figure="40 miles",
                        value=64374,
                    ),
                ],
            )
        ],
        new_findings=2,
    )


def test_index_ranks_documents_by_errors_then_warnings_and_lists_conflicts() -> None:
    calm = _report([_finding("CC105", Severity.warning)]).model_copy(
        update={"document": DocumentInfo(path="calm.md", format="markdown", title="Calm")}
    )
    noisy = _report([_finding("CC105", Severity.warning)] * 3).model_copy(
        update={"document": DocumentInfo(path="noisy.md", format="markdown", title="Noisy")}
    )
    broken = _report([_finding("CC201", Severity.error)]).model_copy(
        update={"document": DocumentInfo(path="broken.md", format="markdown", title="Broken")}
    )
    index = render_index_markdown(_summary([calm, noisy, broken]))
    documents_table = index.split("## Conflicting figures")[0]
    rows = [line for line in documents_table.splitlines() if line.startswith("| [")]
    assert [row.split("]")[0][3:] for row in rows] == ["Broken", "Noisy", "Calm"]
    assert "3 documents audited" in index and "**2 new** since the baseline" in index
    conflicts = index.split("## Conflicting figures (1)")[1]
    assert "### Camp distance north of the city (distance)" in conflicts
    assert "| [calm.md](<doc0.md#claim-c1>) | **60 km** | The camp is 60 km north. | Harbour Times |" in conflicts
    assert "| elsewhere.txt | **40 miles** |" in conflicts
    _assert_tables_well_formed(index)


def test_real_documents_render_well_formed_reports() -> None:
    seeds = shared_path("seeds")
    documents = sorted(path for path in seeds.iterdir() if path.suffix == ".txt" and path.name[0].isdigit())
    assert documents
    for path in [*documents[:2], seeds / "enwiki_Toronto.wikitext.txt"]:
        if not path.exists():
            continue
        parsed = read_document(path)
        report = audit_parsed(parsed, AuditOptions(offline=True, today=date(2026, 1, 1)), OFFLINE_STATE)
        markdown = render_document_markdown(report, timelines=timeline_names(report, Path(path).stem))
        assert _assert_tables_well_formed(markdown) >= 2
        summary = markdown.split("## Summary")[1].split("## Fix first")[0]
        assert f"| {len(report.findings)} |" in summary
        # Offline: nothing is dead, so nothing gets a repair; timelines need only the cited dates.
        assert "Suggested repair" not in markdown
        html = RENDERER.render(markdown)
        assert "<script" not in html
        if any(reference.date and reference.access_date for reference in report.references):
            assert "![Timeline of reference" in markdown
