"""MediaWiki-rendered HTML, read the way MediaWiki structures it: Parsoid and the legacy parser.

Both renderings share the Cite extension's shape: in-text markers (``sup``)
linking to reference-list items (``ol.references > li#cite_note-…``), groups
with their own lists, backlinks in each item.  They differ in what else they carry:

* **Parsoid** (REST API ``/page/html``, VisualEditor, the mobile apps): markers
  are ``sup[typeof~="mw:Extension/ref"]`` (``sup.mw-ref``) with ``data-mw``; the
  list is ``ol.mw-references`` with ``data-mw-group``; sub-references (details
  attached to a reused reference) are ``ol.mw-subreference-list`` items; every
  template's source parameters are in the ``data-mw`` JSON of its first element.
  A reference's fields are read **from those parameters**, through the field
  mapping the wikitext reader uses (:mod:`citecheck.references.cite_templates`),
  and from the rendered text only where the reference is hand-written or its
  template data is unusable.
* **Legacy parser output** (``.mw-parser-output``, desktop and mobile skins):
  markers are ``sup.reference``; fields come from the rendered citation, with
  the markup's own structure where it states it: the COinS span (``rft.atitle``,
  ``rft.jtitle``, ``rft.btitle``, ``rft.pub``, ``rft_id``), the italics that set
  the work apart, the ``<cite>`` element's class (book or periodical).

In both, identifier links (doi.org, PubMed, WorldCat, ``Special:BookSources``…)
become identifiers, never the URL; ``{{rp}}`` page locators (``sup.reference``
without a note link) are not markers; backlink labels never reach the fields;
full citations outside the footnotes (``cite.citation`` in a Bibliography or
Sources section) are bibliography references, and short citations linking to
them (``#CITEREF…``) point there.

Reference ids: a list whose group is known (``data-mw-group``, or the group
name in its markers' labels, ``[n 1]``) is numbered ``"n-1"``, ``"n-2"``… as
the wikitext reader numbers groups; the default group ``"1"``, ``"2"``…; any
other list gets its position as a prefix (``"2-1"``).  Sub-references are
``"<main id>.<k>"``; bibliography entries ``"B1"``, ``"B2"``….
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from citecheck.dates import PartialDate
from citecheck.documents.html_tree import (
    CITED_ONLY,
    DROPPED,
    KEPT,
    NEVER_TEXT,
    Body,
    BodyWalker,
    Element,
    LinkResolver,
    Policy,
    Visit,
    attr,
    classes,
    collect_text,
    date_in_text,
    document_date,
    document_title,
    element_by_id,
    first_with_class,
    fragment,
    has_class,
    hiding_style,
    iter_elements,
    marker_label,
    parse_date_value,
    text_content,
)
from citecheck.documents.html_tree import (
    count_uses as count_marker_uses,
)
from citecheck.models import (
    DocumentFormat,
    Identifiers,
    ParsedDocument,
    Reference,
    ReferenceKind,
    Renderer,
    Section,
    SourceFlag,
)
from citecheck.references import reference_from_template, reference_from_text, sub_reference
from citecheck.references.archive_urls import parse_archive_url
from citecheck.references.citation_line import MarkupHints
from citecheck.references.cite_templates import (
    DEAD_LINK_TEMPLATES,
    PERMANENT_DEAD_TEMPLATES,
    WEBARCHIVE_TEMPLATES,
    TemplateCitation,
    is_cite_template,
    normalise_template_name,
    read_cite_template,
    read_webarchive_template,
    wikitext_plain,
    wikitext_raw,
)
from citecheck.references.coins import COINS_FIELD_KEYS, coins_fields, read_coins
from citecheck.references.construct import build
from citecheck.references.identifiers import (
    identifier_in_url,
    merge_identifiers,
    normalize_identifier,
)
from citecheck.references.links import choose_links, classify_link, may_name_identifier

__all__ = ["read_mediawiki"]

# MediaWiki chrome inside the content area: edit links, hatnotes, the table of contents, coordinates,
# "[citation needed]"-style inline templates (noprint), navbars, maintenance boxes; the mobile apps'
# edit buttons and collapsed-table summaries.
_BODY_DROP_CLASSES = frozenset(
    {
        "mw-editsection",
        "hatnote",
        "toc",
        "noprint",
        "navbar",
        "mw-cite-backlink",
        "mw-linkback-text",
        "metadata",
        "ambox",
        "mbox-small",
        "sistersitebox",
        "mw-empty-elt",
        "Z3988",
        "pcs-edit-section-link-container",
        "pcs-collapse-table-collapsed-container",
        "pcs-collapse-table-collapsed-bottom",
        "mw-ext-cite-error",
        "vector-toc",
    }
)
_BODY_DROP_IDS = frozenset({"toc", "coordinates", "siteSub", "contentSub", "jump-to-nav"})
# Inside a citation: hidden COinS, maintenance messages, CS1 error messages and nested markers are not
# part of what the citation says.  "[dead link]" templates (noprint) stay: they are the source's own flag.
_CITATION_DROP_CLASSES = frozenset(
    {
        "mw-cite-backlink",
        "mw-linkback-text",
        "Z3988",
        "cs1-maint",
        "cs1-hidden-error",
        "cs1-visible-error",
        "citation-comment",
        "mw-ext-cite-error",
        "reference",
        "mw-ref",
    }
)
# Areas whose content is not prose: only their cited rows/items are kept.
_CITED_ONLY_CLASSES = frozenset(
    {"reflist", "references", "mw-references", "refbegin", "navbox", "vertical-navbox", "infobox"}
)
# "n 1" → group "n"; "12" → group ""; "group 1.1" → group "group".
_GROUP_LABEL_RE = re.compile(r"(?P<group>.*?)\s*(?P<number>\d+)(?:\.\d+)?")
_NOTE_ID_RE = re.compile(r"^cite_note-(?P<name>.+)-(?P<number>\d+)$")
_CITE_CLASSES_WITH_ITALIC_TITLE = frozenset(
    {"book", "thesis", "report", "map", "encyclopaedia-book", "av-media", "audio-visual", "episode"}
)
_QUOTES = "\"“”„«»'‘’"


def _is_ref_marker(element: Element) -> bool:
    """A Cite marker: ``sup.reference`` (legacy), ``sup.mw-ref`` / ``typeof=mw:Extension/ref`` (Parsoid)."""
    if element.tag != "sup":
        return False
    typeof = element.get("typeof")
    if typeof and "mw:Extension/ref" in typeof:
        return True
    value = element.get("class")
    if value is None:
        return False
    names = value.split()
    return "reference" in names or "mw-ref" in names


def _note_target(marker: Element) -> str | None:
    """The reference-list item a marker links to (``cite_note-…``), or None ({{rp}}, broken markup)."""
    for anchor in marker.iter("a"):
        href = anchor.get("href")
        if href:
            target = fragment(href)
            if target and target.startswith("cite_note"):
                return target
    return None


class _NoteTargets:
    """:func:`_note_target` of each marker, read once per marker (the groups, the body walk's drop test and
    the marker itself ask)."""

    __slots__ = ("known", "labels")

    def __init__(self) -> None:
        self.known: dict[Element, str | None] = {}  # the elements themselves: their proxies stay alive
        self.labels: dict[Element, str] = {}

    def of(self, marker: Element) -> str | None:
        known = self.known
        if marker in known:
            return known[marker]
        target = known[marker] = _note_target(marker)
        return target

    def label(self, marker: Element) -> str:
        """The marker's text as a label (``[n 1]`` → ``n 1``), read once (the groups and the body walk ask)."""
        label = self.labels.get(marker)
        if label is None:
            label = self.labels[marker] = marker_label(text_content(marker))
        return label


