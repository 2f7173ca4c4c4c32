"""Every link of a reference, classified: the cited original, archive copies, identifier links, others.

Readers collect a reference's links in document order (an HTML citation's
anchors, a Markdown footnote's links, a wikitext ``|url=``/``|archive-url=``,
URLs written in the text); :func:`classify_links` says what each is and
:func:`choose_links` picks the reference's ``url`` (the first original),
``archive_url`` (the first archive copy, preferring one of that original) and
identifiers.  An identifier link (doi.org, PubMed, WorldCat …) is never the
``url``; an archive copy with no original beside it names its original.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import SplitResult, urlsplit

from citecheck.lazy_patterns import lazy_pattern
from citecheck.models import LinkKind, ReferenceLink
from citecheck.references.archive_urls import parse_archive_url
from citecheck.references.construct import build
from citecheck.references.identifiers import identifiers_from_url

__all__ = [
    "LinkChoice",
    "choose_links",
    "classify_link",
    "classify_links",
    "may_name_identifier",
    "port_problem",
    "url_port_problem",
    "url_problem",
]

_scheme_re = lazy_pattern(r"^(?:https?:)?//", re.I)


def classify_link(url: str, text: str | None = None) -> ReferenceLink:
    """One link as a :class:`ReferenceLink` (``original`` unless it is an archive or identifier link)."""
    kind, archive = _link_kind(url)
    # Built, not validated: a str URL, a LinkKind member, str or None (one link per reference and reader).
    if archive is not None:
        return build(ReferenceLink, url=url, kind=kind, text=text or None, archive=archive)
    return build(ReferenceLink, url=url, kind=kind, text=text or None)


@functools.lru_cache(maxsize=8192)
def _link_kind(url: str) -> tuple[LinkKind, str | None]:
    """(kind, archive name) of a URL: pure, and asked again for the same URL by every reader of a reference."""
    archived = parse_archive_url(url)
    if archived is not None:
        return LinkKind.archive, archived.archive
    if may_name_identifier(url) and identifiers_from_url(url).present():
        return LinkKind.identifier, None
    return LinkKind.original, None


_host_re = lazy_pattern(r"^(?:https?:)?//(?:www\.)?([^/?#:]+)", re.I)
_IDENTIFIER_HOST_WORDS: tuple[str, ...] = (
    "doi",
    "crossref",  # dx.crossref.org
    "ncbi",
    "pubmed",
    "arxiv",
    "worldcat",
    "oclc",
    "adsabs",
    "lccn",
    "jstor",
    "semanticscholar",
    "handle",
    "osti",
    "ssrn",
    "openlibrary",
    "zbmath",
    "ams.org",
    "citeseerx",
    "europepmc",
)
# Any of the words in the lower-cased host, in one search.
_identifier_host_re = lazy_pattern("|".join(re.escape(word) for word in _IDENTIFIER_HOST_WORDS))


def may_name_identifier(url: str) -> bool:
    """A cheap look at the host before the full parse: resolver hosts, or a wiki's BookSources page."""
    match = _host_re().match(url)
    if match is None:
        return True  # relative (a wiki's ./Special:BookSources/…): let the full parse decide
    host = match.group(1).lower()
    rest = url[match.end() :]
    # Special:BookSources/…, its colon written as is or percent-encoded (identifier_in_url unquotes the path).
    return _identifier_host_re().search(host) is not None or ":" in rest or "%3a" in rest.lower()


def classify_links(candidates: Iterable[tuple[str, str | None]]) -> list[ReferenceLink]:
    """Classify ``(url, link text)`` pairs in order; a URL met twice is kept once (with its first text).

    Originals after the first become ``other`` (a chapter URL, a "via" service, a lay summary).
    """
    links: list[ReferenceLink] = []
    seen: set[str] = set()
    originals = 0
    for url, text in candidates:
        url = url.strip()
        if url.startswith("//"):
            url = "https:" + url  # protocol-relative, as MediaWiki writes its own and many cited links
        if not url or url in seen:
            continue
        seen.add(url)
        link = classify_link(url, text)
        if link.kind is LinkKind.original:
            originals += 1
            if originals > 1:
                link.kind = LinkKind.other
        links.append(link)
    return links


@dataclass(slots=True)
class LinkChoice:
    """The fields a reference takes from its links."""

    url: str | None = None
    archive_url: str | None = None
    archive_url_time: datetime | None = None
    identifiers: dict[str, str] = field(default_factory=dict)


