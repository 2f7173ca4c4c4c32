"""The Internet Archive dialect against real recorded exchanges (../shared/ia-recordings), replayed through httpx.

The cassettes are served by a small httpx.MockTransport: a request our code
sends must match a recorded one exactly (method, path, query multiset), so
resume-key paging and redirect following are checked, not assumed.
"""

from __future__ import annotations

import gzip
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from citecheck.models import ArchiveStatus
from citecheck.resolve.archive.http_archive import HttpArchive
from citecheck.resolve.archive.ia import parse_cdx_page
from citecheck.resolve.archive.models import NoMementoError, RateLimitError, SnapshotRequest, parse_timestamp
from citecheck.resolve.archive.resolver import ArchiveResolver
from citecheck.resolve.archive.spec import parse_archive_spec
from citecheck.resolve.archive.wayback import is_web_capture, memento_from_response
from citecheck.resolve.politeness import PoolPolicy
from citecheck.resolve.web import WebClient
from citecheck.resolve.web_settings import WebSettings

IA = "https://web.archive.org"


class UnrecordedRequest(Exception):
    def __init__(self, url: str) -> None:
        super().__init__(f"no recorded interaction for {url}")
        self.url = url


def _body(response: dict[str, Any]) -> bytes:
    raw = response["body"].get("string", b"")
    data = raw if isinstance(raw, bytes) else raw.encode("utf-8")
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


def _request_key(url: httpx.URL | str) -> tuple[str, str, tuple[tuple[str, str], ...]]:
    parsed = httpx.URL(str(url))
    return parsed.host, parsed.path, tuple(sorted(parsed.params.multi_items()))


def load_cassette(path: Path) -> list[dict[str, Any]]:
    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    interactions: list[dict[str, Any]] = loaded["interactions"]
    return interactions


class Replay:
    """Serve a cassette's interactions in order for each distinct request."""

    def __init__(self, interactions: list[dict[str, Any]]) -> None:
        self.queues: dict[tuple[str, str, tuple[tuple[str, str], ...]], list[dict[str, Any]]] = {}
        for interaction in interactions:
            key = _request_key(interaction["request"]["uri"])
            self.queues.setdefault(key, []).append(interaction["response"])
        self.served: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        queue = self.queues.get(_request_key(request.url))
        if not queue:
            raise UnrecordedRequest(str(request.url))
        response = queue.pop(0) if len(queue) > 1 else queue[0]
        self.served.append(str(request.url))
        headers = [
            (name, value)
            for name, values in response["headers"].items()
            if name.lower() not in ("content-encoding", "transfer-encoding", "content-length")
            for value in values
        ]
        return httpx.Response(response["status"]["code"], headers=headers, content=_body(response))


FAST = PoolPolicy(concurrency=8, per_second=1000.0, burst=1000)


def web_over(handler: Any) -> WebClient:
    """The run's HTTP layer over a transport serving recorded answers (no retries, no waits)."""
    return WebClient(WebSettings(retries=0, backoff_base=0.01), transport=httpx.MockTransport(handler))


def fast_archive(web: WebClient, **options: Any) -> HttpArchive:
    archive = HttpArchive(parse_archive_spec(IA), web, **options)
    web.configure_pool(archive.index_pool, FAST)
    web.configure_pool(archive.playback_pool, FAST)
    return archive


def replay_client(recordings: Path, name: str) -> tuple[WebClient, Replay]:
    replay = Replay(load_cassette(recordings / name))
    return web_over(replay), replay


def ts(text: str) -> datetime:
    return parse_timestamp(text)


# --------------------------------------------------------------------------- every recording


def test_every_recorded_response_reads_in_the_dialect(ia_recordings_dir: Path) -> None:
    """Each CDX page parses with nothing unreadable; each playback answer is a memento iff it carries the proof."""
    cassettes = sorted(ia_recordings_dir.glob("*.yaml"))
    assert len(cassettes) >= 25
    archive = HttpArchive(parse_archive_spec(IA), WebClient())
    for cassette in cassettes:
        for interaction in load_cassette(cassette):
            uri, response = interaction["request"]["uri"], interaction["response"]
            status = response["status"]["code"]
            if "/cdx/search/cdx" in uri:
                records, _key, skipped = parse_cdx_page(_body(response).decode("utf-8"))
                assert skipped == 0, cassette.name
                assert all(record.timestamp.year >= 1996 for record in records)
                continue
            headers = httpx.Headers([(name, value) for name, values in response["headers"].items() for value in values])
            memento = memento_from_response(uri.split("_/", 1)[-1], uri, status, headers, archive.split_playback_url)
            has_proof = any(name.lower() == "memento-datetime" for name in response["headers"])
            assert (memento is not None) == has_proof, (cassette.name, uri)
            if memento is None:
                continue
            assert memento.status == status
            if memento.is_redirect:
                assert memento.location and memento.location.startswith("http"), (cassette.name, memento.location)
                assert "web.archive.org" not in memento.location  # unwrapped to the original target
            split = archive.split_playback_url(uri)
            if split is not None and "id_/" in uri:
                assert memento.capture_time == ts(split[0])  # id_ answers at an exact timestamp are that capture


