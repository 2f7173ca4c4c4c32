"""Politeness: one :class:`Pool` per host or archive endpoint — a concurrency cap, a rate and 429 pauses.

Every request the one HTTP layer (:mod:`citecheck.resolve.web`) sends waits
for a slot in its pool.  A pool is

* a semaphore (requests in flight at once),
* an optional token bucket (requests per second, with a burst) whose rate is
  *adaptive*: after a 429 it drops to 70 % (multiplicative decrease) and never
  climbs back above 90 % of the rate that was refused, then creeps up again by
  a small step per answer without complaint (additive increase; issue 17:
  "never resume at the refused rate").  A pool without a rate of its own gets
  one from its first 429, with or without Retry-After: the answers the server
  accepted over the last second (what it grants, not what it was asked —
  eight requests in flight on a fast link are far above any limit).  A pool
  refused within its first second of sending has seen mostly the server's
  burst: it starts at what was accepted and *probes* upwards (a few per cent
  per answer) until the server refuses again, which settles its rate and ceiling;
* a pause: a 429's Retry-After (or the pool's default pause when the server
  names none) stops every request of the pool until then, not only the one
  that was refused; a wait longer than the pool's cap is not waited for — the
  pool is *refused* until then, and every request of it fails at once with the
  reason, so the run goes on;
* an *escalating* pause for 429s that name no wait, where the policy asks for
  one (the Internet Archive's pools: IA's 429s carry no Retry-After): the first
  pauses ``first_pause_without_retry_after`` (at least two request intervals
  at the refused rate), each consecutive one twice the last, up to
  ``pause_without_retry_after``; a run of answers without a 429 starts the
  streak again.  The rate is lowered as for any 429, so the pool resumes
  below the refused rate after a short wait instead of at it after a long one,
  and a server that keeps refusing meets longer and longer pauses at lower
  and lower rates.

* a *breaker* (:class:`EndpointBreaker`), for the pools of one archive: an
  endpoint that refuses every request for a while (429s naming no wait, what
  the Internet Archive answers a client it blocks, or short waits named
  forever) or fails every one across several URLs (5xx, broken exchanges) is
  declared down for the rest of the run — every pool of it refused, its
  waiting requests woken to fail at once — instead of costing each lookup its
  whole deadline.

Pools are configured in one place (:class:`PoolPolicy`, built by the settings)
and looked up by name; the Internet Archive's published limits are the policy
of its pools only, every other endpoint starts fast and backs off when told to.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import math
import time
from collections import Counter, deque
from collections.abc import AsyncIterator, Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Protocol

from citecheck.models import EndpointOutage

DEFAULT_PAUSE_SECONDS = 60.0

# Requests sent while this is above zero go ahead of ordinary ones in their pool's queue.
request_priority: ContextVar[int] = ContextVar("request_priority", default=0)
# The URL whose lookup the requests sent inside are for (see :func:`about`); "" outside any.
lookup_subject: ContextVar[str] = ContextVar("lookup_subject", default="")


@contextlib.contextmanager
def continuing() -> Iterator[None]:
    """Mark the requests sent inside as continuing work already started (served first)."""
    token = request_priority.set(request_priority.get() + 1)
    try:
        yield
    finally:
        request_priority.reset(token)


@contextlib.contextmanager
def about(url: str) -> Iterator[None]:
    """Mark the requests sent inside as looking ``url`` up: a breaker counts the URLs failing, not the
    requests (one URL's retries, its playback and its index query are one URL).  ``""``: about no
    URL, each request counts as the URL it asks."""
    token = lookup_subject.set(url)
    try:
        yield
    finally:
        lookup_subject.reset(token)


@dataclass(frozen=True)
class PoolLimits:
    """Sustained rate (requests per second) and burst (bucket size) of one token bucket."""

    per_second: float
    burst: int = 1


class TokenBucket:
    """A token bucket that can be paused until a moment (a 429's Retry-After) and re-rated on the fly."""

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
        self._interrupted = False
        self._waking: asyncio.Future[None] | None = None

    @property
    def per_second(self) -> float:
        return self.limits.per_second

    def set_rate(self, per_second: float) -> None:
        """Change the sustained rate; tokens already earned are kept (at most one burst)."""
        now = self._clock()
        if now > self._updated:
            self._tokens = self._refilled(now)
            self._updated = now
        self.limits = PoolLimits(max(per_second, 1e-3), self.limits.burst)

    def interrupt(self) -> None:
        """Wake every waiter at once (the pool is refused for the run): :meth:`acquire` returns without a token."""
        self._interrupted = True
        if self._queue:  # someone waits, so a loop runs
            self._waking = asyncio.ensure_future(self._wake_all())

    async def _wake_all(self) -> None:
        async with self._changed:
            self._changed.notify_all()

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
        """Whether a request could start at once: not paused, nobody queued, a whole token in the bucket."""
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
        ones start, so a run's tail holds no half-resolved URLs.  After
        :meth:`interrupt` it returns at once, without a token.
        """
        rank = (-request_priority.get(), next(self._arrivals))
        async with self._changed:
            heapq.heappush(self._queue, rank)
            self._changed.notify_all()  # a sleeping head re-checks whether it still goes first
            try:
                while True:
                    if self._interrupted:
                        self._queue.remove(rank)
                        heapq.heapify(self._queue)
                        return
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


@dataclass(frozen=True)
class PoolPolicy:
    """How politely one host or endpoint is treated.

    ``per_second`` None means no rate of its own: only ``concurrency`` bounds
    it, until a 429 gives it one (half the rate it was being asked at).
    """

    concurrency: int = 2
    per_second: float | None = None
    burst: int = 1
    adaptive: bool = True  # after a 429 lower the rate, climb back slowly, never to the refused rate
    pause_without_retry_after: float = DEFAULT_PAUSE_SECONDS  # a 429 that names no wait pauses this long …
    # … or, when set, the first such 429 pauses this long (at least two intervals at the refused rate),
    # doubling per consecutive 429 up to pause_without_retry_after (see Pool.ESCALATION_RESET).
    first_pause_without_retry_after: float | None = None
    max_wait: float = 120.0  # a longer Retry-After is not waited for: the pool's requests fail at once


class PoolRefusedError(Exception):
    """The pool was told to wait longer than it waits; every request of it fails until then."""

    def __init__(self, pool: str, seconds: float, why: str) -> None:
        super().__init__(f"{pool}: {why}")
        self.pool = pool
        self.seconds = seconds
        self.why = why


def describe_wait(seconds: float) -> str:
    """A wait in the unit a person reads it in: '45 s', '12 min', '24 h'."""
    if seconds >= 3600:
        return f"{seconds / 3600:.0f} h"
    if seconds >= 120:
        return f"{seconds / 60:.0f} min"
    return f"{seconds:.0f} s"


class Pool:
    """One host's or endpoint's politeness state; ``async with pool.slot():`` around every request."""

    # After a 429 the rate drops to this share of the refused rate (multiplicative decrease): a
    # server 25 % below the rate assumed is met within a couple of 429s, where halving would
    # spend most of a short run climbing back.
    DECREASE = 0.7
    # ... and climbs back by this share of the ceiling per answer without a 429 (additive increase).
    CLIMB = 0.02
    MIN_RATE = 0.1  # requests per second: lowered rates stop here (one every ten seconds)
    RATE_SAMPLES = 4  # sends a rate-less pool needs before a 429 tells the rate it was refused at
    # A rate-less pool's first rate is the answers accepted over this window before its first 429 ...
    RATE_WINDOW = 1.0
    # ... and, refused before it had sent for a whole window (the server's burst, not its rate), it
    # climbs by this share of its rate per answer until the next 429 settles rate and ceiling.
    PROBE_GROWTH = 0.05
    # Answers without a 429 after which an escalating pause starts again from its first length.
    ESCALATION_RESET = 20

    def __init__(
        self,
        name: str,
        policy: PoolPolicy,
        clock: Callable[[], float] = time.monotonic,
        on_wait: Callable[[str, float], None] | None = None,
    ) -> None:
        self.name = name
        self.policy = policy
        self._clock = clock
        self._on_wait = on_wait
        self._semaphore = asyncio.Semaphore(max(1, policy.concurrency))
        self.bucket: TokenBucket | None = (
            TokenBucket(PoolLimits(policy.per_second, policy.burst), clock) if policy.per_second else None
        )
        self.ceiling: float | None = policy.per_second  # the rate never goes above this again
        self.refused_until = 0.0
        self.refused_why = ""
        self.paused_until = 0.0
        self._paused = asyncio.Event()
        self._paused.set()
        self.requests = 0
        self.rate_limited = 0  # 429s received
        self._recent: deque[float] = deque(maxlen=64)  # send times, to know the rate a 429 refused
        # When answers without a 429 came, in *sending time* (the clock with the pauses cut out): a
        # rate-less pool learns its rate from them; and when (in sending time) it first sent.
        self._accepted: deque[float] = deque(maxlen=1024)
        self._first_sent: float | None = None
        self._paused_total = 0.0  # seconds of pause begun so far
        self._pause_began = 0.0  # the sending time at which the latest pause began
        self.probing = False  # a rate learnt from a burst, climbing until the server refuses again
        self._probe_base = 0.0  # a probing pool's accepted answers per window when the 429 came
        self.pauses_in_a_row = 0  # refusals naming no wait since the last run of answers (escalation)
        self._answers_since_refusal = 0
        self._first_pause = 0.0
        self.breaker: EndpointBreaker | None = None  # the endpoint's, when this pool is one of an archive's
        self._woken = asyncio.Event()  # set when the pool is refused for the run: its pause ends at once

    @property
    def per_second(self) -> float | None:
        return self.bucket.per_second if self.bucket is not None else None

    def refuse_for_run(self, why: str) -> None:
        """Refuse every request of this pool from now on (its endpoint refuses us); waiting ones fail at once."""
        self.refused_until = math.inf
        self.refused_why = why
        self._woken.set()
        if self.bucket is not None:
            self.bucket.interrupt()

    @property
    def display_name(self) -> str:
        """The host or archive a person recognises: ``host:example.org`` → ``example.org``."""
        kind, _, rest = self.name.partition(":")
        if kind == "archive":
            return rest.rsplit(":", 1)[0]
        return rest or self.name

    def refusal(self) -> PoolRefusedError | None:
        remaining = self.refused_until - self._clock()
        if remaining > 0:
            return PoolRefusedError(self.name, remaining, self.refused_why)
        return None

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """A concurrency slot and a token, after any pause; raises :class:`PoolRefusedError` while refused."""
        refused = self.refusal()
        if refused is not None:
            raise refused
        async with self._semaphore:
            # Checked again once the slot is ours: a request queued behind the 429 must not go out.
            while True:
                refused = self.refusal()
                if refused is not None:
                    raise refused
                wait = self.paused_until - self._clock()
                if wait <= 0:
                    break
                if self._on_wait is not None:
                    self._on_wait(self.display_name, wait)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._woken.wait(), wait)  # woken early: refused for the run
            if self.bucket is not None:
                await self.bucket.acquire()
                refused = self.refusal()
                if refused is not None:
                    raise refused
            self.requests += 1
            now = self._clock()
            self._recent.append(now)
            if self._first_sent is None:
                self._first_sent = self._sending_time(now)
            yield

    def expected_wait(self) -> float:
        """How long a request arriving now would wait before it may be sent (a rough estimate)."""
        pause = max(0.0, self.paused_until - self._clock())
        return pause + (self.bucket.expected_wait() if self.bucket is not None else 0.0)

    def observed_rate(self) -> float:
        """Requests per second over the recent sends (for a pool without a rate of its own)."""
        if len(self._recent) < 2:
            return 1.0
        span = self._recent[-1] - self._recent[0]
        return (len(self._recent) - 1) / span if span > 0 else float(len(self._recent))

    def _sending_time(self, now: float) -> float:
        """The clock with the pool's pauses cut out (it stands still while the pool is paused)."""
        return self._pause_began if now < self.paused_until else now - self._paused_total

    def accepted_rate(self) -> tuple[float, bool]:
        """Answers accepted per second over the pool's last :attr:`RATE_WINDOW` of sending (pauses left out).

        Returns (rate, whole window): a count over a shorter window is given per whole window
        (an underestimate, never more than the server granted in that second).
        """
        now = self._sending_time(self._clock())
        start = now - self.RATE_WINDOW
        since = self._first_sent if self._first_sent is not None else now
        accepted = 0
        for moment in reversed(self._accepted):
            if moment < start:
                break
            accepted += 1
        return accepted / self.RATE_WINDOW, since <= start

    def rate_limited_by_server(self, retry_after: float | None) -> float:
        """A 429 arrived: pause the pool, lower its rate; returns the pause (seconds).

        429s that answer requests already in flight when the first arrived
        are one refusal, not several: the rate is lowered once per pause.  A
        pool without a rate of its own (a live host) gets one: 70 % of the
        rate it was being asked at, Retry-After or not — after the wait it
        must not resume at the rate that was refused (unless it had sent too
        few requests for a rate to mean anything and was told how long to
        wait: then it waits).  Raises :class:`PoolRefusedError` when the server asks
        for a wait longer than the policy's cap: the pool is refused until then.
        """
        self.rate_limited += 1
        now = self._clock()
        refusal = now >= self.paused_until  # not a 429 answering a request sent before the pause began
        sent_rate = self.observed_rate()
        accepted, whole_window = self.accepted_rate()
        # A rate-less pool was refused at the rate the server stops accepting: what it accepted over
        # the last second, not the rate it was asked at (far above it with a few requests in flight).
        asked_rate = self.bucket.per_second if self.bucket is not None else sent_rate
        refused_rate = asked_rate if self.bucket is not None else min(sent_rate, max(accepted, 1.0))
        if self.bucket is not None and self.policy.per_second is None and whole_window:
            # A learnt rate (the policy named none): the server's grant over the last second is a better
            # measure of where it refuses than the rate the bucket allowed (a probe overshoots it).
            refused_rate = min(refused_rate, max(accepted, self.MIN_RATE))
        wait = self._pause_without_wait(asked_rate, refusal) if retry_after is None else retry_after
        self._answers_since_refusal = 0
        # A rate-less pool refused before it sent a few requests was refused for something other than
        # its rate (the server's own history, one URL's first answer): told how long, it only waits.
        knows_its_rate = self.bucket is not None or len(self._recent) >= self.RATE_SAMPLES or retry_after is None
        if self.policy.adaptive and knows_its_rate and refusal:
            if self.bucket is None and not whole_window:
                # Refused within its first second: the answers so far were the server's burst. Start at
                # what it accepted (at least one a second) and probe upwards; the next 429 settles it.
                # The answers still in flight that the server accepts count too (see answered).
                self._probe_base = accepted
                self.bucket = TokenBucket(PoolLimits(max(accepted, 1.0), 1), self._clock)
                self.ceiling = max(sent_rate, accepted) * 0.9
                self.probing = True
            else:
                self.probing = False
                lowered = max(refused_rate * self.DECREASE, self.MIN_RATE)
                self.ceiling = min(self.ceiling or refused_rate, refused_rate * 0.9)
                if self.bucket is None:
                    self.bucket = TokenBucket(PoolLimits(lowered, 1), self._clock)
                else:
                    self.bucket.set_rate(min(lowered, self.ceiling))
        if self.breaker is not None and refusal:
            # A named wait counts too: waited for forever, an endpoint granting nothing is down all the same.
            escalating = self.policy.first_pause_without_retry_after is not None and retry_after is None
            self.breaker.refused(
                at_cap=escalating and wait >= self.policy.pause_without_retry_after, named_wait=retry_after is not None
            )
            tripped = self.refusal()
            if tripped is not None:
                raise tripped
        if wait > self.policy.max_wait:
            self.refused_until = max(self.refused_until, now + wait)
            self.refused_why = (
                f"rate limited for {describe_wait(wait)} (Retry-After {wait:.0f} s is longer than the "
                f"{self.policy.max_wait:.0f} s we wait)"
            )
            raise PoolRefusedError(self.name, wait, self.refused_why)
        until = now + wait
        if until > self.paused_until:
            if now >= self.paused_until:  # a new pause
                self._pause_began = self._sending_time(now)
                self._paused_total += until - now
            else:  # the pause under way grows
                self._paused_total += until - self.paused_until
            self.paused_until = until
        if self.bucket is not None:
            self.bucket.pause(wait)
        return wait

    def _pause_without_wait(self, refused_rate: float, refusal: bool) -> float:
        """The pause for a 429 that names no wait: the policy's fixed pause, or the escalating one."""
        longest = self.policy.pause_without_retry_after
        first = self.policy.first_pause_without_retry_after
        if first is None:
            return longest
        if refusal or not self.pauses_in_a_row:
            if not self.pauses_in_a_row:
                # Two request intervals at the refused rate at least: a shorter pause would not skip one send.
                self._first_pause = min(longest, max(first, 2.0 / max(refused_rate, self.MIN_RATE)))
            self.pauses_in_a_row += 1
        return min(longest, self._first_pause * 2.0 ** max(self.pauses_in_a_row - 1, 0))

    def answered(self, failing: bool = False, url: str = "") -> None:
        """An answer without a 429 (to a request for ``url``): a lowered rate creeps back towards its ceiling.

        ``failing``: a server error (5xx), which the rate takes as an answer and the breaker as a failure.
        """
        if self.breaker is not None:
            if failing:
                self.breaker.failed(url)
            else:
                self.breaker.answered()
        self._answers_since_refusal += 1
        if self._answers_since_refusal >= self.ESCALATION_RESET:
            self.pauses_in_a_row = 0
        if self.policy.adaptive and self.policy.per_second is None:
            self._accepted.append(self._sending_time(self._clock()))
        if self.bucket is None or self.ceiling is None or not self.policy.adaptive:
            return
        current = self.bucket.per_second
        if self.probing and self._clock() < self.paused_until:
            # A request sent before the 429 that the server accepted: part of what it granted.
            self._probe_base += 1.0 / self.RATE_WINDOW
            self.bucket.set_rate(min(self.ceiling, max(self._probe_base, 1.0)))
        elif current < self.ceiling:
            step = current * self.PROBE_GROWTH if self.probing else self.ceiling * self.CLIMB
            self.bucket.set_rate(min(self.ceiling, current + step))

    def failed(self, url: str = "") -> None:
        """A request for ``url`` got no answer (a timeout, a reset, no connection): the breaker counts it."""
        if self.breaker is not None:
            self.breaker.failed(url)


class EndpointBreaker:
    """Declares an endpoint that refuses or fails every request *down* for the rest of the run.

    The pools of one endpoint (an archive's index, playback and probe pools)
    report to one breaker.  A *streak* is what came since the last answer the
    endpoint accepted: its refusals (429s; those answering requests already in
    flight count once, as the pause they caused) and its failures (a 5xx, a
    timeout, a reset, no connection), with the distinct URLs they concerned
    (the cited URL being looked up, see :func:`about`; else the request's).

    Refused (:attr:`EndpointOutage.rate_limited`) when a streak of at least
    :attr:`REFUSALS` refusals has lasted ``give_up_after`` seconds — 429s
    naming a wait count too: an endpoint naming short waits forever (Retry-After:
    1) grants nothing however patiently it is waited for — or, for 429s naming
    no wait, when the escalating pause reached its cap.

    Failing (:attr:`EndpointOutage.failing`) when a streak of at least
    :attr:`FAILURES` failures holds :attr:`URLS` distinct URLs that each failed
    twice (one bad URL, its retries and its index query, never trips the endpoint;
    nor does an archive failing one request in two, whose retries are answered) and

    * the endpoint has not accepted a single request this run (a storm from the
      start: given up however quickly it fails), or
    * the streak has lasted ``give_up_after`` seconds, or
    * it holds :attr:`FAILURES_ONCE_ANSWERED` failures (a storm begun mid-run
      that fails faster than ``give_up_after``).

    Then every pool of the endpoint is refused for the run (:meth:`Pool.refuse_for_run`).
    A server that answers in between — recovering, limiting its rate, or flapping
    between answers and errors — starts the streak again: it is never given up.

    A streak that holds all it takes but the time is looked at again when its
    ``give_up_after`` is up, not only at its next refusal or failure: the pools'
    rates fall at each refusal (to one request every ten seconds and less), so the
    next refusal could come long after — ``Retry-After: 1`` forever tripped at 28 s,
    not 20 s, its lookups waiting the whole while.
    """

    REFUSALS = 3  # refusals in a streak, at least: the endpoint was asked again after two pauses and refused
    FAILURES = 6  # failed requests in a streak, at least (two lookups' worth with the default retries)
    URLS = 3  # distinct URLs that failed twice in a failing streak, at least: the endpoint fails, not one URL on it
    # A streak this long trips an endpoint that answered earlier in the run without waiting for
    # give_up_after: an archive answering one request in two fails 24 in a row once in ~16 million.
    FAILURES_ONCE_ANSWERED = 24

    def __init__(
        self,
        name: str,
        give_up_after: float = 20.0,
        clock: Callable[[], float] = time.monotonic,
        schedule: Callable[[float, Callable[[], None]], Cancellable | None] | None = None,
    ) -> None:
        """``schedule(delay, callback)`` runs the callback ``delay`` seconds of ``clock`` later (default: on
        the running event loop, whose clock is :func:`time.monotonic`; with none, nothing is scheduled)."""
        self.name = name
        self.give_up_after = give_up_after
        self._clock = clock
        self._schedule = schedule or _call_later
        self._recheck: Cancellable | None = None  # the streak looked at again when give_up_after is up
        self._pools: list[Pool] = []
        self.refusals = 0
        self.waits_named = 0  # refusals of the streak that named a wait (and were waited for)
        self.failures = 0
        self.failed_urls: Counter[str] = Counter()  # the streak's failures per URL they concerned
        self.answers = 0  # answers accepted this run
        self._streak_began: float | None = None
        self.outage: EndpointOutage | None = None  # set when it trips
        self.why = ""

    @property
    def tripped(self) -> bool:
        return self.outage is not None

    def watch(self, pool: Pool) -> None:
        """Count ``pool``'s answers toward this endpoint (a pool made after the trip is refused at once)."""
        pool.breaker = self
        if pool not in self._pools:
            self._pools.append(pool)
        if self.outage is not None:
            pool.refuse_for_run(self.why)

    def answered(self) -> None:
        if self.outage is None:
            self.answers += 1
            self.refusals = self.waits_named = self.failures = 0
            self.failed_urls.clear()
            self._streak_began = None
            self._cancel_recheck()

    def refused(self, at_cap: bool = False, named_wait: bool = False) -> None:
        """A 429 began a pause (``named_wait``: its Retry-After, honoured; else the pool's own pause)."""
        self._lasted()
        self.refusals += 1
        self.waits_named += named_wait
        self._consider(at_cap)

    def failed(self, url: str = "") -> None:
        """A request about ``url`` failed (the URL being looked up, when one is, counts instead)."""
        self._lasted()
        self.failures += 1
        self.failed_urls[lookup_subject.get() or url] += 1
        self._consider(False)

    def _lasted(self) -> float:
        now = self._clock()
        if self._streak_began is None:
            self._streak_began = now
        return now - self._streak_began

    def _consider(self, at_cap: bool) -> None:
        if self.outage is not None:
            return
        lasted = self._lasted()
        long_enough = lasted >= self.give_up_after
        refusing = self.refusals >= self.REFUSALS
        failing = self.failures >= self.FAILURES and sum(count >= 2 for count in self.failed_urls.values()) >= self.URLS
        if not long_enough and (refusing or failing) and self._recheck is None:
            self._recheck = self._schedule(self.give_up_after - lasted, self._look_again)
        if refusing and (long_enough or at_cap):
            named = self.waits_named
            waits = (
                "naming no wait"
                if not named
                else "each naming a wait that was honoured"
                if named == self.refusals
                else f"{named} of them naming a wait that was honoured"
            )
            self.trip(
                EndpointOutage.rate_limited,
                f"429 to every request for {lasted:.0f} s, {self.refusals} refusals in a row {waits}",
            )
        elif failing and (not self.answers or long_enough or self.failures >= self.FAILURES_ONCE_ANSWERED):
            self.trip(
                EndpointOutage.failing,
                f"every request failed for {lasted:.0f} s, {self.failures} in a row on {len(self.failed_urls)}"
                " URLs (server errors, timeouts, broken connections)",
            )

    def _look_again(self) -> None:
        """``give_up_after`` is up for the streak the re-check was scheduled in (an answer since cancels it)."""
        self._recheck = None
        if self._streak_began is not None:
            self._consider(False)

    def close(self) -> None:
        """The lookups are over: a re-check still scheduled is dropped (nothing is asked of the endpoint now)."""
        self._cancel_recheck()

    def _cancel_recheck(self) -> None:
        if self._recheck is not None:
            self._recheck.cancel()
            self._recheck = None

    def trip(self, outage: EndpointOutage, why: str) -> None:
        """Declare the endpoint down for the run: every pool of it refuses its requests from now on."""
        if self.outage is not None:
            return
        self.outage = outage
        self.why = why
        self._cancel_recheck()
        for pool in self._pools:
            pool.refuse_for_run(why)


class Cancellable(Protocol):
    """What scheduling a callback returns (an :class:`asyncio.TimerHandle`)."""

    def cancel(self) -> None: ...


def _call_later(delay: float, callback: Callable[[], None]) -> Cancellable | None:
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # no loop (a caller outside asyncio): the streak is looked at on its next refusal
        return None
    return loop.call_later(delay, callback)


class PoolTable:
    """Every pool of one run, made on first use from the policy the settings give its name."""

    def __init__(
        self,
        policy_for: Callable[[str], PoolPolicy],
        clock: Callable[[], float] = time.monotonic,
        on_wait: Callable[[str, float], None] | None = None,
    ) -> None:
        self._policy_for = policy_for
        self._clock = clock
        self._on_wait = on_wait
        self._pools: dict[str, Pool] = {}

    def get(self, name: str) -> Pool:
        pool = self._pools.get(name)
        if pool is None:
            pool = self._pools[name] = Pool(name, self._policy_for(name), self._clock, self._on_wait)
        return pool

    def configure(self, name: str, policy: PoolPolicy) -> Pool:
        """Set the policy of a pool (replacing an unused one); an endpoint's own limits, e.g. Wikipedia's."""
        existing = self._pools.get(name)
        if existing is not None and existing.requests == 0:
            del self._pools[name]
        if name not in self._pools:
            self._pools[name] = Pool(name, policy, self._clock, self._on_wait)
        return self._pools[name]

    def __iter__(self) -> Iterator[Pool]:
        return iter(list(self._pools.values()))
