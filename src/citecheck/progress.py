"""Progress on long runs, and the ``-q``/``-v``/``-vv`` log levels.

The stages report through one small interface, :class:`ProgressEvents`::

    events.start(Stage.live, total=57)       # a stage with a known amount of work (None: unknown)
    events.advance(Stage.live)               # one more unit done
    events.add_total(Stage.archive, 3)       # more work found on the way (retries, discovery)
    events.waiting("web.archive.org", 2.0)   # a politeness wait is starting (rate limit, Retry-After)
    events.finish(Stage.live)

Several stages may run at once (live checks and archive lookups overlap).
Calls may come from any thread.  :data:`NULL_PROGRESS` ignores everything,
so a stage never asks whether anyone is watching.

:class:`Progress` shows the events one of three ways, chosen once per run by
:func:`progress_mode`:

* ``bars``: one bar per stage on stderr with done/total, rate and time left,
  and a line per running politeness wait ("waiting 2 s for web.archive.org"),
  only for a person at a terminal — stderr is a TTY, the terminal is not
  ``dumb`` and no CI variable is set (CI logs are files: redrawn bars would
  fill them with control codes);
* ``log``: with ``-v`` and no bars, one plain log line when a stage starts,
  at every tenth of its work, when it ends, and for waits of a second or more;
* ``silent``: everything else, and always with ``-q``.
"""

from __future__ import annotations

import logging
import math
import os
import sys
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol, TextIO

if TYPE_CHECKING:
    from rich.progress import Progress as RichProgress

PACKAGE_LOGGER = "citecheck"
logger = logging.getLogger(__name__)

# Values of CI/GITHUB_ACTIONS that mean "not in CI" (people export CI=false to see bars).
_FALSE_VALUES = frozenset({"", "0", "false", "no", "off"})
_LOG_STEPS = 10  # log-mode lines per stage between its start and end
_WAIT_SHOWN = 0.5  # seconds: shorter politeness waits are not worth a line
_WAIT_LOGGED = 1.0


class Stage(StrEnum):
    """The stages of an audit that report progress; the value is what the display calls it."""

    documents = "reading documents"
    live = "checking URLs live"
    archive = "looking up archives"
    sources = "reading source texts"
    discovery = "searching the archive for URL-less citations"
    checks = "checking claims"
    reports = "writing reports"


class ProgressEvents(Protocol):
    """What a stage tells whoever watches it (see the module docstring)."""

    def start(self, stage: str, total: int | None = None) -> None: ...

    def advance(self, stage: str, amount: int = 1) -> None: ...

    def add_total(self, stage: str, amount: int) -> None: ...

    def finish(self, stage: str) -> None: ...

    def waiting(self, host: str, seconds: float) -> None: ...


class _NullProgress:
    """Progress events nobody watches."""

    def start(self, stage: str, total: int | None = None) -> None:
        return None

    def advance(self, stage: str, amount: int = 1) -> None:
        return None

    def add_total(self, stage: str, amount: int) -> None:
        return None

    def finish(self, stage: str) -> None:
        return None

    def waiting(self, host: str, seconds: float) -> None:
        return None


NULL_PROGRESS: ProgressEvents = _NullProgress()


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


def format_rate(done: int, elapsed: float) -> str:
    """``"12.5/s"``, ``"3.0/min"`` for slow stages, empty before there is anything to measure."""
    if done <= 0 or elapsed <= 0:
        return ""
    per_second = done / elapsed
    return f"{per_second:.1f}/s" if per_second >= 1 else f"{per_second * 60:.1f}/min"


def format_eta(done: int, total: int | None, elapsed: float) -> str:
    """Time left at the rate so far, ``"eta 1:05"``; empty when it cannot be told."""
    if total is None or done <= 0 or elapsed <= 0 or done >= total:
        return ""
    seconds = math.ceil((total - done) * elapsed / done)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"eta {hours}:{minutes:02d}:{seconds:02d}" if hours else f"eta {minutes}:{seconds:02d}"


def wait_notice(host: str, seconds: float) -> str:
    """``"waiting 2 s for web.archive.org"``: a pause we make on purpose, not a hang."""
    return f"waiting {max(1, math.ceil(seconds))} s for {host}"


@dataclass
class _StageState:
    total: int | None
    completed: int = 0
    started_at: float = 0.0
    next_log_at: int = 0
    task: Any = None


