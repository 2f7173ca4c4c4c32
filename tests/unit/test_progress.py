"""Progress output: bars only for a person at a terminal, log lines with -v, nothing otherwise."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from citecheck.progress import (
    PACKAGE_LOGGER,
    Progress,
    ProgressMode,
    configure_logging,
    in_ci,
    log_level_for,
    progress_mode,
)

NO_CI: dict[str, str] = {"TERM": "xterm-256color"}


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
        progress.stage("parsing", total=20)
        for _ in range(20):
            progress.advance()
        progress.stage("resolving", total=None)
        progress.advance(3)


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
    progress.stage("parsing", total=4)
    progress.advance(2)
    progress._bars.refresh()  # type: ignore[union-attr]  # render now rather than on rich's timer
    progress.done()
    assert "parsing" in stream.getvalue()


def test_verbose_without_tty_logs_plain_lines(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(1)
    progress = Progress(1, environ={"CI": "true"})  # stream: the current sys.stderr, which capsys holds
    assert progress.mode is ProgressMode.log
    _run_stages(progress)
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert "citecheck: INFO: parsing: started (20 to do)" in lines
    assert "citecheck: INFO: parsing: 10/20" in lines
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
    progress.advance(5)
    assert progress.completed == 0 and progress.current_stage is None
    progress.stage("checks", total=2)
    progress.advance(2)
    assert progress.completed == 2 and progress.current_stage == "checks"
    progress.done()
    assert progress.current_stage is None
