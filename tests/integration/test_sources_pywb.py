"""The source-text stage against a real pywb on loopback and the same WARC read in-process."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from citecheck.checks.page_date import publication_date_finding
from citecheck.models import ArchiveResult, ArchiveStatus, LiveCheck, LiveStatus, Reference
from citecheck.resolve.archive import ArchiveResolver, request_for_reference
from citecheck.resolve.sources import OFFLINE_REASON, SourceFetcher, SourceText, source_key
from citecheck.store.db import Store
from tests.integration.pywb_world import ArchiveWorld, Capture, at, write_warc

pytestmark = pytest.mark.integration

SITE = "http://news.example.net"
ACCESS = "2011-05-08"
STORY_SENTENCES = [
    "The water ministers of the three countries met in Amman on Thursday to discuss the shared river basin.",
    "According to the draft agreement, each country would receive a fixed share of the seasonal flow.",
    "Officials said the talks had stalled twice over the question of how droughts would be handled.",
]


def story_page(title: str, published: str, sentences: list[str]) -> bytes:
    paragraphs = "".join(f"<p>{sentence}</p>" for sentence in sentences)
    return (
        f'<html><head><title>{title}</title><meta property="article:published_time" content="{published}">'
        f"</head><body><nav><ul><li><a href='/'>Home</a></li><li><a href='/world'>World</a></li></ul></nav>"
        f"<article><h1>{title}</h1>{paragraphs}</article>"
        f"<footer><p>Copyright Example News, all rights reserved, terms apply.</p></footer></body></html>"
    ).encode()


def captures() -> list[Capture]:
    return [
        Capture(
            f"{SITE}/water-deal",
            at("2011-05-07T18:00:00"),
            body=story_page("Water deal", "2011-04-14T21:00:00-04:00", STORY_SENTENCES),
        ),
        Capture(
            f"{SITE}/budget-vote",
            at("2011-05-07T18:00:00"),
            body=story_page("Budget vote", "2010-11-02", STORY_SENTENCES[:2]),
        ),
        Capture(f"{SITE}/report.pdf", at("2011-05-07T18:00:00"), body=b"%PDF-1.4 not a web page"),
    ]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ArchiveWorld]:
    with ArchiveWorld(tmp_path_factory.mktemp("pywb-sources"), captures()) as running:
        yield running


@pytest.fixture(scope="module")
def warc_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_warc(tmp_path_factory.mktemp("warc-sources") / "sources.warc.gz", captures())


class LiveSite:
    """A loopback web server standing in for the live web: path -> (status, body)."""

    def __init__(self, pages: dict[str, tuple[int, bytes]]) -> None:
        self.requests = 0
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                return

            def do_GET(self) -> None:
                site.requests += 1
                status, body = pages.get(self.path, (404, b"<html><body>Not found</body></html>"))
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}{path}"

    def __enter__(self) -> LiveSite:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def cited(path: str, date: str | None = "2011-04-14", url: str | None = None, **fields: object) -> Reference:
    return Reference(id=path.strip("/"), url=url or f"{SITE}{path}", date=date, access_date=ACCESS, **fields)  # type: ignore[arg-type]


async def resolve_and_fetch(
    archive: str, references: list[Reference], store: Store, **options: object
) -> dict[str, SourceText]:
    """Resolve each reference on ``archive`` and read the sources with the resolver's own backends."""
    async with ArchiveResolver([archive]) as resolver:
        for reference in references:
            request = request_for_reference(reference)
            assert request is not None
            reference.archive = await resolver.resolve(request)
        async with SourceFetcher(store, backends=resolver.backends, **options) as fetcher:  # type: ignore[arg-type]
            texts = await fetcher.fetch_sources(references)
    for reference in references:
        key = source_key(reference)
        assert key is not None
        reference.source = texts[key].info
    return texts


async def test_capture_read_through_pywb_and_warc_gives_the_same_text(
    world: ArchiveWorld, warc_file: Path, tmp_path: Path
) -> None:
    texts = []
    for archive in (world.archive_url, f"warc:{warc_file}"):
        reference = cited("/water-deal")
        with Store(tmp_path / f"{len(texts)}.sqlite") as store:
            fetched = await resolve_and_fetch(archive, [reference], store)
        assert reference.archive.status is ArchiveStatus.found
        source = reference.source
        assert source.status == "fetched" and source.origin == "capture", source
        assert source.url == reference.archive.snapshot_url
        assert source.title == "Water deal"
        assert source.page_date is not None and source.page_date.date.iso() == "2011-04-14"
        assert source.page_date.method == "meta:article:published_time"
        text = fetched[source_key(reference) or ""].text
        assert all(sentence in text for sentence in STORY_SENTENCES)
        assert "Copyright" not in text and "Home" not in text.split()
        assert source.chars == len(text)
        texts.append(text)
    assert texts[0] == texts[1]


async def test_meta_date_differing_from_the_cited_date_is_cc403(world: ArchiveWorld, tmp_path: Path) -> None:
    mismatch, match = cited("/budget-vote"), cited("/water-deal")
    with Store(tmp_path / "cache.sqlite") as store:
        await resolve_and_fetch(world.archive_url, [mismatch, match], store)
    finding = publication_date_finding(mismatch)
    assert finding is not None and finding.code == "CC403"
    assert "2011-04-14" in finding.message and "2010-11-02" in finding.message
    assert "meta:article:published_time" in finding.message
    assert publication_date_finding(match) is None


