"""Reading HTML documents: MediaWiki-rendered articles and generic web pages.

Two layouts, one walker:

* **MediaWiki** (a ``.mw-parser-output`` content area): the body is
  the content area split into sections at ``h2``–``h6``; ``sup.reference``
  markers become :class:`~citecheck.models.Marker` objects; every
  ``ol.references > li`` becomes a numbered :class:`~citecheck.models.Reference`.
* **Generic pages** (blogs, news, academic pages): footnote lists found by
  markup (``section.footnotes``, ``role="doc-endnotes"``) or by a heading
  ("References", "Notes", …) become footnote references, and anchors pointing
  into them become markers.  A page without such a list cites through its
  links: each ``http(s)`` anchor becomes a ``link`` reference (``L1``,
  ``L2``…) with a marker where the anchor text ends.

Reference ids
    The first reference list that plain numeric markers (``[3]``) point into
    is numbered ``"1"``, ``"2"``… A MediaWiki list whose markers carry a group
    name (``[n 1]``, ``[note 2]``) is numbered with that name as a prefix:
    ``"n1"``, ``"note2"``.  Any other list gets its 1-based list position as a
    prefix: ``"2-1"``, ``"2-2"``… Ids therefore never collide, and the
    ``cite_note-…`` anchor (or a footnote's element id) is kept in
    ``Reference.name``.

Sections follow the heading tags: an ``h2`` section has level 2, an ``h3``
section level 3; text before the first heading is a lead section with no
title and level 1.

Non-prose areas (tables, infoboxes, navboxes, reference lists, and appendix
sections such as "See also" or "External links") contribute only the rows and
items that carry a citation marker: those are cited statements, while the
rest is navigation or data that would flood the claims stage with
"uncited claims".  Explanatory notes that cite sources (a footnote with its
own ``[1]``) therefore appear as paragraphs of the section holding the list.

Broken markup never raises: lxml repairs what it can, the walk is iterative
(no recursion limit on deeply nested input), and parsing falls back to the
standard-library parser if lxml refuses the input.  Paragraph line numbers
are not known (lxml does not report them to BeautifulSoup).
"""

from __future__ import annotations

import re
import warnings
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urljoin, urlsplit

from bs4 import BeautifulSoup, NavigableString, PageElement, Tag
from bs4.element import PreformattedString

from citecheck.dates import PartialDate, find_dates, parse_date
from citecheck.models import Marker, Paragraph, ParsedDocument, Reference, Section, SourceFlag
from citecheck.references import reference_from_text

__all__ = ["coins_fields", "read_coins", "read_html"]

# Elements whose content is never document text.
_NEVER_TEXT = frozenset(
    {
        "head",
        "title",
        "script",
        "style",
        "noscript",
        "template",
        "link",
        "meta",
        "iframe",
        "object",
        "embed",
        "svg",
        "math",
        "canvas",
        "button",
        "select",
        "textarea",
        "input",
    }
)
# Elements that start a new paragraph (everything else flows inline).
_BLOCKS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "caption",
        "center",
        "dd",
        "details",
        "dialog",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "header",
        "hgroup",
        "hr",
        "html",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "tfoot",
        "thead",
        "tr",
        "ul",
    }
)
_CELLS = frozenset({"td", "th"})
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}

# MediaWiki chrome inside the content area: edit links, hatnotes, the table of
# contents, coordinates, "[citation needed]"-style inline templates (noprint),
# navbars ("v t e"), maintenance boxes.
_MW_BODY_DROP_CLASSES = frozenset(
    {
        "mw-editsection",
        "hatnote",
        "toc",
        "noprint",
        "navbar",
        "mw-cite-backlink",
        "metadata",
        "ambox",
        "mbox-small",
        "sistersitebox",
        "mw-empty-elt",
        "Z3988",
    }
)
_MW_BODY_DROP_IDS = frozenset({"toc", "coordinates", "siteSub", "contentSub", "jump-to-nav"})
# Inside a citation: hidden COinS, hidden maintenance messages and visible CS1
# error messages are not part of what the citation says.  "[dead link]"
# templates (noprint) stay: they are the source's own flag.
_MW_CITATION_DROP_CLASSES = frozenset(
    {"mw-cite-backlink", "Z3988", "cs1-maint", "cs1-hidden-error", "cs1-visible-error", "citation-comment"}
)
# Areas whose content is not prose: only their cited rows/items are kept.
_MW_CITED_ONLY_CLASSES = frozenset({"reflist", "references", "refbegin", "navbox", "vertical-navbox", "infobox"})

