"""JSON Lines output: one finding per line, for streaming into other tools (``jq``, log pipelines)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from citecheck.models import DocumentReport
from citecheck.reports.escape import json_inert
from citecheck.reports.fingerprint import document_key, fingerprints_of, source_line


def finding_records(reports: list[DocumentReport], *, root: Path | None = None) -> Iterator[dict[str, Any]]:
    """Each finding as a flat record naming its document and fingerprint."""
    for report in reports:
        document = document_key(report.document.path, root)
        for finding, fingerprint in zip(report.findings, fingerprints_of(report, root=root), strict=True):
            yield {
                "document": document,
                "fingerprint": fingerprint,
                "code": finding.code,
                "name": finding.name,
                "severity": finding.severity.value,
                "line": source_line(finding, report),
                "ref": finding.ref,
                "claim": finding.claim,
                "message": finding.message,
                "new": finding.new,
            }


def finding_lines(reports: list[DocumentReport], *, root: Path | None = None) -> Iterator[str]:
    """Each finding as one JSON line ending in ``\\n`` (``stream.writelines(finding_lines(reports))``).

    ``json.dumps`` escapes C0 controls (CR and LF among them) inside strings; the
    other characters Python's ``str.splitlines`` breaks on (NEL, LINE/PARAGRAPH
    SEPARATOR), C1 controls and bidi controls are escaped by
    :func:`~citecheck.reports.escape.json_inert`, so no reader's idea of a line can
    split a record and no viewer is handed a raw control character.
    """
    for record in finding_records(reports, root=root):
        yield json_inert(json.dumps(record, ensure_ascii=False, separators=(",", ":"))) + "\n"
