"""Adaptive politeness against a loopback server that answers 429 above its real rate (issue 17).

The client assumes twice the server's limit.  After a 429 the pool's rate is
lowered (multiplicative decrease) and climbs back slowly, never to the rate
that was refused; every refused request is sent once more and nothing else.
Counted at the server and read from the pool — no timing assertions.
"""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

from citecheck.resolve.politeness import Pool, PoolPolicy
from citecheck.resolve.web import WebClient
from citecheck.resolve.web_settings import WebSettings
from tests.integration.ia_world import IaDialectArchive, LimitsProxy, PoolLimit, fetch_playbacks
from tests.integration.pywb_world import Capture, at

pytestmark = pytest.mark.integration

WHEN = at("2015-06-01T00:00:00")
ASSUMED = 40.0  # what the client believes
REAL = 20.0  # what the server enforces


async def test_after_a_429_the_refused_rate_is_never_resumed(monkeypatch: pytest.MonkeyPatch) -> None:
    captures = [Capture(f"http://paced.example/{n}", WHEN + timedelta(minutes=n)) for n in range(60)]
    # Retry-After: the whole seconds until the server's bucket holds a token again (1 s here).
    limits = {"playback": PoolLimit(per_second=REAL, burst=4, retry_after=None)}
    rates_at_429: list[float] = []
    original = Pool.rate_limited_by_server

    def observed(self: Pool, retry_after: float | None) -> float:
        if self.name == "paced" and self.per_second is not None and self.paused_until <= self._clock():
            rates_at_429.append(self.per_second)
        return original(self, retry_after)

    monkeypatch.setattr(Pool, "rate_limited_by_server", observed)
    with IaDialectArchive(captures) as archive, LimitsProxy(archive.port, limits) as proxy:
        async with WebClient(WebSettings(allow_private=True)) as web:
            web.configure_pool("paced", PoolPolicy(concurrency=4, per_second=ASSUMED, burst=4))

            statuses = await fetch_playbacks(web, proxy, captures, pool="paced", retries=4)
            pool = web.pool("paced")
    assert statuses == [200] * len(captures)
    refused = len(proxy.refused)
    assert refused >= 1  # the server's real limit was met
    # Every refused request was sent again once, nothing else was sent.
    assert len(proxy.hits) == len(captures) + refused
    # Never back at the refused rate: each 429 met a lower rate than the one before, the pool ends
    # below 90 % of the first refused rate, and the refusals stay few (not one per burst).
    assert rates_at_429[0] == pytest.approx(ASSUMED)
    assert all(later < earlier for earlier, later in itertools.pairwise(rates_at_429))
    assert pool.ceiling is not None and pool.ceiling <= ASSUMED * 0.9
    assert pool.per_second is not None and pool.per_second <= pool.ceiling
    assert refused <= 8
    assert proxy.violations() == 0  # every Retry-After honoured


async def test_429s_naming_no_wait_pause_briefly_escalate_and_never_resume_at_the_refused_rate(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The Internet Archive's 429s carry no Retry-After: a short pause, doubling while refusals go on."""
    captures = [Capture(f"http://unnamed.example/{n}", WHEN + timedelta(minutes=n)) for n in range(60)]
    limits = {"playback": PoolLimit(per_second=REAL, burst=4, retry_after=None, send_retry_after=False)}
    refusals: list[tuple[float, float]] = []  # (rate refused, pause taken) per refusal
    original = Pool.rate_limited_by_server

    def observed(self: Pool, retry_after: float | None) -> float:
        refusal = self.paused_until <= self._clock()
        rate = self.per_second
        paused = original(self, retry_after)
        if self.name == "unnamed" and refusal and rate is not None:
            refusals.append((rate, paused))
        return paused

    monkeypatch.setattr(Pool, "rate_limited_by_server", observed)
    policy = PoolPolicy(
        concurrency=4,
        per_second=ASSUMED,
        burst=4,
        pause_without_retry_after=2.0,
        first_pause_without_retry_after=0.2,
    )
    with IaDialectArchive(captures) as archive, LimitsProxy(archive.port, limits) as proxy:
        async with WebClient(WebSettings(allow_private=True)) as web:
            web.configure_pool("unnamed", policy)

            statuses = await fetch_playbacks(web, proxy, captures, pool="unnamed", retries=6)
    assert statuses == [200] * len(captures)
    assert proxy.refused and all(retry_after == 0 for _pool, _at, retry_after in proxy.refused)
    assert len(proxy.hits) == len(captures) + len(proxy.refused)  # each refused request sent once more
    assert refusals
    # The first pause is short, not the default minute; a refusal after a refusal pauses twice as long.
    assert refusals[0][1] == pytest.approx(0.2)
    for (_earlier_rate, earlier_pause), (_later_rate, later_pause) in itertools.pairwise(refusals):
        assert later_pause in (pytest.approx(0.2), pytest.approx(min(2.0, earlier_pause * 2)))
    # Every refusal met a lower rate than the one before: the refused rate is never resumed.
    assert all(later[0] < earlier[0] for earlier, later in itertools.pairwise(refusals))
