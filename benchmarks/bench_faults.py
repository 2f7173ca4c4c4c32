"""Fault-injection count: every case of issue 16 run against its loopback world, and what went wrong.

Run: ``.venv/bin/python benchmarks/bench_faults.py [--only NAME,NAME]``

The cases are the test suite's (``tests/resilience/fault_cases.py``): hostile
sites and archives answering byte for byte (a body that is a URL on a
forbidden address, redirects into private space from the live web and from
the archive, ``Location`` headers httpx cannot parse, a 1 GiB capture and a
gzip bomb streamed by the archive, trickles, a day-long ``Retry-After`` live and
from the archive, nested JSON from the index and an API, garbage
``Memento-Datetime``, CDX and WARC data, junk after a gzip member, citation URLs
httpx rejects, hostile labels and file names, garbage cache rows).  The audit
runs with production settings, ``--allow-private`` off and only 127.0.0.1
declared public; heavy cases run the CLI in a child whose own peak RSS is read.

Printed per case: crashes, hangs, over-memory, wrong verdicts, forbidden
connections (a listening socket on 127.0.0.2 counts arrivals; the suite's
network guard counts anything not made through citecheck's guarded client),
wall time against the case's deadline and peak RSS against the 300 MB limit
— the baseline each count is held to is 0.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.guard import network_guard  # noqa: E402
from tests.resilience.fault_cases import CASES, MAX_RSS_MB, run_case  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="comma-separated case names")
    args = parser.parse_args()
    wanted = set(args.only.split(",")) if args.only else None
    network_guard.install()
    cases = [case for case in CASES if wanted is None or case.name in wanted]
    header = f"{'case':40} {'crash':>5} {'hang':>4} {'mem':>3} {'wrong':>5} {'forb':>4} {'wall/deadline':>15}"
    header += f" {'peak RSS':>12}"
    print(header)
    print("-" * len(header))
    totals = {"crashes": 0, "hangs": 0, "over memory": 0, "wrong verdicts": 0, "forbidden connections": 0}
    started = time.monotonic()
    for case in cases:
        outcome = run_case(case)
        totals["crashes"] += bool(outcome.crash)
        totals["hangs"] += outcome.hang
        totals["over memory"] += outcome.over_memory
        totals["wrong verdicts"] += len(outcome.wrong)
        totals["forbidden connections"] += outcome.forbidden
        ratio = f"{outcome.elapsed:5.1f}/{outcome.deadline:3.0f} s" if outcome.deadline else f"{outcome.elapsed:5.1f} s"
        rss = f"{outcome.peak_rss_mb:.0f}/{MAX_RSS_MB} MB" if outcome.peak_rss_mb is not None else "-"
        print(
            f"{case.name:40} {bool(outcome.crash):5d} {outcome.hang:4d} {outcome.over_memory:3d} "
            f"{len(outcome.wrong):5d} {outcome.forbidden:4d} {ratio:>15} {rss:>12}"
        )
        for failure in outcome.failures:
            print(f"    {failure}")
    print("-" * len(header))
    print(
        f"{len(cases)} cases in {time.monotonic() - started:.1f} s: " + ", ".join(f"{k} {v}" for k, v in totals.items())
    )
    return 0 if not any(totals.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
