"""A deadline for calls that must not hang: a hang fails the test instead of stalling the suite."""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable
from typing import TypeVar

import pytest

DEADLINE_S = 60
T = TypeVar("T")


def within_deadline(call: Callable[[], T], seconds: float = DEADLINE_S) -> T:
    """``call()``, failing the test (a hang) when it takes longer than ``seconds``."""
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    future = pool.submit(call)
    try:
        return future.result(timeout=seconds)
    except concurrent.futures.TimeoutError:
        pytest.fail(f"hang: no answer within {seconds} s")
    finally:
        pool.shutdown(wait=False)
