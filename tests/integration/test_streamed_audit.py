"""The streamed audit writes the same bytes the in-memory renderers give, whichever way it spills.

Two references for every report folder:

* the in-memory renderers (``render_index_markdown``, ``summary_json``,
  ``sarif_log``, ``junit_xml``, ``finding_lines``, ``baseline_json``) applied
  to every report of the audit held at once, as the audit wrote them before
  it streamed;
* the same audit driven through every spill path: two passes over a spill
  file, sorted runs of one record each, no report kept.

A networked audit (a loopback web and a pywb archive) is compared the same
way: its plan and answers spilled to disk against the same audit holding them
in memory.

The inputs are the repository's ``citations/`` samples, the shared seeds (they
hold cross-document figure conflicts, so CC503 reports wait for the end) and
two small documents that disagree, made here.
"""

from __future__ import annotations

import filecmp
import json
from datetime import UTC, datetime, tzinfo
from pathlib import Path

import pytest

from citecheck.config import AuditOptions
from citecheck.models import AuditSummary
from citecheck.pipeline import AuditResult, StreamSettings, audit, collect_inputs
from citecheck.reports.baseline import baseline_entries, baseline_json
from citecheck.reports.jsonl import finding_lines
from citecheck.reports.junit import junit_xml
from citecheck.reports.markdown import render_index_markdown
from citecheck.reports.rows import finding_rows
from citecheck.reports.sarif import sarif_log
from citecheck.reports.spill import SpilledSequence
from citecheck.reports.writer import summary_json
from citecheck.resolve import live as live_module
from tests.conftest import REPO_ROOT, SHARED
from tests.integration.pywb_world import ArchiveWorld, Capture, at
from tests.integration.web_world import WebWorld, running_world

FORMATS = ["md", "json", "sarif", "jsonl", "junit", "github"]
DISAGREEING = {
    "first.md": (
        "# Raid\n\nOn 28 July 2009, Iraqi forces raided Camp Ashraf, killing eleven people, "
        "according to the Los Angeles Times.[^1]\n\n"
        '[^1]: Parker, Ned (29 July 2009). "Raid on Camp Ashraf". Los Angeles Times. https://latimes.example/ashraf\n'
    ),
    "second.md": (
        "# Raid\n\nOn 28 July 2009, Iraqi forces raided Camp Ashraf, killing four people, "
        "Agence France-Presse reported.[^1]\n\n"
        '[^1]: "Iraq raid on Camp Ashraf". Agence France-Presse. 29 July 2009. https://afp.example/ashraf\n'
    ),
    "unrelated.txt": "A calm page with no figures at all.\n",
}


def _corpora(tmp_path: Path) -> list[Path]:
    made = tmp_path / "disagreeing"
    made.mkdir()
    for name, text in DISAGREEING.items():
        (made / name).write_text(text, encoding="utf-8")
    corpora = [REPO_ROOT / "citations", made]
    if (SHARED / "seeds").is_dir():
        corpora.append(SHARED / "seeds")
    return corpora


def _audit(corpus: Path, out: Path, **kwargs: object) -> AuditResult:
    options = AuditOptions(offline=True, out=out, cache=out.parent / "no-store.db", formats=FORMATS)
    return audit([corpus], options, **kwargs)  # type: ignore[arg-type]


def _differing(first: Path, second: Path) -> list[str]:
    comparison = filecmp.dircmp(first, second)
    names = sorted(set(comparison.left_only) | set(comparison.right_only))
    _, mismatch, errors = filecmp.cmpfiles(first, second, comparison.common_files, shallow=False)
    return names + mismatch + errors


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")


