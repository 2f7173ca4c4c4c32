"""Which dialect an archive endpoint speaks — asked of the endpoint, not guessed from its URL.

``--archive URL`` may point at the Internet Archive, a pywb collection, an
OpenWayback, or any Memento-compliant archive that offers only TimeMaps and
TimeGates (arquivo.pt, the UK Web Archive, the Library of Congress,
archive.today).  Guessing from the URL went wrong (an endpoint ending in
``/web`` was taken for the Internet Archive: CDX queries went to a path
pywb does not have, its 404 was read as "no captures" and cached, and IA's
limits slowed a local archive answering in milliseconds).  So the endpoint is
probed — one cheap index request per candidate dialect, the likeliest first —
and the answer is kept per endpoint in the store (errors never are).

* Internet Archive: ``/cdx/search/cdx`` answers a JSON array; playback at
  ``/web/<ts>id_/<url>`` (redirect-first for inexact timestamps).
* pywb: ``<coll>/cdx`` answers JSON lines; playback at ``<coll>/<ts>id_/<url>``.
* OpenWayback: ``<base>/timemap/link/<url>`` answers link-format; playback at
  ``<base>/<ts>id_/<url>``.
* Memento: a TimeMap at ``<base>/timemap/<url>`` (archive.today's form) or a
  given template (``memento+https://archive.example/timemap/{url}``); mementos
  are fetched by the addresses the TimeMap lists.

``web.archive.org`` is known to speak its own dialect and is not probed (a
probe would spend its scarcest pool).  ``ia+``, ``pywb+``, ``openwayback+`` and
``memento+`` before a URL state the dialect.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from citecheck.resolve.archive.models import ArchiveProtocolError, ArchiveUnavailableError, RateLimitError
from citecheck.resolve.archive.spec import Dialect
from citecheck.resolve.archive.wayback import parse_link_header
from citecheck.resolve.decode import JsonDataError, loads_json
from citecheck.resolve.web import FetchError, FetchFailed, WebClient
from citecheck.store.db import Store

# httpx imported where used: an offline audit imports this module but never fetches or parses a page (issue 17).
if TYPE_CHECKING:
    import httpx


PROBE_URL = "http://example.com/"
PROFILE_TTL = 7 * 86400.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS archive_endpoints (
    spec TEXT PRIMARY KEY,
    profile TEXT NOT NULL,
    probed_at REAL NOT NULL
);
"""


@dataclass(frozen=True)
class EndpointProfile:
    """Where an endpoint's playback, index and TimeMap live, once its dialect is known."""

    dialect: Dialect
    playback_base: str | None  # playback at {playback_base}/{ts}{mode}/{url}; None: mementos by their own URLs
    cdx_url: str | None  # a CDX index (IA or pywb format, by dialect)
    timemap: str | None  # a TimeMap template with {url}

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> EndpointProfile:
        data = json.loads(text)
        return cls(Dialect(data["dialect"]), data["playback_base"], data["cdx_url"], data["timemap"])


def profile_for(dialect: Dialect, url: str) -> EndpointProfile:
    """The layout a dialect implies for an endpoint URL."""
    base = url.rstrip("/")
    if dialect is Dialect.internet_archive:
        root = base.removesuffix("/web")
        return EndpointProfile(dialect, f"{root}/web", f"{root}/cdx/search/cdx", f"{root}/web/timemap/link/{{url}}")
    if dialect is Dialect.pywb:
        return EndpointProfile(dialect, base, f"{base}/cdx", f"{base}/timemap/link/{{url}}")
    if dialect is Dialect.openwayback:
        return EndpointProfile(dialect, base, None, f"{base}/timemap/link/{{url}}")
    if dialect is Dialect.memento:
        template = base if "{url}" in base else f"{base}/timemap/{{url}}"
        return EndpointProfile(dialect, None, None, template)
    raise ValueError(f"no HTTP profile for {dialect}")


