"""``--archive`` values: the Internet Archive's roots read without httpx give what parsing them with httpx gives."""

from __future__ import annotations

import httpx
import pytest

from citecheck.references.archive_urls import parse_archive_url
from citecheck.resolve.archive import spec as archive_spec
from citecheck.resolve.archive.spec import (
    _FORCING_PREFIXES,
    Dialect,
    archive_host,
    endpoint_address,
    parse_archive_spec,
)
from citecheck.resolve.plan import _plain_host, needs_verifying

ROOTS = sorted(archive_spec._IA_ROOTS)
SPECS = [*ROOTS, *(f"  {root}\n" for root in ROOTS), *(prefix + root for prefix in _FORCING_PREFIXES for root in ROOTS)]


@pytest.mark.parametrize("spec", SPECS)
def test_ia_roots_read_as_httpx_reads_them(spec: str, monkeypatch: pytest.MonkeyPatch) -> None:
    fast = parse_archive_spec(spec)
    monkeypatch.setattr(archive_spec, "_IA_ROOTS", {})
    parsed = parse_archive_spec(spec)
    assert fast == parsed
    assert archive_host(parsed) == parsed.name


def test_other_archives_are_still_parsed() -> None:
    spec = parse_archive_spec("https://Archive.Example.org/wayback/")
    assert (spec.url, spec.dialect, archive_host(spec)) == (
        "https://Archive.Example.org/wayback",
        None,
        "archive.example.org",
    )
    with pytest.raises(ValueError, match="not an archive address"):
        parse_archive_spec("ftp://web.archive.org")
    with pytest.raises(ValueError, match="not an archive address"):
        parse_archive_spec("web.archive.org")


@pytest.mark.parametrize(
    "spec",
    [
        "https://web.archive.org:99999",
        "https://web.archive.org:0",
        "https://web.archive.org:-1",
        "https://web.archive.org:abc/web/",
        "pywb+http://archive.example.org:65536/wayback",
    ],
)
def test_a_port_no_server_can_have_is_refused_with_what_to_write(spec: str) -> None:
    with pytest.raises(ValueError, match=r"not an archive address: .*port .*; write a port from 1 to 65535") as error:
        parse_archive_spec(spec)
    assert spec in str(error.value)


def test_a_good_port_on_the_internet_archive_s_host_is_kept() -> None:
    spec = parse_archive_spec("https://web.archive.org:8443/web/")
    assert (spec.url, spec.name, spec.dialect) == (
        "https://web.archive.org:8443",
        "web.archive.org:8443",
        Dialect.internet_archive,
    )
    assert parse_archive_spec("https://web.archive.org:443").url == "https://web.archive.org"


@pytest.mark.parametrize("spec", [*SPECS, "https://archive.example.org/wayback", "http://127.0.0.1:8090/coll"])
def test_endpoint_address_is_what_httpx_reads(spec: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """(host, port) the web layer trusts for a configured endpoint: the IA roots' read without httpx agree."""
    parsed = parse_archive_spec(spec)
    fast = endpoint_address(parsed)
    monkeypatch.setattr(archive_spec, "_IA_ROOTS", {})
    assert fast == endpoint_address(parsed)
    url = httpx.URL(parsed.url)
    assert fast == (url.host, url.port or {"http": 80, "https": 443}[url.scheme])


CITED_COPIES = [
    "https://web.archive.org/web/20120305120000/https://news.example/a",
    "HTTP://WEB.Archive.ORG/web/2012/https://news.example/a?b=c#d",
    "https://www.webcitation.org/5xyzAbc12",
    "https://archive.ph/20120305120000/http://127.0.0.41:8080/a%20b",
    "https://archive.today./20120305/https://news.example/",
    "https://archive.ph:443/20120305120000/https://news.example/",
    "https://archive.ph:99999/20120305120000/https://news.example/",
    "https://archive.ph/20120305120000/https://news.example/\x01",
    " https://archive.ph/20120305120000/https://news.example/",
    "https://archive.ph/2012/https://xn--fiqs8s.example/",
    "https://archive.ph/2012/" + "a" * 70_000,
    "https://news.example/not-an-archive",
    "",
]


@pytest.mark.parametrize("configured", [{"web.archive.org"}, {"archive.ph", "web.archive.org"}, set()])
def test_needs_verifying_reads_hosts_as_httpx_does(configured: set[str]) -> None:
    """A plain archive URL's host is read without httpx; every URL gets the answer reading it with httpx gave."""

    def with_httpx(url: str) -> bool:
        try:
            host = httpx.URL(url).host.lower()
        except httpx.InvalidURL:
            return False
        return parse_archive_url(url) is not None and host.removeprefix("www.") not in configured

    for url in CITED_COPIES:
        assert needs_verifying(url, configured) == with_httpx(url), url
    assert _plain_host("https://xn--fiqs8s.cn/") is None  # httpx decodes IDNA labels: left to it
    assert _plain_host("https://Archive.PH/x") == "archive.ph"
