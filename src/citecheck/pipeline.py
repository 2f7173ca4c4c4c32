"""The audit pipeline: documents → claims → resolution → checks → reports.

``audit()`` is the library entry point the CLI wraps.  Each stage is a
function over models; network stages slot in through :mod:`citecheck.resolve`
and are skipped (reported ``not-checked``) when offline.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import logging
import os
import pickle
import stat
import tempfile
from collections import Counter
from collections.abc import Callable, Coroutine, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from citecheck.checks.archive import findings_for_archive
from citecheck.checks.catalogue import code_selected
from citecheck.checks.conflicts import (
    FigureStatement,
    conflict_findings,
    figure_statements,
    find_conflicts,
    subject_conflicts,
)
from citecheck.checks.identifiers import identifier_findings
from citecheck.checks.integrity import check_claims
from citecheck.checks.live import findings_for_live
from citecheck.checks.offline import CheckContext, run_offline_checks
from citecheck.checks.page_date import publication_date_finding
from citecheck.claims.build import build_claims
from citecheck.config import AuditOptions
from citecheck.documents.loading import SUFFIX_FORMATS
from citecheck.errors import UsageError as UsageError  # re-exported: part of the library's API
from citecheck.execution import Executor, LocalExecutor, parse_one
from citecheck.execution.collector import tune_collector
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
    NetworkMode,
    NetworkState,
    ParsedDocument,
    Severity,
)
from citecheck.progress import NULL_PROGRESS, ProgressEvents, Stage
from citecheck.reports.annotations import github_annotations
from citecheck.reports.assembly import AuditAssembler, AuditRecords, DocumentRecord, document_record
from citecheck.reports.baseline import Baseline, load_baseline, mark_new
from citecheck.reports.filenames import collision_safe_stems, report_stems
from citecheck.reports.fingerprint import assign_fingerprints
from citecheck.reports.markdown import render_document_files
from citecheck.reports.rows import FindingRow, finding_rows
from citecheck.reports.spill import SORT_CHUNK, RecordFile, SortedSpill, SpilledSequence
from citecheck.reports.timeline import timeline_names_and_files
from citecheck.reports.writer import StagedFolder, report_json, write_outputs
from citecheck.resolve.batch import OFFLINE_STATE as OFFLINE_STATE  # re-exported for callers
from citecheck.resolve.batch import ResolvedBatch, apply_resolution, archive_hosts, nothing_stored, plan_for
from citecheck.resolve.identifiers import (
    IdentifierSettings,
    apply_doi_records,
    document_dois,
    doi_key,
    resolve_dois,
    resolve_identifiers,
)
from citecheck.resolve.identifiers import run_identifier_stage as run_identifier_stage  # re-exported for callers
from citecheck.resolve.plan import PlanBuilder, ResolvePlan
from citecheck.resolve.settings import ResolveSettings
from citecheck.url_rules import UrlRules, apply_url_rules
from citecheck.web_inputs import WebBatch, WebInput, split_inputs

# What only a networked audit, or one reading a store, uses is imported where it is used: an offline audit
# with no store loads no HTTP client, answers spill, source reader or event loop (issue 17).
if TYPE_CHECKING:
    from citecheck.resolve.answers import Answers, SpilledAnswers
    from citecheck.resolve.run_client import RunClient
    from citecheck.resolve.sources import SourceText

logger = logging.getLogger(__name__)
_T = TypeVar("_T")


@dataclass(frozen=True)
class AuditTotals:
    """What the summary's document rows add up to, kept even when the rows are not (``keep_reports=False``)."""

    documents: int = 0  # documents with a report
    references: int = 0
    claims: int = 0
    accepted: int = 0  # distinct finding fingerprints: what --write-baseline accepts


@dataclass
class AuditResult:
    """What :func:`audit` found: the summary, the reports, the totals.

    ``reports`` are every document's report in audit order: read back one at
    a time from a temporary file (a :class:`~citecheck.reports.spill.SpilledSequence`:
    each access reads a fresh copy) unless ``audit(..., reports_in_memory=True)``
    asked for a list; empty with ``keep_reports=False``.  :meth:`close` removes
    the temporary files now rather than when the result is collected.
    """

    summary: AuditSummary
    reports: Sequence[DocumentReport] = field(default_factory=list)
    totals: AuditTotals = field(default_factory=AuditTotals)
    # The spilled rows and annotations of an audit run with keep_reports=False.
    records: AuditRecords | None = None

    @property
    def exit_code(self) -> int:
        return self.summary.exit_code

    def finding_rows(self) -> Iterator[FindingRow]:
        """Every finding as a row, the documents with the worst problems first (as :func:`finding_rows`)."""
        if self.records is not None:
            return self.records.finding_rows()
        return iter(finding_rows(self.reports))

    def annotation_lines(self, *, only_new: bool = False) -> Iterator[str]:
        """``--format github`` workflow commands (:func:`~citecheck.reports.annotations.github_annotations`)."""
        if self.records is not None:
            return self.records.annotation_lines(only_new=only_new)
        return iter(github_annotations(self.reports, only_new=only_new).splitlines(keepends=True))

    def close(self) -> None:
        """Remove the spilled records and reports now rather than when the result is collected."""
        if self.records is not None:
            self.records.close()
            self.records = None
        if isinstance(self.reports, SpilledSequence):
            self.reports.close()
            self.reports = []


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


