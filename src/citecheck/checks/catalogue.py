"""The finding catalogue: stable codes, like a linter's rules (CONTRACT.md)."""

from __future__ import annotations

from dataclasses import dataclass

from citecheck.models import Finding, Severity


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    meaning: str


RULES: dict[str, Rule] = {
    rule.code: rule
    for rule in [
        Rule("CC101", "empty-reference", Severity.warning, "a reference entry with no usable content"),
        Rule("CC102", "no-url", Severity.info, "a reference without a URL (resolution needs discovery)"),
        Rule("CC103", "marked-dead-in-source", Severity.warning, "the document itself marks the link dead"),
        Rule("CC104", "dangling-marker", Severity.error, "an in-text marker points to no reference"),
        Rule("CC105", "unused-reference", Severity.warning, "a reference no marker points to"),
        Rule("CC106", "uses-mismatch", Severity.warning, "backlink count in the list ≠ markers in the text"),
        Rule("CC201", "dead-link", Severity.error, "the URL is gone (404/410, domain gone), confirmed"),
        Rule("CC202", "soft-404", Severity.warning, "answers 200 but is an error or missing page"),
        Rule("CC203", "redirect-to-unrelated", Severity.warning, "redirects to a home page or unrelated page"),
        Rule("CC204", "parked-domain", Severity.warning, "the domain now serves a parking/for-sale page"),
        Rule("CC205", "blocked", Severity.info, "401/403/bot wall: cannot tell, not dead"),
        Rule("CC206", "unreachable", Severity.info, "timeouts, resets, 5xx: inconclusive, retried later"),
        Rule(
            "CC207", "content-drift", Severity.info, "the live page differs much from the capture near the access date"
        ),
        Rule("CC301", "no-snapshot", Severity.warning, "no archive snapshot exists"),
        Rule("CC302", "snapshot-far-from-access", Severity.info, "nearest good snapshot is far from the access date"),
        Rule("CC303", "archive-date-mismatch", Severity.warning, "stated archive date ≠ the snapshot's real time"),
        Rule("CC304", "error-snapshot", Severity.warning, "the archived capture is itself an error/redirect"),
        Rule(
            "CC305",
            "archive-refused",
            Severity.info,
            "the archive refuses to show or search this URL (excluded, blocked site, robots.txt): not 'no snapshot'",
        ),
        Rule("CC401", "accessed-before-published", Severity.error, "access date earlier than publication date"),
        Rule("CC402", "archived-before-published", Severity.error, "archive date earlier than publication date"),
        Rule("CC403", "publication-date-mismatch", Severity.warning, "cited date ≠ the page's own publication date"),
        Rule("CC404", "claim-after-source", Severity.warning, "the claim reports events dated after its source"),
        Rule("CC405", "date-in-future", Severity.error, "a date after the document's own date or today"),
        Rule("CC501", "quote-not-found", Severity.warning, "a quoted passage does not occur in the source"),
        Rule("CC502", "figure-not-found", Severity.warning, "a number in the claim does not occur in the source"),
        Rule("CC503", "conflicting-figures", Severity.info, "documents in one audit give different figures"),
        Rule("CC601", "uncited-claim", Severity.info, "a claim with no citation"),
    ]
}


def make_finding(
    code: str,
    message: str,
    *,
    ref: str | None = None,
    claim: str | None = None,
    line: int | None = None,
    severity: Severity | None = None,
) -> Finding:
    """Build a finding for a catalogued code (severity defaults to the rule's)."""
    rule = RULES[code]
    return Finding(
        code=code,
        name=rule.name,
        severity=severity or rule.severity,
        ref=ref,
        claim=claim,
        message=message,
        line=line,
    )


def code_selected(code: str, select: list[str] | None, ignore: list[str] | None) -> bool:
    """``--select``/``--ignore`` take codes or prefixes (``CC2``); ignore wins."""
    if ignore and any(code.startswith(prefix) for prefix in ignore):
        return False
    return not select or any(code.startswith(prefix) for prefix in select)
