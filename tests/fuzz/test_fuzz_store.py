"""The store on any damage to its bytes: it opens (healing when it must), stores, and reads back — never a crash.

A real store (live check history, archive answers, source texts) is built
once; each example flips, zeroes, cuts, splices or appends bytes anywhere in
it — header, schema page, b-tree pages, cells — and then uses it the way the
resolve stage does.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from citecheck.models import LiveCheck, LiveStatus
from citecheck.resolve.live_history import LiveHistory
from citecheck.resolve.sources import SOURCE_SCHEMA
from citecheck.store import Store
from tests.fuzz.profile import FUZZ

pytestmark = pytest.mark.fuzz


@cache
def store_bytes() -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cache.sqlite"
        with Store(path) as store:
            history = LiveHistory(store)
            store.ensure_schema("source_texts", SOURCE_SCHEMA)
            moment = datetime(2025, 3, 2, tzinfo=UTC)
            for number in range(150):
                check = LiveCheck(status=LiveStatus.alive, http_status=200, checked_at=moment - timedelta(hours=number))
                history.record_and_confirm(f"https://example.org/{number}", check)
            # Force everything into the main file: the fuzzer mutates the database, not a write-ahead log.
            store.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            store.execute("PRAGMA journal_mode=DELETE")
        return path.read_bytes()


mutation = st.one_of(
    st.tuples(st.just("flip"), st.integers(0, 10**6), st.integers(1, 255)),
    st.tuples(st.just("zero"), st.integers(0, 10**6), st.integers(1, 8192)),
    st.tuples(st.just("cut"), st.integers(0, 10**6), st.just(0)),
    st.tuples(st.just("splice"), st.integers(0, 10**6), st.integers(1, 4096)),
    st.tuples(st.just("append"), st.just(0), st.integers(1, 8192)),
)


def mutate(data: bytes, mutations: list[tuple[str, int, int]], noise: bytes) -> bytes:
    buffer = bytearray(data)
    for kind, where, size in mutations:
        offset = where % max(len(buffer), 1)
        if kind == "flip" and buffer:
            buffer[offset] ^= size
        elif kind == "zero":
            buffer[offset : offset + size] = bytes(len(buffer[offset : offset + size]))
        elif kind == "cut":
            del buffer[offset:]
        elif kind == "splice":
            buffer[offset : offset + size] = (noise * (size // max(len(noise), 1) + 1))[:size]
        else:
            buffer += (noise or b"\x00") * (size // max(len(noise), 1))
    return bytes(buffer)


@FUZZ
@given(mutations=st.lists(mutation, min_size=1, max_size=4), noise=st.binary(min_size=1, max_size=64))
@example(mutations=[("flip", 60, 1)], noise=b"\x00")  # user_version 16777217: damage, not a newer citecheck
@example(mutations=[("flip", 62, 1)], noise=b"\x00")  # user_version 257: the store still records format 1
def test_a_mutated_store_opens_stores_and_reads(mutations: list[tuple[str, int, int]], noise: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cache.sqlite"
        path.write_bytes(mutate(store_bytes(), mutations, noise))
        with Store(path) as store:
            history = LiveHistory(store)
            for number in (0, 7, 149):  # what an audit reads first: earlier checks of its URLs
                history.recent(f"https://example.org/{number}")
            check = LiveCheck(status=LiveStatus.dead, http_status=404, checked_at=datetime.now(UTC))
            history.record_and_confirm("https://example.org/new", check)
            assert history.recent("https://example.org/new") is not None
