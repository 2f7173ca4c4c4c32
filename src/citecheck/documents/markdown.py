"""Reading Markdown: body sections and paragraphs, footnotes and links as references.

markdown-it-py (CommonMark, tables, footnotes, front matter) tokenises the
document; this module walks the tokens once:

* headings start :class:`~citecheck.models.Section` objects; paragraphs and
  list items become :class:`~citecheck.models.Paragraph` objects with their
  source line; code, HTML blocks and tables are not claims and are skipped;
* footnotes ``[^n]`` with ``[^n]: text`` definitions are references of kind
  ``footnote`` (id = label, numbered by first use), their definitions parsed
  as rendered citation text;
* reference-style links ``[text][label]`` with ``[label]: URL "Title"`` and
  inline links ``[text](url)`` are references of kind ``link``, with a marker
  where the link ends.

A ``[^label]`` with no definition stays a dangling marker; a definition never
used stays a reference with no markers.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.normalize_url import normalizeLink, normalizeLinkText
from markdown_it.common.utils import normalizeReference
from markdown_it.rules_inline import StateInline
from markdown_it.rules_inline import link as inline_link_rule
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

from citecheck.dates import PartialDate, parse_date
from citecheck.documents.markdown_block import dispatching_block
from citecheck.documents.markdown_inline import dispatching_inline, link_helpers
from citecheck.models import Marker, Paragraph, ParsedDocument, Reference, ReferenceKind, Section
from citecheck.references import reference_from_text
from citecheck.references.citation_line import MarkupHints
from citecheck.references.construct import build

__all__ = ["read_markdown"]

# Links that name no page to cite: scripts, local files, inline data, mail addresses.
SKIPPED_SCHEMES = ("javascript:", "file:", "data:", "mailto:")
_CITABLE_URL_RE = re.compile(r"^(?:(?:https?|ftp)://|//|www\.)", re.I)
_DANGLING_FOOTNOTE_RE = re.compile(r"\[\^(?P<label>[^\]\s]+)\]")
_FOOTNOTE_DEFINITION_RE = re.compile(r"^ {0,3}\[\^(?P<label>[^\]\s]+)\]:[ \t]?(?P<rest>.*)$")
_LINK_DEFINITION_RE = re.compile(r"^ {0,3}\[(?P<label>(?:[^\]\\]|\\.)+)\]:")
_FRONT_MATTER_FIELD_RE = re.compile(r"^(?P<key>[A-Za-z_][\w-]*)\s*:\s*(?P<value>.*?)\s*$")
_REFERENCE_LABEL_RE = re.compile(r"\]\s*\[(?P<label>[^\]]*)\]$")


# A web URL that markdown-it's normalisation (mdurl parse → punycode → format → percent-encode) returns
# unchanged: http(s) or scheme-relative, an ASCII host of labels mdurl accepts (each ≤ 63 characters, the
# whole ≤ 255: longer hosts are dropped), an optional numeric port, then only characters mdurl.encode keeps
# and well-formed %XX escapes.  Most links of real documents are of this shape; the others take the full way.
_PLAIN_URL_RE = re.compile(
    r"(?:https?:)?//(?P<host>[A-Za-z0-9_+-]{1,63}(?:\.[A-Za-z0-9_+-]{1,63})*)(?::[0-9]+)?"
    r"(?:[/?#](?:[A-Za-z0-9;/?:@&=+$,\-_.!~*'()#]|%[0-9A-Fa-f]{2})*)?",
    re.I,
)
_MAX_HOST_LENGTH = 255
# A relative or in-page link (``/tags/x``, ``../a.md``, ``#anchor``, ``?q=1``) that normalisation returns
# unchanged: no ``//`` host and no scheme (nothing but a path before the first ":"), then the same characters.
_PLAIN_PATH_RE = re.compile(
    r"(?!//)(?:[A-Za-z0-9;@&=+$,\-_.!~*'()]|%[0-9A-Fa-f]{2})*"
    r"(?:[/?#](?:[A-Za-z0-9;/?:@&=+$,\-_.!~*'()#]|%[0-9A-Fa-f]{2})*)?"
)


def _is_plain_url(url: str) -> bool:
    match = _PLAIN_URL_RE.fullmatch(url)
    return match is not None and len(match["host"]) <= _MAX_HOST_LENGTH


def _normalize_link(url: str) -> str:
    """markdown-it's ``normalizeLink``, without its cost for the URLs (and relative paths) it leaves as they are."""
    if _PLAIN_PATH_RE.fullmatch(url) is not None or _is_plain_url(url):
        return url
    return normalizeLink(url)


