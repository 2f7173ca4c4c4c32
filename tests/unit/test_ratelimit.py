"""Token buckets: rates, 429 pauses, queue priority and the estimates the resolver reads."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable

import pytest

from citecheck.models import EndpointOutage
from citecheck.resolve.politeness import (
    EndpointBreaker,
    Pool,
    PoolLimits,
    PoolPolicy,
    PoolRefusedError,
    TokenBucket,
    about,
    continuing,
)


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


def test_an_idle_bucket_can_send_and_expects_no_wait() -> None:
    bucket = TokenBucket(PoolLimits(0.4, burst=2))
    assert bucket.can_send_now() and bucket.expected_wait() == 0.0
    bucket.pause(60.0)
    assert not bucket.can_send_now() and bucket.expected_wait() >= 59


# --------------------------------------------------------------------------- pools: 429s, adaptive rates, caps


async def test_a_429_pauses_every_request_of_the_pool() -> None:
    pool = Pool("host:a", PoolPolicy(concurrency=4, per_second=100.0, burst=10))
    assert pool.rate_limited_by_server(0.2) == 0.2
    started = time.monotonic()
    async with pool.slot():
        pass
    assert time.monotonic() - started >= 0.19


def test_after_a_429_the_rate_drops_and_never_climbs_back_to_the_refused_rate() -> None:
    pool = Pool("archive:x:playback", PoolPolicy(concurrency=4, per_second=8.0, burst=8))
    pool.rate_limited_by_server(0.0)
    assert pool.per_second == pytest.approx(8.0 * Pool.DECREASE)  # multiplicative decrease
    pool.answered()
    assert pool.per_second == pytest.approx(8.0 * Pool.DECREASE + 8.0 * 0.9 * Pool.CLIMB)  # additive increase
    for _ in range(10_000):
        pool.answered()
    assert pool.per_second is not None and pool.per_second <= 8.0 * 0.9 + 1e-9
    assert pool.per_second > 8.0 * Pool.DECREASE  # it did climb back, slowly


def test_a_pool_without_a_rate_gets_one_from_a_429_that_names_no_wait() -> None:
    pool = Pool("host:b", PoolPolicy(concurrency=2, pause_without_retry_after=0.0))
    assert pool.per_second is None
    pool.rate_limited_by_server(None)
    assert pool.per_second is not None and pool.per_second > 0


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def _send_and_answer(pool: Pool, clock: _Clock, count: int, per_second: float) -> None:
    """``count`` requests through a rate-less pool's slots at ``per_second``, each answered without a 429."""
    for _ in range(count):
        async with pool.slot():
            pass
        pool.answered()
        clock.now += 1.0 / per_second


def _answers(pool: Pool, clock: _Clock, count: int, per_second: float) -> None:
    """``count`` answers without a 429 at ``per_second`` (a pool with a bucket: its sends are not simulated)."""
    for _ in range(count):
        pool.answered()
        clock.now += 1.0 / per_second


async def test_a_pool_told_how_long_to_wait_also_gets_a_rate_below_the_refused_one() -> None:
    clock = _Clock()
    pool = Pool("host:b", PoolPolicy(concurrency=2), clock)
    await _send_and_answer(pool, clock, 16, 8.0)  # two seconds at eight requests a second, all accepted
    pool.rate_limited_by_server(0.0)
    assert pool.per_second == pytest.approx(8.0 * Pool.DECREASE)
    assert pool.ceiling == pytest.approx(8.0 * 0.9)
    assert not pool.probing


async def test_a_rate_less_pool_takes_its_rate_from_the_answers_accepted_not_the_requests_sent() -> None:
    """Eight in flight on a fast link ask far above the server's limit: its grant over the last second is the rate."""
    clock = _Clock()
    pool = Pool("archive:self:playback", PoolPolicy(concurrency=8), clock)
    await _send_and_answer(pool, clock, 32, 16.0)  # two seconds granted at 16/s ...
    for _ in range(40):  # ... then asked at 256/s, refused
        async with pool.slot():
            pass
        clock.now += 1.0 / 256
    assert pool.observed_rate() > 20
    pool.rate_limited_by_server(1.0)
    accepted = 13.0  # the answers of the last second of sending (16/s, less the 156 ms of refused sends)
    assert pool.per_second == pytest.approx(accepted * Pool.DECREASE)
    assert pool.ceiling == pytest.approx(accepted * 0.9)


