"""CPU-time A/B of two checkouts' readers on one format of the bench_parse corpus.

Run: ``python benchmarks/ab_readers.py --baseline-src DIR --format html [--megabytes 10] [--passes 6]
[--real ../shared] [--real-markdown /usr/share/doc]``

With ``--real DIR`` the documents are the real ones under DIR (``bench_parse.real_documents``: the
Wikipedia wikitext and HTML samples, the plain-text seeds) of that format instead of the generated corpus.
With ``--real-markdown DIR`` (implies ``--format markdown``) they are every ``.md`` file under DIR
(``bench_parse.markdown_files``; /usr/share/doc holds ~190 real ones).

Each checkout parses the same generated documents (``bench_parse.build_corpus``) in a persistent child
process; passes alternate between the two (the order turned each round), and each pass is timed in CPU
time (``time.process_time``), which other processes' load disturbs less than wall clock does on a shared
machine.  Prints the fastest and the median pass of each and their ratio.  A development aid beside
``bench_parse.py`` (whose wall-clock figures are the ones reported), not a replacement for it.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]


def bench_parse_markdown_files(root: Path) -> list[tuple[Path, str]]:
    sys.path.insert(0, str(REPOSITORY / "benchmarks"))
    import bench_parse

    return bench_parse.markdown_files(root)


_CHILD = r"""
import sys, time
sys.path.insert(0, sys.argv[1])
sys.path.insert(0, sys.argv[4])
import bench_parse
from citecheck.documents import parse_document
fmt = sys.argv[2]
if sys.argv[6]:
    from pathlib import Path
    documents = [text for _, text in bench_parse.markdown_files(Path(sys.argv[6]))]
elif sys.argv[5]:
    from pathlib import Path
    documents = bench_parse.real_documents(Path(sys.argv[5])).get(fmt, [])
else:
    corpus, _, _ = bench_parse.build_corpus(float(sys.argv[3]), 1, 60)
    documents = [text for doc_fmt, text, _ in corpus if doc_fmt == fmt]
if not documents:
    raise SystemExit(f"no {fmt} documents")
for text in documents:
    parse_document(text, "doc", fmt)
direct = ""
if fmt == "wikitext":
    try:
        from citecheck.documents.wikitext_tree import _TOKENIZER, build_tree
    except ImportError:  # a checkout without the direct tree builder
        pass
    else:
        built = sum(build_tree(_TOKENIZER.tokenize(text, 0, False))[1] for text in documents)
        direct = f"{built} of {len(documents)}"
print(sum(len(text.encode()) for text in documents), direct, flush=True)
for _ in sys.stdin:
    started = time.process_time()
    for text in documents:
        parse_document(text, "doc", fmt)
    print(time.process_time() - started, flush=True)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline-src", type=Path, required=True)
    parser.add_argument("--format", default="html", choices=("text", "markdown", "wikitext", "html"))
    parser.add_argument("--megabytes", type=float, default=10.0, help="whole corpus size (all four formats)")
    parser.add_argument("--passes", type=int, default=6)
    parser.add_argument("--real", type=Path, help="read the real documents under this directory (e.g. ../shared)")
    parser.add_argument(
        "--real-markdown", type=Path, help="read every .md file under this directory (e.g. /usr/share/doc) as markdown"
    )
    args = parser.parse_args()
    if args.real_markdown is not None:
        args.format = "markdown"
    benchmarks = str(REPOSITORY / "benchmarks")
    real = str(args.real.resolve()) if args.real is not None else ""
    real_markdown = str(args.real_markdown.resolve()) if args.real_markdown is not None else ""
    children = {
        label: subprocess.Popen(
            [sys.executable, "-c", _CHILD, str(src), args.format, str(args.megabytes), benchmarks, real, real_markdown],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for label, src in (("this checkout", REPOSITORY / "src"), ("baseline", args.baseline_src))
    }
    first_lines = {label: child.stdout.readline().split(maxsplit=1) for label, child in children.items()}  # type: ignore[union-attr]
    sizes = {label: int(words[0]) for label, words in first_lines.items()}
    seconds: dict[str, list[float]] = {label: [] for label in children}
    order = list(children)
    for number in range(args.passes):
        for label in order if number % 2 == 0 else order[::-1]:
            child = children[label]
            assert child.stdin is not None and child.stdout is not None
            child.stdin.write("go\n")
            child.stdin.flush()
            seconds[label].append(float(child.stdout.readline()))
    for child in children.values():
        assert child.stdin is not None
        child.stdin.close()
        child.wait()
    megabytes = sizes["this checkout"] / 1048576
    what = f"real documents under {args.real}" if args.real is not None else "generated corpus"
    if args.real_markdown is not None:
        what = f"{len(bench_parse_markdown_files(args.real_markdown))} .md files under {args.real_markdown}"
    print(f"{what}: {megabytes:.3f} MB of {args.format}")
    for label, words in first_lines.items():
        if len(words) > 1:
            # (the rest: wikitext documents whose tree mwparserfromhell's own builder made, the direct one refusing)
            print(f"{label}: {words[1].strip()} documents' trees made by the direct builder")
    fastest = {label: min(values) for label, values in seconds.items()}
    median = {label: sorted(values)[len(values) // 2] for label, values in seconds.items()}
    for label in children:
        print(
            f"{label:<14} {args.format}: {megabytes:.2f} MB, fastest {fastest[label]:.3f} s CPU "
            f"({megabytes / fastest[label]:.2f} MB/s), median {median[label]:.3f} s"
        )
    print(
        f"speed-up: {fastest['baseline'] / fastest['this checkout']:.2f}× fastest, "
        f"{median['baseline'] / median['this checkout']:.2f}× median ({args.passes} passes each, alternated)"
    )


if __name__ == "__main__":
    main()
