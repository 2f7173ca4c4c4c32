"""The real seed documents, audited offline end to end, read as a careful reader reads them."""

from __future__ import annotations

from pathlib import Path

import pytest

from citecheck import AuditOptions, audit
from citecheck.models import DocumentReport

pytestmark = pytest.mark.seeds


@pytest.fixture(scope="module")
def seed_reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, DocumentReport]:
    from tests.conftest import shared_path

    seeds = shared_path("seeds")
    out = tmp_path_factory.mktemp("reports")
    result = audit([seeds], AuditOptions(offline=True, out=out))
    assert result.summary.errors == []
    return {Path(report.document.path).name[:3]: report for report in result.reports}


def _ref(report: DocumentReport, ref_id: str):  # type: ignore[no-untyped-def]
    return next(reference for reference in report.references if reference.id == ref_id)


def test_wiki_mirror_000(seed_reports: dict[str, DocumentReport]) -> None:
    report = seed_reports["000"]
    assert len(report.references) == 11
    ref3 = _ref(report, "3")
    assert ref3.date is not None and ref3.date.iso() == "2011-04-14"
    assert ref3.access_date is not None and ref3.access_date.iso() == "2011-05-08"
    assert ref3.uses == 4 and ref3.backlinks == 4
    assert "dead-link" in _ref(report, "7").source_flags
    empty = {f.ref for f in report.findings if f.code == "CC101"}
    assert empty == {"1", "2"}
    assert not [f for f in report.findings if f.code in ("CC104", "CC106")]
    dead_marked = [f for f in report.findings if f.code == "CC103"]
    assert [f.ref for f in dead_marked] == ["7"]


def test_wikipedia_derived_001(seed_reports: dict[str, DocumentReport]) -> None:
    report = seed_reports["001"]
    assert len(report.references) == 9
    assert _ref(report, "1").archive_date.iso() == "2013-11-05"  # type: ignore[union-attr]
    assert _ref(report, "1").access_date.iso() == "2013-10-30"  # type: ignore[union-attr]
    assert _ref(report, "9").archive_date.iso() == "2014-01-20"  # type: ignore[union-attr]
    assert _ref(report, "9").access_date.iso() == "2023-05-27"  # type: ignore[union-attr]
    assert _ref(report, "7").format == "PDF"
    # The "Related Research Articles" block is other pages' summaries, not this article's claims.
    assert not any("Tariq Aziz was an Iraqi politician" in claim.text for claim in report.claims)
    cited = [claim for claim in report.claims if claim.refs]
    assert any("17 December 2013" in claim.text and claim.refs == ["3"] for claim in cited)


def test_no_reference_list_002(seed_reports: dict[str, DocumentReport]) -> None:
    report = seed_reports["002"]
    assert report.references == []
    assert len(report.claims) > 30
    assert all(claim.refs == [] and claim.verdict == "uncited" for claim in report.claims)
    uncited = {f.claim for f in report.findings if f.code == "CC601"}
    assert uncited == {claim.id for claim in report.claims}


def test_repost_003(seed_reports: dict[str, DocumentReport]) -> None:
    report = seed_reports["003"]
    assert report.document.layout == "repost"
    attributions = [reference for reference in report.references if reference.kind == "attribution"]
    assert len(attributions) >= 6
    described = [ref for ref in attributions if (ref.work or ref.authors)]
    assert len(described) >= 6
    assert sum(1 for ref in attributions if ref.date is not None) >= 1
    sections = {claim.section for claim in report.claims}
    assert len(sections) >= 10
    # Sentences of attributed posts cite the attribution.
    assert sum(1 for claim in report.claims if claim.refs) > 50
