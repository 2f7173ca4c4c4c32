"""Web dates (access, archive, capture) outside 1990 … today + 1 year are data errors, not crashes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from citecheck.dates import (
    EARLIEST_WEB_DATE,
    PartialDate,
    is_plausible_web_date,
    latest_web_date,
    parse_date,
    web_date_problem,
)

TODAY = date(2026, 12, 2)


@pytest.mark.parametrize(
    "value",
    [
        date(1990, 1, 1),
        date(2011, 5, 8),
        TODAY,
        date(2027, 12, 2),
        datetime(2013, 11, 5, 10, 30, tzinfo=UTC),
        datetime(2013, 11, 5, 10, 30),  # naive: UTC
        PartialDate(year=1990),
        PartialDate(year=2027, month=12),
        parse_date("Spring 2010"),
    ],
)
def test_plausible_web_dates(value: date | datetime | PartialDate) -> None:
    assert web_date_problem(value, today=TODAY) is None
    assert is_plausible_web_date(value, today=TODAY)


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (date(1989, 12, 31), "before 1990"),
        (PartialDate(year=1985, month=3), "before 1990"),
        (date(2027, 12, 3), "after 2027-12-02"),
        (datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC), "after 2027-12-02"),
        (datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone(timedelta(hours=-5))), "after"),  # no OverflowError
        (datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=5))), "before 1990"),
        (PartialDate(year=2099), "after"),
    ],
)
def test_implausible_web_dates_say_why(value: date | datetime | PartialDate, words: str) -> None:
    problem = web_date_problem(value, what="archive date", today=TODAY)
    assert problem is not None and problem.startswith("archive date ") and words in problem
    assert "\n" not in problem
    assert not is_plausible_web_date(value, today=TODAY)


def test_bounds() -> None:
    assert date(1990, 1, 1) == EARLIEST_WEB_DATE
    assert latest_web_date(date(2028, 2, 29)) == date(2029, 2, 28)
    assert latest_web_date() >= datetime.now(UTC).date() + timedelta(days=365)
