"""The resolve stage: every cited URL checked live and in the archives, its source text read — once.

Entry points (named so they cannot be confused with the ``references``
package that parses citations):

* :func:`plan_resolution` (from :mod:`.plan`) — what the audit needs;
* :func:`resolve_plan` — do it over the network (or a Dask partition of it);
* :func:`resolve_plan_from_store` — the same code path with no request at
  all (``--offline``): every answer from the store;
* :func:`apply_resolution` — write the answers onto the references.

One :class:`ResolveSession` per run holds the one HTTP layer and the
components reading through it.  Work overlaps: each URL's live check, cited
archive copies and archive lookups run side by side, different URLs at once,
each under its own pools' limits — not in phases.  Bytes fetched are read
where they are: the live check's page and the capture the lookup chose are
the source texts.  Verdicts that rest on a missing answer are settled at the
end from what the run proved about the network (:mod:`.evidence`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import TracebackType

from citecheck.models import (
    OFFLINE_MESSAGE,
    ArchiveResult,
    ArchiveStatus,
    Candidate,
    EndpointKind,
    EndpointOutage,
    EndpointState,
    LiveCheck,
    LiveStatus,
    NetworkMode,
    NetworkState,
    ParsedDocument,
    SourceStatus,
)
from citecheck.progress import NULL_PROGRESS, ProgressEvents, Stage
from citecheck.resolve.answers import Answers, MemoryAnswers
from citecheck.resolve.archive.backend import ArchiveBackend
from citecheck.resolve.archive.cited import CitedCopy, verify_cited_copy
from citecheck.resolve.archive.discovery import discover_for_references
from citecheck.resolve.archive.endpoint import archive_host, parse_archive_spec
from citecheck.resolve.archive.models import CaptureBody, Memento, SnapshotRequest
from citecheck.resolve.archive.resolver import ArchiveResolver
from citecheck.resolve.archive.save import SaveConfig, SaveOutcome, save_missing
from citecheck.resolve.live import LiveChecker, LiveResult, page_worth_reading
from citecheck.resolve.net import system_resolver
from citecheck.resolve.plan import ReferenceWork, ResolvePlan, UrlWork, plan_resolution, reference_key
from citecheck.resolve.settings import ResolveSettings
from citecheck.resolve.sources import PageRead, SourceReader, SourceText
from citecheck.resolve.web import WebClient
from citecheck.store.db import Store

OFFLINE_STATE = NetworkState(mode=NetworkMode.offline, message=OFFLINE_MESSAGE)

_ENDPOINT_SCHEMA = """
CREATE TABLE IF NOT EXISTS endpoint_states (
    name TEXT PRIMARY KEY,   -- an archive's name, 'live web' or 'DNS'
    state TEXT NOT NULL      -- the last EndpointState a run that asked it saw (JSON)
);
"""

# The progress display's events (citecheck.progress): Dask partitions get NULL_PROGRESS.
ProgressCallback = ProgressEvents
URL_WINDOW = 1024  # URLs started and unfinished at once, at least (the gates bound the requests)


@dataclass
class ResolvedBatch:
    """What the network (or the store) said about one plan: picklable, so it can come back from a worker.

    Live checks are keyed by URL; everything per reference by its
    :func:`~citecheck.resolve.plan.reference_key`.  ``live``, ``archive`` and
    ``sources`` are dictionaries, or read-only mappings over the spilled
    answers of a streamed audit (:class:`~citecheck.resolve.answers.SpilledAnswers`,
    which a batch so made cannot be pickled with).
    """

    network: NetworkState
    live: Mapping[str, LiveCheck] = field(default_factory=dict)
    archive: Mapping[str, ArchiveResult] = field(default_factory=dict)  # by reference key
    sources: Mapping[str, SourceText] = field(default_factory=dict)  # by reference key
    candidates: dict[str, list[Candidate]] = field(default_factory=dict)  # by reference key
    discovery_refused: dict[str, ArchiveResult] = field(default_factory=dict)  # by reference key
    saved: dict[str, SaveOutcome] = field(default_factory=dict)  # --save-missing, by URL
    discovery_skipped: int = 0  # URL-less references left for a later run (index budget)
    requests: dict[str, int] = field(default_factory=dict)  # requests sent, by pool
    retried: dict[str, int] = field(default_factory=dict)  # of which re-sent, by pool
    rate_limited: dict[str, int] = field(default_factory=dict)  # 429s received, by pool

    def sources_for(self, document: ParsedDocument) -> dict[str, SourceText]:
        """The source text read for each of the document's references, by reference id."""
        return {
            reference.id: self.sources[key]
            for reference in document.references
            if (key := reference_key(document, reference)) in self.sources
        }

    @property
    def requests_sent(self) -> int:
        return sum(self.requests.values())


