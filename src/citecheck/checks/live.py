"""Findings from a reference's live check (CC201–CC206), and drift that matters (CC207).

CC207 is raised per claim, not per page: what the claim cites from a source
read from a capture near the access date — its quotes, its figures, or, for a
claim with neither, its closest passage — is looked for on the live page
today, and a change is reported with both values ("the capture says 96 km,
the live page now says 69 km").  Pages that changed elsewhere raise nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from citecheck.checks.catalogue import make_finding
from citecheck.claims.figures import Figure, find_counterpart, key_terms, match_figure, source_figures
from citecheck.claims.passages import SourceIndex, index_source, rank_passages, sentence_at
from citecheck.claims.quotes import Quote, match_quote
from citecheck.models import Finding, LiveStatus, Reference, Severity

# Names and severities come from the catalogue.
_CODES: dict[LiveStatus, str] = {
    LiveStatus.soft_404: "CC202",
    LiveStatus.redirected: "CC203",
    LiveStatus.parked: "CC204",
    LiveStatus.blocked: "CC205",
    LiveStatus.unreachable: "CC206",
}


def _evidence_summary(evidence: list[str]) -> str:
    shown = [item for item in evidence if not item.startswith("rule: ")][:2]
    return "; ".join(shown)


def findings_for_live(ref: Reference) -> list[Finding]:
    """The finding a reference's live status calls for (none for alive or not checked).

    A dead link is an error only once confirmed over repeated checks; a
    first failure is a warning saying "dead (unconfirmed)".
    """
    live = ref.live
    if live.status is not LiveStatus.dead and live.status not in _CODES:
        return []  # alive or not checked, as most are
    url = ref.url or live.final_url or "the URL"
    detail = _evidence_summary(live.evidence)
    suffix = f": {detail}" if detail else ""
    if live.status is LiveStatus.dead:
        if live.confirmed:
            message = f"{url} is dead (confirmed by repeated checks){suffix}"
            return [make_finding("CC201", message, ref=ref.id, line=ref.line)]
        message = f"{url} is dead (unconfirmed){suffix}"
        return [make_finding("CC201", message, ref=ref.id, line=ref.line, severity=Severity.warning)]
    messages = {
        LiveStatus.soft_404: f"{url} answers, but with an error or missing page",
        LiveStatus.redirected: f"{url} redirects to {live.final_url or 'another page'}, not the cited page",
        LiveStatus.parked: f"the domain of {url} now serves a parking or for-sale page",
        LiveStatus.blocked: f"{url} refused our check (login, paywall or bot wall); not known to be dead",
        LiveStatus.unreachable: f"{url} could not be checked this time (inconclusive; retried on the next run)",
    }
    return [make_finding(_CODES[live.status], messages[live.status] + suffix, ref=ref.id, line=ref.line)]


# --------------------------------------------------------------------------- drift that matters (CC207)

# The live passage standing where the capture's passage stood must share this much of its words.
SAME_PASSAGE_COVERAGE = 0.6
# A claim with no quote or figure: its closest passage is gone when no live passage shares half its words.
PASSAGE_GONE_COVERAGE = 0.5
_QUOTE_CHARS = 80


@dataclass(frozen=True)
class FigureAt:
    """Something a claim cites from a source (a figure or a quote) and where the capture holds it."""

    ref: str
    figure: Figure | None
    quote: Quote | None
    start: int
    end: int


@dataclass(frozen=True)
class DriftChange:
    """What the claim cites, as the capture near the access date has it and as the live page has it today."""

    detail: str
    claimed: str
    live_says: str | None = None
    live_excerpt: str | None = None


def _short(text: str, limit: int = _QUOTE_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _capture_sentence(capture: SourceIndex, start: int, end: int) -> tuple[int, int]:
    first = sentence_at(capture, start)
    last = sentence_at(capture, max(start, end - 1))
    begin = capture.sentences[first][0] if first is not None else start
    finish = capture.sentences[last][1] if last is not None else end
    return begin, finish


def _live_counterpart_passage(capture_passage: str, live: SourceIndex) -> tuple[int, int, str] | None:
    """The live passage standing where the capture's passage stood, when one shares most of its words."""
    ranked = rank_passages(capture_passage, live, top=1)
    if not ranked or ranked[0].coverage < SAME_PASSAGE_COVERAGE:
        return None
    return ranked[0].start, ranked[0].end, ranked[0].text


