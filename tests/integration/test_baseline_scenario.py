"""The CI baseline story end to end: accept today's findings, fail only on a new broken citation."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from citecheck.cli import main

ARTICLE = """# Reservoir levels

The reservoir fell to a record low in August.[^low] Engineers had warned of this in spring.[^warn]
A later study disputed the figures.[^missing]

[^low]: "Reservoir at record low". Valley Courier. 14 August 2019. https://courier.example/low Retrieved 15 August 2019.
[^warn]: "Engineers warn on water". Valley Courier. 2 April 2019. https://courier.example/warn Retrieved 3 April 2019.
"""
# A new citation read weeks before it was published: CC401, an error.
BROKEN = (
    '\nDrought rules followed in September.[^rules]\n\n[^rules]: "New drought rules". Valley Courier. '
    "20 September 2019. https://courier.example/2019/09/rules Retrieved 2 September 2019.\n"
)


def _audit(runner: CliRunner, *args: str) -> tuple[int, str]:
    result = runner.invoke(main, ["audit", "docs", "--offline", "--out", "reports", *args])
    return result.exit_code, result.output


def test_baseline_fails_only_on_the_new_finding(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    docs = tmp_path / "docs"
    docs.mkdir()
    article = docs / "reservoir.md"
    article.write_text(ARTICLE, encoding="utf-8")
    original = tmp_path / "reservoir.original"
    shutil.copy(article, original)

    # Today's state has an error already (the dangling [^missing] marker): without a baseline the run fails.
    code, _ = _audit(runner)
    assert code == 1
    code, output = _audit(runner, "--write-baseline", "citecheck-baseline.json")
    baseline = json.loads((tmp_path / "citecheck-baseline.json").read_text(encoding="utf-8"))
    assert baseline["schema"] == "citecheck/baseline@1" and baseline["findings"]
    code, output = _audit(runner, "--baseline", "citecheck-baseline.json")
    assert code == 0, output
    assert "0 findings not in the baseline" in output

    # A new broken citation: exit 1, and only that finding is new.
    article.write_text(ARTICLE + BROKEN, encoding="utf-8")
    code, output = _audit(runner, "--baseline", "citecheck-baseline.json", "--format", "md,json,github")
    assert code == 1, output
    report = json.loads((tmp_path / "reports" / "reservoir.json").read_text(encoding="utf-8"))
    new = [finding for finding in report["findings"] if finding["new"]]
    assert [finding["code"] for finding in new if finding["severity"] == "error"] == ["CC401"]
    assert all(finding["ref"] == "rules" or finding["claim"] for finding in new)
    annotations = [line for line in output.splitlines() if line.startswith("::")]
    assert annotations and all("CC401" in line or "CC601" in line or "CC102" in line for line in annotations)
    assert any(line.startswith("::error") and "CC401" in line for line in annotations)
    markdown = (tmp_path / "reports" / "reservoir.md").read_text(encoding="utf-8")
    assert f"({len(new)} new)" in markdown and "**new**" in markdown

    # Revert: back to exit 0. A summary.json works as a baseline too.
    shutil.copy(original, article)
    code, output = _audit(runner, "--baseline", "citecheck-baseline.json")
    assert code == 0, output
    code, output = _audit(runner, "--baseline", "reports/summary.json")
    assert code == 0, output


def test_a_bad_baseline_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.md").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "not-a-baseline.json").write_text('{"hello": 1}', encoding="utf-8")
    code, output = _audit(CliRunner(), "--baseline", "not-a-baseline.json")
    assert code == 2
    assert "not-a-baseline.json" in output
    assert not (tmp_path / "reports").exists()
