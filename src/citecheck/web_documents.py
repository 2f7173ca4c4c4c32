"""Documents that live on the web — a page URL, a wiki article — fetched, pinned and read for the audit.

``audit`` takes, beside files and folders, any ``http(s)`` URL and any wiki
article (see :mod:`citecheck.resolve.wiki_input` for the forms); ``--titles
FILE`` adds one input per line.  :func:`~citecheck.web_inputs.split_inputs` sorts them,
:func:`read_web_documents` fetches and reads each one into a
:class:`~citecheck.models.ParsedDocument` that records where it came from
(``ParsedDocument.fetched``) and recovers missing access dates of wiki
articles from their history, and :func:`wikitext_diffs` turns the repairs
the audit found into one unified diff of each article's pinned wikitext.

Every input fails on its own: a page that is not HTML, a title that does not
exist, a wiki answering garbage becomes a one-line
:class:`~citecheck.models.DocumentError`, and the other inputs are audited.
``--offline`` answers from the store alone.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections.abc import Mapping, Sequence
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from citecheck.config import AuditOptions
from citecheck.dates import PartialDate
from citecheck.models import (
    DocumentError,
    DocumentErrorKind,
    DocumentReport,
    FetchedFrom,
    ParsedDocument,
    TextOrigin,
    WikiRevision,
)
from citecheck.resolve.api_http import GuardedHttp, PoliteEndpoint, user_agent
from citecheck.resolve.mediawiki import MediaWikiClient, RevisionHtml, WikiStore, WikiUnavailable, wiki_politeness
from citecheck.resolve.page_input import FetchedPage, PageFetcher, PageInputError
from citecheck.resolve.run_client import RunClient
from citecheck.resolve.web import WebClient
from citecheck.resolve.wiki_history import recover_access_dates
from citecheck.resolve.wiki_input import (
    ArticleTarget,
    WikiError,
    WikiSite,
    title_key,
)
from citecheck.store.db import Store
from citecheck.web_inputs import WebBatch, WebDocument, WebInput

WIKI_MAX_BYTES = 48 * 1024 * 1024  # Parsoid HTML of Wikipedia's longest lists runs to ~15 MB, JSON-escaped more
_UNSAFE_STEM_RE = re.compile(r"[^\w.-]+")


def _stem_text(text: str) -> str:
    stem = _UNSAFE_STEM_RE.sub("_", text).strip("._") or "page"
    if len(stem) > 100:
        stem = f"{stem[:90]}-{hashlib.sha256(text.encode()).hexdigest()[:8]}"
    return stem


def article_stem(site: WikiSite, title: str, revision: int | None = None) -> str:
    stem = _stem_text(f"{site.short_name}-{title_key(title)}")
    return f"{stem}-r{revision}" if revision is not None else stem


def page_stem(url: str) -> str:
    parts = urlsplit(url)
    return _stem_text(f"{parts.hostname or 'page'}{parts.path.rstrip('/')}{'-' + parts.query if parts.query else ''}")


def unique_stems(wanted: Sequence[str], taken: set[str]) -> list[str]:
    """Each wanted stem, suffixed ``-2``, ``-3``… where it collides with one already taken."""
    used = {stem.lower() for stem in taken}
    result: list[str] = []
    for stem in wanted:
        candidate, number = stem, 1
        while candidate.lower() in used:
            number += 1
            candidate = f"{stem}-{number}"
        used.add(candidate.lower())
        result.append(candidate)
    return result


# --------------------------------------------------------------------------- reading


class _Session:
    """One run's web reading: one guarded client, one serial endpoint per wiki, the store."""

    def __init__(self, options: AuditOptions, web: WebClient | None = None) -> None:
        """``web``: the run's client (shared with the audit's other steps); None: a client of this session's own."""
        self.options = options
        self.store = _open_store(options)
        self.http: GuardedHttp | None = None
        if not options.offline:
            self.http = GuardedHttp(allow_private=options.allow_private, agent=user_agent(options.contact), web=web)
        self.clients: dict[str, MediaWikiClient] = {}
        self.pages = PageFetcher(
            self.http,
            self.store,
            archives=options.archives,
            max_bytes=options.max_page_size,
            reuse=timedelta(hours=options.live_reuse_hours),
            offline=options.offline,
            web=self.http.web if self.http is not None else None,
        )

    def client(self, site: WikiSite) -> MediaWikiClient | None:
        if self.http is None:
            return None
        if site.base not in self.clients:
            endpoint = PoliteEndpoint(site.host, self.http, wiki_politeness())
            # A wiki is an API, not a page from a document: the largest articles' Parsoid HTML (in JSON) is bigger.
            cap = max(self.options.max_page_size, WIKI_MAX_BYTES)
            self.clients[site.base] = MediaWikiClient(site, endpoint, max_page_bytes=cap)
        return self.clients[site.base]

    @property
    def wiki_store(self) -> WikiStore | None:
        return WikiStore(self.store) if self.store is not None else None

    def requests(self) -> dict[str, int]:
        counts = {client.endpoint.name: client.endpoint.requests for client in self.clients.values()}
        if self.http is not None:
            counts["all"] = self.http.requests + self.pages.archive_requests
        return counts

    async def close(self) -> None:
        await self.pages.__aexit__()
        if self.http is not None:
            await self.http.aclose()
        if self.store is not None:
            self.store.close()


