"""The DOI handle API and Crossref's REST API on loopback, answering as their documentation shows.

Handle API (DOI Handbook, "REST API Response Format"): ``GET /api/handles/{doi}`` →
``{"responseCode": 1, "handle": …, "values": [{"index": 1, "type": "URL", "data": {"format": "string",
"value": …}, "ttl": 86400, "timestamp": …}]}``; an unknown DOI → HTTP 404 ``{"responseCode": 100,
"handle": …}``; a DOI without URL values → ``{"responseCode": 200, "handle": …, "values": []}``.

Crossref (api.crossref.org, ``/works/{doi}``): ``{"status": "ok", "message-type": "work",
"message-version": "1.0.0", "message": {…}}`` with ``X-Rate-Limit-Limit``/``X-Rate-Limit-Interval``
headers; an unknown DOI → 404 ``Resource not found.`` (text/plain).  The works use Crossref's test
prefix 10.5555: a retracted article (``updated-by`` from the publisher and from Retraction Watch) and
its notice (``update-to``), a corrected one, a clean one, one Crossref does not hold (DataCite's),
one that answers 429 with ``Retry-After`` once, and one whose answer is malformed JSON.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from tests.integration.web_world import Reply, SeenRequest, WebWorld

RETRACTED = "10.5555/harvest.2011.042"
NOTICE = "10.5555/harvest.2013.retraction"
CORRECTED = "10.5555/soil.2012.007"
CLEAN = "10.5555/valley.2010.001"
DATACITE = "10.5555/dataset.2014"
MISSING = "10.5555/never.registered"
RATE_LIMITED = "10.5555/busy.2015"
GARBAGE = "10.5555/broken.2016"

RATE_HEADERS = [("X-Rate-Limit-Limit", "50"), ("X-Rate-Limit-Interval", "1s"), ("Access-Control-Allow-Origin", "*")]


def _date_parts(*parts: int) -> dict[str, object]:
    return {"date-parts": [list(parts)]}


def _update(doi: str, kind: str, label: str, when: tuple[int, int, int], source: str) -> dict[str, object]:
    year, month, day = when
    entry: dict[str, object] = {
        "updated": {
            "date-parts": [[year, month, day]],
            "date-time": f"{year:04d}-{month:02d}-{day:02d}T00:00:00Z",
            "timestamp": 0,
        },
        "DOI": doi,
        "type": kind,
        "source": source,
        "label": label,
    }
    if source == "retraction-watch":
        entry["record-id"] = 48213
    return entry


def _work(doi: str, title: str, issued: tuple[int, ...], **extra: object) -> dict[str, object]:
    message: dict[str, object] = {
        "indexed": {"date-parts": [[2026, 11, 30]], "date-time": "2026-11-30T04:12:09Z", "timestamp": 0},
        "reference-count": 12,
        "publisher": "Valley Academic Press",
        "DOI": doi,
        "type": "journal-article",
        "created": {"date-parts": [[issued[0], 1, 5]], "date-time": f"{issued[0]:04d}-01-05T10:00:00Z", "timestamp": 0},
        "source": "Crossref",
        "is-referenced-by-count": 3,
        "title": [title],
        "prefix": "10.5555",
        "author": [{"given": "Ana", "family": "Reyes", "sequence": "first", "affiliation": []}],
        "member": "7822",
        "container-title": ["Journal of Valley Agriculture"],
        "issued": _date_parts(*issued),
        "published-print": _date_parts(*issued),
        "URL": f"https://doi.org/{doi}",
        "ISSN": ["0000-0000"],
    }
    message.update(extra)
    return {"status": "ok", "message-type": "work", "message-version": "1.0.0", "message": message}


def works() -> dict[str, dict[str, object]]:
    return {
        RETRACTED: _work(
            RETRACTED,
            "Harvest yields under <i>drought</i>",
            (2011, 3),
            **{
                "updated-by": [
                    _update(NOTICE, "retraction", "Retraction", (2013, 2, 1), "publisher"),
                    _update(NOTICE, "retraction", "Retraction", (2013, 2, 1), "retraction-watch"),
                ]
            },
        ),
        NOTICE: _work(
            NOTICE,
            "Retraction notice to: Harvest yields under drought",
            (2013, 2),
            **{"update-to": [_update(RETRACTED, "retraction", "Retraction", (2013, 2, 1), "publisher")]},
        ),
        CORRECTED: _work(
            CORRECTED,
            "Soil moisture in terraced fields",
            (2012, 6, 1),
            **{
                "published-online": _date_parts(2011, 12, 20),
                "updated-by": [
                    _update("10.5555/soil.2012.erratum", "correction", "Correction", (2012, 9, 3), "publisher")
                ],
            },
        ),
        CLEAN: _work(CLEAN, "Rainfall in the valley", (2010, 4, 2)),
        RATE_LIMITED: _work(RATE_LIMITED, "Orchard pests", (2015,)),
    }


@dataclass
class RegistryWorld:
    """A handle API site and a Crossref site in a :class:`WebWorld`."""

    world: WebWorld
    handle_address: str = "127.0.0.10"
    crossref_address: str = "127.0.0.11"
    works: dict[str, dict[str, object]] = field(default_factory=works)
    rate_limited_left: int = 1
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.world.add_site("handles", self.handle_address).fallback = self._handle
        self.world.add_site("crossref", self.crossref_address).fallback = self._crossref

    @property
    def doi_api(self) -> str:
        return self.world.url("handles", "/api/handles")

    @property
    def crossref_api(self) -> str:
        return self.world.url("crossref", "")

    def seen(self, site: str) -> list[SeenRequest]:
        return self.world.seen(site)

    @staticmethod
    def _doi(request: SeenRequest, prefix: str) -> str:
        return unquote(urlsplit(request.path).path[len(prefix) :]).lower()

    def _handle(self, request: SeenRequest) -> Reply:
        doi = self._doi(request, "/api/handles/")
        headers = [("Content-Type", "application/json;charset=UTF-8")]
        if doi == MISSING:
            return Reply(404, json.dumps({"responseCode": 100, "handle": doi}).encode(), headers)
        if doi == DATACITE:
            body = {"responseCode": 200, "handle": doi, "values": []}
            return Reply(200, json.dumps(body).encode(), headers)
        value = {
            "index": 1,
            "type": "URL",
            "data": {"format": "string", "value": f"https://journals.example.org/article/{doi.split('/', 1)[1]}"},
            "ttl": 86400,
            "timestamp": "2011-03-14T09:20:11Z",
        }
        return Reply(200, json.dumps({"responseCode": 1, "handle": doi, "values": [value]}).encode(), headers)

    def _crossref(self, request: SeenRequest) -> Reply:
        doi = self._doi(request, "/works/")
        if doi == GARBAGE:
            return Reply(
                200, b'{"status":"ok","message-type":"work","message":{"DOI":', [("Content-Type", "application/json")]
            )
        if doi == RATE_LIMITED:
            with self._lock:
                if self.rate_limited_left > 0:
                    self.rate_limited_left -= 1
                    return Reply(
                        429, b"Too Many Requests", [("Retry-After", "1"), ("Content-Type", "text/plain"), *RATE_HEADERS]
                    )
        work = self.works.get(doi)
        if work is None:
            return Reply(404, b"Resource not found.", [("Content-Type", "text/plain"), *RATE_HEADERS])
        return Reply(200, json.dumps(work).encode(), [("Content-Type", "application/json"), *RATE_HEADERS])
