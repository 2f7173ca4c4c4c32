"""A real pywb on loopback, serving WARCs written here with warcio, and a fault proxy for it.

``ArchiveWorld`` writes the captures into a WARC, builds a pywb collection
the way ``wb-manager init`` + ``add`` lay it out (with pywb's own indexer, in
this process: two fewer interpreter start-ups per world), starts ``wayback`` on a free 127.0.0.1 port in
a subprocess, waits until it answers, and stops it (by its own pid) on exit.
``FaultProxy`` sits in front of it where a test needs latency or a 429.
"""

from __future__ import annotations

import contextlib
import http.client
import http.server
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from tests.guard import network_guard

BIN = Path(sys.executable).parent
COLLECTION = "testcoll"


@dataclass(frozen=True)
class Capture:
    url: str
    when: datetime
    status: int = 200
    body: bytes = b"<html><body>archived page</body></html>"
    location: str | None = None
    content_type: str = "text/html; charset=utf-8"


def at(text: str) -> datetime:
    """A UTC moment from ``YYYY-MM-DD[THH:MM:SS]``."""
    moment = datetime.fromisoformat(text)
    return moment.replace(tzinfo=UTC)


def write_warc(path: Path, captures: list[Capture]) -> Path:
    with path.open("wb") as stream:
        writer = WARCWriter(stream, gzip=True)
        for capture in captures:
            headers = [("Content-Type", capture.content_type)]
            if capture.location:
                headers.append(("Location", capture.location))
            reason = http.client.responses.get(capture.status, "Status")
            http_headers = StatusAndHeaders(f"{capture.status} {reason}", headers, protocol="HTTP/1.1")
            record = writer.create_warc_record(
                capture.url,
                "response",
                payload=BytesIO(capture.body),
                http_headers=http_headers,
                warc_headers_dict={"WARC-Date": capture.when.strftime("%Y-%m-%dT%H:%M:%SZ")},
            )
            writer.write_record(record)
    return path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def closed_port() -> int:
    """A loopback port nothing listens on (bound then released)."""
    return free_port()


def build_collection(root: Path, warc: Path) -> None:
    """``wb-manager init COLLECTION`` + ``wb-manager add COLLECTION warc`` under ``root``: the WARC copied into
    the collection's archive folder and indexed by pywb's indexer with wb-manager's options (sorted CDXJ)."""
    from pywb.indexer.cdxindexer import write_multi_cdx_index  # type: ignore[import-untyped]

    collection = root / "collections" / COLLECTION
    (collection / "indexes").mkdir(parents=True)
    (collection / "archive").mkdir()
    stored = collection / "archive" / warc.name
    shutil.copy2(warc, stored)
    index = collection / "indexes" / "index.cdxj"
    write_multi_cdx_index(str(index), [str(stored)], append_post=True, cdxj=True, sort=True, recurse=True)


class ArchiveWorld:
    """A running pywb with one collection built from ``captures``."""

    def __init__(self, root: Path, captures: list[Capture]) -> None:
        self.root = root
        self.captures = captures
        self.warc_dir = root / "warcs"
        self.port = 0
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def archive_url(self) -> str:
        return f"{self.base_url}/{COLLECTION}"

    def __enter__(self) -> ArchiveWorld:
        self.warc_dir.mkdir(parents=True, exist_ok=True)
        warc = write_warc(self.warc_dir / "world.warc.gz", self.captures)
        build_collection(self.root, warc)
        self.port = free_port()
        self._process = subprocess.Popen(
            [str(BIN / "wayback"), "-p", str(self.port), "-b", "127.0.0.1"],
            cwd=self.root,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self._wait_ready()
        return self

    def _wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                raise RuntimeError("pywb exited before answering")
            with contextlib.suppress(OSError), network_guard.allowed("pywb start-up probe"):
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                connection.request("GET", f"/{COLLECTION}/cdx?url=example.invalid/&output=json")
                if connection.getresponse().status == 200:
                    connection.close()
                    return
            time.sleep(0.1)
        raise RuntimeError("pywb did not become ready")

    def __exit__(self, *exc_info: object) -> None:
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()


_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "content-length"}


def forward(handler: http.server.BaseHTTPRequestHandler, upstream_port: int, host: str) -> None:
    """Answer ``handler``'s GET with what the upstream on ``upstream_port`` answers (``Host: host``)."""
    upstream = http.client.HTTPConnection("127.0.0.1", upstream_port, timeout=30)
    with network_guard.allowed("test proxy forwarding to its pywb"):
        upstream.request("GET", handler.path, headers={"Host": host})
    response = upstream.getresponse()
    payload = response.read()
    upstream.close()
    handler.send_response(response.status, response.reason)
    for name, value in response.getheaders():
        if name.lower() not in _HOP_BY_HOP:
            handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(payload)))
    handler.end_headers()
    handler.wfile.write(payload)


