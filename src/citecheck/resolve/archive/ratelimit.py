"""Async token buckets, one per archive request pool, that a 429 pauses as a whole.

The Internet Archive limits requests per address and per pool (CDX and
TimeMap share one budget, playback has its own); ignoring a 429 gets the
address blocked for an hour, doubling each time.  So a 429 on any request
pauses every request of that pool, not just the one that got it.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass

# 80% of the published and observed per-address limits (EDGI wayback's defaults).
IA_CDX_PER_SECOND = 24 / 60
IA_PLAYBACK_PER_SECOND = 8.0
DEFAULT_PAUSE_SECONDS = 60.0

# Requests sent while this is above zero go ahead of ordinary ones in their pool's queue.
request_priority: ContextVar[int] = ContextVar("archive_request_priority", default=0)


@contextlib.contextmanager
def continuing() -> Iterator[None]:
    """Mark the requests sent inside as continuing work already started (served first)."""
    token = request_priority.set(request_priority.get() + 1)
    try:
        yield
    finally:
        request_priority.reset(token)


@dataclass(frozen=True)
class PoolLimits:
    """Sustained rate (requests per second) and burst (bucket size) of one pool."""

    per_second: float
    burst: int = 1


IA_POOL_LIMITS: dict[str, PoolLimits] = {
    "cdx": PoolLimits(IA_CDX_PER_SECOND, burst=2),
    "playback": PoolLimits(IA_PLAYBACK_PER_SECOND, burst=8),
}


class TokenBucket:
    """A token bucket that can also be paused until a moment (a 429's Retry-After)."""

    def __init__(self, limits: PoolLimits, clock: Callable[[], float] = time.monotonic) -> None:
        if limits.per_second <= 0:
            raise ValueError("a pool needs a positive rate")
        self.limits = limits
        self._clock = clock
        self._tokens = float(limits.burst)
        self._updated = clock()
        self._paused_until = 0.0
        self._changed = asyncio.Condition()
        self._queue: list[tuple[int, int]] = []  # (negated priority, arrival) of each waiter
        self._arrivals = itertools.count()

    def pause(self, seconds: float) -> None:
        """Let no request of this pool start for ``seconds`` (extends, never shortens a pause)."""
        self._paused_until = max(self._paused_until, self._clock() + max(seconds, 0.0))
        # The bucket starts empty when the pause ends: no burst right after a 429.
        self._tokens = 0.0
        self._updated = self._paused_until

    @property
    def paused_for(self) -> float:
        return max(0.0, self._paused_until - self._clock())

    def can_send_now(self) -> bool:
        """Whether a request could start at once: not paused, nobody queued, a whole token in the bucket.

        Spending a token nobody is queued for delays no waiting request; an
        idle pool's tokens are otherwise lost once the bucket is full.
        """
        now = self._clock()
        if now < self._paused_until or self._queue:
            return False
        return self._refilled(now) >= 1.0

    def expected_wait(self) -> float:
        """Roughly how long a request arriving now would wait for its token (queued requests go first)."""
        now = self._clock()
        if now < self._paused_until:
            return self._paused_until - now + len(self._queue) / self.limits.per_second
        missing = len(self._queue) + 1 - self._refilled(now)
        return max(0.0, missing / self.limits.per_second)

    def _refilled(self, now: float) -> float:
        return min(float(self.limits.burst), self._tokens + (now - self._updated) * self.limits.per_second)

    def _seconds_until_token(self) -> float:
        now = self._clock()
        if now < self._paused_until:
            return self._paused_until - now
        if now > self._updated:
            self._tokens = self._refilled(now)
            self._updated = now
        return 0.0 if self._tokens >= 1.0 else (1.0 - self._tokens) / self.limits.per_second

    async def acquire(self) -> None:
        """Wait until this pool may send one more request.

        Waiters are served by priority (see :func:`continuing`), then in
        arrival order: a URL whose resolution has started finishes before new
        ones start, so a run's tail holds no half-resolved URLs.
        """
        rank = (-request_priority.get(), next(self._arrivals))
        async with self._changed:
            heapq.heappush(self._queue, rank)
            self._changed.notify_all()  # a sleeping head re-checks whether it still goes first
            try:
                while True:
                    wait: float | None = None
                    if self._queue[0] == rank:
                        wait = self._seconds_until_token()
                        if wait <= 0.0:
                            self._tokens -= 1.0
                            heapq.heappop(self._queue)
                            self._changed.notify_all()
                            return
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._changed.wait(), wait)
            except BaseException:
                if rank in self._queue:
                    self._queue.remove(rank)
                    heapq.heapify(self._queue)
                    self._changed.notify_all()
                raise


class RateLimiter:
    """The buckets of one archive, by pool name; unknown pools share the ``default`` limits."""

    def __init__(self, limits: dict[str, PoolLimits], default: PoolLimits | None = None) -> None:
        self._limits = dict(limits)
        self._default = default or PoolLimits(IA_PLAYBACK_PER_SECOND, burst=8)
        self._buckets: dict[str, TokenBucket] = {}

    def bucket(self, pool: str) -> TokenBucket:
        if pool not in self._buckets:
            self._buckets[pool] = TokenBucket(self._limits.get(pool, self._default))
        return self._buckets[pool]

    async def acquire(self, pool: str) -> None:
        await self.bucket(pool).acquire()

    def can_send_now(self, pool: str) -> bool:
        return self.bucket(pool).can_send_now()

    def expected_wait(self, pool: str) -> float:
        return self.bucket(pool).expected_wait()

    def pause(self, pool: str, seconds: float | None) -> None:
        self.bucket(pool).pause(DEFAULT_PAUSE_SECONDS if seconds is None else seconds)
