"""Claim-check benchmark: claims checked per second on a generated corpus, with baselines.

Run: ``python benchmarks/bench_claims.py [--documents 200] [--claims 30] [--sources 10] [--seed 1]``

Each generated Markdown document cites ``--sources`` generated articles
(about 40 sentences each, with quotes and figures in several forms).  Its
claims quote those articles verbatim, with curly marks, with elisions, or
not at all; give their figures as digits, with or without thousands
separators, in words, or converted from miles to kilometres; or give figures
the article does not hold.  Documents are parsed before timing, and the
source texts are handed to :func:`citecheck.pipeline.audit_parsed` as
:class:`~citecheck.resolve.sources.SourceText` objects, so the figure is the
claim-checking cost alone (no network, no store, no HTML extraction).

Baselines in the same run:

* *offline pipeline*: the same documents through ``audit_parsed`` with no
  source text (claims built, offline checks, verdicts) — what the full run
  pays before any claim is compared with a source;
* *naive substring*: for each claim, each quoted passage and each digit
  string looked up with ``in`` in the lower-cased source — the floor of any
  comparison, and blind to curly quotes, elisions, number words and units.

Peak memory is measured on a separate pass with ``tracemalloc`` (it slows
allocation, so the timed passes run without it).
"""

from __future__ import annotations

import argparse
import random
import re
import resource
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from citecheck.config import AuditOptions
from citecheck.documents import parse_document
from citecheck.models import ArchiveResult, ArchiveStatus, DocumentReport, NetworkState, ParsedDocument, SourceInfo
from citecheck.pipeline import audit_parsed
from citecheck.resolve.sources import SourceText

WORDS = (  # noqa: SIM905 - a word list reads better than dozens of quoted strings
    "river council border ministry residents harvest election bridge province delegation agreement "
    "inspectors villages committee shelter convoy reservoir tribunal harbour festival budget census "
    "highway refinery garrison monastery vineyard lighthouse"
).split()
VERBS = ["approved", "rejected", "delayed", "inspected", "visited", "announced", "postponed", "reviewed"]
NOUNS = ["families", "soldiers", "workers", "students", "refugees", "farmers", "volunteers", "voters"]
NUMBER_WORDS = {
    3: "three",
    7: "seven",
    12: "twelve",
    15: "fifteen",
    21: "twenty-one",
    34: "thirty-four",
    48: "forty-eight",
    65: "sixty-five",
    90: "ninety",
}
SNAPSHOT = "https://web.archive.org/web/20110507120000/https://news{source}.example.org/2011/05/story-{number}"


@dataclass(frozen=True)
class Fact:
    """A figure an article states, in the form it uses."""

    value: int
    kind: str  # "count" | "miles" | "small"
    sentence: str


@dataclass
class Article:
    sentences: list[str]
    facts: list[Fact]

    @property
    def text(self) -> str:
        return " ".join(self.sentences)


def _phrase(rng: random.Random, length: int) -> str:
    return " ".join(rng.choice(WORDS + VERBS) for _ in range(length))


def make_article(rng: random.Random, sentences: int = 40) -> Article:
    lines: list[str] = []
    facts: list[Fact] = []
    for _ in range(sentences):
        shape = rng.random()
        if shape < 0.25:
            count = rng.randint(1_000, 99_999)
            written = f"{count:,}" if rng.random() < 0.5 else str(count)
            line = f"Officials said {written} {rng.choice(NOUNS)} near the {rng.choice(WORDS)} were counted."
            facts.append(Fact(count, "count", line))
        elif shape < 0.4:
            miles = rng.randint(10, 90)
            line = f"The {rng.choice(WORDS)} lies {miles} miles north of the {rng.choice(WORDS)}."
            facts.append(Fact(miles, "miles", line))
        elif shape < 0.5:
            small = rng.choice(list(NUMBER_WORDS))
            line = f"{NUMBER_WORDS[small].capitalize()} {rng.choice(NOUNS)} attended the {rng.choice(WORDS)} meeting."
            facts.append(Fact(small, "small", line))
        else:
            # A said-sentence with a plain quote: what the claims quote from.
            line = f'The minister said "{_phrase(rng, rng.randint(10, 16))}" on {rng.choice(["Monday", "Friday"])}.'
        lines.append(line)
    return Article(lines, facts)


def _quoted_words(sentence: str) -> list[str] | None:
    match = re.search(r'"([^"]+)"', sentence)
    return match.group(1).split() if match else None


