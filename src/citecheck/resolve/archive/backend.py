"""The one interface every archive backend offers the resolver."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from citecheck.models import EndpointState
from citecheck.resolve.archive.models import CaptureBody, CdxRecord, Memento


class ArchiveBackend(Protocol):
    """A web archive: Wayback-style over HTTP, or local WARC files.

    ``nearest`` is the cheap path (one playback request on the Internet
    Archive's generous pool); ``captures`` and ``search_prefix`` use the
    index (the CDX pool, 30 times scarcer) and are called only when needed.
    """

    name: str

    @property
    def requests_sent(self) -> int:
        """Requests this archive was sent in the run (local files: 0)."""
        ...

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

    async def read_capture(self, url: str, capture_time: datetime, max_bytes: int) -> CaptureBody:
        """The original bytes of the capture of ``url`` taken at ``capture_time``, cut at ``max_bytes``.

        Raises NoMementoError when there is no such capture.
        """
        ...

    def original_url(self, snapshot_url: str) -> str | None:
        """The original URL a snapshot address of this archive shows, or None when it is not one of ours."""
        ...

    def index_wait(self) -> float:
        """How long an index request would wait for its pool now (local files: never)."""
        ...

    def endpoint_state(self) -> EndpointState:
        """Reachable or not, the dialect, the requests sent: for the report."""
        ...
