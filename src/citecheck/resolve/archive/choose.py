"""Which capture best shows what the citing author saw — pure functions, no I/O.

Like Wikipedia's archive bot: the capture closest *before* the target moment
with a good status (200/203/206), else the closest after.  The target is the
moment the citation points at: a cited archive snapshot's time or stated
archive date (the citation sends readers there), else the access date, the
publication date, the document's own date.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta

from citecheck.dates import PartialDate
from citecheck.models import Reference
from citecheck.references.links import split_url
from citecheck.resolve.archive.models import CdxRecord, Memento, SnapshotRequest, TargetKind


def middle_of(value: PartialDate) -> datetime:
    """Noon UTC of the middle day a partial date may denote (a day: that day's noon)."""
    first, last = value.earliest(), value.latest()
    middle = first + (last - first) / 2
    return datetime.combine(middle, time(12, 0), tzinfo=UTC)


def citation_target(
    reference: Reference, document_date: PartialDate | None = None
) -> tuple[datetime | None, TargetKind]:
    """The moment to resolve a reference at, and where that moment came from."""
    if reference.archive_url_time is not None:
        moment = reference.archive_url_time
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)), "archive"
    if reference.archive_date is not None:
        return middle_of(reference.archive_date), "archive"
    if reference.access_date is not None:
        return middle_of(reference.access_date), "access"
    if reference.date is not None:
        return middle_of(reference.date), "publication"
    if document_date is not None:
        return middle_of(document_date), "document"
    return None, "none"


def request_for_reference(reference: Reference, document_date: PartialDate | None = None) -> SnapshotRequest | None:
    """The snapshot request for a reference with a URL (None without one: that needs discovery)."""
    if not reference.url:
        return None
    target, kind = citation_target(reference, document_date)
    access: date | None = None
    if reference.access_date is not None and reference.access_date.precision == "day":
        access = reference.access_date.earliest()
    return SnapshotRequest(url=reference.url, target=target, target_kind=kind, access_date=access)


def choose_capture(captures: Sequence[CdxRecord], target: datetime | None) -> CdxRecord | None:
    """The closest good capture before ``target``, else the closest good one after; None if none is good.

    Without a target the earliest good capture wins: a citation is written
    once, and later captures only drift further from what it cited.
    """
    good = [capture for capture in captures if capture.is_good]
    if not good:
        return None
    if target is None:
        return min(good, key=lambda capture: capture.timestamp)
    before = [capture for capture in good if capture.timestamp <= target]
    if before:
        return max(before, key=lambda capture: capture.timestamp)
    return min(good, key=lambda capture: capture.timestamp)


def closest_capture(captures: Sequence[CdxRecord], target: datetime | None) -> CdxRecord | None:
    """The capture nearest ``target`` whatever its status (for reporting an error snapshot)."""
    if not captures:
        return None
    if target is None:
        return captures[0]
    return min(captures, key=lambda capture: abs(capture.timestamp - target))


def nearest_is_usable(memento: Memento, target: datetime | None, after_tolerance: timedelta) -> bool:
    """Whether the capture playback served can stand without asking the (scarce) CDX index.

    A good capture at or before the target is what the rule picks whenever
    no closer one before it exists — and playback served the nearest.  A good
    capture shortly after the target is accepted too: a capture before it
    would be further away than ``after_tolerance`` permits searching for.
    """
    if not memento.is_good:
        return False
    if target is None:
        return True
    return memento.capture_time <= target or memento.capture_time - target <= after_tolerance


def url_identity(url: str) -> str:
    """A URL reduced to what identifies the page for loop detection (scheme, www., trailing slash dropped)."""
    parts = split_url(url.strip())
    if parts is None:  # "http://[::g]/": no page to compare, itself only
        return url.strip()
    host = (parts.hostname or "").lower().removeprefix("www.")
    path = parts.path.rstrip("/") or "/"
    return f"{host}{path}{'?' + parts.query if parts.query else ''}"


def days_between(capture_time: datetime, day: date) -> int:
    """Signed whole days from ``day`` to the capture (negative: captured before)."""
    return (capture_time.astimezone(UTC).date() - day).days


# --------------------------------------------------------------------------- searching by playback probes

# Playback answers the capture *nearest* a moment, so probing at the edges of time
# answers a URL's first and last capture.  Nothing is archived before the web.
EARLIEST_PROBE = datetime(1991, 1, 1, tzinfo=UTC)


def _second(moment: datetime) -> int:
    return int(moment.timestamp())


