"""Wikipedia and any MediaWiki: the APIs that serve an article.

*What the user pointed at* is read in :mod:`.wiki_input` (:func:`~citecheck.resolve.wiki_input.parse_wiki_input`).

*The APIs* (:class:`MediaWikiClient`), all through one serial
:class:`~citecheck.resolve.api_http.PoliteEndpoint` per wiki:

* REST ``/w/rest.php/v1/page/{title}/with_html`` (latest) and
  ``/v1/revision/{id}/with_html`` (pinned): the Parsoid HTML with the
  revision id and timestamp, in one request;
* the action API ``action=query&prop=revisions`` (``formatversion=2``,
  ``maxlag=5``): a page's revision list, and the wikitext of chosen revisions.

A ``maxlag`` error (HTTP 200 carrying ``{"error": {"code": "maxlag"}}`` and a
``Retry-After``) and 429/503 are waited out as the wiki asks.  A page that does
not exist is :class:`WikiPageMissing` (the user's input is wrong); a wiki that
does not answer, or answers something that is not its API, is
:class:`WikiUnavailable` — inconclusive, never a finding.

:class:`WikiStore` keeps pins (the revision a title was audited at, so a re-run
audits the same text unless ``--latest``), revisions' HTML and wikitext
(immutable, kept for good, compressed) and revision lists.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from citecheck.resolve.api_http import (
    HttpAnswer,
    MalformedAnswer,
    PoliteEndpoint,
    Politeness,
    RetryRule,
    TransportFailure,
    retry_after_rule,
)
from citecheck.resolve.wiki_input import TITLE_SAFE, WikiError, WikiInputError, WikiSite, display_title, title_key
from citecheck.store.db import Store

MAXLAG_SECONDS = 5  # Wikimedia's recommendation for non-interactive clients
REVISION_RANGE_LIMIT = 50  # revisions audited from one range at most


class WikiPageMissing(WikiError):
    """The wiki says the page or revision does not exist."""


class WikiUnavailable(WikiError):
    """The wiki did not answer, or answered something that is not its API: inconclusive."""


# --------------------------------------------------------------------------- sites and inputs


# --------------------------------------------------------------------------- API answers


@dataclass(frozen=True)
class RevisionMeta:
    """One revision in a page's history."""

    id: int
    timestamp: datetime
    size: int | None = None


@dataclass(frozen=True)
class RevisionHtml:
    """A revision's Parsoid HTML, as the REST API served it (or the store kept it)."""

    site: WikiSite
    title: str
    revision: int
    timestamp: datetime
    html: str
    fetched_at: datetime
    page_id: int | None = None
    endpoint: str = ""  # the REST URL that served it


def parse_mw_timestamp(value: object) -> datetime:
    if not isinstance(value, str):
        raise MalformedAnswer(f"timestamp {value!r} is not a string")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise MalformedAnswer(f"timestamp {value!r} is not ISO 8601") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _int_field(data: Mapping[str, Any], name: str) -> int:
    value = data.get(name)
    if not isinstance(value, int) or isinstance(value, bool):
        raise MalformedAnswer(f"field {name!r} is not an integer")
    return value


def maxlag_rule(backoff: float = 1.0) -> RetryRule:
    """429/503 after ``Retry-After``, and the action API's ``maxlag`` error (HTTP 200) after its ``Retry-After``."""
    plain = retry_after_rule(backoff)

    def rule(answer: HttpAnswer, attempt: int) -> float | None:
        waited = plain(answer, attempt)
        if waited is not None:
            return waited
        small = len(answer.body) < 4096
        if answer.header("mediawiki-api-error") == "maxlag" or (
            small and b'"code":"maxlag"' in answer.body.replace(b" ", b"")
        ):
            lag = answer.header("retry-after") or answer.header("x-database-lag")
            return float(lag) if lag and lag.strip().isdigit() else float(MAXLAG_SECONDS)
        return None

    return rule


def wiki_politeness() -> Politeness:
    """Serial requests, ``Retry-After`` and maxlag waited out (Wikimedia's API etiquette)."""
    return Politeness(concurrency=1, retries=3, max_pause=30.0, retry=maxlag_rule())


