"""Generic HTML pages (blogs, CMS articles, papers): footnote lists and their markers, or cited links.

* Footnote lists are found by markup (``section.footnotes``, ``role="doc-endnotes"``,
  the Markdown renderers' ``div.footnotes``, WordPress's ``ol.wp-block-footnotes``),
  as a run of note blocks (Substack's ``div.footnote``), or by a heading
  ("References", "Notes", …) followed by a list — or by paragraphs numbered
  ``[1]`` / ``1.`` from one, as hand-written endnotes are; each entry becomes a
  ``footnote`` reference, every link of it classified (original, archive copy,
  identifier).
* Markers are anchors into those lists (``<a href="#fn1">``, ``role="doc-noteref"``),
  a ``<sup>`` around one such anchor, and — what CMS editors type — a ``<sup>[3]</sup>``
  or a bare ``[3]`` without any link, which points to the 3rd entry of the first list.
* A page without such a list cites through its links: each ``http(s)`` anchor
  becomes a ``link`` reference (``L1``, ``L2``…) with a marker where the anchor text ends.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from citecheck.documents.html_tree import (
    HEADINGS,
    BodyWalker,
    Element,
    LinkResolver,
    Policy,
    TextBuilder,
    attr,
    classes,
    collect_text,
    count_uses,
    document_date,
    document_title,
    fragment,
    iter_elements,
    marker_label,
    text_content,
)
from citecheck.documents.text_structure import REFERENCE_HEADINGS, heading_key
from citecheck.models import DocumentFormat, ParsedDocument, Reference, ReferenceKind, Renderer
from citecheck.references import reference_from_text
from citecheck.references.citation_line import MarkupHints

__all__ = ["read_generic"]

_DROP_NAMES = frozenset({"nav", "header", "footer", "aside"})
_DROP_ROLES = frozenset({"navigation", "banner", "contentinfo", "complementary", "search"})
_FOOTNOTE_CLASSES = frozenset({"footnotes", "footnote-list", "endnotes", "references", "reflist", "wp-block-footnotes"})
# One note per block, the blocks side by side (Substack: div.footnote > a.footnote-number + div.footnote-content).
_NOTE_BLOCK_CLASSES = frozenset({"footnote", "footnote-item", "endnote"})
# A hand-written endnote paragraph: "[1] Smith …", "1. Smith …", "1) Smith …".
_NUMBERED_NOTE_RE = re.compile(r"\s*(?:\[(?P<bracketed>\d{1,3})\]|(?P<number>\d{1,3})[.)])\s*")
# Generic footnote-marker hrefs (#fn1, #fn:2, #cite_note-3); a digit is required so
# that table-of-contents links such as "#citations" are not taken for markers.
_FOOTNOTE_HREF_RE = re.compile(r"#(?:fn|cite|note|ref|footnote|endnote)[\w:.\-]*\d[\w:.\-]*", re.I)
# GitHub and remark prefix their ids: "#user-content-fnref-1-2".
_BACKLINK_HREF_RE = re.compile(
    r"#(?:user-content-)?(?:fnref|cite_ref|ref|footnote-ref|footnote-anchor|backref)[\w:.\-]*", re.I
)
_BACKLINK_TEXTS = frozenset({"↩", "↩︎", "^", "↑", "⏎", "back", "return", "⤴"})
_BACKLINK_CLASSES = frozenset(
    {"footnote-backref", "reversefootnote", "footnote-back", "backref", "data-footnote-backref", "footnote-number"}
)
# "↩²": the second backlink of a reused footnote (GitHub, remark-gfm).
_NUMBERED_BACKLINK_RE = re.compile(r"[↩↑^]\ufe0e?\d{1,3}")
# "[3]", "3", "[3, 4]" written without a link.
_BARE_MARKER_RE = re.compile(r"^\[?(?P<numbers>\d{1,3}(?:\s*[,–-]\s*\d{1,3})*)\]?$")
_TEXT_MARKER_RE = re.compile(r"\s*\[(?P<label>\d{1,3})\]")


class _GenericPolicy(Policy):
    marker_tags = frozenset({"sup", "a"})

    def __init__(
        self,
        skipped_lists: set[int],
        note_ids: dict[str, str],
        positions: list[str],
        link_reference: Callable[[Element], str | None] | None,
    ) -> None:
        self.skipped_lists = skipped_lists  # id() of footnote lists read as references
        self.note_ids = note_ids  # element id inside a footnote → reference id
        self.positions = positions  # reference ids of the first list, by position (for bare [3] markers)
        self.link_reference = link_reference

    def dropped(self, element: Element) -> bool:
        return (
            super().dropped(element)
            or element.tag in _DROP_NAMES
            or attr(element, "role") in _DROP_ROLES
            or id(element) in self.skipped_lists
        )

    def marker(self, element: Element) -> tuple[str, str | None] | None:
        if element.tag == "sup":
            anchors = [anchor for anchor in iter_elements(element, "a") if anchor.get("href") is not None]
            if not anchors:
                return self._bare_marker(element)
            # <sup>[<a href="#fn1">1</a>]</sup>: the whole sup is the marker, brackets included.
            if len(anchors) != 1 or marker_label(text_content(element)) != marker_label(text_content(anchors[0])):
                return None
            return self._anchor_marker(anchors[0])
        if element.tag == "a":
            return self._anchor_marker(element)
        return None

    def _bare_marker(self, sup: Element) -> tuple[str, str | None] | None:
        """``<sup>[3]</sup>`` with no link: the 3rd entry of the page's first footnote list."""
        if not self.positions:
            return None
        match = _BARE_MARKER_RE.match(text_content(sup))
        if match is None:
            return None
        label = match["numbers"].split(",")[0].split("–")[0].split("-")[0].strip()
        number = int(label)
        if 1 <= number <= len(self.positions):
            return label, self.positions[number - 1]
        # "2<sup>31</sup>" on a page with one footnote is an exponent; "<sup>[31]</sup>" is a marker to no note.
        return (label, None) if "[" in text_content(sup) else None

    def _anchor_marker(self, anchor: Element) -> tuple[str, str | None] | None:
        href = attr(anchor, "href").strip()
        target = fragment(href) if href.startswith("#") else None
        if target is None:
            return None
        ref_id = self.note_ids.get(target)
        is_marker = (
            ref_id is not None or attr(anchor, "role") == "doc-noteref" or bool(_FOOTNOTE_HREF_RE.fullmatch(href))
        )
        if not is_marker:
            return None
        return marker_label(text_content(anchor)) or (ref_id or target), ref_id

    def text_markers(self, text: str, builder: TextBuilder) -> bool:
        """``… in 2014.[3] Next`` typed as text, on a page with a footnote list."""
        if not self.positions or "[" not in text:
            return False
        position = 0
        found = False
        for match in _TEXT_MARKER_RE.finditer(text):
            number = int(match["label"])
            if not 1 <= number <= len(self.positions):
                continue
            builder.add_text(text[position : match.start()])
            builder.add_marker(match["label"], self.positions[number - 1])
            position = match.end()
            found = True
        if not found:
            return False
        builder.add_text(text[position:])
        return True

    def link_marker(self, element: Element) -> str | None:
        if self.link_reference is None or element.tag != "a" or element.get("href") is None:
            return None
        return self.link_reference(element)


