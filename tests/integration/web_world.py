"""A small web of real HTTP servers on loopback addresses, each acting as a distinct site.

Every site is a ``ThreadingHTTPServer`` bound to its own address (127.0.0.2,
127.0.0.3 …, all of 127/8 is loopback on Linux) with routes returning
:class:`Reply` objects: status, headers, body, an optional delay or a TCP
reset. :func:`standard_world` builds the web the live-checker tests and the
benchmark share, and :func:`standard_cases` lists its URLs with the verdict a
careful editor would give each.
"""

from __future__ import annotations

import datetime as dt
import http.server
import io
import ipaddress
import socket
import ssl
import struct
import tempfile
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from citecheck.models import LiveStatus


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)
    delay: float = 0.0  # seconds to sleep before answering
    reset: bool = False  # abort the connection with a TCP RST instead of answering


@dataclass(frozen=True)
class SeenRequest:
    site: str
    method: str
    path: str
    headers: dict[str, str]
    at: float  # time.monotonic()
    client: str = ""  # the address the request came from


Route = Callable[[SeenRequest], Reply]


def html_page(title: str, body: str) -> bytes:
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title></head>"
        f"<body><h1>{title}</h1>{body}</body></html>"
    ).encode()


def html(title: str, body: str, status: int = 200, headers: list[tuple[str, str]] | None = None) -> Reply:
    return Reply(status, html_page(title, body), [("Content-Type", "text/html; charset=utf-8"), *(headers or [])])


def redirect(location: str, status: int = 302, headers: list[tuple[str, str]] | None = None) -> Reply:
    return Reply(status, b"", [("Location", location), *(headers or [])])


@dataclass
class Site:
    name: str
    address: str
    routes: dict[str, Route] = field(default_factory=dict)
    fallback: Route | None = None  # None: an honest 404 page
    tls: bool = False
    port: int = 0

    def route(self, path: str, reply: Route | Reply) -> None:
        self.routes[path] = reply if callable(reply) else (lambda _request, fixed=reply: fixed)

    def answer(self, request: SeenRequest) -> Reply:
        route = self.routes.get(request.path.split("?", 1)[0]) or self.fallback
        if route is None:
            return html("Not Found", "<p>No such page on this server.</p>", status=404)
        return route(request)


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _SiteServer

    def _serve(self) -> None:
        site, world = self.server.site, self.server.world
        request = SeenRequest(
            site=site.name,
            method=self.command,
            path=self.path,
            headers={name.lower(): value for name, value in self.headers.items()},
            at=time.monotonic(),
            client=str(self.client_address[0]),
        )
        world.record(request)
        reply = site.answer(request)
        if reply.delay:
            time.sleep(reply.delay)
        if reply.reset:
            # SO_LINGER 0 makes close() send RST: the client sees "connection reset".
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.wfile = io.BytesIO()
            self.close_connection = True
            return
        self.send_response(reply.status)
        for name, value in reply.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        if self.command != "HEAD":
            try:
                self.wfile.write(reply.body)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True

    do_GET = _serve
    do_HEAD = _serve
    do_POST = _serve

    def log_message(self, format: str, *args: object) -> None:
        return


class _SiteServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # The default backlog of 5 drops SYNs from a burst of connections: the kernel's one-second
    # retransmit would make a concurrent client look slow.
    request_queue_size = 128

    def __init__(self, site: Site, world: WebWorld) -> None:
        self.site = site
        self.world = world
        super().__init__((site.address, site.port), _Handler)

    def server_bind(self) -> None:
        super().server_bind()
        # Headers and body go out in separate writes; without TCP_NODELAY (inherited by accepted
        # sockets) the body waits ~40 ms for the client's delayed ACK on every keep-alive request.
        self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def handle_error(self, request: object, client_address: object) -> None:
        return  # clients hanging up early (timeouts, caps) are expected here


