"""Live checking: citecheck against linkchecker (PyPI) on the same local web of hard cases.

Both tools check every URL of ``tests/integration/web_world.standard_cases``
— each served by a fresh copy of the test web, since some sites answer
differently on a second visit (429 then 200, 503 then 200) — with the same
2-second timeouts. linkchecker only says valid or broken, so its answer maps
to ``alive`` or ``dead``; each tool's verdict is scored against the careful
verdict of the case. Two summary counts matter most to an editor: *false
dead* (a link called dead that is not) and *missed rot* (a rotten link —
dead, soft-404, redirected, parked — called fine).

The second part is the **whole audit** at scale: one Markdown document citing 500 URLs on 20
named hosts (answering after ``--latency``; a few 404s, 410s, redirects, NXDOMAIN), each
citation quoting its page so the claim checks need the page's text, an archive (a real pywb on
loopback) holding captures of most of them — ``citecheck audit`` from parsing to the written
reports, against ``linkchecker`` checking the same 500 URLs (links only).  Every name resolves
through a loopback DNS stub: citecheck's resolver hook, and ``socket.getaddrinfo`` patched in
linkchecker's process; the NXDOMAIN host is the stub's answer, never the machine's resolver.

Run: ``.venv/bin/python benchmarks/bench_live.py [--urls 500] [--hosts 20] [--skip-cases] [--baseline-src ../base/src]``
(needs ``pip install linkchecker`` in the venv; without it only citecheck is measured).
"""

from __future__ import annotations

import asyncio
import csv
import io
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import json
import tempfile
from collections import Counter
from datetime import timedelta

from tests.integration.pywb_world import ArchiveWorld, Capture, at
from tests.integration.web_world import Case, Reply, WebWorld, html, redirect, running_world, standard_cases

from citecheck.models import LiveStatus
from citecheck.resolve.live import LiveCheckConfig, LiveChecker

TIMEOUT = 2.0
ROT = {LiveStatus.dead, LiveStatus.soft_404, LiveStatus.redirected, LiveStatus.parked}


def run_citecheck() -> tuple[dict[str, str], float]:
    with running_world() as world:
        cases = standard_cases(world)
        config = LiveCheckConfig(
            connect_timeout=TIMEOUT,
            read_timeout=TIMEOUT,
            backoff_base=0.2,
            retry_after_cap=5,
            allow_private=True,
            canary_urls=(world.url("news", "/"),),
            dns_canary_hosts=("localhost",),
        )

        async def check() -> dict[str, str]:
            async with LiveChecker(config) as checker:
                results = await checker.check_many(case.url for case in cases)
            return {case.category: results[case.url].status.value for case in cases}

        started = time.monotonic()
        verdicts = asyncio.run(check())
        return verdicts, time.monotonic() - started


def run_linkchecker(executable: str) -> tuple[dict[str, str], float]:
    with running_world() as world:
        cases = standard_cases(world)
        command = [executable, "--verbose", "--no-status", "-r", "0", "--check-extern"]
        command += ["--timeout", str(int(TIMEOUT)), "-o", "csv", *[case.url for case in cases]]
        started = time.monotonic()
        finished = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
        elapsed = time.monotonic() - started
    rows = [line for line in finished.stdout.splitlines() if not line.startswith("#")]
    valid_by_url: dict[str, bool] = {}
    for row in csv.DictReader(io.StringIO("\n".join(rows)), delimiter=";"):
        valid_by_url[row["urlname"]] = row["valid"] == "True"
    verdicts = {}
    for case in cases:
        valid = valid_by_url.get(case.url)
        verdicts[case.category] = "(no answer)" if valid is None else ("alive" if valid else "dead")
    return verdicts, elapsed


def score(cases: list[Case], verdicts: dict[str, str]) -> tuple[int, int, int]:
    correct = sum(verdicts[c.category] == c.expected.value for c in cases)
    false_dead = sum(verdicts[c.category] == "dead" and c.expected is not LiveStatus.dead for c in cases)
    missed_rot = sum(verdicts[c.category] == "alive" and c.expected in ROT for c in cases)
    return correct, false_dead, missed_rot


