"""Searching captures by nearest-capture playback probes must pick what the full index picks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from citecheck.resolve.archive.choose import EARLIEST_PROBE, CaptureMap, choose_capture
from citecheck.resolve.archive.models import CdxRecord, Memento

NOW = datetime(2026, 1, 1, tzinfo=UTC)
BASE = datetime(2005, 1, 1, tzinfo=UTC)


def nearest(captures: list[tuple[datetime, int]], moment: datetime) -> Memento:
    """What playback answers: the capture nearest ``moment`` (ties: the earlier one)."""
    when, status = min(captures, key=lambda item: (abs(item[0] - moment), item[0]))
    return Memento(url="http://example.org/a", capture_time=when, status=status, playback_url="p")


def index_choice(captures: list[tuple[datetime, int]], target: datetime | None) -> datetime | None:
    records = [
        CdxRecord(urlkey="k", timestamp=when, original="http://example.org/a", status=status, raw_timestamp="")
        for when, status in captures
    ]
    chosen = choose_capture(records, target)
    return chosen.timestamp if chosen else None


def search(
    captures: list[tuple[datetime, int]], target: datetime | None, budget: int = 40
) -> tuple[bool, datetime | None, int]:
    """Run the probe loop the resolver runs; (settled, chosen time, probes after the first)."""
    knowledge = CaptureMap(latest=NOW)
    first = target or NOW
    knowledge.record(first, nearest(captures, first))
    for probes in range(budget + 1):
        settled, chosen, moment = knowledge.decide(target)
        if settled:
            return True, chosen.capture_time if chosen else None, probes
        if moment is None:
            return False, None, probes
        knowledge.record(moment, nearest(captures, moment))
    return False, None, budget


def days(*offsets_and_statuses: tuple[float, int]) -> list[tuple[datetime, int]]:
    return [(BASE + timedelta(days=offset), status) for offset, status in offsets_and_statuses]


TARGET = BASE + timedelta(days=100)


def test_good_capture_far_after_with_nothing_before_takes_one_probe() -> None:
    captures = days((190, 200))
    assert search(captures, TARGET) == (True, BASE + timedelta(days=190), 1)


def test_lone_error_capture_takes_two_probes_and_settles_on_nothing_good() -> None:
    assert search(days((97, 404)), TARGET) == (True, None, 2)


def test_error_near_target_then_good_capture_before_it() -> None:
    captures = days((99.9, 503), (92, 200))
    assert search(captures, TARGET) == (True, BASE + timedelta(days=92), 2)


def test_closest_good_before_wins_over_a_closer_good_after() -> None:
    captures = days((30, 200), (112, 200))
    settled, chosen, _ = search(captures, TARGET)
    assert settled and chosen == BASE + timedelta(days=30)


def test_without_a_target_the_earliest_good_capture() -> None:
    captures = days((10, 404), (40, 200), (80, 200))
    settled, chosen, _ = search(captures, None)
    assert settled and chosen == BASE + timedelta(days=40)


def test_contradicting_archive_is_not_trusted() -> None:
    knowledge = CaptureMap(latest=NOW)
    knowledge.record(TARGET, nearest(days((110, 200)), TARGET))  # proves (90, 110) empty
    knowledge.record(EARLIEST_PROBE, nearest(days((95, 200)), EARLIEST_PROBE))  # a capture inside it
    assert knowledge.decide(TARGET) == (False, None, None)


def test_a_probe_is_never_repeated() -> None:
    knowledge = CaptureMap(latest=NOW)
    captures = days((97, 404))
    knowledge.record(TARGET, nearest(captures, TARGET))
    settled, _, moment = knowledge.decide(TARGET)
    assert not settled and moment == EARLIEST_PROBE
    knowledge.probed.add(int(EARLIEST_PROBE.timestamp()))
    assert knowledge.decide(TARGET) == (False, None, None)


capture_sets = st.lists(
    st.tuples(st.integers(min_value=0, max_value=4000), st.sampled_from([200, 200, 206, 301, 404, 503])),
    min_size=1,
    max_size=12,
    unique_by=lambda item: item[0],
)


@settings(max_examples=400, deadline=None)
@given(capture_sets, st.one_of(st.none(), st.integers(min_value=-200, max_value=4200)))
def test_probe_search_agrees_with_the_index(offsets: list[tuple[int, int]], target_offset: int | None) -> None:
    captures = days(*((float(offset), status) for offset, status in offsets))
    target = None if target_offset is None else BASE + timedelta(days=target_offset, hours=7)
    settled, chosen, _ = search(captures, target)
    assert settled, (captures, target)
    assert chosen == index_choice(captures, target)


# --------------------------------------------------------------------------- Link headers (the Internet Archive's)


def linked(captures: list[tuple[datetime, int]], moment: datetime) -> Memento:
    """Playback's answer with IA's Link neighbours: first, prev, next, last capture times."""
    plain = nearest(captures, moment)
    times = sorted(when for when, _status in captures)
    index = times.index(plain.capture_time)
    neighbours = {"first": times[0], "last": times[-1]}
    if index > 0:
        neighbours["prev"] = times[index - 1]
    if index + 1 < len(times):
        neighbours["next"] = times[index + 1]
    return Memento(
        url=plain.url, capture_time=plain.capture_time, status=plain.status, playback_url="p", neighbours=neighbours
    )


def test_a_link_header_naming_the_capture_first_settles_a_capture_after_the_target_at_once() -> None:
    target = BASE + timedelta(days=100)
    only = [(BASE + timedelta(days=190), 200)]
    knowledge = CaptureMap(latest=NOW)
    knowledge.record(target, linked(only, target))
    settled, chosen, _ = knowledge.decide(target)
    assert settled and chosen is not None and chosen.capture_time == only[0][0]


def test_an_error_capture_s_linked_predecessor_is_read_at_its_exact_time() -> None:
    target = BASE + timedelta(days=100)
    captures = [(BASE + timedelta(days=70), 200), (BASE + timedelta(days=98), 404)]
    knowledge = CaptureMap(latest=NOW)
    knowledge.record(target, linked(captures, target))
    settled, _, moment = knowledge.decide(target)
    assert not settled and moment == captures[0][0]  # exact: one request, no archive redirect
    knowledge.record(moment, linked(captures, moment))
    settled, chosen, _ = knowledge.decide(target)
    assert settled and chosen is not None and chosen.capture_time == captures[0][0]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(min_value=0, max_value=4000), st.sampled_from([200, 200, 404, 503, 301])),
        min_size=1,
        max_size=8,
        unique_by=lambda item: item[0],
    ),
    st.integers(min_value=0, max_value=4000),
)
def test_links_never_change_the_choice_the_index_makes(raw: list[tuple[int, int]], target_day: int) -> None:
    captures = [(BASE + timedelta(days=day), status) for day, status in raw]
    target = BASE + timedelta(days=target_day)
    knowledge = CaptureMap(latest=NOW)
    knowledge.record(target, linked(captures, target))
    for _ in range(20):
        settled, chosen, moment = knowledge.decide(target)
        if settled or moment is None:
            break
        knowledge.record(moment, linked(captures, moment))
    if settled:
        assert (chosen.capture_time if chosen else None) == index_choice(captures, target)
