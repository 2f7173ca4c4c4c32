"""Archive resolution benchmark: citecheck against waybackpy and EDGI's ``wayback``, each as its users write it.

The world (built here, every figure checked against it):

* an archive answering in the Internet Archive's dialect (``tests/integration/ia_world.py``):
  redirect-first playback at inexact moments, ``Memento-Datetime`` and ``Link`` headers at exact
  ones, archived errors (404, 429, 503 *with* ``Memento-Datetime``) and historical redirects
  keeping their status, a CDX index (JSON and plain lines, ``matchType``, filters, ``sort=closest``);
* several captures per URL at varied dates; URLs on hosts cited many times, a few times and once;
  some URLs cited twice with access dates months apart;
* a proxy in front that **enforces** per-pool limits by answering 429 (Retry-After: the seconds until
  its bucket holds a token again), with +``--delay`` per answer; it listens on port 80 of a loopback
  address, and ``web.archive.org`` resolves there through a loopback DNS stub (citecheck's resolver
  hook; ``socket.getaddrinfo`` for the two baselines, which use ``requests``) — every other name fails.

Each contender resolves every citation to a capture **and reads the chosen capture's bytes** (the
source text the claim checks need).  Scored: the capture chosen against the expected one (the closest
good capture before the target, else the closest after; an archived redirect followed to its target;
"no good capture" for URLs whose captures are all errors or that were never archived).

Contenders, all through the same proxy at the same limits:

* citecheck (``ArchiveResolver`` + ``read_capture``, what the resolve stage does), cold and warm;
  again with the server's real limits 25 % **below** what citecheck assumes;
* waybackpy's own ``WaybackMachineCDXServerAPI(url, filters=["statuscode:200"]).near(...)`` per
  citation, then the capture's bytes with ``requests``, paced the careful way (no more than IA's
  80 % figures: one CDX call per 2.5 s, eight playback calls a second);
* EDGI ``wayback``'s ``WaybackClient`` with its own rate limits: ``search(url)`` per citation, the rule
  applied to the records, ``get_memento(record)``.

Both baselines hard-code ``https://web.archive.org``: only that base URL constant is patched here
(to ``http://web.archive.org``, so no TLS is needed on loopback); their code is otherwise unchanged.

Printed per run: requests per citation by pool, 429s, Retry-After violations, wall time, the floor
the server's limits imply for the requests made, and the choice accuracy.

Run: ``.venv/bin/python benchmarks/bench_archive.py [--citations 100] [--speedup 1] [--skip-baselines]``
(needs root or CAP_NET_BIND_SERVICE for port 80 on loopback).
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.integration.ia_world import IaDialectArchive, LimitsProxy, PoolLimit  # noqa: E402
from tests.integration.pywb_world import Capture  # noqa: E402

from citecheck.models import ArchiveStatus  # noqa: E402
from citecheck.resolve.archive.http_archive import HttpArchive  # noqa: E402
from citecheck.resolve.archive.ia import IA_INDEX_POLICY, IA_PLAYBACK_POLICY  # noqa: E402
from citecheck.resolve.archive.models import Memento, SnapshotRequest  # noqa: E402
from citecheck.resolve.archive.resolver import ArchiveResolver  # noqa: E402
from citecheck.resolve.net import HostResolutionError  # noqa: E402
from citecheck.resolve.politeness import PoolPolicy  # noqa: E402
from citecheck.resolve.web import WebClient  # noqa: E402
from citecheck.resolve.web_settings import WebSettings  # noqa: E402
from citecheck.store.db import Store  # noqa: E402

ARCHIVE_HOST = "web.archive.org"
ARCHIVE_ADDRESS = "127.0.0.77"
BASE = f"http://{ARCHIVE_HOST}"
# The Internet Archive's limits (EDGI's figures are 80 % of these, and so are citecheck's pools).
REAL_PLAYBACK = (10.0, 10)  # per second, burst
REAL_INDEX = (0.5, 3)
UA = "citecheck-bench/1 (loopback)"


# --------------------------------------------------------------------------- the world


@dataclass
class Cited:
    url: str
    target: datetime
    kind: str
    expected_status: ArchiveStatus  # found: a good capture; none: no good capture (error-only or never)
    expected_url: str | None = None
    expected_time: datetime | None = None


@dataclass
class World:
    captures: list[Capture] = field(default_factory=list)
    cited: list[Cited] = field(default_factory=list)


def expected_capture(captures: list[Capture], target: datetime) -> Capture | None:
    """The rule: the closest good capture at or before the target, else the closest good one after."""
    good = [capture for capture in captures if capture.status == 200]
    before = [capture for capture in good if capture.when <= target]
    if before:
        return max(before, key=lambda capture: capture.when)
    return min(good, key=lambda capture: capture.when) if good else None


def build_world(citations: int) -> World:
    """``citations`` citations of ~0.8 × as many URLs over big, small and single-URL hosts."""
    unique = max(8, round(citations * 0.8))
    sizes = [14, 10, 8, 6] + [2] * 8
    hosts: list[str] = []
    for number, size in enumerate(sizes):
        hosts += [f"site{number}.example"] * size
    while len(hosts) < unique:
        hosts.append(f"single{len(hosts)}.example")
    hosts = hosts[:unique]
    world = World()
    per_url: dict[str, list[Capture]] = {}
    first = datetime(2013, 1, 10, 12, tzinfo=UTC)
    for index, host in enumerate(hosts):
        url = f"http://{host}/{2013 + index % 7}/story-{index}"
        access = first + timedelta(days=index * 23, hours=index % 9)
        # The mix: 60 % several good captures, 10 % an archived 404 nearest, 5 % an archived 429
        # nearest, 5 % an archived redirect, 5 % archived errors only, 15 % never archived.
        kind = {12: 3, 13: 3, 14: 4, 15: 5, 16: 6, 17: 7, 18: 7, 19: 7}.get(index % 20, index % 3)
        caps: list[Capture] = []
        body = f"<html><body><p>story {index} as captured</p></body></html>".encode()
        if kind in (0, 1, 2):
            for days in (-700, -60, -(index % 20 + 1), 30, 400):
                caps.append(Capture(url, access + timedelta(days=days), body=body + str(days).encode()))
            label = "several good captures"
        elif kind == 3:
            caps += [
                Capture(url, access - timedelta(days=1), status=404, body=b"gone"),
                Capture(url, access - timedelta(days=45), body=body),
                Capture(url, access + timedelta(days=10), body=body + b"later"),
            ]
            label = "archived 404 nearest, good before"
        elif kind == 4:
            caps += [
                Capture(url, access - timedelta(days=2), status=429, body=b"slow down"),
                Capture(url, access + timedelta(days=25), body=body),
            ]
            label = "archived 429 nearest, good only after"
        elif kind == 5:
            moved = url + "-moved"
            when = access - timedelta(days=3)
            caps.append(Capture(url, when, status=301, body=b"", location=moved))
            target_capture = Capture(moved, when + timedelta(hours=2), body=body)
            world.captures.append(target_capture)
            label = "archived redirect"
        elif kind == 6:
            caps += [
                Capture(url, access - timedelta(days=10), status=404, body=b"gone"),
                Capture(url, access + timedelta(days=5), status=503, body=b"busy"),
            ]
            label = "archived errors only"
        else:
            label = "never archived"
        per_url[url] = caps
        world.captures += caps
        targets = [access]
        if index % 4 == 0 and len(world.cited) + len(hosts) - index < citations:
            targets.append(access + timedelta(days=200))  # cited again, months later
        for target in targets:
            if kind == 5:
                world.cited.append(Cited(url, target, label, ArchiveStatus.found, moved, when + timedelta(hours=2)))
                continue
            chosen = expected_capture(caps, target)
            if chosen is None:
                world.cited.append(Cited(url, target, label, ArchiveStatus.none))
            else:
                world.cited.append(Cited(url, target, label, ArchiveStatus.found, chosen.url, chosen.when))
    while len(world.cited) < citations:  # top up with second citations of the big hosts' URLs
        again = world.cited[len(world.cited) % unique]
        world.cited.append(again)
    world.cited = world.cited[:citations]
    return world


# --------------------------------------------------------------------------- measuring


@dataclass
class Outcome:
    """One citation's answer: good capture (URL, time) or None, and the bytes read."""

    status: ArchiveStatus
    url: str | None = None
    when: datetime | None = None
    body: bytes | None = None


