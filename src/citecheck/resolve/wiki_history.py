"""Access dates from an article's history, as InternetArchiveBot finds them.

A citation without an access date was, at the latest, read when its URL
entered the article; that edit's time is the best stand-in for the access
date, and it is what the archive should be searched near.  The revision that
added a URL is found by bisecting the history rather than reading it all:
each request fetches the wikitext of several revisions spread over every
URL's open interval (all of an article's URLs share the same requests), so
an article of ``n`` revisions needs about ``log(n) / log(fan_out + 1)``
requests after the one that lists its revisions.  Like the bot, the search
assumes a URL, once cited, stays cited; a URL removed and added back is dated
by one of its additions.

Every answer is kept in the store: a found date for good (history does not
change), and an unfinished search as the interval it narrowed, so the next
run continues from there.  The per-article request budget bounds a run; what
it leaves unfinished has no date, and the report says why.
"""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import unquote

from citecheck.dates import PartialDate
from citecheck.models import AccessDateProvenance, Reference
from citecheck.resolve.mediawiki import MediaWikiClient, RevisionHtml, RevisionMeta, WikiStore, WikiUnavailable
from citecheck.resolve.wiki_input import WikiError
from citecheck.store.db import Store

DEFAULT_BUDGET = 8  # requests per article: one revision list, then bisection batches
DEFAULT_FAN_OUT = 10  # revisions whose wikitext one request reads
DEFAULT_BATCH_BYTES = 4_000_000  # …unless their sizes add up to more
_URL_ENDS = frozenset(" \t\n|]}<\"'#")

TextFetcher = Callable[[Sequence[int]], Awaitable[Mapping[int, str | None]]]

HISTORY_SCHEMA = """
CREATE TABLE IF NOT EXISTS wiki_url_added (
    site TEXT NOT NULL,
    title TEXT NOT NULL,
    url TEXT NOT NULL,
    status TEXT NOT NULL,          -- found | absent (not in the pinned revision) | open (budget ran out)
    revision INTEGER,              -- found: the revision that added the URL
    timestamp TEXT,
    cites_from INTEGER,            -- open: the oldest revision known to cite the URL
    absent_until INTEGER,          -- open: the newest revision known not to cite it
    upto INTEGER NOT NULL,         -- the pinned revision the search ran against
    PRIMARY KEY (site, title, url)
);
"""


def _variants(url: str) -> set[str]:
    """The forms a URL takes in wikitext, without its scheme (an http → https edit is not an addition)."""
    bare = url.split("://", 1)[1] if "://" in url else url
    return {form for form in (bare, html.escape(bare, quote=False), unquote(bare)) if len(form) > 3}


def wikitext_cites(wikitext: str, url: str) -> bool:
    """Whether ``url`` occurs in ``wikitext`` as a whole URL (not as the start of a longer one)."""
    for form in _variants(url):
        start = wikitext.find(form)
        while start != -1:
            end = start + len(form)
            if end == len(wikitext) or wikitext[end] in _URL_ENDS:
                return True
            start = wikitext.find(form, start + 1)
    return False


@dataclass
class _Search:
    url: str
    lo: int  # the newest index known not to cite the URL (-1: before the first revision)
    hi: int  # the oldest index known to cite it

    @property
    def open(self) -> bool:
        return self.hi - self.lo > 1


@dataclass
class HistoryResult:
    """What bisection found: the revision that added each URL, and why the others have no date."""

    added: dict[str, RevisionMeta] = field(default_factory=dict)
    absent: set[str] = field(default_factory=set)  # not in the pinned revision's wikitext
    open: dict[str, tuple[int, int]] = field(default_factory=dict)  # url -> (lo, hi) indices left
    requests: int = 0
    pinned_text: str | None = None  # the pinned revision's wikitext, when this search read it
    listed_all: bool = True  # False: only the newest part of the history was listed (the budget)


def _probe_points(lo: int, hi: int, count: int, unusable: set[int]) -> list[int]:
    """Up to ``count`` indices spread evenly strictly between ``lo`` and ``hi``, avoiding unusable ones."""
    inside = [index for index in range(lo + 1, hi) if index not in unusable]
    if not inside:
        return []
    if len(inside) <= count:
        return inside
    step = len(inside) / (count + 1)
    return sorted({inside[min(len(inside) - 1, round(step * (j + 1)) - 1)] for j in range(count)})