# --------------------------------------------------------------------------- CDX


async def test_cdx_paging_follows_resume_keys_to_the_end(ia_recordings_dir: Path) -> None:
    client, replay = replay_client(ia_recordings_dir, "test_search_multipage.yaml")
    async with client:
        archive = fast_archive(client, max_pages=50)
        params = [("url", "cnn.com"), ("limit", "25"), ("from", "20010410000000"), ("to", "20010510000000")]
        records = await archive.cdx([*params, ("resolveRevisits", "true")])
    assert len(replay.served) == 15  # every recorded page, each asked with the previous page's key
    assert len(set(replay.served)) == 15
    assert records == sorted(records, key=lambda record: record.timestamp)
    keys = Counter((record.raw_timestamp, record.digest, record.original) for record in records)
    assert max(keys.values()) == 1  # the repeated rows of the raw pages are gone
    assert all(ts("20010410000000") <= record.timestamp <= ts("20010510235959") for record in records)


async def test_cdx_repeated_rows_collapse(ia_recordings_dir: Path) -> None:
    client, _replay = replay_client(ia_recordings_dir, "test_search.yaml")
    cassette = load_cassette(ia_recordings_dir / "test_search.yaml")
    raw_rows = [line for line in _body(cassette[0]["response"]).decode().splitlines() if line.count(" ") == 6]
    async with client:
        archive = fast_archive(client)
        window = [("from", "19961001000000"), ("to", "19970201000000")]
        records = await archive.cdx([("url", "nasa.gov"), ("limit", "1000"), *window, ("resolveRevisits", "true")])
    assert 0 < len(records) < len(raw_rows)
    assert len(records) == len(set(raw_rows))


def test_cdx_dash_fields_and_revisits(ia_recordings_dir: Path) -> None:
    cassette = load_cassette(ia_recordings_dir / "test_search_with_date.yaml")
    records, key, skipped = parse_cdx_page(_body(cassette[0]["response"]).decode())
    assert skipped == 0 and key is not None
    revisits = [record for record in records if record.mimetype == "warc/revisit"]
    assert revisits and all(record.status is None for record in revisits)  # "-" is unknown, not 0
    assert not any(record.is_good for record in revisits)


def test_cdx_zero_month_and_day_timestamps(ia_recordings_dir: Path) -> None:
    records, _key, skipped = parse_cdx_page((ia_recordings_dir / "bad_timestamp_cdx.txt").read_text())
    assert skipped == 0
    by_raw = {record.raw_timestamp: record.timestamp for record in records}
    assert by_raw["20000012170449"] == datetime(2000, 1, 12, 17, 4, 49, tzinfo=UTC)  # month 00
    assert by_raw["20000800241623"] == datetime(2000, 8, 1, 23, 16, 23, tzinfo=UTC)  # day 00, hour 24


def test_cdx_malformed_rows_and_non_web_originals(ia_recordings_dir: Path) -> None:
    records, _key, skipped = parse_cdx_page((ia_recordings_dir / "malformed_cdx.txt").read_text())
    assert skipped == 0 and len(records) == 5  # odd originals are still well-formed rows
    web = [record for record in records if is_web_capture(record)]
    assert not any("mailto" in record.original or "data:" in record.original for record in web)
    assert not any(record.original == "some/not/even/url/thing" for record in web)
    assert [record.original for record in web] == ["https://www.epa.gov/", "https://www.epa.gov/"]


def test_cdx_dash_length(ia_recordings_dir: Path) -> None:
    records, _key, _skipped = parse_cdx_page((ia_recordings_dir / "zero_length_cdx.txt").read_text())
    assert records[-1].length is None and records[0].length == 24186


def test_cdx_json_output_reads_like_the_text_output(ia_recordings_dir: Path) -> None:
    cassette = load_cassette(ia_recordings_dir / "test_search_multipage.yaml")
    text = _body(cassette[0]["response"]).decode()
    from_text, text_key, _ = parse_cdx_page(text)
    rows = [line.split(" ") for line in text.split("\n\n")[0].splitlines()]
    header = ["urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length"]
    import json

    as_json = json.dumps([header, *rows, [], [text_key]])
    from_json, json_key, skipped = parse_cdx_page(as_json)
    assert from_json == from_text and json_key == text_key and skipped == 0


