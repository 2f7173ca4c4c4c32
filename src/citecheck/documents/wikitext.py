"""Reading MediaWiki wikitext: the body with its ``<ref>`` markers, and the references.

One walk over the mwparserfromhell tree does both jobs, so every ``<ref>`` tag
is seen exactly once and in document order:

* body text (sections by ``== heading ==``, paragraphs by blank lines and
  list items) is reduced to plain text: link texts stay; templates, tables,
  files/images and categories are dropped and counted in the notices;
* each ``<ref>`` becomes a reference definition or a reuse of a named one;
  where it stands in body text it leaves a marker at its position.

References are numbered by first use, per group, as MediaWiki numbers them.
Citation templates (``{{cite web}}``, ``{{citation}}`` …) are read field by
field; free-text footnotes go through :func:`citecheck.references.reference_from_text`.
"""

from __future__ import annotations

import bisect
import gc
import html
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

import mwparserfromhell
from mwparserfromhell.nodes import (
    Comment,
    ExternalLink,
    Heading,
    HTMLEntity,
    Tag,
    Template,
    Text,
    Wikilink,
)
from mwparserfromhell.wikicode import Wikicode

from citecheck.dates import PartialDate, parse_date
from citecheck.documents.wikitext_tree import (
    FlatTemplate,
    FlatValue,
    SourceCache,
    external_links_in,
    parse_wikitext,
    positional_values,
    template_fields,
    template_name,
    templates_in,
)
from citecheck.models import Marker, Paragraph, ParsedDocument, Reference, ReferenceKind, Section, SourceFlag
from citecheck.references import reference_from_template, reference_from_text, sub_reference
from citecheck.references.cite_templates import (
    ATTACHED_TEMPLATES,
    DEAD_LINK_TEMPLATES,
    PERMANENT_DEAD_TEMPLATES,
    WEBARCHIVE_TEMPLATES,
    TemplateCitation,
    canonical_parameter,
    is_cite_template,
    read_cite_template,
    read_webarchive_template,
)
from citecheck.references.construct import build
from citecheck.references.links import choose_links, classify_link

__all__ = ["RefTagCounts", "count_ref_tags", "read_wikitext"]

# Where a node sits: running body text, content not read as body (infoboxes,
# tables, captions, skipped sections), or a list-defined reference list.
Mode = Literal["body", "hidden", "reflist", "note"]

# A marker travels through whitespace normalisation as two private-use
# characters around its index; input text never keeps these characters.
_MARK_OPEN = "\ue000"
_MARK_CLOSE = "\ue001"
_SENTINEL_RE = re.compile(r"\s*\ue000(?P<label>\d+)\ue001")
_PARAGRAPH_BREAK_RE = re.compile(r"\n[ \t]*\n\s*")
_WHITESPACE_RE = re.compile(r"\s+")
# "Toronto ({{lang-fr|…}}) is" loses the template and keeps "( )".
_EMPTY_PARENS_RE = re.compile(r"\(\s*[,;]?\s*\)")
_SPACE_BEFORE_PUNCT_RE = re.compile(r" +(?=[,.;:!?])")
_MAGIC_WORD_RE = re.compile(r"__[A-Z]+__")
_WORD_RE = re.compile(r"\w")

# <ref …/> and <ref …> that mwparserfromhell left as plain text (odd spacing, unclosed tags).
_LOOSE_REF_RE = re.compile(r"<ref\b(?P<attrs>[^<>]*?)(?P<self_closing>/\s*)?>", re.I)
_LOOSE_CLOSE_RE = re.compile(r"</ref\s*>", re.I)
_LOOSE_ATTR_RE = re.compile(r"""(?P<key>\w+)\s*=\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>[^\s"'/>]+))""")
_REF_OPENING_RE = re.compile(r"<ref\b", re.I)
# Dead-link templates' names all hold one of these words ({{dead link}}, {{404}}, {{lien brisé}} …).
_DEAD_WORD_RE = re.compile(r"dead|404|broken|brisé|toter|roto|interrotto|inativa|mrtvý|مكسورة", re.I)


def _names_dead_word(text: str) -> bool:
    if text.isascii():
        # For ASCII text (where IGNORECASE is lower-casing; the other words cannot occur in it), the same
        # test as substring searches of the lower-cased text.
        low = text.lower()
        return (
            "dead" in low
            or "404" in low
            or "broken" in low
            or "toter" in low
            or "roto" in low
            or "interrotto" in low
            or "inativa" in low
        )
    return _DEAD_WORD_RE.search(text) is not None


def _opens_ref(text: str) -> bool:
    """``<ref`` (any case) occurs in ``text``."""
    return "<" in text and _REF_OPENING_RE.search(text) is not None


_DEAD_LINK_TEMPLATES = DEAD_LINK_TEMPLATES
_PERMANENT_DEAD_TEMPLATES = PERMANENT_DEAD_TEMPLATES
_WEBARCHIVE_TEMPLATES = WEBARCHIVE_TEMPLATES
_ANY_DEAD_LINK_TEMPLATES = _DEAD_LINK_TEMPLATES | _PERMANENT_DEAD_TEMPLATES
_ATTACHED_TEMPLATES = ATTACHED_TEMPLATES
_REFLIST_TEMPLATES = frozenset({"reflist", "references", "refs", "notelist", "reflist-talk"})
# Notes: {{efn}} and its list styles, {{refn}}, {{#tag:ref}}; each is a <ref> of its group.
_NOTE_GROUPS = {
    "efn": "lower-alpha",
    "efn-la": "lower-alpha",
    "efn-ua": "upper-alpha",
    "efn-lr": "lower-roman",
    "efn-ur": "upper-roman",
    "efn-lg": "lower-greek",
    "notetag": "lower-alpha",
    "refn": "",
    "#tag:ref": "",
}
# Short citations: {{sfn}} is a footnote of its own; {{harv}} & co. cite in running text.
_SFN_TEMPLATES = frozenset({"sfn", "sfnp", "sfnm", "shortened footnote template"})
_HARV_TEMPLATES = frozenset({"harv", "harvnb", "harvtxt", "harvp", "harvcol", "harvcolnb", "harvcoltxt", "harvs"})
_HARV_SHOWN = {"harvnb": "{authors} {year}", "harvtxt": "{authors} ({year})", "harvcolnb": "{authors} {year}"}

# Sections whose body is apparatus, not claims.
_NON_BODY_SECTIONS = frozenset(
    {
        "references",
        "notes",
        "footnotes",
        "citations",
        "sources",
        "bibliography",
        "further reading",
        "external links",
        "see also",
        "works cited",
        "general references",
        "notes and references",
        "references and notes",
    }
)
_HIDDEN_NAMESPACES = ("file:", "image:", "media:", "category:")
_INTERLANGUAGE_RE = re.compile(r"^[a-z]{2,3}(?:-[a-z]+)?:")
_HIDDEN_TAGS = frozenset(
    {
        "table",
        "gallery",
        "imagemap",
        "timeline",
        "graph",
        "mapframe",
        "maplink",
        "math",
        "chem",
        "score",
        "syntaxhighlight",
        "source",
        "pre",
        "templatestyles",
        "inputbox",
        "categorytree",
        "references",
    }
)
_LIST_TAGS = frozenset({"li", "dt", "dd"})

