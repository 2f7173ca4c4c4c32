"""Live link checking: fetch each cited URL through the one HTTP layer and judge it.

Two layers:

* :class:`LiveChecker` does the fetching — through the run's
  :class:`~citecheck.resolve.web.WebClient` (SSRF guard, per-host pools,
  Retry-After, caps, redirects vetted hop by hop), plus one soft-404 probe per
  host — and keeps the body of a page that is alive, because that body *is*
  the source text the claim checks read: it is never fetched twice.
* :mod:`citecheck.resolve.classify` is pure: response → status + evidence.

A verdict that rests on a missing answer (a name that did not resolve, a
connection that could not be made) is settled only at the end of the run,
from what the run proved about our own network (:mod:`.evidence`): a server
that answered is evidence whatever public DNS does, and nothing is called
dead because our own network is down.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from citecheck.models import LiveCheck, LiveStatus
from citecheck.resolve.classify import (
    HEURISTICS,
    NETWORK_UNREACHABLE,
    FetchOutcome,
    PageText,
    Verdict,
    classify_response,
    extract_page_text,
    is_site_root,
    probe_url_for,
    text_similarity,
)
from citecheck.resolve.decode import read_off_loop
from citecheck.resolve.net import HostResolutionError, Resolver, system_resolver
from citecheck.resolve.web import (
    NO_CONNECTION,
    FetchError,
    FetchFailed,
    Hop,
    WebClient,
    WebResponse,
    is_pdf,
    is_text_type,
)
from citecheck.resolve.web_settings import DEFAULT_USER_AGENT, WebSettings

if TYPE_CHECKING:
    from citecheck.resolve.live_history import LiveHistory
    from citecheck.store.db import Store

_WEB_FIELDS = frozenset(WebSettings.model_fields)


class LiveCheckConfig(BaseModel):
    """Every knob of a live-checking run: the HTTP layer's (``web``) and the checker's own.

    The HTTP settings may also be given flat (``connect_timeout=…``,
    ``max_bytes=…``), as before the HTTP layer had its own settings.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    web: WebSettings = Field(default_factory=WebSettings)
    head_first: bool = False  # HEAD, falling back to GET; GET is needed anyway to read HTML
    canary_urls: tuple[str, ...] = ("https://web.archive.org/", "https://www.wikipedia.org/")
    # Names that should resolve: asked only when an NXDOMAIN needs our DNS vouched for and
    # no other name resolved in the run.
    dns_canary_hosts: tuple[str, ...] = ("example.com", "wikipedia.org")
    soft_404_probe: bool = True
    keep_text: bool = False  # keep each page's title and text in ``page_texts``
    confirm_checks: int = 3
    confirm_days: float = 3.0
    url_deadline: float = 120.0  # one URL's whole check, retries and waits included
    accepted_statuses: frozenset[int] = frozenset()  # --accept: statuses counted alive (a 403 a site always sends)
    # A conclusive result younger than this is reused, not fetched again: an interrupted
    # run resumes without repeating finished URLs. 0 always asks the web (check --refresh).
    reuse_within_hours: float = Field(default=20.0, ge=0)
    # Offline (nothing is asked again): a stored ``unreachable`` answer is reused too, as the run that got it
    # reported it; online it is asked again. A ``not-checked`` one is never reused.
    reuse_unreachable: bool = False

    @model_validator(mode="before")
    @classmethod
    def _fold_web_fields(cls, data: Any) -> Any:
        if not isinstance(data, Mapping):
            return data
        flat = {key: value for key, value in data.items() if key in _WEB_FIELDS}
        if not flat:
            return data
        rest = {key: value for key, value in data.items() if key not in _WEB_FIELDS}
        web = rest.get("web")
        base = web.model_dump() if isinstance(web, WebSettings) else dict(web or {})
        rest["web"] = {**base, **flat}
        return rest

    # Read-through to the HTTP settings, for callers that knew them flat.
    @property
    def allow_private(self) -> bool:
        return self.web.allow_private

    @property
    def max_bytes(self) -> int:
        return self.web.max_bytes


@dataclass
class NetworkHealth:
    online: bool
    dns_ok: bool
    message: str


