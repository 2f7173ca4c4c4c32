"""Scale benchmark: offline audits of generated corpora of 1k, 10k and 100k references (1M with ``--full``).

Run: ``python benchmarks/bench_scale.py [--full] [--baseline-src DIR] [--sizes 1000,10000]``

Each audit is ``citecheck audit CORPUS --offline`` in a child process of its
own (the CLI, as people run it, with ``SOURCE_DATE_EPOCH`` set so outputs
compare byte for byte); the parent reads the child's wall time and its peak
resident memory from ``wait4`` (the kernel's own ``ru_maxrss`` for that
child alone).  Printed per size and contender: wall, references/s, peak RSS,
the growth between sizes (×wall and ×RSS per ×10 references: 10 and 1.0 are
linear time and flat memory) and, with a baseline, the ratio against it.

The baseline is another checkout's code on the same corpus in the same run
(``--baseline-src``: the ``src`` folder of a git worktree of main, e.g.
``git worktree add /tmp/main main`` then ``--baseline-src /tmp/main/src``);
its report folder is compared with this checkout's, file by file.
``--jobs N`` runs this checkout with N worker processes (``ru_maxrss`` is
then the largest of the parent and its workers, each measured alone), and
``--baseline-jobs N`` the baseline (default 1: a tree from before ``--jobs``
has no such flag).
``--baseline-max`` skips the baseline above a size (main needs ~2 GB at 100k).
CPU seconds from the same ``wait4`` are printed beside the wall, user and
system apart (on a machine shared with other work they move far less than the
wall), and the ratio against the baseline is taken on user CPU: system time is
mostly the kernel creating the report files, and it swings 10× with the disk's
state (10k files made right after many were deleted cost ~2 s of it, otherwise
~0.25 s), whichever tree runs.

The corpus is built by :mod:`bench_parse`'s generators (plain text,
Markdown, wikitext and HTML in turn, ``--per-document`` references each,
CS1-style citations, archive links, dead-link marks, in-text markers), once
per size, into ``--work`` (default: a folder under the system's temp).
"""

from __future__ import annotations

import argparse
import filecmp
import itertools
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_parse import FORMATS, GENERATORS

REPOSITORY = Path(__file__).resolve().parents[1]
SUFFIXES = {"text": ".txt", "markdown": ".md", "wikitext": ".wiki", "html": ".html"}
CHILD = "import sys; from citecheck.cli import main; sys.argv[0] = 'citecheck'; main()"
EPOCH = "1700000000"


@dataclass
class Run:
    label: str
    references: int
    wall: float
    # CPU seconds of the child and the workers it waited for: steadier than wall under load.
    user: float  # the code's own work: what a change to citecheck moves
    sys: float  # the kernel's for it, mostly creating report files: swings with the disk's state
    peak_mb: float
    exit_code: int
    out: Path

    @property
    def rate(self) -> float:
        return self.references / self.wall if self.wall else 0.0