def _same_page(first: str, second: str) -> bool:
    def key(url: str) -> str:
        return _scheme_re().sub("", url.strip().lower()).removeprefix("www.").rstrip("/")

    return key(first) == key(second)


def choose_links(links: Iterable[ReferenceLink]) -> LinkChoice:
    """``url``, ``archive_url`` (+ its timestamp) and identifiers from classified links."""
    choice = LinkChoice()
    archives: list[ReferenceLink] = []
    for link in links:
        if link.kind is LinkKind.original and choice.url is None:
            choice.url = link.url
        elif link.kind is LinkKind.archive:
            archives.append(link)
        elif link.kind is LinkKind.identifier:
            for name, value in identifiers_from_url(link.url).present().items():
                choice.identifiers.setdefault(name, value)
    if archives:
        chosen = archives[0]
        if choice.url is not None:
            for candidate in archives:
                parsed = parse_archive_url(candidate.url)
                if parsed is not None and parsed.original_url and _same_page(parsed.original_url, choice.url):
                    chosen = candidate
                    break
        parsed = parse_archive_url(chosen.url)
        choice.archive_url = chosen.url
        if parsed is not None:
            choice.archive_url_time = parsed.timestamp
            if choice.url is None and parsed.original_url:
                choice.url = parsed.original_url
    return choice


def split_url(url: str) -> SplitResult | None:
    """``urlsplit(url)``, or None where urllib refuses the text (``http://[::g]/``: a bracketed host that is
    no address). For URLs from documents and servers, which may hold anything."""
    try:
        return urlsplit(url)
    except ValueError:
        return None


# A site's home page: "/", "/index.html", "/default.aspx", "/home", "/start.php", a bare language root "/en/"
# or "/pt-br/". One rule for live redirects and archived ones, so both call the same redirect "home".
_home_path = lazy_pattern(
    r"^/?((index|default|home|start)(\.[a-z]{2,5})?|[a-z]{2}([-_][a-z]{2})?)?/?$",
    re.IGNORECASE,
)


def is_site_root(url: str) -> bool:
    """True for a site's home page (``/``, ``/index.html``, ``/home``, a bare language root ``/en/``; any query),
    False for a deeper page and for text urllib cannot split."""
    parts = split_url(url)
    return parts is not None and _home_path().match(parts.path) is not None


@functools.lru_cache(maxsize=8192)
def url_problem(url: str) -> str | None:
    """Why ``url`` cannot be a web address (``"invalid IPv6 address"``, ``"port 0 is out of range 1–65535"``),
    or None when it can."""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
    except ValueError as error:
        return str(error) or "malformed"
    problem = _port_problem_of(parts)
    if problem is not None:
        return problem
    if parts.scheme.lower() not in ("http", "https", "ftp"):
        return f"not a web address (scheme {parts.scheme or 'missing'!r})"
    if not host:
        return "no host"
    return None


# What a setting's message adds to a port problem: the user wrote the port, and can write another.
PORT_ADVICE = "write a port from 1 to 65535, or none for the scheme's default"


def url_port_problem(url: str) -> str | None:
    """Why the port ``url`` names cannot be a server's (``:99999``, ``:0``, ``:-1``, ``:abc``), or None:
    no port, a good one, or text urllib cannot split at all (:func:`url_problem` says why)."""
    try:
        parts = urlsplit(url.strip())
        _ = parts.hostname
    except ValueError:
        return None
    return _port_problem_of(parts)


def _port_problem_of(parts: SplitResult) -> str | None:
    try:
        port = parts.port
    except ValueError:  # urllib's words for ":99999" say 0 would do, and for ":-1" call it no integer
        return port_problem(_port_text(parts.netloc))
    return None if port is None else port_problem(port)


def port_problem(port: int | str) -> str | None:
    """Why ``port`` (a number, or the text after a host's colon) cannot be a server's port, or None when it can.

    Port 0 is no port a server listens on: a connection to it is refused everywhere, and socket calls take
    no number past 65535 (nor below 0).
    """
    if isinstance(port, int) or (port.isascii() and port.isdigit()):
        number = int(port)
        return None if 1 <= number <= 65535 else f"port {number} is out of range 1–65535"
    return f"port {port!r} is not a number"


def _port_text(netloc: str) -> str:
    """What follows the host's colon in ``netloc`` (``user@[::1]:80`` → ``80``)."""
    hostinfo = netloc.rpartition("@")[2]
    if hostinfo.startswith("["):
        hostinfo = hostinfo.partition("]")[2]
    return hostinfo.partition(":")[2]