def _normalize_link_text(link: str) -> str:
    """markdown-it's ``normalizeLinkText`` (an autolink's text): unchanged for plain URLs with no escapes or IDN."""
    if "%" not in link and "xn--" not in link.lower() and _is_plain_url(link):
        return link
    return normalizeLinkText(link)


def _tracking_link_rule(state: StateInline, silent: bool) -> bool:
    """CommonMark's link rule, recording on the link token which syntax it came from.

    The stock rule produces the same tokens for ``[t](url)`` and ``[t][label]``;
    the reader needs to tell them apart.
    """
    start = state.pos
    if silent:
        return inline_link_rule(state, True)  # a probe: it leaves no token to mark
    if state.src[start] != "[":
        return False  # as the stock rule does, without calling it (tried wherever no earlier rule matched)
    first_token = len(state.tokens)
    if not inline_link_rule(state, silent):
        return False
    opening = next((token for token in state.tokens[first_token:] if token.type == "link_open"), None)
    if opening is not None:
        # (pending text may be flushed as a token before the link_open)
        source = state.src[start : state.pos]
        if source.endswith(")"):
            opening.meta["link_syntax"] = "inline"
        else:
            label_match = _REFERENCE_LABEL_RE.search(source)
            label = (
                label_match["label"] if label_match and label_match["label"].strip() else source[1:].split("]", 1)[0]
            )
            opening.meta["link_syntax"] = "reference"
            opening.meta["link_label"] = normalizeReference(label)
    return True


def _parser(*, fast: bool = True) -> MarkdownIt:
    """The reader's parser; ``fast=False`` keeps markdown-it's own tokenizers and link helpers (for tests)."""
    parser = MarkdownIt("commonmark").enable("table").use(footnote_plugin).use(front_matter_plugin)
    parser.inline.ruler.at("link", _tracking_link_rule)
    # Accept every destination so skipped schemes can be reported instead of vanishing into text;
    # nothing here is ever rendered as HTML.
    parser.validateLink = lambda url: True  # type: ignore[method-assign]
    parser.normalizeLink = _normalize_link  # type: ignore[method-assign]
    parser.normalizeLinkText = _normalize_link_text  # type: ignore[method-assign]
    if fast:
        parser.helpers = link_helpers()  # type: ignore[assignment]
        dispatching_inline(parser, {_tracking_link_rule: "["})
        dispatching_block(parser)
    return parser


_PARSER = _parser()


@dataclass
class _LinkUse:
    href: str
    title: str | None
    text: str
    syntax: str  # inline | reference | autolink
    label: str | None  # normalised reference label


