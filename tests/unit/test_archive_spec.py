"""``--archive`` values: the Internet Archive's roots read without httpx give what parsing them with httpx gives."""

from __future__ import annotations

import pytest

from citecheck.resolve.archive import spec as archive_spec
from citecheck.resolve.archive.spec import _FORCING_PREFIXES, Dialect, archive_host, parse_archive_spec

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
