"""The readers build their models without validating them (``model_construct``): what they build must be valid.

Each document is dumped and validated again; the validated copy must equal what the reader built, value
for value and type for type (``repr`` shows an enum member and its string differently, a list and a tuple,
an int and a str), so skipping the validation changes nothing.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from citecheck.documents import parse_document
from citecheck.models import DocumentFormat, ParsedDocument
from tests.blog_corpus import blog_sample, markdown_sample

REPOSITORY = Path(__file__).resolve().parents[2]
SHARED = REPOSITORY.parent / "shared"
_EXTENSIONS: dict[str, DocumentFormat] = {".txt": "text", ".md": "markdown", ".wiki": "wikitext", ".html": "html"}


def _assert_valid(document: ParsedDocument) -> None:
    validated = ParsedDocument.model_validate(document.model_dump())
    assert repr(validated) == repr(document)
    assert validated.model_dump_json() == document.model_dump_json()


def _generated() -> list[tuple[str, str]]:
    sys.path.insert(0, str(REPOSITORY / "benchmarks"))
    import bench_parse

    corpus, _, _ = bench_parse.build_corpus(0.3, 3, 20)
    return [(fmt, text) for fmt, text, _ in corpus]


@pytest.mark.parametrize("fmt", ["text", "markdown", "wikitext", "html"])
def test_generated_documents_are_valid(fmt: DocumentFormat) -> None:
    for doc_fmt, text in _generated():
        if doc_fmt == fmt:
            _assert_valid(parse_document(text, "doc", fmt))
    for seed in range(2):
        _assert_valid(parse_document(markdown_sample(seed).text, "blog.md", "markdown"))
        _assert_valid(parse_document(blog_sample(seed).text, "blog.html", "html"))


def test_repository_citations_are_valid() -> None:
    for path in sorted((REPOSITORY / "citations").iterdir()):
        if path.suffix in _EXTENSIONS:
            _assert_valid(parse_document(path.read_text(encoding="utf-8"), str(path), _EXTENSIONS[path.suffix]))


def test_real_samples_are_valid() -> None:
    paths = sorted((SHARED / "seeds").glob("*.txt")) + sorted((SHARED / "wikipedia-samples").glob("*"))
    if not paths:
        pytest.skip("../shared is not here")
    for path in paths:
        if path.name.endswith(".wikitext.txt"):
            fmt: DocumentFormat = "wikitext"
        elif path.suffix == ".html":
            fmt = "html"
        elif path.suffix == ".txt":
            fmt = "text"
        else:
            continue
        text = path.read_text(encoding="utf-8")
        _assert_valid(parse_document(text, str(path), fmt))
        if fmt == "text":
            _assert_valid(parse_document(text, str(path), "markdown"))
