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

A streamed audit builds its plan with ``PlanBuilder(folder=...)``: the
per-reference parts (each :class:`ReferenceWork`, each URL's reference keys,
the discovery references) then live in a SQLite file in that folder and are
read back as they are needed, so the plan held in memory is one compact entry
per distinct URL, not one model per citation.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, overload
from urllib.parse import urlsplit

from citecheck.models import ParsedDocument, Reference
from citecheck.references.archive_urls import parse_archive_url
from citecheck.resolve.archive.choose import request_for_reference
from citecheck.resolve.archive.discovery import learn_outlet_domains
from citecheck.resolve.archive.models import SnapshotRequest
from citecheck.resolve.archive.spec import read_plain_url
from citecheck.resolve.scratch import dump, load, scratch_database


def needs_verifying(archive_url: str | None, configured_hosts: set[str]) -> bool:
    """Whether a cited archive URL belongs to an archive the run does not query (so it is fetched itself).

    Every audit that plans asks this of every cited archive URL, offline ones too: a plain URL's host is
    read without httpx (the one parser of record, for anything else), so planning loads no HTTP layer.
    """
    if not archive_url or parse_archive_url(archive_url) is None:
        return False
    plain = read_plain_url(archive_url)
    if plain is not None:
        host = plain.host
    else:
        import httpx

        try:
            host = httpx.URL(archive_url).host.lower()
        except httpx.InvalidURL:
            return False
    return host.removeprefix("www.") not in configured_hosts


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


@dataclass(frozen=True, slots=True)
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
    references: Sequence[str]  # reference keys (a tuple; read from disk in a spilled plan)


@dataclass(frozen=True)
class ResolvePlan:
    """The distinct network work an audit needs: each URL checked once, each snapshot request made once."""

    urls: tuple[UrlWork, ...] = ()
    references: Sequence[ReferenceWork] = ()  # a tuple; read from disk in a spilled plan
    # URL-less references to look for in the archive, their ids replaced by their reference keys.
    discovery: Sequence[Reference] = ()
    learned_domains: tuple[tuple[str, str], ...] = ()  # outlet -> domain, from the audit's own citations

    @property
    def live_urls(self) -> tuple[str, ...]:
        return tuple(work.url for work in self.urls if work.live)

    @property
    def archive_requests(self) -> tuple[SnapshotRequest, ...]:
        return tuple(request for work in self.urls for request in work.requests)

    def reference(self, key: str) -> ReferenceWork | None:
        if isinstance(self.references, SpilledRows):
            return self.references.table.reference(key)
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
        plans = [
            ResolvePlan(
                urls=tuple(replace(work, references=tuple(work.references)) for work in works),
                references=tuple(
                    reference for work in works for key in work.references if (reference := self.reference(key))
                ),
            )
            for works in buckets
            if works
        ]
        if self.discovery:
            # Discovery spends the archive's scarcest pool (the index): one partition does all of it.
            first = plans[0] if plans else ResolvePlan()
            plans[:1] = [replace(first, discovery=tuple(self.discovery), learned_domains=self.learned_domains)]
        return plans


