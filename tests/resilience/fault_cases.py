"""One fault-injection case per way issue 16 found to crash, hang, bloat or misdirect an audit — and a count.

Every case builds a small loopback world (:mod:`tests.resilience.raw_world`:
hostile sites and archives answering byte for byte, a listening socket on a
forbidden address), audits a small document citing it, and returns an
:class:`Outcome` counting what must never happen:

* **crash** — an exception out of ``audit``, exit 4, an internal error, a report missing;
* **hang** — no answer within the case's deadline;
* **over memory** — peak RSS of the audit's own process over 300 MB (heavy cases run the CLI in a child);
* **wrong verdict** — a result the case's fault does not justify (a reference lost, a page called dead);
* **forbidden connection** — any connection reaching the forbidden address, or recorded by the network guard.

The audit sees the world as production does: ``--allow-private`` is *off*;
only 127.0.0.1 is declared public (trusted), so 127.0.0.2 and every other
private address stay forbidden.  ``tests/resilience/test_fault_cases.py`` runs
every case; ``benchmarks/bench_faults.py`` prints the counts.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import gzip
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from io import BytesIO
from pathlib import Path
from unittest import mock

from citecheck import AuditOptions, audit
from citecheck.models import ArchiveStatus, LiveStatus, Reference
from citecheck.pipeline import AuditResult
from citecheck.resolve.settings import ResolveSettings
from citecheck.store.db import SCHEMA_TABLE
from tests.guard import network_guard
from tests.resilience.raw_world import (
    ForbiddenTarget,
    Reply,
    forbidden_target,
    gzip_bomb_blocks,
    hang_open,
    head,
    huge_blocks,
    raw,
    raw_site,
    respond,
    streamed,
    trickle_blocks,
)

MAX_RSS_MB = 300
GUARD_SITE = Path(__file__).resolve().parents[1] / "guard" / "site"
REPO_ROOT = Path(__file__).resolve().parents[2]
MEMENTO = ("Memento-Datetime", "Sun, 01 May 2011 10:00:00 GMT")
HTML = ("Content-Type", "text/html; charset=utf-8")
NOT_DEAD = {LiveStatus.alive, LiveStatus.unreachable, LiveStatus.not_checked, LiveStatus.blocked}


@dataclass
class Outcome:
    """What one case's audit did, and every count that must be 0."""

    case: str
    exit_code: int | None = None
    elapsed: float = 0.0
    crash: str | None = None
    hang: bool = False
    peak_rss_mb: float | None = None
    wrong: list[str] = field(default_factory=list)
    forbidden: int = 0
    detail: str = ""
    deadline: float = 0.0  # the longest the case's audits were allowed (a hang beyond it)

    @property
    def over_memory(self) -> bool:
        return self.peak_rss_mb is not None and self.peak_rss_mb > MAX_RSS_MB

    @property
    def failures(self) -> list[str]:
        found = [f"crash: {self.crash}"] if self.crash else []
        found += ["hang"] if self.hang else []
        found += [f"over memory: {self.peak_rss_mb:.0f} MB"] if self.over_memory else []
        found += [f"wrong verdict: {item}" for item in self.wrong]
        found += [f"{self.forbidden} forbidden connection(s)"] if self.forbidden else []
        return found


@dataclass(frozen=True)
class FaultCase:
    name: str
    covers: str  # the words for the fault
    run: Callable[[Path], Outcome]
    heavy: bool = False  # runs the CLI in a child process (its peak RSS is measured)


# --------------------------------------------------------------------------- documents


def article(title: str, words: str = "") -> bytes:
    words = words or " ".join(f"{title.lower().replace(' ', '-')}-{n} harvest survey" for n in range(30))
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title></head>"
        f"<body><h1>{title}</h1><p>{words}</p></body></html>"
    ).encode()


def markdown_citing(urls: list[str], labels: list[str] | None = None) -> str:
    labels = labels or [f"r{index}" for index in range(len(urls))]
    body = " ".join(f"Claim {index} was reported.[^{label}]" for index, label in enumerate(labels))
    notes = "\n".join(
        f'[^{label}]: "Report {index}". Ledger. 2 May 2011. {url} Retrieved 8 May 2011.'
        for index, (label, url) in enumerate(zip(labels, urls, strict=True))
    )
    return f"# Fault case\n\n{body}\n\n{notes}\n"


