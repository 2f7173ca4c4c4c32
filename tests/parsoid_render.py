"""Wikitext → Parsoid-shaped HTML, for conformance tests of the HTML reader (test support code, not product code).

The real wikitext samples in ``../shared/wikipedia-samples`` are rendered into the
HTML Wikipedia's REST API (``/page/html/{title}``) serves, following the
MediaWiki DOM spec (mediawiki.org ``Specs/HTML/2.x``, ``Extensions/Cite``) and
Cite's own Parsoid parser tests (``citeParserTests.txt``, ``subReferencing.txt``)
and the real Parsoid pages in that folder:

* ``<section data-mw-section-id>`` per heading (nested as the headings nest),
  ``<p>`` paragraphs, headings with ids, ``rel="mw:WikiLink"`` / ``rel="mw:ExtLink"``
  links, lists, tables, figures;
* every top-level template's first element carries ``about="#mwtN"``,
  ``typeof="mw:Transclusion"`` and ``data-mw`` ``{"parts":[{"template":{"target":
  {"wt":…,"href":"./Template:…"},"params":{…:{"wt":…}},"i":0}}]}``; the rest of its
  output shares the ``about`` id.  Templates inside another template's arguments
  (and everything a template outputs: an infobox's refs, ``{{reflist|refs=}}``'s
  list-defined refs, ``{{efn}}``'s note) are expanded *inside* that template and
  carry no ``data-mw`` of their own — as in Parsoid, where VisualEditor shows such
  references as "defined in a template";
* Cite: markers ``sup.mw-ref`` ``typeof="mw:Extension/ref"`` (``mw:Transclusion
  mw:Extension/ref`` when a template makes the ref: ``{{efn}}``, ``{{sfn}}``,
  ``{{#tag:ref}}``) with ``data-mw`` ``{"name":"ref","attrs":{…},"body":{"id":
  "mw-reference-text-cite_note-…"}}`` (no body on a reuse), linking
  ``./Title#cite_note-NAME-INDEX``; ids ``cite_ref-NAME_INDEX-K``; one global
  index over all groups, numbers per group by first use; group labels
  ``[g 1]``, ``[a]`` for the alpha/roman groups; lists
  ``div.mw-references-wrap[typeof=mw:Extension/references] > ol.mw-references``
  with ``data-mw-group``, ``li#cite_note-…`` with backlinks (``↑`` for one use,
  ``1 2 3`` for several) and ``span.mw-reference-text``; lists auto-generated
  at the end for groups nobody listed;
* CS1 citations rendered as CS1 renders them (author, date, quoted or italic
  title linked to the URL — to the archive copy when ``url-status`` is dead —,
  italic work, publisher, identifiers, "Archived from the original on …",
  "Retrieved …", the COinS span), inside ``<cite class="citation web cs1">``.

Two flavours: ``"2.8"`` (current: TemplateStyles ``<style>``/``<link>`` as each
CS1 template's first element, ``cite-bracket`` spans, ``data-mw-footnote-number``)
and ``"1.7"`` (2018, like the Arabic sample: the ``<cite>`` carries the
transclusion, the list's ``ol`` carries ``typeof``, bare backlinks).

:class:`RenderedPage` keeps what the generator itself decided (each note's
anchor, group, number and uses, each marker's note) — the ground truth the
conformance test checks the readers against.  :func:`with_reference_features`
adds the reference constructs the samples lack (list-defined refs, groups,
``{{efn}}``/``{{notelist}}``, ``{{sfn}}`` + bibliography, ``{{harvnb}}``,
``{{rp}}``, ``{{#tag:ref}}``, ``{{webarchive}}``) to a real article's wikitext;
:func:`render_parsoid` with ``template_data=False`` leaves ``data-mw`` out for the rendered-text fallback;
:data:`MUTATIONS` break pages the way real pages break.
"""

from __future__ import annotations

import base64
import html
import json
import random
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

import mwparserfromhell
from mwparserfromhell.nodes import Comment, ExternalLink, Heading, HTMLEntity, Tag, Template, Text, Wikilink

__all__ = [
    "MUTATIONS",
    "Note",
    "RenderedPage",
    "render_parsoid",
    "with_reference_features",
]

# --------------------------------------------------------------------------- names and escaping

_SPACE_RE = re.compile(r"\s+")
_COMMENT_RE = re.compile(r"<!--.*?(?:-->|$)", re.S)


def _esc(text: str) -> str:
    return html.escape(text, quote=False)


def _attr(name: str, value: str) -> str:
    # Parsoid's serialiser: single quotes around values holding double quotes (data-mw JSON).
    value = value.replace("&", "&amp;").replace("<", "&lt;")
    if '"' in value:
        return f"{name}='{value.replace(chr(39), '&apos;')}'"
    return f'{name}="{value}"'


def _attrs(pairs: Iterable[tuple[str, str | None]]) -> str:
    return "".join(" " + _attr(name, value) for name, value in pairs if value is not None)


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _norm_name(name: str) -> str:
    """A template or parameter name compared as MediaWiki compares it."""
    text = _COMMENT_RE.sub("", name).replace("_", " ")
    text = _SPACE_RE.sub(" ", text).strip().lower()
    return text[9:].strip() if text.startswith("template:") else text


def _title_href(title: str) -> str:
    text = _SPACE_RE.sub(" ", _COMMENT_RE.sub("", title)).strip()
    text = text[:1].upper() + text[1:]
    return text.replace(" ", "_")


def _anchor(text: str) -> str:
    """``mw.uri.anchorEncode``: spaces to underscores (what CITEREF and heading ids are made of)."""
    return _SPACE_RE.sub("_", html.unescape(text).strip())


def _plain(wikitext: str) -> str:
    code = mwparserfromhell.parse(_COMMENT_RE.sub("", wikitext))
    return _SPACE_RE.sub(" ", str(code.strip_code(normalize=True, collapse=True))).strip()


def _attribute_value(value: Any) -> str:
    """A tag attribute as the extension gets it: entities decoded, not wikitext-stripped (``name=":0"``)."""
    return html.unescape(_COMMENT_RE.sub("", str(value))).strip() if value is not None else ""


def _raw(wikitext: str) -> str:
    return _COMMENT_RE.sub("", wikitext).strip()


# --------------------------------------------------------------------------- the truth the generator keeps


@dataclass
class Note:
    """One reference-list item as Cite numbers it."""

    group: str
    name: str | None
    index: int  # Parsoid's global index (cite_note-…-INDEX)
    number: int  # the footnote number within its group
    anchor: str  # cite_note-…
    body_html: str | None = None
    raw: str = ""  # the definition's wikitext
    marker_ids: list[str] = field(default_factory=list)
    list_defined: bool = False
    in_template: bool = False  # its text came from a template's expansion: no data-mw inside
    short: bool = False  # an {{sfn}} footnote

    @property
    def expected_id(self) -> str:
        """The reference id both readers give it (``"n-1"`` in a group, ``"1"`` in the default one)."""
        return f"{self.group}-{self.number}" if self.group else str(self.number)

    @property
    def uses(self) -> int:
        return len(self.marker_ids)


@dataclass
class RenderedPage:
    title: str
    flavour: str
    html: str
    notes: list[Note]
    markers: list[str]  # the expected reference id of every marker, in document order
    bibliography: int  # full citations rendered outside any reference list


# --------------------------------------------------------------------------- CS1


_CS1_ALIASES = {
    "accessdate": "access-date",
    "archiveurl": "archive-url",
    "archivedate": "archive-date",
    "deadurl": "dead-url",
    "authorlink": "author-link",
    "authorlink1": "author-link",
    "author-link1": "author-link",
    "chapterurl": "chapter-url",
    "contribution": "chapter",
    "entry": "chapter",
    "surname": "last",
    "last1": "last",
    "surname1": "last",
    "given": "first",
    "first1": "first",
    "given1": "first",
    "author1": "author",
    "website": "work",
    "newspaper": "work",
    "journal": "work",
    "magazine": "work",
    "periodical": "work",
    "encyclopedia": "work",
    "encyclopaedia": "work",
    "place": "location",
    "editor1": "editor",
    "editor-last": "editor",
    "editor1-last": "editor",
    "editor-first": "editor-first",
    "editor1-first": "editor-first",
    "pg": "page",
    "p": "page",
    "pp": "pages",
    "transtitle": "trans-title",
    "urlstatus": "url-status",
}
_IDENTIFIER_LINKS = {
    "doi": ("Digital_object_identifier", "doi", "https://doi.org/{}"),
    "pmid": ("PubMed_Identifier", "PMID", "https://pubmed.ncbi.nlm.nih.gov/{}"),
    "pmc": ("PubMed_Central", "PMC", "https://www.ncbi.nlm.nih.gov/pmc/articles/PMC{}"),
    "oclc": ("OCLC_(identifier)", "OCLC", "https://www.worldcat.org/oclc/{}"),
    "jstor": ("JSTOR_(identifier)", "JSTOR", "https://www.jstor.org/stable/{}"),
    "bibcode": ("Bibcode_(identifier)", "Bibcode", "https://ui.adsabs.harvard.edu/abs/{}"),
    "arxiv": ("ArXiv_(identifier)", "arXiv", "https://arxiv.org/abs/{}"),
    "hdl": ("Hdl_(identifier)", "hdl", "https://hdl.handle.net/{}"),
    "lccn": ("LCCN_(identifier)", "LCCN", "https://lccn.loc.gov/{}"),
    "issn": ("ISSN_(identifier)", "ISSN", "https://www.worldcat.org/issn/{}"),
    "s2cid": ("S2CID_(identifier)", "S2CID", "https://api.semanticscholar.org/CorpusID:{}"),
}
_BOOKISH = frozenset({"book", "thesis", "report", "map", "encyclopedia", "dictionary", "av media", "manual"})
_DEAD_VALUES = frozenset({"dead", "yes", "y", "true", "unfit", "usurped"})
_LIVE_VALUES = frozenset({"live", "no", "n", "false"})
_CITE_NAME_RE = re.compile(r"^(?:cite [a-z][a-z ]*|citation|vcite [a-z]+)$")
_GERMAN_CITES = frozenset({"internetquelle", "literatur", "cite web (de)"})


def _is_cs1(name: str) -> bool:
    return name not in ("cite quote", "citation needed") and bool(_CITE_NAME_RE.match(name))