def _figure_drift(item: FigureAt, claim_text: str, capture_text: str, live_text: str) -> DriftChange | None:
    figure = item.figure
    assert figure is not None
    live_match = match_figure(figure, live_text, key_terms(claim_text))
    if live_match.status in ("found", "near"):
        return None
    capture = index_source(capture_text)
    begin, finish = _capture_sentence(capture, item.start, item.end)
    capture_says = capture_text[item.start : item.end]
    counterpart_passage = _live_counterpart_passage(capture_text[begin:finish], index_source(live_text))
    if counterpart_passage is None:
        return DriftChange(
            detail=f"the passage that gives “{capture_says}” in the capture near the access date is no longer "
            f"on the live page (the claim says “{figure.text}”)",
            claimed=figure.text,
        )
    start, end, live_passage = counterpart_passage
    capture_figure = next(
        (candidate for candidate in source_figures(capture_text) if candidate.start == item.start), figure
    )
    changed = find_counterpart(capture_figure, capture_text, live_text, start, end)
    if changed is None:
        if live_match.status == "compatible":
            return None
        return DriftChange(
            detail=f"the live page no longer gives “{capture_says}” where the capture near the access date did "
            f"(the claim says “{figure.text}”)",
            claimed=figure.text,
            live_excerpt=_short(live_passage, 300),
        )
    live_says = live_text[changed.start : changed.end]
    return DriftChange(
        detail=f"the figure you cite changed since you accessed it: the capture near the access date says "
        f"“{capture_says}”, the live page now says “{live_says}” (the claim says “{figure.text}”)",
        claimed=figure.text,
        live_says=live_says,
        live_excerpt=_short(live_passage, 300),
    )


def _quote_drift(item: FigureAt, live_text: str) -> DriftChange | None:
    quote = item.quote
    assert quote is not None
    if quote.short or match_quote(quote, live_text).status != "not-found":
        return None
    return DriftChange(
        detail=f"the quoted words “{_short(quote.text)}” are in the capture near the access date but no longer "
        "on the live page",
        claimed=quote.text,
    )


def _appeared(figure: Figure, capture_says: str | None, claim_text: str, live_text: str) -> DriftChange | None:
    """A claim's figure the capture lacks but the live page holds near the claim's words: the page changed to
    (or back to) what the claim says since the access date."""
    match = match_figure(figure, live_text, key_terms(claim_text))
    if match.status not in ("found", "near") or match.near_terms == 0 or match.start is None:
        return None
    live_says = live_text[match.start : match.end or match.start]
    then = f"says “{capture_says}”" if capture_says else "does not give it"
    return DriftChange(
        detail=f"the live page now gives the claim's “{figure.text}” (“{live_says}”), but the capture near the "
        f"access date {then}: the page changed since it was cited",
        claimed=figure.text,
        live_says=live_says,
        live_excerpt=match.excerpt,
    )


def claim_drift(
    claim_text: str,
    cited: Sequence[FigureAt],
    capture_text: str,
    live_text: str,
    passage: tuple[int, int] | None,
    absent: Sequence[tuple[Figure, str | None]] = (),
) -> list[DriftChange]:
    """What a claim cites from a capture that the live page no longer says: its quotes and figures, each looked
    up on the live page (a figure that moved elsewhere on the page has not changed); for a claim with neither,
    its closest capture ``passage`` (when it has one), looked for among the live page's passages.  ``absent`` are
    the claim's figures the capture lacks (with what the capture says instead, when known): one the live page
    holds is a change too."""
    changes: list[DriftChange] = []
    for figure, capture_says in absent:
        appeared = _appeared(figure, capture_says, claim_text, live_text)
        if appeared is not None:
            changes.append(appeared)
    for item in cited:
        change = (
            _quote_drift(item, live_text)
            if item.quote is not None
            else (_figure_drift(item, claim_text, capture_text, live_text) if item.figure is not None else None)
        )
        if change is not None:
            changes.append(change)
    if not cited and not absent and passage is not None:
        start, end = passage
        capture = index_source(capture_text)
        number = (sentence_at(capture, start) or 0) + 1
        if _live_counterpart_passage_loose(capture_text[start:end], index_source(live_text)) is None:
            changes.append(
                DriftChange(
                    detail=f"the passage closest to the claim in the capture near the access date (sentence "
                    f"{number}: “{_short(capture_text[start:end])}”) is no longer on the live page",
                    claimed=_short(claim_text),
                )
            )
    return changes


def _live_counterpart_passage_loose(capture_passage: str, live: SourceIndex) -> tuple[int, int] | None:
    ranked = rank_passages(capture_passage, live, top=1)
    if not ranked or ranked[0].coverage < PASSAGE_GONE_COVERAGE:
        return None
    return ranked[0].start, ranked[0].end
