"""The source text: what each cited page said, read from bytes the run already fetched.

A capture's bytes come from the archive lookup that chose it (playback sent
them); a live page's bytes from the live check.  Neither is fetched a second
time: :class:`SourceReader` turns bytes into main text, title and the page's
own publication date (:mod:`citecheck.resolve.extract`; PDFs through
``citecheck.resolve.pdf_text`` when it is installed), and keeps every read in
the store — captures never change, so for good; live pages for ``live_ttl``.
Only when the bytes are not in hand (a capture the index chose, a live check
reused from the store) is one request made, through the run's HTTP layer.

The live page is read as the source only when no capture exists, and
``SourceInfo.reason`` says so; when a page is alive *and* has a capture the
live text is kept too, for content drift (CC207).  Failures of our own
connectivity are never cached; offline, only the store answers, and
anything missing from it is ``not-checked``, never ``unavailable``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from citecheck.dates import PartialDate
from citecheck.models import (
    ArchiveResult,
    ArchiveStatus,
    LiveCheck,
    LiveStatus,
    PageDate,
    Reference,
    SourceInfo,
    SourceStatus,
    TextOrigin,
)
from citecheck.resolve.archive.backend import ArchiveBackend
from citecheck.resolve.archive.models import (
    ArchiveError,
    ArchiveUnavailableError,
    CaptureBody,
    RateLimitError,
    format_timestamp,
)
from citecheck.resolve.decode import decode_text, looks_binary, media_type, read_off_loop
from citecheck.resolve.extract import read_html
from citecheck.resolve.web import FetchFailed, WebClient, WebResponse, is_pdf, is_text_type
from citecheck.store.db import Store

DEFAULT_LIVE_TTL = timedelta(days=7)
OFFLINE_REASON = "offline, not in cache"
EXTRACTOR_PDF = "pypdf"

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
    return source_key_for(reference.url, reference.archive)


def source_key_for(url: str | None, archive: ArchiveResult) -> str | None:
    url = url or archive.snapshot_url
    if url is None:
        return None
    if archive.status is ArchiveStatus.found and archive.snapshot_time is not None:
        return f"{url}@{format_timestamp(archive.snapshot_time)}"
    return f"{url}@live"


# --------------------------------------------------------------------------- PDF text (the claims stage's module)


class PdfTextLike(Protocol):
    """What ``citecheck.resolve.pdf_text.extract_pdf_text`` returns (see NOTES.md)."""

    text: str | None
    pages: int
    reason: str | None


PdfReader = Callable[[bytes], PdfTextLike]


def load_pdf_reader() -> PdfReader | None:
    """``extract_pdf_text`` from ``citecheck.resolve.pdf_text`` when that module is installed, else None."""
    try:
        module = importlib.import_module("citecheck.resolve.pdf_text")
    except ImportError:
        return None
    reader = getattr(module, "extract_pdf_text", None)
    return reader if callable(reader) else None


# --------------------------------------------------------------------------- one read of one page


@dataclass(frozen=True)
class PageRead:
    """One read of one page (a capture or a live URL), cached as a row."""

    status: SourceStatus
    origin: TextOrigin
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
            chars=len(self.text) if self.status == SourceStatus.fetched else None,
            reason="; ".join(reasons) or None,
        )


def read_page_body(
    origin: TextOrigin,
    url: str,
    page_url: str,
    body: bytes,
    content_type: str | None,
    truncated: bool,
    pdf_reader: PdfReader | None = None,
) -> PageRead:
    """Main text, title and publication date of a page's bytes (CPU-bound: run it off the event loop)."""
    if is_pdf(content_type or "", body[:8]):
        return _read_pdf(origin, url, body, truncated, pdf_reader)
    if not is_text_type(content_type or ""):
        kind = media_type(content_type) or "unknown type"
        return PageRead(
            SourceStatus.unavailable, origin, url, reason=f"not an HTML page ({kind}); text not read", cacheable=True
        )
    if looks_binary(body):
        binary = "binary data (runs of NUL bytes), not a text page; text not read"
        return PageRead(SourceStatus.unavailable, origin, url, reason=binary, cacheable=True)
    if media_type(content_type).startswith("text/plain"):
        text = decode_text(body, content_type, html=False).strip()
        extracted_title, extractor = None, "plain-text"
        page_date = None
    else:
        markup = decode_text(body, content_type)
        extracted, page_date = read_html(markup, url=page_url)  # one parse for text, title and date
        text, extracted_title, extractor = extracted.text, extracted.title, extracted.extractor
    if not text:
        return PageRead(SourceStatus.unavailable, origin, url, reason="no text on the page", cacheable=True)
    reason = f"body cut at {len(body)} bytes" if truncated else None
    return PageRead(
        SourceStatus.fetched, origin, url, text, extracted_title, page_date, extractor, reason, cacheable=True
    )


