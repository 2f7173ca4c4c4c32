"""An archive on loopback that answers in the Internet Archive's dialect, and a proxy that enforces IA's limits.

:class:`IaDialectArchive` serves captures the way web.archive.org does (see
../shared/ia-recordings): ``/cdx/search/cdx`` answers ``output=json`` as an
array of arrays with a header row; ``/web/<ts>id_/<url>`` at the exact
timestamp of a capture answers it with ``Memento-Datetime``, the original
status (an archived 404 stays a 404, a historical redirect is a 3xx with
``Memento-Datetime`` whose ``Location`` is a playback address) and a ``Link``
header naming first/prev/next/last mementos; at any other timestamp it
answers ``302`` to the nearest capture without ``Memento-Datetime``
(redirect-first); a URL never captured is a ``404``.

:class:`LimitsProxy` stands in front of it and enforces per-pool limits as
the real service does — playback and the index (CDX, TimeMap) counted
separately — answering ``429`` (with ``Retry-After``) to a request over the
limit, and logs every request and every 429 so a benchmark can count
Retry-After violations.
"""

from __future__ import annotations

import asyncio
import http.server
import json
import math
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.integration.pywb_world import Capture, forward


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # no SYN drops (and one-second retransmits) under a burst


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%d%H%M%S")


async def fetch_playbacks(
    web: Any, proxy: LimitsProxy, captures: list[Capture], *, pool: str, retries: int
) -> list[int]:
    """Fetch every capture's exact playback (``/web/<ts>id_/<url>``) through ``proxy`` at once; their statuses."""

    async def one(capture: Capture) -> int:
        response = await web.fetch(
            proxy.url(f"/web/{_stamp(capture.when)}id_/{capture.url}"),
            pool=pool,
            follow_redirects=False,
            retries=retries,
        )
        return int(response.status)

    return list(await asyncio.gather(*(one(capture) for capture in captures)))