def _open_store(options: AuditOptions) -> Store | None:
    """The run's store; offline, a store that does not exist is not created (an offline run leaves no trace)."""
    path = options.cache
    if str(path) != ":memory:" and options.offline and not Path(path).is_file():
        return None
    return Store(path)


async def _pinned_revision(session: _Session, target: ArticleTarget) -> RevisionHtml:
    """The revision to audit: the input's, else the stored pin (unless --latest), else the latest (then pinned)."""
    site, options = target.site, session.options
    wiki = session.wiki_store
    client = session.client(site)
    revision = target.revision
    pinned_from_store = False
    if revision is None and target.title is not None and not options.latest and wiki is not None:
        revision = wiki.pin(site, target.title)
        pinned_from_store = revision is not None
    if revision is not None:
        stored = wiki.revision_html(site, revision) if wiki is not None else None
        if stored is not None:
            return stored
        if client is None:
            raise WikiError(f"{target.given}: offline, and revision {revision} is not in the store (run once online)")
        page = await client.revision_html(revision)
    else:
        if client is None or target.title is None:
            raise WikiError(f"{target.given}: offline, and the store has no pinned revision (run once online)")
        page = await client.latest_html(target.title)
    if wiki is not None:
        wiki.save_html(page)
        if target.revision is None and target.title is not None and not pinned_from_store:
            wiki.set_pin(site, target.title, page.revision)
    return page


def _read_html(html: str, url: str) -> ParsedDocument:
    # The HTML readers (lxml) are loaded when a page was fetched, as documents.parse_document loads them for a file.
    from citecheck.documents.html import read_html

    return read_html(html, url)


def _article_document(target: ArticleTarget, page: RevisionHtml, latest: bool) -> ParsedDocument:
    site = target.site
    document = _read_html(page.html, site.article_url(page.title))
    moment = page.timestamp
    document.title = document.title or page.title
    document.date = PartialDate(year=moment.year, month=moment.month, day=moment.day)
    permalink = site.permalink(page.title, page.revision)
    document.fetched = FetchedFrom(
        url=target.given,
        fetched_url=page.endpoint or permalink,
        fetched_at=page.fetched_at,
        revision=WikiRevision(
            wiki=site.base, title=page.title, revision=page.revision, timestamp=moment, permalink=permalink
        ),
    )
    how = "as --latest asked" if latest else "pinned: a re-run audits this revision unless --latest"
    document.notices.insert(
        0,
        f"Wiki article {page.title!r} on {site.host}, revision {page.revision} of {moment:%Y-%m-%d %H:%M} UTC "
        f"({permalink}), read as Parsoid HTML fetched {page.fetched_at:%Y-%m-%d %H:%M} UTC; {how}.",
    )
    return document


async def _read_article(session: _Session, target: ArticleTarget) -> list[WebDocument]:
    if not target.is_range:
        page = await _pinned_revision(session, target)
        document = await asyncio.to_thread(_article_document, target, page, session.options.latest)
        stem = article_stem(target.site, page.title, target.revision)
        return [WebDocument(target.given, stem, document, page)]
    assert target.revision is not None and target.older is not None
    client = session.client(target.site)
    if client is None:
        raise WikiError(f"{target.given}: a revision range needs the network (its revisions are listed by the wiki)")
    title = target.title or (await _pinned_revision(session, target)).title
    revisions = await client.revisions_between(title, target.older, target.revision)
    if not revisions:
        raise WikiError(f"{target.given}: no revisions of {title!r} between {target.older} and {target.revision}")
    documents: list[WebDocument] = []
    for meta in revisions:
        single = ArticleTarget(target.site, title, meta.id, given=f"{target.given}@{meta.id}")
        page = await _pinned_revision(session, single)
        document = await asyncio.to_thread(_article_document, single, page, False)
        documents.append(WebDocument(single.given, article_stem(target.site, page.title, meta.id), document, page))
    return documents


def _page_document(page: FetchedPage) -> ParsedDocument:
    document = _read_html(page.html, page.url)
    document.fetched = FetchedFrom(
        url=page.url,
        fetched_url=page.final_url,
        fetched_at=page.fetched_at,
        origin=page.origin,
        snapshot_time=page.snapshot_time,
        archive=page.archive,
        reason=page.reason,
    )
    if page.origin == TextOrigin.capture and page.snapshot_time is not None:
        lead = (
            f"The live page could not be had ({page.reason}); the archive's capture of "
            f"{page.snapshot_time:%Y-%m-%d %H:%M} UTC ({page.final_url}) was audited instead."
        )
    else:
        lead = f"Fetched from {page.final_url} on {page.fetched_at:%Y-%m-%d %H:%M} UTC."
    document.notices[:0] = [lead, *page.notices]
    return document


