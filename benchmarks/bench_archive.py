"""Archive resolution benchmark: a real local pywb behind a 100 ms-per-request proxy.

Prints archive requests per unique URL (cold and warm cache), citations per
second, and the speed ratio against a straightforward waybackpy-style loop
(one CDX query per citation, in order) under the same rate limits.

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
from datetime import timedelta
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.integration.pywb_world import COLLECTION, ArchiveWorld, Capture, FaultProxy, at  # noqa: E402

from citecheck.resolve.archive.models import SnapshotRequest, format_timestamp  # noqa: E402
from citecheck.resolve.archive.pywb import PywbArchive, parse_cdx_json_lines  # noqa: E402
from citecheck.resolve.archive.ratelimit import PoolLimits, RateLimiter  # noqa: E402
from citecheck.resolve.archive.resolver import ArchiveResolver  # noqa: E402
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


async def resolve_run(archive_url: str, requests: list[SnapshotRequest], store: Store) -> tuple[int, float, int]:
    async with ArchiveResolver([archive_url], store=store, concurrency=16) as resolver:
        backend = resolver.backends[0]
        assert isinstance(backend, PywbArchive)
        backend.limiter = RateLimiter(LIMITS)
        started = time.perf_counter()
        results = await resolver.resolve_many(requests)
        elapsed = time.perf_counter() - started
        found = sum(result.status.value == "found" for result in results)
        return resolver.requests_sent, elapsed, found


async def naive_loop(base_url: str, requests: list[SnapshotRequest]) -> tuple[int, float, int]:
    """One CDX call per citation, in order, like a waybackpy ``near()`` loop."""
    limiter = RateLimiter(LIMITS)
    sent = 0
    found = 0
    started = time.perf_counter()
    async with httpx.AsyncClient(timeout=30) as client:
        for request in requests:
            assert request.target is not None
            await limiter.acquire("cdx")
            sent += 1
            response = await client.get(
                f"{base_url}/{COLLECTION}/cdx",
                params={"url": request.url, "output": "json", "closest": format_timestamp(request.target)},
            )
            rows, _ = parse_cdx_json_lines(response.text)
            if rows:
                closest = min(rows, key=lambda row: abs(row.timestamp - request.target))  # type: ignore[operator]
                found += closest.status == 200
    return sent, time.perf_counter() - started, found


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--urls", type=int, default=120)
    parser.add_argument("--delay", type=float, default=0.1, help="added latency per archive request (s)")
    options = parser.parse_args()

    captures, requests = build_world(options.urls)
    unique = len({request.url for request in requests})
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        with ArchiveWorld(root / "pywb", captures) as world, FaultProxy(world.port, delay=options.delay) as proxy:
            archive_url = proxy.url(f"/{COLLECTION}")
            with Store(root / "cache.sqlite") as store:
                cold_sent, cold_time, found = await resolve_run(archive_url, requests, store)
                warm_sent, warm_time, warm_found = await resolve_run(archive_url, requests, store)
            naive_sent, naive_time, naive_found = await naive_loop(proxy.url(), requests)

    print(f"archive benchmark: {len(requests)} citations, {unique} unique URLs, +{options.delay * 1000:.0f} ms/request")
    print(
        f"rate limits (IA's at 80%, x{SPEEDUP}): cdx {LIMITS['cdx'].per_second:.1f}/s, playback "
        f"{LIMITS['playback'].per_second:.0f}/s"
    )
    print(
        f"cold:  {cold_sent} requests = {cold_sent / unique:.2f} per unique URL, {cold_time:.2f} s, "
        f"{len(requests) / cold_time:.1f} citations/s, {found} found"
    )
    print(
        f"warm:  {warm_sent} requests = {warm_sent / unique:.2f} per unique URL, {warm_time:.3f} s, "
        f"{len(requests) / max(warm_time, 1e-9):.0f} citations/s, {warm_found} found"
    )
    print(
        f"naive: {naive_sent} requests = {naive_sent / unique:.2f} per unique URL, {naive_time:.2f} s, "
        f"{len(requests) / naive_time:.1f} citations/s, {naive_found} found"
    )
    print(
        f"speed-up over the naive loop: cold x{naive_time / cold_time:.1f}, "
        f"warm x{naive_time / max(warm_time, 1e-9):.0f}"
    )


if __name__ == "__main__":
    asyncio.run(main())
