"""Source texts through the resolve stage, against a real pywb on loopback and the same WARC read in-process.

The bytes a lookup or a live check fetched are the source text: these tests
count requests to prove nothing is fetched twice.
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from citecheck.checks.page_date import publication_date_finding
from citecheck.models import ArchiveStatus, LiveStatus, ParsedDocument, Reference
from citecheck.resolve.batch import ResolvedBatch, apply_resolution, plan_for
from citecheck.resolve.settings import ResolveSettings
from citecheck.resolve.sources import OFFLINE_REASON, PageRead, SourceReader, read_page_body
from citecheck.resolve.stage import resolve_plan, resolve_plan_from_store
from citecheck.resolve.web_settings import WebSettings
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


def settings_for(archive: str, store: Path, **web: object) -> ResolveSettings:
    return ResolveSettings(
        archives=(archive,),
        store_path=str(store),
        web=WebSettings(allow_private=bool(web.pop("allow_private", True)), backoff_base=0.01, **web),  # type: ignore[arg-type]
        canary_urls=("http://127.0.0.1:9/",),
        dns_check_names=("check.invalid",),
    )


async def run(references: list[Reference], settings: ResolveSettings, offline: bool = False) -> ResolvedBatch:
    """The resolve stage over one document citing ``references``; the answers are written onto them."""
    document = ParsedDocument(path="doc.md", format="markdown", references=references)
    plan = plan_for([document], settings)
    batch = await (resolve_plan_from_store(plan, settings) if offline else resolve_plan(plan, settings))
    apply_resolution([document], batch)
    return batch


def archive_requests(batch: ResolvedBatch) -> int:
    return sum(count for pool, count in batch.requests.items() if pool.startswith("archive:"))


def live_requests(batch: ResolvedBatch) -> int:
    return sum(count for pool, count in batch.requests.items() if pool.startswith("host:"))


async def test_capture_read_through_pywb_and_warc_gives_the_same_text(
    world: ArchiveWorld, warc_file: Path, tmp_path: Path
) -> None:
    texts = []
    for archive in (world.archive_url, f"warc:{warc_file}"):
        reference = cited("/water-deal")
        batch = await run([reference], settings_for(archive, tmp_path / f"{len(texts)}.sqlite"))
        assert reference.archive.status is ArchiveStatus.found
        source = reference.source
        assert source.status == "fetched" and source.origin == "capture", source
        assert source.url == reference.archive.snapshot_url
        assert source.title == "Water deal"
        assert source.page_date is not None and source.page_date.date.iso() == "2011-04-14"
        assert source.page_date.method == "meta:article:published_time"
        text = batch.sources["doc.md\x1fwater-deal"].text
        assert all(sentence in text for sentence in STORY_SENTENCES)
        assert "Copyright" not in text and "Home" not in text.split()
        assert source.chars == len(text)
        texts.append(text)
    assert texts[0] == texts[1]


async def test_meta_date_differing_from_the_cited_date_is_cc403(world: ArchiveWorld, tmp_path: Path) -> None:
    mismatch, match = cited("/budget-vote"), cited("/water-deal")
    await run([mismatch, match], settings_for(world.archive_url, tmp_path / "cache.sqlite"))
    finding = publication_date_finding(mismatch)
    assert finding is not None and finding.code == "CC403"
    assert "2011-04-14" in finding.message and "2010-11-02" in finding.message
    assert "meta:article:published_time" in finding.message
    assert publication_date_finding(match) is None


async def test_the_capture_the_lookup_fetched_is_the_source_text_and_a_rerun_asks_nothing(
    world: ArchiveWorld, tmp_path: Path
) -> None:
    first, again = cited("/water-deal"), cited("/water-deal", date="2011-04")
    again.id = "again"
    settings = settings_for(world.archive_url, tmp_path / "cache.sqlite")
    cold = await run([first, again], settings)
    # The dialect probe and one id_ playback: the playback's bytes are the text, never fetched again.
    assert archive_requests(cold) == 2
    assert first.source.status == again.source.status == "fetched"

    rerun_first, rerun_again = cited("/water-deal"), cited("/water-deal", date="2011-04")
    rerun_again.id = "again"
    warm = await run([rerun_first, rerun_again], settings)
    assert archive_requests(warm) == 0
    assert warm.sources == cold.sources

    offline = await run([cited("/water-deal")], settings, offline=True)
    assert offline.requests_sent == 0
    assert offline.sources["doc.md\x1fwater-deal"] == cold.sources["doc.md\x1fwater-deal"]


async def test_offline_with_an_empty_store_is_not_checked(tmp_path: Path) -> None:
    store = tmp_path / "empty.sqlite"
    from citecheck.store.db import Store

    with Store(store):
        pass
    references = [cited("/water-deal"), cited("/elsewhere")]
    batch = await run(references, settings_for("http://127.0.0.1:9/testcoll", store), offline=True)
    assert batch.requests_sent == 0
    for reference in references:
        assert reference.source.status == "not-checked" and reference.source.reason == OFFLINE_REASON
        assert reference.live.status is LiveStatus.not_checked


async def test_a_pdf_capture_goes_to_the_pdf_reader_and_says_why_when_there_is_none(
    world: ArchiveWorld, tmp_path: Path
) -> None:
    reference = cited("/report.pdf")
    await run([reference], settings_for(world.archive_url, tmp_path / "cache.sqlite"))
    assert reference.source.status == "unavailable"
    assert reference.source.reason is not None and "PDF" in reference.source.reason


def test_pdf_bytes_are_read_by_the_pdf_reader_when_it_is_installed() -> None:
    """The seam for ``citecheck.resolve.pdf_text.extract_pdf_text`` (the claims stage's module)."""

    class Text:
        def __init__(self, text: str | None, reason: str | None = None) -> None:
            self.text, self.pages, self.reason = text, 1, reason

    def reader(data: bytes) -> Text:
        return Text("Page one says the dam was approved." if data.startswith(b"%PDF") else None, "not a PDF")

    read = read_page_body("capture", "snap", "http://x/a.pdf", b"%PDF-1.4 ...", "application/pdf", False, reader)
    assert read.status == "fetched" and read.extractor == "pypdf" and "dam was approved" in read.text
    scanned = read_page_body("live", "u", "http://x/b.pdf", b"%PDF-1.4", None, False, lambda _d: Text(None, "scanned"))
    assert scanned.status == "unavailable" and scanned.reason == "PDF: scanned" and scanned.cacheable
    reader_missing = SourceReader(None, pdf_reader=None)
    assert isinstance(reader_missing, SourceReader)
    missing = read_page_body("live", "u", "http://x/c.pdf", b"%PDF-1.4", "application/pdf", False, None)
    assert isinstance(missing, PageRead) and not missing.cacheable  # read again once the reader is installed


async def test_size_cap_cuts_the_capture(world: ArchiveWorld, tmp_path: Path) -> None:
    reference = cited("/water-deal")
    await run([reference], settings_for(world.archive_url, tmp_path / "cache.sqlite", max_bytes=400))
    assert reference.source.reason is not None and "cut at 400 bytes" in reference.source.reason


async def test_the_live_check_s_page_is_the_source_without_a_capture_and_says_so(
    world: ArchiveWorld, tmp_path: Path
) -> None:
    page = story_page("Live story", "2012-06-01", STORY_SENTENCES[:1])
    with LiveSite({"/story": (200, page)}) as site:
        no_capture = cited("/story", url=site.url("/story"))
        settings = settings_for(world.archive_url, tmp_path / "cache.sqlite")
        batch = await run([no_capture], settings)
        text = batch.sources["doc.md\x1fstory"]
        assert text.info.status == "fetched" and text.info.origin == "live"
        assert text.info.reason is not None and "no capture in any archive" in text.info.reason
        assert STORY_SENTENCES[0] in text.text
        finding = publication_date_finding(no_capture)
        assert finding is not None and "live page" in finding.message
        assert site.requests == 2  # the live check and its soft-404 probe: the page was never fetched again

        rerun = cited("/story", url=site.url("/story"))
        again = await run([rerun], settings)
        assert live_requests(again) == 0 and site.requests == 2  # within the reuse window, from the store
        assert rerun.source == no_capture.source


async def test_live_fetch_is_refused_on_loopback_by_default(world: ArchiveWorld, tmp_path: Path) -> None:
    with LiveSite({"/story": (200, b"<html><body><p>private</p></body></html>")}) as site:
        reference = cited("/story", url=site.url("/story"))
        await run([reference], settings_for(world.archive_url, tmp_path / "c.sqlite", allow_private=False))
        assert site.requests == 0
    assert reference.live.status is LiveStatus.not_checked
    assert reference.live.reason is not None and "refused" in reference.live.reason
    assert reference.source.status == "unavailable"


async def test_alive_page_with_a_capture_gives_live_text_for_drift(tmp_path: Path) -> None:
    changed = story_page("Water deal (updated)", "2011-04-14", ["The page now talks about something else entirely."])
    with LiveSite({"/water-deal": (200, changed)}) as site:
        url = site.url("/water-deal")
        original = story_page("Water deal", "2011-04-14", STORY_SENTENCES)
        warc = write_warc(tmp_path / "drift.warc.gz", [Capture(url, at("2011-05-07T18:00:00"), body=original)])
        reference = cited("/water-deal", url=url)
        batch = await run([reference], settings_for(f"warc:{warc}", tmp_path / "cache.sqlite"))
        assert site.requests == 2  # the live check and the soft-404 probe; its page is the drift text
    text = batch.sources["doc.md\x1fwater-deal"]
    assert reference.live.status is LiveStatus.alive
    assert text.info.origin == "capture"
    assert STORY_SENTENCES[0] in text.text
    assert text.live_text is not None and "something else entirely" in text.live_text
    assert text.live_title == "Water deal (updated)"
