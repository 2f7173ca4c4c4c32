"""An archive endpoint over HTTP, in whatever dialect it answers, through the run's one HTTP layer.

:class:`HttpArchive` learns its endpoint's dialect (:mod:`.endpoint`) on first
use, then offers the resolver one interface: the capture playback serves
near a moment (``nearest``), every capture of a URL (``captures``: the CDX
index or the TimeMap), a prefix search (CDX dialects only), a capture's
bytes.  Every request goes through :class:`~citecheck.resolve.web.WebClient`
under this endpoint's own pools — the Internet Archive's published limits
for the Internet Archive only, a fast adaptive rate for any other — and
every archive-issued redirect is vetted like a live redirect.

What an endpoint says is read as it really is:

* an answer carrying ``Memento-Datetime`` is a capture whatever its status:
  an archived 429 or 503 is an error capture, never "the archive is
  limiting us";
* refusals (excluded, blocked site, robots.txt) are :class:`ArchiveRefusedError`
  with the archive's words, not "no snapshot";
* an index 404 or 5xx is an endpoint problem (:class:`ArchiveEndpointError`),
  never an answer; a TimeMap 404 is "no mementos" (RFC 7089);
* an endpoint that cannot be reached marks itself unavailable: its later
  lookups fail at once, and the report says so;
* so does one that refuses us — 429s naming no wait to every request, what
  the Internet Archive answers a client it blocks — or fails every request
  (5xx, broken exchanges) for a while (:class:`~citecheck.resolve.politeness.EndpointBreaker`):
  its lookups are "archive unavailable", never "not archived".

Nothing is asked twice in a run: a capture already answered (or being
fetched for another lookup) is served from memory, also when a
redirect-first answer points at it; where such a redirect pointed is
remembered; a URL playback answered 404 for is not asked again.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import re
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from citecheck.models import EndpointKind, EndpointOutage, EndpointState
from citecheck.resolve.archive.choose import url_identity
from citecheck.resolve.archive.endpoint import (
    EndpointProfile,
    EndpointProfiles,
    probe_endpoint,
    profile_for,
)
from citecheck.resolve.archive.ia import (
    IA_INDEX_POLICY,
    IA_PLAYBACK_POLICY,
    parse_cdx_page,
    refusal_in_answer,
)
from citecheck.resolve.archive.models import (
    ArchiveEndpointError,
    ArchiveError,
    ArchiveProtocolError,
    ArchiveRefusedError,
    ArchiveUnavailableError,
    CaptureBody,
    CdxRecord,
    Memento,
    NoMementoError,
    RateLimitError,
    format_timestamp,
    parse_timestamp,
)
from citecheck.resolve.archive.pywb import FAST_INDEX_POLICY, FAST_PLAYBACK_POLICY, parse_cdx_json_lines
from citecheck.resolve.archive.spec import ArchiveSpec, Dialect, archive_host, endpoint_address
from citecheck.resolve.archive.wayback import (
    dedupe_records,
    is_web_capture,
    join_url,
    memento_from_response,
    parse_timemap,
)
from citecheck.resolve.net import parse_retry_after
from citecheck.resolve.politeness import EndpointBreaker, PoolPolicy, about
from citecheck.resolve.web import FetchError, FetchFailed, WebClient, WebResponse

# httpx imported where used: an offline audit imports this module but never fetches or parses a page (issue 17).
if TYPE_CHECKING:
    import httpx


_GOOD = frozenset({200, 203, 206})
# Bytes of capture bodies kept for the run: a capture is fetched once however often it is chosen.
CAPTURE_CACHE_BYTES = 64 * 1024 * 1024
# Index queries batched per host: URLs of one host in one CDX query (urlkey regex filter), at most
# this many per query so the query string stays a few kilobytes.
BATCH_MAX_URLS = 40
_PLAIN_KEY = re.compile(r"[a-z0-9,.\-]+\)/[a-z0-9/._~\-]*")
# One probe at a time, at most two a second: a handful of requests, before the dialect's limits are known.
# Dialect probes asked in a row while it answers 429 (each of two requests, paused 1, 2, 4 … s between):
# enough for the breaker to give a refusing endpoint up first (its patience, 20 s, is passed on the sixth).
PROBE_ATTEMPTS = 5
# A 429 naming no wait pauses it a second, doubling per refusal in a row (as the Internet Archive's pools).
PROBE_POLICY = PoolPolicy(
    concurrency=1, per_second=2.0, burst=2, pause_without_retry_after=60.0, first_pause_without_retry_after=1.0
)


class HttpArchive:
    """One archive endpoint; the ``ArchiveBackend`` interface over the run's :class:`WebClient`."""

    def __init__(
        self,
        spec: ArchiveSpec,
        web: WebClient,
        *,
        profiles: EndpointProfiles | None = None,
        page_size: int = 5000,
        max_pages: int = 4,
        retries: int = 2,
    ) -> None:
        self.spec = spec
        self.name = spec.name
        self.web = web
        self._profiles = profiles or EndpointProfiles(None)
        self.page_size = page_size
        self.max_pages = max_pages
        self.retries = retries
        self._profile: EndpointProfile | None = None
        self._profile_lock = asyncio.Lock()
        self.unavailable_reason: str | None = None
        self.outage: EndpointOutage | None = None  # why it is down for the run (with unavailable_reason)
        self.reachable: bool | None = None
        # Every pool of this endpoint reports to it: refusing or failing every request trips it.
        self.breaker = EndpointBreaker(self.name, web.settings.give_up_after)
        self._connect_failures = 0
        self.unreadable_rows = 0
        self._timemaps: dict[str, list[tuple[str, datetime]]] = {}
        # Captures playback answered this run, by (URL identity, 14-digit timestamp): never fetched twice.
        self._captures: OrderedDict[tuple[str, str], Memento] = OrderedDict()
        self._capture_bytes = 0
        # Where the archive's redirect-first answers pointed: (identity, moment asked) -> (URL, timestamp).
        self._redirects: dict[tuple[str, str], tuple[str, str]] = {}
        self._playing: dict[tuple[str, str], asyncio.Future[Memento]] = {}  # captures being fetched
        # Who waits for whom, so that following an archive's redirects never waits on itself: each lookup
        # gets a number (its root); ``_holders`` maps a capture being fetched to the lookup fetching it,
        # ``_waiting`` a lookup to the capture it waits for.
        self._lookups = itertools.count(1)
        self._holders: dict[tuple[str, str], int] = {}
        self._waiting: dict[int, tuple[str, str]] = {}
        self._never_captured: set[str] = set()  # URL identities playback answered 404 for
        # What batched index queries said, by URL identity: every capture of the URL (complete answers only).
        self._indexed: dict[str, list[CdxRecord]] = {}
        self._batches: dict[str, asyncio.Future[None]] = {}  # URL identity -> its pending batch query
        self.batch_queries = 0
        self.capture_cache_hits = 0
        self.index_pool = f"archive:{self.name}:index"
        self.playback_pool = f"archive:{self.name}:playback"
        # The dialect probe has a pool of its own: the index pool gets the dialect's limits once known.
        self.probe_pool = f"archive:{self.name}:probe"
        # The endpoint the operator configured may sit on an intranet or loopback.
        web.trust_address(*endpoint_address(spec))
        if spec.dialect is not None and spec.dialect is not Dialect.warc:
            self._use(profile_for(spec.dialect, spec.url))

    # ------------------------------------------------------------------ dialect

    def _use(self, profile: EndpointProfile) -> None:
        self._profile = profile
        ia = profile.dialect is Dialect.internet_archive and self.spec.url.startswith(("https://web.archive.org",))
        ia_dialect = profile.dialect is Dialect.internet_archive
        index, playback = (
            (IA_INDEX_POLICY, IA_PLAYBACK_POLICY) if ia_dialect else (FAST_INDEX_POLICY, FAST_PLAYBACK_POLICY)
        )
        override = self.web.settings.host_settings(archive_host(self.spec))
        if override is not None and override.per_second is not None and not ia:
            # A per-host rate the operator set for this endpoint (its own limits, a test mirror).
            index = replace(index, per_second=override.per_second)
            playback = replace(playback, per_second=override.per_second)
        index, playback = self._at_archive_rate(index), self._at_archive_rate(playback)
        # No single wait longer than the run's cap: a longer Retry-After makes those lookups not-checked.
        cap = self.web.settings.retry_after_cap
        self.breaker.watch(self.web.configure_pool(self.index_pool, replace(index, max_wait=min(index.max_wait, cap))))
        self.breaker.watch(
            self.web.configure_pool(self.playback_pool, replace(playback, max_wait=min(playback.max_wait, cap)))
        )

    def _at_archive_rate(self, policy: PoolPolicy) -> PoolPolicy:
        """``policy`` sending no faster than the operator's ``--archive-rate`` (a slower policy stays as it is)."""
        rate = self.web.settings.archive_rate
        if rate is None or (policy.per_second is not None and policy.per_second <= rate):
            return policy
        # No burst above one second's worth either: a bucket of eight at 2/s would send eight at once.
        return replace(policy, per_second=rate, burst=max(1, min(policy.burst, math.floor(rate))))

    def _unavailable(self) -> ArchiveUnavailableError:
        """The error every lookup gets once the endpoint is down for the run (:attr:`unavailable_reason`)."""
        if self.unavailable_reason is None and self.breaker.outage is not None:
            kind = "rate limited" if self.breaker.outage is EndpointOutage.rate_limited else "failing"
            self.unavailable_reason = f"archive unavailable: {kind} ({self.breaker.why}); not asked again this run"
            self.outage = self.breaker.outage
            # A 429 is an answer: the endpoint was reached. A state known this run, never the store's older one.
            if self.outage is EndpointOutage.rate_limited or self.reachable is None:
                self.reachable = self.outage is EndpointOutage.rate_limited
        assert self.unavailable_reason is not None
        return ArchiveUnavailableError(self.unavailable_reason, self.outage)

    def _down(self, reason: str, outage: EndpointOutage | None) -> ArchiveUnavailableError:
        self.unavailable_reason = reason
        self.outage = outage
        return ArchiveUnavailableError(reason, outage)

    async def profile(self) -> EndpointProfile:
        """The endpoint's dialect and layout: stated, remembered, or probed (once per run)."""
        if self._profile is not None:
            return self._profile
        if self.unavailable_reason is not None or self.breaker.tripped:
            raise self._unavailable()
        async with self._profile_lock:
            if self.unavailable_reason is not None or self.breaker.tripped:
                raise self._unavailable()
            if self._profile is None:
                remembered = self._profiles.get(self.spec.url)
                if remembered is not None:
                    self._use(remembered)
                else:
                    probe_wait = min(PROBE_POLICY.max_wait, self.web.settings.retry_after_cap)
                    probe_policy = self._at_archive_rate(replace(PROBE_POLICY, max_wait=probe_wait))
                    self.breaker.watch(self.web.configure_pool(self.probe_pool, probe_policy))
                    try:
                        probed = await self._probe()
                    except ArchiveError as error:
                        if self.breaker.tripped:  # refused or failed throughout the probe: down for the run
                            raise self._unavailable() from error
                        if isinstance(error, ArchiveUnavailableError):
                            self.reachable = False
                            raise self._down(str(error), EndpointOutage.unreachable) from error
                        if isinstance(error, ArchiveProtocolError):
                            self.reachable = True
                            self.unavailable_reason = str(error)
                        raise
                    self.reachable = True
                    self._profiles.put(self.spec.url, probed)
                    self._use(probed)
        assert self._profile is not None
        return self._profile

    async def _probe(self) -> EndpointProfile:
        """The dialect probe, asked again after a 429 (its pool pauses, longer each time) until it answers
        or the breaker gives the endpoint up: every lookup waits for it, so one 429 must not fail the one
        lookup that happened to ask."""
        for attempt in range(PROBE_ATTEMPTS):
            try:
                # About the endpoint, not the URL whose lookup asked first: each probe address counts
                # as a URL of its own, so an endpoint failing every candidate is failing (the breaker).
                with about(""):
                    return await probe_endpoint(self.web, self.spec.url, self.probe_pool)
            except RateLimitError:
                if self.breaker.tripped or attempt == PROBE_ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable: the loop returns or raises on its last attempt")

    @property
    def dialect(self) -> Dialect | None:
        return self._profile.dialect if self._profile is not None else self.spec.dialect

    # ------------------------------------------------------------------ sending

    @property
    def requests_sent(self) -> int:
        return self.web.sent[self.index_pool] + self.web.sent[self.playback_pool] + self.web.sent[self.probe_pool]

    @property
    def requests_by_pool(self) -> dict[str, int]:
        counts = {
            "cdx": self.web.sent[self.index_pool],
            "playback": self.web.sent[self.playback_pool],
            "probe": self.web.sent[self.probe_pool],
        }
        return {pool: count for pool, count in counts.items() if count}

    def index_wait(self) -> float:
        """How long an index request would wait for its pool now."""
        return self.web.pool(self.index_pool).expected_wait()

    async def _get(
        self, pool: str, url: str, params: httpx.QueryParams | None = None, *, capture: bool = False
    ) -> WebResponse:
        """GET within the pool, redirects not followed; errors mapped to archive errors."""
        if self.unavailable_reason is not None or self.breaker.tripped:
            raise self._unavailable()
        try:
            response = await self.web.fetch(
                url, pool=pool, params=params, follow_redirects=False, retries=self.retries, capture_aware=capture
            )
        except FetchFailed as failure:
            if self.breaker.tripped:
                raise self._unavailable() from failure
            if failure.error is FetchError.rate_limited:
                raise RateLimitError(f"{self.name}: {failure.detail}", failure.retry_after or 0.0) from failure
            if failure.error in (FetchError.refused, FetchError.invalid_url):
                raise ArchiveProtocolError(f"{self.name}: {failure.detail}") from failure
            if not failure.connected:
                # Refused or unroutable: the archive is down, not this URL; later lookups fail at once
                # (at once if it never answered; after a second failure in a row if it did).
                self._connect_failures += 1
                if self.reachable is not True or self._connect_failures >= 2:
                    self.reachable = False
                    down = self._down(f"{self.name} unreachable: {failure.detail}", EndpointOutage.unreachable)
                    raise down from failure
            raise ArchiveUnavailableError(f"{self.name}: {failure.error.value}: {failure.detail}") from failure
        self.reachable = True
        self._connect_failures = 0
        if self.breaker.tripped:  # this answer's server error was the last the breaker took
            raise self._unavailable()
        if response.status == 429 and "memento-datetime" not in response.headers:
            wait = parse_retry_after(response.headers.get("retry-after"))
            raise RateLimitError(f"{self.name} kept answering 429", wait if wait is not None else 0.0)
        return response

    # ------------------------------------------------------------------ addresses

    def playback_url(self, url: str, at: datetime | str, mode: str = "id_") -> str:
        profile = self._profile or profile_for(self.spec.dialect or Dialect.pywb, self.spec.url)
        base = profile.playback_base or self.spec.url
        stamp = at if isinstance(at, str) else format_timestamp(at)
        return f"{base}/{stamp}{mode}/{url}"

    def snapshot_url(self, url: str, capture_time: datetime) -> str:
        """The address a person opens to see this capture."""
        return self.playback_url(url, capture_time, mode="")

    def split_playback_url(self, address: str) -> tuple[str, str] | None:
        """(timestamp, original URL) of a playback address on this archive, else None."""
        import httpx

        profile = self._profile or profile_for(self.spec.dialect or Dialect.pywb, self.spec.url)
        base = profile.playback_base or self.spec.url
        try:
            joined = join_url(base + "/", address)
            if joined is None:
                return None
            path = httpx.URL(joined).raw_path.decode("ascii", "replace")
        except httpx.InvalidURL:
            return None
        prefix = httpx.URL(base).raw_path.decode("ascii", "replace").rstrip("/")
        match = re.search(re.escape(prefix) + r"/(?P<ts>\d{1,14})(?:[a-z]{2}_)?/(?P<url>.+)$", path)
        if match is None:
            return None
        return match["ts"], match["url"]

    def original_url(self, snapshot_url: str) -> str | None:
        profile = self._profile or profile_for(self.spec.dialect or Dialect.pywb, self.spec.url)
        base = profile.playback_base or self.spec.url
        if not snapshot_url.startswith(base + "/"):
            return None
        inside = self.split_playback_url(snapshot_url)
        return inside[1] if inside else None

    # ------------------------------------------------------------------ playback

    def _memento(self, requested: str, response: WebResponse, keep_body: bool) -> Memento | None:
        memento = memento_from_response(
            requested, response.final_url, response.status, response.headers, self.split_playback_url
        )
        if memento is None or not keep_body or memento.status not in _GOOD:
            return memento
        body = CaptureBody(
            url=memento.url,
            capture_time=memento.capture_time,
            status=memento.status,
            body=response.body,
            content_type=response.headers.get("content-type"),
            truncated=response.truncated,
            headers={name.lower(): value for name, value in response.headers.items()},
        )
        return Memento(
            url=memento.url,
            capture_time=memento.capture_time,
            status=memento.status,
            playback_url=memento.playback_url,
            location=memento.location,
            original_headers=memento.original_headers,
            body=body,
            neighbours=memento.neighbours,
        )

    def _not_a_capture(self, url: str, response: WebResponse, at: str) -> ArchiveError:
        refusal = refusal_in_answer(response.status, response.headers, response.body)
        if refusal is not None:
            kind, words = refusal
            return ArchiveRefusedError(f"{self.name} refuses to show {url}: {words}", kind)
        if response.status == 404:
            return NoMementoError(f"{self.name} has no capture of {url} at {at}")
        if response.status >= 500:
            return ArchiveEndpointError(f"{self.name} answered {response.status} without Memento-Datetime")
        return ArchiveProtocolError(f"{self.name} answered {response.status} without Memento-Datetime")

    def _remember(self, memento: Memento, *also: tuple[str, str]) -> None:
        """Keep a capture playback answered (bounded by bytes; oldest out first)."""
        keys = [(url_identity(memento.url), format_timestamp(memento.capture_time)), *also]
        size = len(memento.body.body) if memento.body is not None else 0
        if size > CAPTURE_CACHE_BYTES // 4:
            return
        for key in keys:
            previous = self._captures.pop(key, None)
            if previous is not None and previous.body is not None:
                self._capture_bytes -= len(previous.body.body)
            self._captures[key] = memento
            self._capture_bytes += size
        while self._capture_bytes > CAPTURE_CACHE_BYTES and self._captures:
            _key, dropped = self._captures.popitem(last=False)
            if dropped.body is not None:
                self._capture_bytes -= len(dropped.body.body)

    def _remembered(self, url: str, stamp: str) -> Memento | None:
        key = (url_identity(url), stamp[:14])
        memento = self._captures.get(key)
        if memento is None:
            return None
        self._captures.move_to_end(key)
        self.capture_cache_hits += 1
        return memento

    async def _play_back(self, url: str, at: datetime | str, hops: int = 0, root: int = 0) -> Memento:
        """``id_`` playback at ``at``; an archive redirect to its nearest capture is followed (at most twice).

        A capture is asked once per run: one already answered (or being
        fetched for another lookup) is not asked again — neither at the
        moment asked, nor where the archive's redirect points. ``root`` numbers
        the lookup a redirect is followed for; redirects that lead back to a
        capture this lookup (or one it waits for) is fetching are a loop:
        ArchiveProtocolError, inconclusive for that URL only.
        """
        stamp = at if isinstance(at, str) else format_timestamp(at)
        key = (url_identity(url), stamp[:14])
        root = root or next(self._lookups)
        remembered = self._remembered(url, stamp)
        if remembered is not None:
            return remembered
        if hops > 2:
            raise ArchiveProtocolError(f"{self.name} redirected too often looking for a capture of {url}")
        running = self._playing.get(key)
        if running is not None:
            if self._waits_on_itself(root, key):
                raise ArchiveProtocolError(f"{self.name} redirects in a loop looking for a capture of {url}")
            self.capture_cache_hits += 1
            self._waiting[root] = key
            try:
                return await asyncio.shield(running)
            finally:
                self._waiting.pop(root, None)
        if key[0] in self._never_captured:
            raise NoMementoError(f"{self.name} has no capture of {url} at {stamp}")
        pointed = self._redirects.get(key)
        if pointed is not None:
            return await self._play_back(pointed[0], pointed[1], hops + 1, root)
        future: asyncio.Future[Memento] = asyncio.get_running_loop().create_future()
        self._playing[key] = future
        self._holders[key] = root
        try:
            memento = await self._play_back_once(url, stamp, hops, root)
        except BaseException as error:
            future.set_exception(error)
            future.exception()  # retrieved: a future nobody else awaited stays quiet
            raise
        finally:
            self._playing.pop(key, None)
            self._holders.pop(key, None)
        future.set_result(memento)
        return memento

    def _waits_on_itself(self, root: int, key: tuple[str, str]) -> bool:
        """Whether waiting for the capture ``key`` would, through the lookups it waits for, wait for ``root``."""
        seen: set[int] = set()
        holder = self._holders.get(key)
        while holder is not None and holder not in seen:
            if holder == root:
                return True
            seen.add(holder)
            awaited = self._waiting.get(holder)
            holder = self._holders.get(awaited) if awaited is not None else None
        return False

    async def _play_back_once(self, url: str, stamp: str, hops: int, root: int) -> Memento:
        response = await self._get(self.playback_pool, self.playback_url(url, stamp), capture=True)
        memento = self._memento(url, response, keep_body=True)
        if memento is not None:
            self._remember(memento, (url_identity(url), stamp[:14]))
            return memento
        location = response.headers.get("location")
        if response.status in (301, 302, 303, 307, 308) and location:
            if hops >= 2:
                raise ArchiveProtocolError(f"{self.name} redirected too often looking for a capture of {url}")
            # The archive pointing at its nearest capture: its address names the capture, which may
            # be one this run already holds or is fetching.
            address = join_url(response.final_url, location)
            if address is None:
                raise ArchiveProtocolError(f"{self.name} redirected to an unusable address {location[:200]!r}")
            inside = self.split_playback_url(address)
            if inside is not None:
                if len(self._redirects) > 65536:
                    self._redirects.clear()
                self._redirects[(url_identity(url), stamp[:14])] = (inside[1], inside[0])
                return await self._play_back(inside[1], inside[0], hops + 1, root)
            response = await self._get(self.playback_pool, address, capture=True)  # vetted like any redirect
            memento = self._memento(url, response, keep_body=True)
            if memento is not None:
                self._remember(memento)
                return memento
        error = self._not_a_capture(url, response, stamp)
        if isinstance(error, NoMementoError) and hops == 0:
            self._never_captured.add(url_identity(url))
        raise error

    async def nearest(self, url: str, at: datetime) -> Memento:
        """The capture playback serves for ``url`` at ``at`` (historical redirects not followed), body kept."""
        profile = await self.profile()
        if profile.playback_base is None:
            return await self._nearest_by_timemap(url, at)
        return await self._play_back(url, at)

    async def read_capture(self, url: str, capture_time: datetime, max_bytes: int) -> CaptureBody:
        """The capture's original bytes, on the playback pool like ``nearest``."""
        profile = await self.profile()
        if profile.playback_base is None:
            memento = await self._memento_by_address(url, await self._timemap_address(url, capture_time))
        else:
            memento = await self._play_back(url, capture_time)
        if memento.body is not None:
            return memento.body
        return CaptureBody(url=memento.url, capture_time=memento.capture_time, status=memento.status, body=b"")

    # ------------------------------------------------------------------ Memento-only archives

    async def timemap(self, url: str) -> list[tuple[str, datetime]]:
        if url in self._timemaps:
            return self._timemaps[url]
        profile = await self.profile()
        if profile.timemap is None:
            raise ArchiveProtocolError(f"{self.name} has no TimeMap")
        response = await self._get(self.index_pool, profile.timemap.replace("{url}", url))
        if response.status == 404:
            mementos: list[tuple[str, datetime]] = []
        elif response.status != 200:
            refusal = refusal_in_answer(response.status, response.headers, response.body)
            if refusal is not None:
                raise ArchiveRefusedError(f"{self.name} refuses to list {url}: {refusal[1]}", refusal[0])
            raise ArchiveEndpointError(f"{self.name} TimeMap answered {response.status}")
        else:
            mementos = parse_timemap(response.text())
        if len(self._timemaps) > 4096:
            self._timemaps.clear()
        self._timemaps[url] = mementos
        return mementos

    async def _timemap_address(self, url: str, capture_time: datetime) -> str:
        for address, moment in await self.timemap(url):
            if abs((moment - capture_time).total_seconds()) < 1:
                return address
        raise NoMementoError(f"{self.name} lists no capture of {url} at {format_timestamp(capture_time)}")

    async def _memento_by_address(self, url: str, address: str) -> Memento:
        response = await self._get(self.playback_pool, address, capture=True)
        memento = self._memento(url, response, keep_body=True)
        if memento is None:
            raise self._not_a_capture(url, response, address)
        return memento

    async def _nearest_by_timemap(self, url: str, at: datetime) -> Memento:
        mementos = await self.timemap(url)
        if not mementos:
            raise NoMementoError(f"{self.name} has no capture of {url}")
        address, _moment = min(mementos, key=lambda item: abs(item[1] - at))
        return await self._memento_by_address(url, address)

    # ------------------------------------------------------------------ the index

    async def _cdx_page(self, params: list[tuple[str, str]]) -> WebResponse:
        import httpx

        profile = await self.profile()
        if profile.cdx_url is None:
            raise ArchiveProtocolError(f"{self.name} has no CDX index")
        response = await self._get(self.index_pool, profile.cdx_url, httpx.QueryParams(tuple(params)))
        if response.status == 200:
            return response
        refusal = refusal_in_answer(response.status, response.headers, response.body)
        if refusal is not None:
            kind, words = refusal
            raise ArchiveRefusedError(f"{self.name} refuses to search this URL: {words}", kind)
        # An index that answers 404 or 5xx is broken or is not an index: never "no captures".
        raise ArchiveEndpointError(f"{self.name} CDX answered {response.status}")

    async def cdx(self, params: list[tuple[str, str]]) -> list[CdxRecord]:
        """Run a CDX query in the endpoint's format (IA: following resume keys for up to ``max_pages``)."""
        records, _complete = await self._cdx_collect(params)
        return records

    async def _cdx_collect(self, params: list[tuple[str, str]]) -> tuple[list[CdxRecord], bool]:
        """A CDX query's records and whether the answer was complete (no page or row limit cut it)."""
        profile = await self.profile()
        limit = next((int(value) for name, value in params if name == "limit" and value.isdigit()), None)
        if profile.dialect is Dialect.pywb:
            response = await self._cdx_page(params)
            records, skipped = parse_cdx_json_lines(response.text())
            self.unreadable_rows += skipped
            return dedupe_records(records), limit is None or len(records) + skipped < limit
        base = [*params, ("showResumeKey", "true")]
        collected: list[CdxRecord] = []
        resume_key: str | None = None
        for _page in range(self.max_pages):
            query = base if resume_key is None else [*base, ("resumeKey", resume_key)]
            response = await self._cdx_page(query)
            page, resume_key, skipped = parse_cdx_page(response.text())
            self.unreadable_rows += skipped
            collected.extend(page)
            if resume_key is None:
                break
        return dedupe_records(collected), resume_key is None

    def regex_filter(self, field: str, pattern: str) -> str:
        # pywb reads a bare filter as "contains" and ~ as regex; the Internet Archive the other way round.
        if self.dialect is Dialect.pywb:
            return f"~{field}:{pattern}"
        return f"{field}:{pattern}"

    async def captures(self, url: str) -> list[CdxRecord]:
        """Every capture of exactly this URL, oldest first (CDX, else the TimeMap with unknown statuses)."""
        profile = await self.profile()
        if profile.cdx_url is not None:
            records = await self.cdx([("url", url), ("output", "json"), ("limit", str(self.page_size))])
        else:
            records = []
            for _address, moment in await self.timemap(url):
                try:
                    stamp = parse_timestamp(format_timestamp(moment))
                except ValueError:
                    continue
                records.append(CdxRecord(urlkey=url, timestamp=stamp, original=url, raw_timestamp=""))
        return sorted((record for record in records if is_web_capture(record)), key=lambda r: r.timestamp)

    async def search_prefix(self, prefix: str, start: datetime, end: datetime, limit: int) -> list[CdxRecord]:
        """Captures of URLs starting with ``prefix`` between two moments (CDX dialects only)."""
        profile = await self.profile()
        if profile.cdx_url is None:
            raise ArchiveProtocolError(f"{self.name} offers no prefix search ({profile.dialect.value})")
        params = [
            ("url", prefix),
            ("matchType", "prefix"),
            ("output", "json"),
            ("from", format_timestamp(start)),
            ("to", format_timestamp(end)),
            (
                "filter",
                self.regex_filter("statuscode" if profile.dialect is Dialect.internet_archive else "status", "200"),
            ),
            ("limit", str(limit)),
        ]
        if profile.dialect is Dialect.internet_archive:
            params += [("filter", self.regex_filter("mimetype", "text/html")), ("collapse", "urlkey")]
        records = await self.cdx(params)
        unique: dict[str, CdxRecord] = {}
        for record in records:
            if is_web_capture(record):
                unique.setdefault(record.urlkey or record.original, record)
        return list(unique.values())

    # ------------------------------------------------------------------ batched index queries

    @property
    def batches_index(self) -> bool:
        """Whether index queries are worth batching per host here: redirect-first playback (the
        Internet Archive's dialect) costs two requests per inexact lookup, one index answer per
        host costs one for all its URLs and tells every capture's status."""
        return self.dialect in (Dialect.internet_archive, None)

    def schedule_index_batches(self, urls: Sequence[str], budget: int) -> int:
        """Ask the index once, early, for the captures of URLs that share a host (two or more).

        Hosts with most URLs first, as many queries as keep the index pool's
        time within the playback pool's (the two run side by side: a batched
        URL costs one playback request for its bytes, any other about two on
        a redirect-first archive), at most ``budget``; returns the queries
        scheduled.  Lookups of these URLs wait for the answer
        (:meth:`indexed_captures`) instead of asking playback first.
        """
        by_host: dict[str, list[str]] = {}
        pending = 0
        for url in dict.fromkeys(urls):
            identity = url_identity(url)
            if identity in self._batches or identity in self._indexed:
                continue
            pending += 1
            host = _batch_host(url)
            if host is not None and surt_key(url) is not None:
                by_host.setdefault(host, []).append(url)
        chunks = [
            members[start : start + BATCH_MAX_URLS]
            for members in sorted(by_host.values(), key=len, reverse=True)
            for start in range(0, len(members), BATCH_MAX_URLS)
        ]
        chunks = [chunk for chunk in chunks if len(chunk) >= 2]
        chunks.sort(key=len, reverse=True)
        index_rate, index_burst, playback_rate = self._batch_rates()
        chosen = 0
        covered = 0
        while chosen < min(budget, len(chunks)):
            covered_next = covered + len(chunks[chosen])
            index_seconds = max(0, chosen + 1 - index_burst) / index_rate
            playback_seconds = (2 * pending - covered_next) / playback_rate
            if index_seconds > playback_seconds:
                break
            chosen, covered = chosen + 1, covered_next
        for chunk in chunks[:chosen]:
            task = asyncio.ensure_future(self._index_batch(_batch_host(chunk[0]) or "", chunk))
            for url in chunk:
                self._batches[url_identity(url)] = task
        return chosen

    def _batch_rates(self) -> tuple[float, int, float]:
        """(index per second, index burst, playback per second) this endpoint's pools run at."""
        if self._profile is None:
            policies = (IA_INDEX_POLICY, IA_PLAYBACK_POLICY)
        else:
            policies = (self.web.pool(self.index_pool).policy, self.web.pool(self.playback_pool).policy)
        index, playback = policies
        index_rate = self.web.pool(self.index_pool).per_second if self._profile is not None else None
        playback_rate = self.web.pool(self.playback_pool).per_second if self._profile is not None else None
        return (
            index_rate or index.per_second or 1e6,
            index.burst,
            playback_rate or playback.per_second or 1e6,
        )

    async def _index_batch(self, host: str, urls: list[str]) -> None:
        """One CDX query for ``urls`` on ``host``; keeps each URL's captures when the answer is complete."""
        try:
            if (await self.profile()).dialect is not Dialect.internet_archive:
                return  # learned on the probe: this endpoint's playback answers at once
        except ArchiveError:
            return
        keys = {surt_key(url): url for url in urls}
        pattern = "^(" + "|".join(re.escape(key.rstrip("/")) + "/?" for key in keys if key) + ")$"
        params = [
            ("url", host),
            ("matchType", "host"),
            ("output", "json"),
            ("filter", self.regex_filter("urlkey", pattern)),
            ("limit", str(self.page_size)),
        ]
        self.batch_queries += 1
        try:
            records, complete = await self._cdx_collect(params)
        except (ArchiveError, OverflowError):
            return  # the lookups ask playback as they would have
        if not complete:
            return
        found: dict[str, list[CdxRecord]] = {url_identity(url): [] for url in urls}
        for record in records:
            identity = url_identity(record.original)
            if identity in found and is_web_capture(record):
                found[identity].append(record)
        plain = {url_identity(url) for url in urls if _PLAIN_KEY.fullmatch(surt_key(url) or "")}
        for identity, captured in found.items():
            # Nothing listed for a URL whose key is plain (lower-case letters, digits, / - _ . ~, no
            # query) is the index saying "never captured"; for any other the archive may spell the
            # key otherwise (its canonicalisation of queries, case, escapes): playback is asked.
            if captured or identity in plain:
                self._indexed[identity] = sorted(captured, key=lambda record: record.timestamp)

    async def indexed_captures(self, url: str) -> list[CdxRecord] | None:
        """Every capture of ``url`` a batched index query listed (waiting for it; ``[]``: the index
        lists none), else None: no batched answer covers it."""
        identity = url_identity(url)
        pending = self._batches.get(identity)
        if pending is not None:
            await asyncio.shield(pending)
        return self._indexed.get(identity)

    def close_batches(self) -> None:
        for task in self._batches.values():
            task.cancel()
        self.breaker.close()

    # ------------------------------------------------------------------ report

    def endpoint_state(self) -> EndpointState:
        dialect = self.dialect
        if self.breaker.tripped:
            self._unavailable()  # down for the run even if no lookup was left to learn it
        if self.outage in (EndpointOutage.rate_limited, EndpointOutage.failing):
            detail = f"{self.breaker.why}; not asked again this run"
        elif self.unavailable_reason is not None:
            detail = self.unavailable_reason
        elif self.reachable:
            detail = "answered"
        else:
            detail = "not asked (answers came from the store)" if self.requests_sent == 0 else "no answer"
        return EndpointState(
            name=self.name,
            kind=EndpointKind.archive,
            reachable=self.reachable,
            dialect=dialect.value if dialect else None,
            detail=detail,
            outage=self.outage,
        )