class FaultProxy:
    """A loopback HTTP proxy to one upstream that adds latency and can answer 429 a given number of times."""

    def __init__(self, upstream_port: int, *, delay: float = 0.0) -> None:
        self.upstream_port = upstream_port
        self.delay = delay
        self.rate_limit_next = 0
        self.retry_after = "1"
        self.requests = 0
        self.paths: list[str] = []
        self.rate_limited_at: list[float] = []
        self._lock = threading.Lock()
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                return

            def do_GET(self) -> None:
                with proxy._lock:
                    proxy.requests += 1
                    proxy.paths.append(self.path)
                    limited = proxy.rate_limit_next > 0
                    if limited:
                        proxy.rate_limit_next -= 1
                        proxy.rate_limited_at.append(time.monotonic())
                if proxy.delay:
                    time.sleep(proxy.delay)
                if limited:
                    body = b"Too Many Requests"
                    self.send_response(429)
                    self.send_header("Retry-After", proxy.retry_after)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                forward(self, proxy.upstream_port, f"127.0.0.1:{proxy.upstream_port}")

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def url(self, path: str = "") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def __enter__(self) -> FaultProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()


@contextlib.contextmanager
def running_world(root: Path, captures: list[Capture]) -> Iterator[ArchiveWorld]:
    with ArchiveWorld(root, captures) as world:
        yield world


# --------------------------------------------------------------------------- the shared scenario

ACCESS = "2011-05-08"


def scenario_captures() -> list[Capture]:
    """Captures covering every resolution case; pywb and the WARC backend read the same ones."""
    site = "http://example.org"
    return [
        Capture(f"{site}/exact", at("2011-05-08T12:00:00")),
        Capture(f"{site}/nearest", at("2011-04-20T09:00:00")),
        Capture(f"{site}/nearest", at("2011-06-20T09:00:00")),
        # Nearest is 12 days *after* the access date: the index must be asked, and the
        # capture before (37 days earlier) wins by the before-first rule.
        Capture(f"{site}/before-wins", at("2011-04-01T09:00:00")),
        Capture(f"{site}/before-wins", at("2011-05-20T09:00:00")),
        Capture(f"{site}/years", at("2016-03-01T10:00:00")),
        Capture(f"{site}/gone", at("2011-05-01T10:00:00"), status=404, body=b"not found"),
        Capture(f"{site}/moved", at("2011-05-01T10:00:00"), status=301, body=b"", location=f"{site}/"),
        Capture(f"{site}/", at("2011-05-01T10:00:05")),
        # A redirect to a bare language root is a redirect home, as it is for the live web.
        Capture(f"{site}/moved-lang", at("2011-05-01T11:00:00"), status=302, body=b"", location=f"{site}/en/"),
        Capture(f"{site}/en/", at("2011-05-01T11:00:03")),
        Capture(f"{site}/old-story", at("2011-05-02T10:00:00"), status=301, body=b"", location=f"{site}/new-story"),
        Capture(f"{site}/new-story", at("2011-05-02T10:00:02")),
        Capture(f"{site}/loop-a", at("2011-05-03T10:00:00"), status=302, body=b"", location=f"{site}/loop-b"),
        Capture(f"{site}/loop-b", at("2011-05-03T10:00:01"), status=302, body=b"", location=f"{site}/loop-a"),
        Capture(f"{site}/mismatch", at("2012-02-01T08:30:00")),
        Capture(f"{site}/error-then-good", at("2011-05-08T10:00:00"), status=503, body=b"busy"),
        Capture(f"{site}/error-then-good", at("2011-04-30T10:00:00")),
        # Discovery: an outlet's article, found by title words in its path.
        Capture("http://news.example.net/2011/05/07/ministers-agree-water-sharing-deal", at("2011-05-07T18:00:00")),
        Capture("http://news.example.net/2011/05/07/weather-report", at("2011-05-07T18:00:00")),
    ]


@dataclass(frozen=True)
class Expected:
    """What resolving one scenario URL at the access date must give."""

    path: str
    status: str  # found | none | error-snapshot
    snapshot_day: str | None = None
    snapshot_status: int | None = None
    codes: tuple[str, ...] = ()
    reason_contains: str | None = None


SCENARIO_EXPECTATIONS = [
    Expected("/exact", "found", "2011-05-08", 200),
    Expected("/nearest", "found", "2011-04-20", 200),
    Expected("/before-wins", "found", "2011-04-01", 200, codes=("CC302",)),
    Expected("/years", "found", "2016-03-01", 200, codes=("CC302",)),
    Expected("/gone", "error-snapshot", "2011-05-01", 404, codes=("CC304",)),
    Expected("/moved", "error-snapshot", "2011-05-01", 301, codes=("CC304",), reason_contains="home page"),
    Expected("/moved-lang", "error-snapshot", "2011-05-01", 302, codes=("CC304",), reason_contains="home page"),
    Expected("/old-story", "found", "2011-05-02", 200, reason_contains="archived redirect"),
    Expected("/loop-a", "error-snapshot", "2011-05-03", 302, codes=("CC304",), reason_contains="loop"),
    Expected("/never", "none", codes=("CC301",)),
    Expected("/error-then-good", "found", "2011-04-30", 200),
]