@dataclass
class LiveResult:
    """One URL's live check before the run's evidence settles it, and the page it read."""

    url: str
    outcome: FetchOutcome
    probe: FetchOutcome | None
    response: WebResponse | None  # the page's bytes when it is worth reading (alive, HTML or PDF)
    reused: LiveCheck | None = None  # a conclusive check from the store: nothing was fetched
    # Verdicts already reached, by what the run had proved of DNS and the network then (the
    # provisional verdict and the settled one are one classification when nothing changed).
    verdicts: dict[tuple[bool, bool], Verdict] = field(default_factory=dict, repr=False, compare=False)

    @property
    def needs_evidence(self) -> bool:
        """Whether the verdict depends on what the run proves about our own network."""
        return self.reused is None and self.outcome.error is not None and not self.outcome.connected


def outcome_from_response(url: str, response: WebResponse) -> FetchOutcome:
    """What the classifier reads from an answered fetch (page text decoded by the header charset, BOM, meta)."""
    headers = {name.lower(): value for name, value in response.headers.items()}
    outcome = FetchOutcome(
        url=url,
        final_url=response.final_url,
        status_code=response.status,
        hops=list(response.hops),
        headers=headers,
        content_type=headers.get("content-type", "").lower(),
        body_bytes=len(response.body),
        truncated=response.truncated,
        sniff=response.body[:1024],
        method=response.method,
        notes=list(response.notes),
    )
    if response.undecodable:
        outcome.notes.append(f"body not decoded (content-encoding {headers.get('content-encoding')})")
    elif response.body and is_text_type(outcome.content_type) and not is_pdf(outcome.content_type, outcome.sniff):
        outcome.page = extract_page_text(response.body, response.headers.get("content-type"))
    return outcome


def outcome_from_failure(url: str, failure: FetchFailed, method: str = "GET") -> FetchOutcome:
    return FetchOutcome(
        url=url, method=method, error=failure.error, error_detail=failure.detail, connected=failure.connected
    )


