"""The audit pipeline: documents → claims → resolution → checks → reports.

``audit()`` is the library entry point the CLI wraps.  Each stage is a
function over models; network stages slot in through :mod:`citecheck.resolve`
and are skipped (reported ``not-checked``) when offline.
"""

from __future__ import annotations

import asyncio
import importlib.metadata
import json
import os
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from citecheck.checks.archive import findings_for_archive
from citecheck.checks.catalogue import code_selected
from citecheck.checks.conflicts import conflict_findings, find_conflicts
from citecheck.checks.integrity import check_claim
from citecheck.checks.live import content_drift, drift_finding, findings_for_live
from citecheck.checks.offline import CheckContext, run_offline_checks
from citecheck.checks.page_date import publication_date_finding
from citecheck.claims.build import build_claims
from citecheck.config import AuditOptions
from citecheck.documents.loading import SUFFIX_FORMATS
from citecheck.execution import Executor, LocalExecutor
from citecheck.models import (
    AuditSummary,
    Conflict,
    DocumentError,
    DocumentInfo,
    DocumentReport,
    DocumentSummary,
    Finding,
    NetworkState,
    ParsedDocument,
    Severity,
)
from citecheck.progress import Progress
from citecheck.reports.baseline import Baseline, load_baseline, mark_new, write_baseline
from citecheck.reports.fingerprint import assign_fingerprints
from citecheck.reports.jsonl import finding_lines
from citecheck.reports.markdown import render_document_markdown, render_index_markdown
from citecheck.reports.sarif import sarif_log
from citecheck.reports.timeline import timeline_files, timeline_names
from citecheck.reports.writer import report_json, summary_json, write_outputs
from citecheck.resolve.settings import ResolveSettings
from citecheck.resolve.sources import SourceText
from citecheck.resolve.stage import OFFLINE_STATE as OFFLINE_STATE  # re-exported for callers
from citecheck.resolve.stage import ResolvedBatch, apply_resolution, plan_for, resolve_plan_from_store

FAIL_THRESHOLDS = {"error": 3, "warning": 2, "never": 99}
EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 3


class UsageError(Exception):
    """Bad paths or settings: one line for stderr, exit code 2."""


@dataclass
class AuditResult:
    summary: AuditSummary
    reports: list[DocumentReport] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return self.summary.exit_code


def collect_documents(paths: list[Path]) -> list[Path]:
    """Expand directories into the documents they hold (sorted, hidden files skipped)."""
    documents: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(
                candidate
                for candidate in path.rglob("*")
                if candidate.is_file()
                and candidate.suffix.lower() in SUFFIX_FORMATS
                and not any(part.startswith(".") for part in candidate.relative_to(path).parts)
            )
            if not found:
                known = ", ".join(sorted(SUFFIX_FORMATS))
                raise UsageError(f"{path}: no documents found (looked for {known})")
            documents.extend(found)
        elif path.is_file():
            documents.append(path)
        elif path.exists():
            raise UsageError(f"{path}: not a file or directory")
        else:
            raise UsageError(f"{path}: no such file or directory")
    return documents


def output_stems(documents: list[Path]) -> dict[Path, str]:
    """Report file stems: the document's stem, made unique with its path when two collide."""
    counts = Counter(path.stem for path in documents)
    stems: dict[Path, str] = {}
    for path in documents:
        if counts[path.stem] == 1:
            stems[path] = path.stem
        else:
            relative = os.path.relpath(path).replace(os.sep, "__").replace(".", "_")
            stems[path] = relative.lstrip("_")
    return stems


def network_findings(document: ParsedDocument, options: AuditOptions) -> list[Finding]:
    """CC2xx and CC3xx from what the resolve stage wrote onto each reference."""
    findings: list[Finding] = []
    for reference in document.references:
        findings += findings_for_live(reference)
        findings += findings_for_archive(reference, reference.archive, far_days=options.snapshot_far_days)
    return findings


def document_sources(document: ParsedDocument, batch: ResolvedBatch) -> dict[str, SourceText]:
    """The source text read for each of the document's references, by reference id."""
    return batch.sources_for(document)


def source_findings(document: ParsedDocument, sources: Mapping[str, SourceText]) -> list[Finding]:
    """CC403 (the page's own date vs. the cited one) and CC207 (live page vs. the capture)."""
    findings: list[Finding] = []
    for reference in document.references:
        page_date = publication_date_finding(reference)
        if page_date is not None:
            findings.append(page_date)
        source = sources.get(reference.id)
        if source is not None and source.live_text and source.text and source.info.origin == "capture":
            drift = drift_finding(reference, content_drift(source.live_text, source.text))
            if drift is not None:
                findings.append(drift)
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
            path=document.path, format=document.format, title=document.title, date=document.date, layout=document.layout
        ),
        references=document.references,
        claims=claim_set.claims,
        findings=findings,
        notices=document.notices,
        network=network,
        generated_at=datetime.now(UTC),
    )


