"""Recognising web-archive URLs and reading what they say: which archive, which page, when.

A Wayback-style archive URL carries the capture time and the original URL in
its path (``https://web.archive.org/web/20131105012345/http://example.com/a``).
Citations rely on both: the archive date a citation states can be checked
against the timestamp, and the original URL is the one to test for life.

Supported forms, surest first:

* Internet Archive: ``web.archive.org`` / ``wayback.archive.org`` /
  ``archive.org`` with ``/web/TIMESTAMP[modifier]/URL`` (4–14 digit timestamps,
  modifiers such as ``id_``, ``im_``, ``if_``, ``*``).
* archive.today and its mirrors (``archive.ph``, ``.is``, ``.li``, ``.md``, …):
  ``/TIMESTAMP/URL`` (``2019.01.01-123456`` too), ``/newest/URL``,
  ``/oldest/URL``, and short ids (``/AbC12``) that name no page.
* WebCite: ``webcitation.org/ID?url=…&date=…``.
* pywb/OpenWayback national archives: ``arquivo.pt/wayback/TS/URL``,
  ``webarchive.org.uk/wayback/archive/TS/URL``, the Library of Congress,
  Archive-It and the National Library of Australia.
* Wayback software on any host: a ``/web/<8–14 digit TS>/<url>`` path (the
  path Wayback and OpenWayback serve), and the national archives that serve
  ``/<TS>/<url>`` (UK National Archives, vefsafn.is, Stanford SWAP, wikiwix).
* Archives whose URLs name a capture by id only: ghostarchive.org, perma.cc,
  archive.today short ids, WebCite ids.
* Any other ``/<collection>/<TS>/<url>`` path, but only with ``generic=True``:
  too many ordinary URLs have a date-like path segment to guess by default.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Literal
from urllib.parse import unquote

from pydantic import BaseModel, ConfigDict

from citecheck.lazy_patterns import lazy_pattern

Precision = Literal["year", "month", "day", "hour", "minute", "second"]

_PRECISION_BY_DIGITS: dict[int, Precision] = {
    4: "year",
    6: "month",
    8: "day",
    10: "hour",
    12: "minute",
    14: "second",
}


class ArchiveUrl(BaseModel):
    """What an archive URL says about itself."""

    model_config = ConfigDict(frozen=True)

    url: str  # the archive URL as given
    archive: str  # e.g. "web.archive.org", "archive.today", "webcitation.org"
    original_url: str | None = None  # None for ids that name no page (archive.today short links)
    timestamp: datetime | None = None  # capture time, timezone-aware UTC
    precision: Precision | None = None  # how much of ``timestamp`` the URL states
    modifier: str | None = None  # Wayback playback modifier such as "id_" or "im_"


_scheme_host_re = lazy_pattern(r"^(?:https?:)?//(?P<host>[^/?#:\s]+)(?::\d+)?(?P<rest>[/?#].*)?$", re.I | re.S)

_INTERNET_ARCHIVE_HOSTS = frozenset({"web.archive.org", "wayback.archive.org", "archive.org"})
_ARCHIVE_TODAY_HOSTS = frozenset(
    {"archive.today", "archive.ph", "archive.is", "archive.li", "archive.md", "archive.vn", "archive.fo"}
)
_WEBCITATION_HOSTS = frozenset({"webcitation.org"})
# pywb/OpenWayback archives whose path is /<prefix...>/<TS>/<url>; the name each is reported under.
_PYWB_HOSTS: dict[str, str] = {
    "arquivo.pt": "arquivo.pt",
    "webarchive.org.uk": "webarchive.org.uk",
    "webarchive.loc.gov": "webarchive.loc.gov",
    "wayback.archive-it.org": "archive-it.org",
    "webarchive.nla.gov.au": "webarchive.nla.gov.au",
}

# Archives serving /<TS>/<url> at the root of the path.
_ROOT_TIMESTAMP_HOSTS: dict[str, str] = {
    "webarchive.nationalarchives.gov.uk": "webarchive.nationalarchives.gov.uk",
    "wayback.vefsafn.is": "vefsafn.is",
    "swap.stanford.edu": "swap.stanford.edu",
    "webarchive.proni.gov.uk": "webarchive.proni.gov.uk",
    "webharvest.gov": "webharvest.gov",
    "archive.wikiwix.com": "archive.wikiwix.com",
}
# Archives naming a capture by an id that says neither page nor time.
_ID_ONLY_HOSTS: dict[str, Callable[[], re.Pattern[str]]] = {
    "ghostarchive.org": lazy_pattern(r"^/(?:archive|varchive|search)/?[^?#]*"),
    "perma.cc": lazy_pattern(r"^/[A-Za-z0-9]{4}-[A-Za-z0-9]{4}/?$"),
    "perma-archives.org": lazy_pattern(r"^/.+"),
}
# Wayback on any host: /web/<TS>/<url> (also under a collection prefix: /wayback/web/…, /all/web/…).
_any_wayback_path_re = lazy_pattern(r"/web/(?P<ts>[0-9]{8,14})(?P<mod>[a-z]{2}_|\*)?/(?P<orig>.+)$", re.S)
# wikiwix: /cache/index2.php?url=…, /cache/?url=…
_wikiwix_url_re = lazy_pattern(r"[?&]url=(?P<url>[^&]+)")
_segment_re = lazy_pattern(r"/(?P<ts>[0-9]{4,14})(?P<mod>[a-z]{2}_|\*)?(?=/)")
# "/20131105012345id_/http://..." — the first path segment made of 4–14 digits and an optional modifier.
_timestamp_segment_re = lazy_pattern(r"/(?P<ts>[0-9]{4,14})(?P<mod>[a-z]{2}_|\*)?/(?P<orig>.+)$", re.S)
_wayback_path_re = lazy_pattern(r"^/web/(?P<ts>[0-9]{4,14})(?P<mod>[a-z]{2}_|\*)?/(?P<orig>.+)$", re.S)
_archive_today_path_re = lazy_pattern(
    r"^/(?:(?P<ts>[0-9]{4}(?:[.\-]?[0-9]{2}){0,5})|(?P<word>newest|oldest))/(?P<orig>.+)$", re.S | re.I
)
_archive_today_id_re = lazy_pattern(r"^/[A-Za-z0-9]{4,10}/?$")
_webcite_url_re = lazy_pattern(r"[?&]url=(?P<url>.+?)(?=&date=|$)", re.S)
_webcite_date_re = lazy_pattern(r"[?&]date=(?P<date>[^&#]+)")
_webcite_date_value_re = lazy_pattern(r"^(?P<y>[0-9]{4})-(?P<m>[0-9]{2})-(?P<d>[0-9]{2})")
# A URL whose "//" was collapsed by a server ("http:/example.com"), or that has no scheme at all.
_collapsed_scheme_re = lazy_pattern(r"^(?P<scheme>https?):/+", re.I)
_bare_host_re = lazy_pattern(r"^[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9\-]+)+(?::[0-9]+)?(?:[/?#]|$)")


def _host_of(url: str) -> tuple[str, str] | None:
    """(lower-case host without ``www.``, the rest of the URL) or None when ``url`` is not http(s)."""
    stripped = url.strip()
    lowered = stripped[:8].lower()
    if lowered.startswith("http://"):
        stripped = stripped[5:]
    elif lowered.startswith("https://"):
        stripped = stripped[6:]
    else:
        return None
    match = _scheme_host_re().match(stripped)
    if not match:
        return None
    host = match["host"].lower().rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    return host, match["rest"] or ""


def _normalise_original(text: str) -> str | None:
    """The original URL as an archive path holds it: restore a collapsed or missing scheme."""
    text = text.strip()
    if not text:
        return None
    collapsed = _collapsed_scheme_re().match(text)
    if collapsed:
        return f"{collapsed['scheme'].lower()}://{text[collapsed.end() :]}"
    if _bare_host_re().match(text):
        return "http://" + text
    return None


def parse_timestamp(digits: str) -> tuple[datetime, Precision] | None:
    """Read a Wayback timestamp of 4–14 digits as a UTC datetime and the precision it states.

    Odd lengths are cut to the last whole field; impossible values (month 13)
    fall back to the longest prefix that is a real time, as Wayback itself
    does when it plays back the nearest capture.
    """
    digits = "".join(character for character in digits if character in "0123456789")
    length = min(len(digits), 14)
    length -= length % 2
    while length >= 4:
        prefix = digits[:length]
        try:
            moment = datetime(
                int(prefix[0:4]),
                int(prefix[4:6] or 1),
                int(prefix[6:8] or 1),
                int(prefix[8:10] or 0),
                int(prefix[10:12] or 0),
                int(prefix[12:14] or 0),
                tzinfo=UTC,
            )
        except ValueError:
            length -= 2
            continue
        return moment, _PRECISION_BY_DIGITS[length]
    return None


def _with_timestamp(url: str, archive: str, ts: str | None, original: str, modifier: str | None) -> ArchiveUrl:
    parsed = parse_timestamp(ts) if ts else None
    return ArchiveUrl(
        url=url,
        archive=archive,
        original_url=_normalise_original(original),
        timestamp=parsed[0] if parsed else None,
        precision=parsed[1] if parsed else None,
        modifier=modifier or None,
    )


def _parse_webcite(url: str, rest: str) -> ArchiveUrl:
    original: str | None = None
    url_match = _webcite_url_re().search(rest)
    if url_match:
        original = _normalise_original(unquote(url_match["url"]))
    timestamp: datetime | None = None
    precision: Precision | None = None
    date_match = _webcite_date_re().search(rest)
    if date_match:
        value = _webcite_date_value_re().match(unquote(date_match["date"]))
        if value:
            parsed = parse_timestamp(value["y"] + value["m"] + value["d"])
            if parsed:
                timestamp, precision = parsed
    return ArchiveUrl(
        url=url, archive="webcitation.org", original_url=original, timestamp=timestamp, precision=precision
    )


def parse_archive_url(url: str, *, generic: bool = False) -> ArchiveUrl | None:
    """Read an archive URL; None when ``url`` is not one this module knows.

    ``generic=True`` also accepts any ``/<collection>/<TS>/<url>`` path on any
    host (a pywb instance the caller configured).  Never raises.
    """
    if not isinstance(url, str):
        return None
    # Readers ask about the same URL several times per reference (classify, choose, check the timestamp):
    # the answer is immutable (a frozen model), so it is read once.
    return _parse_archive_url(url, generic)


@functools.lru_cache(maxsize=8192)
def _parse_archive_url(url: str, generic: bool) -> ArchiveUrl | None:
    split = _host_of(url)
    if split is None:
        return None
    host, rest = split
    url = url.strip()
    if host in _INTERNET_ARCHIVE_HOSTS:
        match = _wayback_path_re().match(rest)
        if not match:
            return None
        return _with_timestamp(url, "web.archive.org", match["ts"], match["orig"], match["mod"])
    if host in _ARCHIVE_TODAY_HOSTS:
        match = _archive_today_path_re().match(rest)
        if match:
            return _with_timestamp(url, "archive.today", match["ts"], match["orig"], None)
        if _archive_today_id_re().match(rest):
            return ArchiveUrl(url=url, archive="archive.today")
        return None
    if host in _WEBCITATION_HOSTS:
        return _parse_webcite(url, rest)
    id_pattern = _ID_ONLY_HOSTS.get(host)
    if id_pattern is not None:
        return ArchiveUrl(url=url, archive=host) if id_pattern().match(rest) else None
    root_archive = _ROOT_TIMESTAMP_HOSTS.get(host)
    if root_archive is not None:
        if host == "archive.wikiwix.com":
            found = _wikiwix_url_re().search(rest)
            if found:
                return ArchiveUrl(
                    url=url, archive=root_archive, original_url=_normalise_original(unquote(found["url"]))
                )
        match = _timestamp_segment_re().search(rest)
        if match and _normalise_original(match["orig"]) is not None:
            return _with_timestamp(url, root_archive, match["ts"], match["orig"], match["mod"])
    archive_name = _PYWB_HOSTS.get(host)
    if archive_name is None and not generic:
        wayback = _any_wayback_path_re().search(rest)
        if wayback and _normalise_original(wayback["orig"]) is not None:
            return _with_timestamp(url, host, wayback["ts"], wayback["orig"], wayback["mod"])
        return None
    if archive_name is not None or generic:
        # /<collection>/<TS>/<url>: the first digits segment followed by a URL (a numeric collection id
        # such as Archive-It's /1234/ comes before the timestamp).
        for segment in _segment_re().finditer(rest):
            original = rest[segment.end() + 1 :]
            if _normalise_original(original) is not None:
                return _with_timestamp(url, archive_name or host, segment["ts"], original, segment["mod"])
        return None
    return None


def is_archive_url(url: str, *, generic: bool = False) -> bool:
    """True when ``url`` points into a web archive this module recognises."""
    return parse_archive_url(url, generic=generic) is not None
