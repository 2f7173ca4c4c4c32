"""Stage 4d: does the cited source say what the claim says? (CC501, CC502, CC504, CC505, CC207)

:func:`check_claim` reads every cited source text that was read and records,
as evidence:

* the passages that best match the claim (:mod:`citecheck.claims.passages`),
  top three per source, for every verdict — where to look, never a verdict;
* each quote (:mod:`citecheck.claims.quotes`) and each figure or date
  (:mod:`citecheck.claims.figures`) of the claim, where it was found and in
  which passage, or that it was not;
* names of the claim that no source read contains (information, not a
  warning);
* for a source read from a capture whose page is still live, whether what the
  claim cites from it is still on the live page (CC207, with both values).

Findings: CC501/CC502 when every source that could hold a quote or figure was
read and none does; CC504 when a figure is absent from the claim's best
passage while that passage gives a figure of the same kind for the same
thing ("claim: 69 km; [3] says '96 kilometres north of Baghdad'"); CC505
("check by hand") when no passage shares most of the claim's content words.
The verdict comes from :func:`citecheck.checks.provenance.decide_verdict`; no
verdict ever comes from similarity.  No I/O: source texts come in as
arguments.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from citecheck.checks.catalogue import make_finding
from citecheck.checks.live import FigureAt, claim_drift
from citecheck.checks.provenance import (
    Readiness,
    VerdictBasis,
    decide_verdict,
    reference_readiness,
    source_state,
)
from citecheck.claims.content_words import CALENDAR_WORDS, STOPWORDS, content_stems
from citecheck.claims.date_figures import DateSpan
from citecheck.claims.figures import (
    Figure,
    FigureMatch,
    extract_figures,
    find_counterpart,
    is_weak,
    key_terms,
    match_figure,
)
from citecheck.claims.passages import (
    MAX_INDEXED_CHARS,
    RankedPassage,
    SourceIndex,
    index_source,
    rank_passages,
    sentence_at,
    shared_word_list,
    shorten,
    text_fragment,
)
from citecheck.claims.quotes import Quote, QuoteMatch, find_quotes, match_quote
from citecheck.dates import PartialDate
from citecheck.models import (
    Claim,
    ClaimVerdict,
    Evidence,
    EvidenceKind,
    EvidenceStatus,
    Finding,
    Passage,
    Reference,
    SourceInfo,
    SourceStatus,
    TextOrigin,
)
from citecheck.references.construct import build, builder

# Figures of these kinds that fall within a cited source's own date say when,
# not what: "On 17 December 2013, …" citing a page of that day.
DATE_FIGURE_KINDS = frozenset({"year", "date"})
# A passage sharing less than this share of the claim's content words is no match to rely on: check by hand.
CHECK_BY_HAND_COVERAGE = 0.5
# The best passage must cover this much of the claim before its figures are taken to be about the same thing.
SAME_SUBJECT_COVERAGE = 0.5
# ... and this much before its only figure of a kind is taken to be the claim's, whatever words surround it.
SOLE_FIGURE_COVERAGE = 0.7
_MESSAGE_QUOTE_CHARS = 80
_NOTHING_READ: frozenset[str] = frozenset()
_STATUS_RANK = {"found": 3, "near": 3, "compatible": 1, "not-found": 0}
_NAME_WORD_RE = re.compile(r"[^\W\d_][\w'’.-]*", re.UNICODE)


class SourceTextLike(Protocol):
    """What the claim checks need of a source: what was read (``info``), its main text, and the live page's
    text when the text was read from a capture of a page that is still live (else None)."""

    @property
    def info(self) -> SourceInfo: ...

    @property
    def text(self) -> str: ...

    @property
    def live_text(self) -> str | None: ...


@dataclass(frozen=True)
class ClaimCheck:
    """A claim's verdict, the evidence for it, and its findings.

    ``evidence`` holds only what the checks add; the claim's own marker and
    attribution evidence stays on the claim.
    """

    verdict: ClaimVerdict
    evidence: list[Evidence] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


@dataclass(frozen=True)
class _ReadSource:
    ref: str
    text: str  # what is searched: the whole text, or its first MAX_INDEXED_CHARS
    url: str | None
    index: SourceIndex
    passages: list[RankedPassage]
    live_text: str | None
    complete: bool  # the whole text was searched

    @property
    def passage_spans(self) -> list[tuple[int, int]]:
        return [(passage.start, passage.end) for passage in self.passages]

    @property
    def best(self) -> RankedPassage | None:
        return self.passages[0] if self.passages else None

    def subject_passage(self, claim_text: str) -> RankedPassage | None:
        """The passage closest to the claim's words alone, its figures left out: the passage "about the same
        thing", chosen without regard to the figures being compared."""
        ranked = rank_passages(claim_text, self.index, top=1, numbers=False)
        return ranked[0] if ranked else None


