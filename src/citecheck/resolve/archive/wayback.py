"""What every Wayback-style HTTP archive shares: ``id_`` playback, polite sending, retries.

The dialects (:mod:`.ia`, :mod:`.pywb`) differ in their paths, CDX formats
and filter syntax; the way a capture is proven (``Memento-Datetime``) and
the way an archive is treated (rate-limited pools, 429 pauses the pool,
backoff on 5xx and resets, fail fast when the archive is down) are the same.
"""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin

import httpx

from citecheck.resolve.archive.backend import CaptureBody
from citecheck.resolve.archive.models import (
    ArchiveProtocolError,
    ArchiveUnavailableError,
    BlockedSiteError,
    CdxRecord,
    Memento,
    NoMementoError,
    RateLimitError,
    format_timestamp,
    parse_timestamp,
)
from citecheck.resolve.archive.ratelimit import RateLimiter
from citecheck.resolve.net import parse_retry_after

# Marks a playback answer whose body was cut at the caller's byte cap (never sent by a server).
TRUNCATED_HEADER = "X-Citecheck-Truncated"
USER_AGENT = "citecheck/0.1 (citation auditor; +https://github.com/citecheck/citecheck)"

_LINK_RE = re.compile(r'<(?P<url>[^>]*)>(?P<params>(?:\s*;\s*[^;,<]+=(?:"[^"]*"|[^;,<]*))*)')
_PARAM_RE = re.compile(r'([\w-]+)\s*=\s*(?:"([^"]*)"|([^;,\s]*))')


def parse_link_header(value: str) -> list[tuple[str, dict[str, str]]]:
    """Parse an RFC 8288 Link header or a link-format TimeMap body into (url, params) pairs."""
    links: list[tuple[str, dict[str, str]]] = []
    for match in _LINK_RE.finditer(value):
        params = {name.lower(): quoted or bare for name, quoted, bare in _PARAM_RE.findall(match["params"])}
        links.append((match["url"], params))
    return links


def parse_timemap(text: str) -> list[tuple[str, datetime]]:
    """The mementos of a link-format TimeMap as (memento URL, capture time), oldest first."""
    mementos: list[tuple[str, datetime]] = []
    for url, params in parse_link_header(text):
        rels = params.get("rel", "").split()
        if "memento" in rels and "datetime" in params:
            try:
                moment = parsedate_to_datetime(params["datetime"])
            except (TypeError, ValueError, IndexError):
                continue  # an unreadable datetime: that memento cannot be placed in time
            # "-0000" parses naive; RFC 1123 dates in TimeMaps are GMT.
            mementos.append((url, moment if moment.tzinfo else moment.replace(tzinfo=UTC)))
    mementos.sort(key=lambda item: item[1])
    return mementos


def dedupe_records(records: list[CdxRecord]) -> list[CdxRecord]:
    """Drop repeated rows (the CDX server repeats rows across shards), keeping the first."""
    seen: set[tuple[str, str, str | None, int | None, str]] = set()
    unique: list[CdxRecord] = []
    for record in records:
        key = (record.urlkey, record.raw_timestamp, record.digest, record.status, record.original)
        if key not in seen:
            seen.add(key)
            unique.append(record)
    return unique


