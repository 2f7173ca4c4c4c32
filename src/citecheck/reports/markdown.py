"""Markdown reports people read: a one-screen summary first, then claims, references, findings.

Everything from the audited document passes through :mod:`citecheck.reports.escape`
(``md_text``/``md_cell`` for text, ``md_link``/``safe_url`` for URLs); repair
snippets go into fenced code blocks whose fence is longer than any backtick
run inside, so they stay literal whatever the citation contains.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from urllib.parse import quote

from citecheck.checks.catalogue import RULES
from citecheck.checks.provenance import source_state
from citecheck.models import (
    AuditSummary,
    Claim,
    Conflict,
    DocumentReport,
    Evidence,
    Finding,
    Reference,
    Severity,
    SourceInfo,
)
from citecheck.reports.escape import md_cell, md_code_block, md_link, md_text
from citecheck.reports.repair import SNIPPET_LANGUAGES, repair_snippet

SEVERITY_ORDER = [Severity.error, Severity.warning, Severity.info]
SEVERITY_ICON = {Severity.error: "✖ error", Severity.warning: "▲ warning", Severity.info: "ℹ info"}
SEVERITY_HEADING = {Severity.error: "✖ Errors", Severity.warning: "▲ Warnings", Severity.info: "ℹ Info"}
STATE_LABEL = {
    "live": "live",
    "archived": "archived",
    "lost": "**lost**",
    "no-url": "no URL",
    "not-checked": "not checked",
}
# Claim verdicts, the most troubling first; verdicts this list does not know follow in name order.
VERDICT_ORDER = [
    "source-lost",
    "unsupported",
    "partially-verified",
    "unresolvable",
    "not-checked",
    "sourced",
    "verified",
    "uncited",
]
# Evidence kinds that only say how a claim is tied to a source, already shown in the sources column.
LINKING_EVIDENCE = {"marker", "attribution", "inferred"}
WORST_SHOWN = 5
_ANCHOR_RE = re.compile(r"[^A-Za-z0-9_-]")
_FILE_NAME_RE = re.compile(r"^[^/\\\x00-\x1f]+\.svg$")


def anchor(kind: str, identifier: str) -> str:
    """An HTML id for a row or section; ids come from documents, so only safe characters survive."""
    return f"{kind}-{_ANCHOR_RE.sub('_', identifier)}"


def _ordered_findings(findings: list[Finding]) -> list[Finding]:
    """Most severe first; within a severity, new findings (baseline applied) first, then by code."""
    return sorted(findings, key=lambda finding: (-finding.severity.rank, finding.new is not True, finding.code))


def _ref_link(reference_id: str) -> str:
    return f"[{md_cell(reference_id, 20)}](#{anchor('ref', reference_id)})"


def _where(finding: Finding) -> str:
    parts = []
    if finding.ref:
        parts.append(f"ref {_ref_link(finding.ref)}")
    if finding.claim:
        parts.append(f"[{md_cell(finding.claim, 20)}](#{anchor('claim', finding.claim)})")
    if finding.line:
        parts.append(f"line {finding.line}")
    return ", ".join(parts) or "document"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def _dates_cell(reference: Reference) -> str:
    dates = [("published", reference.date), ("retrieved", reference.access_date), ("archived", reference.archive_date)]
    return "<br>".join(f"{label} {md_cell(value, 20)}" for label, value in dates if value is not None) or "—"


def _counts_line(counts: Counter[str], order: list[str], labels: Mapping[str, str] | None = None) -> str:
    known = [key for key in order if counts.get(key)]
    others = sorted(key for key in counts if key not in order and counts[key])
    shown = [f"{counts[key]} {(labels or {}).get(key) or md_cell(key, 40)}" for key in known + others]
    return " · ".join(shown) or "none"


# --------------------------------------------------------------------------- summary


def _numbered_findings(findings: list[Finding]) -> list[tuple[str, Finding]]:
    """Findings in report order, each with the anchor of its row in the findings section."""
    return [(f"finding-{number}", finding) for number, finding in enumerate(_ordered_findings(findings), start=1)]


def _summary_section(report: DocumentReport, numbered: list[tuple[str, Finding]]) -> list[str]:
    by_severity = Counter(finding.severity.value for finding in report.findings)
    verdicts = Counter(claim.verdict for claim in report.claims)
    states = Counter(source_state(reference) for reference in report.references)
    lines = ["## Summary", ""]
    lines.append(
        "| findings | " + " | ".join(SEVERITY_ICON[severity] for severity in SEVERITY_ORDER) + " |"
        " claims by verdict | sources by state |"
    )
    lines.append("| --- | ---: | ---: | ---: | --- | --- |")
    baseline_applied = any(finding.new is not None for finding in report.findings)
    total = f"{len(report.findings)}"
    if baseline_applied:
        total += f" ({sum(1 for finding in report.findings if finding.new)} new)"
    lines.append(
        f"| {total} | "
        + " | ".join(str(by_severity.get(severity.value, 0)) for severity in SEVERITY_ORDER)
        + f" | {_counts_line(verdicts, VERDICT_ORDER)} | {_counts_line(states, list(STATE_LABEL), STATE_LABEL)} |"
    )
    lines.append("")
    problems = [(target, finding) for target, finding in numbered if finding.severity is not Severity.info]
    if problems:
        lines.append(f"**Worst problems** ({min(WORST_SHOWN, len(problems))} of {len(problems)}):")
        lines.append("")
        for number, (target, finding) in enumerate(problems[:WORST_SHOWN], start=1):
            new = " **new**" if finding.new else ""
            lines.append(
                f"{number}. {SEVERITY_ICON[finding.severity]}{new} [**{finding.code}** {finding.name}](#{target}): "
                f"{md_text(finding.message, 160)} ({_where(finding)})"
            )
        lines.append("")
    else:
        lines.append("No errors or warnings.")
        lines.append("")
    if report.notices:
        lines.append("Reader notices:")
        lines.append("")
        for notice in report.notices:
            lines.append(f"- {md_text(notice, 300)}")
        lines.append("")
    return lines


# --------------------------------------------------------------------------- claims


def _claim_sources(claim: Claim, references: Mapping[str, Reference]) -> str:
    inferred = {evidence.ref for evidence in claim.evidence if evidence.kind == "inferred"}
    sources = []
    for ref in claim.refs:
        reference = references.get(ref)
        state = STATE_LABEL.get(source_state(reference), "") if reference else "missing"
        how = " (by passage)" if ref in inferred else ""
        sources.append(f"{_ref_link(ref)}{how} {state}")
    dangling = [label for label in claim.markers if label not in claim.refs]
    if dangling and not claim.refs:
        sources.append("dangling " + md_cell(", ".join(dangling), 40))
    return "<br>".join(sources) or "—"


def _evidence_item(evidence: Evidence) -> str:
    pieces = [md_cell(evidence.kind, 20)]
    if evidence.status:
        pieces.append(md_cell(evidence.status, 20))
    text = " ".join(pieces) + ":"
    if evidence.excerpt:
        text += f" “{md_cell(evidence.excerpt, 200)}”"
    else:
        text += f" {md_cell(evidence.detail, 160)}"
    if evidence.ref:
        text += f" (ref {_ref_link(evidence.ref)})"
    if evidence.url:
        text += " " + md_link("source", evidence.url)
    return text


def _claim_evidence(claim: Claim, references: Mapping[str, Reference]) -> str:
    items = [_evidence_item(evidence) for evidence in claim.evidence if evidence.kind not in LINKING_EVIDENCE]
    if not items:
        # No passage was compared yet: the capture a reader can open is the evidence there is.
        for ref in claim.refs:
            reference = references.get(ref)
            if reference is not None and source_state(reference) == "archived":
                items.append(md_link(f"snapshot of {ref}", reference.archive.snapshot_url, 40))
    return "<br>".join(items) or "—"


def _claims_section(report: DocumentReport, references: Mapping[str, Reference]) -> list[str]:
    lines = ["## Claims and their sources", ""]
    if not report.claims:
        return [*lines, "No claims found in the document body.", ""]
    lines.append("| # | claim | section | sources | verdict | evidence |")
    lines.append("| --- | --- | --- | --- | --- | --- |")
    for claim in report.claims:
        lines.append(
            f'| <a id="{anchor("claim", claim.id)}"></a>{md_cell(claim.id, 20)} | {md_cell(claim.text, 400)} | '
            f"{md_cell(claim.section or '', 60)} | {_claim_sources(claim, references)} | "
            f"{md_cell(claim.verdict, 30)} | {_claim_evidence(claim, references)} |"
        )
    lines.append("")
    return lines


# --------------------------------------------------------------------------- references


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
    text = ". ".join(pieces)
    links = []
    if reference.url:
        links.append(md_link("original", reference.url))
    if reference.archive_url:
        links.append(md_link("cited archive", reference.archive_url))
    if links:
        text += "<br>" + " · ".join(links)
    return text


def _live_cell(reference: Reference) -> str:
    live = reference.live
    text = live.status.value
    if live.http_status:
        text += f" ({live.http_status})"
    if live.status.value == "dead" and not live.confirmed:
        text += ", unconfirmed"
    return md_cell(text)


def _snapshot_cell(reference: Reference) -> str:
    archive = reference.archive
    text = md_cell(archive.status.value)
    if archive.snapshot_url:
        when = f"{archive.snapshot_time:%Y-%m-%d}" if archive.snapshot_time else "snapshot"
        text = f"{text} {md_link(when, archive.snapshot_url)}"
    elif archive.snapshot_time:
        text += f" {archive.snapshot_time:%Y-%m-%d}"
    if archive.days_from_access is not None:
        text += f" ({archive.days_from_access:+d} d from access)"
    return text


def _source_cell(source: SourceInfo) -> str:
    if source.status == "fetched":
        origin = "from the live page (no capture)" if source.origin == "live" else "from the capture"
        text = f"read {origin}"
        if source.chars is not None:
            text += f", {source.chars} chars"
        if source.page_date is not None:
            text += f"; page dated {md_cell(source.page_date.date, 20)} ({md_cell(source.page_date.method, 40)})"
        return text
    if source.status == "unavailable":
        return "unavailable" + (f": {md_cell(source.reason, 80)}" if source.reason else "")
    return "not read"


def _references_section(report: DocumentReport, timelines: Mapping[str, str], repairs: Mapping[str, str]) -> list[str]:
    lines = ["## References", ""]
    if not report.references:
        return [*lines, "The document has no reference list.", ""]
    lines.append("| # | citation | dates (as cited) | live | snapshot | source read | uses | flags | details |")
    lines.append("| --- | --- | --- | --- | --- | --- | ---: | --- | --- |")
    for reference in report.references:
        flags = ", ".join(reference.source_flags)
        details = []
        if reference.id in timelines:
            details.append("timeline")
        if reference.id in repairs:
            details.append("repair")
        if reference.candidates:
            details.append(f"{len(reference.candidates)} candidate{'s' if len(reference.candidates) > 1 else ''}")
        details_cell = f"[{', '.join(details)}](#{anchor('details', reference.id)})" if details else "—"
        lines.append(
            f'| <a id="{anchor("ref", reference.id)}"></a>{md_cell(reference.id, 20)} | '
            f"{_reference_citation(reference)} | {_dates_cell(reference)} | "
            f"{_live_cell(reference)} | {_snapshot_cell(reference)} | "
            f"{_source_cell(reference.source)} | {reference.uses} | {md_cell(flags) if flags else '—'} | "
            f"{details_cell} |"
        )
    lines.append("")
    lines.extend(_reference_details(report, timelines, repairs))
    return lines


def _timeline_image(reference: Reference, file_name: str) -> str | None:
    # The lead's writer puts the file next to the report; anything that is not a plain
    # file name (a path, a URL) is not ours and is not embedded.
    if not _FILE_NAME_RE.match(file_name):
        return None
    alt = md_text(f"Timeline of reference {reference.id}", 60)
    return f"![{alt}](<{quote(file_name)}>)"


def _reference_details(report: DocumentReport, timelines: Mapping[str, str], repairs: Mapping[str, str]) -> list[str]:
    lines: list[str] = []
    language = SNIPPET_LANGUAGES.get(report.document.format, "text")
    for reference in report.references:
        image = _timeline_image(reference, timelines[reference.id]) if reference.id in timelines else None
        snippet = repairs.get(reference.id)
        if image is None and snippet is None and not reference.candidates:
            continue
        if not lines:
            lines += ["### Reference details", ""]
        title = f" — {md_text(reference.title, 80)}" if reference.title else ""
        lines.append(f'#### <a id="{anchor("details", reference.id)}"></a>Reference {md_text(reference.id, 20)}{title}')
        lines.append("")
        if image is not None:
            lines += [image, ""]
        if snippet is not None:
            lines.append(f"Suggested repair ({language}): the link is gone and a good capture exists.")
            lines.append("")
            lines += [*md_code_block(snippet, language), ""]
        if reference.candidates:
            lines.append("Discovery candidates (proposals for a reference without a URL, not verified facts):")
            lines.append("")
            for candidate in reference.candidates:
                matched = md_text(", ".join(candidate.matched_words), 120) if candidate.matched_words else "—"
                item = f"- candidate {md_link(candidate.url, candidate.url, 100)} (score {candidate.score:.2f}"
                item += f"; matched: {matched})"
                if candidate.snapshot_url:
                    when = f"{candidate.snapshot_time:%Y-%m-%d}" if candidate.snapshot_time else "snapshot"
                    item += f" · {md_link('capture ' + when, candidate.snapshot_url)}"
                lines.append(item)
            lines.append("")
    return lines


# --------------------------------------------------------------------------- findings


def _findings_section(report: DocumentReport, numbered: list[tuple[str, Finding]]) -> list[str]:
    lines = ["## Findings", ""]
    if not report.findings:
        return [*lines, "No findings.", ""]
    baseline_applied = any(finding.new is not None for finding in report.findings)
    for severity in SEVERITY_ORDER:
        group = [(target, finding) for target, finding in numbered if finding.severity is severity]
        if not group:
            continue
        lines += [f"### {SEVERITY_HEADING[severity]} ({len(group)})", ""]
        if baseline_applied:
            lines += ["| code | name | where | message | new |", "| --- | --- | --- | --- | --- |"]
        else:
            lines += ["| code | name | where | message |", "| --- | --- | --- | --- |"]
        for target, finding in group:
            row = (
                f'| <a id="{target}"></a>{md_cell(finding.code, 10)} | '
                f"{md_cell(finding.name, 40)} | {_where(finding)} | {md_cell(finding.message, 300)} |"
            )
            if baseline_applied:
                row += " **new** |" if finding.new else " |"
            lines.append(row)
        lines.append("")
    return lines


# --------------------------------------------------------------------------- documents


def render_document_markdown(report: DocumentReport, *, timelines: Mapping[str, str] | None = None) -> str:
    """The per-document report: summary, claims with provenance, references, findings by severity.

    ``timelines`` maps reference ids to SVG file names written next to the
    report (see :func:`citecheck.reports.timeline.timeline_names`).
    """
    document = report.document
    references = {reference.id: reference for reference in report.references}
    numbered = _numbered_findings(report.findings)
    repairs = {}
    if document.format in SNIPPET_LANGUAGES:
        for reference in report.references:
            snippet = repair_snippet(reference, document.format)
            if snippet is not None:
                repairs[reference.id] = snippet
    cited = sum(1 for claim in report.claims if claim.refs)
    lines = [f"# Citation audit: {md_text(document.title or document.path, 120)}", ""]
    lines.append(
        f"{md_cell(document.path, 200)} · {document.format} · "
        f"{len(report.references)} references · {len(report.claims)} claims ({cited} cited)"
    )
    lines.append("")
    lines.append(f"> **Network:** {md_text(report.network.message)}")
    if report.network.mode != "online":
        lines.append(">")
        lines.append("> Links shown as *not checked* were not tested; none is reported dead for that reason.")
    lines.append("")
    lines += _summary_section(report, numbered)
    lines += _claims_section(report, references)
    lines += _references_section(report, timelines or {}, repairs)
    lines += _findings_section(report, numbered)
    return "\n".join(lines)


# --------------------------------------------------------------------------- index


def _conflict_section(summary: AuditSummary) -> list[str]:
    reports = {document.path: document.report_md for document in summary.documents}
    lines = [f"## Conflicting figures ({len(summary.conflicts)})", ""]
    lines.append("Claims in this audit that give different figures for the same thing (CC503).")
    lines.append("")
    for conflict in summary.conflicts:
        lines.extend(_conflict_table(conflict, reports))
    return lines


def _conflict_table(conflict: Conflict, reports: Mapping[str, str]) -> list[str]:
    lines = [f"### {md_text(conflict.subject, 120)} ({md_text(conflict.quantity, 40)})", ""]
    lines.append("| document | says | claim | sources |")
    lines.append("| --- | --- | --- | --- |")
    for statement in conflict.statements:
        report_md = reports.get(statement.document)
        document = md_cell(statement.document, 80)
        if report_md is not None:
            document = f"[{document}](<{quote(report_md)}#{anchor('claim', statement.claim)}>)"
        sources = "<br>".join(md_cell(source, 120) for source in statement.sources) or "—"
        lines.append(
            f"| {document} | **{md_cell(statement.figure, 40)}** | {md_cell(statement.text, 300)} | {sources} |"
        )
    lines.append("")
    return lines


def render_index_markdown(summary: AuditSummary) -> str:
    """``index.md``: documents ranked by problems (errors, then warnings), then figure conflicts."""
    lines = ["# Citation audit", ""]
    lines.append(
        f"Generated {summary.generated_at:%Y-%m-%d %H:%M} UTC. **Network:** {md_text(summary.network.message)}"
    )
    lines.append("")
    totals = Counter[str]()
    for document in summary.documents:
        totals.update(document.findings)
    line = (
        f"{_plural(len(summary.documents), 'document')} audited, {len(summary.errors)} could not be read · "
        f"{_plural(totals.get('error', 0), 'error')}, {_plural(totals.get('warning', 0), 'warning')}, "
        f"{totals.get('info', 0)} info"
    )
    if summary.new_findings is not None:
        line += f" · **{summary.new_findings} new** since the baseline"
    if summary.conflicts:
        line += f" · [{_plural(len(summary.conflicts), 'figure conflict')}](#conflicting-figures)"
    lines += [line + ".", ""]
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
            top = ", ".join(f"{md_cell(code, 10)}×{count}" for code, count in ranked_codes[:4])
            lines.append(
                f"| [{md_cell(document.title or document.path, 80)}](<{quote(document.report_md)}>) | "
                f"{document.format} | {document.references} | {document.claims} ({document.cited_claims}) | "
                f"{document.findings.get('error', 0)} | {document.findings.get('warning', 0)} | "
                f"{document.findings.get('info', 0)} | {top or '—'} |"
            )
        lines.append("")
    if summary.conflicts:
        lines += ['<a id="conflicting-figures"></a>', ""]
        lines += _conflict_section(summary)
    if summary.errors:
        lines.append("## Documents that could not be audited")
        lines.append("")
        for error in summary.errors:
            lines.append(f"- {md_text(error.error, 300)}")
        lines.append("")
    return "\n".join(lines)
