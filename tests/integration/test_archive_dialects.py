"""Archive dialects told apart by what the endpoint answers, on loopback servers that answer as each does.

* a Memento-only archive (archive.today's shape: a TimeMap at ``/timemap/<url>``,
  mementos at their own short addresses, each with ``Memento-Datetime``);
* an OpenWayback (a TimeMap at ``<base>/timemap/link/<url>``, ``id_`` playback,
  no CDX server);
* cited copies on an archive the run does not query, verified by fetching them;
* damaged WARC files: what is readable is used, the rest is noted.
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Callable, Iterator
from email.utils import format_datetime
from pathlib import Path

import pytest

from citecheck.models import ArchiveStatus, ParsedDocument, Reference
from citecheck.resolve.archive.models import SnapshotRequest
from citecheck.resolve.archive.resolver import ArchiveResolver
from citecheck.resolve.archive.spec import Dialect
from citecheck.resolve.archive.warc import WarcArchive
from citecheck.resolve.batch import apply_resolution, plan_for
from citecheck.resolve.settings import ResolveSettings
from citecheck.resolve.stage import resolve_plan
from citecheck.resolve.web import WebClient
from citecheck.resolve.web_settings import WebSettings
from tests.integration.pywb_world import Capture, at, write_warc

pytestmark = pytest.mark.integration

Route = Callable[[str], tuple[int, dict[str, str], bytes]]
ORIGINAL = "http://news.example.net/2011/story"
PAGE = (
    b"<html><head><title>Water deal</title></head>"
    b"<body><article><p>The ministers agreed on a deal.</p></article></body></html>"
)


class Server:
    """A loopback server answering by a route function (path -> status, headers, body); logs the paths."""

    def __init__(self, route: Route, address: str = "127.0.0.1") -> None:
        self.paths: list[str] = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                return

            def do_GET(self) -> None:
                server.paths.append(self.path)
                status, headers, body = route(self.path)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self._server = http.server.ThreadingHTTPServer((address, 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self.address = address
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def url(self, path: str = "") -> str:
        return f"http://{self.address}:{self.port}{path}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def http_date(text: str) -> str:
    return format_datetime(at(text), usegmt=True)


@pytest.fixture
def memento_archive() -> Iterator[Server]:
    """archive.today's shape: TimeMap at /timemap/<url>; mementos at /AbC1 and /XyZ2."""
    holder: list[Server] = []

    def route(path: str) -> tuple[int, dict[str, str], bytes]:
        base = holder[0].url()
        if path.startswith("/timemap/"):
            if ORIGINAL not in path:
                return 404, {"Content-Type": "application/link-format"}, b""
            timemap = (
                f'<{ORIGINAL}>; rel="original",\n'
                f'<{base}/AbC1>; rel="first memento"; datetime="{http_date("2011-04-01T10:00:00")}",\n'
                f'<{base}/XyZ2>; rel="last memento"; datetime="{http_date("2011-06-20T10:00:00")}"\n'
            )
            return 200, {"Content-Type": "application/link-format"}, timemap.encode()
        if path == "/AbC1":
            return 200, {"Memento-Datetime": http_date("2011-04-01T10:00:00"), "Content-Type": "text/html"}, PAGE
        if path == "/XyZ2":
            return 200, {"Memento-Datetime": http_date("2011-06-20T10:00:00"), "Content-Type": "text/html"}, b"later"
        return 404, {"Content-Type": "text/html"}, b"<p>no</p>"

    server = Server(route)
    holder.append(server)
    yield server
    server.close()


async def test_a_memento_only_archive_is_probed_and_used_through_its_timemap(memento_archive: Server) -> None:
    request = SnapshotRequest(url=ORIGINAL, target=at("2011-05-08T12:00:00"), target_kind="access")
    async with (
        WebClient(WebSettings(allow_private=True)) as web,
        ArchiveResolver([memento_archive.url()], web=web) as resolver,
    ):
        result, capture = await resolver.resolve_capture(request)
        (state,) = resolver.endpoint_states()
    assert state.dialect == Dialect.memento.value and state.reachable
    assert result.status is ArchiveStatus.found
    assert result.snapshot_time == at("2011-04-01T10:00:00")  # the capture before the access date wins
    assert capture is not None and capture.body is not None and b"ministers agreed" in capture.body.body
    assert memento_archive.paths.count(f"/timemap/{ORIGINAL}") == 1  # one TimeMap, however many probes


@pytest.fixture
def openwayback() -> Iterator[Server]:
    """OpenWayback's shape at /wayback: TimeMap at /wayback/timemap/link/<url>, id_ playback, no CDX."""

    def route(path: str) -> tuple[int, dict[str, str], bytes]:
        if path.startswith("/wayback/timemap/link/"):
            return 404, {"Content-Type": "application/link-format"}, b""
        if path.startswith("/wayback/") and "id_/" in path:
            headers = {"Memento-Datetime": http_date("2011-05-01T10:00:00"), "Content-Type": "text/html"}
            return 200, headers, PAGE
        return 404, {"Content-Type": "text/html"}, b"<p>not found</p>"

    server = Server(route)
    yield server
    server.close()


