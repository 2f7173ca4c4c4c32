"""A small timeline picture per reference: when it was published, read, archived, captured, lost.

Each date gets its own row (so labels never collide) and a mark on one
shared time axis; a date known only to the month or year is drawn as a span
covering that month or year, so ``2010`` never looks like ``2010-01-01``.
Date mismatches (a stated archive date the real capture contradicts, an
access date before publication) are drawn in red *and* written out as text
below the axis, so colour is never the only signal.

The SVG is self-contained (no scripts, no external references, no fonts to
fetch) and every piece of document text in it goes through
:func:`citecheck.reports.escape.xml_text`.  Output is a
pure function of its inputs: the same reference gives the same bytes.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from citecheck.dates import PartialDate
from citecheck.models import ArchiveStatus, DocumentReport, LiveStatus, Reference
from citecheck.reports.escape import xml_text
from citecheck.reports.filenames import bounded_name, name_key

# A capture's clock and a citation's date can straddle midnight or time zones (as in checks/archive.py).
DATE_TOLERANCE = timedelta(days=1)
LIVE_GONE = {LiveStatus.dead, LiveStatus.soft_404, LiveStatus.parked, LiveStatus.redirected}

WIDTH = 640
LABEL_X = 8
PLOT_LEFT = 226
PLOT_RIGHT = 618
HEADING_Y = 18
FIRST_ROW_Y = 32
ROW_HEIGHT = 22
MISMATCH_LINE_HEIGHT = 16
TICK_SPACING = 78  # px between tick labels, enough for "2011-04-14"
# Clusters of dates further apart than this get a broken axis.
BREAK_MIN_GAP_DAYS = 2 * 365
BREAK_GAP_FRACTION = 0.35
BREAK_WIDTH = 26
SEGMENT_MIN_WIDTH = 70
SHORT_SEGMENT_DAYS = 10

COLOURS = {
    "stated": "#1f5f8b",  # dates the citation itself states
    "archive": "#2e7d32",  # what the archive actually holds
    "dead": "#6d4c41",
    "document": "#5f6368",
    "mismatch": "#c62828",
}

_ID_UNSAFE_RE = re.compile(r"[^A-Za-z0-9_-]")


@dataclass(frozen=True)
class TimelineMark:
    """One dated event on a reference's timeline; ``first``/``last`` bound what the date may denote."""

    key: str  # published | accessed | archive-stated | archive-cited | capture | dead | document
    label: str  # what the row says, e.g. "published 2010-05 (month)"
    first: date
    last: date
    colour_role: str  # a key of COLOURS

    @property
    def is_span(self) -> bool:
        return self.first != self.last


@dataclass(frozen=True)
class TimelineMismatch:
    """Two marks that contradict each other, and the sentence that says so."""

    keys: tuple[str, str]
    text: str


def _utc_date(moment: datetime) -> date:
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).date()


def _as_partial(value: PartialDate | date | datetime) -> PartialDate:
    if isinstance(value, PartialDate):
        return value
    if isinstance(value, datetime):
        return PartialDate.from_date(_utc_date(value))
    return PartialDate.from_date(value)


def _partial_label(name: str, value: PartialDate) -> str:
    precision = "" if value.precision == "day" else f" ({value.precision})"
    return f"{name} {value.iso()}{precision}"


def _partial_mark(key: str, name: str, value: PartialDate, colour_role: str) -> TimelineMark:
    """The mark of a stated date; the label and both bounds are worked out once per date and row.

    References state the same dates over and over, so marks are kept, keyed by the date's fields: a frozen
    pydantic model hashes and compares in Python, field by field, which costs more than building the key.
    """
    cache_key = (key, name, colour_role, value.year, value.month, value.day, value.approximate)
    mark = _PARTIAL_MARKS.get(cache_key)
    if mark is None:
        if len(_PARTIAL_MARKS) >= _PARTIAL_MARKS_MAX:
            _PARTIAL_MARKS.clear()  # a bounded memo: a very large audit starts it afresh
        mark = TimelineMark(key, _partial_label(name, value), value.earliest(), value.latest(), colour_role)
        _PARTIAL_MARKS[cache_key] = mark
    return mark


