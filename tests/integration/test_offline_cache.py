"""``--offline`` answers from the store an online run filled, and says not-checked for everything else.

An online audit against a loopback web and a real pywb (behind a counting
proxy) fills the cache; the same audit with ``offline=True`` must then give
the same verdicts, live statuses and archive results without a single request
reaching either server.  With an empty or missing cache, every cited claim is
``not-checked`` (never ``unsupported``) and no store file is created.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from citecheck import AuditOptions, audit
from citecheck.models import ArchiveStatus, DocumentReport, LiveStatus
from citecheck.store.db import Store
from tests.integration.pywb_world import COLLECTION, ArchiveWorld, Capture, FaultProxy, at
from tests.integration.web_world import Reply, WebWorld, html

pytestmark = pytest.mark.integration

STORY = [
    'The mayor said "the bridge will reopen before the winter festival" at the press conference.',
    "Repairs to the bridge cost 2.4 million dollars and took eleven weeks.",
]


def story_page(title: str, published: str, paragraphs: list[str]) -> bytes:
    meta = f'<meta property="article:published_time" content="{published}">'
    body = "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)
    return (
        f"<html><head><title>{title}</title>{meta}</head><body><article><h1>{title}</h1>{body}</article></body></html>"
    ).encode()


@dataclass
class Servers:
    web: WebWorld
    archive: ArchiveWorld
    proxy: FaultProxy  # in front of pywb: counts every archive request

    def url(self, path: str) -> str:
        return self.web.url("gazette", path)

    @property
    def archive_url(self) -> str:
        return self.proxy.url(f"/{COLLECTION}")

    def requests_seen(self) -> tuple[int, int]:
        """Requests the live web and the archive have answered so far."""
        return len(self.web.requests), self.proxy.requests


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    web = WebWorld()
    gazette = web.add_site("gazette", "127.0.0.41")
    body = story_page("Bridge repairs", "2012-03-02", STORY)
    gazette.route("/", html("The Gazette", "<p>Front page.</p>"))
    gazette.route("/2012/03/bridge", Reply(200, body, [("Content-Type", "text/html; charset=utf-8")]))
    gazette.route("/2012/03/unarchived", html("Ferry timetable", "<p>The ferry runs twice a day in summer.</p>"))
    gazette.route("/2012/03/reset", Reply(reset=True))  # never answers: unreachable, never reused
    web.start()
    try:
        captures = [Capture(web.url("gazette", "/2012/03/bridge"), at("2012-03-05T12:00:00"), body=body)]
        with (
            ArchiveWorld(tmp_path_factory.mktemp("pywb-offline"), captures) as archive,
            FaultProxy(archive.port) as proxy,
        ):
            yield Servers(web, archive, proxy)
    finally:
        web.stop()


def write_document(servers: Servers, folder: Path) -> Path:
    bridge, gone = servers.url("/2012/03/bridge"), servers.url("/2012/03/removed")
    unarchived = servers.url("/2012/03/unarchived")
    text = f"""# Bridge

The mayor promised that "the bridge will reopen before the winter festival".[^bridge]

The mayor promised that "the bridge will be demolished".[^bridge]

Repairs cost 2.4 million dollars.[^bridge]

Repairs took 30 weeks.[^bridge]

The ferry kept running during the repairs.[^ferry]

A council statement has since been removed.[^gone]

Nothing cites this sentence.

