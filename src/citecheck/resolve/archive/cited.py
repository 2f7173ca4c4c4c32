"""Archive copies a citation itself gives, on archives the run does not query: verified by fetching them.

A citation's ``archive-url`` may point at archive.today, ghostarchive,
WebCite, arquivo.pt or any archive not among ``--archive``.  Such a copy is
what the citation sends its readers to, so it is checked the way a reader
would: fetched (through the run's HTTP layer, gently: one request at a time
per archive).  A copy that answers is the reference's snapshot — its time
from ``Memento-Datetime`` (or the URL's own timestamp) — and its bytes are
the source text; a copy that is gone or unreachable leaves the reference to
the configured archives, with the reason kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC

from citecheck.models import ArchiveResult, ArchiveStatus
from citecheck.references.archive_urls import parse_archive_url
from citecheck.resolve.archive.models import GOOD_STATUSES, CaptureBody
from citecheck.resolve.archive.wayback import parse_http_date
from citecheck.resolve.politeness import PoolPolicy
from citecheck.resolve.web import FetchFailed, WebClient

# Archives that are not ours to query gently get one request at a time, one every two seconds at first.
CITED_COPY_POLICY = PoolPolicy(concurrency=1, per_second=0.5, burst=2, pause_without_retry_after=30.0)


@dataclass(frozen=True)
class CitedCopy:
    """What fetching a cited archive copy showed: the result, and the bytes when it is a good copy."""

    result: ArchiveResult
    body: CaptureBody | None = None

    @property
    def usable(self) -> bool:
        return self.result.status is ArchiveStatus.found


async def verify_cited_copy(web: WebClient, archive_url: str) -> CitedCopy:
    """Fetch a cited archive copy: found (with its bytes), an error copy, or not-checked with the reason."""
    import httpx

    parsed = parse_archive_url(archive_url)
    name = parsed.archive if parsed is not None else httpx.URL(archive_url).host
    pool = f"cited:{name}"
    web.configure_pool(pool, CITED_COPY_POLICY)
    try:
        response = await web.fetch(archive_url, pool=pool, capture_aware=True)
    except FetchFailed as failure:
        reason = f"the cited copy could not be fetched ({failure.error.value}: {failure.detail})"
        return CitedCopy(ArchiveResult(status=ArchiveStatus.not_checked, archive=name, reason=reason))
    stamp = response.headers.get("memento-datetime")
    when = parse_http_date(stamp) if stamp else None
    if when is None and parsed is not None and parsed.timestamp is not None:
        when = parsed.timestamp if parsed.timestamp.tzinfo else parsed.timestamp.replace(tzinfo=UTC)
    status = response.status
    if status in GOOD_STATUSES:
        body = None
        if when is not None:
            body = CaptureBody(
                url=(parsed.original_url if parsed is not None else None) or archive_url,
                capture_time=when,
                status=status,
                body=response.body,
                content_type=response.headers.get("content-type"),
                truncated=response.truncated,
            )
        result = ArchiveResult(
            status=ArchiveStatus.found,
            archive=name,
            snapshot_url=archive_url,
            snapshot_time=when,
            snapshot_status=status,
            reason="the citation's own archive copy, fetched" + ("" if stamp else " (its time from the URL)"),
        )
        return CitedCopy(result, body)
    reason = f"the cited copy answered {status}"
    kind = ArchiveStatus.error_snapshot if stamp else ArchiveStatus.none
    return CitedCopy(
        ArchiveResult(status=kind, archive=name, snapshot_url=archive_url, snapshot_status=status, reason=reason)
    )