def _is_parsoid_ref(element: Element) -> bool:
    typeof = element.get("typeof")
    return typeof is not None and "mw:Extension/ref" in typeof


class _MediaWikiPolicy(Policy):
    marker_tags = frozenset({"sup"})  # _is_ref_marker

    def __init__(
        self,
        note_ids: dict[str, str],
        drop_classes: frozenset[str],
        drop_ids: frozenset[str],
        targets: _NoteTargets | None = None,
    ) -> None:
        self.note_ids = note_ids  # cite_note anchor → reference id
        self.drop_classes = drop_classes
        self.drop_ids = drop_ids
        self.targets = targets if targets is not None else _NoteTargets()
        self.dangling: Counter[str] = Counter()
        self.seen_markers: set[str] = set()  # cite_ref ids: one use of a reference each

    def dropped(self, element: Element) -> bool:
        return self.classify(element) is DROPPED

    def classify(self, element: Element) -> Visit:
        # Policy.dropped, then this policy's own tests, then cited_only; asked for every element, so each
        # attribute is read once.
        tag = element.tag
        if tag in NEVER_TEXT:
            return DROPPED
        keys = element.keys()  # one call; most elements have one or two attributes, many none
        if not keys:
            return CITED_ONLY if tag == "table" else KEPT  # every test below needs an attribute but this one
        if "hidden" in keys:
            return DROPPED
        get = element.get
        if "style" in keys and hiding_style(get("style") or ""):
            return DROPPED
        marker_id = get("id") if "id" in keys else None
        sup = tag == "sup"  # _is_ref_marker holds only for sup elements
        if sup and marker_id is not None and marker_id in self.seen_markers and _is_ref_marker(element):
            return DROPPED  # the same use rendered twice (mobile pages repeat the infobox): one marker
        value = get("class") if "class" in keys else None
        names = value.split() if value else ()
        if names and not self.drop_classes.isdisjoint(names):
            return DROPPED
        rel = get("rel") if "rel" in keys else None
        if rel and "mw:referencedBy" in rel:
            return DROPPED
        if self.drop_ids and marker_id in self.drop_ids:
            return DROPPED
        # {{rp|23}}: a sup.reference holding a page locator and no note link is not a marker.
        if sup and _is_ref_marker(element) and not _is_parsoid_ref(element) and self.targets.of(element) is None:
            return DROPPED
        if tag == "table" or (names and not _CITED_ONLY_CLASSES.isdisjoint(names)):
            return CITED_ONLY
        return KEPT

    def marker(self, element: Element) -> tuple[str, str | None] | None:
        if not _is_ref_marker(element):
            return None
        target = self.targets.of(element)
        link_text = first_with_class(element, "span", "mw-reflink-text")
        label = self.targets.label(element) if link_text is None else marker_label(text_content(link_text))
        ref_id = self.note_ids.get(target) if target else None
        if ref_id is None:
            self.dangling[target or label] += 1
        marker_id = element.get("id")
        if marker_id:
            self.seen_markers.add(marker_id)
        return label or (target or ""), ref_id

    def cited_only(self, element: Element) -> bool:
        return self.classify(element) is CITED_ONLY

    def marker_free(self, element: Element) -> bool:
        # marker() answers only for Cite markers; a list item's backlink sups are not.
        return not any(_is_ref_marker(sup) for sup in element.iterdescendants("sup"))


# --------------------------------------------------------------------------- reference lists


@dataclass
class _NoteList:
    element: Element
    items: list[Element]
    group: str | None = None  # as the rendering states it (Parsoid data-mw-group)


def _reference_lists(content: Element) -> list[_NoteList]:
    lists: list[_NoteList] = []
    for element in iter_elements(content, "ol"):
        names = classes(element)
        if not ({"references", "mw-references"} & names) or "mw-subreference-list" in names:
            continue
        items = [child for child in element if child.tag == "li"]
        group = element.get("data-mw-group")
        if group is None:
            group = _wrapper_group(element)
        lists.append(_NoteList(element, items, group))
    return lists


