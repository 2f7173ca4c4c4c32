"""The identifier stage: every distinct DOI of an audit once — the DOI handle API, then Crossref.

For each DOI the handle API says whether it exists (and where it points);
Crossref says what was registered under it: title, years, container and the
notices that update it (retractions, corrections).  The answers are written
onto each citing reference as a :class:`~citecheck.models.DoiRecord`; the
checks stage turns them into findings (:mod:`citecheck.checks.identifiers`).

Answers are kept in the store — a registered DOI's for a week (a retraction
can come any day), a missing one's for a day — and ``--offline`` reads them
at any age.  What no service answered is ``not-checked``, never a finding.
The requests are :mod:`citecheck.resolve.doi_resolver`'s, imported only when
one is going to be sent: offline the stage loads no HTTP layer and no event loop.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from citecheck.models import DOI_OFFLINE_REASON, DoiRecord, NetworkMode, NetworkState, ParsedDocument, RegistryStatus

if TYPE_CHECKING:
    from citecheck.config import AuditOptions
    from citecheck.resolve.api_http import HttpGet
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
    doi_api: str  # the DOI handle API's base (AuditOptions holds the public one: tests point it at loopback)
    crossref_api: str
    offline: bool = False
    allow_private: bool = False
    contact: str | None = None
    mailto: str | None = None  # Crossref's polite pool

    @classmethod
    def from_options(cls, options: AuditOptions, network: NetworkState) -> IdentifierSettings:
        """The stage's settings for an audit or a check; offline too when the network stage found no network."""
        return cls(
            store_path=str(options.cache),
            doi_api=options.doi_api,
            crossref_api=options.crossref_api,
            offline=options.offline or network.mode == NetworkMode.unreachable,
            allow_private=options.allow_private,
            contact=options.contact,
            mailto=options.crossref_mailto or (options.contact if options.contact and "@" in options.contact else None),
        )


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


@contextlib.contextmanager
def _doi_cache(settings: IdentifierSettings) -> Iterator[DoiCache | None]:
    """The store's DOI answers, or None offline with no store file (nothing is remembered, nothing is written)."""
    path = Path(settings.store_path)
    if not (settings.store_path == ":memory:" or path.is_file() or not settings.offline):
        yield None
        return
    from citecheck.store.db import Store  # here: an offline check with no store opens no database

    store = Store(path)
    try:
        yield DoiCache(store)
    finally:
        store.close()


def _remembered(
    dois: Sequence[str], cache: DoiCache | None, now: datetime | None
) -> tuple[dict[str, DoiRecord], list[str]]:
    """The records the store holds fresh at ``now`` and the DOIs still to ask about.

    ``now`` None is offline: any stored answer counts, and a DOI the store does not know is not-checked.
    """
    records: dict[str, DoiRecord] = {}
    pending: list[str] = []
    for doi in dois:
        cached = cache.get(doi, now) if cache is not None else None
        if cached is not None:
            records[doi_key(doi)] = cached
        elif now is None:
            records[doi_key(doi)] = DoiRecord(doi=doi, reason=OFFLINE_REASON)
        else:
            pending.append(doi)
    return records, pending


def remembered_doi_records(dois: Sequence[str], settings: IdentifierSettings) -> dict[str, DoiRecord]:
    """Offline: a record for each DOI (keyed by :func:`doi_key`) as the store remembers it, at any age; no request."""
    if not dois:
        return {}
    with _doi_cache(settings) as cache:
        return _remembered(dois, cache, None)[0]


async def resolve_dois(
    dois: Sequence[str], settings: IdentifierSettings, *, http: HttpGet | None = None, web: WebClient | None = None
) -> dict[str, DoiRecord]:
    """A record for each DOI (keyed by :func:`doi_key`), from the store or the services.

    ``web``: the run's client to send the lookups through (default: a client of their own).
    """
    if not dois:
        return {}
    with _doi_cache(settings) as cache:
        now = datetime.now(UTC)
        records, pending = _remembered(dois, cache, None if settings.offline else now)
        if pending:
            # The HTTP layer (and asyncio with it) is loaded only when a request is really going to be sent.
            from citecheck.resolve.doi_resolver import ask_registries

            answers = await ask_registries(pending, settings, http=http, web=web)
            for doi, (record, complete) in zip(pending, answers, strict=True):
                records[doi_key(doi)] = record
                if complete and cache is not None:
                    cache.put(record, now)
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
    dois = document_dois(documents)
    if settings.offline:
        records = remembered_doi_records(dois, settings)  # no event loop: importing asyncio was 17 ms of a check
    else:
        import asyncio

        records = asyncio.run(resolve_dois(dois, settings))
    apply_doi_records(documents, records)
    return len(records)


def run_identifier_stage(documents: Sequence[ParsedDocument], options: AuditOptions, network: NetworkState) -> None:
    """DOIs through the DOI handle API and Crossref (the store only when offline or the network is down)."""
    resolve_identifiers(documents, IdentifierSettings.from_options(options, network))
