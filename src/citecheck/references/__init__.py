"""Stage 2a: reference-list entries → fields of a :class:`~citecheck.models.Reference`.

Readers hand over the text of each entry (and, from HTML, the link target);
this package reads the rendered citation and any archive URL in it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from citecheck.dates import PartialDate
from citecheck.models import Identifiers, LinkKind, Reference, ReferenceKind, ReferenceLink, SourceFlag
from citecheck.references.archive_urls import ArchiveUrl, is_archive_url, parse_archive_url
from citecheck.references.citation_line import CitationFields, MarkupHints, parse_citation_line
from citecheck.references.cite_templates import TemplateCitation
from citecheck.references.construct import build
from citecheck.references.identifiers import identifiers_from_text, merge_identifiers
from citecheck.references.links import LinkChoice, choose_links, classify_links

__all__ = [
    "ArchiveUrl",
    "CitationFields",
    "MarkupHints",
    "is_archive_url",
    "parse_archive_url",
    "parse_citation_line",
    "reference_from_template",
    "reference_from_text",
    "sub_reference",
]


def reference_from_text(
    *,
    id: str,
    raw: str,
    number: int | None = None,
    kind: ReferenceKind | str = ReferenceKind.numbered,
    line: int | None = None,
    url: str | None = None,
    links: Sequence[tuple[str, str | None]] = (),
    hints: MarkupHints | None = None,
) -> Reference:
    """Parse ``raw`` and fill a :class:`Reference`.

    ``links`` — the ``(href, link text)`` pairs a reader saw in the entry, in
    order — and ``url`` (one link, for callers that have only one) come before
    the URLs written in the text.  Every link is classified
    (:mod:`citecheck.references.links`): the first original is ``url``, the
    first archive copy ``archive_url`` (with only an archive copy, its
    original becomes ``url``, so the live check tests the page the author
    cited), identifier links become ``identifiers`` — and the ``url`` only of
    a ``link`` reference, which has nothing else.
    """
    fields = parse_citation_line(raw, hints)
    kind = ReferenceKind(kind)
    candidates: list[tuple[str, str | None]] = [(url, None)] if url else []
    candidates += links
    candidates += [(found, None) for found in fields.urls]
    classified = classify_links(candidates)
    choice = choose_links(classified)
    if choice.url is None and kind is ReferenceKind.link:
        # A reference that is nothing but a link (a cited link, a pasted DOI) keeps it as its URL even
        # when it is an identifier's resolver link: there is nothing else to check.
        choice.url = next((link.url for link in classified if link.kind is LinkKind.identifier), None)
    from_text = identifiers_from_text(fields.text)
    identifiers = from_text
    if choice.identifiers:
        identifiers = merge_identifiers(build(Identifiers, **choice.identifiers), from_text)
    return _reference(
        fields,
        choice,
        id=id,
        number=number,
        kind=kind,
        raw=raw,
        archive_date=fields.archive_date,
        identifiers=identifiers,
        links=classified,
        source_flags=list(fields.flags),  # SourceFlag members already
        backlinks=fields.backlinks,
        line=line,
    )


def _reference(source: CitationFields | TemplateCitation, choice: LinkChoice, **rest: Any) -> Reference:
    """A reference from parsed fields (of a rendered citation or a template) and the links chosen.

    Every value here is already of its field's type (parsed dates, enums, classified links), so the
    model is built without validating it again (:func:`citecheck.references.construct.build`; the
    per-reference validation was much of the cost of building one);
    ``tests/unit/test_reader_models_valid.py`` validates what the readers build and compares.
    """
    return build(
        Reference,
        title=source.title,
        authors=list(source.authors),
        editors=list(source.editors),
        work=source.work,
        publisher=source.publisher,
        date=source.date,
        access_date=source.access_date,
        url=choice.url,
        archive_url=choice.archive_url,
        archive_url_time=choice.archive_url_time,
        format=source.format,
        **rest,
    )


def reference_from_template(
    citation: TemplateCitation,
    *,
    id: str,
    raw: str,
    number: int | None = None,
    kind: ReferenceKind = ReferenceKind.template,
    line: int | None = None,
    flags: Sequence[SourceFlag] = (),
    archive: tuple[str | None, PartialDate | None] | None = None,
) -> Reference:
    """A :class:`Reference` from a citation template's fields (every reader of templates builds it here).

    ``archive`` is an archive copy given beside the template (``{{webarchive}}``), used when the
    template names none.  Links are classified as for rendered citations: an identifier link in
    ``|url=`` becomes an identifier, an archive copy in ``|url=`` becomes the archive URL.
    """
    candidates: list[tuple[str, str | None]] = []
    if citation.url:
        candidates.append((citation.url, None))
    if citation.chapter_url:
        candidates.append((citation.chapter_url, None))
    archive_url = citation.archive_url
    archive_date = citation.archive_date
    if archive_url is None and archive is not None and archive[0]:
        archive_url = archive[0]
        archive_date = archive_date or archive[1]
    classified = classify_links(candidates)
    if archive_url:
        # |archive-url= says what it is, whether or not the archive is one we recognise.
        known = parse_archive_url(archive_url)
        classified = [link for link in classified if link.url != archive_url]
        classified.append(
            build(ReferenceLink, url=archive_url, kind=LinkKind.archive, archive=known.archive if known else None)
        )
    choice = choose_links(classified)
    if archive_url and choice.archive_url != archive_url:
        choice.archive_url = archive_url
        known = parse_archive_url(archive_url)
        choice.archive_url_time = known.timestamp if known else None
    identifiers = dict(citation.identifiers)
    for name, value in choice.identifiers.items():
        identifiers.setdefault(name, value)
    source_flags = [SourceFlag(flag) for flag in flags]
    if citation.url_status == "dead":
        source_flags.append(SourceFlag.url_status_dead)
    elif citation.url_status == "live":
        source_flags.append(SourceFlag.url_status_live)
    return _reference(
        citation,
        choice,
        id=id,
        number=number,
        kind=ReferenceKind(kind),
        raw=raw,
        archive_date=archive_date,
        identifiers=build(Identifiers, **identifiers),
        links=classified,
        source_flags=list(dict.fromkeys(source_flags)),
        line=line,
    )


def sub_reference(main: Reference, position: int, details: str, **fields: object) -> Reference:
    """The ``position``-th sub-reference of ``main``: details (a page …) attached to its full citation.

    Its id is ``"<main id>.<position>"``, as Cite numbers sub-references; ``fields`` are the reader's
    own (``anchor``, ``backlinks``, ``uses``, ``line``).
    """
    return Reference.model_validate(
        {
            "id": f"{main.id}.{position}",
            "kind": ReferenceKind.footnote,
            "raw": details,
            "name": main.name,
            "group": main.group,
            "details": details or None,
            "full_citation_ref": main.id,
            "source_flags": [SourceFlag.sub_reference],
            **fields,
        }
    )
