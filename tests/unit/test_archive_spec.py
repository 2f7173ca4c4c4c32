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
    read_plain_url,
)
from citecheck.resolve.plan import needs_verifying

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


PLAIN = [
    "https://Archive.PH/x",
    "http://127.0.0.1:8090/coll",  # an address: read as httpx reads it
    "HTTP://web.archive.org:80/web/",  # httpx keeps a default port after a scheme written in capitals
    "http://web.archive.org:80/web/",
    "https://archive.example.org:8443/coll?a=%zz#b",
    "http://localhost",
    "https://web.archive.org/a/../web",  # httpx removes dot segments: the path is left to it
    "https://web.archive.org/we%62",  # and decodes escapes
]


@pytest.mark.parametrize("url", PLAIN)
def test_plain_urls_read_as_httpx_reads_them(url: str) -> None:
    plain = read_plain_url(url)
    assert plain is not None
    parsed = httpx.URL(url)
    assert (plain.scheme, plain.host, plain.port) == (parsed.scheme, parsed.host, parsed.port)
    assert plain.path in (None, parsed.path)
    assert (plain.path is None) == ("/." in url or "%62" in url)


@pytest.mark.parametrize(
    "url",
    ["https://xn--fiqs8s.cn/", "http://999.1.1.1/", "https://ex ample.org/", "https://bücher.example/", "ftp://a"],
)
def test_what_httpx_decodes_or_validates_is_not_plain(url: str) -> None:
    """IDNA labels (httpx decodes them), dotted quads that are no address (it refuses them), non-ASCII."""
    assert read_plain_url(url) is None


def test_archive_specs_read_without_httpx_are_the_ones_httpx_gives(monkeypatch: pytest.MonkeyPatch) -> None:
    specs = ["https://archive.example.org/wayback/", "HTTP://web.archive.org:80", "https://web.archive.org:443/web/"]
    fast = [parse_archive_spec(spec) for spec in specs]
    monkeypatch.setattr(archive_spec, "read_plain_url", lambda url: None)
    assert fast == [parse_archive_spec(spec) for spec in specs]
    assert fast[1].url == "http://web.archive.org:80" and fast[2].url == "https://web.archive.org"
