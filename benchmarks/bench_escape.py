"""Escaping benchmark: Markdown escaping and report rendering, against the old per-character escaping.

Run: ``python benchmarks/bench_escape.py [--repeat 5] [--hostile-share 0.02]``

The texts are what the reports really escape: every document of
``../shared/wikipedia-samples`` and ``../shared/seeds`` (when present; a
generated corpus otherwise) is parsed and audited offline, and every value
the Markdown report writer passes to ``md_cell``/``md_text`` is recorded
while rendering.  A share of them (``--hostile-share``) gets control
characters, escape sequences and bidi controls spliced in, as hostile
documents would.

Printed, minimum of ``--repeat`` runs each:

* ``md_cell``/``md_text`` over the recorded calls: the escaping module now
  (one precompiled-regex test, one ``str.translate``) against the baseline in
  the same run — the previous implementation (control regex, a Python
  ``"".join`` over every character for HTML entities, then a Markdown regex
  substitution), kept verbatim below;
* whole-report rendering (``render_document_markdown``) with each
  implementation patched in;
* how many escaped values differ between the two (only values that carry
  line breaks, controls or bidi characters may differ).
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest import mock

import citecheck.reports.markdown as markdown_report
from citecheck.config import AuditOptions
from citecheck.documents import read_document
from citecheck.models import DocumentReport
from citecheck.pipeline import OFFLINE_STATE, audit_parsed
from citecheck.reports import escape

SHARED = Path(__file__).resolve().parents[2] / "shared"
HOSTILE_BITS = ["\x1b[31m", "\x1b]0;x\x07", "\u202e", "\u2066", "\x85", "\x00", "\r\n", "\x9b2J", "\u200f"]

# --- the previous implementation (baseline), verbatim ---------------------------------------------------------------
_OLD_MARKDOWN_SPECIAL_RE = re.compile(r"([\\`*_\[\]|~])")
_OLD_HTML_SPECIAL = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_OLD_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u2028\u2029]")
_OLD_WHITESPACE_RE = re.compile(r"\s+")


def old_md_text(value: object, limit: int | None = None) -> str:
    text = "" if value is None else str(value)
    text = _OLD_CONTROL_RE.sub(" ", text)
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    text = "".join(_OLD_HTML_SPECIAL.get(char, char) for char in text)
    return _OLD_MARKDOWN_SPECIAL_RE.sub(r"\\\1", text)


def old_md_cell(value: object, limit: int | None = 300) -> str:
    text = "" if value is None else str(value)
    text = _OLD_WHITESPACE_RE.sub(" ", text).strip()
    return old_md_text(text, limit) or " "


def old_md_link(label: object, url: str | None, limit: int | None = 80) -> str:
    target = escape.safe_url(url)
    shown = old_md_cell(label, limit) if label else old_md_cell(url, limit)
    return shown if target is None else f"[{shown}](<{target}>)"


# --- corpus -------------------------------------------------------------------------------------------------------


def _documents() -> list[Path]:
    found = sorted((SHARED / "wikipedia-samples").glob("*.html")) + sorted(
        (SHARED / "wikipedia-samples").glob("*.wikitext.txt")
    )
    found += sorted((SHARED / "seeds").glob("*.txt"))
    return found


def _generated_reports(count: int, rng: random.Random) -> list[DocumentReport]:
    from citecheck.documents import parse_document

    lines = ["Generated article.", ""]
    for number in range(1, 200):
        lines.append(f"Claim {number} about the council report [{number}].")
    lines += ["", "References", ""]
    for number in range(1, 200):
        lines.append(
            f'{number}. ^ Smith, Carol (3 May 2011). "Title | {rng.random():.3f} *bold* & <tag>". '
            f"The Daily Example. https://news.example.org/{number}/story. Retrieved 4 May 2012."
        )
    text = "\n".join(lines)
    options = AuditOptions(offline=True)
    return [
        audit_parsed(parse_document(text, f"gen-{index}.txt", "text"), options, OFFLINE_STATE) for index in range(count)
    ]


def corpus_reports(rng: random.Random) -> tuple[list[DocumentReport], str]:
    options = AuditOptions(offline=True)
    paths = _documents()
    if not paths:
        return _generated_reports(10, rng), "generated corpus (../shared absent): 10 documents"
    reports = [audit_parsed(read_document(path), options, OFFLINE_STATE) for path in paths]
    references = sum(len(report.references) for report in reports)
    return reports, f"{len(reports)} real documents from ../shared ({references:,} references)"


def recorded_calls(reports: list[DocumentReport]) -> list[tuple[str, tuple[Any, ...]]]:
    """Every (function, arguments) the Markdown writer escapes while rendering ``reports``."""
    calls: list[tuple[str, tuple[Any, ...]]] = []

    def recorder(name: str, real: Callable[..., str]) -> Callable[..., str]:
        def record(*args: Any) -> str:
            calls.append((name, args))
            return real(*args)

        return record

    with (
        mock.patch.object(markdown_report, "md_cell", recorder("md_cell", escape.md_cell)),
        mock.patch.object(markdown_report, "md_text", recorder("md_text", escape.md_text)),
    ):
        for report in reports:
            markdown_report.render_document_markdown(report)
    return calls


def _hostile(calls: list[tuple[str, tuple[Any, ...]]], share: float, rng: random.Random) -> None:
    for index, (name, args) in enumerate(calls):
        if args and isinstance(args[0], str) and args[0] and rng.random() < share:
            text = args[0]
            cut = rng.randrange(len(text))
            calls[index] = (name, (text[:cut] + rng.choice(HOSTILE_BITS) + text[cut:], *args[1:]))


def best_of(repeat: int, run: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--hostile-share", type=float, default=0.02)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    reports, described = corpus_reports(rng)
    calls = recorded_calls(reports)
    _hostile(calls, args.hostile_share, rng)
    characters = sum(len(str(call[1][0])) for call in calls if call[1])
    print(f"corpus: {described}; {len(calls):,} escaping calls, {characters / 1e6:.2f} M characters")

    new = {"md_cell": escape.md_cell, "md_text": escape.md_text}
    old = {"md_cell": old_md_cell, "md_text": old_md_text}

    def escape_all(functions: dict[str, Callable[..., str]]) -> Callable[[], object]:
        return lambda: [functions[name](*arguments) for name, arguments in calls]

    old_time = best_of(args.repeat, escape_all(old))
    new_time = best_of(args.repeat, escape_all(new))
    print(f"{'escaping':<28} {'seconds':>9} {'M chars/s':>10} {'ns/char':>8}")
    for label, seconds in (("old (per-character join)", old_time), ("new (regex test + translate)", new_time)):
        print(f"{label:<28} {seconds:>9.4f} {characters / seconds / 1e6:>10.1f} {seconds / characters * 1e9:>8.1f}")
    print(f"speed-up: {old_time / new_time:.1f}×")

    def render_all() -> None:
        for report in reports:
            markdown_report.render_document_markdown(report)

    with (
        mock.patch.object(markdown_report, "md_cell", old_md_cell),
        mock.patch.object(markdown_report, "md_text", old_md_text),
        mock.patch.object(markdown_report, "md_link", old_md_link),
    ):
        old_render = best_of(args.repeat, render_all)
    new_render = best_of(args.repeat, render_all)
    print(
        f"whole Markdown reports ({len(reports)} documents): old {old_render:.3f} s, new {new_render:.3f} s "
        f"({old_render / new_render:.2f}×)"
    )

    differing = [(name, arguments) for name, arguments in calls if new[name](*arguments) != old[name](*arguments)]
    suspicious = [
        arguments[0]
        for _, arguments in differing
        if not re.search(
            r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]", str(arguments[0])
        )
    ]
    print(
        f"outputs differing from the old escaping: {len(differing):,} of {len(calls):,} "
        f"(all carry controls, line breaks or bidi characters: {'yes' if not suspicious else 'NO'})"
    )
    if suspicious:
        print("differences without such characters:", [text[:80] for text in suspicious[:5]], file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