class CaptureMap:
    """What nearest-capture probes have proven about one URL's captures.

    Every probe at moment ``p`` that answers a capture at ``c`` proves two
    things: a capture exists at ``c``, and none exists strictly closer to
    ``p`` — the open interval ``(p - |c - p|, p + |c - p|)`` is empty.  From
    these facts :meth:`decide` applies the same rule as :func:`choose_capture`
    (closest good capture before the target, else closest good after) as
    soon as the facts settle it, and otherwise names the next moment to probe.
    Times are whole seconds, the precision of Wayback timestamps.
    """

    def __init__(self, latest: datetime) -> None:
        self.earliest = _second(EARLIEST_PROBE)
        self.latest = _second(latest)
        self.captures: dict[int, Memento] = {}
        self.unknown: set[int] = set()  # captures known to exist (a Link header named them), status not yet
        self.empty: list[tuple[int, int]] = []  # open intervals proven to hold no capture
        self.probed: set[int] = set()
        self.contradicted = False  # the archive answered against an earlier proof

    def record(self, probe: datetime, memento: Memento) -> None:
        """Learn from the capture playback answered for a probe at ``probe`` (and from its Link header)."""
        at, found = _second(probe), _second(memento.capture_time)
        self.probed.add(at)
        if found not in self.captures and found not in self.unknown and self._proven_empty(found):
            # An archive whose "nearest" is not the nearest (index lag, shards): stop trusting probes.
            self.contradicted = True
        self.unknown.discard(found)
        self.captures.setdefault(found, memento)
        if memento.is_good:
            self.captures[found] = memento
        radius = abs(found - at)
        if radius > 0:
            self.empty.append((at - radius, at + radius))
        self._record_neighbours(found, memento)

    def _record_neighbours(self, found: int, memento: Memento) -> None:
        """The Internet Archive's Link header names the first, previous, next and last captures.

        Each proves a capture exists there (its status still to be read, at its
        exact timestamp: one request) and that none lies between it and this
        one — so "is there a capture before the target?" is often settled by
        the first answer alone.
        """
        neighbours = memento.neighbours
        if "first" in neighbours:
            first = _second(neighbours["first"])
            self._exists(first)
            self.empty.append((self.earliest - 1, first))
        if "last" in neighbours:
            last = _second(neighbours["last"])
            self._exists(last)
            self.empty.append((last, self.latest + 1))
        if "prev" in neighbours:
            prev = _second(neighbours["prev"])
            self._exists(prev)
            if prev < found:
                self.empty.append((prev, found))
        if "next" in neighbours:
            following = _second(neighbours["next"])
            self._exists(following)
            if following > found:
                self.empty.append((found, following))

    def _exists(self, second: int) -> None:
        if second not in self.captures:
            self.unknown.add(second)

    def _proven_empty(self, second: int) -> bool:
        return any(low < second < high for low, high in self.empty)

    def _covered(self, low: int, high: int) -> bool:
        """Whether no unknown capture can lie strictly between ``low`` and ``high``."""
        point = low + 1
        while point < high:
            if point in self.captures or point in self.unknown:
                point += 1
                continue
            reach = max((hi for lo, hi in self.empty if lo < point < hi), default=None)
            if reach is None:
                return False
            point = reach
        return True

    def _probe(self, second: int) -> datetime | None:
        """The moment to probe, or None when it was probed already (it would teach nothing new)."""
        return None if second in self.probed else datetime.fromtimestamp(second, UTC)

    def decide(self, target: datetime | None) -> tuple[bool, Memento | None, datetime | None]:
        """``(settled, chosen, next_probe)``.

        Settled with a capture: the one :func:`choose_capture` would pick from
        the full index.  Settled without one: no good capture exists.  Not
        settled: probe ``next_probe`` — or, when it is None (the same probe
        again would teach nothing, or the archive contradicted itself), ask
        the index instead.

        Which probe: below the first known capture, the edge of time (it
        answers the first capture and settles everything before it); above
        the last, now (the last capture); between two known captures, their
        midpoint, which either proves the gap empty or finds a capture in it.
        """
        if self.contradicted:
            return False, None, None
        # Without a target the earliest good capture wins: search upward from the edge of time.
        goal = self.earliest if target is None else _second(target)
        known = sorted(set(self.captures) | self.unknown)
        upper = goal + 1  # a capture exactly at the target counts as before it
        for second in reversed([second for second in known if second <= goal]):
            if not self._covered(second, upper):
                above = next((other for other in known if other > second), None)
                return False, None, self._probe(self.latest if above is None else (second + above) // 2)
            if second in self.unknown:
                return False, None, self._probe(second)  # read it at its exact time: one request
            if self.captures[second].is_good:
                return True, self.captures[second], None
            upper = second
        if not self._covered(self.earliest - 1, upper):
            return False, None, self._probe(self.earliest)
        lower = goal
        for second in [second for second in known if second > goal]:
            if not self._covered(lower, second):
                below = [other for other in known if other < second]
                return False, None, self._probe((below[-1] + second) // 2 if below else self.earliest)
            if second in self.unknown:
                return False, None, self._probe(second)
            if self.captures[second].is_good:
                return True, self.captures[second], None
            lower = second
        if not self._covered(lower, self.latest + 1):
            return False, None, self._probe(self.latest)
        return True, None, None