@dataclass
class _Book:
    """What the walk learns about references: uses, inline links, skipped links."""

    footnote_ids: dict[str, str]  # label → reference id
    link_ids: dict[str, str]  # normalised reference label → reference id
    inline_links: dict[str, Reference] = field(default_factory=dict)  # url → reference
    uses: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    dangling: list[str] = field(default_factory=list)
    hidden_uses: int = 0

    def _use_definition(self, use: _LinkUse) -> bool:
        if use.syntax == "reference" and use.label is not None and use.label in self.link_ids:
            self.uses[self.link_ids[use.label]] += 1
            return True
        return False

    def hidden_link_use(self, use: _LinkUse) -> str | None:
        """A link in a heading or table: no marker, but a defined reference it names counts as used."""
        if self._use_definition(use):
            self.hidden_uses += 1
        return None

    def link_use_in_footnote(self, use: _LinkUse) -> str | None:
        """A link inside a footnote's text: part of that citation, and a use of the definition it names."""
        self._use_definition(use)
        return None

    def link_target(self, use: _LinkUse) -> str | None:
        """The reference id a body link cites, creating inline-link references as met; None to skip."""
        if use.syntax == "reference" and use.label is not None and use.label in self.link_ids:
            return self.link_ids[use.label]
        why = _link_kind_skipped(use.href)
        if why is not None:
            self.skipped[why] += 1
            return None
        known = self.inline_links.get(use.href)
        if known is not None:
            return known.id
        reference_id = f"L{len(self.inline_links) + 1}"
        self.inline_links[use.href] = build(
            Reference,
            id=reference_id,
            kind=ReferenceKind.link,
            raw=use.text or use.href,
            title=use.title or None,
            url=use.href,
        )
        return reference_id


def _inline_text(
    children: Sequence[Token],
    on_link: Callable[[_LinkUse], str | None],
    footnote_ids: dict[str, str],
) -> tuple[str, list[Marker]]:
    """Plain text of inline tokens, with markers for footnotes and at link ends."""
    text = ""
    markers: list[tuple[str, int, str | None]] = []  # label, offset in ``text``, reference id
    link_stack: list[tuple[Token, int]] = []
    for token in children:
        kind = token.type
        # images (their alt text is not part of the sentence) and emphasis marks add nothing
        if kind == "text":
            content = token.content
            if "[^" in content:  # (what a dangling marker starts with: most text has none)
                position = 0
                for match in _DANGLING_FOOTNOTE_RE.finditer(content):
                    text += content[position : match.start()]
                    text = text.rstrip()
                    label = match["label"]
                    markers.append((label, len(text), footnote_ids.get(label)))
                    position = match.end()
                content = content[position:]
            text += content
        elif kind == "code_inline":
            text += token.content
        elif kind in ("softbreak", "hardbreak"):
            text += " "
        elif kind == "html_inline":
            if token.content.lower().startswith("<br"):
                text += " "
        elif kind == "footnote_ref":
            text = text.rstrip()
            label = _footnote_label(token.meta)
            markers.append((label, len(text), footnote_ids.get(label)))
        elif kind == "link_open":
            link_stack.append((token, len(text)))
        elif kind == "link_close" and link_stack:
            opening, start = link_stack.pop()
            syntax = "autolink" if opening.markup == "autolink" else str(opening.meta.get("link_syntax", "inline"))
            label = opening.meta.get("link_label")
            title = opening.attrGet("title")
            use = _LinkUse(
                href=str(opening.attrGet("href") or ""),
                title=str(title) if title else None,
                text=text[start:].strip(),
                syntax=syntax,
                label=str(label) if label is not None else None,
            )
            target = on_link(use)
            if target is not None:
                markers.append((target, len(text), target))
    stripped = text.lstrip()
    shift = len(text) - len(stripped)
    clean = stripped.rstrip()
    end = len(clean)
    fixed = [
        build(Marker, label=label, offset=min(max(offset - shift, 0), end), ref_id=ref_id)
        for label, offset, ref_id in markers
    ]
    return clean, fixed


# --------------------------------------------------------------------------- front matter and definitions


def _front_matter(tokens: list[Token]) -> tuple[str | None, PartialDate | None]:
    for token in tokens:
        if token.type != "front_matter":
            continue
        title: str | None = None
        date: PartialDate | None = None
        for line in token.content.splitlines():
            match = _FRONT_MATTER_FIELD_RE.match(line)
            if not match:
                continue
            key = match["key"].lower()
            value = match["value"].strip().strip("\"'").strip()
            if key == "title" and value:
                title = value
            elif key in ("date", "published", "pubdate") and value and date is None:
                date = parse_date(value) or parse_date(value[:10])
        return title, date
    return None, None


