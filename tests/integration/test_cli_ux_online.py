"""The CLI online, on loopback: finding lines with what the web and the archive said, remaps, check's repair,
and the progress display on a real pseudo-terminal with known totals."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from citecheck.cli import main
from tests.integration.pywb_world import ArchiveWorld, Capture, at
from tests.integration.web_world import Reply, WebWorld, closed_port_url, html, html_page, running_world

pytestmark = pytest.mark.integration

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|\r")


@pytest.fixture(scope="module")
def web() -> Iterator[WebWorld]:
    with running_world() as world:
        yield world


@pytest.fixture(scope="module")
def archive(web: WebWorld, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ArchiveWorld]:
    captures = [
        Capture(web.url("news", "/articles/harvest-2011"), at("2011-05-06T10:00:00")),
        Capture(web.url("news", "/articles/withdrawn"), at("2012-03-01T08:00:00")),
    ]
    with ArchiveWorld(tmp_path_factory.mktemp("pywb"), captures) as world:
        yield world


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    return tmp_path


def _online(web: WebWorld, archive: ArchiveWorld, cache: Path) -> list[str]:
    return [
        "--archive",
        archive.archive_url,
        "--cache",
        str(cache),
        "--allow-private",
        "--canary",
        web.url("news", "/"),
    ]


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_dead_link_line_says_what_the_web_and_the_archive_said(
    web: WebWorld, archive: ArchiveWorld, workdir: Path
) -> None:
    withdrawn, soft = web.url("news", "/articles/withdrawn"), web.url("news", "/articles/soft-missing")
    (workdir / "essay.md").write_text(
        "An estimate was withdrawn.[^w] Prices were reported.[^s]\n\n"
        f'[^w]: "Early harvest estimate". Daily Ledger. 1 March 2012. {withdrawn} Retrieved 2 March 2012.\n'
        f'[^s]: "Harvest prices". Daily Ledger. 3 May 2011. {soft} Retrieved 8 May 2011.\n',
        encoding="utf-8",
    )
    code, out, _ = _run("audit", "essay.md", *_online(web, archive, workdir / "c.sqlite"), "--output-format", "full")
    line = next(line for line in out.splitlines() if " CC201 " in line)
    assert line.startswith("essay.md:3: CC201 dead-link " + withdrawn + " (HTTP 410, not yet confirmed: ")
    assert line.endswith("; capture 2012-03-01 ready to use)")
    repair = out.split(line, 1)[1]
    assert "repair (markdown), ready to paste:" in repair
    assert "[Early harvest estimate](" in repair and "([archived](" in repair
    report = (workdir / "reports" / "essay.md").read_text()
    fix_first = report.split("## Fix first")[1].split("\n## ")[0]
    assert "**Dead links with a repair ready to paste** (1)" in fix_first
    assert code in (0, 1)


def test_remap_checks_another_url_and_exclude_checks_none(web: WebWorld, archive: ArchiveWorld, workdir: Path) -> None:
    soft, flood = web.url("news", "/articles/soft-missing"), web.url("news", "/articles/flood-2012")
    (workdir / "essay.md").write_text(
        "Prices were reported.[^s] A flood came.[^f]\n\n"
        f'[^s]: "Harvest prices". Daily Ledger. 3 May 2011. {soft} Retrieved 8 May 2011.\n'
        f'[^f]: "Flood damage assessed". Daily Ledger. 4 June 2012. {flood} Retrieved 5 June 2012.\n',
        encoding="utf-8",
    )
    before = len(web.seen("news", "/articles/flood-2012"))
    code, _, err = _run(
        "audit",
        "essay.md",
        *_online(web, archive, workdir / "c.sqlite"),
        "--remap",
        "/articles/soft-missing /articles/harvest-2011",
        "--exclude",
        "flood",
    )
    report = json.loads((workdir / "reports" / "essay.json").read_text())
    by_url = {reference["url"]: reference for reference in report["references"]}
    remapped = by_url[soft]  # the report keeps the cited URL ...
    assert remapped["live"]["status"] == "alive"  # ... and shows what the remapped one answered
    assert remapped["live"]["evidence"][-1].startswith(f"checked {web.url('news', '/articles/harvest-2011')} instead")
    assert by_url[flood]["live"] == {
        **by_url[flood]["live"],
        "status": "not-checked",
        "reason": "excluded by --exclude 'flood'",
    }
    assert len(web.seen("news", "/articles/flood-2012")) == before  # not a single request for it
    assert "1 cited URLs were not checked" in report["network"]["message"] or "not checked" in err
    assert code in (0, 1)


def test_check_prints_the_repair_for_a_dead_link_with_a_capture(
    web: WebWorld, archive: ArchiveWorld, workdir: Path
) -> None:
    withdrawn = web.url("news", "/articles/withdrawn")
    template = f"{{{{cite web |url={withdrawn} |title=Early estimate |access-date=2 March 2012}}}}"
    _, out, _ = _run("check", template, *_online(web, archive, workdir / "c.sqlite"))
    assert "repair (wikitext): the link is gone and a good capture exists; paste this instead:" in out
    snippet = out.split("paste this instead:\n", 1)[1].splitlines()[0].strip()
    assert snippet.startswith("{{cite web |url=" + withdrawn)
    assert "archive-url=" in snippet and "archive-date=2012-03-01" in snippet and "url-status=dead" in snippet
    _code, out, _ = _run("check", template, *_online(web, archive, workdir / "c.sqlite"), "--format", "json")
    payload = json.loads(out)
    assert payload["repair_format"] == "wikitext" and "archive-date=2012-03-01" in payload["repair"]


# --------------------------------------------------------------------------- the progress display on a pty


@pytest.fixture(scope="module")
def slow_web() -> Iterator[WebWorld]:
    world = WebWorld()
    site = world.add_site("slow", "127.0.0.8")
    site.route("/", html("Front", "<p>front page</p>"))
    for number in range(3):
        site.route(
            f"/story-{number}",
            Reply(200, html_page("Story", "<p>late</p>"), [("Content-Type", "text/html")], delay=1.2),
        )
    world.start()
    try:
        yield world
    finally:
        world.stop()


def _read_pty(process: subprocess.Popen[bytes], master: int, deadline: float) -> bytes:
    chunks = []
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.1)
        if ready:
            try:
                data = os.read(master, 65536)
            except OSError:  # the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        elif process.poll() is not None:
            break
    return b"".join(chunks)


def test_progress_shows_each_stage_with_its_total_on_a_terminal(slow_web: WebWorld, tmp_path: Path) -> None:
    document = tmp_path / "stories.md"
    notes = "\n".join(
        f'[^{n}]: "Story {n}". Slow Times. 1 May 2020. {slow_web.url("slow", f"/story-{n}")} Retrieved 2 May 2020.'
        for n in range(3)
    )
    document.write_text("One.[^0] Two.[^1] Three.[^2]\n\n" + notes + "\n", encoding="utf-8")
    master, slave = pty.openpty()
    env = {key: value for key, value in os.environ.items() if key not in ("CI", "GITHUB_ACTIONS", "NO_COLOR")}
    env.update({"TERM": "xterm-256color", "COLUMNS": "120", "LINES": "40"})
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "citecheck.cli",
            "audit",
            str(document),
            "--out",
            str(tmp_path / "r"),
            "--cache",
            str(tmp_path / "c.sqlite"),
            "--allow-private",
            "--canary",
            slow_web.url("slow", "/"),
            "--archive",
            closed_port_url().rstrip("/") + "/coll",
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=slave,
        env=env,
        cwd=tmp_path,
    )
    os.close(slave)
    try:
        screen = _read_pty(process, master, time.monotonic() + 90).decode("utf-8", "replace")
        process.wait(timeout=30)
    finally:
        os.close(master)
        if process.poll() is None:
            process.kill()
    assert process.stdout is not None
    stdout = process.stdout.read().decode()
    plain = ANSI.sub("\n", screen)
    assert "checking URLs live" in plain and "0/3" in plain, plain[-2000:]
    assert "looking up archives" in plain
    assert "\x1b[" in screen  # a live display: it redraws
    assert "Traceback" not in plain
    assert stdout.startswith("1 document, 3 references, 3 claims")  # the bars went to stderr only