async def test_same_capture_is_read_once_and_rerun_is_answered_from_cache(world: ArchiveWorld, tmp_path: Path) -> None:
    first, again = cited("/water-deal"), cited("/water-deal", date="2011-04")
    again.id = "again"
    with Store(tmp_path / "cache.sqlite") as store:
        async with ArchiveResolver([world.archive_url]) as resolver:
            for reference in (first, again):
                request = request_for_reference(reference)
                assert request is not None
                reference.archive = await resolver.resolve(request)
            before = resolver.requests_sent
            async with SourceFetcher(store, backends=resolver.backends) as fetcher:
                texts = await fetcher.fetch_sources([first, again])
            assert resolver.requests_sent - before == 1  # one id_ playback for both references
        assert len(texts) == 1

        async with SourceFetcher(store, archives=[world.archive_url]) as rerun:
            cached = await rerun.fetch_sources([first, again])
        assert rerun.requests_sent == 0 and rerun.cache_hits == 1
        assert cached == texts

        async with SourceFetcher(store, offline=True) as offline:
            from_cache = await offline.fetch_sources([first])
        assert from_cache == texts


async def test_offline_with_an_empty_cache_is_not_checked(tmp_path: Path) -> None:
    with_capture = cited(
        "/water-deal",
        archive=ArchiveResult(
            status=ArchiveStatus.found,
            archive="http://127.0.0.1:9/testcoll",
            snapshot_url="http://127.0.0.1:9/testcoll/20110507180000/http://news.example.net/water-deal",
            snapshot_time=at("2011-05-07T18:00:00"),
        ),
    )
    live_only = cited("/elsewhere", archive=ArchiveResult(status=ArchiveStatus.none))
    dead = cited("/dead", archive=ArchiveResult(status=ArchiveStatus.none), live=LiveCheck(status=LiveStatus.dead))
    with Store(tmp_path / "empty.sqlite") as store:
        async with SourceFetcher(store, offline=True) as fetcher:
            texts = await fetcher.fetch_sources([with_capture, live_only, dead])
        assert fetcher.requests_sent == 0
    statuses = {key.split("@")[0].rsplit("/", 1)[-1]: text.info for key, text in texts.items()}
    assert statuses["water-deal"].status == statuses["elsewhere"].status == "not-checked"
    assert statuses["water-deal"].reason == statuses["elsewhere"].reason == OFFLINE_REASON
    # Remembered as dead with no capture: known unreadable, not merely unchecked.
    assert statuses["dead"].status == "unavailable"


async def test_non_html_capture_is_unavailable_and_says_why(world: ArchiveWorld, tmp_path: Path) -> None:
    reference = cited("/report.pdf")
    with Store(tmp_path / "cache.sqlite") as store:
        await resolve_and_fetch(world.archive_url, [reference], store)
    assert reference.source.status == "unavailable"
    assert reference.source.reason is not None and "not an HTML page" in reference.source.reason


async def test_size_cap_cuts_the_capture(world: ArchiveWorld, tmp_path: Path) -> None:
    reference = cited("/water-deal")
    with Store(tmp_path / "cache.sqlite") as store:
        await resolve_and_fetch(world.archive_url, [reference], store, max_bytes=400)
    assert reference.source.reason is not None and "cut at 400 bytes" in reference.source.reason


async def test_live_page_is_read_only_without_a_capture_and_says_so(tmp_path: Path) -> None:
    page = story_page("Live story", "2012-06-01", STORY_SENTENCES[:1])
    with LiveSite({"/story": (200, page)}) as site:
        no_capture = cited("/story", url=site.url("/story"), archive=ArchiveResult(status=ArchiveStatus.none))
        with Store(tmp_path / "cache.sqlite") as store:
            async with SourceFetcher(store, allow_private=True) as fetcher:
                texts = await fetcher.fetch_sources([no_capture])
            text = texts[source_key(no_capture) or ""]
            assert text.info.status == "fetched" and text.info.origin == "live"
            assert text.info.reason is not None and "no capture in any archive" in text.info.reason
            assert STORY_SENTENCES[0] in text.text
            no_capture.source = text.info
            finding = publication_date_finding(no_capture)
            assert finding is not None and "live page" in finding.message

            async with SourceFetcher(store, allow_private=True) as rerun:
                await rerun.fetch_sources([no_capture])
            assert rerun.requests_sent == 0 and site.requests == 1  # within the TTL, from the cache


async def test_live_fetch_is_refused_on_loopback_by_default(tmp_path: Path) -> None:
    with LiveSite({"/story": (200, b"<html><body><p>private</p></body></html>")}) as site:
        reference = cited("/story", url=site.url("/story"), archive=ArchiveResult(status=ArchiveStatus.none))
        async with SourceFetcher(None) as fetcher:
            texts = await fetcher.fetch_sources([reference])
        assert site.requests == 0
    info = texts[source_key(reference) or ""].info
    assert info.status == "unavailable" and info.reason is not None and "refused" in info.reason


async def test_alive_page_with_a_capture_gives_live_text_for_drift(world: ArchiveWorld, tmp_path: Path) -> None:
    changed = story_page("Water deal (updated)", "2011-04-14", ["The page now talks about something else entirely."])
    with LiveSite({"/water-deal": (200, changed)}) as site:
        reference = cited("/water-deal", live=LiveCheck(status=LiveStatus.alive))
        async with ArchiveResolver([world.archive_url]) as resolver:
            request = request_for_reference(reference)
            assert request is not None
            reference.archive = await resolver.resolve(request)
        # The capture was taken of news.example.net; the live copy answers on loopback.
        reference.url = site.url("/water-deal")
        with Store(tmp_path / "cache.sqlite") as store:
            async with SourceFetcher(store, archives=[world.archive_url], allow_private=True) as fetcher:
                texts = await fetcher.fetch_sources([reference])
    text = texts[source_key(reference) or ""]
    assert text.info.origin == "capture"
    assert STORY_SENTENCES[0] in text.text
    assert text.live_text is not None and "something else entirely" in text.live_text
    assert text.live_title == "Water deal (updated)"