class WaybackBackend:
    """Shared HTTP machinery; subclasses say where playback and CDX live and how CDX reads."""

    name: str

    def __init__(
        self,
        client: httpx.AsyncClient,
        base_url: str,
        *,
        name: str,
        limiter: RateLimiter,
        playback_prefix: str,
        max_retries: int = 3,
        rate_limit_retries: int = 3,
        backoff_seconds: float = 0.5,
        max_rate_limit_wait: float = 600.0,
    ) -> None:
        self.client = client
        self.base_url = base_url.rstrip("/")
        self.name = name
        self.limiter = limiter
        self.playback_prefix = "/" + playback_prefix.strip("/") if playback_prefix.strip("/") else ""
        self.max_retries = max_retries
        self.rate_limit_retries = rate_limit_retries
        self.backoff_seconds = backoff_seconds
        self.max_rate_limit_wait = max_rate_limit_wait
        self.requests_sent = 0
        self.requests_by_pool: dict[str, int] = {}
        # Set once the archive proved unreachable: later calls fail at once instead of
        # spending retries on every citation of the run.
        self.unavailable_reason: str | None = None
        self._playback_re = re.compile(
            re.escape(self.playback_prefix) + r"/(?P<ts>\d{1,14})(?:[a-z]{2}_)?/(?P<url>.+)$"
        )

    # ------------------------------------------------------------------ addresses

    def playback_url(self, url: str, at: datetime | str, mode: str = "id_") -> str:
        stamp = at if isinstance(at, str) else format_timestamp(at)
        return f"{self.base_url}{self.playback_prefix}/{stamp}{mode}/{url}"

    def snapshot_url(self, url: str, capture_time: datetime) -> str:
        return self.playback_url(url, capture_time, mode="")

    def split_playback_url(self, address: str) -> tuple[str, str] | None:
        """(timestamp, original URL) of a playback address on this archive, else None."""
        path = httpx.URL(urljoin(self.base_url + "/", address))
        raw = path.raw_path.decode("ascii", "replace")
        match = self._playback_re.search(raw)
        if match is None:
            return None
        return match["ts"], match["url"]

    # ------------------------------------------------------------------ sending

    async def send(
        self, pool: str, url: str, params: httpx.QueryParams | None = None, *, max_bytes: int | None = None
    ) -> httpx.Response:
        """GET ``url`` within the pool's budget, redirects not followed; the body is read.

        With ``max_bytes`` the body is streamed and cut there (:meth:`_get_capped`).

        429 pauses the whole pool for Retry-After (else 60 s) and retries up to
        ``rate_limit_retries`` times, then raises RateLimitError with the wait.
        5xx and resets are retried with exponential backoff; a refused
        connection marks the archive unavailable for the rest of the run.
        """
        if self.unavailable_reason is not None:
            raise ArchiveUnavailableError(self.unavailable_reason)
        failures = 0
        rate_limited = 0
        while True:
            await self.limiter.acquire(pool)
            self.requests_sent += 1
            self.requests_by_pool[pool] = self.requests_by_pool.get(pool, 0) + 1
            try:
                if max_bytes is None:
                    response = await self.client.get(
                        url, params=params, follow_redirects=False, headers={"User-Agent": USER_AGENT}
                    )
                else:
                    response = await self._get_capped(url, params, max_bytes)
            except httpx.ConnectError as error:
                # Refused or unroutable: the archive is down, not this URL.  One retry
                # covers a restart; more would multiply by every citation of the run.
                failures += 1
                if failures > 1:
                    self.unavailable_reason = f"{self.name} unreachable: {error or type(error).__name__}"
                    raise ArchiveUnavailableError(self.unavailable_reason) from error
                await asyncio.sleep(self.backoff_seconds)
                continue
            except httpx.TransportError as error:
                failures += 1
                if failures > self.max_retries:
                    raise ArchiveUnavailableError(
                        f"{self.name}: {type(error).__name__} after {failures} attempts"
                    ) from error
                await asyncio.sleep(self.backoff_seconds * 2 ** (failures - 1))
                continue
            if response.status_code == 429:
                wait = parse_retry_after(response.headers.get("Retry-After"))
                self.limiter.pause(pool, min(wait, self.max_rate_limit_wait) if wait is not None else None)
                rate_limited += 1
                if rate_limited > self.rate_limit_retries:
                    raise RateLimitError(
                        f"{self.name} kept answering 429 (pool {pool})", wait if wait is not None else 60.0
                    )
                continue
            if response.status_code >= 500 and not response.headers.get("Memento-Datetime"):
                failures += 1
                if failures > self.max_retries:
                    raise ArchiveUnavailableError(
                        f"{self.name} answered {response.status_code} after {failures} attempts"
                    )
                await asyncio.sleep(self.backoff_seconds * 2 ** (failures - 1))
                continue
            return response

    async def _get_capped(self, url: str, params: httpx.QueryParams | None, max_bytes: int) -> httpx.Response:
        """GET with the body streamed and cut at ``max_bytes`` decoded bytes.

        The answer is rebuilt around the bytes kept: Content-Encoding is dropped
        (the bytes are already decoded) and a cut body is marked with
        ``TRUNCATED_HEADER``.
        """
        request = self.client.build_request("GET", url, params=params, headers={"User-Agent": USER_AGENT})
        streamed = await self.client.send(request, stream=True, follow_redirects=False)
        body = bytearray()
        truncated = False
        try:
            async for chunk in streamed.aiter_bytes():
                body += chunk
                if len(body) > max_bytes:
                    truncated = True
                    del body[max_bytes:]
                    break
        finally:
            await streamed.aclose()
        headers = [
            (name, value)
            for name, value in streamed.headers.multi_items()
            if name.lower() not in ("content-encoding", "content-length", "transfer-encoding")
        ]
        if truncated:
            headers.append((TRUNCATED_HEADER, "1"))
        return httpx.Response(streamed.status_code, headers=headers, content=bytes(body), request=request)

    # ------------------------------------------------------------------ playback

    def memento_from_response(self, requested_url: str, response: httpx.Response) -> Memento | None:
        """A Memento when the response carries Memento-Datetime (the proof of a capture), else None."""
        stamp = response.headers.get("Memento-Datetime")
        if not stamp:
            return None
        try:
            capture_time = parsedate_to_datetime(stamp)
        except (TypeError, ValueError) as error:
            raise ArchiveProtocolError(f"unreadable Memento-Datetime: {stamp!r}") from error
        original = requested_url
        for link_url, params in parse_link_header(response.headers.get("Link", "")):
            if "original" in params.get("rel", "").split():
                original = link_url
                break
        location = response.headers.get("Location")
        if location is not None:
            inside = self.split_playback_url(location)
            # IA writes historical redirects as playback addresses, pywb as the original target.
            location = inside[1] if inside else urljoin(original, location)
        headers = {
            key[len("x-archive-orig-") :]: value
            for key, value in response.headers.items()
            if key.lower().startswith("x-archive-orig-")
        }
        return Memento(
            url=original,
            capture_time=capture_time,
            status=response.status_code,
            playback_url=str(response.url),
            location=location,
            original_headers=headers,
        )

    async def _play_back(
        self, url: str, at: datetime, max_bytes: int | None = None, doing: str = "looking for a capture of"
    ) -> tuple[Memento, httpx.Response]:
        """``id_`` playback at ``at``; an archive redirect to its nearest capture is followed (at most twice)."""
        address = self.playback_url(url, at)
        for _hop in range(3):
            response = await self.send("playback", address, max_bytes=max_bytes)
            memento = self.memento_from_response(url, response)
            if memento is not None:
                return memento, response
            location = response.headers.get("Location")
            if response.is_redirect and location:
                address = urljoin(address, location)
                continue
            if response.status_code in (403, 451):
                raise BlockedSiteError(f"{self.name} refuses to play back {url} ({response.status_code})")
            if response.status_code == 404:
                raise NoMementoError(f"{self.name} has no capture of {url} at {format_timestamp(at)}")
            raise ArchiveProtocolError(f"{self.name} answered {response.status_code} without Memento-Datetime")
        raise ArchiveProtocolError(f"{self.name} redirected too often {doing} {url}")

    async def nearest(self, url: str, at: datetime) -> Memento:
        """The capture playback serves for ``url`` at ``at`` (its historical redirects are not followed)."""
        memento, _response = await self._play_back(url, at)
        return memento

    async def read_capture(self, url: str, capture_time: datetime, max_bytes: int) -> CaptureBody:
        """The capture's original bytes through ``id_`` playback, on the playback pool like ``nearest``."""
        memento, response = await self._play_back(url, capture_time, max_bytes, doing="reading the capture of")
        return CaptureBody(
            url=memento.url,
            capture_time=memento.capture_time,
            status=memento.status,
            body=response.content,
            content_type=response.headers.get("Content-Type"),
            truncated=TRUNCATED_HEADER in response.headers,
            headers={name.lower(): value for name, value in response.headers.items()},
        )

    def original_url(self, snapshot_url: str) -> str | None:
        if not snapshot_url.startswith(self.base_url + "/"):
            return None
        inside = self.split_playback_url(snapshot_url)
        return inside[1] if inside else None

    async def timemap(self, url: str) -> list[tuple[str, datetime]]:
        """The link-format TimeMap of ``url`` (CDX pool: the archive counts it with CDX)."""
        response = await self.send("cdx", f"{self.base_url}{self.playback_prefix}/timemap/link/{url}")
        if response.status_code == 404:
            return []
        if response.status_code != 200:
            raise ArchiveProtocolError(f"{self.name} TimeMap answered {response.status_code}")
        return parse_timemap(response.text)


