"""The one HTTP layer: every byte citecheck fetches — live pages, source texts, archives, APIs — comes through here.

One :class:`WebClient` per run owns

* one ``httpx.AsyncClient`` whose transport vets every URL and every address
  it connects to (:mod:`citecheck.resolve.net`: SSRF guard, DNS-rebinding
  safe), plus an unverified twin used only to read a page whose TLS
  certificate is bad (alive, with a warning);
* the pools (:mod:`citecheck.resolve.politeness`): one per host for the live
  web, named pools for archives and APIs — concurrency, adaptive rate,
  429 pauses and waits capped in one place;
* the bounds on every response: bytes (decoded bytes too, so a gzip bomb
  stays small), a decompression-ratio cap, junk after a gzip member ignored,
  a total deadline per request (a server trickling a byte every ten seconds
  cannot hold a slot), JSON depth;
* the evidence a run collects about the network (:mod:`.evidence`).

Redirects are followed by hand so each hop is vetted (and seen: loops,
historical redirects in archives); a ``Location`` httpx cannot parse and a URL
httpx rejects are failures of that URL only.  Failures are raised as
:class:`FetchFailed` with a :class:`FetchError` kind — never a bare httpx
exception — so callers catch by type, per item.

Public API for other stages (Wikipedia/MediaWiki, DOI, Crossref …)::

    async with WebClient(settings) as web:
        web.configure_pool("api:en.wikipedia.org", PoolPolicy(concurrency=1, per_second=5))
        response = await web.fetch(url, pool="api:en.wikipedia.org")      # WebResponse
        data = await web.fetch_json(url, pool="api:en.wikipedia.org")     # parsed JSON (depth-capped)
"""

from __future__ import annotations

import asyncio
import enum
import random
import ssl
import time
import zlib
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import TYPE_CHECKING

from citecheck.resolve.decode import (
    DEFAULT_MAX_JSON_DEPTH,
    JsonDataError,
    charset_from_content_type,
    decode_text,
    loads_json,
    media_type,
)
from citecheck.resolve.evidence import NetworkEvidence
from citecheck.resolve.net import (
    HostResolutionError,
    Resolver,
    UrlSafetyError,
    check_url_allowed,
    parse_retry_after,
    system_resolver,
)
from citecheck.resolve.politeness import Pool, PoolPolicy, PoolRefusedError, PoolTable
from citecheck.resolve.web_settings import DEFAULT_USER_AGENT, HostSettings, WebSettings

# httpx imported where used: an offline audit imports this module but never fetches or parses a page (issue 17).
if TYPE_CHECKING:
    import httpx


REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
TEXT_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "application/xml", "text/xml", "application/json")
PDF_TYPES = ("application/pdf", "application/x-pdf")
SNIFF_BYTES = 1024
# Statuses worth asking again: the server said "not now", not "no".
RETRYABLE_STATUSES = frozenset({500, 502, 503, 504, 520, 521, 522, 523, 524})


class FetchError(enum.StrEnum):
    """Why a fetch gave no usable answer."""

    refused = "refused"  # the safety policy forbade it
    invalid_url = "invalid-url"  # httpx cannot even parse it
    nxdomain = "nxdomain"
    dns_failure = "dns-failure"
    connect = "connect"
    timeout = "timeout"
    reset = "reset"
    tls = "tls"
    protocol = "protocol"
    redirect_loop = "redirect-loop"
    too_many_redirects = "too-many-redirects"
    rate_limited = "rate-limited"
    offline = "offline"  # the run sends no request at all


# No TCP connection was made: only these depend on our own network being known good.
NO_CONNECTION = frozenset({FetchError.nxdomain, FetchError.dns_failure, FetchError.connect})


class FetchFailed(Exception):
    """A fetch failed; ``error`` says how, ``detail`` says it in words."""

    def __init__(self, error: FetchError, detail: str, *, connected: bool = True, retry_after: float | None = None):
        super().__init__(detail)
        self.error = error
        self.detail = detail
        self.connected = connected and error not in NO_CONNECTION
        self.retry_after = retry_after


