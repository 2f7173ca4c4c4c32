"""The Internet Archive's Wayback dialect: ``/cdx/search/cdx`` and ``/web/<ts>id_/<url>``.

CDX answers ``output=json`` as an array of arrays whose first row names the
fields; with ``showResumeKey`` a page ends in ``[]`` then ``["<key>"]``.
Without ``output=json`` it answers space-separated lines, a blank line, then
the key.  Rows repeat, write ``-`` for an unknown status or length, and carry
impossible timestamps (month or day ``00``).  Filters are
``[!]field:regex`` — pywb reads a bare filter as *contains* and ``~`` as
regex, the opposite way round.
"""

from __future__ import annotations

import json
from datetime import datetime

import httpx

from citecheck.resolve.archive.models import ArchiveProtocolError, CdxRecord, format_timestamp
from citecheck.resolve.archive.ratelimit import IA_POOL_LIMITS, RateLimiter
from citecheck.resolve.archive.wayback import WaybackBackend, dedupe_records, is_web_capture, record_from_fields

IA_BASE_URL = "https://web.archive.org"
IA_CDX_FIELDS = ("urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length")


def parse_cdx_page(text: str) -> tuple[list[CdxRecord], str | None, int]:
    """Parse one IA CDX page (JSON or plain lines): (records, resume key or None, unreadable rows)."""
    body = text.strip()
    if not body:
        return [], None, 0
    if body.startswith("["):
        return _parse_json_page(body)
    return _parse_text_page(text)


def _parse_json_page(body: str) -> tuple[list[CdxRecord], str | None, int]:
    try:
        rows = json.loads(body)
    except json.JSONDecodeError as error:
        raise ArchiveProtocolError(f"unreadable CDX JSON: {error}") from error
    if not isinstance(rows, list):
        raise ArchiveProtocolError("CDX JSON is not an array of rows")
    records: list[CdxRecord] = []
    resume_key: str | None = None
    skipped = 0
    header: list[str] | None = None
    for index, row in enumerate(rows):
        if not isinstance(row, list):
            skipped += 1
            continue
        if not row:
            # The empty row separates the results from the resume key row.
            following = rows[index + 1] if index + 1 < len(rows) else None
            if isinstance(following, list) and len(following) == 1:
                resume_key = str(following[0])
            break
        if header is None:
            header = [str(name) for name in row]
            continue
        if len(row) != len(header):
            skipped += 1
            continue
        record = record_from_fields(dict(zip(header, (str(value) for value in row), strict=True)))
        if record is None:
            skipped += 1
        else:
            records.append(record)
    return records, resume_key, skipped


def _parse_text_page(text: str) -> tuple[list[CdxRecord], str | None, int]:
    records: list[CdxRecord] = []
    resume_key: str | None = None
    skipped = 0
    lines = text.split("\n")
    for index, line in enumerate(lines):
        if not line.strip():
            rest = [candidate.strip() for candidate in lines[index + 1 :] if candidate.strip()]
            if len(rest) == 1 and " " not in rest[0]:
                resume_key = rest[0]
                break
            continue
        parts = line.split(" ")
        if len(parts) != len(IA_CDX_FIELDS):
            skipped += 1
            continue
        record = record_from_fields(dict(zip(IA_CDX_FIELDS, parts, strict=True)))
        if record is None:
            skipped += 1
        else:
            records.append(record)
    return records, resume_key, skipped


class InternetArchive(WaybackBackend):
    """web.archive.org (or any server speaking its dialect at ``base_url``)."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        base_url: str = IA_BASE_URL,
        *,
        name: str | None = None,
        limiter: RateLimiter | None = None,
        page_size: int = 5000,
        max_pages: int = 4,
        max_retries: int = 3,
        rate_limit_retries: int = 3,
        backoff_seconds: float = 0.5,
    ) -> None:
        super().__init__(
            client,
            base_url,
            name=name or ("web.archive.org" if base_url.rstrip("/") == IA_BASE_URL else base_url),
            limiter=limiter or RateLimiter(IA_POOL_LIMITS),
            playback_prefix="/web",
            max_retries=max_retries,
            rate_limit_retries=rate_limit_retries,
            backoff_seconds=backoff_seconds,
        )
        self.page_size = page_size
        self.max_pages = max_pages
        self.unreadable_rows = 0

    @staticmethod
    def regex_filter(field: str, pattern: str, negate: bool = False) -> str:
        return f"{'!' if negate else ''}{field}:{pattern}"

    async def cdx(self, params: list[tuple[str, str]]) -> list[CdxRecord]:
        """Run a CDX query, following resume keys for up to ``max_pages`` pages."""
        base = [*params, ("showResumeKey", "true")]
        records: list[CdxRecord] = []
        resume_key: str | None = None
        for _page in range(self.max_pages):
            query = base if resume_key is None else [*base, ("resumeKey", resume_key)]
            response = await self.send("cdx", f"{self.base_url}/cdx/search/cdx", params=httpx.QueryParams(tuple(query)))
            if response.status_code == 404:
                break
            if response.status_code != 200:
                raise ArchiveProtocolError(f"{self.name} CDX answered {response.status_code}")
            page, resume_key, skipped = parse_cdx_page(response.text)
            self.unreadable_rows += skipped
            records.extend(page)
            if resume_key is None:
                break
        return dedupe_records(records)

    async def captures(self, url: str) -> list[CdxRecord]:
        records = await self.cdx([("url", url), ("output", "json"), ("limit", str(self.page_size))])
        return sorted((record for record in records if is_web_capture(record)), key=lambda r: r.timestamp)

    async def search_prefix(self, prefix: str, start: datetime, end: datetime, limit: int) -> list[CdxRecord]:
        records = await self.cdx(
            [
                ("url", prefix),
                ("matchType", "prefix"),
                ("output", "json"),
                ("from", format_timestamp(start)),
                ("to", format_timestamp(end)),
                ("filter", self.regex_filter("statuscode", "200")),
                ("filter", self.regex_filter("mimetype", "text/html")),
                ("collapse", "urlkey"),
                ("limit", str(limit)),
            ]
        )
        return [record for record in records if is_web_capture(record)]
