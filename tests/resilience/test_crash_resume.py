"""``kill -9`` an audit half-way through, run it again, and compare with a run that was never interrupted.

The audit runs as the real console script in a subprocess against a slow
loopback web (every page takes over half a second), with a WARC file as its archive.
The test watches the SQLite store from outside while the first run works,
kills it once some URLs are finished, re-runs it on the same store, and
checks what a scheduled CI job relies on: the re-run exits normally, writes
the same reports as an uninterrupted run on a fresh store, does not ask the
sites again for what was finished, and leaves a sound SQLite file.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.integration.pywb_world import Capture, at, write_warc
from tests.resilience.fault_world import Answer, FaultRequest, FaultWorld, Hit, not_found, page

pytestmark = [pytest.mark.integration, pytest.mark.slow]

CITECHECK = Path(sys.executable).parent / "citecheck"
PAGE_DELAY = 0.6
SITES = {"slow-a": "127.0.0.31", "slow-b": "127.0.0.32", "slow-c": "127.0.0.33", "slow-d": "127.0.0.34"}
PAGES_PER_SITE, GONE_PER_SITE = 9, 3
KILL_AFTER_FINISHED = 12  # of 48: a quarter of the way, well before the live stage ends
RUN_TIMEOUT = 60.0


def _slow_site(request: FaultRequest) -> Answer:
    """Stable answers (a re-run must see the same web), each taking :data:`PAGE_DELAY`."""
    if request.path.startswith("/gone/"):
        answer = not_found()
    elif request.path.startswith("/a/"):
        answer = page(f"Article {request.path}", f"Text of {request.path} " + " ".join(request.path * 12))
    else:
        return not_found()  # the soft-404 probe: answered at once
    return Answer(answer.status, answer.body, answer.headers, delay=PAGE_DELAY)


def _cited_paths() -> list[str]:
    # Deaths first, so some are among the URLs finished before the kill.
    return [f"/gone/{index}" for index in range(GONE_PER_SITE)] + [f"/a/{index}" for index in range(PAGES_PER_SITE)]


def _write_corpus(world: FaultWorld, folder: Path) -> list[str]:
    urls = [world.url(site, path) for path in _cited_paths() for site in SITES]
    folder.mkdir()
    for number, half in enumerate((urls[: len(urls) // 2], urls[len(urls) // 2 :])):
        body = " ".join(f"Fact {index} was reported.[^n{index}]" for index in range(len(half)))
        notes = "\n".join(
            f'[^n{index}]: "Report {number}.{index}". Ledger. 2 May 2011. {url} Retrieved 8 May 2011.'
            for index, url in enumerate(half)
        )
        (folder / f"part{number}.md").write_text(f"# Part {number}\n\n{body}\n\n{notes}\n", encoding="utf-8")
    return urls


def _audit_command(documents: Path, out: Path, cache: Path, warc: Path, canary: str) -> list[str]:
    return [
        str(CITECHECK),
        "audit",
        str(documents),
        "--out",
        str(out),
        "--cache",
        str(cache),
        "--archive",
        f"warc:{warc}",
        "--allow-private",
        "--canary",
        canary,
        "--concurrency",
        "8",
        "--fail-on",
        "never",
    ]


def _finished_urls(cache: Path) -> set[str]:
    """URLs whose live check the store holds (read while another process writes)."""
    if not cache.exists():
        return set()
    connection = sqlite3.connect(cache, timeout=5)
    try:
        rows = connection.execute("SELECT DISTINCT url FROM live_check_history").fetchall()
    except sqlite3.OperationalError:  # the table is not created yet
        return set()
    finally:
        connection.close()
    return {row[0] for row in rows}


def _integrity(cache: Path) -> str:
    connection = sqlite3.connect(cache)
    try:
        return str(connection.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        connection.close()


_VOLATILE_KEYS = {"generated_at", "checked_at"}
_GENERATED_LINE = re.compile(r"Generated \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC")


def _without_timestamps(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _without_timestamps(item) for key, item in value.items() if key not in _VOLATILE_KEYS}
    if isinstance(value, list):
        return [_without_timestamps(item) for item in value]
    return value


def _reports(folder: Path) -> dict[str, Any]:
    reports: dict[str, Any] = {}
    for path in sorted(folder.iterdir()):
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".json":
            reports[path.name] = _without_timestamps(json.loads(text))
        else:
            reports[path.name] = _GENERATED_LINE.sub("Generated <time>", text)
    return reports


@dataclass
class CrashResumeRun:
    urls: list[str]
    fresh_exit: int
    fresh_reports: dict[str, Any]
    fresh_store: Path
    finished_while_running: list[int]  # finished-URL counts seen by polling the store during the killed run
    finished_at_kill: set[str]
    killed_exit: int
    reports_after_kill: list[str]
    resumed_exit: int
    resumed_stderr: str
    resumed_reports: dict[str, Any]
    resumed_store: Path
    hits_during_resume: list[Hit]


def _run(command: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, timeout=RUN_TIMEOUT, check=False)


@pytest.fixture(scope="module")
def crash_resume(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CrashResumeRun]:
    root = tmp_path_factory.mktemp("crash-resume")
    world = FaultWorld()
    for name, address in SITES.items():
        world.add_site(name, address, _slow_site)
    world.add_site("canary", "127.0.0.35", lambda _request: page("Canary", "up"))
    with world:
        urls = _write_corpus(world, root / "docs")
        warc = write_warc(root / "archive.warc.gz", [Capture(url, at("2011-05-06T10:00:00")) for url in urls[::2]])
        canary = world.url("canary", "/")

        fresh = _run(_audit_command(root / "docs", root / "fresh-out", root / "fresh.sqlite", warc, canary))
        assert fresh.returncode in (0, 1), fresh.stderr

        crash_store, crash_out = root / "crash.sqlite", root / "crash-out"
        command = _audit_command(root / "docs", crash_out, crash_store, warc, canary)
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        seen: list[int] = []
        killed = False
        deadline = time.monotonic() + RUN_TIMEOUT
        try:
            while time.monotonic() < deadline and process.poll() is None:
                count = len(_finished_urls(crash_store))
                if not seen or seen[-1] != count:
                    seen.append(count)
                if count >= KILL_AFTER_FINISHED:
                    os.kill(process.pid, signal.SIGKILL)
                    killed = True
                    break
                time.sleep(0.05)
        finally:
            if not killed and process.poll() is None:
                process.kill()  # the run hung or the test failed: never leave it behind
            killed_exit = process.wait(timeout=10)
        finished = _finished_urls(crash_store)
        reports_after_kill = sorted(path.name for path in crash_out.iterdir()) if crash_out.exists() else []

        resume_started = time.monotonic()
        resumed = _run(command)
        hits = [hit for hit in world.log.snapshot()[0] if hit.at >= resume_started]
        yield CrashResumeRun(
            urls=urls,
            fresh_exit=fresh.returncode,
            fresh_reports=_reports(root / "fresh-out"),
            fresh_store=root / "fresh.sqlite",
            finished_while_running=seen,
            finished_at_kill=finished,
            killed_exit=killed_exit,
            reports_after_kill=reports_after_kill,
            resumed_exit=resumed.returncode,
            resumed_stderr=resumed.stderr,
            resumed_reports=_reports(crash_out),
            resumed_store=crash_store,
            hits_during_resume=hits,
        )


def test_the_kill_landed_half_way(crash_resume: CrashResumeRun) -> None:
    assert crash_resume.killed_exit == -signal.SIGKILL
    assert KILL_AFTER_FINISHED <= len(crash_resume.finished_at_kill) < len(crash_resume.urls)
    # Killed in the live stage: not one report was written.
    assert crash_resume.reports_after_kill == []


def test_results_reach_the_store_as_they_finish(crash_resume: CrashResumeRun) -> None:
    """The store grew step by step while the process ran, not in one write at the end."""
    growth = [count for count in crash_resume.finished_while_running if count > 0]
    assert len(growth) >= 2, crash_resume.finished_while_running
    assert growth[0] < len(crash_resume.urls)


def test_resumed_run_exits_normally(crash_resume: CrashResumeRun) -> None:
    assert crash_resume.resumed_exit == crash_resume.fresh_exit, crash_resume.resumed_stderr
    assert "Traceback" not in crash_resume.resumed_stderr


def test_store_survives_the_kill(crash_resume: CrashResumeRun) -> None:
    assert _integrity(crash_resume.resumed_store) == "ok"
    assert _integrity(crash_resume.fresh_store) == "ok"
    assert _finished_urls(crash_resume.resumed_store) == set(crash_resume.urls)


def test_no_repeated_requests_for_finished_urls(crash_resume: CrashResumeRun) -> None:
    finished_paths = {(urlsplit(url).hostname, urlsplit(url).path) for url in crash_resume.finished_at_kill}
    addresses = {name: address for name, address in SITES.items()}
    repeated = [
        hit.path for hit in crash_resume.hits_during_resume if (addresses.get(hit.pool), hit.path) in finished_paths
    ]
    assert not repeated, f"{len(repeated)} finished URLs fetched again: {sorted(repeated)[:5]}"
    # The unfinished ones were fetched: the resumed run did its work.
    assert len({hit.path for hit in crash_resume.hits_during_resume if hit.pool in SITES}) > 0


def test_resumed_reports_equal_uninterrupted_run(crash_resume: CrashResumeRun) -> None:
    assert crash_resume.resumed_reports.keys() == crash_resume.fresh_reports.keys()
    for name, fresh in crash_resume.fresh_reports.items():
        assert crash_resume.resumed_reports[name] == fresh, name
