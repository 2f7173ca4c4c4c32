"""The CLI end to end on small documents written by the tests (offline)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from citecheck.cli import main
from citecheck.models import DocumentReport

REPO = Path(__file__).resolve().parents[2]

ARTICLE = """A small article

The first claim is cited.[1] The second claim is not. A third cites a missing note.[7]

References

  1. Doe, Jane (3 March 2020). "A title". The Daily Example. Retrieved 1 March 2020.
  2. "Never cited". Example Press. 2019.
"""


def _run(args: list[str], cwd: Path) -> tuple[int, str, str]:
    """Run the CLI in ``cwd`` (tests chdir there through the ``workdir`` fixture)."""
    runner = CliRunner()
    assert Path.cwd() == cwd
    result = runner.invoke(main, args, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_audit_writes_reports_and_exits_on_errors(workdir: Path) -> None:
    docs = workdir / "citations"
    docs.mkdir()
    (docs / "article.txt").write_text(ARTICLE, encoding="utf-8")
    code, out, err = _run(["audit", "--offline"], workdir)
    assert code == 1  # CC401 (retrieved before published) and CC104 (dangling) are errors
    report = DocumentReport.model_validate_json((workdir / "reports" / "article.json").read_text())
    codes = {finding.code for finding in report.findings}
    assert {"CC104", "CC105", "CC401", "CC601"} <= codes
    assert report.references[0].uses == 1
    assert (workdir / "reports" / "article.md").read_text().startswith("# Citation audit")
    summary = json.loads((workdir / "reports" / "summary.json").read_text())
    assert summary["schema"] == "citecheck/summary@1"
    assert summary["exit_code"] == 1
    assert "index.md" in out
    assert "Offline" in err

    code, _, _ = _run(["audit", "--offline", "--fail-on", "never"], workdir)
    assert code == 0
    code, _, _ = _run(["audit", "--offline", "--ignore", "CC104,CC401"], workdir)
    assert code == 0
    code, _, _ = _run(["audit", "--offline", "--select", "CC6", "--fail-on", "warning"], workdir)
    assert code == 0  # only info-level CC601 selected


def test_config_from_pyproject(workdir: Path) -> None:
    (workdir / "pyproject.toml").write_text('[tool.citecheck]\nfail-on = "never"\nout = "out"\n', encoding="utf-8")
    (workdir / "a.txt").write_text(ARTICLE, encoding="utf-8")
    code, _, _ = _run(["audit", "a.txt", "--offline"], workdir)
    assert code == 0
    assert (workdir / "out" / "a.json").exists()
    code, _, _ = _run(["audit", "a.txt", "--offline", "--fail-on", "error"], workdir)
    assert code == 1  # the flag wins over the file


def test_usage_errors_exit_2_with_one_line(workdir: Path) -> None:
    code, _, err = _run(["audit", "missing-dir"], workdir)
    assert code == 2 and err.strip().count("\n") == 0 and "no such file" in err
    (workdir / "empty").mkdir()
    code, _, err = _run(["audit", "empty"], workdir)
    assert code == 2 and "no documents found" in err
    (workdir / "bad.toml").write_text("fail-on = [", encoding="utf-8")
    (workdir / "a.txt").write_text(ARTICLE, encoding="utf-8")
    code, _, err = _run(["audit", "a.txt", "--config", "bad.toml"], workdir)
    assert code == 2 and "TOML" in err
    assert not (workdir / "reports").exists()  # nothing half-written


def test_bad_documents_are_reported_and_others_still_audited(workdir: Path) -> None:
    docs = workdir / "docs"
    docs.mkdir()
    (docs / "good.txt").write_text(ARTICLE, encoding="utf-8")
    (docs / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (docs / "latin1.txt").write_bytes('Café claims.[1]\n\nReferences\n\n  1. "Título". 2001.\n'.encode("cp1252"))
    (docs / "huge.md").write_bytes(b"x" * 2048)
    code, _, err = _run(["audit", "docs", "--offline", "--fail-on", "never", "--max-document-size", "1024"], workdir)
    assert code == 2
    assert "binary" in err and "huge.md" in err
    assert "Traceback" not in err
    summary = json.loads((workdir / "reports" / "summary.json").read_text())
    assert {Path(doc["path"]).name for doc in summary["documents"]} == {"good.txt", "latin1.txt"}
    assert len(summary["errors"]) == 2
    latin = DocumentReport.model_validate_json((workdir / "reports" / "latin1.json").read_text())
    assert any("cp1252" in notice for notice in latin.notices)
    assert "Café" in latin.claims[0].text


def test_same_stem_documents_get_distinct_reports(workdir: Path) -> None:
    for folder in ("a", "b"):
        (workdir / folder).mkdir()
        (workdir / folder / "notes.txt").write_text(ARTICLE, encoding="utf-8")
    _run(["audit", "a", "b", "--offline", "--fail-on", "never"], workdir)
    assert len(list((workdir / "reports").glob("*.json"))) == 3  # two reports + summary


def test_schema_command_prints_the_report_schema(workdir: Path) -> None:
    code, out, _ = _run(["schema"], workdir)
    schema = json.loads(out)
    assert code == 0
    assert {"document", "references", "claims", "findings"} <= set(schema["properties"])
    code, out, _ = _run(["schema", "--summary"], workdir)
    assert "documents" in json.loads(out)["properties"]


def test_check_command_parses_a_citation_line(workdir: Path) -> None:
    line = 'David Jolly (13 April 2011). "Iranian Group Seeks U.S. Shield After Iraqi Raid". Retrieved 8 May 2011.'
    code, out, _ = _run(["check", line, "--offline"], workdir)
    assert code == 0
    assert "2011-04-13" in out and "2011-05-08" in out and "David Jolly" in out
    code, out, _ = _run(["check", line, "--offline", "--accessed", "1 April 2011", "--format", "json"], workdir)
    assert code == 1
    assert "CC401" in {finding["code"] for finding in json.loads(out)["findings"]}


def test_check_command_refuses_unsafe_urls(workdir: Path) -> None:
    for url in ("javascript:alert(1)", "file:///etc/passwd"):
        code, _, err = _run(["check", url, "--offline"], workdir)
        assert code == 2 and "only http(s)" in err
    code, _, err = _run(["check", "   ", "--offline"], workdir)
    assert code == 2


def test_sample_corpus_audits_cleanly_offline(workdir: Path) -> None:
    """The repository's own citations/ must parse and audit with no errors (the README's main job)."""
    code, out, _ = _run(["audit", str(REPO / "citations"), "--offline", "--out", "r"], workdir)
    summary = json.loads((workdir / "r" / "summary.json").read_text())
    assert summary["errors"] == []
    assert code == 0, out
    assert len(summary["documents"]) == 4
    for document in summary["documents"]:
        assert document["references"] >= 4
        assert document["cited_claims"] >= 3