def archive_hosts(specs: Sequence[str]) -> list[str]:
    """The hosts of the ``--archive`` endpoints (their cited URLs are resolved, not fetched as copies)."""
    hosts: list[str] = []
    for spec in specs:
        parsed = parse_archive_spec(spec)
        if not parsed.is_local:
            hosts.append(archive_host(parsed))
    return hosts


def plan_for(documents: Sequence[ParsedDocument], settings: ResolveSettings) -> ResolvePlan:
    """:func:`plan_resolution` with the run's archive endpoints known."""
    return plan_resolution(documents, queried_archive_hosts=archive_hosts(settings.archives))


# --------------------------------------------------------------------------- one run


@dataclass
class _UrlOutcome:
    live: LiveResult | None = None
    check: LiveCheck | None = None  # settled at once when it rests on an answer (recorded as it finishes)
    live_read: PageRead | None = None
    archive: dict[str, ArchiveResult] = field(default_factory=dict)  # by reference key
    captures: dict[str, PageRead] = field(default_factory=dict)  # by reference key


class ResolveSession:
    """One run's network components over one HTTP layer; ``async with ResolveSession(settings, store)``."""

    def __init__(
        self,
        settings: ResolveSettings,
        store: Store | None,
        progress: ProgressEvents = NULL_PROGRESS,
        web: WebClient | None = None,
    ) -> None:
        """``web``: the run's client (:class:`~citecheck.resolve.run_client.RunClient`), entered and closed by
        its owner; None: a client of the session's own."""
        self.settings = settings
        self.store = store
        self.progress = progress
        resolver = settings.resolver or system_resolver
        self._own_web = web is None or settings.offline
        if self._own_web:
            web = WebClient(settings.web, offline=settings.offline, resolver=resolver, on_wait=progress.waiting)
        assert web is not None
        self.web = web
        self.live = LiveChecker(settings.live_config(), store=store, web=self.web, resolver=resolver)
        self.archives = ArchiveResolver(
            settings.archives,
            web=self.web,
            store=store,
            concurrency=settings.concurrency,
            discovery_limit=settings.discovery_limit,
            offline=settings.offline,
            lookup_deadline=max(60.0, settings.web.request_deadline * 4),
        )
        self.sources = SourceReader(store, web=self.web, offline=settings.offline, live_ttl=settings.live_source_ttl)
        self._copies: dict[str, asyncio.Task[CitedCopy]] = {}

    async def __aenter__(self) -> ResolveSession:
        if self._own_web:
            await self.web.__aenter__()
        await self.live.__aenter__()
        await self.archives.__aenter__()
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        for task in self._copies.values():
            task.cancel()
        await self.archives.__aexit__(kind, value, traceback)
        await self.live.__aexit__(kind, value, traceback)
        if self._own_web:
            await self.web.__aexit__(kind, value, traceback)

    # ------------------------------------------------------------------ per URL

    def _backend(self, name: str | None) -> ArchiveBackend | None:
        return next((backend for backend in self.archives.backends if backend.name == name), None)

    async def _live_part(self, work: UrlWork, outcome: _UrlOutcome, gate: asyncio.Semaphore) -> None:
        async with gate:
            result = await self.live.inspect(work.url)
        self.progress.advance(Stage.live)
        outcome.live = result
        if not result.needs_evidence:
            # An answer is evidence enough: settled and recorded now, so an interrupted run resumes here.
            outcome.check = self.live.settle(result)
        if not work.source_text:
            return
        if result.reused is not None:
            # A check reused from the store: its text is in the store too — read once if it is not.
            outcome.live_read = self.sources.cached_live(work.url)
            if outcome.live_read is None and result.reused.status is LiveStatus.alive and not self.settings.offline:
                outcome.live_read = await self.sources.read_live(work.url, None)
            return
        provisional = self.live.verdict(result).status
        if result.response is not None and provisional is LiveStatus.alive:
            check = LiveCheck(status=provisional)
            if page_worth_reading(check, result.response):
                outcome.live_read = await self.sources.read_live(work.url, result.response)
        # The page's bytes are read or not needed: let them go.
        result.response = None

    async def _cited_copy(self, url: str) -> CitedCopy:
        task = self._copies.get(url)
        if task is None:
            task = self._copies[url] = asyncio.ensure_future(verify_cited_copy(self.web, url))
        return await asyncio.shield(task)

    async def _archive_part(
        self, work: UrlWork, plan: ResolvePlan, outcome: _UrlOutcome, gate: asyncio.Semaphore
    ) -> None:
        for request in work.requests:
            # A batched index answer this URL's lookup uses: waited for without holding a slot.
            await self.archives.index_ready(request)
        async with gate:
            references = [ref for key in work.references if (ref := plan.reference(key)) is not None]
            copies: dict[str, CitedCopy] = {}
            if not self.settings.offline:
                for copy_url in work.cited_copies:
                    copies[copy_url] = await self._cited_copy(copy_url)
            # Captures near each requested moment, from the configured archives — skipped for a
            # request whose every reference has its own good copy.
            wanted = {
                ref.request
                for ref in references
                if ref.request is not None and not (ref.cited_copy in copies and copies[ref.cited_copy].usable)
            }
            found: dict[SnapshotRequest, tuple[ArchiveResult, Memento | None]] = {}
            for request in work.requests:
                if request in wanted:
                    found[request] = await self.archives.resolve_capture(request)
                self.progress.advance(Stage.archive)
            reads: dict[str, PageRead] = {}
            for ref in references:
                result, body, backend = self._archive_for(ref, copies, found)
                outcome.archive[ref.key] = result
                if not work.source_text or result.status is not ArchiveStatus.found or result.snapshot_url is None:
                    continue
                snapshot = result.snapshot_url
                if snapshot not in reads:
                    reads[snapshot] = await self.sources.read_capture(result, work.url, body, backend)
                outcome.captures[ref.key] = reads[snapshot]

    def _archive_for(
        self,
        ref: ReferenceWork,
        copies: dict[str, CitedCopy],
        found: dict[SnapshotRequest, tuple[ArchiveResult, Memento | None]],
    ) -> tuple[ArchiveResult, CaptureBody | None, ArchiveBackend | None]:
        copy = copies.get(ref.cited_copy or "")
        if copy is not None and copy.usable:
            return copy.result, copy.body, None
        if ref.request is None or ref.request not in found:
            result = copy.result if copy is not None else ArchiveResult(reason="no snapshot request")
            return result, None, None
        result, memento = found[ref.request]
        if copy is not None:
            result = result.model_copy(
                update={"reason": "; ".join(part for part in (result.reason, copy.result.reason) if part)}
            )
        return result, memento.body if memento is not None else None, self._backend(result.archive)

    async def _resolve_url(
        self, work: UrlWork, plan: ResolvePlan, gates: tuple[asyncio.Semaphore, asyncio.Semaphore]
    ) -> _UrlOutcome:
        outcome = _UrlOutcome()
        parts = []
        if work.live:
            parts.append(self._live_part(work, outcome, gates[0]))
        parts.append(self._archive_part(work, plan, outcome, gates[1]))
        await asyncio.gather(*parts)
        return outcome

    # ------------------------------------------------------------------ the run

    async def run(self, plan: ResolvePlan, answers: Answers | None = None) -> ResolvedBatch:
        """Resolve the whole plan; returns the batch (verdicts settled, sources assembled).

        Each URL's outcome goes to ``answers`` as soon as the URL is resolved
        (:class:`~citecheck.resolve.answers.SpilledAnswers`: to disk, page texts
        included); only the live results whose verdict waits for the run's
        evidence are held until the end.  URLs are started in a bounded window
        (the gates bound the requests; the window bounds the tasks held).
        """
        gates = (asyncio.Semaphore(self.settings.concurrency), asyncio.Semaphore(self.settings.concurrency))
        answers = answers if answers is not None else MemoryAnswers()
        waiting: list[tuple[str, LiveResult]] = []

        async def one(work: UrlWork) -> None:
            outcome = await self._resolve_url(work, plan, gates)
            check = outcome.check
            if check is None:
                if outcome.live is not None:
                    waiting.append((work.url, outcome.live))
                else:
                    check = LiveCheck()
            answers.put_url(
                work.url, check, outcome.live_read, outcome.archive, outcome.captures, list(work.references)
            )

        discovery = asyncio.ensure_future(self._discover(plan))
        if not self.settings.offline:
            self.archives.schedule_index([request for work in plan.urls for request in work.requests])
        try:
            await _in_window(plan.urls, one, max(URL_WINDOW, self.settings.concurrency * 32))
        except BaseException:
            discovery.cancel()
            raise
        candidates, refused = await discovery
        if not self.settings.offline:
            await self.live.gather_evidence(result for _, result in waiting)
        for url, result in waiting:
            answers.settle(url, self.live.settle(result))
        live, archive, sources = answers.mappings(self.settings.offline, (work.url for work in plan.urls))
        saved = await self._save_missing(plan, live, archive) if self.settings.save_missing else {}
        batch = ResolvedBatch(
            network=NetworkState(mode=NetworkMode.online),
            live=live,
            archive=archive,
            sources=sources,
            candidates=candidates,
            discovery_refused=refused,
            saved=saved,
            discovery_skipped=self.archives.discovery_skipped,
            requests=dict(self.web.sent),
            retried=dict(self.web.retries),
            rate_limited=self.web.rate_limited_by_pool(),
        )
        batch.network = self.network_state(plan, batch)
        return batch

    async def _discover(self, plan: ResolvePlan) -> tuple[dict[str, list[Candidate]], dict[str, ArchiveResult]]:
        if not plan.discovery:
            return {}, {}
        outcome = await discover_for_references(self.archives, plan.discovery, dict(plan.learned_domains))
        candidates = {plan.discovery[index].id: found for index, found in outcome.candidates.items()}
        refused = {plan.discovery[index].id: result for index, result in outcome.refused.items()}
        return candidates, refused

    async def _save_missing(
        self, plan: ResolvePlan, live: Mapping[str, LiveCheck], archive: Mapping[str, ArchiveResult]
    ) -> dict[str, SaveOutcome]:
        """--save-missing: captures for live pages no archive holds (opt-in; rate-limited by save.py)."""
        urls = [
            ref.url
            for ref in plan.references
            if ref.url is not None
            and archive.get(ref.key, ArchiveResult()).status is ArchiveStatus.none
            and live.get(ref.url, LiveCheck()).status is LiveStatus.alive
        ]
        if not urls:
            return {}
        outcomes = await save_missing(urls, web=self.web, config=SaveConfig.from_env())
        return {outcome.url: outcome for outcome in outcomes}

    # ------------------------------------------------------------------ what the run could do

    def endpoint_states(self, plan: ResolvePlan, batch: ResolvedBatch) -> list[EndpointState]:
        """Per endpoint what was reachable; an endpoint this run never asked keeps what the store remembers.

        A warm re-run answered from the store writes the same network line as
        the run that filled it: reports stay byte-identical for the same answers.
        """
        evidence = self.web.evidence
        live_requests = sum(count for pool, count in self.web.sent.items() if pool.startswith("host:"))
        states: list[EndpointState] = []
        if live_requests:
            states.append(
                EndpointState(
                    name="live web",
                    kind=EndpointKind.live_web,
                    reachable=evidence.network_proven,
                    detail="servers answered" if evidence.network_proven else "no server answered",
                )
            )
        else:
            states.append(EndpointState(name="live web", kind=EndpointKind.live_web, detail="not asked"))
        dns_state = evidence.dns_state()
        states.append(
            EndpointState(
                name="DNS",
                kind=EndpointKind.dns,
                reachable=None if dns_state == "unknown" else dns_state == "works",
                detail=evidence.dns_summary() if dns_state != "unknown" else "not asked",
            )
        )
        states += self.archives.endpoint_states()
        return self._remembered(states)

    def _remembered(self, states: list[EndpointState]) -> list[EndpointState]:
        if self.store is None:
            return states
        self.store.ensure_schema("endpoint_states", _ENDPOINT_SCHEMA)
        kept: list[EndpointState] = []
        for state in states:
            if state.reachable is None:
                row = self.store.execute("SELECT state FROM endpoint_states WHERE name = ?", (state.name,)).fetchone()
                if row is not None:
                    try:
                        kept.append(EndpointState.model_validate_json(row[0]))
                        continue
                    except ValueError:
                        pass  # a damaged row: report what this run saw
            elif not self.settings.offline:
                self.store.execute(
                    "INSERT OR REPLACE INTO endpoint_states (name, state) VALUES (?, ?)",
                    (state.name, state.model_dump_json()),
                )
            kept.append(state)
        return kept

    def network_state(self, plan: ResolvePlan, batch: ResolvedBatch) -> NetworkState:
        endpoints = self.endpoint_states(plan, batch)
        anything_answered = any(state.reachable for state in endpoints if state.kind != EndpointKind.dns)
        mode = NetworkMode.online if anything_answered or batch.requests_sent == 0 else NetworkMode.unreachable
        return NetworkState(
            mode=mode, message=online_message(plan, self.settings, batch, endpoints), endpoints=endpoints
        )


