"""The persistent archive cache: one row per archive + URL + target day, with TTLs.

A re-run within the TTL asks the archive nothing; an interrupted run resumes
because every answer is written as soon as it arrives.  Answers that say
nothing about the archive (``not-checked``: unreachable, rate limited) are
never stored, like lychee's rule of never caching errors.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

from citecheck.models import ArchiveResult, ArchiveStatus
from citecheck.resolve.archive.models import SnapshotRequest, format_timestamp
from citecheck.store.db import Store

DAY = 86400.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS archive_results (
    archive TEXT NOT NULL,
    url TEXT NOT NULL,
    target TEXT NOT NULL,
    result TEXT NOT NULL,
    stored_at REAL NOT NULL,
    expires_at REAL NOT NULL,
    PRIMARY KEY (archive, url, target)
);
CREATE TABLE IF NOT EXISTS archive_discovery (
    archive TEXT NOT NULL,
    query TEXT NOT NULL,
    result TEXT NOT NULL,
    stored_at REAL NOT NULL,
    expires_at REAL NOT NULL,
    PRIMARY KEY (archive, query)
);
"""


@dataclass(frozen=True)
class CacheTtl:
    """How long each kind of answer stays true enough (seconds)."""

    found: float = 30 * DAY
    error_snapshot: float = 7 * DAY
    # New captures appear and the index lags behind playback: ask again soon.
    none: float = 3 * DAY
    discovery: float = 7 * DAY

    def for_status(self, status: ArchiveStatus) -> float | None:
        return {
            ArchiveStatus.found: self.found,
            ArchiveStatus.error_snapshot: self.error_snapshot,
            ArchiveStatus.none: self.none,
        }.get(status)


def target_key(request: SnapshotRequest) -> str:
    """The target at day precision: citations dated the same day share one answer."""
    day = format_timestamp(request.target)[:8] if request.target is not None else "any"
    access = request.access_date.isoformat() if request.access_date else "-"
    return f"{request.target_kind}:{day}:{access}"


class ArchiveCache:
    """Archive answers in the shared SQLite store (own tables)."""

    def __init__(self, store: Store, ttl: CacheTtl | None = None) -> None:
        self.store = store
        self.ttl = ttl or CacheTtl()
        store.ensure_schema("archive_cache", _SCHEMA)

    def get(self, archive: str, request: SnapshotRequest, now: float | None = None) -> ArchiveResult | None:
        row = self.store.execute(
            "SELECT result, expires_at FROM archive_results WHERE archive = ? AND url = ? AND target = ?",
            (archive, request.url, target_key(request)),
        ).fetchone()
        if row is None or row[1] < (time.time() if now is None else now):
            return None
        try:
            return ArchiveResult.model_validate_json(row[0])
        except ValueError:
            return None  # a row an older version wrote, or damage: asked again

    def put(self, archive: str, request: SnapshotRequest, result: ArchiveResult, now: float | None = None) -> None:
        # A refusal is the archive's answer about the URL (its policy), kept like an error capture;
        # any other not-checked answer is about our moment, never stored.
        ttl = self.ttl.error_snapshot if result.refusal is not None else self.ttl.for_status(result.status)
        if ttl is None:
            return
        moment = time.time() if now is None else now
        self.store.execute(
            "INSERT OR REPLACE INTO archive_results (archive, url, target, result, stored_at, expires_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (archive, request.url, target_key(request), result.model_dump_json(), moment, moment + ttl),
        )

    def get_discovery(self, archive: str, query: str, now: float | None = None) -> list[dict[str, object]] | None:
        row = self.store.execute(
            "SELECT result, expires_at FROM archive_discovery WHERE archive = ? AND query = ?", (archive, query)
        ).fetchone()
        if row is None or row[1] < (time.time() if now is None else now):
            return None
        loaded = json.loads(row[0])
        return loaded if isinstance(loaded, list) else None

    def put_discovery(self, archive: str, query: str, rows: list[dict[str, object]], now: float | None = None) -> None:
        moment = time.time() if now is None else now
        self.store.execute(
            "INSERT OR REPLACE INTO archive_discovery (archive, query, result, stored_at, expires_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (archive, query, json.dumps(rows), moment, moment + self.ttl.discovery),
        )
