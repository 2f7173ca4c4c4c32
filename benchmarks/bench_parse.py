"""Parse benchmark: references/s and MB/s over a generated corpus of ≥ 10 MB.

Run: ``python benchmarks/bench_parse.py [--megabytes 10] [--seed 1]``

The corpus is generated (no data files): wiki-mirror plain text, Markdown,
wikitext and HTML documents with numbered reference lists in CS1 style,
archive links, dead-link marks and in-text markers.  Each format is parsed
through ``citecheck.documents.parse_document`` and then through the claims
and offline-check stages.  The baseline in the same run is the floor any
parser pays: splitting the same text into lines and matching a numbered-entry
regex; the ratio says how much real parsing costs over that floor.
"""

from __future__ import annotations

import argparse
import random
import re
import time
import tracemalloc
from collections.abc import Callable
from datetime import date

from citecheck.checks.offline import CheckContext, run_offline_checks
from citecheck.claims.build import build_claims
from citecheck.documents import parse_document
from citecheck.models import DocumentFormat

WORDS = (  # noqa: SIM905 - a word list reads better than two dozen quoted strings
    "archive camp report officials said the raid government forces residents statement council "
    "investigation human rights united nations embassy ministry police province capital press agency"
).split()
OUTLETS = ["The Daily Example", "Los Angeles Times", "Foreign Policy", "United Nations", "Example Wire"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October"]


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 20))]
    return words[0].capitalize() + " " + " ".join(words[1:]) + "."


def _citation_fields(rng: random.Random, number: int) -> dict[str, str]:
    day, month, year = rng.randint(1, 28), rng.choice(MONTHS), rng.randint(2005, 2020)
    return {
        "author": f"{rng.choice(['Smith', 'Jolly', 'Allen', 'Dreazen'])}, {rng.choice(['Carol', 'David', 'Kate'])}",
        "title": " ".join(rng.choice(WORDS) for _ in range(6)).capitalize(),
        "work": rng.choice(OUTLETS),
        "date": f"{day} {month} {year}",
        "archived": f"{min(day + 3, 28)} {month} {year}",
        "retrieved": f"{day} {month} {year + 1}",
        "url": f"https://news{number % 50}.example.org/{year}/{rng.randint(1, 9999)}/story",
    }


def _paragraphs(rng: random.Random, references: int, marker: Callable[[int], str]) -> list[str]:
    paragraphs = []
    for _ in range(references):
        sentences = [_sentence(rng) for _ in range(rng.randint(2, 4))]
        cited = rng.randint(1, references)
        sentences[-1] += marker(cited)
        paragraphs.append(" ".join(sentences))
    return paragraphs


def make_text(rng: random.Random, references: int) -> str:
    lines = ["Generated article", "", *_paragraphs(rng, references, lambda n: f"[{n}]")]
    lines += ["", "References", ""]
    for number in range(1, references + 1):
        f = _citation_fields(rng, number)
        dead = " [dead link]" if number % 7 == 0 else ""
        lines.append(
            f'  {number}. {f["author"]} ({f["date"]}). "{f["title"]}". {f["work"]}. '
            f"Archived from the original on {f['archived']}. Retrieved {f['retrieved']}.{dead}"
        )
    return "\n\n".join(lines[:2]) + "\n\n" + "\n\n".join(lines[2:]) + "\n"


def make_markdown(rng: random.Random, references: int) -> str:
    body = _paragraphs(rng, references, lambda n: f"[^{n}]")
    notes = []
    for number in range(1, references + 1):
        f = _citation_fields(rng, number)
        notes.append(f'[^{number}]: {f["author"]} ({f["date"]}). "{f["title"]}". {f["work"]}. {f["url"]}')
    return "# Generated\n\n" + "\n\n".join(body) + "\n\n" + "\n".join(notes) + "\n"


def make_wikitext(rng: random.Random, references: int) -> str:
    parts = ["'''Generated''' article."]
    for number in range(1, references + 1):
        f = _citation_fields(rng, number)
        template = (
            f"{{{{cite news |last={f['author'].split(',')[0]} |first={f['author'].split(', ')[1]} "
            f"|title={f['title']} |work={f['work']} |date={f['date']} |url={f['url']} "
            f"|access-date={f['retrieved']} |archive-date={f['archived']} "
            f"|archive-url=https://web.archive.org/web/2015/{f['url']}}}}}"
        )
        parts.append(_sentence(rng) + f"<ref>{template}</ref>")
    return "\n\n".join(parts) + "\n\n== References ==\n{{reflist}}\n"