class LiveChecker:
    """Checks cited URLs; use as ``async with LiveChecker(config) as checker``.

    ``web`` is the run's HTTP layer (shared with the archives and the source
    reader); without one the checker makes its own from ``config.web``.  With
    ``store`` given, every result is recorded in the check history and
    ``dead`` results carry ``confirmed`` per the confirmation rule.
    """

    def __init__(
        self,
        config: LiveCheckConfig | None = None,
        *,
        store: Store | None = None,
        clock: Callable[[], datetime] | None = None,
        resolver: Resolver = system_resolver,
        web: WebClient | None = None,
    ) -> None:
        self.config = config or LiveCheckConfig()
        self.clock = clock or (lambda: datetime.now(UTC))
        self.network: NetworkHealth | None = None
        self.page_texts: dict[str, PageText] = {}
        self._resolver = resolver
        self._given_web = web
        self._web: WebClient | None = web
        self._probes: dict[str, asyncio.Task[FetchOutcome]] = {}
        self._evidence_lock = asyncio.Lock()
        self._canaries_asked = False
        self._history: LiveHistory | None = None
        self._reuse_skip: frozenset[LiveStatus] = frozenset()
        if store is not None:
            from citecheck.resolve.live_history import NOT_REUSABLE, NOT_REUSABLE_OFFLINE, LiveHistory

            self._reuse_skip = NOT_REUSABLE_OFFLINE if self.config.reuse_unreachable else NOT_REUSABLE
            self._history = LiveHistory(
                store,
                self.config.confirm_checks,
                self.config.confirm_days,
                fresh_for=timedelta(hours=self.config.reuse_within_hours),
            )

    # ------------------------------------------------------------------ lifecycle

    async def __aenter__(self) -> LiveChecker:
        if self._web is None:
            self._web = WebClient(self.config.web, resolver=self._resolver)
            await self._web.__aenter__()
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        for task in self._probes.values():
            task.cancel()
        if self._web is not None and self._given_web is None:
            await self._web.__aexit__(kind, value, traceback)
            self._web = None

    @property
    def web(self) -> WebClient:
        if self._web is None:
            raise RuntimeError("LiveChecker must be used as 'async with LiveChecker(...) as checker'")
        return self._web

    # ------------------------------------------------------------------ evidence about our own network

    async def _check_dns_names(self) -> None:
        """Resolve the configured check names (once), recording whether any resolves."""
        evidence = self.web.evidence
        for host in self.config.dns_canary_hosts:
            if host in evidence.checked_names:
                continue
            try:
                await asyncio.wait_for(self._resolver(host, 443), self.config.web.connect_timeout)
                evidence.checked_names[host] = True
                return
            except (HostResolutionError, TimeoutError, OSError):
                evidence.checked_names[host] = False

    async def _ask_canaries(self) -> None:
        """Fetch the canary URLs (once, until one answers): any answer proves our network reaches the web."""
        if self._canaries_asked:
            return
        self._canaries_asked = True
        for url in self.config.canary_urls:
            try:
                await self.web.fetch(url, method="GET", retries=0, max_bytes=1024)
                self.web.evidence.server_answered(f"canary {url}")
                return
            except FetchFailed:
                continue

    async def gather_evidence(self, results: Iterable[LiveResult]) -> None:
        """Ask what the run's own traffic left open: a DNS check name, a canary — only when needed."""
        pending = [result for result in results if result.needs_evidence]
        if not pending:
            return
        async with self._evidence_lock:
            evidence = self.web.evidence
            if not evidence.dns_proven and any(r.outcome.error is FetchError.nxdomain for r in pending):
                await self._check_dns_names()
            if not evidence.network_proven:
                await self._ask_canaries()

    async def network_self_check(self) -> bool:
        """Resolve a check name and reach a canary; the answer is kept in :attr:`network` (fit to print).

        Not a gate: checks run whatever it says.  It is evidence, asked for
        explicitly (the run's own traffic usually makes it unnecessary).
        """
        await self._check_dns_names()
        await self._ask_canaries()
        evidence = self.web.evidence
        dns_ok = evidence.dns_proven or not self.config.dns_canary_hosts
        online = evidence.network_proven or not self.config.canary_urls
        if online and dns_ok:
            message = f"Network reachable; {evidence.dns_summary()}."
        else:
            why = evidence.dns_summary() if not dns_ok else "no canary answered"
            message = (
                f"Network unreachable: {why}. Links that gave no answer are not-checked and none is reported "
                "dead because of it; servers that answered are judged on their answers."
            )
        self.network = NetworkHealth(online=online and dns_ok, dns_ok=dns_ok, message=message)
        return self.network.online

    # ------------------------------------------------------------------ fetching

    async def fetch(self, url: str) -> tuple[FetchOutcome, WebResponse | None]:
        """Fetch ``url`` (GET, or HEAD first when configured) and what the classifier reads of it."""
        if self.config.head_first:
            head = await self._fetch("HEAD", url)
            outcome, _ = head
            status = outcome.status_code
            if outcome.error in (FetchError.refused, FetchError.nxdomain, FetchError.invalid_url):
                return head
            if status is not None and 200 <= status < 300 and not is_text_type(outcome.content_type):
                return head  # a PDF or image: its headers are enough
            got = await self._fetch("GET", url)
            if status in {400, 403, 404, 405, 501} or outcome.error is not None:
                got[0].notes.insert(0, f"HEAD answered {status or outcome.error_detail}; GET used")
            return got
        return await self._fetch("GET", url)

    async def _fetch(self, method: str, url: str) -> tuple[FetchOutcome, WebResponse | None]:
        try:
            response = await self.web.fetch(url, method=method, tls_fallback=True)
        except FetchFailed as failure:
            return outcome_from_failure(url, failure, method), None
        outcome = await read_off_loop(len(response.body), outcome_from_response, url, response)
        return outcome, response

    async def _probe(self, url: str) -> FetchOutcome | None:
        """The host's answer for a surely-missing path, fetched once per host per run."""
        import httpx

        if not self.config.soft_404_probe:
            return None
        try:
            parsed = httpx.URL(url)
        except httpx.InvalidURL:
            return None
        key = f"{parsed.scheme}://{parsed.netloc.decode('ascii', 'replace')}"
        task = self._probes.get(key)
        if task is None:
            task = self._probes[key] = asyncio.ensure_future(self._fetch_probe(probe_url_for(url)))
        return await asyncio.shield(task)

    async def _fetch_probe(self, url: str) -> FetchOutcome:
        outcome, _response = await self._fetch("GET", url)
        return outcome

    # ------------------------------------------------------------------ checking

    def reusable(self, url: str) -> LiveCheck | None:
        """A conclusive check of ``url`` from the store, young enough to stand for this run."""
        if self._history is None or self.config.reuse_within_hours <= 0:
            return None
        return self._history.recent(url, now=self.clock(), skip=self._reuse_skip)

    async def inspect(self, url: str) -> LiveResult:
        """Fetch and judge one URL, keeping the page's bytes; the verdict is settled by :meth:`settle`."""
        reused = self.reusable(url)
        if reused is not None:
            return LiveResult(url, FetchOutcome(url=url), None, None, reused=reused)
        try:
            async with asyncio.timeout(self.config.url_deadline):
                outcome, response = await self.fetch(url)
                probe: FetchOutcome | None = None
                if (
                    outcome.error is None
                    and outcome.status_code is not None
                    and 200 <= outcome.status_code < 300
                    and not is_site_root(url)
                ):
                    probe = await self._probe(url)
        except TimeoutError:
            detail = f"the check took longer than {self.config.url_deadline:.0f} s"
            return LiveResult(url, FetchOutcome(url=url, error=FetchError.timeout, error_detail=detail), None, None)
        return LiveResult(url, outcome, probe, response)

    def verdict(self, result: LiveResult) -> Verdict:
        evidence = self.web.evidence
        key = (evidence.dns_proven, evidence.network_proven)
        found = result.verdicts.get(key)
        if found is None:
            found = result.verdicts[key] = classify_response(
                result.outcome,
                result.probe,
                dns_ok=key[0],
                network_ok=key[1],
                accepted=self.config.accepted_statuses,
            )
        return found

    def settle(self, result: LiveResult) -> LiveCheck:
        """The final :class:`LiveCheck` of one inspected URL, recorded in the history (call after the evidence)."""
        if result.reused is not None:
            return result.reused
        verdict = self.verdict(result)
        outcome = result.outcome
        if self.config.keep_text and outcome.page.text:
            self.page_texts[result.url] = outcome.page
        # ``checked_at`` is when the page was asked: an offline client sent nothing, so there is no such moment
        # (a wall-clock stamp would say "checked now" and make two offline runs over one store differ).
        asked = outcome.error is not FetchError.offline
        check = LiveCheck(
            status=verdict.status,
            http_status=outcome.status_code,
            final_url=outcome.final_url,
            checked_at=self.clock() if asked else None,
            evidence=list(verdict.evidence),
            reason=verdict.reason,
        )
        if self._history is not None and check.reason != NETWORK_UNREACHABLE and asked:
            # A check that says only "our network may be down" (or "offline") describes us, not the page.
            check = self._history.record_and_confirm(result.url, check)
        return check

    async def check_url(self, url: str) -> LiveCheck:
        """Check one URL and return its :class:`LiveCheck` (recorded in the history when a store is set)."""
        result = await self.inspect(url)
        await self.gather_evidence([result])
        return self.settle(result)

    async def check_many(self, urls: Iterable[str]) -> dict[str, LiveCheck]:
        """Check each distinct URL once, at most ``web.concurrency`` at a time; results keyed by URL."""
        unique = list(dict.fromkeys(urls))
        limit = asyncio.Semaphore(self.config.web.concurrency)

        async def bounded(url: str) -> LiveResult:
            async with limit:
                return await self.inspect(url)

        results = await asyncio.gather(*(bounded(url) for url in unique))
        await self.gather_evidence(results)
        return {result.url: self.settle(result) for result in results}


def page_worth_reading(check: LiveCheck, response: WebResponse | None) -> bool:
    """Whether a live page's bytes are a source text: the page is alive and HTML, text or PDF."""
    if response is None or check.status is not LiveStatus.alive or not response.body:
        return False
    return is_text_type(response.content_type) or is_pdf(response.content_type, response.body[:8])


__all__ = [
    "DEFAULT_USER_AGENT",
    "HEURISTICS",
    "NETWORK_UNREACHABLE",
    "NO_CONNECTION",
    "FetchError",
    "FetchOutcome",
    "Hop",
    "LiveCheckConfig",
    "LiveChecker",
    "LiveResult",
    "NetworkHealth",
    "PageText",
    "Verdict",
    "classify_response",
    "extract_page_text",
    "is_site_root",
    "outcome_from_failure",
    "outcome_from_response",
    "page_worth_reading",
    "probe_url_for",
    "text_similarity",
]
