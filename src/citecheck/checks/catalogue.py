"""The finding catalogue: stable codes, like a linter's rules (CONTRACT.md)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from citecheck.models import Finding, Severity
from citecheck.references.construct import builder


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    meaning: str  # one line (SARIF's short description)
    # For the README's finding table, generated from here: the full explanation, and the severity where it varies.
    detail: str = ""
    severity_note: str = ""

    @property
    def readme_meaning(self) -> str:
        return self.detail or self.meaning

    @property
    def readme_severity(self) -> str:
        return self.severity_note or self.severity.value


RULES: dict[str, Rule] = {
    rule.code: rule
    for rule in [
        Rule("CC101", "empty-reference", Severity.warning, "a reference entry with no usable content"),
        Rule("CC102", "no-url", Severity.info, "a reference without a URL (resolution needs discovery)"),
        Rule(
            "CC103",
            "marked-dead-in-source",
            Severity.warning,
            "the document itself marks the link dead",
            detail="the document itself marks the link dead (`[dead link]`, `url-status=dead`)",
        ),
        Rule("CC104", "dangling-marker", Severity.error, "an in-text marker points to no reference"),
        Rule("CC105", "unused-reference", Severity.warning, "a reference no marker points to"),
        Rule("CC106", "uses-mismatch", Severity.warning, "backlink count in the list ≠ markers in the text"),
        Rule(
            "CC201",
            "dead-link",
            Severity.error,
            "the URL is gone (404/410, domain gone), confirmed",
            detail=(
                "404/410/gone domain; confirmed after 3 failed checks spanning ≥ 3 days, never from our own network "
                "failing"
            ),
            severity_note="warning, error once confirmed",
        ),
        Rule(
            "CC202",
            "soft-404",
            Severity.warning,
            "answers 200 but is an error or missing page",
            detail="answers 200 but is an error page, or the host answers the same for a random path",
        ),
        Rule(
            "CC203",
            "redirect-to-unrelated",
            Severity.warning,
            "redirects to a home page or unrelated page",
            detail="redirects to the home page or a much shorter section path",
        ),
        Rule("CC204", "parked-domain", Severity.warning, "the domain now serves a parking/for-sale page"),
        Rule(
            "CC205",
            "blocked",
            Severity.info,
            "401/403/bot wall: cannot tell, not dead",
            detail="401/402/403, bot walls, challenge pages: cannot tell, not dead",
        ),
        Rule(
            "CC206",
            "unreachable",
            Severity.info,
            "timeouts, resets, 5xx: inconclusive, retried later",
            detail="timeouts, resets, 5xx, exhausted 429s: inconclusive",
        ),
        Rule(
            "CC207",
            "content-drift",
            Severity.info,
            "a quote, figure or passage the claim cites from the capture near the access date changed on the live page",
        ),
        Rule(
            "CC301", "no-snapshot", Severity.warning, "no archive snapshot exists", detail="no archive capture exists"
        ),
        Rule(
            "CC302",
            "snapshot-far-from-access",
            Severity.info,
            "nearest good snapshot is far from the access date",
            detail="the nearest good capture is more than 30 days (configurable) from the access date",
        ),
        Rule(
            "CC303",
            "archive-date-mismatch",
            Severity.warning,
            "stated archive date ≠ the snapshot's real time",
            detail="a cited archive URL's timestamp or stated archive date ≠ the capture's real time",
        ),
        Rule(
            "CC304",
            "error-snapshot",
            Severity.warning,
            "the archived capture is itself an error/redirect",
            detail="the archived capture is itself an error or a redirect",
        ),
        Rule(
            "CC305",
            "archive-refused",
            Severity.info,
            "the archive refuses to show or search this URL: not 'no snapshot'",
            detail="the archive refuses to show or search this URL (excluded by the site owner, a blocked site, "
            'robots.txt), with the archive\'s reason — not "no snapshot"',
        ),
        Rule("CC401", "accessed-before-published", Severity.error, "access date earlier than publication date"),
        Rule(
            "CC402",
            "archived-before-published",
            Severity.error,
            "archive date earlier than publication date",
            detail="archive date (stated, or in the archive URL) earlier than publication date",
        ),
        Rule(
            "CC403",
            "publication-date-mismatch",
            Severity.warning,
            "cited date ≠ the page's own publication date",
            detail=(
                "the cited date ≠ the page's own date (meta tags, JSON-LD, `<time>`, URL path, htmldate), ±1 day for "
                "time zones; both dates and where the page's came from are reported"
            ),
            severity_note="warning (info when only htmldate found the page's date)",
        ),
        Rule(
            "CC404",
            "claim-after-source",
            Severity.warning,
            "the claim reports events dated after its source",
            detail="the claim states a date after its cited source was published",
        ),
        Rule("CC405", "date-in-future", Severity.error, "a date after the document's own date or today"),
        Rule(
            "CC501",
            "quote-not-found",
            Severity.warning,
            "a quoted passage does not occur in the source",
            detail=(
                "a quoted passage is not in the source text (after normalising quotes, case, whitespace; elisions "
                "and bracketed insertions allowed); near matches show the source's wording"
            ),
        ),
        Rule(
            "CC502",
            "figure-not-found",
            Severity.warning,
            "a number in the claim does not occur in the source",
            detail="a number in the claim (digits, number words, units converted, percentages) is not in the source",
        ),
        Rule(
            "CC503",
            "conflicting-figures",
            Severity.info,
            "documents in one audit give different figures",
            detail=(
                "documents (or posts) in one audit give incompatible figures for the same thing — who says what, and "
                "on which sources"
            ),
        ),
        Rule(
            "CC504",
            "source-says-otherwise",
            Severity.warning,
            "the claim's figure or date is not in its closest passage, which gives another one for the same thing",
        ),
        Rule(
            "CC505",
            "check-by-hand",
            Severity.info,
            "no passage of the sources read shares most of the claim's content words: check by hand",
        ),
        Rule("CC601", "uncited-claim", Severity.info, "a claim with no citation"),
        Rule(
            "CC701",
            "retracted-source",
            Severity.error,
            "the cited work is retracted or withdrawn (the notice named)",
            detail=(
                "Crossref lists a retraction, withdrawal or removal notice for the cited DOI (`updated-by`, from the "
                "publisher or Retraction Watch; the notice is named), or the registered title is marked RETRACTED"
            ),
            severity_note="error (warning when a reinstatement notice follows)",
        ),
        Rule(
            "CC702",
            "corrected-source",
            Severity.warning,
            "a correction or expression of concern updates the work",
            detail="a correction, erratum, addendum or expression of concern updates the cited work (the notice named)",
        ),
        Rule(
            "CC703",
            "doi-not-found",
            Severity.warning,
            "the DOI system has no such DOI",
            detail="the DOI handle API has no such DOI (a typo, or never registered)",
        ),
        Rule(
            "CC704",
            "title-mismatch",
            Severity.warning,
            "the cited title ≠ the title registered for the DOI",
            detail="the cited title is not the one registered at Crossref for the DOI (markup, case, subtitles aside)",
        ),
        Rule(
            "CC705",
            "year-mismatch",
            Severity.warning,
            "the cited year ≠ the year registered for the DOI",
            detail="the cited year is none of the issued, print and online years registered for the DOI",
        ),
        Rule(
            "CC706",
            "invalid-isbn",
            Severity.warning,
            "an ISBN whose check digit is wrong",
            detail="an ISBN whose check digit is wrong (checked offline)",
        ),
    ]
}


# Built, not validated: see make_finding.
_finding = builder(Finding, "code", "name", "severity", "ref", "claim", "message", "line")


def make_finding(
    code: str,
    message: str,
    *,
    ref: str | None = None,
    claim: str | None = None,
    line: int | None = None,
    severity: Severity | None = None,
) -> Finding:
    """Build a finding for a catalogued code (severity defaults to the rule's).

    Built, not validated: the arguments are typed (mypy holds the callers to it), and an audit makes a
    finding for most references and claims of a document.
    """
    rule = RULES[code]
    return _finding(code, rule.name, severity or rule.severity, ref, claim, message, line)


class SelectionError(ValueError):
    """A ``--select``/``--ignore`` entry that names no finding; the message suggests the nearest one."""


def rule_by_name(name: str) -> Rule | None:
    """The rule a finding name (``dead-link``) stands for, case-insensitively."""
    wanted = name.strip().lower()
    return next((rule for rule in RULES.values() if rule.name == wanted), None)


def _suggestion(token: str) -> str:
    """`` (did you mean CC201 (dead-link)?)`` for the closest code or name, or an empty string."""
    import difflib  # only for a mistyped selector

    upper, lower = token.upper(), token.lower()
    by_code = difflib.get_close_matches(upper, list(RULES), n=1, cutoff=0.6)
    by_name = difflib.get_close_matches(lower, [rule.name for rule in RULES.values()], n=1, cutoff=0.6)
    rule = RULES[by_code[0]] if by_code else rule_by_name(by_name[0]) if by_name else None
    if rule is None:
        return ""
    return f"; did you mean {rule.code} ({rule.name})?"


def resolve_selector(token: str) -> str:
    """A ``--select``/``--ignore`` entry as a code prefix: a code, a prefix of codes (``CC2``) or a finding name.

    Raises :class:`SelectionError` when the entry matches no catalogued
    finding, so a typo cannot quietly turn every check off.
    """
    stripped = token.strip()
    upper = stripped.upper()
    if upper == "ALL":
        return "CC"
    if len(upper) >= 2 and any(code.startswith(upper) for code in RULES):
        return upper
    rule = rule_by_name(stripped)
    if rule is not None:
        return rule.code
    raise SelectionError(f"{stripped!r} is not a finding code, code prefix or finding name{_suggestion(stripped)}")


def resolve_selectors(tokens: Iterable[str]) -> list[str]:
    """Every entry through :func:`resolve_selector`, blanks dropped, order kept."""
    return [resolve_selector(token) for token in tokens if token.strip()]


def code_selected(code: str, select: list[str] | None, ignore: list[str] | None) -> bool:
    """``--select``/``--ignore`` take codes or prefixes (``CC2``); ignore wins."""
    if ignore and any(code.startswith(prefix) for prefix in ignore):
        return False
    return not select or any(code.startswith(prefix) for prefix in select)
