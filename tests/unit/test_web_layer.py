"""The one HTTP layer's bounds and decoding, without a network (narrow transports where a server is not the point)."""

from __future__ import annotations

import gzip
import zlib

import httpx
import pytest

from citecheck.resolve.classify import classify_response
from citecheck.resolve.decode import (
    JsonDataError,
    charset_from_content_type,
    decode_text,
    json_depth_exceeds,
    loads_json,
)
from citecheck.resolve.live import outcome_from_response
from citecheck.resolve.web import CappedDecoder, FetchError, FetchFailed, WebClient, WebResponse
from citecheck.resolve.web_settings import WebSettings

# --------------------------------------------------------------------------- bodies


def test_the_cap_counts_decoded_bytes_and_stops_a_bomb_early() -> None:
    bomb = gzip.compress(bytes(50 << 20))  # 50 MiB of zeros, ~50 KiB on the wire
    decoder = CappedDecoder("gzip", limit=1 << 20, max_ratio=200)
    for start in range(0, len(bomb), 4096):
        decoder.feed(bomb[start : start + 4096])
        if decoder.done:
            break
    assert decoder.truncated and len(decoder.output) <= 1 << 20
    assert decoder.raw_read < len(bomb)  # it stopped reading, not only decoding


def test_the_ratio_cap_flags_a_bomb_below_the_byte_cap() -> None:
    bomb = gzip.compress(bytes(8 << 20))
    decoder = CappedDecoder("gzip", limit=64 << 20, max_ratio=50)
    decoder.feed(bomb)
    assert decoder.done and decoder.truncated
    assert decoder.note is not None and "decompression ratio" in decoder.note


def test_junk_after_a_gzip_member_ends_the_body_instead_of_waiting_for_more() -> None:
    page = b"<html><title>Story</title><body>" + b"word " * 200 + b"</body></html>"
    decoder = CappedDecoder("gzip", limit=1 << 20)
    decoder.feed(gzip.compress(page) + b"\x00garbage that is not gzip")
    assert decoder.done and bytes(decoder.output) == page
    assert decoder.note is not None and "junk" in decoder.note


def test_several_gzip_members_are_all_read() -> None:
    decoder = CappedDecoder("gzip", limit=1 << 20)
    decoder.feed(gzip.compress(b"first half, ") + gzip.compress(b"second half"))
    assert bytes(decoder.output) == b"first half, second half"


def test_raw_deflate_without_the_zlib_header_is_read() -> None:
    compressor = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    raw = compressor.compress(b"<p>deflated page</p>") + compressor.flush()
    decoder = CappedDecoder("deflate", limit=1 << 20)
    decoder.feed(raw)
    assert bytes(decoder.output) == b"<p>deflated page</p>"


def test_an_encoding_we_do_not_decode_is_flagged_not_misread() -> None:
    decoder = CappedDecoder("br", limit=1 << 20)
    decoder.feed(b"\x8b\x03\x80binary")
    assert decoder.undecodable and not decoder.output


# --------------------------------------------------------------------------- charsets


def test_the_charset_comes_from_the_header_parameter_never_the_header_codec() -> None:
    assert charset_from_content_type("text/html; charset=ISO-8859-1") == "iso-8859-1"
    assert charset_from_content_type('text/html; charset="utf-8"') == "utf-8"
    assert charset_from_content_type("text/html") is None
    assert charset_from_content_type("text/html; charset=no-such-codec") is None


def test_a_soft_404_with_an_en_dash_in_utf8_served_as_ascii_is_still_a_soft_404() -> None:
    body = "<html><head><title>Page not found – Example</title></head><body><p>Sorry.</p></body></html>".encode()
    response = WebResponse(
        url="https://example.org/a/b", final_url="https://example.org/a/b", status=200,
        headers=httpx.Headers({"content-type": "text/html; charset=ascii"}), body=body,
    )  # fmt: skip
    outcome = outcome_from_response("https://example.org/a/b", response)
    assert outcome.page.title == "Page not found – Example"
    assert classify_response(outcome).status.value == "soft-404"


def test_bom_and_meta_follow_a_missing_header_charset() -> None:
    latin = "<html><head><meta charset='iso-8859-1'><title>Café</title></head></html>".encode("latin-1")
    assert "Café" in decode_text(latin, "text/html")
    assert decode_text("\ufeffBOM text".encode("utf-8-sig"), "text/plain", html=False) == "BOM text"
    # A header charset the bytes cannot be is passed over, not forced.
    assert "Page not found –" in decode_text("Page not found – x".encode(), "text/html; charset=ascii")


