"""``citecheck check``: one citation, given as reference text, a cite template, a bare URL or a DOI.

Offline with nothing in the store to consult, no network module is even
imported: process start to verdict stays a fraction of a second.
"""

import logging
from datetime import timedelta

from pydantic import BaseModel, ConfigDict

from citecheck.check_input import reference_from_input
from citecheck.checks.catalogue import code_selected
from citecheck.checks.offline import CheckContext, run_offline_checks
from citecheck.claims.build import ClaimSet
from citecheck.config import AuditOptions
from citecheck.dates import parse_date
from citecheck.exit_codes import exit_code_for
from citecheck.models import (
    OFFLINE_MESSAGE,
    ArchiveStatus,
    DocumentFormat,
    Finding,
    NetworkMode,
    NetworkState,
    ParsedDocument,
    Reference,
    ReferenceKind,
)
from citecheck.references.construct import build
from citecheck.reports.check_text import render_check_markdown, render_check_plain

__all__ = ["CheckResult", "check_citation", "reference_from_input", "render_check_text"]

logger = logging.getLogger(__name__)

# A person re-running a check within a day wants the answer they just got, at once;
# scheduled audits re-check every run.  --refresh overrides it.
LIVE_CACHE_TTL = timedelta(hours=24)

# Checks about a document's structure say nothing about one citation on its own.
DOCUMENT_LEVEL_CODES = {"CC104", "CC105", "CC106", "CC404", "CC601"}


class CheckResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    input: str
    reference: Reference
    findings: list[Finding]
    network: NetworkState
    exit_code: int
    from_cache: bool = False  # every network answer came from the store; no request was sent
    repair: str | None = None  # the link is gone and a good capture exists: the citation rewritten to use it
    repair_format: DocumentFormat | None = None  # wikitext for a cite template, text for a reference line


def check_citation(
    text: str,
    *,
    accessed: str | None = None,
    offline: bool = True,
    fail_on: str = "error",
    options: AuditOptions | None = None,
    refresh: bool = False,
    live_ttl: timedelta = LIVE_CACHE_TTL,
) -> CheckResult:
    """Parse, resolve (unless offline) and check one citation.

    The resolve stage runs exactly as in an audit, over a one-reference plan:
    every answer the store holds fresh (the live check within ``live_ttl``,
    archive answers within their TTL, source texts) is used and only what is
    missing is asked of the network — nothing at all when the store knows
    everything (``from_cache``).  ``refresh`` asks the web again.
    """
    reference = reference_from_input(text)
    if accessed:
        access_date = parse_date(accessed)
        if access_date is None:
            raise ValueError(f"--accessed: not a date: {accessed!r}")
        reference.access_date = access_date
    reuse_hours = 0.0 if refresh else live_ttl.total_seconds() / 3600
    settings = (options or AuditOptions()).model_copy(update={"offline": offline, "live_reuse_hours": reuse_hours})
    # Built, not validated: the reference is valid already, and ParsedDocument's validator is then never made.
    document = build(ParsedDocument, path="<input>", format=DocumentFormat.text, references=[reference])
    from_cache = False
    resolved = True
    if offline and not (reference.url and settings.cache.is_file()):
        # Nothing to ask and nothing remembered: every network field stays not-checked.
        network, resolved = NetworkState(mode=NetworkMode.offline, message=OFFLINE_MESSAGE), False
    else:
        from citecheck.pipeline import run_network_stage

        batch = run_network_stage([document], settings)
        network = batch.network
        from_cache = not offline and bool(batch.live) and batch.requests_sent == 0
        if from_cache:
            network = network.model_copy(
                update={
                    "message": f"Answered from the cache ({settings.cache}): every answer was fresh in the store "
                    "and no request was sent; --refresh asks the web again."
                }
            )
    if reference.identifiers.doi:
        from citecheck.resolve.identifiers import run_identifier_stage

        run_identifier_stage([document], settings, network)  # offline: what the store remembers
    context = CheckContext(document=document, claims=ClaimSet(claims=[]), today=settings.today)
    findings = [finding for finding in run_offline_checks(context) if finding.code not in DOCUMENT_LEVEL_CODES]
    if resolved:
        from citecheck.pipeline import network_findings

        findings += network_findings(document, settings)  # not-checked results raise nothing
    else:
        from citecheck.checks.identifiers import identifier_findings

        findings += identifier_findings(reference)  # ISBN check digits, DOI records from the store
    findings = [finding for finding in findings if code_selected(finding.code, settings.select, settings.ignore)]
    repair_format = DocumentFormat.wikitext if reference.kind == ReferenceKind.template else DocumentFormat.text
    return CheckResult(
        input=text,
        reference=reference,
        findings=findings,
        network=network,
        exit_code=exit_code_for(findings, fail_on),
        from_cache=from_cache,
        repair=_repair(reference, repair_format) if resolved else None,
        repair_format=repair_format,
    )


def _repair(reference: Reference, document_format: DocumentFormat) -> str | None:
    if reference.archive.status is not ArchiveStatus.found:
        return None
    from citecheck.reports.repair import repair_snippet

    return repair_snippet(reference, document_format)


def render_check_text(result: CheckResult, markdown: bool) -> str:
    """The verdict as plain text or Markdown (see :mod:`citecheck.reports.check_text`)."""
    if markdown:
        return render_check_markdown(
            result.reference, result.findings, result.network, result.repair, result.repair_format
        )
    return render_check_plain(result.reference, result.findings, result.network, result.repair, result.repair_format)
