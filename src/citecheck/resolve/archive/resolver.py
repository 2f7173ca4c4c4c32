"""Resolve citations to the archive snapshot that best shows what the author saw.

The cheap path first: one playback request at the target moment (redirects
not followed) tells the nearest capture and its status.  When that capture
is unusable (an error, or far after the target), a few more playback probes
at chosen moments usually settle which capture the rule picks (see
:class:`~citecheck.resolve.archive.choose.CaptureMap`); the CDX index — a
pool twenty to thirty times scarcer on the Internet Archive — is asked only
when the probes cannot settle it.  On an archive whose playback redirects first
(the Internet Archive: two requests per inexact lookup) the cited URLs that
share a host are asked of the index once, early — one host-wide query with a
urlkey filter answers all of them, statuses included — and each is then
decided from that answer, its bytes read at the exact capture only when the
source text is wanted.  Several archives are tried in order and the
result names the one that answered.  An archive that cannot be reached
yields ``not-checked`` with the reason, never ``none``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import TracebackType

from citecheck.models import ArchiveResult, ArchiveStatus, EndpointState, Reference
from citecheck.references.links import is_site_root
from citecheck.resolve.archive.backend import ArchiveBackend
from citecheck.resolve.archive.cache import ArchiveCache, target_key
from citecheck.resolve.archive.choose import (
    CaptureMap,
    choose_capture,
    closest_capture,
    days_between,
    nearest_is_usable,
    url_identity,
)
from citecheck.resolve.archive.discovery import DiscoveryRefused, discover_candidates
from citecheck.resolve.archive.endpoint import EndpointProfiles
from citecheck.resolve.archive.http_archive import HttpArchive
from citecheck.resolve.archive.ia import IA_BASE_URL
from citecheck.resolve.archive.models import (
    ArchiveEndpointError,
    ArchiveError,
    ArchiveRefusedError,
    ArchiveUnavailableError,
    CdxRecord,
    DiscoveryCandidate,
    Memento,
    NoMementoError,
    RateLimitError,
    SnapshotRequest,
)
from citecheck.resolve.archive.spec import parse_archive_spec
from citecheck.resolve.archive.warc import WarcArchive
from citecheck.resolve.politeness import about, continuing
from citecheck.resolve.web import WebClient
from citecheck.store.db import Store

DEFAULT_ARCHIVES = (IA_BASE_URL,)


def backend_from_spec(spec: str, web: WebClient, profiles: EndpointProfiles | None = None) -> ArchiveBackend:
    """An archive from its ``--archive`` spelling: ``warc:PATH`` (local files) or an endpoint URL.

    An endpoint's dialect is probed on first use (:mod:`.endpoint`) unless a
    prefix states it (``ia+``, ``pywb+``, ``openwayback+``, ``memento+``).
    Raises ValueError for a value that cannot be an archive.
    """
    parsed = parse_archive_spec(spec)
    if parsed.is_local:
        return WarcArchive(parsed.url, name=parsed.name)
    return HttpArchive(parsed, web, profiles=profiles)


def archive_names(specs: Sequence[str]) -> list[str]:
    """The cache names of the ``--archive`` endpoints, known without asking any of them."""
    return [parse_archive_spec(spec).name for spec in specs]


@dataclass
class _Chain:
    """Where following a capture's historical redirects led."""

    final: Memento
    hops: int
    stopped_because: str | None  # None: ended on a non-redirect capture


