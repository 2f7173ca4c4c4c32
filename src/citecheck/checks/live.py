"""Findings from a reference's live check (CC201–CC206) and from content drift (CC207)."""

from __future__ import annotations

from citecheck.checks.catalogue import make_finding
from citecheck.models import Finding, LiveStatus, Reference, Severity
from citecheck.resolve.live import text_similarity

DRIFT_THRESHOLD = 0.5  # drift at or above this is worth telling the editor about

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
    url = ref.url or live.final_url or "the URL"
    detail = _evidence_summary(live.evidence)
    suffix = f": {detail}" if detail else ""
    if live.status is LiveStatus.dead:
        if live.confirmed:
            message = f"{url} is dead (confirmed by repeated checks){suffix}"
            return [make_finding("CC201", message, ref=ref.id, line=ref.line)]
        message = f"{url} is dead (unconfirmed){suffix}"
        return [make_finding("CC201", message, ref=ref.id, line=ref.line, severity=Severity.warning)]
    if live.status not in _CODES:
        return []
    messages = {
        LiveStatus.soft_404: f"{url} answers, but with an error or missing page",
        LiveStatus.redirected: f"{url} redirects to {live.final_url or 'another page'}, not the cited page",
        LiveStatus.parked: f"the domain of {url} now serves a parking or for-sale page",
        LiveStatus.blocked: f"{url} refused our check (login, paywall or bot wall); not known to be dead",
        LiveStatus.unreachable: f"{url} could not be checked this time (inconclusive; retried on the next run)",
    }
    return [make_finding(_CODES[live.status], messages[live.status] + suffix, ref=ref.id, line=ref.line)]


def content_drift(live_text: str, archived_text: str) -> float:
    """How much the live page's words differ from the archived capture's: 0.0 same, 1.0 nothing shared."""
    return round(1.0 - text_similarity(live_text, archived_text), 4)


def drift_finding(ref: Reference, drift: float, threshold: float = DRIFT_THRESHOLD) -> Finding | None:
    """A CC207 content-drift finding (info) when ``drift`` reaches ``threshold``, else None."""
    if drift < threshold:
        return None
    message = (
        f"the live page at {ref.url or 'the cited URL'} differs from the capture near the access date "
        f"({drift:.0%} of its words changed); the cited content may no longer be there"
    )
    return make_finding("CC207", message, ref=ref.id, line=ref.line)
