"""Parse benchmark: accuracy of the parsed fields, then references/s and MB/s, over a generated ≥ 10 MB corpus.

Run: ``python benchmarks/bench_parse.py [--megabytes 10] [--seed 1] [--repeat 5]``

The corpus is generated (no data files): wiki-mirror plain text, Markdown,
wikitext and HTML documents with numbered reference lists in CS1 style,
archive links, dead-link marks and in-text markers, each with the fields the
generator wrote.  First every document is parsed once through
``citecheck.documents.parse_document`` and its fields compared with the
generator's (share of references whose field is right); then each format is
timed, parsing only, as the fastest of ``--repeat`` passes.  The baseline in
the same run, timed the same way, is the floor any parser pays: splitting the
same text into lines and matching a numbered-entry regex.  Claims and offline
checks are timed once afterwards, for scale.
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
from citecheck.models import DocumentFormat, ParsedDocument

WORDS = (  # noqa: SIM905 - a word list reads better than two dozen quoted strings
    "archive camp report officials said the raid government forces residents statement council "
    "investigation human rights united nations embassy ministry police province capital press agency"
).split()
OUTLETS = ["The Daily Example", "Los Angeles Times", "Foreign Policy", "United Nations", "Example Wire"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October"]
Truth = dict[str, object]


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 20))]
    return words[0].capitalize() + " " + " ".join(words[1:]) + "."


def _citation_fields(rng: random.Random, number: int) -> dict[str, str]:
    day, month, year = rng.randint(1, 28), rng.choice(MONTHS), rng.randint(2005, 2020)
    month_number = MONTHS.index(month) + 1
    last, first = rng.choice(["Smith", "Jolly", "Allen", "Dreazen"]), rng.choice(["Carol", "David", "Kate"])
    return {
        "last": last,
        "first": first,
        "author": f"{last}, {first}",
        "title": " ".join(rng.choice(WORDS) for _ in range(6)).capitalize(),
        "work": rng.choice(OUTLETS),
        "date": f"{day} {month} {year}",
        "date_iso": f"{year}-{month_number:02d}-{day:02d}",
        "archived": f"{min(day + 3, 28)} {month} {year}",
        "archived_iso": f"{year}-{month_number:02d}-{min(day + 3, 28):02d}",
        "retrieved": f"{day} {month} {year + 1}",
        "retrieved_iso": f"{year + 1}-{month_number:02d}-{day:02d}",
        "url": f"https://news{number % 50}.example.org/{year}/{rng.randint(1, 9999)}/story",
    }


def _truth(f: dict[str, str], **fields: object) -> Truth:
    base: Truth = {
        "title": f["title"],
        "work": f["work"],
        "date": f["date_iso"],
        "authors": [f"{f['first']} {f['last']}"],
    }
    base.update(fields)
    return base


def _paragraphs(rng: random.Random, references: int, marker: Callable[[int], str]) -> list[str]:
    paragraphs = []
    for _ in range(references):
        sentences = [_sentence(rng) for _ in range(rng.randint(2, 4))]
        cited = rng.randint(1, references)
        sentences[-1] += marker(cited)
        paragraphs.append(" ".join(sentences))
    return paragraphs


def make_text(rng: random.Random, references: int) -> tuple[str, list[Truth]]:
    lines = ["Generated article", "", *_paragraphs(rng, references, lambda n: f"[{n}]")]
    lines += ["", "References", ""]
    truths = []
    for number in range(1, references + 1):
        f = _citation_fields(rng, number)
        dead = number % 7 == 0
        mark = " [dead link]" if dead else ""
        lines.append(
            f'  {number}. {f["author"]} ({f["date"]}). "{f["title"]}". {f["work"]}. '
            f"Archived from the original on {f['archived']}. Retrieved {f['retrieved']}.{mark}"
        )
        truths.append(_truth(f, archive_date=f["archived_iso"], access_date=f["retrieved_iso"], dead=dead))
    return "\n\n".join(lines[:2]) + "\n\n" + "\n\n".join(lines[2:]) + "\n", truths


def make_markdown(rng: random.Random, references: int) -> tuple[str, list[Truth]]:
    body = _paragraphs(rng, references, lambda n: f"[^{n}]")
    notes, truths = [], []
    for number in range(1, references + 1):
        f = _citation_fields(rng, number)
        notes.append(f'[^{number}]: {f["author"]} ({f["date"]}). "{f["title"]}". {f["work"]}. {f["url"]}')
        truths.append(_truth(f, url=f["url"]))
    return "# Generated\n\n" + "\n\n".join(body) + "\n\n" + "\n".join(notes) + "\n", truths


def make_wikitext(rng: random.Random, references: int) -> tuple[str, list[Truth]]:
    parts = ["'''Generated''' article."]
    truths = []
    for number in range(1, references + 1):
        f = _citation_fields(rng, number)
        archive = f"https://web.archive.org/web/2015/{f['url']}"
        template = (
            f"{{{{cite news |last={f['last']} |first={f['first']} "
            f"|title={f['title']} |work={f['work']} |date={f['date']} |url={f['url']} "
            f"|access-date={f['retrieved']} |archive-date={f['archived']} "
            f"|archive-url={archive}}}}}"
        )
        parts.append(_sentence(rng) + f"<ref>{template}</ref>")
        fields = {"url": f["url"], "archive_url": archive, "access_date": f["retrieved_iso"]}
        truths.append(_truth(f, archive_date=f["archived_iso"], **fields))
    return "\n\n".join(parts) + "\n\n== References ==\n{{reflist}}\n", truths


def make_html(rng: random.Random, references: int) -> tuple[str, list[Truth]]:
    body = _paragraphs(rng, references, lambda n: f'<sup class="reference"><a href="#cite_note-{n}">[{n}]</a></sup>')
    items, truths = [], []
    for number in range(1, references + 1):
        f = _citation_fields(rng, number)
        items.append(
            f'<li id="cite_note-{number}"><span class="reference-text"><cite class="citation news cs1">'
            f'{f["author"]} ({f["date"]}). <a class="external text" href="{f["url"]}">"{f["title"]}"</a>. '
            f"<i>{f['work']}</i>. Retrieved {f['retrieved']}.</cite></span></li>"
        )
        truths.append(_truth(f, url=f["url"], access_date=f["retrieved_iso"]))
    text = (
        "<html><head><title>Generated</title></head><body><div class='mw-parser-output'>"
        + "".join(f"<p>{p}</p>" for p in body)
        + "<h2>References</h2><ol class='references'>"
        + "".join(items)
        + "</ol></div></body></html>"
    )
    return text, truths


GENERATORS: dict[DocumentFormat, Callable[[random.Random, int], tuple[str, list[Truth]]]] = {
    "text": make_text,
    "markdown": make_markdown,
    "wikitext": make_wikitext,
    "html": make_html,
}
_NUMBERED_RE = re.compile(r"^\s*\d+\.\s")
_CHECKED = ("title", "work", "date", "authors", "url", "archive_url", "access_date", "archive_date", "dead")
_DEAD = {"dead-link", "permanent-dead-link", "url-status-dead"}


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
        }
        for name in _CHECKED:
            if name in truth:
                tally[name][1] += 1
                tally[name][0] += read[name] == truth[name]
    tally["references"][1] += len(truths)
    tally["references"][0] += len(truths) - abs(len(truths) - len(references))


def _best_of(repeat: int, run: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=10.0, help="corpus size per run (default 10)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--references-per-document", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=5, help="timed passes per format; the fastest counts")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    target = int(args.megabytes * 1024 * 1024)
    corpus: list[tuple[DocumentFormat, str, list[Truth]]] = []
    size = 0
    formats = list(GENERATORS)
    while size < target:
        fmt = formats[len(corpus) % len(formats)]
        text, truths = GENERATORS[fmt](rng, args.references_per_document)
        corpus.append((fmt, text, truths))
        size += len(text.encode("utf-8"))
    print(f"corpus: {len(corpus)} documents, {size / 1048576:.1f} MB; best of {args.repeat} passes")

    # Accuracy first: a fast parser that reads the fields wrong is no parser.
    print(f"{'format':<10} " + " ".join(f"{name:>12}" for name in ("references", *_CHECKED)))
    for fmt in formats:
        tally: dict[str, list[int]] = {name: [0, 0] for name in ("references", *_CHECKED)}
        for index, (doc_fmt, text, truths) in enumerate(corpus):
            if doc_fmt == fmt:
                check_fields(parse_document(text, f"doc{index}", fmt), truths, tally)
        cells = [f"{good / total:>12.3f}" if total else f"{'—':>12}" for good, total in tally.values()]
        print(f"{fmt:<10} " + " ".join(cells))

    floor = _best_of(args.repeat, lambda: [baseline_scan(text) for _, text, _ in corpus])
    print(f"\n{'format':<10} {'refs/s':>10} {'MB/s':>8}   (parse only)")
    total_seconds = 0.0
    references = 0
    for fmt in formats:
        documents = [(index, text) for index, (doc_fmt, text, _) in enumerate(corpus) if doc_fmt == fmt]
        nbytes = sum(len(text.encode("utf-8")) for _, text in documents)
        refs = sum(len(truths) for doc_fmt, _, truths in corpus if doc_fmt == fmt)

        def parse_all(docs: list[tuple[int, str]] = documents, doc_format: DocumentFormat = fmt) -> None:
            for index, text in docs:
                parse_document(text, f"doc{index}", doc_format)

        seconds = _best_of(args.repeat, parse_all)
        total_seconds += seconds
        references += refs
        print(f"{fmt:<10} {refs / seconds:>10,.0f} {nbytes / 1048576 / seconds:>8.2f}")
    print(f"{'all':<10} {references / total_seconds:>10,.0f} {size / 1048576 / total_seconds:>8.2f}")
    print(
        f"baseline (line split + numbered-entry regex): {size / 1048576 / floor:.1f} MB/s; "
        f"parsing costs {total_seconds / floor:.0f}x the floor"
    )

    # The stages after parsing, once, for scale (claims and offline checks have budgets of their own).
    started = time.perf_counter()
    claims = findings = 0
    for index, (fmt, text, _) in enumerate(corpus):
        document = parse_document(text, f"doc{index}", fmt)
        claim_set = build_claims(document)
        found = run_offline_checks(CheckContext(document=document, claims=claim_set, today=date(2026, 1, 1)))
        claims += len(claim_set.claims)
        findings += len(found)
    pipeline = time.perf_counter() - started
    print(
        f"parse + claims + offline checks: {size / 1048576 / pipeline:.2f} MB/s "
        f"({claims:,} claims, {findings:,} findings)"
    )

    # Memory in a separate pass: tracemalloc slows Python down several times.
    tracemalloc.start()
    for index, (fmt, text, _) in enumerate(corpus[:40]):
        parse_document(text, f"doc{index}", fmt)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"peak traced memory while parsing 40 documents one at a time: {peak / 1048576:.1f} MB")


if __name__ == "__main__":
    main()
