"""Findings about a reference's archive snapshot: CC301–CC305."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from citecheck.checks.catalogue import make_finding
from citecheck.models import ArchiveResult, ArchiveStatus, Finding, Reference

# A capture's clock and a citation's date can straddle midnight or time zones.
DATE_TOLERANCE = timedelta(days=1)


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def findings_for_archive(reference: Reference, result: ArchiveResult, far_days: int = 30) -> list[Finding]:
    """CC301 no-snapshot, CC302 snapshot-far-from-access, CC303 archive-date-mismatch, CC304 error-snapshot,
    CC305 archive-refused.

    ``not-checked`` results produce nothing — an archive we could not ask says
    nothing about the citation — except a refusal, which is the archive's own
    answer and is shown with its words.
    """
    findings: list[Finding] = []
    where = f" in {result.archive}" if result.archive else ""
    if result.refusal is not None:
        subject = reference.url or reference.title or "this reference"
        findings.append(
            make_finding(
                "CC305",
                f"The archive{where} refuses to show or search {subject} ({result.refusal.value}): {result.reason}",
                ref=reference.id,
            )
        )
    if result.status is ArchiveStatus.none and reference.url:
        findings.append(make_finding("CC301", f"No archived capture of {reference.url}{where}.", ref=reference.id))
    if result.status is ArchiveStatus.error_snapshot:
        status = f"HTTP {result.snapshot_status}" if result.snapshot_status else "an error"
        detail = f" ({result.reason})" if result.reason else ""
        findings.append(
            make_finding(
                "CC304",
                f"The archived capture{where} of {reference.url or 'this reference'} answered {status}{detail}: "
                f"{result.snapshot_url}",
                ref=reference.id,
            )
        )
    if (
        result.status is ArchiveStatus.found
        and result.days_from_access is not None
        and abs(result.days_from_access) > far_days
    ):
        side = "after" if result.days_from_access > 0 else "before"
        findings.append(
            make_finding(
                "CC302",
                f"The best capture{where} is {abs(result.days_from_access)} days {side} the access date "
                f"({reference.access_date}): {result.snapshot_url}",
                ref=reference.id,
            )
        )
    mismatch = _archive_date_mismatch(reference, result)
    if mismatch is not None:
        findings.append(make_finding("CC303", mismatch, ref=reference.id))
    return findings


def _archive_date_mismatch(reference: Reference, result: ArchiveResult) -> str | None:
    """Why the cited archive timestamp or stated archive date disagrees with the real capture, else None."""
    if result.snapshot_time is None or result.status not in (ArchiveStatus.found, ArchiveStatus.error_snapshot):
        return None
    real = _utc(result.snapshot_time)
    if reference.archive_url_time is not None:
        cited = _utc(reference.archive_url_time)
        if abs(real - cited) > DATE_TOLERANCE:
            return (
                f"The archive URL names {cited:%Y-%m-%d %H:%M}, but the capture it opens was made "
                f"{real:%Y-%m-%d %H:%M} UTC ({result.snapshot_url})."
            )
        return None
    if reference.archive_date is not None:
        first = reference.archive_date.earliest() - DATE_TOLERANCE
        last = reference.archive_date.latest() + DATE_TOLERANCE
        if not first <= real.date() <= last:
            return (
                f"The citation says it was archived on {reference.archive_date}, but the nearest capture "
                f"was made {real:%Y-%m-%d} ({result.snapshot_url})."
            )
    return None