def _self_signed_context(address: str, folder: Path) -> ssl.SSLContext:
    """A server TLS context with a freshly made self-signed certificate (untrusted by design)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "citecheck test site")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(address))]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / f"{address}.crt", folder / f"{address}.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    return context


class WebWorld:
    """The running sites; ``url(site, path)`` addresses them, ``requests`` logs what they saw."""

    def __init__(self) -> None:
        self.sites: dict[str, Site] = {}
        self.requests: list[SeenRequest] = []
        self._lock = threading.Lock()
        self._servers: list[_SiteServer] = []
        self._threads: list[threading.Thread] = []
        self._tls_dir: tempfile.TemporaryDirectory[str] | None = None

    def add_site(self, name: str, address: str, *, tls: bool = False) -> Site:
        site = Site(name, address, tls=tls)
        self.sites[name] = site
        return site

    def record(self, request: SeenRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def seen(self, site: str, path: str | None = None) -> list[SeenRequest]:
        with self._lock:
            return [r for r in self.requests if r.site == site and (path is None or r.path == path)]

    def url(self, site: str, path: str = "/") -> str:
        target = self.sites[site]
        scheme = "https" if target.tls else "http"
        return f"{scheme}://{target.address}:{target.port}{path}"

    def start(self) -> None:
        for site in self.sites.values():
            server = _SiteServer(site, self)
            if site.tls:
                if self._tls_dir is None:
                    self._tls_dir = tempfile.TemporaryDirectory(prefix="citecheck-web-world-")
                context = _self_signed_context(site.address, Path(self._tls_dir.name))
                server.socket = context.wrap_socket(server.socket, server_side=True)
            site.port = server.server_address[1]
            thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
            thread.start()
            self._servers.append(server)
            self._threads.append(thread)

    def stop(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=2)
        if self._tls_dir is not None:
            self._tls_dir.cleanup()


def closed_port_url(address: str = "127.0.0.9") -> str:
    """A URL on a loopback port nothing listens on (connection refused)."""
    with socket.socket() as probe:
        probe.bind((address, 0))
        port = probe.getsockname()[1]
    return f"http://{address}:{port}/"


@cache
def gzip_bomb(decompressed_mib: int = 128) -> bytes:
    """A gzip body of ``decompressed_mib`` MiB of zeros (about a thousandth of that on the wire)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(1 << 20)
    parts = [compressor.compress(block) for _ in range(decompressed_mib)]
    parts.append(compressor.flush())
    return b"".join(parts)


def _article(topic: str) -> str:
    sentences = [
        f"The {topic} report was published after months of fieldwork in three provinces.",
        f"Officials said the {topic} figures would be revised when the census closes.",
        "Critics questioned the methodology and asked for the raw survey data.",
        f"A spokesperson declined to comment on the {topic} timeline.",
    ]
    return "".join(f"<p>{s}</p>" for s in sentences)


class _Counter:
    """Answers ``first`` for the first ``times`` requests of a path, then ``then``."""

    def __init__(self, first: Reply, then: Reply, times: int = 1) -> None:
        self.first, self.then, self.times = first, then, times
        self.calls = 0
        self._lock = threading.Lock()

    def __call__(self, request: SeenRequest) -> Reply:
        with self._lock:
            self.calls += 1
            return self.first if self.calls <= self.times else self.then


@dataclass(frozen=True)
class Case:
    category: str
    url: str
    expected: LiveStatus


