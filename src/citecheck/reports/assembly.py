"""The audit-wide reports of a streamed audit, built from compact per-document records.

:class:`AuditAssembler` is handed each finished document report once
(:meth:`AuditAssembler.add`), in any order, with its position in the audit.
It keeps what the audit-wide files need — summary rows, fingerprints,
baseline entries, SARIF results, JSON Lines, JUnit suites, terminal rows,
annotations — in a temporary folder (:mod:`citecheck.reports.spill`), plus a
few counters, and writes ``index.md``, ``summary.json``, the baseline and the
``--format`` files from them at the end.  The text is the same the in-memory
renderers (:func:`~citecheck.reports.markdown.render_index_markdown`,
:func:`~citecheck.reports.writer.summary_json`, :func:`~citecheck.reports.sarif.sarif_log`,
:func:`~citecheck.reports.junit.junit_xml` …) give for the same reports.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from citecheck.exit_codes import EXIT_FINDINGS, EXIT_OK, FAIL_THRESHOLDS
from citecheck.models import AuditSummary, DocumentReport, DocumentSummary, Severity
from citecheck.reports.annotations import annotation
from citecheck.reports.baseline import BaselineEntry, baseline_json_chunks
from citecheck.reports.fingerprint import document_key, fingerprints_of
from citecheck.reports.jsonl import finding_lines
from citecheck.reports.junit import junit_document, junit_suite
from citecheck.reports.markdown import index_markdown_lines, index_rank
from citecheck.reports.rows import FindingRow, document_order, document_rows
from citecheck.reports.sarif import extra_rule, sarif_chunks, sarif_result, sarif_rules, sarif_skeleton
from citecheck.reports.spill import SORT_CHUNK, RecordFile, SortedSpill
from citecheck.reports.writer import AtomicFile, atomic_write_chunks, summary_json_chunks

SARIF_FILE = "citecheck.sarif"
JSONL_FILE = "findings.jsonl"
JUNIT_FILE = "junit.xml"
# The --format files, in the order they are written and their failures reported.
AUDIT_FILES = {"sarif": SARIF_FILE, "jsonl": JSONL_FILE, "junit": JUNIT_FILE}


@dataclass
class AuditRecords:
    """The rows and annotations of a finished streamed audit, read back from its spill folder.

    Kept alive by the :class:`~citecheck.pipeline.AuditResult`; the folder is
    removed by :meth:`close` or when this object is collected.
    """

    folder: tempfile.TemporaryDirectory[str]
    rows: RecordFile
    row_order: SortedSpill[tuple[tuple[tuple[int, int, int], str], int]]
    annotations: RecordFile | None

    def finding_rows(self) -> Iterator[FindingRow]:
        """Every finding as a row, in :func:`~citecheck.reports.rows.finding_rows` order."""
        for _, number in self.row_order:
            yield from self.rows.get(number)

    def annotation_lines(self, *, only_new: bool = False) -> Iterator[str]:
        """``--format github`` workflow commands, one per line (as ``github_annotations`` writes them)."""
        if self.annotations is None:
            return
        for number in self.annotations.numbers():
            for line, new in self.annotations.get(number):
                if not (only_new and new is False):
                    yield line + "\n"

    def close(self) -> None:
        self.rows.close()
        if self.annotations is not None:
            self.annotations.close()
        self.folder.cleanup()


@dataclass
class DocumentRecord:
    """What the audit-wide files need of one finished report: small, picklable, made where the report is."""

    # Per finding: severity, its rank, new (baseline), code, and (name, severity) for a code not catalogued.
    findings: list[tuple[str, int, bool | None, str, tuple[str, Severity] | None]]
    assigned: list[str]  # the fingerprints findings carry
    entries: list[tuple[str, str, str, str]]  # baseline entries: document, code, fingerprint, message
    summary: DocumentSummary | None
    rows: list[FindingRow]
    fragments: dict[str, Any]  # audit file name -> this document's part (SARIF results, JSON lines, JUnit suite)
    junit: tuple[int, int] | None  # tests, failures
    annotations: list[tuple[str, bool | None]]
    failures: dict[str, str] = field(default_factory=dict)  # audit file name -> why its part failed


def document_record(report: DocumentReport, summary: DocumentSummary | None, formats: frozenset[str]) -> DocumentRecord:
    """The compact record of one finished report (fingerprints assigned, baseline applied)."""
    fingerprints = fingerprints_of(report)
    document = document_key(report.document.path)
    findings = [
        (finding.severity.value, finding.severity.rank, finding.new, finding.code, extra_rule(finding))
        for finding in report.findings
    ]
    rows = document_rows(report)
    record = DocumentRecord(
        findings=findings,
        assigned=[finding.fingerprint for finding in report.findings if finding.fingerprint],
        entries=[
            (document, finding.code, fingerprint, finding.message)
            for finding, fingerprint in zip(report.findings, fingerprints, strict=True)
        ],
        summary=summary,
        rows=rows,
        fragments={},
        junit=None,
        annotations=[(annotation(finding, report), finding.new) for finding in report.findings]
        if "github" in formats
        else [],
    )
    builders: dict[str, Callable[[], Any]] = {
        SARIF_FILE: lambda: [
            sarif_result(finding, report, fingerprint, -1)
            for finding, fingerprint in zip(report.findings, fingerprints, strict=True)
        ],
        JSONL_FILE: lambda: "".join(finding_lines([report])),
        JUNIT_FILE: lambda: junit_suite(report, rows),
    }
    for kind, name in AUDIT_FILES.items():
        if kind not in formats:
            continue
        try:
            fragment = builders[name]()
        except Exception as error:  # a bug in one renderer: that file is missing, the audit goes on (exit 4)
            record.failures[name] = f"{type(error).__name__}: {error}"
            continue
        if name == JUNIT_FILE:
            suite, tests, failures = fragment
            record.junit = (tests, failures)
            fragment = suite
        record.fragments[name] = fragment
    return record


@dataclass
class AuditAssembler:
    """Collects each finished report's compact records; writes the audit-wide files at the end."""

    formats: frozenset[str]
    tool_version: str
    baseline_applied: bool
    fail_on: str
    sort_chunk: int = SORT_CHUNK
    failures: dict[str, str] = field(default_factory=dict)  # file name -> why it could not be written
    new_findings: int = 0
    documents: int = 0  # documents with a summary row (their report rendered)

    def __post_init__(self) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="citecheck-audit-")
        folder = Path(self._folder.name)
        chunk = self.sort_chunk
        self._summaries = RecordFile(folder / "summaries")
        self._rows = RecordFile(folder / "rows")
        self._files = {name: RecordFile(folder / name) for kind, name in AUDIT_FILES.items() if kind in self.formats}
        self._annotations = RecordFile(folder / "annotations") if "github" in self.formats else None
        self._fingerprints: SortedSpill[str] = SortedSpill(folder, "fingerprints", chunk=chunk)
        self._entries: SortedSpill[tuple[str, str, str, int, str]] = SortedSpill(folder, "baseline", chunk=chunk)
        self._ranking: SortedSpill[tuple[tuple[int, int, str], int]] = SortedSpill(folder, "index", chunk=chunk)
        self._row_order: SortedSpill[tuple[tuple[tuple[int, int, int], str], int]] = SortedSpill(
            folder, "row-order", chunk=chunk
        )
        self._severity_counts: Counter[str] = Counter()
        self._first_seen: dict[str, tuple[int, int]] = {}
        self._totals: Counter[str] = Counter()  # findings of the documents in the index
        self._extra_rules: dict[str, tuple[int, str, Severity]] = {}
        self._junit_tests = 0
        self._junit_failures = 0
        self._worst_counted = -1
        self._entry_seq = 0
        self._handed_over = False
        self._distinct = 0

    # ----------------------------------------------------------------- per document

    def add(self, number: int, report: DocumentReport, summary: DocumentSummary | None) -> None:
        """Record one finished report (fingerprints assigned, baseline applied) at audit position ``number``.

        ``summary`` is None when the report's own files could not be rendered:
        its findings still count everywhere else, as before streaming.
        """
        self.add_record(number, document_record(report, summary, self.formats))

    def add_record(self, number: int, record: DocumentRecord) -> None:
        """:meth:`add` for a record made elsewhere (:func:`document_record`, in a worker process)."""
        for index, (severity, rank, new, code, rule) in enumerate(record.findings):
            self._severity_counts[severity] += 1
            seen = self._first_seen.get(severity)
            if seen is None or (number, index) < seen:
                self._first_seen[severity] = (number, index)
            if not self.baseline_applied or new:
                self._worst_counted = max(self._worst_counted, rank)
            if new:
                self.new_findings += 1
            if rule is not None:
                known = self._extra_rules.get(code)
                if known is None or number < known[0]:
                    self._extra_rules[code] = (number, *rule)
        for fingerprint in record.assigned:
            self._fingerprints.add(fingerprint)
        for document, code, fingerprint, message in record.entries:
            self._entries.add((document, code, fingerprint, self._entry_seq, message))
            self._entry_seq += 1
        summary = record.summary
        if summary is not None:
            self.documents += 1
            self._summaries.put(number, summary)
            self._ranking.add((index_rank(summary), number))
            self._totals.update(summary.findings)
        if record.rows:
            self._rows.put(number, record.rows)
            self._row_order.add((document_order(record.rows), number))
        for name, fragment in record.fragments.items():
            records = self._files.get(name)
            if records is not None and name not in self.failures:
                records.put(number, fragment)
        for name, failure in record.failures.items():
            self.failures.setdefault(name, failure)
        if record.junit is not None:
            self._junit_tests += record.junit[0]
            self._junit_failures += record.junit[1]
        if self._annotations is not None:
            self._annotations.put(number, record.annotations)

    @property
    def folder(self) -> Path:
        """The spill folder (removed with :meth:`close`): other spilled state of the audit may live here too."""
        return Path(self._folder.name)

    # ----------------------------------------------------------------- the audit's totals

    def document_summaries(self) -> list[DocumentSummary]:
        """Every document's summary row, in audit order (only for audits small enough to hold them)."""
        return list(self._ordered(self._summaries))

    def fingerprints(self) -> list[str]:
        """Every finding's fingerprint, sorted (as ``summary.json`` lists them)."""
        return list(self._fingerprints)

    @property
    def distinct_fingerprints(self) -> int:
        """How many different fingerprints the findings have (counted while ``summary.json`` was written)."""
        return self._distinct

    def _counted(self, fingerprints: Iterable[str]) -> Iterator[str]:
        previous: str | None = None
        self._distinct = 0
        for fingerprint in fingerprints:
            if fingerprint != previous:
                self._distinct += 1
                previous = fingerprint
            yield fingerprint

    def severity_counts(self) -> dict[str, int]:
        """Findings by severity, keys in the order the severities first occur in the audit."""
        ordered = sorted(self._severity_counts, key=lambda severity: self._first_seen[severity])
        return {severity: self._severity_counts[severity] for severity in ordered}

    def findings_exit_code(self) -> int:
        """1 when a counted finding (all, or the new ones with a baseline) reaches ``fail_on``, else 0."""
        return EXIT_FINDINGS if self._worst_counted >= FAIL_THRESHOLDS[self.fail_on] else EXIT_OK

    # ----------------------------------------------------------------- writing

    def baseline_entries(self) -> Iterator[BaselineEntry]:
        """Every finding as a baseline entry, sorted by document, code and fingerprint, the first of each kept."""
        previous: str | None = None
        for document, code, fingerprint, _, message in self._entries:
            if fingerprint == previous:
                continue
            previous = fingerprint
            yield BaselineEntry.model_construct(fingerprint=fingerprint, code=code, document=document, message=message)

    def write_baseline(self, path: Path) -> None:
        # Entries sharing a fingerprint share document and code (both are hashed into it): adjacent when sorted.
        atomic_write_chunks(path, baseline_json_chunks(self.baseline_entries()))

    def _ordered(self, records: RecordFile) -> Iterator[Any]:
        for number in records.numbers():
            yield records.get(number)

    def write_audit_files(self, out: Path, problems: list[str]) -> None:
        """The ``--format`` files (SARIF, JSON Lines, JUnit); a failure is a line in ``problems``, the rest written."""
        writers: dict[str, Callable[[RecordFile], Iterable[str]]] = {
            SARIF_FILE: self._sarif_text,
            JSONL_FILE: self._ordered,
            JUNIT_FILE: lambda records: junit_document(self._ordered(records), self._junit_tests, self._junit_failures),
        }
        for name, records in self._files.items():
            if name not in self.failures:
                try:
                    atomic_write_chunks(out / name, writers[name](records))
                except OSError:
                    raise
                except Exception as error:  # a bug in one renderer: that file is missing (exit 4)
                    self.failures[name] = f"{type(error).__name__}: {error}"
            if name in self.failures:
                problems.append(f"writing {name}: {self.failures[name]}")

    def _sarif_text(self, records: RecordFile) -> Iterator[str]:
        extra = {code: (name, severity) for code, (_, name, severity) in self._extra_rules.items()}
        rules = sarif_rules(extra, None)
        indexes = {rule["id"]: index for index, rule in enumerate(rules)}

        def results() -> Iterator[dict[str, Any]]:
            for batch in self._ordered(records):
                for result in batch:
                    result["ruleIndex"] = indexes[result["ruleId"]]
                    yield result

        return sarif_chunks(sarif_skeleton(rules, self.tool_version), results())

    def write_index_and_summary(self, out: Path, summary: AuditSummary) -> None:
        """``index.md`` and ``summary.json`` for ``summary`` (its documents and fingerprints left empty)."""
        conflicted = {statement.document for conflict in summary.conflicts for statement in conflict.statements}
        conflict_reports: dict[str, str] = {}
        if conflicted:
            for document in self._ordered(self._summaries):
                if document.path in conflicted:
                    conflict_reports[document.path] = document.report_md
        lines = index_markdown_lines(
            summary,
            documents=self.documents,
            totals=self._totals,
            ranked=(self._summaries.get(number) for _, number in self._ranking),
            conflict_reports=conflict_reports,
        )
        index = AtomicFile(out / "index.md")
        try:
            for position, line in enumerate(lines):
                index.write(line if position == 0 else "\n" + line)
        except BaseException:
            index.abort()
            raise
        index.commit()
        atomic_write_chunks(
            out / "summary.json",
            summary_json_chunks(summary, self._ordered(self._summaries), self._counted(self._fingerprints)),
        )

    def records(self) -> AuditRecords:
        """Hand the rows and annotations over to the audit's result (the rest of the folder is no longer needed)."""
        self._handed_over = True
        for records in (self._summaries, *self._files.values()):
            records.close()
        return AuditRecords(self._folder, self._rows, self._row_order, self._annotations)

    def close(self) -> None:
        """Remove the spill folder (unless :meth:`records` handed it over)."""
        if not self._handed_over:
            for records in (self._summaries, self._rows, *self._files.values()):
                records.close()
            if self._annotations is not None:
                self._annotations.close()
            self._folder.cleanup()