def write_docs(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


# --------------------------------------------------------------------------- running an audit


def _narrowed(original: Callable[[AuditOptions], ResolveSettings]) -> Callable[[AuditOptions], ResolveSettings]:
    """Production's settings with only 127.0.0.1 declared public, and backoffs a test can wait for."""

    def configured(options: AuditOptions) -> ResolveSettings:
        settings = original(options)
        web = settings.web.model_copy(
            update={"allow_private": False, "trusted_networks": ("127.0.0.1/32",), "backoff_base": 0.05}
        )
        return replace(settings, web=web, dns_check_names=("localhost",))

    return configured


_patch_lock = threading.Lock()


@contextlib.contextmanager
def narrowed_opt_in() -> Iterator[None]:
    with (
        _patch_lock,
        mock.patch.object(ResolveSettings, "from_options", staticmethod(_narrowed(ResolveSettings.from_options))),
    ):
        yield


def _missing_reports(out: Path, result: AuditResult) -> list[str]:
    missing = [name for name in ("index.md", "summary.json") if not (out / name).is_file()]
    for document in result.summary.documents:
        for report in (document.report_md, document.report_json):
            if report and not (out / report).is_file():
                missing.append(report)
    return missing


def audit_in_process(
    case: str,
    docs: Path,
    tmp: Path,
    *,
    canary: str,
    archives: list[str] | None = None,
    deadline: float = 60.0,
    forbidden: ForbiddenTarget | None = None,
    **changes: object,
) -> tuple[Outcome, AuditResult | None]:
    """Audit ``docs`` (production settings, narrowed opt-in) within ``deadline``; count what went wrong."""
    (tmp / "no-archive").mkdir(parents=True, exist_ok=True)
    settings: dict[str, object] = {"live_timeout": 2.0, "live_retries": 1, **changes}
    options = AuditOptions(
        out=tmp / "reports",
        cache=tmp / "cache.sqlite",
        archives=archives if archives is not None else [f"warc:{tmp / 'no-archive'}"],
        canary=[canary],
        **settings,  # type: ignore[arg-type]
    )
    outcome = Outcome(case, deadline=deadline)
    before = len(network_guard.recorded())
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    started = time.monotonic()
    result: AuditResult | None = None
    with narrowed_opt_in():
        future = pool.submit(audit, [docs], options)
        try:
            result = future.result(timeout=deadline)
        except concurrent.futures.TimeoutError:
            outcome.hang = True
        except Exception as error:  # the count: anything escaping audit() is a crash
            outcome.crash = f"{type(error).__name__}: {error}"
        finally:
            pool.shutdown(wait=False)
    outcome.elapsed = time.monotonic() - started
    if result is not None:
        outcome.exit_code = result.summary.exit_code
        problems = list(result.summary.internal_errors)
        if outcome.exit_code not in (0, 1, 2):
            problems.append(f"exit {outcome.exit_code}")
        missing = _missing_reports(options.out, result)
        if missing:
            problems.append(f"reports missing: {', '.join(missing)}")
        if problems:
            outcome.crash = "; ".join(problems)
    attempts = network_guard.recorded()[before:]
    outcome.forbidden = len(attempts) + (forbidden.accepted if forbidden is not None else 0)
    if attempts:
        outcome.detail += network_guard.report(attempts)
    return outcome, result


class _PeakRss:
    """The child's own peak resident set (``VmHWM``), polled while it runs.

    Not ``wait4``'s ``ru_maxrss``: Linux carries the high-water mark of the
    memory image replaced at ``exec`` into it, so a child forked from a big
    test process would report the parent's size.
    """

    def __init__(self, pid: int, interval: float = 0.02) -> None:
        self.kib = 0
        self._status = Path(f"/proc/{pid}/status")
        self._done = threading.Event()
        self._interval = interval
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()

    def _poll(self) -> None:
        while not self._done.is_set():
            try:
                text = self._status.read_text()
            except OSError:
                return
            for line in text.splitlines():
                if line.startswith("VmHWM:"):
                    self.kib = max(self.kib, int(line.split()[1]))
            self._done.wait(self._interval)

    def stop(self) -> None:
        self._done.set()
        self._thread.join(timeout=2)

    @property
    def mb(self) -> float | None:
        return self.kib / 1024 if self.kib else None


def audit_in_child(
    case: str, docs: Path, tmp: Path, args: list[str], *, deadline: float = 90.0
) -> tuple[Outcome, dict[str, object] | None]:
    """The CLI audit in a child process: exit code, its own peak RSS, the guard's log of it."""
    out, log_dir = tmp / "reports", tmp / "guard-log"
    log_dir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(GUARD_SITE), str(REPO_ROOT)])
    env[network_guard.LOG_DIR_ENV] = str(log_dir)
    command = [sys.executable, "-m", "citecheck.cli", "audit", str(docs), "--out", str(out)]
    command += ["--cache", str(tmp / "cache.sqlite"), "--format", "md,json", *args]
    outcome = Outcome(case, deadline=deadline)
    with open(tmp / "stdout.txt", "wb") as stdout, open(tmp / "stderr.txt", "wb") as stderr:
        started = time.monotonic()
        process = subprocess.Popen(command, stdout=stdout, stderr=stderr, env=env, cwd=tmp)
        peak = _PeakRss(process.pid)
        try:
            process.wait(timeout=deadline)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        finally:
            peak.stop()
        outcome.elapsed = time.monotonic() - started
    outcome.peak_rss_mb = peak.mb
    outcome.exit_code = process.returncode
    errors = (tmp / "stderr.txt").read_text(encoding="utf-8", errors="replace")
    if outcome.elapsed >= deadline:
        outcome.hang = True
    elif process.returncode not in (0, 1, 2) or "Traceback" in errors:
        outcome.crash = f"exit {process.returncode}: {errors[-400:]}"
    summary = None
    if (out / "summary.json").is_file():
        summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    elif not outcome.hang:
        outcome.crash = (outcome.crash or "") + " summary.json missing"
    attempts = network_guard.child_attempts(log_dir)
    outcome.forbidden = len(attempts)
    if attempts:
        outcome.detail += network_guard.report(attempts)
    return outcome, summary


