"""Bounds on every response, on real loopback sockets: deadlines, byte caps, bombs, archive redirects, no library fetch.

An archive trickling a byte at a time must not hold the run; a 1 GiB capture
and a gzip-bomb capture must not grow memory; an archive's playback redirect
into private address space is refused like a live redirect; a page whose body
is just a URL makes no library download it.
"""

from __future__ import annotations

import contextlib
import resource
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from citecheck.models import ArchiveStatus, ParsedDocument, Reference
from citecheck.resolve.archive.models import SnapshotRequest
from citecheck.resolve.archive.resolver import ArchiveResolver
from citecheck.resolve.batch import apply_resolution, plan_for
from citecheck.resolve.settings import ResolveSettings
from citecheck.resolve.stage import resolve_plan
from citecheck.resolve.web import FetchError, FetchFailed, WebClient
from citecheck.resolve.web_settings import WebSettings
from tests.integration.pywb_world import at
from tests.resilience.raw_world import gzip_bomb_blocks, listening

pytestmark = pytest.mark.integration

MEMENTO = "Memento-Datetime: Sun, 01 May 2011 10:00:00 GMT\r\n"
Answer = Callable[[socket.socket, str], None]


@contextmanager
def raw_server(answer: Answer, address: str = "127.0.0.1") -> Iterator[tuple[str, list[str]]]:
    """A loopback TCP server whose ``answer(connection, request_line)`` writes the response by hand."""
    seen: list[str] = []

    def serve_one(connection: socket.socket) -> None:
        with connection:
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = connection.recv(4096)
                if not chunk:
                    return
                data += chunk
            line = data.split(b"\r\n", 1)[0].decode("latin-1")
            seen.append(line)
            with contextlib.suppress(OSError):  # the client hung up (a cap or a deadline): expected
                answer(connection, line)

    with listening(serve_one, address, backlog=16, poll=0.2) as port:
        yield f"http://{address}:{port}", seen


def trickle(connection: socket.socket, line: str) -> None:
    connection.sendall(
        f"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n{MEMENTO}Content-Length: 100000\r\n\r\n".encode()
    )
    for _ in range(1000):
        connection.sendall(b"x")
        time.sleep(0.5)


def huge(connection: socket.socket, line: str) -> None:
    size = 1 << 30  # 1 GiB announced and streamed
    connection.sendall(
        f"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n{MEMENTO}Content-Length: {size}\r\n\r\n".encode()
    )
    block = b"<p>" + b"a" * 65530 + b"</p>"
    for _ in range(size // len(block)):
        connection.sendall(block)


def bomb(connection: socket.socket, line: str) -> None:
    """1 GiB of zeros, gzip-compressed as it is sent (never built whole: cheap on a loaded machine)."""
    head = f"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n{MEMENTO}Connection: close\r\n\r\n"
    connection.sendall(head.encode())
    for block in gzip_bomb_blocks(1 << 30)():
        connection.sendall(block)


def rss_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


async def test_an_archive_trickling_a_byte_at_a_time_is_cut_at_the_deadline() -> None:
    with raw_server(trickle) as (base, _seen):
        settings = WebSettings(allow_private=True, read_timeout=5.0, request_deadline=2.0, retries=0)
        started = time.monotonic()
        async with WebClient(settings) as web:
            with pytest.raises(FetchFailed) as failure:
                await web.fetch(f"{base}/coll/2011id_/http://x.example/", pool="archive:t:playback")
        elapsed = time.monotonic() - started
    assert failure.value.error is FetchError.timeout
    assert elapsed < 4.0


@pytest.mark.parametrize("answer", [huge, bomb], ids=["1 GiB capture", "gzip bomb capture"])
async def test_a_hostile_capture_is_cut_at_the_cap_without_growing_memory(answer: Answer) -> None:
    with raw_server(answer) as (base, _seen):
        before = rss_kib()
        request = SnapshotRequest(url="http://x.example/", target=at("2011-05-08T12:00:00"), target_kind="access")
        async with (
            WebClient(WebSettings(allow_private=True, max_bytes=2 << 20)) as web,
            ArchiveResolver([f"pywb+{base}/coll"], web=web) as resolver,
        ):
            result, capture = await resolver.resolve_capture(request)
        growth_mib = (rss_kib() - before) / 1024
    assert result.status is ArchiveStatus.found
    assert capture is not None and capture.body is not None and capture.body.truncated
    assert len(capture.body.body) <= 2 << 20
    assert growth_mib < 64, f"memory grew {growth_mib:.0f} MiB"


async def test_an_archive_redirect_into_private_space_is_refused(tmp_path: Path) -> None:
    """The configured archive is trusted; where its playback redirect points is vetted like any redirect."""

    def redirect(connection: socket.socket, line: str) -> None:
        connection.sendall(
            b"HTTP/1.1 302 Found\r\nLocation: http://169.254.169.254/latest/meta-data/\r\nContent-Length: 0\r\n\r\n"
        )

    with raw_server(redirect) as (base, seen):
        request = SnapshotRequest(url="http://x.example/", target=at("2011-05-08T12:00:00"), target_kind="access")
        async with WebClient() as web, ArchiveResolver([f"pywb+{base}/coll"], web=web) as resolver:
            result = await resolver.resolve(request)
    assert result.status is ArchiveStatus.not_checked
    assert result.reason is not None and "169.254.169.254" in result.reason
    assert len(seen) == 1


async def test_a_page_whose_body_is_a_url_is_never_downloaded_by_a_library(tmp_path: Path) -> None:
    """htmldate and trafilatura get parsed trees: a URL-looking body makes no request of its own."""
    hits: list[str] = []

    def metadata(connection: socket.socket, line: str) -> None:
        hits.append(line)
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")

    def page_of_a_url(target: str) -> Answer:
        def answer(connection: socket.socket, line: str) -> None:
            if " /story " not in line:
                connection.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
                return
            body = f"{target}/".encode()
            head = f"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {len(body)}\r\n\r\n"
            connection.sendall(head.encode() + body)

        return answer

    with raw_server(metadata, address="127.0.0.55") as (target, _), raw_server(page_of_a_url(target)) as (site, _seen):
        reference = Reference(id="1", url=f"{site}/story", access_date="2011-05-08")
        document = ParsedDocument(path="d.md", format="markdown", references=[reference])
        settings = ResolveSettings(
            archives=(f"warc:{tmp_path / 'none'}",),
            store_path=str(tmp_path / "c.sqlite"),
            web=WebSettings(allow_private=True),
        )
        batch = await resolve_plan(plan_for([document], settings), settings)
        apply_resolution([document], batch)
    assert reference.live.status.value == "alive"
    assert hits == []  # nothing fetched the URL the page consisted of
