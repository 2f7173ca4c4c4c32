"""Stage 2: every sentence of a document's body becomes a claim, with the references it cites."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field

from citecheck.claims.sentences import sentence_spans
from citecheck.models import Claim, ClaimVerdict, Evidence, EvidenceKind, Marker, ParsedDocument, SourceFlag
from citecheck.references.construct import build, builder

# A claim needs at least two words or a marker: headings-turned-paragraphs
# like "Reactions" and stray numbers are not claims.
_WORD_RE = re.compile(r"[^\W\d_]{2,}")
_INFERRED = "covered by the citation closing the passage"
_ATTRIBUTION = "cited by the post's attribution"
# Shared, never changed: what a sentence without markers or inherited sources reads.
_NO_MARKERS: list[Marker] = []
_NOTHING: list[str] = []
# Built, not validated: every value is already of its field's type (fresh lists, enum members);
# tests/unit/test_claim_models_valid.py validates what is built and compares.
_claim = builder(Claim, "id", "text", "section", "refs", "markers", "line", "verdict", "evidence")
_evidence = builder(Evidence, "kind", "detail", "ref")
_MARKER = EvidenceKind.marker
_INFERRED_KIND = EvidenceKind.inferred
_ATTRIBUTION_KIND = EvidenceKind.attribution


@dataclass
class ClaimSet:
    claims: list[Claim]
    dangling: list[tuple[Claim, Marker]] = field(default_factory=list)  # markers that point nowhere
    uses: Counter[str] = field(default_factory=Counter)  # reference id -> markers / attributed claims


def _is_claim_text(text: str, has_markers: bool) -> bool:
    """``len(_WORD_RE.findall(text)) >= 2``, stopping at the second word."""
    if has_markers:
        return True
    words = _WORD_RE.finditer(text)
    return next(words, None) is not None and next(words, None) is not None


def _markers_by_sentence(spans: list[tuple[int, int]], markers: list[Marker]) -> list[list[Marker]] | None:
    """Each sentence's markers: the last sentence starting at or before a marker, the first when none does.

    None when the paragraph has no markers (most sentences of an uncited paragraph need no lists of their own).
    """
    if not markers:
        return None
    if len(spans) == 1:
        return [markers]
    by_sentence: list[list[Marker]] = [[] for _ in spans]
    begins = [begin for begin, _ in spans]  # strictly increasing
    for marker in markers:
        by_sentence[max(0, bisect_right(begins, marker.offset) - 1)].append(marker)
    return by_sentence


def build_claims(document: ParsedDocument) -> ClaimSet:
    """Split every body paragraph into sentences and tie markers to them.

    A marker belongs to the last sentence that starts at or before it: in
    ``"… Iran.[3] A total …"`` the marker stands after ``Iran.`` and cites
    that sentence.  Unmarked sentences before a marked one in the same
    paragraph inherit its sources (evidence kind ``inferred``).
    Section-wide implicit references (a repost's attribution)
    are cited by every sentence of the section.
    """
    result = ClaimSet(claims=[])
    known_ids = {reference.id for reference in document.references}
    # A short citation ("Smith 2003, p. 41") or a sub-reference (details of a main reference) points to the
    # reference holding the full citation: the claim's provenance reaches it.
    full_citation = {
        reference.id: reference.full_citation_ref
        for reference in document.references
        if reference.full_citation_ref and reference.full_citation_ref in known_ids
    }
    # Whose uses the full citation takes over: a sub-reference's main, and bibliography entries (a full
    # citation in a footnote counts its own markers, as its backlinks do).
    counted = {reference.id for reference in document.references if reference.kind == "bibliography"}
    counted |= {
        reference.full_citation_ref
        for reference in document.references
        if reference.full_citation_ref and SourceFlag.sub_reference in reference.source_flags
    }
    claims = result.claims
    uses = result.uses
    for section in document.sections:
        # Each attributed reference once, in order: a claim's refs never repeat.
        implicit = list(dict.fromkeys(ref for ref in section.implicit_refs if ref in known_ids))
        for paragraph in section.paragraphs:
            paragraph_text = paragraph.text
            spans = sentence_spans(paragraph_text)
            if not spans:
                # A paragraph of markers alone ("[1]"): nothing to claim, but the uses still count.
                for marker in paragraph.markers:
                    if marker.ref_id in known_ids:
                        uses[marker.ref_id] += 1
                continue
            markers_by_sentence = _markers_by_sentence(spans, paragraph.markers)
            # Text–source integrity, as Wikipedia practises it: a citation
            # covers the passage before it back to the previous citation, so
            # an unmarked sentence inherits the next marked sentence's sources
            # in the same paragraph (recorded as inferred evidence).
            covering: list[list[str]] = [_NOTHING] * len(spans)
            if markers_by_sentence is not None:
                following: list[str] = _NOTHING
                for index in range(len(spans) - 1, -1, -1):
                    own = [
                        m.ref_id for m in markers_by_sentence[index] if m.ref_id is not None and m.ref_id in known_ids
                    ]
                    if own:
                        following = list(dict.fromkeys(own))
                    else:
                        covering[index] = following
            line = paragraph.line
            for index, (begin, end) in enumerate(spans):
                markers = markers_by_sentence[index] if markers_by_sentence is not None else _NO_MARKERS
                text = paragraph_text[begin:end]
                refs: list[str]
                evidence: list[Evidence]
                if markers:
                    refs, evidence = [], []
                    dangling: list[Marker] = []
                    for marker in markers:
                        ref_id = marker.ref_id
                        if ref_id is None or ref_id not in known_ids:
                            dangling.append(marker)
                            continue
                        uses[ref_id] += 1
                        if ref_id not in refs:
                            refs.append(ref_id)
                            evidence.append(_evidence(_MARKER, f"[{marker.label}]", ref_id))
                        if full_citation:
                            _add_full_citations(ref_id, full_citation, counted, refs, evidence, result)
                    labels = [marker.label for marker in markers]
                elif not _is_claim_text(text, False):
                    continue
                else:
                    refs, evidence = [], []
                    dangling = _NO_MARKERS
                    labels = []
                for ref in covering[index]:
                    if ref not in refs:
                        refs.append(ref)
                        evidence.append(_evidence(_INFERRED_KIND, _INFERRED, ref))
                for ref in implicit:
                    if ref not in refs:
                        uses[ref] += 1
                        refs.append(ref)
                        evidence.append(_evidence(_ATTRIBUTION_KIND, _ATTRIBUTION, ref))
                claim = _claim(
                    f"c{len(claims) + 1}",
                    text,
                    section.title,
                    refs,
                    labels,
                    line,
                    ClaimVerdict.not_checked if refs else ClaimVerdict.uncited,
                    evidence,
                )
                claims.append(claim)
                if dangling:
                    result.dangling += [(claim, marker) for marker in dangling]
    return result


def _add_full_citations(
    ref_id: str,
    full_citation: dict[str, str],
    counted: set[str],
    refs: list[str],
    evidence: list[Evidence],
    result: ClaimSet,
) -> None:
    """Follow a short citation or sub-reference to its full citation (a few steps at most: no cycles)."""
    current = ref_id
    for _ in range(3):
        target = full_citation.get(current)
        if target is None or target == ref_id:
            return
        if target in counted:
            result.uses[target] += 1
        if target not in refs:
            refs.append(target)
            evidence.append(
                build(
                    Evidence,
                    kind=EvidenceKind.full_citation,
                    detail=f"reference {current} points to its full citation",
                    ref=target,
                )
            )
        current = target
