"""PDF sources end to end: a full ``audit()`` whose citations point at PDFs captured in a real pywb archive.

The PDFs are written by the tests (``tests/pdf_factory.py``).  A figure the
PDF holds is verified from the capture's text; a figure it does not hold is
flagged; a scanned (image-only) or encrypted PDF leaves its claims
``not-checked`` with the reason, never ``unsupported``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from citecheck import AuditOptions, audit
from citecheck.models import Claim, ClaimVerdict, DocumentReport
from tests.integration.pywb_world import ArchiveWorld, Capture, at
from tests.integration.web_world import Reply, WebWorld, html
from tests.pdf_factory import make_pdf

pytestmark = pytest.mark.integration

REPORT_LINES = [
    "Annual dam safety report 2010.",
    "The agency inspected 4,213 dams during the year.",
    "Inspectors found that 37 dams needed urgent repairs.",
]
PDF_TYPE = "application/pdf"


@pytest.fixture(scope="module")
def worlds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[WebWorld, ArchiveWorld]]:
    report = make_pdf([REPORT_LINES[:2], REPORT_LINES[2:]])
    scanned = make_pdf([["Nothing but a picture."]], scanned=True)
    locked = make_pdf([REPORT_LINES], user_password="secret")
    web = WebWorld()
    agency = web.add_site("agency", "127.0.0.32")
    agency.route("/", html("Dam agency", "<p>Front page.</p>"))
    # The live site moved its reports away: only the archive still has them.
    for path in ("/reports/2010.pdf", "/reports/scan.pdf", "/reports/locked.pdf"):
        agency.route(path, Reply(404, b"<html><title>Not found</title></html>", [("Content-Type", "text/html")]))
    web.start()
    try:
        captures = [
            Capture(
                web.url("agency", "/reports/2010.pdf"), at("2011-02-01T10:00:00"), body=report, content_type=PDF_TYPE
            ),
            Capture(
                web.url("agency", "/reports/scan.pdf"), at("2011-02-01T10:00:00"), body=scanned, content_type=PDF_TYPE
            ),
            Capture(
                web.url("agency", "/reports/locked.pdf"), at("2011-02-01T10:00:00"), body=locked, content_type=PDF_TYPE
            ),
        ]
        with ArchiveWorld(tmp_path_factory.mktemp("pywb-pdf"), captures) as archive:
            yield web, archive
    finally:
        web.stop()


@pytest.fixture(scope="module")
def report(worlds: tuple[WebWorld, ArchiveWorld], tmp_path_factory: pytest.TempPathFactory) -> DocumentReport:
    web, archive = worlds
    folder = tmp_path_factory.mktemp("pdf-audit")
    url = web.url("agency", "/reports/2010.pdf")
    document = folder / "dams.md"
    document.write_text(
        "# Dams\n\n"
        "The agency inspected 4,213 dams in 2010.[^report]\n\n"
        "The agency inspected 5,100 dams in 2010.[^report]\n\n"
        "Thirty-seven dams needed urgent repairs.[^report]\n\n"
        "A scanned report counted 90 dams.[^scan]\n\n"
        "A locked report counted 80 dams.[^locked]\n\n"
        f'[^report]: "Annual dam safety report 2010" (PDF). Dam agency. {url} Retrieved 3 February 2011.\n'
        f'[^scan]: "Scanned report" (PDF). Dam agency. {web.url("agency", "/reports/scan.pdf")} '
        "Retrieved 3 February 2011.\n"
        f'[^locked]: "Locked report" (PDF). Dam agency. {web.url("agency", "/reports/locked.pdf")} '
        "Retrieved 3 February 2011.\n",
        encoding="utf-8",
    )
    options = AuditOptions(
        out=folder / "reports",
        cache=folder / "cache.sqlite",
        archives=[archive.archive_url],
        allow_private=True,
        canary=[web.url("agency", "/")],
    )
    return audit([document], options).reports[0]


def _claim(report: DocumentReport, start: str) -> Claim:
    matches = [claim for claim in report.claims if claim.text.startswith(start)]
    assert len(matches) == 1, [claim.text for claim in report.claims]
    return matches[0]


def test_a_figure_in_the_pdf_capture_is_verified(report: DocumentReport) -> None:
    reference = next(reference for reference in report.references if reference.id == "report")
    assert reference.source.status == "fetched" and reference.source.origin == "capture"
    assert reference.source.extractor == "pypdf"
    assert _claim(report, "The agency inspected 4,213").verdict == ClaimVerdict.verified
    assert _claim(report, "Thirty-seven dams").verdict == ClaimVerdict.verified


def test_a_figure_the_pdf_does_not_hold_is_flagged(report: DocumentReport) -> None:
    claim = _claim(report, "The agency inspected 5,100")
    # The year is in the PDF, the count is not: partly verified, and the count is flagged.
    assert claim.verdict == ClaimVerdict.partially_verified
    flagged = [
        finding for finding in report.findings if finding.claim == claim.id and finding.code in {"CC502", "CC504"}
    ]
    assert flagged and all("5,100" in finding.message for finding in flagged)


@pytest.mark.parametrize(
    ("start", "ref_id", "why"), [("A scanned", "scan", "scanned"), ("A locked", "locked", "encrypt")]
)
def test_unreadable_pdfs_leave_their_claims_not_checked_with_the_reason(
    report: DocumentReport, start: str, ref_id: str, why: str
) -> None:
    reference = next(reference for reference in report.references if reference.id == ref_id)
    assert reference.source.status == "unavailable"
    assert reference.source.reason is not None and why in reference.source.reason.lower()
    assert _claim(report, start).verdict == ClaimVerdict.not_checked
