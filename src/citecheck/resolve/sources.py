"""The source-text stage: what each cited page said, read from the capture the resolver chose.

For every reference with a capture (``Reference.archive.status == found``)
the capture's original bytes are read from its archive and reduced to main
text, title and the page's own publication date
(:mod:`citecheck.resolve.extract`).  The live page is read instead only when
there is no capture, and ``SourceInfo.reason`` says so.  When a page is alive
*and* has a capture, the live text is read too, for content drift (CC207).

Every read is cached in the store: captures never change, so they are kept
for good; live pages for ``live_ttl``.  Failures of our own connectivity are
never cached and give ``not-checked``; with ``offline=True`` only the cache
answers, and anything missing from it is ``not-checked``, never
``unavailable``.  Each capture and each live URL is read once per run, however
many references cite it.
"""

from __future__ import annotations

import asyncio
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Literal

import httpx

from citecheck.dates import PartialDate
from citecheck.models import ArchiveStatus, LiveStatus, PageDate, Reference, SourceInfo
from citecheck.resolve.archive.backend import ArchiveBackend, CaptureBody
from citecheck.resolve.archive.models import (
    ArchiveError,
    ArchiveUnavailableError,
    RateLimitError,
    format_timestamp,
)
from citecheck.resolve.archive.resolver import backend_from_spec
from citecheck.resolve.extract import extract_page, page_publication_date
from citecheck.resolve.net import (
    GuardedTransport,
    HostResolutionError,
    IPNetwork,
    Resolver,
    UrlSafetyError,
    system_resolver,
)
from citecheck.store.db import Store

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
DEFAULT_LIVE_TTL = timedelta(days=7)
OFFLINE_REASON = "offline, not in cache"
USER_AGENT = "citecheck/0.1 (+https://github.com/citecheck/citecheck; citation audit)"

_TEXT_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "application/xml", "text/xml")

SOURCE_SCHEMA = """
CREATE TABLE IF NOT EXISTS source_texts (
    key TEXT PRIMARY KEY,          -- the snapshot URL, or 'live:' + the cited URL
    origin TEXT NOT NULL,          -- capture | live
    url TEXT NOT NULL,             -- what was read (snapshot URL, or the live page's final URL)
    status TEXT NOT NULL,          -- fetched | unavailable (a capture that holds no text)
    title TEXT,
    text TEXT NOT NULL,
    page_date TEXT,
    page_date_method TEXT,
    extractor TEXT,
    reason TEXT,
    fetched_at TEXT NOT NULL
);
"""

ReadStatus = Literal["fetched", "unavailable", "not-checked"]
Origin = Literal["capture", "live"]


@dataclass(frozen=True)
class SourceText:
    """What the claim checks read for one reference: the report's SourceInfo plus the text itself.

    ``live_text`` is the live page's main text when the page is alive and a
    capture was read too (content drift, CC207); otherwise None.
    """

    info: SourceInfo
    text: str = ""
    live_text: str | None = None
    live_title: str | None = None


def source_key(reference: Reference) -> str | None:
    """The key of a reference's source text: the cited URL plus the capture time, or ``@live``.

    None when there is nothing to read (no URL and no capture).
    """
    archive = reference.archive
    url = reference.url or archive.snapshot_url
    if url is None:
        return None
    if archive.status is ArchiveStatus.found and archive.snapshot_time is not None:
        return f"{url}@{format_timestamp(archive.snapshot_time)}"
    return f"{url}@live"


@dataclass(frozen=True)
class PageRead:
    """One read of one page (a capture or a live URL), cached as a row."""

    status: ReadStatus
    origin: Origin
    url: str
    text: str = ""
    title: str | None = None
    page_date: PageDate | None = None
    extractor: str | None = None
    reason: str | None = None
    cacheable: bool = False  # a definite answer about the page, not about our connectivity

    def info(self, reason: str | None = None) -> SourceInfo:
        reasons = [part for part in (reason, self.reason) if part]
        return SourceInfo(
            status=self.status,
            origin=self.origin,
            url=self.url,
            title=self.title,
            page_date=self.page_date,
            extractor=self.extractor,
            chars=len(self.text) if self.status == "fetched" else None,
            reason="; ".join(reasons) or None,
        )


