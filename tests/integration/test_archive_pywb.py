"""Archive resolution against a real pywb on loopback, serving WARCs written by the tests."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from citecheck.checks.archive import findings_for_archive
from citecheck.dates import PartialDate
from citecheck.models import ArchiveResult, ArchiveStatus, Reference
from citecheck.resolve.archive.choose import request_for_reference
from citecheck.resolve.archive.discovery import discover_candidates, discover_for_references, learn_outlet_domains
from citecheck.resolve.archive.http_archive import HttpArchive
from citecheck.resolve.archive.models import SnapshotRequest
from citecheck.resolve.archive.resolver import ArchiveResolver
from citecheck.resolve.archive.spec import Dialect, parse_archive_spec
from citecheck.resolve.archive.wayback import parse_timemap
from citecheck.resolve.politeness import PoolPolicy
from citecheck.resolve.web import WebClient
from citecheck.store.db import Store
from tests.integration.pywb_world import (
    ACCESS,
    COLLECTION,
    SCENARIO_EXPECTATIONS,
    ArchiveWorld,
    Capture,
    Expected,
    FaultProxy,
    at,
    closed_port,
    scenario_captures,
)

pytestmark = pytest.mark.integration

SITE = "http://example.org"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ArchiveWorld]:
    with ArchiveWorld(tmp_path_factory.mktemp("pywb"), scenario_captures()) as running:
        yield running


def stated(archive_url: str) -> str:
    """The endpoint with its dialect stated: request counts below are the lookups', without the probe."""
    return f"pywb+{archive_url}"


def pywb(world: ArchiveWorld, web: WebClient) -> HttpArchive:
    return HttpArchive(parse_archive_spec(stated(world.archive_url)), web)