def _code_lines(tokens: list[Token]) -> set[int]:
    """0-based source lines inside fenced or indented code (definitions there are code, not definitions)."""
    lines: set[int] = set()
    for token in tokens:
        if token.type in ("fence", "code_block", "html_block", "front_matter") and token.map:
            lines.update(range(token.map[0], token.map[1]))
    return lines


def _footnote_label(meta: dict[Any, Any]) -> str:
    """The label of a footnote reference; inline footnotes ``^[…]`` have none and get ``inline-N``."""
    label = meta.get("label")
    if label:
        return str(label)
    return f"inline-{int(meta.get('id', 0)) + 1}"


@dataclass
class _FootnoteDefinition:
    label: str
    number: int | None
    line: int | None  # 1-based
    source: str
    children: list[Token] | None = None  # inline tokens markdown-it already parsed


def _used_footnotes(tokens: list[Token]) -> list[_FootnoteDefinition]:
    """Definitions markdown-it placed in its footnote block (those referenced at least once)."""
    definitions: list[_FootnoteDefinition] = []
    current: _FootnoteDefinition | None = None
    for token in tokens:
        if token.type == "footnote_open":
            current = _FootnoteDefinition(
                label=_footnote_label(token.meta), number=int(token.meta.get("id", 0)) + 1, line=None, source=""
            )
            current.children = []
            definitions.append(current)
        elif token.type == "footnote_close":
            current = None
        elif token.type == "inline" and current is not None and current.children is not None:
            if current.line is None and token.map:
                current.line = token.map[0] + 1
            current.source = f"{current.source}\n{token.content}".strip()
            if current.children:
                current.children.append(Token("softbreak", "", 0))
            current.children.extend(token.children or [])
    return definitions


def _unused_footnotes(lines: list[str], code_lines: set[int], labels: set[str]) -> list[_FootnoteDefinition]:
    """``[^label]: text`` definitions markdown-it dropped because nothing cites them, read from the source."""
    definitions: dict[str, _FootnoteDefinition] = {}
    index = 0
    while index < len(lines):
        match = _FOOTNOTE_DEFINITION_RE.match(lines[index]) if index not in code_lines else None
        if not match or match["label"] not in labels:
            index += 1
            continue
        parts = [match["rest"].strip()]
        start = index
        index += 1
        while index < len(lines) and index not in code_lines:
            line = lines[index]
            if _FOOTNOTE_DEFINITION_RE.match(line) or _LINK_DEFINITION_RE.match(line):
                break
            if not line.strip():
                following = lines[index + 1] if index + 1 < len(lines) else ""
                if following.startswith(("    ", "\t")):
                    index += 1
                    continue
                break
            parts.append(line.strip())
            index += 1
        # The first definition of a label wins, as in markdown-it.
        definitions.setdefault(
            match["label"], _FootnoteDefinition(match["label"], None, start + 1, "\n".join(parts).strip())
        )
    return list(definitions.values())


def _footnote_reference(definition: _FootnoteDefinition, env: dict[str, Any]) -> Reference:
    links: list[tuple[str, str | None]] = []

    def every_link(use: _LinkUse) -> str | None:
        # Every link of the footnote: the cited page, "[Archived](https://web.archive.org/…)", a DOI …
        if _CITABLE_URL_RE.match(use.href.strip()):
            links.append((use.href.strip(), use.text or None))
        return None

    children = definition.children
    if children is None:
        children = []
        for token in _PARSER.parseInline(definition.source, {"references": env.get("references", {})}):
            children.extend(token.children or [])
    rendered, _ = _inline_text(children, every_link, {})
    reference = reference_from_text(
        id=_reference_id(definition.label),
        raw=rendered,
        number=definition.number,
        kind="footnote",
        line=definition.line,
        links=links,
        hints=_emphasis_hints(children),
    )
    reference.raw = definition.source
    reference.name = definition.label
    reference.anchor = definition.label
    if reference.id != definition.label:
        reference.data_errors.append(f"footnote label of {len(definition.label)} characters: id shortened")
    return reference