def host_policy(settings: WebSettings, host: str) -> PoolPolicy:
    """The pool policy of one live-web host: the per-host overrides (``[tool.citecheck.hosts]``) over the defaults."""
    override = settings.host_settings(host)
    return PoolPolicy(
        concurrency=(override.concurrency if override and override.concurrency else settings.per_host_concurrency),
        per_second=override.per_second if override else None,
        burst=1,
        pause_without_retry_after=max(settings.backoff_base, 1.0),
        max_wait=settings.retry_after_cap,
    )


@dataclass(frozen=True)
class Hop:
    url: str
    status: int


@dataclass
class WebResponse:
    """One answered request (after any redirects it was told to follow), its body read under the caps."""

    url: str  # what was asked
    final_url: str
    status: int
    headers: httpx.Headers
    body: bytes = b""
    truncated: bool = False  # the body was longer than its cap and was cut
    undecodable: bool = False  # a Content-Encoding we do not decode (the body is empty)
    hops: list[Hop] = field(default_factory=list)  # the redirect responses, in order
    notes: list[str] = field(default_factory=list)  # retries, TLS warnings, cut bodies …
    method: str = "GET"

    @property
    def content_type(self) -> str:
        return media_type(self.headers.get("content-type"))

    @property
    def charset(self) -> str | None:
        return charset_from_content_type(self.headers.get("content-type"))

    def text(self) -> str:
        """The body as text (header charset, then BOM/meta, then detection)."""
        return decode_text(self.body, self.headers.get("content-type"), html="html" in self.content_type)

    def json(self, max_depth: int = DEFAULT_MAX_JSON_DEPTH) -> object:
        return loads_json(self.body, max_depth=max_depth)


def is_text_type(content_type: str) -> bool:
    return not content_type or media_type(content_type).startswith(TEXT_TYPES)


def is_pdf(content_type: str, sniff: bytes) -> bool:
    return media_type(content_type) in PDF_TYPES or sniff.lstrip()[:5] == b"%PDF-"


@dataclass(frozen=True)
class BodyLimits:
    """How much of a body to keep, by kind: text pages whole (to a cap), PDFs to their cap, the rest sniffed."""

    text: int
    pdf: int
    other: int = SNIFF_BYTES

    def for_type(self, content_type: str) -> int:
        kind = media_type(content_type)
        if kind in PDF_TYPES:
            return self.pdf
        return self.text if is_text_type(kind) else self.other


# --------------------------------------------------------------------------- bounded body reading


class CappedDecoder:
    """Undo a Content-Encoding while reading, never holding more than ``limit`` decoded bytes.

    Stops early (``done``) at the cap, at a decompression ratio beyond
    ``max_ratio`` (past the first megabyte), and at junk after a gzip member —
    reading on until the deadline would lose the page.
    """

    def __init__(self, encoding: str, limit: int, max_ratio: float = 200.0) -> None:
        self.limit = limit
        self.max_ratio = max_ratio
        self.output = bytearray()
        self.truncated = False
        self.done = False
        self.note: str | None = None
        self.raw_read = 0
        encoding = encoding.strip().lower()
        self.undecodable = encoding not in {"", "identity", "gzip", "x-gzip", "deflate"}
        self._gzip = encoding in {"gzip", "x-gzip"}
        self._deflate = encoding == "deflate"
        self._zlib: zlib._Decompress | None = None
        if self._gzip:
            self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif self._deflate:
            self._zlib = zlib.decompressobj(zlib.MAX_WBITS)

    def feed(self, chunk: bytes) -> None:
        if self.done or self.undecodable:
            self.done = True
            return
        self.raw_read += len(chunk)
        if self._zlib is None:
            room = self.limit - len(self.output)
            self.output += chunk[: max(room, 0)]
            if len(chunk) > room:
                self.truncated = self.done = True
            return
        self._inflate(chunk)
        decoded = len(self.output)
        if decoded > 1 << 20 and decoded > self.max_ratio * self.raw_read:
            self.truncated = self.done = True
            self.note = f"decompression ratio over {self.max_ratio:.0f}:1 (a compression bomb?): body cut"

    def _inflate(self, chunk: bytes) -> None:
        assert self._zlib is not None
        data = chunk
        while data and not self.done:
            room = self.limit - len(self.output)
            if room <= 0:
                self.truncated = self.done = True
                return
            try:
                out = self._zlib.decompress(data, room)
            except zlib.error:
                if self._deflate and not self.output and self.raw_read == len(chunk):
                    # Some servers send raw deflate without the zlib header.
                    self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
                    self._deflate = False
                    continue
                if self.output:
                    self.done = True
                    self.note = "corrupt compressed data after the first bytes: the rest was not read"
                    return
                raise
            self.output += out
            if self._zlib.unconsumed_tail:
                self.truncated = self.done = True
                return
            if self._zlib.eof:
                rest = self._zlib.unused_data
                if self._gzip and rest[:2] == b"\x1f\x8b":
                    self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)  # another gzip member
                    data = rest
                    continue
                if rest.strip(b"\x00\r\n\t "):
                    self.note = "junk after the compressed body was ignored"
                self.done = True
                return
            data = b""


