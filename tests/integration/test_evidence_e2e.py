"""Claim evidence end to end: a real pywb holds what pages said near the access date, a loopback web what they
say today.  Drift that matters (CC207, per claim, with both values), passages in the Markdown report, and
``citecheck evidence`` on a URL (through the resolve stage) and on files (HTML, PDF, text).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from citecheck import AuditOptions, audit
from citecheck.cli import main
from citecheck.evidence import EvidenceError, evidence_for
from citecheck.models import DocumentReport, Finding
from tests.integration.pywb_world import ArchiveWorld, Capture, at
from tests.integration.web_world import Reply, WebWorld, html
from tests.pdf_factory import make_pdf

pytestmark = pytest.mark.integration

CAMP_THEN = [
    "Camp Ashraf is situated 96 kilometres north of Baghdad near the town of Al Khalis.",
    "The camp was founded in 1986 and housed about 3,400 residents.",
    "A spokesman called the raid “a massacre of unarmed people” and asked the United Nations to intervene.",
]
# Today one figure is different and the quote is gone; the rest of the page is as it was.
CAMP_NOW = [
    "Camp Ashraf is situated 69 kilometres north of Baghdad near the town of Al Khalis.",
    "The camp was founded in 1986 and housed about 3,400 residents.",
    "A spokesman asked the United Nations to intervene after the raid.",
]
# A page whose figures stayed but whose text around them was edited: no drift that matters.
HARBOUR_THEN = [
    "The harbour was dredged to a depth of 12 metres in the autumn.",
    "The ferry service resumed on 3 May 2011 with two crossings a day.",
]
HARBOUR_NOW = [
    "Update: the harbour was dredged to a depth of 12 metres in the autumn, the port authority confirmed.",
    "The ferry service resumed on 3 May 2011 with two crossings a day.",
    "A third crossing is planned for the summer.",
]


def page(title: str, paragraphs: list[str]) -> bytes:
    body = "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title></head><body>"
        f"<article><h1>{title}</h1>{body}</article></body></html>"
    ).encode()


def served(body: bytes) -> Reply:
    return Reply(200, body, [("Content-Type", "text/html; charset=utf-8")])


@dataclass
class Worlds:
    web: WebWorld
    archive: ArchiveWorld

    def url(self, path: str) -> str:
        return self.web.url("gazette", path)

    def options(self, folder: Path, **overrides: object) -> AuditOptions:
        settings: dict[str, object] = {
            "out": folder / "reports",
            "cache": folder / "cache.sqlite",
            "archives": [self.archive.archive_url],
            "allow_private": True,
            "canary": [self.url("/")],
        }
        settings.update(overrides)
        return AuditOptions.model_validate(settings)


@pytest.fixture(scope="module")
def worlds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Worlds]:
    web = WebWorld()
    gazette = web.add_site("gazette", "127.0.0.61")
    gazette.route("/", html("The Gazette", "<p>Front page.</p>"))
    gazette.route("/2011/05/camp", served(page("Camp Ashraf", CAMP_NOW)))
    gazette.route("/2011/05/harbour", served(page("Harbour", HARBOUR_NOW)))
    web.start()
    try:
        when = at("2011-05-07T12:00:00")
        captures = [
            Capture(web.url("gazette", "/2011/05/camp"), when, body=page("Camp Ashraf", CAMP_THEN)),
            Capture(web.url("gazette", "/2011/05/harbour"), when, body=page("Harbour", HARBOUR_THEN)),
        ]
        with ArchiveWorld(tmp_path_factory.mktemp("pywb-evidence"), captures) as archive:
            yield Worlds(web, archive)
    finally:
        web.stop()


CLAIMS = {
    "distance": "Camp Ashraf lies 96 km north of Baghdad.[^camp]",
    "quote": "A spokesman called the raid “a massacre of unarmed people”.[^camp]",
    "founded": "The camp was founded in 1986.[^camp]",
    "harbour": "The harbour was dredged to 12 metres.[^harbour]",
    "ferry": "Ferries resumed on 3 May 2011.[^harbour]",
}


@pytest.fixture(scope="module")
def report(worlds: Worlds, tmp_path_factory: pytest.TempPathFactory) -> tuple[DocumentReport, str]:
    folder = tmp_path_factory.mktemp("evidence-audit")
    body = "\n\n".join(CLAIMS.values())
    document = folder / "camp.md"
    document.write_text(
        f"# Camp\n\n{body}\n\n"
        f'[^camp]: "Camp Ashraf". The Gazette. 6 May 2011. {worlds.url("/2011/05/camp")} Retrieved 8 May 2011.\n'
        f'[^harbour]: "Harbour". The Gazette. 6 May 2011. {worlds.url("/2011/05/harbour")} Retrieved 8 May 2011.\n',
        encoding="utf-8",
    )
    result = audit([document], worlds.options(folder))
    return result.reports[0], (folder / "reports" / "camp.md").read_text(encoding="utf-8")


def findings_for(report: DocumentReport, key: str, code: str) -> list[Finding]:
    claim = next(claim for claim in report.claims if claim.text == CLAIMS[key].split("[^")[0])
    return [finding for finding in report.findings if finding.claim == claim.id and finding.code == code]


def test_a_cited_figure_changed_on_the_live_page_is_cc207_with_both_values(
    report: tuple[DocumentReport, str],
) -> None:
    audited, _ = report
    (drift,) = findings_for(audited, "distance", "CC207")
    assert drift.severity.value == "info" and drift.ref == "camp"
    assert "the figure you cite changed since you accessed it" in drift.message
    assert "“96 kilometres”" in drift.message and "“69 kilometres”" in drift.message
    # The claim is still checked against the capture near the access date, where it holds.
    claim = next(claim for claim in audited.claims if claim.text.startswith("Camp Ashraf lies"))
    assert claim.verdict == "verified"


def test_a_cited_quote_gone_from_the_live_page_is_cc207(report: tuple[DocumentReport, str]) -> None:
    audited, _ = report
    (drift,) = findings_for(audited, "quote", "CC207")
    assert "a massacre of unarmed people" in drift.message and "no longer on the live page" in drift.message


def test_what_did_not_change_raises_no_drift(report: tuple[DocumentReport, str]) -> None:
    audited, _ = report
    for key in ("founded", "harbour", "ferry"):
        assert findings_for(audited, key, "CC207") == [], key


def test_markdown_report_shows_the_closest_passage_with_a_highlight_link(report: tuple[DocumentReport, str]) -> None:
    audited, markdown = report
    claim = next(claim for claim in audited.claims if claim.text.startswith("Camp Ashraf lies"))
    row = next(line for line in markdown.splitlines() if f'id="claim-{claim.id}"' in line)
    # Sentence 1 is the page's title; the sentence with the figure is the closest passage.
    assert "Closest passage in \\[camp\\], sentence 2 of 4, shares 5 of 7 content words" in row
    assert "#:~:text=Camp%20Ashraf" in row
    assert "changed on the live page" in row


def test_evidence_on_a_url_reads_the_capture_near_the_access_date(worlds: Worlds, tmp_path: Path) -> None:
    options = worlds.options(tmp_path)
    result = evidence_for(
        "Camp Ashraf lies 69 km north of Baghdad.", worlds.url("/2011/05/camp"), options, accessed="8 May 2011"
    )
    assert result.source.origin == "capture"
    assert result.network is not None and result.network.mode == "online"
    (differs,) = [finding for finding in result.findings if finding.code == "CC504"]
    assert "“69 km”" in differs.message and "“96 kilometres”" in differs.message
    # The live page says 69 today, as the claim does: the page changed since the access date.
    (drift,) = result.drift
    assert "“69 kilometres”" in drift.detail and "“96 kilometres”" in drift.detail
    assert result.passages and result.passages[0].passage is not None
    assert result.passages[0].passage.sentence == 2  # after the page's title


def test_evidence_command_json_and_offline_answers_from_the_store(worlds: Worlds, tmp_path: Path) -> None:
    runner = CliRunner()
    common = [
        "--source",
        worlds.url("/2011/05/harbour"),
        "--accessed",
        "8 May 2011",
        "--archive",
        worlds.archive.archive_url,
        "--cache",
        str(tmp_path / "cache.sqlite"),
        "--allow-private",
        "--canary",
        worlds.url("/"),
    ]
    online = runner.invoke(main, ["evidence", "The harbour was dredged to 12 metres.", *common, "--format", "json"])
    assert online.exit_code == 0, online.output
    data = json.loads(online.output)
    assert data["schema"] == "citecheck/evidence@1"
    assert data["source"]["origin"] == "capture"
    assert [figure["status"] for figure in data["figures"]] == ["found"]
    assert "supported" not in data["verdict"] and "not whether the source supports" in data["note"]
    before = len(worlds.web.seen("gazette"))
    offline = runner.invoke(main, ["evidence", "The harbour was dredged to 12 metres.", *common, "--offline"])
    assert offline.exit_code == 0, offline.output
    assert "Closest passage in [1], sentence 2 of 3" in offline.output  # sentence 1 is the title
    assert len(worlds.web.seen("gazette")) == before  # offline: not a single request


def test_evidence_on_an_unreadable_url_is_a_clear_error(worlds: Worlds, tmp_path: Path) -> None:
    with pytest.raises(EvidenceError, match="no source text"):
        evidence_for("Anything at all.", worlds.url("/2011/05/missing"), worlds.options(tmp_path))
    result = CliRunner().invoke(main, ["evidence", "Anything.", "--source", "ftp://example.org/x"])
    assert result.exit_code == 2 and "give a file path or an http(s) URL" in result.output


def test_evidence_on_local_files(tmp_path: Path) -> None:
    runner = CliRunner()
    html_file = tmp_path / "camp.html"
    html_file.write_bytes(page("Camp Ashraf", CAMP_THEN))
    pdf_file = tmp_path / "report.pdf"
    pdf_file.write_bytes(make_pdf([["Annual report.", *CAMP_THEN]]))
    for path in (html_file, pdf_file):
        result = runner.invoke(main, ["evidence", "Camp Ashraf lies 69 km north of Baghdad.", "--source", str(path)])
        assert result.exit_code == 0, result.output
        assert "CC504 source-says-otherwise" in result.output and "“96 kilometres”" in result.output
        failing = runner.invoke(
            main,
            ["evidence", "Camp Ashraf lies 69 km north of Baghdad.", "--source", str(path), "--fail-on", "warning"],
        )
        assert failing.exit_code == 1
    scanned = tmp_path / "scan.pdf"
    scanned.write_bytes(make_pdf([[]], scanned=True))
    result = runner.invoke(main, ["evidence", "Anything.", "--source", str(scanned)])
    assert result.exit_code == 2 and "no text layer (a scanned PDF?)" in result.output