def test_streamed_files_are_what_the_in_memory_renderers_give(tmp_path: Path) -> None:
    for number, corpus in enumerate(_corpora(tmp_path)):
        out = tmp_path / f"out-{number}"
        result = _audit(corpus, out)
        reports, summary = result.reports, result.summary
        assert summary.documents and len(reports) == len(summary.documents)
        held = AuditSummary.model_validate(json.loads((out / "summary.json").read_text(encoding="utf-8")))
        assert held == summary
        assert (out / "summary.json").read_text(encoding="utf-8") == summary_json(summary)
        assert (out / "index.md").read_text(encoding="utf-8") == render_index_markdown(summary)
        sarif = json.dumps(sarif_log(reports, summary_version(out)), indent=2) + "\n"
        assert (out / "citecheck.sarif").read_text(encoding="utf-8") == sarif
        assert (out / "findings.jsonl").read_text(encoding="utf-8") == "".join(finding_lines(reports))
        assert (out / "junit.xml").read_text(encoding="utf-8") == junit_xml(reports)
        assert [row.model_dump() for row in result.finding_rows()] == [
            row.model_dump() for row in finding_rows(reports)
        ]


def summary_version(out: Path) -> str:
    """The tool version the SARIF file carries (whatever this install calls itself)."""
    log = json.loads((out / "citecheck.sarif").read_text(encoding="utf-8"))
    version: str = log["runs"][0]["tool"]["driver"]["version"]
    return version


def test_every_spill_path_writes_the_same_folder(tmp_path: Path) -> None:
    for number, corpus in enumerate(_corpora(tmp_path)):
        plain = tmp_path / f"plain-{number}"
        spilled = tmp_path / f"spilled-{number}"
        kept = _audit(corpus, plain)
        streamed = _audit(corpus, spilled, keep_reports=False, stream=StreamSettings(two_pass=True, sort_chunk=1))
        assert _differing(plain, spilled) == []
        assert streamed.reports == [] and streamed.summary.documents == []
        assert streamed.totals == kept.totals
        assert list(streamed.finding_rows()) == list(kept.finding_rows())
        assert list(streamed.annotation_lines()) == list(kept.annotation_lines())
        streamed.close()


def test_cross_document_conflicts_reach_the_reports_that_waited(tmp_path: Path) -> None:
    made = _corpora(tmp_path)[1]
    result = _audit(made, tmp_path / "out", stream=StreamSettings(sort_chunk=1))
    assert result.summary.conflicts, "the two documents should disagree on the death toll"
    flagged = {
        Path(report.document.path).name
        for report in result.reports
        if any(finding.code == "CC503" for finding in report.findings)
    }
    assert flagged == {"first.md", "second.md"}
    first = json.loads((tmp_path / "out" / "first.json").read_text(encoding="utf-8"))
    assert any(finding["code"] == "CC503" and finding["fingerprint"] for finding in first["findings"])
    assert "Conflicting figures" in (tmp_path / "out" / "index.md").read_text(encoding="utf-8")


def test_the_written_baseline_is_the_in_memory_one(tmp_path: Path) -> None:
    for number, corpus in enumerate(_corpora(tmp_path)):
        written = tmp_path / f"baseline-{number}.json"
        options = AuditOptions(
            offline=True, out=tmp_path / f"b-{number}", cache=tmp_path / "none.db", write_baseline=written
        )
        result = audit([corpus], options, stream=StreamSettings(sort_chunk=2))
        assert written.read_text(encoding="utf-8") == baseline_json(baseline_entries(result.reports))
        assert result.totals.accepted == len(set(result.summary.fingerprints))


