"""Stage 4d: does the cited source say what the claim says? (issue 5 §3–§5, CC501, CC502)

:func:`check_claim` looks for each quote (:mod:`citecheck.claims.quotes`) and
each figure (:mod:`citecheck.claims.figures`) of a claim in the text of every
cited source that was read, records what it found as evidence, raises
CC501/CC502 when the sources that could hold a quote or figure were all read
and none does, and decides the verdict with
:func:`citecheck.checks.provenance.decide_verdict`.  No I/O: source texts
come in as arguments.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from citecheck.checks.catalogue import make_finding
from citecheck.checks.provenance import (
    NOT_CHECKED,
    SOURCE_LOST,
    SOURCED,
    UNRESOLVABLE,
    Readiness,
    VerdictBasis,
    decide_verdict,
    reference_readiness,
    source_state,
)
from citecheck.claims.figures import Figure, FigureMatch, extract_figures, key_terms, match_figure
from citecheck.claims.quotes import Quote, QuoteMatch, find_quotes, match_quote
from citecheck.dates import PartialDate, parse_date
from citecheck.models import Claim, Evidence, Finding, Reference, SourceInfo

# Figures of these kinds that fall within a cited source's own date say when,
# not what: "On 17 December 2013, …" citing a page of that day.
DATE_FIGURE_KINDS = frozenset({"year", "date"})
_MESSAGE_QUOTE_CHARS = 80
_STATUS_RANK = {"found": 2, "near": 1, "not-found": 0}


class SourceTextLike(Protocol):
    """What the claim checks need of a source: what was read (``info``) and its main text."""

    @property
    def info(self) -> SourceInfo: ...

    @property
    def text(self) -> str: ...


@dataclass(frozen=True)
class ClaimCheck:
    """A claim's verdict, the evidence for it, and its CC501/CC502 findings.

    ``evidence`` holds only what the checks add; the claim's own marker and
    attribution evidence stays on the claim.
    """

    verdict: str
    evidence: list[Evidence] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


@dataclass(frozen=True)
class _ReadSource:
    ref: str
    text: str
    url: str | None


def _shorten(text: str, limit: int = _MESSAGE_QUOTE_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _refs_label(refs: Sequence[str]) -> str:
    return ", ".join(f"[{ref}]" for ref in refs)


def _overlaps(first: PartialDate, second: PartialDate) -> bool:
    return not (first.latest() < second.earliest() or second.latest() < first.earliest())


def _figure_date(figure: Figure) -> PartialDate | None:
    if figure.kind == "year" and figure.value.is_integer():
        return PartialDate(year=int(figure.value))
    return parse_date(figure.text)


def restates_source_date(figure: Figure, references: Sequence[Reference]) -> bool:
    """Whether a year/date figure falls within a cited reference's own (or its page's) date."""
    if figure.kind not in DATE_FIGURE_KINDS:
        return False
    stated = _figure_date(figure)
    if stated is None:
        return False
    for reference in references:
        own_dates = [reference.date]
        if reference.source.page_date is not None:
            own_dates.append(reference.source.page_date.date)
        if any(own is not None and _overlaps(stated, own) for own in own_dates):
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
        if not (figure.kind == "ordinal" and figure.text.isalpha())
        and not any(quote.start <= figure.start and figure.end <= quote.end for quote in quotes)
        and not restates_source_date(figure, references)
    ]


def _read_sources(refs: Sequence[str], sources: Mapping[str, SourceTextLike]) -> list[_ReadSource]:
    read: list[_ReadSource] = []
    for ref in refs:
        source = sources.get(ref)
        if source is not None and source.info.status == "fetched" and source.text.strip():
            read.append(_ReadSource(ref=ref, text=source.text, url=source.info.url))
    return read


def _best_quote_match(quote: Quote, read: Sequence[_ReadSource]) -> tuple[QuoteMatch, _ReadSource]:
    matches = [(match_quote(quote, source.text), source) for source in read]
    return max(matches, key=lambda item: (_STATUS_RANK[item[0].status], item[0].score))


def _best_figure_match(
    figure: Figure, read: Sequence[_ReadSource], terms: Sequence[str]
) -> tuple[FigureMatch, _ReadSource]:
    matches = [(match_figure(figure, source.text, terms), source) for source in read]
    return max(matches, key=lambda item: _STATUS_RANK[item[0].status])


def _match_evidence(
    kind: str, written: str, status: str, excerpt: str | None, source: _ReadSource, read: Sequence[_ReadSource]
) -> Evidence:
    """Evidence for one quote or figure: where it was found, or in which read sources it was not."""
    if status == "found":
        detail = f"{kind} {written} found in [{source.ref}]"
    elif status == "near":
        differs = "with small differences" if kind == "quote" else "approximately"
        detail = f"{kind} {written} found {differs} in [{source.ref}]"
    else:
        detail = f"{kind} {written} not found in {_refs_label([item.ref for item in read])}"
    # A miss is pinned to a source only when there was just one to look in.
    pinned = status != "not-found" or len(read) == 1
    return Evidence(
        kind=kind,
        detail=detail,
        ref=source.ref if pinned else None,
        status=status,
        excerpt=excerpt,
        url=source.url if pinned else None,
    )


def _quote_evidence(match: QuoteMatch, source: _ReadSource, read: Sequence[_ReadSource]) -> Evidence:
    short = " (a short quote: shown, not counted)" if match.quote.short else ""
    evidence = _match_evidence("quote", f"“{_shorten(match.quote.text)}”", match.status, match.excerpt, source, read)
    return evidence.model_copy(update={"detail": evidence.detail + short})


def _figure_evidence(match: FigureMatch, source: _ReadSource, read: Sequence[_ReadSource]) -> Evidence:
    return _match_evidence("figure", f"“{match.figure.text}”", match.status, match.excerpt, source, read)


def _where_readable(reference: Reference) -> str | None:
    if reference.source.url:
        return reference.source.url
    if source_state(reference) == "archived":
        return reference.archive.snapshot_url
    return reference.live.final_url or reference.url


def _source_evidence(
    verdict: str,
    readiness: Mapping[str, Readiness],
    references: Mapping[str, Reference],
    read: Sequence[_ReadSource],
    untested: int,
    sources: Mapping[str, SourceTextLike],
    network_ran: bool,
) -> list[Evidence]:
    """Per cited source, what the verdict rests on beyond the quote and figure comparisons."""
    evidence: list[Evidence] = []
    if verdict == SOURCED:
        for ref, state in readiness.items():
            if state in ("read", "reachable"):
                how = "its text was read" if state == "read" else source_state(references[ref])
                evidence.append(
                    Evidence(
                        kind="source",
                        detail=f"source reachable ({how}); the claim has no quote or figure to test, "
                        "so only the source's survival was checked",
                        ref=ref,
                        status=state,
                        url=next((item.url for item in read if item.ref == ref), None)
                        or _where_readable(references[ref]),
                    )
                )
    elif verdict in (SOURCE_LOST, UNRESOLVABLE):
        for ref, state in readiness.items():
            detail = {
                "lost": "dead, with no usable archive capture",
                "unresolvable": "no URL, and discovery proposed no candidate",
            }.get(state, "not checked")
            evidence.append(Evidence(kind="source", detail=detail, ref=ref, status=state))
    elif verdict == NOT_CHECKED and untested:
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
                Evidence(
                    kind="source",
                    detail=f"not compared with the claim's quotes/figures: {reason}",
                    ref=ref,
                    status="not-read",
                )
            )
    return evidence


def check_claim(
    claim: Claim,
    references: Mapping[str, Reference],
    sources: Mapping[str, SourceTextLike],
    network_ran: bool,
) -> ClaimCheck:
    """Verdict, evidence and CC501/CC502 findings for one claim.

    ``sources`` maps reference ids to the text read for them (the capture
    nearest the access date, or the live page when none exists); a reference
    without an entry, or whose ``info.status`` is not ``fetched``, was not read.
    Near matches (small differences) support the claim; the evidence shows the
    source's wording.  CC501/CC502 are raised only when every cited source
    that could hold the quote or figure was read.
    """
    refs = list(dict.fromkeys(ref for ref in claim.refs if ref in references))
    cited = [references[ref] for ref in refs]
    read = _read_sources(refs, sources)
    read_refs = {source.ref for source in read}
    readiness: dict[str, Readiness] = {
        ref: reference_readiness(references[ref], ref in read_refs, network_ran) for ref in refs
    }

    quotes = claim_quotes(claim.text) if refs else []
    figures = claim_figures(claim.text, quotes, cited) if refs else []
    decisive_quotes = [quote for quote in quotes if not quote.short]
    targets = len(decisive_quotes) + len(figures)

    evidence: list[Evidence] = []
    missing_quotes: list[Quote] = []
    missing_figures: list[Figure] = []
    supported = 0
    if read:
        for quote in quotes:
            quote_match, source = _best_quote_match(quote, read)
            evidence.append(_quote_evidence(quote_match, source, read))
            if not quote.short:
                if quote_match.status == "not-found":
                    missing_quotes.append(quote)
                else:
                    supported += 1
        terms = key_terms(claim.text) if figures else []
        for figure in figures:
            figure_match, source = _best_figure_match(figure, read, terms)
            evidence.append(_figure_evidence(figure_match, source, read))
            if figure_match.status == "not-found":
                missing_figures.append(figure)
            else:
                supported += 1

    verdict = decide_verdict(VerdictBasis(readiness=list(readiness.values()), targets=targets, supported=supported))
    evidence += _source_evidence(verdict, readiness, references, read, targets, sources, network_ran)

    findings: list[Finding] = []
    # A quote or figure absent from the read sources is reported only when no
    # unread source could still hold it: precision over recall.
    conclusive = read and not any(state in ("reachable", "unknown") for state in readiness.values())
    if conclusive:
        label = _refs_label(sorted(read_refs, key=refs.index))
        single_ref = read[0].ref if len(read) == 1 else None
        for quote in missing_quotes:
            findings.append(
                make_finding(
                    "CC501",
                    f"quote “{_shorten(quote.text)}” does not occur in {label}",
                    ref=single_ref,
                    claim=claim.id,
                    line=claim.line,
                )
            )
        for figure in missing_figures:
            findings.append(
                make_finding(
                    "CC502",
                    f"figure “{figure.text}” does not occur in {label}",
                    ref=single_ref,
                    claim=claim.id,
                    line=claim.line,
                )
            )
    return ClaimCheck(verdict=verdict, evidence=evidence, findings=findings)
