"""Archive requests per citation, counted at the server (issue 17): never by timing.

The resolver plus the source read that follows (``read_capture``, what the
resolve stage does for a found capture) on the IA-dialect world and on a real
pywb: how many requests a citation costs, and that no capture is asked twice.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

from citecheck.models import ArchiveStatus
from citecheck.resolve.archive.http_archive import HttpArchive
from citecheck.resolve.archive.models import Memento, SnapshotRequest
from citecheck.resolve.archive.resolver import ArchiveResolver
from citecheck.resolve.archive.spec import parse_archive_spec
from citecheck.resolve.web import WebClient
from citecheck.resolve.web_settings import HostSettings, WebSettings
from tests.integration.ia_world import IaDialectArchive, LimitsProxy, PoolLimit
from tests.integration.pywb_world import COLLECTION, ArchiveWorld, Capture, FaultProxy, at

pytestmark = pytest.mark.integration

ACCESS = at("2015-06-15T12:00:00")
# The endpoint's pools paced fast (an operator's per-host rate): counts, not waits, are under test.
FAST = WebSettings(allow_private=True, hosts={"127.0.0.1": HostSettings(per_second=1000.0)})
GENEROUS = {"playback": PoolLimit(per_second=1000.0, burst=1000), "index": PoolLimit(per_second=1000.0, burst=1000)}


def request(url: str, target: object = ACCESS) -> SnapshotRequest:
    moment = target if target is not None else None
    return SnapshotRequest(url=url, target=moment, target_kind="access", access_date=ACCESS.date())  # type: ignore[arg-type]


async def resolve_and_read(resolver: ArchiveResolver, requests: list[SnapshotRequest]) -> list[tuple[str, object]]:
    """What the resolve stage does per citation: resolve, then read the chosen capture's bytes."""
    await resolver.resolve_many(requests)  # schedules the batched index queries, as the stage does
    answers: list[tuple[str, object]] = []
    for one in requests:
        result, memento = await resolver.resolve_capture(one)
        backend = resolver.backends[0]
        if result.status is ArchiveStatus.found and result.snapshot_time is not None:
            body = memento.body if isinstance(memento, Memento) else None
            if body is None:
                body = await backend.read_capture(one.url, result.snapshot_time, 1 << 20)
            answers.append((result.status.value, body.body))
        else:
            answers.append((result.status.value, None))
    return answers


async def test_redirect_first_lookups_cost_two_requests_with_the_bytes_and_no_capture_twice() -> None:
    """Hosts cited once each: no batch; the 302 then the capture (which is the source read)."""
    captures: list[Capture] = []
    requests: list[SnapshotRequest] = []
    for number in range(6):
        url = f"http://site{number}.example/story"
        captures.append(Capture(url, ACCESS - timedelta(days=3), body=f"story {number}".encode()))
        requests.append(request(url))
        # Cited again with another access date whose nearest capture is the same one.
        requests.append(request(url, ACCESS + timedelta(days=1)))
    with IaDialectArchive(captures) as archive, LimitsProxy(archive.port, GENEROUS) as proxy:
        async with (
            WebClient(FAST) as web,
            ArchiveResolver([f"ia+{proxy.url()}"], web=web) as resolver,
        ):
            answers = await resolve_and_read(resolver, requests)
    assert [status for status, _ in answers] == ["found"] * len(requests)
    assert all(body == f"story {index // 2}".encode() for index, (_, body) in enumerate(answers))
    playback = [path for pool, path, _ in proxy.hits if pool == "playback"]
    assert [path for pool, path, _ in proxy.hits if pool == "index"] == []  # no host has two URLs
    captured = Counter(path for path in archive.playback_hits if "id_/" in path and "20150612" in path)
    assert captured and max(captured.values()) == 1  # each capture fetched once, however often it was chosen
    # Per URL: one redirect-first 302 and one capture for the first citation; the second citation's
    # 302 names that capture, so it is not asked again.
    assert len(playback) <= 3 * 6