def cases_part() -> None:
    with running_world() as world:  # only to list the cases (categories and expectations)
        cases = standard_cases(world)
    ours, our_time = run_citecheck()
    executable = shutil.which("linkchecker") or str(Path(sys.executable).with_name("linkchecker"))
    theirs: dict[str, str] | None = None
    their_time = 0.0
    if Path(executable).exists():
        theirs, their_time = run_linkchecker(executable)
    else:
        print("linkchecker is not installed (pip install linkchecker); measuring citecheck only\n")

    width = max(len(case.category) for case in cases) + 2
    print(f"{'case':<{width}}{'expected':<13}{'citecheck':<14}{'linkchecker':<14}")
    for case in cases:
        mark_ours = "✓" if ours[case.category] == case.expected.value else "✗"
        line = f"{case.category:<{width}}{case.expected.value:<13}{mark_ours} {ours[case.category]:<12}"
        if theirs is not None:
            mark_theirs = "✓" if theirs[case.category] == case.expected.value else "✗"
            line += f"{mark_theirs} {theirs[case.category]}"
        print(line)
    print()
    rows = [("citecheck", ours, our_time)] + ([("linkchecker", theirs, their_time)] if theirs else [])
    print(f"{'tool':<13}{'correct':>10}{'false dead':>12}{'missed rot':>12}{'wall s':>9}")
    for name, verdicts, elapsed in rows:
        correct, false_dead, missed_rot = score(cases, verdicts)
        print(f"{name:<13}{correct:>5}/{len(cases):<4}{false_dead:>12}{missed_rot:>12}{elapsed:>9.2f}")
    if theirs:
        print(f"\nwall-time ratio citecheck/linkchecker: {our_time / their_time:.2f}")


# --------------------------------------------------------------------------- the whole audit at scale

GONE = "gone.test"  # the stub answers NXDOMAIN for it