_GENERIC_DROP_NAMES = frozenset({"nav", "header", "footer", "aside"})
_GENERIC_DROP_ROLES = frozenset({"navigation", "banner", "contentinfo", "complementary", "search"})

# Section titles whose content is apparatus, not prose (MOS:APPENDIX and the usual blog/paper headings).
_APPENDIX_TITLE_RE = re.compile(
    r"(?:see also|references?|notes?|footnotes?|endnotes?|citations?|sources?|bibliography|works cited"
    r"|further reading|external links|notes and references|references and notes|literature cited"
    r"|additional reading|related links)",
    re.I,
)
# Headings that introduce a generic page's reference list.
_REFERENCE_LIST_TITLE_RE = re.compile(
    r"(?:references?|notes?|footnotes?|endnotes?|citations?|sources?|bibliography|works cited"
    r"|notes and references|references and notes|literature cited)",
    re.I,
)
# Generic footnote-marker hrefs (#fn1, #fn:2, #cite_note-3); a digit is required so
# that table-of-contents links such as "#citations" are not taken for markers.
_FOOTNOTE_HREF_RE = re.compile(r"#(?:fn|cite)[\w:.\-]*\d[\w:.\-]*")
_BACKLINK_HREF_RE = re.compile(r"#(?:fnref|cite_ref|ref)[\w:.\-]*", re.I)
_BACKLINK_TEXTS = frozenset({"↩", "↩︎", "^", "↑", "⏎", "back", "return"})
_MARKER_LABEL_STRIP = "[]() \u00a0"
# "n 1" → group "n"; "12" → group "".
_GROUP_LABEL_RE = re.compile(r"(?P<group>.*?)\s*(?P<number>\d+)")

_UNSAFE_SCHEMES = frozenset({"javascript", "vbscript", "data", "file"})
_URL_NOISE_RE = re.compile(r"[\x00-\x20\x7f]")
_ISO_DATE_PREFIX_RE = re.compile(r"\d{4}-\d\d(?:-\d\d)?")
_DISPLAY_NONE_RE = re.compile(r"display\s*:\s*none", re.I)


# --------------------------------------------------------------------------- public API


def read_html(text: str, path: str, *, use_coins: bool = True) -> ParsedDocument:
    """Parse an HTML document into sections, paragraphs, markers and references.

    Never raises on any input.  With ``use_coins`` (the default), fields the
    citation text does not yield are filled from the citation's COinS span
    where one exists, and such references carry the source flag ``"coins"``.
    """
    notices: list[str] = []
    soup = _parse(text, notices)
    base = _base_href(soup)
    links = _LinkResolver(base)
    content = soup.select_one("#mw-content-text .mw-parser-output") or soup.select_one(".mw-parser-output")
    if content is not None:
        document = _read_mediawiki(soup, content, path, links, use_coins)
    else:
        document = _read_generic(soup, path, links)
    document.notices[:0] = notices
    document.notices.extend(links.notices())
    return document


def read_coins(title_attr: str) -> dict[str, list[str]]:
    """Decode a COinS span's ``title`` (an OpenURL ContextObject query string).

    ``"ctx_ver=Z39.88-2004&rft.au=A&rft.au=B"`` → ``{"ctx_ver": [...], "rft.au": ["A", "B"]}``.
    Keys keep their order of first appearance; empty values are dropped.
    """
    fields: dict[str, list[str]] = {}
    for key, value in parse_qsl(title_attr.replace("&amp;", "&"), keep_blank_values=False, errors="replace"):
        value = " ".join(value.split())
        if value:
            fields.setdefault(key, []).append(value)
    return fields


@dataclass(frozen=True)
class CoinsFields:
    """The COinS fields a citation check compares: title, date, http(s) URL, authors."""

    title: str | None
    date: str | None
    url: str | None
    authors: list[str]