def _wrapper_group(reference_list: Element) -> str | None:
    """The group named in the ``<references group=…>`` data-mw around a Parsoid list, if any."""
    node = reference_list.getparent()
    for _ in range(3):
        if node is None:
            return None
        data = node.get("data-mw")
        typeof = node.get("typeof") or ""
        if data and "mw:Extension/references" in typeof:
            parsed = _json(data)
            attrs = parsed.get("attrs") if isinstance(parsed, dict) else None
            group = attrs.get("group") if isinstance(attrs, dict) else None
            return group.strip() if isinstance(group, str) else ""
        node = node.getparent()
    return None


def _marker_groups(content: Element, targets: _NoteTargets) -> dict[str, set[str | None]]:
    """For each note anchor, the group names its markers' labels show (``[n 1]`` → ``n``)."""
    groups: dict[str, set[str | None]] = {}
    for sup in iter_elements(content, "sup"):
        if not _is_ref_marker(sup):
            continue
        target = targets.of(sup)
        if target is None:
            continue
        match = _GROUP_LABEL_RE.fullmatch(targets.label(sup))
        groups.setdefault(target, set()).add("".join(match["group"].split()) if match else None)
    return groups


def _list_prefixes(lists: list[_NoteList], marker_groups: dict[str, set[str | None]]) -> list[tuple[str, str | None]]:
    """``(id prefix, group)`` per list; see the module docstring for the scheme."""
    candidates: list[str | None] = []
    for note_list in lists:
        if note_list.group is not None:
            candidates.append(note_list.group)
            continue
        seen: set[str | None] = set()
        for item in note_list.items:
            seen |= marker_groups.get(attr(item, "id"), set())
        candidates.append(seen.pop() if len(seen) == 1 else None)
    result: list[tuple[str, str | None] | None] = [None] * len(lists)
    used: set[str] = set()
    for index, candidate in enumerate(candidates):
        if candidate is not None and candidate not in used:
            result[index] = (f"{candidate}-" if candidate else "", candidate or None)
            used.add(candidate)
    for index, value in enumerate(result):
        if value is None:
            if "" not in used:
                result[index] = ("", None)
                used.add("")
            else:
                result[index] = (f"{index + 1}-", candidates[index] or None)
    return [value or ("", None) for value in result]


def _name_from_anchor(anchor: str) -> str | None:
    """``cite_note-Linnaeus1758-1`` → ``Linnaeus1758``; ``cite_note-24`` → None (an unnamed ref)."""
    match = _NOTE_ID_RE.match(anchor)
    if match is None:
        return None
    return match["name"].replace("_", " ")


def _marker_names(content: Element, targets: _NoteTargets) -> dict[str, str]:
    """Note anchor → the ``<ref name=…>`` as written, from the Parsoid markers' ``data-mw`` (the anchor has
    spaces made underscores and cannot tell ``a_b`` from ``a b``)."""
    names: dict[str, str] = {}
    for sup in iter_elements(content, "sup"):
        data = sup.get("data-mw")
        target = targets.of(sup) if data and _is_parsoid_ref(sup) else None
        if target is None or target in names:
            continue
        parsed = _json(data or "")
        attrs = parsed.get("attrs") if isinstance(parsed, dict) else None
        name = attrs.get("name") if isinstance(attrs, dict) else None
        if isinstance(name, str) and name.strip():
            names[target] = name.strip()
    return names


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


# --------------------------------------------------------------------------- one reference


