"""The one interface every archive backend offers the resolver."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from citecheck.resolve.archive.models import CdxRecord, Memento


class ArchiveBackend(Protocol):
    """A web archive: Wayback-style over HTTP, or local WARC files.

    ``nearest`` is the cheap path (one playback request on the Internet
    Archive's generous pool); ``captures`` and ``search_prefix`` use the
    index (the CDX pool, 30 times scarcer) and are called only when needed.
    """

    name: str
    requests_sent: int

    async def nearest(self, url: str, at: datetime) -> Memento:
        """The capture playback serves for ``url`` at ``at``, redirects not followed.

        Raises NoMementoError when the URL was never captured.
        """
        ...

    async def captures(self, url: str) -> list[CdxRecord]:
        """Every capture of exactly this URL, oldest first, duplicates removed."""
        ...

    async def search_prefix(self, prefix: str, start: datetime, end: datetime, limit: int) -> list[CdxRecord]:
        """Captures of URLs starting with ``prefix`` (``host/path``) between two moments."""
        ...

    def snapshot_url(self, url: str, capture_time: datetime) -> str:
        """The address a person opens to see this capture."""
        ...