def coins_fields(coins: dict[str, list[str]]) -> CoinsFields:
    """Pick title, date, URL and authors out of decoded COinS (see :func:`read_coins`).

    The title is the article/chapter title (``rft.atitle``) when present, else
    the book or document title (``rft.btitle``, ``rft.title``); the URL is the
    first ``rft_id`` that is an http(s) URL (others are ``info:doi/…`` ids).
    """
    title = _first(coins, "rft.atitle", "rft.btitle", "rft.title", "rft.jtitle")
    date = _first(coins, "rft.date")
    url = next((value for value in coins.get("rft_id", []) if value.lower().startswith(("http://", "https://"))), None)
    authors = list(coins.get("rft.au", []))
    if not authors and "rft.aulast" in coins:
        first = _first(coins, "rft.aufirst")
        authors = [f"{coins['rft.aulast'][0]}, {first}" if first else coins["rft.aulast"][0]]
    return CoinsFields(title=title, date=date, url=url, authors=authors)


def _first(coins: dict[str, list[str]], *keys: str) -> str | None:
    for key in keys:
        values = coins.get(key)
        if values:
            return values[0]
    return None


# --------------------------------------------------------------------------- parsing and URLs


def _parse(text: str, notices: list[str]) -> BeautifulSoup:
    # lxml rejects NUL bytes and lone surrogates; neither can carry document text.
    cleaned = text.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")
    with warnings.catch_warnings():
        # bs4 warns when markup looks like a file name or URL; for us it is just short text.
        warnings.simplefilter("ignore")
        try:
            return BeautifulSoup(cleaned, "lxml")
        except Exception as error:  # lxml's failures are not one exception family
            notices.append(f"lxml could not parse the HTML ({type(error).__name__}); used the fallback parser")
            return BeautifulSoup(cleaned, "html.parser")


def _base_href(soup: BeautifulSoup) -> str | None:
    base = soup.find("base", href=True)
    if not isinstance(base, Tag):
        return None
    href = _URL_NOISE_RE.sub("", _attr(base, "href"))
    try:
        scheme = urlsplit(href).scheme.lower()
    except ValueError:
        return None
    return href if scheme in ("http", "https") else None


class _LinkResolver:
    """Turns hrefs into absolute http(s) URLs, counting what it had to skip."""

    def __init__(self, base: str | None) -> None:
        self.base = base
        self.skipped: Counter[str] = Counter()

    def resolve(self, href: str) -> str | None:
        """The absolute http(s) URL for ``href``, or None (in-page, other schemes, unresolvable)."""
        href = href.strip()
        if not href or href.startswith("#"):
            return None
        # Browsers ignore tabs and newlines inside URLs ("java\tscript:"), so must we.
        compact = _URL_NOISE_RE.sub("", href)
        try:
            scheme = urlsplit(compact).scheme.lower()
        except ValueError:
            self.skipped["malformed"] += 1
            return None
        if scheme in ("http", "https"):
            return href
        if scheme:
            self.skipped[f"{scheme}:"] += 1
            return None
        if compact.startswith("//"):
            return ("https:" if self.base is None else urlsplit(self.base).scheme + ":") + href
        if self.base is None:
            self.skipped["relative"] += 1
            return None
        try:
            return urljoin(self.base, href)
        except ValueError:
            self.skipped["malformed"] += 1
            return None

    def notices(self) -> list[str]:
        notices: list[str] = []
        unsafe = sorted(key for key in self.skipped if key.rstrip(":") in _UNSAFE_SCHEMES)
        if unsafe:
            count = sum(self.skipped[key] for key in unsafe)
            notices.append(f"skipped {count} link(s) with unsafe schemes ({', '.join(unsafe)})")
        other = sorted(key for key in self.skipped if key.endswith(":") and key not in unsafe)
        if other:
            count = sum(self.skipped[key] for key in other)
            notices.append(f"skipped {count} non-web link(s) ({', '.join(other)})")
        if self.skipped["relative"]:
            notices.append(
                f"skipped {self.skipped['relative']} relative link(s): no <base href> to resolve them against"
            )
        if self.skipped["malformed"]:
            notices.append(f"skipped {self.skipped['malformed']} malformed link(s)")
        return notices


def _attr(tag: Tag, name: str) -> str:
    value = tag.get(name)
    if value is None:
        return ""
    return " ".join(value) if isinstance(value, list) else str(value)


def _classes(tag: Tag) -> set[str]:
    value = tag.get("class")
    if value is None:
        return set()
    return set(value) if isinstance(value, list) else set(str(value).split())


def _is_hidden(tag: Tag) -> bool:
    return tag.has_attr("hidden") or bool(_DISPLAY_NONE_RE.search(_attr(tag, "style")))


def _fragment(href: str) -> str | None:
    return href[1:] if href.startswith("#") and len(href) > 1 else None


