"""A MediaWiki on loopback, speaking the REST and action APIs as MediaWiki documents them.

* ``GET /w/rest.php/v1/page/{title}/with_html`` → ``{id, key, title, latest: {id, timestamp}, content_model,
  license, html}``; ``GET /w/rest.php/v1/revision/{id}/with_html`` → ``{id, size, minor, timestamp,
  content_model, page: {id, key, title}, license, user, comment, delta, html}``; a missing title or
  revision → 404 ``{errorKey: rest-nonexistent-title|rest-nonexistent-revision, httpCode, httpReason,
  messageTranslations}``.
* ``GET /w/api.php?action=query&prop=revisions&formatversion=2`` with ``titles`` (``rvprop=ids|timestamp|size``,
  ``rvdir=newer``, ``rvstartid``/``rvendid``, ``rvlimit``, ``rvcontinue``) or ``revids`` (``rvprop=…|content``,
  ``rvslots=main``); a ``maxlag`` error (HTTP 200, ``MediaWiki-API-Error: maxlag``, ``Retry-After``) on demand.

Articles are either real Parsoid pages from ``../shared/wikipedia-samples`` (one revision, the HTML as
it is) or histories built here: wikitext per revision, rendered to Parsoid-shaped HTML (``sup.mw-ref``
markers with ``typeof="mw:Extension/ref"``, ``ol.mw-references``, cite templates as ``<cite
typeof="mw:Transclusion" data-mw=…>`` with their parameters) by :func:`render_parsoid`.
"""

from __future__ import annotations

import html
import json
import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, quote, unquote, urlsplit

import mwparserfromhell

from tests.integration.web_world import Reply, SeenRequest, WebWorld

LICENSE = {
    "url": "https://creativecommons.org/licenses/by-sa/4.0/",
    "title": "Creative Commons Attribution-Share Alike 4.0",
}


@dataclass(eq=False)  # compared by identity: a test may take one back
class Revision:
    id: int
    timestamp: datetime
    wikitext: str
    html: str | None = None  # None: rendered from the wikitext when asked
    hidden: bool = False  # content withheld (revision deletion)


@dataclass
class Article:
    page_id: int
    title: str
    revisions: list[Revision] = field(default_factory=list)  # oldest first


def _json(data: object, status: int = 200, headers: list[tuple[str, str]] | None = None) -> Reply:
    body = json.dumps(data).encode()
    return Reply(status, body, [("Content-Type", "application/json; charset=utf-8"), *(headers or [])])


def _cite_text(template: mwparserfromhell.nodes.Template) -> str:
    def get(*names: str) -> str:
        for name in names:
            if template.has(name):
                return str(template.get(name).value).strip()
        return ""

    url, title = get("url"), get("title")
    params = {str(param.name).strip(): {"wt": str(param.value).strip()} for param in template.params}
    data_mw = {
        "parts": [
            {
                "template": {
                    "target": {"wt": str(template.name).strip(), "href": f"./Template:{str(template.name).strip()}"},
                    "params": params,
                    "i": 0,
                }
            }
        ]
    }
    archive_url, status = get("archive-url", "archiveurl"), get("url-status").lower()
    shown_url = archive_url if archive_url and status != "live" else url
    link = f'<a rel="mw:ExtLink nofollow" href="{html.escape(shown_url)}" class="external text">'
    parts = [f"{link}&quot;{html.escape(title)}&quot;</a>"]
    if get("work", "website"):
        parts.append(f". <i>{html.escape(get('work', 'website'))}</i>")
    if get("date"):
        parts.append(f". {html.escape(get('date'))}")
    if archive_url:
        original = f'<a rel="mw:ExtLink nofollow" href="{html.escape(url)}" class="external text">the original</a>'
        parts.append(f". Archived from {original} on {html.escape(get('archive-date', 'archivedate'))}")
    if get("access-date", "accessdate"):
        parts.append(
            f'<span class="reference-accessdate">. Retrieved <span class="nowrap">'
            f"{html.escape(get('access-date', 'accessdate'))}</span></span>"
        )
    parts.append(".")
    attr = html.escape(json.dumps(data_mw), quote=True)
    return (
        f'<cite class="citation web cs1" about="#mwt1" typeof="mw:Transclusion" data-mw="{attr}">'
        f"{''.join(parts)}</cite>"
    )


