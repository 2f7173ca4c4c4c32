"""Baselines: written sorted and stable, read from either format, marking only new findings."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from citecheck.config import AuditOptions
from citecheck.documents import read_document
from citecheck.models import AuditSummary, DocumentReport
from citecheck.pipeline import OFFLINE_STATE, audit_parsed
from citecheck.reports.baseline import BASELINE_SCHEMA, load_baseline, mark_new, write_baseline
from citecheck.reports.fingerprint import assign_fingerprints
from citecheck.reports.writer import report_json, summary_json
from tests.conftest import shared_path

OPTIONS = AuditOptions(offline=True, today=date(2025, 1, 1))

ARTICLE = """\
# Bridges of Riverton

The old bridge opened in 1901.[^1] It was rebuilt after the 2011 flood.[^2]
Nobody recorded who paid for it.

[^1]: "A century of crossings". Riverton Herald. https://herald.example/bridge. Retrieved 3 May 2011.
[^2]: Jolly, David (14 April 2011). "Flood hits town". The Times. https://example.com/flood. Retrieved 8 May 2010.
[^3]: "Unused source". https://example.org/unused
"""


def audit_file(path: Path, root: Path) -> DocumentReport:
    report = audit_parsed(read_document(path), OPTIONS, OFFLINE_STATE)
    assign_fingerprints(report, root=root)
    return report


def write_article(directory: Path, text: str, name: str = "bridges.md") -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def test_written_baseline_round_trips(tmp_path: Path) -> None:
    report = audit_file(write_article(tmp_path, ARTICLE), tmp_path)

    count = write_baseline(tmp_path / "baseline.json", [report], root=tmp_path)
    baseline = load_baseline(tmp_path / "baseline.json")

    assert count == len(report.findings) >= 3
    assert baseline.source == "baseline"
    assert baseline.fingerprints == {finding.fingerprint for finding in report.findings}
    data = json.loads((tmp_path / "baseline.json").read_text(encoding="utf-8"))
    assert data["schema"] == BASELINE_SCHEMA
    assert all(set(entry) == {"fingerprint", "code", "document", "message"} for entry in data["findings"])
    assert {entry["document"] for entry in data["findings"]} == {"bridges.md"}


def test_baseline_file_is_sorted_and_unchanged_by_reordering_the_document(tmp_path: Path) -> None:
    first = audit_file(write_article(tmp_path, ARTICLE), tmp_path)
    write_baseline(tmp_path / "first.json", [first], root=tmp_path)
    lines = ARTICLE.splitlines()
    notes_reversed = "\n".join(lines[:5] + list(reversed(lines[5:]))) + "\n"
    second = audit_file(write_article(tmp_path, notes_reversed), tmp_path)
    write_baseline(tmp_path / "second.json", [second], root=tmp_path)

    first_text = (tmp_path / "first.json").read_text(encoding="utf-8")
    assert first_text == (tmp_path / "second.json").read_text(encoding="utf-8")
    entries = json.loads(first_text)["findings"]
    assert entries == sorted(entries, key=lambda entry: (entry["document"], entry["code"], entry["fingerprint"]))
    assert first_text.endswith("}\n") and "generated" not in first_text


def test_mark_new_flags_only_findings_missing_from_the_baseline(tmp_path: Path) -> None:
    path = write_article(tmp_path, ARTICLE)
    write_baseline(tmp_path / "baseline.json", [audit_file(path, tmp_path)], root=tmp_path)
    baseline = load_baseline(tmp_path / "baseline.json")

    unchanged = audit_file(path, tmp_path)
    assert mark_new([unchanged], baseline) == 0
    assert all(finding.new is False for finding in unchanged.findings)

    with_dead_link = ARTICLE.replace("https://example.org/unused", "https://example.org/unused [dead link]")
    path.write_text(with_dead_link + "\nThe ferry ran until 1950.[^4]\n", encoding="utf-8")
    edited = audit_file(path, tmp_path)
    # The new sentence's dangling marker also leaves it uncited: CC104 and a second CC601.
    assert mark_new([edited], baseline) == 3
    assert sorted(finding.code for finding in edited.findings if finding.new) == ["CC103", "CC104", "CC601"]
    accepted = [finding for finding in edited.findings if not finding.new]
    assert sorted(finding.code for finding in accepted) == ["CC105", "CC401", "CC601"]
    assert {finding.fingerprint for finding in accepted} == baseline.fingerprints


def test_mark_new_fingerprints_findings_that_have_none(tmp_path: Path) -> None:
    path = write_article(tmp_path, ARTICLE)
    write_baseline(tmp_path / "baseline.json", [audit_file(path, tmp_path)], root=tmp_path)
    fresh = audit_parsed(read_document(path), OPTIONS, OFFLINE_STATE)
    assert all(finding.fingerprint is None for finding in fresh.findings)

    assert mark_new([fresh], load_baseline(tmp_path / "baseline.json"), root=tmp_path) == 0
    assert all(finding.fingerprint for finding in fresh.findings)


def summary_with(fingerprints: list[str] | None) -> str:
    summary = json.loads(summary_json(AuditSummary(generated_at=datetime.now(UTC), network=OFFLINE_STATE)))
    summary.pop("fingerprints", None)  # as an older citecheck wrote it
    if fingerprints is not None:
        summary["fingerprints"] = fingerprints
    return json.dumps(summary)


def test_summary_json_with_fingerprints_is_a_baseline(tmp_path: Path) -> None:
    report = audit_file(write_article(tmp_path, ARTICLE), tmp_path)
    fingerprints = [finding.fingerprint for finding in report.findings if finding.fingerprint]
    (tmp_path / "summary.json").write_text(summary_with(fingerprints), encoding="utf-8")

    baseline = load_baseline(tmp_path / "summary.json")

    assert baseline.source == "summary"
    assert len(baseline) == len(report.findings)
    assert mark_new([report], baseline) == 0


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "no such baseline file"),
        ("{not json", "not valid JSON"),
        ("[1, 2]", "expected a JSON object"),
        ('{"findings": []}', "no schema field"),
        ('{"schema": "citecheck/baseline@9", "findings": []}', "citecheck/baseline@9"),
        ('{"schema": "citecheck/baseline@1", "findings": [{"code": "CC101"}]}', "malformed baseline at findings.0"),
        ('{"schema": "citecheck/baseline@1"}', "malformed baseline at findings"),
        ("SUMMARY-WITHOUT", "lists no finding fingerprints"),
        ("SUMMARY-BAD", "must be a list of non-empty strings"),
    ],
)
def test_anything_else_is_a_clear_value_error(tmp_path: Path, content: str | None, expected: str) -> None:
    path = tmp_path / "baseline.json"
    if content == "SUMMARY-WITHOUT":
        content = summary_with(None)
    elif content == "SUMMARY-BAD":
        content = summary_with(["", "abc"])
    if content is not None:
        path.write_text(content, encoding="utf-8")

    with pytest.raises(ValueError, match=r"baseline\.json") as raised:
        load_baseline(path)
    assert expected in str(raised.value)


def test_a_per_document_report_is_refused(tmp_path: Path) -> None:
    report = audit_file(write_article(tmp_path, ARTICLE), tmp_path)
    (tmp_path / "bridges.json").write_text(report_json(report), encoding="utf-8")

    with pytest.raises(ValueError, match="per-document report"):
        load_baseline(tmp_path / "bridges.json")


def test_write_baseline_is_atomic_and_creates_folders(tmp_path: Path) -> None:
    report = audit_file(write_article(tmp_path, ARTICLE), tmp_path)
    target = tmp_path / "ci" / "citecheck-baseline.json"

    write_baseline(target, [report], root=tmp_path)

    assert [path.name for path in target.parent.iterdir()] == [target.name]  # no temporary file left behind


def test_empty_audit_writes_an_empty_baseline(tmp_path: Path) -> None:
    assert write_baseline(tmp_path / "baseline.json", []) == 0
    assert len(load_baseline(tmp_path / "baseline.json")) == 0


@pytest.mark.seeds
def test_seed_documents_baseline_accepts_a_rerun(tmp_path: Path) -> None:
    sources = sorted(shared_path("seeds").glob("*.txt"))
    reports = [audit_file(source, source.parent) for source in sources]
    total = sum(len(report.findings) for report in reports)

    assert write_baseline(tmp_path / "baseline.json", reports, root=sources[0].parent) == total > 0
    rerun = [audit_parsed(read_document(source), OPTIONS, OFFLINE_STATE) for source in sources]
    assert mark_new(rerun, load_baseline(tmp_path / "baseline.json"), root=sources[0].parent) == 0