_PARTIAL_MARKS: dict[tuple[str, str, str, int, int | None, int | None, bool], TimelineMark] = {}
_PARTIAL_MARKS_MAX = 8_192


def _day_mark(key: str, name: str, moment: datetime | date, colour_role: str) -> TimelineMark:
    day = _utc_date(moment) if isinstance(moment, datetime) else moment
    return TimelineMark(key, f"{name} {day.isoformat()}", day, day, colour_role)


def timeline_marks(
    reference: Reference,
    *,
    document_date: PartialDate | date | None = None,
    first_seen_dead: datetime | date | None = None,
) -> list[TimelineMark]:
    """The dated events of one reference, in a fixed order (so pictures compare row by row).

    Without ``first_seen_dead``, a live check that found the link gone still
    contributes its check time, labelled as a check rather than a first sighting.
    """
    marks: list[TimelineMark] = []
    if reference.date is not None:
        marks.append(_partial_mark("published", "published", reference.date, "stated"))
    if reference.access_date is not None:
        marks.append(_partial_mark("accessed", "accessed", reference.access_date, "stated"))
    if reference.archive_date is not None:
        marks.append(_partial_mark("archive-stated", "archived (stated)", reference.archive_date, "stated"))
    if reference.archive_url_time is not None:
        marks.append(_day_mark("archive-cited", "cited archive URL", reference.archive_url_time, "stated"))
    archive = reference.archive
    if archive.snapshot_time is not None and archive.status in (ArchiveStatus.found, ArchiveStatus.error_snapshot):
        name = "capture found" if archive.status is ArchiveStatus.found else "error capture"
        marks.append(_day_mark("capture", name, archive.snapshot_time, "archive"))
    if first_seen_dead is not None:
        marks.append(_day_mark("dead", "first seen dead", first_seen_dead, "dead"))
    elif reference.live.status in LIVE_GONE and reference.live.checked_at is not None:
        marks.append(_day_mark("dead", f"checked: {reference.live.status.value}", reference.live.checked_at, "dead"))
    if document_date is not None:
        marks.append(_partial_mark("document", "document dated", _as_partial(document_date), "document"))
    return marks


def timeline_mismatches(reference: Reference) -> list[TimelineMismatch]:
    """Contradictions between a reference's dates, as the picture shows them.

    The stated archive time (the cited archive URL's timestamp, else the
    archive date) is compared with the capture actually found, with a day of
    tolerance, the same rule CC303 applies; access and archive dates are
    compared with publication only when the partial dates cannot overlap.
    """
    mismatches: list[TimelineMismatch] = []
    archive = reference.archive
    if archive.snapshot_time is not None and archive.status in (ArchiveStatus.found, ArchiveStatus.error_snapshot):
        real = _utc_date(archive.snapshot_time)
        if reference.archive_url_time is not None:
            cited = _utc_date(reference.archive_url_time)
            if abs(real - cited) > DATE_TOLERANCE:
                mismatches.append(
                    TimelineMismatch(
                        ("archive-cited", "capture"),
                        f"Mismatch: the archive URL names {cited.isoformat()}, the capture is from {real.isoformat()}.",
                    )
                )
        elif reference.archive_date is not None:
            stated = reference.archive_date
            if not stated.earliest() - DATE_TOLERANCE <= real <= stated.latest() + DATE_TOLERANCE:
                mismatches.append(
                    TimelineMismatch(
                        ("archive-stated", "capture"),
                        f"Mismatch: archived {stated.iso()} (stated), but the capture is from {real.isoformat()}.",
                    )
                )
    published = reference.date
    if published is None:
        return mismatches
    stated_dates: list[tuple[str, str, PartialDate | None]] = [
        ("accessed", "accessed", reference.access_date),
        ("archive-stated", "archived", reference.archive_date),
    ]
    for key, name, claimed in stated_dates:
        if claimed is not None and claimed.definitely_before(published):
            mismatches.append(
                TimelineMismatch(
                    (key, "published"),
                    f"Mismatch: {name} {claimed.iso()}, before publication on {published.iso()}.",
                )
            )
    return mismatches


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _number(value: float) -> str:
    # Rows, axes and ticks repeat the same coordinates in every picture; zero is written directly (0.0 and -0.0
    # are one cache key but two texts).
    return _formatted_number(value) if value else f"{value:.1f}".rstrip("0").rstrip(".")


