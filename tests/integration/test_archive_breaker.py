"""An archive that refuses or fails every request is given up for the run, after a bounded number of requests.

What the real Internet Archive answers a client it blocks is a 429 without
Retry-After to every request.  Without a breaker each lookup spent its whole
deadline on pauses; with one, the endpoint is declared down once a streak of
refusals has lasted ``give_up_after``, and every pending lookup resolves at
once as not-checked, outage ``rate-limited`` — never "none".  An archive that
recovers, or that names its waits, is not given up.  Counted at the server,
no timing assertions.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest

from citecheck import AuditOptions
from citecheck.models import ArchiveStatus, EndpointOutage, LiveStatus
from citecheck.resolve.archive.ia import IA_PLAYBACK_POLICY
from citecheck.resolve.archive.models import SnapshotRequest
from citecheck.resolve.archive.resolver import ArchiveResolver
from citecheck.resolve.politeness import EndpointBreaker, Pool, PoolPolicy
from citecheck.resolve.settings import ResolveSettings
from citecheck.resolve.web import WebClient
from citecheck.resolve.web_settings import HostSettings, WebSettings
from tests.integration.ia_world import IaDialectArchive, LimitsProxy, PoolLimit, fetch_playbacks
from tests.integration.pywb_world import Capture, at
from tests.resilience.fault_cases import (
    HTML,
    article,
    audit_in_process,
    by_url,
    markdown_citing,
    site_routes,
    write_docs,
)
from tests.resilience.raw_world import Reply, raw_site, respond

pytestmark = pytest.mark.integration

ACCESS = at("2015-06-15T12:00:00")
URLS = 30


def fast(give_up_after: float = 20.0) -> WebSettings:
    """The endpoint's pools paced fast (an operator's per-host rate): the IA dialect's pauses stay as they are."""
    return WebSettings(
        allow_private=True, hosts={"127.0.0.1": HostSettings(per_second=1000.0)}, give_up_after=give_up_after
    )


def cited(count: int = URLS) -> tuple[list[Capture], list[SnapshotRequest]]:
    """One URL per host (no batched index query: every lookup asks playback itself), each captured."""
    urls = [f"http://site{number}.example/story" for number in range(count)]
    captures = [Capture(url, ACCESS - timedelta(days=3), body=b"story") for url in urls]
    requests = [
        SnapshotRequest(url=url, target=ACCESS, target_kind="access", access_date=ACCESS.date()) for url in urls
    ]
    return captures, requests


@dataclass
class RefusingFor(PoolLimit):
    """Refuses every request for ``seconds`` after the first one, then answers all."""

    seconds: float = 0.0
    began: float | None = field(default=None)

    def take(self) -> bool:
        now = time.monotonic()
        if self.began is None:
            self.began = now
        return now - self.began >= self.seconds


def blocked() -> PoolLimit:
    """A client the archive has blocked: 429 without Retry-After, to everything."""
    return RefusingFor(per_second=1.0, burst=1, send_retry_after=False, seconds=1e9)


@pytest.mark.parametrize("prefix", ["ia+", ""], ids=["stated-dialect", "probed-dialect"])
async def test_an_archive_refusing_every_request_is_given_up_after_a_bounded_number_of_requests(prefix: str) -> None:
    captures, requests = cited()
    limits = {"playback": blocked(), "index": blocked()}
    with IaDialectArchive(captures) as archive, LimitsProxy(archive.port, limits) as proxy:
        async with (
            WebClient(fast(give_up_after=2.0)) as web,
            ArchiveResolver([f"{prefix}{proxy.url()}"], web=web) as resolver,
        ):
            results = await resolver.resolve_many(requests)
            [state] = resolver.endpoint_states()
    assert archive.playback_hits == []  # nothing got past the refusals
    # Bounded whatever the number of URLs: a few refusal rounds, each at most one request per playback slot.
    assert len(proxy.hits) <= (EndpointBreaker.REFUSALS + 1) * IA_PLAYBACK_POLICY.concurrency
    assert len(proxy.hits) < len(requests)
    assert all(result.status is ArchiveStatus.not_checked for result in results)  # never "none"
    assert all(result.outage is EndpointOutage.rate_limited for result in results)
    assert all("archive unavailable: rate limited" in (result.reason or "") for result in results)
    assert state.outage is EndpointOutage.rate_limited and state.reachable
    assert "not asked again this run" in (state.detail or "")