def build_corpus(folder: Path, references: int, per_document: int, seed: int) -> Path:
    """``references`` references in documents of ``per_document`` each, written once and reused."""
    corpus = folder / f"corpus-{references}-{per_document}-{seed}"
    done = corpus / ".complete"
    if done.exists():
        return corpus
    shutil.rmtree(corpus, ignore_errors=True)
    rng = random.Random(seed)
    documents = max(1, references // per_document)
    for number in range(documents):
        fmt = FORMATS[number % len(FORMATS)]
        text, _ = GENERATORS[fmt](rng, per_document)
        # Spread over sub-folders: a million references is 10,000 files.
        target = corpus / f"part{number // 1000:03d}" / f"doc{number:06d}{SUFFIXES[fmt]}"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    done.write_text("", encoding="utf-8")
    return corpus


def audit_in_child(label: str, src: Path, corpus: Path, out: Path, references: int, extra: list[str]) -> Run:
    """One offline audit in a fresh process; wall and the peak RSS of the child (its largest process)."""
    shutil.rmtree(out, ignore_errors=True)
    environment = dict(os.environ, PYTHONPATH=str(src), SOURCE_DATE_EPOCH=EPOCH)
    command = [sys.executable, "-c", CHILD, "audit", str(corpus), "--offline", "-q"]
    command += ["--out", str(out), "--cache", str(out.parent / "no-store.db"), *extra]
    started = time.perf_counter()
    child = subprocess.Popen(command, env=environ_without_venv_noise(environment), stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    return Run(label, references, wall, usage.ru_utime, usage.ru_stime, usage.ru_maxrss / 1024, child.returncode, out)


def environ_without_venv_noise(environment: dict[str, str]) -> dict[str, str]:
    environment.pop("PYTHONSTARTUP", None)
    return environment


def same_folders(first: Path, second: Path) -> tuple[int, int]:
    """(files compared, files that differ or exist on one side only)."""
    compared = differing = 0
    comparison = filecmp.dircmp(first, second)
    pending = [comparison]
    while pending:
        current = pending.pop()
        differing += len(current.left_only) + len(current.right_only)
        names = current.common_files
        compared += len(names)
        _, mismatch, errors = filecmp.cmpfiles(current.left, current.right, names, shallow=False)
        differing += len(mismatch) + len(errors)
        pending += current.subdirs.values()
    return compared, differing


def growth(runs: list[Run]) -> list[str]:
    lines = []
    for smaller, larger in itertools.pairwise(runs):
        factor = larger.references / smaller.references
        lines.append(
            f"  {smaller.references:,} → {larger.references:,} (×{factor:g}): "
            f"wall ×{larger.wall / smaller.wall:.2f}, user CPU ×{larger.user / smaller.user:.2f}, "
            f"peak RSS ×{larger.peak_mb / smaller.peak_mb:.2f}"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="references per corpus, comma-separated")
    parser.add_argument("--full", action="store_true", help="also 1,000,000 references")
    parser.add_argument("--per-document", type=int, default=100, help="references per document (default 100)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--baseline-src", type=Path, help="another checkout's src folder, audited the same way")
    parser.add_argument("--baseline-max", type=int, default=100_000, help="largest size the baseline runs at")
    parser.add_argument("--jobs", type=int, default=1, help="--jobs for this checkout")
    parser.add_argument("--baseline-jobs", type=int, default=1, help="--jobs for the baseline (default: none given)")
    parser.add_argument("--work", type=Path, help="where corpora and reports go (default: a temp folder)")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    if args.full and 1_000_000 not in sizes:
        sizes.append(1_000_000)
    work = args.work or Path(tempfile.gettempdir()) / "citecheck-bench-scale"
    work.mkdir(parents=True, exist_ok=True)
    print(f"cores: {os.cpu_count()}; corpus: {args.per_document} references per document, formats {', '.join(FORMATS)}")
    ours: list[Run] = []
    theirs: list[Run] = []
    for index, size in enumerate(sizes):
        corpus = build_corpus(work, size, args.per_document, args.seed)
        megabytes = sum(path.stat().st_size for path in corpus.rglob("*") if path.is_file()) / 1e6
        jobs = ["--jobs", str(args.jobs)] if args.jobs > 1 else []
        baseline_jobs = ["--jobs", str(args.baseline_jobs)] if args.baseline_jobs > 1 else []
        baseline_out = work / f"out-{size}-baseline"
        with_baseline = bool(args.baseline_src) and size <= args.baseline_max
        # Alternate which contender runs first per size: the first run of a size pays for a cold page
        # cache (the corpus just written or not read for a while), which biased wall toward the second.
        baseline_first = with_baseline and index % 2 == 1
        if baseline_first:
            base = audit_in_child("baseline", args.baseline_src, corpus, baseline_out, size, baseline_jobs)
        run = audit_in_child("this checkout", REPOSITORY / "src", corpus, work / f"out-{size}", size, jobs)
        ours.append(run)
        line = (
            f"{size:>9,} refs ({megabytes:6.1f} MB): this checkout {run.wall:7.1f} s  {run.rate:6.0f} refs/s  "
            f"cpu user {run.user:6.1f} s  sys {run.sys:5.1f} s  peak RSS {run.peak_mb:6.0f} MB  exit {run.exit_code}"
        )
        if with_baseline:
            if not baseline_first:
                base = audit_in_child("baseline", args.baseline_src, corpus, baseline_out, size, baseline_jobs)
            theirs.append(base)
            compared, differing = same_folders(run.out, base.out)
            order = "baseline ran first" if baseline_first else "this checkout ran first"
            line += (
                f"\n{'':>27}baseline      {base.wall:7.1f} s  {base.rate:6.0f} refs/s  "
                f"cpu user {base.user:6.1f} s  sys {base.sys:5.1f} s  peak RSS {base.peak_mb:6.0f} MB  "
                f"exit {base.exit_code}\n"
                f"{'':>27}ratio: wall ×{run.wall / base.wall:.2f}, user CPU ×{run.user / base.user:.2f}, "
                f"peak RSS ×{run.peak_mb / base.peak_mb:.2f}; reports: {compared} files compared, "
                f"{differing} differ ({order})"
            )
            shutil.rmtree(base.out, ignore_errors=True)
        print(line, flush=True)
        shutil.rmtree(run.out, ignore_errors=True)
    print("growth, this checkout:")
    print("\n".join(growth(ours)))
    if len(theirs) > 1:
        print("growth, baseline:")
        print("\n".join(growth(theirs)))


if __name__ == "__main__":
    main()
