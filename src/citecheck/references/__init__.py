"""Stage 2a: reference-list entries → fields of a :class:`~citecheck.models.Reference`.

Readers hand over the text of each entry (and, from HTML, the link target);
this package reads the rendered citation and any archive URL in it.
"""

from __future__ import annotations

from citecheck.models import Reference, ReferenceKind
from citecheck.references.archive_urls import ArchiveUrl, is_archive_url, parse_archive_url
from citecheck.references.citation_line import CitationFields, parse_citation_line

__all__ = [
    "ArchiveUrl",
    "CitationFields",
    "is_archive_url",
    "parse_archive_url",
    "parse_citation_line",
    "reference_from_text",
]


def reference_from_text(
    *,
    id: str,
    raw: str,
    number: int | None = None,
    kind: ReferenceKind | str = ReferenceKind.numbered,
    line: int | None = None,
    url: str | None = None,
) -> Reference:
    """Parse ``raw`` and fill a :class:`Reference`.

    ``url`` — the link a reader saw, e.g. an HTML ``href`` — wins over a URL
    written in the text.  When the cited URL (given or found) is an archive
    URL, it becomes ``archive_url`` and the original URL inside it becomes
    ``url``, so the live check tests the page the author cited.
    """
    fields = parse_citation_line(raw)
    cited_url = fields.url
    archive_url = fields.archive_url
    archive_url_time = fields.archive_url_time
    if url:
        given = url.strip()
        archived = parse_archive_url(given)
        if archived is None:
            cited_url = given
        else:
            archive_url = given
            archive_url_time = archived.timestamp
            text_names_original = any(not is_archive_url(found) for found in fields.urls)
            if archived.original_url and not text_names_original:
                cited_url = archived.original_url
    return Reference(
        id=id,
        number=number,
        kind=kind,
        raw=raw,
        title=fields.title,
        authors=fields.authors,
        work=fields.work,
        publisher=fields.publisher,
        date=fields.date,
        access_date=fields.access_date,
        archive_date=fields.archive_date,
        url=cited_url,
        archive_url=archive_url,
        archive_url_time=archive_url_time,
        format=fields.format,
        source_flags=list(fields.flags),
        backlinks=fields.backlinks,
        line=line,
    )