def online_message(
    plan: ResolvePlan, settings: ResolveSettings, batch: ResolvedBatch, endpoints: Sequence[EndpointState]
) -> str:
    """What an online run did, in one paragraph: the same words for one process and for merged partitions."""
    not_checked = sum(1 for check in batch.live.values() if check.status is LiveStatus.not_checked)
    unresolved = sum(1 for result in batch.archive.values() if result.status is ArchiveStatus.not_checked)
    refused = sum(1 for result in batch.archive.values() if result.refusal is not None)
    # The same words whether the answers came from the network or the store (a warm re-run writes the same
    # reports); `check` says when it sent nothing.
    message = f"Checked {len(plan.urls)} distinct URLs live and in {', '.join(settings.archives)}."
    parts = []
    down = [state for state in endpoints if state.outage in (EndpointOutage.rate_limited, EndpointOutage.failing)]
    for state in endpoints:
        if state in down:
            refusing = state.outage is EndpointOutage.rate_limited
            parts.append(f"{state.name}: {'refusing us' if refusing else 'failing'} ({state.detail})")
        elif state.reachable is False:
            parts.append(f"{state.name}: unreachable ({state.detail})")
        elif state.kind == EndpointKind.archive and state.reachable and state.dialect:
            parts.append(f"{state.name}: reachable ({state.dialect})")
        elif state.kind == EndpointKind.dns and state.reachable is not None:
            parts.append(state.detail or "")
    if parts:
        message += " " + "; ".join(part for part in parts if part) + "."
    if not_checked:
        message += f" {not_checked} live checks gave no usable answer and are reported not-checked (never dead)."
    if unresolved:
        message += f" {unresolved} archive lookups were inconclusive and are reported not-checked"
        message += f" ({refused} refused by the archive)." if refused else "."
    if down:
        # Said once, for the whole run: what the user can do about an archive that stopped answering us.
        message += (
            f" What {' and '.join(state.name for state in down)} left unanswered is not-checked, never"
            ' "not archived": audit again later (the answers already received are kept in the store), or name'
            " another archive with --archive (an endpoint URL, or warc:PATH for captures of your own)."
        )
    if plan.discovery:
        skipped = batch.discovery_skipped
        message += (
            f" Discovery proposed candidates for {len(batch.candidates)} of {len(plan.discovery)} references"
            " without a URL" + (f" ({skipped} left for a later run, to spare the archive's index)." if skipped else ".")
        )
        if batch.discovery_refused:
            message += f" The archive refused to search for {len(batch.discovery_refused)} of them."
    if batch.saved:
        done = sum(1 for outcome in batch.saved.values() if outcome.status == "saved")
        message += f" Asked the archive to capture {len(batch.saved)} unarchived live URLs ({done} saved)."
    return message