async def test_an_archive_that_recovers_after_a_few_429s_is_not_given_up() -> None:
    """Refusing everything for its first seconds (three refusals in a row here), then answering: all found."""
    captures, requests = cited()
    limits = {
        "playback": RefusingFor(per_second=1.0, burst=1, send_retry_after=False, seconds=2.5),
        "index": RefusingFor(per_second=1.0, burst=1, send_retry_after=False, seconds=2.5),
    }
    with IaDialectArchive(captures) as archive, LimitsProxy(archive.port, limits) as proxy:
        async with WebClient(fast()) as web, ArchiveResolver([f"ia+{proxy.url()}"], web=web) as resolver:
            results = await resolver.resolve_many(requests)
            [state] = resolver.endpoint_states()
            breaker = resolver.backends[0].breaker  # type: ignore[attr-defined]
    assert len({at for _pool, at, _wait in proxy.refused}) >= 2  # refused more than once
    assert [result.status for result in results] == [ArchiveStatus.found] * len(requests)
    assert not breaker.tripped and state.outage is None


async def test_an_archive_limiting_its_rate_is_not_given_up_however_impatient_the_breaker() -> None:
    """Refusals between answers (a server enforcing half the rate assumed, no Retry-After; the pool of
    test_adaptive_rate): each answer ends the streak, so not even a breaker giving up at once trips."""
    captures = [Capture(f"http://paced.example/{n}", ACCESS + timedelta(minutes=n)) for n in range(60)]
    limits = {"playback": PoolLimit(per_second=20.0, burst=4, retry_after=None, send_retry_after=False)}
    policy = PoolPolicy(
        concurrency=4, per_second=40.0, burst=4, pause_without_retry_after=2.0, first_pause_without_retry_after=0.2
    )
    with IaDialectArchive(captures) as archive, LimitsProxy(archive.port, limits) as proxy:
        async with WebClient(WebSettings(allow_private=True)) as web:
            breaker = EndpointBreaker("paced", give_up_after=1e-6)
            breaker.watch(web.configure_pool("paced", policy))

            statuses = await fetch_playbacks(web, proxy, captures, pool="paced", retries=6)
    assert proxy.refused  # its rate was met
    assert statuses == [200] * len(captures)
    assert not breaker.tripped


async def test_an_archive_naming_its_waits_for_a_few_seconds_is_not_given_up() -> None:
    """Refusing everything for a few seconds, each 429 naming a wait: the waits are kept, nothing is given up."""
    captures, requests = cited()
    limits = {"playback": RefusingFor(per_second=1.0, burst=1, retry_after=1, seconds=2.5)}
    with IaDialectArchive(captures) as archive, LimitsProxy(archive.port, limits) as proxy:
        async with WebClient(fast()) as web, ArchiveResolver([f"ia+{proxy.url()}"], web=web) as resolver:
            results = await resolver.resolve_many(requests)
            breaker = resolver.backends[0].breaker  # type: ignore[attr-defined]
    assert len({at for _pool, at, _wait in proxy.refused}) >= 2
    assert [result.status for result in results] == [ArchiveStatus.found] * len(requests)
    assert not breaker.tripped
    assert proxy.violations() == 0  # every Retry-After honoured


async def test_an_archive_naming_a_short_wait_forever_is_given_up_as_rate_limited() -> None:
    """429 + Retry-After: 1 to everything: honoured, the rate lowered each time, then given up once the
    endpoint has granted nothing for ``give_up_after`` — not each lookup waiting out its deadline."""
    captures, requests = cited()
    refusing = RefusingFor(per_second=1.0, burst=1, retry_after=1, seconds=1e9)
    with IaDialectArchive(captures) as archive, LimitsProxy(archive.port, {"playback": refusing}) as proxy:
        async with (
            WebClient(fast(give_up_after=2.0)) as web,
            ArchiveResolver([f"ia+{proxy.url()}"], web=web) as resolver,
        ):
            results = await resolver.resolve_many(requests)
            [state] = resolver.endpoint_states()
            playback = web.pool(resolver.backends[0].playback_pool)  # type: ignore[attr-defined]
    assert archive.playback_hits == []
    assert proxy.violations() == 0  # every wait it named was kept
    assert len(proxy.hits) < len(requests)  # without the breaker: each lookup's request and its two retries
    # The operator's 1000/s lowered at each refusal it took to give up (the index was never refused).
    assert playback.per_second is not None
    assert playback.per_second <= 1000.0 * Pool.DECREASE**EndpointBreaker.REFUSALS * 1.001
    assert all(result.status is ArchiveStatus.not_checked for result in results)
    assert all(result.outage is EndpointOutage.rate_limited for result in results)
    assert state.outage is EndpointOutage.rate_limited and state.reachable
    assert "each naming a wait that was honoured" in (state.detail or "")


