"""The command line: a thin shell over :mod:`citecheck.pipeline` and :mod:`citecheck.single` (CONTRACT.md).

Only click loads at import: each command imports what it needs when it
runs, so ``citecheck --help``, ``--version`` and ``check --offline`` start
in a fraction of a second.  Every failure is one line on stderr naming what
and where, with the contract's exit code: 2 for usage and input errors
(click's own included), 3 when interrupted, 4 for a bug in citecheck (the
traceback only with ``-v``/``--debug``).
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from citecheck import __version__
from citecheck.exit_codes import EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE

if TYPE_CHECKING:
    from citecheck.config import AuditOptions
    from citecheck.pipeline import AuditResult
    from citecheck.single import CheckResult

_T = TypeVar("_T")


class _OneLineUsageError(click.UsageError):
    """click's usage errors as one line (``citecheck: error: …``), still exit code 2."""

    def show(self, file: IO[Any] | None = None) -> None:
        where = f" (see '{self.ctx.command_path} --help')" if self.ctx is not None else ""
        click.echo(f"citecheck: error: {self.format_message()}{where}", err=True)


class _Command(click.Command):
    def make_context(
        self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any
    ) -> click.Context:
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.UsageError as error:
            raise _OneLineUsageError(error.message, error.ctx) from None


class _Group(click.Group):
    command_class = _Command

    def make_context(
        self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any
    ) -> click.Context:
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.UsageError as error:
            raise _OneLineUsageError(error.message, error.ctx) from None

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        try:
            return super().resolve_command(ctx, args)
        except click.UsageError as error:
            raise _OneLineUsageError(error.message, error.ctx) from None


def _fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    from citecheck.reports.escape import terminal_text

    # Messages quote paths and input: no control, escape or bidi character reaches the terminal.
    click.echo(f"citecheck: error: {terminal_text(message)}", err=True)
    sys.exit(code)


def _internal(error: BaseException, show_traceback: bool) -> NoReturn:
    if show_traceback:
        traceback.print_exception(error, file=sys.stderr)
        click.echo(f"citecheck: internal error: {type(error).__name__}: {error}", err=True)
    else:
        click.echo(
            f"citecheck: internal error: {type(error).__name__}: {error} "
            "(a bug in citecheck; run again with --debug for the traceback and report it)",
            err=True,
        )
    sys.exit(EXIT_INTERNAL)


