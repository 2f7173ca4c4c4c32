"""``citecheck check``: one citation, given as reference text, a cite template or a bare URL."""

from __future__ import annotations

import re
from datetime import date

from pydantic import BaseModel, ConfigDict

from citecheck.checks.offline import CheckContext, run_offline_checks
from citecheck.claims.build import ClaimSet
from citecheck.config import AuditOptions
from citecheck.dates import parse_date
from citecheck.models import Finding, NetworkState, ParsedDocument, Reference
from citecheck.pipeline import exit_code_for, network_findings, resolve_network
from citecheck.references import reference_from_text

# Checks about a document's structure say nothing about one citation on its own.
DOCUMENT_LEVEL_CODES = {"CC104", "CC105", "CC106", "CC404", "CC601"}
_BARE_URL_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:\S+$")


class CheckResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    input: str
    reference: Reference
    findings: list[Finding]
    network: NetworkState
    exit_code: int


def reference_from_input(text: str) -> Reference:
    """Turn what the user pasted into a Reference. Raises ValueError with a one-line message."""
    stripped = text.strip()
    if not stripped:
        raise ValueError("nothing to check: give a citation line, a cite template or a URL")
    if _BARE_URL_RE.match(stripped) and " " not in stripped:
        scheme = stripped.split(":", 1)[0].lower()
        if scheme not in ("http", "https"):
            raise ValueError(f"refusing a {scheme}: URL; only http(s) URLs can be checked")
        return reference_from_text(id="1", raw=stripped, kind="link", url=stripped)
    if stripped.startswith("{{") or stripped.lower().startswith("<ref"):
        from citecheck.documents.wikitext import read_wikitext

        wrapped = stripped if stripped.lower().startswith("<ref") else f"Claim.<ref>{stripped}</ref>"
        document = read_wikitext(wrapped, "<input>")
        if document.references:
            return document.references[0]
    return reference_from_text(id="1", raw=stripped)


def check_citation(
    text: str,
    *,
    accessed: str | None = None,
    offline: bool = True,
    fail_on: str = "error",
    options: AuditOptions | None = None,
) -> CheckResult:
    """Parse, resolve (unless offline) and check one citation."""
    reference = reference_from_input(text)
    if accessed:
        access_date = parse_date(accessed)
        if access_date is None:
            raise ValueError(f"--accessed: not a date: {accessed!r}")
        reference.access_date = access_date
    settings = (options or AuditOptions()).model_copy(update={"offline": offline})
    document = ParsedDocument(path="<input>", format="text", references=[reference])
    network = resolve_network([document], settings)
    context = CheckContext(document=document, claims=ClaimSet(claims=[]), today=date.today())
    findings = [finding for finding in run_offline_checks(context) if finding.code not in DOCUMENT_LEVEL_CODES]
    if network.mode == "online":
        findings += network_findings(document, settings)
    return CheckResult(
        input=text,
        reference=reference,
        findings=findings,
        network=network,
        exit_code=exit_code_for(findings, fail_on),
    )


def render_check_text(result: CheckResult, markdown: bool) -> str:
    reference = result.reference
    rows = [
        ("title", reference.title),
        ("authors", "; ".join(reference.authors) or None),
        ("work", reference.work),
        ("publisher", reference.publisher),
        ("published", reference.date),
        ("retrieved", reference.access_date),
        ("archived", reference.archive_date),
        ("url", reference.url),
        ("archive url", reference.archive_url),
        ("flags", ", ".join(reference.source_flags) or None),
        ("live", reference.live.status.value),
        ("archive", reference.archive.status.value),
    ]
    lines: list[str] = []
    if markdown:
        from citecheck.reports.escape import md_cell

        lines += ["| field | value |", "| --- | --- |"]
        lines += [f"| {name} | {md_cell(value)} |" for name, value in rows if value is not None]
        lines.append("")
        lines += [f"- **{f.code}** {f.name} ({f.severity.value}): {md_cell(f.message)}" for f in result.findings]
    else:
        width = max(len(name) for name, _ in rows)
        lines += [f"{name:>{width}}: {value}" for name, value in rows if value is not None]
        lines.append("")
        lines += [f"{f.code} {f.severity.value:<7} {f.name}: {f.message}" for f in result.findings]
        if not result.findings:
            lines.append("no findings")
    lines.append(f"note: {result.network.message}")
    return "\n".join(lines)