@dataclass
class _Citation:
    """A CS1 template's parameters, by this module's own small alias table."""

    kind: str  # "web", "news", "book" …; "citation" for CS2
    values: dict[str, str]  # canonical name → wikitext

    @classmethod
    def of(cls, name: str, params: list[tuple[str, str]]) -> _Citation:
        written: dict[str, str] = {}
        for key, value in params:
            written[_SPACE_RE.sub(" ", key.strip().lower())] = value  # a repeated parameter keeps its last value
        values: dict[str, str] = {}
        for key, value in written.items():
            canonical = _CS1_ALIASES.get(key, _CS1_ALIASES.get(key.replace("_", "-"), key))
            if _raw(value) and canonical not in values:
                values[canonical] = value  # of two aliases, the first given
        kind = name.removeprefix("cite ").removeprefix("vcite ") if name != "citation" else "citation"
        return cls(kind, values)

    def get(self, key: str) -> str:
        return _raw(self.values.get(key, ""))

    def names(self, prefix: str = "") -> list[tuple[str, str, str]]:
        """(surname, given, link) of the authors (``prefix="editor"``: editors) in index order."""
        found: list[tuple[str, str, str]] = []
        for index in range(1, 10):
            suffix = "" if index == 1 else str(index)
            if prefix:
                last = (
                    self.get(f"editor{suffix}") or self.get(f"editor{suffix}-last") or self.get(f"editor-last{suffix}")
                )
                first = self.get(f"editor{suffix}-first") or self.get(f"editor-first{suffix}") if last else ""
                link = ""
            else:
                last = self.get(f"last{suffix}") or self.get(f"author{suffix}") or self.get(f"surname{suffix}")
                first = self.get(f"first{suffix}") or self.get(f"given{suffix}")
                link = self.get("author-link" if index == 1 else f"author-link{index}") or self.get(
                    f"authorlink{suffix}"
                )
                if self.get(f"author{suffix}") and not self.get(f"last{suffix}"):
                    first = ""
            if last:
                found.append((last, first, link))
            elif index > 1:
                break
        if not found and not prefix:
            for key in ("authors", "vauthors", "people"):
                if self.get(key):
                    found.append((self.get(key), "", ""))
                    break
        return found

    def status(self) -> str | None:
        value = (self.get("url-status") or self.get("dead-url")).lower()
        if value in _DEAD_VALUES:
            return "dead"
        if value in _LIVE_VALUES:
            return "live"
        return None

    def year(self) -> str | None:
        for key in ("date", "year", "publication-date"):
            match = re.search(r"(?:1[5-9]|20)\d\d[a-z]?", _plain(self.values.get(key, "")))
            if match:
                return match.group(0)
        return None

    def citeref(self) -> str | None:
        stated = self.values.get("ref", "")
        if stated.strip():
            template = re.match(r"\s*\{\{\s*(?:sfnref|harvid)\s*\|(?P<args>.*)\}\}\s*$", stated, re.I | re.S)
            if template:
                return "CITEREF" + _anchor("".join(part.strip() for part in template["args"].split("|")))
            plain = _plain(stated)
            if plain.lower() == "none":
                return None
            if plain.lower() != "harv":
                return _anchor(plain)
        surnames = [_plain(last) for last, _, _ in self.names()] or [
            _plain(last) for last, _, _ in self.names("editor")
        ]
        year = self.year()
        if not surnames or year is None:
            return None
        return "CITEREF" + _anchor("".join(surnames[:4]) + year)


class _Cs1:
    """Renders one CS1/CS2 citation the way Module:Citation/CS1 lays it out."""

    def __init__(self, renderer: _Renderer, citation: _Citation) -> None:
        self.r = renderer
        self.c = citation
        self.cs2 = citation.kind == "citation"
        self.sep = ", " if self.cs2 else ". "

    def html(self, value: str) -> str:
        return self.r.inline_text(value, in_template=True)

    def ext(self, url: str, text: str) -> str:
        return f'<a rel="mw:ExtLink" class="external text" href="{_esc_attr(url)}">{text}</a>'

    def render(self) -> tuple[str, str]:
        """(inner HTML of the ``<cite>``, COinS title)."""
        c = self.c
        parts: list[str] = []
        authors = c.names()
        date = c.get("date") or " ".join(filter(None, (c.get("month"), c.get("year"))))
        names = []
        for last, first, link in authors:
            shown = self.html(last) + (", " + self.html(first) if first else "")
            names.append(
                f'<a rel="mw:WikiLink" href="./{_title_href(link)}" title="{_esc_attr(link)}">{shown}</a>'
                if link
                else shown
            )
        lead = "; ".join(names)
        if lead and date:
            lead += f" ({self.html(date)})"
        if lead:
            parts.append(lead)
        archive_url = c.get("archive-url")
        url = c.get("url")
        dead = bool(archive_url) and c.status() != "live"
        title = c.get("title") or c.get("script-title")
        chapter = c.get("chapter")
        chapter_url = c.get("chapter-url")
        suffix = ""
        if c.get("format") or re.search(r"\.pdf(?:$|[?#])", url, re.I):
            suffix += f' <span class="cs1-format">({self.html(c.get("format") or "PDF")})</span>'
        if c.get("language"):
            suffix += f" (in {self.html(c.get('language'))})"
        title_url = archive_url if dead else (url or None)
        if chapter:
            chapter_html = f"&quot;{self.html(chapter)}&quot;"
            chapter_link = archive_url if dead and chapter_url else (chapter_url or None)
            parts.append(
                (self.ext(chapter_link, chapter_html) if chapter_link else chapter_html)
                + (suffix if chapter_link else "")
            )
            editors = c.names("editor")
            if editors:
                shown = "; ".join(
                    self.html(last) + (", " + self.html(first) if first else "") for last, first, _ in editors
                )
                parts.append(f"In {shown} (ed.)")
            if title:
                book = f"<i>{self.html(title)}</i>"
                book_url = None if chapter_url else title_url
                parts.append(self.ext(book_url, book) + (suffix if not chapter_link else "") if book_url else book)
        elif title:
            shown = self.html(title)
            if c.get("trans-title"):
                shown += f" [{self.html(c.get('trans-title'))}]"
            entry = c.kind in ("encyclopedia", "dictionary") and bool(c.get("work"))
            styled = f"<i>{shown}</i>" if c.kind in _BOOKISH and not entry else f"&quot;{shown}&quot;"
            parts.append((self.ext(title_url, styled) if title_url else styled) + suffix)
        work = c.get("work")
        if work:
            shown = f"<i>{self.html(work)}</i>"
            if c.get("volume"):
                shown += f" <b>{self.html(c.get('volume'))}</b>"
            if c.get("issue"):
                shown += f" ({self.html(c.get('issue'))})"
            parts.append(shown)
        elif c.get("volume"):
            parts.append(f"Vol.&nbsp;{self.html(c.get('volume'))}")
        if c.get("edition"):
            parts.append(f"{self.html(c.get('edition'))} ed")
        location, publisher = c.get("location"), c.get("publisher")
        if publisher or location:
            shown = ": ".join(self.html(value) for value in (location, publisher) if value)
            if c.get("agency"):
                shown += f". {self.html(c.get('agency'))}"
            parts.append(shown)
        if date and not authors:
            parts.append(self.html(date))
        pages = c.get("pages") or c.get("page")
        if pages:
            parts.append(("pp.&nbsp;" if c.get("pages") else "p.&nbsp;") + self.html(pages))
        elif c.get("at"):
            parts.append(self.html(c.get("at")))
        for name, (article, label, pattern) in _IDENTIFIER_LINKS.items():
            value = _plain(c.values.get(name, ""))
            if value:
                shown = "PMC" + value.removeprefix("PMC") if name == "pmc" else value
                parts.append(
                    f'<a rel="mw:WikiLink" href="./{article}" title="{article.replace("_", " ")}">{label}</a>'
                    f'<span typeof="mw:Entity">&nbsp;</span>'
                    + self.ext(pattern.format(quote(value.removeprefix("PMC"), safe="/:.()")), _esc(shown))
                )
        isbn = _plain(c.values.get("isbn", ""))
        if isbn:
            digits = re.sub(r"[^0-9Xx]", "", isbn)
            parts.append(
                '<a rel="mw:WikiLink" href="./ISBN_(identifier)" title="ISBN (identifier)">ISBN</a>'
                f'<span typeof="mw:Entity">&nbsp;</span><a rel="mw:WikiLink" href="./Special:BookSources/{digits}" '
                f'title="Special:BookSources/{digits}"><bdi>{_esc(isbn)}</bdi></a>'
            )
        if archive_url:
            archive_date = self.html(c.get("archive-date")) if c.get("archive-date") else ""
            on = f" on {archive_date}" if archive_date else ""
            if dead and url:
                parts.append(f"Archived from {self.ext(url, 'the original')}{on}")
            elif url:
                parts.append(f"{self.ext(archive_url, 'Archived')} from the original{on}")
            else:
                parts.append(f"{self.ext(archive_url, 'Archived')}{on}")
        text = self.sep.join(part for part in parts if part)
        if c.get("access-date"):
            text += f'<span class="reference-accessdate">{self.sep}Retrieved {self.html(c.get("access-date"))}</span>'
        text += "."
        if c.get("quote"):
            text += f" <q>{self.html(c.get('quote'))}</q>"
        if c.get("via"):
            text += f" – via {self.html(c.get('via'))}"
        return text, self.coins()

    def coins(self) -> str:
        """The COinS title, laid out as CS1 lays it out (as in the real legacy sample's citations).

        A periodical (a citation with a work, or a news/journal/magazine one) is a ``journal`` ContextObject:
        ``rft.jtitle`` the work, ``rft.atitle`` the title; anything else a ``book``: ``rft.btitle`` the title
        (``rft.atitle`` a chapter), with ``rft.pub``; web pages with no work are ``book``/``unknown``.
        """
        c = self.c
        title, chapter, work = (_plain(c.values.get(key, "")) for key in ("title", "chapter", "work"))
        if c.kind in ("encyclopedia", "dictionary") and work and not chapter:
            chapter, title = title, work  # the entry is the "chapter" of the encyclopedia
        periodical = bool(work) and c.kind not in _BOOKISH
        pairs: list[tuple[str, str]] = [("ctx_ver", "Z39.88-2004")]
        pairs.append(("rft_val_fmt", "info:ofi/fmt:kev:mtx:" + ("journal" if periodical else "book")))
        if periodical:
            pairs.append(("rft.genre", "unknown" if c.kind in ("web", "citation") else "article"))
            pairs.append(("rft.jtitle", work))
            if title or chapter:
                pairs.append(("rft.atitle", chapter or title))
        else:
            genre = "bookitem" if chapter else ("book" if c.kind in _BOOKISH else "unknown")
            pairs.append(("rft.genre", genre))
            if chapter:
                pairs.append(("rft.atitle", chapter))
            if title or work:
                pairs.append(("rft.btitle", title if not chapter or title else work))
        for key, name in (
            ("location", "rft.place"),
            ("pages", "rft.pages"),
            ("page", "rft.pages"),
            ("volume", "rft.volume"),
            ("issue", "rft.issue"),
        ):
            if c.get(key):
                pairs.append((name, _plain(c.values[key])))
        date = c.get("date") or c.get("year")
        if date:
            pairs.append(("rft.date", _plain(date)))
        if not periodical and c.get("publisher"):
            pairs.append(("rft.pub", _plain(c.values["publisher"])))
        for key, name in (("isbn", "rft.isbn"), ("issn", "rft.issn")):
            if c.get(key):
                pairs.append((name, _plain(c.values[key])))
        for key in ("doi", "pmid", "oclc", "bibcode", "lccn", "arxiv", "hdl"):
            if c.get(key):
                pairs.append(("rft_id", f"info:{'oclcnum' if key == 'oclc' else key}/{_plain(c.values[key])}"))
        authors = c.names()
        if authors:
            last, first, _ = authors[0]
            if first:
                pairs += [("rft.aulast", _plain(last)), ("rft.aufirst", _plain(first))]
            else:
                pairs.append(("rft.au", _plain(last)))
            pairs += [("rft.au", ", ".join(filter(None, (_plain(la), _plain(fi))))) for la, fi, _ in authors[1:]]
        if c.get("url"):
            pairs.append(("rft_id", c.get("url")))
        pairs.append(("rfr_id", f"info:sid/en.wikipedia.org:{self.r.title}"))
        return urlencode(pairs)


