"""Every reference line the readers hand the citation-line reader on real documents: fields counted, oddities flagged.

Run: ``python benchmarks/sweep_citation_lines.py [--baseline-src DIR] [--show 5] [--usr-share-doc /usr/share/doc]``

The lines are the ones the readers really pass to ``parse_citation_line``
(recorded while ``parse_document`` reads each document, with the markup hints
an HTML reader adds), from ``../shared/seeds`` (text), ``../shared/wikipedia-samples``
(wikitext, desktop and Parsoid HTML) and the Markdown and text files under
``/usr/share/doc``.  Nothing is copied into the repository: the lines are
written to a temporary file and each checkout parses them in a child process.

Printed: per source, how many lines fill each field; the suspicious readings
(a title that is only a date, a publisher or work holding an access-date or
archive phrase, an access phrase with no access date read, …) with a few
examples each; with ``--baseline-src``, the same for the other checkout, how
many lines' fields differ, and a sample of the differences to judge.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from diff_readers import shared_documents

ROOT = Path(__file__).resolve().parents[1]
FIELDS = ("title", "authors", "editors", "work", "publisher", "date", "access_date", "archive_date", "url", "format")
MAX_DOC_BYTES = 3_000_000

# Access-date and archive wordings of the languages the samples hold (what a field should never contain).
ACCESS_PHRASE_RE = re.compile(
    r"\b(?:retrieved|accessed|access date|consulté|abgerufen|consultado|consultato|geraadpleegd|cit\.|"
    r"dostupné|zugriff|visited|viewed)|تاريخ الوصول|اطلع عليه",
    re.I,
)
ARCHIVE_PHRASE_RE = re.compile(r"\b(?:archived|archivováno|archiviert|archivé|archivado)\b|مؤرشف", re.I)
YEAR_ONLY_RE = re.compile(r"^(?:c\.|ca\.|circa)?\s*\(?\d{4}[a-z]?\)?$", re.I)
DATEISH_RE = re.compile(r"\b(?:1[5-9]|20)\d\d\b")


def _documents(shared: Path, usr_share_doc: Path | None) -> Iterator[tuple[str, str, str]]:
    """(source, format, text) for every real document."""
    yield from shared_documents(shared, sample_label="wikipedia")
    if usr_share_doc is None or not usr_share_doc.is_dir():
        return
    for path in sorted(usr_share_doc.rglob("*")):
        fmt = {".md": "markdown", ".markdown": "markdown", ".txt": "text"}.get(path.suffix.lower())
        if fmt is None or not path.is_file() or path.stat().st_size > MAX_DOC_BYTES:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        yield f"doc:{path.relative_to(usr_share_doc)}", fmt, text


def collect(
    src: Path, shared: Path, usr_share_doc: Path | None, documents: list[tuple[str, str, str]] | None = None
) -> list[dict[str, Any]]:
    """Read every document (default: the real ones) with the readers of ``src``; record each (line, hints) parsed."""
    sys.path.insert(0, str(src.resolve()))
    import citecheck.references as references_package
    from citecheck.documents import parse_document
    from citecheck.references import citation_line

    recorded: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    source = ""
    original = citation_line.parse_citation_line

    def recording(text: str, hints: Any = None) -> Any:
        hints_dict = asdict(hints) if hints is not None else None
        key = (text, json.dumps(hints_dict, sort_keys=True))
        if key not in seen:
            seen.add(key)
            recorded.append({"source": source, "text": text, "hints": hints_dict})
        return original(text, hints)

    citation_line.parse_citation_line = recording  # type: ignore[assignment]
    references_package.parse_citation_line = recording  # type: ignore[attr-defined]
    try:
        for source, fmt, text in documents if documents is not None else _documents(shared, usr_share_doc):
            try:
                parse_document(text, source, fmt)  # type: ignore[arg-type]
            except Exception as error:  # a reader failing is another sweep's business
                print(f"# {source}: {type(error).__name__}: {error}", file=sys.stderr)
    finally:
        citation_line.parse_citation_line = original  # type: ignore[assignment]
        references_package.parse_citation_line = original  # type: ignore[attr-defined]
    return recorded


def collect_generated(src: Path, megabytes: float) -> list[dict[str, Any]]:
    """The lines the readers of ``src`` parse in bench_parse.py's generated corpus (seed 1, 60 references each)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import bench_parse

    corpus, _, _ = bench_parse.build_corpus(megabytes, 1, 60)
    documents = [(f"generated:{index}", fmt, text) for index, (fmt, text, _) in enumerate(corpus)]
    return collect(src, Path("/nonexistent"), None, documents)


