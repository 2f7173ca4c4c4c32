"""HTML as an lxml tree: parsing that never raises, element helpers, text with markers, the body walker.

Shared by the MediaWiki (legacy and Parsoid) and generic readers.  lxml is
used directly (libxml2's HTML parser repairs what browsers repair and builds a
tree an order of magnitude faster than BeautifulSoup); every walk is
iterative, so deeply nested input cannot exhaust the stack.

A walk asks a :class:`Policy` about each element: whether it is dropped (never
text: scripts, chrome, hidden), whether it is an in-text citation marker,
whether it is a non-prose area whose uncited text is left out (tables,
infoboxes, reference lists).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import Enum
from html.parser import HTMLParser
from urllib.parse import unquote, urljoin, urlsplit

from lxml import etree

from citecheck.dates import PartialDate, find_dates, parse_date
from citecheck.models import Marker, Paragraph, Section
from citecheck.references.construct import build

Element = etree._Element

# Elements whose content is never document text.
NEVER_TEXT = frozenset(
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
BLOCKS = frozenset(
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
CELLS = frozenset({"td", "th"})
HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
# What each tag does to the paragraph structure, looked up once per element by the walks: nothing (inline, the
# default), a heading, a space (cells and line breaks), a block, a table, a table row.
_INLINE, _HEADING, _SPACE, _BLOCK, _TABLE, _ROW = range(6)
_LAYOUT: dict[str, int] = {
    **dict.fromkeys(BLOCKS, _BLOCK),
    "table": _TABLE,
    "tr": _ROW,
    **dict.fromkeys(CELLS, _SPACE),
    "br": _SPACE,
    **dict.fromkeys(HEADINGS, _HEADING),
}

# Section titles whose content is apparatus, not prose (MOS:APPENDIX and the usual blog/paper headings).
APPENDIX_TITLE_RE = re.compile(
    r"(?:see also|references?|notes?|footnotes?|endnotes?|citations?|sources?|bibliography|works cited"
    r"|further reading|external links|notes and references|references and notes|literature cited"
    r"|additional reading|related links)",
    re.I,
)

_UNSAFE_SCHEMES = frozenset({"javascript", "vbscript", "data", "file"})
_URL_NOISE_RE = re.compile(r"[\x00-\x20\x7f]")
_ISO_DATE_PREFIX_RE = re.compile(r"\d{4}-\d\d(?:-\d\d)?")
_DISPLAY_NONE_RE = re.compile(r"display\s*:\s*none", re.I)
# lxml accepts neither NUL nor most C0 controls nor lone surrogates; none of them carries text.
_XML_INCOMPATIBLE_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_MARKER_LABEL_STRIP = "[]() \u00a0"


# --------------------------------------------------------------------------- parsing


def parse_html(text: str, notices: list[str]) -> Element:
    """The document's root element; an empty ``<html>`` for input no parser can make a tree of.

    libxml2 gives up on documents nested deeper than its limit (2048 elements)
    and drops the rest; such documents are built again with the standard
    library's tokenizer, nesting capped, so that no text is lost.
    """
    cleaned, data = _xml_compatible(text)
    parser = etree.HTMLParser(
        recover=True, remove_comments=True, remove_pis=True, no_network=True, huge_tree=True, encoding="utf-8"
    )
    root: Element | None
    try:
        root = etree.fromstring(data, parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as error:
        notices.append(f"the HTML could not be parsed ({type(error).__name__}); nothing read")
        root = None
    if any("Excessive depth" in entry.message for entry in parser.error_log):
        notices.append(f"elements nested deeper than libxml2 allows: nesting capped at {_MAX_DEPTH} levels")
        root = _CappedTreeBuilder.build(cleaned)
    if root is None:
        root = etree.Element("html")
    return root


# The C0 controls lxml refuses, as UTF-8 bytes (tab, newline and carriage return are text).
_XML_INCOMPATIBLE_CONTROLS = bytes(code for code in range(0x20) if code not in (0x09, 0x0A, 0x0D))


def _xml_compatible(text: str) -> tuple[str, bytes]:
    """``text`` without the characters lxml refuses, and its UTF-8 bytes.

    Almost every page holds none of them: its strict UTF-8 encoding (no lone surrogate), with no control
    byte and no U+FFFE/U+FFFF, is told in C (a byte deletion and a substring search) instead of a
    character-class scan.
    """
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        data = b""
    else:
        if len(data.translate(None, _XML_INCOMPATIBLE_CONTROLS)) == len(data) and (
            b"\xef\xbf" not in data or (b"\xef\xbf\xbe" not in data and b"\xef\xbf\xbf" not in data)
        ):
            return text, data
    cleaned = _XML_INCOMPATIBLE_RE.sub("", text)
    return cleaned, cleaned.encode("utf-8", "replace")


_MAX_DEPTH = 512
_VOID_ELEMENTS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
)


class _CappedTreeBuilder(HTMLParser):
    """An lxml tree from the standard library's HTML tokenizer, nesting capped at ``_MAX_DEPTH``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root: Element = etree.Element("html")
        self.stack: list[Element] = [self.root]

    @classmethod
    def build(cls, text: str) -> Element:
        builder = cls()
        try:
            builder.feed(text)
            builder.close()
        except (AssertionError, ValueError):  # the tokenizer's own complaints about broken markup
            pass
        return builder.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("html",):
            return
        parent = self.stack[-1]
        try:
            element = etree.SubElement(parent, tag)
        except ValueError:  # not a valid element name
            return
        for key, value in attrs:
            try:
                element.set(key, value or "")
            except ValueError:
                continue
        if tag not in _VOID_ELEMENTS and len(self.stack) < _MAX_DEPTH:
            self.stack.append(element)

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, 0, -1):
            if self.stack[index].tag == tag:
                del self.stack[index:]
                return

    def handle_data(self, data: str) -> None:
        parent = self.stack[-1]
        if len(parent):
            last = parent[-1]
            last.tail = (last.tail or "") + data
        else:
            parent.text = (parent.text or "") + data