def _esc_attr(value: str) -> str:
    return html.escape(value, quote=True)


def _german_citation(renderer: _Renderer, name: str, params: list[tuple[str, str]]) -> str:
    """dewiki's {{Internetquelle}} / {{Literatur}}: ``Autor: Titel. In: Werk. Hrsg, Datum, abgerufen am …``."""
    values = {key.strip().lower(): value for key, value in params if _raw(value)}

    def shown(key: str) -> str:
        return renderer.inline_text(values[key], in_template=True) if key in values else ""

    parts: list[str] = []
    if shown("autor"):
        parts.append(shown("autor") + ":")
    url = _raw(values.get("url", "")) or _raw(values.get("online", ""))
    title = f"<i>{shown('titel')}.</i>" if shown("titel") else ""
    if title:
        parts.append(f'<a rel="mw:ExtLink" class="external text" href="{_esc_attr(url)}">{title}</a>' if url else title)
    if shown("werk") or shown("sammelwerk"):
        parts.append(f"In: <i>{shown('werk') or shown('sammelwerk')}</i>.")
    tail = [value for value in (shown("hrsg"), shown("verlag"), shown("ort"), shown("datum") or shown("jahr")) if value]
    if shown("isbn"):
        tail.append(f"ISBN {shown('isbn')}")
    if _raw(values.get("archiv-url", "")):
        archive = _raw(values["archiv-url"])
        tail.append(
            f'archiviert vom <a rel="mw:ExtLink" class="external text" href="{_esc_attr(archive)}">Original</a>'
            + (f" am {shown('archiv-datum')}" if shown("archiv-datum") else "")
        )
    accessed = shown("zugriff") or shown("abruf")
    if accessed:
        tail.append(f"abgerufen am {accessed}")
    if tail:
        parts.append(", ".join(tail) + ".")
    return f'<span class="cite">{" ".join(parts)}</span>'


# --------------------------------------------------------------------------- templates the renderer knows

_NOTE_TEMPLATES = {
    "efn": "lower-alpha",
    "efn-la": "lower-alpha",
    "efn-ua": "upper-alpha",
    "efn-lr": "lower-roman",
    "efn-ur": "upper-roman",
    "efn-lg": "lower-greek",
    "notetag": "lower-alpha",
    "refn": "",
}
# {{efn}} passes these groups on and makes every other one lower-alpha (Template:Efn's #switch).
_EFN_GROUPS = frozenset({"note", "upper-alpha", "upper-roman", "lower-alpha", "lower-greek", "lower-roman"})
_ALPHA_GROUPS = {
    "lower-alpha": "abcdefghijklmnopqrstuvwxyz",
    "upper-alpha": "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "lower-greek": "αβγδεζηθικλμνξοπρστυφχψω",
}
_ROMAN_GROUPS = frozenset({"lower-roman", "upper-roman"})
_REFLISTS = {
    "reflist": None,
    "references": None,
    "refs": None,
    "notelist": "lower-alpha",
    "notelist-la": "lower-alpha",
    "notelist-ua": "upper-alpha",
    "notelist-lr": "lower-roman",
    "notelist-ur": "upper-roman",
    "notelist-lg": "lower-greek",
    "reflist-talk": None,
}
_SFN = frozenset({"sfn", "sfnp", "sfnm"})
_HARV = {
    "harvnb": "{names} {year}",
    "harv": "({names} {year})",
    "harvp": "({names} {year})",
    "harvtxt": "{names} ({year})",
    "harvcolnb": "{names} {year}",
}
_DEAD_LINKS = frozenset({"dead link", "deadlink", "dead-link", "404", "broken link"})
_PERMANENT_DEAD = frozenset({"permanent dead link", "permanently dead link"})
_WEBARCHIVES = frozenset({"webarchive", "wayback", "web archive"})
_HATNOTES = {
    "main": "Main article",
    "main article": "Main article",
    "see also": "See also",
    "further": "Further information",
    "further2": "Further information",
    "hauptartikel": "Hauptartikel",
    "details": "Further details",
}
_TOP_HATNOTES = frozenset(
    {"about", "redirect", "redirect2", "distinguish", "for", "other uses", "weiterleitungshinweis"}
)
_INVISIBLE_PREFIXES = (
    "use ",
    "pp-",
    "engvar",
    "short description",
    "italic title",
    "good article",
    "featured article",
    "defaultsort",
    "displaytitle",
    "lesenswert",
    "exzellent",
    "update after",
    "inconsistent citations",
    "cbignore",
    "anker",
    "coord missing",
    "normdaten",
    "authority control",
)
_INLINE_FIRST = frozenset(
    {"nowrap", "nobr", "small", "big", "sic", "ipa", "ipac-en", "zh", "lang-gd", "fr icon", "pt icon"}
)


# --------------------------------------------------------------------------- the renderer


@dataclass
class _Context:
    in_template: bool = False  # inside a template's expansion: no encapsulation of nested templates
    in_ref: bool = False


