"""Hostile documents never crash, hang or poison an offline audit, and every report stays inert.

Each document of :data:`~tests.resilience.hostile_documents.HOSTILE_DOCUMENTS`
(huge labels, escape sequences and bidi overrides in every field, code-fence
breakers, deep nesting, thousands of references, hostile file names …) is
audited offline with every file format on; then all of them together, where
one bad document must cost only itself.  Counted: crashes (an exception out of
``audit``), hangs (over the deadline), wrong outputs (a report missing, a file
name over the limit, a raw control or bidi character in any output, markup
escaping its place) — all 0.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from citecheck import AuditOptions, audit
from citecheck.pipeline import AuditResult
from tests.property.inert import assert_reports_inert
from tests.resilience.deadline import within_deadline
from tests.resilience.hostile_documents import HOSTILE_DOCUMENTS, Hostile, write_hostile

FORMATS = ["md", "json", "sarif", "jsonl"]


def _audit(documents: list[Path], folder: Path) -> AuditResult:
    options = AuditOptions(out=folder / "reports", cache=folder / "cache.sqlite", offline=True, formats=FORMATS)
    return within_deadline(lambda: audit(documents, options))


@pytest.mark.parametrize(
    "hostile", HOSTILE_DOCUMENTS, ids=lambda hostile: hostile.name[:40].encode("ascii", "replace").decode()
)
def test_offline_audit_of_a_hostile_document(hostile: Hostile, tmp_path: Path) -> None:
    document = write_hostile(tmp_path / "docs", hostile)

    result = _audit([document], tmp_path)

    assert result.exit_code in (0, 1, 2), hostile.why
    out = tmp_path / "reports"
    assert_reports_inert(out, result)
    if hostile.name == "nul-bytes.md":
        assert result.exit_code == 2 and len(result.summary.errors) == 1  # an input error, said so, still reported
    else:
        assert result.summary.errors == [] and len(result.reports) == 1
    if hostile.name == "index.md":  # the audit's own index is not overwritten by the document's report
        assert (out / "index.md").read_text(encoding="utf-8").startswith("# Citation audit")
        assert result.summary.documents[0].report_md not in ("index.md", "summary.md")


def test_case_twins_get_a_timeline_each(tmp_path: Path) -> None:
    hostile = next(hostile for hostile in HOSTILE_DOCUMENTS if hostile.name == "case-twins.wiki")
    _audit([write_hostile(tmp_path / "docs", hostile)], tmp_path)
    timelines = sorted(path.name.casefold() for path in (tmp_path / "reports").glob("*.svg"))
    assert len(timelines) == 5 and len(set(timelines)) == 5, timelines


def test_one_audit_of_every_hostile_document_costs_each_only_itself(tmp_path: Path) -> None:
    documents = [write_hostile(tmp_path / "docs", hostile) for hostile in HOSTILE_DOCUMENTS]

    result = _audit(documents, tmp_path)

    assert result.exit_code == 2  # the NUL-byte file is an input error; every other document is audited
    assert len(result.summary.errors) == 1 and result.summary.errors[0].path.endswith("nul-bytes.md")
    assert len(result.reports) == len(HOSTILE_DOCUMENTS) - 1
    assert_reports_inert(tmp_path / "reports", result)
