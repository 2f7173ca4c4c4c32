"""Parsing one rendered citation (a reference-list line) into fields.

INTERFACE ONLY — being implemented; see parse_citation_line's docstring.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from citecheck.dates import PartialDate


class CitationFields(BaseModel):
    """What one rendered citation line says, field by field."""

    text: str  # the citation text with backlink markers removed
    title: str | None = None
    authors: list[str] = Field(default_factory=list)
    work: str | None = None
    publisher: str | None = None
    date: PartialDate | None = None
    access_date: PartialDate | None = None
    archive_date: PartialDate | None = None
    url: str | None = None
    archive_url: str | None = None
    archive_url_time: datetime | None = None
    format: str | None = None  # "PDF"
    flags: list[str] = Field(default_factory=list)  # dead-link, permanent-dead-link, empty
    backlinks: int | None = None  # 4 for "3.0 3.1 3.2 3.3", 3 for "^ a b c", 1 for "^"; None when none shown


def parse_citation_line(text: str) -> CitationFields:
    """Parse a rendered citation such as::

        3.0 3.1 "Iraq raid on Iranian exiles' Camp Ashraf 'killed 34'". 14 April 2011. Retrieved 8 May 2011.
        Williams, Carol J. (19 September 2013). "Envoys urge …". Los Angeles Times. Archived from the
            original on 5 November 2013. Retrieved 30 October 2013.

    Never raises on any input.
    """
    raise NotImplementedError
