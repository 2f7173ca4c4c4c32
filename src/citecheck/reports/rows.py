"""Findings as compact rows: what a terminal, a pre-commit hook or a JUnit file says about each one.

:func:`finding_rows` turns reports into :class:`FindingRow` records, one per
finding, carrying everything a one-line rendering needs (where, which code,
the URL or the message, a short parenthesised detail, a ready repair).
Renderers (:mod:`citecheck.reports.terminal`, :mod:`citecheck.reports.junit`)
read rows only, never reports, so the rows can also come from records spilled
to disk by a streaming audit.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from pydantic import BaseModel, ConfigDict

from citecheck.models import ArchiveStatus, DocumentReport, LiveStatus, Reference, Severity
from citecheck.reports.fingerprint import document_key, source_line
from citecheck.reports.repair import SNIPPET_LANGUAGES, repair_snippet

# Findings about a cited URL: the row names the URL and says what the web and the archive said.
_URL_CODES = frozenset({"CC201", "CC202", "CC203", "CC204", "CC205", "CC206", "CC207", "CC301", "CC302", "CC304"})
# The findings saying the cited page is gone: the ones a repair (the capture instead) answers.
_GONE_CODES = frozenset({"CC103", "CC201", "CC202", "CC203", "CC204"})
_CONFIRMATION_PREFIXES = ("confirmed dead: ", "unconfirmed: ")


class FindingRow(BaseModel):
    """One finding, flat: the unit every compact rendering works on."""

    model_config = ConfigDict(extra="forbid")

    document: str  # the document's path as reports name it
    line: int | None = None
    code: str
    name: str
    severity: Severity
    subject: str  # the cited URL for URL findings, else the finding's message
    detail: str = ""  # short facts in brackets: HTTP status, checks on record, the capture
    message: str
    ref: str | None = None
    claim: str | None = None
    new: bool | None = None
    repair: str | None = None  # a ready-to-paste repair in the document's format
    repair_language: str | None = None
    fingerprint: str | None = None

    @property
    def location(self) -> str:
        return f"{self.document}:{self.line}" if self.line is not None else self.document


def _confirmation(reference: Reference) -> str | None:
    for item in reference.live.evidence:
        for prefix in _CONFIRMATION_PREFIXES:
            if item.startswith(prefix):
                text = item.removeprefix(prefix)
                return text if prefix.startswith("confirmed") else f"not yet confirmed: {text}"
    return None


def _capture(reference: Reference, repair: str | None) -> str | None:
    archive = reference.archive
    if archive.status is ArchiveStatus.found:
        when = f"{archive.snapshot_time:%Y-%m-%d}" if archive.snapshot_time else "found"
        return f"capture {when} ready to use" if repair else f"capture {when}"
    if archive.status is ArchiveStatus.none:
        return "no capture"
    if archive.status is ArchiveStatus.error_snapshot:
        return "only an error capture"
    return None


def url_detail(reference: Reference, repair: str | None) -> str:
    """``HTTP 404, 3 failed checks over ≥3 days; capture 2013-11-05 ready to use`` for a cited URL."""
    live = reference.live
    facts = []
    if live.http_status is not None:
        facts.append(f"HTTP {live.http_status}")
    elif live.status not in (LiveStatus.not_checked, LiveStatus.alive):
        facts.append(live.status.value)
    confirmation = _confirmation(reference) if live.status is LiveStatus.dead else None
    if confirmation:
        facts.append(confirmation)
    capture = _capture(reference, repair)
    head = ", ".join(facts)
    return "; ".join(part for part in (head, capture) if part)


def _rows_of(report: DocumentReport, document: str) -> Iterator[FindingRow]:
    references = {reference.id: reference for reference in report.references}
    language = SNIPPET_LANGUAGES.get(report.document.format)
    repairs: dict[str, str | None] = {}
    for finding in report.findings:
        reference = references.get(finding.ref) if finding.ref else None
        repair = None
        if reference is not None and language is not None:
            if reference.id not in repairs:
                repairs[reference.id] = repair_snippet(reference, report.document.format)
            repair = repairs[reference.id]
        url = reference.url if reference is not None and finding.code in _URL_CODES else None
        yield FindingRow(
            document=document,
            line=source_line(finding, report),
            code=finding.code,
            name=finding.name,
            severity=finding.severity,
            subject=url or finding.message,
            detail=url_detail(reference, repair) if url and reference is not None else "",
            message=finding.message,
            ref=finding.ref,
            claim=finding.claim,
            new=finding.new,
            repair=repair if finding.code in _GONE_CODES else None,
            repair_language=language,
            fingerprint=finding.fingerprint,
        )


def sort_key(row: FindingRow) -> tuple[int, int, str]:
    return (-row.severity.rank, row.line if row.line is not None else 1 << 30, row.code)


def document_rows(report: DocumentReport) -> list[FindingRow]:
    """One document's findings as rows, worst first."""
    return sorted(_rows_of(report, document_key(report.document.path)), key=sort_key)


def finding_rows(reports: Iterable[DocumentReport]) -> list[FindingRow]:
    """Every finding as a row: documents with the worst problems first, each document's rows worst first."""
    by_document: list[list[FindingRow]] = []
    for report in reports:
        rows = document_rows(report)
        if rows:
            by_document.append(rows)
    by_document.sort(key=document_order)
    return [row for rows in by_document for row in rows]


def document_order(rows: list[FindingRow]) -> tuple[tuple[int, int, int], str]:
    """Where one document's rows (not empty) stand among the documents': worst first, then by path."""
    return (_weight(rows), rows[0].document)


def _weight(rows: list[FindingRow]) -> tuple[int, int, int]:
    counts = {severity: sum(1 for row in rows if row.severity is severity) for severity in Severity}
    return (-counts[Severity.error], -counts[Severity.warning], -counts[Severity.info])