def references(result: AuditResult | None) -> list[Reference]:
    return [reference for report in result.reports for reference in report.references] if result else []


def by_url(result: AuditResult | None) -> dict[str, Reference]:
    return {reference.url: reference for reference in references(result) if reference.url}


def is_alive(found: dict[str, Reference], url: str) -> bool:
    return url in found and found[url].live.status is LiveStatus.alive


def expect(outcome: Outcome, condition: bool, why: str) -> None:
    if not condition:
        outcome.wrong.append(why)


def json_references(out: Path) -> list[dict[str, object]]:
    found: list[dict[str, object]] = []
    for path in sorted(out.glob("*.json")):
        if path.name == "summary.json":
            continue
        data = json.loads(path.read_text(encoding="utf-8"))
        found += data.get("references", []) if isinstance(data, dict) else []
    return found


# --------------------------------------------------------------------------- worlds


def site_routes(routes: dict[str, Reply], default: Reply | None = None) -> Callable[[str], Reply]:
    """Route by exact path, then by the longest prefix ending in ``*``; else 404."""
    fallback = default or respond(404, b"<html><head><title>Not Found</title></head><body>no</body></html>", [HTML])

    def route(path: str) -> Reply:
        if path in routes:
            return routes[path]
        prefixes = sorted((key for key in routes if key.endswith("*") and path.startswith(key[:-1])), key=len)
        return routes[prefixes[-1]] if prefixes else fallback

    return route


def healthy_routes(extra: dict[str, Reply]) -> dict[str, Reply]:
    """A site whose home page answers (the audit's canary) and whose /ok page is an article."""
    return {"/": respond(200, article("Home"), [HTML]), "/ok": respond(200, article("Fine story"), [HTML]), **extra}


def archive_routes(playback: Reply, cdx: Reply | None = None) -> dict[str, Reply]:
    """A pywb-like archive at /coll: every playback request gets ``playback``, CDX gets ``cdx``."""
    routes: dict[str, Reply] = {"/coll/2*": playback, "/coll/1*": playback, "/coll/9*": playback}
    if cdx is not None:
        routes["/coll/cdx*"] = cdx
    return routes


# --------------------------------------------------------------------------- the cases


def case_body_is_a_forbidden_url(tmp: Path) -> Outcome:
    """A cited page whose whole body is a URL on a forbidden address: no library may download it."""
    with forbidden_target() as target:
        bodies = {
            "/plain": f"{target.url}/".encode(),
            "/html": f"<html><body>{target.url}/latest/meta-data/</body></html>".encode(),
            "/metadata": b"http://169.254.169.254/latest/meta-data/",
        }
        routes = {path: respond(200, body, [("Content-Type", "text/html")]) for path, body in bodies.items()}
        with raw_site(site_routes(healthy_routes(routes))) as site:
            urls = [site.url(path) for path in bodies]
            docs = write_docs(tmp / "docs", {"a.md": markdown_citing(urls)})
            outcome, result = audit_in_process(
                "body-is-a-forbidden-url", docs, tmp, canary=site.url("/"), forbidden=target
            )
        found = by_url(result)
        expect(outcome, len(found) == 3, f"3 references, got {len(found)}")
        for url in urls:
            expect(outcome, url in found and found[url].live.status is LiveStatus.alive, f"{url} alive")
    return outcome


def case_live_redirect_to_forbidden(tmp: Path) -> Outcome:
    with forbidden_target() as target:
        routes = {"/moved": respond(302, b"", [("Location", f"{target.url}/internal")])}
        with raw_site(site_routes(healthy_routes(routes))) as site:
            docs = write_docs(tmp / "docs", {"a.md": markdown_citing([site.url("/moved"), site.url("/ok")])})
            outcome, result = audit_in_process(
                "live-redirect-to-forbidden", docs, tmp, canary=site.url("/"), forbidden=target
            )
        found = by_url(result)
        moved = found.get(site.url("/moved"))
        expect(outcome, moved is not None and moved.live.status in NOT_DEAD - {LiveStatus.alive}, "redirect refused")
        expect(
            outcome,
            found.get(site.url("/ok")) is not None and found[site.url("/ok")].live.status is LiveStatus.alive,
            "/ok alive",
        )
    return outcome