def attr(element: Element, name: str) -> str:
    value = element.get(name)
    return value if value is not None else ""


def classes(element: Element) -> frozenset[str]:
    value = element.get("class")
    return frozenset(value.split()) if value else frozenset()


def has_class(element: Element, name: str) -> bool:
    value = element.get("class")
    return value is not None and name in value.split()


def first_with_class(root: Element, tag: str, name: str) -> Element | None:
    """The first ``tag`` element of ``root`` (itself included) with the class ``name``."""
    for element in root.iter(tag):
        value = element.get("class")
        if value is not None and name in value and name in value.split():  # the substring test first: cheaper
            return element
    return None


def is_element(node: object) -> bool:
    return isinstance(node, etree._Element) and isinstance(node.tag, str)


def is_hidden(element: Element) -> bool:
    if element.get("hidden") is not None:
        return True
    style = element.get("style")
    return style is not None and hiding_style(style)


def hiding_style(style: str) -> bool:
    """Does a ``style`` attribute hide its element (``display: none``)?"""
    return _DISPLAY_NONE_RE.search(style) is not None


def iter_elements(root: Element, tag: str | None = None) -> Iterator[Element]:
    """Descendant elements (not comments or entities), optionally of one tag."""
    if tag:
        yield from root.iter(tag)  # only elements carry a tag name: no comment or entity among them
        return
    for element in root.iter():
        if isinstance(element.tag, str):
            yield element


def text_content(element: Element) -> str:
    """All the text under ``element`` with whitespace collapsed (scripts included: use on small parts)."""
    # lxml's text serialisation is "".join(element.itertext()) done in C (the tree holds no comments or
    # processing instructions: parse_html drops them), several times faster on the small parts it is used on.
    return " ".join(etree.tostring(element, method="text", encoding="unicode", with_tail=False).split())


def fragment(href: str) -> str | None:
    """The fragment of an in-page or same-page href (``#fn1``, ``./Page#cite_note-1``, ``/wiki/Page#x``).

    An absolute URL's fragment counts only for MediaWiki note and backlink anchors (a saved page).
    """
    index = href.find("#")
    if index < 0 or index == len(href) - 1:
        return None
    target = href[index + 1 :]
    if "%" in target:
        target = unquote(target)  # browsers match fragments percent-decoded: #cite_note-Mead_183%E2%80%93186
    if "://" in href[:index] and not target.startswith(("cite_note", "cite_ref", "CITEREF")):
        return None
    return target