async def _read_all(inputs: Sequence[WebInput], options: AuditOptions, shared: WebClient | None = None) -> WebBatch:
    batch = WebBatch()
    session = _Session(options, shared)
    try:
        for item in inputs:
            try:
                if item.article is not None:
                    batch.documents += await _read_article(session, item.article)
                else:
                    page = await session.pages.fetch(item.given)
                    document = await asyncio.to_thread(_page_document, page)
                    batch.documents.append(WebDocument(item.given, page_stem(item.given), document))
            except (WikiError, PageInputError) as error:
                batch.errors.append(DocumentError(path=item.given, error=str(error)))
            except Exception as error:  # a bug reading one input must not cost the others their reports
                batch.errors.append(
                    DocumentError(
                        path=item.given,
                        error=f"{item.given}: internal error while reading it ({type(error).__name__}: {error}); "
                        "the other documents were audited",
                        kind=DocumentErrorKind.internal_error,
                    )
                )
        for web in batch.documents:
            if web.revision is None:
                continue
            try:
                outcome = await recover_access_dates(
                    web.revision,
                    web.document.references,
                    client=session.client(web.revision.site),
                    store=session.store,
                    budget=options.history_budget,
                )
            except Exception as error:  # a bug here must not cost the article its report
                web.document.notices.append(
                    f"Access dates from history were not recovered ({type(error).__name__}); they are not-checked."
                )
            else:
                web.document.notices += outcome.notices
        batch.requests = session.requests()
    finally:
        await session.close()
    stems = unique_stems([web.stem for web in batch.documents], set())
    for web, stem in zip(batch.documents, stems, strict=True):
        web.stem = stem
    return batch


def read_web_documents(inputs: Sequence[WebInput], options: AuditOptions, client: RunClient | None = None) -> WebBatch:
    """Fetch and read every web input (serially: one wiki at a time is its etiquette); never raises for one input.

    ``client``: the run's one HTTP client and loop (:class:`~citecheck.resolve.run_client.RunClient`).
    """
    if not inputs:
        return WebBatch()
    if client is not None:
        return client.run(_read_all(inputs, options, client.web))
    return asyncio.run(_read_all(inputs, options))


# --------------------------------------------------------------------------- repairs as wikitext diffs


async def _pinned_wikitext(session: _Session, page: RevisionHtml) -> str:
    wiki = session.wiki_store
    text = wiki.wikitext(page.site, page.revision) if wiki is not None else None
    if text is not None:
        return text
    client = session.client(page.site)
    if client is None:
        raise WikiError(f"revision {page.revision}'s wikitext is not in the store (offline)")
    texts = await client.revision_texts([page.revision])
    text = texts.get(page.revision)
    if text is None:
        raise WikiUnavailable(f"{page.site.host} withheld the wikitext of revision {page.revision}")
    if wiki is not None:
        wiki.save_wikitext(page.site, page.revision, page.title, page.timestamp, text)
    return text


async def _diffs(
    batch: WebBatch, reports: Mapping[str, DocumentReport], options: AuditOptions, shared: WebClient | None = None
) -> dict[str, tuple[str, str]]:
    # Here, not at import: the wikitext parser (mwparserfromhell) is a sixth of an audit's start-up, and only a
    # wiki article's repairs need it.
    from citecheck.reports.wikitext_diff import diff_is_needed, wikitext_diff

    session = _Session(options, shared)
    diffs: dict[str, tuple[str, str]] = {}
    try:
        for web in batch.documents:
            report = reports.get(web.key)
            if web.revision is None or report is None or not diff_is_needed(report.references):
                continue
            try:
                wikitext = await _pinned_wikitext(session, web.revision)
            except WikiError as error:
                report.notices.append(f"No wikitext diff of the repairs: {error}.")
                continue
            revision = web.document.fetched.revision if web.document.fetched else None
            if revision is None:
                continue
            try:
                text = await asyncio.to_thread(wikitext_diff, wikitext, report.references, revision)
            except Exception as error:  # wikitext no parser expected: the report stands without a diff
                report.notices.append(
                    f"No wikitext diff of the repairs: it could not be made ({type(error).__name__})."
                )
                continue
            if text:
                diffs[web.key] = (f"{web.stem}.wikitext.diff", text)
    finally:
        await session.close()
    return diffs


def wikitext_diffs(
    batch: WebBatch, reports: Mapping[str, DocumentReport], options: AuditOptions, client: RunClient | None = None
) -> dict[str, tuple[str, str]]:
    """For each wiki article whose audit found repairs: ``key -> (file name, unified diff of its wikitext)``.

    Sets ``report.wikitext_diff`` and adds a notice naming the file.  ``client``: the run's one HTTP client.
    """
    if not any(web.revision is not None for web in batch.documents):
        return {}
    if client is not None:
        diffs = client.run(_diffs(batch, reports, options, client.web))
    else:
        diffs = asyncio.run(_diffs(batch, reports, options))
    for key, (name, text) in diffs.items():
        report = reports[key]
        report.wikitext_diff = name
        changes = text.count("\n+") - text.count("\n+++")
        report.notices.append(
            f"Repairs for the wiki: {name} holds them as a unified diff of the pinned revision's wikitext "
            f"({changes} changed lines); citecheck never edits the wiki."
        )
    return diffs
