"""Claims are built without validating them (``references.construct.build``): what is built must be valid.

Every claim of each document is dumped and validated again; the validated copy must equal what
``build_claims`` built, value for value and type for type (``repr`` shows an enum member and its string
differently, a list and a tuple), so skipping the validation changes nothing.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest

from citecheck.claims.build import build_claims
from citecheck.documents import parse_document
from citecheck.models import Claim, DocumentFormat, ParsedDocument
from tests.blog_corpus import blog_sample, markdown_sample

REPOSITORY = Path(__file__).resolve().parents[2]
SHARED = REPOSITORY.parent / "shared"


def _assert_claims_valid(document: ParsedDocument, kinds: Counter[str]) -> None:
    for claim in build_claims(document).claims:
        validated = Claim.model_validate(claim.model_dump())
        assert repr(validated) == repr(claim)
        assert validated.model_dump_json() == claim.model_dump_json()
        assert validated.model_fields_set == claim.model_fields_set
        kinds.update(evidence.kind for evidence in claim.evidence)
        kinds[claim.verdict] += 1


def test_claims_of_generated_documents_and_blog_posts_are_valid() -> None:
    sys.path.insert(0, str(REPOSITORY / "benchmarks"))
    import bench_parse

    kinds: Counter[str] = Counter()
    corpus, _, _ = bench_parse.build_corpus(0.3, 3, 20)
    for fmt, text, _ in corpus:
        _assert_claims_valid(parse_document(text, "doc", fmt), kinds)
    for seed in range(3):
        _assert_claims_valid(parse_document(markdown_sample(seed).text, "blog.md", "markdown"), kinds)
        _assert_claims_valid(parse_document(blog_sample(seed).text, "blog.html", "html"), kinds)
    # The test reaches the evidence built in the inner loops, not only bare claims.
    assert kinds["marker"] and kinds["inferred"] and kinds["uncited"] and kinds["not-checked"]


def test_claims_of_real_samples_are_valid() -> None:
    paths = sorted((SHARED / "seeds").glob("*.txt")) + sorted((SHARED / "wikipedia-samples").glob("*"))
    if not paths:
        pytest.skip("../shared is not here")
    kinds: Counter[str] = Counter()
    for path in paths:
        fmt: DocumentFormat
        if path.name.endswith(".wikitext.txt"):
            fmt = DocumentFormat.wikitext
        elif path.suffix == ".html":
            fmt = DocumentFormat.html
        elif path.suffix == ".txt":
            fmt = DocumentFormat.text
        else:
            continue
        _assert_claims_valid(parse_document(path.read_text(encoding="utf-8"), str(path), fmt), kinds)
    assert kinds["marker"] and kinds["inferred"]