def case_archive_redirect_to_private(tmp: Path) -> Outcome:
    """The archive's playback answers 302 to a forbidden address: vetted like a live redirect."""
    with forbidden_target() as target:
        playback = respond(302, b"", [("Location", f"{target.url}/latest/meta-data/")])
        routes = healthy_routes({"/gone": respond(404, b"gone", [HTML]), **archive_routes(playback)})
        with raw_site(site_routes(routes)) as site:
            docs = write_docs(tmp / "docs", {"a.md": markdown_citing([site.url("/gone")])})
            outcome, result = audit_in_process(
                "archive-302-to-private",
                docs,
                tmp,
                canary=site.url("/"),
                archives=[f"pywb+{site.url('/coll')}"],
                forbidden=target,
            )
        reference = by_url(result).get(site.url("/gone"))
        expect(outcome, reference is not None, "reference kept")
        if reference is not None:
            expect(
                outcome, reference.archive.status is ArchiveStatus.not_checked, f"archive {reference.archive.status}"
            )
            expect(outcome, "127.0.0.2" in (reference.archive.reason or ""), "reason names the refused address")
    return outcome


def case_unparseable_location(tmp: Path) -> Outcome:
    """A ``Location:`` httpx cannot parse or cannot connect to, live and from the archive: that URL only.

    httpx parses ports 99999 and -1, and the socket's OverflowError then escaped the connection attempt.
    """
    bad = [b"http://[::g]/", b"http://x.com:abc/", b"http://\xe2\x98\x83.net:99999/", b"http://[::1"]
    bad += [b"http://127.0.0.1:99999/", b"http://127.0.0.1:-1/", b"http://127.0.0.1:0/"]
    routes: dict[str, Reply] = {
        f"/bad{index}": raw(
            head(301, []).replace(b"Connection: close", b"Location: " + value + b"\r\nConnection: close")
        )
        for index, value in enumerate(bad)
    }
    archive_bad = raw(
        head(302, [MEMENTO]).replace(b"Connection: close", b"Location: http://[::g]/\r\nConnection: close")
    )
    with raw_site(site_routes(healthy_routes({**routes, **archive_routes(archive_bad)}))) as site:
        urls = [site.url(path) for path in routes] + [site.url("/ok")]
        docs = write_docs(tmp / "docs", {"a.md": markdown_citing(urls)})
        outcome, result = audit_in_process(
            "unparseable-location", docs, tmp, canary=site.url("/"), archives=[f"pywb+{site.url('/coll')}"]
        )
    found = by_url(result)
    expect(outcome, len(found) == len(urls), f"{len(urls)} references, got {len(found)}")
    for url in urls[:-1]:
        expect(outcome, url in found and found[url].live.status in NOT_DEAD, f"{url}: not dead")
    ok = found.get(site.url("/ok"))
    expect(outcome, ok is not None and ok.live.status is LiveStatus.alive, "/ok alive")
    return outcome


def _capture_case(tmp: Path, name: str, playback: Reply) -> Outcome:
    """The CLI, in a child, against an archive whose capture is hostile; its peak RSS is measured."""
    routes = healthy_routes({"/gone": respond(404, b"gone", [HTML]), **archive_routes(playback)})
    with raw_site(site_routes(routes)) as site:
        docs = write_docs(tmp / "docs", {"a.md": markdown_citing([site.url("/gone"), site.url("/ok")])})
        args = ["--archive", f"pywb+{site.url('/coll')}", "--allow-private", "--canary", site.url("/")]
        outcome, _summary = audit_in_child(name, docs, tmp, [*args, "--timeout", "3"])
    found = {str(reference.get("url")): reference for reference in json_references(tmp / "reports")}
    expect(outcome, len(found) == 2, f"2 references, got {len(found)}")
    return outcome


def case_huge_capture(tmp: Path) -> Outcome:
    """A 1 GiB capture, streamed by the archive: cut at the cap, memory flat."""
    playback = streamed(200, [HTML, MEMENTO, ("Content-Length", str(1 << 30))], huge_blocks(1 << 30))
    return _capture_case(tmp, "1-gib-capture", playback)


def case_gzip_bomb_capture(tmp: Path) -> Outcome:
    """A gzip bomb capture (1 GiB of zeros, compressed as it is sent): cut by the ratio or byte cap."""
    playback = streamed(200, [HTML, MEMENTO, ("Content-Encoding", "gzip")], gzip_bomb_blocks(1 << 30))
    return _capture_case(tmp, "gzip-bomb-capture", playback)


def _trickle_case(tmp: Path, name: str, interval: float) -> Outcome:
    playback = streamed(200, [HTML, MEMENTO, ("Content-Length", "100000")], trickle_blocks(interval, 60))
    routes = healthy_routes({"/gone": respond(404, b"gone", [HTML]), **archive_routes(playback)})
    with raw_site(site_routes(routes)) as site:
        docs = write_docs(tmp / "docs", {"a.md": markdown_citing([site.url("/gone"), site.url("/ok")])})
        outcome, result = audit_in_process(
            name, docs, tmp, canary=site.url("/"), archives=[f"pywb+{site.url('/coll')}"], deadline=45, live_timeout=1.0
        )
    reference = by_url(result).get(site.url("/gone"))
    expect(
        outcome, reference is not None and reference.archive.status is ArchiveStatus.not_checked, "trickle: not-checked"
    )
    ok = by_url(result).get(site.url("/ok"))
    expect(outcome, ok is not None and ok.live.status is LiveStatus.alive, "/ok alive")
    return outcome


