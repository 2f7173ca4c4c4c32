"""The audit pipeline: documents → claims → resolution → checks → reports.

``audit()`` is the library entry point the CLI wraps.  Each stage is a
function over models; network stages slot in through :mod:`citecheck.resolve`
and are skipped (reported ``not-checked``) when offline.
"""

from __future__ import annotations

import asyncio
import importlib.metadata
import importlib.util
import json
import logging
import os
import stat
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from citecheck.checks.archive import findings_for_archive
from citecheck.checks.catalogue import code_selected
from citecheck.checks.conflicts import conflict_findings, find_conflicts
from citecheck.checks.identifiers import identifier_findings
from citecheck.checks.integrity import check_claim
from citecheck.checks.live import findings_for_live
from citecheck.checks.offline import CheckContext, run_offline_checks
from citecheck.checks.page_date import publication_date_finding
from citecheck.claims.build import build_claims
from citecheck.config import AuditOptions
from citecheck.documents.loading import SUFFIX_FORMATS
from citecheck.errors import UsageError as UsageError  # re-exported: part of the library's API
from citecheck.execution import Executor, LocalExecutor
from citecheck.exit_codes import EXIT_FINDINGS as EXIT_FINDINGS  # re-exported for callers
from citecheck.exit_codes import EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, exit_code_for
from citecheck.exit_codes import EXIT_INTERRUPTED as EXIT_INTERRUPTED
from citecheck.models import (
    ArchiveResult,
    AuditSummary,
    Conflict,
    DocumentError,
    DocumentErrorKind,
    DocumentInfo,
    DocumentReport,
    DocumentSummary,
    Finding,
    LiveCheck,
    NetworkState,
    ParsedDocument,
    Severity,
)
from citecheck.progress import NULL_PROGRESS, ProgressEvents, Stage
from citecheck.reports.baseline import Baseline, load_baseline, mark_new, write_baseline
from citecheck.reports.filenames import report_stems
from citecheck.reports.fingerprint import assign_fingerprints
from citecheck.reports.jsonl import finding_lines
from citecheck.reports.junit import junit_xml
from citecheck.reports.markdown import render_document_files, render_index_markdown
from citecheck.reports.sarif import sarif_log
from citecheck.reports.timeline import timeline_files, timeline_names
from citecheck.reports.writer import report_json, summary_json, write_outputs
from citecheck.resolve.identifiers import IdentifierSettings, resolve_identifiers
from citecheck.resolve.settings import ResolveSettings
from citecheck.resolve.sources import SourceText
from citecheck.resolve.stage import OFFLINE_STATE as OFFLINE_STATE  # re-exported for callers
from citecheck.resolve.stage import ResolvedBatch, apply_resolution, plan_for, resolve_plan_from_store
from citecheck.url_rules import NetworkView, UrlRules, apply_url_rules
from citecheck.web_documents import WebBatch, read_web_documents, split_inputs, wikitext_diffs

logger = logging.getLogger(__name__)
_T = TypeVar("_T")


@dataclass
class AuditResult:
    summary: AuditSummary
    reports: list[DocumentReport] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return self.summary.exit_code


@dataclass
class CollectedDocuments:
    """The documents named or found in folders, and the folder entries that cannot be audited."""

    documents: list[Path] = field(default_factory=list)
    skipped: list[DocumentError] = field(default_factory=list)


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)


def _special_file_kind(path: Path) -> str | None:
    """Why a folder entry with a document's name is no document (broken link, FIFO …), or None for a file."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return "a broken symbolic link" if path.is_symlink() else "gone while the folder was read"
    except OSError as error:
        return f"cannot be opened ({error.strerror})"
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe), not a regular file"
    if stat.S_ISSOCK(mode):
        return "a socket, not a regular file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device, not a regular file"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a regular file"


def _shown_path(path: Path) -> str:
    """``path`` as text every report can hold: bytes that are not UTF-8 written as ``\\xff`` escapes."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def _name_problem(path: Path) -> str | None:
    """Why a file name cannot be carried into the reports (bytes that are not UTF-8), or None."""
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        return "a file name that is not valid UTF-8 (rename the file to audit it)"
    return None