class PlanTable:
    """A streamed plan's per-reference parts, in a SQLite file of the audit's temporary folder.

    Rows are pickled :class:`ReferenceWork` and discovery references, in the
    order they were added; a URL's reference keys are found by the URL's
    number.  Single-threaded: the plan is built and read on the audit's own
    thread (the resolve stage's event loop runs there too).
    """

    def __init__(self, path: Path) -> None:
        self._connection = scratch_database(
            path,
            "CREATE TABLE refs (id INTEGER PRIMARY KEY, url INTEGER NOT NULL, key TEXT NOT NULL, work BLOB NOT NULL);"
            "CREATE TABLE discovery (id INTEGER PRIMARY KEY, reference BLOB NOT NULL);",
        )
        self._counts = {"refs": 0, "discovery": 0}
        self._indexed = False

    def add_reference(self, url: int, work: ReferenceWork) -> None:
        state = (work.url, work.request, work.cited_copy, work.needs)
        self._connection.execute(
            "INSERT INTO refs (url, key, work) VALUES (?, ?, ?)",
            (url, work.key, dump(state)),
        )
        self._counts["refs"] += 1

    def add_discovery(self, reference: Reference) -> None:
        blob = dump(reference)
        self._connection.execute("INSERT INTO discovery (reference) VALUES (?)", (blob,))
        self._counts["discovery"] += 1

    def seal(self) -> None:
        """Writing is done: commit and index for the lookups the resolve stage makes."""
        if not self._indexed:
            self._connection.execute("COMMIT")
            self._connection.executescript(
                "CREATE INDEX refs_by_url ON refs (url, id); CREATE INDEX refs_by_key ON refs (key, id);"
            )
            self._indexed = True

    def count(self, table: str) -> int:
        return self._counts[table]

    @staticmethod
    def _work(key: str, blob: bytes) -> ReferenceWork:
        url, request, cited_copy, needs = load(blob)
        return ReferenceWork(key, url, request, cited_copy, needs)

    def reference(self, key: str) -> ReferenceWork | None:
        # The last one added wins, as the in-memory plan's index by key has it.
        row = self._connection.execute(
            "SELECT work FROM refs WHERE key = ? ORDER BY id DESC LIMIT 1", (key,)
        ).fetchone()
        return None if row is None else self._work(key, row[0])

    def keys_of(self, url: int) -> list[str]:
        return [key for (key,) in self._connection.execute("SELECT key FROM refs WHERE url = ? ORDER BY id", (url,))]

    def rows(self, table: str, start: int = 0, stop: int | None = None) -> Iterator[Any]:
        stop = self._counts[table] if stop is None else stop
        if table == "refs":
            query = "SELECT key, work FROM refs WHERE id > ? AND id <= ? ORDER BY id"
            for key, blob in self._connection.execute(query, (start, stop)):
                yield self._work(key, blob)
        else:
            query = "SELECT reference FROM discovery WHERE id > ? AND id <= ? ORDER BY id"
            for (blob,) in self._connection.execute(query, (start, stop)):
                yield load(blob)

    def close(self) -> None:
        self._connection.close()


class SpilledRows(Sequence[Any]):
    """One table of a :class:`PlanTable` as a read-only sequence (a spilled ``plan.references``, ``plan.discovery``)."""

    def __init__(self, table: PlanTable, name: str) -> None:
        self.table = table
        self.name = name

    def __len__(self) -> int:
        return self.table.count(self.name)

    def __iter__(self) -> Iterator[Any]:
        return self.table.rows(self.name)

    @overload
    def __getitem__(self, index: int) -> Any: ...
    @overload
    def __getitem__(self, index: slice) -> list[Any]: ...
    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return list(self)[index]
        count = len(self)
        if index < 0:
            index += count
        if not 0 <= index < count:
            raise IndexError(index)
        return next(self.table.rows(self.name, index, index + 1))


class UrlKeys(Sequence[str]):
    """One URL's reference keys in a spilled plan, read when the URL is resolved."""

    def __init__(self, table: PlanTable, url: int, count: int) -> None:
        self._table = table
        self._url = url
        self._count = count

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[str]:
        return iter(self._table.keys_of(self._url))

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> list[str]: ...
    def __getitem__(self, index: int | slice) -> str | list[str]:
        return self._table.keys_of(self._url)[index]


@dataclass(slots=True)
class _UrlNeeds:
    number: int
    requests: dict[SnapshotRequest, SnapshotRequest] = field(default_factory=dict)
    copies: dict[str, None] = field(default_factory=dict)
    references: list[str] = field(default_factory=list)  # empty in a spilled plan (the keys are on disk)
    count: int = 0


def _weight(works: Sequence[UrlWork]) -> int:
    return sum(int(work.live) + len(work.requests) for work in works)