def urlkey(url: str) -> str:
    """The SURT key IA's CDX files a URL under: ``com,example)/path?a=1&b=2`` (www dropped, lower-cased)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    host = re.sub(r"^www\d*\.", "", host)
    key = ",".join(reversed(host.split(".")))
    if parts.port not in (None, 80, 443):
        key += f":{parts.port}"
    path = parts.path or "/"
    if len(path) > 1:
        path = path.rstrip("/")
    query = "&".join(sorted(parts.query.split("&"))) if parts.query else ""
    return f"{key}){path}{'?' + query if query else ''}".lower()


def _seconds(stamp: str) -> float:
    return datetime.strptime(stamp[:14], "%Y%m%d%H%M%S").timestamp()


def _identity(url: str) -> str:
    parts = urlsplit(url)
    host = (parts.netloc or "").lower().removeprefix("www.")
    return f"{host}{parts.path or '/'}{'?' + parts.query if parts.query else ''}"


# Which requests an archive fails: (the request's number from 1, its path) -> a status to answer instead, or None.
Fault = Callable[[int, str], int | None]


class IaDialectArchive:
    """A loopback web.archive.org look-alike over a list of captures.

    ``fault`` makes it misbehave: the requests it names get that status (a 5xx without
    ``Memento-Datetime``: the archive failing, not an archived error) instead of their answer;
    ``delay`` is added to every answer.  :attr:`requests` holds every path asked, in order.
    """

    def __init__(self, captures: list[Capture], *, fault: Fault | None = None, delay: float = 0.0) -> None:
        self.by_url: dict[str, list[Capture]] = {}
        self.cdx_queries: list[str] = []
        self.playback_hits: list[str] = []  # every playback path asked, to count repeats
        self.requests: list[str] = []
        self.failed: list[str] = []  # the paths ``fault`` failed
        self.fault = fault
        self.delay = delay
        self._lock = threading.Lock()
        for capture in captures:
            self.by_url.setdefault(_identity(capture.url), []).append(capture)
        for found in self.by_url.values():
            found.sort(key=lambda capture: capture.when)
        archive = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                return

            def do_GET(self) -> None:
                with archive._lock:
                    archive.requests.append(self.path)
                    failing = archive.fault(len(archive.requests), self.path) if archive.fault else None
                    if failing is not None:
                        archive.failed.append(self.path)
                if archive.delay:
                    time.sleep(archive.delay)
                if failing is not None:
                    status, headers, body = failing, [("Content-Type", "text/html")], b"<p>server error</p>"
                else:
                    # Redirects name the host the client asked (a proxy in front stays in front), as IA's do.
                    status, headers, body = archive.answer(self.path, self.headers.get("Host"))
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self._server = _Server(("127.0.0.1", 0), Handler)
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> IaDialectArchive:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    # ------------------------------------------------------------------ answers

    def answer(self, path: str, host: str | None = None) -> tuple[int, list[tuple[str, str]], bytes]:
        base = f"http://{host}" if host else self.base_url
        if path.startswith("/cdx/search/cdx"):
            return self._cdx(path)
        if path.startswith("/web/"):
            return self._playback(path, base)
        return 404, [("Content-Type", "text/html")], b"<p>Not Found</p>"

    def _cdx(self, path: str) -> tuple[int, list[tuple[str, str]], bytes]:
        """Exact, ``matchType=prefix|host|domain`` and ``filter=[!]field:regex`` queries, as IA's CDX reads them."""
        query = parse_qs(urlsplit(path).query)
        url = query.get("url", [""])[0]
        match = query.get("matchType", ["exact"])[0]
        wanted = _identity(url if "://" in url else f"http://{url}")
        wanted_host = wanted.split("/", 1)[0]
        chosen: list[Capture] = []
        for identity, captures in self.by_url.items():
            host = identity.split("/", 1)[0]
            if (
                (match == "exact" and identity == wanted)
                or (match == "prefix" and identity.startswith(wanted))
                or (match == "host" and host == wanted_host)
                or (match == "domain" and (host == wanted_host or host.endswith("." + wanted_host)))
            ):
                chosen.extend(captures)
        header = ["urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length"]
        rows = [
            [urlkey(capture.url), _stamp(capture.when), capture.url, "text/html", str(capture.status), "D", "1"]
            for capture in sorted(chosen, key=lambda capture: (urlkey(capture.url), capture.when))
        ]
        for spec in query.get("filter", []):
            negate = spec.startswith("!")
            name, _, pattern = spec.lstrip("!").partition(":")
            if name not in header:
                return 400, [("Content-Type", "text/plain")], f"unknown filter field {name}".encode()
            column = header.index(name)
            rows = [row for row in rows if (re.fullmatch(pattern, row[column]) is None) is negate]
        for name, keep in (("from", lambda stamp, bound: stamp >= bound), ("to", lambda stamp, bound: stamp <= bound)):
            bound = query.get(name, [""])[0]
            if bound.isdigit():
                padded = bound.ljust(14, "0" if name == "from" else "9")
                rows = [row for row in rows if keep(row[1], padded)]
        closest = query.get("closest", [""])[0]
        if query.get("sort", [""])[0] == "closest" and closest.isdigit():
            moment = int(closest.ljust(14, "0")[:14])
            rows.sort(key=lambda row: abs(_seconds(row[1]) - _seconds(str(moment))))
        limit = query.get("limit", [""])[0]
        if limit.isdigit():
            rows = rows[: int(limit)]
        self.cdx_queries.append(path)
        if query.get("output", [""])[0] == "json":
            body = json.dumps([header, *rows] if rows else []).encode()
            return 200, [("Content-Type", "application/json")], body
        # IA's plain answer: space-separated lines (waybackpy and EDGI's wayback read these).
        return 200, [("Content-Type", "text/plain")], "".join(" ".join(row) + "\n" for row in rows).encode()

    def _playback(self, path: str, base: str) -> tuple[int, list[tuple[str, str]], bytes]:
        self.playback_hits.append(path)
        rest = path[len("/web/") :]
        stamp_part, _, original = rest.partition("/")
        digits = "".join(char for char in stamp_part if char.isdigit())
        captures = self.by_url.get(_identity(original), [])
        if not captures or not digits:
            return (
                404,
                [("Content-Type", "text/html; charset=utf-8")],
                b"<p>Wayback Machine doesn't have that page archived.</p>",
            )
        wanted = datetime.strptime(digits.ljust(14, "0")[:14], "%Y%m%d%H%M%S").replace(tzinfo=captures[0].when.tzinfo)
        nearest = min(captures, key=lambda capture: abs(capture.when - wanted))
        if _stamp(nearest.when) != digits.ljust(14, "0")[:14]:
            location = f"{base}/web/{_stamp(nearest.when)}id_/{nearest.url}"
            reason = f"found capture at {_stamp(nearest.when)}"
            return 302, [("Location", location), ("X-Archive-Redirect-Reason", reason)], b""
        headers = [
            ("Memento-Datetime", format_datetime(nearest.when, usegmt=True)),
            ("Link", self._link(original, captures, nearest, base)),
            ("Content-Type", "text/html; charset=utf-8"),
        ]
        if nearest.location:
            headers.append(("Location", f"{base}/web/{_stamp(nearest.when)}id_/{nearest.location}"))
        return nearest.status, headers, nearest.body

    def _link(self, original: str, captures: list[Capture], current: Capture, base: str) -> str:
        def memento(rel: str, capture: Capture) -> str:
            when = format_datetime(capture.when, usegmt=True)
            return f'<{base}/web/{_stamp(capture.when)}/{capture.url}>; rel="{rel}"; datetime="{when}"'

        index = captures.index(current)
        links = [f'<{original}>; rel="original"', memento("first memento", captures[0])]
        if index > 0:
            links.append(memento("prev memento", captures[index - 1]))
        links.append(memento("memento", current))
        if index + 1 < len(captures):
            links.append(memento("next memento", captures[index + 1]))
        links.append(memento("last memento", captures[-1]))
        return ", ".join(links)