def standard_world() -> WebWorld:
    """The shared test web: a news site, a moved-to site, a catch-all, a parked domain, a bot wall."""
    world = WebWorld()
    news = world.add_site("news", "127.0.0.2")
    moved_to = world.add_site("newhome", "127.0.0.3")
    catch_all = world.add_site("catchall", "127.0.0.4")
    parked = world.add_site("parked", "127.0.0.5")
    wall = world.add_site("botwall", "127.0.0.6")
    secure = world.add_site("selfsigned", "127.0.0.7", tls=True)

    news.route("/", html("Daily Ledger", "<p>Front page: today's headlines.</p>" + _article("front")))
    news.route("/articles/harvest-2011", html("Harvest figures revised", _article("harvest")))
    news.route("/articles/flood-2012", html("Flood damage assessed", _article("flood")))
    news.route("/articles/withdrawn", html("Gone", "<p>This article was withdrawn.</p>", status=410))
    news.route("/articles/soft-missing", html("Page not found", "<p>Sorry, we could not find that page.</p>"))
    news.route("/articles/retired", redirect("/"))
    news.route("/politics/2011/05/budget-story", redirect("/politics/", status=301))
    news.route("/politics/", html("Politics", "<p>All politics stories.</p>" + _article("politics section")))
    news.route("/old/flood-2012", redirect("/articles/flood-2012", status=301))
    news.route("/moved-away", lambda _r: redirect(world.url("newhome", "/news/harvest-2011"), status=301))
    news.route("/chain/1", redirect("/chain/2"))
    news.route("/chain/2", redirect("/chain/3", status=307))
    news.route("/chain/3", redirect("/articles/harvest-2011", status=301))
    news.route("/loop/a", redirect("/loop/b"))
    news.route("/loop/b", redirect("/loop/a"))
    news.route(
        "/cookie-gate",
        lambda r: (
            html("Members article", _article("cookie"))
            if "gate=passed" in r.headers.get("cookie", "")
            else redirect("/cookie-gate", headers=[("Set-Cookie", "gate=passed; Path=/")])
        ),
    )
    news.route("/login-only", html("Sign in", "<p>Please sign in.</p>", status=401))
    news.route(
        "/rate-limited",
        _Counter(Reply(429, b"slow down", [("Retry-After", "1")]), html("Rate story", _article("rate"))),
    )
    news.route("/flaky", _Counter(Reply(503, b"busy"), html("Flaky story", _article("flaky"))))
    news.route("/always-503", Reply(503, b"maintenance"))
    news.route("/slow", Reply(200, html_page("Slow", "<p>late</p>"), [("Content-Type", "text/html")], delay=3.0))
    news.route("/reset", Reply(reset=True))
    news.route(
        "/huge",
        Reply(200, html_page("Huge page", "<p>" + "word " * 1_000_000 + "</p>"), [("Content-Type", "text/html")]),
    )
    bomb = gzip_bomb()  # built once, before any client waits on it (building it takes a while)
    news.route("/bomb", Reply(200, bomb, [("Content-Type", "text/html"), ("Content-Encoding", "gzip")]))
    news.route(
        "/papers/study.pdf",
        Reply(200, b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n", [("Content-Type", "application/pdf")]),
    )
    news.route("/papers/moved.pdf", html("Our research", _article("research index")))
    news.route(
        "/head-refused",
        lambda r: Reply(405, b"", [("Allow", "GET")]) if r.method == "HEAD" else html("Head story", _article("head")),
    )

    moved_to.route("/news/harvest-2011", html("Harvest figures revised (new site)", _article("harvest moved")))

    generic = html("Example Portal", "<p>Welcome to Example Portal. Latest updates and services.</p>")
    catch_all.fallback = lambda _r: generic

    parked.fallback = lambda _r: html(
        "parked-domain.test", "<p>This domain is for sale! Buy this domain today.</p><p>Related searches</p>"
    )

    wall.fallback = lambda _r: html(
        "Just a moment...",
        "<p>Checking your browser before accessing.</p><script src='/cdn-cgi/challenge-platform/x.js'></script>",
        status=403,
        headers=[("cf-mitigated", "challenge")],
    )

    secure.route("/report", html("Secure report", _article("secure")))
    return world


def standard_cases(world: WebWorld) -> list[Case]:
    """Each URL of :func:`standard_world` with the verdict a careful editor would give."""
    url = world.url
    return [
        Case("200", url("news", "/articles/harvest-2011"), LiveStatus.alive),
        Case("404", url("news", "/articles/never-existed"), LiveStatus.dead),
        Case("410", url("news", "/articles/withdrawn"), LiveStatus.dead),
        Case("soft-404 page", url("news", "/articles/soft-missing"), LiveStatus.soft_404),
        Case("soft-404 catch-all", url("catchall", "/stories/2011/vanished-report"), LiveStatus.soft_404),
        Case("redirect to home", url("news", "/articles/retired"), LiveStatus.redirected),
        Case("redirect to section", url("news", "/politics/2011/05/budget-story"), LiveStatus.redirected),
        Case("moved article (same site)", url("news", "/old/flood-2012"), LiveStatus.alive),
        Case("moved article (other site)", url("news", "/moved-away"), LiveStatus.alive),
        Case("3-hop chain", url("news", "/chain/1"), LiveStatus.alive),
        Case("redirect loop", url("news", "/loop/a"), LiveStatus.dead),
        Case("cookie redirect", url("news", "/cookie-gate"), LiveStatus.alive),
        Case("parked", url("parked", "/2010/article"), LiveStatus.parked),
        Case("403 bot wall", url("botwall", "/story"), LiveStatus.blocked),
        Case("401 login", url("news", "/login-only"), LiveStatus.blocked),
        Case("429 then 200", url("news", "/rate-limited"), LiveStatus.alive),
        Case("503 then 200", url("news", "/flaky"), LiveStatus.alive),
        Case("503 always", url("news", "/always-503"), LiveStatus.unreachable),
        Case("slow (timeout)", url("news", "/slow"), LiveStatus.unreachable),
        Case("connection reset", url("news", "/reset"), LiveStatus.unreachable),
        Case("body over cap", url("news", "/huge"), LiveStatus.alive),
        Case("gzip bomb", url("news", "/bomb"), LiveStatus.alive),
        Case("NXDOMAIN (.invalid)", "http://gone-newspaper.invalid/2011/story", LiveStatus.dead),
        Case("PDF", url("news", "/papers/study.pdf"), LiveStatus.alive),
        Case("PDF URL answering HTML", url("news", "/papers/moved.pdf"), LiveStatus.alive),
        Case("HEAD 405, GET 200", url("news", "/head-refused"), LiveStatus.alive),
        Case("self-signed TLS", url("selfsigned", "/report"), LiveStatus.alive),
    ]


@contextmanager
def running_world() -> Iterator[WebWorld]:
    world = standard_world()
    world.start()
    try:
        yield world
    finally:
        world.stop()