def slow(reply: Reply, seconds: float) -> Reply:
    def answer(connection: socket.socket) -> None:
        time.sleep(seconds)
        reply(connection)

    return answer


async def test_an_archive_failing_every_request_is_given_up_with_fewer_requests_than_lookups_need() -> None:
    """Every answer a 503 (no Memento-Datetime): the lookups not-checked, never "none", and the endpoint failing."""
    failing = slow(respond(503, b"maintenance", [HTML]), 0.05)
    with raw_site(site_routes({}, default=failing)) as site:
        requests = cited(60)[1]
        settings = fast(give_up_after=0.3).model_copy(update={"backoff_base": 0.01})
        async with (
            WebClient(settings) as web,
            ArchiveResolver([f"pywb+{site.url('/coll')}"], web=web) as resolver,
        ):
            results = await resolver.resolve_many(requests)
            [state] = resolver.endpoint_states()
    assert all(result.status is ArchiveStatus.not_checked for result in results)
    assert state.outage is EndpointOutage.failing
    given_up = [result for result in results if result.outage is EndpointOutage.failing]
    assert given_up and all("archive unavailable: failing" in (result.reason or "") for result in given_up)
    # Without the breaker every lookup sends its request and two retries.
    assert len(site.requests) < 3 * len(requests)


def server_error(number: int, _path: str) -> int:
    return (500, 502, 503)[number % 3]


async def test_a_fast_storm_of_server_errors_is_given_up_before_any_patience_runs_out() -> None:
    """Every answer an instant 5xx, in a run far shorter than ``give_up_after``: an endpoint that has not
    answered one request, failing on several URLs, is down — fewer requests than lookups, outage failing."""
    captures, requests = cited()
    with IaDialectArchive(captures, fault=server_error) as archive:
        settings = fast().model_copy(update={"backoff_base": 0.01})
        async with WebClient(settings) as web, ArchiveResolver([f"ia+{archive.base_url}"], web=web) as resolver:
            results = await resolver.resolve_many(requests)
            [state] = resolver.endpoint_states()
    assert settings.give_up_after == 20.0  # the production patience: never reached here
    assert len(archive.requests) < len(requests)  # without the breaker: three requests per lookup
    assert all(result.status is ArchiveStatus.not_checked for result in results)  # never "none"
    assert state.outage is EndpointOutage.failing
    given_up = [result for result in results if result.outage is EndpointOutage.failing]
    assert len(given_up) >= len(requests) - EndpointBreaker.URLS


def flapping(number: int, _path: str) -> int | None:
    """Every other request a 503: an archive that fails often but answers in between."""
    return 503 if number % 2 == 0 else None


async def test_a_flapping_archive_is_not_given_up_however_impatient_the_breaker() -> None:
    captures, requests = cited()
    with IaDialectArchive(captures, fault=flapping) as archive:
        settings = fast(give_up_after=0.01).model_copy(update={"backoff_base": 0.01})
        async with WebClient(settings) as web, ArchiveResolver([f"ia+{archive.base_url}"], web=web) as resolver:
            results = await resolver.resolve_many(requests)
            [state] = resolver.endpoint_states()
            breaker = resolver.backends[0].breaker  # type: ignore[attr-defined]
    assert len(archive.failed) >= len(requests) // 2  # it failed often
    assert not breaker.tripped and state.outage is None
    assert all(result.outage is None for result in results)
    # A lookup fails only when one request's three tries all failed; the rest are found.
    assert sum(result.status is ArchiveStatus.found for result in results) >= len(requests) // 2