def _walk_folder(folder: Path, collected: CollectedDocuments) -> None:
    found: list[Path] = []

    def unreadable(error: OSError) -> None:
        where = error.filename or folder
        collected.skipped.append(
            DocumentError(
                path=str(where),
                error=f"{where}: folder cannot be read ({error.strerror}); its documents were not audited",
                kind=DocumentErrorKind.not_audited,
            )
        )

    for directory, folders, files in os.walk(folder, onerror=unreadable):
        here = Path(directory)
        folders[:] = sorted(name for name in folders if not name.startswith("."))
        for name in files:
            candidate = here / name
            if name.startswith(".") or candidate.suffix.lower() not in SUFFIX_FORMATS:
                continue
            problem = _special_file_kind(candidate) or _name_problem(candidate)
            if problem is None:
                found.append(candidate)
            elif problem != "a folder":
                shown = _shown_path(candidate)
                collected.skipped.append(
                    DocumentError(
                        path=shown,
                        error=f"{shown}: {problem}; not audited",
                        kind=DocumentErrorKind.not_audited,
                    )
                )
    if not found and not collected.skipped:
        known = ", ".join(sorted(SUFFIX_FORMATS))
        raise UsageError(f"{folder}: no documents found (looked for {known})")
    collected.documents.extend(sorted(found))


def collect_inputs(paths: list[Path]) -> CollectedDocuments:
    """Expand folders into the documents they hold (sorted, hidden entries skipped).

    A path given by name that does not exist is a usage error; inside a
    folder, an entry named like a document that is no regular file (a
    broken symbolic link, a FIFO, an unreadable folder) is listed as not
    audited, so nothing is skipped without a word.
    """
    collected = CollectedDocuments()
    for path in paths:
        if path.is_dir():
            _walk_folder(path, collected)
        elif path.is_file() and _name_problem(path) is not None:
            raise UsageError(f"{_shown_path(path)}: {_name_problem(path)}")
        elif path.is_file():
            collected.documents.append(path)
        elif path.is_symlink() and not path.exists():
            raise UsageError(f"{path}: a broken symbolic link")
        elif path.exists():
            raise UsageError(f"{path}: not a file or directory")
        else:
            raise UsageError(f"{path}: no such file or directory")
    return collected


def collect_documents(paths: list[Path]) -> list[Path]:
    """The documents of :func:`collect_inputs` (the entries that cannot be audited left out)."""
    return collect_inputs(paths).documents


def output_stems(documents: list[Path]) -> dict[Path, str]:
    """Report file stems: the document's stem, made unique with its path when two collide (bounded, safe)."""
    return report_stems(documents)


def network_findings(document: ParsedDocument, options: AuditOptions) -> list[Finding]:
    """CC2xx, CC3xx and CC7xx from what the resolve stages wrote onto each reference."""
    findings: list[Finding] = []
    for reference in document.references:
        findings += findings_for_live(reference)
        findings += findings_for_archive(reference, reference.archive, far_days=options.snapshot_far_days)
        findings += identifier_findings(reference)
    return findings


def run_identifier_stage(documents: Sequence[ParsedDocument], options: AuditOptions, network: NetworkState) -> None:
    """DOIs through the DOI handle API and Crossref (the store only when offline or the network is down)."""
    settings = IdentifierSettings(
        store_path=str(options.cache),
        offline=options.offline or network.mode == "unreachable",
        allow_private=options.allow_private,
        contact=options.contact,
        mailto=options.crossref_mailto or (options.contact if options.contact and "@" in options.contact else None),
        doi_api=options.doi_api,
        crossref_api=options.crossref_api,
    )
    resolve_identifiers(documents, settings)


def document_sources(document: ParsedDocument, batch: ResolvedBatch) -> dict[str, SourceText]:
    """The source text read for each of the document's references, by reference id."""
    return batch.sources_for(document)


def source_findings(document: ParsedDocument, sources: Mapping[str, SourceText]) -> list[Finding]:
    """CC403: the page's own date vs. the cited one.  (CC207, drift, is per claim: see checks.integrity.)"""
    findings: list[Finding] = []
    for reference in document.references:
        page_date = publication_date_finding(reference)
        if page_date is not None:
            findings.append(page_date)
    return findings