def make_html(rng: random.Random, references: int) -> str:
    body = _paragraphs(rng, references, lambda n: f'<sup class="reference"><a href="#cite_note-{n}">[{n}]</a></sup>')
    items = []
    for number in range(1, references + 1):
        f = _citation_fields(rng, number)
        items.append(
            f'<li id="cite_note-{number}"><span class="reference-text">{f["author"]} ({f["date"]}). '
            f'<a class="external text" href="{f["url"]}">"{f["title"]}"</a>. <i>{f["work"]}</i>. '
            f"Retrieved {f['retrieved']}.</span></li>"
        )
    return (
        "<html><head><title>Generated</title></head><body><div class='mw-parser-output'>"
        + "".join(f"<p>{p}</p>" for p in body)
        + "<h2>References</h2><ol class='references'>"
        + "".join(items)
        + "</ol></div></body></html>"
    )


GENERATORS: dict[DocumentFormat, Callable[[random.Random, int], str]] = {
    "text": make_text,
    "markdown": make_markdown,
    "wikitext": make_wikitext,
    "html": make_html,
}
_NUMBERED_RE = re.compile(r"^\s*\d+\.\s")


def baseline_scan(text: str) -> int:
    """The floor: split lines and count numbered entries (what any parser must at least do)."""
    return sum(1 for line in text.splitlines() if _NUMBERED_RE.match(line))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=10.0, help="corpus size per run (default 10)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--references-per-document", type=int, default=60)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    target = int(args.megabytes * 1024 * 1024)
    corpus: list[tuple[DocumentFormat, str]] = []
    size = 0
    formats = list(GENERATORS)
    while size < target:
        fmt = formats[len(corpus) % len(formats)]
        text = GENERATORS[fmt](rng, args.references_per_document)
        corpus.append((fmt, text))
        size += len(text.encode("utf-8"))
    print(f"corpus: {len(corpus)} documents, {size / 1048576:.1f} MB")
    per_format: dict[str, list[float]] = {fmt: [0.0, 0.0, 0.0] for fmt in formats}  # seconds, refs, bytes

    start = time.perf_counter()
    for _, text in corpus:
        baseline_scan(text)
    baseline_seconds = time.perf_counter() - start

    references = claims = findings = 0
    start = time.perf_counter()
    for index, (fmt, text) in enumerate(corpus):
        begin = time.perf_counter()
        document = parse_document(text, f"doc{index}", fmt)
        claim_set = build_claims(document)
        found = run_offline_checks(CheckContext(document=document, claims=claim_set, today=date(2026, 1, 1)))
        elapsed = time.perf_counter() - begin
        per_format[fmt][0] += elapsed
        per_format[fmt][1] += len(document.references)
        per_format[fmt][2] += len(text.encode("utf-8"))
        references += len(document.references)
        claims += len(claim_set.claims)
        findings += len(found)
    total_seconds = time.perf_counter() - start

    # Memory in a separate pass: tracemalloc slows Python down several times.
    tracemalloc.start()
    for index, (fmt, text) in enumerate(corpus[:40]):
        document = parse_document(text, f"doc{index}", fmt)
        run_offline_checks(CheckContext(document=document, claims=build_claims(document), today=date(2026, 1, 1)))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    print(f"{'format':<10} {'refs/s':>10} {'MB/s':>8}")
    for fmt, (seconds, refs, nbytes) in per_format.items():
        print(f"{fmt:<10} {refs / seconds:>10,.0f} {nbytes / 1048576 / seconds:>8.2f}")
    print(
        f"{'all':<10} {references / total_seconds:>10,.0f} {size / 1048576 / total_seconds:>8.2f}"
        f"   ({references:,} references, {claims:,} claims, {findings:,} findings in {total_seconds:.1f} s)"
    )
    print(
        f"baseline (line split + numbered-entry regex): {size / 1048576 / baseline_seconds:.1f} MB/s; "
        f"full parse costs {total_seconds / baseline_seconds:.0f}x the floor"
    )
    print(f"peak traced memory while parsing 40 documents one at a time: {peak / 1048576:.1f} MB")


if __name__ == "__main__":
    main()
