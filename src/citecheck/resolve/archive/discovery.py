"""Citations without a URL: find archived pages that may be what they cite.

Map the outlet to a domain (a curated file plus what other citations in the
same audit reveal), then ask the archive for that domain's captures within
the publication window and score each URL by how many of the title's slug
words its path contains.  What comes out are candidates, never facts.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING
from urllib.parse import unquote

from citecheck.models import ArchiveResult, ArchiveStatus, Candidate, Reference
from citecheck.references.links import split_url
from citecheck.resolve.archive.backend import ArchiveBackend
from citecheck.resolve.archive.cache import ArchiveCache
from citecheck.resolve.archive.models import (
    ArchiveRefusedError,
    DiscoveryCandidate,
    format_timestamp,
    parse_timestamp,
)

if TYPE_CHECKING:
    from citecheck.resolve.archive.resolver import ArchiveResolver

_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "for",
        "from",
        "has",
        "have",
        "he",
        "her",
        "his",
        "how",
        "in",
        "into",
        "is",
        "it",
        "its",
        "not",
        "of",
        "on",
        "or",
        "our",
        "she",
        "that",
        "the",
        "their",
        "they",
        "this",
        "to",
        "was",
        "were",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "will",
        "with",
        "after",
        "over",
        "says",
        "said",
        "new",
        "more",
        "than",
        "about",
    ]
)
_WORD_RE = re.compile(r"[a-z0-9]+")


@cache
def curated_outlet_domains() -> dict[str, str]:
    """The curated outlet → domain map shipped in ``citecheck/data/outlet_domains.json``."""
    text = resources.files("citecheck").joinpath("data/outlet_domains.json").read_text(encoding="utf-8")
    loaded = json.loads(text)
    return {normalize_outlet(name): domain for name, domain in loaded.items() if not name.startswith("_")}


def normalize_outlet(name: str) -> str:
    """An outlet name as the map keys it: lowercased, leading 'the' and trailing punctuation dropped."""
    cleaned = re.sub(r"\s+", " ", name.strip().strip(".,;:'\"").lower())
    return cleaned.removeprefix("the ").strip()


def site_domain(url: str) -> str | None:
    parts = split_url(url)  # None for "http://[::g]/": no site
    host = (parts.hostname or "").lower() if parts is not None else ""
    return host.removeprefix("www.") or None


def learn_outlet_domains(references: Iterable[Reference]) -> dict[str, str]:
    """Outlet → domain pairs that citations with a URL reveal (their work or publisher and host)."""
    learned: dict[str, str] = {}
    for reference in references:
        if not reference.url:
            continue
        domain = site_domain(reference.url)
        if domain is None or domain.endswith("archive.org"):
            continue
        for outlet in (reference.work, reference.publisher):
            if outlet:
                learned.setdefault(normalize_outlet(outlet), domain)
    return learned


def domain_for_reference(reference: Reference, learned: dict[str, str] | None = None) -> str | None:
    """The domain a URL-less citation's outlet publishes on: the audit's own evidence, then the curated map."""
    curated = curated_outlet_domains()
    for outlet in (reference.work, reference.publisher):
        if not outlet:
            continue
        key = normalize_outlet(outlet)
        if learned and key in learned:
            return learned[key]
        if key in curated:
            return curated[key]
    return None


def slug_words(title: str) -> list[str]:
    """The words of a title a URL slug would keep (lowercase, no stopwords, no one- or two-letter words)."""
    words = _WORD_RE.findall(title.lower().replace("'", ""))
    seen: list[str] = []
    for word in words:
        if len(word) > 2 and word not in _STOPWORDS and word not in seen:
            seen.append(word)
    return seen


def score_url(url: str, words: list[str]) -> tuple[float, tuple[str, ...]]:
    """The share of slug words found in the URL's path, and which ones."""
    if not words:
        return 0.0, ()
    parts = split_url(url)
    if parts is None:
        return 0.0, ()
    path_words = set(_WORD_RE.findall(unquote(parts.path).lower()))
    matched = tuple(word for word in words if word in path_words)
    return len(matched) / len(words), matched


def publication_window(reference: Reference, slack_days: int = 3) -> tuple[datetime, datetime] | None:
    """Publication date ± slack as UTC moments; None without a date precise to the month."""
    if reference.date is None or reference.date.precision not in ("day", "month"):
        return None
    start = datetime.combine(reference.date.earliest() - timedelta(days=slack_days), time.min, tzinfo=UTC)
    end = datetime.combine(reference.date.latest() + timedelta(days=slack_days), time.max, tzinfo=UTC)
    return start, end


class DiscoveryRefused(Exception):
    """Every archive that could search refused to (robots, blocked site): not "searched, found nothing"."""

    def __init__(self, refusal: ArchiveRefusedError) -> None:
        super().__init__(str(refusal))
        self.refusal = refusal

    def as_result(self) -> ArchiveResult:
        """The reference's archive field: not checked, with the archive's refusal and its words."""
        return ArchiveResult(
            status=ArchiveStatus.not_checked,
            reason=f"discovery refused: {self.refusal}",
            refusal=self.refusal.refusal,
        )


