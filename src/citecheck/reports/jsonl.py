"""JSON Lines output: one finding per line, for streaming into other tools (``jq``, log pipelines)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from citecheck.models import DocumentReport
from citecheck.reports.fingerprint import document_key, fingerprints_of, source_line

# Outside strings JSON has no such characters, so escaping them is always safe.
_LINE_BREAKS_JSON_ESCAPED = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})


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

    ``json.dumps`` escapes CR and LF inside strings; the other characters Python's
    ``str.splitlines`` breaks on (NEL, LINE/PARAGRAPH SEPARATOR) are escaped here,
    so no reader's idea of a line can split a record.
    """
    for record in finding_records(reports, root=root):
        line = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
        yield line.translate(_LINE_BREAKS_JSON_ESCAPED) + "\n"
