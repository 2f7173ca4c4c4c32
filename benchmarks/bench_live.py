"""Live checking: citecheck against linkchecker (PyPI) on the same local web of hard cases.

Both tools check every URL of ``tests/integration/web_world.standard_cases``
— each served by a fresh copy of the test web, since some sites answer
differently on a second visit (429 then 200, 503 then 200) — with the same
2-second timeouts. linkchecker only says valid or broken, so its answer maps
to ``alive`` or ``dead``; each tool's verdict is scored against the careful
verdict of the case. Two summary counts matter most to an editor: *false
dead* (a link called dead that is not) and *missed rot* (a rotten link —
dead, soft-404, redirected, parked — called fine).

Run: ``/work/venv/bin/python benchmarks/bench_live.py`` (needs
``pip install linkchecker``; without it only citecheck is measured).
"""

from __future__ import annotations

import asyncio
import csv
import io
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.integration.web_world import Case, running_world, standard_cases

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


def main() -> None:
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


if __name__ == "__main__":
    main()
