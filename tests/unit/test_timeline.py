"""Per-reference SVG timelines: marks, spans for partial dates, visible mismatches, safe and deterministic."""

from __future__ import annotations

import itertools
import random
import re
import xml.etree.ElementTree as ElementTree
from datetime import UTC, date, datetime, timedelta

import pytest

from citecheck.dates import PartialDate
from citecheck.models import (
    ArchiveResult,
    ArchiveStatus,
    DocumentInfo,
    DocumentReport,
    LiveCheck,
    LiveStatus,
    Reference,
)
from citecheck.reports import timeline as timeline_module
from citecheck.reports.timeline import (
    COLOURS,
    timeline_files,
    timeline_marks,
    timeline_mismatches,
    timeline_names,
    timeline_svg,
)

SVG = "{http://www.w3.org/2000/svg}"


def _reference(**fields: object) -> Reference:
    return Reference.model_validate({"id": "3", "title": "Bridge opens", "url": "http://news.example/a", **fields})


def _found(moment: datetime) -> ArchiveResult:
    return ArchiveResult(
        status=ArchiveStatus.found, snapshot_url="https://web.archive.org/web/2011/x", snapshot_time=moment
    )


def _parse(svg: str) -> ElementTree.Element:
    """Our own output, parsed strictly: a malformed SVG raises here."""
    return ElementTree.fromstring(svg)


def test_fewer_than_two_dates_draw_nothing() -> None:
    assert timeline_svg(_reference()) is None
    assert timeline_svg(_reference(date="2011-04-14")) is None
    assert timeline_svg(_reference(date="2011-04-14", access_date="2011-05-08")) is not None
    # A document date counts as a second date.
    assert timeline_svg(_reference(date="2011-04-14"), document_date=PartialDate(year=2012)) is not None


def test_every_kind_of_date_gets_a_row_in_fixed_order() -> None:
    reference = _reference(
        date="2011-04-14",
        access_date="2011-05-08",
        archive_date="2011-05-09",
        archive_url_time=datetime(2011, 5, 9, 12, tzinfo=UTC),
        archive=_found(datetime(2011, 5, 9, 12, 30, tzinfo=UTC)),
    )
    marks = timeline_marks(reference, document_date=PartialDate(year=2013, month=2), first_seen_dead=date(2019, 3, 1))
    assert [mark.key for mark in marks] == [
        "published",
        "accessed",
        "archive-stated",
        "archive-cited",
        "capture",
        "dead",
        "document",
    ]
    assert marks[5].label == "first seen dead 2019-03-01"
    svg = timeline_svg(reference, document_date=PartialDate(year=2013, month=2), first_seen_dead=date(2019, 3, 1))
    assert svg is not None
    texts = [element.text for element in _parse(svg).iter(f"{SVG}text")]
    assert "published 2011-04-14" in texts and "document dated 2013-02 (month)" in texts
    assert timeline_mismatches(reference) == []
    assert COLOURS["mismatch"] not in svg


def test_a_dead_live_check_stands_in_for_first_seen_dead() -> None:
    reference = _reference(
        date="2011-04-14",
        live=LiveCheck(status=LiveStatus.soft_404, checked_at=datetime(2025, 1, 2, tzinfo=UTC)),
    )
    assert [mark.label for mark in timeline_marks(reference)][-1] == "checked: soft-404 2025-01-02"
    alive = reference.model_copy(update={"live": LiveCheck(status=LiveStatus.alive, checked_at=datetime(2025, 1, 2))})
    assert [mark.key for mark in timeline_marks(alive)] == ["published"]


def test_partial_dates_are_spans_and_days_are_points() -> None:
    reference = _reference(date="2010", access_date="2011-05", archive=_found(datetime(2011, 5, 20, tzinfo=UTC)))
    marks = timeline_marks(reference)
    assert (marks[0].first, marks[0].last) == (date(2010, 1, 1), date(2010, 12, 31))
    assert (marks[1].first, marks[1].last) == (date(2011, 5, 1), date(2011, 5, 31))
    svg = timeline_svg(reference)
    assert svg is not None
    root = _parse(svg)
    spans = [rect for rect in root.iter(f"{SVG}rect") if rect.get("rx") == "3"]
    assert len(spans) == 2
    year_width, month_width = (float(rect.get("width", "0")) for rect in spans)
    assert year_width > 5 * month_width  # a year spans about twelve times a month on the same axis
    assert len(list(root.iter(f"{SVG}circle"))) == 1  # the capture's day


