"""The resolve stage's plan: what the network must be asked, once, and which reference each answer serves.

:func:`plan_resolution` reads every document once and produces a
:class:`ResolvePlan`:

* one :class:`UrlWork` per distinct cited URL — its live check, the
  snapshot requests (a URL cited with different access dates wants captures
  near different moments), the cited archive copies to verify, whether its
  source text is wanted;
* one :class:`ReferenceWork` per reference that needs anything — its key
  (document + reference id), its URL, its snapshot request, its cited copy,
  what it needs (:class:`Need`);
* the URL-less references discovery should look for.

Everything downstream reads the plan: the online run, the offline run from
the store, ``check``, the Dask partitions, and :func:`apply_resolution`
writing the answers back.  Nothing recomputes a request or a key.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

from citecheck.models import ParsedDocument, Reference
from citecheck.resolve.archive.choose import request_for_reference
from citecheck.resolve.archive.cited import needs_verifying
from citecheck.resolve.archive.discovery import learn_outlet_domains
from citecheck.resolve.archive.models import SnapshotRequest


class Need(enum.StrEnum):
    """What one reference needs from the network."""

    live = "live"  # its URL checked on the live web
    snapshot = "snapshot"  # a capture near the moment it points at
    source_text = "source-text"  # what the source said (the capture, else the live page)
    cited_copy = "cited-copy"  # its own archive copy, on an archive the run does not query, verified
    discovery = "discovery"  # no URL: candidates searched for in the archive


def reference_key(document: ParsedDocument | str, reference: Reference | str) -> str:
    """The key of one reference across an audit: document path + reference id."""
    path = document if isinstance(document, str) else document.path
    ref_id = reference if isinstance(reference, str) else reference.id
    return f"{path}\x1f{ref_id}"


# Kept under its old name: discovery keys are reference keys.
discovery_key = reference_key


@dataclass(frozen=True)
class ReferenceWork:
    """One reference's part of the plan."""

    key: str
    url: str | None
    request: SnapshotRequest | None
    cited_copy: str | None
    needs: frozenset[Need]


@dataclass(frozen=True)
class UrlWork:
    """One distinct cited URL: everything the references citing it need, asked once."""

    url: str
    live: bool
    requests: tuple[SnapshotRequest, ...]
    cited_copies: tuple[str, ...]
    source_text: bool
    references: tuple[str, ...]  # reference keys


@dataclass(frozen=True)
class ResolvePlan:
    """The distinct network work an audit needs: each URL checked once, each snapshot request made once."""

    urls: tuple[UrlWork, ...] = ()
    references: tuple[ReferenceWork, ...] = ()
    # URL-less references to look for in the archive, their ids replaced by their reference keys.
    discovery: tuple[Reference, ...] = ()
    learned_domains: tuple[tuple[str, str], ...] = ()  # outlet -> domain, from the audit's own citations

    @property
    def live_urls(self) -> tuple[str, ...]:
        return tuple(work.url for work in self.urls if work.live)

    @property
    def archive_requests(self) -> tuple[SnapshotRequest, ...]:
        return tuple(request for work in self.urls for request in work.requests)

    def reference(self, key: str) -> ReferenceWork | None:
        return self._by_key().get(key)

    def _by_key(self) -> dict[str, ReferenceWork]:
        cached: dict[str, ReferenceWork] | None = getattr(self, "_index", None)
        if cached is None:
            cached = {work.key: work for work in self.references}
            object.__setattr__(self, "_index", cached)
        return cached

    def partition(self, parts: int) -> list[ResolvePlan]:
        """Split into ``parts`` plans, keeping every URL of one host in the same part.

        A host's politeness limit (concurrency, Retry-After pauses) only holds
        if one worker sees all of that host's URLs; hosts are then spread
        largest first onto the lightest part so the parts come out even.
        """
        parts = max(1, parts)
        by_host: dict[str, list[UrlWork]] = {}
        for work in self.urls:
            by_host.setdefault(host_key(work.url), []).append(work)
        buckets: list[list[UrlWork]] = [[] for _ in range(parts)]
        weights = [0] * parts
        ordered = sorted(by_host.items(), key=lambda item: (-_weight(item[1]), item[0]))
        for _, works in ordered:
            lightest = min(range(parts), key=lambda index: (weights[index], index))
            buckets[lightest].extend(works)
            weights[lightest] += _weight(works)
        references = self._by_key()
        plans = [
            ResolvePlan(
                urls=tuple(works),
                references=tuple(references[key] for work in works for key in work.references if key in references),
            )
            for works in buckets
            if works
        ]
        if self.discovery:
            # Discovery spends the archive's scarcest pool (the index): one partition does all of it.
            first = plans[0] if plans else ResolvePlan()
            plans[:1] = [replace(first, discovery=self.discovery, learned_domains=self.learned_domains)]
        return plans


