"""Archive resolution against a real pywb on loopback, serving WARCs written by the tests."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from citecheck.checks.archive import findings_for_archive
from citecheck.dates import PartialDate
from citecheck.models import ArchiveStatus, Reference
from citecheck.resolve.archive import ArchiveResolver, request_for_reference
from citecheck.resolve.archive.discovery import discover_candidates, learn_outlet_domains
from citecheck.resolve.archive.pywb import PywbArchive
from citecheck.resolve.archive.wayback import parse_timemap
from citecheck.store.db import Store
from tests.integration.pywb_world import (
    ACCESS,
    COLLECTION,
    SCENARIO_EXPECTATIONS,
    ArchiveWorld,
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


async def test_exact_and_nearest_cost_one_request_each(world: ArchiveWorld) -> None:
    requests = [request_for_reference(reference_for(path)) for path in ("/exact", "/nearest")]
    async with ArchiveResolver([world.archive_url]) as resolver:
        results = await resolver.resolve_many([request for request in requests if request])
        assert [result.status for result in results] == [ArchiveStatus.found] * 2
        # The cheap path: playback alone proved both captures; the index was never asked.
        assert resolver.requests_sent == 2


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
        async with ArchiveResolver([proxy.url(f"/{COLLECTION}")]) as resolver:
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
        async with ArchiveResolver([proxy.url(f"/{COLLECTION}")]) as resolver:
            result = await resolver.resolve(request)
        assert result.status is ArchiveStatus.not_checked
        assert result.reason and "rate limited" in result.reason
        assert proxy.requests == 4  # the first try and three polite retries


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
    import httpx

    async with httpx.AsyncClient() as client:
        archive = PywbArchive(client, world.base_url, COLLECTION)
        captures = await archive.captures(f"{SITE}/nearest")
        assert [capture.timestamp.date() for capture in captures] == [date(2011, 4, 20), date(2011, 6, 20)]
        assert all(capture.status == 200 for capture in captures)
        response = await client.get(f"{world.archive_url}/timemap/link/{SITE}/nearest")
        assert [moment.date() for _, moment in parse_timemap(response.text)] == [date(2011, 4, 20), date(2011, 6, 20)]
        assert [moment.date() for _, moment in await archive.timemap(f"{SITE}/nearest")] == [
            date(2011, 4, 20),
            date(2011, 6, 20),
        ]


async def test_discovery_finds_candidates_by_title_words(world: ArchiveWorld) -> None:
    import httpx

    known = Reference(id="1", url="http://news.example.net/2011/01/01/other", work="The Example Net News")
    wanted = Reference(
        id="2",
        title="Ministers agree water-sharing deal",
        work="Example Net News",
        date=PartialDate(year=2011, month=5, day=6),
    )
    learned = learn_outlet_domains([known, wanted])
    async with httpx.AsyncClient() as client:
        archive = PywbArchive(client, world.base_url, COLLECTION)
        candidates = await discover_candidates(archive, wanted, learned)
    assert [candidate.url for candidate in candidates] == [
        "http://news.example.net/2011/05/07/ministers-agree-water-sharing-deal"
    ]
    assert candidates[0].score == 1.0
