"""The suite's proof that citecheck has one door to the network.

Installed once per test session (and, through ``site/sitecustomize.py``, in
every Python child process the tests start), this module wraps the socket
layer — ``socket.socket.connect``/``connect_ex``, ``socket.create_connection``,
``socket.getaddrinfo`` — and the HTTP libraries above it (``http.client``,
``urllib3``).  Every attempt is judged:

* made while citecheck's guarded transport connects or resolves
  (``citecheck.resolve.net.GUARDED_CONNECT`` is set): fine;
* made inside :func:`allowed` (a test helper saying what it is: a pywb
  start-up probe, a proxy forwarding to its upstream): fine;
* made by the test's own code (the first frame outside the standard library
  and the HTTP libraries is in ``tests/``) while the running test carries
  ``@pytest.mark.unguarded_client("why")``: fine;
* anything else — citecheck code, a library such as htmldate or trafilatura,
  an unmarked test, a thread nobody owns — is an *unguarded connection*:
  recorded with who made it and where, and the session fails at its end.

The guard also keeps every test on loopback (outside names do not resolve,
outside addresses do not connect), as a machine without a network would.

This file is imported by file path in child processes (no package context),
so it imports nothing from the repository at module level.
"""

from __future__ import annotations

import contextlib
import contextvars
import http.client
import ipaddress
import json
import os
import socket
import sys
import sysconfig
import threading
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from types import CodeType, FrameType
from typing import Any

LOG_DIR_ENV = "CITECHECK_NETWORK_GUARD_LOG"  # children append their findings here (one file per process)
TEST_ENV = "CITECHECK_NETWORK_GUARD_TEST"  # the test that started a child, for the report
MARKER = "unguarded_client"

_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})
# Frames of these packages are the transport, not the caller: the owner is whoever called them.
_TRANSPORT_PACKAGES = frozenset(
    {"httpx", "httpcore", "anyio", "h11", "h2", "hpack", "hyperframe", "urllib3", "requests", "sniffio", "idna"}
)
# Connections that are not fetching anything: a Dask cluster's own control plane (scheduler, workers,
# nanny), which --executor dask opens by design. Allowed by the code that makes them, nothing wider.
_CONTROL_PLANE = tuple(os.sep + os.path.join(*parts) + os.sep for parts in (("site-packages", "distributed", "comm"),))
# The test runner's own frames: never an owner, and where a stack stops being interesting.
_RUNNER_PACKAGES = frozenset({"_pytest", "pluggy", "pytest_asyncio", "hypothesis"})
_STDLIB = tuple(
    {str(Path(sysconfig.get_paths()[key]).resolve()) + os.sep for key in ("stdlib", "platstdlib")}
    | {str(Path(sysconfig.get_paths()[key])) + os.sep for key in ("stdlib", "platstdlib")}
)
_TEST_ROOTS = [str(Path(__file__).resolve().parents[1]) + os.sep]  # the suite's tests/, and add_test_root's
_REPO_SRC = str(Path(__file__).resolve().parents[2] / "src" / "citecheck") + os.sep
_THIS_FILE = str(Path(__file__).resolve())


@dataclass(frozen=True)
class Attempt:
    """One connection or name lookup that did not go through citecheck's guard."""

    layer: str  # socket.connect, getaddrinfo, http.client, urllib3 …
    target: str
    owner: str  # citecheck:<module> | library:<package> | test:<file> | unknown
    where: str  # the innermost frames that are not the transport
    test: str | None
    pid: int

    def line(self) -> str:
        test = self.test or "(outside any test)"
        return f"{self.layer} to {self.target} by {self.owner} in {test} (pid {self.pid})\n{self.where}"


_allowed: contextvars.ContextVar[str | None] = contextvars.ContextVar("network_guard_allowed", default=None)
_inside_layer: contextvars.ContextVar[bool] = contextvars.ContextVar("network_guard_inside_layer", default=False)
_lock = threading.Lock()
_attempts: list[Attempt] = []
_transparent: set[CodeType] = set()
_state: dict[str, Any] = {"test": os.environ.get(TEST_ENV), "helpers_allowed": False, "installed": False}


# --------------------------------------------------------------------------- what tests use