def case_trickle_every_10s(tmp: Path) -> Outcome:
    """An archive trickling one byte every 10 s: the read timeout cuts it."""
    return _trickle_case(tmp, "archive-trickle-1-byte-per-10s", 10.0)


def case_trickle_under_the_read_timeout(tmp: Path) -> Outcome:
    """A byte every 0.5 s (never idle long enough for a read timeout): the total deadline cuts it."""
    return _trickle_case(tmp, "archive-trickle-under-read-timeout", 0.5)


def case_live_retry_after_a_day(tmp: Path) -> Outcome:
    """A host asking for a day's wait: its URLs not-checked ("rate limited for 24 h"), the rest checked, at once."""
    limited = site_routes({"/limited*": respond(429, b"slow down", [("Retry-After", "86400")])})
    with raw_site(site_routes(healthy_routes({}))) as site, raw_site(limited, "127.0.0.1") as slow:
        urls = [slow.url("/limited/1"), slow.url("/limited/2"), site.url("/ok")]
        docs = write_docs(tmp / "docs", {"a.md": markdown_citing(urls)})
        outcome, result = audit_in_process("live-429-retry-after-86400", docs, tmp, canary=site.url("/"))
    found = by_url(result)
    for url in urls[:2]:
        reference = found.get(url)
        expect(outcome, reference is not None and reference.live.status is LiveStatus.not_checked, f"{url} not-checked")
        expect(
            outcome, reference is not None and "rate limited for 24 h" in (reference.live.reason or ""), f"{url} reason"
        )
    expect(outcome, found.get(urls[2]) is not None and found[urls[2]].live.status is LiveStatus.alive, "/ok alive")
    expect(outcome, len(slow.requests) <= 2, f"the limited host was asked {len(slow.requests)} times")
    expect(outcome, outcome.elapsed < 30, f"finished fast ({outcome.elapsed:.0f} s)")
    return outcome


def case_archive_retry_after_a_day(tmp: Path) -> Outcome:
    limited = respond(429, b"slow down", [("Retry-After", "86400")])
    routes = healthy_routes({"/gone*": respond(404, b"gone", [HTML]), **archive_routes(limited, limited)})
    with raw_site(site_routes(routes)) as site:
        urls = [site.url("/gone/1"), site.url("/gone/2"), site.url("/ok")]
        docs = write_docs(tmp / "docs", {"a.md": markdown_citing(urls)})
        outcome, result = audit_in_process(
            "archive-429-retry-after-86400", docs, tmp, canary=site.url("/"), archives=[f"pywb+{site.url('/coll')}"]
        )
    found = by_url(result)
    for url in urls[:2]:
        reference = found.get(url)
        expect(
            outcome,
            reference is not None and reference.archive.status is ArchiveStatus.not_checked,
            f"{url} not-checked",
        )
        expect(outcome, reference is not None and "rate limited" in (reference.archive.reason or ""), f"{url} reason")
    expect(outcome, found.get(urls[2]) is not None and found[urls[2]].live.status is LiveStatus.alive, "/ok alive")
    expect(outcome, outcome.elapsed < 30, f"finished fast ({outcome.elapsed:.0f} s)")
    return outcome


def _error_capture() -> Reply:
    """A capture of a server error: the resolver then asks the index."""
    return respond(500, b"<html><title>Error</title></html>", [HTML, MEMENTO])


def _index_case(tmp: Path, name: str, cdx_body: bytes) -> Outcome:
    cdx = respond(200, cdx_body, [("Content-Type", "text/plain")])
    routes = healthy_routes({"/gone*": respond(404, b"gone", [HTML]), **archive_routes(_error_capture(), cdx)})
    with raw_site(site_routes(routes)) as site:
        urls = [site.url("/gone/1"), site.url("/ok")]
        docs = write_docs(tmp / "docs", {"a.md": markdown_citing(urls)})
        outcome, result = audit_in_process(
            name, docs, tmp, canary=site.url("/"), archives=[f"pywb+{site.url('/coll')}"]
        )
    found = by_url(result)
    expect(outcome, len(found) == 2, f"2 references, got {len(found)}")
    # One garbage index answer costs that reference's archive result, never the live results.
    ok = found.get(urls[1])
    expect(outcome, ok is not None and ok.live.status is LiveStatus.alive, "/ok alive")
    gone = found.get(urls[0])
    expect(outcome, gone is not None and gone.live.status is LiveStatus.dead, "/gone/1 dead (404)")
    return outcome


def case_deep_json_from_cdx(tmp: Path) -> Outcome:
    return _index_case(tmp, "deep-json-from-cdx", b"[" * 200_000 + b"]" * 200_000)