# --------------------------------------------------------------------------- playback


async def test_exact_memento_carries_proof_and_original_headers(ia_recordings_dir: Path) -> None:
    client, _ = replay_client(ia_recordings_dir, "test_get_memento.yaml")
    async with client:
        memento = await fast_archive(client).nearest("https://www.fws.gov/birds/", ts("20171124151315"))
    assert memento.status == 200 and memento.capture_time == ts("20171124151315")
    assert memento.url == "https://www.fws.gov/birds/"
    assert memento.original_headers["date"] == "Fri, 24 Nov 2017 15:13:14 GMT"


async def test_inexact_timestamp_redirect_is_followed_to_the_capture(ia_recordings_dir: Path) -> None:
    client, replay = replay_client(ia_recordings_dir, "test_get_memento_with_inexact_string_datetime.yaml")
    async with client:
        archive = fast_archive(client)
        memento = await archive.nearest("https://www.fws.gov/birds/", ts("20171124151310"))
    assert memento.capture_time == ts("20171124151315") and memento.status == 200
    assert archive.requests_by_pool == {"playback": 2}
    assert len(replay.served) == 2


@pytest.mark.parametrize(
    ("cassette", "asked", "expected_next"),
    [
        ("test_get_memento_raises_when_memento_is_outside_target_window.yaml", "20171101000000", "20171124151315"),
        ("test_get_memento_should_fail_for_non_playbackable_mementos.yaml", "20150509080314", "20150503090125"),
    ],
)
async def test_redirect_without_proof_points_to_the_nearest_capture(
    ia_recordings_dir: Path, cassette: str, asked: str, expected_next: str
) -> None:
    client, _ = replay_client(ia_recordings_dir, cassette)
    async with client:
        with pytest.raises(UnrecordedRequest) as unrecorded:
            await fast_archive(client).nearest("https://www.fws.gov/birds/", ts(asked))
    # Only the archive's redirect was recorded: our next request is the capture it names.
    assert f"/web/{expected_next}id_/" in unrecorded.value.url


async def test_never_archived_url_is_no_memento(ia_recordings_dir: Path) -> None:
    client, _ = replay_client(ia_recordings_dir, "test_get_memento_raises_no_memento_error.yaml")
    async with client:
        with pytest.raises(NoMementoError):
            await fast_archive(client).nearest("https://this-is-not-real-url.whatever/", ts("20170929002712"))


async def test_historical_redirect_is_a_memento_with_its_target(ia_recordings_dir: Path) -> None:
    client, _ = replay_client(
        ia_recordings_dir, "test_get_memento_follow_redirects_does_not_follow_historical_redirects.yaml"
    )
    async with client:
        memento = await fast_archive(client).nearest("http://epa.gov/climatechange", ts("20200201020357"))
    assert memento.status == 301 and memento.capture_time == ts("20200201023757")
    assert memento.location == "https://www.epa.gov/sites/production/files/signpost/cc.html"


@pytest.mark.parametrize(
    ("cassette", "url", "asked", "final"),
    [
        (
            "test_get_memento_follows_historical_redirects.yaml",
            "http://epa.gov/climatechange",
            "20200201020357",
            "20200201024405",
        ),
        (
            "test_get_memento_with_redirects.yaml",
            "https://www.epa.gov/ghgreporting/san5779-factsheet",
            "20180808094144",
            "20180808104500",
        ),
    ],
)
async def test_resolver_follows_historical_redirects_within_the_window(
    ia_recordings_dir: Path, cassette: str, url: str, asked: str, final: str
) -> None:
    client, _replay = replay_client(ia_recordings_dir, cassette)
    async with client:
        archive = fast_archive(client)
        async with ArchiveResolver(backends=[archive]) as resolver:
            result = await resolver.resolve(SnapshotRequest(url=url, target=ts(asked), target_kind="access"))
    assert result.status is ArchiveStatus.found
    assert result.snapshot_time == ts(final) and result.snapshot_status == 200
    assert result.reason and "archived redirect" in result.reason
    assert "cdx" not in archive.requests_by_pool  # the cheap path sufficed
    assert result.snapshot_url and result.snapshot_url.startswith(f"{IA}/web/{final}/")