def _marker_label(text: str) -> str:
    return " ".join(text.split()).strip(_MARKER_LABEL_STRIP)


# --------------------------------------------------------------------------- text with markers


class _TextBuilder:
    """Accumulates inline text with collapsed whitespace and marker positions."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.pending_space = False
        self.markers: list[Marker] = []

    def _reset(self) -> None:
        self.parts, self.length, self.pending_space, self.markers = [], 0, False, []

    def add_text(self, text: str) -> None:
        words = text.split()
        if not words:
            self.pending_space = self.pending_space or bool(text)
            return
        if text[0].isspace():
            self.pending_space = True
        for index, word in enumerate(words):
            if (index or self.pending_space) and self.length:
                self.parts.append(" ")
                self.length += 1
            self.parts.append(word)
            self.length += len(word)
            self.pending_space = False
        self.pending_space = text[-1].isspace()

    def add_space(self) -> None:
        self.pending_space = True

    def add_marker(self, label: str, ref_id: str | None) -> None:
        # The marker sits right after the preceding text; the space before it goes with it.
        self.markers.append(Marker(label=label, offset=self.length, ref_id=ref_id))

    def text(self) -> str:
        return "".join(self.parts)

    def take(self) -> tuple[str, list[Marker]]:
        text, markers = self.text(), self.markers
        self._reset()
        return text, markers


# What the walker asks about each element.  The policy objects below answer
# differently for MediaWiki and generic pages.
class _Policy:
    def dropped(self, tag: Tag) -> bool:
        return tag.name in _NEVER_TEXT or _is_hidden(tag)

    def marker(self, tag: Tag) -> tuple[str, str | None] | None:
        """``(label, ref_id)`` when ``tag`` is an in-text citation marker."""
        return None

    def link_marker(self, tag: Tag) -> str | None:
        """A reference id for a citing link, marked where the link's text ends."""
        return None

    def cited_only(self, tag: Tag) -> bool:
        """Is ``tag`` a non-prose area whose uncited text is left out?"""
        return tag.name == "table"


def _collect_text(root: Tag, policy: _Policy) -> tuple[str, list[Marker]]:
    """The inline text of ``root`` (blocks become spaces), with its markers."""
    builder = _TextBuilder()
    stack: list[PageElement] = list(reversed(root.contents))
    while stack:
        node = stack.pop()
        if isinstance(node, Tag):
            if policy.dropped(node):
                continue
            found = policy.marker(node)
            if found is not None:
                builder.add_marker(*found)
                continue
            if node.name in _BLOCKS or node.name in _CELLS or node.name == "br":
                builder.add_space()
            stack.extend(reversed(node.contents))
        elif _is_text(node):
            builder.add_text(str(node))
    return builder.take()


def _is_text(node: PageElement) -> bool:
    return isinstance(node, NavigableString) and not isinstance(node, PreformattedString)


@dataclass
class _Body:
    sections: list[Section] = field(default_factory=list)
    skipped_uncited_blocks: int = 0


