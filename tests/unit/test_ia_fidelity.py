"""The Internet Archive as it really answers: each behaviour of issue 13 on recorded-shape answers.

Answers are built from a real recorded playback exchange (../shared/ia-recordings,
``test_get_memento.yaml``: headers, Link, Memento-Datetime) and changed the way
the real service changes them — an archived 429 keeps its status and its
Memento-Datetime, an excluded URL answers a 200 page, the index names its
access-control exception — and served through httpx.MockTransport into the
run's HTTP layer.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from citecheck.checks.archive import findings_for_archive
from citecheck.models import ArchiveRefusal, ArchiveStatus, Reference
from citecheck.resolve.archive.discovery import discover_for_references
from citecheck.resolve.archive.http_archive import HttpArchive
from citecheck.resolve.archive.models import ArchiveRefusedError, SnapshotRequest, parse_timestamp
from citecheck.resolve.archive.resolver import ArchiveResolver
from citecheck.resolve.archive.spec import parse_archive_spec
from citecheck.resolve.politeness import PoolPolicy
from citecheck.resolve.web import WebClient
from citecheck.resolve.web_settings import WebSettings
from citecheck.store.db import Store

IA = "https://web.archive.org"
URL = "https://www.fws.gov/birds/"
FAST = PoolPolicy(concurrency=8, per_second=1000.0, burst=1000)
Handler = Callable[[httpx.Request], httpx.Response]


def recorded_memento(recordings: Path) -> tuple[dict[str, str], bytes]:
    """Headers and body of the recorded 200 ``id_`` playback of https://www.fws.gov/birds/ at 20171124151315."""
    loaded = yaml.safe_load((recordings / "test_get_memento.yaml").read_text(encoding="utf-8"))
    response: dict[str, Any] = loaded["interactions"][0]["response"]
    raw = response["body"]["string"]
    data = raw if isinstance(raw, bytes) else raw.encode()
    body = gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data
    headers = {
        name: values[0]
        for name, values in response["headers"].items()
        if name.lower() not in ("content-encoding", "transfer-encoding", "content-length")
    }
    return headers, body


def cdx_json(rows: list[tuple[str, str, str]]) -> str:
    header = ["urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length"]
    return json.dumps(
        [header, *[["gov,fws)/birds", ts, url, "text/html", status, "X", "1"] for ts, url, status in rows]]
    )


def archive_over(handler: Handler) -> tuple[WebClient, HttpArchive]:
    web = WebClient(WebSettings(retries=0, backoff_base=0.01), transport=httpx.MockTransport(handler))
    archive = HttpArchive(parse_archive_spec(IA), web, retries=0)
    web.configure_pool(archive.index_pool, FAST)
    web.configure_pool(archive.playback_pool, FAST)
    return web, archive


def request_at(stamp: str = "20171124151315", url: str = URL) -> SnapshotRequest:
    target = parse_timestamp(stamp)
    return SnapshotRequest(url=url, target=target, target_kind="access", access_date=target.date())


async def test_an_archived_429_is_an_error_capture_not_the_archive_limiting_us(ia_recordings_dir: Path) -> None:
    headers, _body = recorded_memento(ia_recordings_dir)
    sent: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request.url.path)
        if "/cdx/" in request.url.path:
            return httpx.Response(200, text=cdx_json([("20171124151315", URL, "429")]))
        return httpx.Response(429, headers=headers, content=b"Too Many Requests (archived)")

    web, archive = archive_over(handler)
    async with web, ArchiveResolver(backends=[archive]) as resolver:
        result = await resolver.resolve(request_at())
        assert web.pool(archive.playback_pool).rate_limited == 0  # nobody paused: it was a capture
    assert result.status is ArchiveStatus.error_snapshot and result.snapshot_status == 429
    assert result.reason == "archived capture answered 429"
    codes = {finding.code for finding in findings_for_archive(Reference(id="1", url=URL), result)}
    assert codes == {"CC304"}
    assert sent.count(f"/web/20171124151315id_/{URL}") == 1  # the capture was asked once, never re-asked


async def test_link_header_entities_are_decoded(ia_recordings_dir: Path) -> None:
    headers, body = recorded_memento(ia_recordings_dir)
    original = "https://www.fws.gov/birds/?page=2&lang=en"
    link_name = next(name for name in headers if name.lower() == "link")
    headers[link_name] = headers[link_name].replace(
        '<https://www.fws.gov/birds/>; rel="original"', f'<{original.replace("&", "&amp;")}>; rel="original"'
    )

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers=headers, content=body)

    web, archive = archive_over(handler)
    async with web, ArchiveResolver(backends=[archive]) as resolver:
        result = await resolver.resolve(request_at(url=original))
        memento = await archive.nearest(original, parse_timestamp("20171124151315"))
    assert result.status is ArchiveStatus.found
    assert result.snapshot_url is not None and "&amp;" not in result.snapshot_url
    assert result.snapshot_url.endswith(original)
    assert memento.url == original
    assert {"first", "prev", "next", "last"} <= set(memento.neighbours)  # Link's neighbours, read