@contextlib.contextmanager
def allowed(reason: str) -> Iterator[None]:
    """Connections made inside are a test helper's own (say which in ``reason``), not citecheck's."""
    token = _allowed.set(reason)
    try:
        yield
    finally:
        _allowed.reset(token)


def transparent(*functions: Callable[..., object]) -> None:
    """Frames of these wrappers are skipped when looking for who connects (other socket patches)."""
    for function in functions:
        _transparent.add(function.__code__)  # type: ignore[attr-defined]


def add_test_root(path: Path) -> None:
    """Files under ``path`` are test code (a session rooted elsewhere than this suite)."""
    root = str(path.resolve()) + os.sep
    if root not in _TEST_ROOTS:
        _TEST_ROOTS.append(root)


def begin_test(nodeid: str | None, helpers_allowed: bool) -> None:
    _state["test"] = nodeid
    _state["helpers_allowed"] = helpers_allowed
    if nodeid is None:
        os.environ.pop(TEST_ENV, None)
    else:
        os.environ[TEST_ENV] = nodeid


def recorded() -> list[Attempt]:
    with _lock:
        return list(_attempts)


def reset() -> None:
    with _lock:
        _attempts.clear()


def child_attempts(log_dir: Path) -> list[Attempt]:
    """What child processes recorded in ``log_dir``."""
    found: list[Attempt] = []
    for path in sorted(log_dir.glob("*.jsonl")):
        for row in path.read_text(encoding="utf-8", errors="replace").splitlines():
            with contextlib.suppress(ValueError, TypeError):
                found.append(Attempt(**json.loads(row)))
    return found


# --------------------------------------------------------------------------- judging


def _is_loopback(host: str) -> bool:
    if host.lower().rstrip(".") in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]").split("%")[0]).is_loopback
    except ValueError:
        return False


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]").split("%")[0])
    except ValueError:
        return False
    return True


def _package_of(filename: str) -> str | None:
    """The top-level package a site-packages file belongs to, else None."""
    for marker in ("site-packages" + os.sep, "dist-packages" + os.sep):
        if marker in filename:
            rest = filename.split(marker, 1)[1]
            return rest.split(os.sep, 1)[0].removesuffix(".py")
    return None


def _classify(frame: FrameType) -> str | None:
    """The owner a frame names, or None when the frame is plumbing (stdlib, transport, this guard)."""
    code = frame.f_code
    if code in _transparent:
        return None
    filename = code.co_filename
    if filename == _THIS_FILE or filename.startswith("<frozen"):
        return None
    package = _package_of(filename)
    if package is not None:
        if package in _TRANSPORT_PACKAGES or package in _RUNNER_PACKAGES:
            return None
        if package == "citecheck":  # an installed (non-editable) copy
            return f"citecheck:{frame.f_globals.get('__name__', filename)}"
        return f"library:{package}"
    if filename.startswith(_REPO_SRC) or frame.f_globals.get("__name__", "").startswith("citecheck."):
        return f"citecheck:{frame.f_globals.get('__name__', filename)}"
    for root in _TEST_ROOTS:
        if filename.startswith(root):
            return f"test:{os.path.relpath(filename, Path(root).parent)}"
    if filename.startswith(_STDLIB):
        return None
    return f"other:{filename}"


def _owner_and_where(frame: FrameType | None) -> tuple[str, str]:
    """Who connects (the first frame outside the plumbing) and the innermost such frames; owner
    ``control-plane`` when the connection is a Dask cluster's own."""
    owner: str | None = None
    lines: list[str] = []
    while frame is not None:
        if any(part in frame.f_code.co_filename for part in _CONTROL_PLANE):
            return "control-plane", ""
        named = _classify(frame)
        if named is not None:
            if owner is None:
                owner = named
            if len(lines) < 6:
                lines.append(f"    {frame.f_code.co_filename}:{frame.f_lineno} in {frame.f_code.co_name}")
        frame = frame.f_back
    return owner or f"unknown (thread {threading.current_thread().name})", "\n".join(lines) or "    (no frame)"


def _guarded() -> bool:
    net = sys.modules.get("citecheck.resolve.net")
    marker = getattr(net, "GUARDED_CONNECT", None)
    return bool(marker is not None and marker.get())


