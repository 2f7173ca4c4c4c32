"""CC403: the date a citation gives vs. the cited page's own publication date."""

from __future__ import annotations

from citecheck.checks.catalogue import make_finding
from citecheck.dates import PartialDate
from citecheck.models import Finding, Reference, Severity, SourceStatus

# A page stamped 23:30 in New York is dated a day later in UTC, and citations copy either.
TIME_ZONE_TOLERANCE_DAYS = 1
# "c. 2010" is allowed a year either way.
APPROXIMATE_TOLERANCE_DAYS = 366
# htmldate's answer may come from anywhere in the text: reported, but as information only.
GUESSED_METHODS = frozenset({"htmldate"})


def dates_disagree(cited: PartialDate, page: PartialDate) -> bool:
    """True when no day the cited date may denote is within tolerance of a day the page's date may denote.

    Dates are compared as intervals by precision: ``2011-04`` agrees with
    ``2011-04-14``, and ``2011`` with any day of 2011.
    """
    slack = APPROXIMATE_TOLERANCE_DAYS if cited.approximate or page.approximate else TIME_ZONE_TOLERANCE_DAYS
    return cited.definitely_before(page, slack_days=slack) or page.definitely_before(cited, slack_days=slack)


def publication_date_finding(reference: Reference) -> Finding | None:
    """A CC403 finding when the reference's date disagrees with the page's own date, else None."""
    source = reference.source
    page_date = source.page_date
    if reference.date is None or page_date is None or source.status != SourceStatus.fetched:
        return None
    if not dates_disagree(reference.date, page_date.date):
        return None
    where = "the live page" if source.origin == "live" else "the archived capture"
    message = (
        f"the citation dates the source {reference.date.iso()}, but {where}"
        f"{f' ({source.url})' if source.url else ''} gives {page_date.date.iso()} as its publication date"
        f" (found in {page_date.method})"
    )
    severity = Severity.info if page_date.method in GUESSED_METHODS else None
    return make_finding("CC403", message, ref=reference.id, line=reference.line, severity=severity)