async def test_an_excluded_url_is_a_refusal_with_the_archives_words(tmp_path: Path) -> None:
    page = b"<html><body><p>Sorry.</p><p>This URL has been excluded from the Wayback Machine.</p></body></html>"

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Content-Type": "text/html; charset=utf-8"}, content=page)

    web, archive = archive_over(handler)
    with Store(tmp_path / "cache.sqlite") as store:
        async with web, ArchiveResolver(backends=[archive], store=store) as resolver:
            result = await resolver.resolve(request_at())
            again = await resolver.resolve(request_at())
            assert resolver.cache_hits == 1  # the refusal is the archive's answer: remembered
    assert result.status is ArchiveStatus.not_checked and result.refusal is ArchiveRefusal.excluded
    assert result.reason is not None and "excluded from the Wayback Machine" in result.reason
    assert again == result
    (finding,) = findings_for_archive(Reference(id="1", url=URL), result)
    assert finding.code == "CC305" and "excluded" in finding.message


@pytest.mark.parametrize(
    ("where", "words", "refusal"),
    [
        ("header", "AdministrativeAccessControlException: Blocked Site Error", ArchiveRefusal.blocked_site),
        ("body", "AdministrativeAccessControlException: Blocked Site Error", ArchiveRefusal.blocked_site),
        ("body", "org.archive.wayback.exception.RobotAccessControlException: Blocked By Robots", ArchiveRefusal.robots),
    ],
)
async def test_the_index_refusing_a_site_is_a_refusal_not_no_snapshot(
    where: str, words: str, refusal: ArchiveRefusal
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        headers = {"X-Archive-Wayback-Runtime-Error": words} if where == "header" else {}
        return httpx.Response(403, headers=headers, text=words if where == "body" else "Forbidden")

    web, archive = archive_over(handler)
    async with web:
        with pytest.raises(ArchiveRefusedError) as refused:
            await archive.captures(URL)
        assert refused.value.refusal is refusal
        async with ArchiveResolver(backends=[archive]) as resolver:
            result = await resolver.resolve(request_at())
    assert result.status is ArchiveStatus.not_checked and result.refusal is refusal
    assert result.reason is not None and ("Blocked" in result.reason)


async def test_a_refused_discovery_search_is_not_searched_and_found_nothing() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(403, text="AdministrativeAccessControlException: Blocked Site Error")

    web, archive = archive_over(handler)
    wanted = Reference(id="k", title="Ministers agree water-sharing deal", work="Example News", date="2011-05-06")
    async with web, ArchiveResolver(backends=[archive]) as resolver:
        outcome = await discover_for_references(resolver, [wanted], {"example news": "news.example.net"})
    assert outcome.candidates == {}
    refused = outcome.refused[0]
    assert refused.refusal is ArchiveRefusal.blocked_site and "discovery refused" in (refused.reason or "")


async def test_an_index_404_is_an_endpoint_problem_and_is_never_cached_as_no_snapshot(tmp_path: Path) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if "/cdx/" in request.url.path:
            return httpx.Response(404, text="Not Found")
        return (
            httpx.Response(302, headers={"Location": f"{IA}/web/20190101000000id_/{URL}"})
            if ("20171124" in request.url.path)
            else httpx.Response(503, headers={"Memento-Datetime": "Tue, 01 Jan 2019 00:00:00 GMT"})
        )

    web, archive = archive_over(handler)
    with Store(tmp_path / "cache.sqlite") as store:
        async with web, ArchiveResolver(backends=[archive], store=store, playback_probes=0) as resolver:
            result = await resolver.resolve(request_at())
        assert result.status is ArchiveStatus.not_checked
        assert result.reason is not None and "CDX answered 404" in result.reason
        rows = store.execute("SELECT COUNT(*) FROM archive_results").fetchone()[0]
    assert rows == 0  # an error is never an answer


async def test_garbage_from_the_archive_is_inconclusive_for_that_url_only() -> None:
    """A Memento-Datetime without a zone, a CDX year 9999, deeply nested JSON: each URL alone is not-checked."""
    good = request_at(url="https://good.example/")
    zoneless = request_at(url="https://zoneless.example/")
    nested = request_at(url="https://nested.example/")

    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if "/cdx/" in path:
            target = request.url.params.get("url", "")
            if "nested" in target:
                return httpx.Response(200, text="[" * 50_000 + "]" * 50_000)
            return httpx.Response(200, text=cdx_json([("99991231235959", target, "200")]))
        if "zoneless" in path:
            return httpx.Response(200, headers={"Memento-Datetime": "Fri, 24 Nov 2017 15:13:15"}, text="x")
        if "nested" in path:
            return httpx.Response(503, headers={"Memento-Datetime": "Fri, 24 Nov 2017 15:13:15 GMT"}, text="busy")
        return httpx.Response(200, headers={"Memento-Datetime": "Fri, 24 Nov 2017 15:13:15 GMT"}, text="<p>ok</p>")

    web, archive = archive_over(handler)
    async with web, ArchiveResolver(backends=[archive], playback_probes=0) as resolver:
        results = dict(
            zip(("good", "zoneless", "nested"), await resolver.resolve_many([good, zoneless, nested]), strict=True)
        )
        rows = await archive.captures("https://year9999.example/")
    assert results["good"].status is ArchiveStatus.found
    assert results["zoneless"].status is ArchiveStatus.not_checked
    assert "Memento-Datetime" in (results["zoneless"].reason or "")
    assert results["nested"].status is ArchiveStatus.not_checked
    assert "JSON" in (results["nested"].reason or "")
    assert rows == [] and archive.unreadable_rows >= 1  # the year-9999 row is dropped, not a crash