def quote_claim(rng: random.Random, article: Article) -> tuple[str, str]:
    """A claim quoting the article: verbatim, curly, elided, or a passage it does not hold."""
    quoted = [words for sentence in article.sentences if (words := _quoted_words(sentence))]
    words = rng.choice(quoted)
    start = rng.randint(0, max(0, len(words) - 8))
    span = words[start : start + rng.randint(6, 8)]
    style = rng.random()
    if style < 0.3:
        return "quote-verbatim", f'The minister said "{" ".join(span)}".'
    if style < 0.55:
        return "quote-curly", f"The minister said “{' '.join(span)}”."
    if style < 0.8 and len(span) >= 6:
        return "quote-elided", f'The minister said "{" ".join(span[:3])} […] {" ".join(span[-2:])}".'
    return "quote-absent", f'The minister said "{_phrase(rng, 7)} never happened here".'


def figure_claim(rng: random.Random, article: Article) -> tuple[str, str]:
    """A claim stating one of the article's figures in another form, or a figure it does not hold."""
    fact = rng.choice(article.facts)
    if rng.random() < 0.2:
        return "figure-absent", f"Reports said {rng.randint(100_000, 999_999):,} {rng.choice(NOUNS)} were counted."
    if fact.kind == "count":
        written = str(fact.value) if "," in fact.sentence else f"{fact.value:,}"
        return "figure-separator", f"Officials counted {written} {rng.choice(NOUNS)}."
    if fact.kind == "miles":
        return "figure-unit", f"It is {round(fact.value * 1.609344)} km north of the {rng.choice(WORDS)}."
    return "figure-word", f"There were {fact.value} {rng.choice(NOUNS)} at the meeting."


def plain_claim(rng: random.Random) -> tuple[str, str]:
    return "plain", f"The {rng.choice(WORDS)} was {rng.choice(VERBS)} by the {rng.choice(WORDS)} {rng.choice(WORDS)}."


def make_document(
    rng: random.Random, index: int, claims: int, articles: Sequence[Article]
) -> tuple[str, list[str], list[Article]]:
    """A Markdown document whose claims cite ``articles``; returns its text and each claim's kind."""
    kinds: list[str] = []
    paragraphs: list[str] = []
    for _ in range(claims):
        source = rng.randrange(len(articles))
        roll = rng.random()
        if roll < 0.4:
            kind, text = quote_claim(rng, articles[source])
        elif roll < 0.8:
            kind, text = figure_claim(rng, articles[source])
        else:
            kind, text = plain_claim(rng)
        kinds.append(kind)
        paragraphs.append(f"{text}[^s{source}]")
    notes = [
        f'[^s{number}]: "Story {number}". The Example News. 6 May 2011. '
        f"https://news{number}.example.org/2011/05/story-{number} Retrieved 8 May 2011."
        for number in range(len(articles))
    ]
    text = f"# Generated document {index}\n\n" + "\n\n".join(paragraphs) + "\n\n" + "\n".join(notes) + "\n"
    return text, kinds, list(articles)


@dataclass
class Prepared:
    document: ParsedDocument
    kinds: list[str]
    sources: dict[str, SourceText]  # by reference id


def prepare(documents: int, claims: int, sources: int, seed: int) -> list[Prepared]:
    """Parse every generated document and give each reference a capture and its article's text."""
    rng = random.Random(seed)
    prepared: list[Prepared] = []
    for index in range(documents):
        articles = [make_article(rng) for _ in range(sources)]
        text, kinds, _ = make_document(rng, index, claims, articles)
        parsed = parse_document(text, f"doc{index}.md", "markdown")
        by_id: dict[str, SourceText] = {}
        for reference in parsed.references:
            number = int(reference.id.removeprefix("s"))
            snapshot = SNAPSHOT.format(source=number, number=number)
            reference.archive = ArchiveResult(status=ArchiveStatus.found, snapshot_url=snapshot, snapshot_status=200)
            article = articles[number]
            info = SourceInfo(status="fetched", origin="capture", url=snapshot, chars=len(article.text))
            reference.source = info
            by_id[reference.id] = SourceText(info, article.text)
        prepared.append(Prepared(parsed, kinds, by_id))
    return prepared


ONLINE = NetworkState(mode="online", message="benchmark: sources handed in")
OFFLINE = NetworkState(mode="offline", message="benchmark: offline baseline")


def run_full(corpus: Sequence[Prepared], options: AuditOptions) -> list[DocumentReport]:
    return [audit_parsed(item.document, options, ONLINE, sources=item.sources) for item in corpus]