class ArchiveResolver:
    """One run's archive resolution: one HTTP client, the archives in order, the cache.

    Use as ``async with ArchiveResolver([...]) as resolver: await resolver.resolve_many(requests)``.
    """

    def __init__(
        self,
        archives: Sequence[str] = DEFAULT_ARCHIVES,
        *,
        web: WebClient | None = None,
        store: Store | None = None,
        cache: ArchiveCache | None = None,
        concurrency: int = 16,
        after_tolerance: timedelta = timedelta(days=7),
        redirect_window: timedelta = timedelta(days=1),
        max_redirect_hops: int = 5,
        backends: Sequence[ArchiveBackend] | None = None,
        playback_probes: int = 4,
        index_when_quicker: bool = True,
        discovery_limit: int = 20,
        offline: bool = False,
        lookup_deadline: float = 300.0,
        index_batches: int = 30,
    ) -> None:
        self._specs = list(archives)
        self._given_backends = list(backends) if backends is not None else None
        self._given_web = web
        self._web: WebClient | None = web
        self._store = store
        self.offline = offline
        # One URL's whole lookup on one archive, probes and waits included: a trickling archive
        # cannot hold a citation longer than this.
        self.lookup_deadline = lookup_deadline
        self.cache = cache or (ArchiveCache(store) if store is not None else None)
        self.concurrency = concurrency
        self.after_tolerance = after_tolerance
        self.redirect_window = redirect_window
        self.max_redirect_hops = max_redirect_hops
        # Probes spent on one URL before asking the index instead.  On the Internet Archive one CDX
        # call costs what twenty playback calls cost in pool time, so four probes are a bargain
        # even when they fail and the index is asked after all.
        self.playback_probes = playback_probes
        # The two pools run side by side: when the index would answer an error capture before the
        # two probes in a row it needs would, one index query is quicker and one request fewer.
        self.index_when_quicker = index_when_quicker
        # Fresh discovery searches per run: each is an index query, and 20 of them are
        # most of a minute's index budget at the Internet Archive.
        self.discovery_limit = discovery_limit
        self.discovery_skipped = 0
        # Host-wide index queries asked early per run (where the archive's playback redirects first):
        # each answers every cited URL of one host; the hosts with most URLs get them first.
        self.index_batches = index_batches
        self.probes_sent = 0
        self._probe_seconds: dict[str, float] = {}  # per archive: moving average of one playback answer
        self.index_queries = 0
        self.backends: list[ArchiveBackend] = []
        self._in_flight: dict[tuple[str, str], asyncio.Future[tuple[ArchiveResult, Memento | None]]] = {}
        self.cache_hits = 0

    async def __aenter__(self) -> ArchiveResolver:
        if self._web is None:
            self._web = WebClient(offline=self.offline)
            await self._web.__aenter__()
        if self._given_backends is not None:
            self.backends = self._given_backends
        else:
            profiles = EndpointProfiles(self._store)
            self.backends = [backend_from_spec(spec, self._web, profiles) for spec in self._specs]
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        for backend in self.backends:
            close = getattr(backend, "close_batches", None)
            if callable(close):
                close()
        if self._web is not None and self._given_web is None:
            await self._web.__aexit__(kind, value, traceback)
            self._web = None

    def endpoint_states(self) -> list[EndpointState]:
        """Per archive: reachable or not, its dialect, how many requests it was sent."""
        states: list[EndpointState] = []
        for backend in self.backends:
            state = getattr(backend, "endpoint_state", None)
            if callable(state):
                found = state()
                if isinstance(found, EndpointState):
                    states.append(found)
        return states

    @property
    def requests_sent(self) -> int:
        return sum(backend.requests_sent for backend in self.backends)

    # ------------------------------------------------------------------ public API

    async def resolve(self, request: SnapshotRequest) -> ArchiveResult:
        """The best snapshot over every archive, in order; the result names the archive that answered."""
        result, _capture = await self.resolve_capture(request)
        return result

    async def resolve_capture(self, request: SnapshotRequest) -> tuple[ArchiveResult, Memento | None]:
        """The best snapshot and, when playback already sent them, the chosen capture's bytes (``Memento.body``)."""
        key = (request.url, target_key(request))
        running = self._in_flight.get(key)
        if running is not None:
            return await asyncio.shield(running)
        future: asyncio.Future[tuple[ArchiveResult, Memento | None]] = asyncio.get_running_loop().create_future()
        self._in_flight[key] = future
        try:
            answer = await self._resolve_everywhere(request)
        except BaseException as error:
            future.set_exception(error)
            # The exception is re-raised here; retrieve it so waiters-less futures stay quiet.
            future.exception()
            raise
        finally:
            self._in_flight.pop(key, None)
        future.set_result(answer)
        return answer

    async def resolve_many(self, requests: Sequence[SnapshotRequest]) -> list[ArchiveResult]:
        """Resolve many requests concurrently (duplicates resolved once), results in request order."""
        gate = asyncio.Semaphore(self.concurrency)

        async def bounded(request: SnapshotRequest) -> ArchiveResult:
            await self.index_ready(request)
            async with gate:
                return await self.resolve(request)

        unique: dict[tuple[str, str], SnapshotRequest] = {}
        for request in requests:
            unique.setdefault((request.url, target_key(request)), request)
        self.schedule_index(list(unique.values()))
        answers = await asyncio.gather(*(bounded(request) for request in unique.values()))
        by_key = dict(zip(unique, answers, strict=True))
        return [by_key[(request.url, target_key(request))] for request in requests]

    def schedule_index(self, requests: Sequence[SnapshotRequest]) -> int:
        """Ask the first archive's index once, early, for the cited URLs that share a host.

        Only where that pays (an archive whose playback redirects first, see
        ``HttpArchive.batches_index``) and only for requests the cache cannot
        answer.  Returns the index queries scheduled.
        """
        if self.offline or not self.backends:
            return 0
        backend = self.backends[0]
        schedule = getattr(backend, "schedule_index_batches", None)
        if not callable(schedule) or not getattr(backend, "batches_index", False):
            return 0
        cache = self.cache
        urls = [request.url for request in requests if cache is None or cache.get(backend.name, request) is None]
        budget = self.index_batches - getattr(backend, "batch_queries", 0)
        scheduled = int(schedule(urls, max(0, budget)))
        self.index_queries += scheduled
        return scheduled

    async def index_ready(self, request: SnapshotRequest) -> None:
        """Wait for a batched index answer this request's lookup will use (before taking a lookup slot)."""
        if not self.backends:
            return
        ready = getattr(self.backends[0], "indexed_captures", None)
        if callable(ready):
            await ready(request.url)

    async def discover(self, reference: Reference, learned: dict[str, str] | None = None) -> list[DiscoveryCandidate]:
        """Discovery candidates for a URL-less reference from the first archive that has any (cached).

        An archive that cannot answer is passed over: candidates are hints, and
        their absence is never reported as a finding.  When no archive found
        any and one *refused* to search, :class:`DiscoveryRefused` says so —
        a refused search is not "searched, found nothing".
        """
        if not self.backends:
            raise RuntimeError("ArchiveResolver used outside 'async with'")
        refused: list[ArchiveRefusedError] = []
        for backend in self.backends:
            try:
                candidates = await discover_candidates(backend, reference, learned, cache=self.cache)
            except ArchiveRefusedError as refusal:
                refused.append(refusal)
                continue
            except ArchiveError:
                continue
            if candidates:
                return candidates
        if refused:
            raise DiscoveryRefused(refused[0])
        return []

    def discovery_cached(self, query_key: str) -> bool:
        """Whether every archive can answer this discovery search from the cache."""
        if self.cache is None:
            return False
        cache = self.cache
        return all(cache.get_discovery(backend.name, query_key) is not None for backend in self.backends)

    # ------------------------------------------------------------------ across archives

    async def _resolve_everywhere(self, request: SnapshotRequest) -> tuple[ArchiveResult, Memento | None]:
        if not self.backends:
            raise RuntimeError("ArchiveResolver used outside 'async with'")
        answers: list[ArchiveResult] = []
        for backend in self.backends:
            answer, capture = await self._resolve_cached(backend, request)
            if answer.status is ArchiveStatus.found:
                return answer, capture
            answers.append(answer)
        return combine_answers(answers, [backend.name for backend in self.backends]), None

    async def _resolve_cached(
        self, backend: ArchiveBackend, request: SnapshotRequest
    ) -> tuple[ArchiveResult, Memento | None]:
        if self.cache is not None:
            cached = self.cache.get(backend.name, request, now=0.0 if self.offline else None)
            if cached is not None:
                self.cache_hits += 1
                return cached, None
        if self.offline:
            return self._not_checked(backend, "offline, not in cache"), None
        capture: Memento | None = None
        try:
            # The endpoint's breaker counts failing URLs, not requests: these are all about this one.
            with about(request.url):
                async with asyncio.timeout(self.lookup_deadline):
                    answer, capture = await self._resolve_on(backend, request)
        except TimeoutError:
            answer = self._not_checked(backend, f"the lookup took longer than {self.lookup_deadline:.0f} s")
        except RateLimitError as error:
            wait = f"; asked to wait {error.retry_after:.0f} s" if error.retry_after else ""
            answer = self._not_checked(backend, f"rate limited{wait} ({error})")
        except ArchiveRefusedError as refusal:
            answer = ArchiveResult(
                status=ArchiveStatus.not_checked, archive=backend.name, reason=str(refusal), refusal=refusal.refusal
            )
        except ArchiveUnavailableError as error:
            answer = ArchiveResult(
                status=ArchiveStatus.not_checked, archive=backend.name, reason=str(error), outage=error.outage
            )
        except ArchiveEndpointError as error:
            answer = self._not_checked(backend, str(error))
        except ArchiveError as error:
            answer = self._not_checked(backend, f"{type(error).__name__}: {error}")
        except OverflowError as error:
            # Arithmetic on a capture time at the edge of the calendar: garbage from the archive.
            answer = self._not_checked(backend, f"unusable capture time from the archive ({error})")
        if self.cache is not None:
            self.cache.put(backend.name, request, answer)
        return answer, capture

    @staticmethod
    def _not_checked(backend: ArchiveBackend, reason: str) -> ArchiveResult:
        return ArchiveResult(status=ArchiveStatus.not_checked, archive=backend.name, reason=reason)

    # ------------------------------------------------------------------ one archive

    async def _resolve_on(
        self, backend: ArchiveBackend, request: SnapshotRequest
    ) -> tuple[ArchiveResult, Memento | None]:
        target = request.target or datetime.now(UTC)
        indexed = getattr(backend, "indexed_captures", None)
        records = await indexed(request.url) if callable(indexed) else None
        if records is not None and not records:
            # The same answer a playback 404 gives: the report reads alike whichever way it was learned.
            return ArchiveResult(status=ArchiveStatus.none, archive=backend.name, reason="never captured"), None
        if records:
            decided = self._decide_from_index(backend, request, target, records)
            if decided is not None:
                return decided
            nearest_record = closest_capture(records, target)
            if nearest_record is not None and nearest_record.is_redirect:
                return await self._redirect_from_index(backend, request, records, nearest_record)
        try:
            nearest = await self._timed_nearest(backend, request.url, target)
        except NoMementoError:
            return ArchiveResult(status=ArchiveStatus.none, archive=backend.name, reason="never captured"), None
        chain = await self._follow_redirects(backend, nearest)
        if not nearest.is_redirect and nearest_is_usable(nearest, request.target, self.after_tolerance):
            return self._found(backend, request, nearest, reason=None), nearest
        if (
            chain.hops > 0
            and chain.stopped_because is None
            and nearest_is_usable(chain.final, request.target, self.after_tolerance + self.redirect_window)
        ):
            # The site had moved the page when it was captured: the reader followed the redirect too.
            reason = f"archived redirect from {request.url}"
            return self._found(backend, request, chain.final, reason=reason), chain.final

        # The nearest capture is an error, a redirect, or far after the target: probe playback
        # elsewhere in time, and ask the index only when the probes cannot settle the choice.
        settled, chosen = await self._search_by_playback(backend, request, target, nearest)
        if not settled:
            self.index_queries += 1
            chosen = self._capture_from_index(backend, request, await backend.captures(request.url))
        if chosen is not None:
            return self._found(backend, request, chosen, reason=None), chosen
        if chain.stopped_because is None and chain.final.is_good:
            reason = f"archived redirect from {request.url}"
            return self._found(backend, request, chain.final, reason=reason), chain.final
        worst = nearest
        why = chain.stopped_because if nearest.is_redirect else None
        why = why or f"archived capture answered {worst.status}"
        return self._found(backend, request, worst, reason=why, status=ArchiveStatus.error_snapshot), None

    async def _timed_nearest(self, backend: ArchiveBackend, url: str, at: datetime) -> Memento:
        """``backend.nearest``, keeping a moving average of how long one playback answer takes."""
        started = time.monotonic()
        try:
            return await backend.nearest(url, at)
        finally:
            elapsed = time.monotonic() - started
            previous = self._probe_seconds.get(backend.name)
            self._probe_seconds[backend.name] = elapsed if previous is None else 0.8 * previous + 0.2 * elapsed

    async def _search_by_playback(
        self, backend: ArchiveBackend, request: SnapshotRequest, probed_at: datetime, nearest: Memento
    ) -> tuple[bool, Memento | None]:
        """``(settled, chosen)`` from at most ``playback_probes`` more playback probes.

        Settled: ``chosen`` is the capture the index would have led to, or None
        when the URL has no good capture at all.
        """
        knowledge = CaptureMap(latest=datetime.now(UTC))
        knowledge.record(probed_at, nearest)
        # An error capture leaves both of its sides to settle: at least two probes in a row.  The
        # pools run side by side, so when the index could answer before those two round trips
        # would (its wait no longer than one probe's), one index query is quicker and one request fewer.
        one_probe = self._probe_seconds.get(backend.name, 0.0)
        # A Link header that names the neighbouring captures makes probes exact (one request each):
        # then playback beats the index whatever its wait.
        linked = bool({"first", "prev", "next", "last"} & set(nearest.neighbours))
        if not linked and not nearest.is_good and self.index_when_quicker and backend.index_wait() <= one_probe:
            return False, None
        for probes in range(self.playback_probes + 1):
            settled, chosen, moment = knowledge.decide(request.target)
            if settled:
                return True, chosen
            if moment is None or probes == self.playback_probes:
                return False, None
            self.probes_sent += 1
            try:
                with continuing():
                    memento = await self._timed_nearest(backend, request.url, moment)
            except NoMementoError:
                # It answered a capture a moment ago: an inconsistent archive; let the index decide.
                return False, None
            knowledge.record(moment, memento)
        return False, None

    def _decide_from_index(
        self, backend: ArchiveBackend, request: SnapshotRequest, target: datetime, records: Sequence[CdxRecord]
    ) -> tuple[ArchiveResult, Memento | None] | None:
        """The choice playback would lead to, read from every capture the index listed; None: ask playback.

        The capture playback serves at the target is the nearest whatever its
        status; it stands when good and not too far after.  Otherwise the rule
        (:func:`choose_capture`) picks among the good ones.  Archived redirects
        (and statuses the index does not know) are left to playback, which
        follows them.
        """
        nearest = closest_capture(records, target)
        if nearest is None or nearest.status is None or 300 <= nearest.status < 400:
            return None

        def memento(record: CdxRecord) -> Memento:
            return Memento(
                url=record.original,
                capture_time=record.timestamp,
                status=record.status or 200,
                playback_url=backend.snapshot_url(record.original, record.timestamp),
            )

        if nearest.is_good and (
            request.target is None
            or nearest.timestamp <= request.target
            or nearest.timestamp - request.target <= self.after_tolerance
        ):
            return self._found(backend, request, memento(nearest), reason=None), memento(nearest)
        chosen = choose_capture(records, request.target)
        if chosen is not None:
            return self._found(backend, request, memento(chosen), reason=None), memento(chosen)
        if any(record.status is None or 300 <= record.status < 400 for record in records):
            return None
        why = f"archived capture answered {nearest.status}"
        return self._found(backend, request, memento(nearest), reason=why, status=ArchiveStatus.error_snapshot), None

    async def _redirect_from_index(
        self, backend: ArchiveBackend, request: SnapshotRequest, records: Sequence[CdxRecord], nearest: CdxRecord
    ) -> tuple[ArchiveResult, Memento | None]:
        """The index says playback would serve an archived redirect: read it at its exact moment (no
        redirect-first hop) and follow it as playback would; the index settles what follows."""
        try:
            start = await backend.nearest(request.url, nearest.timestamp)
        except NoMementoError:
            return ArchiveResult(status=ArchiveStatus.none, archive=backend.name, reason="never captured"), None
        chain = await self._follow_redirects(backend, start)
        if (
            start.is_redirect
            and chain.hops > 0
            and chain.stopped_because is None
            and nearest_is_usable(chain.final, request.target, self.after_tolerance + self.redirect_window)
        ):
            reason = f"archived redirect from {request.url}"
            return self._found(backend, request, chain.final, reason=reason), chain.final
        if not start.is_redirect and nearest_is_usable(start, request.target, self.after_tolerance):
            return self._found(backend, request, start, reason=None), start
        chosen = self._capture_from_index(backend, request, records)
        if chosen is not None:
            return self._found(backend, request, chosen, reason=None), chosen
        if chain.stopped_because is None and chain.final.is_good:
            return self._found(backend, request, chain.final, reason=f"archived redirect from {request.url}"), (
                chain.final
            )
        why = chain.stopped_because if start.is_redirect else None
        why = why or f"archived capture answered {start.status}"
        return self._found(backend, request, start, reason=why, status=ArchiveStatus.error_snapshot), None

    @staticmethod
    def _capture_from_index(
        backend: ArchiveBackend, request: SnapshotRequest, captures: Sequence[CdxRecord]
    ) -> Memento | None:
        chosen = choose_capture(captures, request.target)
        if chosen is None:
            return None
        return Memento(
            url=chosen.original,
            capture_time=chosen.timestamp,
            status=chosen.status or 200,
            playback_url=backend.snapshot_url(chosen.original, chosen.timestamp),
        )

    def _found(
        self,
        backend: ArchiveBackend,
        request: SnapshotRequest,
        capture: Memento,
        reason: str | None,
        status: ArchiveStatus = ArchiveStatus.found,
    ) -> ArchiveResult:
        """The result naming ``capture``: a good one (found) or the error capture that is all there is."""
        return ArchiveResult(
            status=status,
            archive=backend.name,
            snapshot_url=backend.snapshot_url(capture.url, capture.capture_time),
            snapshot_time=capture.capture_time,
            snapshot_status=capture.status,
            days_from_access=days_between(capture.capture_time, request.access_date) if request.access_date else None,
            reason=reason,
        )

    async def _follow_redirects(self, backend: ArchiveBackend, start: Memento) -> _Chain:
        """Follow historical redirects while each hop was captured within the window of the first.

        Stops (with the reason) at a loop, a redirect to the site's home page
        (soft-dead, not the cited page), a target never captured, or a target
        captured outside the window.
        """
        current = start
        seen = {url_identity(start.url)}
        hops = 0
        while current.is_redirect:
            if hops >= self.max_redirect_hops:
                return _Chain(current, hops, f"more than {self.max_redirect_hops} archived redirects")
            if not current.location:
                return _Chain(current, hops, f"archived {current.status} without a target")
            if is_site_root(current.location) and not is_site_root(current.url):
                return _Chain(current, hops, f"archived redirect to the site's home page ({current.location})")
            identity = url_identity(current.location)
            if identity in seen:
                return _Chain(current, hops, f"redirect loop in the archive ({current.url} → {current.location})")
            seen.add(identity)
            try:
                following = await backend.nearest(current.location, current.capture_time)
            except NoMementoError:
                return _Chain(current, hops, f"archived redirect to {current.location}, which was never captured")
            if abs(following.capture_time - start.capture_time) > self.redirect_window:
                return _Chain(current, hops, f"archived redirect to {current.location}, captured outside the window")
            current = following
            hops += 1
        return _Chain(current, hops, None)


def combine_answers(answers: Sequence[ArchiveResult], names: Sequence[str]) -> ArchiveResult:
    """One answer from every archive's (none of which found a good capture), in the order asked.

    An archive we could not ask (or that refused) might hold the capture: the
    result is not-checked, never "none"; a refusal keeps the archive's reason.
    """
    unanswered = [answer for answer in answers if answer.status is ArchiveStatus.not_checked]
    if unanswered:
        refused = next((answer for answer in unanswered if answer.refusal is not None), None)
        # Down for the run only when every archive asked was: one that answered "none" outweighs it.
        outages = [answer.outage for answer in answers]
        return ArchiveResult(
            status=ArchiveStatus.not_checked,
            archive=(refused or unanswered[0]).archive,
            reason="; ".join(f"{answer.archive}: {answer.reason}" for answer in answers),
            refusal=refused.refusal if refused is not None else None,
            outage=outages[0] if outages[0] is not None and None not in outages else None,
        )
    errors = [answer for answer in answers if answer.status is ArchiveStatus.error_snapshot]
    if errors:
        return errors[0]
    return ArchiveResult(status=ArchiveStatus.none, archive=", ".join(names), reason="no capture in any archive")