async def test_a_pool_refused_in_its_first_second_starts_at_what_was_accepted_and_probes_upwards() -> None:
    clock = _Clock()
    pool = Pool("archive:self:playback", PoolPolicy(concurrency=8), clock)
    await _send_and_answer(pool, clock, 4, 256.0)  # the server's burst of 4, answered at once
    for _ in range(4):  # four more in flight: refused
        async with pool.slot():
            pass
    pool.rate_limited_by_server(1.0)
    assert pool.probing
    assert pool.per_second == pytest.approx(4.0)
    assert pool.ceiling is not None and pool.ceiling < pool.observed_rate()  # never back at the refused rate
    pool.answered()  # an answer to a request sent before the 429, accepted during the pause: granted too
    assert pool.per_second == pytest.approx(5.0)
    clock.now += 1.0  # the pause is over
    for _ in range(10):
        pool.answered()
    assert pool.per_second == pytest.approx(5.0 * (1 + Pool.PROBE_GROWTH) ** 10)
    # The next 429 ends the probe: the rate settles below the server's grant over the last second.
    _answers(pool, clock, 40, 32.0)
    rate = pool.per_second
    accepted, whole = pool.accepted_rate()
    assert whole and rate is not None and accepted < rate  # the probe overshot what the server grants
    pool.rate_limited_by_server(1.0)
    assert not pool.probing
    assert pool.per_second == pytest.approx(accepted * Pool.DECREASE)
    assert pool.ceiling == pytest.approx(accepted * 0.9)
    clock.now += 1.0
    for _ in range(1000):
        pool.answered()
    assert pool.per_second == pytest.approx(accepted * 0.9)  # climbs back to the ceiling, never above


async def test_pauses_are_left_out_of_the_window_answers_are_counted_over() -> None:
    clock = _Clock()
    pool = Pool("host:p", PoolPolicy(concurrency=2, pause_without_retry_after=5.0), clock)
    await _send_and_answer(pool, clock, 32, 32.0)
    pool.rate_limited_by_server(None)  # a rate learnt, then a pause of 5 s
    clock.now += 5.0
    _answers(pool, clock, 16, 32.0)  # half a second of answers after the pause
    accepted, whole = pool.accepted_rate()
    assert whole
    assert accepted == pytest.approx(32.0)  # 16 after the pause and 16 before it: the pause is cut out


async def test_a_wait_beyond_the_cap_refuses_the_pool_with_the_reason() -> None:
    pool = Pool("host:c", PoolPolicy(max_wait=120.0))
    try:
        pool.rate_limited_by_server(86400.0)
    except PoolRefusedError as error:
        assert "24 h" in error.why
    else:
        raise AssertionError("a day's wait must not be waited for")
    started = time.monotonic()
    try:
        async with pool.slot():
            raise AssertionError("a refused pool must not hand out slots")
    except PoolRefusedError as error:
        assert error.seconds > 86000
    assert time.monotonic() - started < 0.1


def test_a_pool_refused_on_its_first_requests_and_told_how_long_only_waits() -> None:
    pool = Pool("host:d", PoolPolicy(concurrency=2))
    pool._recent.append(0.0)  # one request sent: no rate was refused, the server had its reasons
    pool.rate_limited_by_server(0.0)
    assert pool.per_second is None


# --------------------------------------------------------------------------- 429s that name no wait (IA's)


def _escalating(clock: _Clock, per_second: float = 8.0) -> Pool:
    policy = PoolPolicy(
        concurrency=8,
        per_second=per_second,
        burst=8,
        pause_without_retry_after=60.0,
        first_pause_without_retry_after=1.0,
    )
    return Pool("archive:ia:playback", policy, clock)


