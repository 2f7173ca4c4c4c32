"""Distributed benchmark: the Dask path (2 local workers) against the single-process path.

The local world is 2,000 cited URLs on 40 loopback hosts (127.0.1.1 …).
Every answer is delayed (``--delay``, default 50 ms) and every server
enforces a per-client-address rate limit (``--rate`` requests/s per source
address, 429 with Retry-After beyond it) — the shape of the Internet
Archive's per-IP limits.  Both contenders run the same audit code with the
same concurrency; the Dask workers leave from two different source
addresses (127.0.0.21 and 127.0.0.22), as two machines would.

Printed side by side: wall time, URLs/s, server requests per URL, 429s
received.  Then the peak memory (max RSS) of an offline audit of a
generated 100,000-citation corpus, in a child process.

Run: ``.venv/bin/python benchmarks/bench_dask.py [--urls 2000] [--delay 0.05] [--rate 40]``
"""

from __future__ import annotations

import argparse
import http.server
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

from citecheck import AuditOptions, audit  # noqa: E402

HOSTS = [f"127.0.1.{n}" for n in range(1, 41)]
WORKER_ADDRESSES = ["127.0.0.21", "127.0.0.22"]


class World:
    """Forty loopback sites that share per-client-address budgets and count every request."""

    def __init__(self, delay: float, rate: float) -> None:
        self.delay, self.rate = delay, rate
        self.requests: Counter[str] = Counter()
        self.throttled = 0
        self._lock = threading.Lock()
        self._budget: dict[str, tuple[float, float]] = {}  # client address -> (tokens, updated)
        self._servers: list[http.server.ThreadingHTTPServer] = []
        self.port = 0

    def _allow(self, client: str) -> bool:
        with self._lock:
            now = time.monotonic()
            tokens, updated = self._budget.get(client, (self.rate, now))
            tokens = min(self.rate, tokens + (now - updated) * self.rate)
            allowed = tokens >= 1.0
            self._budget[client] = (tokens - 1.0 if allowed else tokens, now)
            if not allowed:
                self.throttled += 1
            return allowed

    def _handler(self) -> type[http.server.BaseHTTPRequestHandler]:
        world = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                return None

            def do_GET(self) -> None:
                with world._lock:
                    world.requests[f"{self.headers.get('Host')}{self.path}"] += 1
                time.sleep(world.delay)
                if not world._allow(self.client_address[0]):
                    self._reply(429, b"slow down", [("Retry-After", "1")])
                elif self.path.startswith("/story/"):
                    title = self.path.rsplit("/", 1)[-1]
                    body = f"<html><head><title>Story {title}</title></head><body><p>{title} text.</p></body></html>"
                    self._reply(200, body.encode(), [("Content-Type", "text/html")])
                else:
                    self._reply(404, b"<html><title>Not found</title></html>", [("Content-Type", "text/html")])

            def _reply(self, status: int, body: bytes, headers: list[tuple[str, str]]) -> None:
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler

    @contextmanager
    def running(self) -> Iterator[World]:
        handler = self._handler()
        first = http.server.ThreadingHTTPServer((HOSTS[0], 0), handler)
        self.port = first.server_address[1]
        self._servers = [first] + [http.server.ThreadingHTTPServer((host, self.port), handler) for host in HOSTS[1:]]
        for server in self._servers:
            server.daemon_threads = True
            threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            yield self
        finally:
            for server in self._servers:
                server.shutdown()
                server.server_close()

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self.throttled = 0
            self._budget.clear()


