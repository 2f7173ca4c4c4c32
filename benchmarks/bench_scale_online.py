"""Scale benchmark, networked: audits of generated corpora whose citations point at a loopback web and archive.

Run: ``python benchmarks/bench_scale_online.py [--sizes 1000,10000,50000] [--baseline-src /work/base/src]``

The corpus is :mod:`bench_scale`'s (``bench_parse``'s generators: plain text,
Markdown, wikitext, HTML; 100 references a document), its cited URLs moved
onto ``--hosts`` named hosts (``h007.example.org`` …) of one loopback HTTP
server, and its archive links onto that server's archive
(``archive.example.org``, spoken to as a pywb collection: a CDX index of JSON
lines and ``id_`` playback).  Every name resolves through a loopback DNS stub
(citecheck's resolver hook): nothing leaves the machine.  The server answers
every story with an HTML page of its own text (a few kilobytes, so each page
read is a source text the checks read), one story in 17 with a 404, and the
archive holds a capture of one story in three.

Each audit is ``citecheck audit CORPUS`` (networked: the live checks, the
archive lookups, the source reads; a fresh store each time) in a child of its
own; the parent reads the child's wall, CPU seconds and peak RSS from
``wait4``.  Printed per size and contender, then the growth per step (×RSS 1.0
is flat memory) and, with ``--baseline-src``, the ratio against the other
checkout in the same run.  The two report folders are compared file by file
with the clock's timestamps masked (the live checks' ``checked_at`` differ
between two runs by nature).
"""

from __future__ import annotations

import argparse
import http.server
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_scale import REPOSITORY, Run, build_corpus, growth

EPOCH = "1700000000"
ARCHIVE_HOST = "archive.example.org"
_STORY = re.compile(r"https://news\d+\.example\.org/(\d{4})/(\d+)/story")
_ARCHIVED = re.compile(r"https://web\.archive\.org/web/(\d+)/")
_WORDS = [
    "harvest",
    "council",
    "river",
    "report",
    "figures",
    "minister",
    "budget",
    "station",
    "village",
    "museum",
    "bridge",
    "season",
    "election",
    "league",
    "rainfall",
    "survey",
    "hospital",
    "district",
    "railway",
    "festival",
    "court",
    "factory",
]

_WRAPPER = """
import json, sys
from dataclasses import replace
from citecheck.resolve.net import HostResolutionError
from citecheck.resolve.settings import ResolveSettings
async def stub(host, port):
    if host.endswith(".example.org"):
        return ["127.0.0.1"]
    raise HostResolutionError(host, nxdomain=True, detail="NXDOMAIN (loopback DNS stub)")
original = ResolveSettings.from_options.__func__
ResolveSettings.from_options = classmethod(lambda cls, options: replace(original(cls, options), resolver=stub))
from citecheck.cli import main
sys.argv[0] = "citecheck"
main()
"""


def story_page(path: str) -> bytes:
    rng = random.Random(path)
    title = " ".join(rng.choice(_WORDS) for _ in range(4)).capitalize()
    paragraphs = [
        "<p>" + " ".join(rng.choice(_WORDS) for _ in range(60)).capitalize() + ".</p>" for _ in range(rng.randint(2, 4))
    ]
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title>"
        f"<meta property='article:published_time' content='2015-05-0{rng.randint(1, 9)}'></head>"
        f"<body><article><h1>{title}</h1>{''.join(paragraphs)}</article></body></html>"
    ).encode()


def archived(story: str) -> bool:
    return sum(story.encode()) % 3 == 0


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 512


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        return

    def _send(self, status: int, body: bytes, content_type: str = "text/html; charset=utf-8") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        host = (self.headers.get("Host") or "").split(":")[0]
        if host == ARCHIVE_HOST:
            self._archive()
            return
        path = urlsplit(self.path).path
        if not path.endswith("/story"):
            self._send(200, b"<!doctype html><title>Home</title><p>home page of the site</p>")
        elif int(path.split("/")[2]) % 17 == 0:
            self._send(404, b"<!doctype html><title>Not found</title><p>no such story</p>")
        else:
            self._send(200, story_page(f"{host}{path}"))

    def _archive(self) -> None:
        split = urlsplit(self.path)
        if split.path.endswith("/cdx"):
            url = parse_qs(split.query).get("url", [""])[0]
            story = url.split("://", 1)[-1]
            if not url.endswith("/story") or not archived(story):
                self._send(200, b"", "text/plain")
                return
            line = {
                "urlkey": story,
                "timestamp": "20150601000000",
                "url": url,
                "mime": "text/html",
                "status": "200",
                "digest": "X" * 32,
                "length": "1000",
            }
            self._send(200, (json.dumps(line) + "\n").encode(), "text/plain")
            return
        match = re.match(r"/web/(\d+)id_/(.+)", split.path)
        if match is None:
            self._send(404, b"not in the archive")
            return
        original = unquote(match.group(2))
        story = original.split("://", 1)[-1]
        if not archived(story):
            self._send(404, b"not in the archive")
            return
        self.send_response(200)
        body = story_page(story)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Memento-Datetime", "Mon, 01 Jun 2015 00:00:00 GMT")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def online_corpus(work: Path, references: int, hosts: int, port: int) -> Path:
    """bench_scale's corpus with every story on a loopback host and every archive link on the loopback archive."""
    offline = build_corpus(work, references, 100, 1)
    corpus = work / f"online-{references}-{hosts}-{port}"
    if (corpus / ".complete").exists():
        return corpus
    shutil.rmtree(corpus, ignore_errors=True)

    def story(match: re.Match[str]) -> str:
        year, number = match.group(1), match.group(2)
        return f"http://h{int(number) % hosts:03d}.example.org:{port}/{year}/{number}/story"

    for source in sorted(offline.rglob("*")):
        if not source.is_file() or source.name == ".complete":
            continue
        target = corpus / source.relative_to(offline)
        target.parent.mkdir(parents=True, exist_ok=True)
        text = source.read_text(encoding="utf-8")
        text = _ARCHIVED.sub(lambda match: f"http://{ARCHIVE_HOST}:{port}/web/{match.group(1)}/", text)
        target.write_text(_STORY.sub(story, text), encoding="utf-8")
    (corpus / ".complete").write_text("", encoding="utf-8")
    return corpus