@dataclass
class _NoteList:
    """One reference list: its entries in order, and the elements the body walk leaves out."""

    entries: list[Element]
    drop: list[Element]
    numbered_text: bool = False  # entries open with their number as text ("[1] ", "1. ")
    at: int = 0  # document position, for ordering lists


def read_generic(root: Element, path: str, links: LinkResolver) -> ParsedDocument:
    body_root = _generic_root(root)
    lists = _footnote_lists(root)
    references: list[Reference] = []
    note_ids: dict[str, str] = {}
    positions: list[str] = []
    citation_policy = _GenericPolicy(set(), {}, [], None)
    for list_index, note_list in enumerate(lists):
        prefix = "" if list_index == 0 else f"{list_index + 1}-"
        for position, item in enumerate(note_list.entries, start=1):
            reference_id = f"{prefix}{position}"
            # Ids first: a backlink carrying the note's id (Substack's a.footnote-number) leaves the tree below.
            for element in iter_elements(item):
                element_id = element.get("id")
                if element_id:
                    note_ids.setdefault(element_id, reference_id)
            reference = _footnote_reference(
                item, reference_id, position, citation_policy, links, numbered_text=note_list.numbered_text
            )
            references.append(reference)
            if list_index == 0:
                positions.append(reference.id)

    link_references: dict[str, Reference] = {}
    textless_links = [0]

    def link_reference(anchor: Element) -> str | None:
        url = links.resolve(attr(anchor, "href"))
        if url is None:
            return None
        existing = link_references.get(url)
        if existing is not None:
            return existing.id
        text = text_content(anchor)
        if not text:
            textless_links[0] += 1  # a logo or icon link is page furniture, not a citation in running text
            return None
        reference = reference_from_text(id=f"L{len(link_references) + 1}", raw=text, kind="link", url=url)
        reference.title = text or None
        if reference.date is not None and reference.date.month is None:
            # A bare number in a link's text is a name more often than a year ("RFC 2616", "DR 2082",
            # "Windows 2000"); only a month or a full date dates a running-text link.
            reference.date = None
        link_references[url] = reference
        return reference.id

    dropped = {id(element) for note_list in lists for element in note_list.drop}
    policy = _GenericPolicy(dropped, note_ids, positions, None if lists else link_reference)
    body = BodyWalker(policy).walk(body_root)
    references.extend(link_references.values())
    uses = count_uses(body.sections)
    for reference in references:
        reference.uses = uses[reference.id]
    notices = [f"read {len(lists)} footnote list(s)"] if lists else []
    if textless_links[0]:
        notices.append(f"{textless_links[0]} link(s) without text (images, icons) not read as citations")
    return ParsedDocument(
        path=path,
        format=DocumentFormat.html,
        title=document_title(root),
        date=document_date(root),
        layout="article",
        renderer=Renderer.generic,
        sections=body.sections,
        references=references,
        notices=notices,
    )