def time_lines(src: Path, lines_path: Path, passes: int) -> None:
    """CPU seconds (process_time) of each pass of parse_citation_line over every line, caches cleared before each."""
    sys.path.insert(0, str(src.resolve()))
    import functools
    import gc
    import time

    from citecheck import dates
    from citecheck.references import citation_line

    items = [json.loads(line) for line in lines_path.read_text(encoding="utf-8").splitlines()]
    work = [(item["text"], citation_line.MarkupHints(**item["hints"]) if item["hints"] else None) for item in items]
    caches = [
        value
        for module in (dates, citation_line)
        for value in vars(module).values()
        if isinstance(value, functools._lru_cache_wrapper) and value.cache_info().maxsize  # the bounded caches
    ]
    parse = citation_line.parse_citation_line
    for text, hints in work[:200]:
        parse(text, hints)  # compile the lazy patterns: start-up is not what is measured
    timings = []
    for _ in range(passes):
        for cache in caches:
            cache.cache_clear()
        gc.collect()
        started = time.process_time()
        for text, hints in work:
            parse(text, hints)
        timings.append(time.process_time() - started)
    print(json.dumps({"lines": len(work), "cpu": timings}))


def serve(src: Path, lines_path: Path) -> None:
    """Parse every recorded line with the checkout at ``src``; print one JSON object of fields per line."""
    sys.path.insert(0, str(src.resolve()))
    from citecheck.references.citation_line import MarkupHints, parse_citation_line

    for line in lines_path.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        hints = MarkupHints(**item["hints"]) if item["hints"] else None
        fields = parse_citation_line(item["text"], hints)
        out = {name: getattr(fields, name) for name in FIELDS}
        for name in ("date", "access_date", "archive_date"):
            out[name] = out[name].iso() if out[name] is not None else None
        print(json.dumps(out, ensure_ascii=False), flush=True)


def suspicions(text: str, fields: dict[str, Any]) -> list[str]:
    """Names of the odd readings in one line's fields."""
    found = []
    title = fields["title"] or ""
    if title and YEAR_ONLY_RE.match(title):
        found.append("title is a year")
    for name in ("title", "work", "publisher"):
        value = fields[name] or ""
        if value and ACCESS_PHRASE_RE.search(value):
            found.append(f"{name} holds an access phrase")
        if value and ARCHIVE_PHRASE_RE.search(value):
            found.append(f"{name} holds an archive phrase")
    for name in ("work", "publisher"):
        value = fields[name] or ""
        if value and YEAR_ONLY_RE.match(value):
            found.append(f"{name} is a year")
        elif value and DATEISH_RE.search(value) and len(value) < 40:
            found.append(f"{name} holds a year")
    access = ACCESS_PHRASE_RE.search(text)
    if access and fields["access_date"] is None and DATEISH_RE.search(text, access.end()):
        found.append("access phrase, no access date")
    archive = ARCHIVE_PHRASE_RE.search(text)
    if archive and fields["archive_date"] is None and DATEISH_RE.search(text, archive.end()):
        found.append("archive phrase, no archive date")
    if DATEISH_RE.search(text) and not (fields["date"] or fields["access_date"] or fields["archive_date"]):
        found.append("year in text, no date read")
    if not title:
        found.append("no title")
    return found


def compare_speed(args: argparse.Namespace) -> None:
    """parse_citation_line's CPU time on the generated corpus's lines, this checkout against the baseline."""
    contenders = [("this checkout", ROOT / "src")] + ([("baseline", args.baseline_src)] if args.baseline_src else [])
    with tempfile.TemporaryDirectory(prefix="citecheck-lines-") as work:
        lines_path = Path(work) / "lines.jsonl"
        collector = args.collect_src or args.baseline_src or ROOT / "src"
        command = [sys.executable, __file__, "--collect", "x", "--src", str(collector)]
        command += ["--generated", str(args.time_generated)]
        with lines_path.open("w", encoding="utf-8") as out:
            subprocess.run(command, stdout=out, check=True)
        best: dict[str, float] = {}
        lines = 0
        for _ in range(args.rounds):
            for label, src in contenders:  # interleaved, each round a fresh child per checkout
                command = [sys.executable, __file__, "--time", "--src", str(src), "--lines", str(lines_path)]
                result = json.loads(subprocess.run(command, capture_output=True, text=True, check=True).stdout)
                lines = result["lines"]
                best[label] = min(best.get(label, float("inf")), *result["cpu"])
    for label, seconds in best.items():
        print(f"{label:14} {lines} lines: {seconds * 1e3:8.1f} ms CPU, {seconds / lines * 1e6:6.1f} µs/line (min)")
    if len(best) == 2:
        print(f"this checkout / baseline: {best['this checkout'] / best['baseline']:.3f}")