def audit_in_child(label: str, src: Path, corpus: Path, out: Path, references: int, port: int) -> Run:
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    environment = dict(os.environ, PYTHONPATH=str(src), SOURCE_DATE_EPOCH=EPOCH)
    environment.pop("PYTHONSTARTUP", None)
    command = [sys.executable, "-c", _WRAPPER, "audit", str(corpus), "-q", "--allow-private"]
    command += ["--archive", f"pywb+http://{ARCHIVE_HOST}:{port}/web", "--canary", f"http://h000.example.org:{port}/"]
    command += ["--out", str(out / "reports"), "--cache", str(out / "store.sqlite"), "--concurrency", "64"]
    started = time.perf_counter()
    child = subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    return Run(label, references, wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, code, out / "reports")


_CLOCK = re.compile(rb"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)?")


def masked_differences(first: Path, second: Path) -> tuple[int, int]:
    """(files compared, files that differ once timestamps are masked, or exist on one side only)."""
    ours = {path.relative_to(first) for path in first.rglob("*") if path.is_file()}
    theirs = {path.relative_to(second) for path in second.rglob("*") if path.is_file()}
    differing = len(ours ^ theirs)
    for name in ours & theirs:
        if _CLOCK.sub(b"T", (first / name).read_bytes()) != _CLOCK.sub(b"T", (second / name).read_bytes()):
            differing += 1
    return len(ours & theirs), differing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,50000", help="references per corpus, comma-separated")
    parser.add_argument("--hosts", type=int, default=400, help="loopback host names the stories spread over")
    parser.add_argument("--baseline-src", type=Path, help="another checkout's src folder, audited the same way")
    parser.add_argument("--baseline-max", type=int, default=1_000_000, help="largest size the baseline runs at")
    parser.add_argument("--work", type=Path, help="where corpora and reports go (default: a temp folder)")
    parser.add_argument("--port", type=int, default=18765, help="the loopback server's port (it is in the corpus)")
    parser.add_argument("--src", type=Path, default=REPOSITORY / "src", help="the src folder of the first contender")
    parser.add_argument("--label", default="this checkout", help="what the first contender is called")
    args = parser.parse_args()
    work = args.work or Path(tempfile.gettempdir()) / "citecheck-bench-scale-online"
    work.mkdir(parents=True, exist_ok=True)
    server = _Server(("127.0.0.1", args.port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"cores: {os.cpu_count()}; loopback web of {args.hosts} hosts and a pywb-dialect archive on :{args.port}")
    ours: list[Run] = []
    theirs: list[Run] = []
    try:
        for size in (int(size) for size in args.sizes.split(",")):
            corpus = online_corpus(work, size, args.hosts, args.port)
            run = audit_in_child(args.label, args.src, corpus, work / f"out-{size}-{args.port}", size, args.port)
            ours.append(run)
            line = (
                f"{size:>9,} refs: {args.label:<13} {run.wall:7.1f} s  {run.rate:6.0f} refs/s  cpu {run.cpu:7.1f} s  "
                f"peak RSS {run.peak_mb:6.0f} MB  exit {run.exit_code}"
            )
            if args.baseline_src and size <= args.baseline_max:
                base = audit_in_child(
                    "baseline", args.baseline_src, corpus, work / f"base-{size}-{args.port}", size, args.port
                )
                theirs.append(base)
                compared, differing = masked_differences(run.out, base.out)
                line += (
                    f"\n{'':>17}baseline      {base.wall:7.1f} s  {base.rate:6.0f} refs/s  cpu {base.cpu:7.1f} s  "
                    f"peak RSS {base.peak_mb:6.0f} MB  exit {base.exit_code}\n"
                    f"{'':>17}ratio: wall ×{run.wall / base.wall:.2f}, cpu ×{run.cpu / base.cpu:.2f}, "
                    f"peak RSS ×{run.peak_mb / base.peak_mb:.2f}; reports: {compared} files compared, "
                    f"{differing} differ (timestamps masked)"
                )
                shutil.rmtree(base.out.parent, ignore_errors=True)
            print(line, flush=True)
            shutil.rmtree(run.out.parent, ignore_errors=True)
    finally:
        server.shutdown()
    print(f"growth, {args.label}:")
    print("\n".join(growth(ours)))
    if len(theirs) > 1:
        print("growth, baseline:")
        print("\n".join(growth(theirs)))


if __name__ == "__main__":
    main()
