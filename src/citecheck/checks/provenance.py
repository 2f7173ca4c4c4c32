"""Stage 4c: what a reader should believe about each source and each claim.

A source is *live*, *archived*, *lost*, *no-url* or *not checked*
(:func:`source_state`).  A claim's verdict (:func:`decide_verdict`) follows
from what its cited sources allow and, where a source's text was read, from
whether that text contains the claim's quotes and figures
(:mod:`citecheck.checks.integrity` does the reading).

Claim verdicts, first matching row wins (Markdown, as in the README):

| verdict | when |
| --- | --- |
| `uncited` | the claim cites no known reference |
| `verified` | the claim has quotes/figures and the source text read holds them all (verbatim or nearly) |
| `partially-verified` | some quotes/figures are in a source text read, others in none; or a source is only compatible |
| `not-checked` | the texts read lack every quote/figure, but an unread cited source could hold them |
| `unsupported` | every cited source that could hold the quotes/figures was read; none holds any |
| `sourced` | a source is reachable (read, live or archived); the claim has no quote or figure to test |
| `not-checked` | no source text read: `--offline` with an empty cache, text unavailable, checks inconclusive |
| `source-lost` | every cited source is dead with no usable capture or has no URL; at least one is dead |
| `unresolvable` | no cited source has a URL, and discovery proposed no candidate |
| `not-checked` | anything less conclusive |

For `sourced`, only the source's survival was checked; the evidence says so.
A *compatible* source is less precise than the claim ("June 2010" for its "14
June 2010", "at least 30" for its 36): it neither confirms nor contradicts.

Offline, a reference is judged by the live and archive answers the store
remembers from earlier runs (a page remembered dead with no capture is still
lost); one the store knows nothing about is ``not-checked``, and so is one
without a URL, since discovery may still find it.  No claim is ever called
``unsupported`` on text that was never read, and no claim is ever
``verified`` from passage similarity.  Short quotes (a single scare-quoted
word such as “terrorist”), dates that merely restate the source's own date,
and small or common figures ("two", "0", "9th") not found in a passage that
matches the claim are shown as evidence but do not decide the verdict.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from citecheck.models import ArchiveStatus, ClaimVerdict, LiveStatus, Reference

LIVE_OK = {LiveStatus.alive}
LIVE_GONE = {LiveStatus.dead, LiveStatus.soft_404, LiveStatus.parked, LiveStatus.redirected}

VERDICTS = tuple(ClaimVerdict)

# What one cited reference allows the claim checks to do.
Readiness = Literal["read", "reachable", "lost", "unresolvable", "unknown"]


def source_state(reference: Reference) -> str:
    """``live`` | ``archived`` | ``lost`` | ``no-url`` | ``not-checked`` for one reference."""
    live = reference.live.status
    archived = reference.archive.status == ArchiveStatus.found
    if live in LIVE_OK:
        return "live"
    if archived:
        return "archived"
    if live in LIVE_GONE and reference.archive.status in (ArchiveStatus.none, ArchiveStatus.error_snapshot):
        return "lost"
    if not reference.url and not reference.archive_url:
        return "no-url"
    return "not-checked"


def has_remembered_answers(reference: Reference) -> bool:
    """Whether a live check or an archive lookup answered for this reference, in this run or (offline) an earlier
    one the store remembers."""
    return (
        reference.live.status is not LiveStatus.not_checked or reference.archive.status is not ArchiveStatus.not_checked
    )


def reference_readiness(reference: Reference, text_read: bool, network_ran: bool) -> Readiness:
    """How far a cited reference can take the claim checks.

    ``read``: its text is available; ``reachable``: live or archived, text not
    read; ``lost``: dead with no usable capture; ``unresolvable``: no URL and
    no discovered candidate; ``unknown``: anything inconclusive.  When the
    network stages did not run, a reference is judged by the live and archive
    answers the store remembers; one without any stays ``unknown``, and so
    does a reference without a URL, because discovery did not run either.
    """
    if text_read:
        return "read"
    if not network_ran and not has_remembered_answers(reference):
        return "unknown"
    state = source_state(reference)
    if state in ("live", "archived"):
        return "reachable"
    if state == "lost":
        return "lost"
    if state == "no-url" and not reference.candidates and network_ran:
        return "unresolvable"
    return "unknown"


@dataclass(frozen=True)
class VerdictBasis:
    """What a verdict is decided from: each cited reference's readiness and the claim's testable items."""

    readiness: Sequence[Readiness]
    targets: int  # quotes and figures that decide the verdict
    supported: int  # of those, how many a read source contains (found or near)
    compatible: int = 0  # of those, how many a read source neither confirms nor contradicts (it is less precise)
    complete: bool = True  # every read text was searched whole (a huge one is searched up to a cap)


def decide_verdict(basis: VerdictBasis) -> ClaimVerdict:
    """The claim verdict for ``basis`` (see the module's table).

    Whether the network ran is already in ``basis.readiness``
    (:func:`reference_readiness`), so online and offline runs share one table.
    """
    readiness = basis.readiness
    if not readiness:
        return ClaimVerdict.uncited
    if "read" in readiness:
        if basis.targets == 0:
            return ClaimVerdict.sourced
        if basis.supported >= basis.targets:
            return ClaimVerdict.verified
        if basis.supported > 0 or basis.compatible > 0:
            return ClaimVerdict.partially_verified
        if not basis.complete or any(state in ("reachable", "unknown") for state in readiness):
            return ClaimVerdict.not_checked  # an unread source (or unread part) may still hold what was not found
        return ClaimVerdict.unsupported
    if "reachable" in readiness:
        return ClaimVerdict.sourced if basis.targets == 0 else ClaimVerdict.not_checked
    if all(state in ("lost", "unresolvable") for state in readiness):
        return ClaimVerdict.source_lost if "lost" in readiness else ClaimVerdict.unresolvable
    return ClaimVerdict.not_checked