def _judge(layer: str, target: str) -> None:
    """Record ``layer``'s attempt on ``target`` unless citecheck's guard or an allowance covers it."""
    if _guarded() or _allowed.get() is not None:
        return
    owner, where = _owner_and_where(sys._getframe(1))
    if owner == "control-plane" or (owner.startswith("test:") and _state["helpers_allowed"]):
        return
    attempt = Attempt(layer, target, owner, where, _state["test"], os.getpid())
    with _lock:
        _attempts.append(attempt)
    log_dir = os.environ.get(LOG_DIR_ENV)
    if log_dir and _state.get("child"):
        with contextlib.suppress(OSError), open(Path(log_dir) / f"{os.getpid()}.jsonl", "a", encoding="utf-8") as log:
            log.write(json.dumps(asdict(attempt)) + "\n")


def _inet_target(sock: socket.socket, address: object) -> str | None:
    if sock.family not in (socket.AF_INET, socket.AF_INET6) or not isinstance(address, tuple) or not address:
        return None
    host = address[0].decode() if isinstance(address[0], bytes) else str(address[0])
    port = address[1] if len(address) > 1 else "?"
    return f"{host}:{port}"


def _refuse_beyond_loopback(address: object) -> None:
    if isinstance(address, tuple) and address:
        host = address[0].decode() if isinstance(address[0], bytes) else str(address[0])
        if not _is_loopback(host):
            raise ConnectionRefusedError(f"test guard: no connections beyond loopback ({host})")


# --------------------------------------------------------------------------- installing


def install(*, child: bool = False) -> None:
    """Wrap the socket layer and the HTTP libraries (once per process)."""
    if _state["installed"]:
        return
    _state["installed"] = True
    _state["child"] = child

    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo
    real_create_connection = socket.create_connection

    def connect(self: socket.socket, address: Any) -> None:
        target = _inet_target(self, address)
        if target is not None:
            _refuse_beyond_loopback(address)
            if not _inside_layer.get():
                _judge("socket.connect", target)
        real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        target = _inet_target(self, address)
        if target is not None:
            _refuse_beyond_loopback(address)
            if not _inside_layer.get():
                _judge("socket.connect_ex", target)
        return real_connect_ex(self, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode("ascii", "replace") if isinstance(host, bytes) else host  # anyio passes bytes
        if isinstance(name, str) and not _is_ip_literal(name):
            if not _is_loopback(name):
                raise socket.gaierror(socket.EAI_NONAME, f"test guard: {name} does not resolve in tests")
            if not _inside_layer.get():
                _judge("getaddrinfo", name)
        return real_getaddrinfo(host, *args, **kwargs)

    def create_connection(address: Any, *args: Any, **kwargs: Any) -> socket.socket:
        if not _inside_layer.get():
            host, port = (address[0], address[1]) if isinstance(address, tuple) and len(address) > 1 else (address, "?")
            _judge("socket.create_connection", f"{host}:{port}")
        token = _inside_layer.set(True)
        try:
            return real_create_connection(address, *args, **kwargs)
        finally:
            _inside_layer.reset(token)

    socket.socket.connect = connect  # type: ignore[method-assign]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]
    socket.getaddrinfo = getaddrinfo
    socket.create_connection = create_connection
    _wrap_http_connect(http.client.HTTPConnection, "http.client")
    if not child:
        with contextlib.suppress(ImportError):
            import urllib3.connection

            _wrap_http_connect(urllib3.connection.HTTPConnection, "urllib3")


def _wrap_http_connect(cls: type, layer: str) -> None:
    real = cls.connect

    def connect(self: Any) -> Any:
        if not _inside_layer.get():
            _judge(layer, f"{getattr(self, 'host', '?')}:{getattr(self, 'port', '?')}")
        token = _inside_layer.set(True)
        try:
            return real(self)
        finally:
            _inside_layer.reset(token)

    cls.connect = connect  # type: ignore[attr-defined]


def report(attempts: list[Attempt]) -> str:
    if not attempts:
        return ""
    lines = [f"{len(attempts)} unguarded network attempt(s) — every connection must go through citecheck's guard:"]
    for attempt in attempts:
        lines.append("  " + attempt.line())
    return "\n".join(lines)
