"""The live checker against real HTTP servers on loopback addresses (see web_world.py)."""

from __future__ import annotations

import asyncio
import resource
import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from citecheck.checks.live import findings_for_live
from citecheck.models import LiveCheck, LiveStatus, Reference, Severity
from citecheck.resolve import web as web_layer
from citecheck.resolve.live import NETWORK_UNREACHABLE, LiveCheckConfig, LiveChecker
from citecheck.store.db import Store
from tests.integration.web_world import (
    Case,
    WebWorld,
    closed_port_url,
    html,
    redirect,
    standard_cases,
    standard_world,
)

pytestmark = pytest.mark.integration

CAP = 256 * 1024
# Every body decoder the standard set used: how much each read and kept, whatever the machine's load.
_DECODERS: list[web_layer.CappedDecoder] = []


def fast_config(world: WebWorld, **changes: object) -> LiveCheckConfig:
    settings: dict[str, object] = {
        "connect_timeout": 0.5,
        "read_timeout": 0.5,
        "request_deadline": 5.0,
        "backoff_base": 0.05,
        "retry_after_cap": 3.0,
        "max_bytes": CAP,
        "allow_private": True,
        "dns_canary_hosts": ("localhost",),
    }
    if "canary_urls" not in changes:
        settings["canary_urls"] = (world.url("news", "/"),)
    settings.update(changes)
    return LiveCheckConfig.model_validate(settings)


@pytest.fixture(scope="module")
def world() -> Iterator[WebWorld]:
    web = standard_world()
    web.start()
    try:
        yield web
    finally:
        web.stop()


@pytest.fixture(scope="module")
def standard_results(world: WebWorld) -> tuple[dict[str, LiveCheck], float, int]:
    """One check_many over every standard case: verdicts, wall time, peak-RSS growth in KiB."""
    cases = standard_cases(world)

    async def run() -> dict[str, LiveCheck]:
        async with LiveChecker(fast_config(world)) as checker:
            return await checker.check_many(case.url for case in cases)

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    real_init = web_layer.CappedDecoder.__init__

    def recording_init(self: web_layer.CappedDecoder, *args: object, **kwargs: object) -> None:
        real_init(self, *args, **kwargs)  # type: ignore[arg-type]
        _DECODERS.append(self)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(web_layer.CappedDecoder, "__init__", recording_init)
        results = asyncio.run(run())
    elapsed = time.monotonic() - started
    rss_growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before
    return results, elapsed, rss_growth


def _case_ids() -> list[str]:
    return [case.category for case in standard_cases(_UNSTARTED_WORLD)]


# Case categories only (URLs are not needed to name the parameters).
_UNSTARTED_WORLD = standard_world()


@pytest.mark.parametrize("category", _case_ids())
def test_each_case_gets_the_careful_verdict(
    category: str, world: WebWorld, standard_results: tuple[dict[str, LiveCheck], float, int]
) -> None:
    results = standard_results[0]
    case: Case = next(c for c in standard_cases(world) if c.category == category)
    check = results[case.url]
    assert check.status is case.expected, (category, check.status, check.evidence)
    assert check.checked_at is not None
    assert check.evidence, "every verdict keeps its evidence"


def test_no_link_is_called_dead_for_an_inconclusive_reason(
    standard_results: tuple[dict[str, LiveCheck], float, int], world: WebWorld
) -> None:
    results = standard_results[0]
    by_category = {case.category: results[case.url] for case in standard_cases(world)}
    for category in ("503 always", "slow (timeout)", "connection reset", "403 bot wall", "401 login"):
        assert by_category[category].status is not LiveStatus.dead