@dataclass
class Measured:
    label: str
    wall: float
    playback: int
    index: int
    refused: int
    refused_by_pool: dict[str, int]
    violations: int
    floor: float
    paced_floor: float  # at the 80 % figures every contender paces itself to (IA's limits only)
    correct: int
    bodies_read: int
    misses: list[str]

    def line(self, citations: int) -> str:
        requests = self.playback + self.index
        paced = (
            f", {self.paced_floor:.1f} s at 80 % of IA's (x{self.wall / max(self.paced_floor, 1e-9):.2f})"
            if self.paced_floor
            else ""
        )
        return (
            f"{self.label}: {requests} requests = {requests / citations:.2f}/citation "
            f"({self.playback} playback + {self.index} index); 429s {self.refused}, Retry-After violations "
            f"{self.violations}; wall {self.wall:.1f} s vs floor {self.floor:.1f} s at the server's limits "
            f"(x{self.wall / max(self.floor, 1e-9):.2f}){paced}; "
            f"captures chosen right {self.correct}/{citations}, bodies read {self.bodies_read}"
        )


def same_moment(left: datetime | None, right: datetime | None) -> bool:
    return left is not None and right is not None and abs((left - right).total_seconds()) < 1


def score(world: World, outcomes: list[Outcome]) -> tuple[int, list[str]]:
    correct = 0
    misses: list[str] = []
    for cited, outcome in zip(world.cited, outcomes, strict=True):
        if cited.expected_status is ArchiveStatus.found:
            good = (
                outcome.status is ArchiveStatus.found
                and same_moment(outcome.when, cited.expected_time)
                and outcome.body is not None
                and len(outcome.body) > 0
            )
        else:
            good = outcome.status is not ArchiveStatus.found
        correct += good
        if not good:
            misses.append(f"{cited.kind} ({outcome.status.value})")
    return correct, misses


