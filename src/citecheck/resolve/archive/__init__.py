"""Archive resolution: find the snapshot that best shows what each citation's author saw."""

from citecheck.resolve.archive.choose import choose_capture, citation_target, request_for_reference
from citecheck.resolve.archive.models import (
    ArchiveError,
    ArchiveRefusedError,
    ArchiveUnavailableError,
    BlockedSiteError,
    CdxRecord,
    DiscoveryCandidate,
    Memento,
    NoMementoError,
    RateLimitError,
    SnapshotRequest,
)
from citecheck.resolve.archive.resolver import ArchiveResolver, archive_names, backend_from_spec

__all__ = [
    "ArchiveError",
    "ArchiveRefusedError",
    "ArchiveResolver",
    "ArchiveUnavailableError",
    "BlockedSiteError",
    "CdxRecord",
    "DiscoveryCandidate",
    "Memento",
    "NoMementoError",
    "RateLimitError",
    "SnapshotRequest",
    "archive_names",
    "backend_from_spec",
    "choose_capture",
    "citation_target",
    "request_for_reference",
]