@dataclass
class _Reader:
    """Reads reference-list items and bibliography entries; remembers what the document needs to know."""

    links: LinkResolver
    parsoid: bool
    use_coins: bool
    citation_policy: Policy
    notices: Counter[str] = field(default_factory=Counter)
    citerefs: dict[str, str] = field(default_factory=dict)  # CITEREF anchor → reference id holding it
    short_targets: dict[str, str] = field(default_factory=dict)  # reference id → CITEREF anchor it links
    bibliography_citerefs: set[str] = field(default_factory=set)  # CITEREF anchors a bibliography entry holds

    def item(self, item: Element, *, ref_id: str, number: int | None, group: str | None) -> list[Reference]:
        """The reference of one list item, then its sub-references."""
        anchor = attr(item, "id") or None
        text_element = _reference_text(item)
        reference = self.citation(text_element, ref_id=ref_id, number=number, kind=ReferenceKind.numbered)
        reference.anchor = anchor
        reference.name = _name_from_anchor(anchor) if anchor else None
        reference.group = group
        reference.backlinks = _backlink_count(item)
        references = [reference]
        for sub_list in item:
            if sub_list.tag == "ol" and has_class(sub_list, "mw-subreference-list"):
                for position, sub_item in enumerate((child for child in sub_list if child.tag == "li"), start=1):
                    references.append(self.sub_reference(sub_item, reference, position))
        return references

    def sub_reference(self, item: Element, main: Reference, position: int) -> Reference:
        text_element = _reference_text(item)
        details, _ = collect_text(text_element, self.citation_policy)
        return sub_reference(main, position, details, anchor=attr(item, "id") or None, backlinks=_backlink_count(item))

    def citation(self, element: Element, *, ref_id: str, number: int | None, kind: ReferenceKind) -> Reference:
        reference: Reference | None = None
        if self.parsoid:
            reference = self._from_template_data(element, ref_id=ref_id, number=number, kind=kind)
        if reference is None:
            reference = self._from_markup(element, ref_id=ref_id, number=number, kind=kind)
        has_citation = False
        for cite in element.iter("cite"):
            has_citation = has_citation or has_class(cite, "citation")
            cite_id = cite.get("id")
            if cite_id and cite_id.startswith("CITEREF"):
                if kind is ReferenceKind.bibliography and cite_id not in self.bibliography_citerefs:
                    # A short citation names the bibliography entry even where a footnote repeats the
                    # full citation (and its anchor): as the wikitext reader links them.
                    self.bibliography_citerefs.add(cite_id)
                    self.citerefs[cite_id] = ref_id
                else:
                    self.citerefs.setdefault(cite_id, ref_id)
        if not has_citation:
            link = _citeref_link(element)
            if link is not None:
                self.short_targets[ref_id] = link[0]
                # "Smith 2003, p. 41.": the locator after the short citation's link, as {{sfn}} wrote it.
                reference.details = reference.details or _short_locator(reference.raw, text_content(link[1]))
        return reference

    # -- Parsoid: template parameters ------------------------------------------------

    def _from_template_data(
        self, element: Element, *, ref_id: str, number: int | None, kind: ReferenceKind
    ) -> Reference | None:
        """The reference from the ``data-mw`` of its citation template; None when there is none to read."""
        cite: tuple[str, dict[str, Any]] | None = None
        archive: tuple[str | None, PartialDate | None] | None = None
        flags: list[SourceFlag] = []
        errors: list[str] = []
        unreadable = False
        other_templates = False
        attached: set[str] = set()  # "about" ids of {{dead link}}/{{webarchive}} renderings
        for part in _template_parts(element, errors):
            if part is None:
                unreadable = True
                continue
            name, params, about = part
            if name in DEAD_LINK_TEMPLATES:
                flags.append(SourceFlag.dead_link)
            elif name in PERMANENT_DEAD_TEMPLATES:
                flags.append(SourceFlag.permanent_dead_link)
            elif name in WEBARCHIVE_TEMPLATES:
                if about:
                    attached.add(about)
                if archive is None:
                    url, date, _ = read_webarchive_template(name, params, _param_text, _param_raw)
                    archive = (url, date)
            elif is_cite_template(name):
                cite = cite or (name, params)
            else:
                other_templates = True
        if cite is None:
            if unreadable or other_templates:
                self.notices["text_fallback"] += 1
                fallback = self._from_markup(element, ref_id=ref_id, number=number, kind=kind)
                fallback.source_flags.append(SourceFlag.text_fallback)
                fallback.source_flags.extend(flag for flag in flags if flag not in fallback.source_flags)
                fallback.data_errors.extend(errors)
                return fallback
            if flags or archive is not None:
                # A hand-written citation with {{webarchive}} after it: the archive copy and its date from the
                # template's parameters, the rest from the text without the template's rendering.
                reference = self._from_markup(element, ref_id=ref_id, number=number, kind=kind, skip_about=attached)
                reference.source_flags.extend(flag for flag in flags if flag not in reference.source_flags)
                if archive is not None and archive[0]:
                    _attach_archive(reference, archive[0], archive[1])
                return reference
            return None
        name, params = cite
        citation: TemplateCitation = read_cite_template(name, params, _param_text, _param_raw)
        raw, _ = collect_text(element, self.citation_policy)
        flags.insert(0, SourceFlag.template_data)
        reference = reference_from_template(
            citation, id=ref_id, raw=raw, number=number, kind=ReferenceKind.template, flags=flags, archive=archive
        )
        if kind is ReferenceKind.bibliography:
            reference.kind = kind
        reference.data_errors.extend(errors)
        return reference

    # -- legacy (and Parsoid's hand-written refs): the rendered citation --------------

    def _from_markup(
        self,
        element: Element,
        *,
        ref_id: str,
        number: int | None,
        kind: ReferenceKind,
        skip_about: set[str] | None = None,
    ) -> Reference:
        policy = _SkipTransclusions(self.citation_policy, skip_about) if skip_about else self.citation_policy
        reached: list[Element] = []
        raw, _ = collect_text(element, policy, reached)
        cited = raw
        citations = [cite for cite in element.iter("cite") if has_class(cite, "citation")]
        later = _after_first_citation(element, citations)
        if later:
            # Several full citations in one footnote: the first is the reference (as the template reader
            # takes the first template); the others' links, dates and identifiers are not its fields.
            policy = _SkipElements(policy, later)
            reached = []
            cited = collect_text(element, policy, reached)[0]
        anchors: list[tuple[str, str | None]] = []
        wiki_identifiers: list[Identifiers] = []
        title_link: str | None = None
        original_link: str | None = None
        link_texts: dict[Element, str] = {}  # shared with _markup_hints, which reads the same links
        for anchor in _kept_links(element, reached, policy):
            href = anchor.get("href")
            if not href:
                continue
            if not _is_external(anchor):
                # Wikilinks are the wiki's own pages; Special:BookSources/ISBN is an identifier.
                named = identifier_in_url(href)
                if named is not None:
                    wiki_identifiers.append(build(Identifiers, **{named[0]: named[1]}))
                continue
            url = self.links.resolve(href)
            if url is None:
                continue
            text = link_texts[anchor] = text_content(anchor)
            anchors.append((url, text or None))
            if title_link is None and _is_title_text(text):
                title_link = url
            if original_link is None and text.casefold() == "the original":
                original_link = url
        hints = _markup_hints(citations[0] if citations else None, link_texts)
        # "Archived from the original": the cited page as the editor gave it comes first.
        ordered = [pair for pair in anchors if pair[0] == original_link] + [p for p in anchors if p[0] != original_link]
        reference = reference_from_text(id=ref_id, raw=cited, number=number, kind=kind, links=ordered, hints=hints)
        reference.raw = raw
        if wiki_identifiers:
            reference.identifiers = merge_identifiers(reference.identifiers, *wiki_identifiers)
        if title_link and original_link and parse_archive_url(title_link) is not None:
            # CS1 links the title to the archive copy exactly when |url-status=dead.
            reference.source_flags.append(SourceFlag.url_status_dead)
        if self.use_coins:
            coins = first_with_class(element, "span", "Z3988")
            following = element.getnext() if element.tag == "cite" else None
            if coins is None and following is not None and following.tag == "span" and has_class(following, "Z3988"):
                coins = following  # a bibliography entry standing alone: CS1's COinS span follows its <cite>
            if coins is not None and coins.get("title"):
                _apply_coins(reference, read_coins(attr(coins, "title"), _COINS_KEYS))
        return reference


