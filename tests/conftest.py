"""Shared test fixtures: where ../shared lives, and skipping cleanly when it does not."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
# CI clones the repository with shared/ beside it; developers have it at ../shared too.
SHARED = REPO_ROOT.parent / "shared"


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or skip the test when that data is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared test data not available: {path}")
    return path


@pytest.fixture
def seeds_dir() -> Path:
    return shared_path("seeds")


@pytest.fixture
def wikipedia_samples_dir() -> Path:
    return shared_path("wikipedia-samples")


@pytest.fixture
def ia_recordings_dir() -> Path:
    return shared_path("ia-recordings")


_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def _is_loopback_host(host: object) -> bool:
    import ipaddress

    if not isinstance(host, str):
        return False
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def _no_internet(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reaches beyond loopback: outside names do not resolve, outside addresses do not connect.

    Mirrors a machine without a network (DNS for outside names fails), so a
    test that forgets ``--offline`` exercises the offline path instead of
    sending packets.
    """
    import socket

    real_getaddrinfo = socket.getaddrinfo
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def guarded_getaddrinfo(host: object, *args: object, **kwargs: object) -> object:
        name = host.decode("ascii", "replace") if isinstance(host, bytes) else host  # anyio binds with bytes
        if name is not None and not _is_loopback_host(name) and not _is_ip_literal(name):
            raise socket.gaierror(socket.EAI_NONAME, f"test guard: {host} does not resolve in tests")
        return real_getaddrinfo(host, *args, **kwargs)  # type: ignore[arg-type]

    def _check(address: object) -> None:
        if isinstance(address, tuple) and address and not _is_loopback_host(address[0]):
            raise ConnectionRefusedError(f"test guard: no connections beyond loopback ({address[0]})")

    def guarded_connect(self: socket.socket, address: object) -> None:
        _check(address)
        real_connect(self, address)  # type: ignore[arg-type]

    def guarded_connect_ex(self: socket.socket, address: object) -> int:
        _check(address)
        return real_connect_ex(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", guarded_getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", guarded_connect_ex)


def _is_ip_literal(host: object) -> bool:
    import ipaddress

    if not isinstance(host, str):
        return False
    try:
        ipaddress.ip_address(host.strip("[]").split("%")[0])
    except ValueError:
        return False
    return True
