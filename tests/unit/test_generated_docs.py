"""The README's command list, options and finding table, and docs/ci.md's workflow, are generated from the code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
import pytest

from citecheck.checks.catalogue import RULES
from citecheck.cli import main
from citecheck.generated_docs import command_synopsis, finding_table, option_table

REPO = Path(__file__).resolve().parents[2]


def test_generated_blocks_are_up_to_date() -> None:
    pytest.importorskip("cogapp")
    run = subprocess.run(
        [sys.executable, "-m", "cogapp", "--check", "README.md", "docs/ci.md"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, (
        "README.md or docs/ci.md is out of date with the code: run `.venv/bin/cog -r README.md docs/ci.md`\n"
        + run.stdout
        + run.stderr
    )


def test_every_command_option_and_code_is_documented() -> None:
    synopsis = command_synopsis()
    for name, command in main.commands.items():
        assert f"citecheck {name} " in synopsis + " "
        for param in command.params:
            if isinstance(param, click.Option):
                assert any(opt in synopsis for opt in param.opts), (name, param.opts)
    table = finding_table()
    for code, rule in RULES.items():
        assert f"| {code} | {rule.name} | {rule.readme_severity} |" in table
    assert "`--exclude REGEX ...`" in option_table("audit")


def test_the_docs_workflow_is_the_linted_example_file() -> None:
    example = (REPO / "docs" / "examples" / "citation-audit.yml").read_text(encoding="utf-8")
    assert example in (REPO / "docs" / "ci.md").read_text(encoding="utf-8")