class SourceCache:
    """Extracted text, title and page date per snapshot (forever) or live URL (for a TTL)."""

    def __init__(self, store: Store, clock: Callable[[], datetime]) -> None:
        self.store = store
        self.clock = clock
        store.ensure_schema("source_texts", SOURCE_SCHEMA)

    def get(self, key: str, ttl: timedelta | None) -> PageRead | None:
        row = self.store.execute(
            "SELECT origin, url, status, title, text, page_date, page_date_method, extractor, reason, fetched_at "
            "FROM source_texts WHERE key = ?",
            (key,),
        ).fetchone()
        if row is None:
            return None
        origin, url, status, title, text, page_date, method, extractor, reason, fetched_at = row
        if ttl is not None and self.clock() - datetime.fromisoformat(fetched_at) > ttl:
            return None
        date = PageDate(date=PartialDate.from_iso(page_date), method=method) if page_date and method else None
        return PageRead(status, origin, url, text, title, date, extractor, reason, cacheable=True)

    def put(self, key: str, read: PageRead) -> None:
        self.store.execute(
            "INSERT OR REPLACE INTO source_texts "
            "(key, origin, url, status, title, text, page_date, page_date_method, extractor, reason, fetched_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                key,
                read.origin,
                read.url,
                read.status,
                read.title,
                read.text,
                read.page_date.date.iso() if read.page_date else None,
                read.page_date.method if read.page_date else None,
                read.extractor,
                read.reason,
                self.clock().isoformat(),
            ),
        )


def _is_text_type(content_type: str | None) -> bool:
    return not content_type or content_type.split(";")[0].strip().lower().startswith(_TEXT_TYPES)


def read_page_body(
    origin: Origin, url: str, page_url: str, body: bytes, content_type: str | None, charset: str | None, truncated: bool
) -> PageRead:
    """Main text, title and publication date of a page's bytes (CPU-bound: run it off the event loop)."""
    if not _is_text_type(content_type) or body.startswith(b"%PDF"):
        kind = (content_type or "unknown type").split(";")[0]
        return PageRead("unavailable", origin, url, reason=f"not an HTML page ({kind}); text not read", cacheable=True)
    if (content_type or "").lower().startswith("text/plain"):
        text = body.decode(charset or "utf-8", errors="replace").strip()
        extracted_title, extractor = None, "plain-text"
        page_date = None
    else:
        extracted = extract_page(body, url=page_url, encoding=charset)
        text, extracted_title, extractor = extracted.text, extracted.title, extracted.extractor
        page_date = page_publication_date(body, page_url, encoding=charset)
    if not text:
        return PageRead("unavailable", origin, url, reason="no text on the page", cacheable=True)
    reason = f"body cut at {len(body)} bytes" if truncated else None
    return PageRead("fetched", origin, url, text, extracted_title, page_date, extractor, reason, cacheable=True)


class _CappedBody:
    """Decode a Content-Encoding stream without ever holding more than ``limit`` decoded bytes."""

    def __init__(self, encoding: str, limit: int) -> None:
        self.limit = limit
        self.output = bytearray()
        self.truncated = False
        encoding = encoding.strip().lower()
        self._decoder: zlib._Decompress | None = None
        if encoding in ("gzip", "x-gzip"):
            self._decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self._decoder = zlib.decompressobj(zlib.MAX_WBITS)
        elif encoding not in ("", "identity"):
            raise ValueError(f"unsupported Content-Encoding {encoding!r}")

    def feed(self, chunk: bytes) -> None:
        room = self.limit - len(self.output)
        if room <= 0:
            self.truncated = True
            return
        if self._decoder is None:
            self.output += chunk[:room]
            self.truncated = len(chunk) > room
            return
        self.output += self._decoder.decompress(chunk, room)
        # Output held back by max_length means the page is longer than the cap (or a bomb).
        self.truncated = bool(self._decoder.unconsumed_tail)


