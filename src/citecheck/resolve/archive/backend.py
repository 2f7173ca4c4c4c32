"""The one interface every archive backend offers the resolver."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from citecheck.resolve.archive.models import CdxRecord, Memento


@dataclass(frozen=True)
class CaptureBody:
    """The original bytes of one capture, as the site sent them (``id_`` playback or the WARC record)."""

    url: str  # the original URL this capture is of
    capture_time: datetime
    status: int
    body: bytes
    content_type: str | None = None
    truncated: bool = False  # the body was longer than the cap and was cut
    headers: dict[str, str] = field(default_factory=dict)  # the original response's headers, names lower-cased

    @property
    def charset(self) -> str | None:
        """The charset named in Content-Type, if any."""
        for part in (self.content_type or "").split(";")[1:]:
            name, _, value = part.strip().partition("=")
            if name.lower() == "charset" and value:
                return value.strip("\"' ")
        return None


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

    async def read_capture(self, url: str, capture_time: datetime, max_bytes: int) -> CaptureBody:
        """The original bytes of the capture of ``url`` taken at ``capture_time``, cut at ``max_bytes``.

        Raises NoMementoError when there is no such capture.
        """
        ...

    def original_url(self, snapshot_url: str) -> str | None:
        """The original URL a snapshot address of this archive shows, or None when it is not one of ours."""
        ...