def test_a_folder_walk_skips_the_audits_own_report_folder(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.md").write_text("# A\n\nText.\n", encoding="utf-8")
    out = tmp_path / "docs" / "reports"
    first = _audit(tmp_path / "docs", out)
    assert (out / "a.md").exists() and len(first.summary.documents) == 1
    second = _audit(tmp_path / "docs", out)
    assert [Path(document.path).name for document in second.summary.documents] == ["a.md"]
    assert collect_inputs([tmp_path / "docs"]).documents != collect_inputs([tmp_path / "docs"], exclude=[out]).documents


def test_a_document_named_twice_is_audited_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``a.md a.md ./a.md docs`` once wrote four index rows linking one report file, overwritten thrice."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.md").write_text("# A\n\nText.\n", encoding="utf-8")
    (docs / "b.md").write_text("# B\n\nText.\n", encoding="utf-8")
    (tmp_path / "link.md").symlink_to(docs / "a.md")
    monkeypatch.chdir(tmp_path)
    named = [Path("docs/a.md"), Path("docs/a.md"), Path("./docs/a.md"), Path("link.md"), Path("docs")]
    assert collect_inputs(named).documents == [Path("docs/a.md"), Path("docs/b.md")]
    options = AuditOptions(offline=True, out=tmp_path / "out", cache=tmp_path / "no-store.db", formats=FORMATS)
    result = audit(named, options)
    assert [Path(document.path).name for document in result.summary.documents] == ["a.md", "b.md"]
    assert sorted(path.name for path in (tmp_path / "out").glob("*.md")) == ["a.md", "b.md", "index.md"]


