"""Network safety for fetching URLs taken from untrusted documents.

A cited URL may point anywhere: at the machine running citecheck, at the
cloud metadata service, at a printer on the office network. Every request
the live checker makes goes through :class:`~citecheck.resolve.transport.GuardedTransport`, whose network
backend resolves the host itself, refuses private and special-purpose
addresses, and then connects to the address it vetted, so a second DNS
answer (rebinding) cannot slip a private address in between the check and
the connection. Redirect hops are separate requests, so each one is vetted.
"""

from __future__ import annotations

import asyncio
import contextvars
import ipaddress
import socket
import time
from collections.abc import Awaitable, Callable, Iterable
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

from citecheck.references.links import port_problem

if TYPE_CHECKING:
    import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
# (host, port) -> the addresses the host resolves to; injectable for tests.
Resolver = Callable[[str, int], Awaitable[list[str]]]
# (host, port) -> whether the operator configured this endpoint (an archive on an intranet) and so
# lets it be reached whatever its address; redirects away from it are vetted as usual.
TrustedEndpoint = Callable[[str, int], bool]

ALLOWED_SCHEMES = frozenset({"http", "https"})

# The IPv6 prefixes that embed an IPv4 address the packet really goes to.
_NAT64_WELL_KNOWN = ipaddress.IPv6Network("64:ff9b::/96")

# True while the guard itself resolves a vetted host or connects to a vetted address. Nothing in
# citecheck reads it: it lets the test suite's socket-layer guard prove that every connection the
# program opens was opened here (tests/guard/network_guard.py).
GUARDED_CONNECT: contextvars.ContextVar[bool] = contextvars.ContextVar("citecheck_guarded_connect", default=False)


class UrlSafetyError(Exception):
    """The URL, or an address it resolves to, may not be fetched."""


class HostResolutionError(Exception):
    """The host name did not resolve.

    ``nxdomain`` is True when the resolver said the name does not exist, and
    False when resolution failed for a reason that says nothing about the name
    (SERVFAIL, timeout, no resolver).
    """

    def __init__(self, host: str, nxdomain: bool, detail: str) -> None:
        super().__init__(f"{host}: {detail}")
        self.host = host
        self.nxdomain = nxdomain
        self.detail = detail


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address really reaches (mapped, 6to4, NAT64), if any."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64_WELL_KNOWN:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def forbidden_address_reason(address: IPAddress, trusted_networks: Iterable[IPNetwork] = ()) -> str | None:
    """Why ``address`` must not be fetched, or None when it is a public unicast address.

    ``trusted_networks`` are treated as public even when they are not (an
    intranet the operator chooses to check; tests declaring a loopback
    address "public").
    """
    for network in trusted_networks:
        if address.version == network.version and address in network:
            return None
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            inner = forbidden_address_reason(embedded, trusted_networks)
            return f"embeds {embedded}: {inner}" if inner else None
    checks = (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link-local (includes cloud metadata)", address.is_link_local),
        ("private", address.is_private),
        ("multicast", address.is_multicast),
        ("reserved", address.is_reserved),
    )
    for reason, matches in checks:
        if matches:
            return f"{reason} address {address}"
    if not address.is_global:
        # Shared address space (100.64/10), benchmarking ranges and the like.
        return f"non-global address {address}"
    return None


def parse_ip_literal(host: str) -> IPAddress | None:
    """The address a host string denotes by itself, including legacy IPv4 forms.

    ``2130706433``, ``0x7f.1`` and ``0177.0.0.1`` all mean 127.0.0.1 to the C
    resolver (inet_aton), so they are decoded the same way here.
    """
    bare = host.strip("[]")
    try:
        return ipaddress.ip_address(bare)
    except ValueError:
        pass
    if "%" in bare:  # IPv6 zone id, e.g. fe80::1%eth0
        try:
            return ipaddress.ip_address(bare.split("%", 1)[0])
        except ValueError:
            return None
    if bare and all(part and part.isalnum() for part in bare.split(".")):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(bare))
        except OSError:
            return None
    return None


