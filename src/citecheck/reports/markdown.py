"""Markdown reports people read: summary first, then claims, references, findings.

Everything from the audited document passes through :mod:`citecheck.reports.escape`.
"""

from __future__ import annotations

import re
from collections import Counter

from citecheck.checks.catalogue import RULES
from citecheck.checks.provenance import source_state
from citecheck.models import AuditSummary, DocumentReport, Finding, Reference, Severity
from citecheck.reports.escape import md_cell, md_link, md_text

SEVERITY_ORDER = [Severity.error, Severity.warning, Severity.info]
SEVERITY_ICON = {Severity.error: "✖ error", Severity.warning: "▲ warning", Severity.info: "ℹ info"}
STATE_LABEL = {
    "live": "live",
    "archived": "archived",
    "lost": "**lost**",
    "no-url": "no URL",
    "not-checked": "not checked",
}
_ANCHOR_RE = re.compile(r"[^A-Za-z0-9_-]")
WORST_SHOWN = 10


def anchor(kind: str, identifier: str) -> str:
    """An HTML id for a table row; ids come from documents, so only safe characters survive."""
    return f"{kind}-{_ANCHOR_RE.sub('_', identifier)}"


def _where(finding: Finding) -> str:
    parts = []
    if finding.ref:
        parts.append(f"[ref {md_cell(finding.ref, 20)}](#{anchor('ref', finding.ref)})")
    if finding.claim:
        parts.append(f"[{md_cell(finding.claim, 20)}](#{anchor('claim', finding.claim)})")
    if finding.line:
        parts.append(f"line {finding.line}")
    return ", ".join(parts) or "document"


def _date(value: object) -> str:
    return md_cell(value, 20) if value else "—"


def _reference_citation(reference: Reference) -> str:
    pieces = []
    if reference.authors:
        pieces.append(md_cell("; ".join(reference.authors), 80))
    if reference.title:
        pieces.append(f"“{md_cell(reference.title, 160)}”")
    if reference.work or reference.publisher:
        pieces.append(md_cell(" · ".join(filter(None, [reference.work, reference.publisher])), 80))
    if not pieces:
        pieces.append(md_cell(reference.raw or "(empty)", 160))
    return ". ".join(pieces)


def _reference_links(reference: Reference) -> str:
    links = []
    if reference.url:
        links.append(md_link("original", reference.url))
    if reference.archive_url:
        links.append(md_link("cited archive", reference.archive_url))
    if reference.archive.snapshot_url:
        links.append(md_link("snapshot", reference.archive.snapshot_url))
    return "<br>".join(links) or "—"


def _live_cell(reference: Reference) -> str:
    live = reference.live
    text = live.status.value
    if live.http_status:
        text += f" ({live.http_status})"
    if live.status.value == "dead" and not live.confirmed:
        text += ", unconfirmed"
    return md_cell(text)


def _archive_cell(reference: Reference) -> str:
    archive = reference.archive
    text = archive.status.value
    if archive.snapshot_time:
        text += f" {archive.snapshot_time:%Y-%m-%d}"
    if archive.days_from_access is not None:
        text += f" ({archive.days_from_access:+d} d)"
    return md_cell(text)