def _guarded(action: Callable[[], _T], *, show_traceback: bool, interrupted: str) -> _T:
    """Run a command's work; every way it can fail becomes one line and its exit code."""
    from citecheck.errors import UsageError

    try:
        return action()
    except UsageError as error:
        _fail(str(error))
    except KeyboardInterrupt:
        click.echo(f"citecheck: {interrupted}", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except Exception as error:  # a bug: one line (the traceback with -v/--debug), exit 4
        _internal(error, show_traceback)


def _split(values: tuple[str, ...]) -> list[str] | None:
    if not values:
        return None
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _headers(values: tuple[str, ...]) -> dict[str, str] | None:
    from citecheck.config import ConfigError

    if not values:
        return None
    headers: dict[str, str] = {}
    for value in values:
        name, colon, text = value.partition(":")
        if not colon or not name.strip():
            raise ConfigError(f"--header {value!r}: write it as 'Name: value'")
        headers[name.strip()] = text.strip()
    return headers


def _options(config_file: Path | None, flags: dict[str, Any]) -> AuditOptions:
    from citecheck.config import build_options, load_config

    return build_options(load_config(explicit=config_file), flags)


# Options audit and check share, defined once.
_OFFLINE = click.option("--offline", is_flag=True, default=None, help="Run only checks that need no network.")
_FAIL_ON = click.option("--fail-on", type=click.Choice(["error", "warning", "never"]), help="Exit 1 at this severity.")
_ARCHIVE = click.option(
    "--archive",
    "archives",
    multiple=True,
    metavar="URL|warc:PATH",
    help="Archive endpoint URL or warc:PATH; may repeat.",
)
_CACHE = click.option(
    "--cache", type=click.Path(path_type=Path), metavar="PATH", help="SQLite store (default: .citecheck/cache.sqlite)."
)
_ALLOW_PRIVATE = click.option(
    "--allow-private", is_flag=True, default=None, help="Allow fetching loopback/private addresses."
)
_DEBUG = click.option("--debug", is_flag=True, help="Debug log lines and the traceback of an internal error.")


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(version=__version__)
def main() -> None:
    """Audit the citations inside documents."""


@main.command("audit")
# Plain strings: click.Path would turn https://host into https:/host.
@click.argument("paths", nargs=-1, metavar="[PATH|URL|wikipedia:LANG:TITLE ...]")
@click.option("--out", type=click.Path(path_type=Path), metavar="DIR", help="Report folder (default: reports/).")
@click.option(
    "--format",
    "formats",
    metavar="LIST",
    help="Report formats, comma-separated: md,json (default), sarif, jsonl, junit, github.",
)
@_OFFLINE
@_ARCHIVE
@click.option(
    "--archive-rate",
    type=float,
    metavar="PER-SECOND",
    help="Requests per second to each archive, at most (never above the Internet Archive's limits).",
)
@_CACHE
@_FAIL_ON
@click.option(
    "--select", multiple=True, metavar="CODES", help="Only these codes, prefixes or names (CC1,CC401,dead-link)."
)
@click.option("--ignore", multiple=True, metavar="CODES", help="Drop these codes, prefixes or names.")
@click.option("--exclude", multiple=True, metavar="REGEX", help="Do not check URLs matching this regex; may repeat.")
@click.option(
    "--include", multiple=True, metavar="REGEX", help="Check URLs matching this regex even if excluded; may repeat."
)
@click.option(
    "--ignore-file",
    type=click.Path(path_type=Path),
    metavar="FILE",
    help="URL regexes to skip, one a line (.citecheckignore).",
)
@click.option(
    "--remap",
    multiple=True,
    metavar="'PATTERN REPLACEMENT'",
    help="'PATTERN REPLACEMENT': check another URL instead; may repeat.",
)
@click.option(
    "--accept", multiple=True, metavar="STATUSES", help="HTTP statuses that count as alive (200,204..=206); may repeat."
)
@click.option("--user-agent", metavar="TEXT", help="User-Agent header for live checks.")
@click.option(
    "--header",
    "headers",
    multiple=True,
    metavar="'NAME: VALUE'",
    help="'Name: value' header for live checks; may repeat.",
)
@click.option("--timeout", type=float, metavar="SECONDS", help="Seconds per live request (default 20).")
@click.option("--retries", type=int, metavar="N", help="Extra attempts for 5xx, 429 and timeouts (default 2).")
@click.option(
    "--max-cache-age", metavar="DURATION", help="Reuse live checks younger than this (1d, 12h, 30m; default 20h)."
)
@click.option("--concurrency", type=int, metavar="N", help="Concurrent network requests in all.")
@_ALLOW_PRIVATE
@click.option("--config", "config_file", type=click.Path(path_type=Path), metavar="FILE", help="Settings file (TOML).")
@click.option("--max-document-size", type=int, metavar="BYTES", help="Largest document to read, in bytes.")
@click.option(
    "--canary", "canaries", multiple=True, metavar="URL", help="URL that proves the network works; may repeat."
)
@click.option("--executor", type=click.Choice(["local", "dask"]), help="Run on this process or a Dask cluster.")
@click.option(
    "--scheduler", metavar="ADDRESS", help="Dask scheduler address (tcp://host:8786); default: a local cluster."
)
@click.option("--workers", type=int, metavar="N", help="Workers of the local Dask cluster (default 2).")
@click.option(
    "--jobs", type=int, metavar="N", help="Offline: processes reading, checking and writing documents (same output)."
)
@click.option("--cluster-limit", type=int, metavar="N", help="Dask: URL partitions resolving at once, cluster-wide.")
@click.option(
    "--source-address",
    "source_addresses",
    multiple=True,
    metavar="IP",
    help="Dask: local IP per partition; may repeat.",
)
@click.option(
    "--baseline",
    type=click.Path(path_type=Path),
    metavar="FILE",
    help="Only findings not in this baseline fail the run.",
)
@click.option(
    "--write-baseline",
    type=click.Path(path_type=Path),
    metavar="FILE",
    help="Accept every current finding into FILE (exit 0).",
)
@click.option(
    "--save-missing", is_flag=True, default=None, help="Ask the archive to capture live pages it has no snapshot of."
)
@click.option(
    "--output-format",
    type=click.Choice(["concise", "full", "grouped", "json"]),
    help="Finding lines on the terminal: concise (default), full, grouped or json.",
)
@click.option("--show", type=click.Choice(["error", "warning", "info"]), help="Lowest severity listed (warning).")
@click.option("--max-lines", type=int, metavar="N", help="Finding lines listed at most (default 30; 0: all).")
@click.option(
    "--wiki", metavar="SCRIPT-PATH", help="Another wiki (https://wiki.example.org/w/) for wikipedia:… inputs."
)
@click.option("--latest", is_flag=True, default=None, help="Audit wiki articles' latest revisions, not pinned ones.")
@click.option(
    "--titles", type=click.Path(path_type=Path), metavar="FILE", help="Audit the articles listed in FILE, one a line."
)
@click.option("--contact", metavar="EMAIL|URL", help="Your contact, sent in the User-Agent of API requests.")
@click.option("--mailto", "crossref_mailto", metavar="EMAIL", help="E-mail for Crossref's polite pool.")
@click.option(
    "--max-page-size", type=int, metavar="BYTES", help="Largest page to fetch to audit (8 MiB; wiki articles 48 MiB)."
)
@click.option("--color/--no-color", "color", default=None, help="Colour the lines (default: when a terminal).")
@click.option("-v", "--verbose", count=True, help="Progress and log lines on stderr (-vv: debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors and the exit status.")
@_DEBUG
def audit_command(
    paths: tuple[str, ...],
    config_file: Path | None,
    color: bool | None,
    verbose: int,
    quiet: bool,
    debug: bool,
    **values: Any,
) -> None:
    """Audit documents (default: citations/), page URLs and wiki articles; write reports (default: reports/)."""
    verbosity = -1 if quiet else max(verbose, 2 if debug else 0)
    show_traceback = debug or verbose > 0

    def run() -> tuple[AuditOptions, AuditResult]:
        from citecheck.config import parse_duration_hours
        from citecheck.execution.collector import collector_tuned_for_audit
        from citecheck.pipeline import audit
        from citecheck.progress import Progress, configure_logging

        flags = dict(values)
        age = flags.pop("max_cache_age")
        flags["live_reuse_hours"] = parse_duration_hours(age, "--max-cache-age") if age is not None else None
        flags["live_timeout"] = flags.pop("timeout")
        flags["live_retries"] = flags.pop("retries")
        flags["canary"] = list(flags.pop("canaries")) or None
        flags["headers"] = _headers(flags["headers"])
        for key in ("select", "ignore", "accept"):
            flags[key] = _split(flags[key])
        for key in ("archives", "exclude", "include", "remap", "source_addresses"):
            flags[key] = list(flags[key]) or None
        options = _options(config_file, flags)
        configure_logging(verbosity)
        with collector_tuned_for_audit(), Progress(verbosity) as progress:
            # No report is held: rows and annotations come back from the audit's spill folder.
            result = audit(list(paths) or None, options, progress, keep_reports=False)
        return options, result

    interrupted = "interrupted; finished work is in the store and a re-run resumes"
    options, result = _guarded(run, show_traceback=show_traceback, interrupted=interrupted)
    _print_audit(options, result, quiet=quiet, color=color)
    result.close()
    sys.exit(result.summary.exit_code)


def _print_audit(options: AuditOptions, result: AuditResult, *, quiet: bool, color: bool | None) -> None:
    from citecheck.models import NetworkMode, Severity
    from citecheck.reports.escape import terminal_text
    from citecheck.reports.terminal import colour_wanted, quiet_lines, render_rows, summary_line

    summary = result.summary
    index = f"{options.out}/index.md"
    for document_error in summary.errors:
        click.echo(f"citecheck: error: {terminal_text(document_error.error)}", err=True)
    for problem in summary.internal_errors:
        click.echo(f"citecheck: internal error: {terminal_text(problem)}", err=True)
    if summary.exit_code == EXIT_INTERNAL:
        click.echo(
            f"citecheck: internal error: a bug in citecheck (run again with --debug for the traceback and report it); "
            f"every report that could be written is in {options.out}",
            err=True,
        )
    rows = result.finding_rows()  # a stream from the spill folder: only printed rows are held
    if quiet:
        click.echo(quiet_lines(rows, summary.exit_code, max_lines=options.max_lines, index=index), nl=False)
    else:
        colour = color if color is not None else colour_wanted(sys.stdout)
        lines = render_rows(
            rows,
            output_format=options.output_format,
            show=Severity(options.show),
            max_lines=options.max_lines,
            colour=colour,
            index=index,
        )
        if options.output_format == "json":
            click.echo(summary_line(summary, index, totals=result.totals), err=True)
            click.echo(lines, nl=False)
        else:
            click.echo(summary_line(summary, index, totals=result.totals))
            click.echo(lines, nl=False, color=colour)  # click would strip the colour codes off a non-terminal
        if summary.new_findings is not None:
            noun = "finding" if summary.new_findings == 1 else "findings"
            click.echo(f"{summary.new_findings} {noun} not in the baseline {options.baseline}", err=True)
        if options.write_baseline is not None:
            count = result.totals.accepted
            noun = "finding" if count == 1 else "findings"
            click.echo(f"baseline written: {options.write_baseline} ({count} {noun} accepted)", err=True)
        if summary.network.mode != NetworkMode.online:
            click.echo(f"note: {summary.network.message}", err=True)
    if "github" in options.formats:
        # Workflow commands are read from the step's standard output.
        for line in result.annotation_lines(only_new=summary.new_findings is not None):
            click.echo(line, nl=False)


@main.command("check")
@click.argument("citation", metavar="CITATION|URL|DOI|-")
@click.option("--accessed", metavar="DATE", help="When the source was read (any citation date form).")
@click.option("--format", "output_format", type=click.Choice(["text", "json", "md"]), default="text")
@_OFFLINE
@_FAIL_ON
@_ARCHIVE
@_CACHE
@_ALLOW_PRIVATE
@click.option(
    "--canary", "canaries", multiple=True, metavar="URL", help="URL that proves the network works; may repeat."
)
@click.option("--config", "config_file", type=click.Path(path_type=Path), metavar="FILE", help="Settings file (TOML).")
@click.option("--refresh", is_flag=True, help="Ask the web and the archives even when the cache has fresh answers.")
@click.option("--color/--no-color", "color", default=None, help="Colour the verdict (default: when a terminal).")
@click.option("-v", "--verbose", count=True, help="More log lines on stderr (-vv: debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors on stderr.")
@_DEBUG
def check_command(
    citation: str,
    accessed: str | None,
    output_format: str,
    offline: bool | None,
    fail_on: str | None,
    archives: tuple[str, ...],
    cache: Path | None,
    allow_private: bool | None,
    canaries: tuple[str, ...],
    config_file: Path | None,
    refresh: bool,
    color: bool | None,
    verbose: int,
    quiet: bool,
    debug: bool,
) -> None:
    """Check one citation: reference text, a {{cite …}} template, a URL or a DOI; '-' reads one per line from stdin."""
    show_traceback = debug or verbose > 0
    from_stdin = citation == "-"

    def settings() -> tuple[AuditOptions, list[str]]:
        from citecheck.check_input import CheckInputError, split_inputs
        from citecheck.progress import configure_logging

        configure_logging(-1 if quiet else max(verbose, 2 if debug else 0))
        flags: dict[str, Any] = {
            "offline": offline,
            "fail_on": fail_on,
            "archives": list(archives) or None,
            "cache": cache,
            "allow_private": allow_private,
            "canary": list(canaries) or None,
        }
        inputs = list(split_inputs(sys.stdin.read())) if from_stdin else [citation]
        if not inputs:
            raise CheckInputError("nothing to check on standard input (one citation, URL or DOI a line)")
        return _options(config_file, flags), inputs

    options, inputs = _guarded(settings, show_traceback=show_traceback, interrupted="interrupted")
    codes = []
    for number, text in enumerate(inputs, start=1):
        where = f"line {number}: " if from_stdin else ""
        result = _check_one(text, accessed, options, refresh, where, show_traceback)
        if result is None:
            codes.append(EXIT_USAGE)
            continue
        _print_check(result, output_format, color, header=f"[{number}/{len(inputs)}] " if len(inputs) > 1 else None)
        codes.append(result.exit_code)
    sys.exit(_combined_exit(codes))


def _check_one(
    text: str, accessed: str | None, options: AuditOptions, refresh: bool, where: str, show_traceback: bool
) -> CheckResult | None:
    """One citation's result, or None after printing why it cannot be checked."""
    from citecheck.check_input import CheckInputError
    from citecheck.errors import UsageError
    from citecheck.single import check_citation

    try:
        return check_citation(
            text, accessed=accessed, offline=options.offline, fail_on=options.fail_on, options=options, refresh=refresh
        )
    except (CheckInputError, ValueError) as error:
        from citecheck.reports.escape import terminal_text

        click.echo(f"citecheck: error: {where}{terminal_text(error)}", err=True)
        return None
    except UsageError as error:  # a setting no input can be checked with (--archive): said once, for all of them
        _fail(str(error))
    except KeyboardInterrupt:
        click.echo("citecheck: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except Exception as error:  # a bug: one line (the traceback with -v/--debug), exit 4
        _internal(error, show_traceback)


def _print_check(result: CheckResult, output_format: str, color: bool | None, header: str | None) -> None:
    from citecheck.reports.check_text import (
        colour_wanted,
        render_check_markdown,
        render_check_plain,
        terminal_safe,
        write_check_rich,
    )

    if output_format == "json":
        # Several inputs: one JSON object a line (JSON Lines); one input: the object, indented.
        indent = None if header is not None else 2
        click.echo(result.model_dump_json(indent=indent, by_alias=True))
        return
    args = (result.reference, result.findings, result.network)
    if header is not None:
        click.echo(("\n" if not header.startswith("[1/") else "") + f"== {header}{terminal_safe(result.input)[:100]}")
    if output_format == "md":
        click.echo(render_check_markdown(*args, result.repair, result.repair_format))
    elif color if color is not None else colour_wanted(sys.stdout):
        write_check_rich(*args, sys.stdout, result.repair, result.repair_format)
    else:
        click.echo(render_check_plain(*args, result.repair, result.repair_format))


def _combined_exit(codes: list[int]) -> int:
    """The most serious of several inputs' codes: 4, then 2, then 1."""
    for code in (EXIT_INTERNAL, EXIT_USAGE, 1):
        if code in codes:
            return code
    return EXIT_OK


@main.command("evidence")
@click.argument("claim")
@click.option(
    "--source", "source", required=True, metavar="PATH|URL", help="The source: a file (HTML, PDF, text) or a URL."
)
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text")
@click.option("--offline", is_flag=True, default=None, help="For a URL: only what the cache holds, no request.")
@click.option("--accessed", metavar="DATE", help="For a URL: when the source was read (the capture nearest it).")
@_FAIL_ON
@_ARCHIVE
@_CACHE
@_ALLOW_PRIVATE
@click.option(
    "--canary", "canaries", multiple=True, metavar="URL", help="URL that proves the network works; may repeat."
)
@click.option("--config", "config_file", type=click.Path(path_type=Path), metavar="FILE", help="Settings file (TOML).")
@click.option("-v", "--verbose", count=True, help="More log lines on stderr (-vv: debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors on stderr.")
@_DEBUG
def evidence_command(
    claim: str,
    source: str,
    output_format: str,
    offline: bool | None,
    accessed: str | None,
    fail_on: str | None,
    archives: tuple[str, ...],
    cache: Path | None,
    allow_private: bool | None,
    canaries: tuple[str, ...],
    config_file: Path | None,
    verbose: int,
    quiet: bool,
    debug: bool,
) -> None:
    """Show the passages of a source that best match CLAIM, and what the source says differently."""
    show_traceback = debug or verbose > 0

    def run_evidence() -> tuple[Any, str]:
        from citecheck.errors import UsageError
        from citecheck.evidence import EvidenceError, evidence_for
        from citecheck.progress import configure_logging

        configure_logging(-1 if quiet else max(verbose, 2 if debug else 0))
        flags: dict[str, Any] = {
            "offline": offline,
            "fail_on": fail_on,
            "archives": list(archives) or None,
            "cache": cache,
            "allow_private": allow_private,
            "canary": list(canaries) or None,
        }
        options = _options(config_file, flags)
        try:
            return evidence_for(claim, source, options, accessed=accessed), options.fail_on
        except EvidenceError as error:
            raise UsageError(str(error)) from None

    report, fail_on_level = _guarded(run_evidence, show_traceback=show_traceback, interrupted="interrupted")
    from citecheck.exit_codes import exit_code_for
    from citecheck.reports.evidence_text import render_evidence_text

    if output_format == "json":
        click.echo(report.model_dump_json(indent=2, by_alias=True))
    else:
        click.echo(render_evidence_text(report))
    sys.exit(exit_code_for(report.findings, fail_on_level))


@main.command("schema")
@click.option("--summary", is_flag=True, help="Print the schema of summary.json instead.")
def schema_command(summary: bool) -> None:
    """Print the JSON Schema of the per-document report."""
    from citecheck.reports.writer import dumps_schema, report_schema, summary_schema

    click.echo(dumps_schema(summary_schema() if summary else report_schema()), nl=False)


def run() -> None:  # pragma: no cover - console entry for `python -m citecheck`
    main()


if __name__ == "__main__":  # pragma: no cover
    run()
