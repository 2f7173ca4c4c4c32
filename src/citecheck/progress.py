"""Progress on long runs and the ``-q``/``-v``/``-vv`` log levels.

Three ways to show progress, chosen once per run by :func:`progress_mode`:

* ``bars``: rich progress bars on stderr, only for a person at a terminal —
  stderr is a TTY, the terminal is not ``dumb`` and no CI variable is set
  (CI logs are files: redrawn bars would fill them with control codes);
* ``log``: with ``-v`` and no bars, one plain log line when a stage starts,
  at every tenth of its work and when it ends, so a CI log still shows
  where a slow run spends its time;
* ``silent``: everything else, and always with ``-q``.

The stages call the same three methods whatever the mode, so the pipeline
never asks how it is being watched.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Mapping
from enum import StrEnum
from types import TracebackType
from typing import TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.progress import Progress as RichProgress

PACKAGE_LOGGER = "citecheck"
logger = logging.getLogger(__name__)

# Values of CI/GITHUB_ACTIONS that mean "not in CI" (people export CI=false to see bars).
_FALSE_VALUES = frozenset({"", "0", "false", "no", "off"})
_LOG_STEPS = 10  # log-mode lines per stage between its start and end


class ProgressMode(StrEnum):
    bars = "bars"
    log = "log"
    silent = "silent"


def in_ci(environ: Mapping[str, str] | None = None) -> bool:
    """True when a CI variable (``CI``, ``GITHUB_ACTIONS``) says this is a CI job."""
    env = os.environ if environ is None else environ
    return any(env.get(name, "").strip().lower() not in _FALSE_VALUES for name in ("CI", "GITHUB_ACTIONS"))


def progress_mode(verbosity: int, stream: TextIO, environ: Mapping[str, str] | None = None) -> ProgressMode:
    """How to show progress for this run (see the module docstring)."""
    env = os.environ if environ is None else environ
    if verbosity < 0:
        return ProgressMode.silent
    interactive = _is_tty(stream) and env.get("TERM", "") != "dumb" and not in_ci(env)
    if interactive:
        return ProgressMode.bars
    return ProgressMode.log if verbosity > 0 else ProgressMode.silent


def _is_tty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # closed or file-like objects without a terminal
        return False


class _CurrentStderrHandler(logging.StreamHandler[TextIO]):
    """Writes to whatever ``sys.stderr`` is at emit time, so redirection (tests, click) is honoured."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


def log_level_for(verbosity: int) -> int:
    """``-q`` → errors only, default → warnings, ``-v`` → info, ``-vv`` → debug."""
    if verbosity < 0:
        return logging.ERROR
    return {0: logging.WARNING, 1: logging.INFO}.get(verbosity, logging.DEBUG)


def configure_logging(verbosity: int) -> None:
    """Send the ``citecheck`` loggers to stderr at the level ``verbosity`` asks for.

    Calling it again replaces the handler it installed (a second CLI
    invocation in one process must not print every line twice).
    """
    package = logging.getLogger(PACKAGE_LOGGER)
    for handler in list(package.handlers):
        if isinstance(handler, _CurrentStderrHandler):
            package.removeHandler(handler)
    handler = _CurrentStderrHandler()
    detail = "%(name)s: " if verbosity >= 2 else ""
    handler.setFormatter(logging.Formatter(f"citecheck: %(levelname)s: {detail}%(message)s"))
    package.addHandler(handler)
    package.setLevel(log_level_for(verbosity))
    # The package's own handler prints; the root logger's (pytest's, an embedding app's) still sees records.
    package.propagate = True


class Progress:
    """Progress of a run's stages: ``stage(name, total)``, ``advance(n)``, ``done()``.

    Use as a context manager, or call :meth:`done` at the end; a new
    ``stage`` ends the previous one.
    """

    def __init__(
        self,
        verbosity: int = 0,
        *,
        stream: TextIO | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.mode = progress_mode(verbosity, self.stream, environ)
        self._bars: RichProgress | None = None
        self._task: TaskID | None = None
        self._stage: str | None = None
        self._total: int | None = None
        self._completed = 0
        self._next_log_at = 0
        self._started_at = 0.0

    @property
    def current_stage(self) -> str | None:
        return self._stage

    @property
    def completed(self) -> int:
        return self._completed

    def stage(self, name: str, total: int | None = None) -> None:
        """Start a stage of ``total`` units of work (None: unknown); ends the running one."""
        if self._stage is not None:
            self._finish_stage()
        self._stage, self._total, self._completed = name, total, 0
        self._started_at = time.monotonic()
        self._next_log_at = self._log_interval()
        if self.mode is ProgressMode.bars:
            if self._bars is None:
                self._bars = RichProgress(
                    SpinnerColumn(),
                    TextColumn("{task.description}"),
                    BarColumn(),
                    MofNCompleteColumn(),
                    TimeElapsedColumn(),
                    console=Console(file=self.stream),
                    transient=True,
                )
                self._bars.start()
            self._task = self._bars.add_task(name, total=total)
        elif self.mode is ProgressMode.log:
            logger.info("%s: started (%s)", name, "?" if total is None else f"{total} to do")

    def advance(self, amount: int = 1) -> None:
        """Count ``amount`` more units of the running stage as done."""
        if self._stage is None:
            return
        self._completed += amount
        if self._bars is not None and self._task is not None:
            self._bars.advance(self._task, amount)
        elif self.mode is ProgressMode.log and self._total and self._completed >= self._next_log_at:
            if self._completed < self._total:
                logger.info("%s: %d/%d", self._stage, self._completed, self._total)
            self._next_log_at = self._completed + self._log_interval()

    def done(self) -> None:
        """End the running stage and take the bars off the screen."""
        if self._stage is not None:
            self._finish_stage()
        if self._bars is not None:
            self._bars.stop()
            self._bars = None

    def _log_interval(self) -> int:
        return max(1, (self._total or 0) // _LOG_STEPS)

    def _finish_stage(self) -> None:
        if self._bars is not None and self._task is not None:
            self._bars.update(self._task, completed=self._total or self._completed, visible=False)
        elif self.mode is ProgressMode.log:
            elapsed = time.monotonic() - self._started_at
            logger.info("%s: done, %d in %.1fs", self._stage, self._completed, elapsed)
        self._stage, self._task, self._total = None, None, None

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.done()