async def first_revisions_citing(
    urls: Iterable[str],
    revisions: Sequence[RevisionMeta],
    fetch_texts: TextFetcher,
    *,
    budget: int,
    pinned_text: str | None = None,
    start: Mapping[str, tuple[int, int]] | None = None,
    fan_out: int = DEFAULT_FAN_OUT,
    batch_bytes: int = DEFAULT_BATCH_BYTES,
    complete: bool = True,
) -> HistoryResult:
    """For each URL, the first of ``revisions`` (oldest first; the last is the pinned one) that cites it.

    ``fetch_texts`` reads the wikitext of some revisions in one request;
    at most ``budget`` calls are made.  ``start`` resumes searches at
    known ``(lo, hi)`` indices.  When ``revisions`` is only the newest part
    of the history (``complete`` False), a URL its oldest revision already
    cites was added earlier than the list reaches: it stays open.
    """
    result = HistoryResult(pinned_text=None)
    last = len(revisions) - 1
    if last < 0:
        return result
    searches: list[_Search] = []
    for url in dict.fromkeys(urls):
        lo, hi = (start or {}).get(url, (-1, last))
        searches.append(_Search(url, lo, min(hi, last)))
    pinned_known = pinned_text is not None

    def observe(index: int, text: str) -> None:
        for search in searches:
            if index == last and search.hi == last and not wikitext_cites(text, search.url):
                result.absent.add(search.url)
                search.lo = search.hi  # closed: nothing to date
            elif search.lo < index < search.hi or (index == search.hi == last):
                if wikitext_cites(text, search.url):
                    search.hi = index
                else:
                    search.lo = index

    if pinned_text is not None:
        observe(last, pinned_text)
    unusable: set[int] = set()
    while result.requests < budget:
        active = [search for search in searches if search.open and search.url not in result.absent]
        if not active and pinned_known:
            break
        probes: list[int] = [] if pinned_known else [last]
        intervals = sorted({(search.lo, search.hi) for search in active}, key=lambda pair: pair[0] - pair[1])
        share = max(1, (fan_out - len(probes)) // max(1, len(intervals)))
        for lo, hi in intervals:
            points = _probe_points(lo, hi, share, unusable)
            if not points and hi - lo > 1:
                # Every revision in between is withheld: the first readable one that cites the URL stands.
                for search in active:
                    if (search.lo, search.hi) == (lo, hi):
                        search.lo = search.hi - 1
            probes += [index for index in points if index not in probes]
        probes = _within_bytes(probes[:fan_out], revisions, batch_bytes)
        if not probes:
            break
        texts = await fetch_texts([revisions[index].id for index in probes])
        result.requests += 1
        for index in probes:
            text = texts.get(revisions[index].id)
            if text is None:
                unusable.add(index)  # deleted or hidden: bisect around it
                continue
            if index == last:
                pinned_known = True
                result.pinned_text = text
            observe(index, text)
        if not pinned_known and last in unusable:
            break  # the pinned revision's text is withheld: nothing to compare against
    for search in searches:
        if search.url in result.absent:
            continue
        if not search.open and pinned_known and (complete or search.hi > 0):
            result.added[search.url] = revisions[search.hi]
        else:
            result.open[search.url] = (search.lo, search.hi)
    return result


def _within_bytes(probes: list[int], revisions: Sequence[RevisionMeta], limit: int) -> list[int]:
    kept: list[int] = []
    total = 0
    for index in probes:
        size = revisions[index].size or 0
        if kept and total + size > limit:
            break
        kept.append(index)
        total += size
    return kept


# --------------------------------------------------------------------------- one article


@dataclass
class AccessDateOutcome:
    """What recovering access dates did for one article."""

    dated: int = 0  # references given an access date from history
    requests: int = 0
    notices: list[str] = field(default_factory=list)


class HistoryCache:
    def __init__(self, store: Store) -> None:
        self.store = store
        store.ensure_schema("wiki_history", HISTORY_SCHEMA)

    def get(self, site: str, title: str, url: str) -> tuple[str, int | None, str | None, int | None, int | None, int]:
        row = self.store.execute(
            "SELECT status, revision, timestamp, cites_from, absent_until, upto FROM wiki_url_added "
            "WHERE site = ? AND title = ? AND url = ?",
            (site, title, url),
        ).fetchone()
        return tuple(row) if row else ("", None, None, None, None, 0)

    def put(
        self,
        site: str,
        title: str,
        url: str,
        status: str,
        upto: int,
        *,
        revision: RevisionMeta | None = None,
        cites_from: int | None = None,
        absent_until: int | None = None,
    ) -> None:
        self.store.execute(
            "INSERT OR REPLACE INTO wiki_url_added "
            "(site, title, url, status, revision, timestamp, cites_from, absent_until, upto) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                site,
                title,
                url,
                status,
                revision.id if revision else None,
                revision.timestamp.isoformat() if revision else None,
                cites_from,
                absent_until,
                upto,
            ),
        )


def _date_reference(reference: Reference, page: RevisionHtml, revision: int, moment: datetime) -> None:
    day = moment.astimezone(UTC)
    reference.access_date = PartialDate(year=day.year, month=day.month, day=day.day)
    reference.access_date_provenance = AccessDateProvenance(
        origin="history",
        revision=revision,
        timestamp=moment,
        permalink=page.site.permalink(page.title, revision),
    )


