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
import re
from collections import Counter
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

from citecheck.dates import PartialDate, parse_date
from citecheck.documents.markers import extract_markers
from citecheck.models import Marker, Paragraph, ParsedDocument, Reference, Section
from citecheck.references import reference_from_text
from citecheck.references.archive_urls import parse_archive_url

__all__ = ["RefTagCounts", "count_ref_tags", "read_wikitext"]

# Where a node sits: running body text, content not read as body (infoboxes,
# tables, captions, skipped sections), or a list-defined reference list.
Mode = Literal["body", "hidden", "reflist"]

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

_CITE_TEMPLATE_RE = re.compile(r"^(?:v?cite\s+\S.*|citation)$")
_DEAD_LINK_TEMPLATES = frozenset(
    {"dead link", "deadlink", "dead-link", "dead url", "deadurl", "404", "broken link", "link broken", "cbignore"}
)
_PERMANENT_DEAD_TEMPLATES = frozenset({"permanent dead link", "permanently dead link", "permanent deadlink"})
_WEBARCHIVE_TEMPLATES = frozenset({"webarchive", "web archive"})
_ATTACHED_TEMPLATES = _DEAD_LINK_TEMPLATES | _PERMANENT_DEAD_TEMPLATES | _WEBARCHIVE_TEMPLATES
_REFLIST_TEMPLATES = frozenset({"reflist", "references", "refs", "notelist", "reflist-talk"})
_SHORT_FOOTNOTE_TEMPLATES = frozenset({"sfn", "sfnp", "sfnm", "harvnb", "efn", "efn-ua", "efn-la"})

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

_AUTHOR_KEY_RE = re.compile(r"^(?:author|last|surname)(?P<index>\d*)$")
_WORK_KEYS = (
    "work",
    "website",
    "newspaper",
    "journal",
    "magazine",
    "periodical",
    "encyclopedia",
    "encyclopaedia",
    "dictionary",
)
_DEAD_STATUS = frozenset({"dead", "unfit", "usurped", "yes", "y", "true"})
_LIVE_STATUS = frozenset({"live", "no", "n", "false"})


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

    @property
    def is_definition(self) -> bool:
        return self.content is not None


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


def _template_name(template: Any) -> str:
    name = template.name.strip_code() if hasattr(template.name, "strip_code") else str(template.name)
    return _WHITESPACE_RE.sub(" ", str(name).replace("_", " ")).strip().lower()


def _plain(code: Any) -> str:
    """Wikicode as the reader sees it: markup stripped, entities decoded, whitespace collapsed."""
    text = str(code.strip_code(normalize=True, collapse=True)) if hasattr(code, "strip_code") else str(code)
    return _WHITESPACE_RE.sub(" ", text).strip()


def _without_comments(code: Any) -> str:
    return "".join(str(node) for node in code.nodes if not isinstance(node, Comment)).strip()


def _sanitise(text: str) -> str:
    return text.replace(_MARK_OPEN, "\ufffd").replace(_MARK_CLOSE, "\ufffd")