# Inline templates whose text is part of the sentence (figures matter to claims).
_CONVERT_UNITS = {"C": "°C", "F": "°F", "km2": "km²", "m2": "m²", "sqmi": "sq mi", "mi2": "sq mi", "ha": "ha"}
_CONVERT_RANGE_WORDS = {"to": "to", "-": "–", "–": "–", "and": "and", "or": "or", "by": "by", "x": "×"}
_TEXT_IN_FIRST_PARAMETER = frozenset(
    {"nowrap", "nobr", "small", "big", "smaller", "larger", "sic", "flag", "flagcountry"}
)
_LITERAL_TEMPLATES = {"!": "|", "'": "'", "nbsp": " ", "ndash": "–", "mdash": "—", "snd": " – ", "spaced ndash": " – "}

_YEAR_IN_VALUE_RE = re.compile(r"(?:1[5-9]|20)\d\d[a-z]?")
_CITEREF_NOISE_RE = re.compile(r"[\s_]+")


@dataclass
class RefTagCounts:
    """How the ``<ref`` openings of a document were read.

    ``definitions + reuses + unparseable + escaped`` equals the number of
    ``<ref`` openings in the source that are not ``<references``.
    """

    definitions: int = 0  # <ref …>content</ref>
    reuses: int = 0  # <ref name=x/> or <ref name=x></ref>
    unparseable: int = 0  # an opening tag with no usable shape (e.g. never closed)
    escaped: int = 0  # inside <!-- comments --> or <nowiki>, so not tags at all
    list_defined: int = 0  # definitions inside {{reflist|refs=…}} / <references>…</references>
    hidden_uses: int = 0  # uses inside content not read as body (infobox, table, caption)
    dangling: int = 0  # reuses of a name defined nowhere
    dead_link_templates: int = 0  # {{dead link}} & co. anywhere
    dead_link_templates_outside_refs: int = 0


@dataclass
class _RefTag:
    """One ``<ref>`` occurrence."""

    offset: int
    name: str | None
    group: str
    content: Any | None  # mwparserfromhell Wikicode of a definition; None for a reuse
    raw: str
    mode: Mode
    attached: list[Any] = field(default_factory=list)  # {{dead link}}/{{webarchive}} right after the tag
    short: _ShortCitation | None = None  # an {{sfn}} footnote
    details: str | None = None  # a sub-reference's details (<ref name=x details=…>)
    main_key: tuple[str, str] | None = None  # the main reference a sub-reference details
    silent: bool = False  # a main reference named by a sub-reference: no marker of its own
    nested: bool = False  # a <ref> written inside this one
    _templates: list[Any] | None = field(default=None, repr=False)

    @property
    def is_definition(self) -> bool:
        return self.content is not None

    def templates(self) -> list[Any]:
        """Every template of the content, nested ones too (the walk and the reference built from it both ask)."""
        if self._templates is None:
            content = self.content
            self._templates = list(templates_in(content)) if content is not None and "{{" in self.raw else []
        return self._templates


@dataclass(frozen=True)
class _ShortCitation:
    """``{{sfn|Smith|Jones|2003|p=41}}``: authors, year, locator, and the bibliography anchor it names."""

    authors: tuple[str, ...]
    year: str
    locator: str | None

    @property
    def anchor(self) -> str:
        return _citeref_key("".join(self.authors) + self.year)

    def text(self) -> str:
        names = self.authors[0] if len(self.authors) == 1 else " & ".join(self.authors)
        if len(self.authors) > 2:
            names = ", ".join(self.authors[:-1]) + " & " + self.authors[-1]
        shown = f"{names} {self.year}".strip()
        return f"{shown}, {self.locator}." if self.locator else f"{shown}."


def _citeref_key(text: str) -> str:
    """A CITEREF anchor compared as MediaWiki writes it, spaces and underscores alike, case aside."""
    return _CITEREF_NOISE_RE.sub("", text).casefold()


@dataclass
class _BibEntry:
    """A citation template outside any <ref>: a bibliography entry."""

    template: Any
    offset: int


@dataclass
class _PendingMarker:
    ref: _RefTag
    key: tuple[str, str] | tuple[str, int]


@dataclass
class _SectionDraft:
    title: str | None
    level: int
    pieces: list[str] = field(default_factory=list)
    length: int = 0
    # verbatim source text: where it starts in the joined pieces, its source offset and length
    anchor_starts: list[int] = field(default_factory=list)
    anchors: list[tuple[int, int]] = field(default_factory=list)
    markers: list[_PendingMarker] = field(default_factory=list)
    in_list_item: bool = False

    def add(self, text: str, source_offset: int | None = None) -> None:
        if source_offset is not None and text:
            self.anchor_starts.append(self.length)
            self.anchors.append((source_offset, len(text)))
        self.pieces.append(text)
        self.length += len(text)

    def source_offset(self, position: int) -> int | None:
        """The source offset of a position in the joined pieces (nearest known text before it)."""
        index = bisect.bisect_right(self.anchor_starts, position) - 1
        if index < 0:
            return self.anchors[0][0] if self.anchors else None
        source, length = self.anchors[index]
        return source + min(position - self.anchor_starts[index], length)


_template_name = template_name


def _plain(code: Any) -> str:
    """Wikicode as the reader sees it: markup stripped, entities decoded, whitespace collapsed.

    A flat template's value is a ``str`` (text and bare URLs only), its own plain text, or a :class:`FlatValue`
    (wikilinks and entities too), which carries its plain text.
    """
    if type(code) is str:
        return " ".join(code.split())
    if type(code) is FlatValue:  # a flat value holding wikilinks or entities
        return code.plain
    if type(code) is Wikicode:
        nodes: list[Any] = code._nodes
        if len(nodes) == 1:
            (only,) = nodes  # (unpacked: SmartList's own indexing is Python code)
            if type(only) is Text:  # (a link's title, most often: the loop below without its generator)
                return " ".join(only._value.split())
        if all(type(node) is Text for node in nodes):
            # strip_code keeps a Text node's text; normalize and collapse change nothing the split below keeps.
            return " ".join("".join([node._value for node in nodes]).split())
    text = str(code.strip_code(normalize=True, collapse=True)) if hasattr(code, "strip_code") else str(code)
    return " ".join(text.split())


def _without_comments(code: Any) -> str:
    if isinstance(code, str):
        return code.strip()  # a flat template's value holds no comments
    return "".join(str(node) for node in code.nodes if not isinstance(node, Comment)).strip()


def _parameters(template: Any) -> Iterator[tuple[str, Any, bool]]:
    """``(name as written, value, showkey)`` of each parameter; values of flat templates are ``str``."""
    if type(template) is FlatTemplate and template._body is not None:
        yield from template.flat_params
        return
    for parameter in template.params:
        yield str(parameter.name), parameter.value, bool(parameter.showkey)


def _sanitise(text: str) -> str:
    return text.replace(_MARK_OPEN, "\ufffd").replace(_MARK_CLOSE, "\ufffd")