def _walk_folder(folder: Path, collected: CollectedDocuments, skip: frozenset[Path] = frozenset()) -> None:
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
        folders[:] = sorted(
            name for name in folders if not name.startswith(".") and not (skip and _resolved(here / name) in skip)
        )
        for name in files:
            candidate = here / name
            if name.startswith(".") or candidate.suffix.lower() not in SUFFIX_FORMATS:
                continue
            if skip and _resolved(candidate) in skip:
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


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a symlink loop: compared as written
        return path.absolute()


def collect_inputs(paths: list[Path], *, exclude: Iterable[Path] = ()) -> CollectedDocuments:
    """Expand folders into the documents they hold (sorted, hidden entries skipped).

    A path given by name that does not exist is a usage error; inside a
    folder, an entry named like a document that is no regular file (a
    broken symbolic link, a FIFO, an unreadable folder) is listed as not
    audited, so nothing is skipped without a word.  ``exclude`` are the
    audit's own outputs (its report folder, its store): a folder walk never
    enters them, so a second run does not audit the first one's reports.
    A document reached twice is kept once, where it was first named.
    """
    collected = CollectedDocuments()
    skip = frozenset(_resolved(place) for place in exclude)
    for path in paths:
        if path.is_dir():
            _walk_folder(path, collected, skip)
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
    # One document named twice (``a.md a.md``, ``a.md .``, ``./a.md``) is audited once, as a
    # linter lints it once: two audits of one file would share one report file and count twice.
    seen: set[Path] = set()
    unique: list[Path] = []
    for document in collected.documents:
        key = _resolved(document)
        if key not in seen:
            seen.add(key)
            unique.append(document)
    collected.documents = unique
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
    network_ran = network.mode == NetworkMode.online
    checks = check_claims(claim_set.claims, references, sources, network_ran)
    for claim, check in zip(claim_set.claims, checks, strict=True):
        if claim.verdict is not check.verdict:
            claim.verdict = check.verdict
        # In place: the claims stage gave every claim a list of its own (and set the field).
        claim.evidence.extend(check.evidence)
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


PARSE_BATCH = 32  # documents per parse call on a cluster: bounded memory, yet every worker kept busy


@dataclass
class StreamSettings:
    """How the streamed audit spills (tests turn these to drive every path; the defaults suit any corpus)."""

    # None: parse twice over a spill only when the network stage needs the corpus's whole plan first.
    two_pass: bool | None = None
    sort_chunk: int = SORT_CHUNK  # records held in memory per spilled sort
    # The network stage's plan and answers (page texts included) spilled to disk; False holds them in memory.
    spill_answers: bool = True


def _parsed_stream(
    executor: Executor, documents: list[Path], options: AuditOptions
) -> Iterator[tuple[Path, ParsedDocument | DocumentError]]:
    """Each document parsed, in order: one at a time here, bounded batches on a cluster."""
    size = 1 if isinstance(executor, LocalExecutor) else PARSE_BATCH
    for start in range(0, len(documents), size):
        chunk = documents[start : start + size]
        yield from zip(chunk, executor.parse(chunk, options.max_document_size), strict=True)


def _resolve_settings(options: AuditOptions) -> ResolveSettings:
    try:
        settings = ResolveSettings.from_options(options)
        archive_hosts(settings.archives)
    except ValueError as error:
        raise UsageError(f"--archive: {error}") from None
    return settings


def _needs_plan(options: AuditOptions, rules: UrlRules) -> bool:
    """Whether the network stage must see every document before the first is checked.

    Offline with no store and no URL rules, the network state is known before
    any document is read (nothing is remembered, nothing excluded): documents
    then go from reader to report in one pass.  Otherwise the plan of all
    documents is resolved first (URLs deduplicated across the corpus), and
    the documents wait in a spill file, not in memory.
    """
    if not options.offline or not rules.empty:
        return True
    return str(options.cache) == ":memory:" or Path(options.cache).is_file()


def _excluded_note(network: NetworkState, excluded: int) -> NetworkState:
    if not excluded:
        return network
    # A copy: the resolve stage may hand out a shared state (OFFLINE_STATE).
    note = f" {excluded} cited URLs were not checked: excluded by the --exclude/--include rules or the ignore file."
    return network.model_copy(update={"message": network.message + note})