def surt_key(url: str) -> str | None:
    """The index key (SURT) the Wayback CDX files a URL under, as far as it can be known here.

    ``https://www.Example.com:80/A/b/?x=1`` → ``com,example)/a/b?x=1``: host
    reversed without ``www``, default ports dropped, lower-cased, query
    parameters sorted.  None for a URL without a host.
    """
    import httpx

    try:
        parsed = httpx.URL(url.strip())
    except httpx.InvalidURL:
        return None
    host = (parsed.host or "").lower().rstrip(".")
    if not host:
        return None
    host = re.sub(r"^www\d*\.", "", host)
    key = ",".join(reversed(host.split(".")))
    if parsed.port is not None and parsed.port not in (80, 443):
        key += f":{parsed.port}"
    path = parsed.raw_path.decode("ascii", "replace").partition("?")[0] or "/"
    query = parsed.query.decode("ascii", "replace")
    if query:
        path += "?" + "&".join(sorted(query.split("&")))
    return f"{key}){path}".lower()


def _batch_host(url: str) -> str | None:
    """The host (with a port other than the default) a host-wide index query names, ``www.`` dropped."""
    import httpx

    try:
        parsed = httpx.URL(url.strip())
    except httpx.InvalidURL:
        return None
    host = re.sub(r"^www\d*\.", "", (parsed.host or "").lower())
    if not host:
        return None
    return f"{host}:{parsed.port}" if parsed.port is not None and parsed.port not in (80, 443) else host
