"""The pywb / OpenWayback dialect: ``/<coll>/cdx`` and ``/<coll>/<ts>id_/<url>``.

pywb's CDX server answers ``output=json`` as one JSON object per line
(``urlkey``, ``timestamp``, ``url``, ``mime``, ``status``…) and has no
resume keys.  Its playback serves the nearest capture directly (200 with
``Memento-Datetime`` and ``Content-Location``) rather than redirecting to it,
and writes a historical redirect's ``Location`` as the original target.
Filters: a bare ``field:value`` means *contains*, ``~field:value`` a regex,
``=field:value`` exact — the Internet Archive reads a bare filter as a regex.
"""

from __future__ import annotations

import json
from datetime import datetime

import httpx

from citecheck.resolve.archive.models import ArchiveProtocolError, CdxRecord, format_timestamp
from citecheck.resolve.archive.ratelimit import PoolLimits, RateLimiter
from citecheck.resolve.archive.wayback import WaybackBackend, dedupe_records, is_web_capture, record_from_fields

# A self-hosted pywb has no published limits; these keep a shared one comfortable.
PYWB_POOL_LIMITS: dict[str, PoolLimits] = {
    "cdx": PoolLimits(20.0, burst=20),
    "playback": PoolLimits(50.0, burst=50),
}


def parse_cdx_json_lines(text: str) -> tuple[list[CdxRecord], int]:
    """Parse pywb's JSON-lines CDX answer: (records, unreadable lines)."""
    records: list[CdxRecord] = []
    skipped = 0
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            skipped += 1
            continue
        record = record_from_fields({str(k): str(v) for k, v in row.items()}) if isinstance(row, dict) else None
        if record is None:
            skipped += 1
        else:
            records.append(record)
    return records, skipped


class PywbArchive(WaybackBackend):
    """One collection of a pywb (or OpenWayback) server."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        base_url: str,
        collection: str,
        *,
        name: str | None = None,
        limiter: RateLimiter | None = None,
        limit: int = 10000,
        max_retries: int = 3,
        rate_limit_retries: int = 3,
        backoff_seconds: float = 0.5,
    ) -> None:
        super().__init__(
            client,
            base_url,
            name=name or f"{base_url.rstrip('/')}/{collection}",
            limiter=limiter or RateLimiter(PYWB_POOL_LIMITS),
            playback_prefix=collection,
            max_retries=max_retries,
            rate_limit_retries=rate_limit_retries,
            backoff_seconds=backoff_seconds,
        )
        self.collection = collection
        self.limit = limit
        self.unreadable_rows = 0

    @staticmethod
    def regex_filter(field: str, pattern: str, negate: bool = False) -> str:
        return f"{'!' if negate else ''}~{field}:{pattern}"

    async def cdx(self, params: list[tuple[str, str]]) -> list[CdxRecord]:
        response = await self.send(
            "cdx", f"{self.base_url}{self.playback_prefix}/cdx", params=httpx.QueryParams(tuple(params))
        )
        if response.status_code == 404:
            return []
        if response.status_code != 200:
            raise ArchiveProtocolError(f"{self.name} CDX answered {response.status_code}")
        records, skipped = parse_cdx_json_lines(response.text)
        self.unreadable_rows += skipped
        return dedupe_records(records)

    async def captures(self, url: str) -> list[CdxRecord]:
        records = await self.cdx([("url", url), ("output", "json"), ("limit", str(self.limit))])
        return sorted((record for record in records if is_web_capture(record)), key=lambda r: r.timestamp)

    async def search_prefix(self, prefix: str, start: datetime, end: datetime, limit: int) -> list[CdxRecord]:
        records = await self.cdx(
            [
                ("url", prefix),
                ("matchType", "prefix"),
                ("output", "json"),
                ("from", format_timestamp(start)),
                ("to", format_timestamp(end)),
                ("filter", self.regex_filter("status", "200")),
                ("limit", str(limit)),
            ]
        )
        unique: dict[str, CdxRecord] = {}
        for record in records:
            if is_web_capture(record):
                unique.setdefault(record.urlkey, record)
        return list(unique.values())
