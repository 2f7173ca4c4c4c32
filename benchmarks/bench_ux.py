"""Start-up benchmark: ``citecheck check --offline`` from process start to verdict.

Run: ``.venv/bin/python benchmarks/bench_ux.py [--runs 15]``

Each command runs as a fresh process, ``--runs`` times, interleaved so machine
load hits them alike; the script prints the median and best wall time of each
and the ratios against two baselines measured in the same run:

* ``python -c pass`` — the interpreter's own start-up, the floor;
* ``python -c 'import httpx, pydantic'`` — what any tool on this stack pays
  before it does anything.

The checks run in an empty temporary folder (no settings file, no store), so
``check --offline`` has nothing to consult and must answer from the citation
alone; the target is ≤ 0.3 s.  ``--help`` and ``--version`` are measured too:
they should cost barely more than the floor.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CITATION = 'Doe, Jane (3 March 2020). "Harvest figures revised". The Daily Example. Retrieved 9 March 2020.'
TARGET_SECONDS = 0.3


def commands() -> dict[str, list[str]]:
    python = sys.executable
    cli = [python, "-m", "citecheck.cli"]
    return {
        "python -c pass": [python, "-c", "pass"],
        "python -c 'import httpx, pydantic'": [python, "-c", "import httpx, pydantic"],
        "citecheck --version": [*cli, "--version"],
        "citecheck check --help": [*cli, "check", "--help"],
        "citecheck check --offline CITATION": [*cli, "check", "--offline", CITATION],
        "citecheck check --offline URL": [*cli, "check", "--offline", "https://example.org/report"],
    }


def measure(runs: int) -> dict[str, list[float]]:
    timings: dict[str, list[float]] = {name: [] for name in commands()}
    with tempfile.TemporaryDirectory(prefix="citecheck-bench-ux-") as folder:
        (Path(folder) / ".git").mkdir()  # a repository root: no settings file above is read
        for _ in range(runs):
            for name, command in commands().items():
                started = time.perf_counter()
                done = subprocess.run(command, cwd=folder, capture_output=True, text=True, check=False)
                timings[name].append(time.perf_counter() - started)
                if done.returncode not in (0, 1):
                    raise SystemExit(f"{name} failed ({done.returncode}): {done.stderr.strip()}")
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    timings = measure(max(1, args.runs))
    floor = statistics.median(timings["python -c pass"])
    stack = statistics.median(timings["python -c 'import httpx, pydantic'"])
    print(f"{args.runs} runs each, interleaved; median and best wall time, process start to exit")
    print(f"{'command':<40} {'median':>8} {'best':>8} {'× pass':>8} {'× httpx+pydantic':>17}")
    for name, values in timings.items():
        median = statistics.median(values)
        print(f"{name:<40} {median:>7.3f}s {min(values):>7.3f}s {median / floor:>7.1f}× {median / stack:>16.2f}×")
    verdict = statistics.median(timings["citecheck check --offline CITATION"])
    status = "within" if verdict <= TARGET_SECONDS else "OVER"
    print(f"check --offline: {verdict:.3f}s median, {status} the {TARGET_SECONDS:.1f}s target")


if __name__ == "__main__":
    main()
