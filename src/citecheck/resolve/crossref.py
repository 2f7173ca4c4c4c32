"""A DOI's registered metadata from Crossref's REST API (``GET /works/{doi}``).

The answer is ``{"status": "ok", "message-type": "work", "message": {…}}``
with the work's ``title`` (a list), ``issued``/``published-print``/
``published-online`` (``{"date-parts": [[2013, 7, 31]]}``),
``container-title``, ``type``, and — what matters most here — its updates:
``updated-by`` lists the notices that update this work (a retraction, a
correction, an expression of concern; from the publisher or from Retraction
Watch, ``source``), ``update-to`` the works a notice updates.  A DOI Crossref
does not hold answers 404 (it may be DataCite's): no metadata, no finding.

Etiquette (Crossref's "polite pool"): a ``mailto`` parameter and a
User-Agent with it; the rate Crossref announces in ``X-Rate-Limit-Limit`` /
``X-Rate-Limit-Interval`` is followed; 429 waits ``Retry-After``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from citecheck.dates import PartialDate
from citecheck.models import UpdateNotice
from citecheck.resolve.api_http import (
    HttpAnswer,
    MalformedAnswer,
    PoliteEndpoint,
    Politeness,
    TransportFailure,
    retry_after_rule,
)
from citecheck.resolve.doi import doi_path

DEFAULT_CROSSREF_API = "https://api.crossref.org"
_INTERVAL_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$")
_TAG_RE = re.compile(r"<[^>]+>")


class CrossrefUnavailable(Exception):
    """Crossref did not answer usefully (down, rate-limited past our patience, garbage): inconclusive."""


@dataclass(frozen=True)
class CrossrefWork:
    doi: str
    title: str | None
    years: tuple[int, ...]  # every year the metadata dates the work to (issued, print, online)
    container: str | None = None
    work_type: str | None = None
    updated_by: tuple[UpdateNotice, ...] = field(default_factory=tuple)
    updates: tuple[UpdateNotice, ...] = field(default_factory=tuple)


def crossref_politeness() -> Politeness:
    """A few requests at once, 429/503 waited out; the rate follows what Crossref announces."""
    return Politeness(concurrency=3, per_second=10.0, retries=2, max_pause=30.0, retry=retry_after_rule())


def follow_rate_limit(endpoint: PoliteEndpoint, answer: HttpAnswer) -> None:
    """Set the endpoint's rate from ``X-Rate-Limit-Limit`` requests per ``X-Rate-Limit-Interval``."""
    limit, interval = answer.header("x-rate-limit-limit"), answer.header("x-rate-limit-interval")
    if not limit or not interval or not limit.strip().isdigit():
        return
    match = _INTERVAL_RE.match(interval)
    if match is None:
        return
    seconds = float(match.group(1)) * {"ms": 0.001, "s": 1.0, "m": 60.0, None: 1.0}[match.group(2)]
    if seconds > 0:
        endpoint.set_rate(int(limit) / seconds)


def _text(value: object) -> str | None:
    """The first string of a Crossref list field, without markup (titles carry <i>, <sub> …)."""
    if isinstance(value, list):
        value = next((item for item in value if isinstance(item, str) and item.strip()), None)
    if not isinstance(value, str):
        return None
    cleaned = " ".join(_TAG_RE.sub("", value).split())
    return cleaned or None


def _year(value: object) -> int | None:
    if not isinstance(value, dict):
        return None
    parts = value.get("date-parts")
    if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
        year = parts[0][0]
        if isinstance(year, int) and 1400 < year < 2200:
            return year
    return None


def _partial_date(value: object) -> PartialDate | None:
    if not isinstance(value, dict):
        return None
    parts = value.get("date-parts")
    if not (isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]):
        return None
    numbers = [part for part in parts[0] if isinstance(part, int)]
    try:
        if len(numbers) >= 3:
            return PartialDate(year=numbers[0], month=numbers[1], day=numbers[2])
        if len(numbers) == 2:
            return PartialDate(year=numbers[0], month=numbers[1])
        if numbers:
            return PartialDate(year=numbers[0])
    except ValueError:
        return None
    return None


def _notices(value: object) -> tuple[UpdateNotice, ...]:
    if not isinstance(value, list):
        return ()
    notices: list[UpdateNotice] = []
    for item in value:
        if not isinstance(item, dict) or not isinstance(item.get("type"), str):
            continue
        notices.append(
            UpdateNotice(
                type=str(item["type"]).strip().lower().replace(" ", "_"),
                doi=item.get("DOI") if isinstance(item.get("DOI"), str) else None,
                label=item.get("label") if isinstance(item.get("label"), str) else None,
                date=_partial_date(item.get("updated")),
                source=item.get("source") if isinstance(item.get("source"), str) else None,
            )
        )
    return tuple(notices)


def parse_work(doi: str, message: Mapping[str, Any]) -> CrossrefWork:
    """A :class:`CrossrefWork` from the ``message`` of a ``/works/{doi}`` answer."""
    title = _text(message.get("title"))
    subtitle = _text(message.get("subtitle"))
    if title and subtitle and subtitle.lower() not in title.lower():
        title = f"{title}: {subtitle}"
    years = sorted(
        {
            year
            for key in ("issued", "published-print", "published-online", "published")
            if (year := _year(message.get(key))) is not None
        }
    )
    return CrossrefWork(
        doi=str(message.get("DOI") or doi),
        title=title,
        years=tuple(years),
        container=_text(message.get("container-title")),
        work_type=message.get("type") if isinstance(message.get("type"), str) else None,
        updated_by=_notices(message.get("updated-by")),
        updates=_notices(message.get("update-to")),
    )


class CrossrefClient:
    """``/works/{doi}`` through a polite endpoint, with the ``mailto`` of the polite pool."""

    def __init__(self, endpoint: PoliteEndpoint, base: str = DEFAULT_CROSSREF_API, mailto: str | None = None) -> None:
        self.endpoint = endpoint
        self.base = base.rstrip("/")
        self.mailto = mailto

    async def work(self, doi: str) -> CrossrefWork | None:
        """The work's metadata; None when Crossref holds no such DOI. Raises :class:`CrossrefUnavailable`."""
        url = f"{self.base}/works/{doi_path(doi)}"
        params = {"mailto": self.mailto} if self.mailto else None
        try:
            answer = await self.endpoint.get(url, params=params, max_bytes=4 * 1024 * 1024)
        except TransportFailure as error:
            raise CrossrefUnavailable(f"Crossref could not be reached ({error})") from None
        if answer.status == 404:
            return None
        if answer.status != 200:
            raise CrossrefUnavailable(f"Crossref answered HTTP {answer.status}")
        try:
            data = answer.json_object()
        except MalformedAnswer as error:
            raise CrossrefUnavailable(f"Crossref answered garbage ({error})") from None
        message = data.get("message")
        if data.get("status") != "ok" or not isinstance(message, dict):
            raise CrossrefUnavailable("Crossref's answer has no work in it (status is not ok)")
        return parse_work(doi, message)
