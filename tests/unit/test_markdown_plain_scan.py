"""The Markdown reader's plain-document scan gives exactly what reading markdown-it's tokens gives.

Every document is read twice — as the reader reads it (the scan where it applies) and with the scan
turned off (markdown-it) — and the two outputs must be identical; the scan must apply to the
generated corpus and to most plain mutations of it, and must decline documents holding markup.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

from citecheck.documents import markdown as markdown_reader
from citecheck.documents import parse_document

REPOSITORY = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPOSITORY / "benchmarks"))

import bench_parse  # noqa: E402
import diff_readers  # noqa: E402


def _both(text: str, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    scanned = parse_document(text, "doc.md", "markdown").model_dump_json()
    with monkeypatch.context() as patch:
        patch.setattr(markdown_reader, "_read_plain_document", lambda text: None)
        tokens = parse_document(text, "doc.md", "markdown").model_dump_json()
    return scanned, tokens


def _documents() -> list[str]:
    corpus, _, _ = bench_parse.build_corpus(0.4, 5, 12)
    return [text for fmt, text, _ in corpus if fmt == "markdown"]


def test_generated_documents_are_scanned_with_markdown_its_result(monkeypatch: pytest.MonkeyPatch) -> None:
    documents = _documents()
    assert documents
    for text in documents:
        assert markdown_reader._read_plain_document(text) is not None
        scanned, tokens = _both(text, monkeypatch)
        assert scanned == tokens


def test_plain_mutations_agree_with_markdown_it(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(7)
    scanned_count = 0
    documents = _documents()
    for number in range(400):
        text = diff_readers._mutate_plain(documents[number % len(documents)], rng)
        scanned_count += markdown_reader._read_plain_document(text) is not None
        scanned, tokens = _both(text, monkeypatch)
        assert scanned == tokens, text
    assert scanned_count > 100  # the scan is exercised, not declined every time


@pytest.mark.parametrize(
    "text",
    [
        "Text *emphasis* here [^1].\n\n[^1]: Note.\n",
        "Text [link](https://example.org) [^1].\n\n[^1]: Note.\n",
        "- item [^1]\n\n[^1]: Note.\n",
        "1. item\n",
        "Title\n=====\n",
        "---\ntitle: x\n---\n\nText.\n",
        "Text [^1].\n\n[^1]: Note [^2].\n[^2]: Other.\n",
        "Text [^1].\n\n[^1]: Note.\n[^1]: Again.\n",
        "    code\n",
        "Text  \nhard break\n",
        "Text [^1](x).\n\n[^1]: Note.\n",
        "[^1]:  Two spaces.\n",
        "Text\r\nwith CR\n",
    ],
)
def test_markup_goes_to_markdown_it(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert markdown_reader._read_plain_document(text) is None
    scanned, tokens = _both(text, monkeypatch)
    assert scanned == tokens


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n\n",
        "# Title\n\nBody [^a] and [^b] and [^zz].\nNext line [^a].\n\n## Two [^b]\n\n[^a]: A. 3 May 2014.\n"
        "continued lazily\n[^b]: B.\n[^c]: Unused one.\nits second line\n\n# Heading after\n",
        "[^1] opens the paragraph.\n\n[^1]: Note.\n",
        "Text [^1][^2].\n[^1]: Interrupts the paragraph.\n[^2]: Two.\n",
        "Only dangling [^9] markers [^x].\n",
        "####### Seven is text\n",
    ],
)
def test_plain_documents_agree_with_markdown_it(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    scanned, tokens = _both(text, monkeypatch)
    assert scanned == tokens