@dataclass(frozen=True)
class _CaptureJob:
    archive: str
    snapshot_url: str
    snapshot_time: datetime
    cited_url: str | None


class SourceFetcher:
    """Reads the source text of each reference; use as ``async with SourceFetcher(store, ...) as fetcher``.

    ``backends`` are the archives to read captures from, matched to
    ``ArchiveResult.archive`` by name (pass the resolver's own backends to share
    their clients and rate-limit pools); ``archives`` are ``--archive`` specs
    for which backends are built here.  Live pages go through the SSRF guard
    (``allow_private`` lifts it), streamed under ``max_bytes``.
    """

    def __init__(
        self,
        store: Store | None = None,
        *,
        backends: Sequence[ArchiveBackend] = (),
        archives: Sequence[str] = (),
        allow_private: bool = False,
        trusted_networks: Iterable[IPNetwork] = (),
        resolver: Resolver = system_resolver,
        max_bytes: int = DEFAULT_MAX_BYTES,
        connect_timeout: float = 10.0,
        read_timeout: float = 20.0,
        request_deadline: float = 60.0,
        live_ttl: timedelta = DEFAULT_LIVE_TTL,
        offline: bool = False,
        concurrency: int = 8,
        per_host_concurrency: int = 2,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.clock = clock or (lambda: datetime.now(UTC))
        self.cache = SourceCache(store, self.clock) if store is not None else None
        self.backends: list[ArchiveBackend] = list(backends)
        self._specs = list(archives)
        self.allow_private = allow_private
        self._trusted = list(trusted_networks)
        self._resolver = resolver
        self.max_bytes = max_bytes
        self.timeout = httpx.Timeout(connect=connect_timeout, read=read_timeout, write=read_timeout, pool=None)
        self.request_deadline = request_deadline
        self.live_ttl = live_ttl
        self.offline = offline
        self.concurrency = concurrency
        self.per_host_concurrency = per_host_concurrency
        self.live_requests = 0
        self.cache_hits = 0
        self._archive_client: httpx.AsyncClient | None = None
        self._live_client: httpx.AsyncClient | None = None
        self._hosts: dict[str, asyncio.Semaphore] = {}

    async def __aenter__(self) -> SourceFetcher:
        if self._specs and not self.offline:
            self._archive_client = httpx.AsyncClient(timeout=self.timeout)
            self.backends += [backend_from_spec(spec, self._archive_client) for spec in self._specs]
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        for client in (self._archive_client, self._live_client):
            if client is not None:
                await client.aclose()
        self._archive_client = self._live_client = None

    @property
    def requests_sent(self) -> int:
        """Requests this fetcher caused: live fetches plus archive requests of its backends."""
        return self.live_requests + sum(backend.requests_sent for backend in self.backends)

    # ------------------------------------------------------------------ the run

    async def fetch_sources(self, references: Sequence[Reference]) -> dict[str, SourceText]:
        """The source text of every reference that has a URL or a capture, keyed by :func:`source_key`."""
        captures: dict[str, _CaptureJob] = {}
        live_urls: set[str] = set()
        plans: dict[str, tuple[Reference, _CaptureJob | None, str | None]] = {}
        for reference in references:
            key = source_key(reference)
            if key is None or key in plans:
                continue
            capture = self._capture_job(reference)
            live_url = self._live_url(reference, has_capture=capture is not None)
            if capture is not None:
                captures.setdefault(capture.snapshot_url, capture)
            if live_url is not None:
                live_urls.add(live_url)
            plans[key] = (reference, capture, live_url)

        gate = asyncio.Semaphore(self.concurrency)

        async def bounded_capture(job: _CaptureJob) -> PageRead:
            async with gate:
                return await self._read_capture(job)

        async def bounded_live(url: str) -> PageRead:
            async with gate:
                return await self._read_live(url)

        capture_reads = dict(
            zip(captures, await asyncio.gather(*(bounded_capture(job) for job in captures.values())), strict=True)
        )
        ordered_live = sorted(live_urls)
        live_reads = dict(
            zip(ordered_live, await asyncio.gather(*(bounded_live(url) for url in ordered_live)), strict=True)
        )
        return {
            key: self._assemble(reference, capture, live_url, capture_reads, live_reads)
            for key, (reference, capture, live_url) in plans.items()
        }

    @staticmethod
    def _capture_job(reference: Reference) -> _CaptureJob | None:
        archive = reference.archive
        if (
            archive.status is not ArchiveStatus.found
            or archive.snapshot_url is None
            or archive.snapshot_time is None
            or archive.archive is None
        ):
            return None
        return _CaptureJob(archive.archive, archive.snapshot_url, archive.snapshot_time, reference.url)

    @staticmethod
    def _live_url(reference: Reference, has_capture: bool) -> str | None:
        """The live URL to read: for drift when a capture exists and the page is alive, else as the source."""
        if reference.url is None:
            return None
        status = reference.live.status
        if has_capture:
            return reference.url if status is LiveStatus.alive else None
        return reference.url if status in (LiveStatus.alive, LiveStatus.not_checked) else None

    def _assemble(
        self,
        reference: Reference,
        capture: _CaptureJob | None,
        live_url: str | None,
        capture_reads: dict[str, PageRead],
        live_reads: dict[str, PageRead],
    ) -> SourceText:
        live = live_reads.get(live_url) if live_url is not None else None
        if capture is not None:
            read = capture_reads[capture.snapshot_url]
            drift_text = live.text if live is not None and live.status == "fetched" else None
            drift_title = live.title if live is not None and live.status == "fetched" else None
            return SourceText(read.info(), read.text, live_text=drift_text, live_title=drift_title)
        archive = reference.archive
        if archive.status is ArchiveStatus.not_checked:
            why = f"archive not checked ({archive.reason or 'no answer'})"
        else:
            why = "no capture in any archive" if archive.status is ArchiveStatus.none else "only an error capture"
        if live is None:
            # Offline, a source the store remembers as gone (answers for both live and archive)
            # is known to be unreadable; one we know nothing about is merely not checked.
            remembered = archive.status is not ArchiveStatus.not_checked and (
                reference.url is None or reference.live.status is not LiveStatus.not_checked
            )
            if self.offline and not remembered:
                return SourceText(SourceInfo(status="not-checked", reason=OFFLINE_REASON))
            status = reference.live.status.value
            reason = f"{why}, and the live page is {status}" if reference.url else f"{why}, and no URL"
            return SourceText(SourceInfo(status="unavailable", reason=reason))
        if live.status == "fetched":
            return SourceText(
                live.info(f"{why}: the live page was read, which may differ from what was cited"), live.text
            )
        if self.offline:
            return SourceText(live.info())
        return SourceText(live.info(f"{why}, and the live page could not be read"))

    # ------------------------------------------------------------------ captures

    async def _read_capture(self, job: _CaptureJob) -> PageRead:
        if self.cache is not None:
            cached = self.cache.get(job.snapshot_url, ttl=None)
            if cached is not None:
                self.cache_hits += 1
                return cached
        if self.offline:
            return PageRead("not-checked", "capture", job.snapshot_url, reason=OFFLINE_REASON)
        backend = next((backend for backend in self.backends if backend.name == job.archive), None)
        if backend is None:
            return PageRead("not-checked", "capture", job.snapshot_url, reason=f"archive {job.archive} not configured")
        original = backend.original_url(job.snapshot_url) or job.cited_url
        if original is None:
            return PageRead("not-checked", "capture", job.snapshot_url, reason="snapshot address not understood")
        try:
            body = await backend.read_capture(original, job.snapshot_time, self.max_bytes)
        except (ArchiveUnavailableError, RateLimitError) as error:
            return PageRead("not-checked", "capture", job.snapshot_url, reason=f"{job.archive}: {error}")
        except ArchiveError as error:
            return PageRead("unavailable", "capture", job.snapshot_url, reason=f"{type(error).__name__}: {error}")
        read = await asyncio.to_thread(self._read_capture_body, job, body)
        if self.cache is not None and read.cacheable:
            self.cache.put(job.snapshot_url, read)
        return read

    @staticmethod
    def _read_capture_body(job: _CaptureJob, body: CaptureBody) -> PageRead:
        if not 200 <= body.status < 300:
            return PageRead(
                "unavailable", "capture", job.snapshot_url, reason=f"the capture answered {body.status}", cacheable=True
            )
        return read_page_body(
            "capture", job.snapshot_url, body.url, body.body, body.content_type, body.charset, body.truncated
        )

    # ------------------------------------------------------------------ live pages

    def _client(self) -> httpx.AsyncClient:
        if self._live_client is None:
            transport = GuardedTransport(
                allow_private=self.allow_private, trusted_networks=self._trusted, resolver=self._resolver
            )
            self._live_client = httpx.AsyncClient(
                transport=transport,
                timeout=self.timeout,
                follow_redirects=True,  # each hop is a new request, vetted by the transport
                max_redirects=10,
                headers={
                    "User-Agent": USER_AGENT,
                    "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5",
                    "Accept-Encoding": "gzip, deflate",  # only what _CappedBody decodes under the cap
                },
                trust_env=False,
            )
        return self._live_client

    async def _read_live(self, url: str) -> PageRead:
        key = f"live:{url}"
        if self.cache is not None:
            cached = self.cache.get(key, ttl=self.live_ttl)
            if cached is not None:
                self.cache_hits += 1
                return cached
        if self.offline:
            return PageRead("not-checked", "live", url, reason=OFFLINE_REASON)
        host = httpx.URL(url).host if url.startswith(("http://", "https://")) else ""
        gate = self._hosts.setdefault(host, asyncio.Semaphore(self.per_host_concurrency))
        async with gate:
            read = await self._fetch_live(url)
        if self.cache is not None and read.status == "fetched":
            # Only pages read are kept: a failure is inconclusive and retried on the next run.
            self.cache.put(key, read)
        return read

    async def _fetch_live(self, url: str) -> PageRead:
        self.live_requests += 1
        try:
            async with asyncio.timeout(self.request_deadline), self._client().stream("GET", url) as response:
                if response.status_code >= 400:
                    return PageRead("unavailable", "live", url, reason=f"the live page answered {response.status_code}")
                content_type = response.headers.get("content-type")
                capped = _CappedBody(response.headers.get("content-encoding", ""), self.max_bytes)
                if _is_text_type(content_type):
                    async for chunk in response.aiter_raw():
                        capped.feed(chunk)
                        if capped.truncated:
                            break
                final_url, charset = str(response.url), response.charset_encoding
        except UrlSafetyError as error:
            return PageRead("unavailable", "live", url, reason=f"refused: {error}")
        except HostResolutionError as error:
            return PageRead("not-checked", "live", url, reason=f"did not resolve: {error}")
        except (httpx.HTTPError, TimeoutError, ValueError, zlib.error) as error:
            return PageRead("not-checked", "live", url, reason=f"{type(error).__name__}: {error}".rstrip(": "))
        return await asyncio.to_thread(
            read_page_body, "live", final_url, final_url, bytes(capped.output), content_type, charset, capped.truncated
        )
