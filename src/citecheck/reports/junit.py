"""JUnit XML (``--format junit`` → ``junit.xml``): findings as test results for CI dashboards.

One ``<testsuite>`` per document; one ``<testcase>`` per reference (and one
for the document itself, for findings about no reference in particular).
A test case fails when it has a finding at warning level or above; info
findings are listed in its ``<system-out>``.  Built from the same rows the
terminal prints (:mod:`citecheck.reports.rows`).  XML cannot carry most
control characters at all, so they are dropped, and ElementTree escapes the rest.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator

from citecheck.models import DocumentReport, Severity
from citecheck.reports.fingerprint import document_key
from citecheck.reports.rows import FindingRow, finding_rows
from citecheck.reports.terminal import finding_line

# Characters XML 1.0 forbids, plus the C1 controls and bidi overrides no report should carry.
_XML_UNSAFE_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufffe\uffff]")
DOCUMENT_CASE = "document"


def xml_safe(text: object) -> str:
    return _XML_UNSAFE_RE.sub("", "" if text is None else str(text))


def _case_name(report: DocumentReport, ref: str | None) -> str:
    if ref is None:
        return DOCUMENT_CASE
    reference = next((item for item in report.references if item.id == ref), None)
    label = (reference.url or reference.title or reference.raw[:80]) if reference is not None else ""
    return f"reference {ref}" + (f": {label}" if label else "")


def _testsuite(report: DocumentReport, rows: list[FindingRow]) -> ET.Element:
    document = document_key(report.document.path)
    cases: dict[str | None, list[FindingRow]] = {reference.id: [] for reference in report.references}
    for row in rows:
        cases.setdefault(row.ref if row.ref in cases else None, []).append(row)
    cases.setdefault(None, [])
    suite = ET.Element("testsuite", name=xml_safe(document))
    failures = 0
    for ref, case_rows in cases.items():
        case = ET.SubElement(suite, "testcase", classname=xml_safe(document), name=xml_safe(_case_name(report, ref)))
        problems = [row for row in case_rows if row.severity.rank >= Severity.warning.rank]
        if problems:
            failures += 1
            failure = ET.SubElement(
                case,
                "failure",
                message=xml_safe("; ".join(f"{row.code} {row.name}" for row in problems)),
                type=problems[0].severity.value,
            )
            failure.text = xml_safe("\n".join(finding_line(row) for row in problems))
        notes = [row for row in case_rows if row.severity is Severity.info]
        if notes:
            ET.SubElement(case, "system-out").text = xml_safe("\n".join(finding_line(row) for row in notes))
    suite.set("tests", str(len(cases)))
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    suite.set("skipped", "0")
    return suite


def junit_suite(report: DocumentReport, rows: list[FindingRow]) -> tuple[str, int, int]:
    """One document's ``<testsuite>`` as it sits indented in :func:`junit_xml`, with its test and failure counts."""
    suite = _testsuite(report, rows)
    ET.indent(suite, level=1)
    return ET.tostring(suite, encoding="unicode"), int(suite.get("tests", "0")), int(suite.get("failures", "0"))


def junit_document(suites: Iterable[str], tests: int, failures: int) -> Iterator[str]:
    """The JUnit file's text, piece by piece, around suites made by :func:`junit_suite` (in audit order)."""
    root = ET.Element("testsuites", name="citecheck")
    root.set("tests", str(tests))
    root.set("failures", str(failures))
    root.set("errors", "0")
    empty = ET.tostring(root, encoding="unicode")
    yield '<?xml version="1.0" encoding="UTF-8"?>\n'
    written = False
    for suite in suites:
        if not written:
            yield empty.removesuffix(" />") + ">"
            written = True
        yield "\n  " + suite
    yield "\n</testsuites>\n" if written else empty + "\n"


def junit_xml(reports: Iterable[DocumentReport]) -> str:
    """The audit as a JUnit XML document (``<testsuites>``), ending in a newline."""
    reports = list(reports)
    rows = finding_rows(reports)
    suites: list[str] = []
    tests = failures = 0
    for report in reports:
        document = document_key(report.document.path)
        suite, suite_tests, suite_failures = junit_suite(report, [row for row in rows if row.document == document])
        suites.append(suite)
        tests += suite_tests
        failures += suite_failures
    return "".join(junit_document(suites, tests, failures))