def run_offline(corpus: Sequence[Prepared], options: AuditOptions) -> list[DocumentReport]:
    return [audit_parsed(item.document, options, OFFLINE) for item in corpus]


_DIGITS = re.compile(r"\d[\d,]*")
_QUOTED = re.compile(r"[\"“]([^\"”]+)[\"”]")


def naive_substring(corpus: Sequence[Prepared], reports: Sequence[DocumentReport]) -> Counter[str]:
    """Each quote and digit string of each cited claim looked up verbatim in its lower-cased source."""
    outcomes: Counter[str] = Counter()
    for item, report in zip(corpus, reports, strict=True):
        lowered = {ref: source.text.lower() for ref, source in item.sources.items()}
        for claim in report.claims:
            if not claim.refs:
                continue
            texts = [lowered[ref] for ref in claim.refs if ref in lowered]
            needles = [quote.lower() for quote in _QUOTED.findall(claim.text)] + _DIGITS.findall(claim.text)
            if not needles:
                continue
            found = all(any(needle in text for text in texts) for needle in needles)
            outcomes["found" if found else "not-found"] += 1
    return outcomes


def timed(label: str, action: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = action()
    elapsed = time.perf_counter() - started
    print(f"  {label}: {elapsed:.2f} s")
    return elapsed, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=200)
    parser.add_argument("--claims", type=int, default=30)
    parser.add_argument("--sources", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    started = time.perf_counter()
    corpus = prepare(args.documents, args.claims, args.sources, args.seed)
    source_chars = sum(len(source.text) for item in corpus for source in item.sources.values())
    print(
        f"corpus: {len(corpus)} documents × {args.claims} claims, {args.sources} sources each "
        f"({source_chars / len(corpus) / args.sources / 1000:.1f} k chars per source); "
        f"generated and parsed in {time.perf_counter() - started:.1f} s"
    )
    options = AuditOptions(today=date(2026, 1, 1))
    run_full(corpus[:2], options)  # warm caches (regexes, lazy imports) outside the timing

    print("timing:")
    full_time, full_result = timed("claim checks (audit_parsed with source texts)", lambda: run_full(corpus, options))
    offline_time, _ = timed("offline pipeline baseline (no source text)", lambda: run_offline(corpus, options))
    reports: list[DocumentReport] = full_result  # type: ignore[assignment]
    naive_time, naive_result = timed("naive substring baseline", lambda: naive_substring(corpus, reports))

    claims = [claim for report in reports for claim in report.claims]
    kinds = [kind for item in corpus for kind in item.kinds]
    tested = [claim for claim in claims if any(e.kind in ("quote", "figure") for e in claim.evidence)]
    verdicts = Counter(str(claim.verdict) for claim in claims)
    by_kind: dict[str, Counter[str]] = {}
    if len(kinds) == len(claims):
        for kind, claim in zip(kinds, claims, strict=True):
            by_kind.setdefault(kind, Counter())[str(claim.verdict)] += 1

    tracemalloc.start()
    run_full(corpus, options)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    max_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print()
    print(f"claims: {len(claims)} ({len(tested)} with a quote or figure compared with a source)")
    print("| run | time | claims/s | quote-or-figure claims/s |")
    print("| --- | ---: | ---: | ---: |")
    for label, elapsed in (("full claim checks", full_time), ("offline pipeline", offline_time)):
        print(f"| {label} | {elapsed:.2f} s | {len(claims) / elapsed:,.0f} | {len(tested) / elapsed:,.0f} |")
    naive_claims = sum(naive_result.values())  # type: ignore[attr-defined]
    print(f"| naive substring | {naive_time:.3f} s | — | {naive_claims / naive_time:,.0f} |")
    print()
    checking = full_time - offline_time
    print(
        f"comparison with sources alone: {checking:.2f} s, {len(tested) / checking:,.0f} quote-or-figure claims/s; "
        f"{full_time / offline_time:.1f}× the offline pipeline, {full_time / naive_time:,.0f}× the naive lookup"
    )
    print(f"verdicts: {dict(verdicts.most_common())}")
    print(f"naive substring outcomes: {dict(naive_result)}  (blind to curly marks, elisions, words, units)")  # type: ignore[call-overload]
    if by_kind:
        print("verdict by generated claim kind:")
        for kind in sorted(by_kind):
            print(f"  {kind:18} {dict(by_kind[kind].most_common())}")
    print(f"peak traced memory during claim checks: {peak / 1e6:.1f} MB; max RSS {max_rss_mb:.0f} MB")


if __name__ == "__main__":
    main()
