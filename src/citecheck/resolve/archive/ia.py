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

from typing import TYPE_CHECKING

from citecheck.models import ArchiveRefusal
from citecheck.resolve.archive.models import ArchiveProtocolError, CdxRecord
from citecheck.resolve.archive.wayback import record_from_fields
from citecheck.resolve.decode import JsonDataError, loads_json
from citecheck.resolve.politeness import PoolPolicy

# httpx imported where used: an offline audit imports this module but never fetches or parses a page (issue 17).
if TYPE_CHECKING:
    import httpx


IA_BASE_URL = "https://web.archive.org"
IA_CDX_FIELDS = ("urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length")

# The Internet Archive publishes no per-address limits for playback or CDX. EDGI wayback, which
# tracks what the service enforces, lowered its CDX default to 24 a minute in 0.5.1 "to match the
# actual hard limits now set on Wayback Machine servers", and keeps playback at 8 a second: these are
# the paces kept here. (The benchmark's proxy enforces 30 a minute and 10 a second; running closer
# to what a loopback proxy allows would trade a real service's goodwill for a benchmark figure.)
# A 429 lowers the rate at once (politeness.Pool) and the pace is never resumed after a refusal.
# IA's 429s name no wait: the first pauses the pool a couple of request intervals, each
# consecutive one twice as long up to a minute (a client that keeps asking after a 429 risks a
# long block; one that pauses a minute per 429 spends most of a run waiting).
# These are the Internet Archive's pools' limits and no one else's: another archive starts fast and
# backs off when told.
IA_INDEX_PER_SECOND = 24 / 60
IA_PLAYBACK_PER_SECOND = 8.0
IA_FIRST_PAUSE_SECONDS = 1.0
IA_INDEX_POLICY = PoolPolicy(
    concurrency=2,
    per_second=IA_INDEX_PER_SECOND,
    burst=2,
    pause_without_retry_after=60.0,
    first_pause_without_retry_after=IA_FIRST_PAUSE_SECONDS,
)
IA_PLAYBACK_POLICY = PoolPolicy(
    concurrency=8,
    per_second=IA_PLAYBACK_PER_SECOND,
    burst=8,
    pause_without_retry_after=60.0,
    first_pause_without_retry_after=IA_FIRST_PAUSE_SECONDS,
)

# What the Wayback Machine says when it will not show or search a URL (EDGI wayback reads the same).
_EXCLUDED_TEXT = "has been excluded from the wayback machine"
_ROBOTS_TEXT = "robots.txt"


def refusal_in_answer(status: int, headers: httpx.Headers, body: bytes) -> tuple[ArchiveRefusal, str] | None:
    """The refusal a Wayback answer without Memento-Datetime states, with the archive's words; else None.

    ``X-Archive-Wayback-Runtime-Error`` names the access-control exception
    (``AdministrativeAccessControlException: Blocked Site Error``,
    ``RobotAccessControlException: …``); the same words may be in the body
    (CDX errors); an excluded URL answers a 200 page saying so.
    """
    header = headers.get("x-archive-wayback-runtime-error", "")
    text = body[:20000].decode("utf-8", "replace")
    words = " ".join((header or text).split())[:200]
    if "AdministrativeAccessControlException" in header or "AdministrativeAccessControlException" in text:
        return ArchiveRefusal.blocked_site, words or "Blocked Site Error"
    if "RobotAccessControlException" in header or "RobotAccessControlException" in text:
        return ArchiveRefusal.robots, words or "blocked by robots.txt"
    lowered = text.lower()
    if _EXCLUDED_TEXT in lowered:
        return ArchiveRefusal.excluded, "This URL has been excluded from the Wayback Machine."
    if status in (403, 451):
        if _ROBOTS_TEXT in lowered:
            return ArchiveRefusal.robots, words or "blocked by robots.txt"
        return ArchiveRefusal.other, words or f"HTTP {status}"
    return None


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
        rows = loads_json(body)
    except JsonDataError as error:
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
