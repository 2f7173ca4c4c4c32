"""Stage 4a: checks that need no network — structure and dates of the document itself.

Each check is a small function over models returning findings; the order
of :data:`OFFLINE_CHECKS` is the order findings appear in reports.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from citecheck.checks.catalogue import make_finding
from citecheck.claims.build import ClaimSet
from citecheck.dates import PartialDate, find_dates, parse_date
from citecheck.models import Finding, ParsedDocument, Reference, SourceFlag

DEAD_FLAGS = {
    SourceFlag.dead_link: "[dead link]",
    SourceFlag.permanent_dead_link: "[permanent dead link]",
    SourceFlag.url_status_dead: "url-status=dead",
}

# Identifiers with a resolver of their own (doi.org, PubMed Central, PubMed, arXiv, hdl.handle.net).
_RESOLVABLE_IDENTIFIERS = frozenset({"doi", "pmc", "pmid", "arxiv", "hdl"})

# Time zones and publication lag: a page dated the 14th may be read on the
# 13th somewhere else in the world.
DATE_SLACK_DAYS = 1

# "As of 2025", "In 2014, …", "by 2030": a bare year is a claim's date only
# after words that make it one (in prose a four-digit number is often a count).
_YEAR_PHRASE_RE = re.compile(
    r"\b(?:as of|in|by|since|until|till|during|throughout|after|from|early|late|mid-?)"
    r"\s+(?P<year>(?:19|20)\d\d)\b(?!s)",
    re.I,
)


@dataclass(frozen=True)
class CheckContext:
    document: ParsedDocument
    claims: ClaimSet
    today: date


def _references(context: CheckContext) -> Iterable[Reference]:
    return context.document.references


def _uses(context: CheckContext, reference: Reference) -> int:
    """Markers in the body, or the reader's own count when it saw uses outside the body (infoboxes, captions)."""
    return max(reference.uses, context.claims.uses[reference.id])


def check_empty_references(context: CheckContext) -> list[Finding]:
    findings = []
    for reference in _references(context):
        if SourceFlag.unread_template in reference.source_flags:
            continue  # a template we cannot expand is not an empty reference
        if reference.full_citation_ref:
            continue  # a sub-reference's details or a short citation: the full citation is elsewhere
        if reference.is_empty or SourceFlag.empty in reference.source_flags:
            shown = reference.raw.strip() or "(nothing)"
            findings.append(
                make_finding(
                    "CC101",
                    f"reference {reference.id} has no usable content: {shown[:80]}",
                    ref=reference.id,
                    line=reference.line,
                )
            )
    return findings


def check_missing_urls(context: CheckContext) -> list[Finding]:
    findings = []
    for reference in _references(context):
        if reference.url or reference.archive_url:
            continue  # the cheapest test first: most references have a URL
        if reference.is_empty or SourceFlag.empty in reference.source_flags:
            continue  # CC101 already says more
        if SourceFlag.short_citation in reference.source_flags or reference.full_citation_ref:
            continue  # "King 2003, p. 41" points into a bibliography, not to a web page
        identifiers = reference.identifiers
        if any(getattr(identifiers, name) is not None for name in _RESOLVABLE_IDENTIFIERS):
            continue  # a DOI, PMC, PMID, arXiv id or handle resolves without discovery
        findings.append(
            make_finding(
                "CC102",
                f"reference {reference.id} has no URL; resolving it needs discovery by outlet and title",
                ref=reference.id,
                line=reference.line,
            )
        )
    return findings


def check_marked_dead(context: CheckContext) -> list[Finding]:
    findings = []
    for reference in _references(context):
        marks = [shown for flag, shown in DEAD_FLAGS.items() if flag in reference.source_flags]
        if marks:
            archived = (
                " (the citation gives an archive copy)" if reference.archive_url else " and gives no archive copy"
            )
            findings.append(
                make_finding(
                    "CC103",
                    f"the document marks reference {reference.id} dead ({', '.join(marks)}){archived}",
                    ref=reference.id,
                    line=reference.line,
                )
            )
    return findings


def check_dangling_markers(context: CheckContext) -> list[Finding]:
    return [
        make_finding(
            "CC104",
            f"marker [{marker.label}] points to no reference in the list",
            claim=claim.id,
            line=claim.line,
        )
        for claim, marker in context.claims.dangling
    ]


def check_unused_references(context: CheckContext) -> list[Finding]:
    findings = []
    for reference in _references(context):
        if reference.kind == "bibliography":
            continue  # a Bibliography or Further reading entry needs no marker
        if _uses(context, reference) == 0:
            findings.append(
                make_finding(
                    "CC105",
                    f"no in-text marker points to reference {reference.id}",
                    ref=reference.id,
                    line=reference.line,
                )
            )
    return findings


def check_uses_mismatch(context: CheckContext) -> list[Finding]:
    findings = []
    for reference in _references(context):
        used = _uses(context, reference)
        if reference.backlinks is not None and used and reference.backlinks != used:
            findings.append(
                make_finding(
                    "CC106",
                    f"reference {reference.id} shows {reference.backlinks} backlinks but {used} markers point to it",
                    ref=reference.id,
                    line=reference.line,
                )
            )
    return findings