def test_timeline_files_of_two_documents_cannot_share_a_name(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    line = "{{cite web |url=https://example.org/%s |title=T |date=1 May 2010 |access-date=1 June 2011}}"
    # a.wiki's reference "x-ref-y" and a-ref-x.wiki's reference "y" would both be a-ref-x-ref-y.svg.
    (folder / "a.wiki").write_text(f'Text.<ref name="x-ref-y">{line % 1}</ref>\n', encoding="utf-8")
    (folder / "a-ref-x.wiki").write_text(f'Text.<ref name="y">{line % 2}</ref>\n', encoding="utf-8")
    out = tmp_path / "out"
    _audit(folder, out)
    svgs = sorted(path.name for path in out.glob("*.svg"))
    assert len(svgs) == 2, svgs
    assert any(name.startswith("a-ref_x") for name in svgs)


def test_jobs_write_the_same_folder_as_one_process(tmp_path: Path) -> None:
    for number, corpus in enumerate(_corpora(tmp_path)):
        alone, parallel = tmp_path / f"alone-{number}", tmp_path / f"jobs-{number}"
        one = _audit(corpus, alone)
        options = AuditOptions(offline=True, out=parallel, cache=tmp_path / "no-store.db", formats=FORMATS, jobs=2)
        two = audit([corpus], options)
        assert _differing(alone, parallel) == []
        assert two.summary == one.summary
        assert [report.model_dump() for report in two.reports] == [report.model_dump() for report in one.reports]


# --------------------------------------------------------------------------- a networked audit


class _FixedClock(datetime):
    """The live checks' clock held still: two audits of one web write the same ``checked_at``."""

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> _FixedClock:
        return cls(2024, 5, 1, 12, 0, 0, tzinfo=tz or UTC)


def _networked_corpus(web: WebWorld, folder: Path) -> Path:
    """Documents citing one loopback web (some URLs in several documents) and a capture or two of it."""
    harvest, withdrawn = web.url("news", "/articles/harvest-2011"), web.url("news", "/articles/withdrawn")
    soft, flood = web.url("news", "/articles/soft-missing"), web.url("news", "/articles/flood-2012")
    moved, chain = web.url("news", "/moved-away"), web.url("news", "/chain/1")
    folder.mkdir()
    (folder / "harvest.md").write_text(
        "# Harvest\n\nThe 2011 harvest was revised upward.[^a] An earlier report was withdrawn.[^b]\n"
        "One page now shows an error.[^c] Another story was never archived.[^d]\n\n"
        f'[^a]: "Harvest figures revised". Daily Ledger. 2 May 2011. {harvest} Retrieved 8 May 2011.\n'
        f'[^b]: "Early harvest estimate". Daily Ledger. 1 March 2012. {withdrawn} Retrieved 2 March 2012.\n'
        f'[^c]: "Harvest prices". Daily Ledger. 3 May 2011. {soft} Retrieved 8 May 2011.\n'
        f'[^d]: "Flood damage assessed". Daily Ledger. 4 June 2012. {flood} Retrieved 5 June 2012.\n',
        encoding="utf-8",
    )
    (folder / "flood.wiki").write_text(
        "The flood damaged the harvest.<ref>{{cite web |url=" + flood + " |title=Flood damage assessed "
        "|work=Daily Ledger |date=4 June 2012 |access-date=5 June 2012}}</ref> "
        "Figures were revised.<ref>{{cite news |url=" + harvest + " |title=Harvest figures revised "
        "|work=Daily Ledger |date=2 May 2011 |access-date=9 May 2011}}</ref> "
        "The story moved.<ref>{{cite web |url=" + moved + " |title=Moved |date=2011 |access-date=2012-01-01}}</ref>\n"
        "A chain of redirects.<ref>{{cite web |url=" + chain + " |title=Chain |access-date=2012-01-01}}</ref>\n",
        encoding="utf-8",
    )
    (folder / "notes.txt").write_text(f"Notes\n\nSee {withdrawn} and {harvest} for the figures.\n", encoding="utf-8")
    return folder


def test_a_networked_audit_spilled_writes_what_the_in_memory_one_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The plan and the answers (page texts included) spilled to disk and read back per document, against
    the same audit holding them in memory: the same report folder, byte for byte, on a loopback web and archive."""
    monkeypatch.setattr(live_module, "datetime", _FixedClock)
    with running_world() as web:
        captures = [
            Capture(web.url("news", "/articles/harvest-2011"), at("2011-05-06T10:00:00"), body=_page("harvest")),
            Capture(web.url("news", "/articles/withdrawn"), at("2012-03-01T08:00:00"), body=_page("withdrawn")),
        ]
        with ArchiveWorld(tmp_path / "pywb", captures) as archive:
            corpus = _networked_corpus(web, tmp_path / "docs")

            def networked(name: str, **kwargs: object) -> AuditResult:
                options = AuditOptions(
                    out=tmp_path / name,
                    cache=tmp_path / f"{name}.sqlite",
                    archives=[archive.archive_url],
                    allow_private=True,
                    canary=[web.url("news", "/")],
                    formats=FORMATS,
                )
                return audit([corpus], options, **kwargs)  # type: ignore[arg-type]

            held = networked("held", stream=StreamSettings(spill_answers=False))
            spilled = networked("spilled", keep_reports=False, stream=StreamSettings(sort_chunk=1))
    assert held.summary.network.mode == "online"
    sources = [reference.source for report in held.reports for reference in report.references]
    assert any(source is not None and source.status == "fetched" for source in sources)
    assert any(reference.archive.status == "found" for report in held.reports for reference in report.references)
    assert _differing(tmp_path / "held", tmp_path / "spilled") == []
    assert list(spilled.finding_rows()) == list(held.finding_rows())
    spilled.close()


def _page(name: str) -> bytes:
    body = f"<p>The archived {name} story, as it was.</p>"
    return f"<html><head><title>{name}</title></head><body>{body}</body></html>".encode()


def test_the_reports_read_back_are_the_reports_held_in_memory(tmp_path: Path) -> None:
    """By default ``audit()`` gives its reports from a spill file, one at a time; ``reports_in_memory`` a list."""
    for number, corpus in enumerate(_corpora(tmp_path)):
        lazy = _audit(corpus, tmp_path / f"lazy-{number}")
        held = _audit(corpus, tmp_path / f"held-{number}", reports_in_memory=True)
        assert isinstance(lazy.reports, SpilledSequence) and isinstance(held.reports, list)
        assert len(lazy.reports) == len(held.reports) > 0
        assert lazy.reports == held.reports
        assert lazy.reports[-1] == held.reports[-1] and lazy.reports[:2] == held.reports[:2]
        lazy.reports[0].findings.clear()  # a fresh copy each time: the next read is unchanged
        assert lazy.reports[0] == held.reports[0]
        assert lazy.summary == held.summary
        assert list(lazy.annotation_lines()) == list(held.annotation_lines())
        lazy.close()
        assert lazy.reports == []