def test_429s_naming_no_wait_pause_briefly_then_twice_as_long_each_time_up_to_the_cap() -> None:
    clock = _Clock()
    pool = _escalating(clock)
    pauses = []
    for _ in range(9):
        pauses.append(pool.rate_limited_by_server(None))
        clock.now = pool.paused_until + 0.01  # the next refusal comes after the pause
    # Two intervals at the refused rate at least (8/s: 0.25 s, so the 1 s floor), then doubling.
    assert pauses[:7] == [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 60.0]
    assert pauses[7:] == [60.0, 60.0]  # never beyond pause_without_retry_after


def test_every_refusal_lowers_the_rate_so_the_pool_never_resumes_at_a_refused_rate() -> None:
    clock = _Clock()
    pool = _escalating(clock)
    rates = [pool.per_second]
    for _ in range(3):
        pool.rate_limited_by_server(None)
        rates.append(pool.per_second)
        clock.now = pool.paused_until + 0.01
    assert all(
        later is not None and earlier is not None and later < earlier for earlier, later in itertools.pairwise(rates)
    )
    assert pool.ceiling is not None and pool.ceiling <= 8.0 * 0.9


def test_429s_in_flight_during_a_pause_are_one_refusal_not_an_escalation() -> None:
    clock = _Clock()
    pool = _escalating(clock)
    assert pool.rate_limited_by_server(None) == 1.0
    rate = pool.per_second
    clock.now += 0.1  # answers to requests sent before the pause began
    assert pool.rate_limited_by_server(None) == 1.0
    assert pool.rate_limited_by_server(None) == 1.0
    assert pool.per_second == rate and pool.pauses_in_a_row == 1


def test_a_run_of_answers_starts_the_escalation_again() -> None:
    clock = _Clock()
    pool = _escalating(clock)
    pool.rate_limited_by_server(None)
    clock.now = pool.paused_until + 0.01
    assert pool.rate_limited_by_server(None) == 2.0
    clock.now = pool.paused_until + 0.01
    for _ in range(Pool.ESCALATION_RESET - 1):
        pool.answered()
    assert pool.pauses_in_a_row == 2  # not yet: a few answers between refusals are still a streak
    pool.answered()
    assert pool.rate_limited_by_server(None) == 1.0


def test_a_slow_pool_pauses_at_least_two_of_its_intervals() -> None:
    clock = _Clock()
    pool = _escalating(clock, per_second=0.4)  # IA's index: one request every 2.5 s
    assert pool.rate_limited_by_server(None) == pytest.approx(5.0)


def test_a_retry_after_is_honoured_as_given_and_does_not_escalate() -> None:
    clock = _Clock()
    pool = _escalating(clock)
    assert pool.rate_limited_by_server(7.0) == 7.0
    assert pool.paused_until == pytest.approx(clock.now + 7.0)
    assert pool.pauses_in_a_row == 0


def test_without_an_escalating_policy_a_429_naming_no_wait_pauses_the_whole_default() -> None:
    pool = Pool("archive:other", PoolPolicy(per_second=8.0, pause_without_retry_after=30.0), _Clock())
    assert pool.rate_limited_by_server(None) == 30.0


# --------------------------------------------------------------------------- the breaker


def _watched(clock: _Clock, give_up_after: float = 10.0) -> tuple[EndpointBreaker, Pool, Pool]:
    breaker = EndpointBreaker("ia", give_up_after, clock)
    playback, index = _escalating(clock), Pool("archive:ia:index", PoolPolicy(per_second=0.4), clock)
    breaker.watch(playback)
    breaker.watch(index)
    return breaker, playback, index


def _refuse(pool: Pool, clock: _Clock, retry_after: float | None = None) -> None:
    pool.rate_limited_by_server(retry_after)
    clock.now = pool.paused_until + 0.01  # the next request goes out after the pause


def test_refusals_naming_no_wait_trip_the_breaker_once_the_streak_has_lasted() -> None:
    clock = _Clock()
    breaker, playback, index = _watched(clock)
    for _ in range(4):  # pauses of 1, 2, 4 and 8 s: 7 s of refusals, not yet 10
        _refuse(playback, clock)
    assert not breaker.tripped and playback.refusal() is None
    with pytest.raises(PoolRefusedError):
        playback.rate_limited_by_server(None)  # 15 s: given up, this request too
    assert breaker.outage is EndpointOutage.rate_limited
    assert "429 to every request" in breaker.why
    # Every pool of the endpoint is refused for the rest of the run, one made later too.
    for pool in (playback, index):
        refused = pool.refusal()
        assert refused is not None and refused.seconds == float("inf")
    later = Pool("archive:ia:probe", PoolPolicy(), clock)
    breaker.watch(later)
    assert later.refusal() is not None


