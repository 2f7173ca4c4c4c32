"""Findings about a reference's identifiers: what the DOI system and Crossref say, ISBN check digits.

* CC701 ``retracted-source`` (error): Crossref lists a retraction, withdrawal
  or removal notice for the cited DOI (``updated-by``, from the publisher or
  Retraction Watch), or its registered title is marked ``RETRACTED:``; the
  finding names the notice.
* CC702 ``corrected-source`` (warning): a correction, erratum or an
  expression of concern updates the cited work.
* CC703 ``doi-not-found`` (warning): the DOI system has no such DOI.
* CC704 ``title-mismatch`` / CC705 ``year-mismatch`` (warning): the citation's
  title or year is not what was registered for its DOI (subtitles, markup,
  case and a ``RETRACTED:`` prefix aside; any of the issued, print and online
  years counts).
* CC706 ``invalid-isbn`` (warning): an ISBN whose check digit is wrong — offline.

A DOI nobody could look up (offline, a registry down) raises nothing.
Pure functions over the reference; the identifier stage
(:mod:`citecheck.resolve.identifiers`) wrote what they read.
"""

from __future__ import annotations

import html
import re
import unicodedata

from citecheck.checks.catalogue import make_finding
from citecheck.models import DoiRecord, Finding, Reference, RegistryStatus, Severity, UpdateNotice
from citecheck.references.identifiers import isbn_is_valid

RETRACTING = frozenset({"retraction", "partial_retraction", "withdrawal", "removal"})
CORRECTING = frozenset({"correction", "corrigendum", "erratum", "expression_of_concern", "addendum", "clarification"})
TITLE_SIMILARITY = 85  # rapidfuzz token-set ratio at or above which two titles are the same title
_MARKED_RETRACTED_RE = re.compile(r"^\s*(?:retracted(?:\s+article)?|withdrawn(?:\s+article)?)\s*[:.\-–]\s*", re.I)
_TAG_RE = re.compile(r"<[^>]+>")
_SOURCES = {"retraction-watch": "Retraction Watch", "publisher": "the publisher"}


def _normal_title(title: str) -> str:
    text = _TAG_RE.sub(" ", html.unescape(title))
    text = _MARKED_RETRACTED_RE.sub("", text)
    text = unicodedata.normalize("NFKC", text).casefold()
    text = "".join(char if char.isalnum() else " " for char in text)
    return " ".join(text.split())


def titles_match(cited: str, registered: str) -> bool:
    """Whether a cited title is the registered one (or the registered one without or with its subtitle)."""
    a, b = _normal_title(cited), _normal_title(registered)
    if not a or not b or a == b or a in b or b in a:
        return True
    # rapidfuzz loads here, not at import: `citecheck check` on a citation without a DOI record never needs it.
    from rapidfuzz import fuzz

    return fuzz.token_set_ratio(a, b) >= TITLE_SIMILARITY


def _finding(code: str, reference: Reference, message: str, severity: Severity | None = None) -> Finding:
    return make_finding(code, message, ref=reference.id, line=reference.line, severity=severity)


def _notices_text(notices: list[UpdateNotice]) -> str:
    """Each notice once (the publisher and Retraction Watch often report the same one), with its sources."""
    grouped: dict[tuple[str | None, str], list[UpdateNotice]] = {}
    for notice in notices:
        grouped.setdefault(((notice.doi or "").lower() or None, notice.type), []).append(notice)
    texts: list[str] = []
    for same in grouped.values():
        first = same[0]
        details = [first.label or first.type.replace("_", " ")]
        if first.date is not None:
            details.append(first.date.iso())
        sources = list(dict.fromkeys(_SOURCES.get(n.source, n.source) for n in same if n.source))
        if sources:
            details.append("from " + " and ".join(sources))
        texts.append(f"{'notice ' + first.doi if first.doi else 'a notice'} ({', '.join(details)})")
    return "; ".join(texts)


def _update_findings(reference: Reference, record: DoiRecord) -> list[Finding]:
    retracting = [notice for notice in record.updated_by if notice.type in RETRACTING]
    correcting = [notice for notice in record.updated_by if notice.type in CORRECTING]
    reinstated = any(notice.type == "reinstatement" for notice in record.updated_by)
    findings: list[Finding] = []
    if retracting:
        kinds = sorted({notice.type.replace("_", " ") for notice in retracting})
        notices = _notices_text(retracting)
        message = f"The cited work (doi:{record.doi}) has a {' and a '.join(kinds)} on record: {notices}."
        if reinstated:
            message += " A reinstatement notice follows; check which stands."
        findings.append(_finding("CC701", reference, message, Severity.warning if reinstated else None))
    elif record.title and _MARKED_RETRACTED_RE.match(record.title):
        findings.append(
            _finding(
                "CC701", reference, f"The title registered for doi:{record.doi} marks it retracted: {record.title!r}."
            )
        )
    if correcting and not retracting:
        notices = _notices_text(correcting)
        findings.append(
            _finding(
                "CC702",
                reference,
                f"The cited work (doi:{record.doi}) has been updated: {notices}.",
            )
        )
    return findings


def _metadata_findings(reference: Reference, record: DoiRecord) -> list[Finding]:
    findings: list[Finding] = []
    # A chapter cited by its book's title, or a book by its series: the container may be what was cited.
    if (
        reference.title
        and record.title
        and not titles_match(reference.title, record.title)
        and not (record.container and titles_match(reference.title, record.container))
    ):
        findings.append(
            _finding(
                "CC704",
                reference,
                f"The citation's title {reference.title!r} is not the title registered for doi:{record.doi}: "
                f"{record.title!r}.",
            )
        )
    if reference.date is not None and record.years and reference.date.year not in record.years:
        registered = " / ".join(str(year) for year in record.years)
        findings.append(
            _finding(
                "CC705",
                reference,
                f"The citation dates the work {reference.date.iso()}; doi:{record.doi} is registered as {registered}.",
            )
        )
    return findings


def identifier_findings(reference: Reference) -> list[Finding]:
    """CC701–CC706 for one reference."""
    findings: list[Finding] = []
    isbn = reference.identifiers.isbn
    if isbn and not isbn_is_valid(isbn):
        findings.append(
            _finding(
                "CC706",
                reference,
                f"ISBN {isbn} has a wrong check digit: a typo, or not an ISBN.",
            )
        )
    record = reference.doi_record
    if record is None or record.status is RegistryStatus.not_checked:
        return findings
    if record.status is RegistryStatus.not_found:
        findings.append(
            _finding(
                "CC703",
                reference,
                f"doi:{record.doi} does not exist in the DOI system (a typo, or never registered).",
            )
        )
        return findings
    if record.agency == "crossref":
        findings += _update_findings(reference, record)
        findings += _metadata_findings(reference, record)
    return findings
