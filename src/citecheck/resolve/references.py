"""Stage 3: resolve every cited URL — live on the web and in the archives — across a whole audit.

URLs are deduplicated over all documents, so a source cited by ten
documents costs one live check and one archive lookup.  Results are written
onto each :class:`~citecheck.models.Reference` (``live``, ``archive``); the
checks stage turns them into findings.  When the network is down nothing is
declared dead: every network field stays ``not-checked`` and the returned
:class:`~citecheck.models.NetworkState` says why.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from citecheck.models import ArchiveResult, ArchiveStatus, NetworkState, ParsedDocument, Reference
from citecheck.resolve.archive import ArchiveResolver, request_for_reference
from citecheck.resolve.live import LiveCheckConfig, LiveChecker
from citecheck.resolve.net import parse_ip_literal
from citecheck.store import Store


@dataclass(frozen=True)
class ResolveSettings:
    archives: Sequence[str]
    store_path: str
    allow_private: bool = False
    concurrency: int = 8
    canary_urls: Sequence[str] = field(default_factory=tuple)  # empty: the live checker's defaults


def _live_config(settings: ResolveSettings) -> LiveCheckConfig:
    overrides: dict[str, object] = {"allow_private": settings.allow_private, "concurrency": settings.concurrency}
    if settings.canary_urls:
        overrides["canary_urls"] = tuple(settings.canary_urls)
        # The DNS half of the self-check needs names; IP-literal canaries need no DNS.
        overrides["dns_canary_hosts"] = tuple(
            host
            for host in (urlsplit(url).hostname for url in settings.canary_urls)
            if host and host != "localhost" and parse_ip_literal(host) is None
        )
    return LiveCheckConfig.model_validate(overrides)


def _cited_references(documents: Sequence[ParsedDocument]) -> list[tuple[ParsedDocument, Reference]]:
    return [(document, reference) for document in documents for reference in document.references if reference.url]


async def resolve_references(documents: Sequence[ParsedDocument], settings: ResolveSettings) -> NetworkState:
    """Check each distinct URL live and find its best capture; returns what the run could do."""
    cited = _cited_references(documents)
    with Store(settings.store_path) as store:
        async with LiveChecker(_live_config(settings), store=store) as checker:
            online = await checker.network_self_check()
            health = checker.network
            if not online:
                message = health.message if health else "Network unreachable."
                return NetworkState(mode="unreachable", message=message)
            live = await checker.check_many(reference.url for _, reference in cited if reference.url)
        for _, reference in cited:
            if reference.url in live:
                reference.live = live[reference.url]

        requests = [(reference, request_for_reference(reference, document.date)) for document, reference in cited]
        wanted = [(reference, request) for reference, request in requests if request is not None]
        async with ArchiveResolver(
            archives=settings.archives, store=store, concurrency=settings.concurrency
        ) as resolver:
            results: list[ArchiveResult] = await resolver.resolve_many([request for _, request in wanted])
        for (reference, _), result in zip(wanted, results, strict=True):
            reference.archive = result

    urls = len({reference.url for _, reference in cited})
    unresolved = sum(1 for _, reference in cited if reference.archive.status == ArchiveStatus.not_checked)
    message = f"Checked {urls} distinct URLs live and in {', '.join(settings.archives)}."
    if unresolved:
        message += f" {unresolved} archive lookups were inconclusive and are reported not-checked."
    return NetworkState(mode="online", message=message)