async def test_an_openwayback_is_probed_and_played_back(openwayback: Server) -> None:
    request = SnapshotRequest(url=ORIGINAL, target=at("2011-05-08T12:00:00"), target_kind="access")
    endpoint = openwayback.url("/wayback")
    async with WebClient(WebSettings(allow_private=True)) as web, ArchiveResolver([endpoint], web=web) as resolver:
        result = await resolver.resolve(request)
        (state,) = resolver.endpoint_states()
    assert state.dialect == Dialect.openwayback.value
    assert result.status is ArchiveStatus.found and result.snapshot_url is not None
    assert result.snapshot_url.startswith(f"{endpoint}/20110501100000/")


async def test_an_endpoint_that_speaks_no_dialect_is_not_checked_never_no_snapshot() -> None:
    server = Server(lambda _path: (404, {"Content-Type": "text/html"}, b"<p>nothing here</p>"))
    try:
        request = SnapshotRequest(url=ORIGINAL, target=at("2011-05-08T12:00:00"), target_kind="access")
        async with ArchiveResolver([server.url("/coll")]) as resolver:
            results = await resolver.resolve_many([request, request])
    finally:
        server.close()
    assert {result.status for result in results} == {ArchiveStatus.not_checked}
    assert "speaks no archive dialect" in (results[0].reason or "")
    assert len(server.paths) == 4  # four probes, once: not repeated for the second lookup


async def test_a_cited_copy_on_an_archive_we_do_not_query_is_verified_by_fetching_it(
    memento_archive: Server, tmp_path: Path
) -> None:
    """archive.ph (here: its shape on loopback, by name through the resolver) is fetched, not assumed."""

    async def resolver(host: str, port: int) -> list[str]:
        if host == "archive.ph":
            return ["127.0.0.1"]
        from citecheck.resolve.net import HostResolutionError

        raise HostResolutionError(host, nxdomain=True, detail="NXDOMAIN")

    copy = f"http://archive.ph:{memento_archive.port}/AbC1"
    gone_copy = f"http://archive.ph:{memento_archive.port}/Gone9"
    references = [
        Reference(id="a", url=ORIGINAL, access_date="2011-05-08", archive_url=copy),
        Reference(id="b", url=f"{ORIGINAL}?b", access_date="2011-05-08", archive_url=gone_copy),
    ]
    document = ParsedDocument(path="d.md", format="markdown", references=references)
    settings = ResolveSettings(
        archives=(f"warc:{tmp_path / 'none'}",),
        store_path=str(tmp_path / "c.sqlite"),
        web=WebSettings(allow_private=True, backoff_base=0.01),
        resolver=resolver,
        canary_urls=("http://127.0.0.1:9/",),
    )
    plan = plan_for([document], settings)
    assert [work.cited_copies for work in plan.urls] == [(copy,), (gone_copy,)]
    batch = await resolve_plan(plan, settings)
    apply_resolution([document], batch)
    verified, gone = references
    assert verified.archive.status is ArchiveStatus.found and verified.archive.snapshot_url == copy
    assert verified.archive.snapshot_time == at("2011-04-01T10:00:00")
    assert verified.source.status == "fetched" and verified.source.origin == "capture"
    # A cited copy that is gone leaves the reference to the configured archives, with the reason kept.
    assert gone.archive.status is ArchiveStatus.not_checked
    assert "cited copy answered 404" in (gone.archive.reason or "")
    assert memento_archive.paths.count("/AbC1") == 1  # fetched once: the check is the source text


def _plain_warc(url: str, warc_date: str) -> bytes:
    """An uncompressed WARC with one response record whose WARC-Date is given as is."""
    from io import BytesIO

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    stream = BytesIO()
    writer = WARCWriter(stream, gzip=False)
    http_headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
    record = writer.create_warc_record(
        url, "response", payload=BytesIO(PAGE), http_headers=http_headers, warc_headers_dict={"WARC-Date": warc_date}
    )
    writer.write_record(record)
    return stream.getvalue()


def test_damaged_warc_files_keep_what_was_readable(tmp_path: Path) -> None:
    good = write_warc(tmp_path / "good.warc.gz", [Capture(ORIGINAL, at("2011-05-01T10:00:00"), body=PAGE)])
    damaged = tmp_path / "damaged.warc.gz"
    damaged.write_bytes(
        write_warc(tmp_path / "part.warc.gz", [Capture(f"{ORIGINAL}/2", at("2011-05-02T10:00:00"))]).read_bytes()
        + b"\x1f\x8b\x08garbage after valid records"
    )
    cut = tmp_path / "cut.warc.gz"
    whole = write_warc(
        tmp_path / "whole.warc.gz", [Capture(f"{ORIGINAL}/3", at("2011-05-03T10:00:00"), body=PAGE * 50)]
    )
    cut.write_bytes(whole.read_bytes()[:-40])  # a record cut short
    for leftover in ("part.warc.gz", "whole.warc.gz"):
        (tmp_path / leftover).unlink()
    (tmp_path / "bad-date.warc").write_bytes(_plain_warc(f"{ORIGINAL}/4", "9999-99-99T99:99:99Z"))
    archive = WarcArchive(tmp_path)
    index = archive._index()
    urls = {capture.url for captures in index.values() for capture in captures}
    assert ORIGINAL in urls and f"{ORIGINAL}/2" in urls  # the records before the damage are kept
    assert f"{ORIGINAL}/4" not in urls  # a WARC-Date no capture can have
    assert good.exists() and archive.damaged  # and the damage is reported in words
    state = archive.endpoint_state()
    assert state.reachable and state.detail and "damaged" in state.detail
