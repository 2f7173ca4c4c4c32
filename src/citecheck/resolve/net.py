"""Network safety for fetching URLs taken from untrusted documents.

A cited URL may point anywhere: at the machine running citecheck, at the
cloud metadata service, at a printer on the office network. Every request
the live checker makes goes through :class:`GuardedTransport`, whose network
backend resolves the host itself, refuses private and special-purpose
addresses, and then connects to the address it vetted, so a second DNS
answer (rebinding) cannot slip a private address in between the check and
the connection. Redirect hops are separate requests, so each one is vetted.
"""

from __future__ import annotations

import asyncio
import contextvars
import ipaddress
import select
import socket
import ssl
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from email.utils import parsedate_to_datetime
from typing import Any

import httpcore
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
    try:
        parsed = url if isinstance(url, httpx.URL) else httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError) as error:
        raise UrlSafetyError(f"not a valid URL: {error}") from error
    if parsed.scheme not in ALLOWED_SCHEMES:
        raise UrlSafetyError(f"scheme {parsed.scheme or '(none)'!r} is not fetched; only http and https are")
    if not parsed.host:
        raise UrlSafetyError("URL has no host")
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


class GuardedNetworkBackend(httpcore.AsyncNetworkBackend):
    """Connects only to addresses that passed :func:`resolve_and_check_host`."""

    def __init__(
        self,
        allow_private: bool,
        trusted_networks: Iterable[IPNetwork] = (),
        resolver: Resolver = system_resolver,
        trusted_endpoint: TrustedEndpoint | None = None,
    ) -> None:
        self._inner = httpcore.AnyIOBackend()
        self._allow_private = allow_private
        self._trusted = list(trusted_networks)
        self._resolver = resolver
        self._trusted_endpoint = trusted_endpoint

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        trusted = self._trusted_endpoint is not None and self._trusted_endpoint(host, port)
        addresses = await resolve_and_check_host(
            host,
            port,
            self._allow_private or trusted,
            trusted_networks=self._trusted,
            resolver=self._resolver,
            timeout=timeout,
        )
        last_error: Exception | None = None
        token = GUARDED_CONNECT.set(True)
        try:
            for address in addresses:
                try:
                    stream = await self._inner.connect_tcp(address, port, timeout, local_address, socket_options)
                except (httpcore.ConnectError, httpcore.ConnectTimeout) as error:
                    last_error = error
                else:
                    return _ReadableCheck(stream)
        finally:
            GUARDED_CONNECT.reset(token)
        assert last_error is not None  # addresses is never empty
        raise last_error

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.AsyncNetworkStream:
        raise UrlSafetyError("unix sockets are never fetched")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class _ReadableCheck(httpcore.AsyncNetworkStream):
    """A connection whose "is the idle socket readable" answer costs one ``poll``.

    httpcore asks it of every idle connection of a pool on each request and each response closed
    (a server that closed a kept-alive connection makes it readable); anyio builds a table of every
    attribute of the stream to hand over the socket each time.  The socket is looked up once here.
    """

    def __init__(self, stream: httpcore.AsyncNetworkStream) -> None:
        self._stream = stream
        self._socket: Any = None

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self._stream.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._stream.write(buffer, timeout)

    async def aclose(self) -> None:
        await self._stream.aclose()

    async def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.AsyncNetworkStream:
        return _ReadableCheck(await self._stream.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        if info != "is_readable":
            return self._stream.get_extra_info(info)
        if self._socket is None:
            self._socket = self._stream.get_extra_info("socket")
            if self._socket is None:
                return self._stream.get_extra_info(info)
        return _socket_readable(self._socket)


def _socket_readable(sock: socket.socket) -> bool:
    """Whether a read would return at once (data, or the b"" of a closed connection); a closed socket is."""
    descriptor = sock.fileno()
    if descriptor < 0:
        return True
    poller = select.poll()
    poller.register(descriptor, select.POLLIN)
    return bool(poller.poll(0))


_Origin = tuple[bytes, bytes, int | None]


class _ReleasingStream:
    """A response body that tells its :class:`OriginPools` when it is closed (the request is over)."""

    def __init__(self, stream: Any, release: Callable[[], None]) -> None:
        self._stream = stream
        self._release: Callable[[], None] | None = release

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:
            yield chunk

    async def aclose(self) -> None:
        try:
            if hasattr(self._stream, "aclose"):
                await self._stream.aclose()
        finally:
            if self._release is not None:
                self._release()
                self._release = None


class OriginPools:
    """One small httpcore pool per origin, at most ``max_idle_origins`` of them kept when idle.

    httpcore's pool checks every connection it holds — a ``getpeername`` and a
    ``poll`` each, and a count of all connections per idle one — on every
    request and every response closed, and closes *every* idle connection once
    it holds more than its keep-alive number: with 20 hosts and 60 connections
    in one pool, that scan was a third of a live audit's CPU, and the closing
    made most requests open a new connection.  Per origin, the scan sees the
    two or three connections the politeness pools allow a host, keep-alive
    works, and the least recently used idle origins are closed beyond the bound.
    """

    def __init__(self, make_pool: Callable[[], httpcore.AsyncConnectionPool], max_idle_origins: int = 32) -> None:
        self._make_pool = make_pool
        self._max_idle_origins = max(1, max_idle_origins)
        self._pools: OrderedDict[_Origin, httpcore.AsyncConnectionPool] = OrderedDict()
        self._in_flight: dict[_Origin, int] = {}

    async def handle_async_request(self, request: httpcore.Request) -> httpcore.Response:
        url = request.url
        origin: _Origin = (url.scheme, url.host, url.port)
        pool = self._pools.get(origin)
        if pool is None:
            pool = self._pools[origin] = self._make_pool()
            await self._close_idle_beyond_bound()
        else:
            self._pools.move_to_end(origin)
        self._in_flight[origin] = self._in_flight.get(origin, 0) + 1
        released = False

        def release() -> None:
            nonlocal released
            if not released:
                released = True
                self._in_flight[origin] -= 1

        try:
            response = await pool.handle_async_request(request)
        except BaseException:
            release()
            raise
        return httpcore.Response(
            status=response.status,
            headers=response.headers,
            content=_ReleasingStream(response.stream, release),
            extensions=response.extensions,
        )

    async def _close_idle_beyond_bound(self) -> None:
        excess = len(self._pools) - self._max_idle_origins
        if excess <= 0:
            return
        for origin in list(self._pools):
            if excess <= 0:
                break
            if self._in_flight.get(origin, 0):
                continue
            pool = self._pools.pop(origin)
            self._in_flight.pop(origin, None)
            excess -= 1
            await pool.aclose()

    @property
    def connections(self) -> list[Any]:
        return [connection for pool in self._pools.values() for connection in pool.connections]

    async def aclose(self) -> None:
        pools = list(self._pools.values())
        self._pools.clear()
        for pool in pools:
            await pool.aclose()

    async def __aenter__(self) -> OriginPools:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


class GuardedTransport(httpx.AsyncHTTPTransport):
    """An httpx transport that vets every request's URL and every address it connects to.

    Environment proxies are ignored on purpose: through a proxy the checker
    would never see, and so never vet, the address it really reaches.
    """

    def __init__(
        self,
        *,
        allow_private: bool,
        trusted_networks: Iterable[IPNetwork] = (),
        resolver: Resolver = system_resolver,
        verify: bool = True,
        http2: bool = True,
        limits: httpx.Limits | None = None,
        local_address: str | None = None,
        trusted_endpoint: TrustedEndpoint | None = None,
    ) -> None:
        limits = limits or httpx.Limits(max_connections=100, max_keepalive_connections=20)
        super().__init__(verify=verify, trust_env=False, http2=http2, limits=limits)
        self._allow_private = allow_private
        self._trusted = list(trusted_networks)
        self._trusted_endpoint = trusted_endpoint
        # httpx offers no public way to hand its pool a network backend, so the pool
        # it built is replaced by pools like it (one per origin) that connect through the guard.
        ssl_context = httpx.create_ssl_context(verify=verify, trust_env=False)
        backend = GuardedNetworkBackend(allow_private, self._trusted, resolver, trusted_endpoint)

        def origin_pool() -> httpcore.AsyncConnectionPool:
            return httpcore.AsyncConnectionPool(
                ssl_context=ssl_context,
                max_connections=limits.max_connections,
                max_keepalive_connections=limits.max_keepalive_connections,
                keepalive_expiry=limits.keepalive_expiry,
                http1=True,
                http2=http2,
                network_backend=backend,
                # A machine with several addresses may spread work over them (one per worker).
                local_address=local_address,
            )

        self._pool = OriginPools(origin_pool, max_idle_origins=limits.max_keepalive_connections or 32)  # type: ignore[assignment]

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        trusted = self._trusted_endpoint is not None and self._trusted_endpoint(
            url.host, url.port or _PORTS.get(url.scheme, 0)
        )
        check_url_allowed(url, self._allow_private or trusted, self._trusted)
        return await super().handle_async_request(request)


_PORTS = {"http": 80, "https": 443}


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
