"""Do the wikitext reader and the HTML reader read the same article the same way?

The article's wikitext goes to the wikitext reader; its Parsoid rendering
(:mod:`tests.parsoid_render`) to the HTML reader.  The renderer's own record of
what it rendered — each reference-list item's anchor, group, number and
markers — pairs the two readers' references (by the reference id MediaWiki's
numbering gives, and the list item's anchor) and says how many markers point
where.  Then the references are compared field by field.

Used by tests/integration/test_parsoid_conformance.py and benchmarks/bench_readers.py.
"""

from __future__ import annotations

import html
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from citecheck.models import ParsedDocument, Reference, ReferenceKind, SourceFlag
from tests.parsoid_render import RenderedPage

# The fields issue 11 scores (benchmarks/bench_readers.py scores them against its own truth) …
REFERENCE_FIELDS = (
    "url",
    "title",
    "date",
    "access_date",
    "archive_url",
    "archive_date",
    "authors",
    "work",
    "publisher",
    "identifiers",
    "dead",
)
# … and what the two readers must also agree on: the kind, a short citation's full citation and locator, the
# <ref name=…>.
FIELDS = (*REFERENCE_FIELDS, "kind", "full_citation", "details", "name")
_DEAD = frozenset({SourceFlag.url_status_dead, SourceFlag.dead_link, SourceFlag.permanent_dead_link})
_EDGE = " .,;:\"'“”‘’«»()[]"


def _text(value: str | None) -> str:
    text = unicodedata.normalize("NFKC", html.unescape(value or ""))
    return " ".join(text.split()).strip(_EDGE).casefold()


def _kind(reference: Reference) -> str:
    if reference.kind is ReferenceKind.bibliography:
        return "bibliography"
    if SourceFlag.short_citation in reference.source_flags:
        return "short citation"
    if SourceFlag.sub_reference in reference.source_flags:
        return "sub-reference"
    return "citation"


def field_values(reference: Reference, ids: dict[str, str] | None = None) -> dict[str, Any]:
    """The compared fields of one reference, normalised (``ids`` renames a reader's ids for full_citation)."""
    target = reference.full_citation_ref
    return {
        "url": (reference.url or "").strip() or None,
        "title": _text(reference.title) or None,
        "date": reference.date,
        "access_date": reference.access_date,
        "archive_url": (reference.archive_url or "").strip() or None,
        "archive_date": reference.archive_date,
        "authors": [_text(author) for author in reference.authors] or None,
        "work": _text(reference.work) or None,
        "publisher": _text(reference.publisher) or None,
        "identifiers": reference.identifiers.present() or None,
        "dead": bool(_DEAD & set(reference.source_flags)),
        "kind": _kind(reference),
        "full_citation": (ids or {}).get(target, target) if target else None,
        "details": _text(reference.details) or None,  # a short citation's locator, a sub-reference's details
        "name": reference.name,
    }


@dataclass
class Agreement:
    """How far two readings of one article agree (counts; rates by the properties)."""

    label: str = ""
    references: int = 0  # reference-list items the renderer made
    found: list[int] = field(default_factory=lambda: [0, 0])  # [wikitext, html] items found at the right id
    spurious: list[str] = field(default_factory=list)  # HTML references no list item of the renderer's is
    wikitext_extra: list[str] = field(default_factory=list)  # wikitext references the renderer made no item for
    bibliography: list[int] = field(default_factory=lambda: [0, 0, 0])  # [rendered, wikitext, html]
    fields: dict[str, list[int]] = field(default_factory=dict)  # name → [agree, compared]
    uses: list[int] = field(default_factory=lambda: [0, 0])
    links: list[int] = field(default_factory=lambda: [0, 0])
    disagreements: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    def rate(self, name: str) -> float | None:
        counts = self.fields.get(name)
        return counts[0] / counts[1] if counts and counts[1] else None

    @property
    def uses_rate(self) -> float | None:
        return self.uses[0] / self.uses[1] if self.uses[1] else None

    @property
    def links_rate(self) -> float | None:
        return self.links[0] / self.links[1] if self.links[1] else None

    @property
    def found_rate(self) -> float | None:
        return self.found[1] / self.references if self.references else None

    def add(self, other: Agreement) -> None:
        self.references += other.references
        for mine, theirs in (
            (self.found, other.found),
            (self.bibliography, other.bibliography),
            (self.uses, other.uses),
            (self.links, other.links),
        ):
            for index, value in enumerate(theirs):
                mine[index] += value
        self.spurious += other.spurious
        self.wikitext_extra += other.wikitext_extra
        for name, (good, total) in other.fields.items():
            counts = self.fields.setdefault(name, [0, 0])
            counts[0] += good
            counts[1] += total
        self.disagreements += other.disagreements

    def compare(self, name: str, expected: Any, got: Any, where: str) -> None:
        if expected in (None, False, "", [], {}) and got in (None, False, "", [], {}):
            return
        counts = self.fields.setdefault(name, [0, 0])
        counts[1] += 1
        if expected == got:
            counts[0] += 1
        else:
            self.disagreements.append(f"{where} {name}: wikitext {expected!r} / html {got!r}")


