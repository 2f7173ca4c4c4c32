"""Archive resolution: find the snapshot that best shows what each citation's author saw."""

from citecheck.resolve.archive.choose import choose_capture, citation_target, request_for_reference
from citecheck.resolve.archive.models import (
    ArchiveError,
    ArchiveUnavailableError,
    BlockedSiteError,
    CdxRecord,
    DiscoveryCandidate,
    Memento,
    NoMementoError,
    RateLimitError,
    SnapshotRequest,
)
from citecheck.resolve.archive.resolver import ArchiveResolver, backend_from_spec

__all__ = [
    "ArchiveError",
    "ArchiveResolver",
    "ArchiveUnavailableError",
    "BlockedSiteError",
    "CdxRecord",
    "DiscoveryCandidate",
    "Memento",
    "NoMementoError",
    "RateLimitError",
    "SnapshotRequest",
    "backend_from_spec",
    "choose_capture",
    "citation_target",
    "request_for_reference",
]