def _network_stage(
    plan: ResolvePlan,
    options: AuditOptions,
    executor: Executor,
    events: ProgressEvents,
    internal_errors: list[str],
    answers: Answers | None = None,
) -> tuple[ResolvedBatch, bool]:
    """The resolve stage, with its totals on the progress display; a bug in it leaves the references not-checked
    (the second value: whether it failed so)."""
    # run_planned_network_stage starts these with the plan's totals and advances them as URLs finish.
    network_stages: list[str] = [] if options.offline else [Stage.live, Stage.archive]
    try:
        return run_planned_network_stage(plan, options, executor, events, answers), False
    except Exception as error:  # a bug in the network stage: contained, reports still written, exit 4
        logger.info("internal error in the network stage", exc_info=True)
        internal_errors.append(f"network stage: {type(error).__name__}: {error}")
        network = NetworkState(
            mode=NetworkMode.unreachable,
            message=f"Network checks failed with an internal error ({type(error).__name__}); "
            "they are reported not-checked. This is a bug in citecheck: please report it.",
        )
        return ResolvedBatch(network=network), True
    finally:
        for stage in network_stages:
            events.finish(stage)


def _mark_network_failed(document: ParsedDocument) -> None:
    reason = "network stage failed with an internal error"
    for reference in document.references:
        reference.live = LiveCheck(reason=reason)
        reference.archive = ArchiveResult(reason=reason)


@dataclass
class DocumentWork:
    """What checking and writing one document needs: the same in this process and in a ``--jobs`` worker."""

    options: AuditOptions
    network: NetworkState
    baseline: Baseline | None
    generated_at: datetime
    keep_reports: bool
    conflicts: bool  # CC503 selected: figure statements are collected
    network_failed: bool = False  # the network stage failed with a bug: references are marked so
    identifiers: IdentifierSettings | None = None  # look DOIs up per document (the one-pass audit)
    staged: bool = False  # the report folder is a StagedFolder: files are created under their own names


@dataclass
class DocumentOutcome:
    """One document's way through checks and report writing, for the audit to take in (picklable)."""

    number: int
    key: Path | str
    parse_error: DocumentError | None = None
    check_error: DocumentError | None = None
    render_error: DocumentError | None = None
    internal: list[tuple[str, str]] = field(default_factory=list)  # (step, message): reported once per step
    waiting: DocumentReport | None = None  # kept back for CC503 findings (statements) or a wiki diff
    statements: list[FigureStatement] = field(default_factory=list)
    record: DocumentRecord | None = None
    report: DocumentReport | None = None  # with keep_reports
    references: int = 0
    claims: int = 0
    write_error: tuple[str, str] | None = None  # (file, reason): the report folder cannot be written


def check_document(
    work: DocumentWork,
    number: int,
    key: Path | str,
    stem: str,
    parsed: ParsedDocument,
    sources: Mapping[str, SourceText],
) -> DocumentOutcome:
    """Claims, checks and verdicts; then the files, unless the report must wait for the audit's end."""
    outcome = DocumentOutcome(number, key)
    if work.network_failed:
        _mark_network_failed(parsed)
    if work.identifiers is not None and document_dois([parsed]):
        try:
            resolve_identifiers([parsed], work.identifiers)
        except Exception as error:  # a bug: contained to this step, reported, and the run exits 4
            logger.info("internal error while looking up DOIs", exc_info=True)
            outcome.internal.append(("looking up DOIs", f"{type(error).__name__}: {error}"))
    try:
        report = audit_parsed(parsed, work.options, work.network, sources=sources)
    except Exception as error:  # a bug in a check: this document's error entry, the others still audited
        outcome.check_error = internal_document_error(key, "checking", error)
        return outcome
    report.generated_at = work.generated_at
    if work.conflicts:
        try:
            outcome.statements = figure_statements(parsed, report.claims)
        except Exception as error:  # a bug: no conflicts this run, reported once (exit 4)
            logger.info("internal error while comparing figures", exc_info=True)
            outcome.internal.append(("comparing figures across documents", f"{type(error).__name__}: {error}"))
    if isinstance(key, str) or outcome.statements:
        # Pages and articles wait for their wiki diffs; documents with figures for the audit's conflicts.
        outcome.waiting = report
        return outcome
    return finish_document(work, outcome, stem, report)