@functools.lru_cache(maxsize=4_096)
def _formatted_number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class _Segment:
    low: int  # proleptic ordinal of the segment's left edge
    high: int  # ... and right edge (exclusive)
    left: float  # x of the left edge
    right: float

    def x(self, ordinal: int) -> float:
        fraction = (ordinal - self.low) / (self.high - self.low)
        return self.left + fraction * (self.right - self.left)


@dataclass(frozen=True)
class _Scale:
    """A time axis, broken where the dates form clusters years apart.

    A link checked dead today would otherwise squeeze a citation's dates from
    a decade ago into a few pixels, hiding exactly the mismatches the picture
    is for; each cluster gets its own stretch of axis and the gaps a break.
    Segments never overlap (clusters lie further apart than their paddings
    reach), so a day inside a segment is placed by that segment alone.
    """

    segments: tuple[_Segment, ...]

    def x(self, day: date) -> float:
        return self.x_ordinal(day.toordinal())

    def x_after(self, day: date) -> float:
        """The x of the end of ``day`` (spans cover their last day)."""
        return self.x_ordinal(day.toordinal() + 1)

    def x_ordinal(self, ordinal: int) -> float:
        for segment in self.segments:
            if ordinal <= segment.high:
                return segment.x(ordinal)
        return self.segments[-1].x(ordinal)


def _clusters(marks: Sequence[TimelineMark]) -> list[tuple[int, int]]:
    """Ordinal ranges (end exclusive) of marks lying close together; far-apart groups stay apart."""
    intervals = sorted((mark.first.toordinal(), mark.last.toordinal() + 1) for mark in marks)
    total = max(high for _, high in intervals) - intervals[0][0]
    gap_days = max(BREAK_MIN_GAP_DAYS, total * BREAK_GAP_FRACTION)
    clusters = [list(intervals[0])]
    for low, high in intervals[1:]:
        if low - clusters[-1][1] > gap_days:
            clusters.append([low, high])
        else:
            clusters[-1][1] = max(clusters[-1][1], high)
    return [(low, high) for low, high in clusters]


def _scale_for(marks: Sequence[TimelineMark]) -> _Scale:
    padded = []
    for low, high in _clusters(marks):
        padding = max(3, math.ceil((high - low) * 0.06))
        padded.append((low - padding, high + padding))
    available = PLOT_RIGHT - PLOT_LEFT - (len(padded) - 1) * BREAK_WIDTH
    spare = available - len(padded) * SEGMENT_MIN_WIDTH
    total_days = sum(high - low for low, high in padded)
    segments = []
    left = float(PLOT_LEFT)
    for low, high in padded:
        width = SEGMENT_MIN_WIDTH + spare * (high - low) / total_days
        segments.append(_Segment(low, high, left, left + width))
        left += width + BREAK_WIDTH
    return _Scale(tuple(segments))


