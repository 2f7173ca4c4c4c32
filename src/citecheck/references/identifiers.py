"""Bibliographic identifiers (DOI, PMID, PMC, arXiv, ISBN, ISSN, OCLC, Bibcode, LCCN, JSTOR, S2CID, hdl …).

Citations name their sources by identifier as often as by URL: a CS1 template's
``|doi=``, a rendered ``doi:10.1038/nature12373``, a link to ``https://doi.org/…``
or ``Special:BookSources/978…``.  This module reads all three forms into one
normalised :class:`~citecheck.models.Identifiers`, so that every reader stores
the same citation the same way, and an identifier link is never taken for the
page the citation cites.

Normalised forms (agreed in NOTES.md): a DOI without scheme or ``doi:`` prefix,
as registered (compare case-insensitively); PMC as ``PMC123456``; ISBN as digits
(and ``X``) without hyphens; arXiv as ``1501.00001`` or ``hep-th/9901001``.

Pure functions over strings; nothing here raises on any input.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from urllib.parse import parse_qs, unquote, urlsplit

from citecheck.lazy_patterns import lazy_pattern
from citecheck.models import Identifiers
from citecheck.references.construct import build

__all__ = [
    "IDENTIFIER_NAMES",
    "find_dois",
    "identifier_from_parameter",
    "identifier_in_url",
    "identifier_kind",
    "identifiers_from_text",
    "identifiers_from_url",
    "is_identifier_url",
    "isbn_is_valid",
    "merge_identifiers",
    "normalize_arxiv",
    "normalize_doi",
    "normalize_identifier",
    "normalize_isbn",
]

IDENTIFIER_NAMES: tuple[str, ...] = tuple(Identifiers.model_fields)

# --------------------------------------------------------------------------- DOI

# Crossref's recommended pattern, loosened for the characters real DOIs carry
# (``<>`` and ``"`` never occur; a DOI ends before whitespace).
_doi_re = lazy_pattern(r"\b(10\.\d{4,9}/[^\s\"<>\[\]{}|\\^`]+)", re.I)
_doi_prefix_re = lazy_pattern(
    r"^\s*(?:doi\s*:\s*|https?://(?:(?:dx\.)?doi\.org|doi\.acm\.org|dx\.crossref\.org)/|info:doi/)", re.I
)
_DOI_TRAILING = ".,;:)]}'\"”’»"


def _trim_doi(doi: str) -> str:
    while doi and doi[-1] in _DOI_TRAILING:
        # A closing bracket that opened inside the DOI belongs to it: 10.1002/(SICI)1097-0258(19980815/30)17:15
        if doi[-1] == ")" and doi.count("(") >= doi.count(")"):
            break
        doi = doi[:-1]
    return doi


def normalize_doi(text: str | None) -> str | None:
    """``doi:10.1038/NATURE12373``, ``https://doi.org/10.1038%2Fnature12373`` → ``10.1038/NATURE12373``.

    The DOI is kept as registered (case preserved: DOIs compare case-insensitively).
    ``None`` when ``text`` holds no DOI.
    """
    if not text or not isinstance(text, str):
        return None
    candidate = _doi_prefix_re().sub("", text.strip(), count=1)
    if "%" in candidate:
        candidate = unquote(candidate)
    match = _doi_re().match(candidate.strip())
    if match is None:
        return None
    doi = _trim_doi(match.group(1))
    return doi if "/" in doi and len(doi.split("/", 1)[1]) > 0 else None


def find_dois(text: str | None) -> list[str]:
    """Every DOI written in ``text``, in order, each once (compared case-insensitively)."""
    if not text or not isinstance(text, str):
        return []
    found: list[str] = []
    seen: set[str] = set()
    for match in _doi_re().finditer(unquote(text) if "%2" in text or "%2" in text.lower() else text):
        doi = _trim_doi(match.group(1))
        if doi.split("/", 1)[1] and doi.lower() not in seen:
            seen.add(doi.lower())
            found.append(doi)
    return found


# --------------------------------------------------------------------------- ISBN

_isbn_chars_re = lazy_pattern(r"[\s\u00a0\u2009\u2010-\u2015-]")
_isbn_shape_re = lazy_pattern(r"^(?:\d{9}[\dX]|\d{13})$")


def normalize_isbn(text: str | None) -> str | None:
    """``978-0-8018-8221-0`` → ``9780801882210``; ``0-19-850763-x`` → ``019850763X``.

    Only the shape is checked (10 or 13 characters); :func:`isbn_is_valid` checks the digit.
    """
    if not text or not isinstance(text, str):
        return None
    compact = _isbn_chars_re().sub("", text.strip()).upper()
    if compact.startswith("ISBN"):
        compact = compact[4:].lstrip(":")
    return compact if _isbn_shape_re().match(compact) else None


def isbn_is_valid(isbn: str | None) -> bool:
    """Whether a normalised ISBN-10 or ISBN-13 has a correct check digit."""
    if not isbn or not isinstance(isbn, str) or not _isbn_shape_re().match(isbn):
        return False
    if len(isbn) == 10:
        total = sum((10 - index) * (10 if char == "X" else int(char)) for index, char in enumerate(isbn))
        return total % 11 == 0
    total = sum((3 if index % 2 else 1) * int(char) for index, char in enumerate(isbn))
    return total % 10 == 0


# --------------------------------------------------------------------------- the others

_arxiv_re = lazy_pattern(r"^(?:arxiv:\s*)?(?P<id>\d{4}\.\d{4,5}|[a-z][a-z\-]*(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?$", re.I)
_digits_re = lazy_pattern(r"^\d{1,12}$")
_pmc_re = lazy_pattern(r"^(?:PMC)?\s*(?P<id>\d{1,10})$", re.I)
_issn_re = lazy_pattern(r"^(?P<a>\d{4})[\s\u2010-\u2015-]?(?P<b>\d{3}[\dXx])$")
_bibcode_re = lazy_pattern(r"^\d{4}[A-Za-z&.]\S{14}$")
_lccn_re = lazy_pattern(r"^[a-z]{0,3}\d{2,4}[\s-]?\d{1,8}$", re.I)
_hdl_re = lazy_pattern(r"^(?:hdl:\s*)?(?P<id>\d[\w.]*/\S+)$", re.I)
_space_re = lazy_pattern(r"\s+")


def normalize_arxiv(text: str | None) -> str | None:
    """``arXiv:1501.00001v2`` → ``1501.00001``; ``hep-th/9901001`` stays."""
    if not text or not isinstance(text, str):
        return None
    match = _arxiv_re().match(text.strip())
    return match["id"] if match else None


def _normalize_pmc(text: str) -> str | None:
    match = _pmc_re().match(text.strip())
    return f"PMC{match['id']}" if match else None


def _normalize_digits(text: str) -> str | None:
    compact = text.strip()
    return compact if _digits_re().match(compact) else None


def _normalize_issn(text: str) -> str | None:
    match = _issn_re().match(text.strip())
    return f"{match['a']}-{match['b'].upper()}" if match else None


def _normalize_bibcode(text: str) -> str | None:
    compact = text.strip()
    return compact if _bibcode_re().match(compact) else None


def _normalize_lccn(text: str) -> str | None:
    compact = _space_re().sub("", text.strip()).replace("-", "")
    return compact.lower() if _lccn_re().match(compact) else None


def _normalize_hdl(text: str) -> str | None:
    match = _hdl_re().match(text.strip())
    return match["id"] if match else None


def _normalize_token(text: str) -> str | None:
    compact = text.strip()
    return compact if compact and len(compact) <= 200 and not _space_re().search(compact) else None


_NORMALIZERS = {
    "doi": normalize_doi,
    "pmid": _normalize_digits,
    "pmc": _normalize_pmc,
    "arxiv": normalize_arxiv,
    "isbn": normalize_isbn,
    "issn": _normalize_issn,
    "eissn": _normalize_issn,
    "oclc": _normalize_digits,
    "bibcode": _normalize_bibcode,
    "lccn": _normalize_lccn,
    "jstor": _normalize_token,
    "s2cid": _normalize_digits,
    "hdl": _normalize_hdl,
    "osti": _normalize_digits,
    "ssrn": _normalize_digits,
    "zbl": _normalize_token,
    "mr": _normalize_token,
    "ol": _normalize_token,
    "citeseerx": _normalize_token,
    "asin": _normalize_token,
    "ismn": _normalize_token,
    "biorxiv": normalize_doi,
    "medrxiv": normalize_doi,
    "rfc": _normalize_digits,
}


def normalize_identifier(name: str, value: str | None) -> str | None:
    """Normalise one identifier of kind ``name`` (a field of :class:`Identifiers`); None if it is not one."""
    if not value or not isinstance(value, str):
        return None
    normalizer = _NORMALIZERS.get(name)
    if normalizer is None:
        return None
    try:
        return normalizer(value)
    except (ValueError, TypeError):  # defensive: no normaliser should raise, but input is untrusted
        return None


# CS1 parameter names (and their aliases) that carry an identifier.
_PARAMETER_IDENTIFIERS: dict[str, str] = {
    "doi": "doi",
    "pmid": "pmid",
    "pmc": "pmc",
    "arxiv": "arxiv",
    "eprint": "arxiv",
    "isbn": "isbn",
    "isbn13": "isbn",
    "issn": "issn",
    "eissn": "eissn",
    "oclc": "oclc",
    "bibcode": "bibcode",
    "lccn": "lccn",
    "jstor": "jstor",
    "s2cid": "s2cid",
    "hdl": "hdl",
    "osti": "osti",
    "ssrn": "ssrn",
    "zbl": "zbl",
    "mr": "mr",
    "ol": "ol",
    "citeseerx": "citeseerx",
    "asin": "asin",
    "ismn": "ismn",
    "biorxiv": "biorxiv",
    "medrxiv": "medrxiv",
    "rfc": "rfc",
}


def identifier_kind(parameter: str) -> str | None:
    """The identifier a cite-template parameter names (``eprint`` → ``arxiv``), or None."""
    return _PARAMETER_IDENTIFIERS.get(parameter.strip().lower())


def identifier_from_parameter(parameter: str, value: str | None) -> tuple[str, str] | None:
    """``("doi", "10.1/x")`` for a cite-template parameter that names an identifier, else None."""
    name = _PARAMETER_IDENTIFIERS.get(parameter.strip().lower())
    if name is None:
        return None
    normalised = normalize_identifier(name, value)
    return (name, normalised) if normalised else None


# --------------------------------------------------------------------------- links

_pubmed_path_re = lazy_pattern(r"^/(?:pubmed/)?(?P<id>\d{1,10})/?$")
_pmc_path_re = lazy_pattern(r"/(?:pmc/)?articles/(?P<id>PMC\d{1,10})/?", re.I)
_arxiv_path_re = lazy_pattern(r"^/abs/(?P<id>.+?)/?$")
_worldcat_path_re = lazy_pattern(r"^/(?:title/[^/]*/)?(?P<kind>oclc|isbn|issn)/(?P<id>[\dXx-]+)", re.I)
# MediaWiki's Special:BookSources/ISBN in any language ("خاص:مصادر_كتاب/0-19-850763-1"): a namespaced
# page name followed by a valid ISBN.
_booksources_re = lazy_pattern(r"[^/:]+:[^/]+/(?P<id>[\dXx-]{10,17})$")
_ads_path_re = lazy_pattern(r"^/(?:#)?abs/(?P<id>[^/]{19})", re.I)
_lccn_path_re = lazy_pattern(r"^/(?P<id>[a-z]{0,3}\d[\d\s-]*)/?$", re.I)
_jstor_path_re = lazy_pattern(r"^/stable/(?P<id>[^?#]+?)/?$")
_s2cid_path_re = lazy_pattern(r"^/CorpusID:(?P<id>\d+)")
_osti_path_re = lazy_pattern(r"^/(?:biblio/)?(?P<id>\d+)")
_openlibrary_path_re = lazy_pattern(r"^/(?:works|books)/(?P<id>OL\d+[MWA])")


def _query(rest: str, key: str) -> str | None:
    values = parse_qs(rest).get(key)
    return values[0] if values else None


def identifiers_from_url(url: str | None) -> Identifiers:
    """The identifier a resolver link names: doi.org, PubMed, PMC, arXiv, WorldCat, ADS, LCCN, JSTOR,
    Semantic Scholar, Handle, OSTI, SSRN, Open Library and MediaWiki's ``Special:BookSources``.

    Empty :class:`Identifiers` for any other URL (including unparseable ones).
    """
    if not url or not isinstance(url, str):
        return build(Identifiers)
    found = identifier_in_url(url)
    return build(Identifiers, **{found[0]: found[1]}) if found is not None else build(Identifiers)


@functools.lru_cache(maxsize=8192)
def identifier_in_url(url: str) -> tuple[str, str] | None:
    """``(name, normalised value)`` of the identifier ``url`` names, or None (pure: asked again per reference).

    :func:`identifiers_from_url` without building an :class:`Identifiers`, for callers that want the one pair.
    """
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower()
    except ValueError:
        return None
    if host.startswith("www."):
        host = host[4:]
    path = parts.path
    value: str | None = None
    name: str | None = None
    if host in ("doi.org", "dx.doi.org", "doi.acm.org", "dx.crossref.org"):
        name, value = "doi", unquote(path.lstrip("/"))
    elif host in ("pubmed.ncbi.nlm.nih.gov", "ncbi.nlm.nih.gov") and (match := _pubmed_path_re().match(path)):
        name, value = "pmid", match["id"]
    elif host in ("ncbi.nlm.nih.gov", "pmc.ncbi.nlm.nih.gov", "europepmc.org") and (
        match := _pmc_path_re().search(path)
    ):
        name, value = "pmc", match["id"]
    elif host in ("arxiv.org", "export.arxiv.org") and (match := _arxiv_path_re().match(path)):
        name, value = "arxiv", match["id"]
    elif host in ("worldcat.org", "search.worldcat.org", "firstsearch.oclc.org") and (
        match := _worldcat_path_re().match(path)
    ):
        name, value = match["kind"].lower(), match["id"]
    elif host in ("ui.adsabs.harvard.edu", "adsabs.harvard.edu") and (
        match := _ads_path_re().match(unquote(path if path != "/" else "/" + parts.fragment))
    ):
        name, value = "bibcode", match["id"]
    elif host == "lccn.loc.gov" and (match := _lccn_path_re().match(path)):
        name, value = "lccn", match["id"]
    elif host == "jstor.org" and (match := _jstor_path_re().match(path)):
        name, value = "jstor", unquote(match["id"])
    elif host == "api.semanticscholar.org" and (match := _s2cid_path_re().match(path)):
        name, value = "s2cid", match["id"]
    elif host == "hdl.handle.net":
        name, value = "hdl", unquote(path.lstrip("/"))
    elif host == "osti.gov" and (match := _osti_path_re().match(path)):
        name, value = "osti", match["id"]
    elif host in ("papers.ssrn.com", "ssrn.com") and _query(parts.query, "abstract_id"):
        name, value = "ssrn", _query(parts.query, "abstract_id")
    elif host == "openlibrary.org" and (match := _openlibrary_path_re().match(path)):
        name, value = "ol", match["id"][2:]
    elif host in ("zbmath.org",) and _query(parts.query, "q"):
        name, value = "zbl", (_query(parts.query, "q") or "").removeprefix("an:")
    elif host == "ams.org" and _query(parts.query, "mr"):
        name, value = "mr", _query(parts.query, "mr")
    elif host in ("citeseerx.ist.psu.edu",) and _query(parts.query, "doi"):
        name, value = "citeseerx", _query(parts.query, "doi")
    elif (match := _booksources_re().search(unquote(path))) and isbn_is_valid(normalize_isbn(match["id"])):
        name, value = "isbn", match["id"]
    if name is not None:
        normalised = normalize_identifier(name, value)
        if normalised:
            return name, normalised
    return None


def is_identifier_url(url: str | None) -> bool:
    """True when ``url`` is a resolver link for an identifier (see :func:`identifiers_from_url`)."""
    return bool(identifiers_from_url(url).present())


# --------------------------------------------------------------------------- rendered text

_TEXT_PATTERNS: list[tuple[str, Callable[[], re.Pattern[str]]]] = [
    ("doi", lazy_pattern(r"\bdoi\s*:?\s*(10\.\d{4,9}/[^\s\"<>\[\]{}|\\^`]+)", re.I)),
    (
        "isbn",
        lazy_pattern(r"\bISBN(?:-1[03])?\s*:?\s*((?:97[89][\s\u2010-\u2015-]?)?(?:\d[\s\u2010-\u2015-]?){9}[\dXx])"),
    ),
    ("issn", lazy_pattern(r"\bE?ISSN\s*:?\s*(\d{4}[\u2010-\u2015-]?\d{3}[\dXx])\b")),
    ("pmid", lazy_pattern(r"\bPMID\s*:?\s*(\d{1,10})\b")),
    ("pmc", lazy_pattern(r"\bPMC\s*:?\s*(\d{1,10})\b")),
    ("arxiv", lazy_pattern(r"\barXiv\s*:\s*(\d{4}\.\d{4,5}(?:v\d+)?|[a-z][a-z\-]*(?:\.[A-Z]{2})?/\d{7})", re.I)),
    ("oclc", lazy_pattern(r"\bOCLC\s*:?\s*(\d{1,12})\b")),
    ("bibcode", lazy_pattern(r"\bBibcode\s*:?\s*(\d{4}[A-Za-z&.]\S{14})")),
    ("lccn", lazy_pattern(r"\bLCCN\s*:?\s*([a-z]{0,3}\d{2,4}[\s-]?\d{1,8})\b", re.I)),
    ("jstor", lazy_pattern(r"\bJSTOR\s*:?\s*(\d{1,12})\b")),
    ("s2cid", lazy_pattern(r"\bS2CID\s*:?\s*(\d{1,12})\b")),
    ("hdl", lazy_pattern(r"\bhdl\s*:\s*(\d[\w.]*/[^\s,;]+)", re.I)),
    ("osti", lazy_pattern(r"\bOSTI\s*:?\s*(\d{1,12})\b")),
    ("ssrn", lazy_pattern(r"\bSSRN\s*:?\s*(\d{1,12})\b")),
]


_IDENTIFIER_WORDS: tuple[str, ...] = ("doi", "isbn", "issn", "pmid", "pmc", "arxiv", "oclc", "bibcode", "lccn")
_IDENTIFIER_WORDS += ("jstor", "s2cid", "hdl", "osti", "ssrn")
# Any of the words, found in one pass over the lower-cased text (case-sensitively: the text is lowered first).
_IDENTIFIER_WORDS_RE = re.compile("|".join(_IDENTIFIER_WORDS))


def identifiers_from_text(text: str | None) -> Identifiers:
    """Identifiers a rendered citation writes out (``doi:10.1/x``, ``ISBN 978-…``, ``PMID 123`` …); first of each."""
    if not text or not isinstance(text, str):
        return build(Identifiers)
    lowered = text.lower()
    if _IDENTIFIER_WORDS_RE.search(lowered) is None:  # most citations name no identifier
        return build(Identifiers)
    found: dict[str, str] = {}
    upper = text.upper()
    for name, pattern in _TEXT_PATTERNS:
        if name.upper()[:2] not in upper:
            continue
        for match in pattern().finditer(text):
            normalised = normalize_identifier(name, match.group(1))
            if normalised:
                found[name] = normalised
                break
    return build(Identifiers, **found)  # normalised strings: nothing for validation to change


def merge_identifiers(*sources: Identifiers) -> Identifiers:
    """The first value of each identifier across ``sources`` (earlier sources win)."""
    merged: dict[str, str] = {}
    for source in sources:
        for name, value in source.present().items():
            merged.setdefault(name, value)
    return build(Identifiers, **merged)
