"""Values a reference cannot use, caught where a document is read: a data error of that reference, never a crash.

A URL that cannot be parsed (``https://[::g]/``, ``http://x.com:abc/``) or an
archive-URL timestamp outside the web's era (before 1990 or more than a year
ahead: ``99991231235959``) is left out of the field it would have filled; an
access or archive date outside that era is kept (the date checks report it,
CC405) but flagged.  Either way the reference keeps everything else, says what
is wrong in ``data_errors`` and carries a source flag, and the document gets a
notice.  Later stages never meet an unusable URL or timestamp.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from citecheck.dates import EARLIEST_WEB_DATE, PartialDate, latest_web_date, web_date_problem
from citecheck.models import ParsedDocument, Reference, SourceFlag
from citecheck.references.links import url_problem

__all__ = ["check_document_data", "check_reference_data"]


def check_reference_data(reference: Reference, today: date | None = None) -> bool:
    """Leave out unusable URLs and archive timestamps, flag implausible web dates; True when anything was wrong."""
    return _check_reference_data(reference, today, latest_web_date(today))


def _check_reference_data(reference: Reference, today: date | None, limit: date) -> bool:
    found = False
    for field_name in ("url", "archive_url"):
        value = getattr(reference, field_name)
        if value is None:
            continue
        problem = url_problem(value)
        if problem is not None:
            setattr(reference, field_name, None)
            reference.data_errors.append(f"{field_name} {value[:200]!r} left out: {problem}")
            _flag(reference, SourceFlag.invalid_url)
            found = True
    if reference.archive_url is None and reference.archive_url_time is not None:
        reference.archive_url_time = None
    kept = [link for link in reference.links if url_problem(link.url) is None]
    if len(kept) != len(reference.links):
        reference.links = kept
        _flag(reference, SourceFlag.invalid_url)
        found = True
    for field_name, what in (("access_date", "access date"), ("archive_date", "archive date")):
        value = getattr(reference, field_name)
        if value is None or _plausible(value, limit):
            continue
        problem = web_date_problem(value, what=what, today=today)
        if problem is not None:
            # Kept as written, so that the date checks can say what is wrong with it (CC405 for a future
            # access date), but flagged: no later stage should take it for when the page was seen.
            reference.data_errors.append(problem)
            _flag(reference, SourceFlag.implausible_date)
            found = True
    moment = reference.archive_url_time
    problem = web_date_problem(moment, what="archive URL timestamp", today=today) if moment is not None else None
    if problem is not None:
        reference.archive_url_time = None
        reference.data_errors.append(f"{problem}: left out")
        _flag(reference, SourceFlag.implausible_date)
        found = True
    return found


def check_document_data(document: ParsedDocument, today: date | None = None) -> None:
    """:func:`check_reference_data` on every reference, with one notice naming those affected."""
    today = today or datetime.now(UTC).date()  # once per document, not once per date checked
    limit = latest_web_date(today)
    affected = [reference.id for reference in document.references if _check_reference_data(reference, today, limit)]
    if affected:
        shown = ", ".join(affected[:10]) + (" …" if len(affected) > 10 else "")
        document.notices.append(
            f"{len(affected)} reference(s) hold unusable URLs or dates outside 1990 – next year, "
            f"(see each reference's data_errors): {shown}"
        )


def _plausible(value: object, limit: date) -> bool:
    """What :func:`web_date_problem` finds nothing wrong with, told without building its message (most dates)."""
    if not isinstance(value, PartialDate):
        return False
    if EARLIEST_WEB_DATE.year < value.year < limit.year:
        return True  # every day of it is after the earliest and before the limit: no day to work out
    return value.latest() >= EARLIEST_WEB_DATE and value.earliest() <= limit


def _flag(reference: Reference, flag: SourceFlag) -> None:
    if flag not in reference.source_flags:
        reference.source_flags.append(flag)