def _run_child(src: Path, lines_path: Path) -> list[dict[str, Any]]:
    command = [sys.executable, __file__, "--serve", "--src", str(src), "--lines", str(lines_path)]
    finished = subprocess.run(command, capture_output=True, text=True, check=True)
    return [json.loads(line) for line in finished.stdout.splitlines()]


def _report(label: str, lines: list[dict[str, Any]], parsed: list[dict[str, Any]], show: int) -> Counter[str]:
    by_source: dict[str, Counter[str]] = {}
    for line, fields in zip(lines, parsed, strict=True):
        kind = line["source"].split(":", 1)[0]
        counts = by_source.setdefault(kind, Counter())
        counts["lines"] += 1
        for name in FIELDS:
            counts[name] += bool(fields[name])
    print(f"\n## {label}: fields filled per source")
    print(f"{'source':10} {'lines':>6} " + " ".join(f"{name[:9]:>9}" for name in FIELDS))
    for kind, counts in sorted(by_source.items()):
        print(f"{kind:10} {counts['lines']:6} " + " ".join(f"{counts[name]:9}" for name in FIELDS))
    odd: Counter[str] = Counter()
    examples: dict[str, list[str]] = {}
    for line, fields in zip(lines, parsed, strict=True):
        for name in suspicions(line["text"], fields):
            odd[name] += 1
            examples.setdefault(name, []).append(line["text"][:160])
    print(f"## {label}: suspicious readings")
    for name, count in odd.most_common():
        print(f"  {count:5}  {name}")
        for example in examples[name][:show]:
            print(f"           | {example}")
    return odd


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baseline-src", type=Path, help="another checkout's src/, run on the same lines")
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--usr-share-doc", type=Path, default=Path("/usr/share/doc"))
    parser.add_argument("--show", type=int, default=3, help="examples printed per suspicion and in the diff")
    parser.add_argument("--collect-src", type=Path, help="whose readers record the lines (default: baseline's)")
    parser.add_argument(
        "--time-generated",
        type=float,
        metavar="MB",
        help="instead: time parse_citation_line (CPU, min of interleaved rounds) on the lines of a bench_parse corpus",
    )
    parser.add_argument("--rounds", type=int, default=5, help="with --time-generated: child processes per checkout")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--time", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--generated", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--src", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--lines", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--collect", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.src, args.lines)
        return
    if args.time:
        time_lines(args.src, args.lines, 3)
        return
    if args.collect:
        found = (
            collect_generated(args.src, args.generated)
            if args.generated
            else collect(args.src, args.shared, args.usr_share_doc)
        )
        for item in found:
            print(json.dumps(item, ensure_ascii=False))
        return
    if args.time_generated:
        compare_speed(args)
        return
    # The lines are recorded once, by one checkout's readers, so both parsers see exactly the same lines.
    collector = args.collect_src or args.baseline_src or ROOT / "src"
    with tempfile.TemporaryDirectory(prefix="citecheck-lines-") as work:
        lines_path = Path(work) / "lines.jsonl"
        command = [sys.executable, __file__, "--collect", "x", "--src", str(collector), "--shared", str(args.shared)]
        command += ["--usr-share-doc", str(args.usr_share_doc)]
        with lines_path.open("w", encoding="utf-8") as out:
            subprocess.run(command, stdout=out, check=True)
        lines = [json.loads(line) for line in lines_path.read_text(encoding="utf-8").splitlines()]
        print(f"{len(lines)} distinct lines recorded by {collector}'s readers")
        mine = _run_child(ROOT / "src", lines_path)
        odd_mine = _report("this checkout", lines, mine, args.show)
        if args.baseline_src is None:
            return
        theirs = _run_child(args.baseline_src, lines_path)
        odd_theirs = _report("baseline", lines, theirs, args.show)
    print("\n## suspicious readings, baseline → this checkout")
    for name in sorted(set(odd_mine) | set(odd_theirs), key=lambda name: -odd_theirs[name]):
        print(f"  {odd_theirs[name]:5} → {odd_mine[name]:5}  {name}")
    changed: Counter[str] = Counter()
    differing = []
    for line, ours, base in zip(lines, mine, theirs, strict=True):
        names = [name for name in FIELDS if ours[name] != base[name]]
        for name in names:
            changed[name] += 1
        if names:
            differing.append((line, names, ours, base))
    print(
        f"\n{len(differing)} of {len(lines)} lines read differently; per field: "
        + ", ".join(f"{name} {count}" for name, count in changed.most_common())
    )
    for line, names, ours, base in differing[: args.show * 10]:
        print(f"  | {line['source']}: {line['text'][:200]}")
        for name in names:
            print(f"      {name}: {base[name]!r} → {ours[name]!r}")


if __name__ == "__main__":
    main()