def _shorten(text: str, limit: int = _MESSAGE_QUOTE_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _refs_label(refs: Sequence[str]) -> str:
    return ", ".join(f"[{ref}]" for ref in refs)


def _span_of(reference_date: PartialDate | None) -> DateSpan | None:
    if reference_date is None:
        return None
    return DateSpan(reference_date.earliest(), reference_date.latest(), "day")


def restates_source_date(figure: Figure, references: Sequence[Reference]) -> bool:
    """Whether a year/date figure falls within a cited reference's own (or its page's) date."""
    if figure.kind not in DATE_FIGURE_KINDS or not figure.dates:
        return False
    for reference in references:
        own_dates = [reference.date]
        if reference.source.page_date is not None:
            own_dates.append(reference.source.page_date.date)
        for own in own_dates:
            span = _span_of(own)
            if span is None:
                continue
            for stated in figure.dates:
                if not stated.yearless and stated.first <= span.last and span.first <= stated.last:
                    return True
    return False


def claim_quotes(claim_text: str) -> list[Quote]:
    """The quotes that are checked: outer ones only (an outer quote covers those nested in it)."""
    return [quote for quote in find_quotes(claim_text) if quote.depth == 0]


def claim_figures(claim_text: str, quotes: Sequence[Quote], references: Sequence[Reference]) -> list[Figure]:
    """The figures that are checked: not inside a quote (the quote covers them), not restating a source's date,
    not an ordinal word ("the first", "a second") that states an order rather than a quantity.
    """
    return [
        figure
        for figure in extract_figures(claim_text)
        if not (figure.kind == "ordinal" and figure.text.replace("-", "").replace(" ", "").isalpha())
        and not any(quote.start <= figure.start and figure.end <= quote.end for quote in quotes)
        and not restates_source_date(figure, references)
    ]


def _read_sources(claim_text: str, refs: Sequence[str], sources: Mapping[str, SourceTextLike]) -> list[_ReadSource]:
    read: list[_ReadSource] = []
    for ref in refs:
        source = sources.get(ref)
        if source is None or source.info.status != SourceStatus.fetched or not source.text.strip():
            continue
        complete = len(source.text) <= MAX_INDEXED_CHARS
        text = source.text if complete else source.text[:MAX_INDEXED_CHARS]
        index = index_source(text)
        live_text = source.live_text if source.info.origin == TextOrigin.capture else None
        read.append(
            _ReadSource(
                ref=ref,
                text=text,
                url=source.info.url,
                index=index,
                passages=rank_passages(claim_text, index),
                live_text=live_text[:MAX_INDEXED_CHARS] if live_text else None,
                complete=complete,
            )
        )
    return read


# --------------------------------------------------------------------------- evidence items


def passage_model(source: _ReadSource, start: int, end: int, ranked: RankedPassage | None = None) -> Passage:
    """Where ``[start, end)`` of a read source sits: its sentence, and how it was chosen when it was ranked."""
    first = sentence_at(source.index, start)
    last = sentence_at(source.index, max(start, end - 1))
    first_index = first if first is not None else 0
    span = (last - first_index + 1) if last is not None else 1
    if ranked is not None:
        return Passage(
            start=ranked.start,
            end=ranked.end,
            sentence=ranked.first_sentence + 1,
            sentences=len(source.index.sentences),
            span=ranked.span,
            rank=ranked.rank,
            shared_words=ranked.shared_words,
            claim_words=ranked.claim_words,
            score=round(ranked.score, 3),
            text_fragment=text_fragment(ranked.text),
        )
    sentence_start, sentence_end = start, end
    if first is not None:
        sentence_start = source.index.sentences[first_index][0]
    if last is not None:
        sentence_end = source.index.sentences[last][1]
    passage_text = " ".join(source.text[sentence_start:sentence_end].split())
    return Passage(
        start=sentence_start,
        end=sentence_end,
        sentence=first_index + 1,
        sentences=len(source.index.sentences),
        span=max(1, span),
        rank=0,
        method="sentence holding the match",
        text_fragment=text_fragment(passage_text),
    )


def _passage_evidence(claim_text: str, source: _ReadSource) -> list[Evidence]:
    evidence: list[Evidence] = []
    for ranked in source.passages:
        words = shared_word_list(ranked, claim_text)
        which = "Closest passage" if ranked.rank == 1 else f"Passage {ranked.rank}"
        where = f"sentence {ranked.first_sentence + 1}" + (
            f"–{ranked.first_sentence + ranked.span}" if ranked.span > 1 else ""
        )
        detail = (
            f"{which} in [{source.ref}], {where} of {len(source.index.sentences)}, shares "
            f"{ranked.shared_words} of {ranked.claim_words} content words"
        )
        if words:
            detail += f" ({', '.join(words[:12])})"
        evidence.append(
            Evidence(
                kind=EvidenceKind.passage,
                detail=detail,
                ref=source.ref,
                status=EvidenceStatus.closest,
                excerpt=shorten(ranked.text),
                url=source.url,
                passage=passage_model(source, ranked.start, ranked.end, ranked),
            )
        )
    return evidence


def _match_evidence(
    kind: EvidenceKind,
    written: str,
    status: str,
    excerpt: str | None,
    source: _ReadSource,
    read: Sequence[_ReadSource],
) -> Evidence:
    """Evidence for one quote or figure: where it was found, or in which read sources it was not."""
    label = f"“{written}”"
    if status == "found":
        detail = f"{kind.value} {label} found in [{source.ref}]"
    elif status == "near":
        differs = "with small differences" if kind is EvidenceKind.quote else "approximately"
        detail = f"{kind.value} {label} found {differs} in [{source.ref}]"
    elif status == "compatible":
        detail = f"{kind.value} {label} is compatible with [{source.ref}], which is less precise"
    else:
        detail = f"{kind.value} {label} not found in {_refs_label([item.ref for item in read])}"
    # A miss is pinned to a source only when there was just one to look in.
    pinned = status != "not-found" or len(read) == 1
    return Evidence(
        kind=kind,
        detail=detail,
        ref=source.ref if pinned else None,
        status=EvidenceStatus(status),
        excerpt=excerpt,
        url=source.url if pinned else None,
        claimed=written,
    )


def _quote_evidence(match: QuoteMatch, source: _ReadSource, read: Sequence[_ReadSource]) -> Evidence:
    short = " (a short quote: shown, not counted)" if match.quote.short else ""
    evidence = _match_evidence(
        EvidenceKind.quote, _shorten(match.quote.text), match.status, match.excerpt, source, read
    )
    update: dict[str, object] = {"detail": evidence.detail + short}
    if match.start is not None and match.end is not None:
        update["passage"] = passage_model(source, match.start, match.end)
    return evidence.model_copy(update=update)


def _figure_evidence(match: FigureMatch, source: _ReadSource, read: Sequence[_ReadSource], note: str) -> Evidence:
    evidence = _match_evidence(EvidenceKind.figure, match.figure.text, match.status, match.excerpt, source, read)
    update: dict[str, object] = {"detail": evidence.detail + note}
    if match.source_figure is not None and match.start is not None and match.end is not None:
        update["source_says"] = source.text[match.start : match.end]
        update["passage"] = passage_model(source, match.start, match.end)
    return evidence.model_copy(update=update)


def _best_quote_match(quote: Quote, read: Sequence[_ReadSource]) -> tuple[QuoteMatch, _ReadSource]:
    matches = [(match_quote(quote, source.text), source) for source in read]
    return max(matches, key=lambda item: (_STATUS_RANK[item[0].status], item[0].score))


def _best_figure_match(
    figure: Figure, read: Sequence[_ReadSource], terms: Sequence[str]
) -> tuple[FigureMatch, _ReadSource]:
    matches = [(match_figure(figure, source.text, terms, source.passage_spans), source) for source in read]
    return max(matches, key=lambda item: (_STATUS_RANK[item[0].status], item[0].in_passage, item[0].near_terms))


def _supports(match: FigureMatch) -> bool:
    """Whether a figure match counts for the claim: found or near, and, for a figure too common to prove anything
    anywhere (zero, small counts), inside a passage that matches the claim."""
    if match.status not in ("found", "near"):
        return False
    if match.figure.value == 0 and match.figure.kind not in DATE_FIGURE_KINDS:
        return False  # a "0" or "no one" somewhere in a source is no evidence
    return match.in_passage or not is_weak(match.figure)


def _where_readable(reference: Reference) -> str | None:
    if reference.source.url:
        return reference.source.url
    if source_state(reference) == "archived":
        return reference.archive.snapshot_url
    return reference.live.final_url or reference.url


_source_note = builder(Evidence, "kind", "detail", "ref", "status")


def _source_evidence(
    verdict: ClaimVerdict,
    readiness: Mapping[str, Readiness],
    references: Mapping[str, Reference],
    read: Sequence[_ReadSource],
    untested: int,
    sources: Mapping[str, SourceTextLike],
    network_ran: bool,
) -> list[Evidence]:
    """Per cited source, what the verdict rests on beyond the quote and figure comparisons.

    Built, not validated (every value is of its field's type): offline, every cited claim gets one per source.
    """
    evidence: list[Evidence] = []
    if verdict is ClaimVerdict.sourced:
        for ref, state in readiness.items():
            if state in ("read", "reachable"):
                how = "its text was read" if state == "read" else source_state(references[ref])
                evidence.append(
                    build(
                        Evidence,
                        kind=EvidenceKind.source,
                        detail=f"source reachable ({how}); the claim has no quote or figure to test, "
                        "so only the source's survival was checked",
                        ref=ref,
                        status=EvidenceStatus(state),
                        url=next((item.url for item in read if item.ref == ref), None)
                        or _where_readable(references[ref]),
                    )
                )
    elif verdict in (ClaimVerdict.source_lost, ClaimVerdict.unresolvable):
        for ref, state in readiness.items():
            detail = {
                "lost": "dead, with no usable archive capture",
                "unresolvable": "no URL, and discovery proposed no candidate",
            }.get(state, "not checked")
            evidence.append(_source_note(EvidenceKind.source, detail, ref, EvidenceStatus(state)))
    elif verdict is ClaimVerdict.not_checked and untested:
        read_refs = {item.ref for item in read}
        for ref in readiness:
            if ref in read_refs:
                continue
            source = sources.get(ref)
            reason = source.info.reason if source is not None and source.info.reason else None
            if reason is None:
                fallback = "source text not available" if network_ran else "offline, and no source text in the cache"
                reason = references[ref].source.reason or fallback
            evidence.append(
                _source_note(
                    EvidenceKind.source,
                    f"not compared with the claim's quotes/figures: {reason}",
                    ref,
                    EvidenceStatus.not_read,
                )
            )
    for item in read:
        if not item.complete:
            evidence.append(
                Evidence(
                    kind=EvidenceKind.source,
                    detail=f"only the first {MAX_INDEXED_CHARS:,} characters of [{item.ref}] were searched; "
                    "what is missing from them is not reported as missing",
                    ref=item.ref,
                    status=EvidenceStatus.read,
                    url=item.url,
                )
            )
    return evidence


# --------------------------------------------------------------------------- names


def claim_names(claim_text: str) -> list[str]:
    """Named entities of the claim (capitalized runs), without a capitalized common word opening the sentence."""
    names: list[str] = []
    stripped = claim_text.lstrip(" \"'“‘(")
    opening = stripped.split(" ", 1)[0] if stripped else ""
    for term in key_terms(claim_text):
        if not term[:1].isupper():
            continue
        words = [word for word in _NAME_WORD_RE.findall(term) if word.lower() not in STOPWORDS]
        words = [word for word in words if word.lower() not in CALENDAR_WORDS]
        if not words:
            continue
        if len(words) == 1 and term == opening and not term.isupper():
            continue  # "Additional new operas …": a sentence's first word, not a name
        names.append(" ".join(words))
    return names


def _name_found(name: str, read: Sequence[_ReadSource]) -> bool:
    """Whether one read source holds every word of the name (compared as the passage index compares words)."""
    stems = content_stems(name)
    return not stems or any(all(term in source.index.postings for term in stems) for source in read)


def _name_evidence(claim_text: str, read: Sequence[_ReadSource]) -> list[Evidence]:
    missing = [name for name in claim_names(claim_text) if not _name_found(name, read)]
    if not missing or not all(source.complete for source in read):
        return []
    label = _refs_label([source.ref for source in read])
    return [
        Evidence(
            kind=EvidenceKind.name,
            detail=f"name “{name}” occurs in no source read ({label}); information, not a finding",
            status=EvidenceStatus.not_found,
            claimed=name,
            ref=read[0].ref if len(read) == 1 else None,
        )
        for name in missing
    ]


# --------------------------------------------------------------------------- "the source says something else"


_CLAUSE_BREAK_RE = re.compile(r";|\s[-–—]\s|:\s")
_MIN_CLAUSE_WORDS = 3


def figure_clause(claim_text: str, figure: Figure) -> str:
    """The part of the claim a figure belongs to: between the semicolons (or dashes, colons) around it, so that
    in "Camp Ashraf lies 69 km north of Baghdad; the raid killed 34" each figure is looked up with its own words.
    The whole claim when that part is too short to stand alone."""
    start = 0
    end = len(claim_text)
    for match in _CLAUSE_BREAK_RE.finditer(claim_text):
        if match.end() <= figure.start:
            start = match.end()
        elif match.start() >= figure.end:
            end = match.start()
            break
    clause = claim_text[start:end]
    return clause if len(content_stems(clause)) >= _MIN_CLAUSE_WORDS else claim_text


@dataclass(frozen=True)
class _Differs:
    figure: Figure
    counterpart: Figure
    source: _ReadSource
    passage: RankedPassage  # the passage about the claim's subject that gives the other figure


def _says_otherwise(
    figure: Figure, claim_text: str, match: FigureMatch, read: Sequence[_ReadSource]
) -> _Differs | None:
    """The figure the claim's best passage gives instead of the claim's, when it gives one of the same kind for
    the same thing and no read source holds the claim's own figure near the claim's subject."""
    if is_weak(figure):
        return None  # only positive evidence counts for a small or common figure, never a contradiction
    if match.status in ("found", "near") and (match.in_passage or match.near_terms > 0):
        return None
    if match.status == "compatible" and match.in_passage:
        return None
    clause = figure_clause(claim_text, figure)
    for source in read:
        subject = source.subject_passage(clause)
        if subject is None or subject.coverage < SAME_SUBJECT_COVERAGE:
            continue
        # Dates are said with few words of their own ("in 2011, …"): the passage's only date may stand for the
        # claim's.  A count needs words of its own in common ("two applicants" is not "31 applicants down to 3").
        sole = subject.coverage >= SOLE_FIGURE_COVERAGE and figure.kind in DATE_FIGURE_KINDS
        start, end = subject.start, subject.end
        counterpart = find_counterpart(figure, claim_text, source.text, start, end, sole_by_subject=sole)
        if counterpart is not None:
            return _Differs(figure, counterpart, source, subject)
    return None


def _differs_evidence(differs: _Differs) -> Evidence:
    source = differs.source
    counterpart = differs.counterpart
    says = source.text[counterpart.start : counterpart.end]
    best = differs.passage
    return Evidence(
        kind=EvidenceKind.figure,
        detail=f"figure “{differs.figure.text}” is not in the passage of [{source.ref}] closest to the claim "
        f"(sentence {best.first_sentence + 1}), which says “{says}” for the same thing",
        ref=source.ref,
        status=EvidenceStatus.differs,
        excerpt=shorten(best.text),
        url=source.url,
        passage=passage_model(source, best.start, best.end, best),
        claimed=differs.figure.text,
        source_says=says,
    )


def _differs_finding(differs: _Differs, claim: Claim) -> Finding:
    source = differs.source
    counterpart = differs.counterpart
    says = source.text[counterpart.start : counterpart.end]
    best = differs.passage
    context = _shorten(best.text, 160)
    return make_finding(
        "CC504",
        f"the claim says “{differs.figure.text}”; [{source.ref}] says “{says}” in the passage closest to the "
        f"claim (sentence {best.first_sentence + 1}): “{context}”",
        ref=source.ref,
        claim=claim.id,
        line=claim.line,
    )


# --------------------------------------------------------------------------- the check


@dataclass
class _Tally:
    targets: int = 0
    supported: int = 0
    compatible: int = 0
    missing_quotes: list[Quote] = field(default_factory=list)
    missing_figures: list[Figure] = field(default_factory=list)
    differs: list[_Differs] = field(default_factory=list)
    cited: list[FigureAt] = field(default_factory=list)  # what the claim cites, where, for drift


def _check_quotes(quotes: Sequence[Quote], read: Sequence[_ReadSource], tally: _Tally) -> list[Evidence]:
    evidence: list[Evidence] = []
    for quote in quotes:
        quote_match, source = _best_quote_match(quote, read)
        evidence.append(_quote_evidence(quote_match, source, read))
        if quote_match.status != "not-found" and quote_match.start is not None:
            tally.cited.append(FigureAt(source.ref, None, quote, quote_match.start, quote_match.end or 0))
        if quote.short:
            continue
        tally.targets += 1
        if quote_match.status == "not-found":
            tally.missing_quotes.append(quote)
        else:
            tally.supported += 1
    return evidence


def _check_figures(
    claim_text: str, figures: Sequence[Figure], read: Sequence[_ReadSource], tally: _Tally
) -> list[Evidence]:
    evidence: list[Evidence] = []
    terms = key_terms(claim_text) if figures else []
    for figure in figures:
        figure_match, source = _best_figure_match(figure, read, terms)
        weak = is_weak(figure)
        differs = _says_otherwise(figure, claim_text, figure_match, read)
        if differs is not None:
            tally.differs.append(differs)
            tally.targets += 1
            evidence.append(_differs_evidence(differs))
            continue
        supports = _supports(figure_match)
        note = ""
        if figure_match.status in ("found", "near") and not supports:
            note = " (too common to count when found outside the passages that match the claim; shown, not counted)"
        elif weak and figure_match.status in ("not-found", "compatible"):
            note = " (a small or common figure: shown, not counted)"
        evidence.append(_figure_evidence(figure_match, source, read, note))
        if figure_match.status in ("found", "near", "compatible") and figure_match.start is not None:
            tally.cited.append(FigureAt(source.ref, figure, None, figure_match.start, figure_match.end or 0))
        if weak and not supports:
            continue  # only positive evidence counts for a small or common figure
        tally.targets += 1
        if supports:
            tally.supported += 1
        elif figure_match.status == "compatible":
            tally.compatible += 1
        elif figure_match.status == "not-found":
            tally.missing_figures.append(figure)
    return evidence


def _check_by_hand(claim: Claim, read: Sequence[_ReadSource]) -> Finding | None:
    best = max((source.best for source in read if source.best is not None), key=lambda p: p.coverage, default=None)
    if best is not None and best.coverage >= CHECK_BY_HAND_COVERAGE:
        return None
    label = _refs_label([source.ref for source in read])
    if best is None:
        detail = "no passage shares a content word with the claim"
    else:
        where = next(source for source in read if source.best is best)
        detail = (
            f"the closest passage ([{where.ref}], sentence {best.first_sentence + 1}) shares only "
            f"{best.shared_words} of {best.claim_words} content words"
        )
    return make_finding(
        "CC505",
        f"no passage of {label} covers most of the claim's words ({detail}): check by hand",
        ref=read[0].ref if len(read) == 1 else None,
        claim=claim.id,
        line=claim.line,
    )


def _miss_findings(claim: Claim, tally: _Tally, read: Sequence[_ReadSource], refs: Sequence[str]) -> list[Finding]:
    label = _refs_label(sorted((source.ref for source in read), key=refs.index))
    single_ref = read[0].ref if len(read) == 1 else None
    findings = [
        make_finding(
            "CC501",
            f"quote “{_shorten(quote.text)}” does not occur in {label}",
            ref=single_ref,
            claim=claim.id,
            line=claim.line,
        )
        for quote in tally.missing_quotes
    ]
    findings += [
        make_finding(
            "CC502",
            f"figure “{figure.text}” does not occur in {label}",
            ref=single_ref,
            claim=claim.id,
            line=claim.line,
        )
        for figure in tally.missing_figures
    ]
    return findings


def _drift(
    claim: Claim, read: Sequence[_ReadSource], tally: _Tally, references: Mapping[str, Reference]
) -> tuple[list[Evidence], list[Finding]]:
    evidence: list[Evidence] = []
    findings: list[Finding] = []
    for source in read:
        if source.live_text is None:
            continue
        cited = [item for item in tally.cited if item.ref == source.ref]
        best = source.best
        passage = (best.start, best.end) if best is not None and best.coverage >= SAME_SUBJECT_COVERAGE else None
        absent: list[tuple[Figure, str | None]] = [
            (differs.figure, source.text[differs.counterpart.start : differs.counterpart.end])
            for differs in tally.differs
            if differs.source.ref == source.ref
        ]
        absent += [(figure, None) for figure in tally.missing_figures]
        changes = claim_drift(claim.text, cited, source.text, source.live_text, passage, absent)
        for change in changes:
            url = references[source.ref].url or references[source.ref].live.final_url or "the cited URL"
            evidence.append(
                Evidence(
                    kind=EvidenceKind.drift,
                    detail=change.detail,
                    ref=source.ref,
                    status=EvidenceStatus.changed,
                    excerpt=change.live_excerpt,
                    url=source.url,
                    claimed=change.claimed,
                    source_says=change.live_says,
                )
            )
            findings.append(
                make_finding("CC207", f"{url}: {change.detail}", ref=source.ref, claim=claim.id, line=claim.line)
            )
    return evidence, findings


def check_claim(
    claim: Claim,
    references: Mapping[str, Reference],
    sources: Mapping[str, SourceTextLike],
    network_ran: bool,
) -> ClaimCheck:
    """Verdict, evidence and findings for one claim.

    ``sources`` maps reference ids to the text read for them (the capture
    nearest the access date, or the live page when none exists); a reference
    without an entry, or whose ``info.status`` is not ``fetched``, was not read.
    Near matches (small differences) support the claim; the evidence shows the
    source's wording.  CC501/CC502 are raised only when every cited source
    that could hold the quote or figure was read.
    """
    return _check_claim(claim, references, sources, network_ran, {})


def check_claims(
    claims: Sequence[Claim],
    references: Mapping[str, Reference],
    sources: Mapping[str, SourceTextLike],
    network_ran: bool,
) -> list[ClaimCheck]:
    """:func:`check_claim` for each of a document's claims, what depends on a reference alone worked out once."""
    unread: dict[str, Readiness] = {}
    return [_check_claim(claim, references, sources, network_ran, unread) for claim in claims]


def _check_claim(
    claim: Claim,
    references: Mapping[str, Reference],
    sources: Mapping[str, SourceTextLike],
    network_ran: bool,
    unread: dict[str, Readiness],
) -> ClaimCheck:
    """:func:`check_claim`, with ``unread`` remembering each unread reference's readiness across claims."""
    refs = [ref for ref in claim.refs if ref in references]
    if not refs:
        return ClaimCheck(verdict=ClaimVerdict.uncited)  # nothing to read, test or say about a source
    if len(refs) > 1:
        refs = list(dict.fromkeys(refs))
    cited_references = [references[ref] for ref in refs]
    read = _read_sources(claim.text, refs, sources) if sources else []
    read_refs = {source.ref for source in read} if read else _NOTHING_READ
    readiness: dict[str, Readiness] = {}
    for ref in refs:
        if ref in read_refs:
            readiness[ref] = "read"
        else:
            state = unread.get(ref)
            if state is None:
                state = unread[ref] = reference_readiness(references[ref], False, network_ran)
            readiness[ref] = state

    quotes = claim_quotes(claim.text)
    figures = claim_figures(claim.text, quotes, cited_references)
    if not read:
        return _unread_check(quotes, figures, readiness, references, sources, network_ran)
    tally = _Tally()
    evidence: list[Evidence] = []
    findings: list[Finding] = []
    for source in read:
        evidence += _passage_evidence(claim.text, source)
    evidence += _check_quotes(quotes, read, tally)
    evidence += _check_figures(claim.text, figures, read, tally)
    evidence += _name_evidence(claim.text, read)

    basis = VerdictBasis(
        readiness=list(readiness.values()),
        targets=tally.targets,
        supported=tally.supported,
        compatible=tally.compatible,
        complete=all(source.complete for source in read),
    )
    verdict = decide_verdict(basis)
    # Small figures do not decide a verdict, but they are still things an unread source was not compared with.
    testable = len(quotes) + len(figures)
    evidence += _source_evidence(verdict, readiness, references, read, testable, sources, network_ran)

    # A quote or figure absent from the read sources is reported only when no
    # unread source could still hold it: precision over recall.
    conclusive = all(source.complete for source in read) and not any(
        state in ("reachable", "unknown") for state in readiness.values()
    )
    if conclusive:
        findings += _miss_findings(claim, tally, read, refs)
    findings += [_differs_finding(differs, claim) for differs in tally.differs]
    note = _check_by_hand(claim, read)
    if note is not None:
        findings.append(note)
    drift_evidence, drift_findings = _drift(claim, read, tally, references)
    evidence += drift_evidence
    findings += drift_findings
    return ClaimCheck(verdict=verdict, evidence=evidence, findings=findings)


def _unread_check(
    quotes: Sequence[Quote],
    figures: Sequence[Figure],
    readiness: Mapping[str, Readiness],
    references: Mapping[str, Reference],
    sources: Mapping[str, SourceTextLike],
    network_ran: bool,
) -> ClaimCheck:
    """A cited claim none of whose sources was read (every claim offline): the verdict from what the sources
    allow and how many quotes and figures would decide it; no comparisons, so no findings."""
    # Most claims hold neither: no generator made for nothing.
    targets = sum(1 for quote in quotes if not quote.short) if quotes else 0
    targets += sum(1 for figure in figures if not is_weak(figure)) if figures else 0
    verdict = decide_verdict(VerdictBasis(readiness=list(readiness.values()), targets=targets, supported=0))
    # Small figures do not decide a verdict, but they are still things an unread source was not compared with.
    testable = len(quotes) + len(figures)
    evidence = _source_evidence(verdict, readiness, references, (), testable, sources, network_ran)
    return ClaimCheck(verdict=verdict, evidence=evidence)


def claim_verdict(
    claim: Claim,
    references: Mapping[str, Reference],
    network_ran: bool,
    sources: Mapping[str, SourceTextLike] | None = None,
) -> ClaimVerdict:
    """One word for a claim: :func:`check_claim`'s verdict.

    Without ``sources`` no text is compared, so a claim with quotes or
    figures and a reachable source stays ``not-checked``.
    """
    return check_claim(claim, references, sources or {}, network_ran).verdict