def case_cdx_year_9999(tmp: Path) -> Outcome:
    rows = [
        {"urlkey": "x", "timestamp": "99991231235959", "url": "http://x/", "status": "200", "mime": "text/html"},
        {"urlkey": "x", "timestamp": "0", "url": "http://x/", "status": "200"},
        {"urlkey": "x", "timestamp": "20110230000000", "url": "http://x/", "status": "200"},
    ]
    return _index_case(tmp, "cdx-timestamp-year-9999", "\n".join(json.dumps(row) for row in rows).encode())


def case_deep_json_from_api(tmp: Path) -> Outcome:
    """The DOI handle API (and Crossref) answering deeply nested JSON: that DOI is not checked, nothing else."""
    deep = respond(200, b"[" * 200_000 + b"]" * 200_000, [("Content-Type", "application/json")])
    with raw_site(site_routes(healthy_routes({"/api/*": deep}))) as site:
        text = markdown_citing([site.url("/ok")]) + '\n[^d]: "Paper". Journal. 2011. doi:10.1234/abcd.5678\n'
        text = text.replace("Claim 0 was reported.[^r0]", "Claim 0 was reported.[^r0] Also.[^d]")
        docs = write_docs(tmp / "docs", {"a.md": text})
        outcome, result = audit_in_process(
            "deep-json-from-api",
            docs,
            tmp,
            canary=site.url("/"),
            doi_api=site.url("/api/handles"),
            crossref_api=site.url("/api/crossref"),
        )
    ok = by_url(result).get(site.url("/ok"))
    expect(outcome, ok is not None and ok.live.status is LiveStatus.alive, "/ok alive")
    return outcome


def case_memento_datetime_without_zone(tmp: Path) -> Outcome:
    playbacks = [
        respond(200, article("Old"), [HTML, ("Memento-Datetime", "Sun, 01 May 2011 10:00:00")]),
        respond(200, article("Old"), [HTML, ("Memento-Datetime", "garbage")]),
        respond(200, article("Old"), [HTML, ("Memento-Datetime", "Fri, 31 Dec 9999 23:59:59 GMT")]),
    ]
    outcome = Outcome("memento-datetime-garbage")
    for index, playback in enumerate(playbacks):
        routes = healthy_routes({"/gone": respond(404, b"gone", [HTML]), **archive_routes(playback)})
        with raw_site(site_routes(routes)) as site:
            docs = write_docs(tmp / f"docs{index}", {"a.md": markdown_citing([site.url("/gone"), site.url("/ok")])})
            one, result = audit_in_process(
                outcome.case, docs, tmp / f"run{index}", canary=site.url("/"), archives=[f"pywb+{site.url('/coll')}"]
            )
        _merge(outcome, one)
        expect(outcome, len(references(result)) == 2, f"variant {index}: 2 references")
    return outcome


def _merge(total: Outcome, one: Outcome) -> None:
    total.elapsed += one.elapsed
    total.deadline += one.deadline
    total.crash = total.crash or one.crash
    total.hang = total.hang or one.hang
    total.wrong += one.wrong
    total.forbidden += one.forbidden
    total.detail += one.detail
    total.exit_code = one.exit_code


def _warc_record(url: str, date: str, body: bytes) -> bytes:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    stream = BytesIO()
    writer = WARCWriter(stream, gzip=True)
    headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
    record = writer.create_warc_record(
        url, "response", payload=BytesIO(body), http_headers=headers, warc_headers_dict={"WARC-Date": date}
    )
    writer.write_record(record)
    return stream.getvalue()


def case_warc_garbage(tmp: Path) -> Outcome:
    """WARC files with garbage after valid records, a bad WARC-Date, junk after a gzip member."""
    with raw_site(site_routes(healthy_routes({"/gone*": respond(404, b"gone", [HTML])}))) as site:
        urls = [site.url(f"/gone/{n}") for n in range(3)]
        warcs = tmp / "warcs"
        warcs.mkdir()
        good = _warc_record(urls[0], "2011-05-01T10:00:00Z", article("Captured"))
        (warcs / "a.warc.gz").write_bytes(good + os.urandom(4096))
        (warcs / "b.warc.gz").write_bytes(_warc_record(urls[1], "not a date", article("Bad date")))
        (warcs / "c.warc.gz").write_bytes(_warc_record(urls[2], "9999-12-31T23:59:59Z", article("Year 9999")))
        (warcs / "d.warc.gz").write_bytes(gzip.compress(b"WARC/1.0\r\n") + b"junk after the gzip member")
        docs = write_docs(tmp / "docs", {"a.md": markdown_citing(urls)})
        outcome, result = audit_in_process("warc-garbage", docs, tmp, canary=site.url("/"), archives=[f"warc:{warcs}"])
    found = by_url(result)
    expect(outcome, len(found) == 3, f"3 references, got {len(found)}")
    first = found.get(urls[0])
    expect(outcome, first is not None and first.archive.status is ArchiveStatus.found, "the valid record is found")
    return outcome