async def _in_window(works: Iterable[UrlWork], one: Callable[[UrlWork], Awaitable[None]], window: int) -> None:
    """``one(work)`` for every work, at most ``window`` of them started and unfinished at a time.

    Works start in plan order, as one ``gather`` over all of them would start
    them; the first failure cancels the rest and is raised.  A slot is freed
    by the task that ends (a semaphore, not ``asyncio.wait`` over the window:
    that costs a callback on every running task per finished one).
    """
    slots = asyncio.Semaphore(window)
    running: set[asyncio.Future[None]] = set()
    failures: list[BaseException] = []

    def finished(task: asyncio.Future[None]) -> None:
        running.discard(task)
        slots.release()
        if not task.cancelled() and task.exception() is not None:
            failures.append(task.exception())  # type: ignore[arg-type]

    try:
        for work in works:
            await slots.acquire()
            if failures:
                break
            task = asyncio.ensure_future(one(work))
            running.add(task)
            task.add_done_callback(finished)
        while running and not failures:
            await asyncio.wait(set(running), return_when=asyncio.FIRST_EXCEPTION)
    except BaseException:
        for pending in list(running):
            pending.cancel()
        raise
    if failures:
        for pending in list(running):
            pending.cancel()
        raise failures[0]


async def resolve_plan(
    plan: ResolvePlan,
    settings: ResolveSettings,
    progress: ProgressEvents = NULL_PROGRESS,
    answers: Answers | None = None,
    web: WebClient | None = None,
) -> ResolvedBatch:
    """Check the plan's URLs live and in the archives and read their sources, over the network.

    ``answers``: where the outcomes wait (default: in memory; a streamed audit spills them).
    ``web``: the run's client, shared with the audit's other steps (default: one of the session's own).
    """
    if settings.offline:
        return await resolve_plan_from_store(plan, settings, answers)
    with Store(settings.store_path) as store:
        async with ResolveSession(settings, store, progress, web) as session:
            return await session.run(plan, answers)