def audit_parsed(
    document: ParsedDocument,
    options: AuditOptions,
    network: NetworkState,
    sources: Mapping[str, SourceText] | None = None,
) -> DocumentReport:
    """Claims, checks and verdicts for one parsed (and, when online, resolved) document. No I/O.

    ``sources`` maps reference ids to the source text the network stage read.
    """
    sources = sources or {}
    claim_set = build_claims(document)
    findings = run_offline_checks(CheckContext(document=document, claims=claim_set, today=options.today))
    # Offline, results remembered in the store still count; not-checked ones raise nothing.
    findings += network_findings(document, options)
    findings += source_findings(document, sources)
    for reference in document.references:
        # Readers may count uses the body does not show (infoboxes, captions).
        reference.uses = max(reference.uses, claim_set.uses[reference.id])
    references = {reference.id: reference for reference in document.references}
    network_ran = network.mode == "online"
    for claim in claim_set.claims:
        check = check_claim(claim, references, sources, network_ran)
        claim.verdict = check.verdict
        claim.evidence += check.evidence
        findings += check.findings
    findings = [finding for finding in findings if code_selected(finding.code, options.select, options.ignore)]
    return DocumentReport(
        document=DocumentInfo(
            path=document.path,
            format=document.format,
            title=document.title,
            date=document.date,
            layout=document.layout,
            fetched=document.fetched,
        ),
        references=document.references,
        claims=claim_set.claims,
        findings=findings,
        notices=document.notices,
        network=network,
        generated_at=datetime.now(UTC),
    )


def _summarise(report: DocumentReport, stem: str) -> DocumentSummary:
    severities = Counter(finding.severity.value for finding in report.findings)
    return DocumentSummary(
        path=report.document.path,
        title=report.document.title,
        format=report.document.format,
        report_md=f"{stem}.md",
        report_json=f"{stem}.json",
        references=len(report.references),
        claims=len(report.claims),
        cited_claims=sum(1 for claim in report.claims if claim.refs),
        findings={severity.value: severities.get(severity.value, 0) for severity in Severity},
        codes=dict(sorted(Counter(finding.code for finding in report.findings).items())),
    )


def generation_time() -> datetime:
    """When reports say they were generated: now, or ``SOURCE_DATE_EPOCH`` for reproducible output."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC)
    return datetime.now(UTC)


def make_executor(options: AuditOptions) -> Executor:
    if options.executor == "dask":
        if importlib.util.find_spec("distributed") is None:
            raise UsageError("--executor dask needs the dask extra: pip install 'citecheck[dask]'")
        from citecheck.execution.dask import DaskExecutor

        try:
            return DaskExecutor(
                scheduler=options.scheduler, workers=options.workers, cluster_limit=options.cluster_limit
            )
        except OSError as error:
            where = f"--scheduler {options.scheduler}" if options.scheduler else "--executor dask"
            raise UsageError(f"{where}: cannot start or reach the Dask cluster ({error})") from None
    return LocalExecutor()


def _nearest_existing(path: Path) -> Path:
    for candidate in (path, *path.parents):
        if candidate.exists():
            return candidate
    return Path.cwd()


def check_output_folder(out: Path, flag: str = "--out") -> None:
    """Fail before any work when reports could not be written to ``out``."""
    if out.exists() and not out.is_dir():
        raise UsageError(f"{flag} {out}: is a file, not a folder")
    existing = _nearest_existing(out)
    if not existing.is_dir():
        raise UsageError(f"{flag} {out}: {existing} is a file, so the folder cannot be created")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise UsageError(f"{flag} {out}: cannot write in {existing} (permission denied)")


def check_file_writable(path: Path, flag: str) -> None:
    """Fail before any work when ``path`` could not be written (``--write-baseline``)."""
    if path.is_dir():
        raise UsageError(f"{flag} {path}: is a folder, not a file")
    check_output_folder(path.parent, flag=f"{flag} {path}: folder")


def check_store_location(cache: Path) -> None:
    """An online run records every check in the store: a store that cannot be written is an error, not offline mode."""
    if str(cache) == ":memory:":
        return
    hint = "give a writable path with --cache, or run with --offline"
    existing = _nearest_existing(cache)
    if cache.exists():
        if cache.is_file() and not os.access(cache, os.R_OK | os.W_OK):
            raise UsageError(f"--cache {cache}: the store cannot be written (permission denied); {hint}")
        folder = cache.parent
    elif not existing.is_dir():
        raise UsageError(f"--cache {cache}: {existing} is a file, so the store's folder cannot be created; {hint}")
    else:
        folder = existing
    # SQLite writes its journal and WAL files next to the store.
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UsageError(f"--cache {cache}: cannot write in {folder} (permission denied); {hint}")


def url_rules_for(options: AuditOptions) -> UrlRules:
    """The audit's include/exclude/remap rules; a bad ignore file is a usage error."""
    try:
        return UrlRules.build(
            include=options.include, exclude=options.exclude, remap=options.remap, ignore_file=options.ignore_file
        )
    except ValueError as error:
        raise UsageError(str(error)) from None


