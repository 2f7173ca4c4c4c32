"""A stored live result is reused within its freshness window, whole, and only when it says something."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from citecheck.models import LiveCheck, LiveStatus
from citecheck.resolve.live_history import DEFAULT_FRESH_FOR, NOT_REUSABLE_OFFLINE, LiveHistory
from citecheck.store import Store

URL = "https://news.example/2011/story"
NOON = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


def _check(status: LiveStatus, at: datetime = NOON, http_status: int | None = 200) -> LiveCheck:
    return LiveCheck(status=status, http_status=http_status, checked_at=at, evidence=[f"HTTP {http_status}"])


def test_recent_returns_the_whole_result_within_the_window(tmp_path: Path) -> None:
    with Store(tmp_path / "cache.sqlite") as store:
        history = LiveHistory(store)
        stored = history.record_and_confirm(URL, _check(LiveStatus.dead, http_status=404))
        assert history.recent(URL, now=NOON + timedelta(hours=2)) == stored
        assert any("unconfirmed" in item for item in stored.evidence)  # the confirmed form is what is kept
        assert history.recent(URL, now=NOON + DEFAULT_FRESH_FOR + timedelta(minutes=1)) is None
        assert history.recent(URL, max_age=timedelta(hours=1), now=NOON + timedelta(hours=2)) is None
        assert history.recent("https://news.example/other", now=NOON) is None


def test_inconclusive_results_are_asked_again(tmp_path: Path) -> None:
    with Store(tmp_path / "cache.sqlite") as store:
        history = LiveHistory(store)
        for status in (LiveStatus.unreachable, LiveStatus.not_checked):
            history.record_and_confirm(URL, _check(status, http_status=None))
            assert history.recent(URL, now=NOON + timedelta(minutes=5)) is None
        history.record_and_confirm(URL, _check(LiveStatus.blocked, http_status=403))
        reused = history.recent(URL, now=NOON + timedelta(minutes=5))
        assert reused is not None and reused.status is LiveStatus.blocked


def test_offline_the_last_unreachable_answer_stands_but_not_checked_is_no_answer(tmp_path: Path) -> None:
    """An offline run asks nothing again: it reuses an ``unreachable`` result (never a ``not-checked`` one)."""
    with Store(tmp_path / "cache.sqlite") as store:
        history = LiveHistory(store)
        unreachable = history.record_and_confirm(URL, _check(LiveStatus.unreachable, http_status=503))
        assert history.recent(URL, now=NOON + timedelta(minutes=5), skip=NOT_REUSABLE_OFFLINE) == unreachable
        history.record_and_confirm(URL, _check(LiveStatus.not_checked, http_status=None))
        assert history.recent(URL, now=NOON + timedelta(minutes=5), skip=NOT_REUSABLE_OFFLINE) is None


def test_latest_result_replaces_the_previous_one(tmp_path: Path) -> None:
    with Store(tmp_path / "cache.sqlite") as store:
        history = LiveHistory(store)
        history.record_and_confirm(URL, _check(LiveStatus.alive))
        later = NOON + timedelta(hours=1)
        history.record_and_confirm(URL, _check(LiveStatus.dead, at=later, http_status=410))
        reused = history.recent(URL, now=later + timedelta(minutes=1))
        assert reused is not None and reused.http_status == 410
        assert len(history.entries(URL)) == 2  # the history keeps both; the latest table one


def test_a_result_from_the_future_is_not_trusted(tmp_path: Path) -> None:
    with Store(tmp_path / "cache.sqlite") as store:
        history = LiveHistory(store)
        history.record_and_confirm(URL, _check(LiveStatus.alive, at=NOON + timedelta(days=1)))
        assert history.recent(URL, now=NOON) is None


def test_a_store_from_before_the_latest_table_gains_it(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    connection = sqlite3.connect(path)
    connection.executescript(
        "CREATE TABLE live_check_history (url TEXT NOT NULL, checked_at TEXT NOT NULL, status TEXT NOT NULL,"
        " http_status INTEGER);"
        f"INSERT INTO live_check_history VALUES ('{URL}', '{NOON.isoformat()}', 'dead', 404);"
    )
    connection.close()
    with Store(path) as store:
        history = LiveHistory(store)
        assert history.recent(URL, now=NOON) is None  # only the counts were kept then: nothing to reuse
        history.record_and_confirm(URL, _check(LiveStatus.dead, at=NOON + timedelta(days=4), http_status=404))
        assert len(history.entries(URL)) == 2
