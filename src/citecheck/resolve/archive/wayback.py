"""What every Wayback-style and Memento archive answers, read: Link headers, TimeMaps, CDX rows, mementos.

Pure functions over what an archive sent.  The dialects (:mod:`.ia`,
:mod:`.pywb`, Memento TimeMaps) differ in their paths, CDX formats and filter
syntax; the way a capture is proven (``Memento-Datetime``) is the same.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from citecheck.references.links import url_problem
from citecheck.resolve.archive.models import (
    ArchiveProtocolError,
    CdxRecord,
    Memento,
    parse_timestamp,
    plausible_capture_time,
)

# httpx imported where used: an offline audit imports this module but never fetches or parses a page (issue 17).
if TYPE_CHECKING:
    import httpx


_LINK_RE = re.compile(r'<(?P<url>[^>]*)>(?P<params>(?:\s*;\s*[^;,<]+=(?:"[^"]*"|[^;,<]*))*)')
_PARAM_RE = re.compile(r'([\w-]+)\s*=\s*(?:"([^"]*)"|([^;,\s]*))')


def parse_link_header(value: str) -> list[tuple[str, dict[str, str]]]:
    """Parse an RFC 8288 Link header or a link-format TimeMap body into (url, params) pairs.

    HTML entities are decoded: the Internet Archive writes ``&amp;`` inside
    the URLs of its Link header, and a snapshot URL must not carry them.
    """
    links: list[tuple[str, dict[str, str]]] = []
    for match in _LINK_RE.finditer(value):
        params = {
            name.lower(): html.unescape(quoted or bare) for name, quoted, bare in _PARAM_RE.findall(match["params"])
        }
        links.append((html.unescape(match["url"]), params))
    return links


def join_url(base: str, reference: str) -> str | None:
    """``reference`` resolved against ``base``, or None when either is no URL urllib can read.

    An archive's ``Location`` or ``Link`` target is the server's text: ``http://[::g]/`` makes
    :func:`urllib.parse.urljoin` raise, and one such header must cost that answer only.
    """
    try:
        return urljoin(base, reference)
    except ValueError:
        return None


def parse_http_date(text: str) -> datetime | None:
    """An RFC 1123 date (``Fri, 24 Nov 2017 15:13:15 GMT``) as an aware UTC moment; None when unreadable.

    A date without a zone, or one no capture can have, is unreadable: guessing
    would place the capture in the wrong day.
    """
    try:
        moment = parsedate_to_datetime(text.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if moment.tzinfo is None:
        # parsedate_to_datetime also returns naive for "-0000", which RFC 5322 defines as UTC.
        if not text.strip().endswith("-0000"):
            return None
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC)
    return moment if plausible_capture_time(moment) else None


def neighbour_mementos(link_header: str) -> dict[str, datetime]:
    """first/prev/next/last memento times a memento's Link header names (Internet Archive, pywb)."""
    found: dict[str, datetime] = {}
    for _url, params in parse_link_header(link_header):
        rels = params.get("rel", "").split()
        if "memento" not in rels or "datetime" not in params:
            continue
        moment = parse_http_date(params["datetime"])
        if moment is None:
            continue
        for rel in rels:
            if rel in ("first", "prev", "next", "last"):
                found[rel] = moment
        if rels == ["memento"]:
            found["self"] = moment
    return found


def parse_timemap(text: str) -> list[tuple[str, datetime]]:
    """The mementos of a link-format TimeMap as (memento URL, capture time), oldest first."""
    mementos: list[tuple[str, datetime]] = []
    for url, params in parse_link_header(text):
        rels = params.get("rel", "").split()
        if "memento" in rels and "datetime" in params:
            moment = _timemap_date(params["datetime"])
            if moment is None:
                continue  # an unreadable datetime: that memento cannot be placed in time
            mementos.append((url, moment))
    mementos.sort(key=lambda item: item[1])
    return mementos