async def recover_access_dates(
    page: RevisionHtml,
    references: Sequence[Reference],
    *,
    client: MediaWikiClient | None,
    store: Store | None,
    budget: int = DEFAULT_BUDGET,
) -> AccessDateOutcome:
    """Give each reference with a URL but no access date the time its URL entered the article.

    ``client`` None means offline: only what the store remembers is used.
    """
    outcome = AccessDateOutcome()
    undated = [reference for reference in references if reference.url and reference.access_date is None]
    if not undated:
        return outcome
    site, title = page.site.base, page.title
    cache = HistoryCache(store) if store is not None else None
    wiki = WikiStore(store) if store is not None else None
    urls = list(dict.fromkeys(reference.url for reference in undated if reference.url))
    found: dict[str, tuple[int, datetime]] = {}
    resume: dict[str, tuple[int | None, int | None]] = {}
    pending: list[str] = []
    for url in urls:
        status, revision, stamp, cites_from, absent_until, upto = (
            cache.get(site, title, url) if cache else ("", None, None, None, None, 0)
        )
        if status == "found" and revision is not None and stamp and revision <= page.revision:
            found[url] = (revision, datetime.fromisoformat(stamp))
        elif status == "absent" and upto == page.revision:
            continue
        else:
            if status == "open" and upto <= page.revision:
                resume[url] = (absent_until, cites_from)
            pending.append(url)
    if pending and client is None:
        outcome.notices.append(
            f"Access dates from history: {len(pending)} URLs without an access date are not in the store "
            "(offline); they are not-checked."
        )
    elif pending and client is not None:
        try:
            searched = await _search(page, pending, resume, client, wiki, budget)
        except WikiError as error:
            outcome.notices.append(f"Access dates from history could not be read ({error}); they are not-checked.")
        else:
            revisions, result, spent = searched
            outcome.requests += spent
            for url, meta in result.added.items():
                found[url] = (meta.id, meta.timestamp)
                if cache:
                    cache.put(site, title, url, "found", page.revision, revision=meta)
            for url in result.absent:
                if cache:
                    cache.put(site, title, url, "absent", page.revision)
            for url, (lo, hi) in result.open.items():
                if cache:
                    cache.put(
                        site,
                        title,
                        url,
                        "open",
                        page.revision,
                        cites_from=revisions[hi].id if 0 <= hi < len(revisions) else None,
                        absent_until=revisions[lo].id if 0 <= lo < len(revisions) else None,
                    )
            if result.open:
                why = (
                    f"were cited before the {len(revisions)} most recent revisions the budget could list"
                    if not result.listed_all
                    else "were not dated within the budget; a re-run continues the search"
                )
                outcome.notices.append(
                    f"Access dates from history: {len(result.open)} URLs {why} (history-budget = {budget} "
                    "requests per article)."
                )
    dated: list[str] = []
    for reference in undated:
        hit = found.get(reference.url or "")
        if hit is not None:
            _date_reference(reference, page, *hit)
            dated.append(reference.id)
    outcome.dated = len(dated)
    if dated:
        shown = ", ".join(dated[:20]) + (f" and {len(dated) - 20} more" if len(dated) > 20 else "")
        outcome.notices.append(
            f"Access dates from history for references {shown}: the citation gives none, so the date is that of "
            "the first revision whose wikitext cites the URL (access_date_provenance names it)."
        )
    return outcome


async def _search(
    page: RevisionHtml,
    urls: list[str],
    resume: Mapping[str, tuple[int | None, int | None]],
    client: MediaWikiClient,
    wiki: WikiStore | None,
    budget: int,
) -> tuple[list[RevisionMeta], HistoryResult, int]:
    spent, complete = 0, True
    revisions = wiki.revision_list(page.site, page.title, page.revision) if wiki else None
    if revisions is None:
        # Half the budget at most for listing: a long history is listed newest first, as far as it goes.
        revisions, spent, complete = await client.revision_list(
            page.title, page.revision, max_requests=max(1, budget // 2)
        )
        if not revisions or revisions[-1].id != page.revision:
            raise WikiUnavailable(f"the history of {page.title!r} does not end at revision {page.revision}")
        if wiki and complete:
            wiki.save_revision_list(page.site, page.title, page.revision, revisions)
    positions = {meta.id: index for index, meta in enumerate(revisions)}
    start: dict[str, tuple[int, int]] = {}
    for url, (absent_until, cites_from) in resume.items():
        lo = positions.get(absent_until, -1) if absent_until is not None else -1
        hi = positions.get(cites_from, len(revisions) - 1) if cites_from is not None else len(revisions) - 1
        start[url] = (lo, hi)
    pinned_text = wiki.wikitext(page.site, page.revision) if wiki else None

    async def fetch(revids: Sequence[int]) -> Mapping[int, str | None]:
        return await client.revision_texts(revids)

    result = await first_revisions_citing(
        urls, revisions, fetch, budget=max(0, budget - spent), pinned_text=pinned_text, start=start, complete=complete
    )
    result.listed_all = complete
    if result.pinned_text is not None and wiki:
        wiki.save_wikitext(page.site, page.revision, page.title, page.timestamp, result.pinned_text)
    return revisions, result, spent + result.requests