class _BodyWalker:
    """Splits a content area into sections and paragraphs, in one iterative pass."""

    def __init__(self, policy: _Policy) -> None:
        self.policy = policy
        self.body = _Body()
        self.builder = _TextBuilder()
        self.section = Section(title=None, level=1)
        self.body.sections.append(self.section)
        self.appendix = False
        self.cited_only_depth = 0
        self.table_row_depth = 0
        self.heading_level: int | None = None

    def walk(self, root: Tag) -> _Body:
        # (node, leaving): an element is visited when entered and again when left.
        stack: list[tuple[PageElement, bool]] = [(child, False) for child in reversed(root.contents)]
        while stack:
            node, leaving = stack.pop()
            if not isinstance(node, Tag):
                if _is_text(node):
                    self.builder.add_text(str(node))
                continue
            if leaving:
                self._leave(node)
                continue
            if self.policy.dropped(node):
                continue
            found = self.policy.marker(node)
            if found is not None:
                self.builder.add_marker(*found)
                continue
            self._enter(node)
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(node.contents))
        self._flush()
        self.body.sections = [section for section in self.body.sections if section.paragraphs]
        return self.body

    def _enter(self, tag: Tag) -> None:
        name = tag.name
        if name in _HEADINGS and self.heading_level is None:
            self._flush()
            self.heading_level = _HEADINGS[name]
        elif name in _CELLS or name == "br" or self._inside_row(name):
            self.builder.add_space()
        elif name in _BLOCKS:
            if name == "tr":
                self.table_row_depth += 1
            self._flush()
        if self.policy.cited_only(tag):
            self.cited_only_depth += 1

    def _leave(self, tag: Tag) -> None:
        name = tag.name
        if self.heading_level is None:
            link_ref = self.policy.link_marker(tag)
            if link_ref is not None:
                self.builder.add_marker(link_ref, link_ref)
        if name in _HEADINGS and self.heading_level == _HEADINGS[name]:
            title, _ = self.builder.take()
            self.section = Section(title=title or None, level=self.heading_level)
            self.body.sections.append(self.section)
            self.appendix = bool(title) and bool(_APPENDIX_TITLE_RE.fullmatch(title.rstrip(": ")))
            self.heading_level = None
        elif self._inside_row(name):
            self.builder.add_space()
        elif name in _BLOCKS:
            if name == "tr":
                self.table_row_depth -= 1
            self._flush()
        if self.policy.cited_only(tag):
            self.cited_only_depth -= 1

    def _inside_row(self, name: str) -> bool:
        """A block inside a table row (an infobox's list or div) is part of the row's one paragraph."""
        return self.table_row_depth > 0 and name in _BLOCKS and name not in ("table", "tr")

    def _flush(self) -> None:
        if self.heading_level is not None:
            return  # a block inside a heading: the heading collects all its text
        text, markers = self.builder.take()
        if not text:
            return
        prose = self.cited_only_depth == 0 and not self.appendix
        if prose or markers:
            self.section.paragraphs.append(Paragraph(text=text, markers=markers))
        else:
            self.body.skipped_uncited_blocks += 1


# --------------------------------------------------------------------------- MediaWiki


class _MediaWikiPolicy(_Policy):
    def __init__(self, note_ids: dict[str, str], drop_classes: frozenset[str], drop_ids: frozenset[str]) -> None:
        self.note_ids = note_ids  # cite_note anchor → reference id
        self.drop_classes = drop_classes
        self.drop_ids = drop_ids

    def dropped(self, tag: Tag) -> bool:
        return (
            super().dropped(tag)
            or not self.drop_classes.isdisjoint(_classes(tag))
            or (bool(self.drop_ids) and _attr(tag, "id") in self.drop_ids)
        )

    def marker(self, tag: Tag) -> tuple[str, str | None] | None:
        if tag.name != "sup" or "reference" not in _classes(tag):
            return None
        anchor = tag.find("a", href=True)
        target = _fragment(_attr(anchor, "href")) if isinstance(anchor, Tag) else None
        label = _marker_label(tag.get_text())
        return label, self.note_ids.get(target) if target else None

    def cited_only(self, tag: Tag) -> bool:
        return tag.name == "table" or not _MW_CITED_ONLY_CLASSES.isdisjoint(_classes(tag))


def _read_mediawiki(
    soup: BeautifulSoup, content: Tag, path: str, links: _LinkResolver, use_coins: bool
) -> ParsedDocument:
    lists = content.select("ol.references")
    labels_by_note = _marker_labels_by_target(content)
    prefixes = _list_prefixes(lists, labels_by_note)
    references: list[Reference] = []
    note_ids: dict[str, str] = {}
    citation_policy = _MediaWikiPolicy({}, _MW_CITATION_DROP_CLASSES | {"reference"}, frozenset())
    for reference_list, prefix in zip(lists, prefixes, strict=True):
        items = reference_list.find_all("li", recursive=False)
        for position, item in enumerate(items, start=1):
            reference = _mediawiki_reference(item, f"{prefix}{position}", position, citation_policy, links, use_coins)
            references.append(reference)
            if reference.name:
                note_ids[reference.name] = reference.id
    policy = _MediaWikiPolicy(note_ids, _MW_BODY_DROP_CLASSES, _MW_BODY_DROP_IDS)
    body = _BodyWalker(policy).walk(content)
    _count_uses(references, body.sections)
    notices: list[str] = []
    if body.skipped_uncited_blocks:
        notices.append(
            f"left out {body.skipped_uncited_blocks} uncited block(s) of tables, lists and appendix sections"
        )
    bibliography = sum(len(block.find_all("li")) for block in content.select(".refbegin"))
    if bibliography:
        notices.append(f"bibliography entries (.refbegin) not read as references: {bibliography}")
    return ParsedDocument(
        path=path,
        format="html",
        title=_mediawiki_title(soup),
        date=_mediawiki_date(soup) or _document_date(soup),
        layout="article",
        sections=body.sections,
        references=references,
        notices=notices,
    )