@dataclass
class PoolLimit:
    """A server-side limit: at most ``per_second`` sustained, ``burst`` at once; over it, 429 + Retry-After.

    ``retry_after`` None: the whole seconds until the bucket holds a token again (at least 1), what a
    token-bucket server says; ``send_retry_after`` False: no Retry-After at all, as the real IA answers.
    """

    per_second: float
    burst: int
    retry_after: int | None = 60
    send_retry_after: bool = True
    tokens: float = 0.0
    updated: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        self.tokens = float(self.burst)

    def wait_seconds(self) -> int:
        if self.retry_after is not None:
            return self.retry_after
        return max(1, math.ceil((1.0 - self.tokens) / self.per_second))

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(float(self.burst), self.tokens + (now - self.updated) * self.per_second)
        self.updated = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


class LimitsProxy:
    """A proxy to one upstream enforcing per-pool limits; logs (pool, path, time) and every 429 sent."""

    def __init__(
        self,
        upstream_port: int,
        limits: dict[str, PoolLimit],
        *,
        address: str = "127.0.0.1",
        port: int = 0,
        delay: float = 0.0,
    ) -> None:
        self.upstream_port = upstream_port
        self.limits = limits
        self.address = address
        self.delay = delay  # added latency per answered request (seconds)
        self.hits: list[tuple[str, str, float]] = []
        self.refused: list[tuple[str, float, int]] = []  # (pool, sent at, Retry-After)
        self._lock = threading.Lock()
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                return

            def do_GET(self) -> None:
                pool = "index" if self.path.startswith(("/cdx", "/web/timemap")) else "playback"
                with proxy._lock:
                    now = time.monotonic()
                    proxy.hits.append((pool, self.path, now))
                    limit = proxy.limits.get(pool)
                    allowed = limit is None or limit.take()
                    wait = limit.wait_seconds() if limit is not None and not allowed else 0
                    if not allowed and limit is not None:
                        proxy.refused.append((pool, now, wait if limit.send_retry_after else 0))
                if not allowed:
                    body = b"Too Many Requests"
                    self.send_response(429)
                    if limit is None or limit.send_retry_after:
                        self.send_header("Retry-After", str(wait))
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                if proxy.delay:
                    time.sleep(proxy.delay)
                forward(self, proxy.upstream_port, self.headers.get("Host", ""))

        self._server = _Server((address, port), Handler)
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def url(self, path: str = "") -> str:
        return f"http://{self.address}:{self.port}{path}"

    def violations(self, slack: float = 0.25) -> int:
        """Requests that reached a pool while a 429 it had sent told the client to wait (in-flight slack allowed)."""
        with self._lock:
            return sum(
                1
                for pool, sent_at, wait in self.refused
                for hit_pool, _path, at in self.hits
                if hit_pool == pool and sent_at + slack < at < sent_at + wait
            )

    def __enter__(self) -> LimitsProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()