def marker_label(text: str) -> str:
    return " ".join(text.split()).strip(_MARKER_LABEL_STRIP)


# --------------------------------------------------------------------------- links


def _no_brackets(href: str) -> bool:
    return "[" not in href and "]" not in href


class LinkResolver:
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
        compact = _URL_NOISE_RE.sub("", href) if _URL_NOISE_RE.search(href) else href
        if compact is href and href.startswith(("http://", "https://")) and href.isascii() and _no_brackets(href):
            return href  # what urlsplit would say (no brackets: no IPv6 host for it to reject)
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
            base_scheme = urlsplit(self.base).scheme if self.base else ""
            return (base_scheme or "https") + ":" + href
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


def base_href(root: Element) -> str | None:
    for base in iter_elements(root, "base"):
        href = _URL_NOISE_RE.sub("", attr(base, "href"))
        if not href:
            continue
        if href.startswith("//"):
            return "https:" + href
        try:
            scheme = urlsplit(href).scheme.lower()
        except ValueError:
            return None
        return href if scheme in ("http", "https") else None
    return None


# --------------------------------------------------------------------------- text with markers


class TextBuilder:
    """Accumulates inline text with collapsed whitespace and marker positions."""

    __slots__ = ("length", "markers", "parts", "pending_space")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.pending_space = False
        self.markers: list[Marker] = []

    def add_text(self, text: str) -> None:
        # Called for every text and tail of a walk, most of them whitespace or a single word.
        words = text.split()
        if not words:
            if text:
                self.pending_space = True
            return
        joined = " ".join(words) if len(words) > 1 else words[0]
        if self.length and (self.pending_space or text[0].isspace()):
            self.parts.append(" ")
            self.length += 1
        self.parts.append(joined)
        self.length += len(joined)
        self.pending_space = text[-1].isspace()

    def add_space(self) -> None:
        self.pending_space = True

    def add_marker(self, label: str, ref_id: str | None) -> None:
        # The marker sits right after the preceding text; the space before it goes with it.
        self.markers.append(build(Marker, label=label, offset=self.length, ref_id=ref_id))

    def take(self) -> tuple[str, list[Marker]]:
        text, markers = "".join(self.parts), self.markers
        self.parts, self.length, self.pending_space, self.markers = [], 0, False, []
        return text, markers


class Visit(Enum):
    """What a walk does with an element (:meth:`Policy.classify`)."""

    dropped = 0  # never text
    kept = 1
    cited_only = 2  # a non-prose area whose uncited text is left out


# The members as module constants: an Enum class attribute costs a lookup far slower than a global's, and the
# walks ask for every element.
DROPPED, KEPT, CITED_ONLY = Visit.dropped, Visit.kept, Visit.cited_only


class Policy:
    """What a walk asks about each element; subclasses answer for MediaWiki and generic pages.

    ``marker_tags``: the tags of the elements :meth:`marker` can answer for (None: any element); the walks ask
    it about no other element.  :meth:`text_markers` and :meth:`link_marker` are asked only when a subclass
    overrides them.
    """

    marker_tags: frozenset[str] | None = frozenset()

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        if "marker" in cls.__dict__ and "marker_tags" not in cls.__dict__:
            cls.marker_tags = None  # a marker method that does not say which tags it answers for: ask it always

    def dropped(self, element: Element) -> bool:
        return element.tag in NEVER_TEXT or is_hidden(element)

    def classify(self, element: Element) -> Visit:
        """:meth:`dropped`, else :meth:`cited_only`, in one question (a policy may answer both from one look)."""
        if self.dropped(element):
            return DROPPED
        return CITED_ONLY if self.cited_only(element) else KEPT

    def marker(self, element: Element) -> tuple[str, str | None] | None:
        """``(label, ref_id)`` when ``element`` is an in-text citation marker."""
        return None

    def link_marker(self, element: Element) -> str | None:
        """A reference id for a citing link, marked where the link's text ends."""
        return None

    def text_markers(self, text: str, builder: TextBuilder) -> bool:
        """Add ``text`` to ``builder`` with any markers written as plain text (``[3]``); False: not handled."""
        return False

    def cited_only(self, element: Element) -> bool:
        """Is ``element`` a non-prose area whose uncited text is left out?"""
        return element.tag == "table"

    def marker_free(self, element: Element) -> bool:
        """Can no descendant of ``element`` be a marker (:meth:`marker` None for each, whatever else holds)?

        False when unsure; a walk may then skip an uncited block's text without reading it.
        """
        if not _overrides(self, "marker"):
            return True
        marker_tags = self.marker_tags
        return marker_tags is not None and next(element.iterdescendants(*marker_tags), None) is None


