"""Stage 3: resolve every cited URL — live on the web and in the archives — across a whole audit.

The stage has three steps so that the middle one can run anywhere (this
process, or Dask workers each with their own address and politeness limits):

1. :func:`plan_resolution` deduplicates the work over all documents — a
   source cited by ten documents costs one live check and one archive lookup;
2. :func:`resolve_batch` does the network work for a :class:`ResolvePlan`
   (or one partition of it) and returns a picklable :class:`ResolvedBatch`;
3. :func:`apply_resolution` writes the results onto each
   :class:`~citecheck.models.Reference` (``live``, ``archive``); the checks
   stage turns them into findings.

When the network is down nothing is declared dead: every network field stays
``not-checked`` and the batch's :class:`~citecheck.models.NetworkState` says why.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from citecheck.models import (
    ArchiveResult,
    ArchiveStatus,
    Candidate,
    LiveCheck,
    LiveStatus,
    NetworkState,
    ParsedDocument,
    Reference,
)
from citecheck.resolve.archive import ArchiveResolver, request_for_reference
from citecheck.resolve.archive.cache import ArchiveCache
from citecheck.resolve.archive.discovery import discover_for_references, learn_outlet_domains
from citecheck.resolve.archive.models import SnapshotRequest
from citecheck.resolve.archive.resolver import backend_from_spec
from citecheck.resolve.archive.save import SaveConfig, SaveOutcome, save_missing
from citecheck.resolve.live import LiveCheckConfig, LiveChecker
from citecheck.resolve.live_history import LiveHistory
from citecheck.resolve.net import parse_ip_literal
from citecheck.resolve.sources import SourceFetcher, SourceText, source_key
from citecheck.store import Store

OFFLINE_STATE = NetworkState(
    mode="offline", message="Offline audit: live and archive checks were not run; they are reported as not-checked."
)


@dataclass(frozen=True)
class ResolveSettings:
    archives: Sequence[str]
    store_path: str
    allow_private: bool = False
    concurrency: int = 8
    canary_urls: Sequence[str] = field(default_factory=tuple)  # empty: the live checker's defaults
    local_address: str | None = None  # outgoing address for live checks (a Dask partition's own)
    save_missing: bool = False  # ask the archive to capture live URLs it has no snapshot of
    live_reuse_hours: float = 20.0  # reuse a conclusive live check younger than this (0: always fetch)
    live_timeout: float = 20.0  # read timeout per live request, seconds (connect: half, at most 10)
    live_retries: int = 2


@dataclass(frozen=True)
class ResolvePlan:
    """The distinct network work an audit needs: each URL checked once, each snapshot request made once."""

    live_urls: tuple[str, ...] = ()
    archive_requests: tuple[SnapshotRequest, ...] = ()
    # URL-less references to look for in the archive, their ids made unique over the audit.
    discovery: tuple[Reference, ...] = ()
    learned_domains: tuple[tuple[str, str], ...] = ()  # outlet -> domain, from the audit's own citations

    def partition(self, parts: int) -> list[ResolvePlan]:
        """Split into ``parts`` plans, keeping every URL of one host in the same part.

        A host's politeness limit (concurrency, Retry-After pauses) only holds
        if one worker sees all of that host's URLs; hosts are then spread
        largest first onto the lightest part so the parts come out even.
        """
        parts = max(1, parts)
        by_host: dict[str, tuple[list[str], list[SnapshotRequest]]] = {}
        for url in self.live_urls:
            by_host.setdefault(_host_key(url), ([], []))[0].append(url)
        for request in self.archive_requests:
            by_host.setdefault(_host_key(request.url), ([], []))[1].append(request)
        buckets: list[tuple[list[str], list[SnapshotRequest]]] = [([], []) for _ in range(parts)]
        weights = [0] * parts
        ordered = sorted(by_host.items(), key=lambda item: (-(len(item[1][0]) + len(item[1][1])), item[0]))
        for _, (urls, requests) in ordered:
            lightest = min(range(parts), key=lambda index: (weights[index], index))
            buckets[lightest][0].extend(urls)
            buckets[lightest][1].extend(requests)
            weights[lightest] += len(urls) + len(requests)
        plans = [
            ResolvePlan(live_urls=tuple(urls), archive_requests=tuple(requests))
            for urls, requests in buckets
            if urls or requests
        ]
        if self.discovery:
            # Discovery spends the archive's scarcest pool (the index): one partition does all of it.
            first = plans[0] if plans else ResolvePlan()
            plans[:1] = [replace(first, discovery=self.discovery, learned_domains=self.learned_domains)]
        return plans


@dataclass
class ResolvedBatch:
    """What the network said about one plan: picklable, so it can come back from a worker."""

    network: NetworkState
    live: dict[str, LiveCheck] = field(default_factory=dict)
    archive: dict[SnapshotRequest, ArchiveResult] = field(default_factory=dict)
    sources: dict[str, SourceText] = field(default_factory=dict)  # by source_key: the text each claim is checked on
    candidates: dict[str, list[Candidate]] = field(default_factory=dict)  # by discovery key
    saved: dict[str, SaveOutcome] = field(default_factory=dict)  # --save-missing, by URL
    discovery_skipped: int = 0  # URL-less references left for a later run (index budget)


def archive_names(specs: Sequence[str]) -> list[str]:
    """The cache names of the ``--archive`` endpoints, as the resolver's backends call themselves."""
    # Backends take a client only to be built; this one refuses to send, and having no
    # real transport it skips loading the CA bundle (~30 ms, a tenth of a cached check).
    client = httpx.AsyncClient(transport=httpx.MockTransport(_refuse_to_send), trust_env=False)
    return [backend_from_spec(spec, client).name for spec in specs]


