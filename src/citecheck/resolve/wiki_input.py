"""Which wiki article an input names — a URL of it, a short form, a ``--titles`` line — read without a request.

An article URL (``https://en.wikipedia.org/wiki/Camp_Ashraf``, the mobile
``en.m.`` host, ``?oldid=`` permalinks, ``/w/index.php?title=``,
``Special:PermanentLink/N``, ``?diff=NEW&oldid=OLD`` and
``Special:Diff/OLD/NEW`` for a revision range) or a short form —
``wikipedia:en:Camp Ashraf``, ``…@123`` to pin a revision, ``…@100..200`` for
a range.  ``--wiki BASE`` names another wiki's script path
(``https://wiki.example.org/w/``; a ``{lang}`` placeholder makes it a farm).

Every audit sorts its inputs with :func:`parse_wiki_input` (offline ones of
local folders too); the APIs that serve the articles are :mod:`.mediawiki`'s.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qs, quote, unquote, urlsplit

DEFAULT_WIKI = "https://{lang}.wikipedia.org/w/"
WIKIMEDIA_FAMILIES = (
    "wikipedia.org",
    "wiktionary.org",
    "wikibooks.org",
    "wikinews.org",
    "wikiquote.org",
    "wikisource.org",
    "wikiversity.org",
    "wikivoyage.org",
)
WIKIMEDIA_SITES = frozenset({"www.mediawiki.org", "meta.wikimedia.org", "commons.wikimedia.org"})
_LANG_RE = re.compile(r"^[a-z][a-z0-9-]{1,19}$")
_SHORT_RE = re.compile(r"^wikipedia:(?P<rest>.+)$", re.I | re.S)
_REVISION_SUFFIX_RE = re.compile(r"@(?:(?P<older>\d+)\.\.)?(?P<newer>\d+)$")
_PERMALINK_RE = re.compile(r"^Special:PermanentLink/(\d+)$", re.I)
_DIFF_RE = re.compile(r"^Special:Diff/(?:(\d+)/)?(\d+)$", re.I)


class WikiError(Exception):
    """Something about a wiki input; the message is one line for the user."""


class WikiInputError(WikiError, ValueError):
    """The input names a wiki article but cannot be understood (no language, a bad revision)."""


@dataclass(frozen=True)
class WikiSite:
    """A wiki, by its script path (where ``api.php`` and ``rest.php`` live), ending in ``/``."""

    base: str

    @property
    def host(self) -> str:
        return (urlsplit(self.base).hostname or "").lower()

    @property
    def rest(self) -> str:
        return f"{self.base}rest.php/v1"

    @property
    def action(self) -> str:
        return f"{self.base}api.php"

    @property
    def is_wikimedia(self) -> bool:
        return self.host in WIKIMEDIA_SITES or self.host.endswith(WIKIMEDIA_FAMILIES)

    @property
    def short_name(self) -> str:
        """``enwiki`` for English Wikipedia; the host name for any other wiki."""
        host = self.host
        if host.endswith(".wikipedia.org") and host.count(".") == 2:
            return host.split(".", 1)[0].replace("-", "_") + "wiki"
        return host

    def article_url(self, title: str) -> str:
        """A stable address for the article (the same for every revision)."""
        key = title_key(title)
        if self.is_wikimedia:
            root = self.base.removesuffix("w/")
            return f"{root}wiki/{quote(key, safe=TITLE_SAFE)}"
        return f"{self.base}index.php?title={quote(key, safe=TITLE_SAFE)}"

    def permalink(self, title: str, revision: int) -> str:
        return f"{self.base}index.php?title={quote(title_key(title), safe=TITLE_SAFE)}&oldid={revision}"


TITLE_SAFE = ":()!*,;@$'"


def title_key(title: str) -> str:
    """The title as MediaWiki keys it: underscores for spaces."""
    return re.sub(r"\s+", " ", title).strip().replace(" ", "_")


def display_title(raw: str) -> str:
    return re.sub(r"[\s_]+", " ", raw).strip()


def site_from_base(base: str) -> WikiSite:
    """A :class:`WikiSite` from ``--wiki``: a script path, or the URL of its ``api.php``/``rest.php``."""
    text = base.strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise WikiInputError(f"--wiki {base!r}: give the wiki's script path, e.g. https://wiki.example.org/w/")
    path = re.sub(r"(?:api|rest|index)\.php.*$", "", parts.path)
    if not path.endswith("/"):
        path += "/"
    return WikiSite(f"{parts.scheme}://{parts.netloc}{path}")


@dataclass(frozen=True)
class ArticleTarget:
    """An article (or one of its revisions, or a range of them) that an input names."""

    site: WikiSite
    title: str | None  # None when only a revision id was given (index.php?oldid=N)
    revision: int | None = None  # pinned by the input
    older: int | None = None  # with ``revision``: a range older..revision
    given: str = ""

    @property
    def is_range(self) -> bool:
        return self.older is not None and self.revision is not None


def _site_for_lang(wiki: str | None, lang: str | None) -> WikiSite:
    template = wiki or DEFAULT_WIKI
    if "{lang}" in template:
        if lang is None:
            raise WikiInputError("give a language: wikipedia:en:Title (or --wiki with the wiki's script path)")
        template = template.replace("{lang}", lang)
    return site_from_base(template)


def _revision_spec(title: str, given: str) -> tuple[str, int | None, int | None]:
    match = _REVISION_SUFFIX_RE.search(title)
    if match is None:
        return title, None, None
    newer = int(match.group("newer"))
    older = int(match.group("older")) if match.group("older") else None
    if older is not None and older >= newer:
        raise WikiInputError(f"{given}: a revision range is OLDER..NEWER, got {older}..{newer}")
    return title[: match.start()], newer, older


def parse_short_form(text: str, wiki: str | None = None) -> ArticleTarget | None:
    """``wikipedia:LANG:TITLE`` (``@REV``, ``@OLD..NEW``); None when ``text`` is not a short form."""
    match = _SHORT_RE.match(text.strip())
    if match is None:
        return None
    rest = match.group("rest")
    lang: str | None = None
    head, sep, tail = rest.partition(":")
    if sep and _LANG_RE.match(head):
        lang, rest = head, tail
    rest, revision, older = _revision_spec(rest, text)
    title = display_title(rest)
    if not title:
        raise WikiInputError(f"{text}: no article title (wikipedia:en:Title)")
    return ArticleTarget(_site_for_lang(wiki, lang), title, revision, older, given=text)


def _wikimedia_site(host: str) -> WikiSite | None:
    host = host.lower()
    if host in WIKIMEDIA_SITES:
        return WikiSite(f"https://{host}/w/")
    if not host.endswith(WIKIMEDIA_FAMILIES):
        return None
    labels = host.split(".")
    if len(labels) == 4 and labels[1] == "m":  # en.m.wikipedia.org: the mobile site of en.wikipedia.org
        labels.pop(1)
    if len(labels) != 3:
        return None
    return WikiSite(f"https://{'.'.join(labels)}/w/")


def parse_article_url(url: str, wiki: str | None = None) -> ArticleTarget | None:
    """The article a Wikimedia (or ``--wiki``) URL names; None for any other URL (and for no URL at all:
    ``http://[::g]/`` is left to the guarded client to refuse in plain words)."""
    try:
        parts = urlsplit(url.strip())
        _ = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    site = _wikimedia_site(parts.hostname)
    own = site_from_base(wiki) if wiki and "{lang}" not in wiki else None
    if own is not None and own.host == parts.hostname.lower() and parts.port == urlsplit(own.base).port:
        site = own
    if site is None:
        return None
    query = {name: values[-1] for name, values in parse_qs(parts.query).items()}
    script = urlsplit(site.base).path
    title: str | None = None
    if parts.path.startswith("/wiki/"):
        title = unquote(parts.path[len("/wiki/") :])
    elif parts.path.startswith(f"{script}index.php/"):
        title = unquote(parts.path[len(f"{script}index.php/") :])
    elif parts.path in (f"{script}index.php", script):
        title = query.get("title")
    else:
        return None
    revision = _int_param(query, "oldid", url)
    older: int | None = None
    diff = query.get("diff")
    if diff is not None and diff.isdigit():
        if revision is not None and revision < int(diff):
            older = revision
        revision = int(diff)
    if title is not None:
        if (permanent := _PERMALINK_RE.match(title)) is not None:
            title, revision = None, int(permanent.group(1))
        elif (between := _DIFF_RE.match(title)) is not None:
            title, revision = None, int(between.group(2))
            older = int(between.group(1)) if between.group(1) else None
    if title is not None:
        title = display_title(title)
        if not title:
            title = None
    if title is None and revision is None:
        raise WikiInputError(f"{url}: names no article (no title and no oldid)")
    return ArticleTarget(site, title, revision, older, given=url)


def _int_param(query: Mapping[str, str], name: str, url: str) -> int | None:
    value = query.get(name)
    if value is None or value in ("", "cur", "prev", "next"):
        return None
    if not value.isdigit():
        raise WikiInputError(f"{url}: {name}={value!r} is not a revision number")
    return int(value)


def parse_wiki_input(text: str, wiki: str | None = None) -> ArticleTarget | None:
    """The article ``text`` names (a short form or an article URL), or None when it is not a wiki input."""
    short = parse_short_form(text, wiki)
    if short is not None:
        return short
    if text.strip().lower().startswith(("http://", "https://")):
        return parse_article_url(text, wiki)
    return None


def bare_title_target(title: str, wiki: str | None) -> ArticleTarget:
    """A line of ``--titles`` that is just a title: an article of ``--wiki`` (English Wikipedia by default)."""
    site = _site_for_lang(wiki, "en")
    text, revision, older = _revision_spec(title.strip(), title)
    name = display_title(text)
    if not name:
        raise WikiInputError(f"{title!r}: no article title")
    return ArticleTarget(site, name, revision, older, given=title.strip())
