"""HTTP for the API clients (MediaWiki, DOI handles, Crossref) and for pages given to ``audit``.

The clients never hold an HTTP library of their own: they call an
:class:`HttpGet` — ``await http(url, params=..., headers=..., max_bytes=...)``
returning an :class:`HttpAnswer` — so tests point them at loopback servers
and the run can hand them whichever guarded client it owns.
:class:`GuardedHttp` is that callable over the run's one HTTP layer,
:class:`~citecheck.resolve.web.WebClient`: every hop of a redirect chain is
vetted (scheme, credentials, the resolved address), bodies are read under a
byte cap (decoded bytes too) and a deadline, and the content type is the
caller's to sniff.

:class:`PoliteEndpoint` wraps an :class:`HttpGet` with one API's etiquette:
how many requests may run at once (1 for a wiki: serial), a token bucket
(Crossref tells its rate in ``X-Rate-Limit-*`` headers), and waiting out
``429``/``503`` for as long as ``Retry-After`` asks — within a cap, past
which the answer is simply inconclusive.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from importlib.metadata import PackageNotFoundError, version
from types import TracebackType
from typing import Any, Protocol

from citecheck.resolve.net import IPNetwork, Resolver, parse_retry_after, system_resolver
from citecheck.resolve.politeness import PoolLimits, TokenBucket
from citecheck.resolve.web import FetchError, FetchFailed, WebClient
from citecheck.resolve.web_settings import WebSettings

DEFAULT_MAX_BYTES = 16 * 1024 * 1024
PROJECT_URL = "https://github.com/citecheck/citecheck"


def user_agent(contact: str | None) -> str:
    """A descriptive User-Agent with a way to reach the operator (Wikimedia's User-Agent policy).

    ``<client>/<version> (<contact>) <library>/<version>``; without a contact
    of the user's own, the project's address is the contact.
    """
    import httpx

    try:
        own = version("citecheck")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree without metadata
        own = "0"
    reach = f"{contact}; {PROJECT_URL}" if contact else PROJECT_URL
    return f"citecheck/{own} ({reach}) httpx/{httpx.__version__}"


class FailureKind(StrEnum):
    refused = "refused"  # the SSRF guard: a scheme, credentials or an address that may not be fetched
    unresolved = "unresolved"  # the host name did not resolve
    timeout = "timeout"
    connection = "connection"  # refused, reset, TLS, protocol errors
    redirects = "redirects"  # too many redirects


class TransportFailure(Exception):
    """The request got no HTTP answer; ``kind`` says why (only ``refused`` is about the URL itself)."""

    def __init__(self, kind: FailureKind, detail: str) -> None:
        super().__init__(f"{kind.value}: {detail}" if detail else kind.value)
        self.kind = kind
        self.detail = detail


class MalformedAnswer(Exception):
    """An API answered something that is not what it documents (not JSON, wrong shape)."""


@dataclass(frozen=True)
class HttpAnswer:
    """One HTTP answer, read whole (or up to the cap)."""

    status: int
    url: str  # the final URL, after redirects
    headers: Mapping[str, str]  # names lower-cased
    body: bytes
    truncated: bool = False  # the body was longer than the cap and was cut
    redirects: tuple[str, ...] = ()  # the URLs that redirected, in order

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    @property
    def content_type(self) -> str:
        """The media type without parameters, lower-cased ('' when the server named none)."""
        return (self.header("content-type") or "").split(";", 1)[0].strip().lower()

    @property
    def charset(self) -> str | None:
        for part in (self.header("content-type") or "").split(";")[1:]:
            name, _, value = part.strip().partition("=")
            if name.lower() == "charset" and value:
                return value.strip("\"' ")
        return None

    def json(self) -> Any:
        """The body as JSON; :class:`MalformedAnswer` when it is not."""
        if self.truncated:
            raise MalformedAnswer(f"answer longer than {len(self.body)} bytes was cut")
        try:
            return json.loads(self.body.decode(self.charset or "utf-8"))
        except (UnicodeDecodeError, LookupError, ValueError) as error:
            head = self.body[:60].decode("utf-8", "replace").replace("\n", " ")
            raise MalformedAnswer(f"not JSON ({type(error).__name__}): {head!r}") from None

    def json_object(self) -> dict[str, Any]:
        data = self.json()
        if not isinstance(data, dict):
            raise MalformedAnswer(f"expected a JSON object, got {type(data).__name__}")
        return data


class HttpGet(Protocol):
    """What every API client calls to send one GET."""

    def __call__(
        self,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> Awaitable[HttpAnswer]: ...


_FAILURE_KINDS = {
    FetchError.refused: FailureKind.refused,
    FetchError.invalid_url: FailureKind.refused,
    FetchError.nxdomain: FailureKind.unresolved,
    FetchError.dns_failure: FailureKind.unresolved,
    FetchError.timeout: FailureKind.timeout,
    FetchError.too_many_redirects: FailureKind.redirects,
    FetchError.redirect_loop: FailureKind.redirects,
}


class GuardedHttp:
    """:class:`HttpGet` over the one HTTP layer (:class:`~citecheck.resolve.web.WebClient`).

    Either give it the run's client (``GuardedHttp(web=session.web)``: shared
    pools, evidence, caps) or let it make its own from the keyword settings.
    ``requests`` counts every request sent, redirect hops included.  Use as
    ``async with GuardedHttp(...) as http``.
    """

    def __init__(
        self,
        *,
        allow_private: bool = False,
        agent: str | None = None,
        trusted_networks: Iterable[IPNetwork] = (),
        resolver: Resolver = system_resolver,
        timeout: float = 30.0,
        max_redirects: int = 10,
        web: WebClient | None = None,
    ) -> None:
        self._own = web is None
        # On a shared client (the run's), the API etiquette's own User-Agent is sent with each request.
        self._agent = agent if web is not None else None
        self.web = web or WebClient(
            WebSettings(
                allow_private=allow_private,
                user_agent=agent or user_agent(None),
                trusted_networks=tuple(str(network) for network in trusted_networks),
                read_timeout=timeout,
                connect_timeout=min(timeout, 10.0),
                request_deadline=max(timeout * 1.5, timeout + 1.0),
                max_redirects=max_redirects,
                retries=0,  # the API clients wait out 429/503 themselves (PoliteEndpoint)
            ),
            resolver=resolver,
        )
        self._sent_before = sum(self.web.sent.values())
        self._entered = False

    @property
    def requests(self) -> int:
        return sum(self.web.sent.values()) - self._sent_before

    async def __aenter__(self) -> GuardedHttp:
        if self._own and not self._entered:
            await self.web.__aenter__()
            self._entered = True
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._own and self._entered:
            await self.web.__aexit__(None, None, None)
            self._entered = False

    async def __call__(
        self,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> HttpAnswer:
        import httpx

        if self._own and not self._entered:
            await self.__aenter__()
        if self._agent is not None:
            headers = {"User-Agent": self._agent, **(headers or {})}
        try:
            response = await self.web.fetch(
                url,
                params=httpx.QueryParams(dict(params)) if params else None,
                headers=headers,
                max_bytes=max_bytes,
                retries=0,
            )
        except FetchFailed as failure:
            kind = _FAILURE_KINDS.get(failure.error, FailureKind.connection)
            raise TransportFailure(kind, failure.detail) from None
        return HttpAnswer(
            status=response.status,
            url=response.final_url,
            headers={name.lower(): value for name, value in response.headers.items()},
            body=response.body,
            truncated=response.truncated,
            redirects=tuple(hop.url for hop in response.hops),
        )


# (answer, attempt) -> seconds to wait before asking again, or None: the answer stands.
RetryRule = Callable[[HttpAnswer, int], float | None]


def retry_after_rule(backoff: float = 1.0) -> RetryRule:
    """429 and 503 are asked again after ``Retry-After`` (or an exponential backoff)."""

    def rule(answer: HttpAnswer, attempt: int) -> float | None:
        if answer.status not in (429, 503):
            return None
        asked = parse_retry_after(answer.header("retry-after"))
        return asked if asked is not None else backoff * 2**attempt

    return rule


@dataclass
class Politeness:
    """One API's etiquette."""

    concurrency: int = 1  # requests in flight at once (1: serial, as Wikimedia asks)
    per_second: float | None = None  # a token bucket; None: no rate beyond the concurrency
    retries: int = 2  # extra attempts after an answer the retry rule says to wait out
    max_pause: float = 30.0  # a longer wait is not waited: the answer stands (inconclusive)
    retry: RetryRule = field(default_factory=retry_after_rule)


