"""Identifier helpers: normalised forms agreed in NOTES.md, from parameters, links and rendered text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from citecheck.models import Identifiers
from citecheck.references.identifiers import (
    find_dois,
    identifier_from_parameter,
    identifiers_from_text,
    identifiers_from_url,
    is_identifier_url,
    isbn_is_valid,
    merge_identifiers,
    normalize_arxiv,
    normalize_doi,
    normalize_isbn,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10.1038/nature12373", "10.1038/nature12373"),
        ("doi:10.1038/NATURE12373", "10.1038/NATURE12373"),
        ("https://doi.org/10.1016%2Fj.cub.2009.05.033", "10.1016/j.cub.2009.05.033"),
        ("http://dx.doi.org/10.1000/xyz123.", "10.1000/xyz123"),
        ("info:doi/10.1/x", None),  # registrant codes have 4–9 digits
        ("10.1002/(SICI)1097-0258(19980815/30)17:15", "10.1002/(SICI)1097-0258(19980815/30)17:15"),
        ("not a doi", None),
        ("", None),
    ],
)
def test_normalize_doi(text: str, expected: str | None) -> None:
    assert normalize_doi(text) == expected


def test_find_dois_in_running_text() -> None:
    text = "See doi:10.1038/nature12373. Also (10.1000/xyz123) and again 10.1038/NATURE12373"
    assert find_dois(text) == ["10.1038/nature12373", "10.1000/xyz123"]


def test_isbn_normalised_and_checked() -> None:
    assert normalize_isbn("978-0-8018-8221-0") == "9780801882210"
    assert normalize_isbn("ISBN 0-19-850763-x") == "019850763X"
    assert normalize_isbn("12345") is None
    assert isbn_is_valid("9780801882210")
    assert isbn_is_valid("0198507631")
    assert not isbn_is_valid("9780801882211")
    assert not isbn_is_valid("abc")


def test_arxiv_forms() -> None:
    assert normalize_arxiv("arXiv:1501.00001v2") == "1501.00001"
    assert normalize_arxiv("hep-th/9901001") == "hep-th/9901001"
    assert normalize_arxiv("1501") is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://doi.org/10.1016%2Fj.cub.2009.05.033", {"doi": "10.1016/j.cub.2009.05.033"}),
        ("https://pubmed.ncbi.nlm.nih.gov/19602409", {"pmid": "19602409"}),
        ("https://www.ncbi.nlm.nih.gov/pubmed/19602409", {"pmid": "19602409"}),
        ("https://www.ncbi.nlm.nih.gov/pmc/articles/PMC3145151/", {"pmc": "PMC3145151"}),
        ("https://arxiv.org/abs/1501.00001v2", {"arxiv": "1501.00001"}),
        ("https://www.worldcat.org/oclc/62265494", {"oclc": "62265494"}),
        ("https://ui.adsabs.harvard.edu/abs/2009CBio...19.R507M", {"bibcode": "2009CBio...19.R507M"}),
        ("https://api.semanticscholar.org/CorpusID:10972076", {"s2cid": "10972076"}),
        ("https://lccn.loc.gov/2004555555", {"lccn": "2004555555"}),
        ("https://www.jstor.org/stable/1234", {"jstor": "1234"}),
        ("https://hdl.handle.net/10.1000/xyz", {"hdl": "10.1000/xyz"}),
        ("/wiki/Special:BookSources/978-0-8018-8221-0", {"isbn": "9780801882210"}),
        ("https://example.org/doi.org/10.1/x", {}),
        ("https://[::g]/", {}),
    ],
)
def test_identifiers_from_url(url: str, expected: dict[str, str]) -> None:
    assert identifiers_from_url(url).present() == expected
    assert is_identifier_url(url) == bool(expected)


def test_identifiers_from_rendered_text() -> None:
    text = (
        "Bibcode:2009CBio...19.R507M. doi:10.1016/j.cub.2009.05.033. PMID 19602409. S2CID 10972076. "
        "ISBN 978-0-8018-8221-0. OCLC 62265494. arXiv:hep-th/9901001. PMC 3145151. JSTOR 4567."
    )
    assert identifiers_from_text(text).present() == {
        "bibcode": "2009CBio...19.R507M",
        "doi": "10.1016/j.cub.2009.05.033",
        "pmid": "19602409",
        "s2cid": "10972076",
        "isbn": "9780801882210",
        "oclc": "62265494",
        "arxiv": "hep-th/9901001",
        "pmc": "PMC3145151",
        "jstor": "4567",
    }


def test_parameters_and_merging() -> None:
    assert identifier_from_parameter("DOI", "10.1/x") is None
    assert identifier_from_parameter("doi", "10.1234/x") == ("doi", "10.1234/x")
    assert identifier_from_parameter("eprint", "1501.00001") == ("arxiv", "1501.00001")
    assert identifier_from_parameter("title", "x") is None
    merged = merge_identifiers(Identifiers(doi="10.1234/a"), Identifiers(doi="10.1234/b", pmid="1"))
    assert merged.present() == {"doi": "10.1234/a", "pmid": "1"}


@given(st.text(max_size=200))
def test_helpers_never_raise(text: str) -> None:
    normalize_doi(text)
    find_dois(text)
    normalize_isbn(text)
    identifiers_from_url(text)
    identifiers_from_text(text)