def floor_for(playback: int, index: int, limits: dict[str, PoolLimit]) -> float:
    """The time the server's limits alone impose on these requests (the two pools side by side)."""
    return max(
        max(0, playback - limits["playback"].burst) / limits["playback"].per_second,
        max(0, index - limits["index"].burst) / limits["index"].per_second,
    )


def limits_at(scale: float, speedup: float, retry_after: bool = True) -> dict[str, PoolLimit]:
    return {
        "playback": PoolLimit(
            REAL_PLAYBACK[0] * scale * speedup, REAL_PLAYBACK[1], retry_after=None, send_retry_after=retry_after
        ),
        "index": PoolLimit(
            REAL_INDEX[0] * scale * speedup, REAL_INDEX[1], retry_after=None, send_retry_after=retry_after
        ),
    }


async def stub_resolver(host: str, port: int) -> list[str]:
    """The loopback DNS stub citecheck resolves through: only the archive's name exists."""
    if host == ARCHIVE_HOST:
        return [ARCHIVE_ADDRESS]
    raise HostResolutionError(host, nxdomain=True, detail="NXDOMAIN (loopback DNS stub)")


@contextmanager
def stub_dns_for_sockets() -> Iterator[None]:
    """``socket.getaddrinfo`` as a loopback DNS stub for the baselines: the archive's name only."""
    original = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host == ARCHIVE_HOST:
            return original(ARCHIVE_ADDRESS, port, *args, **kwargs)
        try:
            socket.inet_aton(str(host))
        except OSError:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known (loopback DNS stub)") from None
        return original(host, port, *args, **kwargs)

    socket.getaddrinfo = getaddrinfo  # type: ignore[assignment]
    try:
        yield
    finally:
        socket.getaddrinfo = original  # type: ignore[assignment]


async def citecheck_run(world: World, store: Path, speedup: float) -> tuple[list[Outcome], float]:
    requests = [
        SnapshotRequest(url=cited.url, target=cited.target, target_kind="access", access_date=cited.target.date())
        for cited in world.cited
    ]
    async with WebClient(WebSettings(allow_private=True), resolver=stub_resolver) as web:
        with Store(store) as db:
            async with ArchiveResolver([f"ia+{BASE}"], web=web, store=db, concurrency=16) as resolver:
                backend = resolver.backends[0]
                assert isinstance(backend, HttpArchive)
                if speedup != 1:
                    for pool, policy in (
                        (backend.index_pool, IA_INDEX_POLICY),
                        (backend.playback_pool, IA_PLAYBACK_POLICY),
                    ):
                        assert policy.per_second is not None
                        web.configure_pool(
                            pool,
                            PoolPolicy(
                                concurrency=policy.concurrency,
                                per_second=policy.per_second * speedup,
                                burst=policy.burst,
                                pause_without_retry_after=policy.pause_without_retry_after,
                            ),
                        )
                gate = asyncio.Semaphore(16)

                async def one(request: SnapshotRequest) -> Outcome:
                    # What the resolve stage does: wait for a batched index answer, resolve, read the bytes.
                    await resolver.index_ready(request)
                    async with gate:
                        result, memento = await resolver.resolve_capture(request)
                        if result.status is not ArchiveStatus.found or result.snapshot_time is None:
                            return Outcome(result.status)
                        body = memento.body if isinstance(memento, Memento) else None
                        original = backend.original_url(result.snapshot_url or "") or request.url
                        if body is None:
                            body = await backend.read_capture(original, result.snapshot_time, 5 << 20)
                        return Outcome(result.status, original, result.snapshot_time, body.body)

                started = time.perf_counter()
                resolver.schedule_index(requests)
                outcomes = await asyncio.gather(*(one(request) for request in requests))
                return list(outcomes), time.perf_counter() - started


