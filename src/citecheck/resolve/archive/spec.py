"""An ``--archive`` value read — its endpoint URL, the dialect a prefix states, its name — without a request.

Every audit reads its archives' values (offline ones too, to refuse a bad
one and to know which cited archive URLs the run resolves rather than
fetches), so this module imports no HTTP layer; which dialect an endpoint
speaks when no prefix states it is asked of the endpoint (:mod:`.endpoint`).
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from citecheck.lazy_patterns import lazy_pattern
from citecheck.references.links import PORT_ADVICE, url_port_problem

IA_HOSTS = frozenset({"web.archive.org", "wayback.archive.org"})


class Dialect(enum.StrEnum):
    internet_archive = "internet-archive"
    pywb = "pywb"
    openwayback = "openwayback"
    memento = "memento"
    warc = "warc"


_FORCING_PREFIXES = {
    "ia+": Dialect.internet_archive,
    "pywb+": Dialect.pywb,
    "openwayback+": Dialect.openwayback,
    "memento+": Dialect.memento,
}


@dataclass(frozen=True)
class ArchiveSpec:
    """One ``--archive`` value, read."""

    spec: str  # as given
    url: str  # the endpoint URL (no dialect prefix, no trailing slash); for warc: the path
    dialect: Dialect | None  # stated by a prefix (or warc:), else to be probed
    name: str  # the archive's name in reports and in the cache

    @property
    def is_local(self) -> bool:
        return self.dialect is Dialect.warc


class PlainUrl:
    """What ``httpx.URL`` reads from a plain URL: its scheme and host lower-cased, a default port left out.

    (A plain class: a dataclass costs every audit's start-up more than this module's other definitions.)
    """

    __slots__ = ("host", "path", "port", "scheme")

    def __init__(self, scheme: str, host: str, port: int | None, path: str | None) -> None:
        self.scheme = scheme
        self.host = host
        self.port = port
        self.path = path  # None: one httpx would decode or normalise (escapes, dot segments)


# Printable ASCII, a host of letters, digits, dots and hyphens, and digits for a port.
_PLAIN_URL = lazy_pattern(r"(?i:(https?))://([A-Za-z0-9.-]+)(?::([0-9]+))?((?:[/?#][!-~]*)?)", re.ASCII)
_DOTTED_QUAD = lazy_pattern(r"[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+")  # httpx reads these as IPv4 addresses, or refuses them
_MAX_URL = 65_536  # httpx's limit
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _is_ipv4(host: str) -> bool:
    import ipaddress

    try:
        ipaddress.IPv4Address(host)
    except ValueError:
        return False
    return True


def read_plain_url(url: str) -> PlainUrl | None:
    """``url`` read as httpx reads it, when it is a plain URL; None for anything else (left to httpx).

    Every audit reads its ``--archive`` values and its cited archive URLs, offline ones too: the plain ones,
    nearly all, are read here with no HTTP layer imported (issue 17).  What httpx decodes or validates on
    its own terms — IDNA ``xn--`` labels, dotted quads that are no address, non-ASCII — is not plain; a path
    it would decode or normalise is read as None.
    """
    if len(url) >= _MAX_URL:
        return None
    match = _PLAIN_URL().fullmatch(url)
    if match is None:
        return None
    scheme, host, port_text, rest = match[1].lower(), match[2].lower(), match[3], match[4]
    if "xn--" in host or (_DOTTED_QUAD().fullmatch(host) and not _is_ipv4(host)):
        return None
    port = int(port_text) if port_text is not None else None
    path: str | None = re.split(r"[?#]", rest, maxsplit=1)[0] or "/"
    if path is not None and ("%" in path or "/." in path):
        path = None
    # httpx leaves out a default port by the scheme as written: "HTTP://host:80" keeps its 80.
    return PlainUrl(scheme, host, None if port == _DEFAULT_PORTS.get(match[1]) else port, path)


# The Internet Archive's roots as an --archive value may write them: text → (scheme, host).
_IA_ROOTS = {
    f"{scheme}://{host}{path}": (scheme, host)
    for scheme in ("http", "https")
    for host in sorted(IA_HOSTS)
    for path in ("", "/", "/web", "/web/")
}


def archive_host(spec: ArchiveSpec) -> str:
    """The host of an endpoint's URL (not for ``warc:`` archives, which have none)."""
    ia_root = _IA_ROOTS.get(spec.url)
    if ia_root is not None:
        return ia_root[1]
    plain = read_plain_url(spec.url)
    if plain is not None:
        return plain.host
    import httpx

    return httpx.URL(spec.url).host


def endpoint_address(spec: ArchiveSpec) -> tuple[str, int]:
    """(host, port) of an endpoint's URL, the port spelled out (not for ``warc:`` archives).

    Read without httpx when the URL is plain, as :func:`archive_host` reads it: an offline audit that reads
    the store sets up its archives with no HTTP layer loaded.
    """
    ia_root = _IA_ROOTS.get(spec.url)
    if ia_root is not None:
        scheme, host = ia_root
        return host, _DEFAULT_PORTS[scheme]
    plain = read_plain_url(spec.url)
    if plain is not None:
        return plain.host, plain.port or _DEFAULT_PORTS[plain.scheme]
    import httpx

    url = httpx.URL(spec.url)
    return url.host.lower(), url.port or _DEFAULT_PORTS.get(url.scheme, 0)


def parse_archive_spec(spec: str) -> ArchiveSpec:
    """Read an ``--archive`` value; raises ValueError with a one-line message for one that cannot be an archive."""
    text = spec.strip()
    if text.startswith("warc:"):
        path = text[len("warc:") :]
        if not path:
            raise ValueError("warc: needs a path (warc:PATH to a WARC/WACZ file or folder)")
        return ArchiveSpec(text, path, Dialect.warc, f"warc:{path}")
    dialect: Dialect | None = None
    for prefix, forced in _FORCING_PREFIXES.items():
        if text.startswith(prefix):
            dialect, text = forced, text[len(prefix) :]
            break
    ia_root = _IA_ROOTS.get(text)
    if ia_root is not None:
        # The default archive, read without parsing (as httpx reads it): settings are read by every audit,
        # offline ones too, and those would otherwise load httpx for this alone (issue 17).
        scheme, host = ia_root
        return ArchiveSpec(spec, f"{scheme}://{host}", dialect or Dialect.internet_archive, host)
    problem = url_port_problem(text)
    if problem is not None:  # httpx takes 99999, 0 and -1: the first request would fail on it, far from here
        raise ValueError(f"not an archive address: {spec!r}: {problem}; {PORT_ADVICE}")
    url = read_plain_url(text)
    if url is None or url.path is None:
        url = _read_with_httpx(text, spec)
    if url.scheme not in ("http", "https") or not url.host:
        raise ValueError(f"not an archive address: {spec!r} (use http(s)://… or warc:PATH)")
    cleaned = text.rstrip("/")
    if url.host in IA_HOSTS and (url.path or "").rstrip("/") in ("", "/web"):  # (httpx always gives a path)
        host = url.host if url.port is None else f"{url.host}:{url.port}"  # httpx leaves the default port out
        return ArchiveSpec(spec, f"{url.scheme}://{host}", dialect or Dialect.internet_archive, host)
    return ArchiveSpec(spec, cleaned, dialect, cleaned)


def _read_with_httpx(text: str, spec: str) -> PlainUrl:
    import httpx

    try:
        url = httpx.URL(text)
    except httpx.InvalidURL as error:
        raise ValueError(f"not an archive address: {spec!r} ({error})") from None
    return PlainUrl(url.scheme, url.host, url.port, url.path)