def test_an_answer_between_refusals_starts_the_streak_again() -> None:
    clock = _Clock()
    breaker, playback, _index = _watched(clock, give_up_after=1.0)
    for _ in range(20):
        _refuse(playback, clock)
        _refuse(playback, clock)
        playback.answered()
    assert not breaker.tripped


def test_refusals_naming_a_wait_trip_the_breaker_once_waited_for_as_long_while_the_rate_keeps_falling() -> None:
    """Retry-After: 2 forever: each wait honoured, the rate lowered each time, and given up after 10 s of it."""
    clock = _Clock()
    breaker, playback, _index = _watched(clock, give_up_after=10.0)
    rates = []
    for _ in range(5):  # 0 … 8 s into the streak
        _refuse(playback, clock, retry_after=2.0)
        assert playback.paused_until - clock.now < 0  # the wait named was the pause
        rates.append(playback.per_second)
    assert not breaker.tripped and playback.refusal() is None
    assert all(later < earlier for earlier, later in itertools.pairwise(rates))
    with pytest.raises(PoolRefusedError):
        playback.rate_limited_by_server(2.0)  # 10 s of nothing but waits: given up, this request too
    assert breaker.outage is EndpointOutage.rate_limited
    assert "each naming a wait that was honoured" in breaker.why


def test_refusals_naming_a_wait_between_answers_never_trip_the_breaker() -> None:
    clock = _Clock()
    breaker, playback, _index = _watched(clock, give_up_after=1.0)
    for _ in range(20):
        _refuse(playback, clock, retry_after=5.0)
        _refuse(playback, clock, retry_after=5.0)
        playback.answered()
    assert not breaker.tripped and playback.refusal() is None


def test_an_escalating_pause_at_its_cap_trips_the_breaker_however_patient_it_is() -> None:
    clock = _Clock()
    breaker, playback, _index = _watched(clock, give_up_after=1e9)
    pauses = []
    with pytest.raises(PoolRefusedError):
        for _ in range(10):
            pauses.append(playback.rate_limited_by_server(None))
            clock.now = playback.paused_until + 0.01
    assert pauses == [1.0, 2.0, 4.0, 8.0, 16.0, 32.0]  # the seventh would have paused the whole 60 s
    assert breaker.outage is EndpointOutage.rate_limited


def test_server_errors_and_failed_requests_across_urls_trip_the_breaker_as_failing_after_a_while() -> None:
    clock = _Clock()
    breaker, playback, index = _watched(clock, give_up_after=5.0)
    playback.answered()  # the endpoint worked earlier in the run
    for number in range(EndpointBreaker.FAILURES):
        playback.answered(failing=True, url=f"http://archive/web/{number}")
        index.failed(f"http://archive/web/{number}")  # the same URL asked again: it failed twice
    assert not breaker.tripped  # many, but all at once: not yet a while
    clock.now += 5.0
    playback.answered(failing=True, url="http://archive/web/last")
    assert breaker.outage is EndpointOutage.failing
    assert index.refusal() is not None


def test_a_storm_of_server_errors_trips_at_once_when_the_endpoint_never_answered() -> None:
    """No time passes: the endpoint failed every request it was asked, on several URLs, and answered none."""
    clock = _Clock()
    breaker, playback, _index = _watched(clock, give_up_after=1e9)
    for number in range(EndpointBreaker.FAILURES):  # many failures, but on fewer URLs than it takes
        playback.answered(failing=True, url=f"http://archive/web/{number % (EndpointBreaker.URLS - 1)}")
    assert not breaker.tripped
    playback.answered(failing=True, url="http://archive/web/another")
    assert not breaker.tripped  # a URL that failed once may answer its retry (an archive failing one request in two)
    playback.answered(failing=True, url="http://archive/web/another")
    assert breaker.outage is EndpointOutage.failing
    assert f"on {EndpointBreaker.URLS} URLs" in breaker.why