[^bridge]: "Bridge repairs". The Gazette. 2 March 2012. {bridge} Retrieved 6 March 2012.
[^ferry]: "Ferry timetable". The Gazette. 2 March 2012. {unarchived} Retrieved 6 March 2012.
[^gone]: "Council statement". The Gazette. 1 March 2012. {gone} Retrieved 6 March 2012.
"""
    path = folder / "bridge.md"
    path.write_text(text, encoding="utf-8")
    return path


def options(servers: Servers, folder: Path, cache: Path, *, offline: bool) -> AuditOptions:
    return AuditOptions(
        out=folder,
        cache=cache,
        archives=[servers.archive_url],
        allow_private=True,
        canary=[servers.url("/")],
        offline=offline,
    )


def verdicts(report: DocumentReport) -> dict[str, str]:
    return {claim.text: claim.verdict for claim in report.claims}


def live_states(report: DocumentReport) -> dict[str, tuple[LiveStatus, int | None]]:
    return {reference.id: (reference.live.status, reference.live.http_status) for reference in report.references}


def archive_states(report: DocumentReport) -> dict[str, tuple[ArchiveStatus, str | None, object]]:
    return {
        reference.id: (reference.archive.status, reference.archive.snapshot_url, reference.archive.snapshot_time)
        for reference in report.references
    }


@dataclass
class OnlineRun:
    report: DocumentReport
    document: Path
    cache: Path


@pytest.fixture(scope="module")
def online(servers: Servers, tmp_path_factory: pytest.TempPathFactory) -> OnlineRun:
    folder = tmp_path_factory.mktemp("online-run")
    document = write_document(servers, folder)
    cache = folder / "cache.sqlite"
    result = audit([document], options(servers, folder / "reports", cache, offline=False))
    return OnlineRun(result.reports[0], document, cache)


def test_online_run_reads_the_sources(online: OnlineRun, servers: Servers) -> None:
    report = online.report
    assert report.network.mode == "online"
    assert online.cache.is_file()
    verdict = verdicts(report)
    assert verdict['The mayor promised that "the bridge will reopen before the winter festival".'] == "verified"
    assert verdict['The mayor promised that "the bridge will be demolished".'] == "unsupported"
    assert verdict["Repairs cost 2.4 million dollars."] == "verified"
    assert verdict["Repairs took 30 weeks."] == "unsupported"
    assert verdict["The ferry kept running during the repairs."] == "sourced"  # live page read, no capture
    assert verdict["A council statement has since been removed."] == "source-lost"
    assert verdict["Nothing cites this sentence."] == "uncited"
    web_requests, archive_requests = servers.requests_seen()
    assert web_requests > 0 and archive_requests > 0


def test_offline_rerun_gives_the_same_answers_without_a_request(
    online: OnlineRun, servers: Servers, tmp_path: Path
) -> None:
    before = servers.requests_seen()
    result = audit([online.document], options(servers, tmp_path / "reports", online.cache, offline=True))
    report = result.reports[0]
    assert servers.requests_seen() == before, "an offline audit sent requests"
    assert report.network.mode == "offline"
    assert "from the cache" in report.network.message
    assert live_states(report) == live_states(online.report)
    assert archive_states(report) == archive_states(online.report)
    # Texts that were read come back from the store, title, date and all.
    read_online = {reference.id: reference.source for reference in online.report.references}
    read_offline = {reference.id: reference.source for reference in report.references}
    assert {ref for ref, source in read_online.items() if source.status == "fetched"} == {"bridge", "ferry"}
    for ref in ("bridge", "ferry"):
        assert read_offline[ref] == read_online[ref]
    online_verdicts, offline_verdicts = verdicts(online.report), verdicts(report)
    lost = "A council statement has since been removed."
    assert {text: v for text, v in offline_verdicts.items() if text != lost} == {
        text: v for text, v in online_verdicts.items() if text != lost
    }
    online_findings = sorted((finding.code, finding.ref, finding.claim) for finding in online.report.findings)
    offline_findings = sorted((finding.code, finding.ref, finding.claim) for finding in report.findings)
    assert offline_findings == online_findings


def test_offline_rerun_remembers_a_lost_source(online: OnlineRun, servers: Servers, tmp_path: Path) -> None:
    result = audit([online.document], options(servers, tmp_path / "reports", online.cache, offline=True))
    report = result.reports[0]
    lost = "A council statement has since been removed."
    assert verdicts(report)[lost] == verdicts(online.report)[lost] == "source-lost"
    gone = next(reference for reference in report.references if reference.id == "gone")
    assert gone.source.status == "unavailable"  # offline, sources.assemble_source says not-checked


@pytest.mark.parametrize("cache_state", ["missing", "empty"])
def test_offline_without_a_filled_cache_checks_nothing(
    online: OnlineRun, servers: Servers, tmp_path: Path, cache_state: str
) -> None:
    cache = tmp_path / "cache" / "store.sqlite"
    if cache_state == "empty":
        cache.parent.mkdir()
        with Store(cache):
            pass  # a store with its tables and no rows
    before = servers.requests_seen()
    result = audit([online.document], options(servers, tmp_path / "reports", cache, offline=True))
    report = result.reports[0]
    assert servers.requests_seen() == before
    assert report.network.mode == "offline"
    assert cache.exists() == (cache_state == "empty"), "an offline run created the store"
    cited = [claim for claim in report.claims if claim.refs]
    assert len(cited) == 6
    assert {claim.verdict for claim in cited} == {"not-checked"}
    assert [claim.verdict for claim in report.claims if not claim.refs] == ["uncited"]
    assert not [finding for finding in report.findings if finding.code in ("CC501", "CC502")]
    assert all(reference.live.status is LiveStatus.not_checked for reference in report.references)
    assert all(reference.archive.status is ArchiveStatus.not_checked for reference in report.references)
    assert all(reference.source.status == "not-checked" for reference in report.references)


def reproducible_document(servers: Servers, folder: Path) -> Path:
    bridge, gone = servers.url("/2012/03/bridge"), servers.url("/2012/03/removed")
    reset = servers.url("/2012/03/reset")
    text = f"""# Bridge, again