def check_access_before_publication(context: CheckContext) -> list[Finding]:
    findings = []
    for reference in _references(context):
        if (
            reference.date
            and reference.access_date
            and reference.access_date.definitely_before(reference.date, DATE_SLACK_DAYS)
        ):
            findings.append(
                make_finding(
                    "CC401",
                    f"reference {reference.id} was retrieved {reference.access_date} but published {reference.date}",
                    ref=reference.id,
                    line=reference.line,
                )
            )
    return findings


def check_archive_before_publication(context: CheckContext) -> list[Finding]:
    findings = []
    slack = timedelta(days=DATE_SLACK_DAYS)
    for reference in _references(context):
        if not reference.date:
            continue
        # ``archive_date.definitely_before(reference.date, DATE_SLACK_DAYS)``; a capture time is one day, the
        # last it may denote (its PartialDate is made only to be shown).
        published = reference.date
        archived: list[tuple[str, PartialDate]] = []
        if reference.archive_date and published.starts_after(reference.archive_date.latest(), slack):
            archived.append(("archived", reference.archive_date))
        moment = reference.archive_url_time
        if moment and published.starts_after(date(moment.year, moment.month, moment.day), slack):
            archived.append(("its archive URL's capture time is", PartialDate.from_date(moment)))
        if archived:
            wording, archive_date = archived[0]  # the archive date when both are too early
            findings.append(
                make_finding(
                    "CC402",
                    f"reference {reference.id} {wording} {archive_date}, before it was published ({reference.date})",
                    ref=reference.id,
                    line=reference.line,
                )
            )
    return findings


def check_future_dates(context: CheckContext) -> list[Finding]:
    """Dates after today, or after the document's own date when it states one."""
    findings = []
    today = PartialDate.from_date(context.today).latest()
    horizon_name = f"today ({context.today.isoformat()})"
    document_date = context.document.date
    # ``PartialDate.from_date(today).definitely_before(value)`` and ``document_date.definitely_before(value,
    # DATE_SLACK_DAYS)``, the earlier side worked out once.
    document_last = document_date.latest() if document_date else None
    slack = timedelta(days=DATE_SLACK_DAYS)
    for reference in _references(context):
        for label, value in (
            ("published", reference.date),
            ("retrieved", reference.access_date),
            ("archived", reference.archive_date),
        ):
            if value is None:
                continue
            if value.starts_after(today):
                findings.append(
                    make_finding(
                        "CC405",
                        f"reference {reference.id} says {label} {value}, after {horizon_name}",
                        ref=reference.id,
                        line=reference.line,
                    )
                )
            elif document_last is not None and label != "archived" and value.starts_after(document_last, slack):
                findings.append(
                    make_finding(
                        "CC405",
                        f"reference {reference.id} says {label} {value}, after the document's own date "
                        f"({document_date})",
                        ref=reference.id,
                        line=reference.line,
                    )
                )
    return findings


def claim_dates(text: str) -> list[PartialDate]:
    """The dates a claim's text states: full dates, months, and years after "in"/"as of"/…"""
    if "1" not in text and "2" not in text:
        return []  # every date find_dates reads holds a year of 1500-2199, and so does every year phrase
    dates = [found for found, _, _ in find_dates(text)]
    for match in _YEAR_PHRASE_RE.finditer(text):
        year = parse_date(match.group("year"))
        if year:
            dates.append(year)
    return dates


def check_claims_after_sources(context: CheckContext) -> list[Finding]:
    """CC404: the claim reports something dated after its cited source was published."""
    references = {reference.id: reference for reference in context.document.references}
    findings = []
    for claim in context.claims.claims:
        if not claim.refs:
            continue
        stated = claim_dates(claim.text)
        if not stated:
            continue
        latest = max(stated, key=lambda value: value.earliest())
        for ref_id in claim.refs:
            reference = references.get(ref_id)
            if reference is None or reference.date is None:
                continue
            if reference.date.definitely_before(latest, DATE_SLACK_DAYS):
                findings.append(
                    make_finding(
                        "CC404",
                        f"claim mentions {latest} but its source {ref_id} was published {reference.date}",
                        ref=ref_id,
                        claim=claim.id,
                        line=claim.line,
                    )
                )
    return findings


def check_uncited_claims(context: CheckContext) -> list[Finding]:
    return [
        make_finding("CC601", "claim cites no source", claim=claim.id, line=claim.line)
        for claim in context.claims.claims
        if not claim.refs
    ]


OFFLINE_CHECKS: list[Callable[[CheckContext], list[Finding]]] = [
    check_empty_references,
    check_missing_urls,
    check_marked_dead,
    check_dangling_markers,
    check_unused_references,
    check_uses_mismatch,
    check_access_before_publication,
    check_archive_before_publication,
    check_claims_after_sources,
    check_future_dates,
    check_uncited_claims,
]


def run_offline_checks(context: CheckContext) -> list[Finding]:
    findings: list[Finding] = []
    for check in OFFLINE_CHECKS:
        findings.extend(check(context))
    return findings