def _timemap_date(text: str) -> datetime | None:
    # TimeMap dates are GMT by definition (RFC 7089); some archives write them without the zone.
    moment = parse_http_date(text)
    if moment is not None:
        return moment
    try:
        naive = parsedate_to_datetime(text.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    moment = naive if naive.tzinfo else naive.replace(tzinfo=UTC)
    return moment if plausible_capture_time(moment) else None


def dedupe_records(records: list[CdxRecord]) -> list[CdxRecord]:
    """Drop repeated rows (the CDX server repeats rows across shards), keeping the first."""
    seen: set[tuple[str, str, str | None, int | None, str]] = set()
    unique: list[CdxRecord] = []
    for record in records:
        key = (record.urlkey, record.raw_timestamp, record.digest, record.status, record.original)
        if key not in seen:
            seen.add(key)
            unique.append(record)
    return unique


def record_from_fields(fields: dict[str, str]) -> CdxRecord | None:
    """A CdxRecord from named CDX fields (either dialect's names); None for an unreadable row."""
    raw_timestamp = fields.get("timestamp", "")
    original = fields.get("original") or fields.get("url") or ""
    try:
        timestamp = parse_timestamp(raw_timestamp)
    except ValueError:
        return None
    if not original:
        return None

    def number(value: str | None) -> int | None:
        return int(value) if value and value.isdigit() else None

    mimetype = fields.get("mimetype") or fields.get("mime")
    digest = fields.get("digest")
    return CdxRecord(
        urlkey=fields.get("urlkey", ""),
        timestamp=timestamp,
        original=original,
        mimetype=None if mimetype in (None, "-") else mimetype,
        status=number(fields.get("statuscode") or fields.get("status")),
        digest=None if digest in (None, "-") else digest,
        length=number(fields.get("length")),
        raw_timestamp=raw_timestamp,
    )


def is_web_capture(record: CdxRecord) -> bool:
    """False for the non-web originals real indexes contain (``mailto:`` hosts, ``data:`` URIs)."""
    lowered = record.original.lower()
    if not lowered.startswith(("http://", "https://")) or url_problem(record.original) is not None:
        return False
    authority = lowered.split("/", 3)[2]
    return bool(authority) and "@" not in authority and "data:" not in lowered


def memento_from_response(
    requested_url: str,
    response_url: str,
    status: int,
    headers: httpx.Headers,
    unwrap_playback: Callable[[str], tuple[str, str] | None],
) -> Memento | None:
    """A Memento when the answer carries Memento-Datetime (the proof of a capture), else None.

    ``unwrap_playback`` turns a playback address of this archive into
    (timestamp, original URL): the Internet Archive writes a historical
    redirect's Location as a playback address, pywb as the original target.
    Raises ArchiveProtocolError for a Memento-Datetime no capture can have
    (unreadable, without a zone, year 9999): inconclusive for that URL only.
    """
    stamp = headers.get("Memento-Datetime")
    if not stamp:
        return None
    capture_time = parse_http_date(stamp)
    if capture_time is None:
        raise ArchiveProtocolError(f"unreadable Memento-Datetime: {stamp[:80]!r}")
    original = requested_url
    link = headers.get("Link", "")
    for link_url, params in parse_link_header(link):
        if "original" in params.get("rel", "").split():
            if url_problem(link_url) is None:  # the server's text: "<http://[::g]/>" names no page
                original = link_url
            break
    location = headers.get("Location")
    if location is not None:
        joined = join_url(response_url, location)
        inside = unwrap_playback(joined) if joined is not None else None
        location = inside[1] if inside else join_url(original, location)
    original_headers = {
        key[len("x-archive-orig-") :]: value
        for key, value in headers.items()
        if key.lower().startswith("x-archive-orig-")
    }
    return Memento(
        url=original,
        capture_time=capture_time,
        status=status,
        playback_url=response_url,
        location=location,
        original_headers=original_headers,
        neighbours=neighbour_mementos(link) if link else {},
    )
