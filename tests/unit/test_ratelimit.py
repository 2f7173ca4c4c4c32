"""Token buckets: rates, 429 pauses, queue priority and the estimates the resolver reads."""

from __future__ import annotations

import asyncio
import time

from citecheck.resolve.archive.ratelimit import PoolLimits, RateLimiter, TokenBucket, continuing


async def test_rate_is_kept_after_the_burst() -> None:
    bucket = TokenBucket(PoolLimits(20.0, burst=2))
    started = time.monotonic()
    for _ in range(6):
        await bucket.acquire()
    # Two from the burst, four more at 20/s.
    assert time.monotonic() - started >= 4 / 20 - 0.02


async def test_pause_holds_the_pool_and_empties_the_bucket() -> None:
    bucket = TokenBucket(PoolLimits(50.0, burst=5))
    bucket.pause(0.2)
    assert not bucket.can_send_now()
    assert bucket.expected_wait() >= 0.15
    started = time.monotonic()
    await bucket.acquire()
    await bucket.acquire()
    # No burst right after the pause: the second token takes 1/50 s more.
    assert time.monotonic() - started >= 0.2 + 1 / 50 - 0.02


async def test_continuing_work_goes_ahead_of_the_queue() -> None:
    bucket = TokenBucket(PoolLimits(20.0, burst=1))
    await bucket.acquire()  # the bucket is now empty: everyone else queues
    order: list[str] = []

    async def request(name: str, urgent: bool) -> None:
        if urgent:
            with continuing():
                await bucket.acquire()
        else:
            await bucket.acquire()
        order.append(name)

    tasks = [asyncio.create_task(request(f"new-{number}", False)) for number in range(3)]
    await asyncio.sleep(0.01)  # the new requests are queued first
    tasks.append(asyncio.create_task(request("probe", True)))
    await asyncio.gather(*tasks)
    assert order == ["probe", "new-0", "new-1", "new-2"]


async def test_cancelled_waiter_leaves_the_queue() -> None:
    bucket = TokenBucket(PoolLimits(10.0, burst=1))
    await bucket.acquire()
    waiter = asyncio.create_task(bucket.acquire())
    await asyncio.sleep(0.01)
    assert bucket.expected_wait() > 0.1  # one queued ahead of a newcomer
    waiter.cancel()
    await asyncio.gather(waiter, return_exceptions=True)
    await asyncio.sleep(0.11)
    assert bucket.can_send_now()


def test_an_idle_pool_can_send_and_expects_no_wait() -> None:
    limiter = RateLimiter({"cdx": PoolLimits(0.4, burst=2)})
    assert limiter.can_send_now("cdx") and limiter.expected_wait("cdx") == 0.0
    limiter.pause("cdx", None)  # a 429 without Retry-After: 60 s
    assert not limiter.can_send_now("cdx") and limiter.expected_wait("cdx") >= 59