async def resolve_plan_from_store(
    plan: ResolvePlan, settings: ResolveSettings, answers: Answers | None = None
) -> ResolvedBatch:
    """What earlier runs left in the store, without a single request (``--offline``).

    The same code path as :func:`resolve_plan`, with the HTTP layer offline:
    live checks, archive answers and source texts come from the store when
    it holds them; everything else stays ``not-checked``.  A missing store is
    not created: an offline run leaves no trace.
    """
    offline = settings if settings.offline else _offline(settings)
    path = Path(settings.store_path)
    if settings.store_path != ":memory:" and not path.is_file():
        return ResolvedBatch(network=OFFLINE_STATE)
    with Store(path) as store:
        async with ResolveSession(offline, store) as session:
            batch = await session.run(plan, answers)
    live = sum(1 for check in batch.live.values() if check.status is not LiveStatus.not_checked)
    archive = sum(1 for result in batch.archive.values() if result.status is not ArchiveStatus.not_checked)
    read = sum(1 for source in batch.sources.values() if source.info.status == SourceStatus.fetched)
    batch.network = NetworkState(
        mode=NetworkMode.offline,
        message=(
            f"Offline audit from the cache ({settings.store_path}): {live} of {len(plan.live_urls)} live checks, "
            f"{archive} of {len(plan.references)} archive answers and {read} source texts were remembered "
            "from earlier runs; everything else is not-checked."
        ),
    )
    return batch