def record_from_fields(fields: dict[str, str]) -> CdxRecord | None:
    """A CdxRecord from named CDX fields (either dialect's names); None for an unreadable row."""
    raw_timestamp = fields.get("timestamp", "")
    original = fields.get("original") or fields.get("url") or ""
    try:
        timestamp = parse_timestamp(raw_timestamp)
    except ValueError:
        return None
    if not original:
        return None

    def number(value: str | None) -> int | None:
        return int(value) if value and value.isdigit() else None

    mimetype = fields.get("mimetype") or fields.get("mime")
    digest = fields.get("digest")
    return CdxRecord(
        urlkey=fields.get("urlkey", ""),
        timestamp=timestamp,
        original=original,
        mimetype=None if mimetype in (None, "-") else mimetype,
        status=number(fields.get("statuscode") or fields.get("status")),
        digest=None if digest in (None, "-") else digest,
        length=number(fields.get("length")),
        raw_timestamp=raw_timestamp,
    )


def is_web_capture(record: CdxRecord) -> bool:
    """False for the non-web originals real indexes contain (``mailto:`` hosts, ``data:`` URIs)."""
    lowered = record.original.lower()
    if not lowered.startswith(("http://", "https://")):
        return False
    authority = lowered.split("/", 3)[2]
    return bool(authority) and "@" not in authority and "data:" not in lowered