def test_details_of_redirects_and_moves(
    standard_results: tuple[dict[str, LiveCheck], float, int], world: WebWorld
) -> None:
    results = standard_results[0]
    moved = results[world.url("news", "/moved-away")]
    assert moved.final_url == world.url("newhome", "/news/harvest-2011")
    chain = results[world.url("news", "/chain/1")]
    assert chain.final_url == world.url("news", "/articles/harvest-2011")
    assert any("redirect chain" in item and item.count("→") == 3 for item in chain.evidence)
    loop = results[world.url("news", "/loop/a")]
    assert any("redirect loop" in item for item in loop.evidence)
    home = results[world.url("news", "/articles/retired")]
    assert home.final_url == world.url("news", "/")


def test_caps_bound_reading_and_memory(
    standard_results: tuple[dict[str, LiveCheck], float, int], world: WebWorld
) -> None:
    results, _elapsed, rss_growth_kib = standard_results
    for path in ("/huge", "/bomb"):
        assert any("truncated" in item for item in results[world.url("news", path)].evidence), path
    # The bomb decompresses to 128 MiB; reading it whole would grow the process far beyond this.
    assert rss_growth_kib < 64 * 1024


def test_pdf_and_suspicious_pdf(standard_results: tuple[dict[str, LiveCheck], float, int], world: WebWorld) -> None:
    results = standard_results[0]
    real = results[world.url("news", "/papers/study.pdf")]
    assert not any("suspicious" in item for item in real.evidence)
    fake = results[world.url("news", "/papers/moved.pdf")]
    assert fake.status is LiveStatus.alive
    assert any("PDF URL answers an HTML page" in item for item in fake.evidence)


def test_tls_problem_is_a_warning_not_a_death(
    standard_results: tuple[dict[str, LiveCheck], float, int], world: WebWorld
) -> None:
    check = standard_results[0][world.url("selfsigned", "/report")]
    assert check.status is LiveStatus.alive
    assert any("TLS certificate not valid" in item for item in check.evidence)


def test_retry_after_is_honoured_per_host(
    standard_results: tuple[dict[str, LiveCheck], float, int], world: WebWorld
) -> None:
    seen = world.seen("news", "/rate-limited")
    assert len(seen) == 2
    assert seen[1].at - seen[0].at >= 0.95  # Retry-After: 1


def test_reading_stops_at_the_caps(standard_results: tuple[dict[str, LiveCheck], float, int]) -> None:
    """Bounded in bytes, not seconds (a loaded machine must not fail it): no body kept beyond the cap, and the
    gzip bomb (128 MiB of zeros, ~128 KiB on the wire) stopped after a sliver of its compressed bytes."""
    assert _DECODERS
    assert max(len(decoder.output) for decoder in _DECODERS) <= CAP
    bombs = [decoder for decoder in _DECODERS if decoder._gzip and decoder.truncated]
    assert bombs, "the bomb was read"
    # Stopped within the first network read (httpcore reads at most 64 KiB at a time; one read of exactly
    # 64 KiB happens on a quiet machine), i.e. before half of the ~128 KiB bomb was taken off the wire.
    assert all(decoder.raw_read <= 64 * 1024 for decoder in bombs), [decoder.raw_read for decoder in bombs]


async def test_head_first_falls_back_to_get(world: WebWorld) -> None:
    async with LiveChecker(fast_config(world, head_first=True)) as checker:
        check = await checker.check_url(world.url("news", "/head-refused?mode=head-first"))
    assert check.status is LiveStatus.alive
    methods = [r.method for r in world.seen("news", "/head-refused?mode=head-first")]
    assert methods[:2] == ["HEAD", "GET"]
    assert any("HEAD answered 405" in item for item in check.evidence)


async def test_head_first_does_not_download_a_pdf(world: WebWorld) -> None:
    async with LiveChecker(fast_config(world, head_first=True)) as checker:
        check = await checker.check_url(world.url("news", "/papers/study.pdf?mode=head-first"))
    assert check.status is LiveStatus.alive
    assert [r.method for r in world.seen("news", "/papers/study.pdf?mode=head-first")] == ["HEAD"]


