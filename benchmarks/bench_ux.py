"""Start-up benchmark: ``citecheck check --offline`` from process start to verdict.

Run: ``.venv/bin/python benchmarks/bench_ux.py [--runs 15] [--baseline-src DIR] [--callgrind]``

Each command runs as a fresh process, ``--runs`` times, interleaved so machine
load hits them alike; the script prints the median and best wall time of each,
its median CPU time (user and system apart: system time swings with the disk),
and the ratios against two baselines measured in the same run:

* ``python -c pass`` — the interpreter's own start-up, the floor;
* ``python -c 'import httpx, pydantic'`` — what any tool on this stack pays
  before it does anything.

The checks run in an empty temporary folder (no settings file, no store), so
``check --offline`` has nothing to consult and must answer from the citation
alone; the target is ≤ 0.3 s.  ``--help`` and ``--version`` are measured too:
they should cost barely more than the floor.  ``audit --offline`` audits a
folder of four small documents (one per format), and its Markdown one alone,
into a fresh reports folder.

``--baseline-src``: another checkout's ``src`` folder (e.g. a worktree of main),
its commands interleaved with this tree's; the table then adds base/this ratios.
``--callgrind``: also count each command's instructions once under valgrind
(deterministic where wall and CPU time are noise; slow: a minute or two).
Compile both trees first (``python -m compileall -q src``) when the environment
sets ``PYTHONDONTWRITEBYTECODE``, or compiling dominates every number.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

CITATION = 'Doe, Jane (3 March 2020). "Harvest figures revised". The Daily Example. Retrieved 9 March 2020.'
DOI_CITATION = "Doe, Jane (2013). A title. A Journal. doi:10.1000/xyz123"
TARGET_SECONDS = 0.3
THIS_SRC = Path(__file__).resolve().parents[1] / "src"

# The audited folder: one document a format, each citing a source with a URL and an archived copy.
_CITE = 'Doe, Jane (3 March 2020). "A title". Retrieved 9 March 2020.'
_LINK = "https://example.org/a"
_ARCHIVED = "https://web.archive.org/web/20150101000000/https://example.org/a"
DOCUMENTS = {
    "notes.txt": f"A claim.[1]\n\nReferences\n\n1. {_CITE} {_LINK}\n",
    "notes.md": f"# Notes\n\nA claim.[^1]\n\n[^1]: {_CITE} <{_LINK}> ([archived]({_ARCHIVED}))\n",
    "article.wiki": "A claim.<ref>{{cite web |url="
    + _LINK
    + " |title=A title |date=3 March 2020 |archive-url="
    + _ARCHIVED
    + " |archive-date=1 January 2015 |url-status=dead}}</ref>\n\n== References ==\n<references />\n",
    "page.html": f'<html><body><p>A claim.<sup><a href="#r1">1</a></sup></p><ol><li id="r1">{_CITE} '
    f'<a href="{_LINK}">{_LINK}</a></li></ol></body></html>\n',
}


@dataclass
class Samples:
    wall: list[float] = field(default_factory=list)
    user: list[float] = field(default_factory=list)
    system: list[float] = field(default_factory=list)


def citecheck_commands(folder: Path) -> dict[str, list[str]]:
    cli = ["-m", "citecheck.cli"]
    reports = str(folder / "reports")
    return {
        "citecheck --version": [*cli, "--version"],
        "citecheck check --help": [*cli, "check", "--help"],
        "citecheck check --offline CITATION": [*cli, "check", "--offline", CITATION],
        "citecheck check --offline URL": [*cli, "check", "--offline", "https://example.org/report"],
        "citecheck check --offline DOI": [*cli, "check", "--offline", DOI_CITATION],
        "citecheck audit --offline (4 docs)": [*cli, "audit", "docs", "--offline", "-q", "--out", reports],
        "citecheck audit --offline (1 .md)": [*cli, "audit", "docs/notes.md", "--offline", "-q", "--out", reports],
    }


def commands(folder: Path, trees: dict[str, Path]) -> dict[str, tuple[list[str], dict[str, str]]]:
    """Every command to time, by name: its argv and its environment (the tree on PYTHONPATH)."""
    python = sys.executable
    plain = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    table = {
        "python -c pass": ([python, "-c", "pass"], plain),
        "python -c 'import httpx, pydantic'": ([python, "-c", "import httpx, pydantic"], plain),
    }
    for name, argv in citecheck_commands(folder).items():
        for label, src in trees.items():
            suffix = f" [{label}]" if len(trees) > 1 else ""
            table[name + suffix] = ([python, *argv], {**plain, "PYTHONPATH": str(src)})
    return table


def _prepare(folder: Path) -> None:
    (folder / ".git").mkdir()  # a repository root: no settings file above is read
    (folder / "docs").mkdir()
    for name, text in DOCUMENTS.items():
        (folder / "docs" / name).write_text(text, encoding="utf-8")


def _run_once(argv: list[str], env: dict[str, str], folder: Path) -> tuple[float, float, float, int, str]:
    """Wall, user and system seconds of one process (its own rusage, from wait4), its exit code and stderr."""
    shutil.rmtree(folder / "reports", ignore_errors=True)
    started = time.perf_counter()
    process = subprocess.Popen(argv, cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert process.stderr is not None
    error = process.stderr.read().decode(errors="replace")
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    process.stderr.close()
    return wall, usage.ru_utime, usage.ru_stime, process.returncode, error


def measure(runs: int, trees: dict[str, Path], folder: Path) -> dict[str, Samples]:
    table = commands(folder, trees)
    samples = {name: Samples() for name in table}
    for _ in range(runs):
        for name, (argv, env) in table.items():
            wall, user, system, code, error = _run_once(argv, env, folder)
            if code not in (0, 1):
                raise SystemExit(f"{name} failed ({code}): {error.strip()}")
            samples[name].wall.append(wall)
            samples[name].user.append(user)
            samples[name].system.append(system)
    return samples


def count_instructions(trees: dict[str, Path], folder: Path) -> dict[str, int]:
    """Each citecheck command's instructions under callgrind, once (the count barely varies between runs)."""
    counts: dict[str, int] = {}
    for name, (argv, env) in commands(folder, trees).items():
        if not name.startswith("citecheck"):
            continue
        shutil.rmtree(folder / "reports", ignore_errors=True)
        out = folder / "callgrind.out"
        done = subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", *argv],
            cwd=folder,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        match = re.search(r"Collected : (\d+)", done.stderr)
        if match is None:
            raise SystemExit(f"callgrind gave no count for {name}: {done.stderr[-500:]}")
        counts[name] = int(match.group(1))
        out.unlink(missing_ok=True)
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--baseline-src", type=Path, help="another checkout's src folder, timed interleaved")
    parser.add_argument("--callgrind", action="store_true", help="also count instructions under valgrind")
    args = parser.parse_args()
    trees = {"this": THIS_SRC}
    if args.baseline_src is not None:
        trees = {"base": args.baseline_src.resolve(), "this": THIS_SRC}
    with tempfile.TemporaryDirectory(prefix="citecheck-bench-ux-") as name:
        folder = Path(name)
        _prepare(folder)
        samples = measure(max(1, args.runs), trees, folder)
        counts = count_instructions(trees, folder) if args.callgrind else {}
    floor = statistics.median(samples["python -c pass"].wall)
    stack = statistics.median(samples["python -c 'import httpx, pydantic'"].wall)
    print(f"{args.runs} runs each, interleaved; wall time process start to exit, CPU time the process's own")
    header = f"{'command':<44} {'median':>8} {'best':>8} {'user':>7} {'sys':>7} {'× pass':>7} {'× stack':>8}"
    print(header + (f" {'Minstr':>8}" if counts else ""))
    for command, values in samples.items():
        median = statistics.median(values.wall)
        line = (
            f"{command:<44} {median:>7.3f}s {min(values.wall):>7.3f}s {statistics.median(values.user):>6.3f}s"
            f" {statistics.median(values.system):>6.3f}s {median / floor:>6.1f}× {median / stack:>7.2f}×"
        )
        if command in counts:
            line += f" {counts[command] / 1e6:>8.0f}"
        print(line)
    if len(trees) > 1:
        print("\nthis tree against the base: CPU (user + sys) median ratio" + (", instructions" if counts else ""))
        for command in citecheck_commands(folder):
            base, this = samples[f"{command} [base]"], samples[f"{command} [this]"]
            ratio = _cpu(this) / _cpu(base)
            line = f"{command:<44} {_cpu(base):.3f}s → {_cpu(this):.3f}s  ×{ratio:.2f}"
            if counts:
                line += f"   {counts[f'{command} [base]'] / 1e6:.0f}M → {counts[f'{command} [this]'] / 1e6:.0f}M"
                line += f"  ×{counts[f'{command} [this]'] / counts[f'{command} [base]']:.2f}"
            print(line)
    verdict_name = "citecheck check --offline CITATION" + (" [this]" if len(trees) > 1 else "")
    verdict = statistics.median(samples[verdict_name].wall)
    status = "within" if verdict <= TARGET_SECONDS else "OVER"
    print(f"check --offline: {verdict:.3f}s median wall, {status} the {TARGET_SECONDS:.1f}s target")


def _cpu(values: Samples) -> float:
    return statistics.median(user + system for user, system in zip(values.user, values.system, strict=True))


if __name__ == "__main__":
    main()