def finish_document(
    work: DocumentWork, outcome: DocumentOutcome, stem: str, report: DocumentReport, diff: tuple[str, str] | None = None
) -> DocumentOutcome:
    """Fingerprints, baseline, the document's own files; then only its compact record is kept."""
    outcome.waiting = None
    assign_fingerprints(report)
    if work.baseline is not None:
        mark_new([report], work.baseline)
    summary: DocumentSummary | None = None
    try:
        files = _document_files(report, stem, work.options)
        if diff is not None:
            files[work.options.out / diff[0]] = diff[1]
    except Exception as error:  # a bug in a renderer: this document's reports are missing, the others written
        outcome.render_error = internal_document_error(outcome.key, "writing the report of", error)
    else:
        summary = _summarise(report, stem)
        try:
            write_outputs(files, durable=False, staged=work.staged)
        except OSError as error:
            outcome.write_error = (str(error.filename or work.options.out), str(error.strerror))
            return outcome
        outcome.references, outcome.claims = summary.references, summary.claims
    outcome.record = document_record(report, summary, frozenset(work.options.formats))
    if work.keep_reports:
        outcome.report = report
    return outcome


_WORK: DocumentWork | None = None  # a --jobs worker's copy, set once when the worker starts


def _start_worker(work: DocumentWork) -> None:
    """A ``--jobs`` worker's start: its copy of the work, and the collector tuned as the CLI tunes its own.

    The worker lives for this audit alone, so the tuning is never undone; it is applied here, not by the
    CLI, so a library caller's ``jobs`` gets it too.
    """
    global _WORK
    _WORK = work
    tune_collector()


def _work_in_worker(task: tuple[int, Path, str]) -> DocumentOutcome:
    """Read, check and write one document in a ``--jobs`` worker process."""
    number, path, stem = task
    assert _WORK is not None, "the worker was started without its DocumentWork"
    parsed = parse_one(path, _WORK.options.max_document_size)
    if isinstance(parsed, DocumentError):
        return DocumentOutcome(number, path, parse_error=parsed)
    return check_document(_WORK, number, path, stem, parsed, {})


