"""``citecheck check``: one citation, given as reference text, a cite template, a bare URL or a DOI.

Offline with nothing in the store to consult, no network module is even
imported: process start to verdict stays a fraction of a second.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

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
    ArchiveResult,
    ArchiveStatus,
    Finding,
    NetworkState,
    ParsedDocument,
    Reference,
    SourceInfo,
)
from citecheck.reports.check_text import render_check_markdown, render_check_plain

if TYPE_CHECKING:
    from citecheck.resolve.archive.models import SnapshotRequest
    from citecheck.store import Store

__all__ = ["CheckResult", "answer_from_store", "check_citation", "reference_from_input", "render_check_text"]

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
    repair_format: str | None = None  # wikitext for a cite template, text for a reference line


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
    resolved = True
    if network is None and offline and not (reference.url and settings.cache.is_file()):
        # Nothing to ask and nothing remembered: every network field stays not-checked.
        network, resolved = NetworkState(mode="offline", message=OFFLINE_MESSAGE), False
    if network is None:
        from citecheck.pipeline import resolve_network

        network = resolve_network([document], settings)
    if reference.identifiers.doi:
        from citecheck.pipeline import run_identifier_stage

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
    repair_format = "wikitext" if reference.kind == "template" else "text"
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


def _repair(reference: Reference, document_format: str) -> str | None:
    if reference.archive.status is not ArchiveStatus.found:
        return None
    from citecheck.reports.repair import repair_snippet

    return repair_snippet(reference, document_format)


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
    from citecheck.resolve.archive import request_for_reference
    from citecheck.resolve.archive.cache import ArchiveCache
    from citecheck.resolve.live_history import LiveHistory
    from citecheck.resolve.references import archive_names
    from citecheck.store import Store

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
        import asyncio  # here, not at the top: an offline check with nothing stored never needs an event loop

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
    from citecheck.resolve.archive import ArchiveResolver
    from citecheck.resolve.sources import OFFLINE_REASON, SourceFetcher, source_key

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
        return render_check_markdown(
            result.reference, result.findings, result.network, result.repair, result.repair_format
        )
    return render_check_plain(result.reference, result.findings, result.network, result.repair, result.repair_format)
