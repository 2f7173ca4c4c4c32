"""Differential run: this checkout's readers against another checkout's, on the same inputs, output compared.

Run: ``python benchmarks/diff_readers.py --baseline-src /work/base/src [--megabytes 4] [--mutations 3]``

Each checkout runs in a child process of its own (``--serve``) that builds the same
inputs and prints, per input, a digest of ``parse_document(...).model_dump_json()``
(or the exception's type and message); the parent compares them one by one and
names every input whose output differs.  The inputs:

* the real documents: ``../shared/seeds`` (text), ``../shared/wikipedia-samples``
  (wikitext, HTML), the repository's ``citations/`` (each by its extension);
* the ``bench_parse.py`` generated corpus (text, Markdown, wikitext, HTML);
* generated Markdown and blog HTML (``tests/blog_corpus.py``);
* every one of those read as every other format too (a Markdown reader meeting
  HTML, wikitext or plain text);
* ``--mutations`` mutated copies of each (seeded: lines dropped, duplicated or
  swapped, Markdown/HTML/citation punctuation inserted, indentation, tabs and
  blank lines changed, truncated mid-line), each read as its own format and as
  Markdown.

Exit status 1 when any output differs.  Nothing here is timed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
FORMATS = ("text", "markdown", "wikitext", "html")
_EXTENSIONS = {".txt": "text", ".md": "markdown", ".wiki": "wikitext", ".html": "html"}
# What mutations insert: the characters and line starts that change how the readers (and markdown-it) read a line.
_INSERTS = (
    "*",
    "_",
    "`",
    "<",
    ">",
    "&",
    "\\",
    "[",
    "]",
    "!",
    "~",
    "|",
    "^",
    "{",
    "}",
    "$",
    "#",
    "(",
    ")",
    '"',
    "“",
    "[^1]",
    "[^9]",
    "[^x]: note",
    "[a](http://x.org)",
    "<b>",
    "</p>",
    "&amp;",
    "  ",
    "\t",
    "    ",
    "\u00a0",
    "\u200b",
    "1. ",
    "- ",
    "+ ",
    "* ",
    "> ",
    "# ",
    "---",
    "===",
    "```",
    "~~~",
    "| a | b |",
    "[1]",
    "[dead link]",
    "Retrieved 3 May 2014.",
    "Archived from the original on 4 May 2014.",
    "(PDF)",
    "https://example.org/a",
    "https://web.archive.org/web/2014/http://example.org/",
    "doi:10.1000/x1",
    "\n",
    "\n\n",
    "\r\n",
    "[^1]:",
    '[label]: http://example.org/x "T"',
    "<https://example.org>",
    "^[inline]",
    "\\[^1]",
    "[^1][^2]",
)


def shared_documents(shared: Path, sample_label: str = "sample") -> Iterator[tuple[str, str, str]]:
    """(label, format, text) for every real Wikipedia sample and seed under ``shared`` (none when absent)."""
    samples = shared / "wikipedia-samples"
    for path in sorted(samples.glob("*")) if samples.is_dir() else []:
        if path.name.endswith(".wikitext.txt"):
            yield f"{sample_label}:{path.name}", "wikitext", path.read_text(encoding="utf-8")
        elif path.suffix == ".html":
            yield f"{sample_label}:{path.name}", "html", path.read_text(encoding="utf-8")
    seeds = shared / "seeds"
    for path in sorted(seeds.glob("*.txt")) if seeds.is_dir() else []:
        yield f"seed:{path.name}", "text", path.read_text(encoding="utf-8")


def _real_inputs(shared: Path) -> Iterator[tuple[str, str, str]]:
    yield from shared_documents(shared)
    for path in sorted((REPOSITORY / "citations").glob("*")):
        if path.suffix in _EXTENSIONS:
            yield f"citations:{path.name}", _EXTENSIONS[path.suffix], path.read_text(encoding="utf-8")


def _real_markdown_inputs(root: Path) -> Iterator[tuple[str, str, str]]:
    """Every .md file under ``root`` (``--real-markdown``, e.g. /usr/share/doc), read as markdown."""
    sys.path.insert(0, str(REPOSITORY / "benchmarks"))
    import bench_parse

    for path, text in bench_parse.markdown_files(root):
        yield f"realmd:{path.relative_to(root)}", "markdown", text


_EDGE_CITATIONS = (
    'Smith, Carol (3 May 1985). "Old". The Daily Example. Retrieved 3 May 1985.',
    '"Ahead". Example Wire. 2 May 2014. Archived from the original on 4 May 2099. Retrieved 1 January 2100.',
    '"Season". Foreign Policy. Spring 1985. Retrieved Spring 1989. https://[::g]/bad',
    '"Stamp". https://web.archive.org/web/99991231235959/http://example.org/a Retrieved 3 May 2014.',
    '"Month". http://x.com:abc/ Archived from the original on December 1989. Retrieved February 2024.',
)


def _edge_inputs() -> Iterator[tuple[str, str, str]]:
    """Citations with implausible web dates, out-of-range timestamps and unusable URLs (the data checks)."""
    numbered = "\n\n".join(f"  {number}. {line}" for number, line in enumerate(_EDGE_CITATIONS, start=1))
    body = "Edge cases\n\nA claim cites them [1] [2] [3] [4] [5].\n\nReferences\n\n"
    yield "edge:text", "text", body + numbered + "\n"
    notes = "\n".join(f"[^{number}]: {line}" for number, line in enumerate(_EDGE_CITATIONS, start=1))
    yield "edge:markdown", "markdown", "# Edge\n\nA claim [^1] [^2] [^3] [^4] [^5].\n\n" + notes + "\n"


def _generated_inputs(megabytes: float) -> Iterator[tuple[str, str, str]]:
    sys.path.insert(0, str(REPOSITORY / "benchmarks"))
    sys.path.insert(0, str(REPOSITORY))
    import bench_parse
    from tests.blog_corpus import blog_sample, markdown_sample

    corpus, _, _ = bench_parse.build_corpus(megabytes, 1, 60)
    for index, (fmt, text, _) in enumerate(corpus):
        yield f"bench:{index}", fmt, text
    for seed in range(6):
        yield f"blog-markdown:{seed}", "markdown", markdown_sample(seed).text
        yield f"blog-html:{seed}", "html", blog_sample(seed).text


# Inserts that leave a document without markup, or nearly: the small edits a reader's shortcut for
# markup-free text would have to get right.
_PLAIN_INSERTS = (
    "[^1]",
    "[^2]",
    "[^3]",
    "[^99]",
    "[^a-b]",
    "[^1][^2]",
    " [^2]",
    "[^2] ",
    "\n[^7]: A note. 3 May 2014.",
    "\n[^1]: Defined again.",
    "[^4]:",
    "[^4]:  two spaces",
    "[^4]:x",
    "[^4]: # heading",
    "[^4]: 1. item",
    "\n# Heading",
    "\n## Heading [^2]",
    "\n###### Six",
    "\n####### Seven",
    "#",
    "# ",
    "\n",
    "\n\n",
    "  ",
    " ",
    "1. ",
    "2) ",
    "12. ",
    "-",
    "- ",
    "+",
    "=",
    "===",
    "\n===\n",
    "\n---\n",
    "a:b",
    "(x)",
    "“q”",
    '"q"',
    ":",
    ".",
    "\u00a0",
    "^",
    "[",
    "]",
    "](",
    "[^1](x)",
    "[^ 1]",
    "[^]",
    "%",
    "@",
    "{",
    "}",
    "$",
    "'",
    "\u2028",
    "\x0c",
)


def _mutate_plain(text: str, rng: random.Random) -> str:
    lines = text.split("\n")
    for _ in range(rng.randint(1, 6)):
        index = rng.randrange(len(lines))
        line = lines[index]
        action = rng.randrange(4)
        if action == 0 and len(lines) > 1:
            del lines[index]
        elif action == 1:
            lines.insert(index, rng.choice(("", line, "A plain line [^1].", "[^5]: Five. 2014.")))
        else:
            at = rng.randint(0, len(line))
            lines[index] = line[:at] + rng.choice(_PLAIN_INSERTS) + line[at:]
    return "\n".join(lines)


def _mutate(text: str, rng: random.Random) -> str:
    lines = text.split("\n")
    for _ in range(rng.randint(1, 12)):
        if not lines:
            break
        index = rng.randrange(len(lines))
        action = rng.randrange(8)
        line = lines[index]
        if action == 0:
            del lines[index]
        elif action == 1:
            lines.insert(index, line)
        elif action == 2:
            other = rng.randrange(len(lines))
            lines[index], lines[other] = lines[other], line
        elif action in (3, 4):
            at = rng.randint(0, len(line))
            lines[index] = line[:at] + rng.choice(_INSERTS) + line[at:]
        elif action == 5:
            lines[index] = rng.choice(("", " ", "    ", "\t", "   ")) + line.lstrip(" ") if line else "   "
        elif action == 6:
            lines.insert(index, rng.choice(("", "   ", "\t")))
        else:
            lines[index] = line[: rng.randint(0, len(line))]
    return "\n".join(lines)


def inputs(args: argparse.Namespace) -> Iterator[tuple[str, str, str]]:
    """(name, format, text) for every input, in a fixed order (both children build the same list)."""
    base = list(_real_inputs(Path(args.samples))) + list(_edge_inputs()) + list(_generated_inputs(args.megabytes))
    if args.real_markdown:
        base += list(_real_markdown_inputs(Path(args.real_markdown)))
    rng = random.Random(args.seed)
    for name, fmt, text in base:
        yield name, fmt, text
        generated = int(name.split(":")[1]) if name.startswith("bench:") else None
        if len(text) <= 300_000 and (generated is None or generated < 8):
            for other in FORMATS:
                if other != fmt:
                    yield f"{name} as {other}", other, text
        if len(text) > 300_000 or (generated is not None and generated >= 40):
            continue  # the long pages and most of the generated corpus: read as they are, not mutated
        for number in range(args.mutations):
            mutated = _mutate(text, rng)
            yield f"{name} mutated {number}", fmt, mutated
            if fmt != "markdown":
                yield f"{name} mutated {number} as markdown", "markdown", mutated
        if fmt == "markdown" or name.startswith("seed:"):
            for number in range(args.mutations * 4):
                yield f"{name} plain-mutated {number}", "markdown", _mutate_plain(text, rng)


def serve(args: argparse.Namespace) -> None:
    sys.path.insert(0, str(Path(args.src).resolve()))
    import citecheck
    from citecheck.documents import parse_document

    print(json.dumps({"module": citecheck.__file__}), flush=True)
    for name, fmt, text in inputs(args):
        try:
            output = parse_document(text, "doc", fmt).model_dump_json()  # type: ignore[arg-type]
        except Exception as error:
            output = f"raised {type(error).__name__}: {error}"
        print(json.dumps({"name": name, "digest": hashlib.sha256(output.encode()).hexdigest()}), flush=True)
    print(json.dumps({"done": True}), flush=True)


def _child(src: Path, args: argparse.Namespace) -> subprocess.Popen[str]:
    command = [sys.executable, __file__, "--serve", "--src", str(src), "--megabytes", str(args.megabytes)]
    command += ["--mutations", str(args.mutations), "--seed", str(args.seed), "--samples", str(args.samples)]
    if args.real_markdown:
        command += ["--real-markdown", str(args.real_markdown)]
    return subprocess.Popen(command, stdout=subprocess.PIPE, text=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline-src", type=Path, help="another checkout's src/ (required)")
    parser.add_argument("--megabytes", type=float, default=4.0, help="bench_parse corpus size (default 4)")
    parser.add_argument("--mutations", type=int, default=3, help="mutated copies per input (default 3)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--samples", type=Path, default=REPOSITORY.parent / "shared")
    parser.add_argument(
        "--real-markdown", type=Path, help="also read every .md file under this directory (e.g. /usr/share/doc)"
    )
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--src", default=str(REPOSITORY / "src"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args)
        return
    if args.baseline_src is None:
        parser.error("--baseline-src is required")
    current, baseline = _child(REPOSITORY / "src", args), _child(args.baseline_src, args)
    assert current.stdout is not None and baseline.stdout is not None
    print("this checkout:", json.loads(current.stdout.readline())["module"])
    print("baseline:     ", json.loads(baseline.stdout.readline())["module"])
    compared, differing = 0, []
    by_kind: dict[str, int] = {}
    for ours, theirs in zip(current.stdout, baseline.stdout, strict=True):
        mine, other = json.loads(ours), json.loads(theirs)
        if "done" in mine or "done" in other:
            break
        assert mine["name"] == other["name"], (mine["name"], other["name"])
        compared += 1
        kind = mine["name"].split(":", 1)[0]
        kind += " plain-mutated" if "plain-mutated" in mine["name"] else " mutated" if "mutated" in mine["name"] else ""
        by_kind[kind] = by_kind.get(kind, 0) + 1
        if mine["digest"] != other["digest"]:
            differing.append(mine["name"])
    current.wait()
    baseline.wait()
    print(f"{compared} inputs compared: " + ", ".join(f"{count} {kind}" for kind, count in sorted(by_kind.items())))
    if differing:
        print(f"{len(differing)} outputs differ:")
        for name in differing[:50]:
            print("  ", name)
        raise SystemExit(1)
    print("every output identical (ParsedDocument.model_dump_json, exceptions included)")


if __name__ == "__main__":
    main()
