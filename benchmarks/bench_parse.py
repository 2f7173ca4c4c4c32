"""Parse benchmark: accuracy of the parsed fields, then MB/s per format against floors and the previous readers.

Run: ``python benchmarks/bench_parse.py [--megabytes 10] [--seed 1] [--repeat 5] [--baseline-src DIR]
[--formats text,markdown,html]`` (``--formats``: time only these; accuracy is always scored for all four)

The corpus is generated (no data files; :mod:`generated_documents`): wiki-mirror
plain text, Markdown blog posts, wikitext articles and whole MediaWiki HTML
pages with the markup density of real ones (links, templates, tables,
comments, named, reused and list-defined references, navigation, scripts and
styles), CS1-style citations, archive links, dead-link marks and in-text
markers, each with the fields the generator wrote.  Its markup per KB is
printed beside the real documents' (``../shared``; for Markdown the
repository's own), so a plainer corpus cannot flatter the readers unnoticed.

1. **Accuracy first**: every document is parsed once through
   ``citecheck.documents.parse_document`` and its fields compared with the
   generator's (share of references whose field is right, and uses: markers
   per reference, exact).
2. **Speed**: each contender runs in a child process of its own that builds
   the same corpus (its digest is compared), warms up, then times one parsing
   pass over a format's documents each time the parent asks.  Passes are
   interleaved — format by format, contender by contender, the order turned
   each round — and the fastest of ``--repeat`` counts (wall clock: the
   machine is shared, the fastest pass is the one least disturbed).
   Contenders: this checkout's readers; with ``--baseline-src`` the readers of
   another checkout (a git worktree of main: ``git worktree add /tmp/main
   main`` then ``--baseline-src /tmp/main/src``), timed on the same corpus in
   the same run; and per format the floors a reader cannot go below, each
   timed over many repetitions (at least ``--floor-seconds`` per window):
   the line split + numbered-entry regex every parser pays, and the
   third-party parser the reader is built on (markdown-it with the reader's
   plugins, mwparserfromhell's C tokenizer and its full tree, lxml's HTML
   parser).  The real documents in ``../shared`` (``--samples``: the
   wikitext and HTML Wikipedia samples, the plain-text seeds) are timed the
   same way, each contender on the same files.
3. Claims and offline checks once, for scale; peak traced memory.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from citecheck.models import ParsedDocument

REPOSITORY = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from generated_documents import (  # noqa: E402 - the benchmarks folder is not a package
    FORMATS,
    GENERATORS,
    Truth,
    density_line,
    markup_density,
)

_NUMBERED_RE = re.compile(r"^\s*\d+\.\s")
_CHECKED = ("title", "work", "date", "authors", "url", "archive_url", "access_date", "archive_date", "dead", "uses")
_DEAD = {"dead-link", "permanent-dead-link", "url-status-dead"}
Corpus = list[tuple[str, str, list[Truth]]]


def build_corpus(megabytes: float, seed: int, references_per_document: int) -> tuple[Corpus, int, str]:
    """The documents (format, text, truths), their size in bytes and a digest every contender must match."""
    rng = random.Random(seed)
    target = int(megabytes * 1024 * 1024)
    corpus: Corpus = []
    size = 0
    digest = hashlib.sha256()
    while size < target:
        fmt = FORMATS[len(corpus) % len(FORMATS)]
        text, truths = GENERATORS[fmt](rng, references_per_document)
        corpus.append((fmt, text, truths))
        size += len(text.encode("utf-8"))
        digest.update(text.encode("utf-8"))
    return corpus, size, digest.hexdigest()[:16]


def baseline_scan(text: str) -> int:
    """The floor: split lines and count numbered entries (what any parser must at least do)."""
    return sum(1 for line in text.splitlines() if _NUMBERED_RE.match(line))


def check_fields(document: ParsedDocument, truths: list[Truth], tally: dict[str, list[int]]) -> None:
    """Compare the parsed fields with what the generator wrote (reference ``n`` is the ``n``-th written)."""
    references = [reference for reference in document.references if reference.kind != "link"]
    by_id = {reference.id: reference for reference in references}
    for number, truth in enumerate(truths, start=1):
        reference = by_id.get(str(number))
        if reference is None:
            continue
        read: dict[str, object] = {
            "title": reference.title,
            "work": reference.work,
            "date": reference.date.iso() if reference.date else None,
            "authors": reference.authors,
            "url": reference.url,
            "archive_url": reference.archive_url,
            "access_date": reference.access_date.iso() if reference.access_date else None,
            "archive_date": reference.archive_date.iso() if reference.archive_date else None,
            "dead": bool(_DEAD & {str(flag) for flag in reference.source_flags}),
            "uses": reference.uses,
        }
        for name in _CHECKED:
            if name in truth:
                tally[name][1] += 1
                tally[name][0] += read[name] == truth[name]
    tally["references"][1] += len(truths)
    tally["references"][0] += len(truths) - abs(len(truths) - len(references))


def accuracy(corpus: Corpus) -> dict[str, dict[str, list[int]]]:
    from citecheck.documents import parse_document

    tallies: dict[str, dict[str, list[int]]] = {}
    for fmt in FORMATS:
        tally: dict[str, list[int]] = {name: [0, 0] for name in ("references", *_CHECKED)}
        for index, (doc_fmt, text, truths) in enumerate(corpus):
            if doc_fmt == fmt:
                check_fields(parse_document(text, f"doc{index}", fmt), truths, tally)  # type: ignore[arg-type]
        tallies[fmt] = tally
    return tallies


# --------------------------------------------------------------------------- timed passes (in a child)


def _timed(run: Callable[[], object], floor_seconds: float) -> float:
    """Seconds for one ``run``: a single call when it is long, else the mean over a window of ≥ floor_seconds."""
    started = time.perf_counter()
    run()
    elapsed = time.perf_counter() - started
    if elapsed >= floor_seconds:
        return elapsed
    loops = max(2, int(floor_seconds / max(elapsed, 1e-6)))
    started = time.perf_counter()
    for _ in range(loops):
        run()
    return (time.perf_counter() - started) / loops


def real_documents(shared: Path) -> dict[str, list[str]]:
    """The real documents under ``shared`` by format: Wikipedia wikitext and HTML samples, plain-text seeds."""
    found: dict[str, list[str]] = {}
    samples = shared / "wikipedia-samples"
    for path in sorted(samples.glob("*.wikitext.txt")) if samples.is_dir() else []:
        found.setdefault("wikitext", []).append(path.read_text(encoding="utf-8"))
    for path in sorted(samples.glob("*.html")) if samples.is_dir() else []:
        found.setdefault("html", []).append(path.read_text(encoding="utf-8"))
    seeds = shared / "seeds"
    for path in sorted(seeds.glob("*.txt")) if seeds.is_dir() else []:
        found.setdefault("text", []).append(path.read_text(encoding="utf-8"))
    return found


def markdown_files(root: Path) -> list[tuple[Path, str]]:
    """Every readable ``.md`` file under ``root`` (e.g. /usr/share/doc: Node.js API docs, pip, ...), sorted, with text.

    Real Markdown nobody here wrote, for measuring the Markdown reader's speed and identity beside the
    generator's documents.  Files that are not UTF-8 are left out (the reader takes text, not bytes).
    """
    found = []
    for path in sorted(root.rglob("*.md")):
        try:
            if path.is_file():
                found.append((path, path.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError):
            continue
    return found


def _passes(corpus: Corpus, with_floors: bool, real: dict[str, list[str]]) -> dict[str, Callable[[], object]]:
    """What a child can time: one reader pass per format, the real documents, and (this checkout) the floors."""
    from citecheck.documents import parse_document

    passes: dict[str, Callable[[], object]] = {}
    for fmt, texts in real.items():

        def parse_real(docs: list[str] = texts, doc_format: str = fmt) -> None:
            for index, text in enumerate(docs):
                parse_document(text, f"real{index}", doc_format)  # type: ignore[arg-type]

        passes[f"real:{fmt}"] = parse_real
    by_format = {fmt: [(index, text) for index, (f, text, _) in enumerate(corpus) if f == fmt] for fmt in FORMATS}
    for fmt, documents in by_format.items():

        def parse_all(docs: list[tuple[int, str]] = documents, doc_format: str = fmt) -> None:
            for index, text in docs:
                parse_document(text, f"doc{index}", doc_format)  # type: ignore[arg-type]

        passes[f"read:{fmt}"] = parse_all
        passes[f"split:{fmt}"] = lambda docs=documents: [baseline_scan(text) for _, text in docs]
    if with_floors:
        import mwparserfromhell
        from lxml import etree

        from citecheck.documents.markdown import _PARSER as markdown_parser

        tokenizer = mwparserfromhell.parser.Parser()._tokenizer
        html_parser = etree.HTMLParser(recover=True, remove_comments=True, remove_pis=True, huge_tree=True)
        passes["floor:markdown"] = lambda: [markdown_parser.parse(t, {}) for _, t in by_format["markdown"]]
        passes["floor:wikitext"] = lambda: [tokenizer.tokenize(t, 0, False) for _, t in by_format["wikitext"]]
        passes["tree:wikitext"] = lambda: [mwparserfromhell.parse(t) for _, t in by_format["wikitext"]]
        passes["floor:html"] = lambda: [etree.fromstring(t.encode(), html_parser) for _, t in by_format["html"]]
    return passes


def serve(args: argparse.Namespace) -> None:
    """Child: build the corpus, report its digest and accuracy, then time passes on request (one JSON per line)."""
    sys.path.insert(0, str(Path(args.src).resolve()))
    import citecheck

    corpus, size, digest = build_corpus(args.megabytes, args.seed, args.references_per_document)
    passes = _passes(corpus, with_floors=args.floors, real=real_documents(Path(args.samples)))
    for run in passes.values():  # warm-up: imports, regex compilation, caches of compiled patterns
        run()
    ready = {"digest": digest, "size": size, "module": citecheck.__file__, "accuracy": accuracy(corpus)}
    print(json.dumps(ready), flush=True)
    for line in sys.stdin:
        name = line.strip()
        if not name:
            break
        print(json.dumps({"name": name, "seconds": _timed(passes[name], args.floor_seconds)}), flush=True)


class _Child:
    def __init__(self, label: str, src: Path, args: argparse.Namespace, floors: bool) -> None:
        self.label = label
        command = [sys.executable, __file__, "--serve", "--src", str(src), "--megabytes", str(args.megabytes)]
        command += ["--seed", str(args.seed), "--references-per-document", str(args.references_per_document)]
        command += ["--floor-seconds", str(args.floor_seconds), "--samples", str(args.samples)]
        command += ["--floors"] if floors else []
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        self.ready: dict[str, Any] = json.loads(self.process.stdout.readline())

    def time(self, name: str) -> float:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(name + "\n")
        self.process.stdin.flush()
        return float(json.loads(self.process.stdout.readline())["seconds"])

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait(timeout=60)


def print_density(corpus: Corpus, samples: Path) -> None:
    """The generated corpus's markup per KB beside the real documents' (so the corpus cannot be plainer)."""
    real = real_documents(samples)
    labels = {fmt: f"real ({len(texts)} files in {samples.name})" for fmt, texts in real.items()}
    # No real Markdown in ../shared: the repository's own (README, docs) is real Markdown written by people.
    own = [
        REPOSITORY / "README.md",
        REPOSITORY / "benchmarks" / "README.md",
        *sorted((REPOSITORY / "docs").glob("*.md")),
    ]
    real["markdown"] = [path.read_text(encoding="utf-8") for path in own if path.is_file()]
    labels["markdown"] = f"this repository's {len(real['markdown'])} Markdown files"
    print("markup density (occurrences per KB; generated / real, ×ratio; the generated corpus cites ~3× more per KB):")
    for fmt in FORMATS:
        generated = markup_density(fmt, (text for doc_fmt, text, _ in corpus if doc_fmt == fmt))
        others = real.get(fmt)
        print(
            "  "
            + density_line(fmt, generated, markup_density(fmt, others) if others else None, labels.get(fmt, "real"))
        )


def _accuracy_table(label: str, tallies: dict[str, dict[str, list[int]]]) -> None:
    print(f"\naccuracy ({label}): share of references whose field matches the generator")
    print(f"{'format':<10} " + " ".join(f"{name:>12}" for name in ("references", *_CHECKED)))
    for fmt, tally in tallies.items():
        cells = [f"{good / total:>12.3f}" if total else f"{'—':>12}" for good, total in tally.values()]
        print(f"{fmt:<10} " + " ".join(cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=10.0, help="corpus size per run (default 10)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--references-per-document", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=5, help="timed passes per format and contender (fastest counts)")
    parser.add_argument("--baseline-src", type=Path, help="another checkout's src/ (e.g. a worktree of main)")
    parser.add_argument(
        "--formats", default=",".join(FORMATS), help="formats to time, comma-separated (default: all four)"
    )
    parser.add_argument("--floor-seconds", type=float, default=0.5, help="shortest window a floor is timed over")
    parser.add_argument(
        "--samples", type=Path, default=REPOSITORY.parent / "shared", help="real documents (default ../shared)"
    )
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--floors", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--src", default=str(REPOSITORY / "src"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    timed = tuple(fmt for fmt in FORMATS if fmt in args.formats.split(","))
    if not timed:
        parser.error(f"--formats: none of {', '.join(FORMATS)}")
    if args.serve:
        serve(args)
        return

    cores = os.cpu_count()
    load = os.getloadavg()
    print(
        f"machine: {cores} cores, load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (1/5/15 min); "
        "the machine is shared (other engineers run tests): wall-clock figures are the fastest of "
        f"{args.repeat} interleaved passes"
    )
    current = _Child("this checkout", REPOSITORY / "src", args, floors=True)
    children = [current]
    if args.baseline_src is not None:
        children.append(_Child("baseline", args.baseline_src, args, floors=False))
    for child in children:
        if child.ready["digest"] != current.ready["digest"]:
            raise SystemExit(f"{child.label} built a different corpus ({child.ready['digest']})")
        print(f"{child.label}: {child.ready['module']}")
    size = current.ready["size"]
    corpus, _, _ = build_corpus(args.megabytes, args.seed, args.references_per_document)
    counts = {fmt: sum(1 for f, _, _ in corpus if f == fmt) for fmt in FORMATS}
    refs = {fmt: sum(len(truths) for f, _, truths in corpus if f == fmt) for fmt in FORMATS}
    nbytes = {fmt: sum(len(text.encode("utf-8")) for f, text, _ in corpus if f == fmt) for fmt in FORMATS}
    print(
        f"corpus: {len(corpus)} documents, {size / 1048576:.1f} MB, {sum(refs.values()):,} references "
        f"(digest {current.ready['digest']})"
    )
    print_density(corpus, args.samples)
    for child in children:
        _accuracy_table(child.label, child.ready["accuracy"])

    # Interleaved timing: round by round, format by format, every contender, the order turned each round.
    best: dict[tuple[str, str], float] = {}
    jobs: list[tuple[_Child, str]] = []
    for fmt in timed:
        jobs += [(child, f"read:{fmt}") for child in children]
        jobs.append((current, f"split:{fmt}"))
        if fmt != "text":
            jobs.append((current, f"floor:{fmt}"))
    if "wikitext" in timed:
        jobs.append((current, "tree:wikitext"))
    real = {fmt: texts for fmt, texts in real_documents(args.samples).items() if fmt in timed}
    for fmt in real:
        jobs += [(child, f"real:{fmt}") for child in children]
    for round_number in range(args.repeat):
        ordered = jobs if round_number % 2 == 0 else jobs[::-1]
        for child, name in ordered:
            seconds = child.time(name)
            key = (child.label, name)
            best[key] = min(best.get(key, float("inf")), seconds)
    for child in children:
        child.close()

    def rate(label: str, name: str, fmt: str) -> float:
        return nbytes[fmt] / 1048576 / best[(label, name)]

    header = f"\n{'format':<10} {'docs':>5} {'refs/s':>8} {'MB/s':>7}"
    if len(children) > 1:
        header += f" {'baseline':>9} {'speed-up':>9}"
    print(header + f" {'floor: split':>13} {'floor: parser':>14}   (parse only, MB/s; floor: the library alone)")
    floors = {"markdown": "markdown-it", "wikitext": "mwparserfromhell tokenizer", "html": "lxml"}
    for fmt in timed:
        mbs = rate("this checkout", f"read:{fmt}", fmt)
        line = f"{fmt:<10} {counts[fmt]:>5} {refs[fmt] / best[('this checkout', f'read:{fmt}')]:>8,.0f} {mbs:>7.2f}"
        if len(children) > 1:
            base = rate("baseline", f"read:{fmt}", fmt)
            line += f" {base:>9.2f} {mbs / base:>8.2f}×"
        line += f" {rate('this checkout', f'split:{fmt}', fmt):>13.0f}"
        if fmt in floors:
            line += f" {rate('this checkout', f'floor:{fmt}', fmt):>14.1f}   ({floors[fmt]})"
        print(line)
    total = sum(best[("this checkout", f"read:{fmt}")] for fmt in timed)
    timed_size = sum(nbytes[fmt] for fmt in timed) / 1048576
    timed_refs = sum(refs[fmt] for fmt in timed)
    label = "all" if len(timed) == len(FORMATS) else "these"
    line = f"{label:<10} {sum(counts[fmt] for fmt in timed):>5} {timed_refs / total:>8,.0f} {timed_size / total:>7.2f}"
    if len(children) > 1:
        base_total = sum(best[("baseline", f"read:{fmt}")] for fmt in timed)
        line += f" {timed_size / base_total:>9.2f} {base_total / total:>8.2f}×"
    print(line)
    if real:
        print("\nreal documents (parse only, MB/s, fastest of the same interleaved passes):")
        for fmt, texts in real.items():
            real_bytes = sum(len(text.encode("utf-8")) for text in texts)
            mbs = real_bytes / 1048576 / best[("this checkout", f"real:{fmt}")]
            line = f"{fmt:<10} {len(texts):>3} files {real_bytes / 1048576:>5.2f} MB {mbs:>7.2f}"
            if len(children) > 1:
                base = real_bytes / 1048576 / best[("baseline", f"real:{fmt}")]
                line += f"   baseline {base:>6.2f}   speed-up {mbs / base:.2f}×"
            print(line)
    if "wikitext" in timed:
        tree = rate("this checkout", "tree:wikitext", "wikitext")
        print(f"mwparserfromhell's full tree (mwparserfromhell.parse) alone: {tree:.2f} MB/s on the wikitext documents")
    load = os.getloadavg()
    print(f"load average at the end: {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}")

    # The stages after parsing, once, for scale (claims and offline checks have budgets of their own).
    import tracemalloc

    from citecheck.checks.offline import CheckContext, run_offline_checks
    from citecheck.claims.build import build_claims
    from citecheck.documents import parse_document

    started = time.perf_counter()
    claims = findings = 0
    for index, (fmt, text, _) in enumerate(corpus):
        document = parse_document(text, f"doc{index}", fmt)  # type: ignore[arg-type]
        claim_set = build_claims(document)
        found = run_offline_checks(CheckContext(document=document, claims=claim_set, today=date(2026, 1, 1)))
        claims += len(claim_set.claims)
        findings += len(found)
    pipeline = time.perf_counter() - started
    print(
        f"parse + claims + offline checks (this checkout, once): {size / 1048576 / pipeline:.2f} MB/s "
        f"({claims:,} claims, {findings:,} findings)"
    )
    # Memory in a separate pass: tracemalloc slows Python down several times.
    tracemalloc.start()
    for index, (fmt, text, _) in enumerate(corpus[:40]):
        parse_document(text, f"doc{index}", fmt)  # type: ignore[arg-type]
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"peak traced memory while parsing 40 documents one at a time: {peak / 1048576:.1f} MB")


if __name__ == "__main__":
    main()