def host_key(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


class PlanBuilder:
    """The plan built one document at a time (a streamed audit never holds the corpus): ``add`` each, then ``plan``.

    ``queried_archive_hosts`` are the hosts of the ``--archive`` endpoints: a
    cited archive URL on another archive is verified by fetching it.  With
    ``folder``, the per-reference parts go to a :class:`PlanTable` there (the
    plan's ``references``, its URLs' keys and ``discovery`` are then read from
    it); call :meth:`close` when the run is over.
    """

    def __init__(self, *, queried_archive_hosts: Iterable[str] = (), folder: Path | None = None) -> None:
        self._configured = {host.lower().removeprefix("www.") for host in queried_archive_hosts}
        self._urls: dict[str, _UrlNeeds] = {}
        self._references: list[ReferenceWork] = []
        self._discovery: list[Reference] = []
        self._learned: dict[str, str] = {}
        self._table = PlanTable(folder / "plan.sqlite") if folder is not None else None
        self._needs: dict[frozenset[Need], frozenset[Need]] = {}

    def add(self, document: ParsedDocument) -> None:
        """Everything one document needs from the network (in audit order)."""
        for reference in document.references:
            if not reference.url:
                if not reference.archive_url and reference.title:
                    found = reference.model_copy(update={"id": reference_key(document, reference)})
                    if self._table is not None:
                        self._table.add_discovery(found)
                    else:
                        self._discovery.append(found)
                continue
            request = request_for_reference(reference, document.date)
            copy = reference.archive_url if needs_verifying(reference.archive_url, self._configured) else None
            needs = {Need.live, Need.source_text}
            if request is not None:
                needs.add(Need.snapshot)
            if copy is not None:
                needs.add(Need.cited_copy)
            key = reference_key(document, reference)
            entry = self._urls.get(reference.url)
            if entry is None:
                entry = self._urls[reference.url] = _UrlNeeds(len(self._urls))
            if request is not None:
                # One object per distinct request: the plan's references share it.
                request = entry.requests.setdefault(request, request)
            if copy is not None:
                entry.copies.setdefault(copy)
            shared_needs = self._needs.setdefault(frozenset(needs), frozenset(needs))
            work = ReferenceWork(key, reference.url, request, copy, shared_needs)
            entry.count += 1
            if self._table is not None:
                self._table.add_reference(entry.number, work)
            else:
                self._references.append(work)
                entry.references.append(key)
        for outlet, domain in learn_outlet_domains(document.references).items():
            self._learned.setdefault(outlet, domain)

    def plan(self) -> ResolvePlan:
        table = self._table
        if table is not None:
            table.seal()
        works = tuple(
            UrlWork(
                url=url,
                live=True,
                requests=tuple(entry.requests),
                cited_copies=tuple(entry.copies),
                source_text=True,
                references=tuple(entry.references) if table is None else UrlKeys(table, entry.number, entry.count),
            )
            for url, entry in self._urls.items()
        )
        references: Sequence[ReferenceWork] = tuple(self._references)
        discovery: Sequence[Reference] = tuple(self._discovery)
        if table is not None:
            references, discovery = SpilledRows(table, "refs"), SpilledRows(table, "discovery")
        return ResolvePlan(
            urls=works,
            references=references,
            discovery=discovery,
            learned_domains=tuple(sorted(self._learned.items())) if discovery else (),
        )

    def close(self) -> None:
        """Let the spilled plan's file go (the plan it made can no longer be read)."""
        if self._table is not None:
            self._table.close()


def plan_resolution(documents: Sequence[ParsedDocument], *, queried_archive_hosts: Iterable[str] = ()) -> ResolvePlan:
    """Every distinct URL, snapshot request and cited copy the documents need, in first-seen order."""
    builder = PlanBuilder(queried_archive_hosts=queried_archive_hosts)
    for document in documents:
        builder.add(document)
    return builder.plan()