def _inline(code: mwparserfromhell.wikicode.Wikicode) -> str:
    """Inline wikitext (inside a reference or a paragraph, refs excluded) as Parsoid-shaped HTML."""
    out: list[str] = []
    for node in code.nodes:
        if isinstance(node, mwparserfromhell.nodes.Template):
            name = str(node.name).strip().lower()
            if name.startswith("cite") or name == "citation":
                out.append(_cite_text(node))
            elif name in ("dead link", "deadlink"):
                out.append('<sup class="noprint Inline-Template" typeof="mw:Transclusion">[<i>dead link</i>]</sup>')
            elif name == "webarchive":
                url = str(node.get("url").value).strip() if node.has("url") else ""
                out.append(f'<a rel="mw:ExtLink" href="{html.escape(url)}" class="external text">Archived</a>')
        elif isinstance(node, mwparserfromhell.nodes.ExternalLink):
            url = str(node.url).strip()
            label = str(node.title).strip() if node.title else url
            css = "external text" if node.title else "external free"
            out.append(f'<a rel="mw:ExtLink nofollow" href="{html.escape(url)}" class="{css}">{html.escape(label)}</a>')
        elif isinstance(node, mwparserfromhell.nodes.Wikilink):
            target = str(node.title).strip()
            label = str(node.text).strip() if node.text else target
            out.append(f'<a rel="mw:WikiLink" href="./{quote(target.replace(" ", "_"))}">{html.escape(label)}</a>')
        elif isinstance(node, mwparserfromhell.nodes.Text):
            out.append(html.escape(str(node), quote=False))
        elif isinstance(node, mwparserfromhell.nodes.Tag) and str(node.tag).lower() != "ref":
            out.append(html.escape(node.__strip__() or "", quote=False))
    return "".join(out)