@dataclass(frozen=True)
class DiscoveryQuery:
    """The one index search discovery needs for a reference: an outlet's domain within a window."""

    domain: str
    start: datetime
    end: datetime
    words: list[str]
    limit: int

    @property
    def key(self) -> str:
        """The cache key: references of one outlet and window share one search."""
        return f"{self.domain}/|{format_timestamp(self.start)}|{format_timestamp(self.end)}|{self.limit}"


def discovery_query(
    reference: Reference, learned: dict[str, str] | None = None, *, slack_days: int = 3, limit: int = 5000
) -> DiscoveryQuery | None:
    """The search for a URL-less reference with a title, a known outlet and a month-precise date; else None."""
    if reference.url or not reference.title:
        return None
    domain = domain_for_reference(reference, learned)
    window = publication_window(reference, slack_days)
    words = slug_words(reference.title)
    if domain is None or window is None or len(words) < 2:
        return None
    return DiscoveryQuery(domain, window[0], window[1], words, limit)


async def discover_candidates(
    backend: ArchiveBackend,
    reference: Reference,
    learned: dict[str, str] | None = None,
    *,
    cache: ArchiveCache | None = None,
    slack_days: int = 3,
    min_score: float = 0.5,
    limit: int = 5000,
    keep: int = 5,
) -> list[DiscoveryCandidate]:
    """Archived URLs on the citation's outlet, within its publication window, whose path matches its title."""
    query = discovery_query(reference, learned, slack_days=slack_days, limit=limit)
    if query is None:
        return []
    rows = cache.get_discovery(backend.name, query.key) if cache is not None else None
    if rows is None:
        records = await backend.search_prefix(f"{query.domain}/", query.start, query.end, limit)
        rows = [{"url": record.original, "timestamp": format_timestamp(record.timestamp)} for record in records]
        if cache is not None:
            cache.put_discovery(backend.name, query.key, rows)
    candidates: list[DiscoveryCandidate] = []
    for row in rows:
        url, stamp = str(row["url"]), str(row["timestamp"])
        score, matched = score_url(url, query.words)
        if score < min_score:
            continue
        try:
            capture_time = parse_timestamp(stamp)
        except ValueError:
            continue  # a row the cache kept from an older, laxer reader
        candidates.append(
            DiscoveryCandidate(
                url=url,
                snapshot_url=backend.snapshot_url(url, capture_time),
                capture_time=capture_time,
                score=round(score, 3),
                archive=backend.name,
                matched_words=matched,
            )
        )
    candidates.sort(key=lambda candidate: (-candidate.score, candidate.capture_time))
    return candidates[:keep]


def as_candidate(found: DiscoveryCandidate) -> Candidate:
    """The report's form of a discovery candidate."""
    return Candidate(
        url=found.url,
        score=found.score,
        matched_words=list(found.matched_words),
        snapshot_url=found.snapshot_url,
        snapshot_time=found.capture_time,
        archive=found.archive,
    )


@dataclass
class DiscoveryOutcome:
    """Discovery over an audit: candidates by reference index, and the searches archives refused."""

    candidates: dict[int, list[Candidate]]
    refused: dict[int, ArchiveResult]


async def discover_for_references(
    resolver: ArchiveResolver,
    references: Sequence[Reference],
    learned: dict[str, str],
    *,
    max_searches: int | None = None,
) -> DiscoveryOutcome:
    """Candidates for each URL-less reference that has a title, an outlet and a date, keyed by index.

    Only references with at least one candidate appear.  Index searches are
    the scarcest requests there are (24 a minute at the Internet Archive), so
    at most ``max_searches`` (default: the resolver's ``discovery_limit``)
    references that need a fresh search are searched per run; answers already
    in the cache and references sharing a search with one already made cost
    nothing.  The references left out are counted in ``resolver.discovery_skipped``.
    """
    budget = resolver.discovery_limit if max_searches is None else max_searches
    searched: set[str] = set()
    found: dict[int, list[Candidate]] = {}
    refused: dict[int, ArchiveResult] = {}
    for index, reference in enumerate(references):
        query = discovery_query(reference, learned)
        if query is None:
            continue
        fresh = query.key not in searched and not resolver.discovery_cached(query.key)
        if fresh and len(searched) >= budget:
            resolver.discovery_skipped += 1
            continue
        searched.add(query.key)
        try:
            candidates = await resolver.discover(reference, learned)
        except DiscoveryRefused as refusal:
            refused[index] = refusal.as_result()
            continue
        if candidates:
            found[index] = [as_candidate(candidate) for candidate in candidates]
    return DiscoveryOutcome(found, refused)
