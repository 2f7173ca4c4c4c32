"""SSRF safety: what the live checker refuses to fetch, and Retry-After parsing.

"Public" addresses in the end-to-end tests are simulated with
``LiveCheckConfig.trusted_networks``: the test declares one loopback address
public (as an operator would declare an intranet), and an injected resolver
makes a test host name resolve to it. Everything not declared stays private.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from citecheck.models import LiveStatus
from citecheck.resolve.live import LiveCheckConfig, LiveChecker
from citecheck.resolve.net import (
    HostResolutionError,
    UrlSafetyError,
    check_url_allowed,
    forbidden_address_reason,
    parse_ip_literal,
    parse_retry_after,
    resolve_and_check_host,
)
from tests.integration.web_world import WebWorld, html, redirect

PRIVATE_URLS = [
    "http://127.0.0.1/",
    "http://127.0.0.1:8080/admin",
    "http://10.1.2.3/",
    "http://172.16.0.1/",
    "http://192.168.1.1/router",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]/",
    "http://[fd00::1]/",
    "http://[fe80::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:169.254.169.254]/",
    "http://[64:ff9b::7f00:1]/",  # NAT64 of 127.0.0.1
    "http://[2002:7f00:1::]/",  # 6to4 of 127.0.0.1
    "http://0.0.0.0/",
    "http://[::]/",
    "http://2130706433/",  # 127.0.0.1 as one decimal number
    "http://0x7f.1/",
    "http://0177.0.0.1/",  # octal
    "http://100.64.0.1/",  # carrier-grade NAT
    "http://224.0.0.1/",
    "http://240.0.0.1/",
]

BAD_SCHEMES = [
    "javascript:alert(1)",
    "file:///etc/passwd",
    "ftp://ftp.example.com/file",
    "data:text/html,<h1>hi</h1>",
    "gopher://example.com/",
    "//example.com/no-scheme",
]


@pytest.mark.parametrize("url", PRIVATE_URLS)
def test_private_and_special_addresses_are_refused(url: str) -> None:
    with pytest.raises(UrlSafetyError):
        check_url_allowed(url, allow_private=False)


@pytest.mark.parametrize("url", PRIVATE_URLS[:12])
def test_allow_private_lifts_the_address_check(url: str) -> None:
    assert check_url_allowed(url, allow_private=True).host


@pytest.mark.parametrize("url", BAD_SCHEMES)
def test_non_http_schemes_are_refused_even_with_allow_private(url: str) -> None:
    with pytest.raises(UrlSafetyError):
        check_url_allowed(url, allow_private=True)


def test_credentials_in_urls_are_refused() -> None:
    with pytest.raises(UrlSafetyError):
        check_url_allowed("http://good.example@evil.example/", allow_private=False)


@pytest.mark.parametrize("url", ["https://example.com/a?b=c", "http://93.184.216.34/", "http://[2606:4700::1111]/"])
def test_public_urls_pass_the_url_check(url: str) -> None:
    assert check_url_allowed(url, allow_private=False).scheme in {"http", "https"}


def test_legacy_ipv4_forms_are_decoded() -> None:
    assert parse_ip_literal("2130706433") == ipaddress.ip_address("127.0.0.1")
    assert parse_ip_literal("0x7f.1") == ipaddress.ip_address("127.0.0.1")
    assert parse_ip_literal("[::1]") == ipaddress.ip_address("::1")
    assert parse_ip_literal("example.com") is None
    assert parse_ip_literal("1e100.net") is None


def test_trusted_networks_are_treated_as_public() -> None:
    trusted = [ipaddress.ip_network("10.20.0.0/16")]
    assert forbidden_address_reason(ipaddress.ip_address("10.20.1.1"), trusted) is None
    assert forbidden_address_reason(ipaddress.ip_address("10.21.1.1"), trusted) is not None


def _resolver(table: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    async def resolve(host: str, port: int) -> list[str]:
        if host not in table:
            raise HostResolutionError(host, nxdomain=True, detail="not in test table")
        return table[host]

    return resolve


async def test_names_resolving_to_private_addresses_are_refused() -> None:
    resolver = _resolver(
        {
            "metadata.test": ["169.254.169.254"],
            "mixed.test": ["93.184.216.34", "10.0.0.7"],
            "v6.test": ["::1"],
            "public.test": ["93.184.216.34"],
        }
    )
    for host in ("metadata.test", "mixed.test", "v6.test"):
        with pytest.raises(UrlSafetyError):
            await resolve_and_check_host(host, 80, allow_private=False, resolver=resolver)
    assert await resolve_and_check_host("public.test", 80, allow_private=False, resolver=resolver) == ["93.184.216.34"]
    assert await resolve_and_check_host("v6.test", 80, allow_private=True, resolver=resolver) == ["::1"]
    with pytest.raises(HostResolutionError) as missing:
        await resolve_and_check_host("nope.test", 80, allow_private=False, resolver=resolver)
    assert missing.value.nxdomain


def test_retry_after_forms() -> None:
    now = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after(" 0 ") == 0.0
    in_90s = format_datetime(now + timedelta(seconds=90), usegmt=True)
    assert parse_retry_after(in_90s, now=now.timestamp()) == pytest.approx(90.0)
    past = format_datetime(now - timedelta(hours=1), usegmt=True)
    assert parse_retry_after(past, now=now.timestamp()) == 0.0
    for junk in (None, "", "soon", "-5", "1.5"):
        assert parse_retry_after(junk) is None


# --------------------------------------------------------------------------- end to end, real loopback servers


@pytest.fixture
def ssrf_world() -> Iterator[WebWorld]:
    world = WebWorld()
    public = world.add_site("public", "127.0.0.21")
    private = world.add_site("private", "127.0.0.22")
    public.route("/story", html("Public story", "<p>a story on a public site</p>"))
    public.route("/to-private", lambda _r: redirect(world.url("private", "/secret")))
    public.route("/to-metadata", redirect("http://169.254.169.254/latest/meta-data/"))
    public.route("/to-localhost-name", lambda _r: redirect(f"http://localhost:{world.sites['private'].port}/secret"))
    public.route("/to-file", redirect("file:///etc/passwd"))
    private.route("/secret", html("Secret", "<p>internal only</p>"))
    world.start()
    try:
        yield world
    finally:
        world.stop()


def _guarded_config(world: WebWorld) -> LiveCheckConfig:
    return LiveCheckConfig(
        allow_private=False,
        trusted_networks=(f"{world.sites['public'].address}/32",),
        canary_urls=(),
        dns_canary_hosts=(),
        connect_timeout=0.5,
        read_timeout=0.5,
        backoff_base=0.01,
    )


@pytest.mark.integration
async def test_direct_private_url_is_never_requested(ssrf_world: WebWorld) -> None:
    async with LiveChecker(_guarded_config(ssrf_world)) as checker:
        check = await checker.check_url(ssrf_world.url("private", "/secret"))
    assert check.status is LiveStatus.not_checked
    assert check.reason is not None and "refused" in check.reason
    assert ssrf_world.seen("private") == []


@pytest.mark.integration
@pytest.mark.parametrize("path", ["/to-private", "/to-metadata", "/to-localhost-name", "/to-file"])
async def test_public_url_redirecting_into_private_space_is_refused(ssrf_world: WebWorld, path: str) -> None:
    # A public-looking host name resolving to the address the test declares public.
    public_address = ssrf_world.sites["public"].address
    resolver = _resolver({"news.public.test": [public_address], "localhost": ["127.0.0.1"]})
    url = f"http://news.public.test:{ssrf_world.sites['public'].port}{path}"
    async with LiveChecker(_guarded_config(ssrf_world), resolver=resolver) as checker:
        check = await checker.check_url(url)
    assert check.status is LiveStatus.not_checked, check.evidence
    assert check.reason is not None and "refused" in check.reason
    assert len(ssrf_world.seen("public", path)) == 1  # the public hop was fetched …
    assert ssrf_world.seen("private") == []  # … the private one never was


@pytest.mark.integration
async def test_rebinding_name_is_refused_at_connect_time(ssrf_world: WebWorld) -> None:
    # The URL names a host, so the URL check passes; the address it resolves to is private.
    resolver = _resolver({"rebind.test": [ssrf_world.sites["private"].address]})
    url = f"http://rebind.test:{ssrf_world.sites['private'].port}/secret"
    async with LiveChecker(_guarded_config(ssrf_world), resolver=resolver) as checker:
        check = await checker.check_url(url)
    assert check.status is LiveStatus.not_checked
    assert ssrf_world.seen("private") == []


@pytest.mark.integration
async def test_trusted_public_site_is_checked_normally(ssrf_world: WebWorld) -> None:
    resolver = _resolver({"news.public.test": [ssrf_world.sites["public"].address]})
    url = f"http://news.public.test:{ssrf_world.sites['public'].port}/story"
    async with LiveChecker(_guarded_config(ssrf_world), resolver=resolver) as checker:
        check = await checker.check_url(url)
    assert check.status is LiveStatus.alive