def write_corpus(folder: Path, urls: list[str], per_document: int = 20) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for start in range(0, len(urls), per_document):
        chunk = urls[start : start + per_document]
        lines = [f"# Document {start // per_document}", ""]
        lines += [f"Statement {n} rests on a source.[^r{n}]" for n in range(len(chunk))]
        lines.append("")
        lines += [
            f'[^r{n}]: "Story {n}". Ledger. 2 May 2011. {url} Retrieved 8 May 2011.' for n, url in enumerate(chunk)
        ]
        (folder / f"doc-{start // per_document:04d}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def run(world: World, corpus: Path, work: Path, name: str, concurrency: int, **executor: object) -> dict[str, float]:
    world.reset()
    options = AuditOptions(
        out=work / name / "reports",
        cache=work / name / "cache.sqlite",
        archives=[f"warc:{work / 'empty-archive'}"],
        allow_private=True,
        concurrency=concurrency,
        canary=[f"http://{HOSTS[0]}:{world.port}/story/canary"],
        **executor,  # type: ignore[arg-type]
    )
    started = time.perf_counter()
    result = audit([corpus], options)
    elapsed = time.perf_counter() - started
    references = [reference for report in result.reports for reference in report.references]
    statuses = Counter(reference.live.status.value for reference in references)
    unique = len({reference.url for reference in references})
    return {
        "time": elapsed,
        "urls_per_s": unique / elapsed,
        "requests_per_url": sum(world.requests.values()) / unique,
        "throttled": world.throttled,
        "alive": statuses.get("alive", 0),
        "dead": statuses.get("dead", 0),
        "inconclusive": statuses.get("unreachable", 0) + statuses.get("not-checked", 0),
        "online": float(result.summary.network.mode == "online"),
    }


MEMORY_CHILD = """
import resource, sys
from pathlib import Path
from citecheck import AuditOptions, audit
result = audit([Path(sys.argv[1])], AuditOptions(out=Path(sys.argv[2]), offline=True, formats=["json"]))
refs = sum(len(report.references) for report in result.reports)
print(refs, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def peak_memory(work: Path, citations: int) -> tuple[int, float]:
    corpus = work / "memory-corpus"
    write_corpus(corpus, [f"https://site{n % 997}.example/story/{n}" for n in range(citations)], per_document=200)
    output = subprocess.run(
        [sys.executable, "-c", MEMORY_CHILD, str(corpus), str(work / "memory-reports")],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO / "src")},
    ).stdout.split()
    return int(output[0]), int(output[1]) / 1024  # ru_maxrss is in KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--urls", type=int, default=2000)
    parser.add_argument("--delay", type=float, default=0.05)
    parser.add_argument("--rate", type=float, default=40.0, help="requests/s allowed per client address")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--memory-citations", type=int, default=100_000)
    args = parser.parse_args()

    world = World(args.delay, args.rate)
    with tempfile.TemporaryDirectory() as tmp, world.running():
        work = Path(tmp)
        (work / "empty-archive").mkdir()
        urls = [
            f"http://{HOSTS[n % len(HOSTS)]}:{world.port}/{'story' if n % 10 else 'gone'}/{n}" for n in range(args.urls)
        ]
        corpus = work / "corpus"
        write_corpus(corpus, urls)
        single = run(world, corpus, work, "single", args.concurrency)
        dask = run(
            world,
            corpus,
            work,
            "dask",
            args.concurrency,
            executor="dask",
            workers=2,
            source_addresses=WORKER_ADDRESSES,
        )
        print(
            f"{args.urls} URLs on {len(HOSTS)} hosts, +{args.delay * 1000:.0f} ms per answer, "
            f"{args.rate:.0f} requests/s per client address, concurrency {args.concurrency} per process"
        )
        print(f"{'':24} {'single process':>16} {'dask, 2 workers':>16}")
        for key, label in [
            ("time", "wall time (s)"),
            ("urls_per_s", "URLs/s"),
            ("requests_per_url", "requests per URL"),
            ("throttled", "429s received"),
            ("alive", "alive"),
            ("dead", "dead"),
            ("inconclusive", "inconclusive"),
        ]:
            print(f"{label:24} {single[key]:>16.2f} {dask[key]:>16.2f}")
        print(f"speed-up: {single['time'] / dask['time']:.2f}x")
        refs, megabytes = peak_memory(work, args.memory_citations)
        print(f"peak memory, offline audit of {refs:,} citations: {megabytes:.0f} MB max RSS")
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"(this driver process peaked at {own:.0f} MB)")


if __name__ == "__main__":
    main()