def _generic_root(root: Element) -> Element:
    for element in iter_elements(root):
        if element.tag == "main" or attr(element, "role") == "main":
            return element
    articles = list(iter_elements(root, "article"))
    if len(articles) == 1:
        return articles[0]
    body = next(iter_elements(root, "body"), None)
    return body if body is not None else root


def _footnote_lists(root: Element) -> list[_NoteList]:
    """Reference lists in document order: by footnote markup, a run of note blocks, or after a "References" heading."""
    found: dict[int, _NoteList] = {}
    order: dict[int, int] = {}
    headings: list[Element] = []
    note_blocks: list[Element] = []
    for index, element in enumerate(iter_elements(root)):
        tag = element.tag
        order[id(element)] = index
        if tag in HEADINGS:
            headings.append(element)
        names = classes(element)
        if tag == "div" and names & _NOTE_BLOCK_CLASSES and not names & _FOOTNOTE_CLASSES:
            note_blocks.append(element)
        if (names & _FOOTNOTE_CLASSES and tag in ("section", "div", "aside", "ol")) or attr(
            element, "role"
        ) == "doc-endnotes":
            target = (
                element
                if tag in ("ol", "ul")
                else next((child for child in iter_elements(element) if child.tag in ("ol", "ul")), None)
            )
            if target is not None:
                found.setdefault(id(target), _items(target))
    for heading in headings:
        if heading_key(text_content(heading)) not in REFERENCE_HEADINGS:
            continue
        target = _list_after(heading)
        if target is not None:
            found.setdefault(id(target), _items(target))
        else:
            paragraphs = _numbered_paragraphs_after(heading)
            if paragraphs:
                found.setdefault(id(paragraphs[0]), _NoteList(paragraphs, paragraphs, numbered_text=True))
    blocks = _note_block_run(note_blocks)
    if blocks and not any(id(parent) in found for parent in blocks[0].iterancestors()):
        found.setdefault(id(blocks[0]), _NoteList(blocks, blocks))
    # Nested lists inside one already found are that list's content, not separate lists.
    lists = [
        note_list
        for key, note_list in found.items()
        if note_list.entries
        and not any(id(parent) in found for element in note_list.drop[:1] for parent in element.iterancestors())
    ]
    for note_list in lists:
        note_list.at = order.get(id(note_list.drop[0]), 0)
    return sorted(lists, key=lambda note_list: note_list.at)


def _items(list_element: Element) -> _NoteList:
    return _NoteList([child for child in list_element if child.tag == "li"], [list_element])