class _SkipTransclusions(Policy):
    """A citation policy that also leaves out the rendering of some transclusions (by their ``about`` id)."""

    def __init__(self, inner: Policy, about: set[str]) -> None:
        self.inner = inner
        self.about = about
        self.marker_tags = inner.marker_tags

    def dropped(self, element: Element) -> bool:
        about = element.get("about")
        return (about is not None and about in self.about) or self.inner.dropped(element)

    def marker(self, element: Element) -> tuple[str, str | None] | None:
        return self.inner.marker(element)


class _SkipElements(Policy):
    """A citation policy that also leaves out some elements."""

    def __init__(self, inner: Policy, elements: set[Element]) -> None:
        self.inner = inner
        self.elements = elements
        self.marker_tags = inner.marker_tags

    def dropped(self, element: Element) -> bool:
        return element in self.elements or self.inner.dropped(element)

    def marker(self, element: Element) -> tuple[str, str | None] | None:
        return self.inner.marker(element)


def _after_first_citation(element: Element, citations: list[Element]) -> set[Element]:
    """The elements from the second ``cite.citation`` of ``element`` on (empty when it holds one or none).

    ``citations``: the ``cite.citation`` elements of ``element``.  The set holds the elements themselves, not
    their ``id()``: lxml makes a new proxy object for an element each time one is needed once the last is gone,
    so ids of proxies not kept alive are reused.
    """
    if len(citations) < 2:
        return set()  # one citation or none (almost every footnote): no walk over all its elements
    seen = 0
    start: Element | None = None
    later: set[Element] = set()
    for node in iter_elements(element):
        if start is None:
            if node.tag == "cite" and has_class(node, "citation"):
                seen += 1
                if seen == 2:
                    start = node
                    later.add(node)
            continue
        later.add(node)
    if start is not None:
        # The second citation's own first element (its TemplateStyles link, its transclusion head) too.
        head = _transclusion_head(start)
        if head is not None:
            later.add(head)
    return later


def _attach_archive(reference: Reference, archive_url: str, archive_date: PartialDate | None) -> None:
    links = [link for link in reference.links if link.url != archive_url]
    links.append(classify_link(archive_url))
    reference.links = links
    choice = choose_links(links)
    reference.url = choice.url
    reference.archive_url = choice.archive_url
    reference.archive_url_time = choice.archive_url_time
    reference.archive_date = reference.archive_date or archive_date


def _kept_links(element: Element, reached: list[Element], policy: Policy) -> Iterator[Element]:
    """The links of ``element`` that ``policy`` keeps (none of their ancestors below ``element`` dropped), in
    document order, from what :func:`collect_text` reached: its links, and its markers, whose links are looked
    up here (the walk does not enter a marker)."""
    if element.tag == "a":
        yield element
    for node in reached:
        if node.tag == "a":
            yield node
        elif not policy.dropped(node):  # a marker the walk read may be dropped now (a use already seen)
            known: dict[Element, bool] = {}
            for anchor in node.iter("a"):
                if not _inside_dropped(anchor, node, policy, known):
                    yield anchor


def _inside_dropped(node: Element, stop: Element, policy: Policy, known: dict[Element, bool]) -> bool:
    """Is ``node``, or an ancestor of it below ``stop``, dropped by ``policy``?

    ``known`` remembers the answer for each element asked about (the links of one citation share their
    ancestors), so each is put to the policy once.
    """
    chain: list[Element] = []
    parent: Element | None = node
    inside = False
    while parent is not None and parent is not stop:
        answer = known.get(parent)
        if answer is not None:
            inside = answer
            break
        chain.append(parent)
        parent = parent.getparent()
    for element in reversed(chain):
        inside = inside or policy.dropped(element)
        known[element] = inside
    return inside


def _is_external(anchor: Element) -> bool:
    value = anchor.get("class")
    if value and "external" in value.split():
        return True
    rel = anchor.get("rel")
    if rel and "mw:ExtLink" in rel:
        return True
    href = anchor.get("href") or ""
    return href.startswith(("http://", "https://", "//")) and not (rel and "mw:WikiLink" in rel)


def _is_title_text(text: str) -> bool:
    return len(text) >= 2 and text[0] in _QUOTES and text[-1] in _QUOTES


def _reference_text(item: Element) -> Element:
    for element in item.iter("span"):
        value = element.get("class")
        if value is not None and ("reference-text" in value):
            names = value.split()
            if "mw-reference-text" in names or "reference-text" in names:
                return element
    return item


def _backlink_count(item: Element) -> int | None:
    """Backlinks shown in the item itself (not in its sub-reference list); None when the rendering shows none."""
    count = 0
    shown = False
    stack = [child for child in item if child.tag != "ol"]
    while stack:
        node = stack.pop()
        if not isinstance(node.tag, str):
            continue
        get = node.get
        rel = get("rel") or ""
        value = get("class")
        names = value.split() if value else ()
        if "mw-cite-backlink" in names or "mw:referencedBy" in rel:
            shown = True
        if node.tag == "a":
            href = get("href") or ""
            target = fragment(href)
            if target and target.startswith("cite_ref"):
                count += 1
                shown = True
            continue
        if "mw-reference-text" in names or "reference-text" in names:
            continue
        stack.extend(node)
    return count if shown else None


def _citeref_link(element: Element) -> tuple[str, Element] | None:
    """The first link to a CITEREF anchor (a short citation's), with its target."""
    for anchor in iter_elements(element, "a"):
        target = fragment(anchor.get("href") or "")
        if target and target.startswith("CITEREF"):
            return target, anchor
    return None


def _short_locator(raw: str, shown: str) -> str | None:
    """``"Smith 2003, pp. 27–37."`` after the link text ``"Smith 2003"`` → ``"pp. 27–37"``; None if nothing follows."""
    index = raw.find(shown) if shown else -1
    if index < 0:
        return None
    return " ".join(raw[index + len(shown) :].split()).strip(" ,;:.") or None  # "p.\u00a041" → "p. 41"


