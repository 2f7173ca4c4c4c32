"""``citecheck check``: one citation, given as reference text, a cite template or a bare URL."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

from pydantic import BaseModel, ConfigDict

from citecheck.checks.catalogue import code_selected
from citecheck.checks.offline import CheckContext, run_offline_checks
from citecheck.claims.build import ClaimSet
from citecheck.config import AuditOptions
from citecheck.dates import parse_date
from citecheck.models import Finding, NetworkState, ParsedDocument, Reference
from citecheck.pipeline import exit_code_for, network_findings, run_network_stage
from citecheck.references import reference_from_text
from citecheck.reports.check_text import render_check_markdown, render_check_plain

logger = logging.getLogger(__name__)

# A person re-running a check within a day wants the answer they just got, at once;
# scheduled audits re-check every run.  --refresh overrides it.
LIVE_CACHE_TTL = timedelta(hours=24)

# Checks about a document's structure say nothing about one citation on its own.
DOCUMENT_LEVEL_CODES = {"CC104", "CC105", "CC106", "CC404", "CC601"}
_BARE_URL_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:\S+$")
# A list number as rendered lists show it; at most three digits so a leading year stays part of the text.
_LIST_NUMBER_RE = re.compile(r"^(?:(?P<number>[0-9]{1,3})\.|\[(?P<bracketed>[0-9]{1,4})\])\s+")


class CheckResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    input: str
    reference: Reference
    findings: list[Finding]
    network: NetworkState
    exit_code: int
    from_cache: bool = False  # every network answer came from the store; no request was sent


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
    number: int | None = None
    numbered = _LIST_NUMBER_RE.match(stripped)
    if numbered:
        # Pasted straight from a reference list: "4. 4.0 4.1 David Jolly (…)" or "[4] …".
        number = int(numbered.group("number") or numbered.group("bracketed"))
        stripped = stripped[numbered.end() :]
    return reference_from_text(id=str(number or 1), raw=stripped, number=number)


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
    every answer the store holds and that is fresh (the live check within
    ``live_ttl``, archive answers within their TTL, source texts) is used, and
    only what is missing is asked of the network — nothing at all when the
    store knows everything.  ``refresh`` asks the web again.
    """
    reference = reference_from_input(text)
    if accessed:
        access_date = parse_date(accessed)
        if access_date is None:
            raise ValueError(f"--accessed: not a date: {accessed!r}")
        reference.access_date = access_date
    reuse_hours = 0.0 if refresh else live_ttl.total_seconds() / 3600
    settings = (options or AuditOptions()).model_copy(update={"offline": offline, "live_reuse_hours": reuse_hours})
    document = ParsedDocument(path="<input>", format="text", references=[reference])
    batch = run_network_stage([document], settings)
    network = batch.network
    from_cache = not offline and bool(batch.live) and batch.requests_sent == 0
    context = CheckContext(document=document, claims=ClaimSet(claims=[]), today=settings.today)
    findings = [finding for finding in run_offline_checks(context) if finding.code not in DOCUMENT_LEVEL_CODES]
    findings += network_findings(document, settings)  # not-checked results raise nothing
    findings = [finding for finding in findings if code_selected(finding.code, settings.select, settings.ignore)]
    return CheckResult(
        input=text,
        reference=reference,
        findings=findings,
        network=network,
        exit_code=exit_code_for(findings, fail_on),
        from_cache=from_cache,
    )


def render_check_text(result: CheckResult, markdown: bool) -> str:
    """The verdict as plain text or Markdown (see :mod:`citecheck.reports.check_text`)."""
    if markdown:
        return render_check_markdown(result.reference, result.findings, result.network)
    return render_check_plain(result.reference, result.findings, result.network)
