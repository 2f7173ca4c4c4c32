"""GitHub Actions annotations (``--format github``): one workflow command per finding.

Messages and titles come from documents we do not control.  GitHub reads a
workflow command from the start of a line, so a raw newline in a citation's
title could start a second command (``::error::…``) or ``::stop-commands::``.
Escaping follows GitHub's toolkit (``@actions/core`` ``escapeData`` and
``escapeProperty``): ``%``, CR and LF everywhere, and also ``:`` and ``,``
inside properties, where they would end a value.  Before that, controls, terminal
escape sequences and bidi controls are removed (:func:`~citecheck.reports.escape.display_text`):
a runner log is a terminal too.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from citecheck.models import DocumentReport, Finding, Severity
from citecheck.reports.escape import display_text
from citecheck.reports.fingerprint import document_key, source_line

ANNOTATION_COMMANDS = {Severity.error: "error", Severity.warning: "warning", Severity.info: "notice"}


def escape_data(text: str) -> str:
    """A workflow command's message: ``%`` first, so the escapes we add are not escaped again."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value (``file=``, ``title=``)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Finding, report: DocumentReport, *, root: Path | None = None) -> str:
    """One finding as ``::error file=…,line=…,title=CC201 dead-link::message``."""
    properties = {"file": document_key(report.document.path, root)}
    line = source_line(finding, report)
    if line is not None and line >= 1:
        properties["line"] = str(line)
    properties["title"] = f"{finding.code} {finding.name}"
    rendered = ",".join(f"{key}={escape_property(display_text(value))}" for key, value in properties.items())
    message = escape_data(display_text(finding.message, newlines=True))
    return f"::{ANNOTATION_COMMANDS[finding.severity]} {rendered}::{message}"


def github_annotations(reports: Iterable[DocumentReport], *, root: Path | None = None, only_new: bool = False) -> str:
    """Every finding as a workflow command, one per line.

    With ``only_new``, findings a baseline accepted (``new is False``) are left
    out, so a pull request shows only what it introduced.
    """
    lines = [
        annotation(finding, report, root=root)
        for report in reports
        for finding in report.findings
        if not (only_new and finding.new is False)
    ]
    return "".join(line + "\n" for line in lines)