def markers_of(document: ParsedDocument) -> list[str | None]:
    return [
        marker.ref_id
        for section in document.sections
        for paragraph in section.paragraphs
        for marker in paragraph.markers
    ]


def compare_readings(label: str, page: RenderedPage, wikitext: ParsedDocument, parsoid: ParsedDocument) -> Agreement:
    """Pair the two readers' references through the renderer's record, then compare them."""
    result = Agreement(label=label, references=len(page.notes), notices=list(parsoid.notices))
    by_id = {reference.id: reference for reference in wikitext.references}
    by_anchor = {reference.anchor: reference for reference in parsoid.references if reference.anchor}
    anchors = {note.anchor for note in page.notes}
    expected_ids = {note.expected_id for note in page.notes}
    # The two readers' ids for the same reference (short citations name bibliography entries by id).
    html_to_wikitext: dict[str, str] = {}
    pairs: list[tuple[str, Reference, Reference]] = []
    for note in page.notes:
        wt = by_id.get(note.expected_id)
        ht = by_anchor.get(note.anchor)
        where = f"[{label}] {note.expected_id} ({note.anchor})"
        if wt is not None:
            result.found[0] += 1
        else:
            result.disagreements.append(f"{where}: not found by the wikitext reader")
        if ht is not None and ht.id == note.expected_id:
            result.found[1] += 1
        elif ht is None:
            result.disagreements.append(f"{where}: not found by the HTML reader")
        else:
            result.disagreements.append(f"{where}: the HTML reader calls it {ht.id}")
        if wt is not None and ht is not None:
            html_to_wikitext[ht.id] = wt.id
            pairs.append((where, wt, ht))
        result.uses[1] += 1
        if wt is not None and ht is not None and wt.uses == ht.uses == note.uses:
            result.uses[0] += 1
        else:
            result.disagreements.append(
                f"{where} uses: rendered {note.uses}, wikitext {wt.uses if wt else None}, "
                f"html {ht.uses if ht else None}"
            )
    wt_bibliography = [reference for reference in wikitext.references if reference.kind is ReferenceKind.bibliography]
    ht_bibliography = [reference for reference in parsoid.references if reference.kind is ReferenceKind.bibliography]
    result.bibliography = [page.bibliography, len(wt_bibliography), len(ht_bibliography)]
    for wt, ht in zip(wt_bibliography, ht_bibliography, strict=False):
        html_to_wikitext[ht.id] = wt.id
        pairs.append((f"[{label}] bibliography {wt.id}", wt, ht))
    for where, wt, ht in pairs:
        expected = field_values(wt)
        got = field_values(ht, html_to_wikitext)
        for name in FIELDS:
            result.compare(name, expected[name], got[name], where)
    result.spurious = [
        f"{reference.id} ({reference.anchor})"
        for reference in parsoid.references
        if reference.kind is not ReferenceKind.bibliography and reference.anchor not in anchors
    ]
    result.wikitext_extra = [
        reference.id
        for reference in wikitext.references
        if reference.kind is not ReferenceKind.bibliography
        and reference.id not in expected_ids
        and SourceFlag.sub_reference not in reference.source_flags
    ]
    # Markers: every marker the renderer made should reach its reference (compared as multisets: the
    # readers may walk captions and tables in another order).
    expected_markers = Counter(page.markers)
    ids = {ht.id: note.expected_id for note in page.notes if (ht := by_anchor.get(note.anchor)) is not None}
    got_markers = Counter(ids.get(ref_id, f"?{ref_id}") for ref_id in markers_of(parsoid) if ref_id is not None)
    result.links[1] += sum(expected_markers.values())
    result.links[0] += sum(min(count, got_markers[target]) for target, count in expected_markers.items())
    for target, count in expected_markers.items():
        if got_markers[target] != count:
            result.disagreements.append(f"[{label}] markers → {target}: rendered {count}, html {got_markers[target]}")
    wikitext_markers = Counter(ref_id for ref_id in markers_of(wikitext) if ref_id is not None)
    for target, count in wikitext_markers.items():
        if count > expected_markers[target]:
            result.disagreements.append(
                f"[{label}] wikitext markers → {target}: {count}, rendered {expected_markers[target]}"
            )
    return result
