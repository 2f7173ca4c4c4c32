"""Stage 4c: what a reader should believe about each source and each claim.

A source is *live*, *archived*, *lost* or *not checked*; a claim's verdict
follows from its sources.  Quote/figure verification (a later stage) will
refine ``verified``/``unsupported``; until a source's text has been compared
the verdict says only what the sources' survival allows.
"""

from __future__ import annotations

from citecheck.models import ArchiveStatus, Claim, LiveStatus, Reference

LIVE_OK = {LiveStatus.alive}
LIVE_GONE = {LiveStatus.dead, LiveStatus.soft_404, LiveStatus.parked, LiveStatus.redirected}


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


def claim_verdict(claim: Claim, references: dict[str, Reference], network_ran: bool) -> str:
    """One word for a claim, from the states of the sources it cites.

    ``uncited``: no source; ``source-lost``: every source is gone with no
    capture; ``unresolvable``: no source has a URL to follow; ``sourced``: at
    least one source can be read (live or archived); ``not-checked``: the
    network stages did not run or were inconclusive.  Offline, nothing but
    ``uncited`` and ``not-checked`` is ever said: a missing URL may still be
    found by discovery.
    """
    states = [source_state(references[ref]) for ref in claim.refs if ref in references]
    if not states:
        return "uncited"
    if not network_ran:
        return "not-checked"
    if any(state in ("live", "archived") for state in states):
        return "sourced"
    if all(state == "lost" for state in states):
        return "source-lost"
    if all(state == "no-url" for state in states):
        return "unresolvable"
    return "not-checked"
