"""Plain records of web-archive resolution: captures, mementos, requests, errors.

Like EDGI ``wayback``'s models module: backends turn their dialects into these
records, the choice logic and the resolver only ever see these.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Literal

from citecheck.dates import EARLIEST_WEB_DATE, is_plausible_web_date, latest_web_date
from citecheck.models import ArchiveRefusal, EndpointOutage

GOOD_STATUSES = frozenset({200, 203, 206})

TargetKind = Literal["archive", "access", "publication", "document", "none"]

_TIMESTAMP_RE = re.compile(r"^\d{4,14}$")


def plausible_capture_time(moment: datetime) -> bool:
    """Whether a capture could have been made at ``moment`` (the web-date window of :mod:`citecheck.dates`)."""
    return is_plausible_web_date(moment if moment.tzinfo else moment.replace(tzinfo=UTC))


def parse_timestamp(text: str) -> datetime:
    """Parse a Wayback timestamp (``YYYY[MM[DD[hh[mm[ss]]]]]``) as UTC.

    Real CDX rows carry impossible parts (month or day ``00``, day 31 of a
    30-day month, seconds ``60``); each is clamped to the nearest valid value
    rather than dropping the row, as the Wayback Machine itself does.  A year
    no capture can have (before the web, after next year — ``99991231…``)
    is refused: it is garbage, and arithmetic on it overflows.
    """
    digits = text.strip()
    if not _TIMESTAMP_RE.match(digits):
        raise ValueError(f"not a Wayback timestamp: {text!r}")
    digits = digits.ljust(14, "0")
    year = int(digits[0:4])
    if year < EARLIEST_WEB_DATE.year or year > latest_web_date().year:
        raise ValueError(f"not a plausible capture year: {text!r}")
    month = min(max(int(digits[4:6]), 1), 12)
    day = max(int(digits[6:8]), 1)
    hour = min(int(digits[8:10]), 23)
    minute = min(int(digits[10:12]), 59)
    second = min(int(digits[12:14]), 59)
    while True:
        try:
            return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
        except ValueError:
            if day <= 28:
                raise
            day -= 1


def format_timestamp(moment: datetime | date) -> str:
    """The 14-digit Wayback timestamp for a moment (dates mean midnight UTC)."""
    if not isinstance(moment, datetime):
        return moment.strftime("%Y%m%d") + "000000"
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y%m%d%H%M%S")


@dataclass(frozen=True)
class CdxRecord:
    """One capture as a CDX index lists it."""

    urlkey: str
    timestamp: datetime
    original: str
    mimetype: str | None = None
    status: int | None = None  # None: the index wrote "-" (revisits, some redirects)
    digest: str | None = None
    length: int | None = None
    raw_timestamp: str = ""

    @property
    def is_good(self) -> bool:
        return self.status in GOOD_STATUSES

    @property
    def is_redirect(self) -> bool:
        return self.status is not None and 300 <= self.status < 400


@dataclass(frozen=True)
class Memento:
    """A capture as playback answered it (``id_`` mode, redirects not followed).

    ``Memento-Datetime`` is the proof of a capture: a 3xx that carries it is a
    redirect the site itself answered when captured (a historical redirect);
    a 3xx without it is the archive pointing at its nearest capture.
    """

    url: str  # the original URL this capture is of
    capture_time: datetime
    status: int
    playback_url: str
    location: str | None = None  # for historical redirects: the original redirect target
    original_headers: dict[str, str] = field(default_factory=dict)  # X-Archive-Orig-* without the prefix
    # The capture's bytes when playback already sent them (kept for good captures only):
    # the source text is read from these, never fetched a second time.
    body: CaptureBody | None = field(default=None, compare=False, repr=False)
    # What the answer's Link header says about neighbouring captures (first/prev/next/last).
    neighbours: dict[str, datetime] = field(default_factory=dict, compare=False, repr=False)

    @property
    def is_redirect(self) -> bool:
        return 300 <= self.status < 400

    @property
    def is_good(self) -> bool:
        return self.status in GOOD_STATUSES


@dataclass(frozen=True)
class CaptureBody:
    """The original bytes of one capture, as the site sent them (``id_`` playback or the WARC record)."""

    url: str  # the original URL this capture is of
    capture_time: datetime
    status: int
    body: bytes
    content_type: str | None = None
    truncated: bool = False  # the body was longer than the cap and was cut
    headers: dict[str, str] = field(default_factory=dict)  # the original response's headers, names lower-cased

    @property
    def charset(self) -> str | None:
        """The charset named in Content-Type, if any."""
        for part in (self.content_type or "").split(";")[1:]:
            name, _, value = part.strip().partition("=")
            if name.lower() == "charset" and value:
                return value.strip("\"' ")
        return None


@dataclass(frozen=True)
class SnapshotRequest:
    """What to resolve: a URL and the moment whose capture best shows what the author saw.

    ``target_kind`` says where ``target`` came from (a cited archive
    snapshot, the access date, the publication date, the document's date);
    ``access_date`` is kept separately so the distance to it can be reported
    whatever the target was.
    """

    url: str
    target: datetime | None = None
    target_kind: TargetKind = "none"
    access_date: date | None = None


@dataclass(frozen=True)
class DiscoveryCandidate:
    """A capture whose URL looks like a citation's title: a candidate, never a fact."""

    url: str
    snapshot_url: str
    capture_time: datetime
    score: float  # 0..1: share of the title's slug words found in the URL path
    archive: str
    matched_words: tuple[str, ...] = ()


class ArchiveError(Exception):
    """Base of every archive failure."""


class ArchiveUnavailableError(ArchiveError):
    """The archive could not be reached or kept failing (connection, timeouts, 5xx).

    ``outage`` is set when the archive is down for the rest of the run (unreachable, refusing us,
    failing every request), None when only this request failed.
    """

    def __init__(self, message: str, outage: EndpointOutage | None = None) -> None:
        super().__init__(message)
        self.outage = outage


class RateLimitError(ArchiveError):
    """The archive answered 429; ``retry_after`` is how long it asked us to wait (seconds)."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ArchiveRefusedError(ArchiveError):
    """The archive refuses to show (or search) this URL: excluded, blocked site, robots.txt.

    Not "no snapshot": the archive may well hold captures it will not show.
    ``reason`` is the archive's own wording where it gave one.
    """

    def __init__(self, message: str, refusal: ArchiveRefusal = ArchiveRefusal.other) -> None:
        super().__init__(message)
        self.refusal = refusal


class BlockedSiteError(ArchiveRefusedError):
    """The archive refuses to play back this site (excluded by the site owner or the archive)."""

    def __init__(self, message: str, refusal: ArchiveRefusal = ArchiveRefusal.blocked_site) -> None:
        super().__init__(message, refusal)


class ArchiveEndpointError(ArchiveError):
    """The endpoint answered something that is not an answer about the URL (an index 404 or 5xx).

    An endpoint problem, never cached as an answer.
    """


class NoMementoError(ArchiveError):
    """The archive has no capture of this URL at all."""


class ArchiveProtocolError(ArchiveError):
    """The archive answered something this dialect cannot read."""