class Pacer:
    """A careful user's pacing: at most ``per_second`` calls, one after another."""

    def __init__(self, per_second: float) -> None:
        self.gap = 1.0 / per_second
        self.last = -1e9

    def wait(self) -> None:
        delay = self.last + self.gap - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        self.last = time.monotonic()


def waybackpy_loop(world: World, speedup: float) -> tuple[list[Outcome], float]:
    import requests
    from waybackpy import WaybackMachineCDXServerAPI
    from waybackpy.exceptions import NoCDXRecordFound

    cdx_pace, playback_pace = Pacer(0.4 * speedup), Pacer(8.0 * speedup)
    outcomes: list[Outcome] = []
    started = time.perf_counter()
    for cited in world.cited:
        api = WaybackMachineCDXServerAPI(cited.url, user_agent=UA, filters=["statuscode:200"])
        api.endpoint = f"{BASE}/cdx/search/cdx"  # the one patch: its hard-coded https://web.archive.org
        cdx_pace.wait()
        try:
            snapshot = api.near(wayback_machine_timestamp=cited.target.strftime("%Y%m%d%H%M%S"))
        except NoCDXRecordFound:
            outcomes.append(Outcome(ArchiveStatus.none))
            continue
        playback_pace.wait()
        response = requests.get(f"{BASE}/web/{snapshot.timestamp}id_/{snapshot.original}", timeout=30)
        when = datetime.strptime(snapshot.timestamp, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
        if response.status_code == 200:
            outcomes.append(Outcome(ArchiveStatus.found, snapshot.original, when, response.content))
        else:
            outcomes.append(Outcome(ArchiveStatus.not_checked))
    return outcomes, time.perf_counter() - started


def edgi_loop(world: World, speedup: float) -> tuple[list[Outcome], float]:
    import wayback
    import wayback._client
    import wayback._utils

    # The one patch: the hard-coded https://web.archive.org base URLs.
    wayback._client.CDX_SEARCH_URL = f"{BASE}/cdx/search/cdx"  # type: ignore[attr-defined]
    wayback._utils.MEMENTO_URL_TEMPLATE = BASE + "/web/{timestamp}{mode}/{url}"  # type: ignore[attr-defined]
    outcomes: list[Outcome] = []
    started = time.perf_counter()
    with wayback.WaybackClient(
        wayback.WaybackSession(
            search_calls_per_second=0.8 * 30 / 60 * speedup, memento_calls_per_second=0.8 * 600 / 60 * speedup
        )
    ) as client:
        for cited in world.cited:
            records = [record for record in client.search(cited.url) if record.statuscode == 200]
            before = [record for record in records if record.timestamp <= cited.target]
            chosen = (
                max(before, key=lambda r: r.timestamp)
                if before
                else min(records, key=lambda r: r.timestamp, default=None)
            )
            if chosen is None:
                outcomes.append(Outcome(ArchiveStatus.none))
                continue
            memento = client.get_memento(chosen)
            outcomes.append(Outcome(ArchiveStatus.found, chosen.original, chosen.timestamp, memento.content))
            memento.close()
    return outcomes, time.perf_counter() - started


def measure(
    label: str,
    world: World,
    proxy: LimitsProxy,
    limits: dict[str, PoolLimit],
    run: Callable[[], tuple[list[Outcome], float]],
    paced: dict[str, PoolLimit] | None = None,
) -> Measured:
    hits_before, refused_before = len(proxy.hits), len(proxy.refused)
    outcomes, wall = run()
    hits = proxy.hits[hits_before:]
    refusals = proxy.refused[refused_before:]
    playback = sum(1 for pool, _path, _at in hits if pool == "playback")
    index = len(hits) - playback
    correct, misses = score(world, outcomes)
    return Measured(
        label=label,
        wall=wall,
        playback=playback,
        index=index,
        refused=len(refusals),
        refused_by_pool={pool: sum(1 for name, _at, _wait in refusals if name == pool) for pool in limits},
        violations=proxy.violations(),
        floor=floor_for(playback, index, limits),
        paced_floor=floor_for(playback, index, paced) if paced is not None else 0.0,
        correct=correct,
        bodies_read=sum(1 for outcome in outcomes if outcome.body),
        misses=misses,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--citations", type=int, default=100)
    parser.add_argument("--delay", type=float, default=0.1, help="added latency per archive answer (s)")
    parser.add_argument("--speedup", type=float, default=1.0, help="every limit and pacing × this (1: real time)")
    parser.add_argument("--skip-baselines", action="store_true")
    parser.add_argument(
        "--no-retry-after",
        action="store_true",
        help="the low-limit run's 429s name no wait, as the real IA's (citecheck then pauses 60 s per 429)",
    )
    options = parser.parse_args()
    world = build_world(options.citations)
    citations = len(world.cited)
    unique = len({cited.url for cited in world.cited})
    hosts = len({cited.url.split("/")[2] for cited in world.cited})
    kinds: dict[str, int] = {}
    for cited in world.cited:
        kinds[cited.kind] = kinds.get(cited.kind, 0) + 1
    print(
        f"archive benchmark: {citations} citations of {unique} URLs on {hosts} hosts, {len(world.captures)} captures; "
        f"+{options.delay * 1000:.0f} ms per answer; limits x{options.speedup:g}"
    )
    print("  " + ", ".join(f"{kind}: {count}" for kind, count in kinds.items()))
    real = limits_at(1.0, options.speedup)
    # 25 % below the 80 % figures citecheck assumes.
    below = limits_at(0.75 * 0.8, options.speedup, retry_after=not options.no_retry_after)
    paced = {
        "playback": PoolLimit(8.0 * options.speedup, 8),  # citecheck's and EDGI's figures (80 % of IA's)
        "index": PoolLimit(0.4 * options.speedup, 2),
    }
    print(
        f"  server limits: playback {real['playback'].per_second:g}/s (burst {real['playback'].burst}), "
        f"index {real['index'].per_second:g}/s (burst {real['index'].burst}); "
        f"citecheck and EDGI assume 80 %: {0.8 * real['playback'].per_second:g}/s and "
        f"{0.8 * real['index'].per_second:g}/s; the low run: {below['playback'].per_second:g}/s and "
        f"{below['index'].per_second:g}/s"
    )
    results: list[Measured] = []
    with tempfile.TemporaryDirectory() as temp, IaDialectArchive(world.captures) as archive:
        root = Path(temp)
        for label, limits in (("citecheck, IA's limits", real), ("citecheck, limits 25 % below assumed", below)):
            with LimitsProxy(archive.port, limits, address=ARCHIVE_ADDRESS, port=80, delay=options.delay) as proxy:
                store = root / f"{len(results)}.sqlite"
                cold = measure(
                    label + ", cold",
                    world,
                    proxy,
                    limits,
                    lambda store=store: asyncio.run(citecheck_run(world, store, options.speedup)),  # type: ignore[misc]
                    paced if limits is real else None,
                )
                results.append(cold)
                print(cold.line(citations), flush=True)
                if len(results) == 1:
                    warm = measure(
                        label + ", warm (results from the store, bytes read again)",
                        world,
                        proxy,
                        limits,
                        lambda store=store: asyncio.run(citecheck_run(world, store, options.speedup)),  # type: ignore[misc]
                        paced,
                    )
                    results.append(warm)
                    print(warm.line(citations), flush=True)
                if not options.skip_baselines and len(results) == 2:
                    with stub_dns_for_sockets():
                        for name, loop in (
                            ("waybackpy, careful loop", waybackpy_loop),
                            ("EDGI wayback loop", edgi_loop),
                        ):
                            try:
                                baseline = measure(
                                    name, world, proxy, limits, lambda loop=loop: loop(world, options.speedup), paced
                                )
                            except ImportError as error:
                                print(f"{name}: not installed ({error})")
                                continue
                            results.append(baseline)
                            print(baseline.line(citations), flush=True)
    cold = results[0]
    print()
    for measured in results:
        if measured.misses:
            counted: dict[str, int] = {}
            for miss in measured.misses:
                counted[miss] = counted.get(miss, 0) + 1
            print(f"{measured.label} misses: " + ", ".join(f"{what} x{count}" for what, count in counted.items()))
    for measured in results[2:]:
        if measured.label.startswith(("waybackpy", "EDGI")):
            print(f"citecheck cold vs {measured.label}: x{measured.wall / cold.wall:.1f} faster")
    low = next((m for m in results if "below" in m.label), None)
    if low is not None:
        # The floor at the server's real rate for the requests that had to be made (refused ones re-sent).
        real_floor = floor_for(
            low.playback - low.refused_by_pool["playback"], low.index - low.refused_by_pool["index"], below
        )
        print(
            f"limits 25 % below assumed: wall {low.wall:.1f} s vs the real-rate floor {real_floor:.1f} s "
            f"(x{low.wall / max(real_floor, 1e-9):.2f}), {low.refused} x 429"
        )


if __name__ == "__main__":
    main()