def _offline(settings: ResolveSettings) -> ResolveSettings:
    return replace(settings, offline=True)


def merge_batches(batches: Iterable[ResolvedBatch], plan: ResolvePlan, settings: ResolveSettings) -> ResolvedBatch:
    """One batch from the partitions' batches; endpoints merged by name."""
    batches = list(batches)
    live: dict[str, LiveCheck] = {}
    archive: dict[str, ArchiveResult] = {}
    sources: dict[str, SourceText] = {}
    merged = ResolvedBatch(network=NetworkState(mode=NetworkMode.online), live=live, archive=archive, sources=sources)
    endpoints: dict[str, EndpointState] = {}
    for batch in batches:
        live.update(batch.live)
        archive.update(batch.archive)
        sources.update(batch.sources)
        merged.candidates.update(batch.candidates)
        merged.discovery_refused.update(batch.discovery_refused)
        merged.saved.update(batch.saved)
        merged.discovery_skipped += batch.discovery_skipped
        for name, count in batch.requests.items():
            merged.requests[name] = merged.requests.get(name, 0) + count
        for name, count in batch.retried.items():
            merged.retried[name] = merged.retried.get(name, 0) + count
        for name, count in batch.rate_limited.items():
            merged.rate_limited[name] = merged.rate_limited.get(name, 0) + count
        for state in batch.network.endpoints:
            known = endpoints.get(state.name)
            if known is None:
                endpoints[state.name] = state
                continue
            reachable = known.reachable
            if state.reachable is not None:
                reachable = state.reachable if reachable is None else (reachable or state.reachable)
            endpoints[state.name] = known.model_copy(update={"reachable": reachable})
    states = list(endpoints.values())
    anything = any(state.reachable for state in states if state.kind != EndpointKind.dns)
    offline = all(batch.network.mode == NetworkMode.offline for batch in batches) and batches
    if offline:
        merged.network = batches[0].network
    else:
        mode = NetworkMode.online if anything or merged.requests_sent == 0 else NetworkMode.unreachable
        merged.network = NetworkState(
            mode=mode, message=online_message(plan, settings, merged, states), endpoints=states
        )
    return merged


