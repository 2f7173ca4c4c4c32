"""Content drift (CC207), discovery candidates and ``--save-missing`` through the whole pipeline.

A loopback web serves today's pages; a real pywb holds what they said near
the access date, plus captures of an outlet whose citations lack URLs.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from citecheck import AuditOptions, audit
from citecheck.documents import read_document
from citecheck.models import DocumentReport, LiveStatus, Reference
from citecheck.pipeline import run_network_stage
from citecheck.resolve import stage as resolve_stage
from citecheck.resolve.archive.save import SaveOutcome
from tests.integration.pywb_world import ArchiveWorld, Capture, at
from tests.integration.web_world import Reply, WebWorld, html

pytestmark = pytest.mark.integration

ORIGINAL = [
    "The city council voted to close the old library on Main Street at the end of the year.",
    "Its collection of forty thousand volumes will move to the new cultural centre by the river.",
    "Librarians said the move would take about six weeks and cost less than expected.",
    "Residents who opposed the closure collected signatures for a petition to the mayor.",
]
# What the drifted URL serves today: a different story altogether.
REPLACEMENT = [
    "Our summer sale starts today with discounts on garden furniture and outdoor grills.",
    "Sign up for the newsletter to receive coupons, recipes and weekly gardening tips.",
    "Free delivery applies to orders above fifty euros placed before Sunday evening.",
]
# One paragraph out of four rewritten: an edit, not drift.
EDITED = [*ORIGINAL[:3], "An earlier version of this article misstated the date of the council vote."]

OUTLET_SITE = "http://news.example.net"  # a name, not an address: pywb's prefix search keys on it


def page(title: str, paragraphs: Sequence[str]) -> bytes:
    body = "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)
    return (
        f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>{body}</article></body></html>"
    ).encode()


def served(body: bytes) -> Reply:
    return Reply(200, body, [("Content-Type", "text/html; charset=utf-8")])


@dataclass
class Servers:
    web: WebWorld
    archive: ArchiveWorld

    def url(self, path: str) -> str:
        return self.web.url("herald", path)


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    web = WebWorld()
    herald = web.add_site("herald", "127.0.0.51")
    herald.route("/", html("The Herald", "<p>Front page.</p>"))
    herald.route("/2011/05/library-drifted", served(page("Library to close", REPLACEMENT)))
    herald.route("/2011/05/library-steady", served(page("Library to close", ORIGINAL)))
    herald.route("/2011/05/library-edited", served(page("Library to close", EDITED)))
    herald.route("/2011/05/never-archived", served(page("Library to close", REPLACEMENT)))
    web.start()
    try:
        archived = page("Library to close", ORIGINAL)
        when = at("2011-05-07T12:00:00")
        captures = [
            Capture(web.url("herald", "/2011/05/library-drifted"), when, body=archived),
            Capture(web.url("herald", "/2011/05/library-steady"), when, body=archived),
            Capture(web.url("herald", "/2011/05/library-edited"), when, body=archived),
            Capture(f"{OUTLET_SITE}/2011/05/07/ministers-agree-water-sharing-deal", at("2011-05-07T18:00:00")),
            Capture(f"{OUTLET_SITE}/2011/05/07/weather-report", at("2011-05-07T18:00:00")),
            Capture(f"{OUTLET_SITE}/2011/05/06/harbour-dredging-begins", at("2011-05-06T18:00:00")),
        ]
        with ArchiveWorld(tmp_path_factory.mktemp("pywb-drift"), captures) as archive:
            yield Servers(web, archive)
    finally:
        web.stop()


def audit_options(servers: Servers, folder: Path, **overrides: object) -> AuditOptions:
    settings: dict[str, object] = {
        "out": folder / "reports",
        "cache": folder / "cache.sqlite",
        "archives": [servers.archive.archive_url],
        "allow_private": True,
        "canary": [servers.url("/")],
    }
    settings.update(overrides)
    return AuditOptions.model_validate(settings)


def reference(report: DocumentReport, ref_id: str) -> Reference:
    return next(item for item in report.references if item.id == ref_id)


# --------------------------------------------------------------------------- CC207


@pytest.fixture(scope="module")
def drift_report(servers: Servers, tmp_path_factory: pytest.TempPathFactory) -> DocumentReport:
    folder = tmp_path_factory.mktemp("drift")
    lines = [
        "# Library",
        "",
        "The old library will close.[^drifted] The collection will move.[^steady] "
        "The move takes six weeks.[^edited] Residents petitioned the mayor.[^fresh]",
        "",
    ]
    for ref_id, path in [
        ("drifted", "/2011/05/library-drifted"),
        ("steady", "/2011/05/library-steady"),
        ("edited", "/2011/05/library-edited"),
        ("fresh", "/2011/05/never-archived"),
    ]:
        lines.append(
            f'[^{ref_id}]: "Library to close". The Herald. 6 May 2011. {servers.url(path)} Retrieved 8 May 2011.'
        )
    document = folder / "library.md"
    document.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return audit([document], audit_options(servers, folder)).reports[0]


def test_live_page_unlike_its_capture_is_cc207(drift_report: DocumentReport) -> None:
    drifted = [finding for finding in drift_report.findings if finding.code == "CC207"]
    assert [finding.ref for finding in drifted] == ["drifted"]
    finding = drifted[0]
    assert finding.severity.value == "info"
    # Per claim: the passage the claim rests on is gone from today's page (issue 14: drift that matters).
    assert "/2011/05/library-drifted" in finding.message and "no longer on the live page" in finding.message
    assert finding.claim is not None
    # The claim is still checked against the capture, not today's page.
    source = reference(drift_report, "drifted").source
    assert source.origin == "capture" and source.status == "fetched"


def test_unchanged_or_lightly_edited_page_is_not_drift(drift_report: DocumentReport) -> None:
    for ref_id in ("steady", "edited"):
        assert reference(drift_report, ref_id).live.status is LiveStatus.alive
        assert reference(drift_report, ref_id).source.origin == "capture"
    flagged = {finding.ref for finding in drift_report.findings if finding.code == "CC207"}
    assert not flagged & {"steady", "edited"}


def test_page_without_capture_is_read_live_and_never_drift(drift_report: DocumentReport) -> None:
    fresh = reference(drift_report, "fresh")
    assert fresh.source.origin == "live" and fresh.source.status == "fetched"
    assert fresh.source.reason is not None and "no capture" in fresh.source.reason
    assert "fresh" not in {finding.ref for finding in drift_report.findings if finding.code == "CC207"}


# --------------------------------------------------------------------------- discovery


def discovery_document(folder: Path) -> Path:
    text = """# Water