def _contained(problems: list[str], what: str, action: Callable[[], _T]) -> _T | None:
    """Run one step whose failure must not cost the rest of the audit; a failure is a bug (exit 4)."""
    try:
        return action()
    except Exception as error:  # a bug: contained to this step, reported, and the run exits 4
        logger.info("internal error while %s", what, exc_info=True)
        problems.append(f"{what}: {type(error).__name__}: {error}")
        return None


def internal_document_error(path: Path | str, what: str, error: BaseException) -> DocumentError:
    logger.info("internal error while %s %s", what, path, exc_info=True)
    return DocumentError(
        path=str(path),
        error=f"{path}: internal error while {what} ({type(error).__name__}: {error}); "
        "the other documents were audited",
        kind=DocumentErrorKind.internal_error,
    )


def audit_exit_code(
    counted: list[Finding],
    options: AuditOptions,
    errors: list[DocumentError],
    internal_errors: list[str],
) -> int:
    """4 for a bug, 2 for a document that could not be read, else the findings' code (0 after --write-baseline)."""
    if internal_errors or any(error.kind is DocumentErrorKind.internal_error for error in errors):
        return EXIT_INTERNAL
    if errors:
        return EXIT_USAGE
    if options.write_baseline is not None:
        return EXIT_OK  # the findings are what the baseline was written to accept
    return exit_code_for(counted, options.fail_on)


def _parse_documents(
    executor: Executor, documents: list[Path], options: AuditOptions, events: ProgressEvents
) -> list[ParsedDocument | DocumentError]:
    events.start(Stage.documents, len(documents))
    if isinstance(executor, LocalExecutor):
        outcomes: list[ParsedDocument | DocumentError] = []
        for path in documents:
            outcomes += executor.parse([path], options.max_document_size)
            events.advance(Stage.documents)
    else:
        outcomes = executor.parse(documents, options.max_document_size)
        events.advance(Stage.documents, len(documents))
    events.finish(Stage.documents)
    return outcomes


def _network_stage(
    documents: list[ParsedDocument],
    options: AuditOptions,
    executor: Executor,
    events: ProgressEvents,
    internal_errors: list[str],
) -> ResolvedBatch:
    """The resolve stage, with its totals on the progress display; a bug in it leaves the references not-checked."""
    # run_network_stage starts these with the plan's totals and advances them as URLs finish.
    network_stages: list[str] = [] if options.offline else [Stage.live, Stage.archive]
    try:
        return run_network_stage(documents, options, executor, events)
    except Exception as error:  # a bug in the network stage: contained, reports still written, exit 4
        logger.info("internal error in the network stage", exc_info=True)
        internal_errors.append(f"network stage: {type(error).__name__}: {error}")
        reason = "network stage failed with an internal error"
        for document in documents:
            for reference in document.references:
                reference.live = LiveCheck(reason=reason)
                reference.archive = ArchiveResult(reason=reason)
        return ResolvedBatch(
            network=NetworkState(
                mode="unreachable",
                message=f"Network checks failed with an internal error ({type(error).__name__}); "
                "they are reported not-checked. This is a bug in citecheck: please report it.",
            )
        )
    finally:
        for stage in network_stages:
            events.finish(stage)


