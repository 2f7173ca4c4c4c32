"""Async token buckets, one per archive request pool, that a 429 pauses as a whole.

The Internet Archive limits requests per address and per pool (CDX and
TimeMap share one budget, playback has its own); ignoring a 429 gets the
address blocked for an hour, doubling each time.  So a 429 on any request
pauses every request of that pool, not just the one that got it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

# 80% of the published and observed per-address limits (EDGI wayback's defaults).
IA_CDX_PER_SECOND = 24 / 60
IA_PLAYBACK_PER_SECOND = 8.0
DEFAULT_PAUSE_SECONDS = 60.0


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
        self._lock = asyncio.Lock()

    def pause(self, seconds: float) -> None:
        """Let no request of this pool start for ``seconds`` (extends, never shortens a pause)."""
        self._paused_until = max(self._paused_until, self._clock() + max(seconds, 0.0))
        self._tokens = 0.0

    @property
    def paused_for(self) -> float:
        return max(0.0, self._paused_until - self._clock())

    async def acquire(self) -> None:
        """Wait until this pool may send one more request."""
        async with self._lock:
            while True:
                now = self._clock()
                if now < self._paused_until:
                    await asyncio.sleep(self._paused_until - now)
                    self._updated = self._clock()
                    continue
                self._tokens = min(
                    float(self.limits.burst), self._tokens + (now - self._updated) * self.limits.per_second
                )
                self._updated = now
                if self._tokens >= 1.0:
                    self._tokens -= 1.0
                    return
                await asyncio.sleep((1.0 - self._tokens) / self.limits.per_second)


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

    def pause(self, pool: str, seconds: float | None) -> None:
        self.bucket(pool).pause(DEFAULT_PAUSE_SECONDS if seconds is None else seconds)
