"""The resolve stage's URL window: every URL started in plan order, a bounded number at once, failures raised."""

from __future__ import annotations

import asyncio

import pytest

from citecheck.resolve.plan import UrlWork
from citecheck.resolve.stage import _in_window


def _works(count: int) -> list[UrlWork]:
    return [UrlWork(f"https://example.org/{n}", True, (), (), True, ()) for n in range(count)]


def test_the_window_bounds_the_urls_in_flight_and_starts_them_in_order() -> None:
    started: list[str] = []
    running = 0
    most = 0

    async def one(work: UrlWork) -> None:
        nonlocal running, most
        started.append(work.url)
        running += 1
        most = max(most, running)
        await asyncio.sleep(0.001 * (len(started) % 3))
        running -= 1

    works = _works(50)
    asyncio.run(_in_window(works, one, 7))
    assert started == [work.url for work in works]
    assert most == 7


def test_a_failure_is_raised_and_the_rest_cancelled() -> None:
    finished: list[str] = []

    async def one(work: UrlWork) -> None:
        if work.url.endswith("/3"):
            raise RuntimeError("a bug in one URL")
        await asyncio.sleep(0.05)
        finished.append(work.url)

    with pytest.raises(RuntimeError, match="a bug in one URL"):
        asyncio.run(_in_window(_works(40), one, 5))
    assert len(finished) < 40