def apply_resolution(documents: Sequence[ParsedDocument], batch: ResolvedBatch) -> None:
    """Write each URL's live check and each reference's capture, source and candidates onto it."""
    for document in documents:
        for reference in document.references:
            key = reference_key(document, reference)
            if reference.url:
                if reference.url in batch.live:
                    reference.live = batch.live[reference.url]
                if key in batch.archive:
                    reference.archive = batch.archive[key]
                if key in batch.sources:
                    reference.source = batch.sources[key].info
                outcome = batch.saved.get(reference.url)
                if outcome is not None:
                    where = outcome.snapshot_url or outcome.job_id or outcome.message
                    reference.archive = reference.archive.model_copy(
                        update={"reason": f"capture requested with --save-missing: {outcome.status} ({where})"}
                    )
                continue
            found = batch.candidates.get(key)
            if found:
                reference.candidates = found
            refused = batch.discovery_refused.get(key)
            if refused is not None:
                reference.archive = refused


async def resolve_documents(documents: Sequence[ParsedDocument], settings: ResolveSettings) -> NetworkState:
    """Plan, resolve and apply in one call (library use); returns what the run could do."""
    batch = await resolve_plan(plan_for(documents, settings), settings)
    apply_resolution(documents, batch)
    return batch.network


__all__ = [
    "OFFLINE_STATE",
    "ResolveSession",
    "ResolveSettings",
    "ResolvedBatch",
    "apply_resolution",
    "merge_batches",
    "online_message",
    "plan_for",
    "plan_resolution",
    "resolve_documents",
    "resolve_plan",
    "resolve_plan_from_store",
]
