"""The guarded httpx transport: every request's URL and every address it connects to vetted (:mod:`.net`).

Kept apart from :mod:`citecheck.resolve.net`'s URL and address rules so that
code which only checks URLs (an offline audit) never imports httpcore or
httpx; only :class:`citecheck.resolve.web.WebClient` builds a transport.
"""

from __future__ import annotations

import select
import socket
import ssl
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Iterable
from typing import Any

import httpcore
import httpx

from citecheck.resolve.net import (
    GUARDED_CONNECT,
    IPNetwork,
    Resolver,
    TrustedEndpoint,
    UrlSafetyError,
    check_url_allowed,
    resolve_and_check_host,
    system_resolver,
)


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
