"""Loopback servers that answer byte for byte what a hostile site or archive would.

:func:`raw_site` runs a TCP server whose ``route(path)`` returns a
:data:`Reply` — a function writing the response to the socket by hand, so
headers can be garbage, bodies can be streamed from a generator (a 1 GiB
capture is never built in memory), trickled, or cut.  :func:`forbidden_target`
listens on an address the guard must refuse and counts every connection
that reaches it.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

Reply = Callable[[socket.socket], None]
Route = Callable[[str], Reply]


@contextlib.contextmanager
def listening(
    on_connection: Callable[[socket.socket], None],
    address: str = "127.0.0.1",
    *,
    backlog: int = 64,
    poll: float = 0.1,
    threaded: bool = True,
) -> Iterator[int]:
    """A loopback listener handing each accepted connection to ``on_connection``; yields its port.

    Each connection gets a thread of its own when ``threaded``; the listener
    is closed and its accept loop joined when the block ends.
    """
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((address, 0))
    listener.listen(backlog)
    listener.settimeout(poll)
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            if threaded:
                threading.Thread(target=on_connection, args=(connection,), daemon=True).start()
            else:
                on_connection(connection)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        listener.close()
        thread.join(timeout=2)


@dataclass
class Site:
    base: str  # http://address:port
    requests: list[str] = field(default_factory=list)  # request paths, in arrival order

    def url(self, path: str) -> str:
        return self.base + path


@contextlib.contextmanager
def raw_site(route: Route, address: str = "127.0.0.1") -> Iterator[Site]:
    """A loopback HTTP server answering each request with ``route(path)`` (one request per connection)."""
    site = Site("")

    def serve_one(connection: socket.socket) -> None:
        with connection:
            connection.settimeout(30)
            data = b""
            with contextlib.suppress(OSError):
                while b"\r\n\r\n" not in data and len(data) < 65536:
                    chunk = connection.recv(4096)
                    if not chunk:
                        return
                    data += chunk
                parts = data.split(b"\r\n", 1)[0].decode("latin-1").split(" ")
                path = parts[1] if len(parts) > 1 else "/"
                site.requests.append(path)
                route(path)(connection)  # a client giving up (a cap, a deadline) is expected

    with listening(serve_one, address) as port:
        site.base = f"http://{address}:{port}"
        yield site


@dataclass
class ForbiddenTarget:
    url: str
    accepted: int = 0


@contextlib.contextmanager
def forbidden_target(address: str = "127.0.0.2") -> Iterator[ForbiddenTarget]:
    """A listening socket on an address the guard must refuse; ``accepted`` counts who reached it."""
    target = ForbiddenTarget("")

    def count(connection: socket.socket) -> None:
        target.accepted += 1
        with contextlib.suppress(OSError):
            connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\nConnection: close\r\n\r\nsecret")
        connection.close()

    with listening(count, address, backlog=16, threaded=False) as port:
        target.url = f"http://{address}:{port}"
        yield target


# --------------------------------------------------------------------------- replies


def head(status: int, headers: Iterable[tuple[str, str]] = (), reason: str = "X") -> bytes:
    lines = [f"HTTP/1.1 {status} {reason}", *(f"{name}: {value}" for name, value in headers), "Connection: close"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace")


def respond(status: int, body: bytes = b"", headers: Iterable[tuple[str, str]] = (), *, length: bool = True) -> Reply:
    """A whole answer; ``length`` False leaves Content-Length out (the body ends at close)."""
    all_headers = list(headers) + ([("Content-Length", str(len(body)))] if length else [])

    def reply(connection: socket.socket) -> None:
        connection.sendall(head(status, all_headers) + body)

    return reply


def raw(data: bytes) -> Reply:
    """Exactly these bytes (a status line and headers no library would write)."""

    def reply(connection: socket.socket) -> None:
        connection.sendall(data)

    return reply


def streamed(status: int, headers: Iterable[tuple[str, str]], blocks: Callable[[], Iterator[bytes]]) -> Reply:
    """Headers, then the body from a generator, written until it ends or the client hangs up."""
    fixed = head(status, headers)

    def reply(connection: socket.socket) -> None:
        connection.sendall(fixed)
        for block in blocks():
            connection.sendall(block)

    return reply


def huge_blocks(size: int) -> Callable[[], Iterator[bytes]]:
    block = b"<p>" + b"a" * 65530 + b"</p>"

    def blocks() -> Iterator[bytes]:
        for _ in range(size // len(block)):
            yield block

    return blocks


def gzip_bomb_blocks(decompressed: int) -> Callable[[], Iterator[bytes]]:
    """A gzip stream of ``decompressed`` bytes of zeros, compressed as it is sent (about 1:1000)."""

    def blocks() -> Iterator[bytes]:
        compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
        zeros = bytes(1 << 20)
        for _ in range(decompressed >> 20):
            out = compressor.compress(zeros)
            if out:
                yield out
        yield compressor.flush()

    return blocks


def trickle_blocks(interval: float, stop_after: float) -> Callable[[], Iterator[bytes]]:
    """One byte every ``interval`` seconds, for at most ``stop_after`` seconds."""

    def blocks() -> Iterator[bytes]:
        started = time.monotonic()
        while time.monotonic() - started < stop_after:
            yield b"x"
            time.sleep(interval)

    return blocks


def hang_open(before: bytes) -> Reply:
    """Send ``before`` and keep the connection open, silent, until the client hangs up."""

    def reply(connection: socket.socket) -> None:
        connection.sendall(before)
        connection.settimeout(60)
        with contextlib.suppress(OSError):
            while connection.recv(1024):
                pass

    return reply