def scale_world(urls: int, hosts: int, latency: float) -> tuple[WebWorld, dict[str, str], list[tuple[str, str]]]:
    """``hosts`` named sites sharing ``urls`` cited URLs; returns the world, the stub's names, (URL, expected)."""
    web = WebWorld()
    names: dict[str, str] = {}
    for number in range(hosts):
        name = f"host{number}"
        address = f"127.0.3.{number + 10}"
        web.add_site(name, address)
        names[f"{name}.test"] = address
    cited: list[tuple[str, str]] = []
    gone = max(1, urls // 100)
    for index in range(urls - gone):
        name = f"host{index % hosts}"
        site = web.sites[name]
        path = f"/{2015 + index % 6}/story-{index}"
        kind = index % 25
        words = " ".join(f"word{index}-{n}" for n in range(60))
        page = html(f"Story {index}", f"<p>The survey of story {index} took eleven months of fieldwork. {words}</p>")
        page = Reply(page.status, page.body, page.headers, delay=latency)
        if kind == 0:
            site.route(
                path, Reply(404, b"<html><body>Not Found</body></html>", [("Content-Type", "text/html")], latency)
            )
            expected = "dead"
        elif kind == 1:
            site.route(path, Reply(410, b"<html><body>Gone</body></html>", [("Content-Type", "text/html")], latency))
            expected = "dead"
        elif kind == 2:
            moved = path + "-moved"
            reply = redirect(moved, status=301)
            site.route(path, Reply(reply.status, reply.body, reply.headers, latency))
            site.route(moved, page)
            expected = "alive"
        else:
            site.route(path, page)
            expected = "alive"
        cited.append((f"http://{name}.test:{{port{index % hosts}}}{path}", expected))
    for number in range(gone):
        cited.append((f"http://{GONE}/{number}/story", "dead"))
    web.start()
    ports = {f"port{number}": web.sites[f"host{number}"].port for number in range(hosts)}
    resolved = [(url.format(**ports) if "{" in url else url, expected) for url, expected in cited]
    return web, names, resolved


def scale_document(cited: list[tuple[str, str]]) -> str:
    lines = ["# Fieldwork", ""]
    for index, (_url, _expected) in enumerate(cited):
        lines.append(f'Story {index} said "the survey of story {index} took eleven months of fieldwork".[^{index}]')
    lines.append("")
    for index, (url, _expected) in enumerate(cited):
        lines.append(f'[^{index}]: "Story {index}". The Host. 2 May 2015. {url} Retrieved 8 May 2015.')
    return "\n".join(lines) + "\n"


_AUDIT_WRAPPER = """
import json, sys
from dataclasses import replace
from citecheck.resolve.net import HostResolutionError
from citecheck.resolve.settings import ResolveSettings
names = json.loads(sys.argv.pop(1))
async def stub(host, port):
    if host in names:
        return [names[host]]
    raise HostResolutionError(host, nxdomain=True, detail="NXDOMAIN (loopback DNS stub)")
original = ResolveSettings.from_options.__func__
ResolveSettings.from_options = classmethod(lambda cls, options: replace(original(cls, options), resolver=stub))
from citecheck.cli import main
sys.argv[0] = "citecheck"
main()
"""


def process_cpu(pid: int | None) -> float | None:
    """CPU seconds a running process has used so far (Linux ``/proc``), or None where that cannot be read."""
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_audit(
    folder: Path,
    document: Path,
    archive: str,
    names: dict[str, str],
    concurrency: int | None,
    source: str | None = None,
) -> tuple[float, float]:
    """``citecheck audit`` in a process of its own, every name through the stub; (wall, CPU) seconds.

    ``source``: a ``src`` folder to import citecheck from instead (the baseline).
    """
    command = [sys.executable, "-c", _AUDIT_WRAPPER, json.dumps(names), "audit", str(document), "-q"]
    command += ["--out", str(folder / "reports"), "--cache", str(folder / "cache.sqlite"), "--archive", archive]
    command += ["--allow-private", "--fail-on", "never"]
    if concurrency is not None:
        command += ["--concurrency", str(concurrency)]
    env = dict(os.environ, PYTHONPATH=source) if source else None
    started, cpu = time.monotonic(), child_cpu()
    finished = subprocess.run(command, capture_output=True, text=True, timeout=1800, check=False, env=env)
    elapsed = time.monotonic() - started
    if finished.returncode not in (0, 1):
        print(finished.stdout[-2000:], finished.stderr[-3000:])
    return elapsed, child_cpu() - cpu


_LINKCHECKER_WRAPPER = """
import json, socket, sys
names = json.loads(sys.argv.pop(1))
original = socket.getaddrinfo
def getaddrinfo(host, port, *args, **kwargs):
    if host in names:
        return original(names[host], port, *args, **kwargs)
    try:
        socket.inet_aton(str(host))
    except OSError:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known (loopback DNS stub)") from None
    return original(host, port, *args, **kwargs)
socket.getaddrinfo = getaddrinfo
from linkcheck.command.linkchecker import linkchecker
sys.argv[0] = "linkchecker"
sys.exit(linkchecker())
"""


def run_linkchecker_on(urls: list[str], names: dict[str, str]) -> tuple[dict[str, bool], float, float]:
    command = [sys.executable, "-c", _LINKCHECKER_WRAPPER, json.dumps(names)]
    command += ["--verbose", "--no-status", "-r", "0", "--check-extern", "--timeout", str(int(TIMEOUT)), "-o", "csv"]
    started, cpu = time.monotonic(), child_cpu()
    finished = subprocess.run([*command, *urls], capture_output=True, text=True, timeout=1800, check=False)
    elapsed = time.monotonic() - started
    cpu = child_cpu() - cpu
    rows = [line for line in finished.stdout.splitlines() if not line.startswith("#")]
    valid: dict[str, bool] = {}
    for row in csv.DictReader(io.StringIO("\n".join(rows)), delimiter=";"):
        if row.get("urlname") in set(urls):
            valid[row["urlname"]] = row["valid"] == "True"
    if not valid:
        print(finished.stderr[-2000:])
    return valid, elapsed, cpu


def scale_part(
    urls: int, hosts: int, latency: float, concurrencies: list[int | None], kind: str, baseline: str | None = None
) -> None:
    web, names, cited = scale_world(urls, hosts, latency)
    try:
        access = at("2015-05-08T12:00:00")
        captures = [
            Capture(url, access - timedelta(days=3 + n % 30), body=f"story {n} archived".encode())
            for n, (url, _expected) in enumerate(cited)
            if n % 10 != 9 and GONE not in url
        ]
        kinds = Counter(expected for _url, expected in cited)
        print(
            f"\nwhole audit: {len(cited)} cited URLs on {hosts} hosts (+{GONE}, NXDOMAIN via the stub), "
            f"{dict(kinds)}; +{latency * 1000:.0f} ms per answer; {len(captures)} captures in a local "
            f"{'pywb' if kind == 'pywb' else 'WARC file'}"
        )
        with tempfile.TemporaryDirectory() as temp:
            root = Path(temp)
            document = root / "fieldwork.md"
            document.write_text(scale_document(cited))
            results: list[tuple[str, float, int]] = []
            with ArchiveWorld(root / "pywb", captures) as archive:
                sources = (None, baseline) if baseline else (None,)  # this tree, then the baseline: interleaved
                runs = [(concurrency, source) for concurrency in concurrencies for source in sources]
                for number, (concurrency, source) in enumerate(runs):
                    folder = root / f"run-{number}"
                    folder.mkdir()
                    before = len(web.requests)
                    spec = f"pywb+{archive.archive_url}" if kind == "pywb" else f"warc:{archive.warc_dir}"
                    pywb_pid = archive._process.pid if archive._process is not None and kind == "pywb" else None
                    pywb_before = process_cpu(pywb_pid)
                    wall, cpu = run_audit(folder, document, spec, names, concurrency, source)
                    pywb_after = process_cpu(pywb_pid)
                    live_requests = len(web.requests) - before
                    who = f"baseline {source}" if source else "citecheck audit"
                    label = f"{who} (concurrency {concurrency if concurrency else 'default'})"
                    results.append((label, wall, live_requests))
                    # The archive's own work runs on the same cores as the audit (linkchecker asks no archive).
                    archive_cpu = (
                        f", pywb {pywb_after - pywb_before:.1f} s CPU"
                        if pywb_before is not None and pywb_after is not None
                        else ""
                    )
                    print(
                        f"{label}: {wall:.1f} s ({cpu:.1f} s CPU{archive_cpu}), {live_requests} requests to the "
                        f"cited hosts ({live_requests / len(cited):.2f}/URL)",
                        flush=True,
                    )
            executable = Path(sys.executable).with_name("linkchecker")
            if executable.exists():
                before = len(web.requests)
                valid, their_wall, their_cpu = run_linkchecker_on([url for url, _ in cited], names)
                theirs = len(web.requests) - before
                right = sum(1 for url, expected in cited if valid.get(url) is (expected == "alive"))
                print(
                    f"linkchecker 10.6 (links only): {their_wall:.1f} s ({their_cpu:.1f} s CPU), {theirs} requests, "
                    f"{right}/{len(cited)} valid/broken as expected ({len(valid)} answered)"
                )
                for label, wall, _requests in results:
                    print(f"  {label} / linkchecker: {wall / their_wall:.2f}")
            else:
                print("linkchecker is not installed in this venv (pip install linkchecker)")
    finally:
        web.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--urls", type=int, default=500)
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds each cited host takes to answer")
    parser.add_argument("--skip-cases", action="store_true", help="only the whole-audit part")
    parser.add_argument("--concurrency", type=int, action="append", help="audit --concurrency values to run")
    parser.add_argument("--archive", choices=["pywb", "warc"], default="pywb", help="the audit's archive")
    parser.add_argument(
        "--baseline-src", help="also run the whole audit with citecheck imported from this src folder, interleaved"
    )
    options = parser.parse_args()
    if not options.skip_cases:
        cases_part()
    scale_part(
        options.urls,
        options.hosts,
        options.latency,
        options.concurrency or [None],
        options.archive,
        options.baseline_src,
    )


if __name__ == "__main__":
    main()