def _marker_labels_by_target(content: Tag) -> dict[str, list[str]]:
    labels: dict[str, list[str]] = {}
    for sup in content.select("sup.reference"):
        anchor = sup.find("a", href=True)
        target = _fragment(_attr(anchor, "href")) if isinstance(anchor, Tag) else None
        if target:
            labels.setdefault(target, []).append(_marker_label(sup.get_text()))
    return labels


def _list_prefixes(lists: list[Tag], labels_by_note: dict[str, list[str]]) -> list[str]:
    """One id prefix per reference list; see the module docstring for the scheme."""
    candidates: list[str | None] = []
    for reference_list in lists:
        groups: set[str | None] = set()
        for item in reference_list.find_all("li", recursive=False):
            for label in labels_by_note.get(_attr(item, "id"), []):
                match = _GROUP_LABEL_RE.fullmatch(label)
                groups.add("".join(match.group("group").split()) if match else None)
        candidates.append(groups.pop() if len(groups) == 1 else None)
    prefixes: list[str | None] = [None] * len(lists)
    used: set[str] = set()
    for index, candidate in enumerate(candidates):
        if candidate is not None and candidate not in used:
            prefixes[index] = candidate
            used.add(candidate)
    for index, prefix in enumerate(prefixes):
        if prefix is None:
            prefixes[index] = "" if "" not in used else f"{index + 1}-"
            used.add(prefixes[index] or "")
    return [prefix or "" for prefix in prefixes]


def _mediawiki_reference(
    item: Tag, ref_id: str, position: int, policy: _Policy, links: _LinkResolver, use_coins: bool
) -> Reference:
    backlink_span = item.find(class_="mw-cite-backlink")
    backlinks: int | None = None
    if isinstance(backlink_span, Tag):
        backlinks = len([a for a in backlink_span.find_all("a", href=True) if _attr(a, "href").startswith("#cite_ref")])
    citation = item.find("span", class_="reference-text")
    citation = citation if isinstance(citation, Tag) else item
    raw, _ = _collect_text(citation, policy)
    external = [a for a in citation.find_all("a", href=True) if "external" in _classes(a)]
    url = next((u for u in (links.resolve(_attr(a, "href")) for a in external) if u), None)
    reference = reference_from_text(id=ref_id, raw=raw, number=position, kind="numbered", url=url)
    reference.name = _attr(item, "id") or None
    reference.backlinks = backlinks
    original = next((a for a in external if " ".join(a.get_text().split()).lower() == "the original"), None)
    if original is not None:
        # The title link points at the archive; "Archived from the original" links the cited
        # page exactly as the editor gave it (the archive may have captured a variant of it).
        reference.url = links.resolve(_attr(original, "href")) or reference.url
    if use_coins:
        coins_span = citation.find("span", class_="Z3988")
        if isinstance(coins_span, Tag) and coins_span.get("title"):
            _fill_from_coins(reference, coins_fields(read_coins(_attr(coins_span, "title"))))
    return reference


def _fill_from_coins(reference: Reference, coins: CoinsFields) -> None:
    """Fill what the citation text did not yield from its COinS; flag the reference "coins"."""
    filled = False
    if reference.title is None and coins.title:
        reference.title, filled = coins.title, True
    if reference.date is None and coins.date:
        date = _parse_date_value(coins.date)
        if date is not None:
            reference.date, filled = date, True
    if reference.url is None and coins.url:
        reference.url, filled = coins.url, True
    if not reference.authors and coins.authors:
        reference.authors, filled = list(coins.authors), True
    if filled and "coins" not in reference.source_flags:
        reference.source_flags.append(SourceFlag.coins)


def _count_uses(references: list[Reference], sections: Iterable[Section]) -> None:
    uses = Counter(
        marker.ref_id
        for section in sections
        for paragraph in section.paragraphs
        for marker in paragraph.markers
        if marker.ref_id is not None
    )
    for reference in references:
        reference.uses = uses[reference.id]


def _mediawiki_title(soup: BeautifulSoup) -> str | None:
    heading = soup.select_one("#firstHeading")
    if heading is not None:
        title = " ".join(heading.get_text().split())
        if title:
            return title
    return _document_title(soup)