_MAX_ID_LENGTH = 64


def _reference_id(label: str) -> str:
    """A footnote's label as its id; a label too long to name files by is shortened, kept unique by a hash."""
    if len(label) <= _MAX_ID_LENGTH:
        return label
    digest = hashlib.sha1(label.encode("utf-8", "replace")).hexdigest()[:10]
    return f"{label[:40]}-{digest}"


def _emphasis_hints(children: Sequence[Token]) -> MarkupHints | None:
    """``*The Daily Example*``: an emphasised name in a footnote is the work it cites."""
    depth = 0
    pieces: list[str] = []
    for token in children:
        if token.type == "em_open":
            depth += 1
        elif token.type == "em_close":
            depth -= 1
            if depth == 0 and pieces:
                text = " ".join("".join(pieces).split())
                if text and not (text[0] in '"“' and text[-1] in '"”'):
                    return MarkupHints(work=text)
                pieces = []
        elif depth and token.type == "text":
            pieces.append(token.content)
    return None


def _link_kind_skipped(href: str) -> str | None:
    """Why a link is not a citation (a script, file, data or mail link; a relative or in-page one), or None."""
    lowered = href.strip().lower()
    scheme = next((scheme for scheme in SKIPPED_SCHEMES if lowered.startswith(scheme)), None)
    if scheme is not None:
        return scheme.rstrip(":") + " links"
    if not _CITABLE_URL_RE.match(href.strip()):
        return "relative or in-page links"
    return None


def _link_definitions(
    env: dict[str, Any], lines: list[str], taken: set[str], skipped: Counter[str]
) -> tuple[dict[str, str], list[Reference]]:
    """``[label]: URL "Title"`` definitions as references; returns (normalised label → id, references).

    A definition of a relative or in-page target (``[close]: #event-close``,
    ``[fs]: fs.md``) or a script, file, data or mail link cites no web source:
    it is no reference, its uses are skipped links, and it is counted in ``skipped``.
    """
    ids: dict[str, str] = {}
    references: list[Reference] = []
    for normalised, definition in dict(env.get("references", {})).items():
        href = str(definition.get("href", ""))
        why = _link_kind_skipped(href)
        if why is not None:
            skipped[f"{why.removesuffix(' links')} link definitions"] += 1
            continue
        line_range = definition.get("map") or [0, 0]
        first = int(line_range[0])
        source_lines = lines[first : int(line_range[1])]
        raw = "\n".join(line.strip() for line in source_lines).strip()
        written = _LINK_DEFINITION_RE.match(source_lines[0]) if source_lines else None
        label = written["label"].strip() if written else str(normalised)
        reference_id = label if label not in taken else f"link-{label}"
        taken.add(reference_id)
        ids[str(normalised)] = reference_id
        title = definition.get("title")
        references.append(
            build(
                Reference,
                id=reference_id,
                kind=ReferenceKind.link,
                name=label,
                raw=raw,
                title=str(title) if title else None,
                url=href or None,
                line=first + 1 if source_lines else None,
            )
        )
    return ids, references


# --------------------------------------------------------------------------- the reader