def _refuse_to_send(request: httpx.Request) -> httpx.Response:
    raise RuntimeError(f"archive_names' client must not send requests ({request.url})")


def _host_key(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


def _live_config(settings: ResolveSettings) -> LiveCheckConfig:
    overrides: dict[str, object] = {
        "allow_private": settings.allow_private,
        "concurrency": settings.concurrency,
        "local_address": settings.local_address,
        "reuse_within_hours": settings.live_reuse_hours,
        "read_timeout": settings.live_timeout,
        "connect_timeout": min(10.0, settings.live_timeout / 2),
        "retries": settings.live_retries,
    }
    if settings.canary_urls:
        overrides["canary_urls"] = tuple(settings.canary_urls)
        # The DNS half of the self-check needs names; IP-literal canaries need no DNS.
        overrides["dns_canary_hosts"] = tuple(
            host
            for host in (urlsplit(url).hostname for url in settings.canary_urls)
            if host and host != "localhost" and parse_ip_literal(host) is None
        )
    return LiveCheckConfig.model_validate(overrides)


def _cited_references(documents: Sequence[ParsedDocument]) -> list[tuple[ParsedDocument, Reference]]:
    return [(document, reference) for document in documents for reference in document.references if reference.url]


def plan_resolution(documents: Sequence[ParsedDocument]) -> ResolvePlan:
    """Every distinct live URL and snapshot request the documents need, in first-seen order."""
    live_urls: dict[str, None] = {}
    requests: dict[SnapshotRequest, None] = {}
    for document, reference in _cited_references(documents):
        if reference.url:
            live_urls.setdefault(reference.url)
        request = request_for_reference(reference, document.date)
        if request is not None:
            requests.setdefault(request)
    discovery = tuple(
        reference.model_copy(update={"id": discovery_key(document, reference)})
        for document in documents
        for reference in document.references
        if not reference.url and not reference.archive_url and reference.title
    )
    learned = learn_outlet_domains(reference for document in documents for reference in document.references)
    return ResolvePlan(
        live_urls=tuple(live_urls),
        archive_requests=tuple(requests),
        discovery=discovery,
        learned_domains=tuple(sorted(learned.items())) if discovery else (),
    )


def discovery_key(document: ParsedDocument, reference: Reference) -> str:
    return f"{document.path}\x1f{reference.id}"


async def resolve_batch(plan: ResolvePlan, settings: ResolveSettings) -> ResolvedBatch:
    """Check the plan's URLs live and find their best captures.

    The network self-check runs first: if it fails, nothing is fetched and the
    batch says so, so no URL is ever called dead because our own network is down.
    """
    with Store(settings.store_path) as store:
        async with LiveChecker(_live_config(settings), store=store) as checker:
            online = await checker.network_self_check()
            health = checker.network
            if not online:
                message = health.message if health else "Network unreachable."
                return ResolvedBatch(network=NetworkState(mode="unreachable", message=message))
            live = await checker.check_many(plan.live_urls)
        async with ArchiveResolver(
            archives=settings.archives, store=store, concurrency=settings.concurrency
        ) as resolver:
            results: list[ArchiveResult] = await resolver.resolve_many(list(plan.archive_requests))
            archive = dict(zip(plan.archive_requests, results, strict=True))
            # Read what each source said — the chosen capture, else the live page — through the
            # resolver's own backends, so reads share its clients and rate-limit pools.
            async with SourceFetcher(
                store,
                backends=resolver.backends,
                allow_private=settings.allow_private,
                concurrency=settings.concurrency,
            ) as fetcher:
                sources = await fetcher.fetch_sources(_source_probes(plan, live, archive))
            candidates: dict[str, list[Candidate]] = {}
            if plan.discovery:
                found = await discover_for_references(resolver, plan.discovery, dict(plan.learned_domains))
                candidates = {plan.discovery[index].id: found_here for index, found_here in found.items()}
            skipped = resolver.discovery_skipped
    saved = await _save_missing(live, archive, settings) if settings.save_missing else {}
    batch = ResolvedBatch(
        network=NetworkState(mode="online"),
        live=live,
        archive=archive,
        sources=sources,
        candidates=candidates,
        saved=saved,
        discovery_skipped=skipped,
    )
    batch.network.message = online_message(plan, settings.archives, batch)
    return batch


def online_message(plan: ResolvePlan, archives: Sequence[str], batch: ResolvedBatch) -> str:
    """What an online run did, in one paragraph: the same words for one process and for merged partitions."""
    unresolved = sum(1 for result in batch.archive.values() if result.status == ArchiveStatus.not_checked)
    message = f"Checked {len(plan.live_urls)} distinct URLs live and in {', '.join(archives)}."
    if unresolved:
        message += f" {unresolved} archive lookups were inconclusive and are reported not-checked."
    if plan.discovery:
        skipped = batch.discovery_skipped
        message += (
            f" Discovery proposed candidates for {len(batch.candidates)} of {len(plan.discovery)} references"
            " without a URL" + (f" ({skipped} left for a later run, to spare the archive's index)." if skipped else ".")
        )
    if batch.saved:
        done = sum(1 for outcome in batch.saved.values() if outcome.status == "saved")
        message += f" Asked the archive to capture {len(batch.saved)} unarchived live URLs ({done} saved)."
    return message


async def _save_missing(
    live: dict[str, LiveCheck], archive: dict[SnapshotRequest, ArchiveResult], settings: ResolveSettings
) -> dict[str, SaveOutcome]:
    """--save-missing: captures for live pages no archive holds (opt-in; rate-limited by save.py)."""
    urls = [
        request.url
        for request, result in archive.items()
        if result.status == ArchiveStatus.none and live.get(request.url, LiveCheck()).status == LiveStatus.alive
    ]
    if not urls:
        return {}
    async with httpx.AsyncClient(timeout=httpx.Timeout(60.0, connect=10.0)) as client:
        outcomes = await save_missing(urls, client=client, config=SaveConfig.from_env())
    return {outcome.url: outcome for outcome in outcomes}


def _source_probes(
    plan: ResolvePlan, live: dict[str, LiveCheck], archive: dict[SnapshotRequest, ArchiveResult]
) -> list[Reference]:
    """One stand-in reference per distinct (URL, capture): what the source fetcher needs to know."""
    return [
        Reference(
            id=str(index),
            url=request.url,
            live=live.get(request.url, LiveCheck()),
            archive=archive.get(request, ArchiveResult()),
        )
        for index, request in enumerate(plan.archive_requests)
    ]


# Offline, any remembered answer is better than none; the report says how old the store is.
OFFLINE_LIVE_MAX_AGE = timedelta(days=3650)


async def resolve_batch_from_cache(plan: ResolvePlan, settings: ResolveSettings) -> ResolvedBatch:
    """What an earlier run left in the store, without a single request (``--offline``).

    Live checks, archive answers and source texts come from the store when
    it holds them; everything else stays ``not-checked``.  A missing store is
    not created: an offline run leaves no trace.
    """
    path = Path(settings.store_path)
    if settings.store_path != ":memory:" and not path.is_file():
        return ResolvedBatch(network=OFFLINE_STATE)
    with Store(path) as store:
        history = LiveHistory(store)
        live = {
            url: check
            for url in plan.live_urls
            if (check := history.recent(url, max_age=OFFLINE_LIVE_MAX_AGE)) is not None
        }
        cache = ArchiveCache(store)
        names = archive_names(settings.archives)
        archive: dict[SnapshotRequest, ArchiveResult] = {}
        for request in plan.archive_requests:
            # now=0: offline, an expired answer still beats none (the message says how old the store is).
            known = [answer for name in names if (answer := cache.get(name, request, now=0.0)) is not None]
            found = next((answer for answer in known if answer.status == ArchiveStatus.found), None)
            if found is not None:
                archive[request] = found
            elif known and len(known) == len(names):
                # Every archive answered before; the last word is the one an online run would give.
                archive[request] = known[-1]
        async with SourceFetcher(store, offline=True, concurrency=settings.concurrency) as fetcher:
            sources = await fetcher.fetch_sources(_source_probes(plan, live, archive))
    read = sum(1 for source in sources.values() if source.info.status == "fetched")
    message = (
        f"Offline audit from the cache ({settings.store_path}): {len(live)} of {len(plan.live_urls)} live checks, "
        f"{len(archive)} of {len(plan.archive_requests)} archive answers and {read} source texts were remembered "
        "from earlier runs; everything else is not-checked."
    )
    return ResolvedBatch(
        network=NetworkState(mode="offline", message=message), live=live, archive=archive, sources=sources
    )


def merge_batches(batches: Iterable[ResolvedBatch], plan: ResolvePlan, archives: Sequence[str]) -> ResolvedBatch:
    """One batch from the partitions' batches; the audit is online only if every partition was."""
    batches = list(batches)
    live: dict[str, LiveCheck] = {}
    archive: dict[SnapshotRequest, ArchiveResult] = {}
    sources: dict[str, SourceText] = {}
    candidates: dict[str, list[Candidate]] = {}
    saved: dict[str, SaveOutcome] = {}
    for batch in batches:
        live.update(batch.live)
        archive.update(batch.archive)
        sources.update(batch.sources)
        candidates.update(batch.candidates)
        saved.update(batch.saved)
    merged = ResolvedBatch(
        network=NetworkState(mode="online"),
        live=live,
        archive=archive,
        sources=sources,
        candidates=candidates,
        saved=saved,
        discovery_skipped=sum(batch.discovery_skipped for batch in batches),
    )
    offline = [batch.network for batch in batches if batch.network.mode != "online"]
    if offline:
        # Partitions that could not reach the network leave their references
        # not-checked; the run's state must say so even if others got through.
        merged.network = NetworkState(mode="unreachable", message=offline[0].message)
    else:
        merged.network.message = online_message(plan, archives, merged)
    return merged


def apply_resolution(documents: Sequence[ParsedDocument], batch: ResolvedBatch) -> None:
    """Write each URL's live check and each request's capture onto every reference that cites it."""
    for document, reference in _cited_references(documents):
        if reference.url in batch.live:
            reference.live = batch.live[reference.url]
        request = request_for_reference(reference, document.date)
        if request is not None and request in batch.archive:
            reference.archive = batch.archive[request]
        key = source_key(reference)
        if key is not None and key in batch.sources:
            reference.source = batch.sources[key].info
        outcome = batch.saved.get(reference.url or "")
        if outcome is not None:
            where = outcome.snapshot_url or outcome.job_id or outcome.message
            reference.archive = reference.archive.model_copy(
                update={"reason": f"capture requested with --save-missing: {outcome.status} ({where})"}
            )
    for document in documents:
        for reference in document.references:
            found = batch.candidates.get(discovery_key(document, reference))
            if found:
                reference.candidates = found


async def resolve_references(documents: Sequence[ParsedDocument], settings: ResolveSettings) -> NetworkState:
    """Check each distinct URL live and find its best capture; returns what the run could do."""
    batch = await resolve_batch(plan_resolution(documents), settings)
    apply_resolution(documents, batch)
    return batch.network
