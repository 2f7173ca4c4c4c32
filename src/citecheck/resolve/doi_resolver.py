"""Asking the DOI registries about DOIs the store could not answer: the handle API, then Crossref.

The network half of the identifier stage (:mod:`citecheck.resolve.identifiers`),
in a module of its own so that an offline stage never loads the HTTP layer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime

from citecheck.models import DoiRecord, RegistryStatus
from citecheck.resolve.api_http import GuardedHttp, HttpGet, PoliteEndpoint, Politeness, user_agent
from citecheck.resolve.crossref import (
    CrossrefClient,
    CrossrefUnavailable,
    CrossrefWork,
    crossref_politeness,
    follow_rate_limit,
)
from citecheck.resolve.doi import DoiHandleClient
from citecheck.resolve.identifiers import IdentifierSettings
from citecheck.resolve.web import WebClient


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


async def ask_registries(
    dois: Sequence[str], settings: IdentifierSettings, *, http: HttpGet | None, web: WebClient | None
) -> list[tuple[DoiRecord, bool]]:
    """Each DOI's record and whether it is complete, in ``dois``' order, through ``http`` or a client of its own."""
    owned: GuardedHttp | None = None
    client: HttpGet
    if http is None:
        owned = GuardedHttp(allow_private=settings.allow_private, agent=user_agent(settings.contact), web=web)
        client = owned
    else:
        client = http
    resolver = DoiResolver(client, settings)
    try:
        return list(await asyncio.gather(*(resolver.resolve(doi) for doi in dois)))
    finally:
        if owned is not None:
            await owned.aclose()