def check_url_allowed(
    url: str | httpx.URL, allow_private: bool, trusted_networks: Iterable[IPNetwork] = ()
) -> httpx.URL:
    """Refuse non-http(s) schemes and literal private addresses; return the parsed URL.

    Host names are checked later, on the addresses they resolve to
    (:func:`resolve_and_check_host`), because only resolution tells.
    """
    import httpx  # here, not at import: an offline audit checks no URL and loads no HTTP stack

    try:
        parsed = url if isinstance(url, httpx.URL) else httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError) as error:
        raise UrlSafetyError(f"not a valid URL: {error}") from error
    if parsed.scheme not in ALLOWED_SCHEMES:
        raise UrlSafetyError(f"scheme {parsed.scheme or '(none)'!r} is not fetched; only http and https are")
    if not parsed.host:
        raise UrlSafetyError("URL has no host")
    # httpx takes any integer for a port; the socket layer then raises OverflowError, no OSError, out of
    # the connection attempt, and a redirect to "http://host:99999/" took the whole network stage with it.
    problem = port_problem(parsed.port) if parsed.port is not None else None
    if problem is not None:
        raise UrlSafetyError(f"not a valid URL: {problem}")
    if parsed.userinfo:
        # Credentials in a cited URL are either a mistake or a trick (http://good.com@evil/).
        raise UrlSafetyError("URL carries credentials")
    if not allow_private:
        literal = parse_ip_literal(parsed.host)
        if literal is not None:
            reason = forbidden_address_reason(literal, trusted_networks)
            if reason:
                raise UrlSafetyError(f"refused {reason}")
    return parsed


async def system_resolver(host: str, port: int) -> list[str]:
    """Resolve through the event loop's getaddrinfo (the system resolver, off the loop thread)."""
    token = GUARDED_CONNECT.set(True)
    try:
        # to_thread, not loop.getaddrinfo: the worker thread then runs in this context (GUARDED_CONNECT).
        infos = await asyncio.to_thread(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        nxdomain = error.errno in {socket.EAI_NONAME, getattr(socket, "EAI_NODATA", socket.EAI_NONAME)}
        raise HostResolutionError(host, nxdomain=nxdomain, detail=str(error)) from error
    finally:
        GUARDED_CONNECT.reset(token)
    addresses: list[str] = []
    for _family, _type, _proto, _canon, sockaddr in infos:
        address = str(sockaddr[0])
        if address not in addresses:
            addresses.append(address)
    return addresses


async def resolve_and_check_host(
    host: str,
    port: int,
    allow_private: bool,
    *,
    trusted_networks: Iterable[IPNetwork] = (),
    resolver: Resolver = system_resolver,
    timeout: float | None = None,
) -> list[str]:
    """Resolve ``host`` and return its addresses, refusing if ANY of them is private.

    Refusing on any (not all) forbidden answer stops a name that resolves to
    both a public and a private address from reaching the private one.
    Raises :class:`UrlSafetyError` or :class:`HostResolutionError`.
    """
    trusted = list(trusted_networks)
    literal = parse_ip_literal(host)
    if literal is not None:
        addresses = [str(literal)]
    else:
        try:
            addresses = await asyncio.wait_for(resolver(host, port), timeout)
        except TimeoutError as error:
            raise HostResolutionError(host, nxdomain=False, detail="resolution timed out") from error
        if not addresses:
            raise HostResolutionError(host, nxdomain=True, detail="no addresses")
    if not allow_private:
        for address in addresses:
            reason = forbidden_address_reason(ipaddress.ip_address(address.split("%", 1)[0]), trusted)
            if reason:
                raise UrlSafetyError(f"refused {host}: {reason}")
    return addresses


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date), or None.

    A date in the past means "now" (0.0); an unparsable value means None, so
    the caller falls back to its own backoff.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    if text.isdigit():
        return float(int(text))
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None  # HTTP-dates are always GMT; a zoneless value is not one
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)