async def test_soft_404_probe_runs_once_per_host(world: WebWorld) -> None:
    urls = [world.url("catchall", f"/stories/probe-count-{n}") for n in range(5)]
    before = len(world.seen("catchall"))
    async with LiveChecker(fast_config(world)) as checker:
        results = await checker.check_many(urls)
    assert all(check.status is LiveStatus.soft_404 for check in results.values())
    assert len(world.seen("catchall")) - before == len(urls) + 1


async def test_site_root_never_counts_as_soft_404(world: WebWorld) -> None:
    async with LiveChecker(fast_config(world)) as checker:
        check = await checker.check_url(world.url("catchall", "/"))
    assert check.status is LiveStatus.alive


async def test_per_host_concurrency_is_respected() -> None:
    world = WebWorld()
    site = world.add_site("slowish", "127.0.0.8")
    active = 0
    peak = 0

    def counting(_request: object) -> object:
        nonlocal active, peak
        active += 1
        peak = max(peak, active)
        time.sleep(0.1)
        active -= 1
        return html("Story", "<p>story text here</p>")

    site.fallback = counting  # type: ignore[assignment]
    world.start()
    try:
        config = fast_config(world, canary_urls=(), per_host_concurrency=2, soft_404_probe=False)
        async with LiveChecker(config) as checker:
            await checker.check_many(world.url("slowish", f"/s/{n}") for n in range(8))
    finally:
        world.stop()
    assert peak <= 2


async def test_network_down_reports_nothing_dead(world: WebWorld) -> None:
    """No server answers, no name resolves: nothing is dead, everything is not-checked for that reason."""
    config = fast_config(world, canary_urls=(closed_port_url(),), dns_canary_hosts=("canary-check.invalid",))
    urls = [closed_port_url("127.0.0.31") + "story", "http://gone-newspaper.invalid/2011/story"]
    async with LiveChecker(config) as checker:
        results = await checker.check_many(urls)
        online = await checker.network_self_check()
        assert checker.network is not None
        message = checker.network.message
    assert online is False
    assert "Network unreachable" in message and "none is reported dead" in message
    assert {check.status for check in results.values()} == {LiveStatus.not_checked}
    assert all(check.reason == NETWORK_UNREACHABLE for check in results.values())


async def test_servers_that_answer_are_judged_whatever_dns_and_canaries_do(
    world: WebWorld, standard_results: tuple[dict[str, LiveCheck], float, int]
) -> None:
    """A failing canary and failing DNS checks change nothing for a server that answered (issue 13)."""
    config = fast_config(world, canary_urls=(closed_port_url(),), dns_canary_hosts=("canary-check.invalid",))
    answered = [
        case
        for case in standard_cases(world)
        if case.category in ("200", "404", "410", "soft-404 page", "soft-404 catch-all", "parked", "redirect to home")
    ]
    async with LiveChecker(config) as checker:
        results = await checker.check_many(case.url for case in answered)
    for case in answered:
        assert results[case.url].status is case.expected, case.category
        assert results[case.url].status is standard_results[0][case.url].status


async def test_nxdomain_without_dns_proof_is_not_dead(world: WebWorld) -> None:
    """An IP-literal web answered, but our resolver resolved no name: NXDOMAIN proves nothing."""
    config = fast_config(world, dns_canary_hosts=("canary-check.invalid",))
    async with LiveChecker(config) as checker:
        check = await checker.check_url("http://gone-newspaper.invalid/story")
        await checker.network_self_check()
        assert checker.network is not None
        assert "DNS resolved no name" in checker.network.message
    assert check.status is LiveStatus.unreachable and check.reason == "DNS unverified"


