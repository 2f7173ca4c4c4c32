"""pytest wiring of the network guard: installed at session start, judged at session end.

``tests/conftest.py`` re-exports these hooks; a pytest run elsewhere (the
guard's own test) loads them with ``-p tests.guard.plugin``.  Child Python
processes inherit ``PYTHONPATH`` with ``tests/guard/site`` first, whose
``sitecustomize`` installs the same guard and logs to the session's directory.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Generator
from pathlib import Path

import pytest

from tests.guard import network_guard

SITE_DIR = Path(__file__).resolve().parent / "site"
_session: dict[str, object] = {}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{network_guard.MARKER}(reason): the test's own code talks to its loopback servers directly "
        "(not through citecheck's guarded client); connections by citecheck or libraries are still judged",
    )


def pytest_sessionstart(session: pytest.Session) -> None:
    network_guard.install()
    root = session.config.rootpath
    network_guard.add_test_root(root / "tests" if (root / "tests").is_dir() else root)
    log_dir = Path(tempfile.mkdtemp(prefix="citecheck-network-guard-"))
    _session["log_dir"] = log_dir
    _session["environ"] = {key: os.environ.get(key) for key in ("PYTHONPATH", network_guard.LOG_DIR_ENV)}
    os.environ[network_guard.LOG_DIR_ENV] = str(log_dir)
    existing = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join([str(SITE_DIR), *([existing] if existing else [])])


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None, object, object]:
    network_guard.begin_test(item.nodeid, item.get_closest_marker(network_guard.MARKER) is not None)
    try:
        return (yield)
    finally:
        network_guard.begin_test(None, False)


def _all_attempts() -> list[network_guard.Attempt]:
    log_dir = _session.get("log_dir")
    children = network_guard.child_attempts(log_dir) if isinstance(log_dir, Path) else []
    return network_guard.recorded() + children


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    attempts = _all_attempts()
    _session["attempts"] = attempts
    if attempts and session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    environ = _session.get("environ")
    if isinstance(environ, dict):
        for key, value in environ.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    attempts = _session.get("attempts")
    if isinstance(attempts, list) and attempts:
        terminalreporter.section("network guard", sep="=", red=True, bold=True)
        terminalreporter.write_line(network_guard.report(attempts))
    log_dir = _session.get("log_dir")
    if isinstance(log_dir, Path):
        shutil.rmtree(log_dir, ignore_errors=True)


def pytest_unconfigure(config: pytest.Config) -> None:
    log_dir = _session.get("log_dir")
    if isinstance(log_dir, Path):
        shutil.rmtree(log_dir, ignore_errors=True)