def test_a_long_storm_trips_an_endpoint_that_answered_earlier_without_waiting_for_the_patience() -> None:
    clock = _Clock()
    breaker, playback, _index = _watched(clock, give_up_after=1e9)
    playback.answered()
    for number in range(EndpointBreaker.FAILURES_ONCE_ANSWERED - 1):
        playback.answered(failing=True, url=f"http://archive/web/{number % 4}")
    assert not breaker.tripped
    playback.answered(failing=True, url="http://archive/web/last")
    assert breaker.outage is EndpointOutage.failing


def test_one_failing_url_never_trips_the_endpoint_however_often_or_long_it_fails() -> None:
    """Its retries, its playback and its index query are one URL's (see about): the endpoint is not down."""
    clock = _Clock()
    breaker, playback, index = _watched(clock, give_up_after=1.0)
    with about("http://cited.example/page"):
        for number in range(EndpointBreaker.FAILURES_ONCE_ANSWERED * 2):
            playback.answered(failing=True, url=f"http://archive/web/{number}/http://cited.example/page")
            index.failed("http://archive/cdx?url=cited.example/page")
            clock.now += 1.0
    assert not breaker.tripped and set(breaker.failed_urls) == {"http://cited.example/page"}


@pytest.mark.parametrize(
    "failures_between_answers", [1, 2, EndpointBreaker.FAILURES - 1, EndpointBreaker.FAILURES_ONCE_ANSWERED - 1]
)
def test_a_flapping_endpoint_that_answers_between_its_failures_is_never_given_up(failures_between_answers: int) -> None:
    """However quickly it fails, on however many URLs: fewer failures in a row than a storm takes."""
    clock = _Clock()
    breaker, playback, index = _watched(clock, give_up_after=1.0)
    if failures_between_answers >= EndpointBreaker.FAILURES:
        playback.answered()  # it answered first (failing this often from the start, it would be a storm)
    urls = (f"http://archive/web/{number}" for number in itertools.count())
    for _ in range(50):
        for number in range(failures_between_answers):
            (playback if number % 2 else index).failed(next(urls))
            clock.now += 0.01  # far quicker than the patience
        playback.answered()
    assert not breaker.tripped


class _Timers:
    """A breaker's scheduler under a fake clock: what was scheduled, run by hand."""

    def __init__(self) -> None:
        self.scheduled: list[_Timer] = []

    def __call__(self, delay: float, callback: Callable[[], None]) -> _Timer:
        timer = _Timer(delay, callback)
        self.scheduled.append(timer)
        return timer


class _Timer:
    def __init__(self, delay: float, callback: Callable[[], None]) -> None:
        self.delay, self.callback, self.cancelled = delay, callback, False

    def cancel(self) -> None:
        self.cancelled = True


def _scheduled(clock: _Clock, give_up_after: float) -> tuple[EndpointBreaker, Pool, _Timers]:
    timers = _Timers()
    breaker = EndpointBreaker("ia", give_up_after, clock, schedule=timers)
    playback = _escalating(clock)
    breaker.watch(playback)
    return breaker, playback, timers


def test_a_refusing_streak_is_given_up_when_its_patience_is_up_not_at_a_later_refusal() -> None:
    """Retry-After: 1 forever at a falling rate: the third refusal comes 14 s in, the fourth would come
    long after 20 s; the streak is looked at again at 20 s and given up then."""
    clock = _Clock()
    breaker, playback, timers = _scheduled(clock, give_up_after=20.0)
    began = clock.now
    for moment in (0.0, 2.0):
        clock.now = began + moment
        playback.rate_limited_by_server(1.0)
    assert timers.scheduled == []  # two refusals: not yet all it takes but the time
    clock.now = began + 14.0
    playback.rate_limited_by_server(1.0)
    [timer] = timers.scheduled
    assert timer.delay == pytest.approx(6.0) and not breaker.tripped
    clock.now = began + 20.0
    timer.callback()
    assert breaker.outage is EndpointOutage.rate_limited
    assert "429 to every request for 20 s, 3 refusals" in breaker.why
    assert playback.refusal() is not None
    assert timers.scheduled == [timer]  # one re-check per streak


