"""CC403: cited date vs. the page's own publication date (citecheck.checks.page_date)."""

from __future__ import annotations

import pytest

from citecheck.checks.page_date import dates_disagree, publication_date_finding
from citecheck.dates import PartialDate
from citecheck.models import PageDate, Reference, Severity, SourceInfo


def reference(
    cited: str | None, page: str | None, method: str = "meta:article:published_time", **source: object
) -> Reference:
    info = SourceInfo(
        status=source.get("status", "fetched"),  # type: ignore[arg-type]
        origin=source.get("origin", "capture"),  # type: ignore[arg-type]
        url="http://archive.test/web/20110508000000/http://news.example.net/story",
        page_date=PageDate(date=PartialDate.from_iso(page), method=method) if page else None,
    )
    return Reference(id="3", url="http://news.example.net/story", date=cited, source=info)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("cited", "page", "disagree"),
    [
        ("2011-04-14", "2011-04-14", False),
        ("2011-04-14", "2011-04-15", False),  # a time zone apart
        ("2011-04-14", "2011-04-13", False),
        ("2011-04-14", "2011-04-16", True),
        ("2011-04-14", "2011-03-14", True),
        ("2011-04", "2011-04-30", False),  # month precision covers the day
        ("2011-04", "2011-05-01", False),  # …and the time-zone day beyond it
        ("2011-04", "2011-05-03", True),
        ("2011", "2011-12-31", False),
        ("2010", "2011-06-01", True),
        ("2010~", "2011-06-01", False),  # "c. 2010" allows a year
        ("2010-21", "2010-04-10", False),  # spring 2010
        ("2010-21", "2010-08-10", True),
    ],
)
def test_dates_compare_as_intervals(cited: str, page: str, disagree: bool) -> None:
    assert dates_disagree(PartialDate.from_iso(cited), PartialDate.from_iso(page)) is disagree
    assert dates_disagree(PartialDate.from_iso(page), PartialDate.from_iso(cited)) is disagree


def test_mismatch_gives_both_dates_and_the_method() -> None:
    finding = publication_date_finding(reference("2011-04-14", "2010-11-02"))
    assert finding is not None
    assert finding.code == "CC403" and finding.name == "publication-date-mismatch"
    assert finding.severity is Severity.warning
    assert finding.ref == "3"
    for part in ("2011-04-14", "2010-11-02", "meta:article:published_time", "archived capture"):
        assert part in finding.message


def test_matching_date_gives_nothing() -> None:
    assert publication_date_finding(reference("2011-04-14", "2011-04-14")) is None


def test_live_origin_is_named_in_the_message() -> None:
    finding = publication_date_finding(reference("2011-04-14", "2012-01-01", origin="live"))
    assert finding is not None and "live page" in finding.message


def test_a_guessed_date_is_information_only() -> None:
    finding = publication_date_finding(reference("2011-04-14", "2012-01-01", method="htmldate"))
    assert finding is not None and finding.severity is Severity.info and "htmldate" in finding.message


@pytest.mark.parametrize(
    "case",
    [
        reference(None, "2011-04-14"),  # the citation gives no date
        reference("2011-04-14", None),  # the page gives none
        reference("2011-04-14", "2010-01-01", status="not-checked"),  # nothing was read
    ],
)
def test_nothing_to_compare(case: Reference) -> None:
    assert publication_date_finding(case) is None
