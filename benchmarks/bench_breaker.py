"""Archives that misbehave: what 10 lookups cost against each, and whether the endpoint was given up.

Each case is a loopback archive answering ten citations' lookups (``--urls``) (one URL per host, production
HTTP settings: two retries, backoff 1 s, ``give_up_after`` 20 s, the resolve stage's lookup deadline):

* ``5xx-storm``: every answer a 500, 502 or 503 at once (no ``Memento-Datetime``);
* ``429-retry-after-1`` / ``429-retry-after-3``: every answer a 429 naming a short wait;
* ``flapping``: an IA-dialect archive whose every other answer is a 503 (it must not be given up);
* ``healthy-slow``: the same archive answering everything, 0.3 s per answer (must not be given up).

Printed per case: wall, requests the archive received, lookups by status, the endpoint's outage.
Run: ``PYTHONPATH=src .venv/bin/python benchmarks/bench_breaker.py [--baseline-src /work/base/src]``
(the baseline is the same harness in a child process with the other tree on its path).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.integration.ia_world import IaDialectArchive  # noqa: E402
from tests.integration.pywb_world import Capture, at  # noqa: E402
from tests.resilience.raw_world import raw_site, respond  # noqa: E402

ACCESS = at("2015-06-15T12:00:00")
URLS = int(os.environ.get("BENCH_BREAKER_URLS", "10"))  # --urls, passed to the baseline child too


def _urls() -> list[str]:
    return [f"http://site{number}.example/story" for number in range(URLS)]


def storm() -> Callable[[str], Callable[[object], None]]:
    statuses = itertools.cycle([500, 502, 503])
    lock = threading.Lock()

    def route(_path: str) -> Callable[[object], None]:
        with lock:
            status = next(statuses)
        return respond(status, b"<p>server error</p>", [("Content-Type", "text/html")])  # type: ignore[return-value]

    return route


def refusing(seconds: int) -> Callable[[str], Callable[[object], None]]:
    reply = respond(429, b"Too Many Requests", [("Content-Type", "text/plain"), ("Retry-After", str(seconds))])
    return lambda _path: reply  # type: ignore[return-value]


@contextmanager
def world(case: str) -> Iterator[tuple[str, list[str]]]:
    """(archive spec, request paths the archive received) for one case."""
    captures = [Capture(url, ACCESS - timedelta(days=3), body=b"story") for url in _urls()]
    if case == "5xx-storm":
        with raw_site(storm()) as site:  # type: ignore[arg-type]
            yield f"pywb+{site.url('/coll')}", site.requests
    elif case.startswith("429-retry-after-"):
        with raw_site(refusing(int(case.rsplit("-", 1)[1]))) as site:  # type: ignore[arg-type]
            yield f"pywb+{site.url('/coll')}", site.requests
    elif case == "flapping":
        with IaDialectArchive(captures, fault=lambda number, _path: 503 if number % 2 == 0 else None) as archive:
            yield f"ia+{archive.base_url}", archive.requests
    else:
        with IaDialectArchive(captures, delay=0.3) as archive:
            yield f"ia+{archive.base_url}", archive.requests


async def run_case(case: str) -> str:
    from citecheck.models import ArchiveStatus
    from citecheck.resolve.archive.models import SnapshotRequest
    from citecheck.resolve.archive.resolver import ArchiveResolver
    from citecheck.resolve.web import WebClient
    from citecheck.resolve.web_settings import HostSettings, WebSettings

    requests = [
        SnapshotRequest(url=url, target=ACCESS, target_kind="access", access_date=ACCESS.date()) for url in _urls()
    ]
    # Production settings; the operator's per-host rate only lifts the IA dialect's 8/s playback limit
    # off the loopback archive (its pauses and the breaker stay as they are).
    hosts = {"127.0.0.1": HostSettings(per_second=1000.0)} if case in ("flapping", "healthy-slow") else {}
    settings = WebSettings(allow_private=True, hosts=hosts)
    with world(case) as (spec, received):
        started = time.monotonic()
        async with (
            WebClient(settings) as web,
            ArchiveResolver([spec], web=web, lookup_deadline=max(60.0, settings.request_deadline * 4)) as resolver,
        ):
            results = await resolver.resolve_many(requests)
            [state] = resolver.endpoint_states()
        wall = time.monotonic() - started
    statuses = Counter(result.status.value for result in results)
    found = statuses.get(ArchiveStatus.found.value, 0)
    outage = state.outage.value if state.outage is not None else "-"
    by_status = ", ".join(f"{status} {count}" for status, count in sorted(statuses.items()))
    return (
        f"{case:<20} wall {wall:7.2f} s  requests {len(received):4d}  found {found:2d}  [{by_status}]  outage {outage}"
    )


CASES = ("5xx-storm", "429-retry-after-1", "429-retry-after-3", "flapping", "healthy-slow")


def main() -> None:
    global URLS
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline-src", help="another tree's src/: the same cases with its citecheck")
    parser.add_argument("--case", action="append", choices=CASES, help="only these cases (repeatable)")
    parser.add_argument("--urls", type=int, default=URLS, help="lookups per case (default 10)")
    options = parser.parse_args()
    URLS = options.urls
    os.environ["BENCH_BREAKER_URLS"] = str(options.urls)
    cases = options.case or list(CASES)
    for case in cases:
        print("this tree:  " + asyncio.run(run_case(case)), flush=True)
        if options.baseline_src:
            child = subprocess.run(
                [sys.executable, __file__, "--case", case],
                env={**os.environ, "PYTHONPATH": options.baseline_src},
                capture_output=True,
                text=True,
                check=True,
            )
            print("baseline:   " + child.stdout.strip().removeprefix("this tree:  "), flush=True)


if __name__ == "__main__":
    main()