def _mediawiki_date(soup: BeautifulSoup) -> PartialDate | None:
    # "This page was last edited on 30 September 2019, at 10:00": the revision's own date.
    footer = soup.select_one("#footer-info-lastmod")
    if footer is None:
        return None
    dates = find_dates(footer.get_text(" "))
    return dates[0][0] if dates else None


# --------------------------------------------------------------------------- generic pages


class _GenericPolicy(_Policy):
    def __init__(
        self,
        skipped_lists: set[int],
        note_ids: dict[str, str],
        link_reference: Callable[[Tag], str | None] | None,
    ) -> None:
        self.skipped_lists = skipped_lists  # id() of footnote lists read as references
        self.note_ids = note_ids  # element id inside a footnote → reference id
        self.link_reference = link_reference

    def dropped(self, tag: Tag) -> bool:
        return (
            super().dropped(tag)
            or tag.name in _GENERIC_DROP_NAMES
            or _attr(tag, "role") in _GENERIC_DROP_ROLES
            or id(tag) in self.skipped_lists
        )

    def marker(self, tag: Tag) -> tuple[str, str | None] | None:
        if tag.name == "sup":
            # <sup>[<a href="#fn1">1</a>]</sup>: the whole sup is the marker, brackets included.
            anchors = tag.find_all("a", href=True)
            if len(anchors) != 1 or _marker_label(tag.get_text()) != _marker_label(anchors[0].get_text()):
                return None
            return self._anchor_marker(anchors[0])
        if tag.name == "a":
            return self._anchor_marker(tag)
        return None

    def _anchor_marker(self, anchor: Tag) -> tuple[str, str | None] | None:
        href = _attr(anchor, "href").strip()
        target = _fragment(href)
        if target is None:
            return None
        ref_id = self.note_ids.get(target)
        is_marker = (
            ref_id is not None or _attr(anchor, "role") == "doc-noteref" or bool(_FOOTNOTE_HREF_RE.fullmatch(href))
        )
        if not is_marker:
            return None
        return _marker_label(anchor.get_text()) or (ref_id or target), ref_id

    def link_marker(self, tag: Tag) -> str | None:
        if self.link_reference is None or tag.name != "a" or not tag.has_attr("href"):
            return None
        return self.link_reference(tag)


def _read_generic(soup: BeautifulSoup, path: str, links: _LinkResolver) -> ParsedDocument:
    root = _generic_root(soup)
    lists = _footnote_lists(soup)
    references: list[Reference] = []
    note_ids: dict[str, str] = {}
    citation_policy = _GenericPolicy(set(), {}, None)
    for list_index, footnote_list in enumerate(lists):
        prefix = "" if list_index == 0 else f"{list_index + 1}-"
        for position, item in enumerate(footnote_list.find_all("li", recursive=False), start=1):
            reference = _footnote_reference(item, f"{prefix}{position}", position, citation_policy, links)
            references.append(reference)
            for element_id in [_attr(item, "id"), *(_attr(tag, "id") for tag in item.find_all(id=True))]:
                if element_id:
                    note_ids.setdefault(element_id, reference.id)

    link_references: dict[str, Reference] = {}

    def link_reference(anchor: Tag) -> str | None:
        url = links.resolve(_attr(anchor, "href"))
        if url is None:
            return None
        existing = link_references.get(url)
        if existing is not None:
            return existing.id
        text = " ".join(anchor.get_text().split())
        reference = reference_from_text(id=f"L{len(link_references) + 1}", raw=text, kind="link", url=url)
        reference.title = text or None
        link_references[url] = reference
        return reference.id

    policy = _GenericPolicy({id(item) for item in lists}, note_ids, None if lists else link_reference)
    body = _BodyWalker(policy).walk(root)
    references.extend(link_references.values())
    _count_uses(references, body.sections)
    notices = [f"read {len(lists)} footnote list(s)"] if lists else []
    return ParsedDocument(
        path=path,
        format="html",
        title=_document_title(soup),
        date=_document_date(soup),
        layout="article",
        sections=body.sections,
        references=references,
        notices=notices,
    )


def _generic_root(soup: BeautifulSoup) -> Tag:
    for selector in ("main", "[role=main]"):
        found = soup.select_one(selector)
        if found is not None:
            return found
    articles = soup.find_all("article")
    if len(articles) == 1 and isinstance(articles[0], Tag):
        return articles[0]
    body = soup.find("body")
    return body if isinstance(body, Tag) else soup