def test_archive_date_contradicted_by_the_capture_is_red_and_written_out() -> None:
    reference = _reference(
        date="2011-04-14",
        access_date="2011-05-08",
        archive_date="2011-05-09",
        archive=_found(datetime(2011, 9, 3, tzinfo=UTC)),
    )
    mismatches = timeline_mismatches(reference)
    assert [mismatch.keys for mismatch in mismatches] == [("archive-stated", "capture")]
    svg = timeline_svg(reference)
    assert svg is not None
    texts = [element.text or "" for element in _parse(svg).iter(f"{SVG}text")]
    assert any("Mismatch" in text and "2011-09-03" in text and "2011-05-09" in text for text in texts)
    red_texts = [
        element.text or "" for element in _parse(svg).iter(f"{SVG}text") if element.get("fill") == COLOURS["mismatch"]
    ]
    assert any("archived (stated)" in text for text in red_texts)
    assert any("capture found" in text for text in red_texts)
    assert not any(text.startswith("⚠ published") for text in red_texts)  # not part of this mismatch
    desc = _parse(svg).find(f"{SVG}desc")
    assert desc is not None and "Mismatch" in (desc.text or "")


def test_one_day_of_clock_difference_is_not_a_mismatch() -> None:
    reference = _reference(archive_date="2011-05-09", archive=_found(datetime(2011, 5, 10, 23, tzinfo=UTC)))
    assert timeline_mismatches(reference) == []
    far = reference.model_copy(update={"archive": _found(datetime(2011, 5, 12, tzinfo=UTC))})
    assert len(timeline_mismatches(far)) == 1


def test_the_cited_archive_url_time_wins_over_the_stated_date() -> None:
    # The same rule CC303 applies: the timestamp inside the archive URL is what was cited.
    reference = _reference(
        archive_date="2011-09-03",
        archive_url_time=datetime(2011, 5, 9, tzinfo=UTC),
        archive=_found(datetime(2011, 9, 3, tzinfo=UTC)),
    )
    assert [mismatch.keys for mismatch in timeline_mismatches(reference)] == [("archive-cited", "capture")]


def test_access_and_archive_before_publication_are_mismatches_only_when_certain() -> None:
    reference = _reference(date="2011-05", access_date="2011-03-02", archive_date="2011-04-30")
    keys = [mismatch.keys for mismatch in timeline_mismatches(reference)]
    assert keys == [("accessed", "published"), ("archive-stated", "published")]
    # "2011" may be any day of 2011: an access on 2011-03-02 is not certainly before it.
    assert timeline_mismatches(_reference(date="2011", access_date="2011-03-02")) == []


def test_hostile_text_is_escaped_and_the_svg_is_self_contained() -> None:
    title = '</title><script>alert(1)</script><image href="http://tracker.invalid/x.png"/> & "q" \x00\x1b'
    reference = _reference(id='x"><script>', title=title, date="2011-04-14", access_date="2011-05-08")
    svg = timeline_svg(reference)
    assert svg is not None
    root = _parse(svg)  # well-formed XML despite the control characters
    tags = {element.tag for element in root.iter() if isinstance(element.tag, str)}
    assert tags <= {f"{SVG}{name}" for name in ("svg", "title", "desc", "rect", "line", "circle", "text")}
    assert "<script" not in svg and "<image" not in svg
    attributes = {name for element in root.iter() for name in element.attrib}
    assert not any("href" in name or name.startswith("on") for name in attributes)
    title_element = root.find(f"{SVG}title")
    assert title_element is not None and "<script>" in (title_element.text or "")  # shown, as text
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "timeline-x___script_-title timeline-x___script_-desc"


def test_output_is_deterministic() -> None:
    reference = _reference(date="2009", access_date="2011-05-08", archive=_found(datetime(2024, 1, 1, tzinfo=UTC)))
    assert timeline_svg(reference) == timeline_svg(reference.model_copy(deep=True))


def test_dates_years_apart_get_a_broken_axis_keeping_the_citation_readable() -> None:
    reference = _reference(
        date="2011-04-14",
        access_date="2011-05-08",
        live=LiveCheck(status=LiveStatus.dead, checked_at=datetime(2025, 11, 1, tzinfo=UTC)),
    )
    svg = timeline_svg(reference)
    assert svg is not None
    circles = [float(circle.get("cx", "0")) for circle in _parse(svg).iter(f"{SVG}circle")]
    published, accessed, dead = circles
    # Without the break, 24 days out of 14 years would be about 2 px apart.
    assert accessed - published > 40
    assert dead > accessed
    tick_labels = [element.text for element in _parse(svg).iter(f"{SVG}text") if element.get("font-size") == "10"]
    assert "2025-11-01" in tick_labels


@pytest.mark.parametrize(
    ("first", "last", "pattern"),
    [("1990", "2020", r"^\d{4}$"), ("2011-01-01", "2011-12-31", r"^\d{4}-\d\d$"), ("2011-05-01", "2011-05-30", r".")],
)
def test_ticks_suit_the_span(first: str, last: str, pattern: str) -> None:
    svg = timeline_svg(_reference(date=first, access_date=last))
    assert svg is not None
    labels = [element.text or "" for element in _parse(svg).iter(f"{SVG}text") if element.get("font-size") == "10"]
    assert 1 <= len(labels) <= 7
    assert all(re.match(pattern, label) for label in labels)


