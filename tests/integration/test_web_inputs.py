"""URLs and wiki articles as audit inputs: real Parsoid pages, bad inputs one by one, offline, politeness."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from citecheck import AuditOptions, UsageError, audit
from citecheck.documents.html import read_html
from citecheck.resolve.api_http import GuardedHttp
from citecheck.resolve.page_input import PageFetcher, PageInputError
from tests.conftest import shared_path
from tests.integration.mediawiki_world import MediaWikiServer, history
from tests.integration.pywb_world import Capture, at, write_warc
from tests.integration.web_world import Reply, WebWorld, html, redirect, standard_world

pytestmark = pytest.mark.integration

FOOTNOTED = (
    "<article><h1>Harvest notes</h1><p>Yields rose in 2011.<sup><a href='#fn1'>1</a></sup></p>"
    "<section class='footnotes'><ol><li id='fn1'>\"Harvest figures revised\". Daily Ledger. 2 May 2011. "
    "<a href='{url}'>{url}</a> Retrieved 8 May 2011.</li></ol></section></article>"
)


@pytest.fixture(scope="module")
def world() -> Iterator[tuple[WebWorld, MediaWikiServer]]:
    web = standard_world()
    wiki = MediaWikiServer(web, "wiki", "127.0.0.8")
    blog = web.add_site("blog", "127.0.0.12")
    blog.route(
        "/notes", lambda _r: html("Harvest notes", FOOTNOTED.format(url=web.url("news", "/articles/harvest-2011")))
    )
    blog.route(
        "/big",
        Reply(
            200, b"<html><body>" + b"<p>filler text</p>" * 600_000 + b"</body></html>", [("Content-Type", "text/html")]
        ),
    )
    blog.route("/untyped", Reply(200, b"<!doctype html><html><body><p>No type said.</p></body></html>"))
    blog.route("/image", Reply(200, b"\x89PNG\r\n\x1a\n" + bytes(64), [("Content-Type", "image/png")]))
    blog.route("/to-metadata", redirect("http://169.254.169.254/latest/meta-data/"))
    blog.route("/to-other-loopback", redirect("http://127.0.0.99:9/secret"))
    wiki.add_article(
        "Valley",
        history(datetime(2012, 1, 1, tzinfo=UTC), ["The valley is green.", "The valley is green and wide."]),
    )
    web.start()
    try:
        yield web, wiki
    finally:
        web.stop()


def _options(tmp: Path, web: WebWorld, wiki: MediaWikiServer, **extra: object) -> AuditOptions:
    settings: dict[str, object] = {
        "out": tmp / "reports",
        "cache": tmp / "cache.sqlite",
        "archives": [f"warc:{tmp / 'none.warc.gz'}"],
        "allow_private": True,
        "canary": [web.url("news", "/")],
        "wiki": wiki.base,
    }
    return AuditOptions.model_validate({**settings, **extra})


def test_real_parsoid_pages_are_read_as_the_reader_reads_the_file(
    world: tuple[WebWorld, MediaWikiServer], tmp_path: Path
) -> None:
    web, wiki = world
    samples = shared_path("wikipedia-samples")
    served = {
        "Mathematics": ("arwiki_Mathematics.parsoid.html", 28762698, datetime(2018, 5, 24, 8, 19, 11, tzinfo=UTC)),
        "CiteDetails": (
            "testwiki_CiteDetails_subreferences.parsoid.html",
            673412,
            datetime(2025, 9, 5, 11, 48, 33, tzinfo=UTC),
        ),
    }
    for title, (name, revision, moment) in served.items():
        wiki.add_parsoid_page(title, (samples / name).read_text(encoding="utf-8"), revision, moment)
    inputs = [web.url("wiki", "/wiki/Mathematics"), "wikipedia:CiteDetails@673412"]
    result = audit(inputs, _options(tmp_path, web, wiki, offline=False))
    assert not result.summary.errors
    for report, (title, (name, revision, moment)) in zip(result.reports, served.items(), strict=True):
        fetched = report.document.fetched
        assert fetched is not None and fetched.revision is not None
        assert (fetched.revision.revision, fetched.revision.timestamp, fetched.revision.title) == (
            revision,
            moment,
            title,
        )
        expected = read_html((samples / name).read_text(encoding="utf-8"), "sample")
        assert [(r.id, r.url, r.title) for r in report.references] == [
            (r.id, r.url, r.title) for r in expected.references
        ]
    stems = sorted(path.name for path in (tmp_path / "reports").glob("*.json"))
    assert any(stem.startswith("127.0.0.8-Mathematics") for stem in stems)
    assert any(stem.startswith("127.0.0.8-CiteDetails-r673412") for stem in stems)


def test_a_page_url_is_fetched_and_reported_with_where_and_when(
    world: tuple[WebWorld, MediaWikiServer], tmp_path: Path
) -> None:
    web, wiki = world
    url = web.url("blog", "/notes")
    result = audit([url], _options(tmp_path, web, wiki))
    report = result.reports[0]
    assert report.document.path == url
    assert report.document.fetched is not None and report.document.fetched.origin == "live"
    assert report.document.fetched.fetched_url == url
    assert [reference.url for reference in report.references] == [web.url("news", "/articles/harvest-2011")]
    assert report.notices[0].startswith(f"Fetched from {url} on ")


def test_a_dead_page_is_audited_from_its_capture_and_the_report_says_so(
    world: tuple[WebWorld, MediaWikiServer], tmp_path: Path
) -> None:
    web, wiki = world
    url = web.url("news", "/articles/withdrawn")  # 410 Gone
    warc = write_warc(
        tmp_path / "captures.warc.gz",
        [Capture(url, at("2012-03-01T08:00:00"), body=FOOTNOTED.format(url=web.url("news", "/")).encode())],
    )
    result = audit([url], _options(tmp_path, web, wiki, archives=[f"warc:{warc}"]))
    report = result.reports[0]
    fetched = report.document.fetched
    assert fetched is not None and fetched.origin == "capture"
    assert fetched.snapshot_time is not None and fetched.snapshot_time.year == 2012
    assert "410" in (fetched.reason or "")
    assert "audited instead" in report.notices[0]
    assert len(report.references) == 1


def test_bad_inputs_each_get_one_line_and_the_others_are_still_audited(
    world: tuple[WebWorld, MediaWikiServer], tmp_path: Path
) -> None:
    web, wiki = world
    wiki.garbage_titles.add("Broken")
    good = web.url("blog", "/notes")
    bad = {
        web.url("news", "/papers/study.pdf"): "a PDF, not an HTML page",
        web.url("blog", "/image"): "not an HTML page (image/png)",
        web.url("blog", "/big"): "larger than the 8 MiB limit",
        "wikipedia:No such article": "no page titled 'No such article'",
        "wikipedia:Broken": "the wiki answered garbage",
        web.url("wiki", "/wiki/Valley?oldid=notanumber"): "is not a revision number",
        # urllib raises on these; they once crashed the audit (exit 4) with a ValueError
        "http://[::g]/": "not a web address",
        "https://[zz]:99/x": "not a web address",
        "http://": "not a web address (no host)",
    }
    result = audit([*bad, good, web.url("blog", "/untyped")], _options(tmp_path, web, wiki))
    assert result.exit_code == 2
    errors = {error.path: error.error for error in result.summary.errors}
    assert set(errors) == set(bad)
    for given, expected in bad.items():
        assert expected in errors[given] and "\n" not in errors[given], errors[given]
    assert sorted(report.document.path for report in result.reports) == sorted([good, web.url("blog", "/untyped")])
    assert (tmp_path / "reports" / "index.md").is_file()


async def test_a_redirect_into_a_private_address_is_refused_hop_by_hop(
    world: tuple[WebWorld, MediaWikiServer], tmp_path: Path
) -> None:
    web, _ = world
    trusted = [ipaddress.ip_network("127.0.0.12/32")]  # the blog counts as public; nothing else does
    async with GuardedHttp(allow_private=False, agent="citecheck-test", trusted_networks=trusted) as http:
        pages = PageFetcher(http, None, max_bytes=1 << 20)
        assert (await pages.fetch(web.url("blog", "/notes"))).origin == "live"
        for path, reason in (("/to-metadata", "link-local"), ("/to-other-loopback", "loopback")):
            with pytest.raises(PageInputError, match=reason) as raised:
                await pages.fetch(web.url("blog", path))
            assert "refused" in str(raised.value) and "\n" not in str(raised.value)


def test_offline_answers_from_the_store_and_is_clear_when_it_has_nothing(
    world: tuple[WebWorld, MediaWikiServer], tmp_path: Path
) -> None:
    web, wiki = world
    inputs = ["wikipedia:Valley", web.url("blog", "/notes")]
    empty = audit(inputs, _options(tmp_path / "empty", web, wiki, offline=True))
    assert {error.path for error in empty.summary.errors} == set(inputs)
    assert all("offline" in error.error for error in empty.summary.errors)
    assert not (tmp_path / "empty" / "cache.sqlite").exists()  # an offline run leaves no trace

    online = audit(inputs, _options(tmp_path, web, wiki))
    assert not online.summary.errors
    before = len(web.requests)
    offline = audit(inputs, _options(tmp_path, web, wiki, offline=True, out=tmp_path / "offline"))
    assert len(web.requests) == before
    assert not offline.summary.errors
    assert [r.document.fetched for r in offline.reports] == [r.document.fetched for r in online.reports]


def test_maxlag_is_waited_out_and_requests_stay_serial(world: tuple[WebWorld, MediaWikiServer], tmp_path: Path) -> None:
    web, wiki = world
    wiki.maxlag_left = 1
    text = f"The valley floods.<ref>[{web.url('news', '/articles/flood-2012')} Flood]</ref>"
    wiki.add_article("Floods", history(datetime(2012, 6, 1, tzinfo=UTC), ["Stub.", text, text + " More."]))
    result = audit(["wikipedia:Floods"], _options(tmp_path, web, wiki))
    reference = result.reports[0].references[0]
    assert reference.access_date_provenance is not None
    assert reference.access_date is not None and reference.access_date.iso() == "2012-06-04"
    action = wiki.seen("action")
    assert wiki.maxlag_left == 0
    # The maxlag answer was asked again, not given up: at least one repeated request.
    paths = [request.path for request in action]
    assert len(paths) > len(set(paths))
    # Serial: no two wiki requests overlapped (each one starts after the previous answered).
    starts = [request.at for request in wiki.seen()]
    assert starts == sorted(starts)


def test_a_revision_range_and_a_titles_file_audit_many_articles_in_one_run(
    world: tuple[WebWorld, MediaWikiServer], tmp_path: Path
) -> None:
    web, wiki = world
    valley = wiki.articles["Valley"].revisions
    titles = tmp_path / "titles.txt"
    titles.write_text(
        f"# articles to audit\nValley\n\nwikipedia:Valley\n{web.url('wiki', '/wiki/Valley')}\n"
        f"{web.url('wiki', f'/w/index.php?title=Valley&diff={valley[1].id}&oldid={valley[0].id}')}\n",
        encoding="utf-8",
    )
    result = audit([], _options(tmp_path, web, wiki, titles=titles))
    assert not result.summary.errors
    revisions = sorted(
        report.document.fetched.revision.revision
        for report in result.reports
        if report.document.fetched and report.document.fetched.revision
    )
    # Three spellings of one article, audited once, and the range's two revisions.
    assert revisions == [valley[0].id, valley[1].id, valley[1].id]
    stems = sorted(path.stem for path in (tmp_path / "reports").glob("*.json") if path.stem != "summary")
    assert len(stems) == len(set(stems)) == 3

    with pytest.raises(UsageError, match=r"--titles .*nope\.txt: no such file"):
        audit([], _options(tmp_path, web, wiki, titles=tmp_path / "nope.txt"))


def test_a_history_longer_than_the_budget_lists_its_newest_revisions(
    world: tuple[WebWorld, MediaWikiServer], tmp_path: Path
) -> None:
    web, wiki = world
    old, new = web.url("news", "/articles/harvest-2011"), web.url("news", "/articles/flood-2012")
    texts = (
        ["Stub."]
        + [f"Old news.<ref>[{old} Old]</ref>"] * 7
        + [f"Old news.<ref>[{old} Old]</ref> New.<ref>[{new} New]</ref>"] * 2
    )
    article = wiki.add_article("Long history", history(datetime(2013, 1, 1, tzinfo=UTC), texts))
    wiki.list_limit = 3  # three revisions per list answer
    try:
        report = audit(["wikipedia:Long history"], _options(tmp_path, web, wiki, history_budget=2)).reports[0]
    finally:
        wiki.list_limit = 500
    dated = {reference.url: reference.access_date_provenance for reference in report.references}
    assert dated[new] is not None and dated[new].revision == article.revisions[8].id
    assert dated[old] is None  # cited before the three revisions one list request reaches
    assert any("most recent revisions the budget could list" in notice for notice in report.notices)
