"""A page given to ``audit`` by its URL: fetched live through the guarded client, else from the archive.

The live fetch goes through an :class:`~citecheck.resolve.api_http.HttpGet`
(the guarded client: every redirect hop vetted, the body capped); an answer
is audited when it is a 2xx whose content is HTML — by its Content-Type or,
when the server names none or a generic one, by sniffing the bytes.  A URL
that is refused (a private address, also behind a redirect), a page that is
not HTML or larger than the cap is a clear one-line :class:`PageInputError`.
When the live page cannot be had (it answers 4xx/5xx, times out, does not
resolve), the capture nearest to now in the configured archives is audited
instead, and :class:`FetchedPage` says so.

Pages read are kept in the store; a re-run within ``reuse`` (and any
``--offline`` run) audits the stored copy without a request.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from citecheck.documents.loading import decode_document
from citecheck.models import ArchiveStatus, TextOrigin
from citecheck.references.links import url_problem
from citecheck.resolve.api_http import FailureKind, HttpAnswer, HttpGet, TransportFailure
from citecheck.resolve.archive.models import ArchiveError, SnapshotRequest
from citecheck.resolve.archive.resolver import ArchiveResolver
from citecheck.resolve.web import WebClient
from citecheck.store.db import Store

PAGE_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"
_HTML_TYPES = ("text/html", "application/xhtml+xml")
# Types a server sends when it does not know better: the bytes decide.
_GENERIC_TYPES = ("", "application/octet-stream", "text/plain", "binary/octet-stream")

PAGE_SCHEMA = """
CREATE TABLE IF NOT EXISTS page_inputs (
    url TEXT PRIMARY KEY,          -- as given to audit
    origin TEXT NOT NULL,          -- live | capture
    final_url TEXT NOT NULL,       -- the live page's final URL, or the snapshot URL
    html BLOB NOT NULL,            -- zlib-compressed, decoded text
    fetched_at TEXT NOT NULL,
    snapshot_time TEXT,
    archive TEXT,
    reason TEXT,
    notices TEXT NOT NULL DEFAULT ''
);
"""


class PageInputError(Exception):
    """The URL cannot be audited; the message is one line for the user."""


@dataclass(frozen=True)
class FetchedPage:
    url: str
    html: str
    final_url: str
    fetched_at: datetime
    origin: TextOrigin = TextOrigin.live
    snapshot_time: datetime | None = None
    archive: str | None = None
    reason: str | None = None  # why the capture was audited instead of the live page
    notices: tuple[str, ...] = field(default_factory=tuple)
    from_store: bool = False


def looks_like_html(body: bytes) -> bool:
    """Markup an HTML page opens with, in its first KiB (after a BOM and whitespace)."""
    head = body[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<!--")) or (
        b"<html" in head or b"<body" in head
    )


def html_problem(content_type: str, body: bytes) -> str | None:
    """Why these bytes are not an HTML page to audit, or None when they are."""
    if content_type in _HTML_TYPES:
        return None
    if content_type in _GENERIC_TYPES and looks_like_html(body):
        return None
    if body.startswith(b"%PDF"):
        return "a PDF, not an HTML page"
    return f"not an HTML page ({content_type or 'no Content-Type'})"


def _decoded(body: bytes, charset: str | None) -> tuple[str, tuple[str, ...]]:
    text, encoding, lossy = decode_document(body, charset)
    notices: list[str] = []
    if lossy:
        notices.append("some bytes could not be decoded and were replaced with U+FFFD")
    elif encoding.replace("_", "-").lower() not in ("utf-8", "utf-8-sig", "ascii", "us-ascii"):
        notices.append(f"decoded as {encoding}")
    return text, tuple(notices)


class PageFetcher:
    """Fetch pages to audit; use as ``async with PageFetcher(http, store, ...) as pages``."""

    def __init__(
        self,
        http: HttpGet | None,
        store: Store | None,
        *,
        archives: Sequence[str] = (),
        max_bytes: int,
        reuse: timedelta = timedelta(hours=20),
        offline: bool = False,
        web: WebClient | None = None,
    ) -> None:
        self.http = http
        # The archive fallback sends through this client (the live fetch's): one client, one set of bounds.
        self.web = web
        self.store = store
        self.archives = list(archives)
        self.max_bytes = max_bytes
        self.reuse = reuse
        self.offline = offline
        self._resolver: ArchiveResolver | None = None
        if store is not None:
            store.ensure_schema("page_inputs", PAGE_SCHEMA)

    async def __aenter__(self) -> PageFetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._resolver is not None:
            await self._resolver.__aexit__(None, None, None)
            self._resolver = None

    @property
    def archive_requests(self) -> int:
        """Requests the archive fallback sent on a client of its own (none when it shares ``web``)."""
        if self._resolver is None or self.web is not None:
            return 0
        return self._resolver.requests_sent

    async def fetch(self, url: str) -> FetchedPage:
        """The page at ``url``, live or from its nearest capture; raises :class:`PageInputError`."""
        cached = self._cached(url, None if self.offline else self.reuse)
        if cached is not None:
            return cached
        problem = url_problem(url)
        if problem is not None:  # no address at all: nothing --allow-private could permit, nor a run online
            raise PageInputError(f"{url}: not a web address ({problem})")
        if self.offline or self.http is None:
            raise PageInputError(f"{url}: offline, and the store holds no copy of the page (run once online)")
        why: str
        try:
            answer = await self.http(url, headers={"Accept": PAGE_ACCEPT}, max_bytes=self.max_bytes)
        except TransportFailure as failure:
            if failure.kind is FailureKind.refused:
                raise PageInputError(f"{url}: refused ({failure.detail}); --allow-private permits it") from None
            why = f"the live page could not be fetched ({failure})"
        else:
            page = self._live_page(url, answer)
            if page is not None:
                self._save(page)
                return page
            why = f"the live page answered HTTP {answer.status}"
        capture = await self._from_archive(url, why)
        self._save(capture)
        return capture

    def _live_page(self, url: str, answer: HttpAnswer) -> FetchedPage | None:
        """The page from a live answer; None when the answer is an HTTP error (the archive may have it)."""
        if not 200 <= answer.status < 300:
            return None
        if answer.truncated:
            raise PageInputError(
                f"{url}: the page is larger than the {self.max_bytes / 1048576:.0f} MiB limit "
                "(raise it with --max-page-size)"
            )
        problem = html_problem(answer.content_type, answer.body)
        if problem is not None:
            raise PageInputError(f"{url}: {problem}; citecheck audits HTML pages")
        text, notices = _decoded(answer.body, answer.charset)
        return FetchedPage(url, text, answer.url, datetime.now(UTC), notices=notices)

    async def _from_archive(self, url: str, why: str) -> FetchedPage:
        if not self.archives:
            raise PageInputError(f"{url}: {why}, and no archive is configured")
        if self._resolver is None:
            self._resolver = ArchiveResolver(archives=self.archives, web=self.web, store=self.store, concurrency=2)
            await self._resolver.__aenter__()
        now = datetime.now(UTC)
        result = await self._resolver.resolve(SnapshotRequest(url=url, target=now, target_kind="document"))
        if result.snapshot_url is None or result.snapshot_time is None or result.status is not ArchiveStatus.found:
            detail = result.reason or result.status.value
            raise PageInputError(f"{url}: {why}, and no archive holds a usable capture ({detail})")
        backend = next(backend for backend in self._resolver.backends if backend.name == result.archive)
        original = backend.original_url(result.snapshot_url) or url
        try:
            body = await backend.read_capture(original, result.snapshot_time, self.max_bytes)
        except ArchiveError as error:
            raise PageInputError(f"{url}: {why}, and its capture could not be read ({error})") from None
        if not 200 <= body.status < 300:
            raise PageInputError(f"{url}: {why}, and its capture answered {body.status}")
        if body.truncated:
            raise PageInputError(f"{url}: the captured page is larger than the {self.max_bytes // 1048576} MiB limit")
        problem = html_problem((body.content_type or "").split(";")[0].strip().lower(), body.body)
        if problem is not None:
            raise PageInputError(f"{url}: {why}, and its capture is {problem}")
        text, notices = _decoded(body.body, body.charset)
        return FetchedPage(
            url,
            text,
            result.snapshot_url,
            now,
            origin=TextOrigin.capture,
            snapshot_time=result.snapshot_time,
            archive=result.archive,
            reason=why,
            notices=notices,
        )

    # ------------------------------------------------------------------ the store

    def _cached(self, url: str, max_age: timedelta | None) -> FetchedPage | None:
        if self.store is None:
            return None
        row = self.store.execute(
            "SELECT origin, final_url, html, fetched_at, snapshot_time, archive, reason, notices "
            "FROM page_inputs WHERE url = ?",
            (url,),
        ).fetchone()
        if row is None:
            return None
        origin, final_url, html, fetched_at, snapshot_time, archive, reason, notices = row
        fetched = datetime.fromisoformat(fetched_at)
        if max_age is not None and datetime.now(UTC) - fetched > max_age:
            return None
        return FetchedPage(
            url,
            zlib.decompress(html).decode("utf-8"),
            final_url,
            fetched,
            origin=origin,
            snapshot_time=datetime.fromisoformat(snapshot_time) if snapshot_time else None,
            archive=archive,
            reason=reason,
            notices=tuple(line for line in notices.split("\n") if line),
            from_store=True,
        )

    def _save(self, page: FetchedPage) -> None:
        if self.store is None:
            return
        self.store.execute(
            "INSERT OR REPLACE INTO page_inputs "
            "(url, origin, final_url, html, fetched_at, snapshot_time, archive, reason, notices) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                page.url,
                page.origin,
                page.final_url,
                zlib.compress(page.html.encode("utf-8"), 6),
                page.fetched_at.isoformat(),
                page.snapshot_time.isoformat() if page.snapshot_time else None,
                page.archive,
                page.reason,
                "\n".join(page.notices),
            ),
        )
