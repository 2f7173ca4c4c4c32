"""The identifier stage: every distinct DOI of an audit once — the DOI handle API, then Crossref.

For each DOI the handle API says whether it exists (and where it points);
Crossref says what was registered under it: title, years, container and the
notices that update it (retractions, corrections).  The answers are written
onto each citing reference as a :class:`~citecheck.models.DoiRecord`; the
checks stage turns them into findings (:mod:`citecheck.checks.identifiers`).

Answers are kept in the store — a registered DOI's for a week (a retraction
can come any day), a missing one's for a day — and ``--offline`` reads them
at any age.  What no service answered is ``not-checked``, never a finding.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from citecheck.models import DOI_OFFLINE_REASON, DoiRecord, ParsedDocument, RegistryStatus
from citecheck.resolve.api_http import GuardedHttp, HttpGet, PoliteEndpoint, Politeness, user_agent
from citecheck.resolve.crossref import (
    DEFAULT_CROSSREF_API,
    CrossrefClient,
    CrossrefUnavailable,
    CrossrefWork,
    crossref_politeness,
    follow_rate_limit,
)
from citecheck.resolve.doi import DEFAULT_HANDLE_API, DoiHandleClient
from citecheck.resolve.web import WebClient
from citecheck.store.db import Store

REGISTERED_TTL = timedelta(days=7)
NOT_FOUND_TTL = timedelta(days=1)
OFFLINE_REASON = DOI_OFFLINE_REASON

IDENTIFIER_SCHEMA = """
CREATE TABLE IF NOT EXISTS doi_records (
    doi TEXT PRIMARY KEY,          -- lower-cased: DOIs compare case-insensitively
    record TEXT NOT NULL,          -- the DoiRecord as JSON
    fetched_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class IdentifierSettings:
    store_path: str
    offline: bool = False
    allow_private: bool = False
    contact: str | None = None
    mailto: str | None = None  # Crossref's polite pool
    doi_api: str = DEFAULT_HANDLE_API
    crossref_api: str = DEFAULT_CROSSREF_API


def doi_key(doi: str) -> str:
    return doi.strip().lower()


def document_dois(documents: Iterable[ParsedDocument]) -> list[str]:
    """Every distinct DOI the documents cite, first spelling kept, in first-seen order."""
    seen: dict[str, str] = {}
    for document in documents:
        for reference in document.references:
            if reference.identifiers.doi:
                seen.setdefault(doi_key(reference.identifiers.doi), reference.identifiers.doi)
    return list(seen.values())


class DoiCache:
    def __init__(self, store: Store) -> None:
        self.store = store
        store.ensure_schema("doi_records", IDENTIFIER_SCHEMA)

    def get(self, doi: str, now: datetime | None) -> DoiRecord | None:
        """The stored answer; ``now`` None accepts any age (offline)."""
        row = self.store.execute("SELECT record, expires_at FROM doi_records WHERE doi = ?", (doi_key(doi),)).fetchone()
        if row is None:
            return None
        if now is not None and datetime.fromisoformat(row[1]) <= now:
            return None
        return DoiRecord.model_validate_json(row[0])

    def put(self, record: DoiRecord, now: datetime) -> None:
        ttl = REGISTERED_TTL if record.status is RegistryStatus.registered else NOT_FOUND_TTL
        self.store.execute(
            "INSERT OR REPLACE INTO doi_records (doi, record, fetched_at, expires_at) VALUES (?, ?, ?, ?)",
            (doi_key(record.doi), record.model_dump_json(), now.isoformat(), (now + ttl).isoformat()),
        )


def _record(doi: str, work: CrossrefWork, url: str | None, now: datetime) -> DoiRecord:
    return DoiRecord(
        doi=work.doi or doi,
        status=RegistryStatus.registered,
        url=url,
        agency="crossref",
        title=work.title,
        year=min(work.years) if work.years else None,
        years=list(work.years),
        container=work.container,
        work_type=work.work_type,
        updated_by=list(work.updated_by),
        updates=list(work.updates),
        checked_at=now,
    )


class DoiResolver:
    """Handle API first (does it exist?), then Crossref (what is registered); one answer per DOI."""

    def __init__(self, http: HttpGet, settings: IdentifierSettings) -> None:
        agent_contact = ", ".join(part for part in (settings.contact, settings.mailto) if part) or None
        headers = {"User-Agent": user_agent(agent_contact), "Accept": "application/json"}
        self.handles = DoiHandleClient(
            PoliteEndpoint("doi.org", http, Politeness(concurrency=4), headers=headers), settings.doi_api
        )
        self.crossref = CrossrefClient(
            PoliteEndpoint("crossref", http, crossref_politeness(), headers=headers, on_answer=follow_rate_limit),
            settings.crossref_api,
            mailto=settings.mailto,
        )

    @property
    def requests(self) -> int:
        return self.handles.endpoint.requests + self.crossref.endpoint.requests

    async def resolve(self, doi: str) -> tuple[DoiRecord, bool]:
        """The record, and whether it is a complete answer worth keeping; never raises for one DOI."""
        try:
            return await self._resolve(doi)
        except Exception as error:  # a bug on one DOI must not cost the others their answers
            return DoiRecord(doi=doi, reason=f"not checked: internal error ({type(error).__name__})"), False

    async def _resolve(self, doi: str) -> tuple[DoiRecord, bool]:
        now = datetime.now(UTC)
        handle = await self.handles.resolve(doi)
        if handle.status == "not-found":
            return DoiRecord(doi=doi, status=RegistryStatus.not_found, checked_at=now, reason=handle.reason), True
        try:
            work = await self.crossref.work(doi)
        except CrossrefUnavailable as error:
            status = RegistryStatus.registered if handle.status == "registered" else RegistryStatus.not_checked
            reason = f"metadata not checked: {error}" if handle.status == "registered" else handle.reason
            return DoiRecord(doi=doi, status=status, url=handle.url, checked_at=now, reason=reason), False
        if work is not None:
            return _record(doi, work, handle.url, now), True
        if handle.status == "registered":
            reason = "Crossref holds no metadata for it (another registration agency)"
            return DoiRecord(
                doi=doi, status=RegistryStatus.registered, url=handle.url, checked_at=now, reason=reason
            ), True
        return DoiRecord(doi=doi, status=RegistryStatus.not_checked, reason=handle.reason), False


async def resolve_dois(
    dois: Sequence[str], settings: IdentifierSettings, *, http: HttpGet | None = None, web: WebClient | None = None
) -> dict[str, DoiRecord]:
    """A record for each DOI (keyed by :func:`doi_key`), from the store or the services.

    ``web``: the run's client to send the lookups through (default: a client of their own).
    """
    if not dois:
        return {}
    path = Path(settings.store_path)
    use_store = settings.store_path == ":memory:" or path.is_file() or not settings.offline
    store = Store(path) if use_store else None
    cache = DoiCache(store) if store is not None else None
    records: dict[str, DoiRecord] = {}
    try:
        now = datetime.now(UTC)
        pending: list[str] = []
        for doi in dois:
            cached = cache.get(doi, None if settings.offline else now) if cache is not None else None
            if cached is not None:
                records[doi_key(doi)] = cached
            elif settings.offline:
                records[doi_key(doi)] = DoiRecord(doi=doi, reason=OFFLINE_REASON)
            else:
                pending.append(doi)
        if pending:
            owned: GuardedHttp | None = None
            client: HttpGet
            if http is None:
                owned = GuardedHttp(allow_private=settings.allow_private, agent=user_agent(settings.contact), web=web)
                client = owned
            else:
                client = http
            resolver = DoiResolver(client, settings)
            try:
                answers = await asyncio.gather(*(resolver.resolve(doi) for doi in pending))
            finally:
                if owned is not None:
                    await owned.aclose()
            for doi, (record, complete) in zip(pending, answers, strict=True):
                records[doi_key(doi)] = record
                if complete and cache is not None:
                    cache.put(record, now)
    finally:
        if store is not None:
            store.close()
    return records


def apply_doi_records(documents: Iterable[ParsedDocument], records: dict[str, DoiRecord]) -> None:
    """Write each DOI's record onto every reference that cites it."""
    for document in documents:
        for reference in document.references:
            if reference.identifiers.doi:
                record = records.get(doi_key(reference.identifiers.doi))
                if record is not None:
                    reference.doi_record = record.model_copy(deep=True)


def resolve_identifiers(documents: Sequence[ParsedDocument], settings: IdentifierSettings) -> int:
    """Resolve every DOI the documents cite and write the records onto their references; returns how many."""
    records = asyncio.run(resolve_dois(document_dois(documents), settings))
    apply_doi_records(documents, records)
    return len(records)
