"""The whole audit with the network stages on: a real loopback web and a real pywb archive."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from citecheck import AuditOptions, audit
from citecheck.models import ArchiveStatus, DocumentReport, LiveStatus, Severity
from tests.integration.pywb_world import ArchiveWorld, Capture, at, closed_port
from tests.integration.web_world import WebWorld, closed_port_url, running_world

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def web() -> Iterator[WebWorld]:
    with running_world() as world:
        yield world


@pytest.fixture(scope="module")
def archive(web: WebWorld, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ArchiveWorld]:
    captures = [
        Capture(web.url("news", "/articles/harvest-2011"), at("2011-05-06T10:00:00")),
        Capture(web.url("news", "/articles/withdrawn"), at("2012-03-01T08:00:00")),
    ]
    with ArchiveWorld(tmp_path_factory.mktemp("pywb"), captures) as world:
        yield world


def _document(web: WebWorld, folder: Path) -> Path:
    harvest, withdrawn = web.url("news", "/articles/harvest-2011"), web.url("news", "/articles/withdrawn")
    soft, flood = web.url("news", "/articles/soft-missing"), web.url("news", "/articles/flood-2012")
    text = f"""# Harvest report

The 2011 harvest was revised upward.[^harvest] An earlier report was withdrawn.[^withdrawn]
One page now shows an error instead of the story.[^soft] Another story was never archived.[^flood]

[^harvest]: "Harvest figures revised". Daily Ledger. 2 May 2011. {harvest} Retrieved 8 May 2011.
[^withdrawn]: "Early harvest estimate". Daily Ledger. 1 March 2012. {withdrawn} Retrieved 2 March 2012.
[^soft]: "Harvest prices". Daily Ledger. 3 May 2011. {soft} Retrieved 8 May 2011.
[^flood]: "Flood damage assessed". Daily Ledger. 4 June 2012. {flood} Retrieved 5 June 2012.
"""
    path = folder / "harvest.md"
    path.write_text(text, encoding="utf-8")
    return path


def _ref(report: DocumentReport, ref_id: str):  # type: ignore[no-untyped-def]
    return next(reference for reference in report.references if reference.id == ref_id)


def test_audit_resolves_live_and_archive(web: WebWorld, archive: ArchiveWorld, tmp_path: Path) -> None:
    document = _document(web, tmp_path)
    options = AuditOptions(
        out=tmp_path / "reports",
        cache=tmp_path / "cache.sqlite",
        archives=[archive.archive_url],
        allow_private=True,
        canary=[web.url("news", "/")],
    )
    result = audit([document], options)
    report = result.reports[0]
    assert report.network.mode == "online"

    harvest = _ref(report, "harvest")
    assert harvest.live.status == LiveStatus.alive
    assert harvest.archive.status == ArchiveStatus.found
    assert harvest.archive.snapshot_time is not None and harvest.archive.snapshot_time.year == 2011

    withdrawn = _ref(report, "withdrawn")
    assert withdrawn.live.status == LiveStatus.dead and withdrawn.live.http_status == 410
    assert withdrawn.archive.status == ArchiveStatus.found

    assert _ref(report, "soft").live.status == LiveStatus.soft_404
    flood = _ref(report, "flood")
    assert flood.live.status == LiveStatus.alive
    assert flood.archive.status == ArchiveStatus.none

    codes = {(finding.code, finding.ref) for finding in report.findings}
    assert ("CC201", "withdrawn") in codes
    assert ("CC202", "soft") in codes
    assert ("CC301", "flood") in codes
    dead = next(f for f in report.findings if f.code == "CC201")
    assert dead.severity == Severity.warning  # first failure: dead, but not yet confirmed

    verdicts = {claim.text: claim.verdict for claim in report.claims}
    assert verdicts["An earlier report was withdrawn."] == "sourced"  # dead, but archived
    markdown = (tmp_path / "reports" / "harvest.md").read_text()
    assert "snapshot" in markdown and "Network:" in markdown


def test_network_down_reports_nothing_dead(tmp_path: Path) -> None:
    """No server answers, no name resolves, the archive is down: nothing is dead, everything is not-checked."""
    gone, refused = "http://gone-newspaper.invalid/2011/story", closed_port_url("127.0.0.33") + "story"
    text = f"""# Down

A report said so.[^a] Another agreed.[^b]

[^a]: "Story". Ledger. 2 May 2011. {gone} Retrieved 8 May 2011.
[^b]: "Other story". Ledger. 2 May 2011. {refused} Retrieved 8 May 2011.
"""
    document = tmp_path / "down.md"
    document.write_text(text, encoding="utf-8")
    options = AuditOptions(
        out=tmp_path / "reports",
        cache=tmp_path / "cache.sqlite",
        archives=[f"http://127.0.0.1:{closed_port()}/coll"],
        allow_private=True,
        canary=[closed_port_url()],
    )
    result = audit([document], options)
    report = result.reports[0]
    assert report.network.mode == "unreachable"
    assert "unreachable" in report.network.message.lower()
    assert all(reference.live.status == LiveStatus.not_checked for reference in report.references)
    assert all(reference.archive.status == ArchiveStatus.not_checked for reference in report.references)
    assert not [finding for finding in report.findings if finding.code.startswith(("CC2", "CC3"))]
    assert {claim.verdict for claim in report.claims} == {"not-checked"}
    assert result.exit_code == 0


def test_archive_down_leaves_the_live_verdicts_standing(web: WebWorld, tmp_path: Path) -> None:
    """A server that answered is evidence whatever else fails; the unreachable archive says not-checked."""
    document = _document(web, tmp_path)
    options = AuditOptions(
        out=tmp_path / "reports",
        cache=tmp_path / "cache.sqlite",
        archives=[f"http://127.0.0.1:{closed_port()}/coll"],
        allow_private=True,
        canary=[closed_port_url()],
    )
    report = audit([document], options).reports[0]
    assert report.network.mode == "online"
    withdrawn = _ref(report, "withdrawn")
    assert withdrawn.live.status == LiveStatus.dead and withdrawn.live.http_status == 410
    assert _ref(report, "soft").live.status == LiveStatus.soft_404
    assert all(reference.archive.status == ArchiveStatus.not_checked for reference in report.references)
    assert all("unreachable" in (reference.archive.reason or "") for reference in report.references)
    archives = [state for state in report.network.endpoints if state.kind == "archive"]
    assert [state.reachable for state in archives] == [False]
    assert not [finding for finding in report.findings if finding.code.startswith("CC3")]
    assert ("CC201", "withdrawn") in {(finding.code, finding.ref) for finding in report.findings}
