"""``citecheck check``: one citation, given as reference text, a cite template or a bare URL."""

from __future__ import annotations

import asyncio
import logging
import re
from datetime import UTC, datetime, timedelta

from pydantic import BaseModel, ConfigDict

from citecheck.checks.catalogue import code_selected
from citecheck.checks.offline import CheckContext, run_offline_checks
from citecheck.claims.build import ClaimSet
from citecheck.config import AuditOptions
from citecheck.dates import parse_date
from citecheck.models import (
    ArchiveResult,
    ArchiveStatus,
    Finding,
    NetworkState,
    ParsedDocument,
    Reference,
    SourceInfo,
)
from citecheck.pipeline import exit_code_for, network_findings, resolve_network, run_identifier_stage
from citecheck.references import reference_from_text
from citecheck.reports.check_text import render_check_markdown, render_check_plain
from citecheck.resolve.archive import ArchiveResolver, request_for_reference
from citecheck.resolve.archive.cache import ArchiveCache
from citecheck.resolve.archive.models import SnapshotRequest
from citecheck.resolve.doi import doi_reference
from citecheck.resolve.live_history import LiveHistory
from citecheck.resolve.references import archive_names
from citecheck.resolve.sources import OFFLINE_REASON, SourceFetcher, source_key
from citecheck.store import Store

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
    doi = doi_reference(stripped)  # 10.…, doi:…, https://doi.org/…: the DOI system, not the landing page
    if doi is not None:
        return doi
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

    Online, a citation whose live check and archive lookups are all in the
    store and fresh is answered from it without touching the network (no
    self-check either); ``refresh`` always asks the network.
    """
    reference = reference_from_input(text)
    if accessed:
        access_date = parse_date(accessed)
        if access_date is None:
            raise ValueError(f"--accessed: not a date: {accessed!r}")
        reference.access_date = access_date
    update: dict[str, object] = {"offline": offline}
    if refresh:
        update["live_reuse_hours"] = 0.0  # the live checker must not answer from the store either
    settings = (options or AuditOptions()).model_copy(update=update)
    document = ParsedDocument(path="<input>", format="text", references=[reference])
    network = None if offline or refresh else answer_from_store(reference, settings, live_ttl)
    from_cache = network is not None
    if network is None:
        network = resolve_network([document], settings)
    run_identifier_stage([document], settings, network)
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


def answer_from_store(
    reference: Reference, options: AuditOptions, live_ttl: timedelta = LIVE_CACHE_TTL, now: datetime | None = None
) -> NetworkState | None:
    """Fill ``reference.live``/``.archive``/``.source`` from the store when every answer the check needs is fresh.

    Returns the network state to report, or None (and leaves the reference
    untouched) when anything is missing, stale or inconclusive: then the
    caller resolves over the network as usual.  The live answer must be a
    conclusive check younger than ``live_ttl``; each archive consulted in
    order must have a cached answer within its own TTL, up to the first
    that found a capture — exactly the lookups the resolver would make; and
    the source text the network stage would read must be cached too.
    """
    if not reference.url or not options.cache.is_file():
        return None
    request = request_for_reference(reference)
    if request is None:
        return None
    moment = now or datetime.now(UTC)
    with Store(options.cache) as store:
        live = LiveHistory(store).recent(reference.url, max_age=live_ttl, now=moment)
        if live is None:
            return None
        cache = ArchiveCache(store)
        for name in archive_names(options.archives):
            cached = cache.get(name, request)
            if cached is None:
                return None
            if cached.status is ArchiveStatus.found:
                break
        resolved = reference.model_copy(update={"live": live})
        # Every lookup below is a cache hit; the resolver and the source reader combine
        # the answers exactly as in an audit, and the source reader is offline: cache only.
        archive, source = asyncio.run(_answers_from_cache(options.archives, store, request, resolved))
    if source is None:
        return None
    reference.live, reference.archive, reference.source = live, archive, source
    checked_at = live.checked_at or moment
    age_minutes = int((moment - checked_at).total_seconds() // 60)
    return NetworkState(
        mode="online",
        message=(
            f"Answered from the cache ({options.cache}): live check {age_minutes} min old, "
            "archive lookups within their TTL; --refresh asks the web again."
        ),
    )


async def _answers_from_cache(
    specs: list[str], store: Store, request: SnapshotRequest, reference: Reference
) -> tuple[ArchiveResult, SourceInfo | None]:
    """The archive answer and the source read, from the store alone; source None when it is not cached."""
    async with ArchiveResolver(archives=specs, store=store, concurrency=1) as resolver:
        archive = await resolver.resolve(request)
        if resolver.requests_sent:  # the store changed under us; still right, only slower
            logger.info("archive answer needed %d request(s) despite a warm cache", resolver.requests_sent)
    resolved = reference.model_copy(update={"archive": archive})
    key = source_key(resolved)
    if key is None:
        return archive, SourceInfo()
    async with SourceFetcher(store, offline=True, concurrency=1) as fetcher:
        texts = await fetcher.fetch_sources([resolved])
    info = texts[key].info if key in texts else None
    if info is None or OFFLINE_REASON in (info.reason or ""):
        return archive, None
    return archive, info


def render_check_text(result: CheckResult, markdown: bool) -> str:
    """The verdict as plain text or Markdown (see :mod:`citecheck.reports.check_text`)."""
    if markdown:
        return render_check_markdown(result.reference, result.findings, result.network)
    return render_check_plain(result.reference, result.findings, result.network)