class EndpointProfiles:
    """Endpoint dialects remembered in the store (a week); errors are never remembered."""

    def __init__(self, store: Store | None) -> None:
        self.store = store
        if store is not None:
            store.ensure_schema("archive_endpoints", _SCHEMA)

    def get(self, spec: str, now: float | None = None) -> EndpointProfile | None:
        if self.store is None:
            return None
        row = self.store.execute("SELECT profile, probed_at FROM archive_endpoints WHERE spec = ?", (spec,)).fetchone()
        if row is None or (time.time() if now is None else now) - row[1] > PROFILE_TTL:
            return None
        try:
            return EndpointProfile.from_json(row[0])
        except (ValueError, KeyError, TypeError):
            return None

    def put(self, spec: str, profile: EndpointProfile) -> None:
        if self.store is not None:
            self.store.execute(
                "INSERT OR REPLACE INTO archive_endpoints (spec, profile, probed_at) VALUES (?, ?, ?)",
                (spec, profile.to_json(), time.time()),
            )


def _looks_like_ia_cdx(body: bytes) -> bool:
    text = body.strip()
    if not text.startswith(b"["):
        return False
    try:
        rows = loads_json(text)
    except JsonDataError:
        return False
    return isinstance(rows, list) and all(isinstance(row, list) for row in rows)


def _looks_like_pywb_cdx(body: bytes) -> bool:
    lines = [line for line in body.strip().splitlines() if line.strip()]
    if not lines:
        return True  # nothing indexed for the probe URL: an empty 200 is pywb's answer
    try:
        first = loads_json(lines[0])
    except JsonDataError:
        return False
    return isinstance(first, dict) and "timestamp" in first


def _looks_like_timemap(content_type: str, body: bytes) -> bool:
    if "link-format" in content_type:
        return True
    text = body[:20000].decode("utf-8", "replace")
    return any("rel" in params for _url, params in parse_link_header(text))


async def probe_endpoint(web: WebClient, url: str, pool: str) -> EndpointProfile:
    """Ask ``url`` which dialect it speaks: one cheap request per candidate, likeliest first.

    Raises ArchiveUnavailableError when the endpoint cannot be reached and
    ArchiveProtocolError when it answers none of the dialects.
    """
    import httpx

    base = url.rstrip("/")
    ia_first = base.endswith("/web")
    candidates: list[tuple[Dialect, str, httpx.QueryParams | None]] = []
    ia = (Dialect.internet_archive, f"{base.removesuffix('/web')}/cdx/search/cdx", None)
    pywb = (Dialect.pywb, f"{base}/cdx", None)
    candidates += [ia, pywb] if ia_first else [pywb, ia]
    candidates += [
        # archive.today's form first: an OpenWayback reads /timemap/<url> as a format it does not know.
        (Dialect.memento, f"{base}/timemap/{PROBE_URL}", None),
        (Dialect.openwayback, f"{base}/timemap/link/{PROBE_URL}", None),
    ]
    cdx_query = httpx.QueryParams({"url": "example.com", "limit": "1", "output": "json"})
    tried: list[str] = []
    for dialect, address, _ in candidates:
        query = cdx_query if dialect in (Dialect.internet_archive, Dialect.pywb) else None
        try:
            response = await web.fetch(address, pool=pool, params=query, follow_redirects=False, retries=1)
        except FetchFailed as failure:
            if not failure.connected or failure.error in (FetchError.refused, FetchError.invalid_url):
                raise ArchiveUnavailableError(f"{url} unreachable: {failure.detail}") from failure
            tried.append(f"{dialect.value}: {failure.error.value}")
            continue
        body, status = response.body, response.status
        if status == 429:
            raise RateLimitError(f"{url} rate-limits the dialect probe (HTTP 429)", 0.0)
        recognised = (
            (dialect is Dialect.internet_archive and status == 200 and _looks_like_ia_cdx(body))
            or (dialect is Dialect.pywb and status == 200 and _looks_like_pywb_cdx(body))
            or (
                dialect in (Dialect.openwayback, Dialect.memento)
                and status in (200, 404)
                and _looks_like_timemap(response.content_type, body)
            )
        )
        if recognised:
            return profile_for(dialect, base)
        tried.append(f"{dialect.value}: HTTP {status}")
    raise ArchiveProtocolError(f"{url} speaks no archive dialect citecheck knows (tried {'; '.join(tried)})")