def test_timeline_files_pair_names_with_svgs() -> None:
    references = [
        _reference(id="1", date="2011-04-14", access_date="2011-05-08"),
        _reference(id="2", date="2011-04-14"),  # one date only: no picture
        _reference(id="a b", date="2011-04-14", access_date="2011-05-08"),
        _reference(id="a_b", date="2011-04-14", access_date="2011-05-08"),
    ]
    report = DocumentReport(document=DocumentInfo(path="doc.md", format="markdown"), references=references)
    names = timeline_names(report, "doc")
    assert names == {"1": "doc-ref-1.svg", "a b": "doc-ref-a_b.svg", "a_b": "doc-ref-a_b-4.svg"}
    files = timeline_files(report, "doc")
    assert set(files) == set(names.values())
    assert all(text.startswith("<svg") for text in files.values())
    # A first-seen-dead time from the store adds a picture where one date alone would not.
    with_history = timeline_names(report, "doc", first_seen_dead={"2": datetime(2020, 1, 1, tzinfo=UTC)})
    assert with_history["2"] == "doc-ref-2.svg"


def test_references_sharing_dates_share_all_but_the_heading() -> None:
    dates = {"date": "2011-04", "access_date": "2011-05-08", "archive": _found(datetime(2013, 2, 1, tzinfo=UTC))}
    first = timeline_svg(_reference(id="1", title="Bridge opens", **dates))
    second = timeline_svg(_reference(id="x<2>", title="Ferry & bridge", **dates))
    assert first is not None and second is not None
    first_lines, second_lines = first.split("\n"), second.split("\n")
    assert first_lines[5:] == second_lines[5:]  # rows, axis and ticks: drawn once for both
    assert "timeline-x_2_-title" in second_lines[0] and "Ferry &amp; bridge" in second_lines[4]
    # What a cached axis gives is what drawing afresh gives.
    timeline_module._axis_segment.cache_clear()
    assert timeline_svg(_reference(id="x<2>", title="Ferry & bridge", **dates)) == second


def _ticks_day_by_day(segment: timeline_module._Segment) -> list[tuple[date, str]]:
    """The tick rule spelled out: every candidate day or month after the segment's first day, tested one by one."""
    most = max(1, int((segment.right - segment.left) // timeline_module.TICK_SPACING))
    first, last = date.fromordinal(segment.low), date.fromordinal(segment.high - 1)
    span_days = segment.high - segment.low
    if span_days > 4 * 366 or (span_days > 366 and most < 3):
        return timeline_module._ticks(segment)  # years: one candidate a year already
    if span_days > 62:
        months = (last.year - first.year) * 12 + last.month - first.month + 1
        step = next((candidate for candidate in (1, 2, 3, 6) if months / candidate <= most), 12)
        ticks = []
        day = first
        while day <= last:
            if day.day == 1 and day > first and (day.month - 1) % step == 0:
                ticks.append((day, f"{day.year:04d}-{day.month:02d}"))
            day += timedelta(days=1)
        return ticks
    if span_days <= timeline_module.SHORT_SEGMENT_DAYS:
        return timeline_module._ticks(segment)
    step = next((candidate for candidate in (1, 2, 7, 14) if span_days / candidate <= most), 28)
    return [
        (date.fromordinal(ordinal), date.fromordinal(ordinal).isoformat())
        for ordinal in range(segment.low + 1, segment.high)
        if ordinal % step == 0
    ]


def test_ticks_are_the_days_and_months_the_rule_picks() -> None:
    rng = random.Random(17)
    for _ in range(3_000):
        low = rng.randint(date(1995, 1, 1).toordinal(), date(2030, 1, 1).toordinal())
        high = low + rng.choice([rng.randint(11, 62), rng.randint(63, 1_500)])
        left = rng.uniform(226, 400)
        segment = timeline_module._Segment(low, high, left, left + rng.choice([70.0, rng.uniform(70, 392)]))
        assert timeline_module._ticks(segment) == _ticks_day_by_day(segment), segment


def test_every_tick_lies_in_the_segment_that_draws_it() -> None:
    # Axis stretches are drawn (and cached) per segment, placing their ticks by the segment alone: that is
    # the scale's own placing only because segments never overlap.
    rng = random.Random(3)
    for _ in range(2_000):
        days = [date(2000, 1, 1) + timedelta(days=rng.choice([rng.randint(0, 40), rng.randint(0, 9_000)]))]
        days += [days[0] + timedelta(days=rng.choice([1, 30, 400, 800, 3_000])) for _ in range(rng.randint(1, 5))]
        marks = [timeline_module.TimelineMark("m", "m", day, day, "stated") for day in days]
        scale = timeline_module._scale_for(marks)
        for earlier, later in itertools.pairwise(scale.segments):
            assert earlier.high < later.low and earlier.right < later.left
        for segment in scale.segments:
            for tick, _ in timeline_module._ticks(segment):
                assert segment.low < tick.toordinal() < segment.high
                assert scale.x(tick) == segment.x(tick.toordinal())