def _loose_attributes(attrs: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for match in _LOOSE_ATTR_RE.finditer(attrs):
        value = match["dq"] if match["dq"] is not None else match["sq"] if match["sq"] is not None else match["bare"]
        values[match["key"].lower()] = (value or "").strip()
    return values


def _tag_attributes(tag: Any, text_of: Callable[[Any], str] = str) -> dict[str, str]:
    """Attribute name → value as written (``text_of``: ``str`` of a Wikicode, as the walk's cache makes it)."""
    values: dict[str, str] = {}
    for attribute in tag.attributes:
        key = text_of(attribute.name).strip().lower()
        value = text_of(attribute.value).strip() if attribute.value is not None else ""
        values[key] = value
    return values


def _children_with_offsets(
    node: Any, offset: int, source: str | None = None, text_of: Callable[[Any], str] = str
) -> list[tuple[Any, int]]:
    """The child Wikicodes of ``node`` with their source offsets (found in the node's own text, ``source``).

    ``text_of`` is ``str`` of a Wikicode (the walk's :class:`SourceCache` makes each once)."""
    text = str(node) if source is None else source
    cursor = 0
    children: list[tuple[Any, int]] = []
    for child in node.__children__():
        child_text = text_of(child)
        index = text.find(child_text, cursor) if child_text else -1
        if index < 0:
            index = cursor
        children.append((child, offset + index))
        cursor = index + len(child_text)
    return children


def _contents_offset(node: Any, offset: int, source: str | None = None, text_of: Callable[[Any], str] = str) -> int:
    """Where a tag's contents start in the source (``source``: the tag's own text, when the caller has it)."""
    text = str(node) if source is None else source
    contents = text_of(node.contents)
    opening_end = text.find(">") + 1 if not node.wiki_markup else len(str(node.wiki_markup))
    index = text.find(contents, max(opening_end, 0)) if contents else -1
    return offset + (index if index >= 0 else 0)


class _Siblings:
    """The nodes after one node of a Wikicode, read on demand (a slice per node made the walk quadratic)."""

    __slots__ = ("nodes", "start")

    def __init__(self, nodes: list[Any], start: int) -> None:
        self.nodes = nodes
        self.start = start

    def __iter__(self) -> Iterator[Any]:
        nodes = self.nodes
        return (nodes[index] for index in range(self.start, len(nodes)))


_NO_SIBLINGS = _Siblings([], 0)


def _is_inert(source: str) -> bool:
    """Whether wikitext walked outside body text (``mode`` not ``"body"``) can change nothing the walk collects.

    Outside body text no text is emitted and nothing is counted as dropped; what still counts needs a ``<``
    (``<ref>``, loose ``<ref``s in text, ``<references>``, comments, ``<nowiki>``) or a ``{{`` (templates:
    notes, short citations, bibliography entries, dead-link marks, reference lists, DISPLAYTITLE).  A
    heading there only walks its title.
    """
    return "<" not in source and "{{" not in source


class _Walker:
    """Walks the parse tree once, collecting body drafts, ref occurrences and notices."""

    def __init__(self, *, skip_inert: bool = True) -> None:
        # Content outside body text is walked only for what it holds that counts (refs, templates, comments,
        # nowiki); ``skip_inert`` skips the parts that hold none (the full walk is kept for tests to compare).
        self.skip_inert = skip_inert
        self.sections: list[_SectionDraft] = [_SectionDraft(title=None, level=1)]
        self.refs: list[_RefTag] = []
        self.counts = RefTagCounts()
        self.dropped_templates: Counter[str] = Counter()
        self.dropped_tags: Counter[str] = Counter()
        self.dropped_links: Counter[str] = Counter()
        self.skipped_sections: list[str] = []
        self.bibliography: list[_BibEntry] = []
        self.harv_uses: Counter[str] = Counter()  # CITEREF anchor → {{harv}} uses in running text
        self.skip_below: int | None = None  # level of the non-body section being skipped
        self.attached_ids: set[int] = set()
        self.display_title: str | None = None
        # str() of the tree's nodes and Wikicodes, each made once (the walk asks for them level by level).
        self.sources = SourceCache()
        self.text_of = self.sources.code
        self.node_text = self.sources.node

    # -- emission -----------------------------------------------------------------

    @property
    def draft(self) -> _SectionDraft:
        return self.sections[-1]

    def _body_mode(self, mode: Mode) -> Mode:
        return "hidden" if mode == "body" and self.skip_below is not None else mode

    def emit_text(self, text: str, offset: int | None, mode: Mode) -> None:
        if mode != "body" or self.skip_below is not None or not text:  # (not body text: _body_mode)
            return
        if _MARK_OPEN in text or _MARK_CLOSE in text:
            text = _sanitise(text)
        draft = self.sections[-1]
        if draft.in_list_item and "\n" in text:
            # A list item ends at its line end, whatever follows.
            cut = text.index("\n")
            draft.add(text[:cut], offset)
            draft.add("\n\n")
            draft.in_list_item = False
            draft.add(text[cut:], None if offset is None else offset + cut)
            return
        draft.add(text, offset)

    def emit_break(self, mode: Mode) -> None:
        if self._body_mode(mode) == "body":
            self.draft.add("\n\n")

    # -- the walk -------------------------------------------------------------------

    def walk(self, code: Any, offset: int, mode: Mode) -> None:
        if mode != "body" and self.skip_inert and _is_inert(self.text_of(code)):
            return
        position = offset
        nodes = list(code.nodes)  # (a plain list: SmartList's own indexing is Python code)
        node_text = self.node_text
        for index, node in enumerate(nodes):
            if type(node) is Text:
                source = node._value
                if "<" in source:
                    self.visit_text(source, position, mode)
                elif mode == "body" and self.skip_below is None and source:  # (emit_text's test, asked first)
                    # visit_text of text without a "<" (no loose ref tags); emit_text's common case inline
                    text = _MAGIC_WORD_RE.sub("", source) if "__" in source else source
                    draft = self.sections[-1]
                    if draft.in_list_item or _MARK_OPEN in text or _MARK_CLOSE in text:
                        self.emit_text(text, position, mode)
                    elif text:
                        draft.add(text, position)
                position += len(source)
                continue
            # A node's text is made once (SourceCache) and handed down.
            source = node_text(node)
            node_type = type(node)
            if node_type is Wikilink:  # (visit's answers for the commonest nodes after text)
                self.visit_wikilink(node, position, mode, source)
                position += len(source)
                continue
            if node_type is HTMLEntity:
                self.emit_text(node.normalize(), None, mode)
                position += len(source)
                continue
            # (only a tag, a <ref>, reads the nodes after it)
            self.visit(
                node, position, mode, _Siblings(nodes, index + 1) if isinstance(node, Tag) else _NO_SIBLINGS, source
            )
            position += len(source)

    def walk_children(self, node: Any, offset: int, mode: Mode, source: str | None = None) -> None:
        for child, child_offset in _children_with_offsets(node, offset, source, self.text_of):
            self.walk(child, child_offset, mode)

    def visit(self, node: Any, offset: int, mode: Mode, following: _Siblings, source: str) -> None:
        if isinstance(node, Text):
            self.visit_text(source, offset, mode)
        elif isinstance(node, Tag):
            self.visit_tag(node, offset, mode, following, source)
        elif isinstance(node, Template):
            self.visit_template(node, offset, mode, source)
        elif isinstance(node, Wikilink):
            self.visit_wikilink(node, offset, mode, source)
        elif isinstance(node, ExternalLink):
            if node.title is not None and self.text_of(node.title).strip():
                self.walk(node.title, _contents_offset_of(node, node.title, offset, source, self.text_of), mode)
            elif not node.brackets:
                self.emit_text(self.text_of(node.url), offset, mode)
        elif isinstance(node, HTMLEntity):
            self.emit_text(node.normalize(), None, mode)
        elif isinstance(node, Heading):
            self.visit_heading(node, offset, mode)
        elif isinstance(node, Comment):
            self.counts.escaped += len(_REF_OPENING_RE.findall(source))
        else:  # arguments, parser functions in other shapes: not body text
            self.walk_children(node, offset, "hidden" if mode == "body" else mode, source)

    def visit_heading(self, node: Any, offset: int, mode: Mode) -> None:
        if mode != "body":
            self.walk(node.title, offset + node.level, mode)
            return
        title = _plain(node.title)
        level = int(node.level)
        if self.skip_below is not None and level <= self.skip_below:
            self.skip_below = None
        if self.skip_below is None and title.lower() in _NON_BODY_SECTIONS:
            self.skip_below = level
            self.skipped_sections.append(title)
        if self.skip_below is None:
            self.sections.append(_SectionDraft(title=title or None, level=level))
        # refs in a heading are not body text, but they are uses
        self.walk(node.title, offset + level, "hidden")

    def visit_text(self, text: str, offset: int, mode: Mode) -> None:
        if "<" not in text:  # no loose <ref> or </ref> (both regexes need a "<"); magic words need "__"
            self.emit_text(_MAGIC_WORD_RE.sub("", text) if "__" in text else text, offset, mode)
            return
        position = 0
        for match in _LOOSE_REF_RE.finditer(text):
            self.emit_text(_MAGIC_WORD_RE.sub("", text[position : match.start()]), offset + position, mode)
            position = match.end()
            attributes = _loose_attributes(match["attrs"])
            name = attributes.get("name") or None
            if match["self_closing"] is not None and name:
                self.add_ref(
                    _RefTag(offset + match.start(), name, attributes.get("group", ""), None, "", mode), [], mode
                )
            else:
                # An opening that never closes: MediaWiki shows an error, we count it.
                self.counts.unparseable += 1
        rest = _LOOSE_CLOSE_RE.sub("", text[position:])
        self.emit_text(_MAGIC_WORD_RE.sub("", rest), offset + position, mode)

    def visit_tag(self, node: Any, offset: int, mode: Mode, following: _Siblings, source: str) -> None:
        text_of = self.text_of
        tag = text_of(node.tag).strip().lower()
        if tag == "ref":
            self.visit_ref(node, offset, mode, following)
        elif tag == "nowiki":
            contents = text_of(node.contents) if node.contents is not None else ""
            self.counts.escaped += len(_REF_OPENING_RE.findall(contents))
            self.emit_text(contents, _contents_offset(node, offset, source, text_of), mode)
        elif tag == "references":
            if node.contents is not None:
                self.walk(node.contents, _contents_offset(node, offset, source, text_of), "reflist")
        elif tag in _HIDDEN_TAGS:
            if self._body_mode(mode) == "body":
                self.dropped_tags[tag] += 1
            self.emit_break(mode)
            if node.contents is not None:
                self.walk(
                    node.contents, _contents_offset(node, offset, source, text_of), "hidden" if mode == "body" else mode
                )
            self.emit_break(mode)
        elif tag in _LIST_TAGS and node.wiki_markup:
            self.emit_break(mode)
            if self._body_mode(mode) == "body":
                self.draft.in_list_item = True
        elif tag == "hr":
            self.emit_break(mode)
        elif tag == "br":
            self.emit_text(" ", None, mode)
        elif node.contents is not None:
            self.walk(node.contents, _contents_offset(node, offset, source, text_of), mode)

    def visit_ref(self, node: Any, offset: int, mode: Mode, following: _Siblings) -> None:
        text_of = self.text_of
        attributes = _tag_attributes(node, text_of)
        name = attributes.get("name") or None
        group = attributes.get("group", "")
        content = node.contents if node.contents is not None and text_of(node.contents).strip() else None
        if content is None and not name:
            # <ref></ref> or <ref/>: an empty definition, kept so CC101 can report it.
            content = mwparserfromhell.parse("")
        raw = text_of(content).strip() if content is not None else ""
        nested = (
            content is not None
            and _opens_ref(raw)
            and any(str(tag.tag).strip().lower() == "ref" for tag in content.filter_tags(recursive=True))
        )
        attached: list[Any] = []
        for sibling in following:
            if isinstance(sibling, Text) and not self.node_text(sibling).strip():
                continue
            if isinstance(sibling, Template) and _template_name(sibling) in _ATTACHED_TEMPLATES:
                attached.append(sibling)
                self.attached_ids.add(id(sibling))
                continue
            break
        details = attributes.get("details") or None
        if details and name:
            # <ref name=x details="p. 5">: a sub-reference of x (which it may define), marked on its own.
            self.add_ref(_RefTag(offset, name, group, content, raw, mode, silent=True), [], mode)
            sub = _RefTag(offset, None, group, mwparserfromhell.parse(""), details, mode, details=details)
            sub.main_key = (group, name)
            self.add_ref(sub, attached, mode)
            return
        self.add_ref(_RefTag(offset, name, group, content, raw, mode, nested=nested), attached, mode)

    def add_ref(self, ref: _RefTag, attached: list[Any], mode: Mode) -> None:
        ref.attached = attached
        ref.mode = self._body_mode(mode)
        self.refs.append(ref)
        if ref.is_definition:
            self.counts.definitions += 1
            if ref.mode == "reflist":
                self.counts.list_defined += 1
        else:
            self.counts.reuses += 1
        if ref.mode in ("hidden", "note"):
            self.counts.hidden_uses += 1
        if ref.content is not None and "{{" in ref.raw and _names_dead_word(ref.raw):
            for template in ref.templates():
                if _template_name(template) in _ANY_DEAD_LINK_TEMPLATES:
                    self.counts.dead_link_templates += 1
        if ref.mode == "body" and not ref.silent:
            self.add_marker(ref, _ref_key(ref))

    def add_marker(self, ref: _RefTag, key: Any) -> None:
        index = len(self.draft.markers)
        self.draft.markers.append(_PendingMarker(ref, key))
        self.draft.add(f"{_MARK_OPEN}{index}{_MARK_CLOSE}")

    def visit_template(self, node: Any, offset: int, mode: Mode, source: str | None = None) -> None:
        name = _template_name(node)
        if name in _ANY_DEAD_LINK_TEMPLATES:
            self.counts.dead_link_templates += 1
            if id(node) not in self.attached_ids:
                self.counts.dead_link_templates_outside_refs += 1
            return
        if name.startswith("displaytitle:"):
            self.display_title = _plain(mwparserfromhell.parse(str(node.name).split(":", 1)[1])) or None
            return
        if name in _REFLIST_TEMPLATES:
            for parameter in node.params:
                key = str(parameter.name).strip().lower()
                written = self.node_text(node) if source is None else source
                child_offset = offset + max(written.find(self.text_of(parameter.value)), 0)
                self.walk(parameter.value, child_offset, "reflist" if key == "refs" else "hidden")
            return
        if name in _NOTE_GROUPS:
            self.visit_note(node, name, offset, mode)
            return
        if name in _SFN_TEMPLATES:
            short = _short_citation(node)
            if short is not None:
                ref = _RefTag(offset, "FOOTNOTE" + short.text(), "", mwparserfromhell.parse(""), short.text(), mode)
                ref.short = short
                self.add_ref(ref, [], mode)
            return
        if name in _HARV_TEMPLATES:
            self.visit_harv(node, name, offset, mode)
            return
        if is_cite_template(name) and mode in ("body", "hidden"):
            # A full citation outside any <ref>: a bibliography, "Sources" or "Further reading" entry.
            self.bibliography.append(_BibEntry(node, offset))
            return
        inline = _inline_template_text(name, node)
        if inline is not None:
            self.emit_text(inline, None, mode)
        elif self._body_mode(mode) == "body" and name not in _ATTACHED_TEMPLATES:
            self.dropped_templates[name] += 1
        if type(node) is FlatTemplate and node._body is not None and not node.has_loose_ref:
            # Its children are text and bare URLs, walked outside body text: only a loose "<ref" would count.
            return
        self.walk_children(node, offset, "hidden" if mode == "body" else mode, source)

    def visit_note(self, node: Any, name: str, offset: int, mode: Mode) -> None:
        """{{efn|…}}, {{refn|…|group=}}, {{#tag:ref|…|name=}}: a <ref> of the note's group."""
        group = _NOTE_GROUPS[name]
        content: Any = None
        content_offset = offset
        ref_name: str | None = None
        text_of = self.text_of
        for parameter, child_offset in zip(
            node.params, _param_offsets(node, offset, self.node_text(node), text_of), strict=False
        ):
            key = str(parameter.name).strip().lower()
            if not parameter.showkey or key == "1" or key == "text":
                if content is None and text_of(parameter.value).strip():
                    content, content_offset = parameter.value, child_offset
            elif key == "group":
                group = _plain(parameter.value)
            elif key == "name":
                ref_name = _plain(parameter.value) or None
        if content is None and not ref_name:
            return
        raw = text_of(content).strip() if content is not None else ""
        self.add_ref(_RefTag(offset, ref_name, group, content, raw, mode), [], mode)
        if content is not None:
            # <ref>s inside the note are uses of their own references, wherever the note stands.
            self.walk(content, content_offset, "note" if mode != "reflist" else mode)

    def visit_harv(self, node: Any, name: str, offset: int, mode: Mode) -> None:
        """{{harv|Smith|2003}} in running text: an in-text citation of a bibliography entry."""
        short = _short_citation(node)
        if short is None:
            return
        shown = _HARV_SHOWN.get(name)
        if shown is not None:
            self.emit_text(shown.format(authors=" & ".join(short.authors), year=short.year), None, mode)
        self.harv_uses[short.anchor] += 1
        if self._body_mode(mode) == "body":
            placeholder = _RefTag(offset, short.text(), "", None, "", "hidden")
            self.add_marker(placeholder, ("\x00harv", short.anchor))

    def visit_wikilink(self, node: Any, offset: int, mode: Mode, source: str | None = None) -> None:
        # (the private attributes: the properties are Python calls; the reader never edits the tree)
        target = self.text_of(node._title).strip().lower()
        if target.startswith(_HIDDEN_NAMESPACES) or (_INTERLANGUAGE_RE.match(target) and node._text is None):
            if self._body_mode(mode) == "body":
                self.dropped_links[target.split(":", 1)[0]] += 1
            self.walk_children(node, offset, "hidden" if mode == "body" else mode, source)
            return
        if node._text is not None:
            text_offset = _contents_offset_of(node, node._text, offset, source, self.text_of)
            nodes = node._text._nodes
            only = next(iter(nodes)) if len(nodes) == 1 else None  # (not nodes[0]: SmartList indexes in Python)
            if type(only) is Text:  # [[target|text]]: what walk() does with one Text
                self.visit_text(only._value, text_offset, mode)
            else:
                self.walk(node._text, text_offset, mode)
        else:
            self.emit_text(_plain(node._title).lstrip(":"), offset + 2, mode)


def _contents_offset_of(
    node: Any, child: Any, offset: int, source: str | None = None, text_of: Callable[[Any], str] = str
) -> int:
    index = (str(node) if source is None else source).rfind(text_of(child))
    return offset + max(index, 0)


def _positional(template: Any) -> list[str]:
    return positional_values(template, _plain)


def _inline_template_text(name: str, template: Any) -> str | None:
    """The text an inline template shows in a sentence, for the few whose text matters; else None."""
    if name in _LITERAL_TEMPLATES:
        return _LITERAL_TEMPLATES[name]
    values = _positional(template)
    if name in ("convert", "cvt") and values:
        if len(values) >= 4 and values[1].lower() in _CONVERT_RANGE_WORDS:
            unit = _CONVERT_UNITS.get(values[3], values[3])
            return f"{values[0]} {_CONVERT_RANGE_WORDS[values[1].lower()]} {values[2]} {unit}"
        unit = _CONVERT_UNITS.get(values[1], values[1]) if len(values) > 1 else ""
        return f"{values[0]} {unit}".strip()
    if name == "lang" and len(values) >= 2:
        return values[1]
    if name.startswith("lang-") and values:
        return values[0]
    if name in _TEXT_IN_FIRST_PARAMETER and values:
        return values[0]
    if name == "as of" and values:
        return f"As of {values[0]}"
    if name in ("circa", "c.") and values:
        return f"c. {values[0]}"
    return None


# --------------------------------------------------------------------------- references


def _template_fields(template: Any) -> dict[str, Any]:
    """Parameter name → value Wikicode (``str`` for a flat template); a repeated parameter keeps its last value,
    as MediaWiki does."""
    return template_fields(template)


def _param_offsets(
    template: Any, offset: int, source: str | None = None, text_of: Callable[[Any], str] = str
) -> list[int]:
    """Source offsets of a template's parameter values (found in the template's own text, ``source``)."""
    text = str(template) if source is None else source
    cursor = 0
    offsets: list[int] = []
    for parameter in template.params:
        value = text_of(parameter.value)
        index = text.find(value, cursor) if value else -1
        offsets.append(offset + (index if index >= 0 else cursor))
        cursor = index + len(value) if index >= 0 else cursor
    return offsets


def _short_citation(template: Any) -> _ShortCitation | None:
    """Authors, year and locator of {{sfn}}/{{harvnb}}/{{sfnm}} (the first source of {{sfnm}})."""
    positional: list[str] = []
    named: dict[str, str] = {}
    for name, written, showkey in _parameters(template):
        value = _plain(written)
        if showkey:
            named[name.strip().lower()] = value
        elif value:
            positional.append(value)
    if not positional and "1a1" in named:  # {{sfnm|1a1=Smith|1y=2003|1p=41}}
        positional = [named[f"1a{index}"] for index in range(1, 5) if named.get(f"1a{index}")]
        positional.append(named.get("1y", ""))
        named.setdefault("p", named.get("1p", ""))
        named.setdefault("pp", named.get("1pp", ""))
        named.setdefault("loc", named.get("1loc", ""))
    if not positional:
        return None
    year = positional[-1] if len(positional) > 1 and _YEAR_IN_VALUE_RE.fullmatch(positional[-1]) else ""
    authors = tuple(positional[:-1] if year else positional)[:4]
    locator: str | None = None
    if named.get("p") or named.get("page"):
        locator = f"p. {named.get('p') or named.get('page')}"
    elif named.get("pp") or named.get("pages"):
        locator = f"pp. {named.get('pp') or named.get('pages')}"
    elif named.get("loc") or named.get("at"):
        locator = named.get("loc") or named.get("at")
    return _ShortCitation(authors=authors, year=year, locator=locator or None)


def _citeref_anchor(template: Any, citation: TemplateCitation) -> str | None:
    """The CITEREF anchor a citation template defines: |ref= as given, else up to four surnames + year."""
    stated_value = next((value for name, value, _ in _parameters(template) if canonical_parameter(name) == "ref"), None)
    stated = _plain(stated_value) if stated_value is not None else ""
    if stated.lower() == "none":
        return None
    if stated and stated.lower() != "harv":
        # (a flat template's value is a str, holding no templates)
        inner = (
            stated_value.filter_templates() if stated_value is not None and not isinstance(stated_value, str) else []
        )
        if inner and _template_name(inner[0]) in ("sfnref", "harvid"):
            parts = [_plain(parameter.value) for parameter in inner[0].params if not parameter.showkey]
            return _citeref_key("".join(parts))
        return _citeref_key(stated.removeprefix("CITEREF"))
    year = _YEAR_IN_VALUE_RE.search(citation.date_text or "") if citation.date_text else None
    if not citation.surnames or year is None:
        return None
    return _citeref_key("".join(citation.surnames[:4]) + year.group(0))


def _read_cite(template: Any) -> TemplateCitation:
    return read_cite_template(_template_name(template), _template_fields(template), _plain, _without_comments)


def _external_links(content: Any) -> list[tuple[str, str | None]]:
    """``(url, title)`` of the content's external links, as ``filter_external_links(recursive=True)`` finds them."""
    links: list[tuple[str, str | None]] = []
    for written, title in external_links_in(content):
        url = written.strip()
        if url:
            links.append((url, _plain(title) if title is not None else None))
    return links


@dataclass
class _Built:
    reference: Reference
    anchor: str | None = None  # the CITEREF anchor this reference defines
    short_anchor: str | None = None  # the CITEREF anchor this short citation names


def _own_templates(definition: _RefTag) -> list[Any]:
    """The templates of a ref's (or note's) content, without those of <ref>s nested inside it."""
    templates = definition.templates()
    content = definition.content
    if not templates or content is None or not _opens_ref(definition.raw):
        return list(templates)
    nested = [tag for tag in content.filter_tags(recursive=True) if str(tag.tag).strip().lower() == "ref"]
    if not nested:
        return list(templates)
    inside = {
        id(template) for tag in nested if tag.contents is not None for template in tag.contents.filter_templates()
    }
    return [template for template in templates if id(template) not in inside]


def _build_reference(definition: _RefTag, *, id: str, number: int | None, name: str | None, line: int | None) -> _Built:
    content = definition.content
    if definition.short is not None:
        short = definition.short
        # Built, not validated (as every reference a reader makes from parsed values): see references.construct.
        reference = build(
            Reference,
            id=id,
            number=number,
            kind=ReferenceKind.footnote,
            raw=short.text(),
            authors=list(short.authors),
            date=parse_date(short.year) if short.year else None,
            details=short.locator,
            source_flags=[SourceFlag.short_citation],
            line=line,
        )
        return _Built(reference, short_anchor=short.anchor)
    templates = _own_templates(definition) if content is not None else []
    templates += definition.attached
    # (each template named once: a name is markup stripped and case folded)
    named = [(template, _template_name(template)) for template in templates]
    flags: list[SourceFlag] = []
    archive: tuple[str | None, PartialDate | None] | None = None
    for template, called in named:
        if called in _DEAD_LINK_TEMPLATES and SourceFlag.dead_link not in flags:
            flags.append(SourceFlag.dead_link)
        elif called in _PERMANENT_DEAD_TEMPLATES and SourceFlag.permanent_dead_link not in flags:
            flags.append(SourceFlag.permanent_dead_link)
        elif called in _WEBARCHIVE_TEMPLATES and archive is None:
            fields = _template_fields(template)
            url, date, _ = read_webarchive_template(called, fields, _plain, _without_comments)
            archive = (url, date)
    if definition.nested:
        flags.append(SourceFlag.nested_reference)
    cite = next((template for template, called in named if is_cite_template(called)), None)
    harv = next((template for template, called in named if called in _HARV_TEMPLATES), None)
    # A free-text footnote as rendered: link titles kept, templates ({{dead link}} …) gone.
    rendered = _plain(content) if content is not None and cite is None else ""
    if cite is None and harv is not None:
        written = _short_citation(harv)
        if written is not None:
            # <ref>{{harvnb|Smith|2003|p=41}}</ref>: a short citation written out by hand.
            reference = build(
                Reference,
                id=id,
                number=number,
                kind=ReferenceKind.footnote,
                raw=definition.raw,
                authors=list(written.authors),
                date=parse_date(written.year) if written.year else None,
                details=written.locator or (rendered or None),
                source_flags=[SourceFlag.short_citation, *flags],
                line=line,
                name=name,
            )
            return _Built(reference, short_anchor=written.anchor)
    own_templates = [template for template, called in named if called not in _ATTACHED_TEMPLATES]
    if cite is None and own_templates and not _WORD_RE.search(rendered):
        # A ref holding only a citation template of its own kind ({{SCref|…}}): read the fields
        # CS1 names it shares, and say the rest was not read rather than call it empty.
        cite = own_templates[0]
        flags.append(SourceFlag.unread_template)
    anchor: str | None = None
    if cite is not None:
        citation = _read_cite(cite)
        reference = reference_from_template(
            citation, id=id, raw=definition.raw, number=number, line=line, flags=flags, archive=archive
        )
        anchor = _citeref_anchor(cite, citation)
    else:
        parsed = reference_from_text(
            id=id,
            raw=rendered,
            number=number,
            kind=ReferenceKind.footnote,
            line=line,
            links=_external_links(content) if content is not None else (),
        )
        # The reference was made here and nothing else holds it: its fields are set in place (as a copy with
        # them updated would have them, in the same fields-set) rather than copied once per change.
        reference = parsed
        reference.source_flags = list(parsed.source_flags) + [f for f in flags if f not in parsed.source_flags]
        reference.raw = definition.raw
        if archive is not None and archive[0] and reference.archive_url is None:
            links = [*reference.links, classify_link(archive[0])]
            choice = choose_links(links)
            reference.links = links
            reference.url = choice.url
            reference.archive_url = choice.archive_url
            reference.archive_url_time = choice.archive_url_time
            reference.archive_date = reference.archive_date or archive[1]
        elif archive is not None and reference.archive_url == archive[0] and reference.archive_date is None:
            # The text already held the {{webarchive}} link (its URL is a bare link in the template): the
            # template still states the archive date.
            reference.archive_date = archive[1]
    reference.name = name
    return _Built(reference, anchor=anchor)


@dataclass
class _Resolution:
    references: list[Reference]
    ids: dict[Any, str]
    notices: list[str]
    dangling: int
    built: dict[str, _Built] = field(default_factory=dict)


def _ref_key(ref: _RefTag) -> tuple[str, str] | tuple[str, int]:
    return (ref.group, ref.name) if ref.name else (ref.group, ref.offset)


def _dangling_uses(refs: list[_RefTag]) -> int:
    """Uses of names that no ``<ref>`` defines."""
    defined = {_ref_key(ref) for ref in refs if ref.is_definition}
    return sum(1 for ref in refs if ref.mode != "reflist" and _ref_key(ref) not in defined)


def _resolve_references(refs: list[_RefTag], line_of: Any) -> _Resolution:
    definitions: dict[tuple[str, str] | tuple[str, int], _RefTag] = {}
    uses: Counter[tuple[str, str] | tuple[str, int]] = Counter()
    order: list[tuple[str, str] | tuple[str, int]] = []
    seen: set[tuple[str, str] | tuple[str, int]] = set()
    subs: list[_RefTag] = []
    conflicting: list[str] = []
    for ref in refs:
        key = _ref_key(ref)
        if ref.main_key is not None:
            subs.append(ref)
            continue
        if ref.is_definition:
            known = definitions.get(key)
            if known is None:
                definitions[key] = ref
            elif known.raw != ref.raw and ref.name and not ref.silent:
                conflicting.append(ref.name)
        if ref.mode != "reflist":
            if not ref.silent:
                uses[key] += 1
            if key not in seen:
                seen.add(key)
                order.append(key)
    # List-defined references nobody cites still get numbers, after the cited ones.
    order += [key for key in definitions if key not in seen]

    references: list[Reference] = []
    built: dict[str, _Built] = {}
    ids: dict[Any, str] = {}
    numbers: Counter[str] = Counter()
    dangling_names: list[str] = []
    for key in order:
        definition = definitions.get(key)
        if definition is None:
            dangling_names.append(str(key[1]))
            continue
        group = definition.group
        numbers[group] += 1
        number = numbers[group]
        ref_id = f"{group}-{number}" if group else str(number)
        ids[key] = ref_id
        result = _build_reference(
            definition, id=ref_id, number=number, name=definition.name, line=line_of(definition.offset)
        )
        result.reference.uses = uses[key]
        result.reference.group = group or None
        if definition.mode == "reflist":
            result.reference.source_flags.append(SourceFlag.list_defined)
        built[ref_id] = result
        references.append(result.reference)
    by_id = {reference.id: reference for reference in references}
    sub_counts: Counter[str] = Counter()
    for sub in subs:
        main_id = ids.get(sub.main_key) if sub.main_key is not None else None
        if main_id is None:
            dangling_names.append(str(sub.main_key[1]) if sub.main_key else "")
            continue
        sub_counts[main_id] += 1
        sub_id = f"{main_id}.{sub_counts[main_id]}"
        ids[_ref_key(sub)] = sub_id
        main = by_id[main_id]
        used = 0 if sub.mode == "reflist" else 1
        main.uses += used
        reference = sub_reference(main, sub_counts[main_id], sub.details or "", uses=used, line=line_of(sub.offset))
        reference.raw = sub.raw
        references.insert(references.index(main) + sub_counts[main_id], reference)
    notices: list[str] = []
    unread = sorted({reference.raw for reference in references if SourceFlag.unread_template in reference.source_flags})
    if unread:
        shown = ", ".join(unread[:5]) + (" …" if len(unread) > 5 else "")
        notices.append(f"{len(unread)} refs hold only templates that are not CS1 citations, fields not read: {shown}")
    if dangling_names:
        notices.append(f"<ref name=…/> reuses of names defined nowhere: {', '.join(sorted(set(dangling_names)))}")
    if conflicting:
        notices.append(
            f"named refs defined twice with different text (first kept): {', '.join(sorted(set(conflicting)))}"
        )
    nested = sum(1 for reference in references if SourceFlag.nested_reference in reference.source_flags)
    if nested:
        notices.append(f"{nested} <ref>s hold another <ref> (MediaWiki shows an error there): the inner one not read")
    return _Resolution(references, ids, notices, _dangling_uses(refs), built)


def _bibliography_references(walker: _Walker, line_of: Any) -> tuple[list[Reference], dict[str, str]]:
    """Bibliography entries (``B1``…) and the CITEREF anchor each defines."""
    entries: list[Reference] = []
    anchors: dict[str, str] = {}
    for index, entry in enumerate(walker.bibliography, start=1):
        citation = _read_cite(entry.template)
        reference = reference_from_template(
            citation,
            id=f"B{index}",
            raw=str(entry.template).strip(),
            kind=ReferenceKind.bibliography,
            line=line_of(entry.offset),
        )
        anchor = _citeref_anchor(entry.template, citation)
        if anchor:
            reference.anchor = "CITEREF" + anchor
            anchors.setdefault(anchor, reference.id)
        entries.append(reference)
    return entries, anchors


def _link_short_citations(
    resolution: _Resolution, bibliography: list[Reference], anchors: dict[str, str], walker: _Walker
) -> None:
    """Short citations point to the full citation their CITEREF anchor names; its uses are theirs."""
    for ref_id, result in resolution.built.items():
        if result.anchor:
            anchors.setdefault(result.anchor, ref_id)
    by_id = {reference.id: reference for reference in [*resolution.references, *bibliography]}
    for ref_id, result in resolution.built.items():
        if result.short_anchor is None:
            continue
        target = anchors.get(result.short_anchor)
        if target is None or target == ref_id:
            result.reference.source_flags.append(SourceFlag.no_target)
            continue
        result.reference.full_citation_ref = target
        if by_id[target].kind is ReferenceKind.bibliography:
            by_id[target].uses += result.reference.uses
    for anchor, count in walker.harv_uses.items():
        target = anchors.get(anchor)
        if target is not None:
            by_id[target].uses += count
            resolution.ids[("\x00harv", anchor)] = target


# --------------------------------------------------------------------------- body


def _finish_section(draft: _SectionDraft, ids: dict[Any, str], line_of: Any) -> Section:
    joined = "".join(draft.pieces)
    paragraphs: list[Paragraph] = []
    start = 0
    chunks: list[tuple[str, int]] = []
    for separator in _PARAGRAPH_BREAK_RE.finditer(joined):
        chunks.append((joined[start : separator.start()], start))
        start = separator.end()
    chunks.append((joined[start:], start))
    for chunk, position in chunks:
        leading = len(chunk) - len(chunk.lstrip())
        # (str.split() splits where \s matches: " ".join(split()) is _WHITESPACE_RE.sub(" ", …).strip())
        text = " ".join(chunk.split())
        if "(" in text:
            text = " ".join(_EMPTY_PARENS_RE.sub("", text).split())
        text = _SPACE_BEFORE_PUNCT_RE.sub("", text).strip()
        clean, found = _without_sentinels(text)
        stripped = clean.lstrip()
        shift = len(clean) - len(stripped)
        clean = stripped.rstrip()
        markers: list[Marker] = []
        for index, at in found:
            pending = draft.markers[index]
            ref_id = ids.get(pending.key)
            label = ref_id if ref_id is not None else (pending.ref.name or "")
            offset = min(max(at - shift, 0), len(clean))
            # Built, not validated: every value is already of its field's type (see references.construct).
            markers.append(build(Marker, label=label, offset=offset, ref_id=ref_id))
        if not _WORD_RE.search(clean):
            if markers and paragraphs:
                # A ref standing alone (after a dropped image or template) cites the paragraph before.
                end = len(paragraphs[-1].text)
                paragraphs[-1].markers.extend(marker.model_copy(update={"offset": end}) for marker in markers)
            continue
        source = draft.source_offset(position + leading)
        line = line_of(source) if source is not None else None
        paragraphs.append(build(Paragraph, text=clean, markers=markers, line=line))
    return build(Section, title=draft.title, level=draft.level, paragraphs=paragraphs)


def _without_sentinels(text: str) -> tuple[str, list[tuple[int, int]]]:
    """:func:`~citecheck.documents.markers.extract_markers` with the sentinel pattern, without its models.

    The clean text and, for each marker, its index in the draft's markers and its offset in the clean text.
    """
    if _MARK_OPEN not in text:
        return text, []
    pieces: list[str] = []
    found: list[tuple[int, int]] = []
    position = 0
    clean_length = 0
    for match in _SENTINEL_RE.finditer(text):
        before = text[position : match.start()]
        pieces.append(before)
        clean_length += len(before)
        found.append((int(match["label"]), clean_length))
        position = match.end()
    pieces.append(text[position:])
    return "".join(pieces), found


def _dropped_summary(walker: _Walker) -> str | None:
    parts: list[str] = []
    templates = sum(walker.dropped_templates.values())
    if templates:
        common = ", ".join(name for name, _ in walker.dropped_templates.most_common(5))
        parts.append(f"{templates} templates (most often: {common})")
    for tag, count in sorted(walker.dropped_tags.items()):
        parts.append(f"{count} <{tag}>" if tag != "table" else f"{count} tables")
    for namespace, count in sorted(walker.dropped_links.items()):
        parts.append(f"{count} {namespace}: links")
    return "not read as body text: " + "; ".join(parts) if parts else None


# --------------------------------------------------------------------------- entry points


def _walk_document(text: str, *, fast: bool = True) -> tuple[_Walker, Any]:
    text = _sanitise(text)
    code = parse_wikitext(text)
    walker = _Walker(skip_inert=fast)
    walker.walk(code, 0, "body")
    return walker, text


_COLLECTOR_LOCK = threading.Lock()
_collector_pauses = 0
_collector_was_enabled = False


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off while a document is read (back on when the last concurrent read ends).

    A read allocates some 200,000 tree nodes, Wikicodes and strings per megabyte, all alive until it ends:
    the collector's passes over them found nothing to free and cost about a fifth of the read.  Reference
    counting still frees everything as usual; what cycles a read leaves are collected at the next pass
    after it.
    """
    global _collector_pauses, _collector_was_enabled
    with _COLLECTOR_LOCK:
        if _collector_pauses == 0:
            _collector_was_enabled = gc.isenabled()
            gc.disable()
        _collector_pauses += 1
    try:
        yield
    finally:
        with _COLLECTOR_LOCK:
            _collector_pauses -= 1
            if _collector_pauses == 0 and _collector_was_enabled:
                gc.enable()


def count_ref_tags(text: str) -> RefTagCounts:
    """How each ``<ref`` opening of ``text`` is read (definition, reuse, unparseable, escaped)."""
    with _collector_paused():
        walker, _ = _walk_document(text)
    walker.counts.dangling = _dangling_uses(walker.refs)
    return walker.counts


# mwparserfromhell decodes &#xD800; (and the rest of U+D800–U+DFFF) into a lone surrogate,
# which no UTF-8 report can hold; such an entity means U+FFFD, as in HTML5.
_ESCAPED_REF_RE = re.compile(r"&lt;ref\b", re.I)
_SURROGATE_ENTITY_RE = re.compile(r"&#(?:x0*d[89a-f][0-9a-f]{2}|0*5[5-7][0-9]{3});", re.IGNORECASE)


def read_wikitext(text: str, path: str) -> ParsedDocument:
    """Parse MediaWiki wikitext into body sections with markers and the reference list.

    Never raises on malformed markup: what cannot be read is left out and
    listed in ``notices``.
    """
    with _collector_paused():
        return _read_wikitext(text, path)


# Wikitext copied out of an XML dump's <text> element or a browser's view of the edit box's source arrives
# HTML-escaped: "&lt;ref&gt;" where the article has "<ref>". Read as it stands, every footnote would be
# body text and the article would seem to cite nothing in <ref>s.
_REF_TAG_RE = re.compile(r"<ref[\s>/]", re.IGNORECASE)


def unescaped_wikitext(text: str) -> str | None:
    """The wikitext with its HTML entities decoded when it is an HTML-escaped copy (``&lt;ref&gt;`` and no
    ``<ref>`` tag anywhere), else None. One ``html.unescape`` undoes one escaping exactly: an entity the
    article itself writes (``&nbsp;``) was escaped to ``&amp;nbsp;`` and comes back as written."""
    if _ESCAPED_REF_RE.search(text) is None or _REF_TAG_RE.search(text) is not None:
        return None
    return html.unescape(text)


def _read_wikitext(text: str, path: str, *, fast: bool = True) -> ParsedDocument:
    """:func:`read_wikitext`; ``fast=False`` walks everything (what the fast paths must match, for tests)."""
    unescaped = unescaped_wikitext(text)
    if unescaped is not None:
        text = unescaped
    walker, clean_source = _walk_document(_SURROGATE_ENTITY_RE.sub("&#xFFFD;", text), fast=fast)
    line_starts = [0] + [match.end() for match in re.finditer("\n", clean_source)]

    def line_of(offset: int) -> int:
        return bisect.bisect_right(line_starts, offset)

    resolution = _resolve_references(walker.refs, line_of)
    bibliography, anchors = _bibliography_references(walker, line_of)
    _link_short_citations(resolution, bibliography, anchors, walker)
    walker.counts.dangling = resolution.dangling
    sections = [_finish_section(draft, resolution.ids, line_of) for draft in walker.sections]
    if sections and sections[0].title is None and not sections[0].paragraphs:
        sections = sections[1:]

    counts = walker.counts
    notices = [
        f"<ref> tags: {counts.definitions} definitions ({counts.list_defined} list-defined), "
        f"{counts.reuses} reuses, {counts.unparseable} unparseable, {counts.escaped} in comments/nowiki"
    ]
    if unescaped is not None:
        notices.append(
            "the wikitext is HTML-escaped (&lt;ref&gt; for <ref>, as copied from an XML dump or a page's source "
            "view): read with its entities decoded"
        )
    notices += resolution.notices
    if counts.hidden_uses:
        notices.append(
            f"{counts.hidden_uses} <ref> uses sit in content not read as body (infobox, table, caption, "
            "skipped section): they count in `uses` but leave no marker"
        )
    dropped = _dropped_summary(walker)
    if dropped:
        notices.append(dropped)
    if walker.skipped_sections:
        notices.append(f"sections not read as body: {', '.join(walker.skipped_sections)}")
    if counts.dead_link_templates_outside_refs:
        notices.append(f"{counts.dead_link_templates_outside_refs} {{{{dead link}}}} templates outside any <ref>")
    if bibliography:
        notices.append(f"read {len(bibliography)} citation templates outside <ref> as bibliography entries")
    escaped = len(_ESCAPED_REF_RE.findall(text))
    if escaped:
        notices.append(
            f"{escaped} HTML-escaped ref tags (&lt;ref&gt;) are text, as MediaWiki shows them; if this file is an "
            "escaped copy of the wikitext, unescape it (&lt; → <) to read them as footnotes"
        )
    unlinked = sum(1 for reference in resolution.references if SourceFlag.no_target in reference.source_flags)
    if unlinked:
        notices.append(f"{unlinked} short citations name no bibliography entry of this document")
    return ParsedDocument(
        path=path,
        format="wikitext",
        title=walker.display_title,
        sections=sections,
        references=[*resolution.references, *bibliography],
        notices=notices,
    )
