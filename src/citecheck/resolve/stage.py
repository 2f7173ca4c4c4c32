"""The resolve stage: every cited URL checked live and in the archives, its source text read — once.

Entry points (named so they cannot be confused with the ``references``
package that parses citations):

* :func:`~citecheck.resolve.batch.plan_for` (:mod:`.batch`) — what the audit needs;
* :func:`resolve_plan` — do it over the network (or a Dask partition of it);
* :func:`resolve_plan_from_store` — the same code path with no request at
  all (``--offline``): every answer from the store;
* :func:`~citecheck.resolve.batch.apply_resolution` (:mod:`.batch`) — write the answers onto the references.

What needs no network — the batch of answers, merged and applied — lives in
:mod:`.batch`, which an offline audit with no store imports without this module.

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
from types import TracebackType

from citecheck.models import (
    ArchiveResult,
    ArchiveStatus,
    Candidate,
    EndpointKind,
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
from citecheck.resolve.archive.models import CaptureBody, Memento, SnapshotRequest
from citecheck.resolve.archive.resolver import ArchiveResolver
from citecheck.resolve.archive.save import SaveConfig, SaveOutcome, save_missing
from citecheck.resolve.batch import (
    OFFLINE_STATE,
    ResolvedBatch,
    apply_resolution,
    nothing_stored,
    online_message,
    plan_for,
)
from citecheck.resolve.live import LiveChecker, LiveResult, page_worth_reading
from citecheck.resolve.net import system_resolver
from citecheck.resolve.plan import ReferenceWork, ResolvePlan, UrlWork
from citecheck.resolve.settings import ResolveSettings
from citecheck.resolve.sources import PageRead, SourceReader
from citecheck.resolve.web import WebClient
from citecheck.store.db import Store

_ENDPOINT_SCHEMA = """
CREATE TABLE IF NOT EXISTS endpoint_states (
    name TEXT PRIMARY KEY,   -- an archive's name, 'live web' or 'DNS'
    state TEXT NOT NULL      -- the last EndpointState a run that asked it saw (JSON)
);
"""

# The progress display's events (citecheck.progress): Dask partitions get NULL_PROGRESS.
ProgressCallback = ProgressEvents
URL_WINDOW = 1024  # URLs started and unfinished at once, at least (the gates bound the requests)


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
    if nothing_stored(settings):
        return ResolvedBatch(network=OFFLINE_STATE)
    with Store(settings.store_path) as store:
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


async def resolve_documents(documents: Sequence[ParsedDocument], settings: ResolveSettings) -> NetworkState:
    """Plan, resolve and apply in one call (library use); returns what the run could do."""
    batch = await resolve_plan(plan_for(documents, settings), settings)
    apply_resolution(documents, batch)
    return batch.network


__all__ = [
    "ResolveSession",
    "resolve_documents",
    "resolve_plan",
    "resolve_plan_from_store",
]
