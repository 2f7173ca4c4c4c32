"""references.validation: the shortcut for plausible dates agrees with web_date_problem at every boundary."""

from __future__ import annotations

from datetime import date

import pytest

from citecheck.dates import PartialDate, latest_web_date, web_date_problem
from citecheck.references.validation import _plausible

TODAYS = [date(2026, 12, 4), date(2024, 2, 29), date(2025, 1, 1), date(2025, 12, 31)]


def _partial_dates(limit: date) -> list[PartialDate]:
    dates: list[PartialDate] = []
    for year in (1988, 1989, 1990, 1991, 2000, limit.year - 2, limit.year - 1, limit.year, limit.year + 1):
        dates.append(PartialDate(year=year))
        dates.append(PartialDate(year=year, approximate=True))
        for month in (1, 2, 11, 12, 21, 24):
            dates.append(PartialDate(year=year, month=month))
        for month, day in ((1, 1), (2, 28), (limit.month, limit.day), (12, 31)):
            dates.append(PartialDate(year=year, month=month, day=day))
    return dates


@pytest.mark.parametrize("today", TODAYS)
def test_plausible_is_web_date_problem_finding_nothing(today: date) -> None:
    limit = latest_web_date(today)
    for value in _partial_dates(limit):
        assert _plausible(value, limit) == (web_date_problem(value, today=today) is None), value


def test_only_partial_dates_are_told_plausible_without_the_full_check() -> None:
    assert not _plausible(date(2010, 1, 1), date(2027, 12, 4))