# --------------------------------------------------------------------------- JSON


def test_deep_json_is_refused_before_the_parser_recurses() -> None:
    deep = "[" * 100_000 + "]" * 100_000
    assert json_depth_exceeds(deep, 64)
    with pytest.raises(JsonDataError, match="deeper"):
        loads_json(deep)
    assert loads_json('{"a": ["[[[[ brackets in a string do not count"]}') == {
        "a": ["[[[[ brackets in a string do not count"]
    }
    with pytest.raises(JsonDataError):
        loads_json(b"\xff\xfe not json")


# --------------------------------------------------------------------------- URLs and redirects


@pytest.mark.parametrize(
    "url",
    [
        "http://0177.0.0.1/",
        "http://☃.net/",
        "http://x.com:abc/",
        "https://[::g]/",
        # httpx parses these; the socket refuses the port with an OverflowError, no OSError.
        "http://127.0.0.1:99999/",
        "http://127.0.0.1:-1/",
        "http://127.0.0.1:0/",
    ],
)
async def test_urls_httpx_rejects_are_a_failure_of_that_url(url: str) -> None:
    async with WebClient(WebSettings(allow_private=True)) as web:
        with pytest.raises(FetchFailed) as failure:
            await web.fetch(url)
    assert failure.value.error in (FetchError.invalid_url, FetchError.refused)
    assert not failure.value.connected


def _transport(routes: dict[str, httpx.Response]) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        return routes.get(request.url.path, httpx.Response(404))

    return httpx.MockTransport(handle)


@pytest.mark.parametrize(
    "location", ["http://[::g]/", "http://x.com:abc/", "//☃.net/", "http://x.com:99999/", "//x.com:0/"]
)
async def test_a_location_httpx_cannot_parse_is_a_protocol_failure_not_a_crash(location: str) -> None:
    routes = {"/moved": httpx.Response(302, headers=[(b"Location", location.encode())])}
    async with WebClient(transport=_transport(routes)) as web:
        with pytest.raises(FetchFailed) as failure:
            await web.fetch("https://site.example/moved")
    assert failure.value.error in (FetchError.protocol, FetchError.invalid_url)


async def test_a_redirect_into_private_space_is_refused_at_the_hop() -> None:
    routes = {"/moved": httpx.Response(302, headers={"Location": "http://169.254.169.254/latest/meta-data/"})}
    async with WebClient(transport=_transport(routes)) as web:
        with pytest.raises(FetchFailed) as failure:
            await web.fetch("https://site.example/moved")
    assert failure.value.error is FetchError.refused


async def test_a_memento_is_a_capture_whatever_its_status() -> None:
    """An archived 429 carries Memento-Datetime: returned as is, never retried, never a rate limit."""
    sent: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        sent.append(str(request.url))
        return httpx.Response(429, headers={"Memento-Datetime": "Fri, 24 Nov 2017 15:13:15 GMT"}, text="slow down")

    async with WebClient(WebSettings(retries=3), transport=httpx.MockTransport(handle)) as web:
        response = await web.fetch(
            "https://archive.example/web/2017id_/x", pool="archive:a:playback", capture_aware=True
        )
        assert response.status == 429
        assert web.pool("archive:a:playback").rate_limited == 0
    assert len(sent) == 1


async def test_offline_sends_nothing() -> None:
    async with WebClient(offline=True) as web:
        with pytest.raises(FetchFailed) as failure:
            await web.fetch("https://example.org/")
    assert failure.value.error is FetchError.offline


@pytest.mark.parametrize("spec", ["pywb+http://127.0.0.1:1/coll", "ia+https://web.archive.org/web"])
def test_archive_pools_wait_no_longer_than_the_runs_retry_after_cap(spec: str) -> None:
    from citecheck.resolve.archive.resolver import backend_from_spec

    web = WebClient(WebSettings(retry_after_cap=7.0))
    backend = backend_from_spec(spec, web)
    for pool in (backend.index_pool, backend.playback_pool):  # type: ignore[attr-defined]
        assert web.pool(pool).policy.max_wait == 7.0