# --------------------------------------------------------------------------- Parsoid data-mw


def _param_value(value: Any, render: Any) -> str:
    """A data-mw parameter (``{"wt": …}``, or ``{"html": …}`` in some Parsoid versions) as text."""
    if isinstance(value, dict):
        if isinstance(value.get("wt"), str):
            return str(render(value["wt"]))
        if isinstance(value.get("html"), str):
            return _html_text(value["html"])
    return ""


def _param_text(value: Any) -> str:
    return _param_value(value, wikitext_plain)


def _param_raw(value: Any) -> str:
    return _param_value(value, wikitext_raw)


_TAG_RE = re.compile(r"<[^>]*>")


def _html_text(html: str) -> str:
    return " ".join(_TAG_RE.sub(" ", html).split())


def _template_parts(element: Element, errors: list[str]) -> Iterable[tuple[str, dict[str, Any], str] | None]:
    """``(template name, params, about id)`` for every template transcluded in ``element``; None for
    unreadable data."""
    nodes: Iterable[Element] = iter_elements(element)
    head = _transclusion_head(element)
    if head is not None:
        nodes = [head, *nodes]
    for node in nodes:
        typeof = node.get("typeof")
        if not typeof or "mw:Transclusion" not in typeof or _is_parsoid_ref(node):
            continue
        data_text = node.get("data-mw")
        if not data_text:
            continue
        data = _json(data_text)
        if not isinstance(data, dict) or not isinstance(data.get("parts"), list):
            errors.append("template data (data-mw) is not valid JSON: fields read from the rendered text")
            yield None
            continue
        for part in data["parts"]:
            if not isinstance(part, dict):
                continue
            template = part.get("template")
            if not isinstance(template, dict):
                continue
            target = template.get("target")
            wikitext_name = target.get("wt") if isinstance(target, dict) else None
            params = template.get("params")
            if not isinstance(wikitext_name, str):
                continue
            yield (
                normalise_template_name(wikitext_name),
                params if isinstance(params, dict) else {},
                attr(node, "about"),
            )


def _transclusion_head(element: Element) -> Element | None:
    """The element carrying the data-mw of the template ``element`` is part of, when it stands before it.

    Parsoid puts a template's ``typeof``/``data-mw`` on the template's first element only; a CS1 citation's
    first element is its TemplateStyles ``<style>``/``<link>``, a sibling before the ``<cite>``.
    """
    about = element.get("about")
    typeof = element.get("typeof") or ""
    if about is None or "mw:Transclusion" in typeof:
        return None
    sibling = element.getprevious()
    while sibling is not None and isinstance(sibling.tag, str) and sibling.get("about") == about:
        if "mw:Transclusion" in (sibling.get("typeof") or ""):
            return sibling
        sibling = sibling.getprevious()
    return None


# --------------------------------------------------------------------------- markup and COinS


def _markup_hints(cite: Element | None, link_texts: dict[Element, str]) -> MarkupHints | None:
    """Title and work as a CS1 ``<cite>`` sets them apart (quotes, italics, the citation's class).

    ``cite``: the reference's first ``cite.citation`` (None: no hints); ``link_texts``: the text of the links
    already read (:func:`text_content`), by link.
    """
    if cite is None:
        return None
    kind = classes(cite) - {"citation", "cs1", "cs2"}
    italic_title = bool(kind & _CITE_CLASSES_WITH_ITALIC_TITLE)
    title: str | None = None
    title_element: Element | None = None
    for anchor in iter_elements(cite, "a"):
        text = link_texts.get(anchor)
        if text is None:
            text = text_content(anchor)
        if _is_title_text(text):
            title, title_element = text, anchor
            break
    if title is None:
        quoted = _QUOTED_RE.search(_own_text(cite))
        title = quoted.group(0) if quoted else None
    italics: list[str] = []
    for italic in iter_elements(cite, "i"):
        if title_element is not None and _is_within(italic, title_element):
            continue
        text = text_content(italic)
        if text and not (title and text in title):
            italics.append(text)
    work: str | None = None
    if title is None:
        if italics:
            title = italics.pop(0)  # a book, or any title CS1 sets in italics
        if italics and not italic_title:
            work = italics[0]
    elif italics:
        work = italics[0]  # "Chapter". <i>Book</i> / "Article". <i>Journal</i>
    return MarkupHints(title=title, work=work, work_known=True)


_QUOTED_RE = re.compile(r"[\"“][^\"“”]{2,400}[\"”]")


def _own_text(cite: Element) -> str:
    return text_content(cite)


def _is_within(node: Element, ancestor: Element) -> bool:
    parent = node.getparent()
    while parent is not None:
        if parent is ancestor:
            return True
        parent = parent.getparent()
    return False


_COINS_ID_PREFIXES = {
    "info:doi/": "doi",
    "info:pmid/": "pmid",
    "info:oclcnum/": "oclc",
    "info:bibcode/": "bibcode",
    "info:lccn/": "lccn",
    "info:arxiv/": "arxiv",
    "info:hdl/": "hdl",
    "info:pmc/": "pmc",
}


# What _apply_coins reads (the rest of a COinS span is never decoded).
_COINS_KEYS = COINS_FIELD_KEYS | {"rft.place", "rft.pub", "rft.isbn", "rft.issn", "rft.eissn"}