def audit(
    paths: Sequence[Path | str] | None = None,
    options: AuditOptions | None = None,
    progress: ProgressEvents | None = None,
) -> AuditResult:
    """Audit documents and write reports. Raises :class:`UsageError` for bad paths, settings or output places.

    ``paths`` are files and folders, ``http(s)`` URLs and wiki articles
    (``wikipedia:en:Title``; see :mod:`citecheck.web_documents`).
    Documents that cannot be read become error entries (and exit code 2)
    while every other document is still audited and reported; a failure of
    citecheck itself on one document, or in one stage, is contained the same
    way and the run exits 4.
    """
    options = options or AuditOptions()
    events = progress or NULL_PROGRESS
    local, web_inputs, input_errors = split_inputs(paths, options)
    collected = collect_inputs(local) if local else CollectedDocuments()
    documents = collected.documents
    baseline = _load_baseline(options.baseline)
    rules = url_rules_for(options)
    check_output_folder(options.out)
    if options.write_baseline is not None:
        check_file_writable(options.write_baseline, "--write-baseline")
    if not options.offline:
        check_store_location(options.cache)
    stems: dict[Path | str, str] = {path: stem for path, stem in output_stems(documents).items()}
    executor = make_executor(options)
    internal_errors: list[str] = []
    web = WebBatch()
    try:
        if web_inputs:
            web = (
                _contained(
                    internal_errors, "reading pages and wiki articles", lambda: read_web_documents(web_inputs, options)
                )
                or WebBatch()
            )
        outcomes = _parse_documents(executor, documents, options, events)
        errors = collected.skipped + [outcome for outcome in outcomes if isinstance(outcome, DocumentError)]
        errors += input_errors + web.errors
        parsed_documents: list[tuple[Path | str, ParsedDocument]] = [
            (path, outcome)
            for path, outcome in zip(documents, outcomes, strict=True)
            if isinstance(outcome, ParsedDocument)
        ]
        parsed_documents += [(page.key, page.document) for page in web.documents]
        stems.update({page.key: page.stem for page in web.documents})
        view = apply_url_rules([parsed for _, parsed in parsed_documents], rules)
        batch = _network_stage(view.documents, options, executor, events, internal_errors)
        _contained(
            internal_errors,
            "looking up DOIs",
            lambda: run_identifier_stage([parsed for _, parsed in parsed_documents], options, batch.network),
        )
    finally:
        executor.close()
    sources = _sources_by_document(view, batch)
    view.restore()
    if view.excluded:
        # A copy: the resolve stage may hand out a shared state (OFFLINE_STATE).
        excluded = (
            f" {view.excluded} cited URLs were not checked: excluded by the --exclude/--include rules "
            "or the ignore file."
        )
        batch.network = batch.network.model_copy(update={"message": batch.network.message + excluded})
    generated_at = generation_time()
    audited: list[tuple[Path | str, ParsedDocument, DocumentReport]] = []
    events.start(Stage.checks, len(parsed_documents))
    for index, (path, parsed) in enumerate(parsed_documents):
        try:
            report = audit_parsed(parsed, options, batch.network, sources=sources[index])
        except Exception as error:  # a bug in a check: this document's error entry, the others still audited
            errors.append(internal_document_error(path, "checking", error))
        else:
            report.generated_at = generated_at
            audited.append((path, parsed, report))
        events.advance(Stage.checks)
    events.finish(Stage.checks)
    reports = [report for _, _, report in audited]
    conflicts = (
        _contained(
            internal_errors,
            "comparing figures across documents",
            lambda: audit_conflicts([(path, parsed) for path, parsed, _ in audited], reports, options),
        )
        or []
    )
    for report in reports:
        assign_fingerprints(report)
    by_key = {key: report for key, _, report in audited}
    diffs = (
        _contained(
            internal_errors,
            "writing wikitext diffs",
            lambda: wikitext_diffs(
                web, {page.key: by_key[page.key] for page in web.documents if page.key in by_key}, options
            ),
        )
        or {}
    )
    new_findings = mark_new(reports, baseline) if baseline is not None else None
    if options.write_baseline is not None:
        try:
            write_baseline(options.write_baseline, reports)
        except OSError as error:
            raise UsageError(f"--write-baseline {options.write_baseline}: cannot write ({error.strerror})") from None

    files: dict[Path, str] = {}
    summaries: list[DocumentSummary] = []
    events.start(Stage.reports, len(audited))
    for path, _, report in audited:
        stem = stems[path]
        try:
            files.update(_document_files(report, stem, options))
            if isinstance(path, str) and path in diffs:
                name, diff = diffs[path]
                files[options.out / name] = diff
        except Exception as error:  # a bug in a renderer: this document's reports are missing, the others written
            errors.append(internal_document_error(path, "writing the report of", error))
        else:
            summaries.append(_summarise(report, stem))
        events.advance(Stage.reports)
    for name, render in _audit_files(reports, options).items():
        text = _contained(internal_errors, f"writing {name}", render)
        if text is not None:
            files[options.out / name] = text
    counted = [finding for report in reports for finding in report.findings if baseline is None or finding.new]
    all_findings = [finding for report in reports for finding in report.findings]
    summary = AuditSummary(
        generated_at=generated_at,
        network=batch.network,
        documents=summaries,
        errors=errors,
        findings=dict(Counter(finding.severity.value for finding in all_findings)),
        conflicts=conflicts,
        new_findings=new_findings,
        fingerprints=sorted(finding.fingerprint for finding in all_findings if finding.fingerprint),
        internal_errors=internal_errors,
        exit_code=audit_exit_code(counted, options, errors, internal_errors),
    )
    files[options.out / "index.md"] = render_index_markdown(summary)
    files[options.out / "summary.json"] = summary_json(summary)
    try:
        write_outputs(files)
    except OSError as error:
        raise UsageError(f"cannot write {error.filename or options.out} ({error.strerror})") from None
    events.finish(Stage.reports)
    return AuditResult(summary=summary, reports=reports)