def _footnote_lists(soup: BeautifulSoup) -> list[Tag]:
    """Reference lists in document order: by footnote markup, or following a "References"-like heading."""
    found: dict[int, Tag] = {}
    for container in soup.select(
        "section.footnotes, div.footnotes, aside.footnotes, ol.footnotes, [role=doc-endnotes]"
    ):
        target = container if container.name in ("ol", "ul") else container.find(["ol", "ul"])
        if isinstance(target, Tag):
            found.setdefault(id(target), target)
    for heading in soup.find_all(list(_HEADINGS)):
        title = " ".join(heading.get_text().split()).rstrip(": ")
        if not _REFERENCE_LIST_TITLE_RE.fullmatch(title):
            continue
        target = _list_after(heading)
        if target is not None:
            found.setdefault(id(target), target)
    # Nested lists inside one already found are that list's content, not separate lists.
    lists = [tag for tag in found.values() if not any(id(parent) in found for parent in tag.parents)]
    order = {id(tag): index for index, tag in enumerate(soup.find_all(["ol", "ul"]))}
    return sorted(lists, key=lambda tag: order.get(id(tag), 0))


def _list_after(heading: Tag, limit: int = 2000) -> Tag | None:
    """The first ``ol``/``ul`` after ``heading`` and before the next heading."""
    for count, element in enumerate(heading.next_elements):
        if count > limit:
            return None
        if isinstance(element, Tag):
            if element.name in _HEADINGS and element is not heading and heading not in element.parents:
                return None
            if element.name in ("ol", "ul") and heading not in element.parents:
                return element
    return None


def _footnote_reference(item: Tag, ref_id: str, position: int, policy: _Policy, links: _LinkResolver) -> Reference:
    backlink_anchors = [a for a in item.find_all("a", href=True) if _is_backlink(a)]
    for anchor in backlink_anchors:
        anchor.extract()  # out of the raw text; they are navigation
    raw, _ = _collect_text(item, policy)
    url = next((u for u in (links.resolve(_attr(a, "href")) for a in item.find_all("a", href=True)) if u), None)
    reference = reference_from_text(id=ref_id, raw=raw, number=position, kind="footnote", url=url)
    reference.name = _attr(item, "id") or None
    reference.backlinks = len(backlink_anchors) or None
    return reference


def _is_backlink(anchor: Tag) -> bool:
    classes = _classes(anchor)
    href = _attr(anchor, "href")
    return (
        bool(classes & {"footnote-backref", "reversefootnote", "footnote-back"})
        or _attr(anchor, "role") == "doc-backlink"
        or bool(_BACKLINK_HREF_RE.fullmatch(href))
        or (href.startswith("#") and anchor.get_text().strip() in _BACKLINK_TEXTS)
    )


# --------------------------------------------------------------------------- title and date


def _document_title(soup: BeautifulSoup) -> str | None:
    og_title = soup.find("meta", attrs={"property": "og:title"})
    candidates = [
        _attr(og_title, "content") if isinstance(og_title, Tag) else "",
        soup.h1.get_text() if soup.h1 is not None else "",
        soup.title.get_text() if soup.title is not None else "",
    ]
    for candidate in candidates:
        title = " ".join(candidate.split())
        if title:
            return title
    return None


_DATE_META = (
    {"property": "article:published_time"},
    {"name": "date"},
    {"name": "DC.date.issued"},
    {"name": "dc.date"},
    {"name": "citation_publication_date"},
    {"itemprop": "datePublished"},
)


def _document_date(soup: BeautifulSoup) -> PartialDate | None:
    for attrs in _DATE_META:
        meta = soup.find("meta", attrs=attrs)
        if isinstance(meta, Tag):
            date = _parse_date_value(_attr(meta, "content") or _attr(meta, "datetime"))
            if date is not None:
                return date
    for time_tag in soup.find_all("time", datetime=True):
        date = _parse_date_value(_attr(time_tag, "datetime"))
        if date is not None:
            return date
    return None


def _parse_date_value(value: str) -> PartialDate | None:
    """ISO timestamps with zones (``2019-09-30T10:00:00+13:00``) by their date part; else any CS1 date."""
    value = value.strip()
    iso = _ISO_DATE_PREFIX_RE.match(value)
    if iso:
        return parse_date(iso.group(0))
    return parse_date(value)
