"""An archive answering in the Internet Archive's dialect, behind a proxy enforcing IA's limits.

Probed (not guessed) as the Internet Archive, it gets IA's published limits —
and so never meets a 429 from a server enforcing the real ones; its
redirect-first playback and its Link headers are read as the real service's.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from citecheck.models import ArchiveStatus
from citecheck.resolve.archive.models import SnapshotRequest
from citecheck.resolve.archive.resolver import ArchiveResolver
from citecheck.resolve.archive.spec import Dialect
from citecheck.resolve.web import WebClient
from citecheck.resolve.web_settings import WebSettings
from tests.integration.ia_world import IaDialectArchive, LimitsProxy, PoolLimit
from tests.integration.pywb_world import Capture, at

pytestmark = pytest.mark.integration

ACCESS = at("2015-06-15T12:00:00")


def world() -> tuple[list[Capture], list[tuple[SnapshotRequest, ArchiveStatus, int | None]]]:
    captures: list[Capture] = []
    cases: list[tuple[SnapshotRequest, ArchiveStatus, int | None]] = []
    for number in range(12):
        url = f"http://news.example.net/{number}/story"
        request = SnapshotRequest(url=url, target=ACCESS, target_kind="access", access_date=ACCESS.date())
        kind = number % 4
        if kind == 0:  # a good capture just before
            captures.append(Capture(url, ACCESS - timedelta(days=2)))
            cases.append((request, ArchiveStatus.found, -2))
        elif kind == 1:  # only after, far: the Link header's "first memento" settles it
            captures.append(Capture(url, ACCESS + timedelta(days=60)))
            cases.append((request, ArchiveStatus.found, 60))
        elif kind == 2:  # an archived error, a good capture before it
            captures.append(Capture(url, ACCESS - timedelta(days=1), status=404, body=b"gone"))
            captures.append(Capture(url, ACCESS - timedelta(days=20)))
            cases.append((request, ArchiveStatus.found, -20))
        else:  # never archived
            cases.append((request, ArchiveStatus.none, None))
    return captures, cases


async def test_an_ia_dialect_archive_is_probed_paced_and_read_as_the_real_one() -> None:
    captures, cases = world()
    limits = {"playback": PoolLimit(per_second=10.0, burst=10), "index": PoolLimit(per_second=0.5, burst=3)}
    with IaDialectArchive(captures) as archive, LimitsProxy(archive.port, limits) as proxy:
        async with (
            WebClient(WebSettings(allow_private=True)) as web,
            ArchiveResolver([proxy.url("/web")], web=web) as resolver,
        ):
            results = await resolver.resolve_many([request for request, _, _ in cases])
            (state,) = resolver.endpoint_states()
        assert state.dialect == Dialect.internet_archive.value
        assert proxy.refused == [] and proxy.violations() == 0  # IA's limits, kept
        index = [path for pool, path, _ in proxy.hits if pool == "index"]
        # The dialect probe, then one host-wide query (urlkey filter) for the twelve URLs of news.example.net.
        assert len(index) == 2 and "matchType=host" in index[1]
    for (request, status, day), result in zip(cases, results, strict=True):
        assert result.status is status, (request.url, result)
        if day is not None:
            assert result.snapshot_time == ACCESS + timedelta(days=day)
    # The index answer decides every URL (no bytes were asked for); it lists none of the three never
    # archived, whose plain keys make that "never captured" without asking playback.
    playback = [path for pool, path, _ in proxy.hits if pool == "playback"]
    assert playback == []
