"""Link classes: the cheap host look before the full parse must never hide an identifier the parse would find."""

from __future__ import annotations

import pytest

from citecheck.models import LinkKind
from citecheck.references.identifiers import identifier_in_url
from citecheck.references.links import classify_link

IDENTIFIER_LINKS = [
    "https://doi.org/10.1000/182",
    "https://dx.crossref.org/10.1000/182",
    "https://en.wikipedia.org/wiki/Special:BookSources/978-0-306-40615-7",
    "https://en.wikipedia.org/wiki/Special%3ABookSources/978-0-306-40615-7",
    "https://de.wikipedia.org/wiki/Spezial%3aISBN-Suche/9780306406157",
    "https://pubmed.ncbi.nlm.nih.gov/12345678/",
    "https://arxiv.org/abs/1706.03762",
    "https://hdl.handle.net/2027/mdp.39015000000000",
]


@pytest.mark.parametrize("url", IDENTIFIER_LINKS)
def test_a_link_that_names_an_identifier_is_an_identifier_link(url: str) -> None:
    if identifier_in_url(url) is None:
        pytest.skip(f"identifier_in_url does not read {url}")
    assert classify_link(url).kind is LinkKind.identifier


def test_a_plain_page_is_the_original() -> None:
    assert classify_link("https://example.org/a/b:c").kind is LinkKind.original