def _overrides(policy: Policy, name: str) -> bool:
    """Does ``policy`` answer ``name`` itself (or is it :class:`Policy`'s answer, the same for every element)?"""
    return getattr(type(policy), name) is not getattr(Policy, name)


def _text_adder(policy: Policy, builder: TextBuilder) -> Callable[[str], object]:
    """What a walk calls with each piece of text: the builder's ``add_text`` itself, or, for a policy with
    text markers of its own, ``add_text`` for the text those markers did not take."""
    add_text = builder.add_text
    if not _overrides(policy, "text_markers"):
        return add_text
    text_markers = policy.text_markers

    def add_unmarked(text: str) -> object:
        return text_markers(text, builder) or add_text(text)

    return add_unmarked


def collect_text(root: Element, policy: Policy, reached: list[Element] | None = None) -> tuple[str, list[Marker]]:
    """The inline text of ``root`` (blocks become spaces), with its markers.

    ``reached``, when given, receives in document order the links (``a``) the walk enters and the markers it
    finds (their insides are not walked): the links of ``root`` that ``policy`` keeps, without asking it again.
    """
    builder = TextBuilder()
    add_text = _text_adder(policy, builder)
    dropped = policy.dropped
    marker = policy.marker
    marker_tags = policy.marker_tags
    text = root.text
    if text:
        add_text(text)
    # Elements to enter; an element's tail waits on the stack as a string once the element is entered.
    stack: list[Element | str] = list(reversed(root))
    pop = stack.pop
    append = stack.append
    extend = stack.extend
    while stack:
        node = pop()
        if node.__class__ is str:
            add_text(node)
            continue
        tag = node.tag  # type: ignore[union-attr]
        if tag.__class__ is not str or dropped(node):  # type: ignore[arg-type]
            text = node.tail  # type: ignore[union-attr]
            if text:
                add_text(text)
            continue
        if marker_tags is None or tag in marker_tags:
            found = marker(node)  # type: ignore[arg-type]
            if found is not None:
                builder.add_marker(*found)
                if reached is not None:
                    reached.append(node)  # type: ignore[arg-type]
                text = node.tail  # type: ignore[union-attr]
                if text:
                    add_text(text)
                continue
        if tag in BLOCKS or tag in CELLS or tag == "br":
            builder.add_space()
        elif tag == "a" and reached is not None:
            reached.append(node)  # type: ignore[arg-type]
        text = node.text  # type: ignore[union-attr]
        if text:
            add_text(text)
        text = node.tail  # type: ignore[union-attr]
        if not len(node):
            if text:
                add_text(text)  # no children: the tail comes next
        else:
            if text:
                append(text)
            extend(reversed(node))
    return builder.take()


@dataclass
class Body:
    sections: list[Section] = field(default_factory=list)
    skipped_uncited_blocks: int = 0