class MediaWikiClient:
    """One wiki's REST and action APIs through a serial endpoint."""

    def __init__(self, site: WikiSite, endpoint: PoliteEndpoint, *, max_page_bytes: int) -> None:
        self.site = site
        self.endpoint = endpoint
        self.max_page_bytes = max_page_bytes

    # ------------------------------------------------------------------ REST: Parsoid HTML

    async def latest_html(self, title: str) -> RevisionHtml:
        """The latest revision of ``title`` (``/page/{title}/with_html``)."""
        url = f"{self.site.rest}/page/{quote(title_key(title), safe=TITLE_SAFE)}/with_html"
        data = await self._rest(url, f"{self.site.host}: no page titled {title!r}")
        latest = data.get("latest")
        if not isinstance(latest, dict):
            raise WikiUnavailable(f"{url}: the answer has no 'latest' revision; is this a MediaWiki REST API?")
        return self._revision_html(data, url, revision=_int_field(latest, "id"), timestamp=latest.get("timestamp"))

    async def revision_html(self, revision: int) -> RevisionHtml:
        """One revision (``/revision/{id}/with_html``)."""
        url = f"{self.site.rest}/revision/{revision}/with_html"
        data = await self._rest(url, f"{self.site.host}: no revision {revision}")
        page = data.get("page")
        title = page.get("title") if isinstance(page, dict) else None
        return self._revision_html(
            data,
            url,
            revision=_int_field(data, "id"),
            timestamp=data.get("timestamp"),
            title=title if isinstance(title, str) else None,
            page_id=page.get("id") if isinstance(page, dict) and isinstance(page.get("id"), int) else None,
        )

    def _revision_html(
        self,
        data: Mapping[str, Any],
        url: str,
        *,
        revision: int,
        timestamp: object,
        title: str | None = None,
        page_id: int | None = None,
    ) -> RevisionHtml:
        html = data.get("html")
        if not isinstance(html, str) or "<" not in html:
            raise WikiUnavailable(f"{url}: the answer carries no HTML; is this a MediaWiki REST API?")
        name = title or data.get("title")
        if not isinstance(name, str) or not name:
            raise WikiUnavailable(f"{url}: the answer names no page title")
        if page_id is None and isinstance(data.get("id"), int):
            page_id = data["id"]
        try:
            moment = parse_mw_timestamp(timestamp)
        except MalformedAnswer as error:
            raise WikiUnavailable(f"{url}: {error}") from None
        return RevisionHtml(self.site, name, revision, moment, html, datetime.now(UTC), page_id=page_id, endpoint=url)

    async def _rest(self, url: str, missing: str) -> dict[str, Any]:
        answer = await self._get(url, max_bytes=self.max_page_bytes)
        if answer.status == 404:
            raise WikiPageMissing(missing)
        if answer.status >= 400:
            raise WikiUnavailable(f"{url}: the wiki answered HTTP {answer.status}")
        if answer.truncated:
            raise WikiInputError(
                f"{url}: the page is larger than the {self.max_page_bytes / 1048576:.0f} MiB limit "
                "(raise it with --max-page-size)"
            )
        try:
            return answer.json_object()
        except MalformedAnswer as error:
            raise WikiUnavailable(f"{url}: the wiki answered garbage ({error})") from None

    async def _get(
        self, url: str, *, params: Mapping[str, str] | None = None, max_bytes: int | None = None
    ) -> HttpAnswer:
        try:
            return await self.endpoint.get(url, params=params, max_bytes=max_bytes or self.max_page_bytes)
        except TransportFailure as error:
            raise WikiUnavailable(f"{self.site.host}: {error}") from None

    # ------------------------------------------------------------------ action API: history

    async def _query(self, params: Mapping[str, str]) -> dict[str, Any]:
        full = {"action": "query", "format": "json", "formatversion": "2", "maxlag": str(MAXLAG_SECONDS), **params}
        answer = await self._get(self.site.action, params=full)
        if answer.status >= 400:
            raise WikiUnavailable(f"{self.site.action}: the wiki answered HTTP {answer.status}")
        try:
            data = answer.json_object()
        except MalformedAnswer as error:
            raise WikiUnavailable(f"{self.site.action}: the wiki answered garbage ({error})") from None
        problem = data.get("error")
        if isinstance(problem, dict):
            code, info = problem.get("code", "?"), problem.get("info", "")
            raise WikiUnavailable(f"{self.site.action}: API error {code}: {info}".rstrip(": "))
        return data

    async def revision_list(self, title: str, upto: int, *, max_requests: int) -> tuple[list[RevisionMeta], int, bool]:
        """The revisions of ``title`` up to ``upto``, oldest first: all of them, or the newest that fit.

        The history is listed newest first (500 revisions a request), so a
        budget too small for a long history still covers its recent years.
        Returns ``(revisions, requests spent, complete)``; at most
        ``max_requests`` requests are spent.
        """
        params = {
            "prop": "revisions",
            "titles": title,
            "rvprop": "ids|timestamp|size",
            "rvlimit": "max",
            "rvdir": "older",
            "rvstartid": str(upto),
        }
        revisions: list[RevisionMeta] = []
        spent = 0
        while spent < max_requests:
            data = await self._query(params)
            spent += 1
            for page in _pages(data):
                if page.get("missing") or page.get("invalid"):
                    raise WikiPageMissing(f"{self.site.host}: no page titled {title!r}")
                for item in page.get("revisions") or []:
                    try:
                        revisions.append(
                            RevisionMeta(
                                _int_field(item, "revid"),
                                parse_mw_timestamp(item.get("timestamp")),
                                item.get("size") if isinstance(item.get("size"), int) else None,
                            )
                        )
                    except MalformedAnswer as error:
                        raise WikiUnavailable(f"{self.site.action}: the wiki answered garbage ({error})") from None
            more = data.get("continue")
            if not isinstance(more, dict) or "rvcontinue" not in more:
                return revisions[::-1], spent, True
            params = {**params, **{key: str(value) for key, value in more.items()}}
        return revisions[::-1], spent, False

    async def revision_texts(self, revisions: Sequence[int]) -> dict[int, str | None]:
        """The wikitext of each revision, in one request; None where the wiki withheld it (deleted, hidden)."""
        data = await self._query(
            {
                "prop": "revisions",
                "revids": "|".join(str(revision) for revision in revisions),
                "rvprop": "ids|timestamp|content",
                "rvslots": "main",
            }
        )
        texts: dict[int, str | None] = dict.fromkeys(revisions)
        for page in _pages(data):
            for item in page.get("revisions") or []:
                revid = item.get("revid")
                main = (item.get("slots") or {}).get("main") if isinstance(item.get("slots"), dict) else None
                content = main.get("content") if isinstance(main, dict) else item.get("content")
                if isinstance(revid, int) and isinstance(content, str):
                    texts[revid] = content
        return texts

    async def revisions_between(self, title: str, older: int, newer: int) -> list[RevisionMeta]:
        """The revisions from ``older`` to ``newer`` (inclusive), oldest first, at most the range limit."""
        data = await self._query(
            {
                "prop": "revisions",
                "titles": title,
                "rvprop": "ids|timestamp|size",
                "rvlimit": str(REVISION_RANGE_LIMIT),
                "rvdir": "newer",
                "rvstartid": str(older),
                "rvendid": str(newer),
            }
        )
        found: list[RevisionMeta] = []
        for page in _pages(data):
            if page.get("missing"):
                raise WikiPageMissing(f"{self.site.host}: no page titled {title!r}")
            for item in page.get("revisions") or []:
                if isinstance(item.get("revid"), int):
                    found.append(RevisionMeta(item["revid"], parse_mw_timestamp(item.get("timestamp"))))
        return found