def test_an_answer_before_the_patience_is_up_cancels_the_re_check() -> None:
    clock = _Clock()
    breaker, playback, timers = _scheduled(clock, give_up_after=20.0)
    for _ in range(EndpointBreaker.REFUSALS):
        _refuse(playback, clock, retry_after=1.0)
    [timer] = timers.scheduled
    playback.answered()
    assert timer.cancelled
    clock.now += 20.0
    timer.callback()  # had it run all the same, the streak it was for is over
    assert not breaker.tripped and playback.refusal() is None


def test_a_closed_breaker_drops_its_re_check() -> None:
    clock = _Clock()
    breaker, playback, timers = _scheduled(clock, give_up_after=20.0)
    for _ in range(EndpointBreaker.REFUSALS):
        _refuse(playback, clock, retry_after=1.0)
    breaker.close()
    assert [timer.cancelled for timer in timers.scheduled] == [True]


def test_a_failing_streak_of_an_endpoint_that_answered_earlier_is_given_up_when_its_patience_is_up() -> None:
    clock = _Clock()
    breaker, playback, timers = _scheduled(clock, give_up_after=5.0)
    playback.answered()
    for number in range(EndpointBreaker.FAILURES):
        playback.failed(f"http://archive/web/{number % EndpointBreaker.URLS}")
        clock.now += 0.1
    [timer] = timers.scheduled
    assert timer.delay == pytest.approx(5.0 - 0.1 * (EndpointBreaker.FAILURES - 1)) and not breaker.tripped
    clock.now += timer.delay
    timer.callback()
    assert breaker.outage is EndpointOutage.failing


async def test_the_re_check_wakes_requests_waiting_for_a_token_of_a_lowered_rate() -> None:
    """On the event loop (the default scheduler): a request waiting ~100 s for its token fails when the
    endpoint is given up, a fraction of a second in, not when the token comes."""
    breaker = EndpointBreaker("archive", give_up_after=0.2)
    pool = Pool("archive:x:playback", PoolPolicy(per_second=0.01, burst=1))
    breaker.watch(pool)
    async with pool.slot():  # the one token of the burst
        pass
    for _ in range(EndpointBreaker.REFUSALS):
        pool.rate_limited_by_server(0.001)
        await asyncio.sleep(0.002)  # past the pause: the next 429 is a refusal of its own

    async def one_more_request() -> None:
        async with pool.slot():
            pass

    with pytest.raises(PoolRefusedError):
        await asyncio.wait_for(one_more_request(), timeout=30.0)
    assert breaker.outage is EndpointOutage.rate_limited


def test_pools_without_a_breaker_count_nothing() -> None:
    clock = _Clock()
    pool = _escalating(clock)
    for _ in range(10):
        pool.answered(failing=True)
        pool.failed()
        _refuse(pool, clock)
    assert pool.refusal() is None


async def test_a_trip_wakes_the_requests_waiting_in_a_pause_and_for_a_token() -> None:
    breaker = EndpointBreaker("slow", 20.0)
    paused = Pool("archive:slow:index", PoolPolicy(per_second=100.0))
    starved = Pool("archive:slow:playback", PoolPolicy(per_second=0.01, burst=1))  # one token per 100 s
    breaker.watch(paused)
    breaker.watch(starved)
    paused.rate_limited_by_server(100.0)  # told to wait 100 s
    async with starved.slot():
        pass  # the only token

    async def one(pool: Pool) -> None:
        async with pool.slot():
            pass

    waiting = [asyncio.create_task(one(pool)) for pool in (paused, starved)]
    await asyncio.sleep(0.05)
    assert not any(task.done() for task in waiting)
    breaker.trip(EndpointOutage.rate_limited, "refusing us")
    outcomes = await asyncio.wait_for(asyncio.gather(*waiting, return_exceptions=True), 10)  # a guard, not a timing
    assert all(isinstance(outcome, PoolRefusedError) for outcome in outcomes)
