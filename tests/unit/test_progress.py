"""Progress output: bars only for a person at a terminal, log lines with -v, nothing otherwise."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from citecheck.progress import (
    NULL_PROGRESS,
    PACKAGE_LOGGER,
    Progress,
    ProgressMode,
    Stage,
    configure_logging,
    format_eta,
    format_rate,
    in_ci,
    log_level_for,
    progress_mode,
    wait_notice,
)

NO_CI: dict[str, str] = {"TERM": "xterm-256color"}
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class FakeTerminal(io.StringIO):
    """A stderr that says it is a terminal."""

    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def _restore_package_logger() -> Iterator[None]:
    package = logging.getLogger(PACKAGE_LOGGER)
    handlers, level = list(package.handlers), package.level
    yield
    package.handlers[:] = handlers
    package.setLevel(level)


def _run_stages(progress: Progress) -> None:
    with progress:
        progress.start("parsing", total=20)
        for _ in range(20):
            progress.advance("parsing")
        progress.finish("parsing")
        progress.start("resolving", total=None)
        progress.advance("resolving", 3)


def test_not_a_tty_prints_nothing() -> None:
    stream = io.StringIO()
    progress = Progress(0, stream=stream, environ=NO_CI)
    assert progress.mode is ProgressMode.silent
    _run_stages(progress)
    assert stream.getvalue() == ""


@pytest.mark.parametrize("variables", [{"CI": "true"}, {"GITHUB_ACTIONS": "true"}, {"CI": "1", "GITHUB_ACTIONS": ""}])
def test_ci_environment_hides_bars_even_on_a_tty(variables: dict[str, str]) -> None:
    stream = FakeTerminal()
    progress = Progress(0, stream=stream, environ={**NO_CI, **variables})
    assert progress.mode is ProgressMode.silent
    _run_stages(progress)
    assert stream.getvalue() == ""


def test_ci_false_is_not_ci() -> None:
    assert not in_ci({"CI": "false"})
    assert not in_ci({"CI": "0", "GITHUB_ACTIONS": ""})
    assert in_ci({"GITHUB_ACTIONS": "true"})


def test_quiet_is_silent_even_on_a_terminal() -> None:
    stream = FakeTerminal()
    progress = Progress(-1, stream=stream, environ=NO_CI)
    assert progress.mode is ProgressMode.silent
    _run_stages(progress)
    assert stream.getvalue() == ""


def test_dumb_terminal_gets_no_bars() -> None:
    assert progress_mode(0, FakeTerminal(), {"TERM": "dumb"}) is ProgressMode.silent
    assert progress_mode(1, FakeTerminal(), {"TERM": "dumb"}) is ProgressMode.log


def test_terminal_shows_bars_with_stage_names() -> None:
    stream = FakeTerminal()
    progress = Progress(0, stream=stream, environ=NO_CI)
    assert progress.mode is ProgressMode.bars
    progress.start("parsing", total=4)
    progress.advance("parsing", 2)
    progress.refresh()  # render now rather than on rich's timer
    progress.done()
    assert "parsing" in stream.getvalue()


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_bars_show_totals_rates_time_left_and_waits_for_concurrent_stages() -> None:
    stream = FakeTerminal()
    clock = FakeClock()
    progress = Progress(0, stream=stream, environ={**NO_CI, "COLUMNS": "160"}, clock=clock)
    progress.start(Stage.live, total=57)
    progress.start(Stage.archive, total=40)
    progress.advance(Stage.live, 19)
    progress.add_total(Stage.archive, 2)
    progress.waiting("web.archive.org", 2.2)
    progress.waiting("tiny.example", 0.1)  # too short to mention
    assert progress.wait_lines() == ["waiting 3 s for web.archive.org"]
    assert progress.total(Stage.archive) == 42 and progress.completed(Stage.live) == 19
    progress.refresh()
    screen = ANSI.sub("", stream.getvalue())
    assert "checking URLs live" in screen and "19/57" in screen
    assert "looking up archives" in screen and "0/42" in screen
    assert "waiting 3 s for web.archive.org" in screen
    clock.now += 5
    assert progress.wait_lines() == []  # the wait is over
    progress.done()


def test_rate_and_eta_formats() -> None:
    assert format_rate(0, 3.0) == ""
    assert format_rate(30, 2.0) == "15.0/s"
    assert format_rate(3, 60.0) == "3.0/min"
    assert format_eta(10, 40, 5.0) == "eta 0:15"
    assert format_eta(1, 7201, 1.0) == "eta 2:00:00"
    assert format_eta(5, None, 1.0) == "" and format_eta(5, 5, 1.0) == ""
    assert wait_notice("web.archive.org", 1.2) == "waiting 2 s for web.archive.org"


def test_null_progress_accepts_every_event() -> None:
    NULL_PROGRESS.start(Stage.live, 3)
    NULL_PROGRESS.advance(Stage.live)
    NULL_PROGRESS.add_total(Stage.live, 1)
    NULL_PROGRESS.waiting("example.org", 5)
    NULL_PROGRESS.finish(Stage.live)


def test_events_may_come_from_other_threads() -> None:
    import threading

    progress = Progress(1, stream=io.StringIO(), environ=NO_CI)
    progress.start(Stage.sources, total=4000)

    def work() -> None:
        for _ in range(1000):
            progress.advance(Stage.sources)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert progress.completed(Stage.sources) == 4000


def test_verbose_without_tty_logs_plain_lines(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(1)
    progress = Progress(1, environ={"CI": "true"})  # stream: the current sys.stderr, which capsys holds
    assert progress.mode is ProgressMode.log
    _run_stages(progress)
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert "citecheck: INFO: parsing: started (20 to do)" in lines
    assert any(line.startswith("citecheck: INFO: parsing: 10/20") for line in lines)
    assert any(line.startswith("citecheck: INFO: parsing: done, 20 in ") for line in lines)
    assert "citecheck: INFO: resolving: started (?)" in lines
    assert any(line.startswith("citecheck: INFO: resolving: done, 3 in ") for line in lines)
    # A tenth of the work per line at most: start, 9 steps, end.
    assert sum(1 for line in lines if "parsing" in line) <= 11
    assert "\x1b[" not in err  # no terminal control codes in a log


def test_verbose_logging_shows_package_info_and_quiet_hides_warnings(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(1)
    logging.getLogger("citecheck.resolve.example").info("fetched %d pages", 3)
    logging.getLogger("citecheck.resolve.example").debug("not at -v")
    assert capsys.readouterr().err.splitlines() == ["citecheck: INFO: fetched 3 pages"]

    configure_logging(2)
    logging.getLogger("citecheck.resolve.example").debug("every request")
    assert capsys.readouterr().err.splitlines() == ["citecheck: DEBUG: citecheck.resolve.example: every request"]

    configure_logging(-1)
    logging.getLogger("citecheck.resolve.example").warning("cache is old")
    logging.getLogger("citecheck.resolve.example").error("store unreadable")
    assert capsys.readouterr().err.splitlines() == ["citecheck: ERROR: store unreadable"]


def test_configure_logging_twice_prints_once(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(1)
    configure_logging(1)
    logging.getLogger("citecheck").info("once")
    assert capsys.readouterr().err.count("once") == 1


def test_levels() -> None:
    assert [log_level_for(v) for v in (-1, 0, 1, 2, 5)] == [
        logging.ERROR,
        logging.WARNING,
        logging.INFO,
        logging.DEBUG,
        logging.DEBUG,
    ]


def test_advance_without_stage_is_ignored() -> None:
    progress = Progress(1, stream=io.StringIO(), environ=NO_CI)
    progress.advance("checks", 5)
    assert progress.completed("checks") == 0 and progress.running == []
    progress.start("checks", total=2)
    progress.advance("checks", 2)
    assert progress.completed("checks") == 2 and progress.running == ["checks"]
    progress.done()
    assert progress.running == []


def test_log_mode_reports_waits_of_a_second_or_more(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(1)
    progress = Progress(1, environ={"CI": "true"})
    progress.waiting("web.archive.org", 2)
    progress.waiting("example.org", 0.7)
    err = capsys.readouterr().err
    assert "citecheck: INFO: waiting 2 s for web.archive.org (politeness limit)" in err
    assert "example.org" not in err


class _Recording:
    """Every event, and each stage's total and count, as an audit sends them."""

    def __init__(self) -> None:
        self.totals: dict[str, int] = {}
        self.done: dict[str, int] = {}

    def start(self, stage: str, total: int | None = None) -> None:
        self.totals[stage], self.done[stage] = total or 0, 0

    def advance(self, stage: str, amount: int = 1) -> None:
        self.done[stage] += amount

    def add_total(self, stage: str, amount: int) -> None:
        self.totals[stage] += amount

    def finish(self, stage: str) -> None:
        return None

    def waiting(self, host: str, seconds: float) -> None:
        return None


@pytest.mark.parametrize("jobs", [1, 2])
def test_every_bar_ends_full_when_a_document_cannot_be_read(tmp_path: Path, jobs: int) -> None:
    """An unreadable document once left the check and report bars short of their totals for good."""
    from citecheck import AuditOptions, audit

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.md").write_text("# A\n\nText.[^1]\n\n[^1]: <https://example.org/a>\n", encoding="utf-8")
    (docs / "b.md").write_bytes(b"\x00\x01\x02 binary \xff\xfe" * 200)
    (docs / "c.md").write_text("# C\n\nText.\n", encoding="utf-8")
    events = _Recording()
    options = AuditOptions(offline=True, out=tmp_path / "out", cache=tmp_path / "store.db", jobs=jobs)
    result = audit([docs], options, events)
    assert [error.path.endswith("b.md") for error in result.summary.errors] == [True]
    for stage in (Stage.documents, Stage.checks, Stage.reports):
        assert events.done[stage] == events.totals[stage], (stage, events.done, events.totals)