class PoliteEndpoint:
    """Requests to one API, sent with its :class:`Politeness`; ``requests`` counts what was sent."""

    def __init__(
        self,
        name: str,
        http: HttpGet,
        politeness: Politeness | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        on_answer: Callable[[PoliteEndpoint, HttpAnswer], None] | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self.politeness = politeness or Politeness()
        self._http = http
        self._headers = dict(headers or {})
        self._on_answer = on_answer
        self._sleep = sleep
        self._gate = asyncio.Semaphore(max(1, self.politeness.concurrency))
        rate = self.politeness.per_second
        self.bucket = TokenBucket(PoolLimits(rate, burst=max(1, int(rate))), clock) if rate else None
        self.requests = 0
        self.waited = 0.0  # seconds spent waiting out Retry-After and backoffs

    def set_rate(self, per_second: float) -> None:
        """Follow a rate the API announced (Crossref's ``X-Rate-Limit-*``)."""
        if per_second <= 0:
            return
        limits = PoolLimits(per_second, burst=max(1, int(per_second)))
        if self.bucket is None:
            self.bucket = TokenBucket(limits)
        else:
            self.bucket.limits = limits

    async def get(
        self,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> HttpAnswer:
        """Send one GET, waiting out what the API asks; raises :class:`TransportFailure` when nothing answered."""
        merged = {**self._headers, **(headers or {})}
        async with self._gate:
            attempt = 0
            while True:
                if self.bucket is not None:
                    await self.bucket.acquire()
                self.requests += 1
                answer = await self._http(url, params=params, headers=merged, max_bytes=max_bytes)
                if self._on_answer is not None:
                    self._on_answer(self, answer)
                pause = self.politeness.retry(answer, attempt)
                if pause is None or attempt >= self.politeness.retries or pause > self.politeness.max_pause:
                    return answer
                self.waited += pause
                if self.bucket is not None:
                    self.bucket.pause(pause)  # every request to this API waits, not only this one
                else:
                    await self._sleep(pause)
                attempt += 1