def _ticks(segment: _Segment) -> list[tuple[date, str]]:
    """Tick dates with labels for one stretch of axis, at years, months or days as its span requires."""
    most = max(1, int((segment.right - segment.left) // TICK_SPACING))
    first, last = date.fromordinal(segment.low), date.fromordinal(segment.high - 1)
    span_days = segment.high - segment.low
    ticks: list[tuple[date, str]] = []
    if span_days > 4 * 366 or (span_days > 366 and most < 3):
        step = max(1, math.ceil((last.year - first.year + 1) / most))
        for year in range(first.year + 1, last.year + 1):
            if year % step == 0:
                ticks.append((date(year, 1, 1), str(year)))
        return ticks
    if span_days > 62:
        months = (last.year - first.year) * 12 + last.month - first.month + 1
        step = next((candidate for candidate in (1, 2, 3, 6) if months / candidate <= most), 12)
        # Months counted from year 0 (0-based): the month after `first`'s, and `last`'s.  Every step divides 12,
        # so the months whose number within the year is a multiple of it are the multiples of it in this count.
        after_first, last_month = first.year * 12 + first.month, last.year * 12 + last.month - 1
        for index in range(after_first + -after_first % step, last_month + 1, step):
            year, month = divmod(index, 12)
            ticks.append((date(year, month + 1, 1), f"{year:04d}-{month + 1:02d}"))
        return ticks
    if span_days <= SHORT_SEGMENT_DAYS:
        # A lone date with its padding: one tick on the date itself reads better than a neighbour's.
        middle = date.fromordinal(segment.low + span_days // 2)
        return [(middle, middle.isoformat())]
    step = next((candidate for candidate in (1, 2, 7, 14) if span_days / candidate <= most), 28)
    # The days after `first` up to `last` whose ordinal is a multiple of the step.
    for ordinal in range(segment.low + 1 + -(segment.low + 1) % step, segment.high, step):
        day = date.fromordinal(ordinal)
        ticks.append((day, day.isoformat()))
    return ticks


def _mark_shape(
    mark: TimelineMark, left: float, right_after: float, row: tuple[str, str, str, str], colour: str, highlighted: bool
) -> str:
    """The mark's circle (a day) or bar (a span) from its left x, the x where its last day ends, and its row."""
    stroke = ' stroke-width="2"' if highlighted else ' stroke-width="1"'
    y_text, _, top_text, _ = row
    if mark.is_span:
        right = max(right_after, left + 4)
        return (
            f'<rect x="{_number(left)}" y="{top_text}" width="{_number(right - left)}" height="10" rx="3" '
            f'fill="{colour}" fill-opacity="0.3" stroke="{colour}"{stroke}/>'
        )
    centre_text = _number((left + right_after) / 2)
    shape = f'<circle cx="{centre_text}" cy="{y_text}" r="5" fill="{colour}" stroke="{colour}"{stroke}/>'
    if highlighted:
        shape += (
            f'\n<circle cx="{centre_text}" cy="{y_text}" r="8.5" fill="none" stroke="{colour}" stroke-width="1.5"/>'
        )
    return shape


@functools.lru_cache(maxsize=64)
def _row(index: int) -> tuple[str, str, str, str]:
    """Row ``index``'s y, its striped background and a line break ("" on odd rows), its shape's top and its
    label's baseline."""
    y = FIRST_ROW_Y + index * ROW_HEIGHT + ROW_HEIGHT / 2
    stripe = (
        f'<rect x="1" y="{_number(y - ROW_HEIGHT / 2)}" width="{WIDTH - 2}" height="{ROW_HEIGHT}" fill="#f6f8fa"/>\n'
        if index % 2 == 0
        else ""
    )
    return _number(y), stripe, _number(y - 5), _number(y + 4)


@functools.lru_cache(maxsize=4_096)
def _row_label(label_y_text: str, colour: str, label: str, highlighted: bool) -> str:
    """A row's label (the same few labels, rows and colours recur in every picture)."""
    if highlighted:
        return (
            f'<text x="{LABEL_X}" y="{label_y_text}" fill="{colour}" font-weight="bold">{xml_text("⚠ " + label)}</text>'
        )
    return f'<text x="{LABEL_X}" y="{label_y_text}" fill="{colour}">{xml_text(label)}</text>'


@functools.lru_cache(maxsize=2_048)
def _axis_segment(segment: _Segment, axis_y: int, broken: bool) -> str:
    """One stretch of the axis at ``axis_y``: its line, the break sign before it (``broken``) and its ticks.

    Every tick lies inside its segment, which alone places it (see :class:`_Scale`): the text depends on
    the segment and the axis's height only, and segments recur across references citing nearby dates.
    """
    parts = [
        f'<line x1="{_number(segment.left)}" y1="{axis_y}" x2="{_number(segment.right)}" y2="{axis_y}" '
        'stroke="#57606a" stroke-width="1"/>'
    ]
    if broken:
        # Two slanted strokes: the usual sign that the axis skips time here.
        middle = segment.left - BREAK_WIDTH / 2
        for offset in (-3, 3):
            x = middle + offset
            parts.append(
                f'<line x1="{_number(x - 3)}" y1="{axis_y + 5}" x2="{_number(x + 3)}" y2="{axis_y - 5}" '
                'stroke="#57606a" stroke-width="1.2"/>'
            )
    tick_bottom, tick_text_y = axis_y + 4, axis_y + 16
    for tick, tick_label in _ticks(segment):
        x_text = _number(segment.x(tick.toordinal()))
        parts.append(
            f'<line x1="{x_text}" y1="{axis_y}" x2="{x_text}" y2="{tick_bottom}" stroke="#57606a"/>\n'
            f'<text x="{x_text}" y="{tick_text_y}" text-anchor="middle" fill="#57606a" '
            f'font-size="10">{tick_label}</text>'
        )
    return "\n".join(parts)


def timeline_svg(
    reference: Reference,
    *,
    document_date: PartialDate | date | None = None,
    first_seen_dead: datetime | date | None = None,
) -> str | None:
    """An accessible SVG timeline of one reference, or None when it has fewer than two dates."""
    marks = timeline_marks(reference, document_date=document_date, first_seen_dead=first_seen_dead)
    if len(marks) < 2:
        return None
    return _timeline_svg(reference, marks)


def _timeline_svg(reference: Reference, marks: list[TimelineMark]) -> str:
    """:func:`timeline_svg` for marks already worked out (two at least)."""
    mismatches = timeline_mismatches(reference)
    height, description, body = _timeline_body(tuple(marks), tuple(mismatches))
    element_id = "timeline-" + _ID_UNSAFE_RE.sub("_", reference.id)
    subject = reference.title or reference.work or reference.url or reference.raw or ""
    heading = xml_text(f"Reference {reference.id}" + (f": {_shorten(subject, 70)}" if subject else ""))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="{element_id}-title {element_id}-desc" '
        f'font-family="DejaVu Sans, Verdana, Arial, sans-serif" font-size="11">\n'
        f'<title id="{element_id}-title">Timeline of {heading}</title>\n'
        f'<desc id="{element_id}-desc">{description}</desc>\n'
        f'<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#ffffff" stroke="#d0d7de"/>\n'
        f'<text x="{LABEL_X}" y="{HEADING_Y}" font-weight="bold" fill="#24292f">{heading}</text>\n'
        f"{body}"
    )


def _timeline_body(marks: tuple[TimelineMark, ...], mismatches: tuple[TimelineMismatch, ...]) -> tuple[int, str, str]:
    """The picture's height, its escaped description and everything below its heading, ``</svg>`` included.

    Only the heading (the reference's id and title) is the reference's own: the rest is a pure function of
    the marks and mismatches, which references citing the same dates share, so it is drawn once for them.
    """
    flagged = {key for mismatch in mismatches for key in mismatch.keys}
    scale = _scale_for(marks)
    axis_y = FIRST_ROW_Y + len(marks) * ROW_HEIGHT + 4
    height = axis_y + 30 + len(mismatches) * MISMATCH_LINE_HEIGHT + (6 if mismatches else 0)
    description = "; ".join(mark.label for mark in marks) + "."
    if mismatches:
        description += " " + " ".join(mismatch.text for mismatch in mismatches)

    parts: list[str] = []
    for index, mark in enumerate(marks):
        row = _row(index)
        y_text, stripe, _, label_y_text = row
        highlighted = mark.key in flagged
        colour = COLOURS["mismatch"] if highlighted else COLOURS[mark.colour_role]
        left, right_after = scale.x(mark.first), scale.x_after(mark.last)
        centre_text = _number((left + right_after) / 2)
        parts.append(
            f'{stripe}<line x1="{centre_text}" y1="{y_text}" x2="{centre_text}" y2="{axis_y}" '
            f'stroke="{colour}" stroke-opacity="0.35" stroke-dasharray="2 3"/>\n'
            f"{_mark_shape(mark, left, right_after, row, colour, highlighted)}\n"
            f"{_row_label(label_y_text, colour, mark.label, highlighted)}"
        )
    for index, segment in enumerate(scale.segments):
        parts.append(_axis_segment(segment, axis_y, index > 0))
    for index, mismatch in enumerate(mismatches):
        y = axis_y + 34 + index * MISMATCH_LINE_HEIGHT
        parts.append(
            f'<text x="{LABEL_X}" y="{y}" fill="{COLOURS["mismatch"]}" font-weight="bold">'
            f"⚠ {xml_text(mismatch.text)}</text>"
        )
    parts.append("</svg>\n")
    return height, xml_text(description), "\n".join(parts)


def timeline_names(
    report: DocumentReport, stem: str, *, first_seen_dead: Mapping[str, datetime] | None = None
) -> dict[str, str]:
    """Reference id → SVG file name (``<stem>-ref-<id>.svg``) for each reference that gets a timeline.

    Ids come from documents, so only safe characters survive in the name, and
    it is bounded (:func:`citecheck.reports.filenames.bounded_name`); two ids
    that clean to the same name — or differ only in case, one file on macOS and
    Windows — are told apart by their position.
    """
    return {reference.id: name for reference, name, _ in _named_marks(report, stem, first_seen_dead)}


def _named_marks(
    report: DocumentReport, stem: str, first_seen_dead: Mapping[str, datetime] | None
) -> list[tuple[Reference, str, list[TimelineMark]]]:
    """(reference, file name, marks) for each reference that gets a timeline, in document order."""
    named: list[tuple[Reference, str, list[TimelineMark]]] = []
    taken: set[str] = set()
    for index, reference in enumerate(report.references):
        marks = timeline_marks(
            reference,
            document_date=report.document.date,
            first_seen_dead=(first_seen_dead or {}).get(reference.id),
        )
        if len(marks) < 2:
            continue
        base = f"{stem}-ref-{_ID_UNSAFE_RE.sub('_', reference.id)}"
        name = bounded_name(base, ".svg")
        if name_key(name) in taken:
            name = bounded_name(f"{base}-{index + 1}", ".svg")
        taken.add(name_key(name))
        named.append((reference, name, marks))
    return named


def timeline_names_and_files(
    report: DocumentReport, stem: str, *, first_seen_dead: Mapping[str, datetime] | None = None
) -> tuple[dict[str, str], dict[str, str]]:
    """:func:`timeline_names` and :func:`timeline_files` at once, each reference's marks worked out once."""
    named = {
        reference.id: (reference, name, marks) for reference, name, marks in _named_marks(report, stem, first_seen_dead)
    }
    names = {reference_id: name for reference_id, (_, name, _) in named.items()}
    last = {reference.id: reference for reference in report.references}
    if all(last[reference_id] is reference for reference_id, (reference, _, _) in named.items()):
        return names, {name: _timeline_svg(reference, marks) for reference, name, marks in named.values()}
    # Ids shared by several references: exactly what the two functions give one after the other.
    return names, timeline_files_named(report, names, first_seen_dead)


def timeline_files(
    report: DocumentReport, stem: str, *, first_seen_dead: Mapping[str, datetime] | None = None
) -> dict[str, str]:
    """File name → SVG text for every reference timeline of ``report``, to write next to ``<stem>.md``.

    ``first_seen_dead`` maps reference ids to when the link was first found
    dead (from the store's live history), where known.  The names match
    :func:`timeline_names` called with the same arguments.
    """
    return timeline_files_named(report, timeline_names(report, stem, first_seen_dead=first_seen_dead), first_seen_dead)


def timeline_files_named(
    report: DocumentReport, names: Mapping[str, str], first_seen_dead: Mapping[str, datetime] | None = None
) -> dict[str, str]:
    """:func:`timeline_files` for names :func:`timeline_names` already gave (they are not worked out twice)."""
    files: dict[str, str] = {}
    references = {reference.id: reference for reference in report.references}
    for reference_id, name in names.items():
        svg = timeline_svg(
            references[reference_id],
            document_date=report.document.date,
            first_seen_dead=(first_seen_dead or {}).get(reference_id),
        )
        if svg is not None:
            files[name] = svg
    return files