class Progress:
    """Shows :class:`ProgressEvents` on stderr; use as a context manager or call :meth:`done` at the end."""

    def __init__(
        self,
        verbosity: int = 0,
        *,
        stream: TextIO | None = None,
        environ: Mapping[str, str] | None = None,
        clock: Any = time.monotonic,
    ) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.mode = progress_mode(verbosity, self.stream, environ)
        self._clock = clock
        self._lock = threading.RLock()
        self._stages: dict[str, _StageState] = {}
        self._waits: dict[str, float] = {}  # host -> monotonic time the wait ends
        self._bars: RichProgress | None = None

    # ------------------------------------------------------------------ what the stages call

    def start(self, stage: str, total: int | None = None) -> None:
        """Start ``stage`` with ``total`` units of work (None: unknown); restarting one resets it."""
        with self._lock:
            if stage in self._stages:
                self._finish(stage)
            state = _StageState(total=total, started_at=self._clock())
            state.next_log_at = self._log_interval(total)
            self._stages[stage] = state
            if self.mode is ProgressMode.bars:
                state.task = self._ensure_bars().add_task(str(stage), total=total)
            elif self.mode is ProgressMode.log:
                logger.info("%s: started (%s)", stage, "?" if total is None else f"{total} to do")

    def advance(self, stage: str, amount: int = 1) -> None:
        """Count ``amount`` more units of ``stage`` as done (ignored for a stage not started)."""
        with self._lock:
            state = self._stages.get(stage)
            if state is None:
                return
            state.completed += amount
            if self._bars is not None and state.task is not None:
                self._bars.update(state.task, completed=state.completed)
            elif self.mode is ProgressMode.log and state.total and state.completed >= state.next_log_at:
                if state.completed < state.total:
                    elapsed = self._clock() - state.started_at
                    extras = ", ".join(
                        part
                        for part in (
                            format_rate(state.completed, elapsed),
                            format_eta(state.completed, state.total, elapsed),
                        )
                        if part
                    )
                    logger.info("%s: %d/%d%s", stage, state.completed, state.total, f" ({extras})" if extras else "")
                state.next_log_at = state.completed + self._log_interval(state.total)

    def add_total(self, stage: str, amount: int) -> None:
        """``stage`` found ``amount`` more units of work."""
        with self._lock:
            state = self._stages.get(stage)
            if state is None:
                return
            state.total = (state.total or 0) + amount
            if self._bars is not None and state.task is not None:
                self._bars.update(state.task, total=state.total)

    def finish(self, stage: str) -> None:
        with self._lock:
            if stage in self._stages:
                self._finish(stage)

    def waiting(self, host: str, seconds: float) -> None:
        """A politeness wait for ``host`` starts now and lasts ``seconds``."""
        if seconds < _WAIT_SHOWN:
            return
        with self._lock:
            self._waits[host] = max(self._waits.get(host, 0.0), self._clock() + seconds)
        if self.mode is ProgressMode.log and seconds >= _WAIT_LOGGED:
            logger.info("%s (politeness limit)", wait_notice(host, seconds))

    # ------------------------------------------------------------------ reading it back

    def completed(self, stage: str) -> int:
        state = self._stages.get(stage)
        return state.completed if state is not None else 0

    def total(self, stage: str) -> int | None:
        state = self._stages.get(stage)
        return state.total if state is not None else None

    @property
    def running(self) -> list[str]:
        return list(self._stages)

    def wait_lines(self) -> list[str]:
        """The politeness waits running now, longest first."""
        now = self._clock()
        with self._lock:
            for host in [host for host, until in self._waits.items() if until <= now]:
                del self._waits[host]
            waits = sorted(self._waits.items(), key=lambda item: -item[1])
        return [wait_notice(host, until - now) for host, until in waits]

    def done(self) -> None:
        """End every running stage and take the bars off the screen."""
        with self._lock:
            for stage in list(self._stages):
                self._finish(stage)
            self._waits.clear()
            if self._bars is not None:
                self._bars.stop()
                self._bars = None

    # ------------------------------------------------------------------ display

    def _ensure_bars(self) -> RichProgress:
        if self._bars is None:
            self._bars = _make_bars(self)
            self._bars.start()
        return self._bars

    def refresh(self) -> None:
        """Redraw the bars now (they also redraw on their own several times a second)."""
        if self._bars is not None:
            self._bars.refresh()

    @staticmethod
    def _log_interval(total: int | None) -> int:
        return max(1, (total or 0) // _LOG_STEPS)

    def _finish(self, stage: str) -> None:
        state = self._stages.pop(stage)
        if self._bars is not None and state.task is not None:
            self._bars.update(state.task, completed=state.total or state.completed, visible=False)
        elif self.mode is ProgressMode.log:
            elapsed = self._clock() - state.started_at
            rate = format_rate(state.completed, elapsed)
            logger.info("%s: done, %d in %.1fs%s", stage, state.completed, elapsed, f" ({rate})" if rate else "")

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.done()


def _make_bars(progress: Progress) -> RichProgress:
    """Rich bars with done/total, rate and time left, and the running waits under them (rich loads only here)."""
    from rich.console import Console, RenderableType
    from rich.progress import BarColumn, MofNCompleteColumn, ProgressColumn, SpinnerColumn, Task, TextColumn
    from rich.progress import Progress as RichProgress
    from rich.text import Text

    class RateAndEta(ProgressColumn):
        def render(self, task: Task) -> Text:
            elapsed = task.elapsed or 0.0
            total = int(task.total) if task.total is not None else None
            parts = [format_rate(int(task.completed), elapsed), format_eta(int(task.completed), total, elapsed)]
            return Text("  ".join(part for part in parts if part), style="progress.remaining")

    class BarsWithWaits(RichProgress):
        def get_renderables(self) -> Iterable[RenderableType]:
            yield self.make_tasks_table(self.tasks)
            for line in progress.wait_lines():
                yield Text(f"  {line}", style="yellow")

    return BarsWithWaits(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        RateAndEta(),
        console=Console(file=progress.stream),
        transient=True,
    )


__all__ = [
    "NULL_PROGRESS",
    "PACKAGE_LOGGER",
    "Progress",
    "ProgressEvents",
    "ProgressMode",
    "Stage",
    "configure_logging",
    "format_eta",
    "format_rate",
    "in_ci",
    "log_level_for",
    "progress_mode",
    "wait_notice",
]