def _loose_attributes(attrs: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for match in _LOOSE_ATTR_RE.finditer(attrs):
        value = match["dq"] if match["dq"] is not None else match["sq"] if match["sq"] is not None else match["bare"]
        values[match["key"].lower()] = (value or "").strip()
    return values


def _tag_attributes(tag: Any) -> dict[str, str]:
    values: dict[str, str] = {}
    for attribute in tag.attributes:
        key = str(attribute.name).strip().lower()
        value = str(attribute.value).strip() if attribute.value is not None else ""
        values[key] = value
    return values


def _children_with_offsets(node: Any, offset: int) -> list[tuple[Any, int]]:
    """The child Wikicodes of ``node`` with their source offsets (found in the node's own text)."""
    text = str(node)
    cursor = 0
    children: list[tuple[Any, int]] = []
    for child in node.__children__():
        child_text = str(child)
        index = text.find(child_text, cursor) if child_text else -1
        if index < 0:
            index = cursor
        children.append((child, offset + index))
        cursor = index + len(child_text)
    return children


def _contents_offset(node: Any, offset: int) -> int:
    contents = str(node.contents)
    opening_end = str(node).find(">") + 1 if not node.wiki_markup else len(str(node.wiki_markup))
    index = str(node).find(contents, max(opening_end, 0)) if contents else -1
    return offset + (index if index >= 0 else 0)


class _Walker:
    """Walks the parse tree once, collecting body drafts, ref occurrences and notices."""

    def __init__(self) -> None:
        self.sections: list[_SectionDraft] = [_SectionDraft(title=None, level=1)]
        self.refs: list[_RefTag] = []
        self.counts = RefTagCounts()
        self.dropped_templates: Counter[str] = Counter()
        self.dropped_tags: Counter[str] = Counter()
        self.dropped_links: Counter[str] = Counter()
        self.skipped_sections: list[str] = []
        self.short_footnotes = 0
        self.skip_below: int | None = None  # level of the non-body section being skipped
        self.attached_ids: set[int] = set()
        self.display_title: str | None = None

    # -- emission -----------------------------------------------------------------

    @property
    def draft(self) -> _SectionDraft:
        return self.sections[-1]

    def _body_mode(self, mode: Mode) -> Mode:
        return "hidden" if mode == "body" and self.skip_below is not None else mode

    def emit_text(self, text: str, offset: int | None, mode: Mode) -> None:
        if self._body_mode(mode) != "body" or not text:
            return
        text = _sanitise(text)
        draft = self.draft
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
        position = offset
        nodes = list(code.nodes)
        for index, node in enumerate(nodes):
            self.visit(node, position, mode, nodes[index + 1 :])
            position += len(str(node))

    def walk_children(self, node: Any, offset: int, mode: Mode) -> None:
        for child, child_offset in _children_with_offsets(node, offset):
            self.walk(child, child_offset, mode)

    def visit(self, node: Any, offset: int, mode: Mode, following: list[Any]) -> None:
        if isinstance(node, Text):
            self.visit_text(str(node), offset, mode)
        elif isinstance(node, Tag):
            self.visit_tag(node, offset, mode, following)
        elif isinstance(node, Template):
            self.visit_template(node, offset, mode)
        elif isinstance(node, Wikilink):
            self.visit_wikilink(node, offset, mode)
        elif isinstance(node, ExternalLink):
            if node.title is not None and str(node.title).strip():
                self.walk(node.title, _contents_offset_of(node, node.title, offset), mode)
            elif not node.brackets:
                self.emit_text(str(node.url), offset, mode)
        elif isinstance(node, HTMLEntity):
            self.emit_text(node.normalize(), None, mode)
        elif isinstance(node, Heading):
            self.visit_heading(node, offset, mode)
        elif isinstance(node, Comment):
            self.counts.escaped += len(_REF_OPENING_RE.findall(str(node)))
        else:  # arguments, parser functions in other shapes: not body text
            self.walk_children(node, offset, "hidden" if mode == "body" else mode)

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

    def visit_tag(self, node: Any, offset: int, mode: Mode, following: list[Any]) -> None:
        tag = str(node.tag).strip().lower()
        if tag == "ref":
            self.visit_ref(node, offset, mode, following)
        elif tag == "nowiki":
            contents = str(node.contents) if node.contents is not None else ""
            self.counts.escaped += len(_REF_OPENING_RE.findall(contents))
            self.emit_text(contents, _contents_offset(node, offset), mode)
        elif tag == "references":
            if node.contents is not None:
                self.walk(node.contents, _contents_offset(node, offset), "reflist")
        elif tag in _HIDDEN_TAGS:
            if self._body_mode(mode) == "body":
                self.dropped_tags[tag] += 1
            self.emit_break(mode)
            if node.contents is not None:
                self.walk(node.contents, _contents_offset(node, offset), "hidden" if mode == "body" else mode)
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
            self.walk(node.contents, _contents_offset(node, offset), mode)

    def visit_ref(self, node: Any, offset: int, mode: Mode, following: list[Any]) -> None:
        attributes = _tag_attributes(node)
        name = attributes.get("name") or None
        group = attributes.get("group", "")
        content = node.contents if node.contents is not None and str(node.contents).strip() else None
        if content is None and not name:
            # <ref></ref> or <ref/>: an empty definition, kept so CC101 can report it.
            content = mwparserfromhell.parse("")
        raw = str(content).strip() if content is not None else ""
        attached: list[Any] = []
        for sibling in following:
            if isinstance(sibling, Text) and not str(sibling).strip():
                continue
            if isinstance(sibling, Template) and _template_name(sibling) in _ATTACHED_TEMPLATES:
                attached.append(sibling)
                self.attached_ids.add(id(sibling))
                continue
            break
        self.add_ref(_RefTag(offset, name, group, content, raw, mode), attached, mode)

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
        if ref.mode == "hidden":
            self.counts.hidden_uses += 1
        if ref.content is not None:
            for template in ref.content.filter_templates(recursive=True):
                if _template_name(template) in _DEAD_LINK_TEMPLATES | _PERMANENT_DEAD_TEMPLATES:
                    self.counts.dead_link_templates += 1
        if ref.mode == "body":
            index = len(self.draft.markers)
            self.draft.markers.append(_PendingMarker(ref, _ref_key(ref)))
            self.draft.add(f"{_MARK_OPEN}{index}{_MARK_CLOSE}")

    def visit_template(self, node: Any, offset: int, mode: Mode) -> None:
        name = _template_name(node)
        if name in _DEAD_LINK_TEMPLATES | _PERMANENT_DEAD_TEMPLATES:
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
                child_offset = offset + max(str(node).find(str(parameter.value)), 0)
                self.walk(parameter.value, child_offset, "reflist" if key == "refs" else "hidden")
            return
        if name in _SHORT_FOOTNOTE_TEMPLATES:
            self.short_footnotes += 1
        inline = _inline_template_text(name, node)
        if inline is not None:
            self.emit_text(inline, None, mode)
        elif self._body_mode(mode) == "body" and name not in _ATTACHED_TEMPLATES:
            self.dropped_templates[name] += 1
        self.walk_children(node, offset, "hidden" if mode == "body" else mode)

    def visit_wikilink(self, node: Any, offset: int, mode: Mode) -> None:
        target = str(node.title).strip().lower()
        if target.startswith(_HIDDEN_NAMESPACES) or (_INTERLANGUAGE_RE.match(target) and node.text is None):
            if self._body_mode(mode) == "body":
                self.dropped_links[target.split(":", 1)[0]] += 1
            self.walk_children(node, offset, "hidden" if mode == "body" else mode)
            return
        if node.text is not None:
            self.walk(node.text, _contents_offset_of(node, node.text, offset), mode)
        else:
            self.emit_text(_plain(node.title).lstrip(":"), offset + 2, mode)


def _contents_offset_of(node: Any, child: Any, offset: int) -> int:
    index = str(node).rfind(str(child))
    return offset + max(index, 0)


def _positional(template: Any) -> list[str]:
    return [_plain(parameter.value) for parameter in template.params if not parameter.showkey]


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
    """Parameter name → value Wikicode; a repeated parameter keeps its last value, as MediaWiki does."""
    fields: dict[str, Any] = {}
    for parameter in template.params:
        key = str(parameter.name).strip().lower().replace("_", "-")
        fields[key] = parameter.value
    return fields


def _field_text(fields: dict[str, Any], *keys: str) -> str | None:
    for key in keys:
        value = fields.get(key)
        if value is not None:
            text = _plain(value)
            if text:
                return text
    return None


def _field_url(fields: dict[str, Any], *keys: str) -> str | None:
    for key in keys:
        value = fields.get(key)
        if value is not None:
            text = _without_comments(value)
            if text:
                return text
    return None


def _authors(fields: dict[str, Any]) -> list[str]:
    indices: set[int] = set()
    for key in fields:
        match = _AUTHOR_KEY_RE.match(key)
        if match:
            indices.add(int(match["index"] or 1))
    authors: list[str] = []
    for index in sorted(indices):
        suffixes = (str(index), "") if index == 1 else (str(index),)
        author = _field_text(fields, *(f"author{suffix}" for suffix in suffixes))
        last = _field_text(fields, *(f"{key}{suffix}" for suffix in suffixes for key in ("last", "surname")))
        first = _field_text(fields, *(f"{key}{suffix}" for suffix in suffixes for key in ("first", "given")))
        if last:
            authors.append(f"{first} {last}" if first else last)
        elif author:
            authors.append(author)
    listed = _field_text(fields, "authors", "vauthors")
    if listed and not authors:
        separator = ";" if ";" in listed else ","
        authors = [part.strip() for part in listed.split(separator) if part.strip()]
    return authors


def _cite_date(fields: dict[str, Any]) -> PartialDate | None:
    stated = parse_date(_field_text(fields, "date", "publication-date"))
    if stated is not None:
        return stated
    year = _field_text(fields, "year")
    month = _field_text(fields, "month")
    if year and month:
        combined = parse_date(f"{month} {year}")
        if combined is not None:
            return combined
    return parse_date(year)


def _is_pdf(url: str | None) -> bool:
    return bool(url) and str(url).split("?", 1)[0].split("#", 1)[0].lower().endswith(".pdf")


def _reference_from_template(
    template: Any, *, id: str, number: int, raw: str, line: int | None, flags: list[str]
) -> Reference:
    fields = _template_fields(template)
    url = _field_url(fields, "url", "chapter-url", "chapterurl")
    archive_url = _field_url(fields, "archive-url", "archiveurl")
    status = (_field_text(fields, "url-status", "dead-url", "deadurl") or "").lower()
    if status in _DEAD_STATUS:
        flags.append("url-status-dead")
    elif status in _LIVE_STATUS:
        flags.append("url-status-live")
    file_format = _field_text(fields, "format") or ("PDF" if _is_pdf(url) else None)
    return Reference(
        id=id,
        number=number,
        kind="template",
        raw=raw,
        title=_field_text(fields, "title", "trans-title", "script-title", "chapter"),
        authors=_authors(fields),
        work=_field_text(fields, *_WORK_KEYS),
        publisher=_field_text(fields, "publisher", "institution"),
        date=_cite_date(fields),
        access_date=parse_date(_field_text(fields, "access-date", "accessdate")),
        archive_date=parse_date(_field_text(fields, "archive-date", "archivedate")),
        url=url,
        archive_url=archive_url,
        format=file_format,
        source_flags=flags,
        line=line,
    )


def _first_external_url(content: Any) -> str | None:
    for link in content.filter_external_links(recursive=True):
        return str(link.url).strip() or None
    return None


def _build_reference(definition: _RefTag, *, id: str, number: int, name: str | None, line: int | None) -> Reference:
    content = definition.content
    templates = list(content.filter_templates(recursive=True)) if content is not None else []
    templates += definition.attached
    flags: list[str] = []
    archive_url: str | None = None
    archive_date: PartialDate | None = None
    for template in templates:
        template_name = _template_name(template)
        if template_name in _DEAD_LINK_TEMPLATES and "dead-link" not in flags:
            flags.append("dead-link")
        elif template_name in _PERMANENT_DEAD_TEMPLATES and "permanent-dead-link" not in flags:
            flags.append("permanent-dead-link")
        elif template_name in _WEBARCHIVE_TEMPLATES and archive_url is None:
            fields = _template_fields(template)
            archive_url = _field_url(fields, "url", "url1")
            archive_date = parse_date(_field_text(fields, "date", "date1"))
    cite = next((template for template in templates if _CITE_TEMPLATE_RE.match(_template_name(template))), None)
    # A free-text footnote as rendered: link titles kept, templates ({{dead link}} …) gone.
    rendered = _plain(content) if content is not None else ""
    own_templates = [template for template in templates if _template_name(template) not in _ATTACHED_TEMPLATES]
    if cite is None and own_templates and not _WORD_RE.search(rendered):
        # A ref holding only a citation template of its own kind ({{SCref|…}}): read the
        # fields CS1 names it shares, and say the rest was not read rather than call it empty.
        cite = own_templates[0]
        flags.append("unread-template")
    if cite is not None:
        reference = _reference_from_template(cite, id=id, number=number, raw=definition.raw, line=line, flags=flags)
    else:
        parsed = reference_from_text(
            id=id,
            raw=rendered,
            number=number,
            kind="footnote",
            line=line,
            url=_first_external_url(content) if content is not None else None,
        )
        merged_flags = list(parsed.source_flags) + [flag for flag in flags if flag not in parsed.source_flags]
        reference = parsed.model_copy(update={"raw": definition.raw, "source_flags": merged_flags})
    update: dict[str, Any] = {"name": name}
    if reference.archive_url is None and archive_url:
        update["archive_url"] = archive_url
        update["archive_date"] = reference.archive_date or archive_date
    final_archive_url = update.get("archive_url", reference.archive_url)
    if final_archive_url:
        archived = parse_archive_url(final_archive_url)
        if archived is not None:
            update["archive_url_time"] = archived.timestamp
    elif reference.url:
        # A cite whose url is itself an archive copy: the original is what to test for life.
        archived = parse_archive_url(reference.url)
        if archived is not None and archived.original_url:
            update.update(url=archived.original_url, archive_url=reference.url, archive_url_time=archived.timestamp)
    return reference.model_copy(update=update)


@dataclass
class _Resolution:
    references: list[Reference]
    ids: dict[tuple[str, str] | tuple[str, int], str]
    notices: list[str]
    dangling: int


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
    conflicting: list[str] = []
    for ref in refs:
        key = _ref_key(ref)
        if ref.is_definition:
            known = definitions.get(key)
            if known is None:
                definitions[key] = ref
            elif known.raw != ref.raw and ref.name:
                conflicting.append(ref.name)
        if ref.mode != "reflist":
            uses[key] += 1
            if key not in order:
                order.append(key)
    # List-defined references nobody cites still get numbers, after the cited ones.
    order += [key for key in definitions if key not in order]

    references: list[Reference] = []
    ids: dict[tuple[str, str] | tuple[str, int], str] = {}
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
        reference = _build_reference(
            definition, id=ref_id, number=number, name=definition.name, line=line_of(definition.offset)
        )
        references.append(reference.model_copy(update={"uses": uses[key]}))
    notices: list[str] = []
    unread = sorted({reference.raw for reference in references if "unread-template" in reference.source_flags})
    if unread:
        shown = ", ".join(unread[:5]) + (" …" if len(unread) > 5 else "")
        notices.append(f"{len(unread)} refs hold only templates that are not CS1 citations, fields not read: {shown}")
    if dangling_names:
        notices.append(f"<ref name=…/> reuses of names defined nowhere: {', '.join(sorted(set(dangling_names)))}")
    if conflicting:
        notices.append(
            f"named refs defined twice with different text (first kept): {', '.join(sorted(set(conflicting)))}"
        )
    return _Resolution(references, ids, notices, _dangling_uses(refs))


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
        text = _WHITESPACE_RE.sub(" ", chunk).strip()
        text = _EMPTY_PARENS_RE.sub("", text)
        text = _SPACE_BEFORE_PUNCT_RE.sub("", _WHITESPACE_RE.sub(" ", text)).strip()
        clean, found = extract_markers(text, _SENTINEL_RE)
        stripped = clean.lstrip()
        shift = len(clean) - len(stripped)
        clean = stripped.rstrip()
        markers: list[Marker] = []
        for marker in found:
            pending = draft.markers[int(marker.label)]
            ref_id = ids.get(pending.key)
            label = ref_id if ref_id is not None else (pending.ref.name or "")
            offset = min(max(marker.offset - shift, 0), len(clean))
            markers.append(Marker(label=label, offset=offset, ref_id=ref_id))
        if not _WORD_RE.search(clean):
            if markers and paragraphs:
                # A ref standing alone (after a dropped image or template) cites the paragraph before.
                end = len(paragraphs[-1].text)
                paragraphs[-1].markers.extend(marker.model_copy(update={"offset": end}) for marker in markers)
            continue
        source = draft.source_offset(position + leading)
        paragraphs.append(Paragraph(text=clean, markers=markers, line=line_of(source) if source is not None else None))
    return Section(title=draft.title, level=draft.level, paragraphs=paragraphs)


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


def _walk_document(text: str) -> tuple[_Walker, Any]:
    text = _sanitise(text)
    code = mwparserfromhell.parse(text)
    walker = _Walker()
    walker.walk(code, 0, "body")
    return walker, text


def count_ref_tags(text: str) -> RefTagCounts:
    """How each ``<ref`` opening of ``text`` is read (definition, reuse, unparseable, escaped)."""
    walker, _ = _walk_document(text)
    walker.counts.dangling = _dangling_uses(walker.refs)
    return walker.counts


# mwparserfromhell decodes &#xD800; (and the rest of U+D800–U+DFFF) into a lone surrogate,
# which no UTF-8 report can hold; such an entity means U+FFFD, as in HTML5.
_SURROGATE_ENTITY_RE = re.compile(r"&#(?:x0*d[89a-f][0-9a-f]{2}|0*5[5-7][0-9]{3});", re.IGNORECASE)


def read_wikitext(text: str, path: str) -> ParsedDocument:
    """Parse MediaWiki wikitext into body sections with markers and the reference list.

    Never raises on malformed markup: what cannot be read is left out and
    listed in ``notices``.
    """
    walker, clean_source = _walk_document(_SURROGATE_ENTITY_RE.sub("&#xFFFD;", text))
    line_starts = [0] + [match.end() for match in re.finditer("\n", clean_source)]

    def line_of(offset: int) -> int:
        return bisect.bisect_right(line_starts, offset)

    resolution = _resolve_references(walker.refs, line_of)
    walker.counts.dangling = resolution.dangling
    sections = [_finish_section(draft, resolution.ids, line_of) for draft in walker.sections]
    if sections and sections[0].title is None and not sections[0].paragraphs:
        sections = sections[1:]

    counts = walker.counts
    notices = [
        f"<ref> tags: {counts.definitions} definitions ({counts.list_defined} list-defined), "
        f"{counts.reuses} reuses, {counts.unparseable} unparseable, {counts.escaped} in comments/nowiki"
    ]
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
    if walker.short_footnotes:
        notices.append(f"{walker.short_footnotes} {{{{sfn}}}}/{{{{efn}}}} short footnotes not read as references")
    return ParsedDocument(
        path=path,
        format="wikitext",
        title=walker.display_title,
        sections=sections,
        references=resolution.references,
        notices=notices,
    )
