"""Snapshot choice, targets, archive findings and discovery scoring: pure functions, no servers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from citecheck.checks.archive import findings_for_archive
from citecheck.dates import PartialDate
from citecheck.models import ArchiveResult, ArchiveStatus, Reference
from citecheck.references.links import is_site_root
from citecheck.resolve import classify
from citecheck.resolve.archive.choose import (
    choose_capture,
    citation_target,
    nearest_is_usable,
    request_for_reference,
    url_identity,
)
from citecheck.resolve.archive.discovery import (
    domain_for_reference,
    learn_outlet_domains,
    publication_window,
    score_url,
    slug_words,
)
from citecheck.resolve.archive.models import CdxRecord, Memento, format_timestamp, parse_timestamp


def capture(stamp: str, status: int | None = 200) -> CdxRecord:
    return CdxRecord(
        urlkey="org,example)/a",
        timestamp=parse_timestamp(stamp),
        original="http://example.org/a",
        status=status,
        raw_timestamp=stamp,
    )


TARGET = datetime(2011, 5, 8, 12, tzinfo=UTC)


def test_closest_good_capture_before_the_target_wins_over_a_closer_one_after() -> None:
    captures = [capture("20110401"), capture("20110505", 404), capture("20110509"), capture("20110420")]
    assert choose_capture(captures, TARGET) == capture("20110420")


def test_without_a_good_capture_before_the_closest_good_after_wins() -> None:
    captures = [capture("20110101", 500), capture("20120101"), capture("20110601"), capture("20110507", None)]
    assert choose_capture(captures, TARGET) == capture("20110601")


@pytest.mark.parametrize("status", [200, 203, 206])
def test_good_statuses(status: int) -> None:
    assert choose_capture([capture("20110101", status)], TARGET) is not None


def test_no_good_capture_is_none() -> None:
    assert (
        choose_capture([capture("20110101", 404), capture("20110102", 301), capture("20110103", None)], TARGET) is None
    )
    assert choose_capture([], TARGET) is None


def test_without_a_target_the_earliest_good_capture() -> None:
    assert choose_capture([capture("20150101"), capture("20120101"), capture("20100101", 404)], None) == capture(
        "20120101"
    )


def memento(stamp: str, status: int = 200) -> Memento:
    return Memento(url="http://example.org/a", capture_time=parse_timestamp(stamp), status=status, playback_url="x")


def test_nearest_usable_only_when_good_and_not_far_after() -> None:
    tolerance = timedelta(days=7)
    assert nearest_is_usable(memento("20110301"), TARGET, tolerance)  # before, however far
    assert nearest_is_usable(memento("20110512"), TARGET, tolerance)
    assert not nearest_is_usable(memento("20110601"), TARGET, tolerance)
    assert not nearest_is_usable(memento("20110508", 404), TARGET, tolerance)
    assert not nearest_is_usable(memento("20110508", 301), TARGET, tolerance)


def test_target_precedence_archive_then_access_then_publication_then_document() -> None:
    full = Reference(
        id="1", url="http://x.org/a", date="2010-01-02", access_date="2011-05-08", archive_date="2011-05-09"
    )
    assert citation_target(full) == (datetime(2011, 5, 9, 12, tzinfo=UTC), "archive")
    assert citation_target(full.model_copy(update={"archive_date": None}))[1] == "access"
    assert citation_target(Reference(id="1", date="2010-05"))[0] == datetime(2010, 5, 16, 12, tzinfo=UTC)
    assert citation_target(Reference(id="1"), PartialDate(year=2012))[1] == "document"
    assert citation_target(Reference(id="1")) == (None, "none")
    stamped = full.model_copy(update={"archive_url_time": datetime(2011, 5, 1, 3, 4, 5)})
    assert citation_target(stamped) == (datetime(2011, 5, 1, 3, 4, 5, tzinfo=UTC), "archive")


def test_request_needs_a_url_and_keeps_the_access_day() -> None:
    assert request_for_reference(Reference(id="1", title="No link")) is None
    request = request_for_reference(Reference(id="1", url="http://x.org/a", access_date="2011-05-08"))
    assert request is not None and request.access_date == date(2011, 5, 8)
    month_only = request_for_reference(Reference(id="1", url="http://x.org/a", access_date="2011-05"))
    assert month_only is not None and month_only.access_date is None and month_only.target_kind == "access"


def test_timestamps_round_trip_and_clamp() -> None:
    assert format_timestamp(parse_timestamp("20110508123456")) == "20110508123456"
    assert parse_timestamp("2011") == datetime(2011, 1, 1, tzinfo=UTC)
    assert parse_timestamp("20110231") == datetime(2011, 2, 28, tzinfo=UTC)
    with pytest.raises(ValueError):
        parse_timestamp("2011-05-08")


def test_site_roots_and_identities() -> None:
    assert is_site_root("http://example.org") and is_site_root("https://example.org/index.html")
    assert not is_site_root("http://example.org/news/")
    # One rule for the live web and the archive: /home, /default.aspx and a language root are home too.
    for root in ("http://example.org/home", "http://example.org/Default.aspx", "http://example.org/pt-br/"):
        assert is_site_root(root) and classify.is_site_root(root), root
    assert not is_site_root("http://[::g]/a")
    assert url_identity("https://www.Example.org/a/") == url_identity("http://example.org/a")


def result(
    status: ArchiveStatus, stamp: str | None = None, days: int | None = None, code: int | None = 200
) -> ArchiveResult:
    return ArchiveResult(
        status=status,
        archive="arc",
        snapshot_url="http://arc/x" if stamp else None,
        snapshot_time=parse_timestamp(stamp) if stamp else None,
        snapshot_status=code,
        days_from_access=days,
    )


def codes(reference: Reference, answer: ArchiveResult, **options: int) -> list[str]:
    return [finding.code for finding in findings_for_archive(reference, answer, **options)]


def test_archive_findings() -> None:
    ref = Reference(id="1", url="http://x.org/a", access_date="2011-05-08")
    assert codes(ref, result(ArchiveStatus.none)) == ["CC301"]
    assert codes(ref, result(ArchiveStatus.not_checked)) == []
    assert codes(ref, result(ArchiveStatus.error_snapshot, "20110508", 0, 404)) == ["CC304"]
    assert codes(ref, result(ArchiveStatus.found, "20110709", 62)) == ["CC302"]
    assert codes(ref, result(ArchiveStatus.found, "20110709", 62), far_days=90) == []
    assert codes(ref, result(ArchiveStatus.found, "20110509", 1)) == []


def test_archive_date_mismatch_allows_a_day() -> None:
    stated = Reference(id="1", url="http://x.org/a", archive_date="2011-05-08")
    assert codes(stated, result(ArchiveStatus.found, "20110509230000")) == []
    assert codes(stated, result(ArchiveStatus.found, "20110511")) == ["CC303"]
    stamped = Reference(id="1", url="http://x.org/a", archive_url_time=datetime(2011, 5, 8, tzinfo=UTC))
    assert codes(stamped, result(ArchiveStatus.found, "20110508200000")) == []
    assert codes(stamped, result(ArchiveStatus.found, "20110601")) == ["CC303"]
    assert codes(stamped, result(ArchiveStatus.not_checked)) == []


def test_outlet_domains_curated_and_learned() -> None:
    assert domain_for_reference(Reference(id="1", work="Los Angeles Times")) == "latimes.com"
    assert domain_for_reference(Reference(id="1", work="The Washington Times")) == "washingtontimes.com"
    assert domain_for_reference(Reference(id="1", publisher="Amnesty International.")) == "amnesty.org"
    assert domain_for_reference(Reference(id="1", work="Small Town Gazette")) is None
    learned = learn_outlet_domains(
        [Reference(id="2", url="https://www.gazette.example/story", work="Small Town Gazette")]
    )
    assert domain_for_reference(Reference(id="1", work="the small town gazette"), learned) == "gazette.example"


def test_slug_scoring() -> None:
    words = slug_words("U.N. Says Ministers Agree on a Water-Sharing Deal")
    assert words == ["ministers", "agree", "water", "sharing", "deal"]
    score, matched = score_url("http://n.example/2011/05/07/ministers-agree-water-sharing-deal.html", words)
    assert score == 1.0 and matched == tuple(words)
    assert score_url("http://n.example/2011/05/07/weather", words)[0] == 0.0


def test_publication_window_needs_month_precision() -> None:
    window = publication_window(Reference(id="1", date="2011-05-07"))
    assert window is not None and window[0].date() == date(2011, 5, 4) and window[1].date() == date(2011, 5, 10)
    assert publication_window(Reference(id="1", date="2011")) is None