def _apply_coins(reference: Reference, coins: dict[str, list[str]]) -> None:
    """COinS is CS1's own structured copy of the template's fields: it wins over flattened text."""
    fields = coins_fields(coins)
    changed = False
    atitle = _first(coins, "rft.atitle")
    btitle = _first(coins, "rft.btitle")
    jtitle = _first(coins, "rft.jtitle")
    title = atitle or btitle or _first(coins, "rft.title")
    work = jtitle or (btitle if atitle else None)
    if title and title != reference.title:
        reference.title, changed = title, True
    if work and work != reference.work:
        reference.work, changed = work, True
    place = _first(coins, "rft.place")
    if place and reference.publisher:
        # "Toronto." / "London: Sage" read from the text: CS1 shows |location= where a publisher would be.
        if _same_name(reference.publisher, place):
            reference.publisher, changed = None, True
        elif reference.publisher.casefold().startswith(place.casefold() + ":"):
            reference.publisher, changed = reference.publisher[len(place) + 1 :].strip() or None, True
    publisher = _first(coins, "rft.pub")
    if publisher and publisher != reference.publisher:
        reference.publisher, changed = publisher, True
        if reference.work and _same_name(reference.work, publisher):
            reference.work = work
    if fields.date:
        date = parse_date_value(fields.date)
        if date is not None and date != reference.date:
            reference.date, changed = date, True
    # CS1 writes a |last=/|first= author as rft.aulast/aufirst and every later one as "Last, First", but an
    # |author= as written: a first rft.au (no rft.aulast) that the citation shows verbatim is that name as the
    # editor wrote it ("Statistics Canada, The Daily", "Glenday, C."), and kept so, as the template reader
    # keeps |author=.
    verbatim_first = "rft.aulast" not in coins
    authors = [
        author.strip() if index == 0 and verbatim_first and author.strip() in reference.raw else _display_name(author)
        for index, author in enumerate(fields.authors)
    ]
    if authors and authors != reference.authors:
        reference.authors, changed = authors, True
    if reference.url is None and fields.url and _url_identifier(fields.url) is None:
        reference.url, changed = fields.url, True
    found: dict[str, str] = {}
    for value in coins.get("rft_id", []):
        for prefix, name in _COINS_ID_PREFIXES.items():
            if value.startswith(prefix):
                normalised = normalize_identifier(name, value[len(prefix) :])
                if normalised:
                    found.setdefault(name, normalised)
        if value.startswith(("http://", "https://")):
            named = _url_identifier(value)
            if named is not None:
                found.setdefault(*named)
    for key, name in (("rft.isbn", "isbn"), ("rft.issn", "issn"), ("rft.eissn", "eissn")):
        stated = _first(coins, key)
        normalised = normalize_identifier(name, stated) if stated else None
        if normalised:
            found.setdefault(name, normalised)
    if found:
        merged = merge_identifiers(build(Identifiers, **found), reference.identifiers)
        if merged != reference.identifiers:
            reference.identifiers, changed = merged, True
    if changed and SourceFlag.coins not in reference.source_flags:
        reference.source_flags.append(SourceFlag.coins)


def _url_identifier(url: str) -> tuple[str, str] | None:
    """:func:`identifier_in_url`, after the links' cheap look at the host (most cited URLs name none, and each is
    new to the cache); a URL with tabs or newlines, which the full parse removes, is always parsed."""
    if "\t" in url or "\n" in url or "\r" in url or may_name_identifier(url):
        return identifier_in_url(url)
    return None


def _same_name(first: str, second: str) -> bool:
    return " ".join(first.split()).casefold().strip(" .") == " ".join(second.split()).casefold().strip(" .")


def _first(coins: dict[str, list[str]], key: str) -> str | None:
    values = coins.get(key)
    return values[0] if values else None


def _display_name(name: str) -> str:
    """``Williams, Carol J.`` → ``Carol J. Williams``; other names as written."""
    if name.count(",") == 1:
        surname, given = (part.strip() for part in name.split(","))
        if surname and given:
            return f"{given} {surname}"
    return name.strip()


# --------------------------------------------------------------------------- the document


def read_mediawiki(
    root: Element,
    content: Element,
    path: str,
    links: LinkResolver,
    *,
    parsoid: bool,
    use_coins: bool,
    landmarks: dict[str, Element] | None = None,
) -> ParsedDocument:
    """Read a MediaWiki content area (legacy or Parsoid) into sections, markers and references.

    ``landmarks``: the first element of ``root`` holding each id the title and date are read from
    (``firstHeading``, ``footer-info-lastmod``, ``mw-mf-last-modified``), when a walk has found them already.
    """
    lists = _reference_lists(content)
    targets = _NoteTargets()  # the markers' note links, read once for the groups, the names and the body walk
    prefixes = _list_prefixes(lists, _marker_groups(content, targets))
    citation_policy = _MediaWikiPolicy({}, _CITATION_DROP_CLASSES, frozenset())
    reader = _Reader(links=links, parsoid=parsoid, use_coins=use_coins, citation_policy=citation_policy)
    references: list[Reference] = []
    note_ids: dict[str, str] = {}
    for note_list, (prefix, group) in zip(lists, prefixes, strict=True):
        for position, item in enumerate(note_list.items, start=1):
            if attr(item, "id") in note_ids:
                # The same list item again (a reference list rendered twice): links reach the first one.
                reader.notices["repeated_items"] += 1
                continue
            number = _footnote_number(item, position)
            for reference in reader.item(item, ref_id=f"{prefix}{number}", number=number, group=group):
                references.append(reference)
                if reference.anchor:
                    note_ids.setdefault(reference.anchor, reference.id)
    if parsoid:
        names = _marker_names(content, targets)
        for reference in references:
            reference.name = names.get(reference.anchor or "", reference.name)
    bibliography = _bibliography(content, lists, reader)
    policy = _MediaWikiPolicy(note_ids, _BODY_DROP_CLASSES, _BODY_DROP_IDS, targets)
    body: Body = BodyWalker(policy).walk(content)
    _link_short_citations(references, bibliography, reader)
    references.extend(bibliography)
    _count_uses(references, body.sections)
    notices = _notices(body, policy, reader, lists, references, parsoid)
    return ParsedDocument(
        path=path,
        format=DocumentFormat.html,
        title=_title(root, parsoid, landmarks),
        date=_revision_date(root, landmarks),
        layout="article",
        renderer=Renderer.parsoid if parsoid else Renderer.mediawiki,
        sections=body.sections,
        references=references,
        notices=notices,
    )


