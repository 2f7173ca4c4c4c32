"""parse_archive_url / is_archive_url on the archive URL shapes found in citations."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from citecheck.references.archive_urls import is_archive_url, parse_archive_url, parse_timestamp


@pytest.mark.parametrize(
    ("url", "archive", "original", "timestamp", "precision"),
    [
        (
            "https://web.archive.org/web/20131105012345/http://www.latimes.com/world/a.html?x=1&y=2",
            "web.archive.org",
            "http://www.latimes.com/world/a.html?x=1&y=2",
            datetime(2013, 11, 5, 1, 23, 45, tzinfo=UTC),
            "second",
        ),
        (
            "http://wayback.archive.org/web/20090101/https://example.com/",
            "web.archive.org",
            "https://example.com/",
            datetime(2009, 1, 1, tzinfo=UTC),
            "day",
        ),
        (
            "https://web.archive.org/web/2013/example.com/page",
            "web.archive.org",
            "http://example.com/page",
            datetime(2013, 1, 1, tzinfo=UTC),
            "year",
        ),
        (
            "https://web.archive.org/web/201311/http:/example.com/collapsed",
            "web.archive.org",
            "http://example.com/collapsed",
            datetime(2013, 11, 1, tzinfo=UTC),
            "month",
        ),
        (
            "https://archive.ph/20190101123456/https://example.com/p",
            "archive.today",
            "https://example.com/p",
            datetime(2019, 1, 1, 12, 34, 56, tzinfo=UTC),
            "second",
        ),
        (
            "https://archive.today/2019.01.01-123456/https://example.com/p",
            "archive.today",
            "https://example.com/p",
            datetime(2019, 1, 1, 12, 34, 56, tzinfo=UTC),
            "second",
        ),
        ("https://archive.is/newest/https://example.com/p", "archive.today", "https://example.com/p", None, None),
        (
            "https://www.webcitation.org/5yYhtJ7ZL?url=http%3A%2F%2Fexample.com%2Fa%3Fb%3Dc&date=2011-05-08",
            "webcitation.org",
            "http://example.com/a?b=c",
            datetime(2011, 5, 8, tzinfo=UTC),
            "day",
        ),
        (
            "https://arquivo.pt/wayback/20090101000000/http://www.example.pt/",
            "arquivo.pt",
            "http://www.example.pt/",
            datetime(2009, 1, 1, tzinfo=UTC),
            "second",
        ),
        (
            "https://www.webarchive.org.uk/wayback/archive/20100501120000/http://www.example.co.uk/x",
            "webarchive.org.uk",
            "http://www.example.co.uk/x",
            datetime(2010, 5, 1, 12, tzinfo=UTC),
            "second",
        ),
    ],
)
def test_known_archives(
    url: str, archive: str, original: str, timestamp: datetime | None, precision: str | None
) -> None:
    parsed = parse_archive_url(url)
    assert parsed is not None
    assert parsed.url == url
    assert parsed.archive == archive
    assert parsed.original_url == original
    assert parsed.timestamp == timestamp
    assert parsed.precision == precision
    assert is_archive_url(url)


def test_playback_modifier_is_kept_apart_from_the_original() -> None:
    parsed = parse_archive_url("https://web.archive.org/web/20131105012345id_/http://example.com/a.pdf")
    assert parsed is not None
    assert parsed.modifier == "id_"
    assert parsed.original_url == "http://example.com/a.pdf"
    im = parse_archive_url("https://web.archive.org/web/20131105im_/http://example.com/a.png")
    assert im is not None and im.modifier == "im_" and im.precision == "day"


def test_archive_today_short_id_names_no_page() -> None:
    parsed = parse_archive_url("https://archive.ph/AbC12")
    assert parsed is not None
    assert parsed.archive == "archive.today"
    assert parsed.original_url is None
    assert parsed.timestamp is None


def test_timestamp_is_timezone_aware_utc() -> None:
    parsed = parse_archive_url("https://web.archive.org/web/20131105235959/http://example.com/")
    assert parsed is not None and parsed.timestamp is not None
    offset = parsed.timestamp.utcoffset()
    assert offset is not None
    assert offset.total_seconds() == 0


@pytest.mark.parametrize(
    "url",
    [
        "https://www.latimes.com/world/2013/11/05/article",
        "https://example.org/coll/20100101/http://example.com/",  # pywb-shaped, but only with generic=True
        "https://web.archive.org/",
        "https://web.archive.org/details/somebook",
        "ftp://web.archive.org/web/2013/http://example.com/",
        "not a url",
        "",
    ],
)
def test_non_archive_urls(url: str) -> None:
    assert parse_archive_url(url) is None
    assert not is_archive_url(url)


def test_generic_pywb_only_when_asked() -> None:
    url = "http://localhost:8080/my-coll/20100101120000/http://example.com/page"
    assert parse_archive_url(url) is None
    parsed = parse_archive_url(url, generic=True)
    assert parsed is not None
    assert parsed.archive == "localhost"
    assert parsed.original_url == "http://example.com/page"
    assert parsed.timestamp == datetime(2010, 1, 1, 12, tzinfo=UTC)


def test_generic_does_not_take_dated_paths_of_ordinary_sites() -> None:
    assert parse_archive_url("https://www.latimes.com/world/2013/11/05/article", generic=True) is None


@pytest.mark.parametrize(
    ("digits", "expected", "precision"),
    [
        ("2013", datetime(2013, 1, 1, tzinfo=UTC), "year"),
        ("20131", datetime(2013, 1, 1, tzinfo=UTC), "year"),  # odd length: cut to the last whole field
        ("201311", datetime(2013, 11, 1, tzinfo=UTC), "month"),
        ("2013110523", datetime(2013, 11, 5, 23, tzinfo=UTC), "hour"),
        ("201311052359", datetime(2013, 11, 5, 23, 59, tzinfo=UTC), "minute"),
        ("20131399", datetime(2013, 1, 1, tzinfo=UTC), "year"),  # impossible month: fall back
        ("20130231", datetime(2013, 2, 1, tzinfo=UTC), "month"),  # impossible day
    ],
)
def test_parse_timestamp(digits: str, expected: datetime, precision: str) -> None:
    assert parse_timestamp(digits) == (expected, precision)


def test_parse_timestamp_rejects_too_short() -> None:
    assert parse_timestamp("201") is None
    assert parse_timestamp("") is None