@dataclass
class _UrlNeeds:
    requests: dict[SnapshotRequest, None] = field(default_factory=dict)
    copies: dict[str, None] = field(default_factory=dict)
    references: list[str] = field(default_factory=list)


def _weight(works: Sequence[UrlWork]) -> int:
    return sum(int(work.live) + len(work.requests) for work in works)


def host_key(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


class PlanBuilder:
    """The plan built one document at a time (a streamed audit never holds the corpus): ``add`` each, then ``plan``.

    ``queried_archive_hosts`` are the hosts of the ``--archive`` endpoints: a
    cited archive URL on another archive is verified by fetching it.
    """

    def __init__(self, *, queried_archive_hosts: Iterable[str] = ()) -> None:
        self._configured = {host.lower().removeprefix("www.") for host in queried_archive_hosts}
        self._urls: dict[str, _UrlNeeds] = {}
        self._references: list[ReferenceWork] = []
        self._discovery: list[Reference] = []
        self._learned: dict[str, str] = {}

    def add(self, document: ParsedDocument) -> None:
        """Everything one document needs from the network (in audit order)."""
        for reference in document.references:
            if not reference.url:
                if not reference.archive_url and reference.title:
                    self._discovery.append(reference.model_copy(update={"id": reference_key(document, reference)}))
                continue
            request = request_for_reference(reference, document.date)
            copy = reference.archive_url if needs_verifying(reference.archive_url, self._configured) else None
            needs = {Need.live, Need.source_text}
            if request is not None:
                needs.add(Need.snapshot)
            if copy is not None:
                needs.add(Need.cited_copy)
            key = reference_key(document, reference)
            self._references.append(ReferenceWork(key, reference.url, request, copy, frozenset(needs)))
            entry = self._urls.setdefault(reference.url, _UrlNeeds())
            if request is not None:
                entry.requests.setdefault(request)
            if copy is not None:
                entry.copies.setdefault(copy)
            entry.references.append(key)
        for outlet, domain in learn_outlet_domains(document.references).items():
            self._learned.setdefault(outlet, domain)

    def plan(self) -> ResolvePlan:
        works = tuple(
            UrlWork(
                url=url,
                live=True,
                requests=tuple(entry.requests),
                cited_copies=tuple(entry.copies),
                source_text=True,
                references=tuple(entry.references),
            )
            for url, entry in self._urls.items()
        )
        return ResolvePlan(
            urls=works,
            references=tuple(self._references),
            discovery=tuple(self._discovery),
            learned_domains=tuple(sorted(self._learned.items())) if self._discovery else (),
        )


def plan_resolution(documents: Sequence[ParsedDocument], *, queried_archive_hosts: Iterable[str] = ()) -> ResolvePlan:
    """Every distinct URL, snapshot request and cited copy the documents need, in first-seen order."""
    builder = PlanBuilder(queried_archive_hosts=queried_archive_hosts)
    for document in documents:
        builder.add(document)
    return builder.plan()
