"""What ``citecheck check`` is given: a citation line, a cite template, a URL or a DOI — turned into a Reference.

Inputs are recognised in order, surest first: a bare URL, an identifier
(:data:`IDENTIFIER_READERS`: a DOI, resolved by the identifier stage), a
``{{cite …}}`` template or ``<ref>``, and finally a rendered
reference-list line.  Text that parses into a title alone — a sentence, a
word, a number — is not a citation: :class:`CheckInputError` says so rather
than answering "no problems found".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from citecheck.errors import UsageError
from citecheck.models import Identifiers, Reference, ReferenceKind
from citecheck.references import reference_from_text
from citecheck.references.identifiers import normalize_doi
from citecheck.references.links import url_problem
from citecheck.references.validation import check_reference_data

_BARE_URL_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:\S+$")
# A list number as rendered lists show it; at most three digits so a leading year stays part of the text.
_LIST_NUMBER_RE = re.compile(r"^(?:(?P<number>[0-9]{1,3})\.|\[(?P<bracketed>[0-9]{1,4})\])\s+")
_DOI_INTENT_RE = re.compile(r"^\s*(?:doi\s*:|https?://(?:dx\.)?doi\.org/|10\.)", re.I)
_DOI_LABEL_RE = re.compile(r"^\s*doi\s*:\s*", re.I)
_QUOTED_RE = re.compile(r"[\"“”«»„]")
NOT_A_CITATION = "this does not look like a citation or a URL"


class CheckInputError(UsageError, ValueError):
    """The input cannot be checked; the message is one line for the user."""


def doi_reference(text: str) -> Reference | None:
    """A DOI (``10.1038/nature12373``, ``doi:…``, ``https://doi.org/…``) as a reference whose identifier it is.

    The reference has no URL: the identifier stage asks the DOI system and
    Crossref (:mod:`citecheck.resolve.identifiers`), never the landing page.
    A DOI-looking input that is not a valid DOI is a :class:`CheckInputError`.
    """
    stripped = text.strip()
    # "doi: 10.1/x" is a DOI; "10.5 million people …" is a citation line that starts with a number.
    if not _DOI_INTENT_RE.match(stripped) or re.search(r"\s", _DOI_LABEL_RE.sub("", stripped, count=1)):
        return None
    doi = normalize_doi(stripped)
    if doi is None:
        raise CheckInputError(
            f"not a valid DOI: {stripped!r} (a DOI is 10.<registrant>/<suffix>, e.g. 10.1038/nature12373)"
        )
    return Reference(id="1", kind=ReferenceKind.link, raw=stripped, identifiers=Identifiers(doi=doi))


# Identifier readers tried before the text is read as a citation line; each returns None when it does not apply.
IDENTIFIER_READERS: list[Callable[[str], Reference | None]] = [doi_reference]


def _bare_url(text: str) -> Reference | None:
    if not (_BARE_URL_RE.match(text) and " " not in text):
        return None
    scheme = text.split(":", 1)[0].lower()
    if scheme == "doi":
        return None
    if scheme not in ("http", "https"):
        raise CheckInputError(f"refusing a {scheme}: URL; only http(s) URLs can be checked")
    problem = url_problem(text)
    if problem is not None:
        raise CheckInputError(f"{text[:200]!r} is not a web address ({problem})")
    return reference_from_text(id="1", raw=text, kind="link", url=text)


def _template(text: str) -> Reference | None:
    if not (text.startswith("{{") or text.lower().startswith("<ref")):
        return None
    from citecheck.documents.wikitext import read_wikitext

    wrapped = text if text.lower().startswith("<ref") else f"Claim.<ref>{text}</ref>"
    document = read_wikitext(wrapped, "<input>")
    return document.references[0] if document.references else None


def looks_like_citation(reference: Reference, raw: str) -> bool:
    """More than a bare title: a URL, a date, an author, an outlet, or a quoted title."""
    if reference.url or reference.archive_url or reference.date or reference.access_date or reference.archive_date:
        return True
    if reference.authors or reference.work or reference.publisher:
        return True
    return bool(reference.title and _QUOTED_RE.search(raw))


def reference_from_input(text: str) -> Reference:
    """Turn what the user pasted into a Reference. Raises :class:`CheckInputError` with a one-line message."""
    stripped = text.strip()
    if not stripped:
        raise CheckInputError("nothing to check: give a citation line, a cite template, a URL or a DOI")
    for reader in (*IDENTIFIER_READERS, _bare_url, _template):
        reference = reader(stripped)
        if reference is not None:
            check_reference_data(reference)  # an unusable URL in a template is left out, as in an audit
            return reference
    number: int | None = None
    numbered = _LIST_NUMBER_RE.match(stripped)
    if numbered:
        # Pasted straight from a reference list: "4. 4.0 4.1 David Jolly (…)" or "[4] …".
        number = int(numbered.group("number") or numbered.group("bracketed"))
        stripped = stripped[numbered.end() :]
    reference = reference_from_text(id=str(number or 1), raw=stripped, number=number)
    if not looks_like_citation(reference, stripped):
        shown = stripped if len(stripped) <= 60 else stripped[:57] + "..."
        raise CheckInputError(
            f"{NOT_A_CITATION}: {shown!r} (give a reference-list line, a cite template, a URL or a DOI)"
        )
    check_reference_data(reference)
    return reference


def split_inputs(text: str) -> Iterator[str]:
    """Citations read from stdin: one per line, a ``{{cite …}}`` template may span lines; blanks and ``#`` skipped."""
    pending: list[str] = []
    depth = 0
    for line in text.splitlines():
        stripped = line.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        pending.append(stripped)
        depth += stripped.count("{{") - stripped.count("}}")
        if depth <= 0:
            yield " ".join(pending)
            pending, depth = [], 0
    if pending:
        yield " ".join(pending)