def _pages(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    query = data.get("query")
    pages = query.get("pages") if isinstance(query, dict) else None
    if isinstance(pages, dict):  # formatversion=1 keys pages by id
        pages = list(pages.values())
    if not isinstance(pages, list):
        raise WikiUnavailable("the wiki's answer has no query.pages; is this a MediaWiki action API?")
    return [page for page in pages if isinstance(page, dict)]


# --------------------------------------------------------------------------- the store

WIKI_SCHEMA = """
CREATE TABLE IF NOT EXISTS wiki_pins (
    site TEXT NOT NULL,
    title TEXT NOT NULL,           -- as the user named it (spaces, not underscores)
    revision INTEGER NOT NULL,
    pinned_at TEXT NOT NULL,
    PRIMARY KEY (site, title)
);
CREATE TABLE IF NOT EXISTS wiki_revisions (
    site TEXT NOT NULL,
    revision INTEGER NOT NULL,
    title TEXT NOT NULL,
    page_id INTEGER,
    timestamp TEXT NOT NULL,
    html BLOB,                     -- zlib-compressed Parsoid HTML
    wikitext BLOB,                 -- zlib-compressed wikitext, once read
    endpoint TEXT,
    fetched_at TEXT NOT NULL,
    PRIMARY KEY (site, revision)
);
CREATE TABLE IF NOT EXISTS wiki_revision_lists (
    site TEXT NOT NULL,
    title TEXT NOT NULL,
    upto INTEGER NOT NULL,         -- the newest revision listed
    revisions TEXT NOT NULL,       -- JSON [[id, timestamp, size], ...], oldest first
    PRIMARY KEY (site, title, upto)
);
"""


def _pack(text: str) -> bytes:
    return zlib.compress(text.encode("utf-8"), 6)


def _unpack(blob: bytes | None) -> str | None:
    return zlib.decompress(blob).decode("utf-8") if blob is not None else None


class WikiStore:
    """Pins, revisions and revision lists in the store; revisions never change, so they are kept for good."""

    def __init__(self, store: Store) -> None:
        self.store = store
        store.ensure_schema("wiki", WIKI_SCHEMA)

    def pin(self, site: WikiSite, title: str) -> int | None:
        row = self.store.execute(
            "SELECT revision FROM wiki_pins WHERE site = ? AND title = ?", (site.base, display_title(title))
        ).fetchone()
        return int(row[0]) if row else None

    def set_pin(self, site: WikiSite, title: str, revision: int) -> None:
        self.store.execute(
            "INSERT OR REPLACE INTO wiki_pins (site, title, revision, pinned_at) VALUES (?, ?, ?, ?)",
            (site.base, display_title(title), revision, datetime.now(UTC).isoformat()),
        )

    def revision_html(self, site: WikiSite, revision: int) -> RevisionHtml | None:
        row = self.store.execute(
            "SELECT title, page_id, timestamp, html, endpoint, fetched_at FROM wiki_revisions "
            "WHERE site = ? AND revision = ? AND html IS NOT NULL",
            (site.base, revision),
        ).fetchone()
        if row is None:
            return None
        title, page_id, timestamp, html, endpoint, fetched_at = row
        return RevisionHtml(
            site,
            title,
            revision,
            datetime.fromisoformat(timestamp),
            _unpack(html) or "",
            datetime.fromisoformat(fetched_at),
            page_id=page_id,
            endpoint=endpoint or "",
        )

    def save_html(self, page: RevisionHtml) -> None:
        self.store.execute(
            "INSERT INTO wiki_revisions (site, revision, title, page_id, timestamp, html, endpoint, fetched_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (site, revision) DO UPDATE SET "
            "html = excluded.html, endpoint = excluded.endpoint, fetched_at = excluded.fetched_at",
            (
                page.site.base,
                page.revision,
                page.title,
                page.page_id,
                page.timestamp.isoformat(),
                _pack(page.html),
                page.endpoint,
                page.fetched_at.isoformat(),
            ),
        )

    def wikitext(self, site: WikiSite, revision: int) -> str | None:
        row = self.store.execute(
            "SELECT wikitext FROM wiki_revisions WHERE site = ? AND revision = ?", (site.base, revision)
        ).fetchone()
        return _unpack(row[0]) if row else None

    def save_wikitext(self, site: WikiSite, revision: int, title: str, timestamp: datetime, text: str) -> None:
        self.store.execute(
            "INSERT INTO wiki_revisions (site, revision, title, timestamp, wikitext, fetched_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (site, revision) DO UPDATE SET wikitext = excluded.wikitext",
            (site.base, revision, title, timestamp.isoformat(), _pack(text), datetime.now(UTC).isoformat()),
        )

    def revision_list(self, site: WikiSite, title: str, upto: int) -> list[RevisionMeta] | None:
        row = self.store.execute(
            "SELECT revisions FROM wiki_revision_lists WHERE site = ? AND title = ? AND upto = ?",
            (site.base, title, upto),
        ).fetchone()
        if row is None:
            return None
        return [
            RevisionMeta(int(revid), datetime.fromisoformat(stamp), size) for revid, stamp, size in json.loads(row[0])
        ]

    def save_revision_list(self, site: WikiSite, title: str, upto: int, revisions: Sequence[RevisionMeta]) -> None:
        payload = json.dumps([[meta.id, meta.timestamp.isoformat(), meta.size] for meta in revisions])
        self.store.execute(
            "INSERT OR REPLACE INTO wiki_revision_lists (site, title, upto, revisions) VALUES (?, ?, ?, ?)",
            (site.base, title, upto, payload),
        )