def render_parsoid(wikitext: str, title: str, revision: int, timestamp: datetime, base: str) -> str:
    """Parsoid-shaped HTML for a small article: paragraphs, ``==`` sections, ``<ref>``s and their list."""
    notes: list[str] = []
    named: dict[str, int] = {}
    key = title.replace(" ", "_")

    def marker(number: int) -> str:
        body = {"id": f"mw-reference-text-cite_note-{number}"}
        data = html.escape(json.dumps({"name": "ref", "body": body, "attrs": {}}))
        return (
            f'<sup about="#mwt{number}" class="mw-ref reference" id="cite_ref-{number}" rel="dc:references" '
            f'typeof="mw:Extension/ref" data-mw="{data}"><a href="./{quote(key)}#cite_note-{number}">'
            f'<span class="mw-reflink-text"><span class="cite-bracket">[</span>{number}'
            f'<span class="cite-bracket">]</span></span></a></sup>'
        )

    def paragraph(text: str) -> str:
        code = mwparserfromhell.parse(text)
        out: list[str] = []
        for node in code.nodes:
            if isinstance(node, mwparserfromhell.nodes.Tag) and str(node.tag).lower() == "ref":
                name = str(node.get("name").value).strip() if node.has("name") else None
                if node.contents is not None and str(node.contents).strip():
                    notes.append(_inline(node.contents))
                    number = len(notes)
                    if name:
                        named[name] = number
                else:
                    number = named.get(name or "", 0)
                out.append(marker(number))
            else:
                out.append(_inline(mwparserfromhell.parse(str(node))))
        return "<p>" + "".join(out).strip() + "</p>"

    sections: list[str] = []
    current: list[str] = []
    for block in re.split(r"\n\s*\n", wikitext.strip()):
        heading = re.fullmatch(r"\s*(==+)\s*(.*?)\s*\1\s*", block)
        if heading:
            sections.append("".join(current))
            level = len(heading.group(1))
            current = [f"<h{level}>{html.escape(heading.group(2))}</h{level}>"]
        elif block.strip().lower() in ("{{reflist}}", "<references />", "<references/>"):
            continue
        else:
            current.append(paragraph(block))
    items = "".join(
        f'<li about="#cite_note-{number}" id="cite_note-{number}"><span class="mw-cite-backlink">'
        f'<a href="./{quote(key)}#cite_ref-{number}" rel="mw:referencedBy"><span class="mw-linkback-text">↑ </span></a>'
        f'</span> <span id="mw-reference-text-cite_note-{number}" class="mw-reference-text reference-text">'
        f"{note}</span></li>"
        for number, note in enumerate(notes, start=1)
    )
    sections.append("".join(current))
    references = (
        '<div class="mw-references-wrap" typeof="mw:Extension/references" data-mw=\'{"name":"references","attrs":{}}\'>'
        f'<ol class="mw-references references">{items}</ol></div>'
    )
    body = "".join(
        f'<section data-mw-section-id="{index}">{content}</section>'
        for index, content in enumerate(sections)
        if content
    )
    host = urlsplit(base).netloc
    return (
        '<!DOCTYPE html>\n<html prefix="dc: http://purl.org/dc/terms/ mw: http://mediawiki.org/rdf/" '
        f'about="http://{host}/wiki/Special:Redirect/revision/{revision}"><head prefix="mwr: http://{host}/wiki/Special:Redirect/">'
        f'<meta charset="utf-8"/><meta property="mw:pageNamespace" content="0"/>'
        f'<meta property="dc:modified" content="{timestamp:%Y-%m-%dT%H:%M:%S}.000Z"/>'
        f'<meta property="mw:htmlVersion" content="2.8.0"/><title>{html.escape(title)}</title>'
        f'<base href="//{host}/wiki/"/></head><body lang="en" class="mw-content-ltr sitedir-ltr ltr mw-body-content '
        f'parsoid-body mediawiki mw-parser-output" dir="ltr">{body}{references}</body></html>'
    )


