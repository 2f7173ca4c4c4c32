"""The network guard has teeth: a pytest run whose tests connect outside citecheck's guard fails, and says who.

Each case is a real pytest session in a child process (``-p tests.guard.plugin``,
the same wiring as this suite's conftest) over a small test file written here.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.guard import network_guard

REPO_ROOT = Path(__file__).resolve().parents[2]

HEADER = '''
import http.server
import socket
import subprocess
import sys
import threading

import pytest


def serve():
    """A loopback HTTP server (accepting is not connecting); returns its base URL."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = b"<html><head><title>t</title></head><body>2011-05-06</body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/"
'''


def run_session(tmp_path: Path, body: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_inner.py").write_text(HEADER + textwrap.dedent(body), encoding="utf-8")
    (tmp_path / "pytest.ini").write_text("[pytest]\naddopts = --strict-markers\n", encoding="utf-8")
    # The inner session wires its own guard: none of this session's guard settings may leak into it.
    env = {key: value for key, value in os.environ.items() if key not in (network_guard.LOG_DIR_ENV, "PYTHONPATH")}
    env["PYTHONPATH"] = str(REPO_ROOT)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "tests.guard.plugin", str(tmp_path)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_guarded_fetches_and_marked_helpers_pass(tmp_path: Path) -> None:
    result = run_session(
        tmp_path,
        """
        import asyncio
        from citecheck.resolve.web import WebClient
        from citecheck.resolve.web_settings import WebSettings

        def test_through_citecheck():
            url = serve()

            async def fetch():
                async with WebClient(WebSettings(allow_private=True)) as web:
                    return await web.fetch(url)

            assert asyncio.run(fetch()).status == 200

        @pytest.mark.unguarded_client("checks its own server with a plain client")
        def test_marked_helper():
            import urllib.request
            assert urllib.request.urlopen(serve(), timeout=5).status == 200
        """,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "unguarded network attempt" not in result.stdout


def test_a_plain_socket_in_an_unmarked_test_fails_the_session(tmp_path: Path) -> None:
    result = run_session(
        tmp_path,
        """
        def test_plain_socket():
            host, port = serve().split("//")[1].rstrip("/").split(":")
            socket.create_connection((host, int(port)), timeout=5).close()
        """,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 passed" in result.stdout  # the test itself passed: the guard failed the session
    assert "socket.create_connection to 127.0.0.1:" in result.stdout
    assert "test_inner.py::test_plain_socket" in result.stdout
    assert "test_inner.py:" in result.stdout  # where


def test_a_library_handed_a_url_is_caught_even_in_a_marked_test(tmp_path: Path) -> None:
    """htmldate given a string that looks like a URL downloads it: the guard names htmldate as the owner."""
    result = run_session(
        tmp_path,
        """
        @pytest.mark.unguarded_client("a marker covers the test's own code, never a library's")
        def test_htmldate_downloads():
            import htmldate
            htmldate.find_date(serve())
        """,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "by library:htmldate" in result.stdout


def test_citecheck_handing_htmldate_a_string_would_be_caught(tmp_path: Path) -> None:
    """If the extractor ever gave htmldate the page text instead of a tree, the session would fail."""
    result = run_session(
        tmp_path,
        """
        from citecheck.resolve import extract

        def test_regression(monkeypatch):
            monkeypatch.setattr(extract, "_parsed_tree", lambda markup: markup)
            extract._date_from_htmldate(serve(), None, __import__("datetime").date(2026, 1, 1))
        """,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "by library:htmldate" in result.stdout
    assert "citecheck/resolve/extract.py" in result.stdout


def test_a_child_process_connecting_unguarded_fails_the_session(tmp_path: Path) -> None:
    result = run_session(
        tmp_path,
        """
        def test_child():
            host, port = serve().split("//")[1].rstrip("/").split(":")
            code = f"import socket; socket.create_connection(({host!r}, {port}), timeout=5).close()"
            subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
        """,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "test_inner.py::test_child" in result.stdout
    assert "by other:<string>" in result.stdout


def test_nothing_leaves_loopback(tmp_path: Path) -> None:
    result = run_session(
        tmp_path,
        """
        def test_outside():
            with pytest.raises(OSError):
                socket.create_connection(("192.0.2.1", 80), timeout=1)
            with pytest.raises(socket.gaierror):
                socket.getaddrinfo("example.org", 80)
        """,
    )
    assert "1 passed" in result.stdout, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("frame_file", "owner"),
    [
        (str(REPO_ROOT / "src" / "citecheck" / "resolve" / "live.py"), "citecheck:"),
        (str(REPO_ROOT / "tests" / "integration" / "web_world.py"), "test:tests/integration/web_world.py"),
    ],
)
def test_owners_are_named_by_the_first_frame_outside_the_plumbing(frame_file: str, owner: str) -> None:
    code = compile("import sys\nframe = sys._getframe()\n", frame_file, "exec")
    namespace: dict[str, object] = {"__name__": "citecheck.resolve.live" if "src" in frame_file else "x"}
    exec(code, namespace)
    found, _where = network_guard._owner_and_where(namespace["frame"])  # type: ignore[arg-type]
    assert found.startswith(owner)