def _note_block_run(blocks: list[Element]) -> list[Element]:
    """The note blocks (``div.footnote``) not nested in one another, when two or more share a parent or one stands
    with a link back into the text (a page with one footnote)."""
    outer = [block for block in blocks if not any(parent in blocks for parent in block.iterancestors())]
    if not outer:
        return []
    parent = outer[0].getparent()
    run = [block for block in outer if block.getparent() is parent]
    if len(run) == 1 and not any(_is_backlink(anchor) for anchor in iter_elements(run[0], "a")):
        return []
    return run


def _numbered_paragraphs_after(heading: Element, limit: int = 2000) -> list[Element]:
    """Paragraphs after ``heading`` written as numbered notes from one ("[1] …", "1. …"), up to the next heading."""
    entries: list[Element] = []
    for count, element in enumerate(heading.itersiblings()):
        if count > limit or not isinstance(element.tag, str) or element.tag in HEADINGS:
            break
        if element.tag not in ("p", "div"):
            continue
        match = _NUMBERED_NOTE_RE.match(text_content(element))
        if match is None:
            if entries:
                break
            continue
        if int(match["bracketed"] or match["number"]) != len(entries) + 1:
            break
        entries.append(element)
    return entries


def _list_after(heading: Element, limit: int = 2000) -> Element | None:
    """The first ``ol``/``ul`` after ``heading`` and before the next heading."""
    for count, element in enumerate(heading.itersiblings()):
        if count > limit:
            return None
        if not isinstance(element.tag, str):
            continue
        if element.tag in HEADINGS:
            return None
        if element.tag in ("ol", "ul"):
            return element
        for inner in iter_elements(element):
            if inner.tag in HEADINGS:
                return None
            if inner.tag in ("ol", "ul"):
                return inner
    parent = heading.getparent()
    # A heading wrapped in its own element (<div class="heading"><h2>…</h2></div>): look after the wrapper.
    if parent is not None and parent.tag not in ("body", "html", "main", "article", "section") and len(parent) == 1:
        return _list_after(parent, limit)
    return None


def _footnote_reference(
    item: Element, ref_id: str, position: int, policy: Policy, links: LinkResolver, *, numbered_text: bool = False
) -> Reference:
    backlinks = [anchor for anchor in iter_elements(item, "a") if _is_backlink(anchor)]
    for anchor in backlinks:
        _remove_keeping_tail(anchor)  # out of the raw text; they are navigation
    raw, _ = collect_text(item, policy)
    if numbered_text:
        match = _NUMBERED_NOTE_RE.match(raw)
        raw = raw[match.end() :] if match else raw
    anchors: list[tuple[str, str | None]] = []
    for anchor in iter_elements(item, "a"):
        url = links.resolve(attr(anchor, "href"))
        if url is not None:
            anchors.append((url, text_content(anchor) or None))
    reference = reference_from_text(
        id=ref_id, raw=raw, number=position, kind=ReferenceKind.footnote, links=anchors, hints=_hints(item)
    )
    reference.name = attr(item, "id") or None
    reference.anchor = reference.name
    reference.backlinks = len(backlinks) or None
    return reference


def _remove_keeping_tail(element: Element) -> None:
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail
    previous = element.getprevious()
    parent.remove(element)
    if tail:
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail


def _hints(item: Element) -> MarkupHints | None:
    """An italic or ``<cite>`` name in a blog footnote is the work (``<em>The Daily Example</em>``)."""
    for element in iter_elements(item):
        if element.tag in ("i", "em", "cite"):
            text = text_content(element)
            if text and not (text[0] in '"“' and text[-1] in '"”'):
                return MarkupHints(work=text)
    return None


def _is_backlink(anchor: Element) -> bool:
    href = attr(anchor, "href")
    return (
        bool(classes(anchor) & _BACKLINK_CLASSES)
        or attr(anchor, "role") == "doc-backlink"
        or bool(_BACKLINK_HREF_RE.fullmatch(href))
        or anchor.get("data-footnote-backref") is not None
        or (href.startswith("#") and _backlink_text(text_content(anchor)))
    )


def _backlink_text(text: str) -> bool:
    return text in _BACKLINK_TEXTS or bool(_NUMBERED_BACKLINK_RE.fullmatch(text))