async def test_one_url_the_archive_always_fails_never_takes_the_endpoint_down() -> None:
    """The archive fails every request about one cited URL (its playback, retries, index): that URL is
    not checked, the endpoint is not down — also when it is the only URL of the run."""
    captures, requests = cited(10)
    bad = requests[0].url

    def failing_one(_number: int, path: str) -> int | None:
        return 503 if "site0.example" in path else None

    for lookups in (requests, requests[:1]):
        with IaDialectArchive(captures, fault=failing_one) as archive:
            settings = fast(give_up_after=0.01).model_copy(update={"backoff_base": 0.01})
            async with WebClient(settings) as web, ArchiveResolver([f"ia+{archive.base_url}"], web=web) as resolver:
                results = await resolver.resolve_many(lookups)
                [state] = resolver.endpoint_states()
        assert len(archive.failed) >= 3  # the URL's request and its retries
        assert state.outage is None
        assert [result.status for result in results] == [
            ArchiveStatus.not_checked if request.url == bad else ArchiveStatus.found for request in lookups
        ]


async def test_a_healthy_but_slow_archive_is_never_given_up() -> None:
    captures, requests = cited(10)
    with IaDialectArchive(captures, delay=0.2) as archive:
        async with (
            WebClient(fast(give_up_after=0.01)) as web,
            ArchiveResolver([f"ia+{archive.base_url}"], web=web) as resolver,
        ):
            results = await resolver.resolve_many(requests)
            [state] = resolver.endpoint_states()
    assert [result.status for result in results] == [ArchiveStatus.found] * len(requests)
    assert state.outage is None


# --------------------------------------------------------------------------- the whole audit


def _giving_up_after(seconds: float) -> Callable[[AuditOptions], ResolveSettings]:
    original = ResolveSettings.from_options

    def configured(options: AuditOptions) -> ResolveSettings:
        settings = original(options)
        return replace(settings, web=settings.web.model_copy(update={"give_up_after": seconds}))

    return configured


@pytest.fixture
def quick_breaker() -> Iterator[None]:
    with mock.patch.object(ResolveSettings, "from_options", staticmethod(_giving_up_after(2.0))):
        yield


@pytest.mark.usefixtures("quick_breaker")
def test_an_audit_against_an_archive_refusing_us_says_so_once_and_checks_the_live_web(tmp_path: Path) -> None:
    """Production settings but the breaker's patience: live checks as usual, every lookup rate limited, exit 0."""
    pages = {"/": respond(200, article("Home"), [HTML])}
    pages |= {f"/ok/{number}": respond(200, article(f"Story number {number}"), [HTML]) for number in range(URLS)}
    refusing = respond(429, b"Too Many Requests", [HTML])
    with raw_site(site_routes(pages)) as site, raw_site(site_routes({}, default=refusing)) as archive:
        urls = [site.url(f"/ok/{number}") for number in range(URLS)]
        docs = write_docs(tmp_path / "docs", {"a.md": markdown_citing(urls)})
        outcome, result = audit_in_process(
            "archive-refusing-us", docs, tmp_path, canary=site.url("/"), archives=[archive.base], deadline=120
        )
    assert not outcome.failures, outcome.failures
    assert outcome.exit_code == 0  # an archive refusing us is no finding (CONTRACT: never a reason for 1, 2 or 4)
    assert len(archive.requests) <= 2 * EndpointBreaker.REFUSALS  # the dialect probe, refused: no lookup went out
    found = by_url(result)
    assert sorted(found) == sorted(urls)
    assert all(reference.live.status is LiveStatus.alive for reference in found.values())
    assert all(reference.archive.status is ArchiveStatus.not_checked for reference in found.values())
    assert all(reference.archive.outage is EndpointOutage.rate_limited for reference in found.values())
    assert result is not None
    assert len(result.reports) == 1
    report = result.reports[0]
    message = report.network.message
    assert message.count("refusing us") == 1 and "audit again later" in message and "--archive" in message
    [endpoint] = [state for state in report.network.endpoints if state.outage is not None]
    assert endpoint.outage is EndpointOutage.rate_limited
    # The Markdown report says it once, in its network line.
    markdown = next((tmp_path / "reports").glob("a*.md")).read_text(encoding="utf-8")
    assert markdown.count("refusing us") == 1
