"""Self-hosted archive playback without a fixed rate: what it costs against archives that enforce limits.

A self-hosted (pywb) archive's playback pool has no rate of its own — its concurrency (8) bounds it
until a 429 gives it one, from the answers the archive accepted over the last second of sending
(``citecheck.resolve.politeness.Pool``).  This script fetches 60 and 300 captures from a loopback
IA-dialect archive behind :class:`tests.integration.ia_world.LimitsProxy` enforcing 20/s (burst 4 and
20), 100/s (burst 10) and no limit, answering 429 with Retry-After over it; for each it prints the 429s
drawn, the Retry-After violations and the wall time, for the pool as configured and, in the same run,
for the fixed 50/s (burst 50) the playback pool had before (the baseline).

Run: ``.venv/bin/python benchmarks/bench_selfhosted_limits.py``
"""

from __future__ import annotations

import asyncio
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.integration.ia_world import IaDialectArchive, LimitsProxy, PoolLimit
from tests.integration.pywb_world import Capture, at

from citecheck.resolve.archive.pywb import FAST_PLAYBACK_POLICY
from citecheck.resolve.politeness import PoolPolicy
from citecheck.resolve.web import WebClient
from citecheck.resolve.web_settings import WebSettings

WHEN = at("2015-06-01T00:00:00")
FIXED_50 = PoolPolicy(concurrency=8, per_second=50.0, burst=50, pause_without_retry_after=5.0)


async def run(policy: PoolPolicy, count: int, limit: PoolLimit | None) -> tuple[int, int, int, float]:
    """(answered 200, 429s, Retry-After violations, wall seconds) for ``count`` captures."""
    captures = [Capture(f"http://paced.example/{n}", WHEN + timedelta(minutes=n)) for n in range(count)]
    enforced = {"playback": limit} if limit else {}
    with IaDialectArchive(captures) as archive, LimitsProxy(archive.port, enforced) as proxy:
        async with WebClient(WebSettings(allow_private=True)) as web:
            web.configure_pool("playback", policy)

            async def one(capture: Capture) -> int:
                stamp = capture.when.strftime("%Y%m%d%H%M%S")
                url = proxy.url(f"/web/{stamp}id_/{capture.url}")
                response = await web.fetch(url, pool="playback", follow_redirects=False, retries=4)
                return response.status

            started = time.monotonic()
            statuses = await asyncio.gather(*(one(capture) for capture in captures))
            wall = time.monotonic() - started
    return sum(status == 200 for status in statuses), len(proxy.refused), proxy.violations(), wall


def main() -> None:
    limits: list[tuple[str, PoolLimit | None]] = [
        ("20/s, burst 4", PoolLimit(20, 4, retry_after=None)),
        ("20/s, burst 20", PoolLimit(20, 20, retry_after=None)),
        ("100/s, burst 10", PoolLimit(100, 10, retry_after=None)),
        ("no limit", None),
    ]
    print(f"{'archive enforces':<18}{'captures':>9}  {'policy':<22}{'200s':>6}{'429s':>6}{'viol.':>6}{'wall s':>8}")
    totals = {"rate-less (citecheck)": [0, 0.0], "fixed 50/s (before)": [0, 0.0]}
    for name, limit in limits:
        for count in (60, 300):
            for label, policy in (("rate-less (citecheck)", FAST_PLAYBACK_POLICY), ("fixed 50/s (before)", FIXED_50)):
                fresh = None if limit is None else PoolLimit(limit.per_second, limit.burst, retry_after=None)
                ok, refused, violations, wall = asyncio.run(run(policy, count, fresh))
                totals[label][0] += refused
                totals[label][1] += wall
                print(f"{name:<18}{count:>9}  {label:<22}{ok:>6}{refused:>6}{violations:>6}{wall:>8.2f}", flush=True)
    for label, (refused, wall) in totals.items():
        print(f"total {label}: {refused} x 429, {wall:.1f} s")


if __name__ == "__main__":
    main()
