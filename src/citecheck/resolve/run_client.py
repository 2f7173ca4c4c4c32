"""One audit's HTTP layer and event loop: every fetch of a run through one guarded client.

An audit fetches in several steps — the pages and wiki articles given to it
(:mod:`citecheck.web_documents`), the resolve stage (:mod:`.stage`), the DOI
and Crossref lookups (:mod:`.identifiers`), the pinned wikitext of the wiki
diffs — and each step used to make its own :class:`~citecheck.resolve.web.WebClient`
on an event loop of its own: one host pool, one politeness state and one body
of network evidence per step.  :class:`RunClient` holds the run's one client
on one loop (an :class:`asyncio.Runner`) for all of them, so a host's limits,
its 429 pauses and what the run proved about the network hold across steps.
Dask partitions resolve on their workers with clients of their own (a client
cannot travel); the steps that run here still share this one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from citecheck.resolve.net import system_resolver
from citecheck.resolve.settings import ResolveSettings
from citecheck.resolve.web import WebClient

_T = TypeVar("_T")


class RunClient:
    """The run's :class:`WebClient` entered on the run's loop; :meth:`run` a step on it, :meth:`close` at the end."""

    def __init__(self, settings: ResolveSettings, on_wait: Callable[[str, float], None] | None = None) -> None:
        self._runner = asyncio.Runner()
        self.web = WebClient(
            settings.web, offline=settings.offline, resolver=settings.resolver or system_resolver, on_wait=on_wait
        )
        self._runner.run(self.web.__aenter__())
        self._closed = False

    def run(self, step: Coroutine[Any, Any, _T]) -> _T:
        """Run one step of the audit on the run's loop (the client's connections stay open between steps)."""
        return self._runner.run(step)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            self._runner.run(self.web.__aexit__(None, None, None))
        finally:
            self._runner.close()