class MediaWikiServer:
    """The wiki's API routes on one site of a :class:`WebWorld` (its script path is ``/w/``)."""

    def __init__(self, world: WebWorld, site: str, address: str) -> None:
        self.world = world
        self.site = world.add_site(site, address)
        self.site.fallback = self._answer
        self.articles: dict[str, Article] = {}
        self.list_limit = 500  # revisions per revision-list answer (rvlimit=max)
        self.maxlag_left = 0  # the next N action API requests answer a maxlag error
        self.garbage_titles: set[str] = set()  # REST answers an HTML error page for these
        self.delay = 0.0  # seconds before each answer (a real wiki's latency, for benchmarks)
        self._lock = threading.Lock()
        self._next_page = 100
        self._next_revision = 1000
        self._by_revision: dict[int, tuple[Article, Revision]] = {}

    # ------------------------------------------------------------------ content

    @property
    def base(self) -> str:
        return self.world.url(self.site.name, "/w/")

    def add_article(self, title: str, wikitexts: list[tuple[datetime, str]]) -> Article:
        article = Article(self._next_page, title)
        self._next_page += 1
        for moment, text in wikitexts:
            self.add_revision(article, moment, text)
        self.articles[title] = article
        return article

    def add_revision(self, article: Article, moment: datetime, wikitext: str, html_text: str | None = None) -> Revision:
        revision = Revision(self._next_revision, moment, wikitext, html_text)
        self._next_revision += 7  # revision ids are global and sparse, as on a real wiki
        article.revisions.append(revision)
        self._by_revision[revision.id] = (article, revision)
        return revision

    def add_parsoid_page(self, title: str, parsoid_html: str, revision_id: int, moment: datetime) -> Article:
        article = Article(self._next_page, title, [Revision(revision_id, moment, "", parsoid_html)])
        self._next_page += 1
        self.articles[title] = article
        self._by_revision[revision_id] = (article, article.revisions[0])
        return article

    def _html(self, article: Article, revision: Revision) -> str:
        if revision.html is None:
            revision.html = render_parsoid(revision.wikitext, article.title, revision.id, revision.timestamp, self.base)
        return revision.html

    def _find_revision(self, revision_id: int) -> tuple[Article, Revision] | None:
        found = self._by_revision.get(revision_id)
        if found is None or found[1] not in found[0].revisions:
            return None  # never made, or taken back by a test
        return found

    @staticmethod
    def _stamp(moment: datetime) -> str:
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    # ------------------------------------------------------------------ routes

    def _answer(self, request: SeenRequest) -> Reply:
        reply = self._route(request)
        reply.delay = self.delay
        return reply

    def _route(self, request: SeenRequest) -> Reply:
        parts = urlsplit(request.path)
        if parts.path.startswith("/w/rest.php/v1/"):
            return self._rest(unquote(parts.path[len("/w/rest.php/v1/") :]))
        if parts.path == "/w/api.php":
            query = {name: values[-1] for name, values in parse_qs(parts.query).items()}
            return self._action(query)
        return Reply(404, b"<html><body>Not Found</body></html>", [("Content-Type", "text/html")])

    def _rest_missing(self, key: str, what: str) -> Reply:
        return _json(
            {
                "messageTranslations": {"en": f"The specified {what} does not exist"},
                "errorKey": key,
                "httpCode": 404,
                "httpReason": "Not Found",
            },
            status=404,
        )

    def _rest(self, route: str) -> Reply:
        page = re.fullmatch(r"page/(.+)/with_html", route)
        if page:
            title = page.group(1).replace("_", " ")
            if title in self.garbage_titles:
                nginx = b"<html><body><h1>Welcome to nginx!</h1></body></html>"
                return Reply(200, nginx, [("Content-Type", "text/html")])
            article = self.articles.get(title)
            if article is None or not article.revisions:
                return self._rest_missing("rest-nonexistent-title", f"page ({title})")
            latest = article.revisions[-1]
            return _json(
                {
                    "id": article.page_id,
                    "key": article.title.replace(" ", "_"),
                    "title": article.title,
                    "latest": {"id": latest.id, "timestamp": self._stamp(latest.timestamp)},
                    "content_model": "wikitext",
                    "license": LICENSE,
                    "html": self._html(article, latest),
                }
            )
        revision = re.fullmatch(r"revision/(\d+)/with_html", route)
        if revision:
            found = self._find_revision(int(revision.group(1)))
            if found is None:
                return self._rest_missing("rest-nonexistent-revision", f"revision ({revision.group(1)})")
            article, rev = found
            return _json(
                {
                    "id": rev.id,
                    "size": len(rev.wikitext.encode()),
                    "minor": False,
                    "timestamp": self._stamp(rev.timestamp),
                    "content_model": "wikitext",
                    "page": {"id": article.page_id, "key": article.title.replace(" ", "_"), "title": article.title},
                    "license": LICENSE,
                    "user": {"id": 1, "name": "Editor"},
                    "comment": "",
                    "delta": 0,
                    "html": self._html(article, rev),
                }
            )
        return self._rest_missing("rest-no-match", "route")

    def _action(self, query: dict[str, str]) -> Reply:
        with self._lock:
            if self.maxlag_left > 0:
                self.maxlag_left -= 1
                return _json(
                    {
                        "error": {
                            "code": "maxlag",
                            "info": "Waiting for 10.64.16.27: 6 seconds lagged.",
                            "host": "10.64.16.27",
                            "lag": 6,
                            "type": "db",
                            "docref": "See https://www.mediawiki.org/w/api.php for API usage.",
                        },
                        "servedby": "mw-api-int.eqiad.main",
                    },
                    headers=[("Retry-After", "1"), ("X-Database-Lag", "6"), ("MediaWiki-API-Error", "maxlag")],
                )
        if query.get("action") != "query" or query.get("prop") != "revisions" or query.get("formatversion") != "2":
            return _json({"error": {"code": "badvalue", "info": "Unsupported in this test wiki."}})
        if "revids" in query:
            return self._contents([int(part) for part in query["revids"].split("|")], query)
        title = query.get("titles", "").replace("_", " ")
        article = self.articles.get(title)
        if article is None:
            return _json({"batchcomplete": True, "query": {"pages": [{"ns": 0, "title": title, "missing": True}]}})
        revisions = list(article.revisions)
        if query.get("rvdir", "older") == "older":
            revisions.reverse()
        if "rvstartid" in query:
            start = int(query["rvstartid"])
            revisions = [r for r in revisions if (r.id >= start if query.get("rvdir") == "newer" else r.id <= start)]
        if "rvendid" in query:
            end = int(query["rvendid"])
            revisions = [r for r in revisions if (r.id <= end if query.get("rvdir") == "newer" else r.id >= end)]
        offset = int(query.get("rvcontinue", "0") or 0)
        limit = self.list_limit if query.get("rvlimit", "max") == "max" else min(int(query["rvlimit"]), self.list_limit)
        chunk = revisions[offset : offset + limit]
        answer: dict[str, object] = {
            "query": {
                "pages": [
                    {
                        "pageid": article.page_id,
                        "ns": 0,
                        "title": article.title,
                        "revisions": [
                            {
                                "revid": r.id,
                                "parentid": 0,
                                "timestamp": self._stamp(r.timestamp),
                                "size": len(r.wikitext.encode()),
                            }
                            for r in chunk
                        ],
                    }
                ]
            }
        }
        if offset + limit < len(revisions):
            answer["continue"] = {"rvcontinue": str(offset + limit), "continue": "||"}
        else:
            answer["batchcomplete"] = True
        return _json(answer)

    def _contents(self, revids: list[int], query: dict[str, str]) -> Reply:
        pages: dict[int, dict[str, object]] = {}
        bad: dict[str, object] = {}
        for revid in revids:
            found = self._find_revision(revid)
            if found is None:
                bad[str(revid)] = {"revid": revid, "missing": True}
                continue
            article, rev = found
            page = pages.setdefault(
                article.page_id, {"pageid": article.page_id, "ns": 0, "title": article.title, "revisions": []}
            )
            item: dict[str, object] = {"revid": rev.id, "parentid": 0, "timestamp": self._stamp(rev.timestamp)}
            if rev.hidden:
                item["slots"] = {"main": {"texthidden": True}}
            else:
                item["slots"] = {
                    "main": {"contentmodel": "wikitext", "contentformat": "text/x-wiki", "content": rev.wikitext}
                }
            page["revisions"].append(item)  # type: ignore[attr-defined]
        body: dict[str, object] = {"batchcomplete": True, "query": {"pages": list(pages.values())}}
        if bad:
            body["query"]["badrevids"] = bad  # type: ignore[index]
        return _json(body)

    # ------------------------------------------------------------------ what the wiki saw

    def seen(self, kind: str | None = None) -> list[SeenRequest]:
        """Requests the wiki answered; ``kind`` is ``rest`` or ``action``."""
        requests = self.world.seen(self.site.name)
        if kind == "rest":
            return [r for r in requests if r.path.startswith("/w/rest.php")]
        if kind == "action":
            return [r for r in requests if r.path.startswith("/w/api.php")]
        return requests


def history(start: datetime, texts: list[str], step: timedelta = timedelta(days=3)) -> list[tuple[datetime, str]]:
    """Revision timestamps ``step`` apart for successive wikitexts."""
    return [(start + step * index, text) for index, text in enumerate(texts)]
