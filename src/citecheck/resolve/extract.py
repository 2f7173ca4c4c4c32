"""What a cited page says and when it says it was published: pure functions over HTML.

Two main-text extractors are measured against each other in
``tests/unit/test_extract.py`` (share of known article sentences recovered,
share of known boilerplate sentences leaked):

* a beautifulsoup4 heuristic (:func:`extract_main_text_bs4`), the default:
  furniture is dropped by tag and class name, then the densest block of prose
  is kept.  It recovered every article sentence on six page layouts and 99.5%
  on a real Wikipedia article, leaking nothing on the layouts;
* trafilatura, the fallback when the heuristic keeps almost nothing: equal
  recall, but it kept the whole page of layout-table sites and teaser
  streams below an article (pages of the 2000s that citations point to).

The publication date follows htmldate's layering — surest and cheapest first —
but keeps the provenance of each answer (``PageDate.method``): meta tags, then
JSON-LD, then ``<time>`` markup, then the URL path; htmldate itself (original
date, not last-modified) is the last resort.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

from citecheck.dates import PartialDate, find_dates, parse_date
from citecheck.models import PageDate
from citecheck.resolve.decode import decode_text, find_parent_named, find_tags, parse_html

# bs4 and lxml imported where used: an offline audit imports this module but never parses a page (issue 17).
if TYPE_CHECKING:
    from bs4 import BeautifulSoup, Tag
    from lxml.html import HtmlElement


EXTRACTOR_TRAFILATURA = "trafilatura"
EXTRACTOR_BS4 = "bs4-main-text"

# Below this many characters trafilatura's answer is treated as "found nothing".
_MIN_TEXT_CHARS = 25


@dataclass(frozen=True)
class ExtractedPage:
    """The main text of a page, its title, and which extractor produced them."""

    title: str | None
    text: str
    extractor: str


def decode_html(html: bytes | str, encoding: str | None = None) -> str:
    """The page as text: ``encoding`` (the header's charset) first, then BOM/meta, then a guess."""
    return decode_text(html, f"text/html; charset={encoding}" if encoding else "text/html")


def _parsed_tree(markup: str) -> HtmlElement | None:
    """An lxml tree of the page, for the libraries that must never be handed a string.

    htmldate and trafilatura download a string that looks like a URL (a page
    whose whole body is a URL made htmldate fetch it, outside every guard):
    they are given parsed trees only.
    """
    import lxml.etree
    import lxml.html

    try:
        return lxml.html.fromstring(markup) if markup.strip() else None
    except (lxml.etree.ParserError, ValueError):
        return None


def _clean_lines(text: str) -> str:
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


# --------------------------------------------------------------------------- trafilatura


def _hashable_stoplist() -> None:
    """Give trafilatura's justext fallback its all-languages stoplist as a frozenset, once.

    trafilatura keeps that stoplist as a tuple of ~154,000 words, and justext's
    ``define_stoplist`` is an ``lru_cache`` keyed on it: every call hashed and compared
    the whole tuple (~18 ms a page).  A frozenset holds the same words and caches its
    hash, so the cache hits in O(1) and justext classifies with the same words.
    """
    from trafilatura import external

    if not isinstance(external.JT_STOPLIST, frozenset):
        external.JT_STOPLIST = frozenset(external.JT_STOPLIST or external.jt_stoplist_init())  # type: ignore[assignment]


# Elements trafilatura writes with marks of its own ("| " cells, "- " items, "#" headings, table rules) or
# reads for text outside the page's text nodes: a page holding one is always handed to trafilatura.
_MARKED_TAGS = frozenset(
    {
        *("table", "thead", "tbody", "tfoot", "tr", "td", "th", "caption", "ul", "ol", "li", "dl", "dt", "dd"),
        *("h1", "h2", "h3", "h4", "h5", "h6", "img", "picture", "figure", "figcaption", "pre", "code", "blockquote"),
        *("q", "math", "svg", "video", "audio", "iframe", "object", "embed"),
    }
)


def _too_little_text_for_trafilatura(tree: HtmlElement) -> bool:
    """Whether trafilatura surely finds fewer than ``_MIN_TEXT_CHARS`` characters in the page.

    Its text is made of the page's text nodes (scripts' too, for JSON-LD ``articleBody``),
    joined by at most one space or line break each once whitespace is collapsed; with
    none of the elements it marks up, that bound is the text's characters plus one per
    node.  Below the threshold its answer would be thrown away, so it is not asked
    (~5 ms a page: error pages and short archived copies).
    """
    length = 0
    for element in tree.iter():
        if isinstance(element.tag, str) and element.tag.lower() in _MARKED_TAGS:
            return False
    for piece in tree.itertext():
        words = piece.split()
        if words:
            length += sum(len(word) + 1 for word in words) + 1
            if length >= _MIN_TEXT_CHARS:
                return False
    return True


def extract_with_trafilatura(html: str, url: str | None = None) -> ExtractedPage | None:
    """trafilatura's main text and title, or None when it finds no usable text."""
    tree = _parsed_tree(html)
    if tree is None or _too_little_text_for_trafilatura(tree):
        return None
    # Imported on first use: it is the fallback, and importing it costs ~0.3 s of every run's start.
    import trafilatura
    from trafilatura.settings import Document

    _hashable_stoplist()
    document = trafilatura.bare_extraction(
        tree, url=url, with_metadata=True, include_comments=False, include_tables=True
    )
    if not isinstance(document, Document):
        return None
    text = _clean_lines(document.text or "")
    if len(text) < _MIN_TEXT_CHARS:
        return None
    title = document.title.strip() if document.title else None
    return ExtractedPage(title=title or None, text=text, extractor=EXTRACTOR_TRAFILATURA)


# --------------------------------------------------------------------------- beautifulsoup4 heuristic

# <form> is not hidden: ASP.NET pages wrap the whole body in one.
_HIDDEN_TAGS = ("script", "style", "noscript", "template", "iframe", "svg", "button", "select", "input", "textarea")
_BOILERPLATE_TAGS = ("nav", "header", "footer", "aside")
# Words in a class or id that mark page furniture rather than the article.
_BOILERPLATE_WORDS = re.compile(
    r"comment|sidebar|footer|breadcrumb|newsletter|subscribe|cookie|promo|sponsor|advert|social|share|"
    r"related|recommend|popular|trending|navbox|navigation|navbar|menu|masthead|banner|popup|modal|"
    r"catlinks|mw-panel|toc\b|printfooter|jump-to",
    re.IGNORECASE,
)
# Short tokens that must stand alone ("ad" must not match "header" or "shadow").
_BOILERPLATE_TOKENS = frozenset({"ad", "ads", "nav", "adslot", "ad-slot", "tags", "byline-share"})
_NEVER_REMOVED = frozenset({"html", "body", "main", "article"})
_PROSE_HOLDERS = frozenset({"div", "td", "section", "article", "main", "span", "font", "center", "blockquote"})
_MIN_PROSE_CHARS = 20
_BLOCK_TAGS = (
    *("p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dd", "dt", "blockquote", "pre"),
    *("table", "tr", "td", "th", "section", "article", "main", "header", "footer", "figure", "figcaption"),
)
# The tag-name sets find_tags looks for (resolve.decode.find_tags: find_all without bs4's per-call rules).
_BLOCK_TAG_SET = frozenset(_BLOCK_TAGS)
_HIDDEN_TAG_SET = frozenset(_HIDDEN_TAGS)
_LINK, _BR, _H1, _META, _SCRIPT, _TIME = ({name} for name in ("a", "br", "h1", "meta", "script", "time"))
_ARTICLE_HEADER, _FOOTER = frozenset({"article", "header"}), frozenset({"footer"})
_LD_JSON = re.compile(r"ld\+json", re.I)


def _marker_text(element: Tag) -> str:
    classes = element.get("class") or []
    class_text = " ".join(classes) if isinstance(classes, list) else str(classes)
    return f"{class_text} {element.get('id') or ''} {element.get('role') or ''}"


def _is_boilerplate(element: Tag) -> bool:
    if element.name in _NEVER_REMOVED:
        return False
    if element.name in _BOILERPLATE_TAGS:
        return True
    marker = _marker_text(element)
    if _BOILERPLATE_WORDS.search(marker):
        return True
    tokens = {token.lower() for token in marker.split()}
    return bool(tokens & _BOILERPLATE_TOKENS) or element.get("role") in ("navigation", "complementary", "banner")


def _prose_weight(element: Tag, text: str) -> int:
    """Characters of prose, discounting link text (lists of links are navigation)."""
    link_chars = sum(len(link.get_text(" ", strip=True)) for link in find_tags(element, _LINK))
    return max(0, len(text) - 2 * link_chars)


def _direct_text(element: Tag) -> str:
    from bs4 import NavigableString

    return " ".join(" ".join(str(child) for child in element.children if isinstance(child, NavigableString)).split())


def _main_container(body: Tag) -> Tag:
    """The element holding most of the page's prose.

    A ``<p>`` credits its parent fully and its grandparent by half; an element
    with prose directly inside it (text between ``<br>`` s, no ``<p>``) credits
    itself and, by half, its parent.
    """
    from bs4 import Tag

    scores: dict[int, float] = {}
    elements: dict[int, Tag] = {}
    for element in find_tags(body):
        if element.name == "p":
            weight = _prose_weight(element, element.get_text(" ", strip=True))
            credited = list(element.parents)[:2]
        elif element.name in _PROSE_HOLDERS:
            weight = _prose_weight(element, _direct_text(element)) if _direct_text(element) else 0
            credited = [element, *list(element.parents)[:1]]
        else:
            continue
        if weight < _MIN_PROSE_CHARS:
            continue
        for share, ancestor in zip((1.0, 0.5), credited, strict=False):
            if isinstance(ancestor, Tag):
                scores[id(ancestor)] = scores.get(id(ancestor), 0.0) + weight * share
                elements[id(ancestor)] = ancestor
    if not scores:
        return body
    return elements[max(scores, key=lambda key: scores[key])]


def _block_text(container: Tag) -> str:
    """The container's text, one line per block element or ``<br>``, inline text kept together."""
    for line_break in find_tags(container, _BR):
        line_break.replace_with("\n")
    for block in find_tags(container, _BLOCK_TAG_SET):
        block.insert_before("\n")
        block.insert_after("\n")
    return _clean_lines(container.get_text(""))


def extract_main_text_bs4(html: str) -> ExtractedPage:
    """A beautifulsoup4 main-text heuristic: drop furniture, keep the densest block of prose."""
    return _main_text_of(parse_html(html))


def _main_text_of(soup: BeautifulSoup) -> ExtractedPage:
    """:func:`extract_main_text_bs4` on a parsed page (which it takes apart: furniture is decomposed)."""
    from bs4 import Tag

    title = soup.title.get_text(" ", strip=True) if soup.title else None
    headings = find_tags(soup, _H1, limit=1)
    heading = headings[0] if headings else None
    if not title and isinstance(heading, Tag):
        title = heading.get_text(" ", strip=True) or None
    for hidden in find_tags(soup, _HIDDEN_TAG_SET):
        hidden.decompose()
    body = soup.body or soup
    page_chars = len(body.get_text(" ", strip=True))
    for element in find_tags(body):
        # Elements inside an already removed subtree are detached; skip them.
        if element.decomposed or not _is_boilerplate(element):
            continue
        # A "boilerplate" element holding most of the page is a wrapper (class="has-sidebar"), not furniture.
        if len(element.get_text(" ", strip=True)) * 2 > page_chars:
            continue
        element.decompose()
    text = _block_text(_main_container(body))
    return ExtractedPage(title=title or None, text=text, extractor=EXTRACTOR_BS4)


def extract_page(html: bytes | str, url: str | None = None, encoding: str | None = None) -> ExtractedPage:
    """The page's main text and title: the beautifulsoup4 heuristic, else trafilatura.

    trafilatura is asked when the heuristic keeps almost nothing; when both
    do, the heuristic's (short) answer stands.
    """
    markup = decode_html(html, encoding)
    return _page_of(parse_html(markup), markup, url)


def _page_of(soup: BeautifulSoup, markup: str, url: str | None) -> ExtractedPage:
    extracted = _main_text_of(soup)
    if len(extracted.text) >= _MIN_TEXT_CHARS:
        return extracted
    fallback = extract_with_trafilatura(markup, url)
    if fallback is None:
        return extracted
    return ExtractedPage(title=fallback.title or extracted.title, text=fallback.text, extractor=fallback.extractor)


# --------------------------------------------------------------------------- publication date

# Meta names and properties that state the original publication date, surest first.
# Modification dates (article:modified_time, dateModified, last-modified) are never read.
PUBLICATION_META_NAMES = (
    "article:published_time",
    "og:article:published_time",
    "og:published_time",
    "citation_publication_date",
    "citation_date",
    "citation_online_date",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "dcterms.date",
    "dc.date.created",
    "dcterms.created",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "published_time",
    "parsely-pub-date",
    "sailthru.date",
    "article.published",
    "date",
)
_META_RANK = {name: rank for rank, name in enumerate(PUBLICATION_META_NAMES)}

_ISO_PREFIX_RE = re.compile(r"^\s*(\d{4}-\d{2}-\d{2}|\d{4}-\d{2}(?!\d)|\d{4}/\d{2}/\d{2})")
_COMPACT_RE = re.compile(r"^\s*((?:19|20)\d\d)(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?:\D|$)")
_URL_DAY_RE = re.compile(r"/((?:19|20)\d\d)[/-](0?[1-9]|1[0-2])[/-](0?[1-9]|[12]\d|3[01])(?=[/_.-]|$)")
_URL_MONTH_RE = re.compile(r"/((?:19|20)\d\d)/(0?[1-9]|1[0-2])/")
# 1970-01-01 is what an unset Unix timestamp prints as, never a real publication date.
_EPOCH = PartialDate(year=1970, month=1, day=1)


def parse_date_value(value: str) -> PartialDate | None:
    """A date written in a meta tag, JSON-LD or ``datetime`` attribute, keeping its precision.

    The date is taken as written (the page's own time zone): ``2011-04-14T23:30-05:00``
    is 14 April, which is what the page showed its readers.
    """
    text = value.strip()
    if not text:
        return None
    prefix = _ISO_PREFIX_RE.match(text)
    if prefix:
        parsed = parse_date(prefix.group(1).replace("/", "-"))
        if parsed is not None:
            return parsed
    compact = _COMPACT_RE.match(text)
    if compact:
        parsed = parse_date("-".join(compact.groups()))
        if parsed is not None:
            return parsed
    parsed = parse_date(text)
    if parsed is not None:
        return parsed
    try:
        moment = parsedate_to_datetime(text)  # RFC 2822, as some CMSs write pubdate
    except (TypeError, ValueError, IndexError):
        moment = None
    if moment is not None:
        return PartialDate.from_date(moment)
    found = find_dates(text)
    if len(found) == 1:
        return found[0][0]
    return None


def _plausible(candidate: PartialDate | None, today: date) -> PartialDate | None:
    if candidate is None or candidate == _EPOCH:
        return None
    if candidate.earliest() > today + timedelta(days=1):
        return None
    return candidate


def _date_from_meta(soup: BeautifulSoup, today: date) -> PageDate | None:
    best: tuple[int, PartialDate, str] | None = None
    for meta in find_tags(soup, _META):
        key = ""
        for attribute in ("property", "name", "itemprop", "http-equiv"):
            value = meta.get(attribute)
            if isinstance(value, str) and value.strip().lower() in _META_RANK:
                key = value.strip().lower()
                break
        content = meta.get("content")
        if not key or not isinstance(content, str):
            continue
        parsed = _plausible(parse_date_value(content), today)
        if parsed is None:
            continue
        rank = _META_RANK[key]
        if best is None or rank < best[0]:
            best = (rank, parsed, key)
    if best is None:
        return None
    return PageDate(date=best[1], method=f"meta:{best[2]}")


def _json_ld_dates(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        value = node.get("datePublished")
        if isinstance(value, str):
            yield value
        for child in node.values():
            yield from _json_ld_dates(child)
    elif isinstance(node, list):
        for child in node:
            yield from _json_ld_dates(child)


def _date_from_json_ld(soup: BeautifulSoup, today: date) -> PageDate | None:
    for script in find_tags(soup, _SCRIPT):
        kind = script.get("type")
        if not isinstance(kind, str) or not _LD_JSON.search(kind):
            continue
        try:
            data = json.loads(script.get_text() or "null")
        except json.JSONDecodeError:
            continue
        for value in _json_ld_dates(data):
            parsed = _plausible(parse_date_value(value), today)
            if parsed is not None:
                return PageDate(date=parsed, method="json-ld:datePublished")
    return None


def _date_from_time_element(soup: BeautifulSoup, today: date) -> PageDate | None:
    """A ``<time datetime>`` marked as the publication time, else the first one in the article's header.

    An arbitrary ``<time>`` is not read: comments and related-article lists carry their own.
    """
    marked: list[Tag] = []
    placed: list[Tag] = []
    for element in find_tags(soup, _TIME):
        if not element.get("datetime"):
            continue
        marker = _marker_text(element) + " " + str(element.get("itemprop") or "")
        if element.has_attr("pubdate") or re.search(r"datePublished|publish|posted", marker, re.I):
            marked.append(element)
        elif find_parent_named(element, _ARTICLE_HEADER) is not None and find_parent_named(element, _FOOTER) is None:
            placed.append(element)
    for element in (*marked, *placed[:1]):
        parsed = _plausible(parse_date_value(str(element.get("datetime"))), today)
        if parsed is not None:
            return PageDate(date=parsed, method="time:datetime")
    return None


def date_from_url(url: str | None) -> PageDate | None:
    """The date a URL path spells (``/2011/04/14/``, ``/2011-04-14-``; ``/2011/04/`` gives a month)."""
    if not url:
        return None
    path = url.split("?", 1)[0].split("#", 1)[0]
    day = _URL_DAY_RE.search(path)
    if day:
        year, month, day_of_month = (int(part) for part in day.groups())
        try:
            return PageDate(date=PartialDate.from_date(date(year, month, day_of_month)), method="url")
        except ValueError:
            pass
    month_match = _URL_MONTH_RE.search(path)
    if month_match:
        return PageDate(date=PartialDate(year=int(month_match[1]), month=int(month_match[2])), method="url")
    return None


def _date_from_htmldate(html: str, url: str | None, today: date) -> PageDate | None:
    import htmldate  # the last layer; imported on first use like trafilatura

    tree = _parsed_tree(html)
    if tree is None:
        return None
    try:
        found = htmldate.find_date(
            tree, url=url, original_date=True, outputformat="%Y-%m-%d", max_date=today.isoformat()
        )
    except (ValueError, TypeError, OverflowError):
        return None
    parsed = _plausible(parse_date(found), today) if found else None
    return PageDate(date=parsed, method="htmldate") if parsed is not None else None


def page_publication_date(
    html: bytes | str, url: str | None = None, *, encoding: str | None = None, today: date | None = None
) -> PageDate | None:
    """The page's own publication date and where it was found, or None.

    Layers, surest first: meta tags, JSON-LD ``datePublished``, ``<time datetime>``
    marked as publication time, the URL path, then htmldate (original date).
    """
    markup = decode_html(html, encoding)
    return _date_of(parse_html(markup), markup, url, today or datetime.now(UTC).date())


def _date_of(soup: BeautifulSoup, markup: str, url: str | None, today: date) -> PageDate | None:
    """:func:`page_publication_date` on a parsed page (read only, never changed)."""
    for layer in (_date_from_meta, _date_from_json_ld, _date_from_time_element):
        found = layer(soup, today)
        if found is not None:
            return found
    from_url = date_from_url(url)
    if from_url is not None and _plausible(from_url.date, today) is not None:
        return from_url
    return _date_from_htmldate(markup, url, today)


def read_html(
    html: bytes | str, url: str | None = None, *, encoding: str | None = None, today: date | None = None
) -> tuple[ExtractedPage, PageDate | None]:
    """:func:`extract_page` and :func:`page_publication_date` of a page from one parse.

    The date layers only read the tree; the main-text heuristic then takes the same
    tree apart — each sees what its own parse would have given it.
    """
    markup = decode_html(html, encoding)
    soup = parse_html(markup)
    page_date = _date_of(soup, markup, url, today or datetime.now(UTC).date())
    return _page_of(soup, markup, url), page_date