The mayor promised that "the bridge will reopen before the winter festival".[^bridge]

A council statement has since been removed.[^gone]

The harbour master posted the new tide tables.[^tides]

[^bridge]: "Bridge repairs". The Gazette. 2 March 2012. {bridge} Retrieved 6 March 2012.
[^gone]: "Council statement". The Gazette. 1 March 2012. {gone} Retrieved 6 March 2012.
[^tides]: "Tide tables". The Gazette. 3 March 2012. {reset} Retrieved 6 March 2012.
"""
    path = folder / "again.md"
    path.write_text(text, encoding="utf-8")
    return path


def report_files(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def check_times(report: DocumentReport) -> dict[str, object]:
    return {reference.id: reference.live.checked_at for reference in report.references}


def test_offline_reruns_are_reproducible_and_keep_the_check_times(
    servers: Servers, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two offline audits from one store: the same report folder byte for byte, dated by the networked run.

    A live check read back from the store keeps the moment it was obtained,
    the unreachable one too (see the next test); a link nothing was asked
    about has no check time: "checked now" would be false.
    """
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    document = reproducible_document(servers, tmp_path)
    cache = tmp_path / "cache.sqlite"
    online = audit([document], options(servers, tmp_path / "online", cache, offline=False)).reports[0]
    statuses = {reference.id: reference.live.status for reference in online.references}
    assert statuses == {"bridge": LiveStatus.alive, "gone": LiveStatus.dead, "tides": LiveStatus.unreachable}
    online_times = check_times(online)
    assert all(moment is not None for moment in online_times.values())
    before = servers.requests_seen()
    first = audit([document], options(servers, tmp_path / "first", cache, offline=True)).reports[0]
    second = audit([document], options(servers, tmp_path / "second", cache, offline=True)).reports[0]
    assert servers.requests_seen() == before, "an offline audit sent requests"
    assert report_files(tmp_path / "first") == report_files(tmp_path / "second")
    assert first.generated_at == second.generated_at == online.generated_at
    # The stored answers keep the time they were obtained, the unreachable one's too: nothing was asked again.
    assert check_times(first) == online_times
    # A link the store has no answer for: not-checked, and no check time.
    lone = tmp_path / "lone.md"
    lone.write_text(f'A claim.[^a]\n\n[^a]: "A page". {servers.url("/2012/03/never-asked")}\n', encoding="utf-8")
    never = audit([lone], options(servers, tmp_path / "lone", cache, offline=True)).reports[0].references[0].live
    assert (never.status, never.checked_at) == (LiveStatus.not_checked, None)