async def test_a_host_cited_often_costs_one_index_query_and_one_exact_read_per_url() -> None:
    captures: list[Capture] = []
    requests: list[SnapshotRequest] = []
    expected: list[tuple[str, bytes | None]] = []
    for number in range(10):
        url = f"http://paper.example/{number}/story"
        kind = number % 5
        if kind == 0:  # archived error nearest, a good capture before it
            captures.append(Capture(url, ACCESS - timedelta(days=1), status=404, body=b"gone"))
            captures.append(Capture(url, ACCESS - timedelta(days=40), body=b"early"))
            expected.append(("found", b"early"))
        elif kind == 1:  # only far after
            captures.append(Capture(url, ACCESS + timedelta(days=120), body=b"late"))
            expected.append(("found", b"late"))
        elif kind == 2:  # only an archived 429 (an error capture, not the archive limiting us)
            captures.append(Capture(url, ACCESS - timedelta(days=2), status=429, body=b"slow"))
            expected.append(("error-snapshot", None))
        elif kind == 3:  # never archived
            expected.append(("none", None))
        else:  # several captures at varied dates: the one just before wins
            for days in (-400, -9, -2, 30):
                captures.append(Capture(url, ACCESS + timedelta(days=days), body=f"d{days}".encode()))
            expected.append(("found", b"d-2"))
        requests.append(request(url))
    # Never archived, with a query: the archive may spell its key otherwise, so playback is asked.
    requests.append(request("http://paper.example/item?id=7&Page=2"))
    expected.append(("none", None))
    with IaDialectArchive(captures) as archive, LimitsProxy(archive.port, GENEROUS) as proxy:
        async with (
            WebClient(FAST) as web,
            ArchiveResolver([f"ia+{proxy.url()}"], web=web) as resolver,
        ):
            answers = await resolve_and_read(resolver, requests)
    assert answers == expected
    index = [path for pool, path, _ in proxy.hits if pool == "index"]
    playback = [path for pool, path, _ in proxy.hits if pool == "playback"]
    assert len(index) == 1 and "matchType=host" in index[0]
    # An exact read per found URL (no redirect: the index named the capture); nothing for the error-only
    # and never-archived URLs (a complete index answer listing no capture of a plain URL is "never").
    found = sum(status == "found" for status, _ in expected)
    assert len(playback) == len(set(playback)) == found + 1
    assert (len(index) + len(playback)) / len(requests) <= 1.0


async def test_pywb_lookups_cost_one_request_each_bytes_included(tmp_path: Path) -> None:
    captures = [Capture(f"http://example.org/{n}", ACCESS - timedelta(days=n + 1), body=b"x" * n) for n in range(6)]
    requests = [request(capture.url) for capture in captures]
    requests += [request(captures[0].url, ACCESS + timedelta(days=2))]  # the same capture again
    with ArchiveWorld(tmp_path / "pywb", captures) as world, FaultProxy(world.port) as proxy:
        async with WebClient(WebSettings(allow_private=True)) as web:
            backend = HttpArchive(parse_archive_spec(f"pywb+{proxy.url(f'/{COLLECTION}')}"), web)
            async with ArchiveResolver(backends=[backend]) as resolver:
                answers = await resolve_and_read(resolver, requests)
    assert [status for status, _ in answers] == ["found"] * len(requests)
    # One playback answer per lookup, its bytes kept for the source read (no second request for them).
    # pywb answers an inexact moment with the capture itself, so the second moment of one URL must be
    # asked (a closer capture could exist): the one case where a capture's bytes come twice.
    assert proxy.requests == len(requests)
    assert len(proxy.paths) == len(set(proxy.paths))


def varied_world() -> tuple[list[Capture], list[SnapshotRequest]]:
    """Two hosts (batched) and single-URL hosts (not): every kind of capture history on each."""
    captures: list[Capture] = []
    requests: list[SnapshotRequest] = []
    for number in range(24):
        host = "many.example" if number < 10 else ("few.example" if number < 14 else f"one{number}.example")
        url = f"http://{host}/{number}/story"
        kind = number % 6
        if kind == 0:
            captures += [Capture(url, ACCESS + timedelta(days=d), body=f"{d}".encode()) for d in (-300, -20, -3, 5, 90)]
        elif kind == 1:
            captures += [
                Capture(url, ACCESS - timedelta(days=1), status=404),
                Capture(url, ACCESS - timedelta(days=30)),
            ]
        elif kind == 2:
            captures += [
                Capture(url, ACCESS - timedelta(days=1), status=429),
                Capture(url, ACCESS + timedelta(days=40)),
            ]
        elif kind == 3:
            moved = url + "/moved"
            captures += [
                Capture(url, ACCESS - timedelta(days=2), status=301, body=b"", location=moved),
                Capture(moved, ACCESS - timedelta(days=2, hours=-1)),
            ]
        elif kind == 4:
            captures += [Capture(url, ACCESS - timedelta(days=4), status=404), Capture(url, ACCESS, status=503)]
        requests += [request(url), request(url, ACCESS + timedelta(days=60))]
    return captures, requests


async def test_batched_index_answers_choose_the_captures_playback_chooses() -> None:
    captures, requests = varied_world()
    answers = []
    for batches in (0, 30):
        with IaDialectArchive(captures) as archive, LimitsProxy(archive.port, GENEROUS) as proxy:
            async with (
                WebClient(FAST) as web,
                ArchiveResolver([f"ia+{proxy.url()}"], web=web, index_batches=batches) as resolver,
            ):
                results = await resolver.resolve_many(requests)
            index = [path for pool, path, _ in proxy.hits if pool == "index"]
        answers.append([(r.status, r.snapshot_time, r.snapshot_status, r.reason) for r in results])
        assert any("matchType=host" in path for path in index) is bool(batches)
    assert answers[0] == answers[1]
    assert {status for status, *_ in answers[1]} == {
        ArchiveStatus.found,
        ArchiveStatus.error_snapshot,
        ArchiveStatus.none,
    }