async def test_nxdomain_is_dead_when_another_cited_name_resolved(world: WebWorld) -> None:
    """The same resolver resolving another cited host is the proof DNS works: no canary needed."""
    news = world.sites["news"]

    async def resolver(host: str, port: int) -> list[str]:
        if host == "news.example.test":
            return [news.address]
        from citecheck.resolve.net import HostResolutionError

        raise HostResolutionError(host, nxdomain=True, detail="NXDOMAIN")

    config = fast_config(world, canary_urls=(), dns_canary_hosts=())
    alive = f"http://news.example.test:{news.port}/articles/harvest-2011"
    async with LiveChecker(config, resolver=resolver) as checker:
        results = await checker.check_many([alive, "http://gone-newspaper.example.test/story"])
    assert results[alive].status is LiveStatus.alive
    assert results["http://gone-newspaper.example.test/story"].status is LiveStatus.dead


async def test_retry_after_beyond_cap_is_not_waited_for() -> None:
    world = WebWorld()
    site = world.add_site("limited", "127.0.0.10")
    site.fallback = lambda _r: html("Too many", "<p>slow down</p>", status=429, headers=[("Retry-After", "3600")])
    world.start()
    try:
        config = fast_config(world, canary_urls=(), per_host_concurrency=1)
        async with LiveChecker(config) as checker:
            started = time.monotonic()
            results = await checker.check_many([world.url("limited", "/a"), world.url("limited", "/b")])
            elapsed = time.monotonic() - started
    finally:
        world.stop()
    assert elapsed < 2
    # A wait longer than we wait says nothing about the page: not-checked, "rate limited for 1 h" (issue 16).
    assert {check.status for check in results.values()} == {LiveStatus.not_checked}
    # The second URL is not even requested once the host asked for an hour's pause.
    assert len(world.seen("limited")) == 1
    assert all(check.reason and "rate limited for 1 h" in check.reason for check in results.values())


async def test_confirmation_over_days_with_the_store(world: WebWorld, tmp_path: Path) -> None:
    url = world.url("news", "/articles/never-existed")
    start = datetime(2024, 1, 1, tzinfo=UTC)
    days = iter([start, start + timedelta(days=1), start + timedelta(days=4)])
    statuses: list[tuple[bool, Severity]] = []
    with Store(tmp_path / "cache.sqlite") as store:
        for moment in days:
            async with LiveChecker(fast_config(world), store=store, clock=lambda m=moment: m) as checker:
                check = await checker.check_url(url)
            assert check.status is LiveStatus.dead
            finding = findings_for_live(Reference(id="1", url=url, live=check))[0]
            statuses.append((check.confirmed, finding.severity))
    assert statuses == [(False, Severity.warning), (False, Severity.warning), (True, Severity.error)]


async def test_loopback_address_is_distinct_host_in_world(world: WebWorld) -> None:
    # Guard against a test web that silently collapsed onto one address.
    addresses = {site.address for site in world.sites.values()}
    assert len(addresses) == len(world.sites)
    for address in addresses:
        socket.inet_aton(address)


async def test_redirect_to_another_host_is_followed_and_vetted() -> None:
    world = WebWorld()
    origin = world.add_site("origin", "127.0.0.11")
    target = world.add_site("target", "127.0.0.12")
    origin.route("/x", lambda _r: redirect(world.url("target", "/y"), status=301))
    target.route("/y", html("Target story", "<p>the story moved here</p>"))
    world.start()
    try:
        async with LiveChecker(fast_config(world, canary_urls=())) as checker:
            allowed = await checker.check_url(world.url("origin", "/x"))
        config = fast_config(world, canary_urls=(), allow_private=False, trusted_networks=("127.0.0.11/32",))
        async with LiveChecker(config) as checker:
            refused = await checker.check_url(world.url("origin", "/x"))
    finally:
        world.stop()
    assert allowed.status is LiveStatus.alive and allowed.final_url == world.url("target", "/y")
    assert refused.status is LiveStatus.not_checked
    assert refused.reason is not None and "127.0.0.12" in refused.reason
    assert world.seen("target", "/y") and len(world.seen("target", "/y")) == 1