async def test_path_relative_redirect_and_archived_error_keep_their_status(ia_recordings_dir: Path) -> None:
    client, _ = replay_client(ia_recordings_dir, "test_get_memento_with_path_based_redirects.yaml")
    url = "https://www.whitehouse.gov/administration/eop/ostp/about/student/faqs"
    async with client:
        archive = fast_archive(client)
        redirect = await archive.nearest(url, ts("20201027215555"))
        assert redirect.status == 301
        assert redirect.location == "https://www.whitehouse.gov/ostp/about/student/faqs"
        target = await archive.nearest(redirect.location, redirect.capture_time)
    assert target.status == 404 and target.capture_time == ts("20201027220743")


# --------------------------------------------------------------------------- politeness


async def test_cdx_pool_paces_repeated_queries(ia_recordings_dir: Path) -> None:
    client, replay = replay_client(ia_recordings_dir, "test_search_rate_limits.yaml")
    async with client:
        archive = HttpArchive(parse_archive_spec(IA), client, max_pages=1)
        client.configure_pool(archive.index_pool, PoolPolicy(concurrency=1, per_second=20.0, burst=1))
        started = time.monotonic()
        for _ in range(9):
            await archive.cdx([("url", "zew.de"), ("limit", "1000"), ("resolveRevisits", "true")])
    assert len(replay.served) == 9
    assert time.monotonic() - started >= 8 / 20 - 0.02


def test_default_limits_keep_a_margin_below_the_archives() -> None:
    # EDGI wayback's paces: the index at 24/min (the hard limit EDGI reports), playback at 8/s.
    web = WebClient()
    archive = HttpArchive(parse_archive_spec(IA), web)
    assert web.pool(archive.index_pool).per_second == pytest.approx(24 / 60)
    assert web.pool(archive.playback_pool).per_second == pytest.approx(8.0)
    # IA's 429s name no wait: its pools pause briefly and escalate (see test_ratelimit).
    assert web.pool(archive.playback_pool).policy.first_pause_without_retry_after is not None


def test_the_archives_limits_are_the_internet_archives_only() -> None:
    """A pywb (or any other endpoint) starts fast; IA's published limits belong to IA's dialect."""
    web = WebClient()
    pywb = HttpArchive(parse_archive_spec("pywb+http://127.0.0.1:8090/coll"), web)
    playback = web.pool(pywb.playback_pool)
    # No rate of its own (its concurrency bounds it until a 429 gives it one), or a fast one.
    assert playback.per_second is None or playback.per_second >= 20
    assert playback.policy.concurrency >= 4
    assert (web.pool(pywb.index_pool).per_second or 0) >= 10


async def test_429_raises_rate_limit_error_with_the_wait_and_pauses_the_pool() -> None:
    def limited(request: httpx.Request) -> httpx.Response:
        return httpx.Response(429, headers={"Retry-After": "30"}, text="Too Many Requests")

    async with web_over(limited) as web:
        archive = fast_archive(web, retries=0)
        with pytest.raises(RateLimitError) as error:
            await archive.cdx([("url", "example.com")])
        assert error.value.retry_after >= 29
        assert web.pool(archive.index_pool).expected_wait() >= 29
        assert web.pool(archive.playback_pool).expected_wait() == 0  # the other pool keeps going


async def test_a_wait_beyond_the_cap_refuses_the_pool_at_once() -> None:
    """Retry-After far beyond the cap: not waited for; every later request of the pool fails at once."""
    seen: list[str] = []

    def limited(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(429, headers={"Retry-After": "Wed, 21 Oct 2099 07:28:00 GMT"})

    async with web_over(limited) as web:
        archive = fast_archive(web)
        started = time.monotonic()
        for _ in range(3):
            with pytest.raises(RateLimitError) as error:
                await archive.cdx([("url", "example.com")])
            assert error.value.retry_after > 86400
    assert time.monotonic() - started < 2
    assert len(seen) == 1


@pytest.mark.parametrize("location", ["http://[::g]/", "//[zz]/x", "http://[1::2::3]/"])
def test_a_location_urllib_cannot_read_costs_that_answer_only(location: str) -> None:
    """Found on CI: ``urljoin`` raises on a bracketed host that is no address; the memento keeps no location."""
    headers = httpx.Headers({"Memento-Datetime": "Sun, 01 May 2011 10:00:00 GMT", "Location": location})
    memento = memento_from_response(
        "http://example.org/", "http://archive.test/web/20110501100000/http://example.org/", 302, headers, None
    )
    assert memento is not None
    assert memento.location is None
    assert memento.capture_time == datetime(2011, 5, 1, 10, 0, tzinfo=UTC)