def _sources_by_document(view: NetworkView, batch: ResolvedBatch) -> list[dict[str, SourceText]]:
    """The source texts read for each document's references, keyed by reference id (before remaps are undone)."""
    return [document_sources(document, batch) for document in view.documents]


def _document_files(report: DocumentReport, stem: str, options: AuditOptions) -> dict[Path, str]:
    files: dict[Path, str] = {}
    if "md" in options.formats:
        timelines = timeline_files(report, stem)
        pages = render_document_files(report, stem, timelines=timeline_names(report, stem))
        files.update({options.out / name: text for name, text in pages.items()})
        files.update({options.out / name: svg for name, svg in timelines.items()})
    if "json" in options.formats:
        files[options.out / f"{stem}.json"] = report_json(report)
    return files


def _audit_files(reports: list[DocumentReport], options: AuditOptions) -> dict[str, Callable[[], str]]:
    """The audit-wide report files the chosen formats ask for, each rendered on demand."""
    renderers: dict[str, Callable[[], str]] = {}
    if "sarif" in options.formats:
        renderers["citecheck.sarif"] = lambda: json.dumps(sarif_log(reports, _version()), indent=2) + "\n"
    if "jsonl" in options.formats:
        renderers["findings.jsonl"] = lambda: "".join(finding_lines(reports))
    if "junit" in options.formats:
        renderers["junit.xml"] = lambda: junit_xml(reports)
    return renderers


def _version() -> str:
    try:
        return importlib.metadata.version("citecheck")
    except importlib.metadata.PackageNotFoundError:
        return "0+unknown"


def _load_baseline(path: Path | None) -> Baseline | None:
    if path is None:
        return None
    try:
        return load_baseline(path)
    except ValueError as error:
        raise UsageError(str(error)) from None


def audit_conflicts(
    parsed_documents: Sequence[tuple[object, ParsedDocument]], reports: list[DocumentReport], options: AuditOptions
) -> list[Conflict]:
    """CC503 across the whole audit: figures for the same thing that disagree, added to each report involved."""
    if not code_selected("CC503", options.select, options.ignore):
        return []
    conflicts = find_conflicts(
        [(parsed, report.claims) for (_, parsed), report in zip(parsed_documents, reports, strict=True)]
    )
    by_document = conflict_findings(conflicts)
    for report in reports:
        report.findings += by_document.get(report.document.path, [])
    return conflicts


def run_network_stage(
    documents: list[ParsedDocument],
    options: AuditOptions,
    executor: Executor | None = None,
    progress: ProgressEvents = NULL_PROGRESS,
) -> ResolvedBatch:
    """Run the resolve stage over every document (from the store alone with ``--offline``); answers are
    written onto the references.

    Failures are contained where they happen — per URL, per archive answer —
    and become ``not-checked`` with their reason; nothing here turns one
    failure into "every reference not-checked".  A bad ``--archive`` value is a
    usage error.
    """
    try:
        settings = ResolveSettings.from_options(options)
        plan = plan_for(documents, settings)
    except ValueError as error:
        raise UsageError(f"--archive: {error}") from None
    if settings.offline:
        # No request at all, but whatever earlier runs left in the store is used.
        batch = asyncio.run(resolve_plan_from_store(plan, settings))
    else:
        progress.start(Stage.live, len(plan.live_urls))
        progress.start(Stage.archive, len(plan.archive_requests))
        batch = (executor or LocalExecutor()).resolve(plan, settings, progress)
    apply_resolution(documents, batch)
    return batch


def resolve_network(
    documents: list[ParsedDocument], options: AuditOptions, executor: Executor | None = None
) -> NetworkState:
    """:func:`run_network_stage`, keeping only whether the network stages ran."""
    return run_network_stage(documents, options, executor).network
