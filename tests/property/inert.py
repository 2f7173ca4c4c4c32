"""What "inert" means for report text: no raw character that acts on whoever displays it."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

from markdown_it import MarkdownIt

from citecheck.pipeline import AuditResult
from citecheck.reports.annotations import github_annotations
from citecheck.reports.filenames import MAX_NAME_BYTES

# C0 controls except tab and line feed (reports use LF line endings, so even CR is raw), DEL, C1 controls, bidi
# embeddings/overrides/isolates, line/paragraph separators and lone surrogates.
ACTIVE_CHARACTERS_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]")
# The invisible directional marks, allowed only in Markdown prose.
BIDI_MARKS_RE = re.compile("[\u200e\u200f\u061c]")


def active_characters(text: str) -> list[str]:
    """The offending characters of ``text`` (empty when it is inert), as escapes for readable failures."""
    return [f"U+{ord(char):04X}" for char in ACTIVE_CHARACTERS_RE.findall(text)]


RENDER = MarkdownIt("commonmark").enable("table")


def assert_reports_inert(out: Path, result: AuditResult) -> None:
    """Every promised file written, every name bounded, no active character anywhere, Markdown markup contained."""
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    expected = {"index.md", "summary.json", "citecheck.sarif", "findings.jsonl"}
    for document in summary["documents"]:
        expected |= {document["report_md"], document["report_json"]}
    written = {path.name for path in out.iterdir()}
    assert expected <= written, f"reports missing: {sorted(expected - written)}"
    for path in out.iterdir():
        assert len(unicodedata.normalize("NFD", path.name).encode()) <= MAX_NAME_BYTES, path.name
        assert active_characters(path.name) == [], path.name
        text = path.read_text(encoding="utf-8")
        assert active_characters(text) == [], (path.name, active_characters(text)[:10])
        assert path.suffix == ".md" or not BIDI_MARKS_RE.search(text), f"a directional mark in {path.name}"
        if path.suffix == ".md":
            html = RENDER.render(text)
            assert "<script" not in html and 'href="javascript' not in html, path.name
            assert "<h1>injected heading" not in html, path.name
        elif path.suffix == ".json":
            json.loads(text)
    annotations = github_annotations(result.reports)
    assert active_characters(annotations) == []
    assert all(line.startswith(("::error ", "::warning ", "::notice ")) for line in annotations.splitlines())