def reference_for(path: str, **fields: object) -> Reference:
    return Reference(id=path.strip("/") or "root", url=f"{SITE}{path}", access_date=ACCESS, **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize("expected", SCENARIO_EXPECTATIONS, ids=lambda case: case.path)
async def test_scenario_on_pywb(world: ArchiveWorld, expected: Expected) -> None:
    reference = reference_for(expected.path)
    request = request_for_reference(reference)
    assert request is not None
    async with ArchiveResolver([world.archive_url]) as resolver:
        result = await resolver.resolve(request)
    assert result.status.value == expected.status, result
    assert result.archive == world.archive_url
    if expected.snapshot_day:
        assert result.snapshot_time is not None and result.snapshot_time.date().isoformat() == expected.snapshot_day
        assert result.snapshot_status == expected.snapshot_status
        assert result.snapshot_url and result.snapshot_url.startswith(world.archive_url + "/")
    if expected.reason_contains:
        assert result.reason and expected.reason_contains in result.reason
    codes = sorted(finding.code for finding in findings_for_archive(reference, result))
    assert codes == sorted(expected.codes)


def _check_expected(world: ArchiveWorld, reference: Reference, expected: Expected, result: ArchiveResult) -> None:
    assert result.status.value == expected.status, result
    if expected.snapshot_day:
        assert result.snapshot_time is not None and result.snapshot_time.date().isoformat() == expected.snapshot_day
        assert result.snapshot_status == expected.snapshot_status
    if expected.reason_contains:
        assert result.reason and expected.reason_contains in result.reason
    assert sorted(finding.code for finding in findings_for_archive(reference, result)) == sorted(expected.codes)


@pytest.mark.parametrize("expected", SCENARIO_EXPECTATIONS, ids=lambda case: case.path)
async def test_playback_probes_alone_settle_every_scenario(world: ArchiveWorld, expected: Expected) -> None:
    reference = reference_for(expected.path)
    request = request_for_reference(reference)
    assert request is not None
    async with ArchiveResolver([stated(world.archive_url)], index_when_quicker=False) as resolver:
        result = await resolver.resolve(request)
        assert resolver.index_queries == 0  # the scarce pool was never needed
        assert resolver.requests_sent == 1 + resolver.probes_sent + _redirect_hops(expected)
        assert resolver.probes_sent <= 2
    _check_expected(world, reference, expected, result)


def _redirect_hops(expected: Expected) -> int:
    """Playback requests spent following the scenario's archived redirects."""
    return {"/old-story": 1, "/loop-a": 1}.get(expected.path, 0)


@pytest.mark.parametrize("expected", SCENARIO_EXPECTATIONS, ids=lambda case: case.path)
async def test_without_probes_the_index_gives_the_same_answers(world: ArchiveWorld, expected: Expected) -> None:
    reference = reference_for(expected.path)
    request = request_for_reference(reference)
    assert request is not None
    async with ArchiveResolver([stated(world.archive_url)], playback_probes=0, index_when_quicker=False) as resolver:
        result = await resolver.resolve(request)
        assert resolver.probes_sent == 0
    _check_expected(world, reference, expected, result)


async def test_idle_index_answers_an_error_capture_in_one_query(world: ArchiveWorld) -> None:
    request = request_for_reference(reference_for("/error-then-good"))
    assert request is not None
    async with ArchiveResolver([stated(world.archive_url)]) as resolver:  # pywb's index pool starts full
        result = await resolver.resolve(request)
        assert (resolver.index_queries, resolver.probes_sent, resolver.requests_sent) == (1, 0, 2)
    assert result.snapshot_time == at("2011-04-30T10:00:00")


async def test_probes_go_ahead_of_new_work_in_the_pool_queue(world: ArchiveWorld) -> None:
    """With a slow pool, a URL whose search has started is finished before queued new URLs start."""
    paths = ["/years"] + [f"/never-{number}" for number in range(6)]
    requests = [request for path in paths if (request := request_for_reference(reference_for(path)))]
    async with WebClient() as client:
        archive = pywb(world, client)
        client.configure_pool(archive.playback_pool, PoolPolicy(concurrency=8, per_second=20.0, burst=1))
        client.configure_pool(archive.index_pool, PoolPolicy(concurrency=1, per_second=0.01, burst=1))
        async with ArchiveResolver(backends=[archive], concurrency=8, index_when_quicker=False) as resolver:
            finished: list[str] = []

            async def resolve(request: SnapshotRequest) -> None:
                await resolver.resolve(request)
                finished.append(request.url)

            await asyncio.gather(*(resolve(request) for request in requests))
    # /years needs a second (probe) request; it jumps the queue of six first requests.
    assert finished.index(f"{SITE}/years") < 3


async def test_exact_and_nearest_cost_one_request_each(world: ArchiveWorld) -> None:
    requests = [request_for_reference(reference_for(path)) for path in ("/exact", "/nearest")]
    async with ArchiveResolver([stated(world.archive_url)]) as resolver:
        results = await resolver.resolve_many([request for request in requests if request])
        assert [result.status for result in results] == [ArchiveStatus.found] * 2
        # The cheap path: playback alone proved both captures; the index was never asked.
        assert resolver.requests_sent == 2


async def test_the_dialect_is_probed_once_and_remembered(world: ArchiveWorld, tmp_path: Path) -> None:
    """An endpoint's dialect is asked of it (one index request), kept in the store, never guessed."""
    request = request_for_reference(reference_for("/exact"))
    assert request is not None
    with Store(tmp_path / "cache.sqlite") as store:
        async with ArchiveResolver([world.archive_url], store=store) as cold:
            await cold.resolve(request)
            assert cold.requests_sent == 2  # the probe, then the one playback request
            (state,) = cold.endpoint_states()
            assert state.dialect == Dialect.pywb.value and state.reachable is True
        other = request_for_reference(reference_for("/nearest"))
        assert other is not None
        async with ArchiveResolver([world.archive_url], store=store) as warm:
            await warm.resolve(other)
            assert warm.requests_sent == 1  # no probe: the dialect came from the store


async def test_an_endpoint_ending_in_web_is_not_taken_for_the_internet_archive(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """A pywb collection named "web" is probed, found to be pywb, and gets pywb's fast limits."""
    import subprocess

    from tests.integration.pywb_world import BIN, write_warc

    root = tmp_path_factory.mktemp("pywb-web")
    capture = Capture(f"{SITE}/exact", at("2011-05-08T12:00:00"))
    warc = write_warc(root / "web.warc.gz", [capture])
    run = {"cwd": root, "check": True, "capture_output": True}
    subprocess.run([str(BIN / "wb-manager"), "init", "web"], **run)  # type: ignore[call-overload]
    subprocess.run([str(BIN / "wb-manager"), "add", "web", str(warc)], **run)  # type: ignore[call-overload]
    with ArchiveWorld(root, [capture]) as running:
        request = request_for_reference(reference_for("/exact"))
        assert request is not None
        async with ArchiveResolver([f"{running.base_url}/web"]) as resolver:
            result = await resolver.resolve(request)
            (state,) = resolver.endpoint_states()
            playback = resolver.backends[0]
            assert isinstance(playback, HttpArchive)
            rate = resolver._web.pool(playback.playback_pool).per_second if resolver._web else None
    assert result.status is ArchiveStatus.found
    assert state.dialect == Dialect.pywb.value
    assert rate is None or rate > 8.0  # not the Internet Archive's limits (pywb playback: concurrency only)


async def test_mismatched_archive_url_timestamp_is_cc303(world: ArchiveWorld) -> None:
    reference = reference_for(
        "/mismatch",
        archive_url=f"{world.archive_url}/20110508000000/{SITE}/mismatch",
        archive_url_time=at("2011-05-08T00:00:00"),
    )
    request = request_for_reference(reference)
    assert request is not None and request.target_kind == "archive"
    async with ArchiveResolver([world.archive_url]) as resolver:
        result = await resolver.resolve(request)
    assert result.status is ArchiveStatus.found
    assert result.snapshot_time == at("2012-02-01T08:30:00")
    codes = {finding.code for finding in findings_for_archive(reference, result)}
    assert "CC303" in codes


async def test_stated_archive_date_matching_the_capture_is_not_flagged(world: ArchiveWorld) -> None:
    reference = reference_for("/exact", archive_date=PartialDate(year=2011, month=5, day=8))
    request = request_for_reference(reference)
    assert request is not None
    async with ArchiveResolver([world.archive_url]) as resolver:
        result = await resolver.resolve(request)
    assert result.status is ArchiveStatus.found
    assert findings_for_archive(reference, result) == []


async def test_429_with_retry_after_pauses_then_succeeds(world: ArchiveWorld) -> None:
    with FaultProxy(world.port) as proxy:
        proxy.rate_limit_next = 1
        proxy.retry_after = "1"
        request = request_for_reference(reference_for("/exact"))
        assert request is not None
        started = time.monotonic()
        async with ArchiveResolver([stated(proxy.url(f"/{COLLECTION}"))]) as resolver:
            result = await resolver.resolve(request)
        elapsed = time.monotonic() - started
        assert result.status is ArchiveStatus.found
        assert elapsed >= 0.95  # it waited for Retry-After …
        assert proxy.requests == 2  # … and asked once more, not in a loop


async def test_persistent_429_is_not_checked_never_none(world: ArchiveWorld) -> None:
    with FaultProxy(world.port) as proxy:
        proxy.rate_limit_next = 100
        proxy.retry_after = "0"
        request = request_for_reference(reference_for("/exact"))
        assert request is not None
        async with ArchiveResolver([stated(proxy.url(f"/{COLLECTION}"))]) as resolver:
            result = await resolver.resolve(request)
        assert result.status is ArchiveStatus.not_checked
        assert result.reason and "rate limited" in result.reason
        assert proxy.requests == 3  # the first try and two polite retries


async def test_dead_archive_leaves_everything_not_checked() -> None:
    dead = f"http://127.0.0.1:{closed_port()}/{COLLECTION}"
    references = [reference_for(expected.path) for expected in SCENARIO_EXPECTATIONS]
    requests = [request for reference in references if (request := request_for_reference(reference))]
    started = time.monotonic()
    async with ArchiveResolver([dead]) as resolver:
        results = await resolver.resolve_many(requests)
    assert time.monotonic() - started < 10
    assert {result.status for result in results} == {ArchiveStatus.not_checked}
    assert all(result.reason and "unreachable" in result.reason for result in results)
    assert all(findings_for_archive(ref, result) == [] for ref, result in zip(references, results, strict=True))


async def test_second_archive_answers_when_first_is_dead(world: ArchiveWorld) -> None:
    dead = f"http://127.0.0.1:{closed_port()}/{COLLECTION}"
    request = request_for_reference(reference_for("/exact"))
    assert request is not None
    async with ArchiveResolver([dead, world.archive_url]) as resolver:
        result = await resolver.resolve(request)
    assert result.status is ArchiveStatus.found
    assert result.archive == world.archive_url


async def test_none_in_one_archive_and_unreachable_in_another_is_not_checked(world: ArchiveWorld) -> None:
    dead = f"http://127.0.0.1:{closed_port()}/{COLLECTION}"
    request = request_for_reference(reference_for("/never"))
    assert request is not None
    async with ArchiveResolver([world.archive_url, dead]) as resolver:
        result = await resolver.resolve(request)
    assert result.status is ArchiveStatus.not_checked


async def test_warm_cache_makes_no_requests(world: ArchiveWorld, tmp_path: Path) -> None:
    requests = [request_for_reference(reference_for(expected.path)) for expected in SCENARIO_EXPECTATIONS]
    batch = [request for request in requests if request]
    with Store(tmp_path / "cache.sqlite") as store:
        async with ArchiveResolver([world.archive_url], store=store) as cold:
            first = await cold.resolve_many(batch)
            assert cold.requests_sent > 0
        async with ArchiveResolver([world.archive_url], store=store) as warm:
            second = await warm.resolve_many(batch)
            assert warm.requests_sent == 0
    assert second == first


async def test_timemap_and_cdx_dialect(world: ArchiveWorld) -> None:
    async with WebClient() as client:
        archive = pywb(world, client)
        captures = await archive.captures(f"{SITE}/nearest")
        assert [capture.timestamp.date() for capture in captures] == [date(2011, 4, 20), date(2011, 6, 20)]
        assert all(capture.status == 200 for capture in captures)
        response = await client.fetch(f"{world.archive_url}/timemap/link/{SITE}/nearest")
        assert [moment.date() for _, moment in parse_timemap(response.text())] == [
            date(2011, 4, 20),
            date(2011, 6, 20),
        ]
        assert [moment.date() for _, moment in await archive.timemap(f"{SITE}/nearest")] == [
            date(2011, 4, 20),
            date(2011, 6, 20),
        ]


async def test_discovery_finds_candidates_by_title_words(world: ArchiveWorld) -> None:
    known = Reference(id="1", url="http://news.example.net/2011/01/01/other", work="The Example Net News")
    wanted = Reference(
        id="2",
        title="Ministers agree water-sharing deal",
        work="Example Net News",
        date=PartialDate(year=2011, month=5, day=6),
    )
    learned = learn_outlet_domains([known, wanted])
    async with WebClient() as client:
        candidates = await discover_candidates(pywb(world, client), wanted, learned)
    assert [candidate.url for candidate in candidates] == [
        "http://news.example.net/2011/05/07/ministers-agree-water-sharing-deal"
    ]
    assert candidates[0].score == 1.0


def _outlet_world() -> list[Capture]:
    """Captures under two outlets' domains, some slugs matching the test titles."""
    return [
        Capture("http://daily.example/2012/03/04/river-dam-plan-approved", at("2012-03-04T09:00:00")),
        Capture("http://daily.example/2012/03/04/city-council-budget", at("2012-03-04T10:00:00")),
        Capture("http://daily.example/2012/03/05/river-dam-protest-grows", at("2012-03-05T10:00:00")),
        Capture("http://daily.example/2014/01/01/river-dam-plan-approved-again", at("2014-01-01T10:00:00")),
        Capture("http://weekly.example/news/volcano-erupts-again", at("2012-03-06T10:00:00")),
    ]


@pytest.fixture(scope="module")
def outlet_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ArchiveWorld]:
    with ArchiveWorld(tmp_path_factory.mktemp("outlets"), _outlet_world()) as running:
        yield running


def _urlless(title: str, work: str, day: str) -> Reference:
    return Reference(id=title[:8], title=title, work=work, date=day)


async def test_discovery_for_references_returns_report_candidates_by_index(
    outlet_world: ArchiveWorld, tmp_path: Path
) -> None:
    references = [
        Reference(id="known", url="https://www.daily.example/2011/x", work="The Daily Example"),
        _urlless("River dam plan approved by regional board", "Daily Example", "2012-03-04"),
        _urlless("No such story anywhere", "Daily Example", "2012-03-04"),
        _urlless("Volcano erupts again", "Unknown Outlet", "2012-03-06"),  # no domain: never searched
        _urlless("River dam plan approved", "Daily Example", "2012"),  # year only: no window
        _urlless("Volcano erupts again", "Weekly Example", "2012-03-06"),
    ]
    learned = learn_outlet_domains(references)
    learned["weekly example"] = "weekly.example"
    with Store(tmp_path / "cache.sqlite") as store:
        async with ArchiveResolver([stated(outlet_world.archive_url)], store=store) as resolver:
            found = (await discover_for_references(resolver, references, learned)).candidates
            cold_requests = resolver.requests_sent
        async with ArchiveResolver([stated(outlet_world.archive_url)], store=store) as warm:
            assert (await discover_for_references(warm, references, learned)).candidates == found
            assert warm.requests_sent == 0  # cached
    assert sorted(found) == [1, 5]
    best = found[1][0]
    assert best.url == "http://daily.example/2012/03/04/river-dam-plan-approved"
    assert best.score == round(4 / 6, 3) and best.matched_words == ["river", "dam", "plan", "approved"]
    assert best.snapshot_time == at("2012-03-04T09:00:00") and best.archive == outlet_world.archive_url
    assert best.snapshot_url and best.snapshot_url.startswith(outlet_world.archive_url + "/20120304090000")
    # The 2014 story is outside the publication window.
    assert all("2014" not in candidate.url for candidate in found[1])
    assert [candidate.url for candidate in found[5]] == ["http://weekly.example/news/volcano-erupts-again"]
    assert cold_requests == 2  # one search per outlet and window: references 1 and 2 share one


async def test_discovery_stops_at_the_per_run_limit_and_counts_the_rest(outlet_world: ArchiveWorld) -> None:
    references = [
        _urlless("River dam plan approved", "Daily Example", "2012-03-04"),
        _urlless("River dam protest grows", "Daily Example", "2012-03-05"),
        _urlless("Volcano erupts again", "Weekly Example", "2012-03-06"),
    ]
    learned = {"daily example": "daily.example", "weekly example": "weekly.example"}
    async with ArchiveResolver([stated(outlet_world.archive_url)], discovery_limit=1) as resolver:
        found = (await discover_for_references(resolver, references, learned)).candidates
        assert resolver.requests_sent == 1
        assert resolver.discovery_skipped == 2
    assert list(found) == [0]
