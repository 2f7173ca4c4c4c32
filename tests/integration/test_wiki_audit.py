"""Auditing a wiki article end to end: a loopback MediaWiki, a loopback web, a local WARC archive.

The article's history is built here: references are added over eleven
revisions, two of them without an access date; the web answers some of
the cited URLs and 404s others; the archive holds captures on both sides of
the dates that matter.  One audit must pin the revision, date the undated
citations from the history (and choose snapshots by those dates), and
write the repairs as a unified diff of the pinned wikitext; a re-run must
send nothing to the wiki and write the same bytes.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from citecheck import AuditOptions, audit
from citecheck.models import DocumentReport, Reference
from tests.integration.mediawiki_world import MediaWikiServer, history
from tests.integration.pywb_world import Capture, at, running_world
from tests.integration.web_world import WebWorld, standard_world

pytestmark = pytest.mark.integration

START = datetime(2011, 3, 30, 9, 0, tzinfo=UTC)  # revision k is START + 3k days


@pytest.fixture(scope="module")
def world() -> Iterator[tuple[WebWorld, MediaWikiServer]]:
    web = standard_world()
    wiki = MediaWikiServer(web, "wiki", "127.0.0.8")
    web.start()
    try:
        yield web, wiki
    finally:
        web.stop()


def article_texts(news: str) -> list[str]:
    """Eleven revisions of a small article; each citation enters at a known revision."""
    lead = "The harvest festival is held every autumn in the valley."
    alive = (
        f"The 2011 harvest was revised upward.<ref>{{{{cite web |url={news}/articles/harvest-2011 "
        "|title=Harvest figures revised |work=Daily Ledger |date=2 May 2011 |access-date=8 May 2011}}</ref>"
    )
    undated = (
        f"Crowds reached a record.<ref>{{{{cite web |url={news}/articles/gone-2011 "
        "|title=Festival crowds |work=Daily Ledger}}</ref>"
    )
    bare = f"The parade route was announced in April.<ref>[{news}/articles/parade-gone Parade route announced]</ref>"
    revived = (
        f"A flood damaged the fields in 2012.<ref>{{{{cite web |url={news}/articles/flood-2012 "
        "|title=Flood damage assessed |work=Daily Ledger |date=4 June 2012 |access-date=5 June 2012 "
        f"|archive-url=https://web.archive.org/web/20120606000000/{news}/articles/flood-2012 "
        "|archive-date=6 June 2012 |url-status=dead}}</ref>"
    )
    texts = [lead]
    texts.append(f"{lead} {alive}")  # r1
    texts.append(f"{lead} {alive} The valley is green.")  # r2
    texts.append(f"{lead} {alive} {undated} The valley is green.")  # r3: the undated URL enters
    for filler in ("Farmers sell apples.", "Farmers sell pears.", "Farmers sell plums.", "Farmers sell figs."):
        texts.append(f"{lead} {alive} {undated} The valley is green. {filler}")  # r4–r7
    body = f"{lead} {alive} {undated} The valley is green. Farmers sell figs."
    texts.append(f"{body}\n\n{bare}")  # r8: the bare link enters
    texts.append(f"{body}\n\n{bare}\n\n== Later years ==\n\n{revived}")  # r9
    texts.append(f"{body}\n\n{bare}\n\n== Later years ==\n\n{revived}\n\n== References ==\n\n{{{{reflist}}}}")  # r10
    return texts


@pytest.fixture(scope="module")
def article(world: tuple[WebWorld, MediaWikiServer]) -> str:
    web, wiki = world
    news = web.url("news", "").rstrip("/")
    wiki.add_article("Harvest festival", history(START, article_texts(news)))
    return news


@pytest.fixture(scope="module")
def archive(article: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real pywb: its snapshot URLs are http(s) URLs a wiki can cite."""
    news = article
    captures = [
        Capture(f"{news}/articles/gone-2011", at("2011-04-08T10:00:00")),  # just before r3 (2011-04-08 09:00 + 3d)
        Capture(f"{news}/articles/gone-2011", at("2011-04-25T10:00:00")),  # nearer the article's own date
        Capture(f"{news}/articles/parade-gone", at("2011-04-28T10:00:00")),
        Capture(f"{news}/articles/flood-2012", at("2012-06-06T00:00:00")),
        Capture(f"{news}/articles/harvest-2011", at("2011-05-07T10:00:00")),
    ]
    with running_world(tmp_path_factory.mktemp("pywb"), captures) as pywb:
        yield pywb.archive_url


def options_for(tmp: Path, web: WebWorld, wiki: MediaWikiServer, archive: str, **extra: object) -> AuditOptions:
    settings: dict[str, object] = {
        "out": tmp / "reports",
        "cache": tmp / "cache.sqlite",
        "archives": [archive],
        "allow_private": True,
        "canary": [web.url("news", "/")],
        "wiki": wiki.base,
    }
    return AuditOptions.model_validate({**settings, **extra})


def by_url(report: DocumentReport, fragment: str) -> Reference:
    return next(reference for reference in report.references if reference.url and fragment in reference.url)