class BodyWalker:
    """Splits a content area into sections and paragraphs, in one iterative pass."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.body = Body()
        self.builder = TextBuilder()
        self.section = Section(title=None, level=1)
        self.body.sections.append(self.section)
        self.appendix = False
        self.cited_only_depth = 0
        self.table_row_depth = 0
        self.heading_level: int | None = None

    def walk(self, root: Element) -> Body:
        # Each element is entered when popped from the stack; a tuple (element, cited-only) pushed under its
        # children leaves it (the policy is asked once per element).  The loop inlines what entering and
        # leaving do to the paragraph structure (see _LAYOUT); the rest is in _enter_structure and _leave.
        policy = self.policy
        builder = self.builder
        add_text = _text_adder(policy, builder)
        link_marker = policy.link_marker if _overrides(policy, "link_marker") else None
        classify = policy.classify
        marker = policy.marker
        marker_tags = policy.marker_tags
        marker_free = policy.marker_free
        layout_of = _LAYOUT.get
        # Skipping an uncited block unread needs text that cannot hold markers and no marks on leaving elements.
        skip_uncited = link_marker is None and add_text == builder.add_text

        text = root.text
        if text:
            add_text(text)
        stack: list[Element | tuple[Element, bool]] = list(reversed(root))
        pop = stack.pop
        append = stack.append
        extend = stack.extend
        while stack:
            node = pop()
            if node.__class__ is tuple:
                element, cited_only = node
                if link_marker is not None and self.heading_level is None:
                    link_ref = link_marker(element)
                    if link_ref is not None:
                        builder.add_marker(link_ref, link_ref)
                layout = layout_of(element.tag, _INLINE)  # type: ignore[arg-type]
                if layout != _INLINE:
                    self._leave(element, layout)
                if cited_only:
                    self.cited_only_depth -= 1
                text = element.tail
            else:
                tag = node.tag  # type: ignore[union-attr]
                visit = classify(node) if tag.__class__ is str else DROPPED  # type: ignore[arg-type]
                if visit is DROPPED:
                    text = node.tail  # type: ignore[union-attr]
                else:
                    found = marker(node) if marker_tags is None or tag in marker_tags else None  # type: ignore[arg-type]
                    if found is not None:
                        builder.add_marker(*found)
                        text = node.tail  # type: ignore[union-attr]
                    else:
                        layout = layout_of(tag, _INLINE)  # type: ignore[arg-type]
                        if layout == _INLINE and visit is KEPT and link_marker is None and not len(node):
                            # An inline element without children (most links and italics): its text, then
                            # its tail, with nothing to do on leaving it.
                            text = node.text  # type: ignore[union-attr]
                            if text:
                                add_text(text)
                            text = node.tail  # type: ignore[union-attr]
                            if text:
                                add_text(text)
                            continue
                        if (
                            layout == _BLOCK
                            and skip_uncited
                            and (visit is CITED_ONLY or self.cited_only_depth or self.appendix)
                            and self.heading_level is None
                            and self.table_row_depth == 0
                            and next(node.iterdescendants(*_LAYOUT), None) is None  # type: ignore[union-attr]
                            and marker_free(node)  # type: ignore[arg-type]
                        ):
                            # A block of a non-prose area with no marker and no inner structure (most reference
                            # list items, navbox entries): one paragraph that can only be skipped, so only
                            # whether it holds any text is asked, not what the text is.
                            self._enter(tag, layout)  # type: ignore[arg-type]
                            if _has_kept_text(node, classify):  # type: ignore[arg-type]
                                self.body.skipped_uncited_blocks += 1
                            text = node.tail  # type: ignore[union-attr]
                            if text:
                                add_text(text)
                            continue
                        if layout != _INLINE:
                            self._enter(tag, layout)  # type: ignore[arg-type]
                        cited_only = visit is CITED_ONLY
                        if cited_only:
                            self.cited_only_depth += 1
                        text = node.text  # type: ignore[union-attr]
                        if text:
                            add_text(text)
                        append((node, cited_only))  # type: ignore[arg-type]
                        extend(reversed(node))  # type: ignore[arg-type]
                        continue
            if text:
                add_text(text)
        self._flush()
        self.body.sections = [section for section in self.body.sections if section.paragraphs]
        return self.body

    def _enter(self, name: str, layout: int) -> None:
        if layout == _HEADING:
            if self.heading_level is None:
                self._flush()
                self.heading_level = HEADINGS[name]
        elif layout == _SPACE or (layout == _BLOCK and self.table_row_depth > 0):
            self.builder.add_space()  # a block inside a table row (an infobox's list or div) is part of the row
        elif layout != _INLINE:
            if layout == _ROW:
                self.table_row_depth += 1
            self._flush()

    def _leave(self, element: Element, layout: int) -> None:
        if layout == _HEADING:
            if self.heading_level == HEADINGS[str(element.tag)]:
                title, _ = self.builder.take()
                self.section = Section(title=title or None, level=self.heading_level)
                self.body.sections.append(self.section)
                self.appendix = bool(title) and bool(APPENDIX_TITLE_RE.fullmatch(title.rstrip(": ")))
                self.heading_level = None
        elif layout == _BLOCK and self.table_row_depth > 0:
            self.builder.add_space()
        elif layout != _SPACE:
            if layout == _ROW:
                self.table_row_depth -= 1
            self._flush()

    def _flush(self) -> None:
        if self.heading_level is not None:
            return  # a block inside a heading: the heading collects all its text
        text, markers = self.builder.take()
        if not text:
            if markers and self.section.paragraphs:
                # A marker standing alone (after a table or template, in an empty footnote) cites the paragraph
                # before it, as the wikitext reader reads a lone <ref>: its use is not lost.
                previous = self.section.paragraphs[-1]
                end = len(previous.text)
                previous.markers.extend(marker.model_copy(update={"offset": end}) for marker in markers)
            return
        prose = self.cited_only_depth == 0 and not self.appendix
        if prose or markers:
            self.section.paragraphs.append(build(Paragraph, text=text, markers=markers))
        else:
            self.body.skipped_uncited_blocks += 1


def _has_kept_text(root: Element, classify: Callable[[Element], Visit]) -> bool:
    """Would a walk of ``root``'s descendants (none of them a marker) add any text that is not whitespace?"""
    text = root.text
    if text and not text.isspace():
        return True
    stack = list(root)
    pop = stack.pop
    while stack:
        node = pop()
        text = node.tail  # a dropped element's tail is text all the same
        if text and not text.isspace():
            return True
        if node.tag.__class__ is not str or classify(node) is DROPPED:
            continue
        text = node.text
        if text and not text.isspace():
            return True
        stack.extend(node)
    return False


