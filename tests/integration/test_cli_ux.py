"""The CLI as a ruff, pytest or lychee user meets it: finding lines, strict flags, honest exit codes, one-line errors.

Each behaviour is checked through Click's runner (exit code, first lines of
output) and, where it matters that nothing else leaks (tracebacks, imports),
as a real subprocess.  Offline throughout: the online parts live in
``test_cli_ux_online.py``.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from citecheck.cli import main
from citecheck.models import DOI_OFFLINE_REASON

CITECHECK = [sys.executable, "-m", "citecheck.cli"]
ANSI = re.compile(r"\x1b\[[0-9;]*m")
LINE_RE = re.compile(r"^(?P<path>[^:\s]+):(?P<line>\d+): (?P<code>CC\d{3}) (?P<name>[a-z0-9-]+) ")

ARTICLE = """A small article

The first claim is cited.[1] The second claim is not. A third cites a missing note.[7]

References

  1. Doe, Jane (3 March 2020). "A title". The Daily Example. Retrieved 1 March 2020.
  2. "Never cited". Example Press. 2019.
"""
CALM = """A calm note

The only claim is cited.[1]

References

  1. Doe, Jane (3 March 2020). "A title". The Daily Example. Retrieved 9 March 2020.
"""


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NO_COLOR", raising=False)
    (tmp_path / ".git").mkdir()  # the repository root: settings are not looked for above it
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "article.txt").write_text(ARTICLE, encoding="utf-8")
    (docs / "calm.txt").write_text(CALM, encoding="utf-8")
    return tmp_path


def _run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), input=stdin, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def _subprocess(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key not in ("CI", "GITHUB_ACTIONS", "NO_COLOR")}
    return subprocess.run(
        [*CITECHECK, *args], cwd=cwd, env=env, input=stdin, capture_output=True, text=True, timeout=120
    )


# --------------------------------------------------------------------------- terminal output like a linter's


def test_summary_line_then_one_line_per_finding_worst_document_first(workdir: Path) -> None:
    code, out, err = _run("audit", "docs", "--offline")
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == "2 documents, 3 references, 4 claims: 2 errors, 1 warning, 5 info → reports/index.md"
    findings = [LINE_RE.match(line) for line in lines[1:-1]]
    assert all(findings), lines
    assert [(m["path"], m["line"], m["code"]) for m in findings if m] == [
        ("docs/article.txt", "3", "CC104"),
        ("docs/article.txt", "7", "CC401"),
        ("docs/article.txt", "8", "CC105"),
    ]
    assert lines[1].endswith("marker [7] points to no reference in the list")
    assert lines[-1] == "(5 findings below warning not listed; --show info lists all)"
    assert "\x1b[" not in out  # not a terminal: no colour
    assert "note: Offline audit" in err


def test_lines_are_capped_with_a_pointer_to_the_index(workdir: Path) -> None:
    code, out, _ = _run("audit", "docs", "--offline", "--show", "info", "--max-lines", "2")
    lines = out.splitlines()
    assert code == 1 and len(lines) == 4
    assert lines[3] == "… and 6 more (see reports/index.md)"


def test_output_formats(workdir: Path) -> None:
    _, grouped, _ = _run("audit", "docs", "--offline", "--output-format", "grouped")
    assert grouped.splitlines()[1:5] == [
        "docs/article.txt",
        "  3: CC104 dangling-marker marker [7] points to no reference in the list",
        "  7: CC401 accessed-before-published reference 1 was retrieved 2020-03-01 but published 2020-03-03",
        "  8: CC105 unused-reference no in-text marker points to reference 2",
    ]
    _, as_json, err = _run("audit", "docs", "--offline", "--output-format", "json", "--show", "info")
    rows = json.loads(as_json)  # stdout is only JSON; the summary line went to stderr
    assert err.startswith("2 documents, 3 references")
    assert len(rows) == 8 and rows[0]["code"] == "CC104" and rows[0]["document"] == "docs/article.txt"
    assert {"line", "severity", "subject", "detail", "message", "repair", "fingerprint"} <= set(rows[0])
    _, full, _ = _run("audit", "docs/article.txt", "--offline", "--output-format", "full")
    assert LINE_RE.match(full.splitlines()[1])
    code, _, err = _run("audit", "docs", "--offline", "--output-format", "fancy")
    assert code == 2 and err.count("\n") == 1 and "fancy" in err


def test_colour_only_when_asked_or_at_a_terminal(workdir: Path) -> None:
    _, coloured, _ = _run("audit", "docs", "--offline", "--color")
    assert "\x1b[1;31mCC104\x1b[0m" in coloured
    assert ANSI.sub("", coloured) == _run("audit", "docs", "--offline")[1]


def test_quiet_prints_only_errors_and_the_exit_status(workdir: Path) -> None:
    code, out, err = _run("audit", "docs", "--offline", "-q")
    assert code == 1
    assert out.splitlines() == [
        "docs/article.txt:3: CC104 dangling-marker marker [7] points to no reference in the list",
        "docs/article.txt:7: CC401 accessed-before-published reference 1 was retrieved 2020-03-01 but published "
        "2020-03-03",
        "exit 1",
    ]
    assert err == ""  # no notes
    code, out, _ = _run("audit", "docs/calm.txt", "--offline", "-q")
    assert (code, out) == (0, "exit 0\n")


def test_plurals_are_right(workdir: Path) -> None:
    _, out, _ = _run("audit", "docs/calm.txt", "--offline")
    assert out.startswith("1 document, 1 reference, 1 claim: 0 errors, 0 warnings, 1 info")


def test_pre_commit_hook_prints_the_same_lines(workdir: Path) -> None:
    import yaml

    hook = yaml.safe_load((Path(__file__).resolve().parents[2] / ".pre-commit-hooks.yaml").read_text())[0]
    entry = hook["entry"].split()
    assert entry[:2] == ["citecheck", "audit"]
    code, out, _ = _run(*entry[1:], "docs/article.txt")
    assert code == 1
    assert "docs/article.txt:3: CC104 dangling-marker" in out


# --------------------------------------------------------------------------- strict selection


def test_unknown_codes_and_names_exit_2_with_a_suggestion(workdir: Path) -> None:
    code, out, err = _run("audit", "docs", "--offline", "--select", "CC2O1")
    assert code == 2 and out == ""
    assert (
        err == "citecheck: error: --select: 'CC2O1' is not a finding code, code prefix or finding name; "
        "did you mean CC201 (dead-link)?\n"
    )
    code, _, err = _run("audit", "docs", "--offline", "--ignore", "dead-lnk")
    assert code == 2 and "did you mean CC201 (dead-link)?" in err
    code, _, err = _run("audit", "docs", "--offline", "--select", "foo")
    assert code == 2 and "'foo' is not a finding code" in err


def test_finding_names_are_aliases_of_codes(workdir: Path) -> None:
    by_code = _run("audit", "docs", "--offline", "--select", "CC104", "--output-format", "json")[1]
    by_name = _run("audit", "docs", "--offline", "--select", "dangling-marker", "--output-format", "json")[1]
    assert by_code == by_name and json.loads(by_name)[0]["code"] == "CC104"
    code, _, _ = _run("audit", "docs", "--offline", "--ignore", "dangling-marker,accessed-before-published")
    assert code == 0


def test_unknown_codes_in_the_settings_file_name_the_file_and_key(workdir: Path) -> None:
    (workdir / "pyproject.toml").write_text('[tool.citecheck]\nselect = ["bogus"]\n', encoding="utf-8")
    code, _, err = _run("audit", "docs", "--offline")
    assert code == 2
    assert err.startswith(f"citecheck: error: {workdir / 'pyproject.toml'}: select: 'bogus' is not a finding code")


# --------------------------------------------------------------------------- every failure path


def test_bad_out_is_one_line_and_exit_2(workdir: Path) -> None:
    (workdir / "taken").write_text("a file", encoding="utf-8")
    code, _, err = _run("audit", "docs", "--offline", "--out", "taken")
    assert code == 2 and err == "citecheck: error: --out taken: is a file, not a folder\n"
    code, _, err = _run("audit", "docs", "--offline", "--out", "taken/reports")
    assert code == 2 and "so the folder cannot be created" in err


@pytest.mark.parametrize("url", ["http://[::g]/", "https://[zz]:99/x", "http://host:port/"])
def test_a_url_urllib_cannot_read_is_a_usage_error_for_check_not_a_crash(workdir: Path, url: str) -> None:
    for offline in (["--offline"], []):
        code, _, err = _run("check", *offline, "--cache", str(workdir / "store.db"), url)
        assert code == 2 and err.startswith(f"citecheck: error: {url!r} is not a web address ("), err
        assert err.count("\n") == 1


def test_an_unusable_url_inside_a_citation_is_left_out_as_in_an_audit(workdir: Path) -> None:
    code, out, err = _run("check", "--offline", "{{cite web |url=http://[::g]/ |title=A title |website=Site}}")
    assert code in (0, 1) and "internal error" not in err, err
    assert "CC102" in out  # the reference is checked without the URL, as the audit's readers leave it out


def test_unwritable_store_is_an_error_not_offline_mode(workdir: Path) -> None:
    (workdir / "blocker").write_text("a file", encoding="utf-8")
    code, out, err = _run("audit", "docs", "--cache", "blocker/cache.sqlite")
    assert code == 2 and out == ""
    assert err.startswith("citecheck: error: --cache blocker/cache.sqlite: blocker is a file")
    assert "--offline" in err  # says what to do
    assert not (workdir / "reports").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_read_only_store_folder_is_an_error(workdir: Path) -> None:
    locked = workdir / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        code, _, err = _run("audit", "docs", "--cache", "locked/cache.sqlite")
    finally:
        locked.chmod(0o700)
    assert code == 2 and "cannot write in locked" in err


def test_dask_without_the_extra_says_how_to_install_it(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *args: None if name == "distributed" else real(name, *args)
    )
    code, _, err = _run("audit", "docs", "--offline", "--executor", "dask")
    assert code == 2
    assert err == "citecheck: error: --executor dask needs the dask extra: pip install 'citecheck[dask]'\n"


def test_click_usage_errors_are_one_line_too(workdir: Path) -> None:
    code, _, err = _run("audit", "--no-such-flag")
    assert code == 2 and err.count("\n") == 1
    assert err.startswith("citecheck: error: No such option") and "--no-such-flag" in err
    code, _, err = _run("audti")
    assert code == 2 and err.count("\n") == 1 and "No such command 'audti'" in err
    code, _, err = _run("audit", "docs", "--fail-on", "sometimes")
    assert code == 2 and err.count("\n") == 1 and "'sometimes' is not one of" in err


def test_broken_links_and_fifos_in_a_folder_are_listed_as_not_audited(workdir: Path) -> None:
    docs = workdir / "docs"
    (docs / "gone.md").symlink_to(workdir / "nowhere.md")
    os.mkfifo(docs / "pipe.txt")
    code, out, err = _run("audit", "docs", "--offline", "--fail-on", "never")
    assert code == 2
    assert "citecheck: error: docs/gone.md: a broken symbolic link; not audited" in err.splitlines()
    assert "citecheck: error: docs/pipe.txt: a FIFO (named pipe), not a regular file; not audited" in err.splitlines()
    assert "2 documents not audited" in out.splitlines()[0]
    summary = json.loads((workdir / "reports" / "summary.json").read_text())
    assert {(Path(error["path"]).name, error["kind"]) for error in summary["errors"]} == {
        ("gone.md", "not-audited"),
        ("pipe.txt", "not-audited"),
    }
    assert len(summary["documents"]) == 2  # the readable ones were audited
    index = (workdir / "reports" / "index.md").read_text()
    assert "## Not audited (2)" in index and "docs/pipe.txt" in index


def test_write_baseline_exits_0_once_written(workdir: Path) -> None:
    code, _, err = _run("audit", "docs", "--offline", "--write-baseline", "baseline.json")
    assert code == 0
    assert "baseline written: baseline.json (8 findings accepted)" in err
    assert json.loads((workdir / "baseline.json").read_text())["schema"] == "citecheck/baseline@1"
    code, _, _ = _run("audit", "docs", "--offline", "--baseline", "baseline.json")
    assert code == 0  # nothing new
    code, _, err = _run("audit", "docs", "--offline", "--write-baseline", "docs")
    assert code == 2 and "--write-baseline docs: is a folder" in err


def test_a_check_that_raises_costs_only_its_document_and_exits_4(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import citecheck.pipeline as pipeline

    real = pipeline.run_offline_checks

    def flaky(context):  # type: ignore[no-untyped-def]
        if context.document.path.endswith("article.txt"):
            raise KeyError("a bug in a check")
        return real(context)

    monkeypatch.setattr(pipeline, "run_offline_checks", flaky)
    code, _out, err = _run("audit", "docs", "--offline")
    assert code == 4
    assert "Traceback" not in err
    assert "docs/article.txt: internal error while checking (KeyError: 'a bug in a check')" in err
    assert "run again with --debug for the traceback" in err
    summary = json.loads((workdir / "reports" / "summary.json").read_text())
    assert [Path(doc["path"]).name for doc in summary["documents"]] == ["calm.txt"]
    assert summary["errors"][0]["kind"] == "internal-error" and summary["exit_code"] == 4
    assert (workdir / "reports" / "calm.md").exists() and not (workdir / "reports" / "article.md").exists()
    assert "## Not audited (1)" in (workdir / "reports" / "index.md").read_text()
    _, _, debug = _run("audit", "docs", "--offline", "--debug")
    assert "Traceback (most recent call last)" in debug and "KeyError: 'a bug in a check'" in debug


def test_a_bug_outside_any_document_is_one_line_and_exit_4(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import citecheck.pipeline as pipeline

    def broken(*args: object) -> None:
        raise RuntimeError("stage exploded")

    monkeypatch.setattr(pipeline, "output_stems", broken)
    code, out, err = _run("audit", "docs", "--offline")
    assert code == 4 and out == ""
    assert err == (
        "citecheck: internal error: RuntimeError: stage exploded "
        "(a bug in citecheck; run again with --debug for the traceback and report it)\n"
    )
    code, _, err = _run("audit", "docs", "--offline", "-v")
    assert code == 4 and "Traceback (most recent call last)" in err


def test_a_network_stage_bug_leaves_references_not_checked_and_reports_written(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import citecheck.pipeline as pipeline

    def broken(*args: object) -> None:
        raise TypeError("resolve bug")

    monkeypatch.setattr(pipeline, "run_planned_network_stage", broken)
    code, _, err = _run("audit", "docs", "--offline")
    assert code == 4
    assert "citecheck: internal error: network stage: TypeError: resolve bug" in err
    summary = json.loads((workdir / "reports" / "summary.json").read_text())
    assert summary["internal_errors"] == ["network stage: TypeError: resolve bug"]
    assert len(summary["documents"]) == 2
    assert "## Internal errors" in (workdir / "reports" / "index.md").read_text()


def test_failures_as_subprocesses_print_no_traceback(workdir: Path) -> None:
    (workdir / "taken").write_text("x", encoding="utf-8")
    for args in (
        ["audit", "missing"],
        ["audit", "docs", "--offline", "--out", "taken"],
        ["audit", "docs", "--offline", "--select", "nope"],
        ["audit", "docs", "--offline", "--exclude", "("],
        ["check", "asdf qwerty", "--offline"],
    ):
        run = _subprocess(*args, cwd=workdir)
        assert run.returncode == 2, (args, run.stderr)
        assert run.stderr.count("\n") == 1 and run.stderr.startswith("citecheck: error: "), run.stderr
        assert "Traceback" not in run.stderr


# --------------------------------------------------------------------------- settings


def test_settings_are_found_from_a_subfolder(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (workdir / "pyproject.toml").write_text('[tool.citecheck]\nfail-on = "never"\nout = "audit"\n', encoding="utf-8")
    monkeypatch.chdir(workdir / "docs")
    code, out, _ = _run("audit", "article.txt", "--offline")
    assert code == 0
    assert (workdir / "audit" / "article.json").exists()  # relative to the settings file, not to here
    assert out.splitlines()[0].endswith(f"→ {workdir / 'audit'}/index.md")


def test_settings_above_the_repository_root_are_not_used(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    inner = workdir / "inner"
    (inner / ".git").mkdir(parents=True)
    (inner / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (workdir / "citecheck.toml").write_text('fail-on = "never"\n', encoding="utf-8")
    monkeypatch.chdir(inner)
    assert _run("audit", "a.txt", "--offline")[0] == 1  # the outer file belongs to another repository


def test_settings_errors_name_the_file_the_key_and_what_is_allowed(workdir: Path) -> None:
    settings = workdir / "pyproject.toml"
    cases = {
        'fail-on = "sometimes"': "fail-on: must be one of error, warning, never (got 'sometimes')",
        'fial-on = "error"': "fial-on: unknown setting; did you mean fail-on?",
        "concurrency = 0": "concurrency: must be at least 1 (got 0)",
        'concurrency = "many"': "concurrency: must be a whole number (got 'many')",
        'format = "md,pdf"': "format: unknown report format 'pdf'; choose from md, json, sarif, jsonl, github, junit",
        'max-cache-age = "soon"': "max-cache-age: 'soon' is not a duration; write it like 1d, 12h, 30m or 90s",
        'exclude = ["("]': "exclude: '(' is not a regular expression",
        '[tool.citecheck.hosts."example.org"]\nrate = -1': "hosts.example.org.rate: must be more than 0 (got -1)",
        '[tool.citecheck.hosts."example.org"]\nspeed = 3': "unknown setting (a host table takes concurrency, rate,",
    }
    for line, expected in cases.items():
        settings.write_text(f"[tool.citecheck]\n{line}\n", encoding="utf-8")
        code, _, err = _run("audit", "docs", "--offline")
        assert code == 2, line
        assert err.startswith(f"citecheck: error: {settings}: "), err
        assert expected in err, (line, err)
        assert err.count("\n") == 1
        for pydantic_words in ("Value error,", "Extra inputs are not permitted", "Input should be", "validation error"):
            assert pydantic_words not in err, err


def test_flag_errors_name_the_flag(workdir: Path) -> None:
    code, _, err = _run("audit", "docs", "--offline", "--concurrency", "0")
    assert code == 2 and err == "citecheck: error: --concurrency: must be at least 1 (got 0)\n"
    code, _, err = _run("audit", "docs", "--offline", "--format", "md,pdf")
    assert code == 2 and err.startswith("citecheck: error: --format: unknown report format 'pdf'")
    code, _, err = _run("audit", "docs", "--offline", "--header", "no colon")
    assert code == 2 and "--header 'no colon': write it as 'Name: value'" in err
    code, _, err = _run("audit", "docs", "--offline", "--max-cache-age", "later")
    assert code == 2 and "--max-cache-age: 'later' is not a duration" in err


def test_quiet_prints_no_notes(workdir: Path) -> None:
    _, _, err = _run("audit", "docs/calm.txt", "--offline", "-q")
    assert err == ""


# --------------------------------------------------------------------------- lychee parity


def test_exclude_include_and_the_ignore_file(workdir: Path) -> None:
    (workdir / "docs" / "links.md").write_text(
        "Claims.[^a] More.[^b] And more.[^c]\n\n"
        '[^a]: "One". Example. 2020. https://skip.example/one\n'
        '[^b]: "Two". Example. 2020. https://keep.example/two\n'
        '[^c]: "Three". Example. 2020. https://ignored.example/three\n',
        encoding="utf-8",
    )
    (workdir / ".citecheckignore").write_text("# private mirrors\nignored\\.example\n", encoding="utf-8")
    _code, _, err = _run(
        "audit", "docs/links.md", "--offline", "--exclude", r"(skip|keep)\.", "--include", "keep", "--format", "md,json"
    )
    report = json.loads((workdir / "reports" / "links.json").read_text())
    live = {reference["url"]: reference["live"] for reference in report["references"]}
    assert live["https://skip.example/one"]["reason"] == r"excluded by --exclude '(skip|keep)\.'"
    assert live["https://keep.example/two"]["reason"] is None  # --include wins; offline, so simply not checked
    assert live["https://ignored.example/three"]["reason"] == "excluded by .citecheckignore line 2"
    assert all(item["status"] == "not-checked" for item in live.values())
    assert "2 cited URLs were not checked" in err
    markdown = (workdir / "reports" / "links.md").read_text()
    assert r"not-checked: excluded by --exclude '(skip\|keep)\\.'" in markdown


def test_junit_output(workdir: Path) -> None:
    _code, _, _ = _run("audit", "docs", "--offline", "--format", "md,json,junit")
    root = ET.parse(workdir / "reports" / "junit.xml").getroot()
    assert root.tag == "testsuites" and root.get("name") == "citecheck"
    suites = {suite.get("name"): suite for suite in root}
    article = suites["docs/article.txt"]
    assert article.get("failures") == "3"  # ref 1 (CC401), ref 2 (CC105, a warning) and the document (CC104)
    failing = {case.get("name") for case in article if case.find("failure") is not None}
    assert failing == {"document", "reference 1: A title", "reference 2: Never cited"}
    failure = next(case for case in article if case.get("name") == "document").find("failure")
    assert failure is not None and failure.get("message") == "CC104 dangling-marker"
    assert "docs/article.txt:3: CC104 dangling-marker" in (failure.text or "")
    assert suites["docs/calm.txt"].get("failures") == "0"
    assert int(root.get("tests", "0")) == sum(int(suite.get("tests", "0")) for suite in root)


# --------------------------------------------------------------------------- check


def test_check_reads_several_citations_from_stdin(workdir: Path) -> None:
    lines = (
        'Doe, Jane (3 March 2020). "A title". Retrieved 9 March 2020.\n'
        "\n"
        '"Budget approved". The Daily Example. 14 April 2011. Retrieved 8 April 2011.\n'
        "{{cite web |url=https://example.org/a\n |title=Split template |access-date=2 March 2025}}\n"
    )
    code, out, _err = _run("check", "-", "--offline", stdin=lines)
    assert code == 1  # the second has an error
    headers = [line for line in out.splitlines() if line.startswith("== ")]
    assert [header.split("]")[0] for header in headers] == ["== [1/3", "== [2/3", "== [3/3"]
    assert "CC401 error accessed-before-published" in out
    code, out, _ = _run("check", "-", "--offline", "--format", "json", stdin=lines)
    results = [json.loads(line) for line in out.splitlines()]
    assert [result["reference"]["kind"] for result in results] == ["numbered", "numbered", "template"]
    assert results[2]["reference"]["url"] == "https://example.org/a"


def test_check_says_plainly_when_input_is_not_a_citation(workdir: Path) -> None:
    for garbage in ("asdf", "The quick brown fox jumps over the lazy dog.", "12345"):
        code, out, err = _run("check", garbage, "--offline")
        assert code == 2 and out == ""
        assert err.startswith("citecheck: error: this does not look like a citation or a URL: "), err
        assert err.count("\n") == 1
    code, out, err = _run("check", "-", "--offline", stdin="asdf\nhttps://example.org/x\n")
    assert code == 2
    assert "citecheck: error: line 1: this does not look like a citation or a URL" in err
    assert "https://example.org/x" in out  # the good line was still checked
    code, _, err = _run("check", "-", "--offline", stdin="\n\n")
    assert code == 2 and "nothing to check on standard input" in err


def test_check_takes_a_doi(workdir: Path) -> None:
    for doi in ("10.1038/nature12373", "doi:10.1038/nature12373", "https://doi.org/10.1038/nature12373"):
        code, out, _ = _run("check", doi, "--offline", "--format", "json")
        assert code == 0
        reference = json.loads(out)["reference"]
        # The DOI is an identifier the DOI system resolves, never its landing page as the cited URL.
        assert reference["identifiers"]["doi"] == "10.1038/nature12373" and reference["url"] is None


# --------------------------------------------------------------------------- start-up cost


HEAVY = ("httpx", "httpcore", "bs4", "lxml", "rich", "trafilatura", "htmldate", "warcio", "mwparserfromhell")


def _module_names(code: str) -> tuple[str, set[str]]:
    """What ``code`` printed, and the full name of every module loaded once it ran."""
    probe = f"import sys\n{code}\nprint('modules: ' + ' '.join(sorted(sys.modules)))"
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    output, _, modules = run.stdout.rpartition("modules: ")
    return output, set(modules.split())


def _modules_imported(code: str) -> set[str]:
    """The full name of every module ``code`` imported: loaded once it ran and not before it started.

    (The suite's network guard, installed in every child process, loads ``http.client`` and ``ssl`` at start-up:
    for those, this can only say that nothing citecheck imported pulled them in again.)
    """
    report = "print('modules: ' + ' '.join(sorted(set(sys.modules) - before)))"
    probe = f"import sys\nbefore = set(sys.modules)\n{code}\n{report}"
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    return set(run.stdout.rpartition("modules: ")[2].split())


def _modules_loaded(code: str) -> set[str]:
    return {name.split(".")[0] for name in _module_names(code)[1]}


def test_import_help_and_version_load_nothing_heavy() -> None:
    assert not _modules_loaded("import citecheck") & {*HEAVY, "pydantic", "click"}
    for argv in (["--help"], ["--version"], ["audit", "--help"], ["check", "--help"]):
        code = f"from citecheck.cli import main\ntry:\n    main({argv!r})\nexcept SystemExit:\n    pass\n"
        loaded = _modules_loaded(code)
        assert not loaded & {*HEAVY, "pydantic"}, (argv, loaded & {*HEAVY, "pydantic"})


def test_version_is_the_package_metadata_s_read_without_importlib_metadata() -> None:
    """Importing importlib.metadata and scanning the installed distributions was a third of ``--version``."""
    import importlib.metadata

    code = (
        "from citecheck.cli import main\n"
        "try:\n    main(['--version'], prog_name='citecheck')\n"
        "except SystemExit:\n    pass\n"
    )
    output, loaded = _module_names(code)
    assert output == f"citecheck, version {importlib.metadata.version('citecheck')}\n"
    assert "importlib.metadata" not in loaded
    for argv in (["--help"], ["check", "--help"]):
        code = f"from citecheck.cli import main\ntry:\n    main({argv!r})\nexcept SystemExit:\n    pass\n"
        assert "importlib.metadata" not in _module_names(code)[1], argv


def test_check_offline_without_a_settings_file_reads_no_toml(tmp_path: Path) -> None:
    """No settings file found: no TOML parser; no unknown key: no fuzzy suggestion (difflib)."""
    code = (
        "import os\n"
        f"os.chdir({str(tmp_path)!r})\n"
        "from citecheck.cli import main\n"
        "try:\n"
        "    main(['check', '--offline', 'Doe, J. (2020). \"A title\". The Ex.'])\n"
        "except SystemExit:\n    pass\n"
    )
    output, loaded = _module_names(code)
    assert "no problems found offline" in output
    assert not loaded & {"tomllib", "difflib"}, loaded & {"tomllib", "difflib"}


# The resolve stage's HTTP layer, and the event loop it runs on: loaded only when a request is going to be sent.
RESOLVE_HTTP = ("citecheck.resolve.api_http", "citecheck.resolve.web", "citecheck.resolve.doi_resolver", "asyncio")


@pytest.mark.parametrize(
    "citation",
    [
        'Doe, Jane (3 March 2020). \\"A title\\". Retrieved 9 March 2020.',
        # a DOI with no store to remember it: the identifier stage runs and its record is "not checked"
        "Doe, Jane (2013). A title. A Journal. doi:10.1000/xyz123",
    ],
)
def test_check_offline_loads_no_network_module(tmp_path: Path, citation: str) -> None:
    code = (
        "import os\n"
        f"os.chdir({str(tmp_path)!r})\n"
        "from citecheck.cli import main\n"
        "try:\n"
        f"    main(['check', '--offline', '--format', 'json', \"{citation}\"])\n"
        "except SystemExit:\n    pass\n"
    )
    output, names = _module_names(code)
    loaded = {name.split(".")[0] for name in names}
    assert not loaded & set(HEAVY), loaded & set(HEAVY)
    assert not names & set(RESOLVE_HTTP), names & set(RESOLVE_HTTP)
    if "doi:" in citation:
        assert "citecheck.resolve.identifiers" in names  # the normal stage, not a stand-in for it
        record = json.loads(output)["reference"]["doi_record"]
        assert record["doi"] == "10.1000/xyz123" and record["reason"] == DOI_OFFLINE_REASON, record


NETWORK_STACK = ("httpx", "httpcore", "h2", "bs4", "soupsieve")
# What only a run that sends requests (or reads a store) uses: the event loop and TLS under it, the cookie jar,
# and the resolve stage's network modules — the session, the HTTP client, the live checker, the archive
# resolver and the Internet Archive's dialect, Save Page Now, the source reader, the page and wiki clients.
OFFLINE_AUDIT_UNUSED = (
    "asyncio",
    "ssl",
    "http.cookiejar",
    "citecheck.resolve.stage",
    "citecheck.resolve.web",
    "citecheck.resolve.run_client",
    "citecheck.resolve.politeness",
    "citecheck.resolve.live",
    "citecheck.resolve.archive.resolver",
    "citecheck.resolve.archive.ia",
    "citecheck.resolve.archive.save",
    "citecheck.resolve.sources",
    "citecheck.resolve.api_http",
    "citecheck.resolve.mediawiki",
    "citecheck.web_documents",
)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_audit_offline_loads_no_network_module(tmp_path: Path, jobs: str) -> None:
    """An offline audit of every document format, with every report format and no store, never imports the HTTP
    stack, the event loop or the resolve stage's network modules (``--jobs``: the parent process's)."""
    documents = tmp_path / "docs"
    documents.mkdir()
    cite = 'Doe, Jane (3 March 2020). "A title". Retrieved 9 March 2020.'
    link = "https://example.org/a"
    archived = "https://web.archive.org/web/20150101000000/https://example.org/a"
    (documents / "notes.txt").write_text(f"A claim.[1]\n\nReferences\n\n1. {cite} {link}\n", encoding="utf-8")
    (documents / "notes.md").write_text(
        f"# Notes\n\nA claim.[^1]\n\n[^1]: {cite} <{link}> ([archived]({archived}))\n", encoding="utf-8"
    )
    (documents / "article.wiki").write_text(
        "A claim.<ref>{{cite web |url="
        + link
        + " |title=A title |date=3 March 2020 |archive-url="
        + archived
        + " |archive-date=1 January 2015 |url-status=dead}}</ref>\n\n== References ==\n<references />\n",
        encoding="utf-8",
    )
    (documents / "page.html").write_text(
        f'<html><body><p>A claim.<sup><a href="#r1">1</a></sup></p><ol><li id="r1">{cite} '
        f'<a href="{link}">{link}</a></li></ol></body></html>\n',
        encoding="utf-8",
    )
    out = tmp_path / "reports"
    code = (
        "import contextlib, io\n"
        "from citecheck.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"  # the findings: only the module names are printed
        "    try:\n"
        f"        main(['audit', {str(documents)!r}, '--offline', '-q', '--out', {str(out)!r},"
        f" '--cache', {str(tmp_path / 'store.db')!r}, '--format', 'md,json,sarif,junit', '--jobs', {jobs!r}])\n"
        "    except SystemExit:\n        pass\n"
    )
    names = _modules_imported(code)
    loaded = {name.split(".")[0] for name in names}
    assert (out / "index.md").exists() and len(list(out.glob("*.json"))) > 4, sorted(out.iterdir())
    assert {"citecheck.pipeline", "citecheck.resolve.plan"} <= names  # the probe saw the audit's imports
    assert not (tmp_path / "store.db").exists()  # no store: nothing read, nothing created
    assert not loaded & set(NETWORK_STACK), loaded & set(NETWORK_STACK)
    assert not names & set(OFFLINE_AUDIT_UNUSED), sorted(names & set(OFFLINE_AUDIT_UNUSED))


def test_audit_offline_of_markdown_loads_no_other_reader(tmp_path: Path) -> None:
    """The HTML readers (lxml) and the wikitext parser load for documents or pages of theirs, not for every audit."""
    documents = tmp_path / "docs"
    documents.mkdir()
    (documents / "notes.md").write_text(
        '# Notes\n\nA claim.[^1]\n\n[^1]: Doe, Jane (3 March 2020). "A title". <https://example.org/a>\n',
        encoding="utf-8",
    )
    out = tmp_path / "reports"
    code = (
        "import contextlib, io\n"
        "from citecheck.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n"
        f"        main(['audit', {str(documents)!r}, '--offline', '-q', '--out', {str(out)!r},"
        f" '--cache', {str(tmp_path / 'store.db')!r}])\n"
        "    except SystemExit:\n        pass\n"
    )
    _, names = _module_names(code)
    assert (out / "index.md").exists() and (out / "notes.md").exists(), sorted(out.iterdir())
    readers = {"lxml", "mwparserfromhell", "citecheck.documents.html", "citecheck.documents.wikitext"}
    loaded = names | {name.split(".")[0] for name in names}
    assert not loaded & readers, loaded & readers


@pytest.mark.parametrize(
    "citation",
    [
        'Doe, Jane (3 March 2020). \\"A title\\". Retrieved 9 March 2020.',
        "https://example.org/report",
        "Doe, Jane (2013). A title. A Journal. doi:10.1000/xyz123",
    ],
)
def test_check_offline_reads_no_builtin_s_text_signature(tmp_path: Path, citation: str) -> None:
    """Pydantic takes the signature of every default factory; for ``list`` or ``dict`` that is parsed with the
    tokenizer, whose pattern is compiled on the first use (issue 17: a fortieth of ``check --offline``).  The
    models' factories are Python functions (``citecheck.field_defaults``), so the tokenizer never runs."""
    code = (
        "import os, tokenize\n"
        f"os.chdir({str(tmp_path)!r})\n"
        "from citecheck.cli import main\n"
        "try:\n"
        f"    main(['check', '--offline', '--format', 'json', \"{citation}\"])\n"
        "except SystemExit:\n    pass\n"
        "print('tokenizer patterns: ' + str(tokenize._compile.cache_info().currsize))\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert '"findings"' in run.stdout, run.stdout + run.stderr
    assert run.stdout.rstrip().endswith("tokenizer patterns: 0"), run.stdout[-200:]


@pytest.mark.parametrize("output_format", ["text", "json", "md"])
def test_check_offline_builds_only_what_it_uses(tmp_path: Path, output_format: str) -> None:
    """Issue 17's start-up budget: no fuzzy matcher, no validators for documents, claims or reports."""
    code = (
        "import os\n"
        f"os.chdir({str(tmp_path)!r})\n"
        "from citecheck.cli import main\n"
        "try:\n"
        f"    main(['check', '--offline', '--format', {output_format!r}, 'Doe, J. (2020). \"A title\". The Ex.'])\n"
        "except SystemExit:\n    pass\n"
        "import citecheck.models as models\n"
        "built = [name for name in ('ParsedDocument', 'Section', 'Paragraph', 'Claim', 'DocumentReport',"
        " 'AuditSummary', 'EvidenceReport') if getattr(models, name).__pydantic_complete__]\n"
        "print('built:' + ','.join(built))\n"
    )
    probe = f"import sys\n{code}\nprint(' '.join(sorted({{m.split('.')[0] for m in sys.modules}})))"
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert "no problems found offline" in run.stdout or '"findings"' in run.stdout, run.stdout + run.stderr
    built = next(line for line in run.stdout.splitlines() if line.startswith("built:"))
    assert built == "built:", built
    loaded = set(run.stdout.splitlines()[-1].split())
    assert not loaded & {*HEAVY, "rapidfuzz"}, loaded & {*HEAVY, "rapidfuzz"}


def test_reports_are_readable_by_others(workdir: Path) -> None:
    previous = os.umask(0o022)
    try:
        _run("audit", "docs", "--offline", "--format", "md,json,sarif,junit")
    finally:
        os.umask(previous)
    modes = {path.name: path.stat().st_mode & 0o777 for path in (workdir / "reports").iterdir()}
    assert modes and set(modes.values()) == {0o644}, modes


def test_error_lines_carry_no_terminal_escapes_or_bidi_from_paths(workdir: Path) -> None:
    hostile = "missing\x1b[31mred\u202eevil\x07"
    result = CliRunner().invoke(main, ["audit", hostile, "--offline"])
    assert result.exit_code == 2
    line = result.stderr.strip()
    assert line.startswith("citecheck: error: ")
    assert "missing" in line and "red" in line
    assert not any(char in line for char in ("\x1b", "\u202e", "\x07"))
