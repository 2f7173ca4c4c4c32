"""Misbehaving servers on loopback, and a log precise enough to prove politeness.

:class:`FaultWorld` runs one HTTP server per site, each on its own loopback
address (127.0.0.x), whose answers come from a behaviour function: 429 storms
with ``Retry-After``, 503s, connections reset half-way through the body,
connections accepted and never answered, slow pages.  :class:`DyingArchiveProxy`
stands in front of a real pywb, answers 429s of its own and dies (refuses new
connections, resets open ones) after a given number of requests.

Every request's arrival time and every 429's send time land in one
:class:`TrafficLog`, keyed by *pool* (a site, or an archive's CDX or playback
pool); :func:`retry_after_violations` then lists requests that arrived while
their pool had been told to wait.
"""

from __future__ import annotations

import http.client
import http.server
import io
import socket
import struct
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from tests.guard import network_guard

# A request that was already on its way when the 429 went out is not impolite;
# on loopback "on its way" is well under this.
IN_FLIGHT_SLACK = 0.25


@dataclass(frozen=True)
class Answer:
    """What a fault site does with one request."""

    status: int = 200
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()
    delay: float = 0.0  # seconds before answering
    cut_after: int | None = None  # announce the whole body, send this many bytes, then reset
    hang: bool = False  # read the request and never answer (until the world stops)


@dataclass(frozen=True)
class FaultRequest:
    site: str
    path: str
    number: int  # 1-based count of requests this site has seen, this one included
    path_number: int  # the same count for this path only


Behaviour = Callable[[FaultRequest], Answer]


@dataclass(frozen=True)
class Hit:
    pool: str
    path: str
    at: float  # time.monotonic() on arrival


@dataclass(frozen=True)
class RateLimitSent:
    pool: str
    path: str
    sent_at: float  # time.monotonic() just before the 429 was written
    retry_after: float


@dataclass
class TrafficLog:
    """Thread-safe record of what every server saw and every 429 it sent."""

    hits: list[Hit] = field(default_factory=list)
    rate_limits: list[RateLimitSent] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def hit(self, pool: str, path: str) -> float:
        moment = time.monotonic()
        with self._lock:
            self.hits.append(Hit(pool, path, moment))
        return moment

    def rate_limited(self, pool: str, path: str, retry_after: float) -> None:
        with self._lock:
            self.rate_limits.append(RateLimitSent(pool, path, time.monotonic(), retry_after))

    def paths(self, pool: str) -> list[str]:
        with self._lock:
            return [hit.path for hit in self.hits if hit.pool == pool]

    def snapshot(self) -> tuple[list[Hit], list[RateLimitSent]]:
        with self._lock:
            return list(self.hits), list(self.rate_limits)


def retry_after_violations(
    hits: list[Hit],
    rate_limits: list[RateLimitSent],
    slack: float = IN_FLIGHT_SLACK,
    in_flight: Mapping[str, int] | None = None,
) -> list[tuple[RateLimitSent, Hit]]:
    """Requests that reached a pool after it was told to wait and before the wait was over.

    A request arriving within ``slack`` of the 429 was already in flight and
    does not count.  Nor do the first ``in_flight[pool]`` arrivals inside the
    window: a client holding N connections to a pool can have N - 1 other
    requests on the wire when the 429 reaches it, and the server logs an
    arrival only when its handler thread gets to run — on a loaded machine,
    with the audit in the same process, that can be long after the bytes came.
    Any arrival beyond those was sent after the client had been told to wait.
    """
    violations: list[tuple[RateLimitSent, Hit]] = []
    excused = in_flight or {}
    for limit in rate_limits:
        window_start, window_end = limit.sent_at + slack, limit.sent_at + limit.retry_after
        inside = sorted(
            (hit for hit in hits if hit.pool == limit.pool and limit.sent_at < hit.at < window_end),
            key=lambda hit: hit.at,
        )
        late = inside[excused.get(limit.pool, 0) :]
        violations += [(limit, hit) for hit in late if hit.at > window_start]
    return violations


def _reset(connection: socket.socket) -> None:
    # SO_LINGER 0 makes close() send RST: the client sees "connection reset".
    connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    connection.close()


@dataclass
class FaultSite:
    name: str
    address: str
    behaviour: Behaviour
    port: int = 0
    requests: int = 0
    by_path: dict[str, int] = field(default_factory=dict)


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # The default backlog of 5 drops SYNs from a burst of new connections; the kernel's
    # one-second retransmit then makes an early request arrive late, hiding or faking
    # a politeness violation.
    request_queue_size = 128


class _SiteServer(_Server):
    def __init__(self, site: FaultSite, world: FaultWorld) -> None:
        self.site = site
        self.world = world
        super().__init__((site.address, 0), _SiteHandler)

    def handle_error(self, request: object, client_address: object) -> None:
        return  # clients giving up on a hung or cut answer are the point of this server