def count_uses(sections: list[Section]) -> Counter[str]:
    """Markers per reference id across the body."""
    return Counter(
        marker.ref_id
        for section in sections
        for paragraph in section.paragraphs
        for marker in paragraph.markers
        if marker.ref_id is not None
    )


# --------------------------------------------------------------------------- title and date


def first_element(root: Element, tag: str, **attributes: str) -> Element | None:
    for element in iter_elements(root, tag):
        if all(element.get(key) == value for key, value in attributes.items()):
            return element
    return None


def element_by_id(root: Element, element_id: str) -> Element | None:
    for element in root.iter():
        if element.get("id") == element_id:
            return element if isinstance(element.tag, str) else None
    return None


def document_title(root: Element) -> str | None:
    og_title = first_element(root, "meta", property="og:title")
    h1 = next(iter_elements(root, "h1"), None)
    title = next(iter_elements(root, "title"), None)
    candidates = [
        attr(og_title, "content") if og_title is not None else "",
        text_content(h1) if h1 is not None else "",
        text_content(title) if title is not None else "",
    ]
    for candidate in candidates:
        text = " ".join(candidate.split())
        if text:
            return text
    return None


_DATE_META = (
    ("property", "article:published_time"),
    ("name", "date"),
    ("name", "DC.date.issued"),
    ("name", "dc.date"),
    ("name", "citation_publication_date"),
    ("itemprop", "datePublished"),
)


def document_date(root: Element) -> PartialDate | None:
    metas = list(iter_elements(root, "meta"))
    for key, value in _DATE_META:
        for meta in metas:
            if meta.get(key) == value:
                date = parse_date_value(attr(meta, "content") or attr(meta, "datetime"))
                if date is not None:
                    return date
    for time_element in iter_elements(root, "time"):
        if time_element.get("datetime"):
            date = parse_date_value(attr(time_element, "datetime"))
            if date is not None:
                return date
    return None


def date_in_text(text: str) -> PartialDate | None:
    dates = find_dates(text)
    return dates[0][0] if dates else None


def parse_date_value(value: str) -> PartialDate | None:
    """ISO timestamps with zones (``2019-09-30T10:00:00+13:00``) by their date part; else any CS1 date."""
    value = value.strip()
    iso = _ISO_DATE_PREFIX_RE.match(value)
    if iso:
        return parse_date(iso.group(0))
    return parse_date(value)