def _element_id(counter: int) -> str:
    raw = counter.to_bytes(max(1, (counter.bit_length() + 7) // 8), "big")
    return "mw" + base64.b64encode(raw).decode("ascii").rstrip("=").replace("+", "-").replace("/", "_")


class _Cite:
    """Cite's state over one page: notes by group and name, the global index, the list placeholders."""

    def __init__(self, renderer: _Renderer) -> None:
        self.r = renderer
        self.index = 0
        self.groups: dict[str, list[Note]] = {}
        self.named: dict[tuple[str, str], Note] = {}
        self.listed: dict[str, str] = {}  # group → placeholder of the list that shows it
        self.lists: list[tuple[str, str, str | None, dict[str, Any]]] = []  # (placeholder, group, about, data-mw)
        self.order: list[Note] = []

    def _note(self, group: str, name: str | None) -> Note:
        if name is not None and (group, name) in self.named:
            return self.named[(group, name)]
        self.index += 1
        notes = self.groups.setdefault(group, [])
        key = name.replace(" ", "_") if name is not None else None
        anchor = f"cite_note-{key}-{self.index}" if key is not None else f"cite_note-{self.index}"
        note = Note(group=group, name=name, index=self.index, number=len(notes) + 1, anchor=anchor)
        notes.append(note)
        self.order.append(note)
        if name is not None:
            self.named[(group, name)] = note
        return note

    def label(self, note: Note) -> str:
        letters = _ALPHA_GROUPS.get(note.group)
        if letters is not None:
            return letters[(note.number - 1) % len(letters)] * ((note.number - 1) // len(letters) + 1)
        if note.group in _ROMAN_GROUPS:
            roman = _roman(note.number)
            return roman if note.group == "upper-roman" else roman.lower()
        return f"{note.group} {note.number}" if note.group else str(note.number)

    def ref(
        self,
        *,
        group: str,
        name: str | None,
        content: Any | None,
        ctx: _Context,
        listing: bool = False,
        encapsulation: tuple[str, dict[str, Any]] | None = None,
    ) -> str:
        """A ``<ref>``: records the definition and returns its marker (empty inside a references list)."""
        r = self.r
        name = name.strip() if name and name.strip() else None
        defines = content is not None and bool(str(content).strip())
        if not defines and name is None:
            # <ref/>, <ref></ref>: Cite's "refs with no name must have content" error, no list item.
            return (
                '<span class="error mw-ext-cite-error" typeof="mw:Extension/ref mw:Error" '
                + _attr("data-mw", _json({"name": "ref", "attrs": {}, "errors": [{"key": "cite_error_ref_no_input"}]}))
                + "></span>"
            )
        note = self._note(group, name)
        body_id = f"mw-reference-text-{note.anchor}"
        if defines and note.body_html is None:
            inner = _Context(in_template=ctx.in_template, in_ref=True)
            note.body_html = r.inline(content, inner)
            note.raw = str(content).strip()
            note.in_template = ctx.in_template
            note.list_defined = listing
        if listing:
            return ""
        if name is not None:
            marker_id = f"cite_ref-{name.replace(' ', '_')}_{note.index}-{len(note.marker_ids)}"
        else:
            marker_id = f"cite_ref-{note.index}"
        note.marker_ids.append(marker_id)
        r.markers.append(note.expected_id)
        attrs: dict[str, str] = {}
        if name is not None:
            attrs["name"] = name
        if group:
            attrs["group"] = group
        data: dict[str, Any] = {"name": "ref", "attrs": attrs}
        if defines:
            data["body"] = {"id": body_id}
        typeof = "mw:Extension/ref"
        about = r.about()
        if encapsulation is not None and r.keep_template_data:
            about, template_data = encapsulation
            typeof = "mw:Transclusion mw:Extension/ref"
            data = {**data, **template_data} if r.flavour == "2.8" else template_data
        sup_attrs = [("about", about), ("class", "mw-ref reference"), ("id", marker_id), ("rel", "dc:references")]
        sup_attrs += [("typeof", typeof), ("data-mw", _json(data))]
        group_attr = _attrs([("data-mw-group", group or None)])
        label = self.label(note)
        shown = (
            f'<span class="cite-bracket">[</span>{_esc(label)}<span class="cite-bracket">]</span>'
            if (r.flavour == "2.8")
            else f"[{_esc(label)}]"
        )
        return (
            f"<sup{_attrs(sup_attrs)}>"
            f'<a href="{_esc_attr(r.page)}#{_esc_attr(note.anchor)}"{group_attr}>'
            f'<span class="mw-reflink-text">{shown}</span></a></sup>'
        )

    def placeholder(self, group: str, about: str | None, data: dict[str, Any]) -> str:
        token = f"\ue100{len(self.lists)}\ue101"
        self.lists.append((token, group, about, data))
        self.listed.setdefault(group, token)
        return token

    def fill(self, page: str) -> str:
        """Every list placeholder replaced by its list; lists nobody placed appended at the end."""
        for group in self.groups:
            if group not in self.listed:
                data = {"name": "references", "attrs": {"group": group} if group else {}, "autoGenerated": True}
                page = page.replace("\ue102", self.placeholder(group, self.r.about(), data) + "\ue102")
        page = page.replace("\ue102", "")
        for token, group, about, data in self.lists:
            shown = self.groups.get(group, []) if self.listed.get(group) == token else []
            page = page.replace(token, self.reference_list(group, about, data, shown))
        return page

    def reference_list(self, group: str, about: str | None, data: dict[str, Any], notes: list[Note]) -> str:
        """``div.mw-references-wrap > ol.mw-references`` (2.8); the ``ol`` itself carries the extension (1.7)."""
        extension = [("typeof", "mw:Extension/references"), ("about", about), ("data-mw", _json(data))]
        columns = " mw-references-columns" if len(notes) > 10 else ""
        list_attrs = [("class", "mw-references references"), ("data-mw-group", group or None)]
        if group in _ALPHA_GROUPS or group in _ROMAN_GROUPS:
            list_attrs.append(("style", f"list-style-type: {group};"))
        if self.r.flavour == "2.8":
            return (
                f"<div{_attrs([('class', 'mw-references-wrap' + columns), *extension])}>"
                f"<ol{_attrs(list_attrs)}>{self.items(group, notes)}</ol></div>"
            )
        return f"<ol{_attrs([*list_attrs, *extension])}>{self.items(group, notes)}</ol>"

    def items(self, group: str, notes: list[Note]) -> str:
        r = self.r
        group_attr = _attrs([("data-mw-group", group or None)])
        out: list[str] = []
        for note in sorted(notes, key=lambda item: (item.uses == 0, item.number)):
            number = f' data-mw-footnote-number="{note.number}"' if r.flavour == "2.8" else ""
            if len(note.marker_ids) == 1:
                link = (
                    f'<a href="{_esc_attr(r.page)}#{_esc_attr(note.marker_ids[0])}"{group_attr} rel="mw:referencedBy">'
                    '<span class="mw-linkback-text">↑ </span></a>'
                )
                backlinks = f'<span class="mw-cite-backlink">{link}</span>' if r.flavour == "2.8" else link
            else:
                links = "".join(
                    f'<a href="{_esc_attr(r.page)}#{_esc_attr(marker)}"{group_attr}>'
                    f'<span class="mw-linkback-text">{k} </span></a>'
                    for k, marker in enumerate(note.marker_ids, start=1)
                )
                backlinks = f'<span rel="mw:referencedBy" class="mw-cite-backlink">{links}</span>'
            body = note.body_html
            error = ""
            if body is None:
                body = ""
                error = (
                    '<span typeof="mw:I18n" class="error mw-ext-cite-error" '
                    + _attr(
                        "data-mw-i18n",
                        _json(
                            {
                                "/": {
                                    "lang": "x-user",
                                    "key": "cite_error",
                                    "params": [
                                        {"text": {"key": "cite_error_references_no_text", "params": [note.name or ""]}}
                                    ],
                                }
                            }
                        ),
                    )
                    + "></span>"
                )
            out.append(
                f'<li about="#{_esc_attr(note.anchor)}" id="{_esc_attr(note.anchor)}"{number}>{backlinks} '
                f'<span id="mw-reference-text-{_esc_attr(note.anchor)}" '
                f'class="mw-reference-text reference-text">{body}</span>'
                f"{' ' + error if error else ''}</li>"
            )
        return "".join(out)


def _roman(number: int) -> str:
    values = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ]
    out = ""
    for value, letters in values:
        while number >= value:
            out += letters
            number -= value
    return out


class _Renderer:
    def __init__(self, title: str, flavour: str, keep_template_data: bool) -> None:
        self.title = title
        self.flavour = flavour
        self.keep_template_data = keep_template_data
        self.page = "./" + _title_href(title)
        self.about_counter = 0
        self.id_counter = 0
        self.markers: list[str] = []
        self.cite = _Cite(self)
        self.styles_seen = False
        self.heading_ids: set[str] = set()
        self.bibliography = 0

    def about(self) -> str:
        self.about_counter += 1
        return f"#mwt{self.about_counter}"

    def next_id(self) -> str:
        self.id_counter += 1
        return _element_id(self.id_counter)

    # -- the document ---------------------------------------------------------------

    def document(self, wikitext: str) -> str:
        code = mwparserfromhell.parse(wikitext)
        segments: list[tuple[Heading | None, list[Any]]] = [(None, [])]
        for node in code.nodes:
            if isinstance(node, Heading):
                segments.append((node, []))
            else:
                segments[-1][1].append(node)
        out: list[str] = []
        open_levels: list[int] = []
        for section_id, (heading, nodes) in enumerate(segments):
            level = int(heading.level) if heading is not None else 99  # the lead closes at the first heading
            while open_levels and (open_levels[-1] >= level or open_levels[-1] == 0):
                out.append("</section>")
                open_levels.pop()
            out.append(f'<section data-mw-section-id="{section_id}" id="{self.next_id()}">')
            open_levels.append(level if heading is not None else 0)
            if heading is not None:
                out.append(self.heading(heading))
            out.append(self.blocks(nodes, _Context()))
        out.append("\ue102")  # where auto-generated reference lists go
        out.extend("</section>" for _ in open_levels)
        body = self.cite.fill("".join(out))
        return self.wrap(body)

    def wrap(self, body: str) -> str:
        version = "2.8.0" if self.flavour == "2.8" else "1.7.0"
        href = _title_href(self.title)
        meta = (
            f'<meta charset="utf-8"/><meta property="mw:pageId" content="{sum(map(ord, self.title))}"/>'
            '<meta property="mw:pageNamespace" content="0"/>'
            '<meta property="dc:modified" content="2018-06-01T12:00:00.000Z"/>'
            + (f'<meta property="mw:htmlVersion" content="{version}"/>' if self.flavour == "2.8" else "")
            + f'<meta property="mw:html:version" content="{version}"/>'
            f'<link rel="dc:isVersionOf" href="//en.wikipedia.org/wiki/{_esc_attr(href)}"/>'
            '<base href="//en.wikipedia.org/wiki/"/>'
            f"<title>{_esc(self.title)}</title>"
        )
        body_attrs = (
            ' data-mw-parsoid-version="0.22.0.0-alpha19" data-mw-html-version="2.8.0"' if self.flavour == "2.8" else ""
        )
        return (
            '<!DOCTYPE html>\n<html prefix="dc: http://purl.org/dc/terms/ mw: http://mediawiki.org/rdf/" '
            f'about="https://en.wikipedia.org/wiki/Special:Redirect/revision/1"><head prefix="mwr: https://en.wikipedia.org/wiki/Special:Redirect/">{meta}</head>'
            '<body lang="en" class="mw-content-ltr sitedir-ltr ltr mw-body-content parsoid-body mediawiki '
            'mw-parser-output" '
            f'dir="ltr"{body_attrs} id="mwAA">{body}</body></html>'
        )

    def heading(self, heading: Heading) -> str:
        level = int(heading.level)
        inner = self.inline(heading.title, _Context())
        text = _plain(str(heading.title))
        anchor = _anchor(text) or "_"
        unique, count = anchor, 1
        while unique in self.heading_ids:
            count += 1
            unique = f"{anchor}_{count}"
        self.heading_ids.add(unique)
        return f'<h{level} id="{_esc_attr(unique)}">{inner.strip()}</h{level}>'

    # -- blocks: paragraphs, lists, block templates -----------------------------------

    def blocks(self, nodes: list[Any], ctx: _Context) -> str:
        lines: list[list[Any]] = [[]]
        for node in _line_bound_formatting(nodes):
            if isinstance(node, Text):
                pieces = str(node).split("\n")
                for index, piece in enumerate(pieces):
                    if index:
                        lines.append([])
                    if piece:
                        lines[-1].append(Text(piece))
            else:
                lines[-1].append(node)
        out: list[str] = []
        paragraph: list[str] = []
        list_prefix = ""

        def flush() -> None:
            text = "\n".join(paragraph).strip()
            paragraph.clear()
            if text:
                out.append(f'<p id="{self.next_id()}">{text}</p>')

        def close_lists(keep: str = "") -> None:
            nonlocal list_prefix
            common = 0
            while common < min(len(keep), len(list_prefix)) and _list_tag(keep[common]) == _list_tag(
                list_prefix[common]
            ):
                common += 1
            for char in reversed(list_prefix[common:]):
                out.append(f"</{_item_tag(char)}></{_list_tag(char)}>")
            list_prefix = list_prefix[:common]

        for line in lines:
            significant = [
                node
                for node in line
                if not (isinstance(node, Text) and not str(node).strip()) and not isinstance(node, Comment)
            ]
            if not significant:
                flush()
                close_lists()
                continue
            first = significant[0]
            if isinstance(first, Tag) and first.wiki_markup and str(first.tag) in ("li", "dt", "dd"):
                flush()
                prefix = ""
                position = line.index(first)
                while (
                    position < len(line)
                    and isinstance(line[position], Tag)
                    and line[position].wiki_markup
                    and str(line[position].tag) in ("li", "dt", "dd")
                ):
                    prefix += str(line[position].wiki_markup)
                    position += 1
                close_lists(prefix)
                if len(prefix) == len(list_prefix) and list_prefix:
                    out.append(f"</{_item_tag(list_prefix[-1])}><{_item_tag(prefix[-1])}>")
                for char in prefix[len(list_prefix) :]:
                    out.append(f"<{_list_tag(char)}><{_item_tag(char)}>")
                list_prefix = prefix
                out.append(self.inline_nodes(line[position:], ctx).strip())
                continue
            close_lists()
            for node in line:
                block = self.block(node, ctx)
                if block is not None:
                    flush()
                    out.append(block)
                else:
                    rendered = self.inline_nodes([node], ctx)
                    if paragraph:
                        paragraph[-1] += rendered
                    else:
                        paragraph.append(rendered)
            if paragraph:
                paragraph.append("")
        flush()
        close_lists()
        return "\n".join(out)

    def block(self, node: Any, ctx: _Context) -> str | None:
        """The node's HTML when it is block content (tables, figures, block templates, lists of references)."""
        if isinstance(node, Tag):
            tag = str(node.tag).lower()
            if tag == "table" or tag in (
                "div",
                "blockquote",
                "center",
                "gallery",
                "references",
                "pre",
                "timeline",
                "imagemap",
                "mapframe",
                "graph",
                "score",
                "syntaxhighlight",
                "source",
                "poem",
            ):
                return self.inline_nodes([node], ctx)
            return None
        if isinstance(node, Wikilink):
            target = str(node.title).strip().lower()
            if target.startswith(("file:", "image:", "datei:", "bild:")) and re.search(
                r"\|\s*(?:thumb|thumbnail|frame|framed|miniatur|mini)\s*(?:\||$)", str(node), re.I
            ):
                return self.figure(node, ctx)
            return None
        if isinstance(node, Template):
            name = _norm_name(str(node.name))
            if (
                name.startswith(("infobox", "navbox", "sidebar", "taxobox", "portal", "sister project", "commons"))
                or name in _HATNOTES
                or name in _TOP_HATNOTES
                or name in _REFLISTS
                or name
                in (
                    "refbegin",
                    "refend",
                    "col-begin",
                    "col-end",
                    "col-2",
                    "columns-list",
                    "quote",
                    "blockquote",
                    "wide image",
                    "toronto weatherbox",
                    "fs start",
                    "fs mid",
                    "fs end",
                    "fs player",
                    "collapsible list",
                    "related articles",
                    "naviblock",
                )
            ):
                return self.template(node, ctx)
        return None

    def figure(self, node: Wikilink, ctx: _Context) -> str:
        parts = str(node.title).split(":", 1)
        file_name = _title_href(parts[1]) if len(parts) > 1 else _title_href(parts[0])
        caption = ""
        if node.text is not None:
            options = _split_top_level(str(node.text))
            keywords = re.compile(
                r"^\s*(?:thumb|thumbnail|frame|framed|frameless|mini|miniatur|left|right|center|none|"
                r"upright(?:=.*)?|\d+(?:x\d+)?px|alt=.*|link=.*|border|baseline|middle)\s*$",
                re.I,
            )
            free = [option for option in options if not keywords.match(option)]
            if free:
                caption = self.inline(mwparserfromhell.parse(free[-1]), ctx)
        return (
            f'<figure class="mw-default-size" typeof="mw:File/Thumb" id="{self.next_id()}">'
            f'<a href="./File:{_esc_attr(file_name)}" class="mw-file-description">'
            f'<img resource="./File:{_esc_attr(file_name)}" '
            f'src="//upload.wikimedia.org/wikipedia/commons/thumb/{_esc_attr(file_name)}/220px-{_esc_attr(file_name)}" '
            'height="165" width="220" class="mw-file-element"/></a>'
            f"<figcaption>{caption}</figcaption></figure>"
        )

    # -- inline content -------------------------------------------------------------

    def inline(self, code: Any, ctx: _Context) -> str:
        return self.inline_nodes(list(code.nodes), ctx)

    def inline_text(self, wikitext: str, *, in_template: bool) -> str:
        return self.inline(mwparserfromhell.parse(wikitext), _Context(in_template=in_template)).strip()

    def inline_nodes(self, nodes: list[Any], ctx: _Context) -> str:
        out: list[str] = []
        for index, node in enumerate(nodes):
            if isinstance(node, Text):
                out.append(_esc(re.sub(r"__[A-Z]+__", "", str(node))))
            elif isinstance(node, Comment):
                out.append("<!--" + str(node.contents).replace("--", "&#x2D;&#x2D;") + "-->")
            elif isinstance(node, HTMLEntity):
                char = _esc(node.normalize())
                out.append(char if ctx.in_template else f'<span typeof="mw:Entity">{char}</span>')
            elif isinstance(node, Wikilink):
                out.append(self.wikilink(node, ctx))
            elif isinstance(node, ExternalLink):
                out.append(self.external_link(node, ctx))
            elif isinstance(node, Tag):
                out.append(self.tag(node, ctx, nodes[index + 1 :]))
            elif isinstance(node, Template):
                out.append(self.template(node, ctx))
            elif isinstance(node, Heading):
                level = int(node.level)
                out.append(f"<h{level}>{self.inline(node.title, ctx)}</h{level}>")
            else:
                out.append(_esc(str(node)))
        return "".join(out)

    def wikilink(self, node: Wikilink, ctx: _Context) -> str:
        target = str(node.title).strip()
        lowered = target.lower()
        if lowered.startswith(("file:", "image:", "datei:", "bild:", "media:")):
            return (
                self.figure(node, ctx)
                .replace("<figure", "<span")
                .replace("</figure>", "</span>")
                .replace("<figcaption>", "<span>")
                .replace("</figcaption>", "</span>")
            )
        if lowered.startswith(("category:", "kategorie:")):
            return f'<link rel="mw:PageProp/Category" href="./{_esc_attr(_title_href(target))}"/>'
        if (
            re.match(r"^[a-z]{2,3}(?:-[a-z]+)?:", lowered)
            and node.text is None
            and ":" in target
            and not lowered.startswith(
                (
                    "wikt:",
                    "wiktionary:",
                    "s:",
                    "wikisource:",
                    "q:",
                    "w:",
                    "commons:",
                    "meta:",
                    "special:",
                    "help:",
                    "wp:",
                )
            )
        ):
            lang, rest = target.split(":", 1)
            return f'<link rel="mw:PageProp/Language" href="https://{_esc_attr(lang.lower())}.wikipedia.org/wiki/{_esc_attr(_title_href(rest))}"/>'
        text = self.inline(node.text, ctx) if node.text is not None else _esc(target.lstrip(":"))
        page = _title_href(target.lstrip(":").split("#")[0]) + (
            "#" + _anchor(target.split("#", 1)[1]) if "#" in target else ""
        )
        return f'<a rel="mw:WikiLink" href="./{_esc_attr(page)}" title="{_esc_attr(target.lstrip(":"))}">{text}</a>'

    def external_link(self, node: ExternalLink, ctx: _Context) -> str:
        url = _raw(str(node.url))
        if not node.brackets:
            return f'<a rel="mw:ExtLink" class="external free" href="{_esc_attr(url)}">{_esc(url)}</a>'
        if node.title is None or not str(node.title).strip():
            return f'<a rel="mw:ExtLink" class="external autonumber" href="{_esc_attr(url)}"></a>'
        return f'<a rel="mw:ExtLink" class="external text" href="{_esc_attr(url)}">{self.inline(node.title, ctx)}</a>'

    def tag(self, node: Tag, ctx: _Context, following: list[Any]) -> str:
        tag = str(node.tag).strip().lower()
        attributes = {str(a.name).strip().lower(): _attribute_value(a.value) for a in node.attributes}
        contents = node.contents if node.contents is not None else mwparserfromhell.parse("")
        if tag == "ref":
            return self.cite.ref(
                group=attributes.get("group", ""), name=attributes.get("name"), content=node.contents, ctx=ctx
            )
        if tag == "references":
            return self.references(
                attributes.get("group", ""), contents if node.contents is not None else None, ctx, template=None
            )
        if tag == "nowiki":
            return f'<span typeof="mw:Nowiki">{_esc(str(contents))}</span>'
        if tag in ("includeonly",):
            return ""
        if tag in ("noinclude", "onlyinclude"):
            return self.inline(contents, ctx)
        if tag in (
            "math",
            "chem",
            "score",
            "timeline",
            "graph",
            "mapframe",
            "maplink",
            "syntaxhighlight",
            "source",
            "templatestyles",
            "categorytree",
            "inputbox",
            "imagemap",
        ):
            data = _attr("data-mw", _json({"name": tag, "attrs": attributes, "body": {"extsrc": str(contents)}}))
            about = "" if ctx.in_template else f' about="{self.about()}"'
            fallback = _esc(str(contents)[:200])
            fallback = f'<span class="mwe-math-fallback">{fallback}</span>'
            return f'<span typeof="mw:Extension/{tag}"{about} {data}>{fallback}</span>'
        if tag == "gallery":
            items = [line.split("|", 1) for line in str(contents).splitlines() if line.strip()]
            captions = [
                self.inline_text(item[1], in_template=ctx.in_template) if len(item) > 1 else "" for item in items
            ]
            rendered = "".join(
                f'<li class="gallerybox"><div class="gallerytext">{text}</div></li>' for text in captions
            )
            return f'<ul class="gallery mw-gallery-traditional" typeof="mw:Extension/gallery">{rendered}</ul>'
        if node.wiki_markup and tag in ("li", "dt", "dd"):
            return " "  # a definition list's "; term : definition" separator
        if tag == "table" and node.wiki_markup:
            return self.table(node, ctx)
        if tag in ("br", "hr", "wbr") or node.self_closing:
            return f"<{tag}/>" if tag in ("br", "hr", "wbr") else ""
        kept = [
            (name, value)
            for name, value in attributes.items()
            if name in ("class", "style", "lang", "dir", "title", "colspan", "rowspan", "id")
        ]
        open_tag = tag if re.fullmatch(r"[a-z][a-z0-9]*", tag) else "span"
        return f"<{open_tag}{_attrs(kept)}>{self.inline(contents, ctx)}</{open_tag}>"

    def table(self, node: Tag, ctx: _Context) -> str:
        attributes = [
            (str(a.name).strip().lower(), _plain(str(a.value)) if a.value is not None else "") for a in node.attributes
        ]
        kept = [(name, value) for name, value in attributes if name in ("class", "style")]
        rows: list[str] = []
        cells: list[str] = []
        caption = ""
        for child in node.contents.nodes:
            if not isinstance(child, Tag):
                continue
            tag = str(child.tag).lower()
            if tag == "tr":
                if cells:
                    rows.append("<tr>" + "".join(cells) + "</tr>")
                cells = []
                for cell in child.contents.nodes:
                    if isinstance(cell, Tag) and str(cell.tag).lower() in ("td", "th"):
                        cells.append(self.cell(cell, ctx))
                rows.append("<tr>" + "".join(cells) + "</tr>")
                cells = []
            elif tag in ("td", "th"):
                if str(child.wiki_markup or "").startswith("|+") or str(child).startswith("|+"):
                    caption = f"<caption>{self.inline_nodes(_cell_content(child), ctx).strip()}</caption>"
                else:
                    cells.append(self.cell(child, ctx))
            elif tag == "caption":
                caption = f"<caption>{self.inline(child.contents, ctx).strip()}</caption>"
        if cells:
            rows.append("<tr>" + "".join(cells) + "</tr>")
        return f"<table{_attrs(kept)}>{caption}<tbody>{''.join(rows)}</tbody></table>"

    def cell(self, cell: Tag, ctx: _Context) -> str:
        tag = str(cell.tag).lower()
        content = _cell_content(cell)
        inner = (
            self.blocks(content, ctx)
            if any(isinstance(n, Text) and "\n\n" in str(n) for n in content)
            else (self.inline_nodes(content, ctx).strip())
        )
        return f"<{tag}>{inner}</{tag}>"

    # -- templates --------------------------------------------------------------------

    def encapsulate(
        self,
        elements: list[tuple[str, dict[str, str | None], str]],
        template: Template,
        ctx: _Context,
        extension: dict[str, Any] | None = None,
    ) -> str:
        """Template output: the first element carries about/typeof/data-mw, the rest the same about."""
        if not elements:
            elements = [("span", {}, "")]
        if ctx.in_template:
            return "".join(_element(tag, attrs, inner) for tag, attrs, inner in elements)
        about = self.about()
        data = self.template_data(template)
        out = []
        for position, (tag, attrs, inner) in enumerate(elements):
            attrs = {"about": about, **attrs}
            if position == 0 and not self.keep_template_data:
                if extension is not None:
                    attrs["typeof"] = f"mw:Extension/{extension['name']}"
                    attrs["data-mw"] = _json(extension)
            elif position == 0:
                if extension is not None:
                    attrs["typeof"] = f"mw:Extension/{extension['name']} mw:Transclusion"
                    attrs["data-mw"] = _json({**extension, **data})
                else:
                    attrs["typeof"] = "mw:Transclusion"
                    attrs["data-mw"] = _json(data)
            out.append(_element(tag, attrs, inner))
        return "".join(out)

    def template_data(self, template: Template) -> dict[str, Any]:
        name = str(template.name)
        if name.strip().startswith("#"):
            function = name.strip()[1:].split(":", 1)[0].lower()
            target: dict[str, str] = {"wt": name.strip(), "function": function}
        else:
            target = {"wt": name, "href": "./Template:" + _title_href(name)}
        params: dict[str, dict[str, str]] = {}
        for parameter in template.params:
            key = str(parameter.name).strip()
            value = str(parameter.value)
            params[key] = {"wt": value.strip() if parameter.showkey else value}
        return {"parts": [{"template": {"target": target, "params": params, "i": 0}}]}

    def template(self, node: Template, ctx: _Context) -> str:
        name = _norm_name(str(node.name))
        params = [(str(p.name).strip(), str(p.value)) for p in node.params]
        positional = [str(p.value) for p in node.params if not p.showkey]
        named = {str(p.name).strip().lower(): str(p.value) for p in node.params if p.showkey}
        if name in _NOTE_TEMPLATES or name == "#tag:ref":
            return self.note_template(node, name, positional, named, ctx)
        if name in _SFN:
            return self.sfn(node, name, positional, named, ctx)
        if _is_cs1(name) or name in _GERMAN_CITES:
            return self.citation(node, name, params, ctx)
        if name in _DEAD_LINKS or name in _PERMANENT_DEAD:
            date = _plain(named.get("date", ""))
            label = "permanent dead link" if name in _PERMANENT_DEAD else "dead link"
            inner = (
                f'&#91;<i><a rel="mw:WikiLink" href="./Wikipedia:Link_rot" title="Wikipedia:Link rot">'
                f'<span title="&#160;Dead link since {_esc_attr(date)}">{label}</span></a></i>&#93;'
            )
            return self.encapsulate([("sup", {"class": "noprint Inline-Template"}, inner)], node, ctx)
        if name in _WEBARCHIVES:
            url = _raw(named.get("url", positional[0] if positional else ""))
            date = named.get("date", positional[1] if len(positional) > 1 else "")
            if name == "wayback":
                url = f"https://web.archive.org/web/{_plain(date) or '*'}/{url}"
                date = _plain(date)
                date = f"{date[:4]}-{date[4:6]}-{date[6:8]}" if len(date) >= 8 and date[:8].isdigit() else date
            inner = (
                f'<a rel="mw:ExtLink" class="external text" href="{_esc_attr(url)}">Archived</a> '
                f"{self.inline_text(date, in_template=True)} "
                'at the <a rel="mw:WikiLink" href="./Wayback_Machine" title="Wayback Machine">Wayback Machine</a>'
            )
            return self.encapsulate([("span", {"class": "webarchive nourlexpansion"}, inner)], node, ctx)
        if name == "rp":
            page = _plain(positional[0]) if positional else _plain(named.get("page", named.get("p", "")))
            inner = f'<span title="Page: {_esc_attr(page)}" class="reference-text">:&#8202;{_esc(page)}</span>'
            return self.encapsulate([("sup", {"class": "reference nowrap"}, inner)], node, ctx)
        if name in _HARV:
            names, year, locator = _short_parts(positional, named)
            anchor = "CITEREF" + _anchor("".join(names) + year)
            shown = _HARV[name].format(names=" &amp; ".join(_esc(n) for n in names), year=_esc(year))
            inner = f'<a href="{_esc_attr(self.page)}#{_esc_attr(anchor)}">{shown}</a>' + (
                f", {_esc(locator)}" if locator else ""
            )
            return self.encapsulate([("span", {}, inner)], node, ctx)
        if name in _REFLISTS:
            group = _plain(named.get("group", "")) or (_REFLISTS[name] or "")
            refs = next((p.value for p in node.params if str(p.name).strip().lower() == "refs"), None)
            return self.references(group, refs, ctx, template=node)
        if name in _HATNOTES:
            links = ", ".join(
                self.inline_text(f"[[{_plain(value)}]]", in_template=True) for value in positional if _plain(value)
            )
            return self.encapsulate(
                [
                    (
                        "div",
                        {"role": "note", "class": "hatnote navigation-not-searchable"},
                        f"{_HATNOTES[name]}: {links}",
                    )
                ],
                node,
                ctx,
            )
        if name in _TOP_HATNOTES:
            text = " ".join(_esc(_plain(value)) for value in positional)
            return self.encapsulate(
                [("div", {"role": "note", "class": "hatnote navigation-not-searchable"}, text)], node, ctx
            )
        if name.startswith("infobox") or name.startswith("taxobox"):
            rows = "".join(
                f"<tr><th>{_esc(key.replace('_', ' '))}</th><td>{self.inline_text(value, in_template=True)}</td></tr>"
                for key, value in _last_values(params)
                if _raw(value) and ("<ref" in value.lower() or not key.startswith(("image", "map", "pushpin", "logo")))
            )
            return self.encapsulate([("table", {"class": "infobox vcard"}, f"<tbody>{rows}</tbody>")], node, ctx)
        if name.startswith(_INVISIBLE_PREFIXES) or (
            ":" in name and name.split(":", 1)[0] in ("defaultsort", "displaytitle")
        ):
            return self.encapsulate(
                [("link", {"rel": "mw:PageProp/Category", "href": "./Category:Articles"}, "")], node, ctx
            )
        if name in ("convert", "cvt") and positional:
            value = _plain(positional[0])
            unit = _plain(positional[1]) if len(positional) > 1 else ""
            if len(positional) >= 4 and _plain(positional[1]).lower() in ("to", "-", "and", "or", "by", "x", "–"):
                value = f"{value} {_plain(positional[1])} {_plain(positional[2])}"
                unit = _plain(positional[3])
            return self.encapsulate([("span", {}, _esc(f"{value} {unit}".strip()))], node, ctx)
        if (name == "lang" or name.startswith("lang-")) and positional:
            text = positional[-1] if name == "lang" else positional[0]
            return self.encapsulate(
                [
                    (
                        "span",
                        {"lang": _plain(positional[0]) if name == "lang" else name[5:]},
                        self.inline_text(text, in_template=True),
                    )
                ],
                node,
                ctx,
            )
        if name in _INLINE_FIRST and positional:
            return self.encapsulate([("span", {}, self.inline_text(positional[0], in_template=True))], node, ctx)
        if name in ("flagicon", "flag", "flagcountry") and positional:
            shown = _esc(_plain(positional[0])) if name != "flagicon" else ""
            return self.encapsulate([("span", {"class": "flagicon"}, shown)], node, ctx)
        if name in ("citation needed", "cn", "fact", "clarify", "when", "who", "by whom"):
            inner = (
                f'&#91;<i><a rel="mw:WikiLink" href="./Wikipedia:Citation_needed" title="Wikipedia:Citation needed">'
                f"<span>{_esc(name)}</span></a></i>&#93;"
            )
            return self.encapsulate([("sup", {"class": "noprint Inline-Template Template-Fact"}, inner)], node, ctx)
        if name in ("as of",) and positional:
            return self.encapsulate([("span", {}, _esc("As of " + _plain(positional[0])))], node, ctx)
        if name in ("!",):
            return self.encapsulate([("span", {}, "|")], node, ctx)
        # Any other template: its arguments that hold text the page shows (refs, links, prose) as a block of
        # the template's own; nothing inside carries data-mw.
        shown_values = [
            value for _, value in _last_values(params) if "<ref" in value.lower() or "[[" in value or "{{" in value
        ]
        if name in ("quote", "blockquote") and positional:
            shown_values = [positional[0]]
        inner = " ".join(self.inline_text(value, in_template=True) for value in shown_values)
        tag = "div" if self.block_name(name) else "span"
        return self.encapsulate([(tag, {"class": name.replace(" ", "-")}, inner)], node, ctx)

    def block_name(self, name: str) -> bool:
        return name.startswith(
            (
                "navbox",
                "sidebar",
                "portal",
                "col",
                "fs ",
                "collapsible",
                "quote",
                "blockquote",
                "wide image",
                "naviblock",
                "related",
                "sister",
                "commons",
                "toronto weatherbox",
            )
        )

    def citation(self, node: Template, name: str, params: list[tuple[str, str]], ctx: _Context) -> str:
        if not ctx.in_ref:
            self.bibliography += 1
        if name in _GERMAN_CITES:
            return self.encapsulate([("span", {}, _german_citation(self, name, params))], node, ctx)
        citation = _Citation.of(name, params)
        inner, coins = _Cs1(self, citation).render()
        kind = citation.kind.replace(" ", "-") if citation.kind != "citation" else ""
        classes = (
            "citation"
            + (f" {kind}" if kind else "")
            + (" cs2" if citation.kind == "citation" else " cs1") * (self.flavour == "2.8")
        )
        cite_attrs: dict[str, str | None] = {"id": citation.citeref(), "class": classes}
        elements: list[tuple[str, dict[str, str | None], str]] = [
            ("cite", cite_attrs, inner),
            ("span", {"title": coins, "class": "Z3988"}, ""),
        ]
        if self.flavour != "2.8":
            return self.encapsulate(elements, node, ctx)
        if not self.styles_seen:
            self.styles_seen = True
            style: tuple[str, dict[str, str | None], str] = (
                "style",
                {"data-mw-deduplicate": "TemplateStyles:r1238218222"},
                ".mw-parser-output cite.citation{font-style:inherit;word-wrap:break-word}",
            )
        else:
            style = ("link", {"rel": "mw-deduplicated-inline-style", "href": "mw-data:TemplateStyles:r1238218222"}, "")
        extension = {
            "name": "templatestyles",
            "attrs": {"src": "Module:Citation/CS1/styles.css"},
            "body": {"extsrc": ""},
        }
        return self.encapsulate([style, *elements], node, ctx, extension=extension)

    def note_template(
        self, node: Template, name: str, positional: list[str], named: dict[str, str], ctx: _Context
    ) -> str:
        """{{efn}}, {{refn}}, {{#tag:ref}}: a <ref> the template makes (its text expanded inside the template)."""
        if name == "#tag:ref":
            group = _plain(named.get("group", ""))
        elif name.startswith("efn") or name == "notetag":
            stated = _plain(named.get("group", ""))
            group = stated if stated in _EFN_GROUPS else _NOTE_TEMPLATES[name]
        else:
            group = _plain(named.get("group", ""))
        text = next((value for value in positional if value.strip()), None)
        for key in ("reference", "content", "text"):
            if text is None and named.get(key, "").strip():
                text = named[key]
        content = mwparserfromhell.parse(text) if text is not None else None
        encapsulation = None if ctx.in_template else (self.about(), self.template_data(node))
        return self.cite.ref(
            group=group,
            name=_plain(named.get("name", "")) or None,
            content=content,
            ctx=_Context(in_template=True, in_ref=ctx.in_ref),
            encapsulation=encapsulation,
        )

    def sfn(self, node: Template, name: str, positional: list[str], named: dict[str, str], ctx: _Context) -> str:
        """{{sfn|Smith|2003|p=41}}: Module:Footnotes' ref named FOOTNOTE… holding a link to the CITEREF anchor."""
        names, year, locator = _short_parts(positional, named)
        # Module:Footnotes names the ref FOOTNOTE + names + year + the page as written ("FOOTNOTESmith200341").
        page = next(
            (_plain(named[key]) for key in ("p", "page", "pp", "pages", "loc", "at") if _plain(named.get(key, ""))), ""
        )
        ref_name = "FOOTNOTE" + "".join(names) + year + page
        anchor = "CITEREF" + _anchor("".join(names) + year)
        shown = (
            " &amp; ".join(_esc(n) for n in names)
            if len(names) < 3
            else ", ".join(_esc(n) for n in names[:-1]) + " &amp; " + _esc(names[-1])
        )
        link = f'<a href="{_esc_attr(self.page)}#{_esc_attr(anchor)}">{shown} {_esc(year)}</a>'
        text = link + (f", {_esc(locator)}." if locator else ".")
        encapsulation = None if ctx.in_template else (self.about(), self.template_data(node))
        existing = self.cite.named.get(("", ref_name))
        marker = self.cite.ref(
            group="",
            name=ref_name,
            content=mwparserfromhell.parse("x") if existing is None else None,
            ctx=_Context(in_template=True, in_ref=ctx.in_ref),
            encapsulation=encapsulation,
        )
        note = self.cite.named[("", ref_name)]
        if existing is None:
            note.body_html = text
            note.raw = str(node)
            note.short = True
        return marker

    def references(self, group: str, refs: Any | None, ctx: _Context, template: Template | None) -> str:
        """A references list (``<references/>``, ``{{reflist}}``, ``{{notelist}}``), with its list-defined refs.

        Definitions inside ``<references>…</references>`` are the page's own wikitext (their templates keep
        data-mw); inside ``{{reflist|refs=…}}`` they are the template's expansion (they do not).
        """
        listing_ctx = _Context(in_template=ctx.in_template or template is not None)
        defined: list[str] = []
        if refs is not None:
            for ref_tag in refs.filter_tags(recursive=False, matches=lambda n: str(n.tag).strip().lower() == "ref"):
                attributes = {str(a.name).strip().lower(): _attribute_value(a.value) for a in ref_tag.attributes}
                ref_group = attributes.get("group", group) or group
                self.cite.ref(
                    group=ref_group,
                    name=attributes.get("name"),
                    content=ref_tag.contents,
                    ctx=listing_ctx,
                    listing=True,
                )
                name = (attributes.get("name") or "").strip()
                note = self.cite.named.get((ref_group, name)) if name else None
                if note is not None:
                    body = {"name": "ref", "attrs": {"name": name}, "body": {"id": f"mw-reference-text-{note.anchor}"}}
                    defined.append(
                        f'<sup typeof="mw:Extension/ref" {_attr("data-mw", _json(body))}>{note.body_html or ""}</sup>'
                    )
        about = self.about() if not ctx.in_template else None
        data: dict[str, Any] = {"name": "references", "attrs": {"group": group} if group else {}}
        if defined:
            data["body"] = {"html": "\n".join(defined)}
        placeholder = self.cite.placeholder(group, about, data)
        if template is None:
            return placeholder
        return self.encapsulate([("div", {"class": "reflist"}, placeholder)], template, ctx)


def _element(tag: str, attrs: dict[str, str | None], inner: str) -> str:
    rendered = _attrs((key, value) for key, value in attrs.items())
    if tag in ("link", "meta", "br", "img"):
        return f"<{tag}{rendered}/>"
    return f"<{tag}{rendered}>{inner}</{tag}>"


def _line_bound_formatting(nodes: list[Any]) -> list[Any]:
    """Bold and italic quotes never span lines in MediaWiki; mwparserfromhell sometimes pairs them across
    lines (an unclosed italic in a list item): such a tag's content is read as plain text, its lines kept."""
    out: list[Any] = []
    for node in nodes:
        if (
            isinstance(node, Tag)
            and node.wiki_markup
            and str(node.tag) in ("i", "b")
            and node.contents is not None
            and "\n" in str(node.contents)
        ):
            out.extend(_line_bound_formatting(list(node.contents.nodes)))
        else:
            out.append(node)
    return out


def _list_tag(char: str) -> str:
    return {"*": "ul", "#": "ol", ":": "dl", ";": "dl"}[char]


def _item_tag(char: str) -> str:
    return {"*": "li", "#": "li", ":": "dd", ";": "dt"}[char]


def _cell_content(cell: Tag) -> list[Any]:
    return list(cell.contents.nodes) if cell.contents is not None else []


def _split_top_level(text: str) -> list[str]:
    """Split at ``|`` outside ``[[ ]]`` and ``{{ }}``."""
    parts, depth, current = [], 0, ""
    index = 0
    while index < len(text):
        pair = text[index : index + 2]
        if pair in ("[[", "{{"):
            depth += 1
            current += pair
            index += 2
            continue
        if pair in ("]]", "}}"):
            depth = max(depth - 1, 0)
            current += pair
            index += 2
            continue
        if text[index] == "|" and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += text[index]
        index += 1
    parts.append(current)
    return parts


def _last_values(params: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """A template's parameters as MediaWiki keeps them: the last value of a repeated name."""
    kept: dict[str, str] = {}
    for key, value in params:
        kept.pop(key, None)
        kept[key] = value
    return list(kept.items())


def _short_parts(positional: list[str], named: dict[str, str]) -> tuple[list[str], str, str | None]:
    """Authors, year and in-text locator of {{sfn}}/{{harvnb}} (Module:Footnotes' ``p. 41``, ``pp. 3–5``)."""
    values = [_plain(value) for value in positional if _plain(value)]
    if not values and named.get("1a1"):
        values = [_plain(named[f"1a{k}"]) for k in range(1, 5) if named.get(f"1a{k}")] + [_plain(named.get("1y", ""))]
        named = {**named, "p": named.get("1p", ""), "pp": named.get("1pp", ""), "loc": named.get("1loc", "")}
    year = values[-1] if len(values) > 1 and re.fullmatch(r"(?:1[5-9]|20)\d\d[a-z]?", values[-1]) else ""
    names = values[:-1] if year else values
    locator = None
    # Module:Footnotes writes "p.&nbsp;41" (a no-break space).
    if _plain(named.get("p", "")) or _plain(named.get("page", "")):
        locator = "p.\u00a0" + (_plain(named.get("p", "")) or _plain(named.get("page", "")))
    elif _plain(named.get("pp", "")) or _plain(named.get("pages", "")):
        locator = "pp.\u00a0" + (_plain(named.get("pp", "")) or _plain(named.get("pages", "")))
    elif _plain(named.get("loc", "")) or _plain(named.get("at", "")):
        locator = _plain(named.get("loc", "")) or _plain(named.get("at", ""))
    return names[:4], year, locator


def render_parsoid(wikitext: str, title: str, *, flavour: str = "2.8", template_data: bool = True) -> RenderedPage:
    """The page Parsoid would serve for ``wikitext`` (see the module docstring), with the generator's own truth.

    ``template_data=False`` leaves out every template's ``data-mw`` (and its ``mw:Transclusion`` type): the
    same page with only the rendered text to read.
    """
    if flavour not in ("2.8", "1.7"):
        raise ValueError(f"unknown flavour {flavour!r}: use '2.8' or '1.7'")
    renderer = _Renderer(title, flavour, template_data)
    page = renderer.document(wikitext)
    return RenderedPage(
        title=title,
        flavour=flavour,
        html=page,
        notes=list(renderer.cite.order),
        markers=renderer.markers,
        bibliography=renderer.bibliography,
    )


# --------------------------------------------------------------------------- reference constructs the samples lack


def with_reference_features(wikitext: str, seed: int = 0) -> str:
    """The article with the reference constructs real enwiki pages use and the samples lack, made from its own refs.

    Only refs written in running text are rewritten (not those inside templates, tables or other refs):

    * list-defined refs: every third named ref's definition moves into ``{{reflist|refs=…}}`` (its uses stay);
    * notes: every fifth hand-written footnote becomes ``{{efn|…}}`` (the second one also citing a named ref
      inside it), listed by ``{{notelist}}`` in a "Notes" section; one more becomes ``{{refn|group=nb|…}}``,
      one ``{{#tag:ref|…|group=nb}}`` (``{{reflist|group=nb}}``);
    * short citations: unnamed ``{{cite book}}`` refs with authors and a year move to a "Sources" bibliography
      (as ``*`` list items, ``:`` indents and plain lines), each use becoming ``{{sfn|Surname|…|Year|p=…}}``
      (alternating with ``{{sfnp}}``), one ``<ref>{{harvnb|…}}</ref>``;
    * ``{{rp|…}}`` after every fourth reuse, ``{{webarchive}}`` after one hand-written footnote with a link.
    """
    rng = random.Random(seed)
    code = mwparserfromhell.parse(wikitext)
    refs = [tag for tag in code.filter_tags(recursive=True) if str(tag.tag).strip().lower() == "ref"]
    defined: set[str] = set()
    named_definitions = 0
    moved: list[str] = []
    efn_count = 0
    sources: dict[str, str] = {}
    nb_done = 0
    archive_done = False
    harv_done = False
    reuse_count = 0
    for tag in refs:
        attributes = {str(a.name).strip().lower(): str(a.value).strip() for a in tag.attributes}
        content = str(tag.contents).strip() if tag.contents is not None else ""
        name = attributes.get("name")
        if "group" in attributes or not _in_running_text(code, tag):
            continue
        if not content:
            reuse_count += 1
            if name and reuse_count % 4 == 0:
                _replace(code, tag, f"{tag}{{{{rp|{rng.randint(2, 300)}}}}}")
            continue
        templates = mwparserfromhell.parse(content).filter_templates(recursive=False)
        book = next((t for t in templates if _norm_name(str(t.name)) == "cite book"), None)
        if book is not None and not name and len(templates) == 1 and "<ref" not in content.lower():
            citation = _Citation.of("cite book", [(str(p.name).strip(), str(p.value)) for p in book.params])
            surnames = [_plain(last) for last, _, _ in citation.names()][:4]
            year = citation.year()
            if surnames and year and all(surname and not set("{|[") & set(surname) for surname in surnames):
                page = _plain(citation.values.get("page", "")) or _plain(citation.values.get("pages", ""))
                sources.setdefault(str(book).strip(), _without_params(book, ("page", "pages", "p", "pp")))
                template = "sfnp" if len(sources) % 2 == 0 else "sfn"
                ranged = "–" in page or "-" in page
                locator = (f"|pp={page}" if ranged else f"|p={page}") if page else ""
                names = "|".join(surnames)
                if not harv_done and len(sources) == 3:
                    harv_done = True
                    _replace(code, tag, f"<ref>{{{{harvnb|{names}|{year}{locator}}}}}</ref>")
                else:
                    _replace(code, tag, f"{{{{{template}|{names}|{year}{locator}}}}}")
                continue
        if name:
            if name in defined:
                continue
            defined.add(name)
            named_definitions += 1
            if named_definitions % 3 == 1:
                moved.append(f'<ref name="{name}">{content}</ref>')
                _replace(code, tag, f'<ref name="{name}" />')
            continue
        if templates or "<ref" in content.lower() or "|" in content or "=" in content or "}" in content:
            continue
        efn_count += 1
        if efn_count % 5 == 0:
            nested = f' <ref name="{sorted(defined)[0]}" />' if efn_count == 10 and defined else ""
            _replace(code, tag, f"{{{{efn|{content}{nested}}}}}")
        elif efn_count % 7 == 0 and nb_done < 2:
            nb_done += 1
            shape = "{{{{refn|group=nb|{0}}}}}" if nb_done == 1 else "{{{{#tag:ref|{0}|group=nb}}}}"
            _replace(code, tag, shape.format(content))
        elif not archive_done and "[http" in content:
            url = re.search(r"\[(https?://[^\s\]]+)", content)
            if url:
                archive_done = True
                archive = f"https://web.archive.org/web/20150101000000/{url.group(1)}"
                _replace(code, tag, f"<ref>{content} {{{{webarchive|url={archive}|date=January 1, 2015}}}}</ref>")
    text = str(code)
    notes = "\n== Notes ==\n{{notelist}}\n" if efn_count >= 5 else ""
    groups = "\n{{reflist|group=nb}}\n" if nb_done else ""
    bibliography = ""
    if sources:
        prefixes = ("* ", ": ", "")
        entries = "\n".join(f"{prefixes[index % 3]}{entry}" for index, entry in enumerate(sources.values()))
        bibliography = f"\n== Sources ==\n{entries}\n"
    refs_block = "\n".join(moved)
    reflist = re.search(r"\{\{\s*[Rr]eflist\s*(?P<params>\|[^{}]*)?\}\}|<references\s*/>", text)
    if reflist is not None:
        params = reflist.group("params") or ""
        replacement = f"{{{{Reflist{params}|refs=\n{refs_block}\n}}}}" if moved else reflist.group(0)
        text = text[: reflist.start()] + notes + groups + replacement + bibliography + text[reflist.end() :]
    else:
        text += f"{notes}{groups}\n== References ==\n{{{{reflist|refs=\n{refs_block}\n}}}}\n{bibliography}"
    return text


def _in_running_text(code: Any, tag: Tag) -> bool:
    """Whether the ref stands in running text (not inside a template, a table, another tag)."""
    return all(not isinstance(node, (Template, Tag)) for node in code.get_ancestors(tag))


def _replace(code: Any, tag: Tag, text: str) -> None:
    code.replace(tag, text, recursive=True)


def _without_params(template: Template, names: tuple[str, ...]) -> str:
    copy = mwparserfromhell.parse(str(template)).filter_templates(recursive=False)[0]
    for name in names:
        while copy.has(name):
            copy.remove(name)
    return str(copy).strip()


# --------------------------------------------------------------------------- broken pages

_DATA_MW_RE = re.compile(r"""\sdata-mw=(?:'[^']*'|"[^"]*")""")


def _broken_json(page: str) -> str:
    """Every third citation template's data-mw cut short (a truncated download, a buggy proxy)."""
    count = 0

    def cut(match: re.Match[str]) -> str:
        nonlocal count
        count += 1
        if count % 3 or '"parts"' not in match.group(0):
            return match.group(0)
        value = match.group(0)
        return value[: len(value) // 2] + value[-1]

    return _DATA_MW_RE.sub(cut, page)


def _non_cite_templates(page: str) -> str:
    """Citation templates renamed into templates no reader knows ({{Cite Q}}-like wrappers, local helpers)."""
    return re.sub(r'("target":\{"wt":"\s*)(?:cite|Cite)[ _](web|news|book|journal)', r"\1Source-\2", page)


def _missing_items(page: str) -> str:
    """Every fourth reference-list item removed (a section rendering, a hand-trimmed copy)."""
    count = 0

    def drop(match: re.Match[str]) -> str:
        nonlocal count
        count += 1
        return "" if count % 4 == 0 else match.group(0)

    return re.sub(r'<li about="#cite_note-[^"]*"[^>]*>.*?</li>', drop, page, flags=re.S)


def _nested_refs(page: str) -> str:
    """A marker of the first reference written inside the text of twenty others (a note citing a source:
    ``{{efn|… <ref name=x/>}}``), each a use of its own (ids ``cite_ref-…-nested-K``)."""
    first = re.search(r'<sup about="#mwt\d+" class="mw-ref reference" id="(?P<id>[^"]+)"[^>]*>.*?</sup>', page, re.S)
    if first is None:
        return page
    count = 0

    def nest(match: re.Match[str]) -> str:
        nonlocal count
        count += 1
        marker = first.group(0).replace(f'id="{first["id"]}"', f'id="{first["id"]}-nested-{count}"', 1)
        return match.group(1) + marker

    return re.sub(r'(class="mw-reference-text reference-text">)', nest, page, count=20)


def _duplicate_ids(page: str) -> str:
    """The first reference list rendered twice (a page that transcludes {{reflist}} twice, a bad copy):
    every list item's id is there twice; and a paragraph copied with its markers' ids."""
    listing = re.search(r'<ol class="mw-references references".*?</ol>', page, re.S)
    if listing is not None:
        page = page[: listing.end()] + listing.group(0) + page[listing.end() :]
    paragraph = re.search(r'<p id="[^"]*">(?:(?!</p>).)*?class="mw-ref reference".*?</p>', page, re.S)
    if paragraph is not None:
        page = page[: paragraph.end()] + paragraph.group(0) + page[paragraph.end() :]
    return page


def _rtl(page: str) -> str:
    """Right-to-left page: Arabic prose around the markers, RLM/LRM marks and dir attributes."""
    page = page.replace(
        'lang="en" class="mw-content-ltr sitedir-ltr ltr', 'lang="ar" class="mw-content-rtl sitedir-rtl rtl'
    )
    page = page.replace('dir="ltr"', 'dir="rtl"')
    return re.sub(r'(<p id="[^"]*">)', "\\1\u200fنص عربي \u200e", page)


def _refs_in_captions_and_tables(page: str) -> str:
    """The first twenty markers of the prose moved out of their paragraphs, ten into table cells and ten into
    figure captions of their own (at the end of the lead)."""
    body_start = page.find("<body")
    lists_start = page.find('<ol class="mw-references')
    prose = page[body_start:lists_start] if lists_start > 0 else page[body_start:]
    markers = re.findall(r'<sup about="#mwt\d+" class="mw-ref reference"[^>]*>.*?</sup>', prose, re.S)[:20]
    for marker in markers:
        prose = prose.replace(marker, "", 1)
    extra = "".join(f"<table><tbody><tr><td>cell{marker}</td></tr></tbody></table>" for marker in markers[:10])
    extra += "".join(f"<figure><figcaption>caption{marker}</figcaption></figure>" for marker in markers[10:])
    prose = prose.replace("</section>", extra + "</section>", 1)
    return page[:body_start] + prose + (page[lists_start:] if lists_start > 0 else "")


MUTATIONS: dict[str, Callable[[str], str]] = {
    "broken data-mw JSON": _broken_json,
    "non-cite templates in data-mw": _non_cite_templates,
    "missing list items": _missing_items,
    "nested refs": _nested_refs,
    "duplicate ids": _duplicate_ids,
    "refs in tables and captions": _refs_in_captions_and_tables,
    "right-to-left text": _rtl,
}