def case_gzip_junk_live(tmp: Path) -> Outcome:
    """A live page whose gzip member is followed by junk, on a connection left open: read, not waited on."""
    body = gzip.compress(article("Gzipped story")) + b"\x00junk that is not gzip" * 10
    reply = hang_open(head(200, [HTML, ("Content-Encoding", "gzip")]) + body)
    with raw_site(site_routes(healthy_routes({"/gz": reply}))) as site:
        docs = write_docs(tmp / "docs", {"a.md": markdown_citing([site.url("/gz")])})
        outcome, result = audit_in_process("gzip-junk-after-member", docs, tmp, canary=site.url("/"))
    reference = by_url(result).get(site.url("/gz"))
    expect(outcome, reference is not None and reference.live.status is LiveStatus.alive, "gzip page alive")
    return outcome


REJECTED_URLS = ["http://0177.0.0.1/", "http://☃.net/", "http://x.com:abc/", "https://[::g]/"]


def case_urls_httpx_rejects(tmp: Path) -> Outcome:
    """Citation URLs httpx rejects (or the guard refuses), with an archive that has no capture."""
    routes = healthy_routes(archive_routes(respond(404, b"no capture", [HTML]), respond(200, b"", [])))
    with raw_site(site_routes(routes)) as site:
        text = markdown_citing([*REJECTED_URLS, site.url("/ok")])
        wiki = "".join(
            f"Claim.<ref>{{{{cite web |url={url} |title=T |access-date=2011-05-08}}}}</ref>\n" for url in REJECTED_URLS
        )
        docs = write_docs(tmp / "docs", {"a.md": text, "b.wiki": wiki + "== References ==\n<references/>\n"})
        outcome, result = audit_in_process(
            "urls-httpx-rejects", docs, tmp, canary=site.url("/"), archives=[f"pywb+{site.url('/coll')}"]
        )
    found = references(result)
    expect(outcome, len(found) >= 2 * len(REJECTED_URLS) + 1, f"every reference kept ({len(found)})")
    for reference in found:
        if reference.url in REJECTED_URLS:
            expect(outcome, reference.live.status in NOT_DEAD, f"{reference.url}: {reference.live.status}")
    return outcome


def case_archive_url_timestamp_9999(tmp: Path) -> Outcome:
    with raw_site(site_routes(healthy_routes(archive_routes(respond(404, b"none", [HTML]))))) as site:
        wiki = (
            f"Claim.<ref>{{{{cite web |url={site.url('/ok')} |title=T |archive-url={site.url('/coll')}/99991231235959/"
            f"{site.url('/ok')} |archive-date=2011-05-08 |access-date=2011-05-08}}}}</ref>\n"
            "Two.<ref>{{cite web |url=http://example.org/ |archive-url=https://web.archive.org/web/99991231235959/"
            "http://example.org/ |title=T}}</ref>\n== References ==\n<references/>\n"
        )
        docs = write_docs(tmp / "docs", {"a.wiki": wiki})
        outcome, result = audit_in_process(
            "archive-url-timestamp-99991231235959",
            docs,
            tmp,
            canary=site.url("/"),
            archives=[f"pywb+{site.url('/coll')}"],
        )
    expect(outcome, len(references(result)) == 2, "2 references")
    return outcome


def case_long_footnote_label(tmp: Path) -> Outcome:
    with raw_site(site_routes(healthy_routes({}))) as site:
        label = "L" * 300
        docs = write_docs(tmp / "docs", {("n" * 200) + ".md": markdown_citing([site.url("/ok")], [label])})
        outcome, result = audit_in_process("300-char-footnote-label", docs, tmp, canary=site.url("/"))
    reference = by_url(result).get(site.url("/ok"))
    expect(outcome, reference is not None and reference.live.status is LiveStatus.alive, "/ok alive")
    return outcome


def case_invalid_utf8_file_names(tmp: Path) -> Outcome:
    """File names that are not UTF-8: listed as not audited (their bytes escaped), the others audited."""
    with raw_site(site_routes(healthy_routes({}))) as site:
        docs = tmp / "docs"
        docs.mkdir()
        text = markdown_citing([site.url("/ok")]).encode()
        for name in (b"bad-\xff\xfe.md", b"latin-\xe9t\xe9.md", b"ok.md"):
            with open(os.path.join(os.fsencode(docs), name), "wb") as stream:
                stream.write(text)
        outcome, result = audit_in_process("invalid-utf8-file-names", docs, tmp, canary=site.url("/"))
    expect(outcome, result is not None and len(result.reports) == 1, "ok.md audited")
    skipped = [error.error for error in result.summary.errors] if result else []
    expect(outcome, len(skipped) == 2 and all("not valid UTF-8" in error for error in skipped), f"listed: {skipped}")
    reference = by_url(result).get(site.url("/ok"))
    expect(outcome, reference is not None and reference.live.status is LiveStatus.alive, "/ok alive")
    return outcome


