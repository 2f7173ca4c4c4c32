"""How claim evidence reads: passages, figures the source gives differently, drift — in Markdown and plain text.

The audit's Markdown report calls :func:`evidence_markdown` for the evidence
kinds this module knows (passages, "differs", drift) and falls back to its
generic rendering for the rest; ``citecheck evidence`` prints
:func:`render_evidence_text`.  Untrusted text (the claim, the source's words)
goes through :mod:`citecheck.reports.escape` in Markdown and is kept to one
line in plain text.
"""

from __future__ import annotations

from collections.abc import Callable

from citecheck.models import Evidence, EvidenceKind, EvidenceReport, EvidenceStatus, Severity
from citecheck.reports.escape import md_cell, md_link

__all__ = ["evidence_markdown", "passage_link", "render_evidence_text"]

EXCERPT_CHARS = 200
_TEXT_EXCERPT_CHARS = 300


def passage_link(evidence: Evidence) -> str | None:
    """The evidence's URL with a ``#:~:text=`` fragment that highlights its passage, where one can be built."""
    if evidence.url is None:
        return None
    if evidence.passage is None or evidence.passage.text_fragment is None or "#" in evidence.url:
        return evidence.url
    return f"{evidence.url}#{evidence.passage.text_fragment}"


def _ref(evidence: Evidence, ref_link: Callable[[str], str]) -> str:
    return f" (ref {ref_link(evidence.ref)})" if evidence.ref else ""


def evidence_markdown(evidence: Evidence, ref_link: Callable[[str], str]) -> str | None:
    """One evidence item as a Markdown table-cell fragment, or None for kinds rendered generically."""
    if evidence.kind is EvidenceKind.passage:
        # "Closest passage in [3], sentence 14 of 126, shares 9 of 11 content words: '…'" + a link that highlights it.
        text = f"{md_cell(evidence.detail, 200)}: “{md_cell(evidence.excerpt, EXCERPT_CHARS)}”"
        link = passage_link(evidence)
        return text + (" " + md_link("read it", link) if link else "")
    if evidence.kind is EvidenceKind.figure and evidence.status is EvidenceStatus.differs:
        link = passage_link(evidence)
        text = (
            f"**figure differs**: the claim says “{md_cell(evidence.claimed, 60)}”, the source says "
            f"“{md_cell(evidence.source_says, 60)}”: “{md_cell(evidence.excerpt, EXCERPT_CHARS)}”"
        )
        return text + _ref(evidence, ref_link) + (" " + md_link("source", link) if link else "")
    if evidence.kind is EvidenceKind.drift:
        text = f"**changed on the live page**: {md_cell(evidence.detail, 300)}"
        return text + _ref(evidence, ref_link)
    return None


def _line(text: str | None, limit: int = _TEXT_EXCERPT_CHARS) -> str:
    flat = " ".join((text or "").split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def render_evidence_text(report: EvidenceReport) -> str:
    """What ``citecheck evidence`` prints: the passages, then figures, quotes, names, changes and findings."""
    source = report.source
    lines = [f"claim: {_line(report.claim)}"]
    where = source.url or source.input
    described = f"source: {_line(where, 200)} ({source.origin}, {source.chars:,} characters"
    described += f", {source.extractor})" if source.extractor else ")"
    lines.append(described)
    if source.reason:
        lines.append(f"  note: {_line(source.reason)}")
    lines.append("")
    if report.passages:
        lines.append("passages to read:")
        for evidence in report.passages:
            lines.append(f"  {_line(evidence.detail, 240)}:")
            lines.append(f"    “{_line(evidence.excerpt)}”")
            link = passage_link(evidence)
            if link and link != source.input:
                lines.append(f"    {link}")
    else:
        lines.append("passages to read: none shares a content word with the claim")
    for title, items in (("figures and dates", report.figures), ("quotes", report.quotes)):
        if items:
            lines += ["", f"{title}:"]
            for evidence in items:
                status = evidence.status.value if evidence.status else ""
                lines.append(f"  [{status}] {_line(evidence.detail, 240)}")
                if evidence.excerpt and evidence.status is not EvidenceStatus.differs:
                    lines.append(f"    “{_line(evidence.excerpt)}”")
    if report.names:
        lines += ["", "names the source does not contain:"]
        lines += [f"  {_line(evidence.claimed, 120)}" for evidence in report.names]
    if report.drift:
        lines += ["", "changed on the live page since the capture:"]
        lines += [f"  {_line(evidence.detail)}" for evidence in report.drift]
    if report.findings:
        lines += ["", "findings:"]
        for finding in sorted(report.findings, key=lambda item: -item.severity.rank):
            mark = {Severity.error: "error", Severity.warning: "warning", Severity.info: "info"}[finding.severity]
            lines.append(f"  {finding.code} {finding.name} ({mark}): {_line(finding.message)}")
    lines += ["", report.note]
    return "\n".join(lines)