def exit_code_for(findings: list[Finding], fail_on: str) -> int:
    threshold = FAIL_THRESHOLDS[fail_on]
    return EXIT_FINDINGS if any(finding.severity.rank >= threshold for finding in findings) else EXIT_OK


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
        from citecheck.execution.dask import DaskExecutor

        return DaskExecutor(scheduler=options.scheduler, workers=options.workers, cluster_limit=options.cluster_limit)
    return LocalExecutor()


def audit(
    paths: list[Path] | None = None, options: AuditOptions | None = None, progress: Progress | None = None
) -> AuditResult:
    """Audit documents and write reports. Raises :class:`UsageError` for bad paths or a bad baseline.

    Documents that cannot be read become error entries (and exit code 2)
    while every other document is still audited and reported.
    """
    options = options or AuditOptions()
    documents = collect_documents(paths or [Path("citations")])
    baseline = _load_baseline(options.baseline)
    stems = output_stems(documents)
    executor = make_executor(options)
    progress = progress or Progress(verbosity=-1)
    try:
        progress.stage("reading documents", len(documents))
        outcomes = executor.parse(documents, options.max_document_size)
        progress.advance(len(documents))
        errors = [outcome for outcome in outcomes if isinstance(outcome, DocumentError)]
        parsed_documents = [
            (path, outcome)
            for path, outcome in zip(documents, outcomes, strict=True)
            if isinstance(outcome, ParsedDocument)
        ]
        batch = run_network_stage([parsed for _, parsed in parsed_documents], options, executor, progress)
    finally:
        executor.close()
    generated_at = generation_time()
    reports: list[DocumentReport] = []
    progress.stage("checking claims and writing reports", len(parsed_documents))
    for _, parsed in parsed_documents:
        report = audit_parsed(parsed, options, batch.network, sources=document_sources(parsed, batch))
        report.generated_at = generated_at
        reports.append(report)
        progress.advance()
    conflicts = audit_conflicts(parsed_documents, reports, options)
    for report in reports:
        assign_fingerprints(report)
    new_findings = mark_new(reports, baseline) if baseline is not None else None
    if options.write_baseline is not None:
        write_baseline(options.write_baseline, reports)

    files: dict[Path, str] = {}
    summaries: list[DocumentSummary] = []
    for (path, _), report in zip(parsed_documents, reports, strict=True):
        stem = stems[path]
        if "md" in options.formats:
            timelines = timeline_files(report, stem)
            files[options.out / f"{stem}.md"] = render_document_markdown(report, timelines=timeline_names(report, stem))
            files.update({options.out / name: svg for name, svg in timelines.items()})
        if "json" in options.formats:
            files[options.out / f"{stem}.json"] = report_json(report)
        summaries.append(_summarise(report, stem))
    counted = [finding for report in reports for finding in report.findings if baseline is None or finding.new]
    exit_code = exit_code_for(counted, options.fail_on)
    if errors:
        exit_code = max(exit_code, EXIT_USAGE)
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
        exit_code=exit_code,
    )
    files[options.out / "index.md"] = render_index_markdown(summary)
    files[options.out / "summary.json"] = summary_json(summary)
    if "sarif" in options.formats:
        files[options.out / "citecheck.sarif"] = json.dumps(sarif_log(reports, _version()), indent=2) + "\n"
    if "jsonl" in options.formats:
        files[options.out / "findings.jsonl"] = "".join(finding_lines(reports))
    write_outputs(files)
    progress.done()
    return AuditResult(summary=summary, reports=reports)


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
    parsed_documents: list[tuple[Path, ParsedDocument]], reports: list[DocumentReport], options: AuditOptions
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
    progress: Progress | None = None,
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
    advance = None
    if progress is not None and plan.urls:
        progress.stage("checking links and archives", len(plan.urls))
        advance = progress.advance
    if settings.offline:
        # No request at all, but whatever earlier runs left in the store is used.
        batch = asyncio.run(resolve_plan_from_store(plan, settings))
    else:
        batch = (executor or LocalExecutor()).resolve(plan, settings, advance)
    apply_resolution(documents, batch)
    return batch


def resolve_network(
    documents: list[ParsedDocument], options: AuditOptions, executor: Executor | None = None
) -> NetworkState:
    """:func:`run_network_stage`, keeping only whether the network stages ran."""
    return run_network_stage(documents, options, executor).network