def _read_pdf(origin: TextOrigin, url: str, body: bytes, truncated: bool, reader: PdfReader | None) -> PageRead:
    if reader is None:
        # Not cached: once PDF extraction is installed, the next run reads it.
        return PageRead(SourceStatus.unavailable, origin, url, reason="a PDF; PDF text extraction is not installed")
    if truncated:
        return PageRead(
            SourceStatus.unavailable, origin, url, reason=f"a PDF larger than the {len(body)}-byte cap", cacheable=True
        )
    try:
        result = reader(body)
    except (ValueError, RuntimeError, OSError) as error:
        return PageRead(SourceStatus.unavailable, origin, url, reason=f"PDF not readable: {error}", cacheable=True)
    if not result.text:
        return PageRead(
            SourceStatus.unavailable, origin, url, reason=f"PDF: {result.reason or 'no text'}", cacheable=True
        )
    return PageRead(
        SourceStatus.fetched, origin, url, result.text, None, None, EXTRACTOR_PDF, result.reason, cacheable=True
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
        try:
            if ttl is not None and self.clock() - datetime.fromisoformat(fetched_at) > ttl:
                return None
            date = PageDate(date=PartialDate.from_iso(page_date), method=method) if page_date and method else None
            status, origin = SourceStatus(status), TextOrigin(origin)
        except (ValueError, TypeError):
            return None  # a damaged row is read again, not trusted
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


# --------------------------------------------------------------------------- the reader


class SourceReader:
    """Reads source texts from bytes in hand, the store, or (failing both) one request through ``web``."""

    def __init__(
        self,
        store: Store | None = None,
        *,
        web: WebClient | None = None,
        offline: bool = False,
        live_ttl: timedelta = DEFAULT_LIVE_TTL,
        max_bytes: int = 5 * 1024 * 1024,
        clock: Callable[[], datetime] | None = None,
        pdf_reader: PdfReader | None = None,
    ) -> None:
        self.clock = clock or (lambda: datetime.now(UTC))
        self.cache = SourceCache(store, self.clock) if store is not None else None
        self.web = web
        self.offline = offline or web is None
        self.live_ttl = live_ttl
        self.max_bytes = max_bytes
        self.pdf_reader = pdf_reader if pdf_reader is not None else load_pdf_reader()
        self.cache_hits = 0
        self.fetches = 0  # requests this reader made itself (bytes that were not in hand)

    def _cached(self, key: str, ttl: timedelta | None) -> PageRead | None:
        if self.cache is None:
            return None
        cached = self.cache.get(key, ttl)
        if cached is not None:
            self.cache_hits += 1
        return cached

    def _keep(self, key: str, read: PageRead) -> None:
        if self.cache is not None and read.cacheable:
            self.cache.put(key, read)

    async def read_capture(
        self,
        archive: ArchiveResult,
        cited_url: str | None,
        body: CaptureBody | None = None,
        backend: ArchiveBackend | None = None,
    ) -> PageRead:
        """A found capture's text: from the store, from the bytes the lookup kept, else read once from its archive."""
        snapshot_url = archive.snapshot_url or ""
        cached = self._cached(snapshot_url, ttl=None)
        if cached is not None:
            return cached
        if body is None:
            if self.offline:
                return PageRead(SourceStatus.not_checked, TextOrigin.capture, snapshot_url, reason=OFFLINE_REASON)
            original = (backend.original_url(snapshot_url) if backend is not None else None) or cited_url
            if backend is None or original is None or archive.snapshot_time is None:
                return PageRead(
                    SourceStatus.not_checked,
                    TextOrigin.capture,
                    snapshot_url,
                    reason="archive not configured for this run",
                )
            try:
                self.fetches += 1
                body = await backend.read_capture(original, archive.snapshot_time, self.max_bytes)
            except (ArchiveUnavailableError, RateLimitError) as error:
                return PageRead(
                    SourceStatus.not_checked, TextOrigin.capture, snapshot_url, reason=f"{backend.name}: {error}"
                )
            except ArchiveError as error:
                return PageRead(
                    SourceStatus.unavailable,
                    TextOrigin.capture,
                    snapshot_url,
                    reason=f"{type(error).__name__}: {error}",
                )
        read = await read_off_loop(len(body.body), self._read_capture_body, snapshot_url, body)
        self._keep(snapshot_url, read)
        return read

    def _read_capture_body(self, snapshot_url: str, body: CaptureBody) -> PageRead:
        if not 200 <= body.status < 300:
            reason = f"the capture answered {body.status}"
            return PageRead(SourceStatus.unavailable, TextOrigin.capture, snapshot_url, reason=reason, cacheable=True)
        return read_page_body(
            TextOrigin.capture, snapshot_url, body.url, body.body, body.content_type, body.truncated, self.pdf_reader
        )

    def cached_live(self, url: str) -> PageRead | None:
        return self._cached(f"live:{url}", ttl=self.live_ttl)

    async def read_live(self, url: str, response: WebResponse | None) -> PageRead:
        """A live page's text: from the store, from the live check's bytes, else one GET through ``web``."""
        key = f"live:{url}"
        cached = self._cached(key, ttl=self.live_ttl)
        if cached is not None:
            return cached
        if response is None:
            if self.offline or self.web is None:
                return PageRead(SourceStatus.not_checked, TextOrigin.live, url, reason=OFFLINE_REASON)
            try:
                self.fetches += 1
                response = await self.web.fetch(url, tls_fallback=True)
            except FetchFailed as failure:
                return PageRead(
                    SourceStatus.not_checked, TextOrigin.live, url, reason=f"{failure.error.value}: {failure.detail}"
                )
            if response.status >= 400:
                return PageRead(
                    SourceStatus.unavailable, TextOrigin.live, url, reason=f"the live page answered {response.status}"
                )
        read = await read_off_loop(
            len(response.body),
            read_page_body,
            TextOrigin.live,
            response.final_url,
            response.final_url,
            response.body,
            response.headers.get("content-type"),
            response.truncated,
            self.pdf_reader,
        )
        if read.status == SourceStatus.fetched:
            # Only pages read are kept: a failure is inconclusive and retried on the next run.
            self._keep(key, read)
        return read


def wants_live_text(url: str | None, live: LiveCheck, has_capture: bool) -> bool:
    """Whether the live page is read: for drift when a capture exists and the page is alive, else as the source."""
    if url is None:
        return False
    if has_capture:
        return live.status is LiveStatus.alive
    return live.status in (LiveStatus.alive, LiveStatus.not_checked)


def assemble_source(
    url: str | None,
    live: LiveCheck,
    archive: ArchiveResult,
    capture: PageRead | None,
    live_read: PageRead | None,
    *,
    offline: bool,
) -> SourceText:
    """The source text of one reference from its reads: the capture when there is one, else the live page."""
    if capture is not None:
        drift_text = live_read.text if live_read is not None and live_read.status == SourceStatus.fetched else None
        drift_title = live_read.title if live_read is not None and live_read.status == SourceStatus.fetched else None
        return SourceText(capture.info(), capture.text, live_text=drift_text, live_title=drift_title)
    if archive.status is ArchiveStatus.not_checked:
        why = f"archive not checked ({archive.reason or 'no answer'})"
    else:
        why = "no capture in any archive" if archive.status is ArchiveStatus.none else "only an error capture"
    if live_read is None:
        # Offline, a source the store remembers as gone (answers for both live and archive)
        # is known to be unreadable; one we know nothing about is merely not checked.
        remembered = archive.status is not ArchiveStatus.not_checked and (
            url is None or live.status is not LiveStatus.not_checked
        )
        if offline and not remembered:
            return SourceText(SourceInfo(status=SourceStatus.not_checked, reason=OFFLINE_REASON))
        reason = f"{why}, and the live page is {live.status.value}" if url else f"{why}, and no URL"
        return SourceText(SourceInfo(status=SourceStatus.unavailable, reason=reason))
    if live_read.status == SourceStatus.fetched:
        return SourceText(
            live_read.info(f"{why}: the live page was read, which may differ from what was cited"), live_read.text
        )
    if offline:
        return SourceText(live_read.info())
    return SourceText(live_read.info(f"{why}, and the live page could not be read"))