Ministers agreed on sharing the river.[^deal] The harbour is being dredged.[^harbour]
Parliament was dissolved the same week.[^dissolved] A rival paper ran the story too.[^rival]

[^deal]: "Ministers agree water-sharing deal". Example News. 7 May 2011.
[^harbour]: "Harbour dredging begins". Example News. 6 May 2011. http://news.example.net/2011/05/06/harbour-dredging-begins
[^dissolved]: "Parliament dissolved after budget defeat". Example News. 7 May 2011.
[^rival]: "Ministers agree water-sharing deal". Rival Courier. 7 May 2011.
"""
    path = folder / "water.md"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def discovery_run(servers: Servers, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, object], str]:
    folder = tmp_path_factory.mktemp("discovery")
    audit([discovery_document(folder)], audit_options(servers, folder))
    report_json = json.loads((folder / "reports" / "water.json").read_text(encoding="utf-8"))
    markdown = (folder / "reports" / "water.md").read_text(encoding="utf-8")
    return report_json, markdown


def json_reference(report_json: dict[str, object], ref_id: str) -> dict[str, object]:
    references = report_json["references"]
    assert isinstance(references, list)
    found: dict[str, object] = next(item for item in references if item["id"] == ref_id)
    return found


def test_url_less_citation_gets_the_matching_capture_as_candidate(discovery_run: tuple[dict[str, object], str]) -> None:
    report_json, _ = discovery_run
    deal = json_reference(report_json, "deal")
    assert deal["url"] is None
    candidates = deal["candidates"]
    assert isinstance(candidates, list) and len(candidates) == 1
    candidate = candidates[0]
    assert candidate["url"] == f"{OUTLET_SITE}/2011/05/07/ministers-agree-water-sharing-deal"
    assert candidate["score"] >= 0.5
    assert set(candidate["matched_words"]) >= {"ministers", "water", "sharing", "deal"}
    assert candidate["snapshot_url"] and "20110507" in candidate["snapshot_url"]


def test_citations_without_a_match_get_no_candidate(discovery_run: tuple[dict[str, object], str]) -> None:
    report_json, _ = discovery_run
    # Same outlet, no capture with its title words; an outlet whose domain nothing reveals;
    # and a citation with a URL, which needs no discovery.
    for ref_id in ("dissolved", "rival", "harbour"):
        assert json_reference(report_json, ref_id)["candidates"] == [], ref_id


def test_markdown_labels_candidates_as_proposals(discovery_run: tuple[dict[str, object], str]) -> None:
    _, markdown = discovery_run
    assert "ministers-agree-water-sharing-deal" in markdown
    assert "Discovery candidates" in markdown and "not verified" in markdown
    candidate_lines = [line for line in markdown.splitlines() if "ministers-agree-water-sharing-deal" in line]
    assert candidate_lines and all("candidate" in line for line in candidate_lines)
    assert "weather-report" not in markdown


# --------------------------------------------------------------------------- --save-missing


@pytest.fixture
def save_calls(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Stand in for the Save Page Now client (it has its own loopback tests): record what it is asked."""
    calls: list[list[str]] = []

    async def fake_save_missing(urls: list[str], **_: object) -> list[SaveOutcome]:
        calls.append(list(urls))
        return [SaveOutcome(url=url, status="queued", job_id=f"job-{index}") for index, url in enumerate(urls)]

    monkeypatch.setattr(resolve_stage, "save_missing", fake_save_missing)
    return calls


@pytest.mark.parametrize("save_missing", [False, True])
def test_save_missing_asks_only_when_enabled(
    servers: Servers, tmp_path: Path, save_calls: list[list[str]], save_missing: bool
) -> None:
    unarchived = servers.url("/2011/05/never-archived")
    text = (
        "# Library\n\nThe library closes.[^a] Its books move.[^b]\n\n"
        f'[^a]: "Library to close". The Herald. 6 May 2011. {unarchived} Retrieved 8 May 2011.\n'
        f'[^b]: "Library to close". The Herald. 6 May 2011. {servers.url("/2011/05/library-steady")} '
        "Retrieved 8 May 2011.\n"
    )
    path = tmp_path / "save.md"
    path.write_text(text, encoding="utf-8")
    document = read_document(path)
    batch = run_network_stage([document], audit_options(servers, tmp_path, save_missing=save_missing))
    assert batch.network.mode == "online"
    first = document.references[0]
    if save_missing:
        # Only the live URL with no capture is submitted.
        assert save_calls == [[unarchived]]
        assert set(batch.saved) == {unarchived}
        assert first.archive.reason is not None and "--save-missing" in first.archive.reason
    else:
        assert save_calls == []
        assert batch.saved == {}
        assert all("save-missing" not in (item.archive.reason or "") for item in document.references)
