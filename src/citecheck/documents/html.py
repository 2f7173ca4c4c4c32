"""Reading HTML documents: the renderer is recognised first, then the page is read as that renderer builds it.

* **Parsoid** (Wikipedia's REST API, VisualEditor, the mobile apps): ``data-mw``
  on every template, ``sup.mw-ref`` markers, ``ol.mw-references`` lists;
* **MediaWiki legacy parser output** (``.mw-parser-output``; desktop or mobile
  skin, or the bare content area): ``sup.reference`` markers, ``ol.references``
  lists, COinS in each CS1 citation;
* **generic pages** (blogs, CMS, papers): footnote lists by markup or heading
  and their markers (linked or not), else cited links.

:mod:`citecheck.documents.html_mediawiki` and :mod:`citecheck.documents.html_generic`
hold the readers; :mod:`citecheck.documents.html_tree` the shared tree walk.

Sections follow the heading tags: an ``h2`` section has level 2, an ``h3``
section level 3; text before the first heading is a lead section with no
title and level 1.  Non-prose areas (tables, infoboxes, navboxes, reference
lists, and appendix sections such as "See also") contribute only the rows and
items that carry a citation marker.  Broken markup never raises: libxml2
repairs what it can and every walk is iterative.  Paragraph line numbers are
not known.
"""

from __future__ import annotations

from citecheck.documents.html_generic import read_generic
from citecheck.documents.html_mediawiki import read_mediawiki
from citecheck.documents.html_tree import (
    Element,
    LinkResolver,
    base_href,
    has_class,
    iter_elements,
    parse_html,
)
from citecheck.models import ParsedDocument, Renderer
from citecheck.references.coins import CoinsFields, coins_fields, read_coins

__all__ = ["CoinsFields", "coins_fields", "detect_renderer", "read_coins", "read_html"]

_PARSOID_META = frozenset({"mw:html:version", "mw:htmlVersion"})


# Elements the MediaWiki reader looks up by id (title, revision date): found in the renderer's pass.
_LANDMARK_IDS = frozenset({"firstHeading", "footer-info-lastmod", "mw-mf-last-modified"})


def detect_renderer(root: Element) -> tuple[Renderer, Element]:
    """Which software rendered the page, and its content area (the element to read)."""
    renderer, content, _ = _scan(root)
    return renderer, content


def _scan(root: Element) -> tuple[Renderer, Element, dict[str, Element]]:
    """:func:`detect_renderer`, and the first element holding each of ``_LANDMARK_IDS``, in one pass."""
    parsoid = False
    legacy_content: Element | None = None
    content_text: Element | None = None
    landmarks: dict[str, Element] = {}
    for element in root.iter():
        tag = element.tag
        if tag.__class__ is not str:
            continue
        get = element.get
        if tag == "meta" and get("property") in _PARSOID_META:
            parsoid = True
        elif tag == "sup":
            typeof = get("typeof")
            if (typeof and "mw:Extension/ref" in typeof) or has_class(element, "mw-ref"):
                parsoid = True
        elif (tag == "ol" and has_class(element, "mw-references")) or (
            tag == "body" and (has_class(element, "parsoid-body") or get("data-mw-html-version"))
        ):
            parsoid = True
        element_id = get("id")
        if element_id is not None:
            if element_id == "mw-content-text":
                content_text = element
            elif element_id in _LANDMARK_IDS:
                landmarks.setdefault(element_id, element)
        if legacy_content is None and has_class(element, "mw-parser-output"):
            legacy_content = element
    if content_text is not None:
        inner = next((node for node in iter_elements(content_text) if has_class(node, "mw-parser-output")), None)
        legacy_content = inner if inner is not None else content_text
    if parsoid:
        body = next(iter_elements(root, "body"), None)
        content = legacy_content if legacy_content is not None else (body if body is not None else root)
        return Renderer.parsoid, content, landmarks
    if legacy_content is not None:
        return Renderer.mediawiki, legacy_content, landmarks
    return Renderer.generic, root, landmarks


def read_html(text: str, path: str, *, use_coins: bool = True) -> ParsedDocument:
    """Parse an HTML document into sections, paragraphs, markers and references.

    Never raises on any input.  With ``use_coins`` (the default), a legacy
    citation's COinS span supplies its structured fields, and such references
    carry the source flag ``"coins"``.
    """
    notices: list[str] = []
    root = parse_html(text, notices)
    links = LinkResolver(base_href(root))
    renderer, content, landmarks = _scan(root)
    if renderer is Renderer.generic:
        document = read_generic(root, path, links)
    else:
        parsoid = renderer is Renderer.parsoid
        document = read_mediawiki(root, content, path, links, parsoid=parsoid, use_coins=use_coins, landmarks=landmarks)
    document.notices[:0] = notices
    document.notices.extend(links.notices())
    return document