def _footnote_number(item: Element, position: int) -> int:
    value = item.get("data-mw-footnote-number")
    return int(value) if value and value.isdigit() else position


def _bibliography(content: Element, lists: list[_NoteList], reader: _Reader) -> list[Reference]:
    """Full citations outside the reference lists (Bibliography, Sources, Further reading)."""
    # The lists' own citations, found in one pass over each list (the elements themselves: see
    # _after_first_citation), instead of a walk up from every citation of the page.
    inside = {cite for note_list in lists for cite in note_list.element.iter("cite")}
    entries: list[Reference] = []
    for cite in iter_elements(content, "cite"):
        if cite in inside or not has_class(cite, "citation"):
            continue
        holder = _bibliography_holder(cite)
        ref_id = f"B{len(entries) + 1}"
        reference = reader.citation(holder, ref_id=ref_id, number=None, kind=ReferenceKind.bibliography)
        reference.kind = ReferenceKind.bibliography
        reference.anchor = cite.get("id") or None
        entries.append(reference)
    return entries


def _bibliography_holder(cite: Element) -> Element:
    """The element holding one bibliography entry: its list item, else the ``cite`` itself."""
    parent = cite.getparent()
    return parent if parent is not None and parent.tag == "li" else cite


def _link_short_citations(references: list[Reference], bibliography: list[Reference], reader: _Reader) -> None:
    by_id = {reference.id: reference for reference in [*references, *bibliography]}
    for ref_id, target in reader.short_targets.items():
        reference = by_id.get(ref_id)
        if reference is None:
            continue
        full = reader.citerefs.get(target)
        if full is not None and full != ref_id:
            reference.full_citation_ref = full
        elif SourceFlag.no_target not in reference.source_flags:
            reference.source_flags.append(SourceFlag.no_target)
        if SourceFlag.short_citation not in reference.source_flags:
            reference.source_flags.append(SourceFlag.short_citation)
        if reference.name and reference.name.startswith("FOOTNOTE"):
            reference.name = None  # Module:Footnotes' own name for an {{sfn}}, not one an editor wrote


def _count_uses(references: list[Reference], sections: list[Section]) -> None:
    """Markers per reference; a main reference is used wherever its sub-references are, a bibliography
    entry wherever a short citation naming it is."""
    uses = count_marker_uses(sections)
    for reference in references:
        reference.uses = uses[reference.id]
    by_id = {reference.id: reference for reference in references}
    for reference in references:
        if reference.full_citation_ref and reference.uses:
            main = by_id.get(reference.full_citation_ref)
            if main is None or main is reference:
                continue
            # A sub-reference's uses are its main reference's; a short citation's are its bibliography
            # entry's (a full citation in a footnote keeps its own markers' count, as its backlinks do).
            if SourceFlag.sub_reference in reference.source_flags:
                main.uses += reference.uses
                if main.backlinks is not None:
                    main.backlinks += reference.backlinks or 0
            elif main.kind is ReferenceKind.bibliography:
                main.uses += reference.uses


def _by_id(root: Element, element_id: str, landmarks: dict[str, Element] | None) -> Element | None:
    return landmarks.get(element_id) if landmarks is not None else element_by_id(root, element_id)


def _title(root: Element, parsoid: bool, landmarks: dict[str, Element] | None) -> str | None:
    heading = _by_id(root, "firstHeading", landmarks)
    if heading is not None:
        title = text_content(heading)
        if title:
            return title
    if parsoid:
        title_element = next(iter_elements(root, "title"), None)
        if title_element is not None and text_content(title_element):
            return text_content(title_element)
    return document_title(root)


def _revision_date(root: Element, landmarks: dict[str, Element] | None) -> PartialDate | None:
    # "This page was last edited on 30 September 2019, at 10:00": the revision's own date.
    for element_id in ("footer-info-lastmod", "mw-mf-last-modified"):
        footer = _by_id(root, element_id, landmarks)
        if footer is not None:
            stamp = footer.get("data-timestamp")
            date = parse_date_value(stamp) if stamp else date_in_text(text_content(footer))
            if date is not None:
                return date
    for meta in iter_elements(root, "meta"):
        if meta.get("property") == "dc:modified":
            date = parse_date_value(attr(meta, "content"))
            if date is not None:
                return date
    return document_date(root)


def _notices(
    body: Body,
    policy: _MediaWikiPolicy,
    reader: _Reader,
    lists: list[_NoteList],
    references: list[Reference],
    parsoid: bool,
) -> list[str]:
    notices: list[str] = []
    if body.skipped_uncited_blocks:
        notices.append(
            f"left out {body.skipped_uncited_blocks} uncited block(s) of tables, lists and appendix sections"
        )
    dangling = sum(policy.dangling.values())
    if dangling:
        missing = "the document has no reference list" if not lists else "no such item in its reference lists"
        notices.append(
            f"{dangling} marker(s) link to reference-list items missing from this document ({missing}; "
            "a mobile-app or section rendering leaves the list out: read the full page HTML)"
        )
    if reader.notices["text_fallback"]:
        notices.append(
            f"{reader.notices['text_fallback']} reference(s) read from the rendered text: their template data "
            "was unreadable or not a citation template"
        )
    if reader.notices["repeated_items"]:
        notices.append(
            f"{reader.notices['repeated_items']} reference-list item(s) repeat the id of an item already read "
            "(the list is on the page twice?): each read once"
        )
    bibliography = sum(1 for reference in references if reference.kind is ReferenceKind.bibliography)
    if bibliography:
        notices.append(f"read {bibliography} bibliography entries outside the footnotes")
    if parsoid:
        notices.insert(0, "read as Parsoid HTML: fields from each citation template's parameters (data-mw)")
    return notices