class _StreamedAudit:
    """One audit's documents from reader to report files, one at a time; the audit-wide files at the end."""

    def __init__(
        self,
        options: AuditOptions,
        events: ProgressEvents,
        baseline: Baseline | None,
        stems: dict[Path | str, str],
        *,
        keep_reports: bool,
        stream: StreamSettings,
        in_memory: bool = True,
    ) -> None:
        self.options = options
        self.events = events
        self.baseline = baseline
        self.stems = stems
        self.keep_reports = keep_reports
        self.stream = stream
        self.client: RunClient | None = None  # the run's one HTTP client, when it goes online
        self.generated_at = generation_time()
        self.assembler = AuditAssembler(
            formats=frozenset(options.formats),
            tool_version=_version(),
            baseline_applied=baseline is not None,
            fail_on=options.fail_on,
            sort_chunk=stream.sort_chunk,
        )
        self.folder = self.assembler.folder
        self.internal_errors: list[str] = []
        self.parse_errors: list[DocumentError] = []
        self.check_errors: list[DocumentError] = []
        self.render_errors: list[tuple[int, DocumentError]] = []
        self.reports: dict[int, DocumentReport] = {}  # reports_in_memory
        # Otherwise the kept reports wait in a file of their own: it outlives the audit, with its result.
        self.report_folder: tempfile.TemporaryDirectory[str] | None = None
        self.report_file: RecordFile | None = None
        if keep_reports and not in_memory:
            self.report_folder = tempfile.TemporaryDirectory(prefix="citecheck-reports-")
            self.report_file = RecordFile(Path(self.report_folder.name) / "reports")
        self.conflicts_active = code_selected("CC503", options.select, options.ignore)
        self.work = DocumentWork(
            options=options,
            network=OFFLINE_STATE,
            baseline=baseline,
            generated_at=self.generated_at,
            keep_reports=keep_reports,
            conflicts=self.conflicts_active,
        )
        # A statement carries its claim: far larger than the other spilled records, so fewer are held.
        self.statements: SortedSpill[tuple[tuple[str, ...], int, FigureStatement]] = SortedSpill(
            self.folder, "statements", chunk=max(1, stream.sort_chunk // 25)
        )
        self.deferred = RecordFile(self.folder / "deferred")
        self.web_reports: list[tuple[int, str, DocumentReport]] = []
        self._reported_steps: set[str] = set()
        self.references = 0
        self.claims = 0

    @property
    def network(self) -> NetworkState:
        return self.work.network

    # ----------------------------------------------------------------- one document

    def check(self, number: int, key: Path | str, parsed: ParsedDocument, sources: Mapping[str, SourceText]) -> None:
        self.take(check_document(self.work, number, key, self.stems[key], parsed, sources))

    def unreadable(self, error: DocumentError) -> None:
        """A document that could not be read: listed, and no longer awaited by the check and report bars."""
        self.parse_errors.append(error)
        self.events.add_total(Stage.checks, -1)
        self.events.add_total(Stage.reports, -1)

    def take(self, outcome: DocumentOutcome) -> None:
        """Take in what became of one document (here or in a worker), in audit order."""
        events = self.events
        if outcome.parse_error is not None:
            self.unreadable(outcome.parse_error)
            return
        for step, message in outcome.internal:
            if step not in self._reported_steps:
                self._reported_steps.add(step)
                self.internal_errors.append(f"{step}: {message}")
                if step == "comparing figures across documents":
                    self.conflicts_active = False
                if step == "looking up DOIs":
                    self.work.identifiers = None
        events.advance(Stage.checks)
        if outcome.check_error is not None:
            self.check_errors.append(outcome.check_error)
            events.advance(Stage.reports)
            return
        if outcome.waiting is not None:
            if self.conflicts_active:
                for statement in outcome.statements:
                    self.statements.add((statement.subject_key, len(self.statements), statement))
            if isinstance(outcome.key, str):
                self.web_reports.append((outcome.number, outcome.key, outcome.waiting))
            else:
                self.deferred.put(outcome.number, (outcome.key, outcome.waiting))
            return
        self._finished(outcome)

    def _finished(self, outcome: DocumentOutcome) -> None:
        if outcome.write_error is not None:
            where, reason = outcome.write_error
            raise UsageError(f"cannot write {where} ({reason})")
        if outcome.render_error is not None:
            self.render_errors.append((outcome.number, outcome.render_error))
        if outcome.record is not None:
            self.assembler.add_record(outcome.number, outcome.record)
        if outcome.report is not None:
            if self.report_file is not None:
                self.report_file.put(outcome.number, outcome.report)
            else:
                self.reports[outcome.number] = outcome.report
        self.references += outcome.references
        self.claims += outcome.claims
        self.events.advance(Stage.reports)

    def finish(self, number: int, key: Path | str, report: DocumentReport, diff: tuple[str, str] | None = None) -> None:
        self._finished(finish_document(self.work, DocumentOutcome(number, key), self.stems[key], report, diff))

    # ----------------------------------------------------------------- the audit's end

    def conflicts(self) -> list[Conflict]:
        if not self.conflicts_active:
            return []

        def grouped() -> list[Conflict]:
            found: list[Conflict] = []
            key: tuple[str, ...] | None = None
            group: list[FigureStatement] = []
            for subject, _, statement in self.statements:
                if subject != key:
                    if group and key is not None:
                        found += subject_conflicts(key, group)
                    key, group = subject, []
                group.append(statement)
            if group and key is not None:
                found += subject_conflicts(key, group)
            return found

        return _contained(self.internal_errors, "comparing figures across documents", grouped) or []

    def finish_waiting(self, conflicts: list[Conflict], web: WebBatch) -> None:
        """The reports kept back: CC503 findings added, wiki diffs made, then written."""
        by_document = (
            _contained(self.internal_errors, "comparing figures across documents", lambda: conflict_findings(conflicts))
            or {}
        )
        for number in self.deferred.numbers():
            key, report = self.deferred.get(number)
            report.findings += by_document.get(report.document.path, [])
            self.finish(number, key, report)
        self.deferred.close()
        for _, _, report in self.web_reports:
            report.findings += by_document.get(report.document.path, [])
            assign_fingerprints(report)
        if not web.documents:
            return
        # Imported here, like the reading below: an audit of local files alone loads no page or wiki client.
        from citecheck.web_documents import wikitext_diffs

        by_key = {key: report for _, key, report in self.web_reports}
        diffs = (
            _contained(
                self.internal_errors,
                "writing wikitext diffs",
                lambda: wikitext_diffs(
                    web,
                    {page.key: by_key[page.key] for page in web.documents if page.key in by_key},
                    self.options,
                    self.client,
                ),
            )
            or {}
        )
        for number, key, report in self.web_reports:
            self.finish(number, key, report, diffs.get(key))


def audit(
    paths: Sequence[Path | str] | None = None,
    options: AuditOptions | None = None,
    progress: ProgressEvents | None = None,
    *,
    keep_reports: bool = True,
    reports_in_memory: bool = False,
    stream: StreamSettings | None = None,
) -> AuditResult:
    """Audit documents and write reports. Raises :class:`UsageError` for bad paths, settings or output places.

    ``paths`` are files and folders, ``http(s)`` URLs and wiki articles
    (``wikipedia:en:Title``; see :mod:`citecheck.web_inputs` and :mod:`citecheck.web_documents`).
    Documents that cannot be read become error entries (and exit code 2)
    while every other document is still audited and reported; a failure of
    citecheck itself on one document, or in one stage, is contained the same
    way and the run exits 4.

    Documents stream: each is parsed, checked and its report files written
    before the next is read, and the audit-wide files are built from compact
    records spilled to a temporary folder, so memory does not grow with the
    corpus.  The result's ``reports`` are read back from a temporary file one
    at a time as they are asked for (each access a fresh copy);
    ``reports_in_memory=True`` holds them in a list instead (memory then
    grows with the corpus).  ``keep_reports=False`` keeps no report at all
    (the CLI's way): the result then has no ``reports``, its summary no
    document rows or fingerprints, and :meth:`AuditResult.finding_rows` reads
    the spilled rows.
    """
    options = options or AuditOptions()
    events = progress or NULL_PROGRESS
    stream = stream or StreamSettings()
    local, web_inputs, input_errors = split_inputs(paths, options)
    collected = collect_inputs(local, exclude=_own_outputs(options)) if local else CollectedDocuments()
    documents = collected.documents
    baseline = _load_baseline(options.baseline)
    rules = url_rules_for(options)
    check_output_folder(options.out)
    if options.write_baseline is not None:
        check_file_writable(options.write_baseline, "--write-baseline")
    if not options.offline:
        check_store_location(options.cache)
    settings = _resolve_settings(options)
    stems: dict[Path | str, str] = {path: stem for path, stem in output_stems(documents).items()}
    two_pass = _needs_plan(options, rules) if stream.two_pass is None else stream.two_pass
    executor = make_executor(options)
    # A new report folder is built under a hidden name and renamed into place at the end (see StagedFolder).
    staged = StagedFolder.begin(options.out)
    written = options if staged is None else options.model_copy(update={"out": staged.path})
    run = _StreamedAudit(
        written, events, baseline, stems, keep_reports=keep_reports, stream=stream, in_memory=reports_in_memory
    )
    run.work.staged = staged is not None
    # One HTTP client and one event loop for every fetch of the run (pages to audit, the resolve stage, DOIs,
    # wiki diffs): one host pool, one politeness state, one body of network evidence.
    client: RunClient | None = None
    if not options.offline:
        from citecheck.resolve.run_client import RunClient

        client = RunClient(settings, events.waiting)
    run.client = client
    if client is not None and isinstance(executor, LocalExecutor):
        executor.client = client
    try:
        return _audit_with(run, executor, collected, documents, web_inputs, input_errors, rules, settings, two_pass)
    except UsageError as error:  # "cannot write …": named by where the file was going
        if staged is None:
            raise
        raise UsageError(str(error).replace(str(staged.path), str(options.out))) from None
    finally:
        if client is not None:
            client.close()
        if staged is not None:
            staged.publish()  # however the audit ended: every report written is in --out, as without staging


def _audit_with(
    run: _StreamedAudit,
    executor: Executor,
    collected: CollectedDocuments,
    documents: list[Path],
    web_inputs: list[WebInput],
    input_errors: list[DocumentError],
    rules: UrlRules,
    settings: ResolveSettings,
    two_pass: bool,
) -> AuditResult:
    options, stems = run.options, run.stems
    try:
        web = WebBatch()
        if web_inputs:
            from citecheck.web_documents import read_web_documents

            web = (
                _contained(
                    run.internal_errors,
                    "reading pages and wiki articles",
                    lambda: read_web_documents(web_inputs, options, run.client),
                )
                or WebBatch()
            )
        stems.update({page.key: page.stem for page in web.documents})
        stems.update(collision_safe_stems(stems))
        total = len(documents) + len(web.documents)
        if two_pass:
            _two_passes(run, executor, documents, web, rules, settings)
        else:
            _one_pass(run, executor, documents, web, total)
    finally:
        executor.close()
    try:
        return _finish_audit(run, collected, input_errors, web)
    finally:
        run.assembler.close()


def _one_pass(run: _StreamedAudit, executor: Executor, documents: list[Path], web: WebBatch, total: int) -> None:
    """Offline with nothing remembered: each document read, checked and written before the next is read."""
    events, options = run.events, run.options
    batch, failed = _network_stage(ResolvePlan(), options, executor, events, run.internal_errors)
    run.work.network = batch.network
    run.work.network_failed = failed
    run.work.identifiers = IdentifierSettings.from_options(options, batch.network)
    events.start(Stage.documents, len(documents))
    events.start(Stage.checks, total)
    events.start(Stage.reports, total)
    if options.jobs > 1 and isinstance(executor, LocalExecutor) and len(documents) > 1:
        _in_workers(run, documents, options.jobs)
    else:
        for number, (path, outcome) in enumerate(_parsed_stream(executor, documents, options)):
            events.advance(Stage.documents)
            if isinstance(outcome, DocumentError):
                run.unreadable(outcome)
            else:
                run.check(number, path, outcome, {})
    events.finish(Stage.documents)
    for offset, page in enumerate(web.documents):
        run.check(len(documents) + offset, page.key, page.document, {})
    events.finish(Stage.checks)


def _in_workers(run: _StreamedAudit, documents: list[Path], jobs: int) -> None:
    """``--jobs N``: documents read, checked and written by N processes, taken in here in audit order.

    Every worker runs :func:`check_document` and :func:`finish_document`,
    the functions this process runs without ``--jobs``, and the outcomes
    are taken in document order, so the report folder is the same.
    """
    import multiprocessing

    tasks = ((number, path, run.stems[path]) for number, path in enumerate(documents))
    # spawn, not fork: the parent may hold threads (progress display) and open stores.
    context = multiprocessing.get_context("spawn")
    with context.Pool(processes=jobs, initializer=_start_worker, initargs=(run.work,)) as pool:
        for outcome in pool.imap(_work_in_worker, tasks, chunksize=4):
            run.events.advance(Stage.documents)
            run.take(outcome)


def _doi_lookup(document: ParsedDocument, settings: IdentifierSettings) -> Callable[[], int]:
    return lambda: resolve_identifiers([document], settings)


def _two_passes(
    run: _StreamedAudit,
    executor: Executor,
    documents: list[Path],
    web: WebBatch,
    rules: UrlRules,
    settings: ResolveSettings,
) -> None:
    """Read every document once for the plan (spilling it), resolve the plan, then check and write each.

    The plan's per-reference parts and the network's answers (page texts
    included) are spilled to the audit's temporary folder too, and read back
    per document when its checks run: what is held in memory is one compact
    entry per distinct URL, not the corpus's references, answers and pages.
    """
    spill = run.stream.spill_answers
    builder = PlanBuilder(queried_archive_hosts=archive_hosts(settings.archives), folder=run.folder if spill else None)
    from citecheck.resolve.answers import SpilledAnswers

    answers = SpilledAnswers(run.folder) if spill else None
    try:
        _plan_resolve_check(run, executor, documents, web, rules, builder, answers)
    finally:
        if answers is not None:
            answers.close()
        builder.close()


def _plan_resolve_check(
    run: _StreamedAudit,
    executor: Executor,
    documents: list[Path],
    web: WebBatch,
    rules: UrlRules,
    builder: PlanBuilder,
    answers: SpilledAnswers | None,
) -> None:
    events, options = run.events, run.options
    dois: dict[str, str] = {}
    excluded = 0
    spill_path = run.folder / "parsed"
    spilled = 0

    def plan(document: ParsedDocument) -> None:
        nonlocal excluded
        view = apply_url_rules([document], rules)
        excluded += view.excluded
        builder.add(view.documents[0])
        for doi in document_dois([document]):
            dois.setdefault(doi_key(doi), doi)

    events.start(Stage.documents, len(documents))
    with spill_path.open("wb") as spill:
        for path, outcome in _parsed_stream(executor, documents, options):
            events.advance(Stage.documents)
            if isinstance(outcome, DocumentError):
                run.parse_errors.append(outcome)
                continue
            pickle.dump((path, outcome), spill, protocol=pickle.HIGHEST_PROTOCOL)
            spilled += 1
            plan(outcome)
    events.finish(Stage.documents)
    for page in web.documents:
        plan(page.document)
    batch, failed = _network_stage(builder.plan(), options, executor, events, run.internal_errors, answers)
    shared = run.client.web if run.client is not None else None
    records = (
        _contained(
            run.internal_errors,
            "looking up DOIs",
            lambda: _run_step(
                run.client,
                resolve_dois(list(dois.values()), IdentifierSettings.from_options(options, batch.network), web=shared),
            ),
        )
        or {}
    )
    run.work.network = _excluded_note(batch.network, excluded)
    total = spilled + len(web.documents)
    events.start(Stage.checks, total)
    events.start(Stage.reports, total)

    def resolved(document: ParsedDocument) -> dict[str, SourceText]:
        view = apply_url_rules([document], rules)
        if failed:
            _mark_network_failed(view.documents[0])
        apply_resolution(view.documents, batch)
        apply_doi_records([document], records)
        sources = batch.sources_for(view.documents[0])
        view.restore()
        return sources

    number = 0
    with spill_path.open("rb") as spilled_documents:
        for _ in range(spilled):
            path, document = pickle.load(spilled_documents)
            run.check(number, path, document, resolved(document))
            number += 1
    spill_path.unlink()
    for page in web.documents:
        run.check(number, page.key, page.document, resolved(page.document))
        number += 1
    events.finish(Stage.checks)


def _run_step(client: RunClient | None, step: Coroutine[Any, Any, _T]) -> _T:
    """One async step of the audit: on the run's loop when it has one, else on a loop of its own."""
    if client is not None:
        return client.run(step)
    import asyncio

    return asyncio.run(step)


def _finish_audit(
    run: _StreamedAudit, collected: CollectedDocuments, input_errors: list[DocumentError], web: WebBatch
) -> AuditResult:
    options = run.options
    conflicts = run.conflicts()
    run.finish_waiting(conflicts, web)
    errors = collected.skipped + run.parse_errors + input_errors + web.errors + run.check_errors
    errors += [error for _, error in sorted(run.render_errors, key=lambda item: item[0])]
    assembler = run.assembler
    if options.write_baseline is not None:
        try:
            assembler.write_baseline(options.write_baseline)
        except OSError as error:
            raise UsageError(f"--write-baseline {options.write_baseline}: cannot write ({error.strerror})") from None
    try:
        assembler.write_audit_files(options.out, run.internal_errors)
        summary = AuditSummary.model_construct(
            generated_at=run.generated_at,
            network=run.network,
            documents=[],
            errors=errors,
            findings=assembler.severity_counts(),
            conflicts=conflicts,
            new_findings=assembler.new_findings if run.baseline is not None else None,
            fingerprints=[],
            internal_errors=run.internal_errors,
            exit_code=_exit_code(assembler.findings_exit_code(), options, errors, run.internal_errors),
        )
        assembler.write_index_and_summary(options.out, summary)
    except OSError as error:
        raise UsageError(f"cannot write {error.filename or options.out} ({error.strerror})") from None
    run.events.finish(Stage.reports)
    reports: Sequence[DocumentReport] = [run.reports[number] for number in sorted(run.reports)]
    if run.report_folder is not None and run.report_file is not None:
        reports = SpilledSequence(run.report_folder, run.report_file)
    result = AuditResult(
        summary=summary,
        reports=reports,
        totals=AuditTotals(assembler.documents, run.references, run.claims, assembler.distinct_fingerprints),
    )
    if run.keep_reports:
        summary.documents = assembler.document_summaries()
        summary.fingerprints = assembler.fingerprints()
    else:
        result.records = assembler.records()
    return result


def _exit_code(findings_code: int, options: AuditOptions, errors: list[DocumentError], internal: list[str]) -> int:
    """:func:`audit_exit_code` with the findings' own code already worked out."""
    if internal or any(error.kind is DocumentErrorKind.internal_error for error in errors):
        return EXIT_INTERNAL
    if errors:
        return EXIT_USAGE
    if options.write_baseline is not None:
        return EXIT_OK
    return findings_code


def _own_outputs(options: AuditOptions) -> list[Path]:
    """Where the audit writes (its report folder, its store): never audited as inputs found in a folder."""
    places = [options.out]
    if str(options.cache) != ":memory:":
        places.append(options.cache)
    return places


def _document_files(report: DocumentReport, stem: str, options: AuditOptions) -> dict[Path, str]:
    files: dict[Path, str] = {}
    if "md" in options.formats:
        names, timelines = timeline_names_and_files(report, stem)
        pages = render_document_files(report, stem, timelines=names)
        files.update({options.out / name: text for name, text in pages.items()})
        files.update({options.out / name: svg for name, svg in timelines.items()})
    if "json" in options.formats:
        files[options.out / f"{stem}.json"] = report_json(report)
    return files


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
    except ValueError as error:
        raise UsageError(f"--archive: {error}") from None
    plan = plan_for(documents, settings)
    batch = run_planned_network_stage(plan, options, executor, progress)
    apply_resolution(documents, batch)
    return batch


def run_planned_network_stage(
    plan: ResolvePlan,
    options: AuditOptions,
    executor: Executor | None = None,
    progress: ProgressEvents = NULL_PROGRESS,
    answers: Answers | None = None,
) -> ResolvedBatch:
    """The resolve stage for a plan built beforehand (:class:`~citecheck.resolve.plan.PlanBuilder`, one
    document at a time); the caller applies the answers (:func:`~citecheck.resolve.stage.apply_resolution`).

    ``answers``: where the outcomes wait for the checks (default: in memory;
    :class:`~citecheck.resolve.answers.SpilledAnswers` writes them to disk as they arrive).
    """
    try:
        settings = ResolveSettings.from_options(options)
    except ValueError as error:
        raise UsageError(f"--archive: {error}") from None
    if settings.offline:
        if nothing_stored(settings):
            return ResolvedBatch(network=OFFLINE_STATE)
        # No request at all, but whatever earlier runs left in the store is used: the session, offline,
        # reads it (imported here, so an offline audit with no store loads none of it).
        import asyncio

        from citecheck.resolve.stage import resolve_plan_from_store

        return asyncio.run(resolve_plan_from_store(plan, settings, answers))
    progress.start(Stage.live, len(plan.live_urls))
    progress.start(Stage.archive, len(plan.archive_requests))
    return (executor or LocalExecutor()).resolve(plan, settings, progress, answers)


def resolve_network(
    documents: list[ParsedDocument], options: AuditOptions, executor: Executor | None = None
) -> NetworkState:
    """:func:`run_network_stage`, keeping only whether the network stages ran."""
    return run_network_stage(documents, options, executor).network