def read_markdown(text: str, path: str) -> ParsedDocument:
    """Parse Markdown into body sections with markers and the reference list. Never raises."""
    env: dict[str, Any] = {}
    tokens = _PARSER.parse(text, env)
    lines = text.splitlines()
    notices: list[str] = []
    title, date = _front_matter(tokens)

    footnotes = _used_footnotes(tokens)
    unused_labels = {key[1:] for key, number in dict(env.get("footnotes", {}).get("refs", {})).items() if number < 0}
    footnotes += _unused_footnotes(lines, _code_lines(tokens), unused_labels)
    footnote_ids = {definition.label: _reference_id(definition.label) for definition in footnotes}
    skipped_links: Counter[str] = Counter()
    link_ids, link_references = _link_definitions(env, lines, set(footnote_ids), skipped_links)
    book = _Book(footnote_ids=footnote_ids, link_ids=link_ids, skipped=skipped_links)

    sections: list[Section] = [build(Section, title=None, level=1)]
    skipped_blocks: Counter[str] = Counter()
    context: list[str] = []  # enclosing block kinds: heading, paragraph, table, footnote
    first_heading: str | None = None
    for token in tokens:
        kind = token.type
        if kind.endswith("_open"):
            context.append(kind[: -len("_open")])
            if kind == "heading_open":
                level = int(token.tag[1:]) if token.tag[1:].isdigit() else 1
                if "footnote_block" not in context:
                    sections.append(build(Section, title=None, level=level))
            elif kind == "table_open":
                skipped_blocks["tables"] += 1
            continue
        if kind.endswith("_close"):
            if context:
                context.pop()
            continue
        if kind in ("fence", "code_block"):
            skipped_blocks["code blocks"] += 1
            continue
        if kind == "html_block":
            skipped_blocks["HTML blocks"] += 1
            continue
        if kind != "inline":
            continue
        if "footnote_block" in context or "footnote" in context:
            # A footnote is read as its own citation; a defined link it names is used by it.
            _inline_text(token.children or [], book.link_use_in_footnote, footnote_ids)
            continue
        children = token.children or []
        in_table = "table" in context
        if in_table or (context and context[-1] == "heading"):
            # Not body text: footnotes here are uses without a marker; links are not citations.
            hidden_text, hidden_markers = _inline_text(children, book.hidden_link_use, footnote_ids)
            book.hidden_uses += len(hidden_markers)
            book.uses.update(marker.ref_id for marker in hidden_markers if marker.ref_id is not None)
            if not in_table:
                sections[-1].title = hidden_text or None
                if first_heading is None and sections[-1].level == 1:
                    first_heading = hidden_text
            continue
        paragraph_text, markers = _inline_text(children, book.link_target, footnote_ids)
        for marker in markers:
            if marker.ref_id is None:
                book.dangling.append(marker.label)
            else:
                book.uses[marker.ref_id] += 1
        if paragraph_text or markers:
            line = token.map[0] + 1 if token.map else None
            sections[-1].paragraphs.append(build(Paragraph, text=paragraph_text, markers=markers, line=line))

    references: list[Reference] = []
    # Unused definitions come after the cited ones, numbered on in source order.
    next_number = max((definition.number or 0 for definition in footnotes), default=0)
    for definition in footnotes:
        if definition.number is None:
            next_number += 1
            definition.number = next_number
        reference = _footnote_reference(definition, env)
        reference.uses = book.uses[reference.id]  # built here: no copy needed
        references.append(reference)
    references.sort(key=lambda reference: reference.number or 0)
    # Built by this call (not validated: construct.build), so counted in place rather than copied.
    for reference in (*link_references, *book.inline_links.values()):
        reference.uses = book.uses[reference.id]
        references.append(reference)

    if sections[0].title is None and not sections[0].paragraphs:
        sections = sections[1:]
    if book.dangling:
        notices.append(f"footnote markers with no definition: {', '.join(sorted(set(book.dangling)))}")
    if book.skipped:
        notices.append(
            "links not treated as references: " + ", ".join(f"{n} {k}" for k, n in sorted(book.skipped.items()))
        )
    if skipped_blocks:
        notices.append("not read as body text: " + ", ".join(f"{n} {k}" for k, n in sorted(skipped_blocks.items())))
    if book.hidden_uses:
        notices.append(f"{book.hidden_uses} footnote or link uses in headings or tables leave no marker")
    return ParsedDocument(
        path=path,
        format="markdown",
        title=title or first_heading,
        date=date,
        sections=sections,
        references=references,
        notices=notices,
    )