class _SiteHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _SiteServer

    def log_message(self, format: str, *args: object) -> None:
        return

    def do_GET(self) -> None:
        site, world = self.server.site, self.server.world
        world.log.hit(site.name, self.path)
        with world.lock:
            site.requests += 1
            site.by_path[self.path] = site.by_path.get(self.path, 0) + 1
            request = FaultRequest(site.name, self.path, site.requests, site.by_path[self.path])
        answer = site.behaviour(request)
        if answer.hang:
            world.stopping.wait(120)
            self.close_connection = True
            return
        if answer.delay:
            time.sleep(answer.delay)
        if answer.status == 429:
            retry_after = dict((name.lower(), value) for name, value in answer.headers).get("retry-after")
            if retry_after is not None:
                # Logged before sending: the client cannot start waiting any earlier, and a
                # timestamp taken after the write could lag behind the client's (shared GIL).
                world.log.rate_limited(site.name, self.path, float(retry_after))
        self.send_response(answer.status)
        for name, value in answer.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        if answer.cut_after is not None:
            self.wfile.write(answer.body[: answer.cut_after])
            self.wfile.flush()
            _reset(self.connection)
            self.wfile = io.BytesIO()
            self.close_connection = True
            return
        self.wfile.write(answer.body)
        self.wfile.flush()

    do_HEAD = do_GET


class FaultWorld:
    """The running fault sites; ``url(site, path)`` addresses them, :attr:`log` records the traffic."""

    def __init__(self) -> None:
        self.sites: dict[str, FaultSite] = {}
        self.log = TrafficLog()
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self._servers: list[_SiteServer] = []

    def add_site(self, name: str, address: str, behaviour: Behaviour) -> FaultSite:
        site = FaultSite(name, address, behaviour)
        self.sites[name] = site
        return site

    def url(self, site: str, path: str = "/") -> str:
        target = self.sites[site]
        return f"http://{target.address}:{target.port}{path}"

    def start(self) -> None:
        for site in self.sites.values():
            server = _SiteServer(site, self)
            site.port = server.server_address[1]
            threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
            self._servers.append(server)

    def stop(self) -> None:
        self.stopping.set()
        for server in self._servers:
            server.shutdown()
            server.server_close()

    def __enter__(self) -> FaultWorld:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def page(title: str, words: str) -> Answer:
    """A 200 HTML article; ``words`` should differ between pages so no two look alike."""
    body = (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title></head>"
        f"<body><h1>{title}</h1><p>{words}</p></body></html>"
    ).encode()
    return Answer(200, body, (("Content-Type", "text/html; charset=utf-8"),))


def not_found() -> Answer:
    return Answer(404, b"<html><head><title>Not Found</title></head><body>no such page</body></html>")


def rate_limited(seconds: int) -> Answer:
    return Answer(429, b"Too Many Requests", (("Retry-After", str(seconds)),))


# --------------------------------------------------------------------------- the archive proxy

_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "content-length"}


def archive_pool(path: str) -> str:
    """The Wayback pool a request counts against: CDX (and TimeMaps) or playback."""
    return "cdx" if "/cdx" in path or "/timemap/" in path else "playback"


RateLimitPolicy = Callable[[int, str], int | None]  # (request number, pool) -> Retry-After seconds or None


class DyingArchiveProxy:
    """A proxy to a pywb that rate-limits on a policy and dies after ``die_after`` forwarded requests.

    Dying means what a crashed archive looks like: open connections are
    reset and the listening socket is closed, so new connections are refused.
    Log pools are ``archive:cdx`` and ``archive:playback``.
    """

    def __init__(
        self,
        upstream_port: int,
        log: TrafficLog,
        *,
        die_after: int | None = None,
        rate_limit: RateLimitPolicy | None = None,
    ) -> None:
        self.upstream_port = upstream_port
        self.log = log
        self.die_after = die_after
        self.rate_limit = rate_limit or (lambda _number, _pool: None)
        self.requests = 0
        self.forwarded = 0
        self.dead = threading.Event()
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), self._handler_class())
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def archive_url(self) -> str:
        from tests.integration.pywb_world import COLLECTION

        return f"http://127.0.0.1:{self.port}/{COLLECTION}"

    def _die(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler_class(self) -> type[http.server.BaseHTTPRequestHandler]:
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                return

            def _reset(self) -> None:
                _reset(self.connection)
                self.wfile = io.BytesIO()
                self.close_connection = True

            def do_GET(self) -> None:
                pool = archive_pool(self.path)
                if proxy.dead.is_set():
                    self._reset()
                    return
                proxy.log.hit(f"archive:{pool}", self.path)
                with proxy._lock:
                    proxy.requests += 1
                    number = proxy.requests
                    dying = proxy.die_after is not None and proxy.forwarded >= proxy.die_after
                    wait = None if dying else proxy.rate_limit(number, pool)
                    if not dying and wait is None:
                        proxy.forwarded += 1
                if dying:
                    proxy.dead.set()
                    threading.Thread(target=proxy._die, daemon=True).start()
                    self._reset()
                    return
                if wait is not None:
                    proxy.log.rate_limited(f"archive:{pool}", self.path, float(wait))
                    body = b"Too Many Requests"
                    self.send_response(429)
                    self.send_header("Retry-After", str(wait))
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    self.wfile.flush()
                    return
                upstream = http.client.HTTPConnection("127.0.0.1", proxy.upstream_port, timeout=30)
                with network_guard.allowed("test proxy forwarding to its pywb"):
                    upstream.request("GET", self.path, headers={"Host": f"127.0.0.1:{proxy.upstream_port}"})
                response = upstream.getresponse()
                payload = response.read()
                upstream.close()
                self.send_response(response.status, response.reason)
                for name, value in response.getheaders():
                    if name.lower() not in _HOP_BY_HOP:
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        return Handler

    def __enter__(self) -> DyingArchiveProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        if not self.dead.is_set():
            self.dead.set()
            self._die()
