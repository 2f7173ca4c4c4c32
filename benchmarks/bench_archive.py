"""Archive resolution benchmark: a real local pywb behind a 100 ms-per-request proxy.

Prints archive requests per unique URL (cold and warm cache), citations per
second, and the speed ratio against a straightforward waybackpy-style loop
(one CDX query per citation, in order) under the same rate limits and the
same proxy.  Cold runs compare the resolver's strategies for an unusable
nearest capture (index only, playback probes only, both); each line also
gives the time the rate limits alone impose, and a last run with the limits
lifted shows what the local machine allows.

waybackpy's CDX client hard-codes web.archive.org's endpoint and IA-only
parameters, so the naive loop is written with httpx, doing what a
``WaybackMachineCDXServerAPI(url).near(...)`` loop does: one CDX call per
citation, then pick the closest row.

Run: ``/work/venv/bin/python benchmarks/bench_archive.py [--urls 120] [--delay 0.1]``
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.integration.pywb_world import COLLECTION, ArchiveWorld, Capture, FaultProxy, at  # noqa: E402

from citecheck.resolve.archive.endpoint import parse_archive_spec  # noqa: E402
from citecheck.resolve.archive.http_archive import HttpArchive  # noqa: E402
from citecheck.resolve.archive.models import SnapshotRequest, format_timestamp  # noqa: E402
from citecheck.resolve.archive.pywb import parse_cdx_json_lines  # noqa: E402
from citecheck.resolve.archive.resolver import ArchiveResolver  # noqa: E402
from citecheck.resolve.politeness import PoolLimits, PoolPolicy, TokenBucket  # noqa: E402
from citecheck.resolve.web import WebClient, WebSettings  # noqa: E402
from citecheck.store.db import Store  # noqa: E402

# The Internet Archive's pools at 80% of its limits, sped up tenfold so a run takes a minute:
# CDX 24/min -> 4/s, playback 8/s -> 80/s.  Both contenders get the same budgets.
SPEEDUP = 10
LIMITS = {
    "cdx": PoolLimits(24 / 60 * SPEEDUP, burst=2),
    "playback": PoolLimits(8.0 * SPEEDUP, burst=8),
}


def build_world(unique: int) -> tuple[list[Capture], list[SnapshotRequest]]:
    """``unique`` URLs: most with a good capture near the access date, some far after, some 404, some never."""
    captures: list[Capture] = []
    requests: list[SnapshotRequest] = []
    access = at("2015-06-15T12:00:00")
    for number in range(unique):
        url = f"http://bench.example/article/{number}"
        kind = number % 10
        if kind <= 6:  # a capture shortly before the access date: the cheap path
            captures.append(Capture(url, access - timedelta(days=number % 20 + 1)))
        elif kind == 7:  # only a capture months after: the index is asked, the answer stands
            captures.append(Capture(url, access + timedelta(days=90)))
        elif kind == 8:  # an archived error
            captures.append(Capture(url, access - timedelta(days=3), status=404, body=b"gone"))
        # kind 9: never archived
        request = SnapshotRequest(url=url, target=access, target_kind="access", access_date=access.date())
        requests.append(request)
        if number % 4 == 0:  # a quarter of the URLs are cited twice (reused references)
            requests.append(request)
    return captures, requests


@dataclass(frozen=True)
class Strategy:
    """One way of running the resolver (the resolver's own knobs)."""

    label: str
    playback_probes: int
    index_when_quicker: bool


STRATEGIES = [
    Strategy("index only (before: CDX for every unusable nearest capture)", 0, False),
    Strategy("playback probes only", 4, False),
    Strategy("probes + index when quicker (default)", 4, True),
]
DEFAULT = STRATEGIES[-1]


@dataclass(frozen=True)
class Run:
    playback: int
    cdx: int
    seconds: float
    found: int

    @property
    def requests(self) -> int:
        return self.playback + self.cdx

    def pool_bound_seconds(self, limits: dict[str, PoolLimits]) -> float:
        """The time the rate limits alone impose (pools run side by side; bursts are free)."""
        return max(
            max(0, count - limits[pool].burst) / limits[pool].per_second
            for pool, count in (("playback", self.playback), ("cdx", self.cdx))
        )


async def resolve_run(
    archive_url: str,
    requests: list[SnapshotRequest],
    store: Store,
    strategy: Strategy,
    limits: dict[str, PoolLimits],
) -> Run:
    async with WebClient(WebSettings(allow_private=True)) as web:
        backend = HttpArchive(parse_archive_spec(f"pywb+{archive_url}"), web)
        for pool, name in (("cdx", backend.index_pool), ("playback", backend.playback_pool)):
            web.configure_pool(
                name, PoolPolicy(concurrency=16, per_second=limits[pool].per_second, burst=limits[pool].burst)
            )
        async with ArchiveResolver(
            backends=[backend],
            store=store,
            concurrency=16,
            playback_probes=strategy.playback_probes,
            index_when_quicker=strategy.index_when_quicker,
        ) as resolver:
            started = time.perf_counter()
            results = await resolver.resolve_many(requests)
            elapsed = time.perf_counter() - started
            found = sum(result.status.value == "found" for result in results)
            by_pool = backend.requests_by_pool
            return Run(by_pool.get("playback", 0), by_pool.get("cdx", 0), elapsed, found)


async def naive_loop(base_url: str, requests: list[SnapshotRequest]) -> Run:
    """One CDX call per citation, in order, like a waybackpy ``near()`` loop."""
    bucket = TokenBucket(LIMITS["cdx"])  # the baseline's own pacing, not citecheck's pools
    sent = 0
    found = 0
    started = time.perf_counter()
    async with httpx.AsyncClient(timeout=30) as client:
        for request in requests:
            assert request.target is not None
            await bucket.acquire()
            sent += 1
            response = await client.get(
                f"{base_url}/{COLLECTION}/cdx",
                params={"url": request.url, "output": "json", "closest": format_timestamp(request.target)},
            )
            rows, _ = parse_cdx_json_lines(response.text)
            if rows:
                closest = min(rows, key=lambda row: abs(row.timestamp - request.target))  # type: ignore[operator]
                found += closest.status == 200
    return Run(0, sent, time.perf_counter() - started, found)


def report(label: str, run: Run, unique: int, citations: int, naive: Run | None) -> None:
    ratio = f", x{naive.seconds / run.seconds:.1f} the naive loop" if naive is not None else ""
    modelled = (
        f" (pool-bound x{naive.pool_bound_seconds(LIMITS) / max(run.pool_bound_seconds(LIMITS), 1e-9):.1f})"
        if naive is not None
        else ""
    )
    print(
        f"{label}: {run.requests} requests ({run.playback} playback + {run.cdx} CDX) = "
        f"{run.requests / unique:.2f} per unique URL, {run.seconds:.2f} s, {citations / run.seconds:.1f} citations/s, "
        f"{run.found} found; rate limits alone: {run.pool_bound_seconds(LIMITS):.2f} s{ratio}{modelled}"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--urls", type=int, default=120)
    parser.add_argument("--delay", type=float, default=0.1, help="added latency per archive request (s)")
    options = parser.parse_args()

    captures, requests = build_world(options.urls)
    unique = len({request.url for request in requests})
    unlimited = {pool: PoolLimits(1e6, burst=1_000_000) for pool in LIMITS}
    cold: dict[str, Run] = {}
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        with ArchiveWorld(root / "pywb", captures) as world, FaultProxy(world.port, delay=options.delay) as proxy:
            # Both sides go through the same proxy (same added latency) under the same LIMITS.
            archive_url = proxy.url(f"/{COLLECTION}")
            for number, strategy in enumerate(STRATEGIES):
                with Store(root / f"cold-{number}.sqlite") as store:
                    cold[strategy.label] = await resolve_run(archive_url, requests, store, strategy, LIMITS)
            with Store(root / "warm.sqlite") as store:
                await resolve_run(archive_url, requests, store, DEFAULT, LIMITS)
                warm = await resolve_run(archive_url, requests, store, DEFAULT, LIMITS)
            with Store(root / "ceiling.sqlite") as store:
                # The same run with the rate limits lifted: what this machine's local pywb and proxy allow.
                ceiling = await resolve_run(archive_url, requests, store, DEFAULT, unlimited)
            naive = await naive_loop(proxy.url(), requests)

    print(f"archive benchmark: {len(requests)} citations, {unique} unique URLs, +{options.delay * 1000:.0f} ms/request")
    print(
        f"rate limits (IA's at 80%, x{SPEEDUP}), both sides: cdx {LIMITS['cdx'].per_second:.1f}/s "
        f"(burst {LIMITS['cdx'].burst}), playback {LIMITS['playback'].per_second:.0f}/s "
        f"(burst {LIMITS['playback'].burst}); one CDX call costs "
        f"{LIMITS['playback'].per_second / LIMITS['cdx'].per_second:.0f} playback calls of pool time"
    )
    report("naive loop", naive, unique, len(requests), None)
    for label, run in cold.items():
        report(f"cold, {label}", run, unique, len(requests), naive)
    print(
        f"warm (SQLite cache), default: {warm.requests} requests = {warm.requests / unique:.2f} per unique URL, "
        f"{warm.seconds:.3f} s, x{naive.seconds / max(warm.seconds, 1e-9):.0f} the naive loop"
    )
    print(
        f"ceiling, default with the rate limits lifted: {ceiling.seconds:.2f} s "
        f"(x{naive.seconds / ceiling.seconds:.1f}): the local pywb + proxy, not the pools, bound a cold run here"
    )


if __name__ == "__main__":
    asyncio.run(main())