def test_offline_rerun_reports_a_stored_unreachable_answer_as_the_networked_run_did(
    servers: Servers, tmp_path: Path
) -> None:
    """A host that failed us (the connection reset while other servers answered) is ``unreachable``: stored, and
    asked again by every networked run, but offline nothing can be asked, so the last answer stands with its time
    and its CC206 (info) — not ``not-checked``, which would hide that the last run could not reach it.

    It is never evidence that the page is gone: no CC201, and a later networked run asks the host again.
    """
    document = reproducible_document(servers, tmp_path)
    cache = tmp_path / "cache.sqlite"
    online = audit([document], options(servers, tmp_path / "online", cache, offline=False)).reports[0]
    tides = next(reference for reference in online.references if reference.id == "tides")
    assert tides.live.status is LiveStatus.unreachable and tides.live.checked_at is not None
    before = servers.requests_seen()
    offline = audit([document], options(servers, tmp_path / "offline", cache, offline=True)).reports[0]
    assert servers.requests_seen() == before, "an offline audit sent requests"
    again = next(reference for reference in offline.references if reference.id == "tides")
    assert again.live == tides.live  # status, reason, evidence and check time, as the networked run wrote them
    codes = {(finding.code, finding.ref) for finding in offline.findings}
    assert ("CC206", "tides") in codes and ("CC201", "tides") not in codes
    assert {(f.code, f.ref) for f in online.findings if f.ref == "tides"} == {c for c in codes if c[1] == "tides"}
    assert "3 of 3 live checks" in offline.network.message  # the unreachable answer counts as remembered
    # Online, an unreachable answer is never reused: the host is asked again.
    asked = len(servers.web.seen("gazette", "/2012/03/reset"))
    audit([document], options(servers, tmp_path / "online-again", cache, offline=False))
    assert len(servers.web.seen("gazette", "/2012/03/reset")) > asked


# The HTTP client and what importing it pulls in (httpx imports its command line's rich and pygments).
HTTP_CLIENT = ("httpx", "httpcore", "h11", "h2", "anyio", "rich", "pygments", "idna", "brotli")


@pytest.mark.parametrize("archive", ["default", "loopback"])
def test_offline_audit_from_a_filled_store_loads_no_http_client(
    online: OnlineRun, servers: Servers, tmp_path: Path, archive: str
) -> None:
    """An offline audit that reads a store runs the resolve session (the one code path, offline) but never imports
    the HTTP client: the store's answers need only data models. With cited archive copies (planning decides which
    are copies to verify) and the default archive or the loopback one the store has answers of (``--archive``
    values read, the archive backend set up)."""
    bridge = online.report.references[0]
    assert bridge.id == "bridge" and bridge.live.status is LiveStatus.alive
    document = tmp_path / "copies.md"
    wayback = f"https://web.archive.org/web/20120305120000/{bridge.url}"
    today = "https://archive.ph/20120305120000/" + str(bridge.url)
    document.write_text(
        "The mayor spoke.[^a]\n\nThe ferry ran.[^b]\n\nThe bridge reopened.[^c]\n\n"
        f'[^a]: "Bridge repairs". The Gazette. 2 March 2012. <{bridge.url}> ([archived]({wayback}))\n'
        f'[^b]: "Bridge repairs". The Gazette. 2 March 2012. <{bridge.url}> ([archived]({today}))\n'
        f"[^c]: {bridge.raw}\n",
        encoding="utf-8",
    )
    out = tmp_path / "reports"
    extra = ["--archive", servers.archive_url] if archive == "loopback" else []
    code = (
        "import contextlib, io, sys\n"
        "before = set(sys.modules)\n"
        "from citecheck.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n"
        f"        main(['audit', {str(document)!r}, '--offline', '-q', '--out', {str(out)!r},"
        f" '--cache', {str(online.cache)!r}, *{extra!r}])\n"
        "    except SystemExit:\n        pass\n"
        "print(' '.join(sorted(set(sys.modules) - before)))\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    names = set(run.stdout.split())
    report = json.loads((out / "copies.json").read_text(encoding="utf-8"))
    live = [reference["live"] for reference in report["references"]]
    # The store was read (the answers of the networked run, with their time) by the resolve session.
    assert [check["status"] for check in live] == ["alive", "alive", "alive"], run.stderr
    assert {check["checked_at"] for check in live} == {bridge.live.model_dump(mode="json")["checked_at"]}
    if archive == "loopback":  # the capture the networked run chose, from the store
        assert report["references"][2]["archive"] == online.report.references[0].archive.model_dump(mode="json")
    assert "citecheck.resolve.stage" in names
    loaded = names | {name.split(".")[0] for name in names}
    assert not loaded & set(HTTP_CLIENT), sorted(loaded & set(HTTP_CLIENT))
    assert "http.cookiejar" not in names