def test_article_audit_pins_dates_from_history_and_writes_the_wikitext_diff(
    world: tuple[WebWorld, MediaWikiServer], archive: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    web, wiki = world
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    options = options_for(tmp_path, web, wiki, archive)
    before = len(wiki.seen())
    result = audit([web.url("wiki", "/wiki/Harvest_festival")], options)  # the article's URL, as a reader has it
    assert not result.summary.errors
    report = result.reports[0]
    revisions = wiki.articles["Harvest festival"].revisions
    pinned = report.document.fetched.revision if report.document.fetched else None
    assert pinned is not None and pinned.revision == revisions[-1].id
    assert pinned.timestamp == revisions[-1].timestamp
    assert report.document.path.endswith("index.php?title=Harvest_festival")

    # References and claims as the article has them.
    assert len(report.references) == 4
    claims = {claim.text: claim.refs for claim in report.claims}
    assert claims["Crowds reached a record."] == [by_url(report, "gone-2011").id]
    assert claims["The parade route was announced in April."] == [by_url(report, "parade-gone").id]
    assert claims["Farmers sell figs."] == []  # after the paragraph's last marker: uncited

    # The undated citations got the time their URLs entered the article.
    gone = by_url(report, "gone-2011")
    assert gone.access_date is not None and gone.access_date.iso() == f"{revisions[3].timestamp:%Y-%m-%d}"
    assert gone.access_date_provenance is not None and gone.access_date_provenance.revision == revisions[3].id
    parade = by_url(report, "parade-gone")
    assert parade.access_date is not None and parade.access_date.iso() == f"{revisions[8].timestamp:%Y-%m-%d}"
    dated = by_url(report, "harvest-2011")
    assert dated.access_date_provenance is None  # the citation's own access date stands
    # …and the snapshot was chosen by that date (not by the article's own date, nearer the later capture).
    assert gone.archive.snapshot_time is not None and gone.archive.snapshot_time.date().isoformat() == "2011-04-08"
    assert any("history" in notice for notice in report.notices)

    # Requests: one REST request for the page, and the history bisection well within its budget.
    seen = wiki.seen()[before:]
    assert len([r for r in seen if r.path.startswith("/w/rest.php")]) == 1
    action = [r for r in seen if r.path.startswith("/w/api.php")]
    assert 2 <= len(action) <= 6  # one revision list, then shared bisection batches (both URLs at once)
    assert all("maxlag=5" in r.path for r in action)
    assert all("citecheck/" in r.headers.get("user-agent", "") for r in seen)

    # The repairs, as a diff of the pinned wikitext.
    diff_name = report.wikitext_diff
    assert diff_name is not None
    diff = (tmp_path / "reports" / diff_name).read_text()
    assert f"revision {revisions[-1].id}" in diff
    added = [line for line in diff.splitlines() if line.startswith("+") and not line.startswith("+++")]
    removed = [line for line in diff.splitlines() if line.startswith("-") and not line.startswith("---")]
    assert any("gone-2011" in line and "archive-url=" in line and "url-status=dead" in line for line in added)
    assert any("archive-date=2011-04-08" in line for line in added)
    assert any("{{Webarchive |url=" in line and "parade-gone" in line for line in added)
    assert any("flood-2012" in line and "url-status=live" in line for line in added)
    assert len(added) == len(removed)  # lines changed, none lost
    alive_citation = f"{{{{cite web |url={by_url(report, 'harvest-2011').url} |title=Harvest figures revised"
    assert sum(alive_citation in line for line in added) == sum(alive_citation in line for line in removed) == 1


def test_a_pinned_rerun_sends_nothing_to_the_wiki_and_writes_the_same_bytes(
    world: tuple[WebWorld, MediaWikiServer], archive: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    web, wiki = world
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    first = options_for(tmp_path, web, wiki, archive, out=tmp_path / "first")
    audit(["wikipedia:en:Harvest festival"], first)
    article = wiki.articles["Harvest festival"]
    before = len(wiki.seen())
    # The article changes on the wiki; the pinned re-run still audits the revision it audited before.
    newest = article.revisions[-1]
    wiki.add_revision(article, newest.timestamp + timedelta(days=1), newest.wikitext + " New.")
    try:
        second = first.model_copy(update={"out": tmp_path / "second"})
        audit(["wikipedia:en:Harvest festival"], second)
        assert len(wiki.seen()) == before  # warm: no request to the wiki at all
        names = sorted(path.name for path in (tmp_path / "first").iterdir())
        assert names == sorted(path.name for path in (tmp_path / "second").iterdir())
        for name in names:
            assert (tmp_path / "first" / name).read_bytes() == (tmp_path / "second" / name).read_bytes(), name

        # Offline, the store answers everything: the pinned revision, the dates, the wikitext for the diff.
        offline = first.model_copy(update={"out": tmp_path / "offline", "offline": True})
        report = audit(["wikipedia:en:Harvest festival"], offline).reports[0]
        assert len(wiki.seen()) == before
        assert report.wikitext_diff is not None
        assert (tmp_path / "offline" / report.wikitext_diff).read_bytes() == (
            tmp_path / "first" / report.wikitext_diff
        ).read_bytes()
        assert sum(reference.access_date_provenance is not None for reference in report.references) == 2

        latest = first.model_copy(update={"out": tmp_path / "latest", "latest": True})
        report = audit(["wikipedia:en:Harvest festival"], latest).reports[0]
        assert report.document.fetched is not None and report.document.fetched.revision is not None
        assert report.document.fetched.revision.revision == article.revisions[-1].id
    finally:
        article.revisions.pop()
