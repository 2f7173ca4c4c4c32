"""Claim evidence on real claims: passages, figure alarms, "the source says otherwise", time per claim.

Run: ``python benchmarks/bench_evidence.py [--data PATH] [--join newline|space]``

Data: WiCE's development split (``../shared/claims-samples/wice-dev.jsonl.gz``,
read its README): 349 Wikipedia claims, each with its cited page as a list of
sentences, the annotators' label (supported / partially supported / not
supported) and their supporting sentences.  Each claim goes through
:func:`citecheck.checks.integrity.check_claim` — the code the audit and
``citecheck evidence`` use — with the page's sentences joined into one source
text (by line breaks, as extracted pages are, or by spaces with
``--join space``, so the sentence splitter has to find them itself).

Printed, for the *tuning* half and the *held-out* half of the claims (split by
a hash of the claim id; the matcher was only ever inspected on the tuning
half) and for both together:

* passage recall@1 and @3: a passage shown covers at least half of an
  annotated supporting sentence (claims with supporting sentences only);
* false figure alarms: the share of claims with a figure/date "not found"
  (CC502) or "the source says otherwise" (CC504), by label — on `supported`
  claims every alarm is false;
* "check by hand" notes (CC505) by label;
* the new warning on *changed-figure cases*: each figure of a supported claim
  that the matcher finds in the claim's closest passage is changed in the
  source (digits altered, a year moved by three, a day by five), and the claim
  re-checked (small counts below ten are left out: by design they are never
  called contradicted).  Precision counts every CC504 raised over the changed
  cases and the unchanged supported claims: correct only when it names the
  changed figure; recall is the share of changed cases that got one.  The
  same is reported for partially supported claims (a larger set);
* time per claim (mean, p95), each source indexed afresh (as in an audit,
  where each source is indexed once whoever cites it).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from citecheck.checks.integrity import ClaimCheck, check_claim
from citecheck.claims.figures import extract_figures, is_weak, source_figures
from citecheck.claims.passages import index_source
from citecheck.models import ArchiveResult, ArchiveStatus, Claim, LiveCheck, LiveStatus, Reference, SourceInfo
from citecheck.resolve.sources import SourceText

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "claims-samples" / "wice-dev.jsonl.gz"
SNAPSHOT = "https://web.archive.org/web/20200101000000/https://example.org/cited-page"
REFERENCE = Reference(
    id="1",
    url="https://example.org/cited-page",
    live=LiveCheck(status=LiveStatus.alive),
    archive=ArchiveResult(status=ArchiveStatus.found, snapshot_url=SNAPSHOT),
)
LABELS = ("supported", "partially_supported", "not_supported")
HALVES = ("tuning", "held-out")
FIGURE_ALARMS = ("CC502", "CC504")


@dataclass(frozen=True)
class Row:
    claim: str
    label: str
    sentences: list[str]
    supporting: frozenset[int]
    half: str


@dataclass
class Tally:
    claims: Counter[str] = field(default_factory=Counter)  # label -> claims
    with_support: int = 0
    hit_at_1: int = 0
    hit_at_3: int = 0
    cc502: Counter[str] = field(default_factory=Counter)  # label -> claims with a CC502
    cc504: Counter[str] = field(default_factory=Counter)
    alarms: Counter[str] = field(default_factory=Counter)  # label -> claims with either
    check_by_hand: Counter[str] = field(default_factory=Counter)
    changed_cases: int = 0
    changed_gone: int = 0  # of which the changed source no longer holds the claim's figure anywhere near
    changed_caught: int = 0
    warnings_right: int = 0
    warnings_wrong: int = 0
    # The same construction on partially supported claims (a larger set; their unchanged checks are not counted).
    partial_cases: int = 0
    partial_gone: int = 0
    partial_caught: int = 0
    partial_right: int = 0
    partial_wrong: int = 0
    times: list[float] = field(default_factory=list)


def load(path: Path) -> list[Row]:
    rows: list[Row] = []
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            digest = hashlib.sha256(record["meta"]["id"].encode()).digest()
            supporting = frozenset(index for group in record["supporting_sentences"] for index in group)
            rows.append(Row(record["claim"], record["label"], record["evidence"], supporting, HALVES[digest[0] % 2]))
    return rows


def source_text(sentences: list[str], joiner: str) -> tuple[str, list[tuple[int, int]]]:
    spans: list[tuple[int, int]] = []
    position = 0
    for sentence in sentences:
        spans.append((position, position + len(sentence)))
        position += len(sentence) + len(joiner)
    return joiner.join(sentences), spans


def check(claim_text: str, text: str) -> tuple[ClaimCheck, float]:
    source = SourceText(SourceInfo(status="fetched", origin="capture", url=SNAPSHOT, chars=len(text)), text)
    claim = Claim(id="c1", text=claim_text, refs=["1"])
    # CPU time: the machine is shared, and wall time would measure the neighbours.
    started = time.process_time()
    result = check_claim(claim, {"1": REFERENCE}, {"1": source}, network_ran=True)
    return result, time.process_time() - started


def covers(passage: tuple[int, int], sentence: tuple[int, int]) -> bool:
    start, end = sentence
    if end <= start:
        return False
    overlap = min(end, passage[1]) - max(start, passage[0])
    return overlap >= 0.5 * (end - start)


def _changed_digits(digits: str, month_context: bool) -> str:
    value = float(digits.replace(",", ""))
    if re.fullmatch(r"1[5-9]\d\d|20\d\d", digits):
        return str(int(value) + 3)  # a year
    if month_context and len(digits) <= 2 and value <= 31:
        return str(int(value) + 5 if value <= 23 else int(value) - 7)  # a day of a month
    if "." in digits:
        decimals = len(digits.split(".")[1])
        return f"{value * 1.5 + 1:.{decimals}f}"
    return f"{int(value * 1.5) + 3:,}" if "," in digits else str(int(value * 1.5) + 3)


def changed_number(written: str) -> str | None:
    """The figure's text with every number in it altered beyond any rounding or hedge: a year by three, a day by
    five, a decade by ten, other numbers by about half; None when it holds no digits."""
    month_context = re.search(r"[A-Za-z]{3}", written) is not None
    decade = re.fullmatch(r"(?:the\s+)?(\d{3})0s", written)
    if decade:
        return written.replace(decade.group(1) + "0s", str(int(decade.group(1)) + 1) + "0s")
    pieces = re.split(r"(\d+(?:,\d{3})*(?:\.\d+)?)", written)
    if len(pieces) == 1:
        return None
    return "".join(_changed_digits(piece, month_context) if index % 2 else piece for index, piece in enumerate(pieces))


def changed_cases(result: ClaimCheck, text: str, claim_text: str) -> list[tuple[str, str, str]]:
    """(changed source text, the changed figure's new text, the claim's figure) for each figure of the claim the
    check found in the closest passage."""
    best = next((e.passage for e in result.evidence if e.kind == "passage" and e.passage and e.passage.rank == 1), None)
    if best is None:
        return []
    cases: list[tuple[str, str, str]] = []
    weak = {figure.text for figure in extract_figures(claim_text) if is_weak(figure)}
    for evidence in result.evidence:
        if evidence.kind != "figure" or evidence.status not in ("found", "near") or evidence.passage is None:
            continue
        if evidence.claimed in weak:
            continue  # small counts ("two", "6") are never called contradicted, by design
        found = evidence.source_says
        if not found or evidence.claimed is None:
            continue
        figure = next((f for f in source_figures(text) if text[f.start : f.end] == found), None)
        if figure is None or not (best.start <= figure.start and figure.end <= best.end):
            continue
        new = changed_number(found)
        if new is None:
            continue
        cases.append((text[: figure.start] + new + text[figure.end :], new, evidence.claimed))
    return cases


def run(rows: list[Row], joiner: str) -> dict[str, Tally]:
    tallies = {half: Tally() for half in HALVES}
    for row in rows:
        tally = tallies[row.half]
        text, spans = source_text(row.sentences, joiner)
        index_source.cache_clear()
        source_figures.cache_clear()
        result, seconds = check(row.claim, text)
        tally.times.append(seconds)
        tally.claims[row.label] += 1
        codes = {finding.code for finding in result.findings}
        for code, counter in (("CC502", tally.cc502), ("CC504", tally.cc504), ("CC505", tally.check_by_hand)):
            if code in codes:
                counter[row.label] += 1
        if codes & set(FIGURE_ALARMS):
            tally.alarms[row.label] += 1
        if row.supporting:
            tally.with_support += 1
            passages = sorted(
                (evidence.passage for evidence in result.evidence if evidence.kind == "passage" and evidence.passage),
                key=lambda passage: passage.rank,
            )
            hits = [any(covers((p.start, p.end), spans[i]) for i in row.supporting if i < len(spans)) for p in passages]
            tally.hit_at_1 += any(hits[:1])
            tally.hit_at_3 += any(hits[:3])
        if row.label == "not_supported":
            continue
        supported = row.label == "supported"
        if supported:
            tally.warnings_wrong += sum(1 for finding in result.findings if finding.code == "CC504")
        before = {(e.claimed, e.source_says) for e in result.evidence if e.status == "differs"}
        for changed_text, new, claimed in changed_cases(result, text, row.claim):
            changed_result, _ = check(row.claim, changed_text)
            differs = [e for e in changed_result.evidence if e.status == "differs"]
            right = [e for e in differs if e.claimed == claimed and e.source_says == new]
            # A warning the unchanged source raised too is not the change's doing (counted above, if at all).
            warnings = len([e for e in differs if (e.claimed, e.source_says) not in before or e in right])
            # Cases where the changed source still holds the claim's figure near the claim's words are a correct
            # silence; recall is also reported on the others.
            still = any(
                e.kind == "figure" and e.claimed == claimed and e.status in ("found", "near")
                for e in changed_result.evidence
            )
            if supported:
                tally.changed_cases += 1
                tally.changed_gone += not still
                tally.changed_caught += bool(right)
                tally.warnings_right += min(len(right), warnings)
                tally.warnings_wrong += max(0, warnings - len(right))
            else:
                tally.partial_gone += not still
                tally.partial_cases += 1
                tally.partial_caught += bool(right)
                tally.partial_right += min(len(right), warnings)
                tally.partial_wrong += max(0, warnings - len(right))
    return tallies


def merged(tallies: dict[str, Tally]) -> Tally:
    total = Tally()
    for tally in tallies.values():
        for name in ("claims", "cc502", "cc504", "alarms", "check_by_hand"):
            getattr(total, name).update(getattr(tally, name))
        for name in (
            "with_support",
            "hit_at_1",
            "hit_at_3",
            "changed_cases",
            "changed_gone",
            "changed_caught",
            "warnings_right",
            "warnings_wrong",
            "partial_cases",
            "partial_gone",
            "partial_caught",
            "partial_right",
            "partial_wrong",
        ):
            setattr(total, name, getattr(total, name) + getattr(tally, name))
        total.times += tally.times
    return total


def share(count: int, total: int) -> str:
    return f"{count / total:.3f} ({count}/{total})" if total else "—"


def report(name: str, tally: Tally) -> list[str]:
    times = sorted(tally.times)
    p95 = times[int(0.95 * (len(times) - 1))] if times else 0.0
    warnings = tally.warnings_right + tally.warnings_wrong
    lines = [
        f"| {name} | claims | {sum(tally.claims.values())} |",
        f"| {name} | passage recall@1 | {share(tally.hit_at_1, tally.with_support)} |",
        f"| {name} | passage recall@3 | {share(tally.hit_at_3, tally.with_support)} |",
    ]
    for label in LABELS:
        claims = tally.claims[label]
        lines.append(f"| {name} | figure alarms (CC502 or CC504), {label} | {share(tally.alarms[label], claims)} |")
        lines.append(f"| {name} | … CC502 not found, {label} | {share(tally.cc502[label], claims)} |")
        lines.append(f"| {name} | … CC504 says otherwise, {label} | {share(tally.cc504[label], claims)} |")
        lines.append(f"| {name} | CC505 check by hand, {label} | {share(tally.check_by_hand[label], claims)} |")
    lines += [
        f"| {name} | changed-figure cases caught (CC504 recall) | {share(tally.changed_caught, tally.changed_cases)} |",
        f"| {name} | … where the figure is gone from the source | {share(tally.changed_caught, tally.changed_gone)} |",
        f"| {name} | CC504 precision (changed + unchanged supported) | {share(tally.warnings_right, warnings)} |",
        f"| {name} | partially supported, changed: recall | {share(tally.partial_caught, tally.partial_cases)} |",
        f"| {name} | … where the figure is gone from the source | {share(tally.partial_caught, tally.partial_gone)} |",
        f"| {name} | partially supported, changed: precision | "
        f"{share(tally.partial_right, tally.partial_right + tally.partial_wrong)} |",
        f"| {name} | CPU time per claim, mean / p95 | {1000 * statistics.fmean(times or [0]):.1f} / "
        f"{1000 * p95:.1f} ms |",
    ]
    return lines


def bad_inputs() -> list[str]:
    """Seconds (CPU) and outcome for inputs that must take bounded time and give a clear reason."""
    from citecheck.resolve.pdf_text import extract_pdf_text

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.pdf_factory import make_pdf, report_pages

    lines = ["| input | CPU seconds | outcome |", "| --- | ---: | --- |"]

    def timed(label: str, run: Callable[[], str]) -> None:
        started = time.process_time()
        outcome = run()
        lines.append(f"| {label} | {time.process_time() - started:.2f} | {outcome} |")

    pdf = make_pdf(report_pages(500))

    def read_pdf() -> str:
        result = extract_pdf_text(pdf)
        return f"{result.pages_read} of {result.pages} pages read; {result.reason}"

    timed(f"500-page PDF ({len(pdf) // 1024} KB)", read_pdf)
    timed("a PDF that is really HTML", lambda: str(extract_pdf_text(b"<!DOCTYPE html><html>404</html>").reason))
    big = ("Unrelated sentences about the weather fill this page. " * 190_000) + " The camp lies 77 km away."

    def ten_megabytes() -> str:
        result, _ = check("The camp lies 77 km from the border.", big)
        codes = sorted({finding.code for finding in result.findings}) or ["no finding"]
        return f"{result.verdict}; {', '.join(codes)}; searched the first 2,000,000 characters"

    timed(f"{len(big) / 1e6:.1f} MB source text", ten_megabytes)
    short = "The council approved the stadium plan on Tuesday. It would cost 48 million dollars."
    for label, claim in (("one-word claim", "stadium"), ("claim in another script", "議会は火曜日に計画を承認した。")):
        timed(label, lambda claim=claim: f"{check(claim, short)[0].verdict}")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--join", choices=["newline", "space"], default="newline")
    args = parser.parse_args()
    if not args.data.is_file():
        print(f"skipped: {args.data} not found (the WiCE sample lives in ../shared/claims-samples/)")
        return 0
    rows = load(args.data)
    joiner = "\n" if args.join == "newline" else " "
    started = time.perf_counter()
    tallies = run(rows, joiner)
    elapsed = time.perf_counter() - started
    print(f"WiCE dev: {len(rows)} claims, sentences joined by {args.join}, {elapsed:.1f} s in all\n")
    print("| half | measure | value |")
    print("| --- | --- | ---: |")
    for half in HALVES:
        print("\n".join(report(half, tallies[half])))
    print("\n".join(report("all", merged(tallies))))
    print("\nBad input:\n")
    print("\n".join(bad_inputs()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
