"""GitHub workflow-command annotations and JSON Lines: one finding per line, whatever the citation says."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from citecheck.config import AuditOptions
from citecheck.documents import read_document
from citecheck.models import DocumentReport, Finding, Severity
from citecheck.pipeline import OFFLINE_STATE, audit_parsed
from citecheck.reports.annotations import escape_data, escape_property, github_annotations
from citecheck.reports.baseline import load_baseline, mark_new, write_baseline
from citecheck.reports.escape import display_text
from citecheck.reports.fingerprint import assign_fingerprints
from citecheck.reports.jsonl import finding_lines
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

# What a hostile citation title could carry: a second command after a newline,
# GitHub's own escapes, property separators and the command that stops all others.
INJECTION = (
    "Title\n::error file=evil.md,line=1::injected\r\n::stop-commands::tok %0A 50%, a:b\u2028next"
    " \x1b[2J\x1b]0;owned\x07\x9b31m red\u202egnp.exe\u202c \x85end"
)


def audit_article(directory: Path, text: str = ARTICLE, name: str = "bridges.md") -> DocumentReport:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    report = audit_parsed(read_document(path), OPTIONS, OFFLINE_STATE)
    assign_fingerprints(report, root=directory)
    return report


def unescape(text: str) -> str:
    """GitHub's runner decoding, as documented: the escapes in reverse order, ``%25`` last."""
    for escaped, char in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(escaped, char)
    return text


def test_one_annotation_per_finding_with_file_line_and_title(tmp_path: Path) -> None:
    report = audit_article(tmp_path, name="citations/bridges.md")

    lines = github_annotations([report], root=tmp_path).splitlines()

    assert len(lines) == len(report.findings) >= 5
    for line, finding in zip(lines, report.findings, strict=True):
        command = {Severity.error: "error", Severity.warning: "warning", Severity.info: "notice"}[finding.severity]
        assert line == (
            f"::{command} file=citations/bridges.md,line={finding.line},title={finding.code} {finding.name}::"
            f"{escape_data(finding.message)}"
        )


def test_escaping_follows_githubs_rules() -> None:
    assert escape_data("50% done\r\nnext: a, b") == "50%25 done%0D%0Anext: a, b"
    assert escape_property("50% done\r\nnext: a, b") == "50%25 done%0D%0Anext%3A a%2C b"
    assert escape_data("%0A") == "%250A"  # an escape already in the text stays literal
    for text in (INJECTION, "%%0A%25::,", ""):
        assert unescape(escape_property(text)) == text
        assert unescape(escape_data(text)) == text


def test_hostile_citation_text_cannot_inject_a_second_annotation(tmp_path: Path) -> None:
    report = audit_article(tmp_path, name="odd,name:1.md")
    report.findings.append(Finding(code="CC101", name="empty-reference", severity=Severity.warning, message=INJECTION))
    report.findings.append(
        Finding(code="CC101", name=INJECTION, severity=Severity.warning, message="title carries it", line=3)
    )

    output = github_annotations([report], root=tmp_path)
    lines = output.split("\n")[:-1]  # the runner splits on LF (CR LF is LF too)

    assert output.endswith("\n") and "\r" not in output
    assert len(lines) == len(report.findings)
    assert all(line.startswith(("::error file=", "::warning file=", "::notice file=")) for line in lines)
    # Mid-line in the message it is inert text; in the title property its colons are escaped.
    assert [line.startswith("::stop-commands") for line in lines].count(True) == 0
    assert sum("::stop-commands::" in line for line in lines) == 1
    hostile = lines[-2]
    assert hostile.startswith("::warning file=odd%2Cname%3A1.md,title=CC101 empty-reference::")  # no line: none known
    # The message keeps its line breaks (as %0A, CR LF as LF); controls, escape sequences and bidi controls go.
    assert unescape(hostile.split("::", 2)[2]) == display_text(INJECTION, newlines=True)
    assert unescape(hostile.split("::", 2)[2]).endswith("tok %0A 50%, a:b\nnext  redgnp.exe \nend")
    title = lines[-1].split("title=", 1)[1].split("::", 1)[0]
    assert unescape(title) == f"CC101 {display_text(INJECTION)}"
    assert "," not in title and ":" not in title
    assert not any(char in output for char in "\x1b\x07\x9b\x85\u202e\u202c\u2028")


def test_only_new_leaves_out_what_the_baseline_accepted(tmp_path: Path) -> None:
    write_baseline(tmp_path / "baseline.json", [audit_article(tmp_path)], root=tmp_path)
    edited = audit_article(tmp_path, ARTICLE.replace("Retrieved 3 May 2011.", "Retrieved 3 May 2011. [dead link]"))
    mark_new([edited], load_baseline(tmp_path / "baseline.json"))

    only_new = github_annotations([edited], root=tmp_path, only_new=True).splitlines()
    everything = github_annotations([edited], root=tmp_path).splitlines()

    assert len(everything) == len(edited.findings)
    assert len(only_new) == 1 and "title=CC103 marked-dead-in-source" in only_new[0]


def test_no_findings_no_output(tmp_path: Path) -> None:
    report = audit_article(tmp_path)
    report.findings = []
    assert github_annotations([report]) == ""
    assert list(finding_lines([report])) == []


# JSON Lines lives here too: like annotations, a line-oriented stream fed with untrusted text.


def test_json_lines_one_record_per_finding(tmp_path: Path) -> None:
    first = audit_article(tmp_path, name="a.md")
    second = audit_article(tmp_path, name="sub/b.md")

    lines = list(finding_lines([first, second], root=tmp_path))

    assert len(lines) == len(first.findings) + len(second.findings)
    assert all(line.endswith("\n") and line.count("\n") == 1 for line in lines)
    records = [json.loads(line) for line in lines]
    assert [record["document"] for record in records] == ["a.md"] * len(first.findings) + ["sub/b.md"] * len(
        second.findings
    )
    for record, finding in zip(records, first.findings + second.findings, strict=True):
        assert record["fingerprint"] == finding.fingerprint
        assert (record["code"], record["severity"], record["message"]) == (
            finding.code,
            finding.severity.value,
            finding.message,
        )
        assert record["line"] == finding.line and record["new"] is None


def test_json_lines_survive_every_line_break_a_reader_knows(tmp_path: Path) -> None:
    report = audit_article(tmp_path)
    message = INJECTION + "\x85end\u2029"
    report.findings = [Finding(code="CC101", name="empty-reference", severity=Severity.warning, message=message)]

    text = "".join(finding_lines([report]))

    assert len(text.splitlines()) == 1  # str.splitlines also breaks on NEL, U+2028 and U+2029
    record = json.loads(text)
    assert record["message"] == message
    assert record["fingerprint"]  # computed when the report was not fingerprinted
    assert record["line"] is None


@pytest.mark.seeds
def test_seed_documents_stream(tmp_path: Path) -> None:
    sources = sorted(shared_path("seeds").glob("*.txt"))
    reports = [audit_parsed(read_document(source), OPTIONS, OFFLINE_STATE) for source in sources]

    text = "".join(finding_lines(reports, root=sources[0].parent))
    annotations = github_annotations(reports, root=sources[0].parent)

    total = sum(len(report.findings) for report in reports)
    assert len(text.splitlines()) == len(annotations.splitlines()) == total > 0
    documents = {json.loads(line)["document"] for line in text.splitlines()}
    assert documents <= {source.name for source in sources}
