"""The command line: a thin shell over :mod:`citecheck.pipeline` (CONTRACT.md)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from citecheck.config import ConfigError, build_options, load_config_file
from citecheck.pipeline import EXIT_INTERRUPTED, EXIT_USAGE, UsageError, audit
from citecheck.progress import Progress, configure_logging
from citecheck.reports.annotations import github_annotations
from citecheck.reports.writer import dumps_schema, report_schema, summary_schema


def _fail(message: str) -> None:
    click.echo(f"citecheck: error: {message}", err=True)
    sys.exit(EXIT_USAGE)


def _split(values: tuple[str, ...]) -> list[str] | None:
    if not values:
        return None
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="citecheck")
def main() -> None:
    """Audit the citations inside documents."""


@main.command("audit")
# Plain strings: click.Path would turn https://host into https:/host.
@click.argument("paths", nargs=-1)
@click.option("--out", type=click.Path(path_type=Path), help="Report folder (default: reports/).")
@click.option("--format", "formats", help="Report formats, comma-separated: md,json (default), sarif, jsonl, github.")
@click.option("--offline", is_flag=True, default=None, help="Run only checks that need no network.")
@click.option("--archive", "archives", multiple=True, help="Archive endpoint URL or warc:PATH; may repeat.")
@click.option("--cache", type=click.Path(path_type=Path), help="SQLite store (default: .citecheck/cache.sqlite).")
@click.option("--fail-on", type=click.Choice(["error", "warning", "never"]), help="Exit 1 at this severity.")
@click.option("--select", multiple=True, help="Only these codes or prefixes (CC1,CC401).")
@click.option("--ignore", multiple=True, help="Drop these codes or prefixes.")
@click.option("--concurrency", type=int, help="Concurrent network requests in all.")
@click.option("--allow-private", is_flag=True, default=None, help="Allow fetching loopback/private addresses.")
@click.option("--config", "config_file", type=click.Path(path_type=Path), help="Settings file (TOML).")
@click.option("--max-document-size", type=int, help="Largest document to read, in bytes.")
@click.option("--canary", "canaries", multiple=True, help="URL that proves the network works; may repeat.")
@click.option("--executor", type=click.Choice(["local", "dask"]), help="Run on this process or a Dask cluster.")
@click.option("--scheduler", help="Dask scheduler address (tcp://host:8786); default: a local cluster.")
@click.option("--workers", type=int, help="Workers of the local Dask cluster (default 2).")
@click.option("--cluster-limit", type=int, help="Dask: URL partitions resolving at once, cluster-wide.")
@click.option("--source-address", "source_addresses", multiple=True, help="Dask: local IP per partition; may repeat.")
@click.option("--baseline", type=click.Path(path_type=Path), help="Only findings not in this baseline fail the run.")
@click.option("--write-baseline", type=click.Path(path_type=Path), help="Accept every current finding into FILE.")
@click.option(
    "--save-missing", is_flag=True, default=None, help="Ask the archive to capture live pages it has no snapshot of."
)
@click.option("--wiki", help="Another wiki's script path (https://wiki.example.org/w/) for wikipedia:… inputs.")
@click.option("--latest", is_flag=True, default=None, help="Audit wiki articles' latest revisions, not pinned ones.")
@click.option("--titles", type=click.Path(path_type=Path), help="Audit the articles listed in FILE, one per line.")
@click.option("--contact", help="Your e-mail or URL, sent in the User-Agent of API requests (Wikimedia policy).")
@click.option("--mailto", "crossref_mailto", help="E-mail for Crossref's polite pool (default: --contact).")
@click.option(
    "--max-page-size",
    type=int,
    help="Largest page to fetch for an audit, in bytes (default 8 MiB; wiki articles 48 MiB).",
)
@click.option("-v", "--verbose", count=True, help="Progress and log lines on stderr (-vv: debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors on stderr; no progress.")
def audit_command(
    paths: tuple[str, ...],
    out: Path | None,
    formats: str | None,
    offline: bool | None,
    archives: tuple[str, ...],
    cache: Path | None,
    fail_on: str | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    concurrency: int | None,
    allow_private: bool | None,
    config_file: Path | None,
    max_document_size: int | None,
    canaries: tuple[str, ...],
    executor: str | None,
    scheduler: str | None,
    workers: int | None,
    cluster_limit: int | None,
    source_addresses: tuple[str, ...],
    baseline: Path | None,
    write_baseline: Path | None,
    save_missing: bool | None,
    wiki: str | None,
    latest: bool | None,
    titles: Path | None,
    contact: str | None,
    crossref_mailto: str | None,
    max_page_size: int | None,
    verbose: int,
    quiet: bool,
) -> None:
    """Audit documents (default: citations/), page URLs and wiki articles; write reports (default: reports/)."""
    flags: dict[str, Any] = {
        "out": out,
        "formats": formats,
        "offline": offline,
        "archives": list(archives) or None,
        "cache": cache,
        "fail_on": fail_on,
        "select": _split(select),
        "ignore": _split(ignore),
        "concurrency": concurrency,
        "allow_private": allow_private,
        "max_document_size": max_document_size,
        "canary": list(canaries) or None,
        "executor": executor,
        "scheduler": scheduler,
        "workers": workers,
        "cluster_limit": cluster_limit,
        "source_addresses": list(source_addresses) or None,
        "baseline": baseline,
        "write_baseline": write_baseline,
        "save_missing": save_missing,
        "wiki": wiki,
        "latest": latest,
        "titles": titles,
        "contact": contact,
        "crossref_mailto": crossref_mailto,
        "max_page_size": max_page_size,
    }
    try:
        options = build_options(load_config_file(explicit=config_file), flags)
        verbosity = -1 if quiet else verbose
        configure_logging(verbosity)
        with Progress(verbosity) as progress:
            result = audit(list(paths) or None, options, progress)
    except (UsageError, ConfigError) as error:
        _fail(str(error))
        return
    except KeyboardInterrupt:
        click.echo("citecheck: interrupted; finished work is kept in the cache and a re-run resumes", err=True)
        sys.exit(EXIT_INTERRUPTED)
    summary = result.summary
    for document_error in summary.errors:
        click.echo(f"citecheck: error: {document_error.error}", err=True)
    counts = summary.findings
    click.echo(
        f"{len(summary.documents)} documents, {sum(d.references for d in summary.documents)} references, "
        f"{sum(d.claims for d in summary.documents)} claims: "
        f"{counts.get('error', 0)} errors, {counts.get('warning', 0)} warnings, {counts.get('info', 0)} info "
        f"→ {options.out}/index.md"
    )
    if summary.new_findings is not None:
        click.echo(f"{summary.new_findings} findings not in the baseline {options.baseline}", err=True)
    if options.write_baseline is not None:
        click.echo(f"baseline written: {options.write_baseline} ({len(set(summary.fingerprints))} findings)", err=True)
    if summary.network.mode != "online":
        click.echo(f"note: {summary.network.message}", err=True)
    if "github" in options.formats:
        # Workflow commands are read from the step's standard output.
        click.echo(github_annotations(result.reports, only_new=summary.new_findings is not None), nl=False)
    sys.exit(summary.exit_code)


@main.command("check")
@click.argument("citation")
@click.option("--accessed", help="When the source was read (any citation date form).")
@click.option("--format", "output_format", type=click.Choice(["text", "json", "md"]), default="text")
@click.option("--offline", is_flag=True, default=None, help="Run only checks that need no network.")
@click.option("--fail-on", type=click.Choice(["error", "warning", "never"]), help="Exit 1 at this severity.")
@click.option("--archive", "archives", multiple=True, help="Archive endpoint URL or warc:PATH; may repeat.")
@click.option("--cache", type=click.Path(path_type=Path), help="SQLite store (default: .citecheck/cache.sqlite).")
@click.option("--allow-private", is_flag=True, default=None, help="Allow fetching loopback/private addresses.")
@click.option("--canary", "canaries", multiple=True, help="URL that proves the network works; may repeat.")
@click.option("--config", "config_file", type=click.Path(path_type=Path), help="Settings file (TOML).")
@click.option("--refresh", is_flag=True, help="Ask the web and the archives even when the cache has fresh answers.")
@click.option("--color/--no-color", "color", default=None, help="Colour the verdict (default: when a terminal).")
@click.option("-v", "--verbose", count=True, help="More log lines on stderr (-vv: debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors on stderr.")
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
) -> None:
    """Check one citation given as reference text, a {{cite …}} template or a bare URL."""
    from citecheck.progress import configure_logging
    from citecheck.reports.check_text import colour_wanted, render_check_markdown, render_check_plain, write_check_rich
    from citecheck.single import check_citation

    configure_logging(-1 if quiet else verbose)
    flags: dict[str, Any] = {
        "offline": offline,
        "fail_on": fail_on,
        "archives": list(archives) or None,
        "cache": cache,
        "allow_private": allow_private,
        "canary": list(canaries) or None,
    }
    try:
        options = build_options(load_config_file(explicit=config_file), flags)
        result = check_citation(
            citation,
            accessed=accessed,
            offline=options.offline,
            fail_on=options.fail_on,
            options=options,
            refresh=refresh,
        )
    except (ValueError, ConfigError) as error:
        _fail(str(error))
        return
    except KeyboardInterrupt:
        click.echo("citecheck: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    if output_format == "json":
        click.echo(result.model_dump_json(indent=2, by_alias=True))
    elif output_format == "md":
        click.echo(render_check_markdown(result.reference, result.findings, result.network))
    elif color if color is not None else colour_wanted(sys.stdout):
        write_check_rich(result.reference, result.findings, result.network, sys.stdout)
    else:
        click.echo(render_check_plain(result.reference, result.findings, result.network))
    sys.exit(result.exit_code)


@main.command("schema")
@click.option("--summary", is_flag=True, help="Print the schema of summary.json instead.")
def schema_command(summary: bool) -> None:
    """Print the JSON Schema of the per-document report."""
    click.echo(dumps_schema(summary_schema() if summary else report_schema()), nl=False)


def run() -> None:  # pragma: no cover - console entry for `python -m citecheck`
    main()


if __name__ == "__main__":  # pragma: no cover
    run()