def _garble_store(store: Path, *, bookkeeping: bool) -> None:
    """Overwrite every value of every citecheck table (and of the schema bookkeeping when asked) with garbage."""
    connection = sqlite3.connect(store)
    tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    for table in tables:
        if table.startswith("sqlite_") or (table == SCHEMA_TABLE and not bookkeeping):
            continue
        columns = [row[1] for row in connection.execute(f'PRAGMA table_info("{table}")')]
        for index, column in enumerate(columns):
            garbage = [b"\xff\x00garbage", "{not json", -1, "9999-99-99T99:99:99", 1e308][index % 5]
            with contextlib.suppress(sqlite3.Error):
                connection.execute(f'UPDATE "{table}" SET "{column}" = ?', (garbage,))
    connection.commit()
    connection.close()


def case_garbage_cache_rows(tmp: Path) -> Outcome:
    """Every cached row overwritten with garbage (then the schema bookkeeping too): misses, checked afresh."""
    outcome = Outcome("garbage-cache-rows")
    with raw_site(site_routes(healthy_routes({}))) as site:
        docs = write_docs(tmp / "docs", {"a.md": markdown_citing([site.url("/ok")])})
        first, _ = audit_in_process(outcome.case, docs, tmp / "first", canary=site.url("/"))
        _merge(outcome, first)
        for bookkeeping in (False, True):
            run = tmp / f"garbled-{bookkeeping}"
            run.mkdir()
            (run / "cache.sqlite").write_bytes((tmp / "first" / "cache.sqlite").read_bytes())
            _garble_store(run / "cache.sqlite", bookkeeping=bookkeeping)
            one, result = audit_in_process(outcome.case, docs, run, canary=site.url("/"))
            _merge(outcome, one)
            expect(
                outcome, is_alive(by_url(result), site.url("/ok")), f"/ok alive (bookkeeping garbled: {bookkeeping})"
            )
    return outcome


CASES: list[FaultCase] = [
    FaultCase("body-is-a-forbidden-url", "a cited page's body is just a URL (SSRF)", case_body_is_a_forbidden_url),
    FaultCase("live-redirect-to-forbidden", "a live redirect to a private address", case_live_redirect_to_forbidden),
    FaultCase(
        "archive-302-to-private", "an archive's playback 302 to a private address", case_archive_redirect_to_private
    ),
    FaultCase(
        "unparseable-location", "a Location: header httpx cannot parse or no socket takes", case_unparseable_location
    ),
    FaultCase("1-gib-capture", "a 1 GiB capture", case_huge_capture, heavy=True),
    FaultCase("gzip-bomb-capture", "a gzip-bomb capture", case_gzip_bomb_capture, heavy=True),
    FaultCase("archive-trickle-1-byte-per-10s", "an archive trickling one byte every 10 s", case_trickle_every_10s),
    FaultCase(
        "archive-trickle-under-read-timeout", "a trickle no read timeout catches", case_trickle_under_the_read_timeout
    ),
    FaultCase("live-429-retry-after-86400", "429 with Retry-After: 86400 (live)", case_live_retry_after_a_day),
    FaultCase("archive-429-retry-after-86400", "429 with Retry-After: 86400 (archive)", case_archive_retry_after_a_day),
    FaultCase("deep-json-from-cdx", "deeply nested JSON from the index", case_deep_json_from_cdx),
    FaultCase("deep-json-from-api", "deeply nested JSON from an API", case_deep_json_from_api),
    FaultCase("memento-datetime-garbage", "Memento-Datetime without a time zone", case_memento_datetime_without_zone),
    FaultCase("cdx-timestamp-year-9999", "a CDX timestamp in year 9999", case_cdx_year_9999),
    FaultCase("warc-garbage", "a WARC with garbage after records, a bad WARC-Date", case_warc_garbage),
    FaultCase("gzip-junk-after-member", "junk after a gzip member", case_gzip_junk_live),
    FaultCase("urls-httpx-rejects", "citation URLs httpx rejects", case_urls_httpx_rejects),
    FaultCase(
        "archive-url-timestamp-99991231235959",
        "an archive-URL timestamp 99991231235959",
        case_archive_url_timestamp_9999,
    ),
    FaultCase("300-char-footnote-label", "a 300-character footnote label", case_long_footnote_label),
    FaultCase("invalid-utf8-file-names", "invalid UTF-8 file names in an input folder", case_invalid_utf8_file_names),
    FaultCase("garbage-cache-rows", "garbage cache rows are cache misses", case_garbage_cache_rows),
]


def run_case(case: FaultCase, folder: Path | None = None) -> Outcome:
    """Run one case in ``folder`` (a fresh temporary folder when None); never raises."""
    with contextlib.ExitStack() as stack:
        tmp = folder or Path(stack.enter_context(tempfile.TemporaryDirectory(prefix=f"fault-{case.name[:20]}-")))
        try:
            return case.run(tmp)
        except Exception as error:  # a broken world is reported as the case's crash, not hidden
            return Outcome(case.name, crash=f"case itself failed: {type(error).__name__}: {error}")