def render_document_markdown(report: DocumentReport) -> str:
    """The per-document report: summary, worst problems, claims, references, all findings."""
    document = report.document
    references = {reference.id: reference for reference in report.references}
    by_severity = Counter(finding.severity for finding in report.findings)
    cited = sum(1 for claim in report.claims if claim.refs)
    lines: list[str] = []
    title = document.title or document.path
    lines.append(f"# Citation audit: {md_text(title, 120)}")
    lines.append("")
    lines.append(
        f"{md_cell(document.path, 200)} · {document.format} · "
        f"{len(report.references)} references · {len(report.claims)} claims ({cited} cited)"
    )
    lines.append("")
    lines.append(f"> **Network:** {md_text(report.network.message)}")
    lines.append("")

    lines.append("## Summary")
    lines.append("")
    lines.append("| severity | findings |")
    lines.append("| --- | ---: |")
    for severity in SEVERITY_ORDER:
        lines.append(f"| {SEVERITY_ICON[severity]} | {by_severity.get(severity, 0)} |")
    verdicts = Counter(claim.verdict for claim in report.claims)
    states = Counter(source_state(reference) for reference in report.references)
    lines.append("")
    lines.append(
        "Claims by verdict: " + (", ".join(f"{md_cell(k)} {v}" for k, v in verdicts.most_common()) or "none") + "  "
    )
    lines.append(
        "Sources by state: " + (", ".join(f"{STATE_LABEL.get(k, k)} {v}" for k, v in states.most_common()) or "none")
    )
    lines.append("")
    worst = [finding for finding in report.findings if finding.severity != Severity.info]
    worst.sort(key=lambda finding: (-finding.severity.rank, finding.code))
    if worst:
        lines.append("### Worst problems")
        lines.append("")
        for finding in worst[:WORST_SHOWN]:
            lines.append(
                f"- {SEVERITY_ICON[finding.severity]} **{finding.code}** {finding.name}: "
                f"{md_text(finding.message, 200)} ({_where(finding)})"
            )
        if len(worst) > WORST_SHOWN:
            lines.append(f"- … and {len(worst) - WORST_SHOWN} more below.")
        lines.append("")
    if report.notices:
        lines.append("### Reader notices")
        lines.append("")
        for notice in report.notices:
            lines.append(f"- {md_text(notice, 300)}")
        lines.append("")

    lines.append("## Claims")
    lines.append("")
    if report.claims:
        lines.append("| # | claim | section | sources | verdict |")
        lines.append("| --- | --- | --- | --- | --- |")
        for claim in report.claims:
            sources = []
            inferred = {evidence.ref for evidence in claim.evidence if evidence.kind == "inferred"}
            for ref in claim.refs:
                reference = references.get(ref)
                state = STATE_LABEL.get(source_state(reference), "") if reference else "missing"
                how = " (by passage)" if ref in inferred else ""
                sources.append(f"[{md_cell(ref, 20)}](#{anchor('ref', ref)}){how} {state}")
            dangling = [label for label in claim.markers if not any(label == ref for ref in claim.refs)]
            if dangling and not claim.refs:
                sources.append("dangling " + md_cell(", ".join(dangling), 40))
            lines.append(
                f'| <a id="{anchor("claim", claim.id)}"></a>{claim.id} | {md_cell(claim.text, 400)} | '
                f"{md_cell(claim.section or '', 60)} | {'<br>'.join(sources) or '—'} | {md_cell(claim.verdict)} |"
            )
    else:
        lines.append("No claims found in the document body.")
    lines.append("")

    lines.append("## References")
    lines.append("")
    if report.references:
        lines.append("| # | citation | published | retrieved | archived | links | live | archive | uses | flags |")
        lines.append("| --- | --- | --- | --- | --- | --- | --- | --- | ---: | --- |")
        for reference in report.references:
            flags = ", ".join(reference.source_flags)
            lines.append(
                f'| <a id="{anchor("ref", reference.id)}"></a>{md_cell(reference.id, 20)} | '
                f"{_reference_citation(reference)} | {_date(reference.date)} | {_date(reference.access_date)} | "
                f"{_date(reference.archive_date)} | {_reference_links(reference)} | {_live_cell(reference)} | "
                f"{_archive_cell(reference)} | {reference.uses} | {md_cell(flags) if flags else '—'} |"
            )
    else:
        lines.append("The document has no reference list.")
    lines.append("")

    lines.append("## Findings")
    lines.append("")
    if report.findings:
        lines.append("| code | name | severity | where | message |")
        lines.append("| --- | --- | --- | --- | --- |")
        ordered = sorted(report.findings, key=lambda finding: (-finding.severity.rank, finding.code))
        for finding in ordered:
            lines.append(
                f"| {finding.code} | {finding.name} | {finding.severity.value} | {_where(finding)} | "
                f"{md_cell(finding.message, 300)} |"
            )
    else:
        lines.append("No findings.")
    lines.append("")
    return "\n".join(lines)


def render_index_markdown(summary: AuditSummary) -> str:
    """``index.md``: one row per document, the worst first."""
    lines = ["# Citation audit", ""]
    lines.append(
        f"Generated {summary.generated_at:%Y-%m-%d %H:%M} UTC. **Network:** {md_text(summary.network.message)}"
    )
    lines.append("")
    totals = Counter[str]()
    for document in summary.documents:
        totals.update(document.findings)
    lines.append(
        f"{len(summary.documents)} documents audited, {len(summary.errors)} could not be read · "
        f"{totals.get('error', 0)} errors, {totals.get('warning', 0)} warnings, {totals.get('info', 0)} info."
    )
    lines.append("")
    if summary.documents:
        lines.append("| document | format | references | claims (cited) | errors | warnings | info | top codes |")
        lines.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |")
        ranked = sorted(
            summary.documents,
            key=lambda doc: (-doc.findings.get("error", 0), -doc.findings.get("warning", 0), doc.path),
        )
        for document in ranked:
            # The most frequent codes, most severe first, so the row says what kind of trouble it is.
            ranked_codes = sorted(
                document.codes.items(),
                key=lambda item: (-(RULES[item[0]].severity.rank if item[0] in RULES else 0), -item[1], item[0]),
            )
            top = ", ".join(f"{code}×{count}" for code, count in ranked_codes[:4])
            lines.append(
                f"| [{md_cell(document.title or document.path, 80)}](<{document.report_md}>) | {document.format} | "
                f"{document.references} | {document.claims} ({document.cited_claims}) | "
                f"{document.findings.get('error', 0)} | {document.findings.get('warning', 0)} | "
                f"{document.findings.get('info', 0)} | {top or '—'} |"
            )
        lines.append("")
    if summary.errors:
        lines.append("## Documents that could not be audited")
        lines.append("")
        for error in summary.errors:
            lines.append(f"- {md_text(error.error, 300)}")
        lines.append("")
    return "\n".join(lines)