# --------------------------------------------------------------------------- the client


@dataclass
class _Exchange:
    url: httpx.URL
    status: int
    headers: httpx.Headers
    body: bytes
    truncated: bool
    undecodable: bool
    note: str | None


def _is_certificate_error(error: BaseException) -> bool:
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def host_pool_name(url: httpx.URL) -> str:
    """The live-web pool of a URL: one per host and port."""
    port = f":{url.port}" if url.port else ""
    return f"host:{url.host}{port}"


_DEFAULT_PORTS = {"http": 80, "https": 443}


class WebClient:
    """The run's one HTTP client; use as ``async with WebClient(settings) as web``.

    ``transport`` replaces the guarded network transport (recorded exchanges
    in unit tests); ``offline`` makes every fetch fail with
    :attr:`FetchError.offline` without sending anything.
    """

    def __init__(
        self,
        settings: WebSettings | None = None,
        *,
        resolver: Resolver = system_resolver,
        transport: httpx.AsyncBaseTransport | None = None,
        offline: bool = False,
        clock: Callable[[], float] = time.monotonic,
        on_wait: Callable[[str, float], None] | None = None,
    ) -> None:
        self.settings = settings or WebSettings()
        self.offline = offline
        self.evidence = NetworkEvidence()
        self._base_resolver = resolver
        self._transport = transport
        self._trusted_networks = self.settings.trusted()
        self._trusted_endpoints: set[tuple[str, int]] = set()
        # Told of every politeness pause as it starts (pool name, seconds): the progress display's "waiting".
        self.pools = PoolTable(self._policy_for, clock, on_wait)
        self._client: httpx.AsyncClient | None = None
        self._insecure: httpx.AsyncClient | None = None
        self.retries: Counter[str] = Counter()  # re-sent requests, by pool
        self.sent: Counter[str] = Counter()  # requests sent, by pool
        self._sleep = asyncio.sleep

    # ------------------------------------------------------------------ lifecycle

    async def _resolve(self, host: str, port: int) -> list[str]:
        try:
            addresses = await self._base_resolver(host, port)
        except HostResolutionError as error:
            self.evidence.name_failed(host, error.nxdomain, error.detail)
            raise
        if addresses:
            self.evidence.name_resolved(host)
        else:
            self.evidence.name_failed(host, True, "no addresses")
        return addresses

    def _is_trusted_endpoint(self, host: str, port: int) -> bool:
        return (host.lower(), port) in self._trusted_endpoints

    def trust_endpoint(self, url: str) -> None:
        """Let ``url``'s host and port be reached whatever its address (an archive the operator configured).

        Redirects to anywhere else are vetted as usual.
        """
        import httpx

        parsed = httpx.URL(url)
        self.trust_address(parsed.host, parsed.port or _DEFAULT_PORTS.get(parsed.scheme, 0))

    def trust_address(self, host: str, port: int) -> None:
        """:meth:`trust_endpoint` for a host and port already read (the port spelled out)."""
        self._trusted_endpoints.add((host.lower(), port))

    def _make_client(self, verify: bool) -> httpx.AsyncClient:
        import http.cookiejar  # here, with httpx: an offline run's client makes none

        import httpx

        from citecheck.resolve.transport import GuardedTransport

        settings = self.settings
        transport = self._transport or GuardedTransport(
            allow_private=settings.allow_private,
            trusted_networks=self._trusted_networks,
            resolver=self._resolve,
            verify=verify,
            http2=settings.http2,
            local_address=settings.local_address,
            limits=httpx.Limits(
                max_connections=max(settings.concurrency * 2, 16),
                max_keepalive_connections=max(settings.concurrency, 8),
            ),
            trusted_endpoint=self._is_trusted_endpoint,
        )
        return httpx.AsyncClient(
            transport=transport,
            timeout=httpx.Timeout(
                connect=settings.connect_timeout, read=settings.read_timeout, write=settings.read_timeout, pool=None
            ),
            headers={
                "User-Agent": settings.user_agent,
                "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
                # Only encodings CappedDecoder undoes under the size cap.
                "Accept-Encoding": "gzip, deflate",
                **settings.headers,
            },
            follow_redirects=False,
            # Cookies live per fetch (see fetch), never across URLs.
            cookies=http.cookiejar.CookieJar(http.cookiejar.DefaultCookiePolicy(allowed_domains=[])),
            trust_env=False,
        )

    async def __aenter__(self) -> WebClient:
        if not self.offline:
            self._client = self._make_client(verify=True)
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        for client in (self._client, self._insecure):
            if client is not None:
                await client.aclose()
        self._client = self._insecure = None

    def _http(self, insecure: bool) -> httpx.AsyncClient:
        if self._client is None:
            raise RuntimeError("WebClient must be used as 'async with WebClient(...) as web'")
        if not insecure:
            return self._client
        if self._insecure is None:
            self._insecure = self._make_client(verify=False)
        return self._insecure

    # ------------------------------------------------------------------ pools

    def _policy_for(self, name: str) -> PoolPolicy:
        if name.startswith("host:"):
            return host_policy(self.settings, name[len("host:") :].rsplit(":", 1)[0])
        return PoolPolicy(
            concurrency=self.settings.per_host_concurrency,
            pause_without_retry_after=max(self.settings.backoff_base, 1.0),
            max_wait=self.settings.retry_after_cap,
        )

    def configure_pool(self, name: str, policy: PoolPolicy) -> Pool:
        """Give a named pool its own limits (an archive's, an API's); call before its first request."""
        return self.pools.configure(name, policy)

    def pool(self, name: str) -> Pool:
        return self.pools.get(name)

    # ------------------------------------------------------------------ URL checks

    def vet(self, url: str | httpx.URL) -> httpx.URL:
        """Parse and check a URL before anything is sent; raises FetchFailed (refused / invalid-url)."""
        import httpx

        try:
            parsed = url if isinstance(url, httpx.URL) else httpx.URL(url)
        except (httpx.InvalidURL, TypeError, ValueError, UnicodeError) as error:
            raise FetchFailed(FetchError.invalid_url, f"not a valid URL: {error}", connected=False) from error
        trusted = self._is_trusted_endpoint(parsed.host, parsed.port or _DEFAULT_PORTS.get(parsed.scheme, 0))
        try:
            return check_url_allowed(parsed, self.settings.allow_private or trusted, self._trusted_networks)
        except UrlSafetyError as error:
            kind = FetchError.invalid_url if "not a valid URL" in str(error) else FetchError.refused
            raise FetchFailed(kind, str(error), connected=False) from error

    # ------------------------------------------------------------------ fetching

    def _backoff(self, attempt: int) -> float:
        base = self.settings.backoff_base * (2.0**attempt)
        # A little jitter decorrelates retries to one host; a lot would only slow the run.
        return base + random.uniform(0, self.settings.backoff_base * 0.25)

    async def _exchange_once(
        self,
        client: httpx.AsyncClient,
        request: httpx.Request,
        limits: BodyLimits,
    ) -> _Exchange:
        import httpx

        response = await client.send(request, stream=True)
        try:
            content_type = response.headers.get("content-type", "")
            limit = limits.for_type(content_type)
            decoder = CappedDecoder(
                response.headers.get("content-encoding", ""), limit, self.settings.max_decompression_ratio
            )
            if request.method != "HEAD" and response.status_code not in REDIRECT_STATUSES:
                try:
                    async for chunk in response.aiter_raw():
                        decoder.feed(chunk)
                        if decoder.done:
                            break
                except httpx.StreamConsumed:
                    # A transport that hands over a read response (httpx.MockTransport): already decoded.
                    decoder = CappedDecoder("", limit, self.settings.max_decompression_ratio)
                    decoder.feed(response.content)
            body = bytes(decoder.output)
            if not is_text_type(content_type) and limit == SNIFF_BYTES:
                # Only the first bytes of an image or archive were wanted: that is not a cut page.
                decoder.truncated = False
            return _Exchange(
                response.url,
                response.status_code,
                response.headers,
                body,
                decoder.truncated,
                decoder.undecodable,
                decoder.note,
            )
        finally:
            await response.aclose()

    async def _send(
        self,
        method: str,
        url: httpx.URL,
        *,
        pool: Pool,
        headers: Mapping[str, str] | None,
        params: httpx.QueryParams | None,
        data: Mapping[str, str] | None,
        cookies: httpx.Cookies,
        limits: BodyLimits,
        retries: int,
        capture_aware: bool,
        insecure: bool,
        notes: list[str],
    ) -> _Exchange:
        """One request (no redirects) with retries, pool politeness and error mapping."""
        import httpx

        settings = self.settings
        attempts = retries + 1
        for attempt in range(attempts):
            last = attempt == attempts - 1
            failure: FetchFailed | None = None
            try:
                async with pool.slot():
                    client = self._http(insecure)
                    request = client.build_request(method, url, headers=headers, params=params, data=data)
                    if cookies:  # the cookie machinery of an empty jar adds nothing, at some cost per request
                        cookies.set_cookie_header(request)
                    self.sent[pool.name] += 1
                    if attempt:
                        self.retries[pool.name] += 1
                    async with asyncio.timeout(settings.request_deadline):
                        exchange = await self._exchange_once(client, request, limits)
                    if pool.name.startswith("host:"):
                        # Only the live web's answers prove the live web is reachable from here.
                        self.evidence.server_answered(f"{url.host}:{url.port or url.scheme}")
                    if "set-cookie" in exchange.headers or "set-cookie2" in exchange.headers:
                        response = httpx.Response(exchange.status, headers=exchange.headers, request=request)
                        cookies.extract_cookies(response)
            except PoolRefusedError as error:
                raise FetchFailed(FetchError.rate_limited, error.why, retry_after=error.seconds) from error
            except UrlSafetyError as error:
                raise FetchFailed(FetchError.refused, str(error), connected=False) from error
            except HostResolutionError as error:
                kind = FetchError.nxdomain if error.nxdomain else FetchError.dns_failure
                raise FetchFailed(kind, str(error), connected=False) from error
            except httpx.ConnectTimeout as error:
                failure = FetchFailed(FetchError.timeout, f"connect timeout after {attempt + 1} tries", connected=False)
                failure.__cause__ = error
            except (httpx.TimeoutException, TimeoutError) as error:
                failure = FetchFailed(FetchError.timeout, f"{type(error).__name__} after {attempt + 1} tries")
                failure.__cause__ = error
            except httpx.ConnectError as error:
                if _is_certificate_error(error):
                    raise FetchFailed(FetchError.tls, str(error)) from error
                failure = FetchFailed(FetchError.connect, f"{error} after {attempt + 1} tries".strip(), connected=False)
                failure.__cause__ = error
            except httpx.RemoteProtocolError as error:
                if "location header" in str(error).lower():
                    # httpx reads the redirect target itself; one it cannot parse is this answer's fault.
                    raise FetchFailed(FetchError.protocol, f"unusable Location header ({error})") from error
                detail = f"{type(error).__name__} {error}".strip() + f" after {attempt + 1} tries"
                failure = FetchFailed(FetchError.reset, detail)
                failure.__cause__ = error
            except (httpx.ReadError, httpx.WriteError, ConnectionError) as error:
                detail = f"{type(error).__name__} {error}".strip() + f" after {attempt + 1} tries"
                failure = FetchFailed(FetchError.reset, detail)
                failure.__cause__ = error
            except (httpx.InvalidURL, UnicodeError) as error:
                raise FetchFailed(FetchError.invalid_url, f"not a valid URL: {error}", connected=False) from error
            except (httpx.HTTPError, zlib.error, ValueError) as error:
                raise FetchFailed(FetchError.protocol, f"{type(error).__name__}: {error}") from error
            if failure is not None:
                pool.failed(str(url))
                if last:
                    raise failure
                notes.append(f"retry {attempt + 1}: {failure.error.value}")
                await self._sleep(self._backoff(attempt))
                continue
            if exchange.note:
                notes.append(exchange.note)
            status = exchange.status
            if capture_aware and "memento-datetime" in exchange.headers:
                # An archived 429 or 503 is a capture of an error, not the archive refusing us.
                pool.answered()
                return exchange
            if status == 429:
                wait = parse_retry_after(exchange.headers.get("retry-after"))
                try:
                    paused = pool.rate_limited_by_server(wait)
                except PoolRefusedError as error:
                    raise FetchFailed(FetchError.rate_limited, error.why, retry_after=error.seconds) from error
                if last:
                    return exchange
                notes.append(f"HTTP 429: waited {paused:.1f}s before retry {attempt + 1}")
                continue
            if status >= 500:
                pool.answered(failing=True, url=str(url))
            else:
                pool.answered()
            if status in RETRYABLE_STATUSES and not last:
                notes.append(f"retry {attempt + 1}: HTTP {status}")
                await self._sleep(self._backoff(attempt))
                continue
            return exchange
        raise AssertionError("unreachable: the loop returns or raises on its last attempt")

    async def fetch(
        self,
        url: str | httpx.URL,
        *,
        pool: str | None = None,
        method: str = "GET",
        headers: Mapping[str, str] | None = None,
        params: httpx.QueryParams | None = None,
        data: Mapping[str, str] | None = None,
        follow_redirects: bool = True,
        retries: int | None = None,
        max_bytes: int | None = None,
        capture_aware: bool = False,
        tls_fallback: bool = False,
    ) -> WebResponse:
        """Fetch ``url`` through the guard, the pool and the caps; raises :class:`FetchFailed`.

        ``pool`` names the politeness pool (default: the URL's host pool;
        redirect hops to another host use that host's pool).  ``max_bytes``
        caps the body whatever its type (default: text and PDF caps by type,
        other types sniffed).  ``capture_aware``: an answer carrying
        ``Memento-Datetime`` is an archived capture, returned as it is
        whatever its status (never retried, never taken for rate limiting).
        """
        import httpx

        if self.offline:
            raise FetchFailed(FetchError.offline, "offline: no request is sent", connected=False)
        current = self.vet(url)
        query = params
        if query is not None:
            current = current.copy_merge_params(query)
        settings = self.settings
        override = settings.host_settings(current.host)
        merged_headers = {**(override.headers if override else {}), **(headers or {})}
        limits = (
            BodyLimits(max_bytes, max_bytes, min(max_bytes, SNIFF_BYTES))
            if max_bytes is not None
            else BodyLimits(settings.max_bytes, settings.max_pdf_bytes)
        )
        attempts = retries if retries is not None else (override.retries if override else None)
        attempts = settings.retries if attempts is None else attempts
        first_host = current.host
        cookies = httpx.Cookies()
        notes: list[str] = []
        hops: list[Hop] = []
        seen: set[tuple[str, str]] = set()
        insecure = False
        while True:
            key = (str(current), "; ".join(f"{k}={v}" for k, v in sorted(cookies.items())))
            if key in seen:
                chain = " → ".join(hop.url for hop in hops)
                raise FetchFailed(FetchError.redirect_loop, f"{chain} → {current}")
            seen.add(key)
            hop_pool = self.pool(pool if pool is not None and current.host == first_host else host_pool_name(current))
            try:
                exchange = await self._send(
                    method,
                    current,
                    pool=hop_pool,
                    headers=merged_headers,
                    params=None,
                    data=data,
                    cookies=cookies,
                    limits=limits,
                    retries=attempts,
                    capture_aware=capture_aware,
                    insecure=insecure,
                    notes=notes,
                )
            except FetchFailed as failure:
                if failure.error is not FetchError.tls or not (tls_fallback and settings.tls_fallback) or insecure:
                    raise
                notes.append(f"warning: TLS certificate not valid ({failure.detail[:160]})")
                insecure = True
                seen.discard(key)  # the same hop again, unverified: not a loop
                continue
            location = exchange.headers.get("location")
            if follow_redirects and exchange.status in REDIRECT_STATUSES and location:
                if len(hops) >= settings.max_redirects:
                    raise FetchFailed(FetchError.too_many_redirects, f"more than {settings.max_redirects}")
                hops.append(Hop(str(current), exchange.status))
                try:
                    target = current.join(location)
                except (httpx.InvalidURL, UnicodeError, ValueError) as error:
                    raise FetchFailed(FetchError.protocol, f"unusable Location header {location[:200]!r}") from error
                current = self.vet(target)
                if exchange.status == 303 and method != "HEAD":
                    method, data = "GET", None
                continue
            return WebResponse(
                url=str(url),
                final_url=str(exchange.url),
                status=exchange.status,
                headers=exchange.headers,
                body=exchange.body,
                truncated=exchange.truncated,
                undecodable=exchange.undecodable,
                hops=hops,
                notes=notes,
                method=method,
            )

    async def fetch_json(
        self,
        url: str,
        *,
        pool: str | None = None,
        params: httpx.QueryParams | None = None,
        headers: Mapping[str, str] | None = None,
        max_depth: int | None = None,
        max_bytes: int | None = None,
    ) -> tuple[WebResponse, object]:
        """GET JSON: the response and its parsed body (depth-capped); raises FetchFailed (protocol) on garbage."""
        response = await self.fetch(
            url,
            pool=pool,
            params=params,
            headers={"Accept": "application/json", **(headers or {})},
            max_bytes=max_bytes or self.settings.max_bytes,
        )
        try:
            parsed = response.json(max_depth or self.settings.max_json_depth)
        except JsonDataError as error:
            raise FetchFailed(FetchError.protocol, f"HTTP {response.status}: {error}") from error
        return response, parsed

    # ------------------------------------------------------------------ what the run sent

    def requests_by_pool(self) -> dict[str, int]:
        return dict(self.sent)

    def rate_limited_by_pool(self) -> dict[str, int]:
        return {pool.name: pool.rate_limited for pool in self.pools if pool.rate_limited}


__all__ = [
    "DEFAULT_USER_AGENT",
    "NO_CONNECTION",
    "REDIRECT_STATUSES",
    "BodyLimits",
    "CappedDecoder",
    "FetchError",
    "FetchFailed",
    "Hop",
    "HostSettings",
    "PoolPolicy",
    "WebClient",
    "WebResponse",
    "WebSettings",
    "host_pool_name",
    "is_pdf",
    "is_text_type",
]
