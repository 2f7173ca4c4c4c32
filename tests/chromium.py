"""Headless Chromium for tests: only ``file://`` pages, every host name mapped to nowhere."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from pathlib import Path

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Belt and braces: the page is a local file, and no name may resolve even if something tried.
    "--host-resolver-rules=MAP * ~NOTFOUND",
]
SKIP_REASON = "chromium is not installed (apt-get install -y chromium)"

# Appended to a page: once loaded, its body is replaced by a <pre> holding what the browser's innerText was.
_INNER_TEXT_SCRIPT = (
    '<script>window.addEventListener("load", () => { const text = document.body.innerText;'
    ' document.body.innerHTML = ""; const pre = document.createElement("pre"); pre.id = "inner-text";'
    " pre.textContent = text; document.body.appendChild(pre); });</script>"
)
_INNER_TEXT_RE = re.compile(r'<pre id="inner-text">(.*?)</pre>', re.S)


def run_chromium(args: list[str], profile: Path) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    return subprocess.run(
        [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def inner_text(page: str, work: Path) -> str:
    """The text a browser shows for ``page`` (``document.body.innerText``): what a copy from the page gives."""
    work.mkdir(parents=True, exist_ok=True)
    source = work / "page.html"
    source.write_text(page + _INNER_TEXT_SCRIPT, encoding="utf-8")
    dumped = run_chromium(["--virtual-time-budget=3000", "--dump-dom", source.as_uri()], work / "profile")
    match = _INNER_TEXT_RE.search(dumped.stdout)
    assert match is not None, dumped.stderr[-2000:]
    return html.unescape(match.group(1))
