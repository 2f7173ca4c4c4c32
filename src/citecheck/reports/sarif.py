"""SARIF 2.1.0 output (``--format sarif``), for code-scanning annotations.

One run; the driver's rules are the finding catalogue; each result sits at the
finding's line in its document and carries the citecheck fingerprint as a
partial fingerprint, so code scanning tracks it across commits the same way
our baselines do.  Messages come from documents and servers we do not control:
code scanning shows them to people, so controls, escape sequences and bidi
controls are removed (:func:`~citecheck.reports.escape.display_text`) and URIs
are percent-encoded ASCII.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from citecheck.checks.catalogue import RULES
from citecheck.models import DocumentReport, Finding, Severity
from citecheck.reports.escape import display_text, safe_url
from citecheck.reports.fingerprint import FINGERPRINT_VERSION, document_key, fingerprints_of, source_line

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SOURCE_ROOT_ID = "%SRCROOT%"  # the base GitHub code scanning resolves relative URIs against
README_CODES_ANCHOR = "finding-codes"

SARIF_LEVELS = {Severity.error: "error", Severity.warning: "warning", Severity.info: "note"}


def _rule_descriptor(code: str, name: str, meaning: str, severity: Severity, readme_url: str | None) -> dict[str, Any]:
    descriptor: dict[str, Any] = {
        "id": code,
        "name": name,
        "shortDescription": {"text": meaning},
        "help": {"text": f"{code} {name}: {meaning}."},
        "defaultConfiguration": {"level": SARIF_LEVELS[severity]},
    }
    if readme_url:
        descriptor["helpUri"] = f"{readme_url}#{README_CODES_ANCHOR}"
    return descriptor


def extra_rule(finding: Finding) -> tuple[str, Severity] | None:
    """The name and level of a rule for a code the catalogue does not hold (None for catalogued codes)."""
    return None if finding.code in RULES else (finding.name, finding.severity)


def sarif_rules(extra: Mapping[str, tuple[str, Severity]], readme_url: str | None) -> list[dict[str, Any]]:
    """The catalogue, plus any code a finding carries that the catalogue does not (never drop a result)."""
    descriptors = {
        code: _rule_descriptor(code, rule.name, rule.meaning, rule.severity, readme_url) for code, rule in RULES.items()
    }
    for code, (name, severity) in extra.items():
        descriptors.setdefault(code, _rule_descriptor(code, name, name.replace("-", " "), severity, readme_url))
    return [descriptors[code] for code in sorted(descriptors)]


def _rules(reports: list[DocumentReport], readme_url: str | None) -> list[dict[str, Any]]:
    extra: dict[str, tuple[str, Severity]] = {}
    for report in reports:
        for finding in report.findings:
            rule = extra_rule(finding)
            if rule is not None:
                extra.setdefault(finding.code, rule)
    return sarif_rules(extra, readme_url)


def _url_scheme(key: str) -> str:
    try:
        return urlsplit(key).scheme
    except ValueError:  # "http://[::g]/" and friends: not a URL we can point at
        return ""


def artifact_location(path: str, root: Path | None = None) -> dict[str, str]:
    """A document's SARIF location: a URI relative to the repository root where it lies there."""
    key = document_key(path, root)
    if _url_scheme(key) in ("http", "https"):
        return {"uri": safe_url(key) or quote(key, safe="/:", errors="replace")}
    if key.startswith("/"):
        return {"uri": Path(key).as_uri()}
    # errors="replace": a file name with undecodable bytes (surrogate escapes) still gives a URI.
    return {"uri": quote(key, safe="/", errors="replace"), "uriBaseId": SOURCE_ROOT_ID}


def sarif_result(
    finding: Finding, report: DocumentReport, fingerprint: str, rule_index: int, root: Path | None = None
) -> dict[str, Any]:
    """One finding as a SARIF result (``rule_index`` may be set later: the key keeps its place)."""
    line = source_line(finding, report)
    result: dict[str, Any] = {
        "ruleId": finding.code,
        "ruleIndex": rule_index,
        "level": SARIF_LEVELS[finding.severity],
        "message": {"text": display_text(finding.message, newlines=True)},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": artifact_location(report.document.path, root),
                    # SARIF lines are 1-based; a finding about the whole document points at its top.
                    "region": {"startLine": line if line is not None and line >= 1 else 1},
                }
            }
        ],
        "partialFingerprints": {FINGERPRINT_VERSION: fingerprint},
    }
    if finding.new is not None:
        result["baselineState"] = "new" if finding.new else "unchanged"
    return result


def sarif_log(
    reports: list[DocumentReport], tool_version: str, *, root: Path | None = None, readme_url: str | None = None
) -> dict[str, Any]:
    """A SARIF 2.1.0 log of every finding in ``reports``.

    ``readme_url`` is the absolute URL of the project's README; rules link to
    its finding-codes table (SARIF requires ``helpUri`` to be absolute, so
    without it rules carry their help text only).  ``baselineState`` is set
    when a baseline was applied (findings' ``new`` is not None).
    """
    rules = _rules(reports, readme_url)
    rule_indexes = {rule["id"]: index for index, rule in enumerate(rules)}
    results = [
        sarif_result(finding, report, fingerprint, rule_indexes[finding.code], root)
        for report in reports
        for finding, fingerprint in zip(report.findings, fingerprints_of(report, root=root), strict=True)
    ]
    return sarif_skeleton(rules, tool_version, readme_url=readme_url, results=results)


def sarif_skeleton(
    rules: list[dict[str, Any]],
    tool_version: str,
    *,
    readme_url: str | None = None,
    results: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The log around its results (none unless given): what :func:`sarif_chunks` fills in."""
    driver: dict[str, Any] = {"name": "citecheck", "version": tool_version, "rules": rules}
    if readme_url:
        driver["informationUri"] = readme_url
    return {
        "$schema": SARIF_SCHEMA_URI,
        "version": SARIF_VERSION,
        "runs": [{"tool": {"driver": driver}, "results": results if results is not None else []}],
    }


def sarif_chunks(log_without_results: dict[str, Any], results: Iterable[dict[str, Any]]) -> Iterator[str]:
    """``json.dumps(log, indent=2) + "\\n"`` for a log whose one run's results arrive one by one.

    ``log_without_results`` is :func:`sarif_log` of no reports (its rules set);
    the results are spliced in where its empty list stands, indented as
    ``json.dumps`` would indent them.
    """
    skeleton = json.dumps(log_without_results, indent=2)
    head, tail = skeleton.split(_EMPTY_RESULTS)
    yield head + '"results": ['
    first = True
    for result in results:
        text = json.dumps(result, indent=2)
        yield ("\n" if first else ",\n") + "\n".join(_RESULT_INDENT + line for line in text.split("\n"))
        first = False
    yield ("]" if first else "\n" + _RESULT_INDENT[:-2] + "]") + tail + "\n"


_EMPTY_RESULTS = '"results": []'
_RESULT_INDENT = " " * 8  # $.runs[0].results[i] in a two-space indented log
